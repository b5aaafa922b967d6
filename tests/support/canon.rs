//! Canonical form of CIM-XML for comparison under the conformance README's rule: ignore
//! whitespace-only text, attribute order, the `MESSAGE ID` and the order of sibling
//! `IPARAMVALUE`, `PROPERTY`, `PROPERTY.ARRAY`, `PARAMETER` and `KEYBINDING` elements (sorted
//! by `NAME`), recursively, also inside embedded objects (VALUE text that is XML).
#![allow(dead_code)]

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// An element of the canonical tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Element name.
    pub name: String,
    /// Attributes, sorted by name.
    pub attrs: Vec<(String, String)>,
    /// Child elements (sortable siblings sorted).
    pub children: Vec<Node>,
    /// Text content (None when whitespace-only or absent).
    pub text: Option<String>,
    /// Embedded XML parsed from the text.
    pub embedded: Vec<Node>,
}

const SORTED: [&str; 5] = [
    "IPARAMVALUE",
    "PROPERTY",
    "PROPERTY.ARRAY",
    "PARAMETER",
    "KEYBINDING",
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

/// Parses XML into canonical trees (the top-level elements).
pub fn parse(xml: &str) -> Result<Vec<Node>, String> {
    let mut r = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::new("#root".into(), vec![])];
    let mut texts: Vec<String> = vec![String::new()];
    loop {
        let ev = r.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(e) => {
                let n = start(&e)?;
                stack.push(n);
                texts.push(String::new());
            }
            Event::Empty(e) => {
                let n = start(&e)?;
                stack.last_mut().ok_or("stack")?.children.push(n);
            }
            Event::End(_) => {
                let mut n = stack.pop().ok_or("unbalanced")?;
                let t = texts.pop().ok_or("unbalanced")?;
                finish(&mut n, t)?;
                stack.last_mut().ok_or("unbalanced")?.children.push(n);
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| e.to_string())?;
                texts.last_mut().ok_or("stack")?.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| e.to_string())?;
                texts.last_mut().ok_or("stack")?.push_str(&s);
            }
            Event::GeneralRef(g) => {
                let c = if g.is_char_ref() {
                    g.resolve_char_ref().map_err(|e| e.to_string())?
                } else {
                    named_entity(&g.decode().map_err(|e| e.to_string())?)
                };
                let c = c.ok_or("unknown entity")?;
                texts.last_mut().ok_or("stack")?.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().ok_or("unbalanced")?;
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    sort_children(&mut root.children);
    Ok(root.children)
}

impl Node {
    fn new(name: String, attrs: Vec<(String, String)>) -> Self {
        Node {
            name,
            attrs,
            children: vec![],
            text: None,
            embedded: vec![],
        }
    }
}

fn start(e: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        #[allow(deprecated)]
        let v = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
        if name == "MESSAGE" && k == "ID" {
            continue;
        }
        attrs.push((k, v));
    }
    attrs.sort();
    Ok(Node::new(name, attrs))
}

fn finish(n: &mut Node, text: String) -> Result<(), String> {
    sort_children(&mut n.children);
    if text.trim().is_empty() {
        return Ok(());
    }
    if n.name == "VALUE" && text.trim_start().starts_with('<') {
        if let Ok(inner) = parse(&text) {
            n.embedded = inner;
            return Ok(());
        }
    }
    n.text = Some(text);
    Ok(())
}

fn sort_key(n: &Node) -> Option<(String, String)> {
    if SORTED.contains(&n.name.as_str()) {
        let nm = n
            .attrs
            .iter()
            .find(|(k, _)| k == "NAME")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        Some((n.name.clone(), nm))
    } else {
        None
    }
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

/// The first difference between two canonical forests, as `path: what`.
pub fn first_difference(a: &[Node], b: &[Node], path: &str) -> Option<String> {
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
        if let Some(d) = first_difference(&x.embedded, &y.embedded, &format!("{p}/#embedded")) {
            return Some(d);
        }
        if let Some(d) = first_difference(&x.children, &y.children, &p) {
            return Some(d);
        }
    }
    if a.len() != b.len() {
        let names = |v: &[Node]| v.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        return Some(format!("{path}: children {:?} vs {:?}", names(a), names(b)));
    }
    None
}
