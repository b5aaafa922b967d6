//! Decoder tests: tolerances, refusals, real OpenPegasus captures and the conformance sample.

use std::path::PathBuf;

use smis::cim::{CimType, CimValue, EmbeddedKind};
use smis::message::{IReturn, Intrinsic, Request, Response};
use smis::xml::{
    DecodeError, DecodeErrorKind, DecodeLimits, decode_instance, decode_request, decode_response,
    decode_value_object,
};

/// The shared directory: `SMIS_SHARED`, else `CARGO_MANIFEST_DIR/../shared`, else `/work/shared`.
fn shared_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("SMIS_SHARED") {
        return Some(PathBuf::from(d));
    }
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if rel.is_dir() {
        return Some(rel);
    }
    let abs = PathBuf::from("/work/shared");
    abs.is_dir().then_some(abs)
}

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP>"#;
const TAIL: &str = "</SIMPLERSP></MESSAGE></CIM>";

fn imeth(op: &str, inner: &str) -> String {
    format!(r#"{HEAD}<IMETHODRESPONSE NAME="{op}">{inner}</IMETHODRESPONSE>{TAIL}"#)
}

fn getinst(inst_body: &str) -> String {
    imeth(
        "GetInstance",
        &format!(r#"<IRETURNVALUE><INSTANCE CLASSNAME="C">{inst_body}</INSTANCE></IRETURNVALUE>"#),
    )
}

fn ok(xml: &str) -> Response {
    match decode_response(xml.as_bytes(), &DecodeLimits::default()) {
        Ok(m) => m.response,
        Err(e) => panic!("decode failed: {e:?}\n{xml}"),
    }
}

fn fail(xml: &[u8]) -> DecodeError {
    match decode_response(xml, &DecodeLimits::default()) {
        Ok(m) => panic!("decode succeeded unexpectedly: {m:?}"),
        Err(e) => e,
    }
}

fn instance_of(r: Response) -> smis::cim::Instance {
    match r {
        Response::Intrinsic {
            result: Ok(IReturn::Instance(i)),
            ..
        } => i,
        other => panic!("not an instance: {other:?}"),
    }
}

fn inst(body: &str) -> smis::cim::Instance {
    instance_of(ok(&getinst(body)))
}

// ----- tolerances -----

#[test]
fn no_xml_declaration() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>x</VALUE></PROPERTY>"#);
    let x = x.split_once("?>").unwrap().1;
    assert_eq!(instance_of(ok(x)).get::<String>("A").unwrap(), "x");
}

#[test]
fn latin1_declaration_is_transcoded() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>caf_</VALUE></PROPERTY>"#)
        .replace("utf-8", "ISO-8859-1");
    let mut b = x.into_bytes();
    let i = b.iter().position(|&c| c == b'_').unwrap();
    b[i] = 0xE9; // é in latin-1
    let r = decode_response(&b, &DecodeLimits::default()).unwrap();
    match r.response {
        Response::Intrinsic {
            result: Ok(IReturn::Instance(i)),
            ..
        } => assert_eq!(i.get::<String>("A").unwrap(), "café"),
        o => panic!("{o:?}"),
    }
}

#[test]
fn other_encodings_refused() {
    let x = getinst("").replace("utf-8", "EBCDIC-US");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidEncoding);
}

#[test]
fn utf8_bom_accepted() {
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend_from_slice(getinst("").as_bytes());
    assert!(decode_response(&b, &DecodeLimits::default()).is_ok());
}

fn key_of(xml_keys: &str) -> smis::cim::ObjectPath {
    let x = imeth(
        "EnumerateInstanceNames",
        &format!(
            r#"<IRETURNVALUE><INSTANCENAME CLASSNAME="C">{xml_keys}</INSTANCENAME></IRETURNVALUE>"#
        ),
    );
    match ok(&x) {
        Response::Intrinsic {
            result: Ok(IReturn::InstanceNames(mut v)),
            ..
        } => v.remove(0),
        o => panic!("{o:?}"),
    }
}

#[test]
fn keyvalue_empty_type_is_absent() {
    let p = key_of(
        r#"<KEYBINDING NAME="K"><KEYVALUE VALUETYPE="string" TYPE="">abc</KEYVALUE></KEYBINDING>"#,
    );
    assert_eq!(p.key("K"), Some(&CimValue::String("abc".into())));
}

