//! The canonical form of CIM-XML (DMTF DSP0201) used to compare documents structurally.
//!
//! One canonicaliser, two sets of rules ([`Rules`]):
//!
//! - [`Rules::Exact`], for checking that a client sends what another client sends: whitespace-
//!   only text, the order of attributes and the `MESSAGE ID` are ignored, and runs of sibling
//!   `IPARAMVALUE`, `PROPERTY`, `PROPERTY.ARRAY`, `PROPERTY.REFERENCE`, `PARAMETER` and
//!   `KEYBINDING` elements are sorted by (element, `NAME`), recursively, also inside
//!   embedded objects (`VALUE` text that is XML).
//! - [`Rules::Matching`], for matching a request with a recorded one: the above, and also the
//!   case of CIM names (DSP0004 §5.3.2: names are case-insensitive), `TYPE` for `PARAMTYPE`
//!   on `PARAMVALUE` (an older spelling some servers send), `HOST` elements, and the order of
//!   every child of `INSTANCE` and `INSTANCENAME`.
//!
//! Nesting is bounded ([`MAX_DEPTH`], shared with embedded objects), so that parsing,
//! sorting, rendering and dropping a tree never recurse without limit.
//!
//! ```
//! use smis::testkit::canon::{self, Rules};
//! let a = canon::parse(r#"<A y="2" x="1"><PROPERTY NAME="b"/><PROPERTY NAME="a"/></A>"#, Rules::Exact)?;
//! let b = canon::parse("<A x='1' y='2'>\n <PROPERTY NAME='a'/><PROPERTY NAME='b'/></A>", Rules::Exact)?;
//! assert_eq!(canon::first_difference(&a, &b), None);
//! # Ok::<(), smis::testkit::TestkitError>(())
//! ```

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::TestkitError;

/// How deep a canonical tree may nest, embedded objects included (real CIM-XML needs about
/// 15 levels; the decoder's default limit is 64). Deeper input is refused.
pub const MAX_DEPTH: usize = 128;

/// Which differences the canonical form ignores (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Rules {
    /// Structure, names and values exactly; layout and sibling order of named elements not.
    #[default]
    Exact,
    /// As [`Rules::Exact`], and also the case of CIM names, `TYPE`/`PARAMTYPE`, `HOST`
    /// elements and the order inside `INSTANCE`/`INSTANCENAME`.
    Matching,
}

/// An element of a canonical tree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// Element name.
    pub name: String,
    /// Attributes, sorted by name.
    pub attrs: Vec<(String, String)>,
    /// Child elements (sortable siblings sorted).
    pub children: Vec<Node>,
    /// Text content (None when whitespace-only, absent, or an embedded object).
    pub text: Option<String>,
    /// The canonical trees of an embedded object (`VALUE` text that is XML).
    pub embedded: Vec<Node>,
}

