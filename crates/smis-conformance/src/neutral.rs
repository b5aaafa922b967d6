//! Converts the neutral JSON form of the conformance cases (`args_neutral`: pywbem's
//! objects as JSON) into smis values, objects and requests: `build_request(operation, args,
//! default_ns)`.

use serde_json::{Map, Value as J};
use smis::cim::{
    CimArray, CimClass, CimDateTime, CimName, CimType, CimValue, EmbeddedKind, Flavor, Instance,
    KeyBinding, Method, ObjectPath, Parameter, PathKind, Property, Qualifier, QualifierDecl, Scope,
    normalize_namespace,
};
use smis::message::{
    ExportCall, Intrinsic, IntrinsicRequest, MethodCall, ParamValue, PullOptions, Request,
};

/// Conversion failure (unsupported or malformed neutral input).
pub type NResult<T> = Result<T, String>;

fn class_of(j: &J) -> Option<&str> {
    j.get("_class").and_then(J::as_str)
}

fn obj(j: &J) -> NResult<&Map<String, J>> {
    j.as_object()
        .ok_or_else(|| format!("expected an object, got {j}"))
}

fn get_str<'a>(m: &'a Map<String, J>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(J::as_str)
}

fn get_bool(m: &Map<String, J>, k: &str) -> Option<bool> {
    m.get(k).and_then(J::as_bool)
}

fn get_u32(m: &Map<String, J>, k: &str) -> Option<u32> {
    m.get(k)
        .and_then(|v| v.as_u64().or_else(|| v.get("value").and_then(J::as_u64)))
        .and_then(|v| u32::try_from(v).ok())
}

/// Parses a CIM type name.
pub fn cim_type(s: &str) -> NResult<CimType> {
    CimType::parse(s).ok_or_else(|| format!("unknown CIM type {s}"))
}

/// A number of the given type from JSON (number, or `INF`/`-INF`/`NaN` for reals).
fn number(ty: CimType, v: &J) -> NResult<CimValue> {
    if let Some(s) = v.as_str() {
        return CimValue::parse_scalar(ty, s).map_err(|e| e.to_string());
    }
    let text = match v {
        J::Number(n) => n.to_string(),
        J::Bool(b) if ty == CimType::Boolean => return Ok(CimValue::Boolean(*b)),
        _ => return Err(format!("not a number: {v}")),
    };
    CimValue::parse_scalar(ty, &text).map_err(|e| e.to_string())
}

/// A neutral value, with an optional declared type as a hint for untyped JSON.
pub fn value(j: &J, hint: Option<CimType>) -> NResult<Option<CimValue>> {
    Ok(Some(match j {
        J::Null => return Ok(None),
        J::Bool(b) => CimValue::Boolean(*b),
        J::String(s) => match hint {
            Some(CimType::DateTime) => {
                CimValue::DateTime(CimDateTime::parse(s).map_err(|e| e.to_string())?)
            }
            Some(CimType::Char16) => {
                let mut cs = s.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => CimValue::Char16(c),
                    _ => return Err(format!("char16 of length != 1: {s:?}")),
                }
            }
            Some(t) if t.is_numeric() => number(t, j)?,
            _ => CimValue::String(s.clone()),
        },
        J::Number(_) => match hint {
            Some(t) if t.is_numeric() => number(t, j)?,
            _ => return Err(format!("untyped number {j}")),
        },
        J::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(value(it, hint)?);
            }
            let elem = hint
                .or_else(|| out.iter().flatten().next().map(CimValue::cim_type))
                .unwrap_or(CimType::String);
            CimValue::Array(Box::new(CimArray::new(elem, out)))
        }
        J::Object(m) => {
            if let Some(t) = get_str(m, "cimtype") {
                let ty = cim_type(t)?;
                let v = m.get("value").unwrap_or(&J::Null);
                return match ty {
                    CimType::DateTime | CimType::Char16 => value(v, Some(ty)),
                    _ => number(ty, v).map(Some),
                };
            }
            match class_of(j) {
                Some("CIMInstanceName") | Some("CIMClassName") => {
                    CimValue::Reference(Box::new(path(j)?))
                }
                Some("CIMInstance") => CimValue::Instance(Box::new(instance(j)?)),
                Some("CIMClass") => CimValue::Class(Box::new(class(j)?)),
                other => return Err(format!("unsupported value object {other:?}")),
            }
        }
    }))
}