#[test]
fn keyvalue_without_type_uses_valuetype() {
    let p = key_of(
        r#"<KEYBINDING NAME="S"><KEYVALUE>abc</KEYVALUE></KEYBINDING>
           <KEYBINDING NAME="B"><KEYVALUE VALUETYPE="boolean">TRUE</KEYVALUE></KEYBINDING>
           <KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric">-5</KEYVALUE></KEYBINDING>
           <KEYBINDING NAME="U"><KEYVALUE VALUETYPE="numeric">7</KEYVALUE></KEYBINDING>
           <KEYBINDING NAME="R"><KEYVALUE VALUETYPE="numeric">1.5</KEYVALUE></KEYBINDING>
           <KEYBINDING NAME="T"><KEYVALUE VALUETYPE="numeric" TYPE="uint16">9</KEYVALUE></KEYBINDING>"#,
    );
    assert_eq!(p.key("S"), Some(&CimValue::String("abc".into())));
    assert_eq!(p.key("B"), Some(&CimValue::Boolean(true)));
    assert_eq!(p.key("N"), Some(&CimValue::Sint64(-5)));
    assert_eq!(p.key("U"), Some(&CimValue::Uint64(7)));
    assert_eq!(p.key("R"), Some(&CimValue::Real64(1.5)));
    assert_eq!(p.key("T"), Some(&CimValue::Uint16(9)));
}

