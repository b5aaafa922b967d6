//! The canonical key of a request: what a replayed request is matched by.
//!
//! One canonical form: the request body is decoded with [`decode_request`] and encoded again
//! (normalising value spellings such as `true`/`TRUE` and `PARAMTYPE`/`TYPE`), put in
//! canonical form under [`Rules::Matching`], and split into operation, namespace, target
//! object and parameters. A body the decoder refuses is canonicalised as it is; a body that
//! is not a CIM-XML request is keyed by its headers and its canonical XML text (or its text,
//! when it is not XML either).

use std::collections::BTreeMap;

use ::http::HeaderMap;
use percent_encoding::percent_decode_str;

use super::bytes::{message_id_range, redact_passwords};
use super::canon::{self, Node, Rules};
use super::manifest::FIXTURE_MESSAGE_ID;
use crate::cim::{CimType, CimValue, KeyBinding, ObjectPath, PathKind};
use crate::message::{Request, RequestMessage};
use crate::xml::{DecodeLimits, decode_request, encode_request};

/// The canonical key a request is matched by.
///
/// Built from the request body: it is first decoded with [`decode_request`] and re-encoded
/// (normalising value spellings such as `true`/`TRUE` and `PARAMTYPE`/`TYPE`); if the decoder
/// refuses it, the body is used as it is. The XML is then put in canonical form (whitespace,
/// attribute order, `MESSAGE ID`, host names, property and key order and the case of names
/// ignored) and split into the parts below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    /// The operation or method name (compared case-insensitively).
    pub operation: String,
    /// The namespace, lower-case.
    pub namespace: String,
    /// The target: the canonical object path ([`ObjectPath::canonical`](crate::cim::ObjectPath::canonical), no namespace) of
    /// `InstanceName`/`ObjectName`/`ModifiedInstance` or of a method call's target, or the
    /// lower-case class name of `ClassName`; empty when the operation has none.
    pub object: String,
    /// Parameters by lower-case name: (name as sent, canonical value). `PropertyList` is
    /// sorted and lower-case.
    pub params: BTreeMap<String, (String, String)>,
}

impl RequestKey {
    /// The key of a request body (and its headers, used when the body is not XML).
    pub fn from_request(headers: &HeaderMap, body: &[u8]) -> RequestKey {
        let body = redact_passwords(body);
        match decode_request(&body, &DecodeLimits::default()) {
            Ok(m) => RequestKey::from_message(&m.request)
                .unwrap_or_else(|| RequestKey::from_xml(headers, &body)),
            Err(_) => RequestKey::from_xml(headers, &body),
        }
    }

    /// The key of a decoded request (None when it cannot be encoded).
    pub fn from_message(request: &Request) -> Option<RequestKey> {
        let xml = encode_request(&RequestMessage {
            id: FIXTURE_MESSAGE_ID.into(),
            request: request.clone(),
        })
        .ok()?;
        let xml = redact_passwords(&xml);
        let trees = canon::parse(&String::from_utf8_lossy(&xml), Rules::Matching).ok()?;
        key_of_trees(&trees)
    }

    /// The key of a body that does not decode: its canonical XML, else its text.
    fn from_xml(headers: &HeaderMap, body: &[u8]) -> RequestKey {
        let text = String::from_utf8_lossy(body);
        match canon::parse(&text, Rules::Matching) {
            Ok(trees) => key_of_trees(&trees).unwrap_or_else(|| {
                let canonical: String = trees.iter().map(Node::rendered).collect();
                fallback_key(headers, canonical)
            }),
            Err(_) => {
                let mut text = text.into_owned();
                if let Some(r) = message_id_range(text.as_bytes()) {
                    text.replace_range(r, "");
                }
                fallback_key(headers, text)
            }
        }
    }

    /// The key as one line: `Operation|namespace|object|name=value&...` (names lower-case).
    pub fn canonical(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, (_, v))| format!("{k}={v}"))
            .collect();
        format!(
            "{}|{}|{}|{}",
            self.operation,
            self.namespace,
            self.object,
            params.join("&")
        )
    }

    /// True when both keys identify the same request.
    pub fn matches(&self, other: &RequestKey) -> bool {
        self.operation.eq_ignore_ascii_case(&other.operation)
            && self.namespace == other.namespace
            && self.object == other.object
            && self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .all(|(k, (_, v))| other.params.get(k).is_some_and(|(_, w)| v == w))
    }

    /// The parts in which `self` (recorded) and `requested` differ, one line each, e.g.
    /// `param MaxObjectCount: recorded 100, requested 50`.
    pub fn differences(&self, requested: &RequestKey) -> Vec<String> {
        let mut out = Vec::new();
        if !self.operation.eq_ignore_ascii_case(&requested.operation) {
            out.push(format!(
                "operation: recorded {}, requested {}",
                self.operation, requested.operation
            ));
        }
        if self.namespace != requested.namespace {
            out.push(format!(
                "namespace: recorded {}, requested {}",
                self.namespace, requested.namespace
            ));
        }
        if self.object != requested.object {
            out.push(format!(
                "object: recorded {}, requested {}",
                show(&self.object),
                show(&requested.object)
            ));
        }
        let mut names: Vec<&String> = self.params.keys().chain(requested.params.keys()).collect();
        names.sort();
        names.dedup();
        for n in names {
            let a = self.params.get(n);
            let b = requested.params.get(n);
            if a.map(|x| &x.1) == b.map(|x| &x.1) {
                continue;
            }
            let display = b.or(a).map(|x| x.0.as_str()).unwrap_or(n);
            let val = |x: Option<&(String, String)>| match x {
                Some((_, v)) => clip(v),
                None => "(absent)".to_string(),
            };
            out.push(format!(
                "param {display}: recorded {}, requested {}",
                val(a),
                val(b)
            ));
        }
        out
    }

    /// How alike two keys are (for finding the closest recorded exchange).
    pub(crate) fn similarity(&self, other: &RequestKey) -> i64 {
        let mut s = 0;
        if self.operation.eq_ignore_ascii_case(&other.operation) {
            s += 1000;
        }
        if self.namespace == other.namespace {
            s += 10;
        }
        if self.object == other.object {
            s += 10;
        }
        for (k, (_, v)) in &self.params {
            match other.params.get(k) {
                Some((_, w)) if w == v => s += 3,
                Some(_) => s += 1,
                None => s -= 1,
            }
        }
        s - other
            .params
            .keys()
            .filter(|k| !self.params.contains_key(*k))
            .count() as i64
    }

    /// A one-line description: `GetInstance in root/cimv2 on cim_x.k="v"`.
    pub fn describe(&self) -> String {
        let mut s = self.operation.clone();
        if !self.namespace.is_empty() {
            s.push_str(" in ");
            s.push_str(&self.namespace);
        }
        if !self.object.is_empty() {
            s.push_str(" on ");
            s.push_str(&self.object);
        }
        s
    }
}