/// A `CIMInstanceName` or `CIMClassName`, or a plain string (a class path).
pub fn path(j: &J) -> NResult<ObjectPath> {
    if let Some(s) = j.as_str() {
        return Ok(ObjectPath::class(None, s));
    }
    let m = obj(j)?;
    let ns = get_str(m, "namespace").map(normalize_namespace);
    let host = get_str(m, "host").map(str::to_string);
    let cn = get_str(m, "classname").ok_or("path without classname")?;
    let mut p = ObjectPath::class(None, cn);
    p.namespace = ns;
    p.host = host;
    match class_of(j) {
        Some("CIMClassName") => p.kind = PathKind::Class,
        Some("CIMInstanceName") => {
            p.kind = PathKind::Instance;
            if let Some(kb) = m.get("keybindings").and_then(J::as_object) {
                for (k, v) in kb {
                    let val = match v {
                        J::Number(n) => {
                            if let Some(i) = n.as_i64() {
                                CimValue::Sint64(i)
                            } else if let Some(u) = n.as_u64() {
                                CimValue::Uint64(u)
                            } else {
                                CimValue::Real64(n.as_f64().unwrap_or_default())
                            }
                        }
                        _ => value(v, None)?.ok_or("NULL key value")?,
                    };
                    p.keys.push(KeyBinding::new(k.as_str(), val));
                }
            }
        }
        other => return Err(format!("not a path: {other:?}")),
    }
    Ok(p)
}

fn flavor(m: &Map<String, J>) -> Flavor {
    Flavor {
        overridable: get_bool(m, "overridable"),
        tosubclass: get_bool(m, "tosubclass"),
        toinstance: get_bool(m, "toinstance"),
        translatable: get_bool(m, "translatable"),
    }
}

/// A `CIMQualifier`.
pub fn qualifier(j: &J) -> NResult<Qualifier> {
    let m = obj(j)?;
    let name = get_str(m, "name").ok_or("qualifier without name")?;
    let ty = match get_str(m, "type") {
        Some(t) => Some(cim_type(t)?),
        None => None,
    };
    let v = value(m.get("value").unwrap_or(&J::Null), ty)?;
    let cim_type = ty
        .or_else(|| v.as_ref().map(CimValue::cim_type))
        .unwrap_or(CimType::String);
    Ok(Qualifier {
        name: name.into(),
        cim_type,
        value: v,
        propagated: get_bool(m, "propagated"),
        flavor: flavor(m),
    })
}

fn qualifiers(j: Option<&J>) -> NResult<Vec<Qualifier>> {
    let mut out = Vec::new();
    if let Some(m) = j.and_then(J::as_object) {
        for q in m.values() {
            out.push(qualifier(q)?);
        }
    }
    Ok(out)
}

fn embedded_kind(m: &Map<String, J>) -> Option<EmbeddedKind> {
    get_str(m, "embedded_object").and_then(EmbeddedKind::parse)
}