#[test]
fn single_unnamed_keyvalue() {
    let p = key_of(r#"<KEYVALUE VALUETYPE="string">only</KEYVALUE>"#);
    assert_eq!(p.keys.len(), 1);
    assert_eq!(p.keys[0].value, CimValue::String("only".into()));
}

#[test]
fn hex_whitespace_numbers_and_case_insensitive_booleans() {
    let i = inst(
        r#"<PROPERTY NAME="A" TYPE="uint32"><VALUE> 0x1F </VALUE></PROPERTY>
           <PROPERTY NAME="B" TYPE="boolean"><VALUE>True</VALUE></PROPERTY>
           <PROPERTY NAME="C" TYPE="sint8"><VALUE>
             -3
           </VALUE></PROPERTY>"#,
    );
    assert_eq!(i.value("A"), Some(&CimValue::Uint32(31)));
    assert_eq!(i.value("B"), Some(&CimValue::Boolean(true)));
    assert_eq!(i.value("C"), Some(&CimValue::Sint8(-3)));
}

#[test]
fn empty_boolean_is_null() {
    let i = inst(r#"<PROPERTY NAME="B" TYPE="boolean"><VALUE></VALUE></PROPERTY>"#);
    assert_eq!(i.property("B").unwrap().value, None);
}

#[test]
fn missing_ireturnvalue_is_empty_result() {
    match ok(&imeth("EnumerateInstances", "")) {
        Response::Intrinsic {
            result: Ok(IReturn::Instances(v)),
            ..
        } => assert!(v.is_empty()),
        o => panic!("{o:?}"),
    }
    match ok(&imeth("DeleteInstance", "")) {
        Response::Intrinsic {
            result: Ok(IReturn::Nothing),
            ..
        } => {}
        o => panic!("{o:?}"),
    }
}

#[test]
fn paramvalue_with_type_instead_of_paramtype() {
    let x = format!(
        r#"{HEAD}<METHODRESPONSE NAME="M"><RETURNVALUE TYPE="uint32"><VALUE>0</VALUE></RETURNVALUE><PARAMVALUE NAME="Job" TYPE="uint16"><VALUE>4</VALUE></PARAMVALUE></METHODRESPONSE>{TAIL}"#
    );
    match ok(&x) {
        Response::Method { result: Ok(r), .. } => {
            assert_eq!(r.return_value, Some(CimValue::Uint32(0)));
            let p = r.out_param("job").unwrap();
            assert_eq!(p.value, Some(CimValue::Uint16(4)));
            assert_eq!(p.cim_type, Some(CimType::Uint16));
        }
        o => panic!("{o:?}"),
    }
}

const EMB: &str = r#"&lt;INSTANCE CLASSNAME=&quot;E&quot;&gt;&lt;PROPERTY NAME=&quot;X&quot; TYPE=&quot;uint8&quot;&gt;&lt;VALUE&gt;5&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;"#;

#[test]
fn embedded_object_attribute_spellings() {
    for attr in [
        r#"EmbeddedObject="instance""#,
        r#"EMBEDDEDOBJECT="instance""#,
        r#"EmbeddedObject="Object""#,
        r#"EMBEDDEDOBJECT="INSTANCE""#,
    ] {
        let i = inst(&format!(
            r#"<PROPERTY NAME="E" TYPE="string" {attr}><VALUE>{EMB}</VALUE></PROPERTY>"#
        ));
        let e = i.value("E").and_then(|v| v.as_instance()).expect(attr);
        assert_eq!(e.class_name, "E");
        assert_eq!(e.value("X"), Some(&CimValue::Uint8(5)));
        assert!(i.property("E").unwrap().embedded.is_some());
    }
}

#[test]
fn embedded_instance_in_cdata_and_arrays_and_params() {
    let cdata = r#"<![CDATA[<INSTANCE CLASSNAME="E"><PROPERTY NAME="X" TYPE="uint8"><VALUE>5</VALUE></PROPERTY></INSTANCE>]]>"#;
    let i = inst(&format!(
        r#"<PROPERTY NAME="E" TYPE="string" EmbeddedObject="instance"><VALUE>{cdata}</VALUE></PROPERTY>
           <PROPERTY.ARRAY NAME="A" TYPE="string" EmbeddedObject="instance"><VALUE.ARRAY><VALUE>{EMB}</VALUE><VALUE.NULL/></VALUE.ARRAY></PROPERTY.ARRAY>
           <PROPERTY NAME="N" TYPE="string" EmbeddedObject="instance"><VALUE></VALUE></PROPERTY>"#
    ));
    assert!(i.value("E").unwrap().as_instance().is_some());
    let a = i.value("A").unwrap().as_array().unwrap();
    assert!(a.items[0].as_ref().unwrap().as_instance().is_some());
    assert_eq!(a.items[1], None);
    assert_eq!(i.property("N").unwrap().value, None);
    let x = format!(
        r#"{HEAD}<METHODRESPONSE NAME="M"><RETURNVALUE PARAMTYPE="uint32"><VALUE>0</VALUE></RETURNVALUE><PARAMVALUE NAME="Err" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>{EMB}</VALUE></PARAMVALUE></METHODRESPONSE>{TAIL}"#
    );
    match ok(&x) {
        Response::Method { result: Ok(r), .. } => {
            let p = r.out_param("Err").unwrap();
            assert!(p.value.as_ref().unwrap().as_instance().is_some());
            assert_eq!(p.embedded, Some(EmbeddedKind::Instance));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn embedded_class_for_object() {
    let emb = r#"&lt;CLASS NAME=&quot;K&quot;/&gt;"#;
    let i = inst(&format!(
        r#"<PROPERTY NAME="E" TYPE="string" EmbeddedObject="object"><VALUE>{emb}</VALUE></PROPERTY>"#
    ));
    assert!(matches!(i.value("E"), Some(CimValue::Class(c)) if c.name == "K"));
}

#[test]
fn openpegasus_null_property_and_untyped_property() {
    let i = inst(
        "<PROPERTY NAME=\"N\" TYPE=\"uint16\">\n   \n</PROPERTY><PROPERTY NAME=\"S\"><VALUE>t</VALUE></PROPERTY>",
    );
    assert_eq!(i.property("N").unwrap().value, None);
    assert_eq!(i.property("S").unwrap().cim_type, CimType::String);
    assert_eq!(i.value("S"), Some(&CimValue::String("t".into())));
}

#[test]
fn unknown_attributes_ignored() {
    let i = inst(
        r#"<PROPERTY NAME="A" TYPE="string" FOO="bar" xml:lang="en"><VALUE>x</VALUE></PROPERTY>"#,
    );
    assert_eq!(i.value("A"), Some(&CimValue::String("x".into())));
}

#[test]
fn escapes_and_char_refs_in_values() {
    let i = inst(
        r#"<PROPERTY NAME="A" TYPE="string"><VALUE>a&amp;b&lt;&#x41;&#66;</VALUE></PROPERTY>"#,
    );
    assert_eq!(i.value("A"), Some(&CimValue::String("a&b<AB".into())));
}

#[test]
fn pull_params_any_order() {
    let x = imeth(
        "PullInstancesWithPath",
        r#"<IRETURNVALUE></IRETURNVALUE><PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>ctx1</VALUE></PARAMVALUE><PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>FALSE</VALUE></PARAMVALUE>"#,
    );
    match ok(&x) {
        Response::Intrinsic {
            result: Ok(IReturn::PullInstances(p)),
            ..
        } => {
            assert!(!p.end_of_sequence);
            assert_eq!(p.enumeration_context.as_deref(), Some("ctx1"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn names_are_interned() {
    let x = imeth(
        "EnumerateInstances",
        &r#"<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="C"><KEYBINDING NAME="K"><KEYVALUE>1</KEYVALUE></KEYBINDING></INSTANCENAME><INSTANCE CLASSNAME="C"><PROPERTY NAME="P" TYPE="string"><VALUE>v</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE>"#
            .repeat(2),
    )
    .replace("<IMETHODRESPONSE NAME=\"EnumerateInstances\">", "<IMETHODRESPONSE NAME=\"EnumerateInstances\"><IRETURNVALUE>")
    .replace("</IMETHODRESPONSE>", "</IRETURNVALUE></IMETHODRESPONSE>");
    match ok(&x) {
        Response::Intrinsic {
            result: Ok(IReturn::Instances(v)),
            ..
        } => {
            assert_eq!(v.len(), 2);
            let a = v[0].properties[0].name.as_str().as_ptr();
            let b = v[1].properties[0].name.as_str().as_ptr();
            assert_eq!(a, b);
            assert_eq!(
                v[1].path.as_ref().unwrap().key("K"),
                Some(&CimValue::String("1".into()))
            );
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn decode_instance_and_value_object() {
    let l = DecodeLimits::default();
    let i = decode_instance(r#"<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="uint8"><VALUE>1</VALUE></PROPERTY></INSTANCE>"#, &l).unwrap();
    assert_eq!(i.value("a"), Some(&CimValue::Uint8(1)));
    assert!(matches!(
        decode_value_object(r#"<CLASS NAME="K" SUPERCLASS="B"><METHOD NAME="M" TYPE="uint32"><PARAMETER NAME="P" TYPE="string"/></METHOD></CLASS>"#, &l).unwrap(),
        smis::message::CimObject::Class(c) if c.superclass.as_ref().unwrap() == "B" && c.methods[0].parameters.len() == 1
    ));
    assert_eq!(
        decode_instance(r#"<CLASS NAME="K"/>"#, &l)
            .unwrap_err()
            .kind,
        DecodeErrorKind::Structure
    );
}

#[test]
fn request_decodes_intrinsic_and_method() {
    let x = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateInstances"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="cimv2"/></LOCALNAMESPACEPATH><IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="CIM_X"/></IPARAMVALUE><IPARAMVALUE NAME="DeepInheritance"><VALUE>TRUE</VALUE></IPARAMVALUE><IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>A</VALUE></VALUE.ARRAY></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;
    let r = decode_request(x.as_bytes(), &DecodeLimits::default()).unwrap();
    assert_eq!(r.id, "7");
    match r.request {
        Request::Intrinsic(i) => {
            assert_eq!(i.namespace, "root/cimv2");
            match i.op {
                Intrinsic::EnumerateInstances {
                    class_name,
                    deep_inheritance,
                    property_list,
                    ..
                } => {
                    assert_eq!(class_name, "CIM_X");
                    assert_eq!(deep_inheritance, Some(true));
                    assert_eq!(property_list.unwrap().len(), 1);
                }
                o => panic!("{o:?}"),
            }
        }
        o => panic!("{o:?}"),
    }
    let bad = x.replace("DeepInheritance", "Bogus");
    let e = decode_request(bad.as_bytes(), &DecodeLimits::default()).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Structure);
    assert!(e.message.contains("Bogus"), "{}", e.message);
    let missing = x.replace(
        r#"<IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="CIM_X"/></IPARAMVALUE>"#,
        "",
    );
    let e = decode_request(missing.as_bytes(), &DecodeLimits::default()).unwrap_err();
    assert!(e.message.contains("ClassName"), "{}", e.message);
}

// ----- refusals -----

#[test]
fn syntax_error() {
    let x = getinst("").replace("</INSTANCE>", "</INSTANCEX>");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Syntax);
    assert_eq!(fail(b"<CIM").kind, DecodeErrorKind::Syntax);
}

#[test]
fn raw_control_character() {
    let x = getinst("<PROPERTY NAME=\"A\" TYPE=\"string\"><VALUE>a\u{1}b</VALUE></PROPERTY>");
    let e = fail(x.as_bytes());
    assert_eq!(e.kind, DecodeErrorKind::InvalidChar);
    assert_eq!(e.line, 1);
}

#[test]
fn control_character_reference() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>a&#1;b</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidChar);
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>a&#x0;b</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidChar);
}

#[test]
fn surrogates_refused() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>&#xD800;</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidChar);
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>_</VALUE></PROPERTY>"#);
    let mut b = x.into_bytes();
    let i = b.iter().position(|&c| c == b'_').unwrap();
    b.splice(i..=i, [0xED, 0xA0, 0x80]);
    let k = fail(&b).kind;
    assert!(matches!(
        k,
        DecodeErrorKind::InvalidEncoding | DecodeErrorKind::InvalidChar
    ));
}

#[test]
fn nonchars_refused() {
    let x = getinst("<PROPERTY NAME=\"A\" TYPE=\"string\"><VALUE>\u{FFFE}</VALUE></PROPERTY>");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidChar);
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>&#xFFFF;</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::InvalidChar);
}

#[test]
fn invalid_utf8() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>_</VALUE></PROPERTY>"#);
    let mut b = x.into_bytes();
    let i = b.iter().position(|&c| c == b'_').unwrap();
    b[i] = 0xFF;
    let e = fail(&b);
    assert_eq!(e.kind, DecodeErrorKind::InvalidEncoding);
    assert_eq!((e.line, e.column), (1, i as u32 + 1));
}

#[test]
fn doctype_forbidden() {
    let x = getinst("").replace("?>", "?><!DOCTYPE CIM SYSTEM \"cim.dtd\">");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Forbidden);
    let x = getinst("").replace(
        "?>",
        "?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>",
    );
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Forbidden);
}

#[test]
fn unknown_entities_forbidden() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>&xxe;</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Forbidden);
    let x = getinst(r#"<PROPERTY NAME="A&foo;" TYPE="string"><VALUE>x</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Forbidden);
}

#[test]
fn too_deep() {
    let x = getinst(r#"<PROPERTY NAME="A" TYPE="string"><VALUE>x</VALUE></PROPERTY>"#);
    let l = DecodeLimits {
        max_depth: 6,
        ..DecodeLimits::default()
    };
    let e = decode_response(x.as_bytes(), &l).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooDeep);
    let deep = format!(
        "{}{}",
        "<INSTANCE CLASSNAME=\"a\">".repeat(100),
        "</INSTANCE>".repeat(100)
    );
    assert_eq!(
        decode_instance(&deep, &DecodeLimits::default())
            .unwrap_err()
            .kind,
        DecodeErrorKind::Structure
    );
    // Embedded objects get the remaining depth budget.
    let x = getinst(&format!(
        r#"<PROPERTY NAME="E" TYPE="string" EmbeddedObject="instance"><VALUE>{EMB}</VALUE></PROPERTY>"#
    ));
    let l9 = DecodeLimits {
        max_depth: 9,
        ..DecodeLimits::default()
    };
    assert_eq!(
        decode_response(x.as_bytes(), &l9).unwrap_err().kind,
        DecodeErrorKind::TooDeep
    );
    let l10 = DecodeLimits {
        max_depth: 10,
        ..DecodeLimits::default()
    };
    assert!(decode_response(x.as_bytes(), &l10).is_ok());
}

#[test]
fn too_large_checked_first() {
    let l = DecodeLimits {
        max_bytes: 10,
        ..DecodeLimits::default()
    };
    let e = decode_response(b"<not even xml \x01 \xff..........", &l).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooLarge);
}

#[test]
fn unexpected_element_structure_with_path() {
    let x = imeth(
        "EnumerateInstances",
        r#"<IRETURNVALUE><VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="C"/><INSTANCE CLASSNAME="C"/></VALUE.NAMEDINSTANCE><VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="C"/><INSTANCE CLASSNAME="C"><PROPERTY NAME="Size" TYPE="uint64"><BOGUS/></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE></IRETURNVALUE>"#,
    );
    let e = fail(x.as_bytes());
    assert_eq!(e.kind, DecodeErrorKind::Structure);
    assert_eq!(
        e.path,
        "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE/VALUE.NAMEDINSTANCE[2]/INSTANCE/PROPERTY[Name=Size]/BOGUS"
    );
}

#[test]
fn missing_attribute_structure() {
    let x = imeth("GetInstance", r#"<IRETURNVALUE><INSTANCE/></IRETURNVALUE>"#);
    let e = fail(x.as_bytes());
    assert_eq!(e.kind, DecodeErrorKind::Structure);
    assert!(e.message.contains("CLASSNAME"));
}

#[test]
fn missing_element_structure() {
    let x = imeth("GetInstance", "<IRETURNVALUE></IRETURNVALUE>");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Structure);
    let x = imeth("PullInstances", "<IRETURNVALUE></IRETURNVALUE>");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Structure);
}

#[test]
fn bad_value_with_position_and_path() {
    let x = "<CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\">\n<MESSAGE ID=\"1\" PROTOCOLVERSION=\"1.0\">\n<SIMPLERSP><IMETHODRESPONSE NAME=\"GetInstance\"><IRETURNVALUE>\n<INSTANCE CLASSNAME=\"C\">\n  <PROPERTY NAME=\"Small\" TYPE=\"uint8\"><VALUE>300</VALUE></PROPERTY>\n</INSTANCE></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>";
    let e = fail(x.as_bytes());
    assert_eq!(e.kind, DecodeErrorKind::BadValue);
    assert_eq!(
        e.path,
        "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE/INSTANCE/PROPERTY[Name=Small]"
    );
    assert_eq!((e.line, e.column), (5, 46));
}

#[test]
fn bad_datetime_is_bad_value() {
    let x = getinst(r#"<PROPERTY NAME="D" TYPE="datetime"><VALUE>2024-01-01</VALUE></PROPERTY>"#);
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::BadValue);
}

#[test]
fn versions() {
    for (from, to) in [
        (r#"CIMVERSION="2.0""#, r#"CIMVERSION="3.0""#),
        (r#"DTDVERSION="2.0""#, r#"DTDVERSION="1.1""#),
        (r#"PROTOCOLVERSION="1.0""#, r#"PROTOCOLVERSION="2.0""#),
    ] {
        let x = getinst("").replace(from, to);
        assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Version, "{to}");
    }
}

#[test]
fn wrong_root_is_structure() {
    let x = getinst("")
        .replace("<CIM ", "<CIMX ")
        .replace("</CIM>", "</CIMX>");
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Structure);
    let x = getinst("").replace(
        "IMETHODRESPONSE NAME=\"GetInstance\"",
        "IMETHODRESPONSE NAME=\"Nope\"",
    );
    assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Structure);
}

#[test]
fn embedded_error_keeps_kind_and_path() {
    let emb = r#"&lt;INSTANCE CLASSNAME=&quot;E&quot;&gt;&lt;PROPERTY NAME=&quot;X&quot; TYPE=&quot;uint8&quot;&gt;&lt;VALUE&gt;999&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;"#;
    let x = getinst(&format!(
        r#"<PROPERTY NAME="E" TYPE="string" EmbeddedObject="instance"><VALUE>{emb}</VALUE></PROPERTY>"#
    ));
    let e = fail(x.as_bytes());
    assert_eq!(e.kind, DecodeErrorKind::BadValue);
    assert!(
        e.path
            .ends_with("PROPERTY[Name=E]/INSTANCE/PROPERTY[Name=X]"),
        "{}",
        e.path
    );
}

// ----- captures -----

fn http_body(raw: &[u8]) -> (u16, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })
        .unwrap_or((raw.len(), raw.len()));
    let head = String::from_utf8_lossy(&raw[..split.0]).to_ascii_lowercase();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut body = &raw[split.1..];
    if !head.contains("transfer-encoding: chunked") {
        if let Some(i) = head.find("content-length:") {
            let n: usize = head[i + 15..]
                .lines()
                .next()
                .and_then(|l| l.trim().parse().ok())
                .unwrap_or(body.len());
            body = &body[..n.min(body.len())];
        }
        return (status, body.to_vec());
    }
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&rest[..nl]);
        let size =
            usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        rest = &rest[nl + 2..];
        if size == 0 || size > rest.len() {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[(size + 2).min(rest.len())..];
    }
    (status, out)
}

#[test]
fn openpegasus_captures_decode() {
    let Some(dir) = shared_dir() else {
        panic!(
            "../shared not found: put the shared directory beside the repository or set SMIS_SHARED"
        );
    };
    let dir = dir.join("captures/openpegasus");
    let mut n = 0;
    let mut nreq = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read(&f).unwrap();
        let (status, body) = http_body(&raw);
        let is_xml = String::from_utf8_lossy(&body).trim_start().starts_with('<');
        if name.ends_with(".request.http") {
            let rsp = std::fs::read(dir.join(name.replace(".request.", ".response.")))
                .unwrap_or_default();
            let ill = String::from_utf8_lossy(&rsp).contains("request-not-well-formed");
            if is_xml {
                let r = decode_request(&body, &DecodeLimits::default());
                if ill {
                    assert!(r.unwrap_err().kind.is_xml_level(), "{name}");
                } else if let Err(e) = r {
                    panic!("{name}: {e:?}");
                }
                nreq += 1;
            }
            continue;
        }
        if status != 200 || !is_xml {
            continue;
        }
        let r = decode_response(&body, &DecodeLimits::default())
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let text = String::from_utf8_lossy(&body);
        if let Some(i) = text.find("<ERROR CODE=\"") {
            let code: u32 = text[i + 13..].split('"').next().unwrap().parse().unwrap();
            let got = match r.response {
                Response::Intrinsic { result: Err(e), .. }
                | Response::Method { result: Err(e), .. } => e.code,
                o => panic!("{name}: expected an error, got {o:?}"),
            };
            assert_eq!(got, code, "{name}");
        }
        n += 1;
    }
    eprintln!("decoded {n} capture responses and {nreq} capture requests");
    assert!(n >= 40, "{n}");
}

// ----- conformance sample -----

#[test]
fn conformance_response_bodies() {
    let Some(dir) = shared_dir() else {
        panic!(
            "../shared not found: put the shared directory beside the repository or set SMIS_SHARED"
        );
    };
    let text = std::fs::read_to_string(dir.join("conformance/cases-sample.jsonl")).unwrap();
    let (mut agree, mut total, mut skipped) = (0, 0, 0);
    let mut bad = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let expected = &case["expected"];
        let kind = expected["kind"].as_str().unwrap_or("");
        let exc = expected["exception"].as_str().unwrap_or("");
        let Some(body) = case["response"]["body"].as_str() else {
            skipped += 1;
            continue;
        };
        if kind == "exception" && !matches!(exc, "XMLParseError" | "CIMXMLParseError") {
            skipped += 1;
            continue;
        }
        if body.trim().is_empty() {
            skipped += 1;
            continue;
        }
        total += 1;
        let r = decode_response(body.as_bytes(), &DecodeLimits::default());
        let good = match (kind, exc, &r) {
            ("exception", "XMLParseError", Err(e)) => e.kind.is_xml_level(),
            ("exception", "CIMXMLParseError", Err(e)) => matches!(
                e.kind,
                DecodeErrorKind::Structure | DecodeErrorKind::BadValue | DecodeErrorKind::Version
            ),
            ("cim_error", _, Ok(m)) => {
                let want = expected["cim_status"].as_u64().unwrap_or(u64::MAX);
                match &m.response {
                    Response::Intrinsic { result: Err(e), .. }
                    | Response::Method { result: Err(e), .. }
                    | Response::Export { result: Err(e), .. } => u64::from(e.code) == want,
                    _ => false,
                }
            }
            ("result" | "pullresult" | "none", _, Ok(_)) => true,
            _ => false,
        };
        if good {
            agree += 1;
        } else {
            bad.push(format!("{id} ({kind}/{exc}): {r:?}"));
        }
    }
    eprintln!("conformance: {agree}/{total} response bodies agree ({skipped} skipped)");
    for b in &bad {
        eprintln!("  DISAGREE {}", b.chars().take(300).collect::<String>());
    }
    assert!(bad.is_empty(), "{} disagreements", bad.len());
}

