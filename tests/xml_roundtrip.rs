//! Property tests: encode → decode gives back the same object, for values of every type,
//! instances (with embedded instances, references, arrays and NULLs), object paths with
//! typed and reference keys, classes, and method parameters — in both directions of the
//! codec (client requests and server responses).

use proptest::prelude::*;
use smis::cim::*;
use smis::message::*;
use smis::xml::{DecodeLimits, decode_request, decode_response, encode_request, encode_response};

fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => proptest::char::range(' ', '~'),
        1 => Just('\t'),
        1 => Just('\n'),
        1 => Just('\r'),
        2 => proptest::char::range('\u{a0}', '\u{d7ff}'),
        1 => proptest::char::range('\u{e000}', '\u{fffd}'),
        1 => proptest::char::range('\u{10000}', '\u{10ffff}'),
        1 => prop_oneof![Just('<'), Just('&'), Just('>'), Just('"'), Just('\'')],
    ]
}

fn xml_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(xml_char(), 0..24).prop_map(|v| v.into_iter().collect())
}

fn name() -> impl Strategy<Value = CimName> {
    "[A-Za-z_][A-Za-z0-9_]{0,12}".prop_map(CimName::new)
}

fn datetime() -> impl Strategy<Value = CimDateTime> {
    prop_oneof![
        (
            0u16..=9999,
            1u8..=12,
            1u8..=28,
            0u8..24,
            0u8..60,
            0u8..60,
            0u32..1_000_000,
            -720i16..=720
        )
            .prop_map(|(y, mo, d, h, mi, s, us, off)| CimDateTime::timestamp(
                y, mo, d, h, mi, s, us, off
            )
            .unwrap()),
        (0u32..99_999_999, 0u8..24, 0u8..60, 0u8..60, 0u32..1_000_000)
            .prop_map(|(d, h, m, s, us)| CimDateTime::interval(d, h, m, s, us).unwrap()),
        Just(CimDateTime::parse("20240501******.******+000").unwrap()),
    ]
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("no NaN", |v| !v.is_nan()),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
    ]
}

fn scalar(ty: CimType) -> BoxedStrategy<CimValue> {
    match ty {
        CimType::Boolean => any::<bool>().prop_map(CimValue::Boolean).boxed(),
        CimType::String => xml_string().prop_map(CimValue::String).boxed(),
        CimType::Char16 => xml_char()
            .prop_filter("BMP", |c| (*c as u32) <= 0xFFFF)
            .prop_map(CimValue::Char16)
            .boxed(),
        CimType::Uint8 => any::<u8>().prop_map(CimValue::Uint8).boxed(),
        CimType::Sint8 => any::<i8>().prop_map(CimValue::Sint8).boxed(),
        CimType::Uint16 => any::<u16>().prop_map(CimValue::Uint16).boxed(),
        CimType::Sint16 => any::<i16>().prop_map(CimValue::Sint16).boxed(),
        CimType::Uint32 => any::<u32>().prop_map(CimValue::Uint32).boxed(),
        CimType::Sint32 => any::<i32>().prop_map(CimValue::Sint32).boxed(),
        CimType::Uint64 => any::<u64>().prop_map(CimValue::Uint64).boxed(),
        CimType::Sint64 => any::<i64>().prop_map(CimValue::Sint64).boxed(),
        CimType::Real32 => finite_f64()
            .prop_map(|v| CimValue::Real32(v as f32))
            .boxed(),
        CimType::Real64 => finite_f64().prop_map(CimValue::Real64).boxed(),
        CimType::DateTime => datetime().prop_map(CimValue::DateTime).boxed(),
        CimType::Reference => path(true)
            .prop_map(|p| CimValue::Reference(Box::new(p)))
            .boxed(),
    }
}

fn non_ref_type() -> impl Strategy<Value = CimType> {
    proptest::sample::select(
        CimType::ALL
            .iter()
            .copied()
            .filter(|t| *t != CimType::Reference)
            .collect::<Vec<_>>(),
    )
}

fn key_value() -> BoxedStrategy<CimValue> {
    prop_oneof![
        3 => xml_string().prop_map(CimValue::String),
        1 => any::<bool>().prop_map(CimValue::Boolean),
        1 => any::<u32>().prop_map(CimValue::Uint32),
        1 => any::<i64>().prop_map(CimValue::Sint64),
        1 => any::<u16>().prop_map(CimValue::Uint16),
        1 => datetime().prop_map(CimValue::DateTime),
    ]
    .boxed()
}

