//! Every request and response form the encoder writes validates against the CIM-XML DTD
//! (DSP0203 2.4.0), checked with `xmllint --dtdvalid` in one call over all files.

use std::path::PathBuf;
use std::process::Command;

use smis::cim::{
    CimArray, CimClass, CimDateTime, CimName, CimType, CimValue, Flavor, Instance, Method,
    ObjectPath, Parameter, Property, Qualifier, QualifierDecl, Scope,
};
use smis::message::{
    CimObject, ErrorBody, ExportCall, IReturn, Intrinsic, IntrinsicRequest, MethodCall,
    MethodReturn, ParamValue, PullOptions, PullResult, Request, RequestMessage, Response,
    ResponseMessage,
};
use smis::xml::{encode_instance, encode_request, encode_response};

fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("SMIS_SHARED") {
        return PathBuf::from(d);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if local.exists() {
        return local;
    }
    PathBuf::from("/work/shared")
}

const NS: &str = "root/cimv2";

fn dt() -> CimDateTime {
    CimDateTime::parse("20240102030405.123456+060").expect("datetime")
}

fn arr(t: CimType, items: Vec<Option<CimValue>>) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(t, items)))
}

/// One value of each of the 14 scalar types.
fn scalars() -> Vec<(&'static str, CimValue)> {
    vec![
        ("B", CimValue::Boolean(true)),
        ("S", CimValue::String("x & <y> \"z\" é 日本".into())),
        ("C", CimValue::Char16('q')),
        ("U8", CimValue::Uint8(255)),
        ("S8", CimValue::Sint8(-128)),
        ("U16", CimValue::Uint16(65535)),
        ("S16", CimValue::Sint16(-32768)),
        ("U32", CimValue::Uint32(u32::MAX)),
        ("S32", CimValue::Sint32(i32::MIN)),
        ("U64", CimValue::Uint64(u64::MAX)),
        ("S64", CimValue::Sint64(i64::MIN)),
        ("R32", CimValue::Real32(1.5)),
        ("R64", CimValue::Real64(f64::NEG_INFINITY)),
        ("DT", CimValue::DateTime(dt())),
    ]
}

fn vol_path(host: Option<&str>, ns: Option<&str>) -> ObjectPath {
    let mut p = ObjectPath::new(NS, "SIM_StorageVolume")
        .with_key("DeviceID", "vol-1")
        .with_key("Num", 7u32)
        .with_key("Flag", true)
        .with_key("Ch", 'c')
        .with_key("When", dt())
        .with_key(
            "Sys",
            ObjectPath::new(NS, "SIM_System").with_key("Name", "sim"),
        );
    p.host = host.map(str::to_string);
    p.namespace = ns.map(str::to_string);
    p
}

fn class_path(host: Option<&str>, ns: Option<&str>) -> ObjectPath {
    let mut p = ObjectPath::class(ns, "SIM_StorageVolume");
    p.host = host.map(str::to_string);
    p
}

fn simple_instance(n: u32) -> Instance {
    Instance::new("SIM_Setting")
        .with("ElementName", format!("s{n}"))
        .with("Size", u64::from(n) * 512)
}

/// An instance with every property form: all scalar types, arrays with NULLs, NULLs,
/// references, embedded instances and classes, qualifiers.
fn rich_instance() -> Instance {
    let mut i = Instance::new("SIM_Everything");
    for (n, v) in scalars() {
        i.set(n, v.clone());
        i.set(
            format!("{n}_Array"),
            arr(v.cim_type(), vec![Some(v.clone()), None, Some(v)]),
        );
    }
    i.set_property(Property::null("NullS", CimType::String, false));
    i.set_property(Property::null("NullA", CimType::Uint16, true));
    i.set_property(Property::null("NullRef", CimType::Reference, false));
    i.set("Ref", vol_path(None, Some(NS)));
    i.set("RefHost", vol_path(Some("array1:5989"), Some(NS)));
    i.set("RefLocal", vol_path(None, None));
    i.set("RefClass", class_path(None, Some(NS)));
    i.set("Emb", simple_instance(1));
    i.set(
        "EmbArray",
        arr(
            CimType::String,
            vec![Some(CimValue::Instance(Box::new(simple_instance(2)))), None],
        ),
    );
    i.set("EmbClass", CimValue::Class(Box::new(simple_class())));
    let mut p = Property::new("Described", "with qualifiers");
    p.propagated = Some(false);
    let e = p.extra_mut();
    e.class_origin = Some("SIM_Base".into());
    e.qualifiers
        .push(Qualifier::new("Description", "a property"));
    i.set_property(p);
    let mut q = Qualifier::new("Values", arr(CimType::String, vec![Some("a".into())]));
    q.flavor.translatable = Some(true);
    i.qualifiers.push(q);
    i
}