fn show(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        clip(s)
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let t: String = s.chars().take(MAX).collect();
        format!("{t}...")
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .unwrap_or_default()
}

/// A key for a body that is not a CIM-XML request: headers plus the body's text.
fn fallback_key(headers: &HeaderMap, text: String) -> RequestKey {
    let op = header_str(headers, "cimmethod");
    let op = if op.is_empty() {
        header_str(headers, "cimexportmethod")
    } else {
        op
    };
    let mut params = BTreeMap::new();
    params.insert("body".into(), ("body".into(), text.trim().to_string()));
    RequestKey {
        operation: op,
        namespace: header_str(headers, "cimobject").to_ascii_lowercase(),
        object: String::new(),
        params,
    }
}

/// Splits canonical request trees into a key (None when they are not a CIM-XML request).
fn key_of_trees(trees: &[Node]) -> Option<RequestKey> {
    let msg = trees.iter().find(|n| n.name == "CIM")?.child("MESSAGE")?;
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
    Some(RequestKey {
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
    let content = kv.content();
    let text = content.as_str();
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
        return if p.text.is_none() && p.embedded.is_empty() {
            "NULL".into()
        } else {
            scalar_text(&p.content())
        };
    };
    if p.children.len() > 1 {
        return p.children.iter().map(Node::rendered).collect();
    }
    match first.name.as_str() {
        "VALUE" if first.children.is_empty() => scalar_text(&first.content()),
        "VALUE.ARRAY" => {
            let mut items: Vec<String> = first
                .children
                .iter()
                .map(|v| match v.name.as_str() {
                    "VALUE" if v.children.is_empty() => scalar_text(&v.content()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(body: &str) -> RequestKey {
        RequestKey::from_request(&HeaderMap::new(), body.as_bytes())
    }

    const A: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="EMC"/></LOCALNAMESPACEPATH><IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="CIM_X"><KEYBINDING NAME="A"><KEYVALUE VALUETYPE="string">v1</KEYVALUE></KEYBINDING><KEYBINDING NAME="B"><KEYVALUE VALUETYPE="numeric">5</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE><IPARAMVALUE NAME="LocalOnly"><VALUE>false</VALUE></IPARAMVALUE><IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>Size</VALUE><VALUE>Name</VALUE></VALUE.ARRAY></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;

    const B: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<CIM DTDVERSION="2.0" CIMVERSION="2.0"><MESSAGE PROTOCOLVERSION="1.0" ID="99">
 <SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="emc"/></LOCALNAMESPACEPATH>
 <IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>name</VALUE><VALUE>SIZE</VALUE></VALUE.ARRAY></IPARAMVALUE>
 <IPARAMVALUE NAME="localonly"><VALUE>FALSE</VALUE></IPARAMVALUE>
 <IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="cim_x"><KEYBINDING NAME="b"><KEYVALUE VALUETYPE="numeric">5</KEYVALUE></KEYBINDING><KEYBINDING NAME="a"><KEYVALUE VALUETYPE="string">v1</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>
 </IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;

    #[test]
    fn keys_ignore_id_order_case_and_whitespace() {
        let (a, b) = (key(A), key(B));
        assert!(a.matches(&b), "{}\n{}", a.canonical(), b.canonical());
        assert_eq!(a.namespace, "root/emc");
        assert_eq!(a.object, r#"cim_x.a="v1",b=5"#);
        assert_eq!(a.params["propertylist"].1, "[name, size]");
        assert_eq!(a.params["localonly"].1, "FALSE");
        assert!(a.differences(&b).is_empty());
    }

    #[test]
    fn key_values_are_significant() {
        let a = key(A);
        let c = key(&A.replace(">v1<", ">v2<"));
        assert!(!a.matches(&c));
        assert_eq!(
            a.differences(&c),
            vec![r#"object: recorded cim_x.a="v1",b=5, requested cim_x.a="v2",b=5"#.to_string()]
        );
    }
}