/// A `CIMProperty`.
pub fn property(j: &J) -> NResult<Property> {
    let m = obj(j)?;
    let name = get_str(m, "name").ok_or("property without name")?;
    let ty = cim_type(get_str(m, "type").unwrap_or("string"))?;
    let is_array = get_bool(m, "is_array").unwrap_or(false);
    let mut v = value(m.get("value").unwrap_or(&J::Null), Some(ty))?;
    if let Some(CimValue::Array(a)) = &mut v {
        a.elem_type = ty;
    }
    let mut p = Property::null(name, ty, is_array);
    p.value = v;
    p.embedded = embedded_kind(m);
    p.propagated = get_bool(m, "propagated");
    let qs = qualifiers(m.get("qualifiers"))?;
    let rc = get_str(m, "reference_class");
    let co = get_str(m, "class_origin");
    let asz = get_u32(m, "array_size");
    if !qs.is_empty() || rc.is_some() || co.is_some() || asz.is_some() {
        let e = p.extra_mut();
        e.qualifiers = qs;
        e.reference_class = rc.map(CimName::new);
        e.class_origin = co.map(CimName::new);
        e.array_size = asz;
    }
    Ok(p)
}

/// A `CIMInstance` (with its path when given).
pub fn instance(j: &J) -> NResult<Instance> {
    let m = obj(j)?;
    let cn = get_str(m, "classname").ok_or("instance without classname")?;
    let mut i = Instance::new(cn);
    if let Some(p) = m.get("path").filter(|p| !p.is_null()) {
        i.path = Some(path(p)?);
    }
    if let Some(ps) = m.get("properties").and_then(J::as_object) {
        for p in ps.values() {
            i.properties.push(property(p)?);
        }
    }
    i.qualifiers = qualifiers(m.get("qualifiers"))?;
    Ok(i)
}

/// A `CIMParameter` declaration (in a method).
pub fn parameter(j: &J) -> NResult<Parameter> {
    let m = obj(j)?;
    let name = get_str(m, "name").ok_or("parameter without name")?;
    let ty = cim_type(get_str(m, "type").unwrap_or("string"))?;
    let mut p = Parameter::new(name, ty, get_bool(m, "is_array").unwrap_or(false));
    p.array_size = get_u32(m, "array_size");
    p.reference_class = get_str(m, "reference_class").map(CimName::new);
    p.qualifiers = qualifiers(m.get("qualifiers"))?;
    Ok(p)
}

/// A `CIMMethod`.
pub fn method(j: &J) -> NResult<Method> {
    let m = obj(j)?;
    let name = get_str(m, "name").ok_or("method without name")?;
    let mut me = Method::new(name, CimType::Uint32);
    me.return_type = match get_str(m, "return_type") {
        Some(t) => Some(cim_type(t)?),
        None => None,
    };
    if let Some(ps) = m.get("parameters").and_then(J::as_object) {
        for p in ps.values() {
            me.parameters.push(parameter(p)?);
        }
    }
    me.qualifiers = qualifiers(m.get("qualifiers"))?;
    me.class_origin = get_str(m, "class_origin").map(CimName::new);
    me.propagated = get_bool(m, "propagated");
    Ok(me)
}

/// A `CIMClass`.
pub fn class(j: &J) -> NResult<CimClass> {
    let m = obj(j)?;
    let cn = get_str(m, "classname").ok_or("class without classname")?;
    let mut c = CimClass::new(cn);
    c.superclass = get_str(m, "superclass").map(CimName::new);
    if let Some(ps) = m.get("properties").and_then(J::as_object) {
        for p in ps.values() {
            c.properties.push(property(p)?);
        }
    }
    if let Some(ms) = m.get("methods").and_then(J::as_object) {
        for me in ms.values() {
            c.methods.push(method(me)?);
        }
    }
    c.qualifiers = qualifiers(m.get("qualifiers"))?;
    if let Some(p) = m.get("path").filter(|p| !p.is_null()) {
        c.path = Some(path(p)?);
    }
    Ok(c)
}