fn simple_class() -> CimClass {
    let mut c = CimClass::new("SIM_Small");
    c.properties
        .push(Property::null("Name", CimType::String, false));
    c
}

fn flavor() -> Flavor {
    Flavor {
        overridable: Some(false),
        tosubclass: Some(true),
        toinstance: Some(false),
        translatable: Some(true),
    }
}

/// A class with qualifiers, every property form and methods with every parameter form.
fn rich_class() -> CimClass {
    let mut c = CimClass::new("SIM_StorageVolume");
    c.superclass = Some("CIM_StorageVolume".into());
    let mut q = Qualifier::new("Description", "A volume");
    q.flavor = flavor();
    q.propagated = Some(true);
    c.qualifiers.push(q);
    c.qualifiers.push(Qualifier {
        name: "Abstract".into(),
        cim_type: CimType::Boolean,
        value: None,
        propagated: None,
        flavor: Flavor::default(),
    });
    let mut key = Property::new("DeviceID", "default-id");
    key.extra_mut().qualifiers.push(Qualifier::new("Key", true));
    key.extra_mut().class_origin = Some("CIM_LogicalDevice".into());
    key.propagated = Some(true);
    c.properties.push(key);
    let mut a = Property::new("OperationalStatus", vec![2u16, 3]);
    a.extra_mut().array_size = Some(2);
    c.properties.push(a);
    let mut r = Property::null("Pool", CimType::Reference, false);
    r.extra_mut().reference_class = Some("SIM_Pool".into());
    c.properties.push(r);
    c.properties
        .push(Property::new("DefaultPool", vol_path(None, None)));
    for (n, v) in scalars() {
        c.properties.push(Property::new(format!("P{n}"), v));
    }
    let mut m = Method::new("CreateSnapshot", CimType::Uint32);
    m.class_origin = Some("SIM_StorageVolume".into());
    m.propagated = Some(false);
    m.qualifiers
        .push(Qualifier::new("Description", "snapshots"));
    let mut p1 = Parameter::new("Name", CimType::String, false);
    p1.qualifiers.push(Qualifier::new("IN", true));
    m.parameters.push(p1);
    let mut p2 = Parameter::new("Sizes", CimType::Uint64, true);
    p2.array_size = Some(4);
    m.parameters.push(p2);
    let mut p3 = Parameter::new("Job", CimType::Reference, false);
    p3.reference_class = Some("CIM_ConcreteJob".into());
    p3.qualifiers.push(Qualifier::new("OUT", true));
    m.parameters.push(p3);
    let mut p4 = Parameter::new("Pools", CimType::Reference, true);
    p4.reference_class = Some("SIM_Pool".into());
    p4.array_size = Some(2);
    m.parameters.push(p4);
    c.methods.push(m);
    c.methods.push(Method {
        name: "Noop".into(),
        return_type: None,
        parameters: vec![],
        qualifiers: vec![],
        class_origin: None,
        propagated: None,
    });
    c
}

fn qdecl(is_array: bool) -> QualifierDecl {
    QualifierDecl {
        name: if is_array { "ValueMap" } else { "Description" }.into(),
        cim_type: CimType::String,
        is_array,
        array_size: if is_array { Some(3) } else { None },
        value: Some(if is_array {
            arr(CimType::String, vec![Some("0".into()), None])
        } else {
            "text".into()
        }),
        scope: Some(Scope {
            class: true,
            association: true,
            reference: true,
            property: true,
            method: true,
            parameter: true,
            indication: true,
        }),
        flavor: flavor(),
    }
}

