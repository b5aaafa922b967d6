//! Object paths (instance and class paths) and their WBEM URI forms (DSP0207).

use std::fmt;

use super::{CimName, CimType, CimValue, ValueError};

/// Whether a path names an instance or a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PathKind {
    /// An instance path (`Class.key=value,...`, or `Class=@` for a keyless singleton).
    #[default]
    Instance,
    /// A class path (`Class`).
    Class,
}

/// One key binding of an instance path. The value is typed: a string, boolean, number,
/// char16, datetime or a reference (a reference-valued key such as the keys of
/// association classes like CIM_StorageSynchronized).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyBinding {
    /// The key property name.
    pub name: CimName,
    /// The key value. Untyped numeric keys (a `KEYVALUE VALUETYPE="numeric"` without
    /// `TYPE`) decode as `Sint64`, `Uint64` or `Real64`.
    pub value: CimValue,
}

impl KeyBinding {
    /// A key binding.
    pub fn new(name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        KeyBinding {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A CIM object path: optional host and namespace, a class name and, for instances, key
/// bindings.
///
/// ```
/// use smis::cim::ObjectPath;
/// let p = ObjectPath::parse(r#"//array1:5989/root/smis:SIM_StorageVolume.DeviceID="vol-1",SystemName="sim""#).unwrap();
/// assert_eq!(p.host.as_deref(), Some("array1:5989"));
/// assert_eq!(p.namespace.as_deref(), Some("root/smis"));
/// assert_eq!(p.key("deviceid").and_then(|v| v.as_str()), Some("vol-1"));
/// assert_eq!(ObjectPath::parse(&p.to_string()).unwrap(), p);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ObjectPath {
    /// The host (and port), e.g. `array1:5989`, as in `NAMESPACEPATH/HOST`.
    pub host: Option<String>,
    /// The namespace, e.g. `root/cimv2` (no leading or trailing `/`).
    pub namespace: Option<String>,
    /// The class name.
    pub class_name: CimName,
    /// The key bindings (empty for class paths and keyless singletons).
    pub keys: Vec<KeyBinding>,
    /// Instance or class path.
    pub kind: PathKind,
}

impl PartialEq for ObjectPath {
    /// Equality ignores the case of names, host and namespace and the order of keys.
    fn eq(&self, other: &Self) -> bool {
        fn eq_opt(a: &Option<String>, b: &Option<String>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (None, None) => true,
                _ => false,
            }
        }
        self.kind == other.kind
            && self.class_name == other.class_name
            && eq_opt(&self.host, &other.host)
            && eq_opt(&self.namespace, &other.namespace)
            && keys_eq(&self.keys, &other.keys)
    }
}

/// Key bindings compare as multisets: both sides sorted by name (case-insensitive, then by
/// value text for repeated names), then pairwise. O(n log n) and symmetric, also for key
/// lists built by hand with repeated names (parsing and decoding refuse those).
fn keys_eq(a: &[KeyBinding], b: &[KeyBinding]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() == 1 {
        return a[0].name == b[0].name && key_value_eq(&a[0].value, &b[0].value);
    }
    fn sorted(keys: &[KeyBinding]) -> Vec<&KeyBinding> {
        let mut v: Vec<&KeyBinding> = keys.iter().collect();
        v.sort_by(|x, y| {
            x.name
                .cmp(&y.name)
                .then_with(|| x.value.to_string().cmp(&y.value.to_string()))
        });
        v
    }
    let (sa, sb) = (sorted(a), sorted(b));
    sa.iter()
        .zip(&sb)
        .all(|(x, y)| x.name == y.name && key_value_eq(&x.value, &y.value))
}

/// Key values compare by value; integers compare across integer types, reals across real
/// types (bit for bit, so that a NaN key equals itself).
fn key_value_eq(a: &CimValue, b: &CimValue) -> bool {
    let real = |v: &CimValue| match v {
        CimValue::Real32(x) => Some(f64::from(*x)),
        CimValue::Real64(x) => Some(*x),
        _ => None,
    };
    match (a.as_i128(), b.as_i128()) {
        (Some(x), Some(y)) => x == y,
        _ => match (real(a), real(b)) {
            (Some(x), Some(y)) => x.to_bits() == y.to_bits() || x == y,
            _ => match (a, b) {
                // Untyped WBEM URI keys are quoted strings: a datetime or a reference key
                // reads back as one, and still names the same instance.
                (CimValue::DateTime(d), CimValue::String(t))
                | (CimValue::String(t), CimValue::DateTime(d)) => d.as_str() == t.as_str(),
                (CimValue::Reference(r), CimValue::String(t))
                | (CimValue::String(t), CimValue::Reference(r)) => {
                    ObjectPath::parse(t).is_ok_and(|p| p == **r)
                }
                _ => a == b,
            },
        },
    }
}

/// The first key name that appears more than once (case-insensitive), if any. DSP0004
/// §7.7.5 gives every key property one value in an instance path, so a repeated key is
/// malformed. O(n log n).
pub(crate) fn duplicate_key(keys: &[KeyBinding]) -> Option<&CimName> {
    if keys.len() < 2 {
        return None;
    }
    let mut names: Vec<&CimName> = keys.iter().map(|k| &k.name).collect();
    names.sort();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// How deeply reference-valued keys may nest inside one another in a parsed path (a
/// reference key whose path has a reference key ...). Real association paths nest two or
/// three levels; deeper input is refused with a parse error instead of recursing.
pub const MAX_PATH_NESTING: usize = 32;

impl ObjectPath {
    /// An instance path of `class_name` in `namespace` with no keys yet.
    pub fn new(namespace: impl Into<String>, class_name: impl Into<CimName>) -> Self {
        ObjectPath {
            host: None,
            namespace: Some(normalize_namespace(&namespace.into())),
            class_name: class_name.into(),
            keys: Vec::new(),
            kind: PathKind::Instance,
        }
    }

    /// A class path.
    pub fn class(namespace: Option<&str>, class_name: impl Into<CimName>) -> Self {
        ObjectPath {
            host: None,
            namespace: namespace.map(normalize_namespace),
            class_name: class_name.into(),
            keys: Vec::new(),
            kind: PathKind::Class,
        }
    }

    /// Adds a key binding (builder style).
    pub fn with_key(mut self, name: impl Into<CimName>, value: impl Into<CimValue>) -> Self {
        self.keys.push(KeyBinding::new(name, value));
        self
    }

    /// The value of key `name` (case-insensitive).
    pub fn key(&self, name: &str) -> Option<&CimValue> {
        self.keys.iter().find(|k| k.name == name).map(|k| &k.value)
    }

    /// True for class paths.
    pub fn is_class(&self) -> bool {
        self.kind == PathKind::Class
    }

    /// The same path without host and namespace (a local instance or class name).
    pub fn local(&self) -> ObjectPath {
        ObjectPath {
            host: None,
            namespace: None,
            ..self.clone()
        }
    }

    /// The same path with its namespace set if it had none.
    pub fn in_namespace(mut self, namespace: &str) -> ObjectPath {
        if self.namespace.is_none() {
            self.namespace = Some(normalize_namespace(namespace));
        }
        self
    }

    /// A canonical form for matching: lower-case names, host dropped, keys sorted by name.
    pub fn canonical(&self) -> String {
        let mut p = self.clone();
        p.host = None;
        p.namespace = p.namespace.map(|n| n.to_ascii_lowercase());
        p.class_name = CimName::new(p.class_name.as_str().to_ascii_lowercase());
        for k in &mut p.keys {
            k.name = CimName::new(k.name.as_str().to_ascii_lowercase());
            if let CimValue::Reference(r) = &k.value {
                k.value = CimValue::String(r.canonical());
            }
        }
        p.keys.sort_by(|a, b| a.name.cmp(&b.name));
        p.to_string()
    }

    /// Parses a WBEM URI (DSP0207) or the untyped path form used by the `CIMObject` header:
    ///
    /// - `[http[s]:][//host[:port]]/namespace:Class.Key="v",N=5`
    /// - `namespace:Class.Key="v"` (no leading slash: the `CIMObject` header form)
    /// - `Class.Key="v"` (no namespace), `Class` (a class path), `Class=@` (singleton)
    ///
    /// Key values: `"string"` (with `\"` and `\\` escapes), `'c'` (char16), `TRUE`/`FALSE`,
    /// numbers (decimal, `0x` hex, reals), typed values `(uint32)5`, and references as quoted
    /// paths.
    ///
    /// A key value carries at most one type cast, reference keys nest at most
    /// [`MAX_PATH_NESTING`] levels, and a key name may appear only once: anything else is a
    /// [`ValueError::BadPath`], never unbounded recursion.
    pub fn parse(text: &str) -> Result<ObjectPath, ValueError> {
        Parser::new(text, 0).parse()
    }

    /// Formats the untyped WBEM URI without scheme: `//host/ns:Class.k="v"` (host and
    /// namespace only when present). [`ObjectPath::parse`] reads it back.
    pub fn to_wbem_uri(&self) -> String {
        self.to_string()
    }

    /// The `CIMObject` header form (DSP0200 §6.3.2.6, before percent-encoding):
    /// `namespace:Class.key="v"` with no host.
    pub fn to_header_form(&self) -> String {
        let mut s = String::new();
        if let Some(ns) = &self.namespace {
            s.push_str(ns);
            s.push(':');
        }
        self.write_model(&mut s);
        s
    }

    fn write_model(&self, s: &mut String) {
        s.push_str(self.class_name.as_str());
        if self.kind == PathKind::Class {
            return;
        }
        if self.keys.is_empty() {
            s.push_str("=@");
            return;
        }
        s.push('.');
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(k.name.as_str());
            s.push('=');
            write_key_value(s, &k.value);
        }
    }
}

fn write_quoted(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
}

fn write_key_value(s: &mut String, v: &CimValue) {
    match v {
        CimValue::String(t) => write_quoted(s, t),
        CimValue::Char16(c) => {
            s.push('\'');
            if *c == '\'' || *c == '\\' {
                s.push('\\');
            }
            s.push(*c);
            s.push('\'');
        }
        CimValue::Boolean(b) => s.push_str(if *b { "TRUE" } else { "FALSE" }),
        CimValue::DateTime(d) => write_quoted(s, d.as_str()),
        CimValue::Reference(p) => write_quoted(s, &p.to_string()),
        // A real32 keeps its type (an untyped real reads back as real64, where 0.1 is
        // another number), as do INF, -INF and NaN, which are not untyped numbers.
        CimValue::Real32(_) => {
            s.push_str("(real32)");
            s.push_str(&v.format_scalar().unwrap_or_default());
        }
        CimValue::Real64(r) if !r.is_finite() => {
            s.push_str("(real64)");
            s.push_str(&v.format_scalar().unwrap_or_default());
        }
        other => s.push_str(&other.format_scalar().unwrap_or_default()),
    }
}

/// Strips leading and trailing `/` from a namespace (as pywbem does).
pub fn normalize_namespace(ns: &str) -> String {
    ns.trim_matches('/').to_string()
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        if let Some(h) = &self.host {
            s.push_str("//");
            s.push_str(h);
        }
        if let Some(ns) = &self.namespace {
            s.push('/');
            s.push_str(ns);
            s.push(':');
        } else if self.host.is_some() {
            s.push_str("/:");
        }
        self.write_model(&mut s);
        f.write_str(&s)
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// How many reference keys enclose this path.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, depth: usize) -> Self {
        Parser {
            text,
            pos: 0,
            depth,
        }
    }

