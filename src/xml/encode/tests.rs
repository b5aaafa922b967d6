//! Unit tests of the encoder.

use super::core::scalar_text;
use super::*;
use crate::cim::{CimArray, CimDateTime, CimType, CimValue, ObjectPath, Property};
use crate::message::{
    ErrorBody, IReturn, Intrinsic, IntrinsicRequest, MethodCall, MethodReturn, ParamValue,
    PullResult,
};

fn msg(request: Request) -> RequestMessage {
    RequestMessage {
        id: "1001".into(),
        request,
    }
}

fn text(r: Result<Vec<u8>, EncodeError>) -> String {
    String::from_utf8(r.unwrap()).unwrap()
}

#[test]
fn refuses_nul_in_property() {
    let i = Instance::new("CIM_X").with("Caption", "a\u{0}b");
    let e = encode_instance(&i).unwrap_err();
    assert_eq!(e.path, "INSTANCE/PROPERTY[Name=Caption]");
    assert!(e.message.contains("U+0000"), "{e}");
}

#[test]
fn refuses_fffe_and_controls() {
    for bad in ["\u{FFFE}", "\u{FFFF}", "\u{1}", "\u{B}", "\u{1F}"] {
        let i = Instance::new("CIM_X").with("Caption", bad);
        assert!(encode_instance(&i).is_err(), "{bad:?}");
    }
    let ok = Instance::new("CIM_X").with("Caption", "tab\tlf\ncr\r é 日本 😀");
    let s = encode_instance(&ok).unwrap();
    assert!(s.contains("tab\tlf\ncr&#13; é 日本 😀"), "{s}");
}

#[test]
fn refuses_invalid_names() {
    let i = Instance::new("CIM X");
    assert_eq!(encode_instance(&i).unwrap_err().path, "INSTANCE");
    let i = Instance::new("CIM_X").with("1bad", 1u8);
    assert_eq!(
        encode_instance(&i).unwrap_err().path,
        "INSTANCE/PROPERTY[Name=1bad]"
    );
    let r = msg(Request::Intrinsic(IntrinsicRequest {
        namespace: "root/cimv2".into(),
        op: Intrinsic::EnumerateInstanceNames {
            class_name: "a<b".into(),
        },
    }));
    let e = encode_request(&r).unwrap_err();
    assert!(e.path.contains("IPARAMVALUE[Name=ClassName]"), "{e}");
}

#[test]
fn refuses_type_contradiction() {
    let mut p = Property::new("Size", 5u64);
    p.cim_type = CimType::String;
    let mut i = Instance::new("CIM_X");
    i.properties.push(p);
    let e = encode_instance(&i).unwrap_err();
    assert!(e.message.contains("contradicts"), "{e}");
    let mut p = Property::new("Size", vec![5u64]);
    p.is_array = false;
    let mut i = Instance::new("CIM_X");
    i.properties.push(p);
    assert!(encode_instance(&i).is_err());
    // array element of the wrong type
    let a = CimArray::new(
        CimType::Uint16,
        vec![
            Some(CimValue::Uint16(1)),
            Some(CimValue::String("x".into())),
        ],
    );
    let i = Instance::new("CIM_X").with("A", CimValue::Array(Box::new(a)));
    let e = encode_instance(&i).unwrap_err();
    assert_eq!(e.path, "INSTANCE/PROPERTY[Name=A]/[1]");
    // a parameter whose declared type differs from its value
    let mut pv = ParamValue::new("X", 1u32);
    pv.cim_type = Some(CimType::Uint8);
    let r = msg(Request::Method(MethodCall {
        target: ObjectPath::class(Some("root/cimv2"), "CIM_X"),
        method: "M".into(),
        params: vec![pv],
    }));
    assert!(encode_request(&r).is_err());
}

#[test]
fn refuses_modify_instance_without_path() {
    let r = msg(Request::Intrinsic(IntrinsicRequest {
        namespace: "root/cimv2".into(),
        op: Intrinsic::ModifyInstance {
            modified_instance: Instance::new("CIM_X").with("A", 1u8),
            include_qualifiers: None,
            property_list: None,
        },
    }));
    let e = encode_request(&r).unwrap_err();
    assert!(e.message.contains("no path"), "{e}");
}

#[test]
fn refuses_method_target_without_namespace() {
    let mut t = ObjectPath::class(None, "CIM_X");
    t.namespace = None;
    let r = msg(Request::Method(MethodCall {
        target: t,
        method: "M".into(),
        params: vec![],
    }));
    assert!(encode_request(&r).is_err());
}

