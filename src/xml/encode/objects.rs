//! Object paths, qualifiers, properties, instances, classes and qualifier declarations.

use super::EncodeError;
use super::core::{R, Writer, bool_str, scalar_text};
use crate::cim::{
    CimClass, CimType, CimValue, Instance, KeyBinding, Method, ObjectPath, Parameter, PathKind,
    Property, Qualifier, QualifierDecl,
};

impl Writer {
    // ---------------------------------------------------------------- paths

    pub(super) fn local_namespace_path(&mut self, ns: &str) -> R {
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

    pub(super) fn namespace_path(&mut self, host: &str, ns: &str) -> R {
        self.raw("<NAMESPACEPATH><HOST>");
        self.text(host)?;
        self.raw("</HOST>");
        self.local_namespace_path(ns)?;
        self.raw("</NAMESPACEPATH>");
        Ok(())
    }

    pub(super) fn require_ns<'a>(&self, p: &'a ObjectPath) -> Result<&'a str, EncodeError> {
        match p.namespace.as_deref() {
            Some(ns) if !ns.trim_matches('/').is_empty() => Ok(ns),
            _ => Err(self.err(format!("path of {} has no namespace", p.class_name))),
        }
    }

    pub(super) fn class_name_elem(&mut self, name: &str) -> R {
        self.raw("<CLASSNAME");
        self.name_attr("NAME", name)?;
        self.raw("/>");
        Ok(())
    }

    pub(super) fn instance_name(&mut self, p: &ObjectPath) -> R {
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

    pub(super) fn key_binding(&mut self, k: &KeyBinding) -> R {
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
    pub(super) fn instance_path(&mut self, p: &ObjectPath) -> R {
        let ns = self.require_ns(p)?;
        self.raw("<INSTANCEPATH>");
        self.namespace_path(p.host.as_deref().unwrap_or("localhost"), ns)?;
        self.instance_name(p)?;
        self.raw("</INSTANCEPATH>");
        Ok(())
    }

    /// CLASSPATH (host defaults to `localhost` when the path has none).
    pub(super) fn class_path(&mut self, p: &ObjectPath) -> R {
        let ns = self.require_ns(p)?;
        self.raw("<CLASSPATH>");
        self.namespace_path(p.host.as_deref().unwrap_or("localhost"), ns)?;
        self.class_name_elem(p.class_name.as_str())?;
        self.raw("</CLASSPATH>");
        Ok(())
    }

    /// The most local path form that keeps what the path carries.
    pub(super) fn path_any(&mut self, p: &ObjectPath) -> R {
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

    pub(super) fn value_reference(&mut self, p: &ObjectPath) -> R {
        self.raw("<VALUE.REFERENCE>");
        self.path_any(p)?;
        self.raw("</VALUE.REFERENCE>");
        Ok(())
    }

    /// INSTANCENAME or CLASSNAME, without namespace (intrinsic ObjectName parameters).
    pub(super) fn object_name_elem(&mut self, p: &ObjectPath) -> R {
        match p.kind {
            PathKind::Instance => self.instance_name(p),
            PathKind::Class => self.class_name_elem(p.class_name.as_str()),
        }
    }

    // ---------------------------------------------------------------- objects

    pub(super) fn qualifier(&mut self, q: &Qualifier) -> R {
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

    pub(super) fn qualifiers(&mut self, qs: &[Qualifier]) -> R {
        for q in qs {
            self.qualifier(q)?;
        }
        Ok(())
    }

    pub(super) fn property(&mut self, p: &Property) -> R {
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

    pub(super) fn instance(&mut self, inst: &Instance) -> R {
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

    pub(super) fn parameter(&mut self, p: &Parameter) -> R {
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

    pub(super) fn method(&mut self, m: &Method) -> R {
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

    pub(super) fn class(&mut self, c: &CimClass) -> R {
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

    pub(super) fn qualifier_decl(&mut self, d: &QualifierDecl) -> R {
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

    pub(super) fn named_instance(&mut self, inst: &Instance) -> R {
        let Some(p) = &inst.path else {
            return Err(self.err(format!("instance of {} has no path", inst.class_name)));
        };
        self.raw("<VALUE.NAMEDINSTANCE>");
        self.instance_name(p)?;
        self.instance(inst)?;
        self.raw("</VALUE.NAMEDINSTANCE>");
        Ok(())
    }

    pub(super) fn instance_with_path(&mut self, inst: &Instance) -> R {
        let Some(p) = &inst.path else {
            return Err(self.err(format!("instance of {} has no path", inst.class_name)));
        };
        self.raw("<VALUE.INSTANCEWITHPATH>");
        self.instance_path(p)?;
        self.instance(inst)?;
        self.raw("</VALUE.INSTANCEWITHPATH>");
        Ok(())
    }
}
