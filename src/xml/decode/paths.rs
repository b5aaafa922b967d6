//! Namespaces, key bindings and object paths (DSP0201 §3.2.4: NAMESPACEPATH,
//! INSTANCENAME, INSTANCEPATH, CLASSPATH, VALUE.REFERENCE, OBJECTPATH).

use quick_xml::events::BytesStart;

use super::core::{Parser, R};
use crate::cim::{CimName, CimType, CimValue, KeyBinding, ObjectPath, PathKind, untyped_number};
use crate::xml::DecodeErrorKind;

impl<'a> Parser<'a> {
    /// NAMESPACE (just opened): its NAME.
    pub(super) fn namespace_elem(&mut self, e: &BytesStart<'a>) -> R<String> {
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
    pub(super) fn namespace_path(&mut self) -> R<(String, String)> {
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
    pub(super) fn key_value(&mut self, e: &BytesStart<'a>) -> R<CimValue> {
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
}