/// A `CIMQualifierDeclaration`.
pub fn qualifier_decl(j: &J) -> NResult<QualifierDecl> {
    let m = obj(j)?;
    let name = get_str(m, "name").ok_or("qualifier declaration without name")?;
    let ty = cim_type(get_str(m, "type").unwrap_or("string"))?;
    let is_array = get_bool(m, "is_array").unwrap_or(false);
    let mut v = value(m.get("value").unwrap_or(&J::Null), Some(ty))?;
    if let Some(CimValue::Array(a)) = &mut v {
        a.elem_type = ty;
    }
    let scope = m.get("scopes").and_then(J::as_object).map(|s| {
        let f = |k: &str| {
            s.iter().any(|(n, v)| {
                (n.eq_ignore_ascii_case(k) || n.eq_ignore_ascii_case("ANY"))
                    && v.as_bool() == Some(true)
            })
        };
        Scope {
            class: f("CLASS"),
            association: f("ASSOCIATION"),
            reference: f("REFERENCE"),
            property: f("PROPERTY"),
            method: f("METHOD"),
            parameter: f("PARAMETER"),
            indication: f("INDICATION"),
        }
    });
    Ok(QualifierDecl {
        name: name.into(),
        cim_type: ty,
        is_array,
        array_size: get_u32(m, "array_size"),
        value: v,
        scope,
        flavor: flavor(m),
    })
}

/// A method-call parameter: a `[name, value]` pair or a `CIMParameter` with a value.
pub fn param_value(j: &J) -> NResult<ParamValue> {
    if let Some(pair) = j.as_array() {
        let [n, v] = pair.as_slice() else {
            return Err("param pair of wrong length".into());
        };
        let name = n.as_str().ok_or("param name not a string")?;
        return named_param(name, v);
    }
    let m = obj(j)?;
    if class_of(j) != Some("CIMParameter") {
        return Err(format!("unsupported param {:?}", class_of(j)));
    }
    let name = get_str(m, "name").ok_or("param without name")?;
    let ty = cim_type(get_str(m, "type").unwrap_or("string"))?;
    let mut v = value(m.get("value").unwrap_or(&J::Null), Some(ty))?;
    if let Some(CimValue::Array(a)) = &mut v {
        a.elem_type = ty;
    }
    Ok(ParamValue {
        name: name.into(),
        cim_type: Some(ty),
        embedded: embedded_kind(m),
        value: v,
    })
}

fn named_param(name: &str, v: &J) -> NResult<ParamValue> {
    Ok(match value(v, None)? {
        Some(v) => ParamValue::new(name, v),
        None => ParamValue::null(name),
    })
}

fn opt_bool(a: &Map<String, J>, k: &str) -> Option<bool> {
    get_bool(a, k)
}

fn opt_str(a: &Map<String, J>, k: &str) -> Option<String> {
    get_str(a, k).map(str::to_string)
}

fn opt_class(a: &Map<String, J>, k: &str) -> NResult<Option<CimName>> {
    match a.get(k) {
        None | Some(J::Null) => Ok(None),
        Some(J::String(s)) => Ok(Some(CimName::new(s))),
        Some(j) => Ok(Some(path(j)?.class_name)),
    }
}

fn req_class(a: &Map<String, J>, k: &str) -> NResult<CimName> {
    opt_class(a, k)?.ok_or_else(|| format!("missing {k}"))
}

fn prop_list(a: &Map<String, J>) -> NResult<Option<Vec<CimName>>> {
    match a.get("PropertyList") {
        None | Some(J::Null) => Ok(None),
        Some(J::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(CimName::new)
                    .ok_or_else(|| "PropertyList item not a string".to_string())
            })
            .collect::<NResult<Vec<_>>>()
            .map(Some),
        Some(J::String(s)) => Ok(Some(vec![CimName::new(s)])),
        Some(j) => Err(format!("bad PropertyList {j}")),
    }
}

fn pull_opts(a: &Map<String, J>) -> PullOptions {
    let mut p = PullOptions::default();
    p.filter_query_language = opt_str(a, "FilterQueryLanguage");
    p.filter_query = opt_str(a, "FilterQuery");
    p.operation_timeout = get_u32(a, "OperationTimeout");
    p.continue_on_error = opt_bool(a, "ContinueOnError");
    p.max_object_count = get_u32(a, "MaxObjectCount");
    p
}

