//! Values, object paths, instances, classes and qualifiers.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::core::{E, Parser, R};
use crate::cim::{
    CimArray, CimClass, CimName, CimType, CimValue, EmbeddedKind, Flavor, Instance, KeyBinding,
    Method, ObjectPath, Parameter, PathKind, Property, PropertyExtra, Qualifier, QualifierDecl,
    Scope, untyped_number,
};
use crate::message::CimObject;
use crate::xml::DecodeErrorKind;

/// An interval whose hour/minute/second fields exceed their usual range (as some servers
/// send, and the reference client accepts), e.g. `00001234567890.123456:000`; the value is
/// normalised to the same duration.
/// The first property name that appears twice (case-insensitive): pairwise for the usual
/// few dozen properties, by sorting beyond that (O(n log n)).
fn duplicate_property(props: &[Property]) -> Option<&CimName> {
    if props.len() <= 24 {
        // A cheap case-insensitive fingerprint (length, first and last byte) first; full
        // comparisons only where fingerprints agree.
        let mut prints = [0u32; 24];
        for (i, p) in props.iter().enumerate() {
            let b = p.name.as_str().as_bytes();
            let first = b.first().map_or(0, u8::to_ascii_lowercase);
            let last = b.last().map_or(0, u8::to_ascii_lowercase);
            let fp = (b.len() as u32) << 16 | u32::from(first) << 8 | u32::from(last);
            for (j, &q) in prints[..i].iter().enumerate() {
                if q == fp && props[j].name == p.name {
                    return Some(&p.name);
                }
            }
            prints[i] = fp;
        }
        return None;
    }
    let mut names: Vec<&CimName> = props.iter().map(|p| &p.name).collect();
    names.sort();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

fn lenient_interval(t: &str) -> Option<CimValue> {
    let b = t.as_bytes();
    if b.len() != 25 || b[14] != b'.' || &b[21..] != b":000" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = t.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let secs = u64::from(num(0..8)?) * 86_400
        + u64::from(num(8..10)?) * 3600
        + u64::from(num(10..12)?) * 60
        + u64::from(num(12..14)?);
    let d = std::time::Duration::from_secs(secs)
        + std::time::Duration::from_micros(u64::from(num(15..21)?));
    let v = crate::cim::CimDateTime::from_duration(d);
    (v.to_duration() == Some(d)).then_some(CimValue::DateTime(v))
}

/// The common case of an unsigned integer value: plain decimal digits (no sign, space or
/// hex prefix) that fit the type. Anything else goes through the general parser.
fn fast_uint(ty: CimType, b: &[u8]) -> Option<CimValue> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(match ty {
        CimType::Uint8 => CimValue::Uint8(u8::try_from(v).ok()?),
        CimType::Uint16 => CimValue::Uint16(u16::try_from(v).ok()?),
        CimType::Uint32 => CimValue::Uint32(u32::try_from(v).ok()?),
        CimType::Uint64 => CimValue::Uint64(v),
        _ => return None,
    })
}

/// Which property element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PropKind {
    Scalar,
    Array,
    Reference,
}

impl<'a> Parser<'a> {
    pub(super) fn missing(&self, attr: &str, elem: &str) -> E {
        self.structure(format!("missing attribute {attr} on {elem}"))
    }

    pub(super) fn parse_type(&self, s: &str) -> R<CimType> {
        let t = match s {
            "string" => CimType::String,
            "boolean" => CimType::Boolean,
            "uint16" => CimType::Uint16,
            "uint32" => CimType::Uint32,
            "uint64" => CimType::Uint64,
            "uint8" => CimType::Uint8,
            "datetime" => CimType::DateTime,
            _ => CimType::parse(s.trim())
                .ok_or_else(|| self.structure(format!("unknown CIM type '{s}'")))?,
        };
        Ok(t)
    }

