//! The JSON output of `smis --output json`: one documented, stable shape.
//!
//! # Values
//!
//! Every CIM value carries its type, so that a consumer never has to guess:
//!
//! | CIM value | JSON |
//! |---|---|
//! | scalar | `{"type": "uint16", "value": 5}` |
//! | array | `{"type": "uint16", "array": true, "value": [2, 17]}` |
//! | NULL | `{"type": "string", "value": null}` (arrays: `"array": true` too) |
//! | reference | `{"type": "reference", "value": "<WBEM URI>"}` |
//! | embedded instance | `{"type": "string", "embedded": "instance", "value": {instance}}` |
//! | embedded class | `{"type": "string", "embedded": "object", "value": {class}}` |
//!
//! Scalars: `boolean` → JSON boolean; integers → JSON numbers (exact, 64-bit); `real32`/
//! `real64` → JSON numbers, except infinities and NaN, which are the strings `"INF"`,
//! `"-INF"` and `"NaN"`; `string`, `char16` and `datetime` (DMTF format, e.g.
//! `20240102030405.000000+000`) → JSON strings. Array elements that are NULL are `null`.
//!
//! # Objects
//!
//! - an instance: `{"class": "CIM_StorageVolume", "path": "<WBEM URI>" | null,
//!   "properties": {"Name": value, ...}}` — properties in the order the server sent them;
//! - a path: `{"path": "<WBEM URI>"}`;
//! - a class: `{"class": "Name", "superclass": "Super" | null, "properties": {"Name":
//!   {"type": ..., "array": bool, "value": ... | null, "key": bool}}, "methods": {"Name":
//!   {"return_type": "uint32", "parameters": [{"name", "type", "array", "in", "out",
//!   "reference_class"}]}}}`;
//! - a class name (`classes --names`): `{"class": "Name"}`;
//! - a method result (`invoke`): `{"return_value": value | null, "out": {"Name": value}}`;
//! - lists are JSON arrays of the above; a WBEM URI is what `ObjectPath::to_string()` writes
//!   and what every `PATH` argument of `smis` accepts.
//!
//! SMI-S commands:
//!
//! - `profiles`, `systems`, `pools`, `volumes`: lists of instances (shape above);
//! - `job show`, `job wait`: the job instance;
//! - `clone`: `{"source": URI, "method": "CreateElementReplica", "sync_type": 8|7,
//!   "mode": 2|3, "return_value": 0|4096, "job": URI|null, "job_state": 7|null,
//!   "target": URI|null}` (plain JSON scalars, not typed values);
//! - `create-child-pool`: `{"method": "CreateChildResourcePool", "return_value": 0|4096,
//!   "job": URI|null, "job_state": 7|null, "pool": URI|null}`;
//! - `demo`: a summary object (`"result": "ok"`, counts, paths and the StorageService codes
//!   of the two failure paths).
//!
//! `decode` wraps these shapes in a message object (see `decode.rs`).

use serde_json::{Map, Value, json};
use smis::cim::{CimClass, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, Property};
use smis::message::{MethodReturn, ParamValue};

/// A scalar (not an array) as a plain JSON value (no type wrapper).
pub fn scalar(v: &CimValue) -> Value {
    match v {
        CimValue::Boolean(b) => json!(b),
        CimValue::String(s) => json!(s),
        CimValue::Char16(c) => json!(c.to_string()),
        CimValue::Uint8(n) => json!(n),
        CimValue::Sint8(n) => json!(n),
        CimValue::Uint16(n) => json!(n),
        CimValue::Sint16(n) => json!(n),
        CimValue::Uint32(n) => json!(n),
        CimValue::Sint32(n) => json!(n),
        CimValue::Uint64(n) => json!(n),
        CimValue::Sint64(n) => json!(n),
        CimValue::Real32(f) => real(f64::from(*f)),
        CimValue::Real64(f) => real(*f),
        CimValue::DateTime(d) => json!(d.to_string()),
        CimValue::Reference(p) => json!(p.to_string()),
        CimValue::Instance(i) => instance(i),
        CimValue::Class(c) => class(c),
        CimValue::Array(a) => Value::Array(
            a.items
                .iter()
                .map(|i| i.as_ref().map(scalar).unwrap_or(Value::Null))
                .collect(),
        ),
    }
}