/// An instance path; with `nested`, one key may itself be a reference (one level deep).
fn path(nested: bool) -> BoxedStrategy<ObjectPath> {
    let key = if nested {
        prop_oneof![
            4 => key_value(),
            1 => path(false).prop_map(|p| CimValue::Reference(Box::new(p))),
        ]
        .boxed()
    } else {
        key_value()
    };
    (
        proptest::option::of("[a-z]{1,8}(\\.[a-z]{1,5})?(:[0-9]{2,5})?"),
        proptest::option::of("[a-z]{1,6}(/[a-zA-Z_]{1,8}){0,2}"),
        name(),
        proptest::collection::vec((name(), key), 1..4),
    )
        .prop_map(|(host, ns, class, keys)| {
            let mut p = ObjectPath {
                host: if ns.is_some() { host } else { None },
                namespace: ns,
                class_name: class,
                keys: Vec::new(),
                kind: PathKind::Instance,
            };
            for (n, v) in keys {
                if p.key(n.as_str()).is_none() {
                    p.keys.push(KeyBinding { name: n, value: v });
                }
            }
            p
        })
        .boxed()
}

fn property(depth: u32) -> BoxedStrategy<Property> {
    let scalar_prop = (name(), non_ref_type())
        .prop_flat_map(|(n, t)| (Just(n), proptest::option::of(scalar(t)), Just(t)))
        .prop_map(|(n, v, t)| match v {
            Some(v) => Property::new(n, v),
            None => Property::null(n, t, false),
        });
    let array_prop = (name(), non_ref_type())
        .prop_flat_map(|(n, t)| {
            (
                Just(n),
                Just(t),
                proptest::option::of(proptest::collection::vec(
                    proptest::option::of(scalar(t)),
                    0..5,
                )),
            )
        })
        .prop_map(|(n, t, v)| match v {
            Some(items) => Property::new(n, CimArray::new(t, items)),
            None => Property::null(n, t, true),
        });
    let ref_prop = (name(), path(true)).prop_map(|(n, p)| Property::new(n, p));
    if depth == 0 {
        prop_oneof![4 => scalar_prop, 2 => array_prop, 1 => ref_prop].boxed()
    } else {
        let embedded = (name(), instance(depth - 1)).prop_map(|(n, i)| Property::new(n, i));
        let embedded_array = (name(), proptest::collection::vec(instance(depth - 1), 1..3))
            .prop_map(|(n, v)| {
                Property::new(
                    n,
                    CimArray::new(
                        CimType::String,
                        v.into_iter()
                            .map(|i| Some(CimValue::Instance(Box::new(i))))
                            .collect(),
                    ),
                )
            });
        prop_oneof![4 => scalar_prop, 2 => array_prop, 1 => ref_prop, 1 => embedded, 1 => embedded_array].boxed()
    }
}

fn instance(depth: u32) -> BoxedStrategy<Instance> {
    (name(), proptest::collection::vec(property(depth), 0..8))
        .prop_map(|(class, props)| {
            let mut i = Instance::new(class);
            for p in props {
                if i.property(p.name.as_str()).is_none() {
                    i.properties.push(p);
                }
            }
            i
        })
        .boxed()
}

fn class() -> impl Strategy<Value = CimClass> {
    (
        name(),
        proptest::option::of(name()),
        proptest::collection::vec(property(0), 0..6),
        proptest::collection::vec(
            (
                name(),
                non_ref_type(),
                proptest::collection::vec((name(), non_ref_type(), any::<bool>()), 0..4),
            ),
            0..3,
        ),
        proptest::option::of(xml_string()),
    )
        .prop_map(|(n, sup, props, methods, descr)| {
            let mut c = CimClass::new(n);
            c.superclass = sup;
            for p in props {
                if c.property(p.name.as_str()).is_none() {
                    c.properties.push(p);
                }
            }
            for (mn, rt, params) in methods {
                if c.method(mn.as_str()).is_some() {
                    continue;
                }
                let mut m = Method::new(mn, rt);
                for (pn, pt, arr) in params {
                    if m.parameter(pn.as_str()).is_none() {
                        m.parameters.push(Parameter::new(pn, pt, arr));
                    }
                }
                c.methods.push(m);
            }
            if let Some(d) = descr {
                c.qualifiers.push(Qualifier::new("Description", d));
            }
            c
        })
}

