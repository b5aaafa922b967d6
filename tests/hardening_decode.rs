//! Hardening of the CIM-XML decoder and of the CIM model against hostile input: bounded
//! recursion in object paths, duplicate keys and properties, calendar dates, real
//! overflow, embedded classes (DSP0004 EmbeddedObject qualifier) and ExecQuery results.

use smis::cim::{CimDateTime, CimType, CimValue, KeyBinding, ObjectPath};
use smis::message::{IReturn, Response};
use smis::xml::{DecodeLimits, decode_request, decode_response};

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP>"#;
const TAIL: &str = "</SIMPLERSP></MESSAGE></CIM>";

fn decode(xml: &str) -> Result<Response, smis::xml::DecodeError> {
    decode_response(xml.as_bytes(), &DecodeLimits::default()).map(|m| m.response)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ----- defect 2: nesting in object paths -----

#[test]
fn nested_type_casts_are_a_parse_error_not_a_stack_overflow() {
    // About 35 KB (what aborted the simulator) and 700 KB (what aborted the library).
    for n in [5_000usize, 100_000] {
        let text = format!("CIM_Foo.K={}5", "(uint8)".repeat(n));
        let e = ObjectPath::parse(&text).expect_err("nested casts must be refused");
        assert!(e.to_string().contains("only one type cast"), "{e}");
    }
    // One cast is still fine.
    let p = ObjectPath::parse("CIM_Foo.K=(uint8)5").unwrap();
    assert_eq!(p.key("K"), Some(&CimValue::Uint8(5)));
}

#[test]
fn nested_reference_keys_are_bounded() {
    let mut p = ObjectPath::new("root/x", "C").with_key("K", "v");
    for _ in 0..8 {
        p = ObjectPath::new("root/x", "C").with_key("R", p);
    }
    // Eight levels parse back (each level doubles the backslashes).
    assert_eq!(ObjectPath::parse(&p.to_string()).unwrap(), p);
}

#[test]
fn deep_xml_nesting_is_a_decode_error() {
    let deep = format!(
        "{HEAD}{}{}{TAIL}",
        "<VALUE.ARRAY>".repeat(100_000),
        "</VALUE.ARRAY>".repeat(100_000)
    );
    assert!(decode(&deep).is_err());
}

// ----- defect 6: duplicate keys and path equality -----

#[test]
fn duplicate_keys_are_a_parse_error() {
    for bad in ["C.k=1,k=1", "C.k=1,K=2", "/root/x:C.a=\"x\",b=2,A=\"y\""] {
        let e = ObjectPath::parse(bad).expect_err(bad);
        assert!(e.to_string().contains("more than once"), "{e}");
    }
}

#[test]
fn path_equality_is_symmetric_even_for_hand_built_duplicates() {
    let a = ObjectPath::new("root/x", "C")
        .with_key("k", 1u32)
        .with_key("k", 1u32);
    let b = ObjectPath::new("root/x", "C")
        .with_key("k", 1u32)
        .with_key("j", 2u32);
    assert_ne!(a, b);
    assert_ne!(b, a);
    let c = ObjectPath::new("root/x", "C")
        .with_key("k", 2u32)
        .with_key("k", 1u32);
    let d = ObjectPath::new("root/x", "C")
        .with_key("K", 1u64)
        .with_key("k", 2u8);
    assert_eq!(c, d);
    assert_eq!(d, c);
}

#[test]
fn path_equality_with_100k_keys_is_n_log_n() {
    // Quadratic equality took 16.7 s in release for this size; n log n takes milliseconds.
    let n = 100_000;
    let mut a = ObjectPath::new("root/x", "C");
    a.keys = (0..n)
        .map(|i| KeyBinding::new(format!("K{i}"), i as u64))
        .collect();
    let mut b = a.clone();
    b.keys.reverse();
    assert_eq!(a, b);
    assert_eq!(b, a);
    b.keys[n / 2].value = CimValue::Uint64(u64::MAX);
    assert_ne!(a, b);
    assert_ne!(b, a);
}

#[test]
fn duplicate_keybindings_in_instancename_are_a_decode_error() {
    let xml = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="EnumerateInstanceNames"><IRETURNVALUE><INSTANCENAME CLASSNAME="C"><KEYBINDING NAME="k"><KEYVALUE VALUETYPE="numeric">1</KEYVALUE></KEYBINDING><KEYBINDING NAME="K"><KEYVALUE VALUETYPE="numeric">2</KEYVALUE></KEYBINDING></INSTANCENAME></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#
    );
    let e = decode(&xml).expect_err("duplicate KEYBINDING");
    assert!(e.message.contains("more than once"), "{e}");
}

