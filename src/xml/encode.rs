//! CIM-XML encoding: requests (client side), responses (the simulated provider) and lone
//! instances (embedded-instance text).
//!
//! Everything is written straight into one `String`, compactly, in the form the reference
//! client (pywbem) sends. Data is checked while it is written (CIM names, characters XML 1.0
//! cannot carry, values that contradict their declared type); on the first problem the
//! partial output is dropped and an [`EncodeError`] naming the place is returned, so invalid
//! XML is never handed out.

use super::{EncodeError, EncodeOptions};
use crate::cim::{
    CimArray, CimClass, CimName, CimType, CimValue, EmbeddedKind, Flavor, Instance, KeyBinding,
    Method, ObjectPath, Parameter, PathKind, Property, Qualifier, QualifierDecl,
};
use crate::message::{
    CimObject, ErrorBody, ExportCall, IReturn, Intrinsic, IntrinsicRequest, MethodCall,
    MethodReturn, ParamValue, PullOptions, PullResult, Request, RequestMessage, Response,
    ResponseMessage,
};

const XML_DECL: &str = r#"<?xml version="1.0" encoding="utf-8" ?>"#;

type R = Result<(), EncodeError>;

/// Encodes a request message as a complete CIM-XML document (UTF-8, with XML declaration).
///
/// Errors: invalid CIM names, characters XML 1.0 cannot carry, values that contradict
/// their declared type, a missing namespace on a method-call target, a `ModifyInstance`
/// whose instance has no path.
pub fn encode_request(msg: &RequestMessage) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::new(EncodeOptions::default());
    w.doc_start(&msg.id)?;
    match &msg.request {
        Request::Intrinsic(r) => {
            w.raw("<SIMPLEREQ>");
            w.intrinsic_request(r)?;
            w.raw("</SIMPLEREQ>");
        }
        Request::Method(m) => {
            w.raw("<SIMPLEREQ>");
            w.method_call(m)?;
            w.raw("</SIMPLEREQ>");
        }
        Request::Export(e) => {
            w.raw("<SIMPLEEXPREQ>");
            w.export_call(e)?;
            w.raw("</SIMPLEEXPREQ>");
        }
    }
    w.doc_end();
    Ok(w.out.into_bytes())
}

/// Encodes a response message as a complete CIM-XML document.
pub fn encode_response(msg: &ResponseMessage) -> Result<Vec<u8>, EncodeError> {
    encode_response_with(msg, &EncodeOptions::default())
}

