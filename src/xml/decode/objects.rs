//! Qualifiers, properties, instances, classes, methods and the object-with-path forms.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::core::{Parser, R};
use crate::cim::{
    CimClass, CimName, CimType, CimValue, Flavor, Instance, Method, ObjectPath, Parameter,
    PathKind, Property, PropertyExtra, Qualifier, QualifierDecl, Scope,
};
use crate::message::CimObject;

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

/// Which property element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PropKind {
    Scalar,
    Array,
    Reference,
}

impl<'a> Parser<'a> {
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
