//! Inputs found by the cargo-fuzz targets in `fuzz/` (see the README, "Fuzzing"), kept as
//! tests: each one failed before its fix. The property each asserts is the one its target
//! checks, so a test names the target that found it.

use smis::cim::{CimValue, ObjectPath, PathKind};

/// The round trip `object_path` checks: display, parse back, equal (both ways), and the
/// `CIMObject` header form parses back to the same path without its host.
fn round_trips(text: &str) -> ObjectPath {
    let path = ObjectPath::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let shown = path.to_string();
    let back = ObjectPath::parse(&shown).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
    assert_eq!(back, path, "{text:?} -> {shown:?}");
    assert_eq!(path, back, "equality is not symmetric for {text:?}");
    let header = path.to_header_form();
    let h = ObjectPath::parse(&header).unwrap_or_else(|e| panic!("{header:?}: {e}"));
    let mut local = path.clone();
    local.host = None;
    assert!(h == local, "header form {header:?} reads back as {h:?}");
    path
}

/// object_path: a quoted key value that parses as an instance path is a reference, whatever
/// characters its namespace starts with; before, a looser pre-check decided, so a reference
/// to `/.I:_Bar.J=0` formatted to text that read back as a string.
#[test]
fn reference_key_with_a_dotted_namespace_stays_a_reference() {
    let p = round_trips(r#"CH.K=(reference)".I:_Bar.J=0""#);
    let r = p
        .key("K")
        .and_then(CimValue::as_reference)
        .expect("a reference");
    assert_eq!(r.namespace.as_deref(), Some(".I"));
    assert_eq!(r.key("J"), Some(&CimValue::Uint64(0)));
    // Hosts with characters the pre-check did not expect, too.
    let q = round_trips(r#"C.K="//user@host:5989/root:X.Id=\"1\"""#);
    let r = q
        .key("K")
        .and_then(CimValue::as_reference)
        .expect("a reference");
    assert_eq!(r.host.as_deref(), Some("user@host:5989"));
}

/// object_path: `(reference)` on a class path was accepted as a reference to a class, which
/// formats as a quoted class name and reads back as a string. Key references name
/// instances (DSP0004 §7.8): it is now a parse error.
#[test]
fn typed_reference_key_to_a_class_path_is_refused() {
    let e = ObjectPath::parse(r#"CIM_Foo.K=(reference)"CIM_IncludeClassOrigineVolume""#)
        .expect_err("a class path is no key reference");
    assert!(e.to_string().contains("instance path"), "{e}");
    let ok = round_trips(r#"CIM_Foo.K=(reference)"CIM_Bar.J=1""#);
    assert!(matches!(ok.key("K"), Some(CimValue::Reference(_))));
}

/// object_path: a path in namespace `https` has the header form `https:Class`, which was
/// read as a scheme without `//host` and refused.
#[test]
fn namespace_named_like_a_scheme_in_the_header_form() {
    let p = round_trips("https/:eomCmCios");
    assert_eq!(p.namespace.as_deref(), Some("https"));
    assert_eq!(p.kind, PathKind::Class);
    assert_eq!(p.to_header_form(), "https:eomCmCios");
    let q = round_trips(r#"http:CIM_Foo.K="v""#);
    assert_eq!(q.namespace.as_deref(), Some("http"));
    // A scheme is still a scheme when `//host` follows, and still refused without a path.
    let h = round_trips(r#"HTTPS://h:5989/root/x:C.K=1"#);
    assert_eq!(h.host.as_deref(), Some("h:5989"));
    assert!(ObjectPath::parse("https:host/x:C").is_err());
    // No panic on a multi-byte character where the scheme's `//` would be.
    assert!(ObjectPath::parse("httpé/").is_err());
}