// ----- defect 7: wrong results -----

#[test]
fn duplicate_properties_in_an_instance_are_a_decode_error() {
    // DSP0201: an INSTANCE holds each property once.
    let xml = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="C"><PROPERTY NAME="A" TYPE="string"><VALUE>x</VALUE></PROPERTY><PROPERTY NAME="a" TYPE="string"><VALUE>y</VALUE></PROPERTY></INSTANCE></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#
    );
    let e = decode(&xml).expect_err("duplicate PROPERTY");
    assert!(e.message.contains("more than once"), "{e}");
}

#[test]
fn impossible_calendar_dates_are_refused() {
    assert!(CimDateTime::parse("20240231000000.000000+000").is_err());
    assert!(CimDateTime::parse("20230229120000.000000+000").is_err());
    assert!(CimDateTime::parse("20240229120000.000000+000").is_ok());
    let xml = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="C"><PROPERTY NAME="T" TYPE="datetime"><VALUE>20240231000000.000000+000</VALUE></PROPERTY></INSTANCE></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#
    );
    assert!(decode(&xml).is_err());
}

#[test]
fn real_keys_round_trip_including_inf_and_nan() {
    // (real32)1e300 is beyond real32: refused instead of silently becoming INF.
    assert!(ObjectPath::parse("C.K=(real32)1e300").is_err());
    assert!(CimValue::parse_scalar(CimType::Real32, "1e300").is_err());
    for v in [
        CimValue::Real32(f32::INFINITY),
        CimValue::Real32(f32::NEG_INFINITY),
        CimValue::Real64(f64::INFINITY),
        CimValue::Real64(f64::NAN),
        CimValue::Real32(1.5),
        CimValue::Real64(-2.25e-300),
    ] {
        let p = ObjectPath::new("root/x", "C").with_key("K", v.clone());
        let text = p.to_string();
        let back = ObjectPath::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back, p, "{text}");
    }
    // Typed keys that print untyped still compare equal after a round trip, both ways.
    for text in [
        "C.K=(real32)0.1",
        "C.K=(datetime)\"20240229120000.000000+000\"",
        "C.K=(string)\"root/x:D.k=1\"",
        "C.K=(uint8)7,J=(sint16)-3",
    ] {
        let p = ObjectPath::parse(text).unwrap();
        let shown = p.to_string();
        let back = ObjectPath::parse(&shown).unwrap();
        assert_eq!(back, p, "{text} -> {shown}");
        assert_eq!(p, back, "symmetric: {text} -> {shown}");
        assert_eq!(back.to_string(), shown, "{text}");
    }
    assert_eq!(
        ObjectPath::parse("C.K=(real32)INF").unwrap().key("K"),
        Some(&CimValue::Real32(f32::INFINITY))
    );
}

// ----- defect 9: embedded classes and ExecQuery paths -----

const CLASS_XML: &str =
    r#"<CLASS NAME="CIM_Foo" SUPERCLASS="CIM_Bar"><PROPERTY NAME="P" TYPE="uint16"/></CLASS>"#;
const INST_XML: &str = r#"<INSTANCE CLASSNAME="CIM_Foo"><PROPERTY NAME="P" TYPE="uint16"><VALUE>7</VALUE></PROPERTY></INSTANCE>"#;