/// Encodes a response message with provider quirks switched on (see [`EncodeOptions`]).
pub fn encode_response_with(
    msg: &ResponseMessage,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::new(*opts);
    w.doc_start(&msg.id)?;
    match &msg.response {
        Response::Intrinsic { name, result } => {
            w.raw("<SIMPLERSP>");
            w.open_named("IMETHODRESPONSE", name)?;
            w.push(format!("IMETHODRESPONSE[{name}]"));
            match result {
                Ok(ret) => w.ireturn(ret)?,
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</IMETHODRESPONSE></SIMPLERSP>");
        }
        Response::Method { name, result } => {
            w.raw("<SIMPLERSP>");
            w.open_named("METHODRESPONSE", name)?;
            w.push(format!("METHODRESPONSE[{name}]"));
            match result {
                Ok(ret) => w.method_return(ret)?,
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</METHODRESPONSE></SIMPLERSP>");
        }
        Response::Export { name, result } => {
            w.raw("<SIMPLEEXPRSP>");
            w.open_named("EXPMETHODRESPONSE", name)?;
            w.push(format!("EXPMETHODRESPONSE[{name}]"));
            match result {
                Ok(None) => {}
                Ok(Some(v)) => {
                    w.raw("<IRETURNVALUE>");
                    w.value(v)?;
                    w.raw("</IRETURNVALUE>");
                }
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</EXPMETHODRESPONSE></SIMPLEEXPRSP>");
        }
    }
    w.doc_end();
    Ok(w.out.into_bytes())
}

/// Encodes an instance as a lone `INSTANCE` element (the text of an embedded instance).
/// The instance's path, if any, is not written.
pub fn encode_instance(inst: &Instance) -> Result<String, EncodeError> {
    let mut w = Writer::new(EncodeOptions::default());
    w.instance(inst)?;
    Ok(w.out)
}

/// True for characters XML 1.0 can carry.
fn xml_char_ok(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// VALUE text of a scalar, in the reference client's (pywbem's) form: real32 as `%.8E`
/// (`1.23450000E+04`, nine significant digits, enough to round-trip), real64 as Python's
/// `repr` (shortest round-trip digits, exponent form `1.5e-07` below 1e-4 and from 1e16),
/// `INF`, `-INF` and `NaN` for the special values; everything else as
/// [`CimValue::format_scalar`].
fn scalar_text(v: &CimValue) -> String {
    match v {
        CimValue::Real32(x) if x.is_finite() => {
            fix_exponent(&format!("{:.8E}", f64::from(*x)), 'E')
        }
        CimValue::Real64(x) if x.is_finite() => fix_exponent(&format!("{x:?}"), 'e'),
        v => v.format_scalar().unwrap_or_default(),
    }
}

/// Rewrites Rust's exponent (`E4`, `e-7`) in C's form (`E+04`, `e-07`).
fn fix_exponent(s: &str, marker: char) -> String {
    match s.split_once(marker) {
        Some((mantissa, exp)) => {
            let e: i32 = exp.parse().unwrap_or(0);
            let sign = if e < 0 { '-' } else { '+' };
            format!("{mantissa}{marker}{sign}{:02}", e.unsigned_abs())
        }
        None => s.to_string(),
    }
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

struct Writer {
    out: String,
    opts: EncodeOptions,
    path: Vec<String>,
}

impl Writer {
    fn new(opts: EncodeOptions) -> Self {
        Writer {
            out: String::with_capacity(1024),
            opts,
            path: Vec::new(),
        }
    }

    fn err(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            message: message.into(),
            path: self.path.join("/"),
        }
    }

    fn push(&mut self, seg: impl Into<String>) {
        self.path.push(seg.into());
    }

    fn pop(&mut self) {
        self.path.pop();
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn check_text(&self, s: &str) -> R {
        if let Some(c) = s.chars().find(|c| !xml_char_ok(*c)) {
            return Err(self.err(format!(
                "character U+{:04X} cannot be carried by XML 1.0",
                c as u32
            )));
        }
        Ok(())
    }

    /// Writes escaped element text.
    fn text(&mut self, s: &str) -> R {
        self.check_text(s)?;
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => self.out.push_str("&#13;"),
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    /// Writes ` NAME="escaped value"`.
    fn attr(&mut self, name: &str, value: &str) -> R {
        self.check_text(value)?;
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        for c in value.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\r' => self.out.push_str("&#13;"),
                '\n' => self.out.push_str("&#10;"),
                '\t' => self.out.push_str("&#9;"),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
        Ok(())
    }

    /// Writes a CIM name attribute after checking it.
    fn name_attr(&mut self, attr: &str, name: &str) -> R {
        if !CimName::is_valid(name) {
            return Err(self.err(format!("invalid CIM name {name:?} in {attr}")));
        }
        self.attr(attr, name)
    }

    /// Writes `<TAG NAME="name"` (not closed).
    fn open_named(&mut self, tag: &str, name: &str) -> R {
        self.out.push('<');
        self.out.push_str(tag);
        self.name_attr("NAME", name)?;
        self.out.push('>');
        Ok(())
    }

    fn doc_start(&mut self, id: &str) -> R {
        self.raw(XML_DECL);
        self.raw(r#"<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE"#);
        self.attr("ID", id)?;
        self.raw(r#" PROTOCOLVERSION="1.0">"#);
        Ok(())
    }

    fn doc_end(&mut self) {
        self.raw("</MESSAGE></CIM>");
    }

    fn flavor_attrs(&mut self, f: &Flavor) -> R {
        for (n, v) in [
            ("OVERRIDABLE", f.overridable),
            ("TOSUBCLASS", f.tosubclass),
            ("TOINSTANCE", f.toinstance),
            ("TRANSLATABLE", f.translatable),
        ] {
            if let Some(v) = v {
                self.attr(n, bool_str(v))?;
            }
        }
        Ok(())
    }

    fn embedded_attr(&mut self, kind: EmbeddedKind) -> R {
        let name = if self.opts.uppercase_embedded_object {
            "EMBEDDEDOBJECT"
        } else {
            "EmbeddedObject"
        };
        self.attr(name, kind.as_str())
    }

    fn type_attr(&mut self, t: CimType) -> R {
        if t == CimType::Reference {
            return Err(self.err("type reference is not allowed here"));
        }
        self.attr("TYPE", t.as_str())
    }

    // ---------------------------------------------------------------- paths

    fn local_namespace_path(&mut self, ns: &str) -> R {
        let parts: Vec<&str> = ns.split('/').filter(|s| !s.is_empty()).collect();
        if parts.is_empty() {
            return Err(self.err(format!("empty namespace {ns:?}")));
        }
        self.raw("<LOCALNAMESPACEPATH>");
        for p in parts {
            self.raw("<NAMESPACE");
            self.attr("NAME", p)?;
            self.raw("/>");
        }
        self.raw("</LOCALNAMESPACEPATH>");
        Ok(())
    }

    fn namespace_path(&mut self, host: &str, ns: &str) -> R {
        self.raw("<NAMESPACEPATH><HOST>");
        self.text(host)?;
        self.raw("</HOST>");
        self.local_namespace_path(ns)?;
        self.raw("</NAMESPACEPATH>");
        Ok(())
    }

    fn require_ns<'a>(&self, p: &'a ObjectPath) -> Result<&'a str, EncodeError> {
        match p.namespace.as_deref() {
            Some(ns) if !ns.trim_matches('/').is_empty() => Ok(ns),
            _ => Err(self.err(format!("path of {} has no namespace", p.class_name))),
        }
    }

    fn class_name_elem(&mut self, name: &str) -> R {
        self.raw("<CLASSNAME");
        self.name_attr("NAME", name)?;
        self.raw("/>");
        Ok(())
    }

    fn instance_name(&mut self, p: &ObjectPath) -> R {
        self.push("INSTANCENAME");
        self.raw("<INSTANCENAME");
        self.name_attr("CLASSNAME", p.class_name.as_str())?;
        self.raw(">");
        for k in &p.keys {
            self.key_binding(k)?;
        }
        self.raw("</INSTANCENAME>");
        self.pop();
        Ok(())
    }

    fn key_binding(&mut self, k: &KeyBinding) -> R {
        self.push(format!("KEYBINDING[Name={}]", k.name));
        self.raw("<KEYBINDING");
        self.name_attr("NAME", k.name.as_str())?;
        self.raw(">");
        match &k.value {
            CimValue::Reference(p) => self.value_reference(p)?,
            CimValue::Array(_) | CimValue::Instance(_) | CimValue::Class(_) => {
                return Err(self.err(format!("a key value cannot be a {}", k.value.kind_name())));
            }
            v => {
                let t = v.cim_type();
                let vt = match t {
                    CimType::Boolean => "boolean",
                    t if t.is_numeric() => "numeric",
                    _ => "string",
                };
                self.raw("<KEYVALUE");
                self.attr("VALUETYPE", vt)?;
                self.attr("TYPE", t.as_str())?;
                self.raw(">");
                let s = scalar_text(v);
                self.text(&s)?;
                self.raw("</KEYVALUE>");
            }
        }
        self.raw("</KEYBINDING>");
        self.pop();
        Ok(())
    }

    /// INSTANCEPATH (host defaults to `localhost` when the path has none).
    fn instance_path(&mut self, p: &ObjectPath) -> R {
        let ns = self.require_ns(p)?;
        self.raw("<INSTANCEPATH>");
        self.namespace_path(p.host.as_deref().unwrap_or("localhost"), ns)?;
        self.instance_name(p)?;
        self.raw("</INSTANCEPATH>");
        Ok(())
    }

    /// CLASSPATH (host defaults to `localhost` when the path has none).
    fn class_path(&mut self, p: &ObjectPath) -> R {
        let ns = self.require_ns(p)?;
        self.raw("<CLASSPATH>");
        self.namespace_path(p.host.as_deref().unwrap_or("localhost"), ns)?;
        self.class_name_elem(p.class_name.as_str())?;
        self.raw("</CLASSPATH>");
        Ok(())
    }

    /// The most local path form that keeps what the path carries.
    fn path_any(&mut self, p: &ObjectPath) -> R {
        let has_ns = p
            .namespace
            .as_deref()
            .is_some_and(|n| !n.trim_matches('/').is_empty());
        match (p.kind, &p.host, has_ns) {
            (PathKind::Instance, Some(_), true) => self.instance_path(p),
            (PathKind::Instance, _, true) => {
                self.raw("<LOCALINSTANCEPATH>");
                self.local_namespace_path(p.namespace.as_deref().unwrap_or_default())?;
                self.instance_name(p)?;
                self.raw("</LOCALINSTANCEPATH>");
                Ok(())
            }
            (PathKind::Instance, _, false) => self.instance_name(p),
            (PathKind::Class, Some(_), true) => self.class_path(p),
            (PathKind::Class, _, true) => {
                self.raw("<LOCALCLASSPATH>");
                self.local_namespace_path(p.namespace.as_deref().unwrap_or_default())?;
                self.class_name_elem(p.class_name.as_str())?;
                self.raw("</LOCALCLASSPATH>");
                Ok(())
            }
            (PathKind::Class, _, false) => self.class_name_elem(p.class_name.as_str()),
        }
    }

    fn value_reference(&mut self, p: &ObjectPath) -> R {
        self.raw("<VALUE.REFERENCE>");
        self.path_any(p)?;
        self.raw("</VALUE.REFERENCE>");
        Ok(())
    }

    /// INSTANCENAME or CLASSNAME, without namespace (intrinsic ObjectName parameters).
    fn object_name(&mut self, p: &ObjectPath) -> R {
        match p.kind {
            PathKind::Instance => self.instance_name(p),
            PathKind::Class => self.class_name_elem(p.class_name.as_str()),
        }
    }

    // ---------------------------------------------------------------- values

    fn embedded_text(&mut self, v: &CimValue) -> R {
        let text = match v {
            CimValue::Instance(i) => {
                let mut w = Writer::new(self.opts);
                w.path = self.path.clone();
                w.instance(i)?;
                w.out
            }
            CimValue::Class(c) => {
                let mut w = Writer::new(self.opts);
                w.path = self.path.clone();
                w.class(c)?;
                w.out
            }
            _ => return Err(self.err("not an embedded object")),
        };
        self.raw("<VALUE>");
        self.text(&text)?;
        self.raw("</VALUE>");
        Ok(())
    }

    /// Writes a value: VALUE, VALUE.REFERENCE, VALUE.ARRAY or VALUE.REFARRAY.
    fn value(&mut self, v: &CimValue) -> R {
        match v {
            CimValue::Reference(p) => self.value_reference(p),
            CimValue::Instance(_) | CimValue::Class(_) => self.embedded_text(v),
            CimValue::Array(a) => self.array(a),
            v => {
                let s = scalar_text(v);
                self.raw("<VALUE>");
                self.text(&s)?;
                self.raw("</VALUE>");
                Ok(())
            }
        }
    }

    fn array(&mut self, a: &CimArray) -> R {
        let is_ref = a.elem_type == CimType::Reference;
        self.raw(if is_ref {
            "<VALUE.REFARRAY>"
        } else {
            "<VALUE.ARRAY>"
        });
        for (i, item) in a.items.iter().enumerate() {
            match item {
                None => self.raw("<VALUE.NULL/>"),
                Some(CimValue::Array(_)) => {
                    self.push(format!("[{i}]"));
                    return Err(self.err("arrays cannot nest"));
                }
                Some(v) => {
                    if v.cim_type() != a.elem_type {
                        self.push(format!("[{i}]"));
                        return Err(self.err(format!(
                            "{} element in a {}[] array",
                            v.kind_name(),
                            a.elem_type
                        )));
                    }
                    self.value(v)?;
                }
            }
        }
        self.raw(if is_ref {
            "</VALUE.REFARRAY>"
        } else {
            "</VALUE.ARRAY>"
        });
        Ok(())
    }

    /// Checks that `v` fits the declared type and array-ness.
    fn check_decl(&self, v: &CimValue, ty: CimType, is_array: bool) -> R {
        if v.is_array() != is_array || v.cim_type() != ty {
            let decl = if is_array {
                format!("{ty}[]")
            } else {
                ty.to_string()
            };
            return Err(self.err(format!(
                "value of type {} contradicts the declared type {decl}",
                v.kind_name()
            )));
        }
        Ok(())
    }

    // ---------------------------------------------------------------- objects

    fn qualifier(&mut self, q: &Qualifier) -> R {
        self.push(format!("QUALIFIER[Name={}]", q.name));
        self.raw("<QUALIFIER");
        self.name_attr("NAME", q.name.as_str())?;
        self.type_attr(q.cim_type)?;
        if let Some(p) = q.propagated {
            self.attr("PROPAGATED", bool_str(p))?;
        }
        self.flavor_attrs(&q.flavor)?;
        match &q.value {
            None => self.raw("/>"),
            Some(v) => {
                if v.cim_type() != q.cim_type || matches!(v, CimValue::Reference(_)) {
                    return Err(self.err(format!(
                        "value of type {} contradicts the declared type {}",
                        v.kind_name(),
                        q.cim_type
                    )));
                }
                self.raw(">");
                self.value(v)?;
                self.raw("</QUALIFIER>");
            }
        }
        self.pop();
        Ok(())
    }

    fn qualifiers(&mut self, qs: &[Qualifier]) -> R {
        for q in qs {
            self.qualifier(q)?;
        }
        Ok(())
    }

    fn property(&mut self, p: &Property) -> R {
        self.push(format!("PROPERTY[Name={}]", p.name));
        if let Some(v) = &p.value {
            self.check_decl(v, p.cim_type, p.is_array)?;
        }
        let (tag, is_ref) = match (p.cim_type, p.is_array) {
            (CimType::Reference, false) => ("PROPERTY.REFERENCE", true),
            (CimType::Reference, true) => {
                return Err(self.err("reference array properties cannot be written in CIM-XML"));
            }
            (_, true) => ("PROPERTY.ARRAY", false),
            (_, false) => ("PROPERTY", false),
        };
        self.raw("<");
        self.raw(tag);
        self.name_attr("NAME", p.name.as_str())?;
        if is_ref {
            if let Some(rc) = p.reference_class() {
                let rc = rc.clone();
                self.name_attr("REFERENCECLASS", rc.as_str())?;
            }
        } else {
            self.type_attr(p.cim_type)?;
            if let Some(n) = p.array_size() {
                self.attr("ARRAYSIZE", &n.to_string())?;
            }
        }
        if let Some(co) = p.class_origin() {
            let co = co.clone();
            self.name_attr("CLASSORIGIN", co.as_str())?;
        }
        if let Some(pr) = p.propagated {
            self.attr("PROPAGATED", bool_str(pr))?;
        }
        if !is_ref {
            let emb = p
                .embedded
                .or_else(|| p.value.as_ref().and_then(crate::cim::embedded_kind_of));
            if let Some(k) = emb {
                if p.cim_type != CimType::String {
                    return Err(self.err("only string properties can carry embedded objects"));
                }
                self.embedded_attr(k)?;
            }
        }
        // Always an explicit end tag, never `<PROPERTY .../>`: sblim's wbemcli parser (and
        // other hand-written ones) expect `</PROPERTY>`, as OpenPegasus writes it.
        let quals = p.qualifiers();
        self.raw(">");
        self.qualifiers(quals)?;
        if let Some(v) = &p.value {
            self.value(v)?;
        }
        self.raw("</");
        self.raw(tag);
        self.raw(">");
        self.pop();
        Ok(())
    }

    fn instance(&mut self, inst: &Instance) -> R {
        self.push("INSTANCE");
        self.raw("<INSTANCE");
        self.name_attr("CLASSNAME", inst.class_name.as_str())?;
        self.raw(">");
        self.qualifiers(&inst.qualifiers)?;
        for p in &inst.properties {
            self.property(p)?;
        }
        self.raw("</INSTANCE>");
        self.pop();
        Ok(())
    }

    fn parameter(&mut self, p: &Parameter) -> R {
        self.push(format!("PARAMETER[Name={}]", p.name));
        let tag = match (p.cim_type, p.is_array) {
            (CimType::Reference, false) => "PARAMETER.REFERENCE",
            (CimType::Reference, true) => "PARAMETER.REFARRAY",
            (_, false) => "PARAMETER",
            (_, true) => "PARAMETER.ARRAY",
        };
        self.raw("<");
        self.raw(tag);
        self.name_attr("NAME", p.name.as_str())?;
        if p.cim_type == CimType::Reference {
            if let Some(rc) = &p.reference_class {
                self.name_attr("REFERENCECLASS", rc.as_str())?;
            }
        } else {
            self.type_attr(p.cim_type)?;
        }
        if p.is_array {
            if let Some(n) = p.array_size {
                self.attr("ARRAYSIZE", &n.to_string())?;
            }
        }
        self.raw(">");
        self.qualifiers(&p.qualifiers)?;
        self.raw("</");
        self.raw(tag);
        self.raw(">");
        self.pop();
        Ok(())
    }

    fn method(&mut self, m: &Method) -> R {
        self.push(format!("METHOD[Name={}]", m.name));
        self.raw("<METHOD");
        self.name_attr("NAME", m.name.as_str())?;
        if let Some(t) = m.return_type {
            self.type_attr(t)?;
        }
        if let Some(co) = &m.class_origin {
            self.name_attr("CLASSORIGIN", co.as_str())?;
        }
        if let Some(p) = m.propagated {
            self.attr("PROPAGATED", bool_str(p))?;
        }
        {
            self.raw(">");
            self.qualifiers(&m.qualifiers)?;
            for p in &m.parameters {
                self.parameter(p)?;
            }
            self.raw("</METHOD>");
        }
        self.pop();
        Ok(())
    }

    fn class(&mut self, c: &CimClass) -> R {
        self.push(format!("CLASS[Name={}]", c.name));
        self.raw("<CLASS");
        self.name_attr("NAME", c.name.as_str())?;
        if let Some(s) = &c.superclass {
            self.name_attr("SUPERCLASS", s.as_str())?;
        }
        self.raw(">");
        self.qualifiers(&c.qualifiers)?;
        for p in &c.properties {
            self.property(p)?;
        }
        for m in &c.methods {
            self.method(m)?;
        }
        self.raw("</CLASS>");
        self.pop();
        Ok(())
    }

    fn qualifier_decl(&mut self, d: &QualifierDecl) -> R {
        self.push(format!("QUALIFIER.DECLARATION[Name={}]", d.name));
        self.raw("<QUALIFIER.DECLARATION");
        self.name_attr("NAME", d.name.as_str())?;
        self.type_attr(d.cim_type)?;
        self.attr("ISARRAY", bool_str(d.is_array))?;
        if let Some(n) = d.array_size {
            self.attr("ARRAYSIZE", &n.to_string())?;
        }
        self.flavor_attrs(&d.flavor)?;
        self.raw(">");
        if let Some(s) = &d.scope {
            self.raw("<SCOPE");
            for (n, v) in [
                ("CLASS", s.class),
                ("ASSOCIATION", s.association),
                ("REFERENCE", s.reference),
                ("PROPERTY", s.property),
                ("METHOD", s.method),
                ("PARAMETER", s.parameter),
                ("INDICATION", s.indication),
            ] {
                if v {
                    self.attr(n, "true")?;
                }
            }
            self.raw("/>");
        }
        if let Some(v) = &d.value {
            self.check_decl(v, d.cim_type, d.is_array)?;
            self.value(v)?;
        }
        self.raw("</QUALIFIER.DECLARATION>");
        self.pop();
        Ok(())
    }

    fn named_instance(&mut self, inst: &Instance) -> R {
        let Some(p) = &inst.path else {
            return Err(self.err(format!("instance of {} has no path", inst.class_name)));
        };
        self.raw("<VALUE.NAMEDINSTANCE>");
        self.instance_name(p)?;
        self.instance(inst)?;
        self.raw("</VALUE.NAMEDINSTANCE>");
        Ok(())
    }

    fn instance_with_path(&mut self, inst: &Instance) -> R {
        let Some(p) = &inst.path else {
            return Err(self.err(format!("instance of {} has no path", inst.class_name)));
        };
        self.raw("<VALUE.INSTANCEWITHPATH>");
        self.instance_path(p)?;
        self.instance(inst)?;
        self.raw("</VALUE.INSTANCEWITHPATH>");
        Ok(())
    }

    // ---------------------------------------------------------------- requests

    fn iparam_open(&mut self, name: &str) {
        self.raw("<IPARAMVALUE NAME=\"");
        self.raw(name);
        self.raw("\">");
        self.push(format!("IPARAMVALUE[Name={name}]"));
    }

    fn iparam_close(&mut self) {
        self.raw("</IPARAMVALUE>");
        self.pop();
    }

    fn ip_bool(&mut self, name: &str, v: Option<bool>) {
        if let Some(b) = v {
            self.iparam_open(name);
            self.raw(if b {
                "<VALUE>TRUE</VALUE>"
            } else {
                "<VALUE>FALSE</VALUE>"
            });
            self.iparam_close();
        }
    }

    fn ip_u32(&mut self, name: &str, v: Option<u32>) {
        if let Some(n) = v {
            self.iparam_open(name);
            self.raw("<VALUE>");
            self.raw(&n.to_string());
            self.raw("</VALUE>");
            self.iparam_close();
        }
    }

    fn ip_str(&mut self, name: &str, v: Option<&str>) -> R {
        if let Some(s) = v {
            self.iparam_open(name);
            self.raw("<VALUE>");
            self.text(s)?;
            self.raw("</VALUE>");
            self.iparam_close();
        }
        Ok(())
    }

    fn ip_class(&mut self, name: &str, v: Option<&CimName>) -> R {
        if let Some(c) = v {
            self.iparam_open(name);
            self.class_name_elem(c.as_str())?;
            self.iparam_close();
        }
        Ok(())
    }

    fn ip_path(&mut self, name: &str, p: &ObjectPath) -> R {
        self.iparam_open(name);
        self.object_name(p)?;
        self.iparam_close();
        Ok(())
    }

    fn ip_instance_name(&mut self, name: &str, p: &ObjectPath) -> R {
        if p.kind != PathKind::Instance {
            self.push(format!("IPARAMVALUE[Name={name}]"));
            return Err(self.err("an instance path is needed, not a class path"));
        }
        self.ip_path(name, p)
    }

    fn ip_props(&mut self, v: &Option<Vec<CimName>>) -> R {
        if let Some(list) = v {
            self.iparam_open("PropertyList");
            self.raw("<VALUE.ARRAY>");
            for n in list {
                if !CimName::is_valid(n.as_str()) {
                    return Err(self.err(format!("invalid property name {:?}", n.as_str())));
                }
                self.raw("<VALUE>");
                self.text(n.as_str())?;
                self.raw("</VALUE>");
            }
            self.raw("</VALUE.ARRAY>");
            self.iparam_close();
        }
        Ok(())
    }

    fn ip_pull(&mut self, p: &PullOptions) -> R {
        self.ip_str("FilterQueryLanguage", p.filter_query_language.as_deref())?;
        self.ip_str("FilterQuery", p.filter_query.as_deref())?;
        self.ip_u32("OperationTimeout", p.operation_timeout);
        self.ip_bool("ContinueOnError", p.continue_on_error);
        self.ip_u32("MaxObjectCount", p.max_object_count);
        Ok(())
    }

    fn intrinsic_request(&mut self, r: &IntrinsicRequest) -> R {
        use Intrinsic::*;
        let name = r.op.name();
        self.raw("<IMETHODCALL NAME=\"");
        self.raw(name);
        self.raw("\">");
        self.push(format!("IMETHODCALL[{name}]"));
        self.local_namespace_path(&r.namespace)?;
        match &r.op {
            GetInstance {
                instance_name,
                local_only,
                include_qualifiers,
                include_class_origin,
                property_list,
            } => {
                self.ip_instance_name("InstanceName", instance_name)?;
                self.ip_bool("LocalOnly", *local_only);
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
            }
            EnumerateInstances {
                class_name,
                local_only,
                deep_inheritance,
                include_qualifiers,
                include_class_origin,
                property_list,
            } => {
                self.ip_class("ClassName", Some(class_name))?;
                self.ip_bool("LocalOnly", *local_only);
                self.ip_bool("DeepInheritance", *deep_inheritance);
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
            }
            EnumerateInstanceNames { class_name } => {
                self.ip_class("ClassName", Some(class_name))?;
            }
            CreateInstance { new_instance } => {
                self.iparam_open("NewInstance");
                self.instance(new_instance)?;
                self.iparam_close();
            }
            ModifyInstance {
                modified_instance,
                include_qualifiers,
                property_list,
            } => {
                self.iparam_open("ModifiedInstance");
                self.named_instance(modified_instance)?;
                self.iparam_close();
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_props(property_list)?;
            }
            DeleteInstance { instance_name } => {
                self.ip_instance_name("InstanceName", instance_name)?;
            }
            Associators {
                object_name,
                assoc_class,
                result_class,
                role,
                result_role,
                include_qualifiers,
                include_class_origin,
                property_list,
            } => {
                self.ip_path("ObjectName", object_name)?;
                self.ip_class("AssocClass", assoc_class.as_ref())?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_str("ResultRole", result_role.as_deref())?;
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
            }
            AssociatorNames {
                object_name,
                assoc_class,
                result_class,
                role,
                result_role,
            } => {
                self.ip_path("ObjectName", object_name)?;
                self.ip_class("AssocClass", assoc_class.as_ref())?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_str("ResultRole", result_role.as_deref())?;
            }
            References {
                object_name,
                result_class,
                role,
                include_qualifiers,
                include_class_origin,
                property_list,
            } => {
                self.ip_path("ObjectName", object_name)?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
            }
            ReferenceNames {
                object_name,
                result_class,
                role,
            } => {
                self.ip_path("ObjectName", object_name)?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
            }
            ExecQuery {
                query_language,
                query,
            } => {
                self.ip_str("QueryLanguage", Some(query_language))?;
                self.ip_str("Query", Some(query))?;
            }
            GetClass {
                class_name,
                local_only,
                include_qualifiers,
                include_class_origin,
                property_list,
            } => {
                self.ip_class("ClassName", Some(class_name))?;
                self.ip_bool("LocalOnly", *local_only);
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
            }
            EnumerateClasses {
                class_name,
                deep_inheritance,
                local_only,
                include_qualifiers,
                include_class_origin,
            } => {
                self.ip_class("ClassName", class_name.as_ref())?;
                self.ip_bool("DeepInheritance", *deep_inheritance);
                self.ip_bool("LocalOnly", *local_only);
                self.ip_bool("IncludeQualifiers", *include_qualifiers);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
            }
            EnumerateClassNames {
                class_name,
                deep_inheritance,
            } => {
                self.ip_class("ClassName", class_name.as_ref())?;
                self.ip_bool("DeepInheritance", *deep_inheritance);
            }
            CreateClass { new_class } => {
                self.iparam_open("NewClass");
                self.class(new_class)?;
                self.iparam_close();
            }
            ModifyClass { modified_class } => {
                self.iparam_open("ModifiedClass");
                self.class(modified_class)?;
                self.iparam_close();
            }
            DeleteClass { class_name } => {
                self.ip_class("ClassName", Some(class_name))?;
            }
            GetQualifier { qualifier_name } | DeleteQualifier { qualifier_name } => {
                if !CimName::is_valid(qualifier_name.as_str()) {
                    self.push("IPARAMVALUE[Name=QualifierName]");
                    return Err(self.err(format!(
                        "invalid qualifier name {:?}",
                        qualifier_name.as_str()
                    )));
                }
                self.ip_str("QualifierName", Some(qualifier_name.as_str()))?;
            }
            SetQualifier {
                qualifier_declaration,
            } => {
                self.iparam_open("QualifierDeclaration");
                self.qualifier_decl(qualifier_declaration)?;
                self.iparam_close();
            }
            EnumerateQualifiers => {}
            OpenEnumerateInstances {
                class_name,
                deep_inheritance,
                include_class_origin,
                property_list,
                pull,
            } => {
                self.ip_class("ClassName", Some(class_name))?;
                self.ip_bool("DeepInheritance", *deep_inheritance);
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
                self.ip_pull(pull)?;
            }
            OpenEnumerateInstancePaths { class_name, pull } => {
                self.ip_class("ClassName", Some(class_name))?;
                self.ip_pull(pull)?;
            }
            OpenAssociatorInstances {
                instance_name,
                assoc_class,
                result_class,
                role,
                result_role,
                include_class_origin,
                property_list,
                pull,
            } => {
                self.ip_instance_name("InstanceName", instance_name)?;
                self.ip_class("AssocClass", assoc_class.as_ref())?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_str("ResultRole", result_role.as_deref())?;
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
                self.ip_pull(pull)?;
            }
            OpenAssociatorInstancePaths {
                instance_name,
                assoc_class,
                result_class,
                role,
                result_role,
                pull,
            } => {
                self.ip_instance_name("InstanceName", instance_name)?;
                self.ip_class("AssocClass", assoc_class.as_ref())?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_str("ResultRole", result_role.as_deref())?;
                self.ip_pull(pull)?;
            }
            OpenReferenceInstances {
                instance_name,
                result_class,
                role,
                include_class_origin,
                property_list,
                pull,
            } => {
                self.ip_instance_name("InstanceName", instance_name)?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_bool("IncludeClassOrigin", *include_class_origin);
                self.ip_props(property_list)?;
                self.ip_pull(pull)?;
            }
            OpenReferenceInstancePaths {
                instance_name,
                result_class,
                role,
                pull,
            } => {
                self.ip_instance_name("InstanceName", instance_name)?;
                self.ip_class("ResultClass", result_class.as_ref())?;
                self.ip_str("Role", role.as_deref())?;
                self.ip_pull(pull)?;
            }
            OpenQueryInstances {
                filter_query,
                filter_query_language,
                return_query_result_class,
                operation_timeout,
                continue_on_error,
                max_object_count,
            } => {
                self.ip_str("FilterQuery", Some(filter_query))?;
                self.ip_str("FilterQueryLanguage", Some(filter_query_language))?;
                self.ip_bool("ReturnQueryResultClass", *return_query_result_class);
                self.ip_u32("OperationTimeout", *operation_timeout);
                self.ip_bool("ContinueOnError", *continue_on_error);
                self.ip_u32("MaxObjectCount", *max_object_count);
            }
            PullInstancesWithPath {
                enumeration_context,
                max_object_count,
            }
            | PullInstancePaths {
                enumeration_context,
                max_object_count,
            }
            | PullInstances {
                enumeration_context,
                max_object_count,
            } => {
                self.ip_str("EnumerationContext", Some(enumeration_context))?;
                self.ip_u32("MaxObjectCount", Some(*max_object_count));
            }
            CloseEnumeration {
                enumeration_context,
            } => {
                self.ip_str("EnumerationContext", Some(enumeration_context))?;
            }
        }
        self.pop();
        self.raw("</IMETHODCALL>");
        Ok(())
    }

    fn method_call(&mut self, m: &MethodCall) -> R {
        self.push(format!("METHODCALL[{}]", m.method));
        self.open_named("METHODCALL", m.method.as_str())?;
        let ns = self.require_ns(&m.target)?;
        match m.target.kind {
            PathKind::Instance => {
                self.raw("<LOCALINSTANCEPATH>");
                self.local_namespace_path(ns)?;
                self.instance_name(&m.target)?;
                self.raw("</LOCALINSTANCEPATH>");
            }
            PathKind::Class => {
                self.raw("<LOCALCLASSPATH>");
                self.local_namespace_path(ns)?;
                self.class_name_elem(m.target.class_name.as_str())?;
                self.raw("</LOCALCLASSPATH>");
            }
        }
        for p in &m.params {
            self.param_value(p)?;
        }
        self.raw("</METHODCALL>");
        self.pop();
        Ok(())
    }

    fn paramtype_attrs(&mut self, ty: Option<CimType>, emb: Option<EmbeddedKind>) -> R {
        if let Some(t) = ty {
            let attr = if self.opts.type_instead_of_paramtype {
                "TYPE"
            } else {
                "PARAMTYPE"
            };
            self.attr(attr, t.as_str())?;
        }
        if let Some(k) = emb {
            self.embedded_attr(k)?;
        }
        Ok(())
    }

    /// Type and embedded kind of a parameter value, checked against its declaration.
    fn param_types(
        &self,
        value: Option<&CimValue>,
        declared: Option<CimType>,
        embedded: Option<EmbeddedKind>,
    ) -> Result<(Option<CimType>, Option<EmbeddedKind>), EncodeError> {
        let Some(v) = value else {
            return Ok((declared, embedded));
        };
        let vt = v.cim_type();
        if let Some(d) = declared {
            if d != vt {
                return Err(self.err(format!(
                    "value of type {} contradicts the declared type {d}",
                    v.kind_name()
                )));
            }
        }
        let emb = embedded.or_else(|| crate::cim::embedded_kind_of(v));
        if emb.is_some() && vt != CimType::String {
            return Err(self.err("only string values can carry embedded objects"));
        }
        Ok((Some(vt), emb))
    }

    fn param_value(&mut self, p: &ParamValue) -> R {
        self.push(format!("PARAMVALUE[Name={}]", p.name));
        let (ty, emb) = self.param_types(p.value.as_ref(), p.cim_type, p.embedded)?;
        self.raw("<PARAMVALUE");
        self.name_attr("NAME", p.name.as_str())?;
        self.paramtype_attrs(ty, emb)?;
        match &p.value {
            None => self.raw("/>"),
            Some(v) => {
                self.raw(">");
                self.value(v)?;
                self.raw("</PARAMVALUE>");
            }
        }
        self.pop();
        Ok(())
    }

    fn export_call(&mut self, e: &ExportCall) -> R {
        self.push(format!("EXPMETHODCALL[{}]", e.method));
        self.open_named("EXPMETHODCALL", e.method.as_str())?;
        for p in &e.params {
            self.push(format!("EXPPARAMVALUE[Name={}]", p.name));
            self.raw("<EXPPARAMVALUE");
            self.name_attr("NAME", p.name.as_str())?;
            match &p.value {
                None => self.raw("/>"),
                Some(CimValue::Instance(i)) => {
                    self.raw(">");
                    self.instance(i)?;
                    self.raw("</EXPPARAMVALUE>");
                }
                Some(v) => {
                    return Err(self.err(format!(
                        "an export parameter must be an instance, not a {}",
                        v.kind_name()
                    )));
                }
            }
            self.pop();
        }
        self.raw("</EXPMETHODCALL>");
        self.pop();
        Ok(())
    }

    // ---------------------------------------------------------------- responses

    fn error_body(&mut self, e: &ErrorBody) -> R {
        self.push("ERROR");
        self.raw("<ERROR");
        self.attr("CODE", &e.code.to_string())?;
        if let Some(d) = &e.description {
            self.attr("DESCRIPTION", d)?;
        }
        if e.instances.is_empty() {
            self.raw("/>");
        } else {
            self.raw(">");
            for i in &e.instances {
                self.instance(i)?;
            }
            self.raw("</ERROR>");
        }
        self.pop();
        Ok(())
    }

    fn method_return(&mut self, r: &MethodReturn) -> R {
        if let Some(v) = &r.return_value {
            self.push("RETURNVALUE");
            if v.is_array() {
                return Err(self.err("a method cannot return an array in CIM-XML"));
            }
            let (ty, emb) = self.param_types(Some(v), None, None)?;
            self.raw("<RETURNVALUE");
            self.paramtype_attrs(ty, emb)?;
            self.raw(">");
            self.value(v)?;
            self.raw("</RETURNVALUE>");
            self.pop();
        }
        for p in &r.out_params {
            self.param_value(p)?;
        }
        Ok(())
    }

    fn pull_tail<T>(&mut self, r: &PullResult<T>) -> R {
        self.paramvalue_simple("EndOfSequence", CimType::Boolean, |w| {
            w.raw(if r.end_of_sequence { "TRUE" } else { "FALSE" });
            Ok(())
        })?;
        if let Some(c) = &r.enumeration_context {
            self.paramvalue_simple("EnumerationContext", CimType::String, |w| w.text(c))?;
        }
        Ok(())
    }

    fn paramvalue_simple(
        &mut self,
        name: &str,
        ty: CimType,
        body: impl FnOnce(&mut Self) -> R,
    ) -> R {
        self.raw("<PARAMVALUE");
        self.attr("NAME", name)?;
        self.paramtype_attrs(Some(ty), None)?;
        self.raw("><VALUE>");
        body(self)?;
        self.raw("</VALUE></PARAMVALUE>");
        Ok(())
    }

    fn ireturn(&mut self, r: &IReturn) -> R {
        if matches!(r, IReturn::Nothing) {
            return Ok(());
        }
        self.push("IRETURNVALUE");
        self.raw("<IRETURNVALUE>");
        match r {
            IReturn::Nothing => {}
            IReturn::Instance(i) => self.instance(i)?,
            IReturn::Instances(list) => {
                for i in list {
                    self.named_instance(i)?;
                }
            }
            IReturn::InstanceNames(list) => {
                for p in list {
                    self.instance_name(p)?;
                }
            }
            IReturn::InstanceName(p) => self.instance_name(p)?,
            IReturn::Objects(list) => {
                let with_path = list.iter().filter(|o| object_path(o).is_some()).count();
                if with_path != 0 && with_path != list.len() {
                    return Err(self.err("objects with and without paths cannot be mixed"));
                }
                for o in list {
                    match (o, object_path(o)) {
                        (CimObject::Instance(i), Some(p)) => {
                            self.raw("<VALUE.OBJECTWITHPATH>");
                            self.instance_path(p)?;
                            self.instance(i)?;
                            self.raw("</VALUE.OBJECTWITHPATH>");
                        }
                        (CimObject::Class(c), Some(p)) => {
                            self.raw("<VALUE.OBJECTWITHPATH>");
                            let mut cp = p.clone();
                            cp.kind = PathKind::Class;
                            cp.keys.clear();
                            self.class_path(&cp)?;
                            self.class(c)?;
                            self.raw("</VALUE.OBJECTWITHPATH>");
                        }
                        (CimObject::Instance(i), None) => {
                            self.raw("<VALUE.OBJECT>");
                            self.instance(i)?;
                            self.raw("</VALUE.OBJECT>");
                        }
                        (CimObject::Class(c), None) => {
                            self.raw("<VALUE.OBJECT>");
                            self.class(c)?;
                            self.raw("</VALUE.OBJECT>");
                        }
                    }
                }
            }
            IReturn::ObjectPaths(list) => {
                for p in list {
                    self.raw("<OBJECTPATH>");
                    match p.kind {
                        PathKind::Instance => self.instance_path(p)?,
                        PathKind::Class => self.class_path(p)?,
                    }
                    self.raw("</OBJECTPATH>");
                }
            }
            IReturn::Class(c) => self.class(c)?,
            IReturn::Classes(list) => {
                for c in list {
                    self.class(c)?;
                }
            }
            IReturn::ClassNames(list) => {
                for n in list {
                    self.class_name_elem(n.as_str())?;
                }
            }
            IReturn::QualifierDecl(d) => self.qualifier_decl(d)?,
            IReturn::QualifierDecls(list) => {
                for d in list {
                    self.qualifier_decl(d)?;
                }
            }
            IReturn::PullInstances(pr) => {
                let all_paths = pr.items.iter().all(|i| i.path.is_some());
                let none = pr.items.iter().all(|i| i.path.is_none());
                if !all_paths && !none {
                    return Err(self.err("instances with and without paths cannot be mixed"));
                }
                for i in &pr.items {
                    if i.path.is_some() {
                        self.instance_with_path(i)?;
                    } else {
                        self.instance(i)?;
                    }
                }
            }
            IReturn::PullPaths(pr) => {
                for p in &pr.items {
                    self.instance_path(p)?;
                }
            }
        }
        self.raw("</IRETURNVALUE>");
        self.pop();
        match r {
            IReturn::PullInstances(pr) => self.pull_tail(pr)?,
            IReturn::PullPaths(pr) => self.pull_tail(pr)?,
            _ => {}
        }
        Ok(())
    }
}

fn object_path(o: &CimObject) -> Option<&ObjectPath> {
    match o {
        CimObject::Instance(i) => i.path.as_ref(),
        CimObject::Class(c) => c.path.as_ref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cim::{CimDateTime, Property};
    use crate::message::ParamValue;

    fn msg(request: Request) -> RequestMessage {
        RequestMessage {
            id: "1001".into(),
            request,
        }
    }

    fn text(r: Result<Vec<u8>, EncodeError>) -> String {
        String::from_utf8(r.unwrap()).unwrap()
    }

    #[test]
    fn refuses_nul_in_property() {
        let i = Instance::new("CIM_X").with("Caption", "a\u{0}b");
        let e = encode_instance(&i).unwrap_err();
        assert_eq!(e.path, "INSTANCE/PROPERTY[Name=Caption]");
        assert!(e.message.contains("U+0000"), "{e}");
    }

    #[test]
    fn refuses_fffe_and_controls() {
        for bad in ["\u{FFFE}", "\u{FFFF}", "\u{1}", "\u{B}", "\u{1F}"] {
            let i = Instance::new("CIM_X").with("Caption", bad);
            assert!(encode_instance(&i).is_err(), "{bad:?}");
        }
        let ok = Instance::new("CIM_X").with("Caption", "tab\tlf\ncr\r é 日本 😀");
        let s = encode_instance(&ok).unwrap();
        assert!(s.contains("tab\tlf\ncr&#13; é 日本 😀"), "{s}");
    }

    #[test]
    fn refuses_invalid_names() {
        let i = Instance::new("CIM X");
        assert_eq!(encode_instance(&i).unwrap_err().path, "INSTANCE");
        let i = Instance::new("CIM_X").with("1bad", 1u8);
        assert_eq!(
            encode_instance(&i).unwrap_err().path,
            "INSTANCE/PROPERTY[Name=1bad]"
        );
        let r = msg(Request::Intrinsic(IntrinsicRequest {
            namespace: "root/cimv2".into(),
            op: Intrinsic::EnumerateInstanceNames {
                class_name: "a<b".into(),
            },
        }));
        let e = encode_request(&r).unwrap_err();
        assert!(e.path.contains("IPARAMVALUE[Name=ClassName]"), "{e}");
    }

    #[test]
    fn refuses_type_contradiction() {
        let mut p = Property::new("Size", 5u64);
        p.cim_type = CimType::String;
        let mut i = Instance::new("CIM_X");
        i.properties.push(p);
        let e = encode_instance(&i).unwrap_err();
        assert!(e.message.contains("contradicts"), "{e}");
        let mut p = Property::new("Size", vec![5u64]);
        p.is_array = false;
        let mut i = Instance::new("CIM_X");
        i.properties.push(p);
        assert!(encode_instance(&i).is_err());
        // array element of the wrong type
        let a = CimArray::new(
            CimType::Uint16,
            vec![
                Some(CimValue::Uint16(1)),
                Some(CimValue::String("x".into())),
            ],
        );
        let i = Instance::new("CIM_X").with("A", CimValue::Array(Box::new(a)));
        let e = encode_instance(&i).unwrap_err();
        assert_eq!(e.path, "INSTANCE/PROPERTY[Name=A]/[1]");
        // a parameter whose declared type differs from its value
        let mut pv = ParamValue::new("X", 1u32);
        pv.cim_type = Some(CimType::Uint8);
        let r = msg(Request::Method(MethodCall {
            target: ObjectPath::class(Some("root/cimv2"), "CIM_X"),
            method: "M".into(),
            params: vec![pv],
        }));
        assert!(encode_request(&r).is_err());
    }

    #[test]
    fn refuses_modify_instance_without_path() {
        let r = msg(Request::Intrinsic(IntrinsicRequest {
            namespace: "root/cimv2".into(),
            op: Intrinsic::ModifyInstance {
                modified_instance: Instance::new("CIM_X").with("A", 1u8),
                include_qualifiers: None,
                property_list: None,
            },
        }));
        let e = encode_request(&r).unwrap_err();
        assert!(e.message.contains("no path"), "{e}");
    }

    #[test]
    fn refuses_method_target_without_namespace() {
        let mut t = ObjectPath::class(None, "CIM_X");
        t.namespace = None;
        let r = msg(Request::Method(MethodCall {
            target: t,
            method: "M".into(),
            params: vec![],
        }));
        assert!(encode_request(&r).is_err());
    }

    #[test]
    fn escapes_and_values() {
        let i = Instance::new("CIM_X")
            .with("S", "a&b<c>\"d\"")
            .with("R", f64::INFINITY)
            .with("N", f32::NAN)
            .with(
                "D",
                CimDateTime::parse("20240102030405.000000+060").unwrap(),
            )
            .with("B", true);
        let s = encode_instance(&i).unwrap();
        assert!(s.contains("<VALUE>a&amp;b&lt;c&gt;\"d\"</VALUE>"), "{s}");
        assert!(s.contains("<VALUE>INF</VALUE>"), "{s}");
        let t = |v: CimValue| scalar_text(&v);
        assert_eq!(t(CimValue::Real32(12345.0)), "1.23450000E+04");
        assert_eq!(t(CimValue::Real32(-0.15625)), "-1.56250000E-01");
        assert_eq!(t(CimValue::Real64(64.25)), "64.25");
        assert_eq!(t(CimValue::Real64(100.0)), "100.0");
        assert_eq!(t(CimValue::Real64(1.5e-7)), "1.5e-07");
        assert_eq!(t(CimValue::Real64(1e300)), "1e+300");
        assert_eq!(t(CimValue::Real64(1e16)), "1e+16");
        assert_eq!(t(CimValue::Real64(0.0001)), "0.0001");
        assert_eq!(t(CimValue::Real64(f64::NEG_INFINITY)), "-INF");
        assert_eq!(t(CimValue::Real32(f32::NAN)), "NaN");
        assert!(s.contains("<VALUE>NaN</VALUE>"), "{s}");
        assert!(
            s.contains("<VALUE>20240102030405.000000+060</VALUE>"),
            "{s}"
        );
        assert!(s.contains("<VALUE>TRUE</VALUE>"), "{s}");
        let r = msg(Request::Intrinsic(IntrinsicRequest {
            namespace: "root/cimv2".into(),
            op: Intrinsic::GetInstance {
                instance_name: ObjectPath::new("root/cimv2", "CIM_X").with_key("K", "q\"&"),
                local_only: Some(false),
                include_qualifiers: None,
                include_class_origin: None,
                property_list: None,
            },
        }));
        let s = text(encode_request(&r));
        assert!(s.starts_with(XML_DECL), "{s}");
        assert!(s.contains("q\"&amp;</KEYVALUE>"), "{s}");
    }

    #[test]
    fn response_quirk_options() {
        let m = ResponseMessage {
            id: "9".into(),
            response: Response::Method {
                name: "GetSetting".into(),
                result: Ok(MethodReturn {
                    return_value: Some(CimValue::Uint32(0)),
                    out_params: vec![ParamValue::new(
                        "Setting",
                        Instance::new("CIM_SettingData").with("X", 1u8),
                    )],
                }),
            },
        };
        let std = text(encode_response(&m));
        assert!(
            std.contains(r#"<RETURNVALUE PARAMTYPE="uint32"><VALUE>0</VALUE></RETURNVALUE>"#),
            "{std}"
        );
        assert!(std.contains(r#"<PARAMVALUE NAME="Setting" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE CLASSNAME="CIM_SettingData"&gt;"#), "{std}");
        let opts = EncodeOptions {
            type_instead_of_paramtype: true,
            uppercase_embedded_object: true,
        };
        let q = text(encode_response_with(&m, &opts));
        assert!(q.contains(r#"<RETURNVALUE TYPE="uint32">"#), "{q}");
        assert!(
            q.contains(r#"<PARAMVALUE NAME="Setting" TYPE="string" EMBEDDEDOBJECT="instance">"#),
            "{q}"
        );
        assert!(
            !q.contains("PARAMTYPE") && !q.contains("EmbeddedObject"),
            "{q}"
        );
    }

    #[test]
    fn pull_response_tail_and_errors() {
        let mut inst = Instance::new("CIM_X").with("A", 1u8);
        inst.path = Some(ObjectPath::new("root/cimv2", "CIM_X").with_key("A", 1u8));
        let m = |r: IReturn| ResponseMessage {
            id: "1".into(),
            response: Response::Intrinsic {
                name: "OpenEnumerateInstances".into(),
                result: Ok(r),
            },
        };
        let s = text(encode_response(&m(IReturn::PullInstances(PullResult {
            items: vec![inst.clone()],
            end_of_sequence: false,
            enumeration_context: Some("c1".into()),
        }))));
        assert!(
            s.contains(
                "<VALUE.INSTANCEWITHPATH><INSTANCEPATH><NAMESPACEPATH><HOST>localhost</HOST>"
            ),
            "{s}"
        );
        assert!(s.contains(r#"</IRETURNVALUE><PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>FALSE</VALUE></PARAMVALUE><PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>c1</VALUE></PARAMVALUE></IMETHODRESPONSE>"#), "{s}");
        // VALUE.NAMEDINSTANCE needs the path
        let mut no_path = inst.clone();
        no_path.path = None;
        let e = encode_response(&m(IReturn::Instances(vec![no_path]))).unwrap_err();
        assert!(e.message.contains("no path"), "{e}");
        let e = ResponseMessage {
            id: "1".into(),
            response: Response::Intrinsic {
                name: "GetInstance".into(),
                result: Err(ErrorBody {
                    code: 6,
                    description: Some("bad \u{1}".into()),
                    instances: vec![],
                }),
            },
        };
        assert!(encode_response(&e).is_err());
    }
}