/// The namespace a path-like argument carries, if any.
fn arg_ns(a: &Map<String, J>, k: &str) -> Option<String> {
    a.get(k)
        .and_then(|j| j.get("namespace"))
        .and_then(J::as_str)
        .map(normalize_namespace)
}

/// Builds the request the reference client sends for `operation` with `args`
/// (`args_neutral`); `default_ns` is the connection's default namespace.
pub fn build_request(operation: &str, args: &J, default_ns: Option<&str>) -> NResult<Request> {
    let empty = Map::new();
    let a = args.as_object().unwrap_or(&empty);
    let default_ns = default_ns
        .map(normalize_namespace)
        .unwrap_or_else(|| "root/cimv2".to_string());
    let explicit_ns = get_str(a, "namespace").map(normalize_namespace);
    let ns_from = |k: &str| {
        explicit_ns
            .clone()
            .or_else(|| arg_ns(a, k))
            .unwrap_or_else(|| default_ns.clone())
    };
    let inst_path = |k: &str| -> NResult<ObjectPath> {
        let p = path(a.get(k).ok_or_else(|| format!("missing {k}"))?)?;
        if p.kind != PathKind::Instance {
            return Err(format!("{k} is not an instance path"));
        }
        Ok(p)
    };
    let obj_path =
        |k: &str| -> NResult<ObjectPath> { path(a.get(k).ok_or_else(|| format!("missing {k}"))?) };
    let intr = |namespace: String, op: Intrinsic| {
        Ok(Request::Intrinsic(IntrinsicRequest { namespace, op }))
    };
    let pull_ctx = || -> NResult<(String, String)> {
        let c = a
            .get("context")
            .and_then(J::as_array)
            .ok_or("missing context")?;
        let ctx = c.first().and_then(J::as_str).ok_or("bad context")?;
        let ns = c
            .get(1)
            .and_then(J::as_str)
            .map(normalize_namespace)
            .unwrap_or_else(|| default_ns.clone());
        Ok((ctx.to_string(), ns))
    };
    let max = || get_u32(a, "MaxObjectCount").ok_or_else(|| "missing MaxObjectCount".to_string());
    match operation {
        "GetInstance" => intr(
            ns_from("InstanceName"),
            Intrinsic::GetInstance {
                instance_name: inst_path("InstanceName")?,
                local_only: opt_bool(a, "LocalOnly"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
            },
        ),
        "EnumerateInstances" => intr(
            ns_from("ClassName"),
            Intrinsic::EnumerateInstances {
                class_name: req_class(a, "ClassName")?,
                local_only: opt_bool(a, "LocalOnly"),
                deep_inheritance: opt_bool(a, "DeepInheritance"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
            },
        ),
        "EnumerateInstanceNames" => intr(
            ns_from("ClassName"),
            Intrinsic::EnumerateInstanceNames {
                class_name: req_class(a, "ClassName")?,
            },
        ),
        "CreateInstance" => {
            let inst = instance(a.get("NewInstance").ok_or("missing NewInstance")?)?;
            let ns = explicit_ns
                .clone()
                .or_else(|| inst.path.as_ref().and_then(|p| p.namespace.clone()))
                .unwrap_or_else(|| default_ns.clone());
            intr(ns, Intrinsic::CreateInstance { new_instance: inst })
        }
        "ModifyInstance" => {
            let inst = instance(
                a.get("ModifiedInstance")
                    .ok_or("missing ModifiedInstance")?,
            )?;
            let ns = explicit_ns
                .clone()
                .or_else(|| inst.path.as_ref().and_then(|p| p.namespace.clone()))
                .unwrap_or_else(|| default_ns.clone());
            intr(
                ns,
                Intrinsic::ModifyInstance {
                    modified_instance: inst,
                    include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                    property_list: prop_list(a)?,
                },
            )
        }
        "DeleteInstance" => intr(
            ns_from("InstanceName"),
            Intrinsic::DeleteInstance {
                instance_name: inst_path("InstanceName")?,
            },
        ),
        "Associators" => intr(
            ns_from("ObjectName"),
            Intrinsic::Associators {
                object_name: obj_path("ObjectName")?,
                assoc_class: opt_class(a, "AssocClass")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                result_role: opt_str(a, "ResultRole"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
            },
        ),
        "AssociatorNames" => intr(
            ns_from("ObjectName"),
            Intrinsic::AssociatorNames {
                object_name: obj_path("ObjectName")?,
                assoc_class: opt_class(a, "AssocClass")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                result_role: opt_str(a, "ResultRole"),
            },
        ),
        "References" => intr(
            ns_from("ObjectName"),
            Intrinsic::References {
                object_name: obj_path("ObjectName")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
            },
        ),
        "ReferenceNames" => intr(
            ns_from("ObjectName"),
            Intrinsic::ReferenceNames {
                object_name: obj_path("ObjectName")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
            },
        ),
        "ExecQuery" => intr(
            ns_from(""),
            Intrinsic::ExecQuery {
                query_language: opt_str(a, "QueryLanguage").ok_or("missing QueryLanguage")?,
                query: opt_str(a, "Query").ok_or("missing Query")?,
            },
        ),
        "GetClass" => intr(
            ns_from("ClassName"),
            Intrinsic::GetClass {
                class_name: req_class(a, "ClassName")?,
                local_only: opt_bool(a, "LocalOnly"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
            },
        ),
        "EnumerateClasses" => intr(
            ns_from("ClassName"),
            Intrinsic::EnumerateClasses {
                class_name: opt_class(a, "ClassName")?,
                deep_inheritance: opt_bool(a, "DeepInheritance"),
                local_only: opt_bool(a, "LocalOnly"),
                include_qualifiers: opt_bool(a, "IncludeQualifiers"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
            },
        ),
        "EnumerateClassNames" => intr(
            ns_from("ClassName"),
            Intrinsic::EnumerateClassNames {
                class_name: opt_class(a, "ClassName")?,
                deep_inheritance: opt_bool(a, "DeepInheritance"),
            },
        ),
        "CreateClass" => intr(
            ns_from(""),
            Intrinsic::CreateClass {
                new_class: class(a.get("NewClass").ok_or("missing NewClass")?)?,
            },
        ),
        "ModifyClass" => intr(
            ns_from(""),
            Intrinsic::ModifyClass {
                modified_class: class(a.get("ModifiedClass").ok_or("missing ModifiedClass")?)?,
            },
        ),
        "DeleteClass" => intr(
            ns_from("ClassName"),
            Intrinsic::DeleteClass {
                class_name: req_class(a, "ClassName")?,
            },
        ),
        "GetQualifier" => intr(
            ns_from(""),
            Intrinsic::GetQualifier {
                qualifier_name: get_str(a, "QualifierName")
                    .ok_or("missing QualifierName")?
                    .into(),
            },
        ),
        "DeleteQualifier" => intr(
            ns_from(""),
            Intrinsic::DeleteQualifier {
                qualifier_name: get_str(a, "QualifierName")
                    .ok_or("missing QualifierName")?
                    .into(),
            },
        ),
        "SetQualifier" => intr(
            ns_from(""),
            Intrinsic::SetQualifier {
                qualifier_declaration: qualifier_decl(
                    a.get("QualifierDeclaration")
                        .ok_or("missing QualifierDeclaration")?,
                )?,
            },
        ),
        "EnumerateQualifiers" => intr(ns_from(""), Intrinsic::EnumerateQualifiers),
        "OpenEnumerateInstances" => intr(
            ns_from("ClassName"),
            Intrinsic::OpenEnumerateInstances {
                class_name: req_class(a, "ClassName")?,
                deep_inheritance: opt_bool(a, "DeepInheritance"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
                pull: pull_opts(a),
            },
        ),
        "OpenEnumerateInstancePaths" => intr(
            ns_from("ClassName"),
            Intrinsic::OpenEnumerateInstancePaths {
                class_name: req_class(a, "ClassName")?,
                pull: pull_opts(a),
            },
        ),
        "OpenAssociatorInstances" => intr(
            ns_from("InstanceName"),
            Intrinsic::OpenAssociatorInstances {
                instance_name: inst_path("InstanceName")?,
                assoc_class: opt_class(a, "AssocClass")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                result_role: opt_str(a, "ResultRole"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
                pull: pull_opts(a),
            },
        ),
        "OpenAssociatorInstancePaths" => intr(
            ns_from("InstanceName"),
            Intrinsic::OpenAssociatorInstancePaths {
                instance_name: inst_path("InstanceName")?,
                assoc_class: opt_class(a, "AssocClass")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                result_role: opt_str(a, "ResultRole"),
                pull: pull_opts(a),
            },
        ),
        "OpenReferenceInstances" => intr(
            ns_from("InstanceName"),
            Intrinsic::OpenReferenceInstances {
                instance_name: inst_path("InstanceName")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                include_class_origin: opt_bool(a, "IncludeClassOrigin"),
                property_list: prop_list(a)?,
                pull: pull_opts(a),
            },
        ),
        "OpenReferenceInstancePaths" => intr(
            ns_from("InstanceName"),
            Intrinsic::OpenReferenceInstancePaths {
                instance_name: inst_path("InstanceName")?,
                result_class: opt_class(a, "ResultClass")?,
                role: opt_str(a, "Role"),
                pull: pull_opts(a),
            },
        ),
        "OpenQueryInstances" => intr(
            ns_from(""),
            Intrinsic::OpenQueryInstances {
                filter_query: opt_str(a, "FilterQuery").ok_or("missing FilterQuery")?,
                filter_query_language: opt_str(a, "FilterQueryLanguage")
                    .ok_or("missing FilterQueryLanguage")?,
                return_query_result_class: opt_bool(a, "ReturnQueryResultClass"),
                operation_timeout: get_u32(a, "OperationTimeout"),
                continue_on_error: opt_bool(a, "ContinueOnError"),
                max_object_count: get_u32(a, "MaxObjectCount"),
            },
        ),
        "PullInstancesWithPath" | "PullInstancePaths" | "PullInstances" => {
            let (enumeration_context, ns) = pull_ctx()?;
            let max_object_count = max()?;
            let op = match operation {
                "PullInstancesWithPath" => Intrinsic::PullInstancesWithPath {
                    enumeration_context,
                    max_object_count,
                },
                "PullInstancePaths" => Intrinsic::PullInstancePaths {
                    enumeration_context,
                    max_object_count,
                },
                _ => Intrinsic::PullInstances {
                    enumeration_context,
                    max_object_count,
                },
            };
            intr(ns, op)
        }
        "CloseEnumeration" => {
            let (enumeration_context, ns) = pull_ctx()?;
            intr(
                ns,
                Intrinsic::CloseEnumeration {
                    enumeration_context,
                },
            )
        }
        "InvokeMethod" => {
            let method = get_str(a, "MethodName").ok_or("missing MethodName")?;
            let mut target = obj_path("ObjectName")?;
            if target.namespace.is_none() {
                target.namespace = Some(default_ns.clone());
            }
            let mut params = Vec::new();
            if let Some(ps) = a.get("Params").and_then(J::as_array) {
                for p in ps {
                    params.push(param_value(p)?);
                }
            }
            for (k, v) in a {
                if !matches!(k.as_str(), "MethodName" | "ObjectName" | "Params") {
                    params.push(named_param(k, v)?);
                }
            }
            Ok(Request::Method(MethodCall {
                target,
                method: method.into(),
                params,
            }))
        }
        "ExportIndication" => {
            let ind = instance(a.get("NewIndication").ok_or("missing NewIndication")?)?;
            Ok(Request::Export(ExportCall {
                method: "ExportIndication".into(),
                params: vec![ParamValue::new("NewIndication", ind)],
            }))
        }
        other => Err(format!("unsupported operation {other}")),
    }
}