    /// Parses a path nested in a reference key of this one, within the nesting bound.
    fn nested(&self, text: &str) -> Result<ObjectPath, ValueError> {
        if self.depth >= MAX_PATH_NESTING {
            return Err(self.err(format!(
                "reference keys nested more than {MAX_PATH_NESTING} levels deep"
            )));
        }
        Parser::new(text, self.depth + 1).parse()
    }

    fn err(&self, why: impl Into<String>) -> ValueError {
        ValueError::BadPath {
            text: self.text.chars().take(200).collect(),
            why: why.into(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn parse(mut self) -> Result<ObjectPath, ValueError> {
        let mut host = None;
        let mut namespace = None;
        // Optional scheme, always followed by `//host`: without it, `https:` is the
        // namespace of the header form `https:Class` (that `to_header_form` writes).
        for scheme in ["https:", "http:", "cimxml.wbem:", "cimxml.wbems:"] {
            let rest = self.rest().as_bytes();
            if rest.len() >= scheme.len() + 2
                && rest[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
                && rest[scheme.len()..].starts_with(b"//")
            {
                self.pos += scheme.len();
                break;
            }
        }
        if let Some(after) = self.rest().strip_prefix("//") {
            // Authority: up to the next '/' (IPv6 literals are in brackets and hold no '/').
            let end = after
                .find('/')
                .ok_or_else(|| self.err("no '/' after the host"))?;
            let h = &after[..end];
            if h.is_empty() {
                return Err(self.err("empty host"));
            }
            host = Some(h.to_string());
            self.pos += 2 + end;
        }
        // Namespace: identifier characters and '/', ended by ':'.
        let rest = self.rest();
        let ns_len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '/' | '-' | '.')))
            .unwrap_or(rest.len());
        if rest[ns_len..].starts_with(':') {
            let ns = normalize_namespace(&rest[..ns_len]);
            if !ns.is_empty() {
                namespace = Some(ns);
            }
            self.pos += ns_len + 1;
        } else if host.is_some() || rest.starts_with('/') {
            return Err(self.err("expected 'namespace:' before the class name"));
        }
        // Class name.
        let rest = self.rest();
        let cn_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let class = &rest[..cn_len];
        if !CimName::is_valid(class) {
            return Err(self.err("missing or invalid class name"));
        }
        self.pos += cn_len;
        let mut path = ObjectPath {
            host,
            namespace,
            class_name: CimName::new(class),
            keys: Vec::new(),
            kind: PathKind::Class,
        };
        if self.rest().is_empty() {
            return Ok(path);
        }
        path.kind = PathKind::Instance;
        if self.rest() == "=@" {
            return Ok(path);
        }
        if !self.rest().starts_with('.') {
            return Err(self.err("expected '.' and key bindings after the class name"));
        }
        self.pos += 1;
        loop {
            let rest = self.rest();
            let eq = rest
                .find('=')
                .ok_or_else(|| self.err("key binding without '='"))?;
            let name = rest[..eq].trim();
            if !CimName::is_valid(name) {
                return Err(self.err(format!("invalid key name '{name}'")));
            }
            self.pos += eq + 1;
            let value = self.parse_value()?;
            path.keys.push(KeyBinding::new(name, value));
            if self.rest().is_empty() {
                break;
            }
            if !self.rest().starts_with(',') {
                return Err(self.err("expected ',' between key bindings"));
            }
            self.pos += 1;
        }
        if let Some(dup) = duplicate_key(&path.keys) {
            return Err(self.err(format!("key '{dup}' appears more than once")));
        }
        Ok(path)
    }

    fn parse_value(&mut self) -> Result<CimValue, ValueError> {
        let rest = self.rest();
        if let Some(body) = rest.strip_prefix('"') {
            let (s, used) = unquote(body, '"').ok_or_else(|| self.err("unterminated string"))?;
            self.pos += 1 + used;
            // A quoted value that is itself a path with keys is a reference. The parser
            // alone decides (no looser pre-check), so that every reference formats to text
            // that reads back as the same reference.
            if s.contains('=') {
                if let Ok(p) = self.nested(&s) {
                    if p.kind == PathKind::Instance {
                        return Ok(CimValue::Reference(Box::new(p)));
                    }
                }
            }
            return Ok(CimValue::String(s));
        }
        if let Some(body) = rest.strip_prefix('\'') {
            let (s, used) = unquote(body, '\'').ok_or_else(|| self.err("unterminated char16"))?;
            self.pos += 1 + used;
            let mut it = s.chars();
            return match (it.next(), it.next()) {
                (Some(c), None) => Ok(CimValue::Char16(c)),
                _ => Err(self.err("a char16 key must hold one character")),
            };
        }
        if let Some(body) = rest.strip_prefix('(') {
            // Typed form: (uint32)5, (string)"x", (datetime)"...", (reference)"...".
            let close = body
                .find(')')
                .ok_or_else(|| self.err("unterminated type"))?;
            let ty = CimType::parse(body[..close].trim())
                .ok_or_else(|| self.err(format!("unknown type '{}'", &body[..close])))?;
            self.pos += close + 2;
            let rest = self.rest();
            if rest.starts_with('(') {
                // `(uint8)(uint8)...`: one cast is all a key value can carry.
                return Err(self.err("a key value may carry only one type cast"));
            }
            if rest.starts_with('"') || rest.starts_with('\'') {
                let v = self.parse_value()?;
                return self.coerce(v, ty);
            }
            // An unquoted literal of the named type (this keeps INF, -INF and NaN reals and
            // the full range of every integer type).
            let end = rest.find(',').unwrap_or(rest.len());
            let lit = &rest[..end];
            self.pos += end;
            return CimValue::parse_scalar(ty, lit).map_err(|e| self.err(e.to_string()));
        }
        let end = rest.find(',').unwrap_or(rest.len());
        let lit = &rest[..end];
        self.pos += end;
        if lit.eq_ignore_ascii_case("true") {
            return Ok(CimValue::Boolean(true));
        }
        if lit.eq_ignore_ascii_case("false") {
            return Ok(CimValue::Boolean(false));
        }
        untyped_number(lit).ok_or_else(|| self.err(format!("bad key value '{lit}'")))
    }
}

/// Converts an untyped numeric literal: Sint64 if negative, Uint64 otherwise, Real64 if it
/// has a fraction or exponent.
pub(crate) fn untyped_number(lit: &str) -> Option<CimValue> {
    let t = lit.trim();
    if let Some(i) = super::value::parse_int(t) {
        return if i < 0 {
            i64::try_from(i).ok().map(CimValue::Sint64)
        } else {
            u64::try_from(i).ok().map(CimValue::Uint64)
        };
    }
    super::value::parse_real(t)
        .filter(|v| v.is_finite())
        .map(CimValue::Real64)
}

impl Parser<'_> {
    fn coerce(&self, v: CimValue, ty: CimType) -> Result<CimValue, ValueError> {
        let r = match (&v, ty) {
            (CimValue::Reference(_), CimType::Reference) => Ok(v),
            // A key reference names an instance (DSP0004 §7.8): a class path here would
            // read back as a plain string once formatted.
            (CimValue::String(s), CimType::Reference) => {
                return match self.nested(s)? {
                    p if p.kind == PathKind::Instance => Ok(CimValue::Reference(Box::new(p))),
                    _ => Err(self.err("a reference key value must be an instance path")),
                };
            }
            (CimValue::String(s), t) => CimValue::parse_scalar(t, s),
            (CimValue::Reference(p), CimType::String) => Ok(CimValue::String(p.to_string())),
            (_, t) => CimValue::parse_scalar(t, &v.format_scalar().unwrap_or_default()),
        };
        r.map_err(|e| self.err(e.to_string()))
    }
}