#[test]
fn string_whitespace_preserved() {
    let i = inst(
        "<PROPERTY NAME=\"A\" TYPE=\"string\"><VALUE>  lead</VALUE></PROPERTY>\
         <PROPERTY NAME=\"B\" TYPE=\"string\"><VALUE>   </VALUE></PROPERTY>\
         <PROPERTY NAME=\"C\" TYPE=\"string\"><VALUE>a &amp; b &lt; c</VALUE></PROPERTY>\
         <PROPERTY NAME=\"D\" TYPE=\"string\"><VALUE> x <!-- c --> y </VALUE></PROPERTY>\
         <PROPERTY NAME=\"E\" TYPE=\"string\"><VALUE>\r\n l1\r\n</VALUE></PROPERTY>\
         <PROPERTY NAME=\"F\" TYPE=\"string\"><VALUE> <![CDATA[ q ]]> </VALUE></PROPERTY>",
    );
    assert_eq!(i.value("A").unwrap().as_str(), Some("  lead"));
    assert_eq!(i.value("B").unwrap().as_str(), Some("   "));
    assert_eq!(i.value("C").unwrap().as_str(), Some("a & b < c"));
    assert_eq!(i.value("D").unwrap().as_str(), Some(" x  y "));
    assert_eq!(i.value("E").unwrap().as_str(), Some("\n l1\n"));
    assert_eq!(i.value("F").unwrap().as_str(), Some("  q  "));
}