fn pull() -> PullOptions {
    PullOptions::new()
        .filter("DMTF:FQL", "Size > 5")
        .operation_timeout(30)
        .continue_on_error(false)
        .max_object_count(100)
}

fn some_props() -> Option<Vec<CimName>> {
    Some(vec!["ElementName".into(), "Size".into()])
}

fn all_intrinsics() -> Vec<Intrinsic> {
    let ip = || vol_path(None, Some(NS));
    let cls = || Some(CimName::new("SIM_Assoc"));
    let t = Some(true);
    let f = Some(false);
    let mut with_path = rich_instance();
    with_path.path = Some(ip());
    vec![
        Intrinsic::GetInstance {
            instance_name: ip(),
            local_only: f,
            include_qualifiers: t,
            include_class_origin: t,
            property_list: some_props(),
        },
        Intrinsic::EnumerateInstances {
            class_name: "SIM_StorageVolume".into(),
            local_only: f,
            deep_inheritance: t,
            include_qualifiers: f,
            include_class_origin: t,
            property_list: Some(vec![]),
        },
        Intrinsic::EnumerateInstanceNames {
            class_name: "SIM_StorageVolume".into(),
        },
        Intrinsic::CreateInstance {
            new_instance: rich_instance(),
        },
        Intrinsic::ModifyInstance {
            modified_instance: with_path,
            include_qualifiers: f,
            property_list: some_props(),
        },
        Intrinsic::DeleteInstance {
            instance_name: ip(),
        },
        Intrinsic::Associators {
            object_name: ip(),
            assoc_class: cls(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            result_role: Some("Dependent".into()),
            include_qualifiers: t,
            include_class_origin: t,
            property_list: some_props(),
        },
        Intrinsic::AssociatorNames {
            object_name: class_path(None, Some(NS)),
            assoc_class: cls(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            result_role: Some("Dependent".into()),
        },
        Intrinsic::References {
            object_name: ip(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            include_qualifiers: t,
            include_class_origin: t,
            property_list: some_props(),
        },
        Intrinsic::ReferenceNames {
            object_name: ip(),
            result_class: cls(),
            role: Some("Antecedent".into()),
        },
        Intrinsic::ExecQuery {
            query_language: "DMTF:CQL".into(),
            query: "SELECT * FROM SIM_StorageVolume WHERE Size > 5 AND Name <> 'a&b'".into(),
        },
        Intrinsic::GetClass {
            class_name: "SIM_StorageVolume".into(),
            local_only: f,
            include_qualifiers: t,
            include_class_origin: t,
            property_list: some_props(),
        },
        Intrinsic::EnumerateClasses {
            class_name: Some("CIM_ManagedElement".into()),
            deep_inheritance: t,
            local_only: f,
            include_qualifiers: t,
            include_class_origin: t,
        },
        Intrinsic::EnumerateClassNames {
            class_name: Some("CIM_ManagedElement".into()),
            deep_inheritance: t,
        },
        Intrinsic::CreateClass {
            new_class: rich_class(),
        },
        Intrinsic::ModifyClass {
            modified_class: rich_class(),
        },
        Intrinsic::DeleteClass {
            class_name: "SIM_StorageVolume".into(),
        },
        Intrinsic::GetQualifier {
            qualifier_name: "Description".into(),
        },
        Intrinsic::SetQualifier {
            qualifier_declaration: qdecl(true),
        },
        Intrinsic::DeleteQualifier {
            qualifier_name: "Description".into(),
        },
        Intrinsic::EnumerateQualifiers,
        Intrinsic::OpenEnumerateInstances {
            class_name: "SIM_StorageVolume".into(),
            deep_inheritance: t,
            include_class_origin: t,
            property_list: some_props(),
            pull: pull(),
        },
        Intrinsic::OpenEnumerateInstancePaths {
            class_name: "SIM_StorageVolume".into(),
            pull: pull(),
        },
        Intrinsic::OpenAssociatorInstances {
            instance_name: ip(),
            assoc_class: cls(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            result_role: Some("Dependent".into()),
            include_class_origin: t,
            property_list: some_props(),
            pull: pull(),
        },
        Intrinsic::OpenAssociatorInstancePaths {
            instance_name: ip(),
            assoc_class: cls(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            result_role: Some("Dependent".into()),
            pull: pull(),
        },
        Intrinsic::OpenReferenceInstances {
            instance_name: ip(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            include_class_origin: t,
            property_list: some_props(),
            pull: pull(),
        },
        Intrinsic::OpenReferenceInstancePaths {
            instance_name: ip(),
            result_class: cls(),
            role: Some("Antecedent".into()),
            pull: pull(),
        },
        Intrinsic::OpenQueryInstances {
            filter_query: "SELECT * FROM SIM_StorageVolume".into(),
            filter_query_language: "DMTF:CQL".into(),
            return_query_result_class: t,
            operation_timeout: Some(0),
            continue_on_error: f,
            max_object_count: Some(10),
        },
        Intrinsic::PullInstancesWithPath {
            enumeration_context: "ctx-1".into(),
            max_object_count: 100,
        },
        Intrinsic::PullInstancePaths {
            enumeration_context: "ctx-1".into(),
            max_object_count: 100,
        },
        Intrinsic::PullInstances {
            enumeration_context: "ctx-1".into(),
            max_object_count: 100,
        },
        Intrinsic::CloseEnumeration {
            enumeration_context: "ctx-1".into(),
        },
    ]
}

/// Parameters of every type: 14 scalars, arrays, NULLs, references (every path form),
/// reference arrays, embedded instances, arrays of them, an embedded class.
fn all_params() -> Vec<ParamValue> {
    let mut ps = Vec::new();
    for (n, v) in scalars() {
        ps.push(ParamValue::new(n, v.clone()));
        ps.push(ParamValue::new(
            format!("{n}_Array"),
            arr(v.cim_type(), vec![Some(v), None]),
        ));
    }
    ps.push(ParamValue::null("Nothing"));
    let mut typed_null = ParamValue::null("TypedNothing");
    typed_null.cim_type = Some(CimType::Uint16);
    ps.push(typed_null);
    ps.push(ParamValue::new("RefLocal", vol_path(None, Some(NS))));
    ps.push(ParamValue::new(
        "RefHost",
        vol_path(Some("h:5989"), Some(NS)),
    ));
    ps.push(ParamValue::new("RefBare", vol_path(None, None)));
    ps.push(ParamValue::new("ClassRefLocal", class_path(None, Some(NS))));
    ps.push(ParamValue::new(
        "ClassRefHost",
        class_path(Some("h"), Some(NS)),
    ));
    ps.push(ParamValue::new("ClassRefBare", class_path(None, None)));
    ps.push(ParamValue::new(
        "RefArray",
        arr(
            CimType::Reference,
            vec![
                Some(CimValue::Reference(Box::new(vol_path(None, Some(NS))))),
                None,
                Some(CimValue::Reference(Box::new(vol_path(Some("h"), Some(NS))))),
            ],
        ),
    ));
    ps.push(ParamValue::new("Embedded", rich_instance()));
    ps.push(ParamValue::new(
        "Settings",
        arr(
            CimType::String,
            vec![
                Some(CimValue::Instance(Box::new(simple_instance(1)))),
                Some(CimValue::Instance(Box::new(simple_instance(2)))),
            ],
        ),
    ));
    ps.push(ParamValue::new(
        "EmbClass",
        CimValue::Class(Box::new(rich_class())),
    ));
    ps
}

fn requests() -> Vec<(String, Request)> {
    let mut out: Vec<(String, Request)> = all_intrinsics()
        .into_iter()
        .map(|op| {
            (
                format!("req_{}", op.name()),
                Request::Intrinsic(IntrinsicRequest {
                    namespace: NS.into(),
                    op,
                }),
            )
        })
        .collect();
    out.push((
        "req_method_instance".into(),
        Request::Method(MethodCall {
            target: vol_path(None, Some(NS)),
            method: "DoEverything".into(),
            params: all_params(),
        }),
    ));
    out.push((
        "req_method_class".into(),
        Request::Method(MethodCall {
            target: class_path(Some("ignored"), Some(NS)),
            method: "Static".into(),
            params: vec![],
        }),
    ));
    out.push((
        "req_export".into(),
        Request::Export(ExportCall {
            method: "ExportIndication".into(),
            params: vec![ParamValue::new("NewIndication", rich_instance())],
        }),
    ));
    out
}

fn with_path(mut i: Instance, host: Option<&str>) -> Instance {
    i.path = Some(vol_path(host, Some(NS)));
    i
}

fn err_body() -> ErrorBody {
    let mut e = Instance::new("CIM_Error")
        .with("CIMStatusCode", 6u32)
        .with("Message", "not found <here>");
    e.set("ErrorType", 4u16);
    ErrorBody {
        code: 6,
        description: Some("CIM_ERR_NOT_FOUND: \"x\" & <y>".into()),
        instances: vec![e],
    }
}

fn responses() -> Vec<(String, Response)> {
    let intr = |name: &str, r: IReturn| Response::Intrinsic {
        name: name.into(),
        result: Ok(r),
    };
    let mut cls_with_path = rich_class();
    cls_with_path.path = Some(class_path(Some("h"), Some(NS)));
    let rs = vec![
        ("nothing", intr("DeleteInstance", IReturn::Nothing)),
        (
            "instance",
            intr("GetInstance", IReturn::Instance(rich_instance())),
        ),
        (
            "instances",
            intr(
                "EnumerateInstances",
                IReturn::Instances(vec![
                    with_path(rich_instance(), None),
                    with_path(simple_instance(3), None),
                ]),
            ),
        ),
        (
            "instances_empty",
            intr("EnumerateInstances", IReturn::Instances(vec![])),
        ),
        (
            "instance_names",
            intr(
                "EnumerateInstanceNames",
                IReturn::InstanceNames(vec![vol_path(None, Some(NS)), vol_path(Some("h"), None)]),
            ),
        ),
        (
            "instance_name",
            intr(
                "CreateInstance",
                IReturn::InstanceName(vol_path(None, Some(NS))),
            ),
        ),
        (
            "objects_with_path",
            intr(
                "Associators",
                IReturn::Objects(vec![
                    CimObject::Instance(with_path(rich_instance(), Some("h"))),
                    CimObject::Class(cls_with_path),
                ]),
            ),
        ),
        (
            "objects_without_path",
            intr(
                "ExecQuery",
                IReturn::Objects(vec![
                    CimObject::Instance(rich_instance()),
                    CimObject::Class(simple_class()),
                ]),
            ),
        ),
        (
            "object_paths",
            intr(
                "ReferenceNames",
                IReturn::ObjectPaths(vec![
                    vol_path(Some("h"), Some(NS)),
                    class_path(Some("h"), Some(NS)),
                    vol_path(None, Some(NS)),
                ]),
            ),
        ),
        ("class", intr("GetClass", IReturn::Class(rich_class()))),
        (
            "classes",
            intr(
                "EnumerateClasses",
                IReturn::Classes(vec![rich_class(), simple_class()]),
            ),
        ),
        (
            "class_names",
            intr(
                "EnumerateClassNames",
                IReturn::ClassNames(vec!["CIM_A".into(), "CIM_B".into()]),
            ),
        ),
        (
            "qualifier_decl",
            intr("GetQualifier", IReturn::QualifierDecl(qdecl(false))),
        ),
        (
            "qualifier_decls",
            intr(
                "EnumerateQualifiers",
                IReturn::QualifierDecls(vec![qdecl(false), qdecl(true)]),
            ),
        ),
        (
            "pull_with_path",
            intr(
                "OpenEnumerateInstances",
                IReturn::PullInstances(PullResult {
                    items: vec![
                        with_path(rich_instance(), Some("h")),
                        with_path(simple_instance(1), None),
                    ],
                    end_of_sequence: false,
                    enumeration_context: Some("ctx-9".into()),
                }),
            ),
        ),
        (
            "pull_instances",
            intr(
                "PullInstances",
                IReturn::PullInstances(PullResult {
                    items: vec![rich_instance()],
                    end_of_sequence: true,
                    enumeration_context: None,
                }),
            ),
        ),
        (
            "pull_empty",
            intr(
                "PullInstancesWithPath",
                IReturn::PullInstances(PullResult {
                    items: vec![],
                    end_of_sequence: true,
                    enumeration_context: None,
                }),
            ),
        ),
        (
            "pull_paths",
            intr(
                "OpenEnumerateInstancePaths",
                IReturn::PullPaths(PullResult {
                    items: vec![vol_path(Some("h"), Some(NS)), vol_path(None, Some(NS))],
                    end_of_sequence: false,
                    enumeration_context: Some("ctx-2".into()),
                }),
            ),
        ),
        (
            "intrinsic_error",
            Response::Intrinsic {
                name: "GetInstance".into(),
                result: Err(err_body()),
            },
        ),
        (
            "intrinsic_error_bare",
            Response::Intrinsic {
                name: "GetInstance".into(),
                result: Err(ErrorBody {
                    code: 1,
                    description: None,
                    instances: vec![],
                }),
            },
        ),
        (
            "method_return",
            Response::Method {
                name: "CreateSnapshot".into(),
                result: Ok(MethodReturn {
                    return_value: Some(CimValue::Uint32(4096)),
                    out_params: all_params(),
                }),
            },
        ),
        (
            "method_return_ref",
            Response::Method {
                name: "GetPool".into(),
                result: Ok(MethodReturn {
                    return_value: Some(CimValue::Reference(Box::new(vol_path(None, Some(NS))))),
                    out_params: vec![],
                }),
            },
        ),
        (
            "method_return_embedded",
            Response::Method {
                name: "GetSetting".into(),
                result: Ok(MethodReturn {
                    return_value: Some(CimValue::Instance(Box::new(simple_instance(5)))),
                    out_params: vec![],
                }),
            },
        ),
        (
            "method_return_none",
            Response::Method {
                name: "Noop".into(),
                result: Ok(MethodReturn::default()),
            },
        ),
        (
            "method_error",
            Response::Method {
                name: "CreateSnapshot".into(),
                result: Err(err_body()),
            },
        ),
        (
            "export_ok",
            Response::Export {
                name: "ExportIndication".into(),
                result: Ok(None),
            },
        ),
        (
            "export_error",
            Response::Export {
                name: "ExportIndication".into(),
                result: Err(err_body()),
            },
        ),
    ];
    rs.into_iter()
        .map(|(n, r)| (format!("rsp_{n}"), r))
        .collect()
}

#[test]
fn every_form_validates_against_the_dtd() {
    let dtd = shared_dir().join("conformance/DSP0203_2.4.0.dtd");
    assert!(dtd.exists(), "DTD not found at {}", dtd.display());
    let dir = std::env::temp_dir().join(format!("smis-xml-dtd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut files = Vec::new();
    let reqs = requests();
    assert_eq!(
        reqs.len(),
        35,
        "32 intrinsic operations + 2 method calls + 1 export"
    );
    for (i, (name, request)) in reqs.into_iter().enumerate() {
        let xml = encode_request(&RequestMessage {
            id: format!("{}", 1000 + i),
            request,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = dir.join(format!("{name}.xml"));
        std::fs::write(&f, xml).expect("write");
        files.push(f);
    }
    for (name, response) in responses() {
        let xml = encode_response(&ResponseMessage {
            id: "77".into(),
            response,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = dir.join(format!("{name}.xml"));
        std::fs::write(&f, xml).expect("write");
        files.push(f);
    }
    // Embedded-instance text (the VALUE content of EmbeddedObject parameters) on its own.
    for (name, inst) in [
        ("emb_rich", rich_instance()),
        ("emb_simple", simple_instance(9)),
    ] {
        let xml = encode_instance(&inst).unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = dir.join(format!("{name}.xml"));
        std::fs::write(&f, xml).expect("write");
        files.push(f);
    }
    let out = match Command::new("xmllint")
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(&dtd)
        .args(&files)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "xmllint could not be run ({e}); install it (Debian/Ubuntu: apt-get install \
             libxml2-utils) - this test validates every CIM-XML form against the DTD"
        ),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "DTD validation of {} files failed:\n{stderr}",
        files.len()
    );
    println!("{} files valid against {}", files.len(), dtd.display());
    let _ = std::fs::remove_dir_all(&dir);
}