#[test]
fn escapes_and_values() {
    let i = Instance::new("CIM_X")
        .with("S", "a&b<c>\"d\"")
        .with("R", f64::INFINITY)
        .with("N", f32::NAN)
        .with(
            "D",
            CimDateTime::parse("20240102030405.000000+060").unwrap(),
        )
        .with("B", true);
    let s = encode_instance(&i).unwrap();
    assert!(s.contains("<VALUE>a&amp;b&lt;c&gt;\"d\"</VALUE>"), "{s}");
    assert!(s.contains("<VALUE>INF</VALUE>"), "{s}");
    let t = |v: CimValue| scalar_text(&v);
    assert_eq!(t(CimValue::Real32(12345.0)), "1.23450000E+04");
    assert_eq!(t(CimValue::Real32(-0.15625)), "-1.56250000E-01");
    assert_eq!(t(CimValue::Real64(64.25)), "64.25");
    assert_eq!(t(CimValue::Real64(100.0)), "100.0");
    assert_eq!(t(CimValue::Real64(1.5e-7)), "1.5e-07");
    assert_eq!(t(CimValue::Real64(1e300)), "1e+300");
    assert_eq!(t(CimValue::Real64(1e16)), "1e+16");
    assert_eq!(t(CimValue::Real64(0.0001)), "0.0001");
    assert_eq!(t(CimValue::Real64(f64::NEG_INFINITY)), "-INF");
    assert_eq!(t(CimValue::Real32(f32::NAN)), "NaN");
    assert!(s.contains("<VALUE>NaN</VALUE>"), "{s}");
    assert!(
        s.contains("<VALUE>20240102030405.000000+060</VALUE>"),
        "{s}"
    );
    assert!(s.contains("<VALUE>TRUE</VALUE>"), "{s}");
    let r = msg(Request::Intrinsic(IntrinsicRequest {
        namespace: "root/cimv2".into(),
        op: Intrinsic::GetInstance {
            instance_name: ObjectPath::new("root/cimv2", "CIM_X").with_key("K", "q\"&"),
            local_only: Some(false),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        },
    }));
    let s = text(encode_request(&r));
    assert!(s.starts_with(XML_DECL), "{s}");
    assert!(s.contains("q\"&amp;</KEYVALUE>"), "{s}");
}

#[test]
fn response_quirk_options() {
    let m = ResponseMessage {
        id: "9".into(),
        response: Response::Method {
            name: "GetSetting".into(),
            result: Ok(MethodReturn {
                return_value: Some(CimValue::Uint32(0)),
                out_params: vec![ParamValue::new(
                    "Setting",
                    Instance::new("CIM_SettingData").with("X", 1u8),
                )],
            }),
        },
    };
    let std = text(encode_response(&m));
    assert!(
        std.contains(r#"<RETURNVALUE PARAMTYPE="uint32"><VALUE>0</VALUE></RETURNVALUE>"#),
        "{std}"
    );
    assert!(std.contains(r#"<PARAMVALUE NAME="Setting" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE CLASSNAME="CIM_SettingData"&gt;"#), "{std}");
    let opts = EncodeOptions {
        type_instead_of_paramtype: true,
        uppercase_embedded_object: true,
    };
    let q = text(encode_response_with(&m, &opts));
    assert!(q.contains(r#"<RETURNVALUE TYPE="uint32">"#), "{q}");
    assert!(
        q.contains(r#"<PARAMVALUE NAME="Setting" TYPE="string" EMBEDDEDOBJECT="instance">"#),
        "{q}"
    );
    assert!(
        !q.contains("PARAMTYPE") && !q.contains("EmbeddedObject"),
        "{q}"
    );
}

#[test]
fn pull_response_tail_and_errors() {
    let mut inst = Instance::new("CIM_X").with("A", 1u8);
    inst.path = Some(ObjectPath::new("root/cimv2", "CIM_X").with_key("A", 1u8));
    let m = |r: IReturn| ResponseMessage {
        id: "1".into(),
        response: Response::Intrinsic {
            name: "OpenEnumerateInstances".into(),
            result: Ok(r),
        },
    };
    let s = text(encode_response(&m(IReturn::PullInstances(PullResult {
        items: vec![inst.clone()],
        end_of_sequence: false,
        enumeration_context: Some("c1".into()),
    }))));
    assert!(
        s.contains("<VALUE.INSTANCEWITHPATH><INSTANCEPATH><NAMESPACEPATH><HOST>localhost</HOST>"),
        "{s}"
    );
    assert!(s.contains(r#"</IRETURNVALUE><PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>FALSE</VALUE></PARAMVALUE><PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>c1</VALUE></PARAMVALUE></IMETHODRESPONSE>"#), "{s}");
    // VALUE.NAMEDINSTANCE needs the path
    let mut no_path = inst.clone();
    no_path.path = None;
    let e = encode_response(&m(IReturn::Instances(vec![no_path]))).unwrap_err();
    assert!(e.message.contains("no path"), "{e}");
    let e = ResponseMessage {
        id: "1".into(),
        response: Response::Intrinsic {
            name: "GetInstance".into(),
            result: Err(ErrorBody {
                code: 6,
                description: Some("bad \u{1}".into()),
                instances: vec![],
            }),
        },
    };
    assert!(encode_response(&e).is_err());
}