#[test]
fn malformed_and_duplicate_attributes_are_syntax_errors() {
    for bad in [
        r#"<PROPERTY NAME="A" NAME="B" TYPE="string"/>"#,
        r#"<PROPERTY NAME="A TYPE="string"/>"#,
        r#"<PROPERTY NAME=A TYPE="string"/>"#,
        r#"<PROPERTY NAME="A"TYPE="string"/>"#,
        r#"<PROPERTY NAME="a<b" TYPE="string"/>"#,
    ] {
        let x = getinst(bad);
        assert_eq!(fail(x.as_bytes()).kind, DecodeErrorKind::Syntax, "{bad}");
    }
    let i = inst("<PROPERTY NAME = 'A'\n TYPE='string'><VALUE>v</VALUE></PROPERTY>");
    assert_eq!(i.value("A").unwrap().as_str(), Some("v"));
}

#[test]
fn method_call_export_call_and_export_response() {
    let l = DecodeLimits::default();
    let x = r#"<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="9" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="CreateOrModifyElementFromStoragePool"><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="smis"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="SIM_SCS"><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string" TYPE="string">scs</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH><PARAMVALUE NAME="ElementType" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE><PARAMVALUE NAME="InPool" PARAMTYPE="reference"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="SIM_Pool"><KEYBINDING NAME="InstanceID"><KEYVALUE>p1</KEYVALUE></KEYBINDING></INSTANCENAME></VALUE.REFERENCE></PARAMVALUE><PARAMVALUE NAME="Size" PARAMTYPE="uint64"/></METHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;
    match decode_request(x.as_bytes(), &l).unwrap().request {
        Request::Method(m) => {
            assert_eq!(m.method, "CreateOrModifyElementFromStoragePool");
            assert_eq!(m.target.namespace.as_deref(), Some("root/smis"));
            assert_eq!(m.params.len(), 3);
            assert_eq!(m.params[0].value, Some(CimValue::Uint16(2)));
            assert!(m.params[1].value.as_ref().unwrap().as_reference().is_some());
            assert_eq!(m.params[2].value, None);
            assert_eq!(m.params[2].cim_type, Some(CimType::Uint64));
        }
        o => panic!("{o:?}"),
    }
    let x = r#"<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="10" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="CIM_AlertIndication"><PROPERTY NAME="Message" TYPE="string"><VALUE>hi</VALUE></PROPERTY></INSTANCE></EXPPARAMVALUE></EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>"#;
    match decode_request(x.as_bytes(), &l).unwrap().request {
        Request::Export(e) => {
            assert_eq!(e.method, "ExportIndication");
            assert!(e.params[0].value.as_ref().unwrap().as_instance().is_some());
        }
        o => panic!("{o:?}"),
    }
    let x = r#"<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="10" PROTOCOLVERSION="1.0"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication"><IRETURNVALUE/></EXPMETHODRESPONSE></SIMPLEEXPRSP></MESSAGE></CIM>"#;
    assert!(matches!(
        decode_response(x.as_bytes(), &l).unwrap().response,
        Response::Export {
            result: Ok(None),
            ..
        }
    ));
}