fn real(f: f64) -> Value {
    if f.is_nan() {
        json!("NaN")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "INF" } else { "-INF" })
    } else {
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

fn embedded_of(v: &CimValue) -> Option<EmbeddedKind> {
    match v {
        CimValue::Instance(_) => Some(EmbeddedKind::Instance),
        CimValue::Class(_) => Some(EmbeddedKind::Object),
        CimValue::Array(a) => a.items.iter().flatten().find_map(embedded_of),
        _ => None,
    }
}

/// A typed value: `{"type", ["array"], ["embedded"], "value"}`.
pub fn typed(
    v: Option<&CimValue>,
    ty: CimType,
    is_array: bool,
    embedded: Option<EmbeddedKind>,
) -> Value {
    let mut m = Map::new();
    let ty = v.map(|v| v.cim_type()).unwrap_or(ty);
    let is_array = v.map(|v| v.is_array()).unwrap_or(is_array);
    let embedded = v.and_then(embedded_of).or(embedded);
    m.insert("type".into(), json!(ty.as_str()));
    if is_array {
        m.insert("array".into(), json!(true));
    }
    if let Some(e) = embedded {
        m.insert(
            "embedded".into(),
            json!(match e {
                EmbeddedKind::Instance => "instance",
                EmbeddedKind::Object => "object",
            }),
        );
    }
    m.insert("value".into(), v.map(scalar).unwrap_or(Value::Null));
    Value::Object(m)
}

/// A value of known content.
pub fn value(v: &CimValue) -> Value {
    typed(Some(v), v.cim_type(), v.is_array(), None)
}

/// A property's value.
pub fn property(p: &Property) -> Value {
    typed(p.value.as_ref(), p.cim_type, p.is_array, p.embedded)
}

/// An instance.
pub fn instance(i: &Instance) -> Value {
    let mut props = Map::new();
    for p in &i.properties {
        props.insert(p.name.as_str().to_string(), property(p));
    }
    json!({
        "class": i.class_name.as_str(),
        "path": i.path.as_ref().map(|p| p.to_string()),
        "properties": props,
    })
}

/// A path.
pub fn path(p: &ObjectPath) -> Value {
    json!({ "path": p.to_string() })
}

/// A class.
pub fn class(c: &CimClass) -> Value {
    let mut props = Map::new();
    for p in &c.properties {
        let mut v = property(p);
        if let Value::Object(m) = &mut v {
            m.insert("key".into(), json!(p.is_key()));
            if let Some(rc) = p.reference_class() {
                m.insert("reference_class".into(), json!(rc.as_str()));
            }
        }
        props.insert(p.name.as_str().to_string(), v);
    }
    let mut methods = Map::new();
    for m in &c.methods {
        let params: Vec<Value> = m
            .parameters
            .iter()
            .map(|p| {
                json!({
                    "name": p.name.as_str(),
                    "type": p.cim_type.as_str(),
                    "array": p.is_array,
                    "in": p.is_in(),
                    "out": p.is_out(),
                    "reference_class": p.reference_class.as_ref().map(|r| r.as_str()),
                })
            })
            .collect();
        methods.insert(
            m.name.as_str().to_string(),
            json!({
                "return_type": m.return_type.map(|t| t.as_str()),
                "parameters": params,
            }),
        );
    }
    json!({
        "class": c.name.as_str(),
        "superclass": c.superclass.as_ref().map(|s| s.as_str()),
        "properties": props,
        "methods": methods,
    })
}

/// A parameter value (method in/out parameters).
pub fn param(p: &ParamValue) -> Value {
    typed(
        p.value.as_ref(),
        p.cim_type.unwrap_or(CimType::String),
        false,
        p.embedded,
    )
}

/// A method result.
pub fn method_return(r: &MethodReturn) -> Value {
    let mut out = Map::new();
    for p in &r.out_params {
        out.insert(p.name.as_str().to_string(), param(p));
    }
    json!({
        "return_value": r.return_value.as_ref().map(value).unwrap_or(Value::Null),
        "out": out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use smis::cim::CimArray;

    #[test]
    fn shapes() {
        assert_eq!(
            value(&CimValue::Uint16(5)),
            json!({"type": "uint16", "value": 5})
        );
        let arr = CimValue::Array(Box::new(CimArray::new(
            CimType::Uint16,
            vec![Some(CimValue::Uint16(2)), Some(CimValue::Uint16(17))],
        )));
        assert_eq!(
            value(&arr),
            json!({"type": "uint16", "array": true, "value": [2, 17]})
        );
        assert_eq!(
            typed(None, CimType::String, false, None),
            json!({"type": "string", "value": null})
        );
        assert_eq!(
            value(&CimValue::Real64(f64::INFINITY)),
            json!({"type": "real64", "value": "INF"})
        );
        assert_eq!(
            value(&CimValue::Real32(f32::NAN)),
            json!({"type": "real32", "value": "NaN"})
        );
        let p = ObjectPath::new("root/x", "C").with_key("K", "v");
        assert_eq!(
            value(&CimValue::Reference(Box::new(p.clone()))),
            json!({"type": "reference", "value": p.to_string()})
        );
        let mut i = Instance::new("E");
        i.set("A", 1u32);
        let v = value(&CimValue::Instance(Box::new(i)));
        assert_eq!(v["embedded"], "instance");
        assert_eq!(v["value"]["class"], "E");
        assert_eq!(v["value"]["properties"]["A"]["value"], 1);
    }
}
