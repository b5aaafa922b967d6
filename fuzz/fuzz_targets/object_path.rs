//! `ObjectPath::parse` on arbitrary text (WBEM URIs from users, `CIMObject` headers from
//! clients): never a panic or unbounded recursion; a path that parses formats to text that
//! parses back to an equal path, in both the WBEM URI and the `CIMObject` header forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smis::cim::ObjectPath;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(path) = ObjectPath::parse(text) else {
        return;
    };
    let shown = path.to_string();
    let back = ObjectPath::parse(&shown)
        .unwrap_or_else(|e| panic!("{text:?} parsed, its display {shown:?} does not: {e}"));
    assert!(
        back == path,
        "{text:?} -> {shown:?} -> {back:?} != {path:?}"
    );
    assert!(path == back, "equality is not symmetric for {text:?}");
    assert_eq!(
        back.to_string(),
        shown,
        "display is not stable for {text:?}"
    );
    let _ = path.canonical();
    let header = path.to_header_form();
    let h = ObjectPath::parse(&header)
        .unwrap_or_else(|e| panic!("{text:?} parsed, its header form {header:?} does not: {e}"));
    let mut expect = path.clone();
    expect.host = None;
    assert!(
        h == expect,
        "header form {header:?} of {text:?} gives {h:?}"
    );
});