#[test]
fn error_with_instances() {
    let x = imeth(
        "GetInstance",
        r#"<ERROR CODE="6" DESCRIPTION="not found"><INSTANCE CLASSNAME="CIM_Error"><PROPERTY NAME="Message" TYPE="string"><VALUE>m</VALUE></PROPERTY></INSTANCE></ERROR>"#,
    );
    match ok(&x) {
        Response::Intrinsic { result: Err(e), .. } => {
            assert_eq!(e.code, 6);
            assert_eq!(e.description.as_deref(), Some("not found"));
            assert_eq!(e.instances.len(), 1);
        }
        o => panic!("{o:?}"),
    }
}

/// Mutated inputs (bytes replaced, deleted, duplicated) never panic the decoder.
#[test]
fn mutations_never_panic() {
    let mut seeds: Vec<Vec<u8>> = vec![
        getinst(&format!(
            r#"<PROPERTY NAME="E" TYPE="string" EmbeddedObject="instance"><VALUE>{EMB}</VALUE></PROPERTY><PROPERTY.ARRAY NAME="A" TYPE="uint16"><VALUE.ARRAY><VALUE>1</VALUE><VALUE.NULL/></VALUE.ARRAY></PROPERTY.ARRAY>"#
        ))
        .into_bytes(),
    ];
    if let Some(dir) = shared_dir() {
        for name in [
            "captures/openpegasus/04_GetClass_CIM_StorageVolume.response.http",
            "captures/openpegasus/12_PullInstancesWithPath_1.response.http",
            "captures/openpegasus/23_Associators_References_Sample_Teacher.response.http",
        ] {
            if let Ok(raw) = std::fs::read(dir.join(name)) {
                seeds.push(http_body(&raw).1);
            }
        }
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"<>/=\"'&;#x0 \n\r\t\x01\xff\xedAZaz.[]!-?";
    let limits = DecodeLimits::default();
    for seed in &seeds {
        for _ in 0..300 {
            let mut b = seed.clone();
            for _ in 0..(1 + next() % 4) {
                if b.is_empty() {
                    break;
                }
                let i = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[i] = alphabet[(next() as usize) % alphabet.len()],
                    1 => {
                        b.remove(i);
                    }
                    _ => {
                        let j = (i + (next() as usize) % 40).min(b.len());
                        let chunk = b[i..j].to_vec();
                        b.splice(i..i, chunk);
                    }
                }
            }
            let _ = decode_response(&b, &limits);
            let _ = decode_request(&b, &limits);
            if let Ok(s) = std::str::from_utf8(&b) {
                let _ = decode_value_object(s, &limits);
            }
        }
    }
}