    pub(super) fn parse_bool_attr(&self, name: &str, s: &str) -> R<bool> {
        if s.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if s.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(self.structure(format!("attribute {name} must be true or false, not '{s}'")))
        }
    }

    pub(super) fn parse_embedded_attr(&self, s: &str) -> R<Option<EmbeddedKind>> {
        match EmbeddedKind::parse(s.trim()) {
            Some(k) => Ok(Some(k)),
            None => Err(self.structure(format!(
                "EmbeddedObject must be 'instance' or 'object', not '{s}'"
            ))),
        }
    }

    fn parse_u32_attr(&self, name: &str, s: &str) -> R<u32> {
        s.trim()
            .parse()
            .map_err(|_| self.structure(format!("attribute {name} must be a number, not '{s}'")))
    }

    /// A scalar from VALUE text (`None` for an empty boolean or numeric-free NULL forms).
    pub(super) fn scalar(&self, ty: CimType, text: Cow<'a, str>) -> R<Option<CimValue>> {
        match ty {
            CimType::String => Ok(Some(CimValue::String(text.into_owned()))),
            CimType::Reference => Err(self.structure("VALUE given for a reference type")),
            CimType::Boolean if text.trim().is_empty() => Ok(None),
            CimType::DateTime => match CimValue::parse_scalar(ty, text.trim()) {
                Ok(v) => Ok(Some(v)),
                Err(e) => lenient_interval(text.trim())
                    .map(Some)
                    .ok_or_else(|| self.err(DecodeErrorKind::BadValue, e.to_string())),
            },
            _ => {
                if let Some(v) = fast_uint(ty, text.as_bytes()) {
                    return Ok(Some(v));
                }
                CimValue::parse_scalar(ty, &text)
                    .map(Some)
                    .map_err(|e| self.err(DecodeErrorKind::BadValue, e.to_string()))
            }
        }
    }

    /// A VALUE's text decoded as an embedded object of `kind` (empty text is NULL).
    pub(super) fn embedded(&self, kind: EmbeddedKind, text: Cow<'a, str>) -> R<Option<CimValue>> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let remaining = self.max_depth.saturating_sub(self.depth());
        if remaining == 0 {
            return Err(self.err(
                DecodeErrorKind::TooDeep,
                "no depth left for an embedded object",
            ));
        }
        match super::decode_embedded(&text, remaining, self.path()) {
            Ok(CimObject::Instance(i)) => Ok(Some(CimValue::Instance(Box::new(i)))),
            Ok(CimObject::Class(c)) => {
                if kind == EmbeddedKind::Instance {
                    Err(self.structure("embedded instance holds a CLASS"))
                } else {
                    Ok(Some(CimValue::Class(Box::new(c))))
                }
            }
            Err(e) => {
                let mut outer = self.err(
                    e.kind.clone(),
                    format!(
                        "in embedded object (its line {}, column {}): {}",
                        e.line, e.column, e.message
                    ),
                );
                outer.path = e.path;
                Err(outer)
            }
        }
    }

    /// A value of a VALUE element just opened: typed, or embedded when `embedded` is set.
    pub(super) fn value_elem(
        &mut self,
        ty: CimType,
        embedded: Option<EmbeddedKind>,
    ) -> R<Option<CimValue>> {
        let text = self.text()?;
        match embedded {
            Some(k) if ty == CimType::String => self.embedded(k, text),
            _ => self.scalar(ty, text),
        }
    }

    /// VALUE.ARRAY (just opened): VALUE and VALUE.NULL elements.
    pub(super) fn value_array(
        &mut self,
        ty: CimType,
        embedded: Option<EmbeddedKind>,
    ) -> R<CimArray> {
        let start = self.scratch_items.len();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"VALUE" => {
                    let v = self.value_elem(ty, embedded)?;
                    self.scratch_items.push(v);
                }
                b"VALUE.NULL" => {
                    self.end()?;
                    self.scratch_items.push(None);
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        let items: Vec<Option<CimValue>> = self.scratch_items.drain(start..).collect();
        Ok(CimArray::new(ty, items))
    }

    /// VALUE.REFARRAY (just opened).
    pub(super) fn ref_array(&mut self) -> R<CimArray> {
        let mut items = Vec::new();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"VALUE.REFERENCE" => items.push(Some(CimValue::Reference(Box::new(
                    self.value_reference(false)?,
                )))),
                b"VALUE.NULL" => {
                    self.end()?;
                    items.push(None);
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(CimArray::new(CimType::Reference, items))
    }

    /// NAMESPACE (just opened): its NAME.
    fn namespace_elem(&mut self, e: &BytesStart<'a>) -> R<String> {
        let mut name = None;
        self.attrs(e, |k, v| {
            if k == b"NAME" {
                name = Some(v);
            }
            Ok(())
        })?;
        let name = name
            .ok_or_else(|| self.missing("NAME", "NAMESPACE"))?
            .into_owned();
        self.end()?;
        Ok(name)
    }

    /// LOCALNAMESPACEPATH (just opened): NAMESPACE+ joined with `/`.
    pub(super) fn local_namespace(&mut self) -> R<String> {
        let mut ns = String::new();
        let mut n = 0;
        while let Some(c) = self.child()? {
            if c.name().as_ref() != b"NAMESPACE" {
                return Err(self.unexpected(&c));
            }
            let part = self.namespace_elem(&c)?;
            if n > 0 {
                ns.push('/');
            }
            ns.push_str(part.trim_matches('/'));
            n += 1;
        }
        if n == 0 {
            return Err(self.structure("LOCALNAMESPACEPATH without NAMESPACE"));
        }
        Ok(ns)
    }

    /// NAMESPACEPATH (just opened): HOST and LOCALNAMESPACEPATH.
    fn namespace_path(&mut self) -> R<(String, String)> {
        let mut host = None;
        let mut ns = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"HOST" if host.is_none() && ns.is_none() => {
                    host = Some(self.text()?.trim().to_string())
                }
                b"LOCALNAMESPACEPATH" if ns.is_none() => ns = Some(self.local_namespace()?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (host, ns) {
            (Some(h), Some(n)) => Ok((h, n)),
            (None, _) => Err(self.structure("NAMESPACEPATH without HOST")),
            (_, None) => Err(self.structure("NAMESPACEPATH without LOCALNAMESPACEPATH")),
        }
    }

    /// CLASSNAME (just opened): its NAME.
    pub(super) fn class_name_elem(&mut self, e: &BytesStart<'a>) -> R<CimName> {
        let mut name = None;
        self.attrs(e, |k, v| {
            if k == b"NAME" {
                name = Some(v);
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "CLASSNAME"))?;
        let name = self.name(&name);
        self.end()?;
        Ok(name)
    }

    /// KEYVALUE (just opened).
    fn key_value(&mut self, e: &BytesStart<'a>) -> R<CimValue> {
        let mut vt = None;
        let mut ty = None;
        self.attrs(e, |k, v| {
            match k {
                b"VALUETYPE" => vt = Some(v),
                b"TYPE" if !v.trim().is_empty() => ty = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let ty = match ty {
            Some(t) => Some(self.parse_type(&t)?),
            None => None,
        };
        let vt = vt.as_deref().map(str::trim);
        let text = self.text()?;
        let bad = |p: &Self, what: &str| {
            p.err(
                DecodeErrorKind::BadValue,
                format!(
                    "'{}' is not a valid {what} key value",
                    text.chars().take(80).collect::<String>()
                ),
            )
        };
        match ty {
            Some(CimType::String) => Ok(CimValue::String(text.into_owned())),
            Some(CimType::Reference) => Err(self.structure("KEYVALUE of type reference")),
            Some(t) => CimValue::parse_scalar(t, &text)
                .map_err(|e| self.err(DecodeErrorKind::BadValue, e.to_string())),
            None => match vt {
                None => Ok(CimValue::String(text.into_owned())),
                Some(v) if v.eq_ignore_ascii_case("string") => {
                    Ok(CimValue::String(text.into_owned()))
                }
                Some(v) if v.eq_ignore_ascii_case("boolean") => {
                    match CimValue::parse_scalar(CimType::Boolean, &text) {
                        Ok(v) => Ok(v),
                        Err(_) => Err(bad(self, "boolean")),
                    }
                }
                Some(v) if v.eq_ignore_ascii_case("numeric") => {
                    untyped_number(&text).ok_or_else(|| bad(self, "numeric"))
                }
                Some(other) => Err(self.structure(format!(
                    "unknown VALUETYPE '{}'",
                    other.to_ascii_lowercase()
                ))),
            },
        }
    }

    /// INSTANCENAME (just opened).
    pub(super) fn instance_name(&mut self, e: &BytesStart<'a>) -> R<ObjectPath> {
        let mut cn = None;
        self.attrs(e, |k, v| {
            if k == b"CLASSNAME" {
                cn = Some(v);
            }
            Ok(())
        })?;
        let cn = cn.ok_or_else(|| self.missing("CLASSNAME", "INSTANCENAME"))?;
        let class_name = self.name(&cn);
        let mut keys = Vec::new();
        let mut lone = false;
        loop {
            if !lone {
                if let Some(k) = self.fast_keybinding() {
                    keys.push(k);
                    continue;
                }
            }
            let Some(c) = self.child()? else { break };
            if lone {
                return Err(self.unexpected(&c));
            }
            match c.name().as_ref() {
                b"KEYBINDING" => {
                    let mut name = None;
                    self.attrs(&c, |k, v| {
                        if k == b"NAME" {
                            name = Some(v);
                        }
                        Ok(())
                    })?;
                    let name = name.ok_or_else(|| self.missing("NAME", "KEYBINDING"))?;
                    let name = self.name(&name);
                    let mut value = None;
                    while let Some(v) = self.child()? {
                        if value.is_some() {
                            return Err(self.unexpected(&v));
                        }
                        value = Some(match v.name().as_ref() {
                            b"KEYVALUE" => self.key_value(&v)?,
                            b"VALUE.REFERENCE" => {
                                CimValue::Reference(Box::new(self.value_reference(true)?))
                            }
                            _ => return Err(self.unexpected(&v)),
                        });
                    }
                    let value =
                        value.ok_or_else(|| self.structure("KEYBINDING without a value"))?;
                    keys.push(KeyBinding { name, value });
                }
                b"KEYVALUE" if keys.is_empty() => {
                    let value = self.key_value(&c)?;
                    keys.push(KeyBinding {
                        name: self.name(""),
                        value,
                    });
                    lone = true;
                }
                b"VALUE.REFERENCE" if keys.is_empty() => {
                    let value = CimValue::Reference(Box::new(self.value_reference(true)?));
                    keys.push(KeyBinding {
                        name: self.name(""),
                        value,
                    });
                    lone = true;
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        if let Some(dup) = crate::cim::duplicate_key(&keys) {
            return Err(self.structure(format!(
                "KEYBINDING '{dup}' appears more than once in INSTANCENAME"
            )));
        }
        Ok(ObjectPath {
            host: None,
            namespace: None,
            class_name,
            keys,
            kind: PathKind::Instance,
        })
    }

    /// INSTANCEPATH (just opened).
    pub(super) fn instance_path(&mut self) -> R<ObjectPath> {
        let mut nsp = None;
        let mut path = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"NAMESPACEPATH" if nsp.is_none() && path.is_none() => {
                    nsp = Some(self.namespace_path()?)
                }
                b"INSTANCENAME" if nsp.is_some() && path.is_none() => {
                    path = Some(self.instance_name(&c)?)
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (nsp, path) {
            (Some((h, n)), Some(mut p)) => {
                p.host = Some(h);
                p.namespace = Some(n);
                Ok(p)
            }
            _ => Err(self.structure("INSTANCEPATH needs NAMESPACEPATH and INSTANCENAME")),
        }
    }

    /// LOCALINSTANCEPATH (just opened).
    pub(super) fn local_instance_path(&mut self) -> R<ObjectPath> {
        let mut ns = None;
        let mut path = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"LOCALNAMESPACEPATH" if ns.is_none() && path.is_none() => {
                    ns = Some(self.local_namespace()?)
                }
                b"INSTANCENAME" if ns.is_some() && path.is_none() => {
                    path = Some(self.instance_name(&c)?)
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (ns, path) {
            (Some(n), Some(mut p)) => {
                p.namespace = Some(n);
                Ok(p)
            }
            _ => Err(self.structure("LOCALINSTANCEPATH needs LOCALNAMESPACEPATH and INSTANCENAME")),
        }
    }

    /// CLASSPATH (just opened).
    pub(super) fn class_path(&mut self) -> R<ObjectPath> {
        let mut nsp = None;
        let mut cn = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"NAMESPACEPATH" if nsp.is_none() && cn.is_none() => {
                    nsp = Some(self.namespace_path()?)
                }
                b"CLASSNAME" if nsp.is_some() && cn.is_none() => {
                    cn = Some(self.class_name_elem(&c)?)
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (nsp, cn) {
            (Some((h, n)), Some(cn)) => {
                let mut p = ObjectPath::class(None, cn);
                p.host = Some(h);
                p.namespace = Some(n);
                Ok(p)
            }
            _ => Err(self.structure("CLASSPATH needs NAMESPACEPATH and CLASSNAME")),
        }
    }

    /// LOCALCLASSPATH (just opened).
    pub(super) fn local_class_path(&mut self) -> R<ObjectPath> {
        let mut ns = None;
        let mut cn = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"LOCALNAMESPACEPATH" if ns.is_none() && cn.is_none() => {
                    ns = Some(self.local_namespace()?)
                }
                b"CLASSNAME" if ns.is_some() && cn.is_none() => {
                    cn = Some(self.class_name_elem(&c)?)
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (ns, cn) {
            (Some(n), Some(cn)) => {
                let mut p = ObjectPath::class(None, cn);
                p.namespace = Some(n);
                Ok(p)
            }
            _ => Err(self.structure("LOCALCLASSPATH needs LOCALNAMESPACEPATH and CLASSNAME")),
        }
    }

    /// VALUE.REFERENCE (just opened). `instance_only` refuses class paths (key bindings).
    pub(super) fn value_reference(&mut self, instance_only: bool) -> R<ObjectPath> {
        let c = match self.child()? {
            Some(c) => c,
            None => return Err(self.structure("empty VALUE.REFERENCE")),
        };
        let p = match c.name().as_ref() {
            b"INSTANCEPATH" => self.instance_path()?,
            b"LOCALINSTANCEPATH" => self.local_instance_path()?,
            b"INSTANCENAME" => self.instance_name(&c)?,
            b"CLASSPATH" if !instance_only => self.class_path()?,
            b"LOCALCLASSPATH" if !instance_only => self.local_class_path()?,
            b"CLASSNAME" if !instance_only => ObjectPath::class(None, self.class_name_elem(&c)?),
            _ => return Err(self.unexpected(&c)),
        };
        self.end()?;
        Ok(p)
    }

    /// OBJECTPATH (just opened).
    pub(super) fn object_path(&mut self) -> R<ObjectPath> {
        let c = match self.child()? {
            Some(c) => c,
            None => return Err(self.structure("empty OBJECTPATH")),
        };
        let p = match c.name().as_ref() {
            b"INSTANCEPATH" => self.instance_path()?,
            b"CLASSPATH" => self.class_path()?,
            _ => return Err(self.unexpected(&c)),
        };
        self.end()?;
        Ok(p)
    }

    /// QUALIFIER (just opened).
    pub(super) fn qualifier(&mut self, e: &BytesStart<'a>) -> R<Qualifier> {
        let mut name = None;
        let mut ty = None;
        let mut propagated = None;
        let mut flavor = Flavor::default();
        let mut bools: [Option<Cow<'_, str>>; 5] = Default::default();
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"TYPE" => ty = Some(v),
                b"PROPAGATED" => bools[0] = Some(v),
                b"OVERRIDABLE" => bools[1] = Some(v),
                b"TOSUBCLASS" => bools[2] = Some(v),
                b"TOINSTANCE" => bools[3] = Some(v),
                b"TRANSLATABLE" => bools[4] = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "QUALIFIER"))?;
        let name = self.name(&name);
        let ty = match ty {
            Some(t) => self.parse_type(&t)?,
            None => return Err(self.missing("TYPE", "QUALIFIER")),
        };
        const N: [&str; 5] = [
            "PROPAGATED",
            "OVERRIDABLE",
            "TOSUBCLASS",
            "TOINSTANCE",
            "TRANSLATABLE",
        ];
        let mut b = [None; 5];
        for i in 0..5 {
            if let Some(v) = &bools[i] {
                b[i] = Some(self.parse_bool_attr(N[i], v)?);
            }
        }
        propagated = propagated.or(b[0]);
        flavor.overridable = b[1];
        flavor.tosubclass = b[2];
        flavor.toinstance = b[3];
        flavor.translatable = b[4];
        let value = self.opt_value(ty)?;
        Ok(Qualifier {
            name,
            cim_type: ty,
            value,
            propagated,
            flavor,
        })
    }

    /// An optional VALUE or VALUE.ARRAY child, then the end of the current element.
    fn opt_value(&mut self, ty: CimType) -> R<Option<CimValue>> {
        let mut value = None;
        let mut seen = false;
        while let Some(c) = self.child()? {
            if seen {
                return Err(self.unexpected(&c));
            }
            seen = true;
            value = match c.name().as_ref() {
                b"VALUE" => self.value_elem(ty, None)?,
                b"VALUE.ARRAY" => Some(CimValue::Array(Box::new(self.value_array(ty, None)?))),
                _ => return Err(self.unexpected(&c)),
            };
        }
        Ok(value)
    }

    /// QUALIFIER.DECLARATION (just opened).
    pub(super) fn qualifier_decl(&mut self, e: &BytesStart<'a>) -> R<QualifierDecl> {
        let mut name = None;
        let mut ty = None;
        let mut isarray = None;
        let mut arraysize = None;
        let mut bools: [Option<Cow<'_, str>>; 4] = Default::default();
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"TYPE" => ty = Some(v),
                b"ISARRAY" => isarray = Some(v),
                b"ARRAYSIZE" => arraysize = Some(v),
                b"OVERRIDABLE" => bools[0] = Some(v),
                b"TOSUBCLASS" => bools[1] = Some(v),
                b"TOINSTANCE" => bools[2] = Some(v),
                b"TRANSLATABLE" => bools[3] = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "QUALIFIER.DECLARATION"))?;
        let name = self.name(&name);
        let ty = match ty {
            Some(t) => self.parse_type(&t)?,
            None => return Err(self.missing("TYPE", "QUALIFIER.DECLARATION")),
        };
        let mut is_array = match isarray {
            Some(v) => self.parse_bool_attr("ISARRAY", &v)?,
            None => false,
        };
        let array_size = match arraysize {
            Some(v) => Some(self.parse_u32_attr("ARRAYSIZE", &v)?),
            None => None,
        };
        const N: [&str; 4] = ["OVERRIDABLE", "TOSUBCLASS", "TOINSTANCE", "TRANSLATABLE"];
        let mut b = [None; 4];
        for i in 0..4 {
            if let Some(v) = &bools[i] {
                b[i] = Some(self.parse_bool_attr(N[i], v)?);
            }
        }
        let flavor = Flavor {
            overridable: b[0],
            tosubclass: b[1],
            toinstance: b[2],
            translatable: b[3],
        };
        let mut scope = None;
        let mut value = None;
        let mut seen_value = false;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"SCOPE" if scope.is_none() && !seen_value => {
                    let mut s = Scope::default();
                    let mut bad = None;
                    self.attrs(&c, |k, v| {
                        let flag = v.trim().eq_ignore_ascii_case("true");
                        if !flag && !v.trim().eq_ignore_ascii_case("false") {
                            bad = Some(String::from_utf8_lossy(k).into_owned());
                        }
                        match k {
                            b"CLASS" => s.class = flag,
                            b"ASSOCIATION" => s.association = flag,
                            b"REFERENCE" => s.reference = flag,
                            b"PROPERTY" => s.property = flag,
                            b"METHOD" => s.method = flag,
                            b"PARAMETER" => s.parameter = flag,
                            b"INDICATION" => s.indication = flag,
                            _ => {}
                        }
                        Ok(())
                    })?;
                    if let Some(b) = bad {
                        return Err(
                            self.structure(format!("SCOPE attribute {b} must be true or false"))
                        );
                    }
                    self.end()?;
                    scope = Some(s);
                }
                b"VALUE" if !seen_value => {
                    seen_value = true;
                    value = self.value_elem(ty, None)?;
                }
                b"VALUE.ARRAY" if !seen_value => {
                    seen_value = true;
                    is_array = true;
                    value = Some(CimValue::Array(Box::new(self.value_array(ty, None)?)));
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(QualifierDecl {
            name,
            cim_type: ty,
            is_array,
            array_size,
            value,
            scope,
            flavor,
        })
    }

    /// PROPERTY, PROPERTY.ARRAY or PROPERTY.REFERENCE (just opened).
    fn property(&mut self, e: &BytesStart<'a>, kind: PropKind) -> R<Property> {
        let mut name = None;
        let mut ty = None;
        let mut class_origin = None;
        let mut propagated = None;
        let mut embedded = None;
        let mut refclass = None;
        let mut arraysize = None;
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"TYPE" => ty = Some(v),
                b"CLASSORIGIN" => class_origin = Some(v),
                b"PROPAGATED" => propagated = Some(v),
                b"EmbeddedObject" | b"EMBEDDEDOBJECT" => embedded = Some(v),
                b"REFERENCECLASS" => refclass = Some(v),
                b"ARRAYSIZE" => arraysize = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let elem = match kind {
            PropKind::Scalar => "PROPERTY",
            PropKind::Array => "PROPERTY.ARRAY",
            PropKind::Reference => "PROPERTY.REFERENCE",
        };
        let name = name.ok_or_else(|| self.missing("NAME", elem))?;
        let name = self.name(&name);
        let cim_type = match (kind, ty) {
            (PropKind::Reference, _) => CimType::Reference,
            (_, Some(t)) => self.parse_type(&t)?,
            (_, None) => CimType::String,
        };
        if cim_type == CimType::Reference && kind != PropKind::Reference {
            return Err(self.structure(format!("{elem} cannot have TYPE reference")));
        }
        let propagated = match propagated {
            Some(v) => Some(self.parse_bool_attr("PROPAGATED", &v)?),
            None => None,
        };
        let embedded = match embedded {
            Some(v) => self.parse_embedded_attr(&v)?,
            None => None,
        };
        let mut extra: Option<Box<PropertyExtra>> = None;
        if let Some(co) = class_origin {
            extra.get_or_insert_with(Default::default).class_origin = Some(self.name(&co));
        }
        if let Some(rc) = refclass {
            extra.get_or_insert_with(Default::default).reference_class = Some(self.name(&rc));
        }
        if let Some(a) = arraysize {
            let n = self.parse_u32_attr("ARRAYSIZE", &a)?;
            extra.get_or_insert_with(Default::default).array_size = Some(n);
        }
        let mut value = None;
        let mut seen_value = false;
        while let Some(c) = self.child()? {
            match (kind, c.name().as_ref()) {
                (_, b"QUALIFIER") if !seen_value => {
                    let q = self.qualifier(&c)?;
                    extra
                        .get_or_insert_with(Default::default)
                        .qualifiers
                        .push(q);
                }
                (PropKind::Scalar, b"VALUE") if !seen_value => {
                    seen_value = true;
                    value = self.value_elem(cim_type, embedded)?;
                }
                (PropKind::Array, b"VALUE.ARRAY") if !seen_value => {
                    seen_value = true;
                    value = Some(CimValue::Array(Box::new(
                        self.value_array(cim_type, embedded)?,
                    )));
                }
                (PropKind::Reference, b"VALUE.REFERENCE") if !seen_value => {
                    seen_value = true;
                    value = Some(CimValue::Reference(Box::new(self.value_reference(false)?)));
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(Property {
            name,
            value,
            cim_type,
            is_array: kind == PropKind::Array,
            embedded: if cim_type == CimType::String {
                embedded
            } else {
                None
            },
            propagated,
            extra,
        })
    }

    /// INSTANCE (just opened).
    pub(super) fn instance(&mut self, e: &BytesStart<'a>) -> R<Instance> {
        let mut cn = None;
        self.attrs(e, |k, v| {
            if k == b"CLASSNAME" {
                cn = Some(v);
            }
            Ok(())
        })?;
        let cn = cn.ok_or_else(|| self.missing("CLASSNAME", "INSTANCE"))?;
        let class_name = self.name(&cn);
        let mut qualifiers = Vec::new();
        // Sized like the previous instance: documents mostly repeat one class.
        let mut properties: Vec<Property> = Vec::with_capacity(self.last_props);
        loop {
            if let Some(p) = self.fast_property() {
                properties.push(p);
                continue;
            }
            let Some(c) = self.child()? else { break };
            let p = match c.name().as_ref() {
                b"PROPERTY" => self.property(&c, PropKind::Scalar)?,
                b"PROPERTY.ARRAY" => self.property(&c, PropKind::Array)?,
                b"PROPERTY.REFERENCE" => self.property(&c, PropKind::Reference)?,
                b"QUALIFIER" if properties.is_empty() => {
                    qualifiers.push(self.qualifier(&c)?);
                    continue;
                }
                _ => return Err(self.unexpected(&c)),
            };
            properties.push(p);
        }
        if let Some(dup) = duplicate_property(&properties) {
            // DSP0201: an INSTANCE carries each property once; keeping either value would
            // silently lose the other.
            return Err(self.structure(format!(
                "PROPERTY '{dup}' appears more than once in INSTANCE"
            )));
        }
        self.last_props = properties.len();
        if properties.capacity() > properties.len() {
            properties.shrink_to_fit();
        }
        Ok(Instance {
            class_name,
            properties,
            path: None,
            qualifiers,
        })
    }

    /// CLASS (just opened).
    pub(super) fn class(&mut self, e: &BytesStart<'a>) -> R<CimClass> {
        let mut name = None;
        let mut sup = None;
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"SUPERCLASS" => sup = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "CLASS"))?;
        let mut class = CimClass::new(self.name(&name));
        class.superclass = sup.filter(|s| !s.is_empty()).map(|s| self.name(&s));
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"QUALIFIER" if class.properties.is_empty() && class.methods.is_empty() => {
                    class.qualifiers.push(self.qualifier(&c)?)
                }
                b"PROPERTY" if class.methods.is_empty() => {
                    class.properties.push(self.property(&c, PropKind::Scalar)?)
                }
                b"PROPERTY.ARRAY" if class.methods.is_empty() => {
                    class.properties.push(self.property(&c, PropKind::Array)?)
                }
                b"PROPERTY.REFERENCE" if class.methods.is_empty() => class
                    .properties
                    .push(self.property(&c, PropKind::Reference)?),
                b"METHOD" => class.methods.push(self.method(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(class)
    }

    /// METHOD (just opened).
    fn method(&mut self, e: &BytesStart<'a>) -> R<Method> {
        let mut name = None;
        let mut ty = None;
        let mut co = None;
        let mut prop = None;
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"TYPE" => ty = Some(v),
                b"CLASSORIGIN" => co = Some(v),
                b"PROPAGATED" => prop = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "METHOD"))?;
        let mut m = Method {
            name: self.name(&name),
            return_type: None,
            parameters: Vec::new(),
            qualifiers: Vec::new(),
            class_origin: co.map(|c| self.name(&c)),
            propagated: None,
        };
        if let Some(t) = ty {
            m.return_type = Some(self.parse_type(&t)?);
        }
        if let Some(p) = prop {
            m.propagated = Some(self.parse_bool_attr("PROPAGATED", &p)?);
        }
        while let Some(c) = self.child()? {
            let (is_ref, is_array) = match c.name().as_ref() {
                b"QUALIFIER" if m.parameters.is_empty() => {
                    m.qualifiers.push(self.qualifier(&c)?);
                    continue;
                }
                b"PARAMETER" => (false, false),
                b"PARAMETER.ARRAY" => (false, true),
                b"PARAMETER.REFERENCE" => (true, false),
                b"PARAMETER.REFARRAY" => (true, true),
                _ => return Err(self.unexpected(&c)),
            };
            m.parameters.push(self.parameter(&c, is_ref, is_array)?);
        }
        Ok(m)
    }

    fn parameter(&mut self, e: &BytesStart<'a>, is_ref: bool, is_array: bool) -> R<Parameter> {
        let mut name = None;
        let mut ty = None;
        let mut rc = None;
        let mut size = None;
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"TYPE" => ty = Some(v),
                b"REFERENCECLASS" => rc = Some(v),
                b"ARRAYSIZE" => size = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let name = name.ok_or_else(|| self.missing("NAME", "PARAMETER"))?;
        let cim_type = if is_ref {
            CimType::Reference
        } else {
            match ty {
                Some(t) => self.parse_type(&t)?,
                None => return Err(self.missing("TYPE", "PARAMETER")),
            }
        };
        let mut p = Parameter::new(self.name(&name), cim_type, is_array);
        p.reference_class = rc.filter(|s| !s.is_empty()).map(|s| self.name(&s));
        if let Some(s) = size {
            p.array_size = Some(self.parse_u32_attr("ARRAYSIZE", &s)?);
        }
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"QUALIFIER" => p.qualifiers.push(self.qualifier(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(p)
    }

    /// VALUE.NAMEDINSTANCE (just opened): INSTANCENAME then INSTANCE.
    pub(super) fn named_instance(&mut self) -> R<Instance> {
        let mut path = None;
        let mut inst = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"INSTANCENAME" if path.is_none() => path = Some(self.instance_name(&c)?),
                b"INSTANCE" if path.is_some() && inst.is_none() => inst = Some(self.instance(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (path, inst) {
            (Some(p), Some(mut i)) => {
                i.path = Some(p);
                Ok(i)
            }
            _ => Err(self.structure("VALUE.NAMEDINSTANCE needs INSTANCENAME and INSTANCE")),
        }
    }

    /// VALUE.INSTANCEWITHPATH (just opened): INSTANCEPATH then INSTANCE.
    pub(super) fn instance_with_path(&mut self) -> R<Instance> {
        let mut path = None;
        let mut inst = None;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"INSTANCEPATH" if path.is_none() => path = Some(self.instance_path()?),
                b"INSTANCE" if path.is_some() && inst.is_none() => inst = Some(self.instance(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (path, inst) {
            (Some(p), Some(mut i)) => {
                i.path = Some(p);
                Ok(i)
            }
            _ => Err(self.structure("VALUE.INSTANCEWITHPATH needs INSTANCEPATH and INSTANCE")),
        }
    }

    /// VALUE.OBJECTWITHPATH or VALUE.OBJECTWITHLOCALPATH (just opened).
    pub(super) fn object_with_path(&mut self, local: bool) -> R<CimObject> {
        let mut path: Option<ObjectPath> = None;
        let mut obj = None;
        while let Some(c) = self.child()? {
            match (local, c.name().as_ref()) {
                (false, b"INSTANCEPATH") if path.is_none() => path = Some(self.instance_path()?),
                (false, b"CLASSPATH") if path.is_none() => path = Some(self.class_path()?),
                (true, b"LOCALINSTANCEPATH") if path.is_none() => {
                    path = Some(self.local_instance_path()?)
                }
                (true, b"LOCALCLASSPATH") if path.is_none() => {
                    path = Some(self.local_class_path()?)
                }
                (_, b"INSTANCE")
                    if obj.is_none()
                        && path.as_ref().is_some_and(|p| p.kind == PathKind::Instance) =>
                {
                    obj = Some(CimObject::Instance(self.instance(&c)?))
                }
                (_, b"CLASS")
                    if obj.is_none()
                        && path.as_ref().is_some_and(|p| p.kind == PathKind::Class) =>
                {
                    obj = Some(CimObject::Class(self.class(&c)?))
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        match (path, obj) {
            (Some(p), Some(CimObject::Instance(mut i))) => {
                i.path = Some(p);
                Ok(CimObject::Instance(i))
            }
            (Some(p), Some(CimObject::Class(mut c))) => {
                c.path = Some(p);
                Ok(CimObject::Class(c))
            }
            _ => Err(self.structure("object with path needs a path and an object")),
        }
    }

    /// VALUE.OBJECT (just opened): CLASS or INSTANCE.
    pub(super) fn value_object(&mut self) -> R<CimObject> {
        let c = match self.child()? {
            Some(c) => c,
            None => return Err(self.structure("empty VALUE.OBJECT")),
        };
        let o = match c.name().as_ref() {
            b"INSTANCE" => CimObject::Instance(self.instance(&c)?),
            b"CLASS" => CimObject::Class(self.class(&c)?),
            _ => return Err(self.unexpected(&c)),
        };
        self.end()?;
        Ok(o)
    }

    /// A document whose root is INSTANCE or CLASS (embedded objects).
    pub(crate) fn object_document(&mut self) -> R<CimObject> {
        let root = self.root()?;
        match root.name().as_ref() {
            b"INSTANCE" => Ok(CimObject::Instance(self.instance(&root)?)),
            b"CLASS" => Ok(CimObject::Class(self.class(&root)?)),
            _ => Err(self.unexpected(&root)),
        }
    }
}