fn method_return(inner: &str) -> smis::message::MethodReturn {
    let xml = format!(r#"{HEAD}<METHODRESPONSE NAME="M">{inner}</METHODRESPONSE>{TAIL}"#);
    match decode(&xml) {
        Ok(Response::Method { result: Ok(r), .. }) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn embedded_object_return_value_may_hold_a_class_or_an_instance() {
    for (attr, inner) in [
        ("EmbeddedObject", CLASS_XML),
        ("EMBEDDEDOBJECT", CLASS_XML),
        ("EmbeddedObject", INST_XML),
    ] {
        let r = method_return(&format!(
            r#"<RETURNVALUE PARAMTYPE="string" {attr}="object"><VALUE>{}</VALUE></RETURNVALUE><PARAMVALUE NAME="Out" PARAMTYPE="string" {attr}="object"><VALUE>{}</VALUE></PARAMVALUE><PARAMVALUE NAME="Arr" PARAMTYPE="string" {attr}="object"><VALUE.ARRAY><VALUE>{}</VALUE><VALUE>{}</VALUE></VALUE.ARRAY></PARAMVALUE>"#,
            escape(inner),
            escape(inner),
            escape(CLASS_XML),
            escape(INST_XML)
        ));
        let check = |v: Option<&CimValue>| match v {
            Some(CimValue::Class(c)) => {
                assert_eq!(c.name, "CIM_Foo");
                assert_eq!(c.superclass.as_ref().map(|s| s.as_str()), Some("CIM_Bar"));
            }
            Some(CimValue::Instance(i)) => assert_eq!(i.get::<u16>("P").unwrap(), 7),
            other => panic!("{other:?}"),
        };
        check(r.return_value.as_ref());
        check(r.out_param("Out").and_then(|p| p.value.as_ref()));
        let arr = r.out_param("Arr").and_then(|p| p.value.as_ref()).unwrap();
        let items = &arr.as_array().unwrap().items;
        assert!(matches!(items[0], Some(CimValue::Class(_))));
        assert!(matches!(items[1], Some(CimValue::Instance(_))));
    }
}

#[test]
fn embedded_object_property_may_hold_a_class() {
    let xml = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="C"><PROPERTY NAME="E" TYPE="string" EmbeddedObject="object"><VALUE>{}</VALUE></PROPERTY></INSTANCE></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#,
        escape(CLASS_XML)
    );
    let Ok(Response::Intrinsic {
        result: Ok(IReturn::Instance(i)),
        ..
    }) = decode(&xml)
    else {
        panic!("decode failed")
    };
    assert!(matches!(i.value("E"), Some(CimValue::Class(c)) if c.name == "CIM_Foo"));
}

#[test]
fn embedded_instance_parameter_in_a_request_may_hold_a_class_when_object() {
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="M"><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="C"><KEYBINDING NAME="k"><KEYVALUE>1</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH><PARAMVALUE NAME="In" PARAMTYPE="string" EmbeddedObject="object"><VALUE>{}</VALUE></PARAMVALUE></METHODCALL></SIMPLEREQ></MESSAGE></CIM>"#,
        escape(CLASS_XML)
    );
    let r = decode_request(xml.as_bytes(), &DecodeLimits::default()).unwrap();
    let s = format!("{r:?}");
    assert!(s.contains("Class("), "{s}");
}

#[test]
fn character_references_in_attributes_survive_normalisation() {
    // XML 1.0 §3.3.3: literal whitespace in an attribute becomes a space, but `&#10;` and
    // `&#13;` are kept (a multi-line DESCRIPTION was flattened silently).
    let xml = format!(
        "{HEAD}<IMETHODRESPONSE NAME=\"GetInstance\"><ERROR CODE=\"6\" DESCRIPTION=\"line1&#13;&#10;line2\tx\r\ny\"/></IMETHODRESPONSE>{TAIL}"
    );
    let Ok(Response::Intrinsic { result: Err(e), .. }) = decode(&xml) else {
        panic!("no error body")
    };
    assert_eq!(e.description.as_deref(), Some("line1\r\nline2 x y"));
}

#[test]
fn duplicate_properties_are_found_in_large_instances_too() {
    let mut props: String = (0..40)
        .map(|i| format!(r#"<PROPERTY NAME="P{i}" TYPE="uint32"><VALUE>{i}</VALUE></PROPERTY>"#))
        .collect();
    let unique = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="C">{props}</INSTANCE></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#
    );
    assert!(decode(&unique).is_ok());
    props.push_str(r#"<PROPERTY NAME="p17" TYPE="uint32"><VALUE>1</VALUE></PROPERTY>"#);
    let dup = format!(
        r#"{HEAD}<IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="C">{props}</INSTANCE></IRETURNVALUE></IMETHODRESPONSE>{TAIL}"#
    );
    let e = decode(&dup).expect_err("duplicate PROPERTY");
    assert!(
        e.message.contains("'p17' appears more than once")
            || e.message.contains("'P17' appears more than once"),
        "{e}"
    );
}