/// What an untyped WBEM URI gives back: datetime keys become strings.
fn untyped(mut p: ObjectPath) -> ObjectPath {
    for k in &mut p.keys {
        k.value = match std::mem::replace(&mut k.value, CimValue::Boolean(false)) {
            CimValue::DateTime(d) => CimValue::String(d.to_string()),
            CimValue::Reference(r) => CimValue::Reference(Box::new(untyped(*r))),
            v => v,
        };
    }
    p
}

/// Normalises what the wire cannot distinguish: an empty `extra` box.
fn norm_instance(mut i: Instance) -> Instance {
    for p in &mut i.properties {
        norm_prop(p);
    }
    i
}

fn norm_prop(p: &mut Property) {
    if p.extra
        .as_deref()
        .is_some_and(|e| *e == PropertyExtra::default())
    {
        p.extra = None;
    }
    match &mut p.value {
        Some(CimValue::Instance(e)) => **e = norm_instance((**e).clone()),
        Some(CimValue::Array(a)) => {
            for v in a.items.iter_mut().flatten() {
                if let CimValue::Instance(e) = v {
                    **e = norm_instance((**e).clone());
                }
            }
        }
        _ => {}
    }
}

fn norm_class(mut c: CimClass) -> CimClass {
    for p in &mut c.properties {
        norm_prop(p);
    }
    c
}

