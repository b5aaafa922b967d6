//! Canonical forms of CIM-XML request bodies, for matching recorded fixtures: a small
//! tree parser that normalises whitespace, attribute order, sibling order of properties
//! and key bindings, and the case of names; the parts of a request (operation, namespace,
//! target object, parameters) read from that tree; and byte-level rewrites that work on
//! bodies in any encoding (the MESSAGE ID, password parameters).

use std::collections::BTreeMap;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::cim::{CimType, CimValue, KeyBinding, ObjectPath, PathKind};

/// The parts of a request that identify it.
#[derive(Debug, Clone)]
pub(crate) struct RequestParts {
    /// Operation or method name.
    pub operation: String,
    /// Namespace, lower-case.
    pub namespace: String,
    /// Canonical target object, or empty.
    pub object: String,
    /// Parameters by lower-case name: (name as sent, canonical value).
    pub params: BTreeMap<String, (String, String)>,
}

/// An element of a canonical XML tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
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
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&self.text);
        for c in &self.children {
            c.render(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    fn rendered(&self) -> String {
        let mut s = String::new();
        self.render(&mut s);
        s
    }
}

/// Element names whose `NAME` attribute is a case-insensitive CIM name.
const NAMED_CIM: [&str; 6] = [
    "KEYBINDING",
    "PROPERTY",
    "PROPERTY.ARRAY",
    "PROPERTY.REFERENCE",
    "NAMESPACE",
    "QUALIFIER",
];

fn start_node(e: &BytesStart<'_>) -> Option<Node> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.ok()?;
        let mut k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        #[allow(deprecated)]
        let mut v = a.unescape_value().ok()?.into_owned();
        if name == "MESSAGE" && k == "ID" {
            continue;
        }
        if (name == "PARAMVALUE" || name == "EXPPARAMVALUE") && k == "TYPE" {
            k = "PARAMTYPE".into();
        }
        let lower = matches!(k.as_str(), "CLASSNAME" | "REFERENCECLASS" | "CLASSORIGIN")
            || (k == "NAME" && NAMED_CIM.contains(&name.as_str()));
        if lower {
            v = v.to_ascii_lowercase();
        }
        attrs.push((k, v));
    }
    attrs.sort();
    Some(Node {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

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

/// How deep a canonical tree may nest (real CIM-XML needs about 15 levels; the decoder's
/// default limit is 64). Deeper input gives no tree, so that rendering, sorting and
/// dropping the tree, which recurse, stay bounded.
const MAX_TREE_DEPTH: usize = 128;

/// Parses XML into a canonical tree under a synthetic root (None for malformed or
/// over-deep XML).
pub(crate) fn parse_tree(xml: &str) -> Option<Node> {
    parse_tree_within(xml, MAX_TREE_DEPTH)
}

fn parse_tree_within(xml: &str, max_depth: usize) -> Option<Node> {
    let mut r = Reader::from_str(xml);
    let mut stack = vec![Node {
        name: "#root".into(),
        attrs: Vec::new(),
        children: Vec::new(),
        text: String::new(),
    }];
    loop {
        match r.read_event().ok()? {
            Event::Start(e) => {
                if stack.len() > max_depth {
                    return None;
                }
                stack.push(start_node(&e)?)
            }
            Event::Empty(e) => {
                let n = finish_node(start_node(&e)?, max_depth.saturating_sub(stack.len()));
                stack.last_mut()?.children.push(n);
            }
            Event::End(_) => {
                let n = finish_node(stack.pop()?, max_depth.saturating_sub(stack.len()));
                stack.last_mut()?.children.push(n);
            }
            Event::Text(t) => {
                let s = t.xml_content().ok()?;
                stack.last_mut()?.text.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().ok()?;
                stack.last_mut()?.text.push_str(&s);
            }
            Event::GeneralRef(g) => {
                let c = if g.is_char_ref() {
                    g.resolve_char_ref().ok()?
                } else {
                    named_entity(&g.decode().ok()?)
                };
                stack.last_mut()?.text.push(c?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let root = stack.pop()?;
    if !stack.is_empty() {
        return None;
    }
    Some(root)
}

/// Finishes a node; `budget` is the nesting depth left for an embedded object's XML.
fn finish_node(mut n: Node, budget: usize) -> Node {
    if n.text.trim().is_empty() {
        n.text.clear();
    } else if n.name == "VALUE" && n.text.trim_start().starts_with('<') {
        // An embedded object: canonicalise its XML too.
        // Nested embedded objects share the depth budget (each level is a recursion).
        if let Some(inner) = (budget > 1)
            .then(|| parse_tree_within(&n.text, budget - 1))
            .flatten()
        {
            n.text = inner.children.iter().map(Node::rendered).collect();
        }
    }
    // Host names do not matter for matching.
    n.children.retain(|c| c.name != "HOST");
    if n.name == "INSTANCE" || n.name == "INSTANCENAME" {
        n.children.sort_by_cached_key(Node::rendered);
    }
    n
}

/// Splits a canonical request tree into key parts.
pub(crate) fn key_of_tree(root: &Node) -> Option<RequestParts> {
    let msg = root.child("CIM")?.child("MESSAGE")?;
    let (call, pname) = if let Some(req) = msg.child("SIMPLEREQ") {
        if let Some(c) = req.child("IMETHODCALL") {
            (c, "IPARAMVALUE")
        } else {
            (req.child("METHODCALL")?, "PARAMVALUE")
        }
    } else {
        (
            msg.child("SIMPLEEXPREQ")?.child("EXPMETHODCALL")?,
            "EXPPARAMVALUE",
        )
    };
    let operation = call.attr("NAME")?.to_string();
    let mut namespace = String::new();
    let mut object = String::new();
    if let Some(ns) = call.child("LOCALNAMESPACEPATH") {
        namespace = namespace_of(ns);
    } else if let Some(p) = call.child("LOCALINSTANCEPATH") {
        namespace = p.child("LOCALNAMESPACEPATH").map(namespace_of)?;
        object = path_of(p.child("INSTANCENAME")?)?.canonical();
    } else if let Some(p) = call.child("LOCALCLASSPATH") {
        namespace = p.child("LOCALNAMESPACEPATH").map(namespace_of)?;
        object = p.child("CLASSNAME")?.attr("NAME")?.to_ascii_lowercase();
    }
    let mut params = BTreeMap::new();
    for p in call.children.iter().filter(|c| c.name == pname) {
        let name = p.attr("NAME").unwrap_or_default().to_string();
        let lower = name.to_ascii_lowercase();
        if pname == "IPARAMVALUE" {
            match lower.as_str() {
                "instancename" | "objectname" | "classname" => {
                    if let Some(c) = p.children.first() {
                        if let Some(path) = path_of(c) {
                            object = path.canonical();
                            continue;
                        }
                    }
                }
                "modifiedinstance" => {
                    if let Some(path) = p
                        .child("VALUE.NAMEDINSTANCE")
                        .and_then(|v| v.child("INSTANCENAME"))
                        .and_then(path_of)
                    {
                        object = path.canonical();
                    }
                }
                _ => {}
            }
        }
        let value = param_value(&lower, p);
        params.insert(lower, (name, value));
    }
    Some(RequestParts {
        operation,
        namespace,
        object,
        params,
    })
}

fn namespace_of(local_ns: &Node) -> String {
    local_ns
        .children
        .iter()
        .filter(|c| c.name == "NAMESPACE")
        .filter_map(|c| c.attr("NAME"))
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

/// An object path from `INSTANCENAME`, `CLASSNAME` or the `*PATH` elements.
fn path_of(n: &Node) -> Option<ObjectPath> {
    match n.name.as_str() {
        "INSTANCENAME" => {
            let mut p = ObjectPath {
                class_name: n.attr("CLASSNAME")?.into(),
                kind: PathKind::Instance,
                ..ObjectPath::default()
            };
            for kb in n.children.iter().filter(|c| c.name == "KEYBINDING") {
                let value = if let Some(kv) = kb.child("KEYVALUE") {
                    key_value(kv)
                } else {
                    let r = kb.child("VALUE.REFERENCE")?.children.first()?;
                    CimValue::Reference(Box::new(path_of(r)?))
                };
                p.keys.push(KeyBinding::new(kb.attr("NAME")?, value));
            }
            if let Some(kv) = n.child("KEYVALUE") {
                p.keys.push(KeyBinding::new("", key_value(kv)));
            }
            Some(p)
        }
        "CLASSNAME" => Some(ObjectPath::class(None, n.attr("NAME")?)),
        "LOCALINSTANCEPATH" | "LOCALCLASSPATH" | "INSTANCEPATH" | "CLASSPATH" => {
            let mut p = path_of(
                n.children
                    .iter()
                    .find(|c| c.name == "INSTANCENAME" || c.name == "CLASSNAME")?,
            )?;
            let ns = n
                .child("LOCALNAMESPACEPATH")
                .or_else(|| n.child("NAMESPACEPATH")?.child("LOCALNAMESPACEPATH"))
                .map(namespace_of);
            p.namespace = ns.filter(|s| !s.is_empty());
            Some(p)
        }
        "OBJECTPATH" | "VALUE.REFERENCE" => path_of(n.children.first()?),
        _ => None,
    }
}

fn key_value(kv: &Node) -> CimValue {
    let text = kv.text.as_str();
    let typed = kv
        .attr("TYPE")
        .filter(|t| !t.is_empty())
        .and_then(CimType::parse)
        .and_then(|t| CimValue::parse_scalar(t, text).ok());
    if let Some(v) = typed {
        return v;
    }
    match kv.attr("VALUETYPE").unwrap_or("string") {
        "boolean" => CimValue::Boolean(text.trim().eq_ignore_ascii_case("true")),
        "numeric" => crate::cim::untyped_number(text).unwrap_or_else(|| text.into()),
        _ => CimValue::String(text.to_string()),
    }
}

fn scalar_text(t: &str) -> String {
    let s = t.trim();
    if s.eq_ignore_ascii_case("true") {
        "TRUE".into()
    } else if s.eq_ignore_ascii_case("false") {
        "FALSE".into()
    } else if let Some(CimValue::Uint64(v)) = crate::cim::untyped_number(s) {
        v.to_string()
    } else if let Some(CimValue::Sint64(v)) = crate::cim::untyped_number(s) {
        v.to_string()
    } else {
        t.to_string()
    }
}

/// The canonical value of a parameter element.
fn param_value(lower_name: &str, p: &Node) -> String {
    let Some(first) = p.children.first() else {
        return if p.text.is_empty() {
            "NULL".into()
        } else {
            scalar_text(&p.text)
        };
    };
    if p.children.len() > 1 {
        return p.children.iter().map(Node::rendered).collect();
    }
    match first.name.as_str() {
        "VALUE" if first.children.is_empty() => scalar_text(&first.text),
        "VALUE.ARRAY" => {
            let mut items: Vec<String> = first
                .children
                .iter()
                .map(|v| match v.name.as_str() {
                    "VALUE" if v.children.is_empty() => scalar_text(&v.text),
                    "VALUE.NULL" => "NULL".into(),
                    _ => v.rendered(),
                })
                .collect();
            if lower_name == "propertylist" {
                for i in &mut items {
                    *i = i.to_ascii_lowercase();
                }
                items.sort();
            }
            format!("[{}]", items.join(", "))
        }
        "VALUE.NULL" => "NULL".into(),
        _ => match path_of(first) {
            Some(path) => path.canonical(),
            None => first.rendered(),
        },
    }
}

// ----- Byte-level helpers (fixtures may be in any encoding) -----

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value range of attribute `name` inside a start tag's bytes (after the element name).
fn attr_range(tag: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let mut i = 0;
    while i + name.len() <= tag.len() {
        let at_boundary = i == 0 || tag[i - 1].is_ascii_whitespace();
        if at_boundary && tag[i..].starts_with(name) {
            let mut j = i + name.len();
            while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if tag.get(j) == Some(&b'=') {
                j += 1;
                while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                let q = *tag.get(j)?;
                if q == b'"' || q == b'\'' {
                    let start = j + 1;
                    let len = tag[start..].iter().position(|&c| c == q)?;
                    return Some(start..start + len);
                }
            }
        }
        i += 1;
    }
    None
}

/// Start tags `<NAME ...>` of element `name`: (tag start, end of the attribute bytes, true if
/// self-closing). The attribute bytes are `body[tag_start + 1 + name.len() .. attrs_end]`.
fn start_tags(body: &[u8], name: &[u8]) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut pat = b"<".to_vec();
    pat.extend_from_slice(name);
    let mut from = 0;
    while let Some(p) = find(&body[from..], &pat) {
        let start = from + p;
        let after = start + pat.len();
        from = after;
        match body.get(after) {
            Some(c) if c.is_ascii_whitespace() || *c == b'>' || *c == b'/' => {}
            _ => continue,
        }
        let Some(close) = body[after..].iter().position(|&c| c == b'>') else {
            break;
        };
        let end = after + close;
        let self_closing = end > after && body[end - 1] == b'/';
        out.push((
            start,
            if self_closing { end - 1 } else { end },
            self_closing,
        ));
        from = end;
    }
    out
}

/// The byte range of the `MESSAGE` element's `ID` value.
pub(crate) fn message_id_range(body: &[u8]) -> Option<Range<usize>> {
    let (start, end, _) = *start_tags(body, b"MESSAGE").first()?;
    let attrs_start = start + "<MESSAGE".len();
    let r = attr_range(&body[attrs_start..end], b"ID")?;
    Some(attrs_start + r.start..attrs_start + r.end)
}

/// The `MESSAGE ID` of a CIM-XML body.
pub(crate) fn message_id(body: &[u8]) -> Option<String> {
    message_id_range(body).map(|r| String::from_utf8_lossy(&body[r]).into_owned())
}

/// The body with its `MESSAGE ID` set to `id` (unchanged if it has none).
pub(crate) fn with_message_id(body: &[u8], id: &str) -> Vec<u8> {
    match message_id_range(body) {
        Some(r) => {
            let mut out = Vec::with_capacity(body.len() + id.len());
            out.extend_from_slice(&body[..r.start]);
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(&body[r.end..]);
            out
        }
        None => body.to_vec(),
    }
}

/// The text written instead of a password.
pub const REDACTED: &str = "[REDACTED]";

/// The body with the `VALUE` text of every `PARAMVALUE`, `IPARAMVALUE` and `EXPPARAMVALUE`
/// whose `NAME` contains "password" (any case) replaced by `[REDACTED]`.
pub(crate) fn redact_passwords(body: &[u8]) -> Vec<u8> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for el in [&b"PARAMVALUE"[..], b"IPARAMVALUE", b"EXPPARAMVALUE"] {
        for (start, attrs_end, self_closing) in start_tags(body, el) {
            if self_closing {
                continue;
            }
            let attrs = &body[start + 1 + el.len()..attrs_end];
            let Some(nr) = attr_range(attrs, b"NAME") else {
                continue;
            };
            let name = String::from_utf8_lossy(&attrs[nr]).to_ascii_lowercase();
            if !name.contains("password") {
                continue;
            }
            let content_start = attrs_end + 1;
            let mut close = b"</".to_vec();
            close.extend_from_slice(el);
            close.push(b'>');
            let content_end = find(&body[content_start..], &close)
                .map(|p| content_start + p)
                .unwrap_or(body.len());
            let content = &body[content_start..content_end];
            for (_, ve, sc) in start_tags(content, b"VALUE") {
                if sc {
                    continue;
                }
                let text_start = ve + 1;
                if let Some(p) = find(&content[text_start..], b"</VALUE>") {
                    ranges.push(content_start + text_start..content_start + text_start + p);
                }
            }
        }
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    for r in ranges {
        if r.start < pos {
            continue;
        }
        out.extend_from_slice(&body[pos..r.start]);
        out.extend_from_slice(REDACTED.as_bytes());
        pos = r.end;
    }
    out.extend_from_slice(&body[pos..]);
    out
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn deep_trees_are_refused_not_recursed() {
        let n = 100_000;
        let deep = format!("{}{}", "<A>".repeat(n), "</A>".repeat(n));
        assert!(parse_tree(&deep).is_none());
        let ok = format!("{}{}", "<A>".repeat(20), "</A>".repeat(20));
        assert!(parse_tree(&ok).is_some());
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
        assert!(parse_tree(&x).is_some());
    }
}
