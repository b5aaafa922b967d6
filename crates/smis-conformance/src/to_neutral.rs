//! smis typed results → the neutral JSON form of the conformance cases (README "Neutral
//! JSON form"), so they can be compared with `result_neutral` / `pullresult_neutral`.

use serde_json::{Map, Value as J, json};
use smis::cim::{
    CimClass, CimType, CimValue, Flavor, Instance, Method, ObjectPath, Parameter, PathKind,
    Property, Qualifier, QualifierDecl,
};
use smis::message::{CimObject, MethodReturn};

fn opt_name<T: AsRef<str>>(n: Option<T>) -> J {
    n.map(|s| J::String(s.as_ref().to_string()))
        .unwrap_or(J::Null)
}

fn real(ty: CimType, text: String) -> J {
    let v = match text.parse::<f64>() {
        Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
            .map(J::Number)
            .unwrap_or(J::String(text)),
        Ok(f) if f.is_nan() => J::String("NaN".into()),
        Ok(f) if f > 0.0 => J::String("INF".into()),
        Ok(_) => J::String("-INF".into()),
        Err(_) => J::String(text),
    };
    json!({"cimtype": ty.as_str(), "value": v})
}

/// A CIM value (typed numbers as `{"cimtype", "value"}`).
pub fn value(v: &CimValue) -> J {
    match v {
        CimValue::Boolean(b) => J::Bool(*b),
        CimValue::String(s) => J::String(s.clone()),
        CimValue::Char16(c) => json!({"cimtype": "char16", "value": c.to_string()}),
        CimValue::Uint8(n) => json!({"cimtype": "uint8", "value": n}),
        CimValue::Sint8(n) => json!({"cimtype": "sint8", "value": n}),
        CimValue::Uint16(n) => json!({"cimtype": "uint16", "value": n}),
        CimValue::Sint16(n) => json!({"cimtype": "sint16", "value": n}),
        CimValue::Uint32(n) => json!({"cimtype": "uint32", "value": n}),
        CimValue::Sint32(n) => json!({"cimtype": "sint32", "value": n}),
        CimValue::Uint64(n) => json!({"cimtype": "uint64", "value": n}),
        CimValue::Sint64(n) => json!({"cimtype": "sint64", "value": n}),
        // Shortest text form, so that a real32 1.1 compares equal to 1.1.
        CimValue::Real32(f) => real(CimType::Real32, f.to_string()),
        CimValue::Real64(f) => real(CimType::Real64, f.to_string()),
        CimValue::DateTime(d) => json!({
            "cimtype": "datetime", "value": d.as_str(), "is_interval": d.is_interval()
        }),
        CimValue::Reference(p) => path(p),
        CimValue::Instance(i) => instance(i),
        CimValue::Class(c) => class(c),
        CimValue::Array(a) => J::Array(a.items.iter().map(opt_value).collect()),
    }
}

/// An optional value (None is JSON null).
pub fn opt_value(v: &Option<CimValue>) -> J {
    v.as_ref().map(value).unwrap_or(J::Null)
}

/// A key binding value: plain numbers, strings, booleans, paths.
fn key_value(v: &CimValue) -> J {
    match v {
        CimValue::Real32(_) | CimValue::Real64(_) | CimValue::Char16(_) | CimValue::DateTime(_) => {
            value(v).get("value").cloned().unwrap_or(J::Null)
        }
        _ => match v.as_i128() {
            Some(i) => serde_json::to_value(i as i64).unwrap_or(J::Null),
            None => value(v),
        },
    }
}

/// A `CIMInstanceName` or `CIMClassName`.
pub fn path(p: &ObjectPath) -> J {
    let mut m = Map::new();
    let is_class = p.kind == PathKind::Class;
    m.insert(
        "_class".into(),
        J::String(
            if is_class {
                "CIMClassName"
            } else {
                "CIMInstanceName"
            }
            .into(),
        ),
    );
    m.insert("classname".into(), J::String(p.class_name.as_str().into()));
    m.insert("namespace".into(), opt_name(p.namespace.as_deref()));
    m.insert("host".into(), opt_name(p.host.as_deref()));
    if !is_class {
        let kb: Map<String, J> = p
            .keys
            .iter()
            .map(|k| (k.name.as_str().to_string(), key_value(&k.value)))
            .collect();
        m.insert("keybindings".into(), J::Object(kb));
    }
    J::Object(m)
}

fn flavor(m: &mut Map<String, J>, f: &Flavor) {
    // DSP0201 defaults (as the reference client applies them).
    m.insert("overridable".into(), J::Bool(f.overridable.unwrap_or(true)));
    m.insert("tosubclass".into(), J::Bool(f.tosubclass.unwrap_or(true)));
    m.insert("toinstance".into(), J::Bool(f.toinstance.unwrap_or(false)));
    m.insert(
        "translatable".into(),
        J::Bool(f.translatable.unwrap_or(false)),
    );
}

/// A `CIMQualifier`.
pub fn qualifier(q: &Qualifier) -> J {
    let mut m = Map::new();
    m.insert("_class".into(), "CIMQualifier".into());
    m.insert("name".into(), q.name.as_str().into());
    m.insert("type".into(), q.cim_type.as_str().into());
    m.insert("value".into(), plain(&q.value));
    m.insert("propagated".into(), J::Bool(q.propagated.unwrap_or(false)));
    flavor(&mut m, &q.flavor);
    J::Object(m)
}