fn respond(name: &str, result: IReturn) -> Result<IReturn, String> {
    let msg = ResponseMessage {
        id: "42".into(),
        response: Response::Intrinsic {
            name: name.into(),
            result: Ok(result),
        },
    };
    let xml = encode_response(&msg).map_err(|e| format!("encode: {e}"))?;
    let back = decode_response(&xml, &DecodeLimits::default())
        .map_err(|e| format!("decode: {e}\n{}", String::from_utf8_lossy(&xml)))?;
    assert_eq!(back.id, "42");
    match back.response {
        Response::Intrinsic { result: Ok(r), .. } => Ok(r),
        other => Err(format!("unexpected {other:?}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn instances_round_trip(inst in instance(1)) {
        let back = respond("GetInstance", IReturn::Instance(inst.clone())).unwrap();
        prop_assert_eq!(back, IReturn::Instance(norm_instance(inst)));
    }

    #[test]
    fn named_instances_round_trip(insts in proptest::collection::vec((instance(0), path(true)), 0..4)) {
        let with_paths: Vec<Instance> = insts.into_iter().map(|(mut i, mut p)| {
            p.host = None; p.namespace = None; p.class_name = i.class_name.clone();
            i.path = Some(p); i
        }).collect();
        let back = respond("EnumerateInstances", IReturn::Instances(with_paths.clone())).unwrap();
        prop_assert_eq!(back, IReturn::Instances(with_paths.into_iter().map(norm_instance).collect()));
    }

    #[test]
    fn paths_round_trip(paths in proptest::collection::vec(path(true), 0..5)) {
        let paths: Vec<ObjectPath> = paths.into_iter().map(|p| p.in_namespace("root/x")).collect();
        let back = respond("AssociatorNames", IReturn::ObjectPaths(paths.clone())).unwrap();
        // OBJECTPATH/INSTANCEPATH always carries a host and namespace on the wire.
        match back {
            IReturn::ObjectPaths(b) => {
                prop_assert_eq!(b.len(), paths.len());
                for (x, y) in b.iter().zip(&paths) {
                    prop_assert_eq!(&x.local(), &y.local());
                    prop_assert_eq!(&x.class_name, &y.class_name);
                }
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn wbem_uris_round_trip(p in path(true)) {
        let text = p.to_string();
        let back = ObjectPath::parse(&text).unwrap();
        // Untyped URIs lose integer widths (equality compares integers by value) and carry
        // datetimes as quoted strings.
        prop_assert_eq!(back, untyped(p));
    }

    #[test]
    fn classes_round_trip(c in class()) {
        let back = respond("GetClass", IReturn::Class(c.clone())).unwrap();
        prop_assert_eq!(back, IReturn::Class(norm_class(c)));
    }

    #[test]
    fn method_calls_round_trip(target in path(false), params in proptest::collection::vec((name(), proptest::option::of(prop_oneof![
            non_ref_type().prop_flat_map(scalar),
            path(true).prop_map(|p| CimValue::Reference(Box::new(p))),
            proptest::collection::vec(path(false), 0..3).prop_map(|v| CimValue::Array(Box::new(CimArray::new(CimType::Reference, v.into_iter().map(|p| Some(CimValue::Reference(Box::new(p)))).collect())))),
            instance(0).prop_map(|i| CimValue::Instance(Box::new(i))),
            non_ref_type().prop_flat_map(|t| proptest::collection::vec(proptest::option::of(scalar(t)), 0..4).prop_map(move |v| CimValue::Array(Box::new(CimArray::new(t, v))))),
        ])), 0..6)) {
        let mut target = target;
        target.host = None;
        target.namespace = Some("root/cimv2".into());
        let mut seen = Vec::new();
        let params: Vec<ParamValue> = params.into_iter().filter(|(n, _)| {
            let dup = seen.iter().any(|s: &CimName| s == n);
            seen.push(n.clone());
            !dup
        }).map(|(n, v)| match v { Some(v) => ParamValue::new(n, v), None => ParamValue::null(n) }).collect();
        let req = RequestMessage { id: "7".into(), request: Request::Method(MethodCall {
            target: target.clone(), method: CimName::new("DoIt"), params: params.clone() }) };
        let xml = encode_request(&req).unwrap();
        let back = decode_request(&xml, &DecodeLimits::default()).unwrap();
        match back.request {
            Request::Method(m) => {
                prop_assert_eq!(&m.target, &target);
                prop_assert_eq!(m.params.len(), params.len());
                for (x, y) in m.params.iter().zip(&params) {
                    prop_assert_eq!(&x.name, &y.name);
                    let norm = |v: &Option<CimValue>| v.clone().map(|v| match v {
                        CimValue::Instance(i) => CimValue::Instance(Box::new(norm_instance(*i))),
                        v => v,
                    });
                    prop_assert_eq!(norm(&x.value), norm(&y.value));
                }
            }
            other => prop_assert!(false, "{:?}", other),
        }
        // And the response direction: out-parameters and a return value.
        let resp = ResponseMessage { id: "7".into(), response: Response::Method { name: "DoIt".into(),
            result: Ok(MethodReturn { return_value: Some(CimValue::Uint32(4096)), out_params: params.clone() }) } };
        let xml = encode_response(&resp).unwrap();
        let back = decode_response(&xml, &DecodeLimits::default()).unwrap();
        match back.response {
            Response::Method { result: Ok(r), .. } => {
                prop_assert_eq!(r.return_code(), Some(4096));
                prop_assert_eq!(r.out_params.len(), params.len());
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }
}

#[test]
fn nan_and_infinities_round_trip() {
    let inst = Instance::new("X")
        .with("A", f64::NAN)
        .with("B", f32::NAN)
        .with("C", f64::NEG_INFINITY)
        .with("D", f32::INFINITY);
    let back = match respond("GetInstance", IReturn::Instance(inst)).unwrap() {
        IReturn::Instance(i) => i,
        other => panic!("{other:?}"),
    };
    assert!(matches!(back.value("A"), Some(CimValue::Real64(v)) if v.is_nan()));
    assert!(matches!(back.value("B"), Some(CimValue::Real32(v)) if v.is_nan()));
    assert_eq!(back.value("C"), Some(&CimValue::Real64(f64::NEG_INFINITY)));
    assert_eq!(back.value("D"), Some(&CimValue::Real32(f32::INFINITY)));
}

#[test]
fn every_intrinsic_request_round_trips() {
    let p = ObjectPath::new("root/cimv2", "CIM_X")
        .with_key("K", "v")
        .local();
    let pl = Some(vec![CimName::new("A"), CimName::new("B")]);
    let pull = PullOptions::new()
        .filter("DMTF:FQL", "A = 1")
        .operation_timeout(30)
        .continue_on_error(false)
        .max_object_count(5);
    let ops = vec![
        Intrinsic::GetInstance {
            instance_name: p.clone(),
            local_only: Some(false),
            include_qualifiers: Some(true),
            include_class_origin: Some(true),
            property_list: pl.clone(),
        },
        Intrinsic::EnumerateInstances {
            class_name: "CIM_X".into(),
            local_only: None,
            deep_inheritance: Some(true),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: Some(vec![]),
        },
        Intrinsic::EnumerateInstanceNames {
            class_name: "CIM_X".into(),
        },
        Intrinsic::DeleteInstance {
            instance_name: p.clone(),
        },
        Intrinsic::Associators {
            object_name: p.clone(),
            assoc_class: Some("A".into()),
            result_class: Some("R".into()),
            role: Some("x".into()),
            result_role: Some("y".into()),
            include_qualifiers: None,
            include_class_origin: Some(true),
            property_list: pl.clone(),
        },
        Intrinsic::AssociatorNames {
            object_name: ObjectPath::class(None, "CIM_X"),
            assoc_class: None,
            result_class: None,
            role: None,
            result_role: None,
        },
        Intrinsic::References {
            object_name: p.clone(),
            result_class: None,
            role: Some("r".into()),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        },
        Intrinsic::ReferenceNames {
            object_name: p.clone(),
            result_class: Some("R".into()),
            role: None,
        },
        Intrinsic::ExecQuery {
            query_language: "WQL".into(),
            query: "SELECT * FROM X WHERE A < 3".into(),
        },
        Intrinsic::GetClass {
            class_name: "CIM_X".into(),
            local_only: Some(false),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        },
        Intrinsic::EnumerateClasses {
            class_name: None,
            deep_inheritance: Some(true),
            local_only: None,
            include_qualifiers: None,
            include_class_origin: None,
        },
        Intrinsic::EnumerateClassNames {
            class_name: Some("CIM_X".into()),
            deep_inheritance: None,
        },
        Intrinsic::DeleteClass {
            class_name: "CIM_X".into(),
        },
        Intrinsic::GetQualifier {
            qualifier_name: "Key".into(),
        },
        Intrinsic::DeleteQualifier {
            qualifier_name: "Key".into(),
        },
        Intrinsic::EnumerateQualifiers,
        Intrinsic::OpenEnumerateInstances {
            class_name: "CIM_X".into(),
            deep_inheritance: None,
            include_class_origin: None,
            property_list: pl.clone(),
            pull: pull.clone(),
        },
        Intrinsic::OpenEnumerateInstancePaths {
            class_name: "CIM_X".into(),
            pull: pull.clone(),
        },
        Intrinsic::OpenAssociatorInstances {
            instance_name: p.clone(),
            assoc_class: None,
            result_class: None,
            role: None,
            result_role: None,
            include_class_origin: None,
            property_list: None,
            pull: pull.clone(),
        },
        Intrinsic::OpenAssociatorInstancePaths {
            instance_name: p.clone(),
            assoc_class: Some("A".into()),
            result_class: None,
            role: None,
            result_role: None,
            pull: PullOptions::default(),
        },
        Intrinsic::OpenReferenceInstances {
            instance_name: p.clone(),
            result_class: None,
            role: None,
            include_class_origin: None,
            property_list: None,
            pull: pull.clone(),
        },
        Intrinsic::OpenReferenceInstancePaths {
            instance_name: p.clone(),
            result_class: None,
            role: Some("r".into()),
            pull: pull.clone(),
        },
        Intrinsic::OpenQueryInstances {
            filter_query: "SELECT * FROM X".into(),
            filter_query_language: "DMTF:CQL".into(),
            return_query_result_class: Some(false),
            operation_timeout: None,
            continue_on_error: None,
            max_object_count: Some(10),
        },
        Intrinsic::PullInstancesWithPath {
            enumeration_context: "ctx-1".into(),
            max_object_count: 3,
        },
        Intrinsic::PullInstancePaths {
            enumeration_context: "ctx-1".into(),
            max_object_count: 3,
        },
        Intrinsic::PullInstances {
            enumeration_context: "ctx-1".into(),
            max_object_count: 3,
        },
        Intrinsic::CloseEnumeration {
            enumeration_context: "ctx-1".into(),
        },
    ];
    for op in ops {
        let req = RequestMessage {
            id: "1".into(),
            request: Request::Intrinsic(IntrinsicRequest {
                namespace: "root/cimv2".into(),
                op: op.clone(),
            }),
        };
        let xml = encode_request(&req).unwrap();
        let back = decode_request(&xml, &DecodeLimits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", op.name()));
        assert_eq!(back, req, "{}", op.name());
    }
}

proptest! {
    /// Parsing arbitrary text as a WBEM URI never panics.
    #[test]
    fn wbem_uri_parser_never_panics(s in "\\PC{0,60}") {
        let _ = ObjectPath::parse(&s);
    }

    /// Parsing arbitrary text as a datetime never panics.
    #[test]
    fn datetime_parser_never_panics(s in "\\PC{0,30}") {
        let _ = CimDateTime::parse(&s);
    }
}