/// Reads up to the closing quote, handling backslash escapes. Returns the text and the
/// number of bytes consumed including the closing quote.
fn unquote(body: &str, quote: char) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let (_, n) = chars.next()?;
            out.push(n);
        } else if c == quote {
            return Some((out, i + 1));
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let p = ObjectPath::parse(
            "root/cimv2:CIM_Foo.Name=\"a \\\"b\\\" ,c\",N=5,B=true,C='x',R=-3,F=1.5",
        )
        .unwrap();
        assert_eq!(p.namespace.as_deref(), Some("root/cimv2"));
        assert_eq!(p.key("Name"), Some(&CimValue::String("a \"b\" ,c".into())));
        assert_eq!(p.key("N"), Some(&CimValue::Uint64(5)));
        assert_eq!(p.key("B"), Some(&CimValue::Boolean(true)));
        assert_eq!(p.key("C"), Some(&CimValue::Char16('x')));
        assert_eq!(p.key("R"), Some(&CimValue::Sint64(-3)));
        assert_eq!(p.key("F"), Some(&CimValue::Real64(1.5)));
        let c = ObjectPath::parse("CIM_Foo").unwrap();
        assert!(c.is_class());
        let s = ObjectPath::parse("/root/x:CIM_Singleton=@").unwrap();
        assert!(!s.is_class() && s.keys.is_empty());
        let t = ObjectPath::parse("CIM_Foo.K=(uint16)7").unwrap();
        assert_eq!(t.key("k"), Some(&CimValue::Uint16(7)));
        let h = ObjectPath::parse(
            "https://[fe80::1]:5989/interop:CIM_RegisteredProfile.InstanceID=\"a:b\"",
        )
        .unwrap();
        assert_eq!(h.host.as_deref(), Some("[fe80::1]:5989"));
        assert_eq!(h.key("InstanceID"), Some(&CimValue::String("a:b".into())));
    }

    #[test]
    fn reference_keys_round_trip() {
        let vol = ObjectPath::new("root/smis", "SIM_StorageVolume")
            .with_key("DeviceID", "v1")
            .with_key("SystemName", "sim");
        let sync = ObjectPath::new("root/smis", "SIM_StorageSynchronized")
            .with_key("SystemElement", vol.clone())
            .with_key("SyncedElement", vol.clone());
        let text = sync.to_string();
        let back = ObjectPath::parse(&text).unwrap();
        assert_eq!(back, sync);
        assert_eq!(
            back.key("SystemElement").and_then(|v| v.as_reference()),
            Some(&vol)
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "1abc",
            "CIM_Foo.",
            "CIM_Foo.K",
            "CIM_Foo.K=\"x",
            "//host",
            "https:host/x:C",
            "CIM_Foo.K=zz",
            "CIM_Foo;x",
        ] {
            assert!(ObjectPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn equality_ignores_case_and_key_order() {
        let a = ObjectPath::parse("root/CIMV2:cim_foo.A=\"x\",B=1").unwrap();
        let b = ObjectPath::parse("ROOT/cimv2:CIM_Foo.b=(uint8)1,a=\"x\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.canonical(), b.canonical());
        let c = ObjectPath::parse("root/cimv2:CIM_Foo.A=\"X\",B=1").unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn header_form() {
        let p = ObjectPath::new("root/cimv2", "PyWBEM_Person").with_key("Name", "Fritz");
        assert_eq!(
            p.to_header_form(),
            "root/cimv2:PyWBEM_Person.Name=\"Fritz\""
        );
    }
}

#[cfg(test)]
mod namespace_chars {
    use super::*;

    #[test]
    fn namespaces_with_dashes_and_dots() {
        let d = ObjectPath::parse("/root/smis-sim:X.K=\"v\"").unwrap();
        assert_eq!(d.namespace.as_deref(), Some("root/smis-sim"));
        let e = ObjectPath::parse("X.K=\"a:b\"").unwrap();
        assert!(e.namespace.is_none());
    }
}