fn qualifiers(qs: &[Qualifier]) -> J {
    J::Object(
        qs.iter()
            .map(|q| (q.name.as_str().to_string(), qualifier(q)))
            .collect(),
    )
}

/// A value as a member of a typed container (property, qualifier): numbers plain.
fn plain(v: &Option<CimValue>) -> J {
    fn unwrap(j: J) -> J {
        match j {
            J::Object(m)
                if m.contains_key("cimtype") && m.get("cimtype") != Some(&"datetime".into()) =>
            {
                m.get("value").cloned().unwrap_or(J::Null)
            }
            J::Array(items) => J::Array(items.into_iter().map(unwrap).collect()),
            other => other,
        }
    }
    unwrap(opt_value(v))
}

/// A `CIMProperty`.
pub fn property(p: &Property) -> J {
    let mut m = Map::new();
    m.insert("_class".into(), "CIMProperty".into());
    m.insert("name".into(), p.name.as_str().into());
    m.insert("type".into(), p.cim_type.as_str().into());
    m.insert("value".into(), plain(&p.value));
    m.insert("is_array".into(), J::Bool(p.is_array));
    m.insert(
        "array_size".into(),
        p.array_size().map(J::from).unwrap_or(J::Null),
    );
    m.insert("reference_class".into(), opt_name(p.reference_class()));
    m.insert(
        "embedded_object".into(),
        opt_name(p.embedded.map(|e| e.as_str())),
    );
    m.insert("class_origin".into(), opt_name(p.class_origin()));
    m.insert("propagated".into(), J::Bool(p.propagated.unwrap_or(false)));
    m.insert("qualifiers".into(), qualifiers(p.qualifiers()));
    J::Object(m)
}

fn properties(ps: &[Property]) -> J {
    J::Object(
        ps.iter()
            .map(|p| (p.name.as_str().to_string(), property(p)))
            .collect(),
    )
}

/// A `CIMInstance`.
pub fn instance(i: &Instance) -> J {
    json!({
        "_class": "CIMInstance",
        "classname": i.class_name.as_str(),
        "path": i.path.as_ref().map(path).unwrap_or(J::Null),
        "properties": properties(&i.properties),
        "qualifiers": qualifiers(&i.qualifiers),
    })
}

/// A `CIMParameter` (declaration).
pub fn parameter(p: &Parameter) -> J {
    json!({
        "_class": "CIMParameter",
        "name": p.name.as_str(),
        "type": p.cim_type.as_str(),
        "is_array": p.is_array,
        "array_size": p.array_size,
        "reference_class": opt_name(p.reference_class.as_ref()),
        "qualifiers": qualifiers(&p.qualifiers),
    })
}

/// A `CIMMethod`.
pub fn method(me: &Method) -> J {
    json!({
        "_class": "CIMMethod",
        "name": me.name.as_str(),
        "return_type": opt_name(me.return_type.map(|t| t.as_str())),
        "parameters": J::Object(me.parameters.iter().map(|p| (p.name.as_str().to_string(), parameter(p))).collect()),
        "class_origin": opt_name(me.class_origin.as_ref()),
        "propagated": me.propagated.unwrap_or(false),
        "qualifiers": qualifiers(&me.qualifiers),
    })
}

/// A `CIMClass`.
pub fn class(c: &CimClass) -> J {
    json!({
        "_class": "CIMClass",
        "classname": c.name.as_str(),
        "superclass": opt_name(c.superclass.as_ref()),
        "path": c.path.as_ref().map(path).unwrap_or(J::Null),
        "properties": properties(&c.properties),
        "methods": J::Object(c.methods.iter().map(|m| (m.name.as_str().to_string(), method(m))).collect()),
        "qualifiers": qualifiers(&c.qualifiers),
    })
}

/// A `CIMQualifierDeclaration`.
pub fn qualifier_decl(q: &QualifierDecl) -> J {
    let mut m = Map::new();
    m.insert("_class".into(), "CIMQualifierDeclaration".into());
    m.insert("name".into(), q.name.as_str().into());
    m.insert("type".into(), q.cim_type.as_str().into());
    m.insert("value".into(), plain(&q.value));
    m.insert("is_array".into(), J::Bool(q.is_array));
    m.insert(
        "array_size".into(),
        q.array_size.map(J::from).unwrap_or(J::Null),
    );
    let mut scopes = Map::new();
    if let Some(s) = &q.scope {
        for (k, on) in [
            ("class", s.class),
            ("association", s.association),
            ("reference", s.reference),
            ("property", s.property),
            ("method", s.method),
            ("parameter", s.parameter),
            ("indication", s.indication),
        ] {
            if on {
                scopes.insert(k.into(), J::Bool(true));
            }
        }
    }
    m.insert("scopes".into(), J::Object(scopes));
    flavor(&mut m, &q.flavor);
    J::Object(m)
}

/// An object of Associators/References/ExecQuery: an instance, or for classes the
/// reference client's `(CIMClassName, CIMClass)` tuple.
pub fn object(o: &CimObject) -> J {
    match o {
        CimObject::Instance(i) => instance(i),
        CimObject::Class(c) => match &c.path {
            Some(p) => J::Array(vec![path(p), class(c)]),
            None => class(c),
        },
    }
}

/// InvokeMethod's `(return value, {out parameter: value})`.
pub fn method_return(r: &MethodReturn) -> J {
    let outs: Map<String, J> = r
        .out_params
        .iter()
        .map(|p| (p.name.as_str().to_string(), opt_value(&p.value)))
        .collect();
    J::Array(vec![opt_value(&r.return_value), J::Object(outs)])
}