impl Node {
    fn new(name: String, attrs: Vec<(String, String)>) -> Self {
        Node {
            name,
            attrs,
            children: Vec::new(),
            text: None,
            embedded: Vec::new(),
        }
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text, or the canonical rendering of an embedded object; empty when neither.
    pub fn content(&self) -> String {
        match &self.text {
            Some(t) => t.clone(),
            None => self.embedded.iter().map(Node::rendered).collect(),
        }
    }

    fn render(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(v);
            out.push('"');
        }
        if self.children.is_empty() && self.text.is_none() && self.embedded.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        match &self.text {
            Some(t) => out.push_str(t),
            None => self.embedded.iter().for_each(|e| e.render(out)),
        }
        for c in &self.children {
            c.render(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    /// The canonical text of the element (one line; attribute values and text unescaped).
    pub fn rendered(&self) -> String {
        let mut s = String::new();
        self.render(&mut s);
        s
    }
}

/// Elements sorted by (element, `NAME`) within runs of siblings.
const SORTED: [&str; 6] = [
    "IPARAMVALUE",
    "PROPERTY",
    "PROPERTY.ARRAY",
    "PROPERTY.REFERENCE",
    "PARAMETER",
    "KEYBINDING",
];

/// Element names whose `NAME` attribute is a case-insensitive CIM name.
const NAMED_CIM: [&str; 9] = [
    "KEYBINDING",
    "PROPERTY",
    "PROPERTY.ARRAY",
    "PROPERTY.REFERENCE",
    "NAMESPACE",
    "QUALIFIER",
    "PARAMETER",
    "PARAMETER.ARRAY",
    "PARAMETER.REFERENCE",
];

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

fn bad(what: impl std::fmt::Display) -> TestkitError {
    TestkitError::Xml(what.to_string())
}

/// Parses `xml` into canonical trees (its top-level elements) under `rules`.
pub fn parse(xml: &str, rules: Rules) -> Result<Vec<Node>, TestkitError> {
    parse_within(xml, rules, MAX_DEPTH)
}

fn parse_within(xml: &str, rules: Rules, max_depth: usize) -> Result<Vec<Node>, TestkitError> {
    let mut r = Reader::from_str(xml);
    let mut stack = vec![Node::new("#root".into(), Vec::new())];
    let mut texts = vec![String::new()];
    loop {
        match r.read_event().map_err(bad)? {
            Event::Start(e) => {
                if stack.len() > max_depth {
                    return Err(bad(format_args!("nested deeper than {MAX_DEPTH} elements")));
                }
                stack.push(start(&e, rules)?);
                texts.push(String::new());
            }
            Event::Empty(e) => {
                let mut n = start(&e, rules)?;
                finish(&mut n, String::new(), rules, 0);
                stack
                    .last_mut()
                    .ok_or_else(|| bad("unbalanced"))?
                    .children
                    .push(n);
            }
            Event::End(_) => {
                let mut n = stack.pop().ok_or_else(|| bad("unbalanced"))?;
                let t = texts.pop().ok_or_else(|| bad("unbalanced"))?;
                finish(&mut n, t, rules, max_depth.saturating_sub(stack.len()));
                stack
                    .last_mut()
                    .ok_or_else(|| bad("unbalanced"))?
                    .children
                    .push(n);
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(bad)?;
                texts
                    .last_mut()
                    .ok_or_else(|| bad("text outside"))?
                    .push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(bad)?;
                texts
                    .last_mut()
                    .ok_or_else(|| bad("text outside"))?
                    .push_str(&s);
            }
            Event::GeneralRef(g) => {
                let c = if g.is_char_ref() {
                    g.resolve_char_ref().map_err(bad)?
                } else {
                    named_entity(&g.decode().map_err(bad)?)
                };
                let c = c.ok_or_else(|| bad("unknown entity"))?;
                texts.last_mut().ok_or_else(|| bad("text outside"))?.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().ok_or_else(|| bad("unbalanced"))?;
    if !stack.is_empty() {
        return Err(bad("unclosed element"));
    }
    sort_children(&mut root.children);
    Ok(root.children)
}

fn start(e: &BytesStart<'_>, rules: Rules) -> Result<Node, TestkitError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let matching = rules == Rules::Matching;
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(bad)?;
        let mut k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        #[allow(deprecated)]
        let mut v = a.unescape_value().map_err(bad)?.into_owned();
        if name == "MESSAGE" && k == "ID" {
            continue;
        }
        if matching {
            if (name == "PARAMVALUE" || name == "EXPPARAMVALUE") && k == "TYPE" {
                k = "PARAMTYPE".into();
            }
            let fold = matches!(k.as_str(), "CLASSNAME" | "REFERENCECLASS" | "CLASSORIGIN")
                || (k == "NAME" && NAMED_CIM.contains(&name.as_str()));
            if fold {
                v = v.to_ascii_lowercase();
            }
        }
        attrs.push((k, v));
    }
    attrs.sort();
    Ok(Node::new(name, attrs))
}

/// Finishes a node; `budget` is the nesting depth left for an embedded object's XML.
fn finish(n: &mut Node, text: String, rules: Rules, budget: usize) {
    if rules == Rules::Matching {
        // Host names do not matter for matching.
        n.children.retain(|c| c.name != "HOST");
    }
    sort_children(&mut n.children);
    if rules == Rules::Matching && (n.name == "INSTANCE" || n.name == "INSTANCENAME") {
        n.children.sort_by_cached_key(Node::rendered);
    }
    if text.trim().is_empty() {
        return;
    }
    if n.name == "VALUE" && text.trim_start().starts_with('<') && budget > 1 {
        // An embedded object: canonicalise its XML too (nested embedded objects share the
        // depth budget; each level is a recursion).
        if let Ok(inner) = parse_within(&text, rules, budget - 1) {
            n.embedded = inner;
            return;
        }
    }
    n.text = Some(text);
}

fn sort_key(n: &Node) -> Option<(String, String)> {
    SORTED.contains(&n.name.as_str()).then(|| {
        (
            n.name.clone(),
            n.attr("NAME").unwrap_or_default().to_string(),
        )
    })
}

/// Sorts runs of sortable siblings by (element, NAME); other elements keep their position.
fn sort_children(children: &mut [Node]) {
    let mut i = 0;
    while i < children.len() {
        if sort_key(&children[i]).is_none() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < children.len() && sort_key(&children[j]).is_some() {
            j += 1;
        }
        children[i..j].sort_by_key(sort_key);
        i = j;
    }
}

/// The first difference between two canonical forests, as `path: what` (None when equal).
pub fn first_difference(a: &[Node], b: &[Node]) -> Option<String> {
    difference_at(a, b, "")
}

fn difference_at(a: &[Node], b: &[Node], path: &str) -> Option<String> {
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        let p = format!("{path}/{}[{i}]", x.name);
        if x.name != y.name {
            return Some(format!("{p}: element {} vs {}", x.name, y.name));
        }
        if x.attrs != y.attrs {
            return Some(format!("{p}: attributes {:?} vs {:?}", x.attrs, y.attrs));
        }
        if x.text != y.text {
            return Some(format!("{p}: text {:?} vs {:?}", x.text, y.text));
        }
        if let Some(d) = difference_at(&x.embedded, &y.embedded, &format!("{p}/#embedded")) {
            return Some(d);
        }
        if let Some(d) = difference_at(&x.children, &y.children, &p) {
            return Some(d);
        }
    }
    if a.len() != b.len() {
        let names = |v: &[Node]| v.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        return Some(format!("{path}: children {:?} vs {:?}", names(a), names(b)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_trees_are_refused_not_recursed() {
        let n = 100_000;
        let deep = format!("{}{}", "<A>".repeat(n), "</A>".repeat(n));
        assert!(parse(&deep, Rules::Matching).is_err());
        let ok = format!("{}{}", "<A>".repeat(20), "</A>".repeat(20));
        assert!(parse(&ok, Rules::Matching).is_ok());
    }

    #[test]
    fn nested_embedded_objects_share_the_budget() {
        fn esc(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        }
        let mut x = "<INSTANCE CLASSNAME=\"C\"/>".to_string();
        for _ in 0..200 {
            x = format!("<VALUE>{}</VALUE>", esc(&x));
        }
        // Parses (the innermost levels stay text) without unbounded recursion.
        assert!(parse(&x, Rules::Exact).is_ok());
    }

    #[test]
    fn exact_keeps_case_matching_folds_it() {
        let a = r#"<INSTANCE CLASSNAME="CIM_X"><PROPERTY NAME="Size" TYPE="uint64"/><HOST>h</HOST></INSTANCE>"#;
        let b = r#"<INSTANCE CLASSNAME="cim_x"><HOST>other</HOST><PROPERTY NAME="size" TYPE="uint64"/></INSTANCE>"#;
        let exact = |x| parse(x, Rules::Exact).unwrap_or_default();
        let matching = |x| parse(x, Rules::Matching).unwrap_or_default();
        assert!(first_difference(&exact(a), &exact(b)).is_some());
        assert_eq!(first_difference(&matching(a), &matching(b)), None);
    }

    #[test]
    fn embedded_objects_are_compared_as_trees() {
        let a = "<VALUE>&lt;INSTANCE CLASSNAME=\"C\"&gt;&lt;PROPERTY NAME=\"b\"/&gt;&lt;PROPERTY NAME=\"a\"/&gt;&lt;/INSTANCE&gt;</VALUE>";
        let b = "<VALUE><![CDATA[<INSTANCE CLASSNAME='C'><PROPERTY NAME='a'/><PROPERTY NAME='b'/></INSTANCE>]]></VALUE>";
        let (a, b) = (
            parse(a, Rules::Exact).unwrap_or_default(),
            parse(b, Rules::Exact).unwrap_or_default(),
        );
        assert_eq!(a[0].embedded.len(), 1);
        assert_eq!(first_difference(&a, &b), None);
        assert!(parse("<A><B></A>", Rules::Exact).is_err());
    }
}
