//! WBEM URI round trip (DSP0207) from structured input: an `ObjectPath` built from
//! arbitrary host, namespace, class, keys and values (nested references included) formats
//! with `to_wbem_uri` to text that `ObjectPath::parse` reads back to an equal path.
//!
//! Only values that the untyped WBEM URI form can carry are generated: strings, char16,
//! booleans, integers, finite real64 and references. A datetime key is written as a quoted
//! string and reads back as a string, by the form's definition; likewise a string key whose
//! text is itself an instance path reads back as a reference, so no such string is made.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use smis::cim::{CimName, CimValue, ObjectPath, PathKind};

fn name(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    const FIRST: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    const REST: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789";
    let mut s = String::new();
    s.push(char::from(*u.choose(FIRST)?));
    for _ in 0..u.int_in_range(0..=12)? {
        s.push(char::from(*u.choose(REST)?));
    }
    Ok(s)
}

fn value(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<CimValue> {
    let pick = u.int_in_range(0..=if depth > 0 { 9 } else { 8 })?;
    Ok(match pick {
        0 | 1 => {
            let s = String::arbitrary(u)?;
            // Out of the form's domain: the untyped form cannot tell such a string from a
            // reference to that instance.
            match ObjectPath::parse(&s) {
                Ok(p) if p.kind == PathKind::Instance => CimValue::String("x".into()),
                _ => CimValue::String(s),
            }
        }
        2 => CimValue::Char16(char::arbitrary(u)?),
        3 => CimValue::Boolean(bool::arbitrary(u)?),
        4 => CimValue::Uint64(u64::arbitrary(u)?),
        5 => CimValue::Sint64(i64::arbitrary(u)?),
        6 => CimValue::Uint8(u8::arbitrary(u)?),
        7 => CimValue::Sint32(i32::arbitrary(u)?),
        8 => {
            let f = f64::arbitrary(u)?;
            CimValue::Real64(if f.is_finite() { f } else { 0.5 })
        }
        _ => CimValue::Reference(Box::new(path(u, depth - 1, true)?)),
    })
}

fn path(u: &mut Unstructured<'_>, depth: u32, instance: bool) -> arbitrary::Result<ObjectPath> {
    let host = if bool::arbitrary(u)? {
        let h = name(u)?;
        Some(match u.int_in_range(0..=2)? {
            0 => h,
            1 => format!("{h}:{}", u16::arbitrary(u)?),
            _ => format!("[fe80::{}]:5989", u16::arbitrary(u)?),
        })
    } else {
        None
    };
    let namespace = if host.is_some() || bool::arbitrary(u)? {
        let mut segs = vec![name(u)?];
        for _ in 0..u.int_in_range(0..=2)? {
            segs.push(name(u)?);
        }
        Some(segs.join("/"))
    } else {
        None
    };
    let mut p = ObjectPath {
        host,
        namespace,
        class_name: CimName::new(name(u)?),
        keys: Vec::new(),
        kind: if instance || bool::arbitrary(u)? {
            PathKind::Instance
        } else {
            PathKind::Class
        },
    };
    if p.kind == PathKind::Instance {
        let mut used: Vec<String> = Vec::new();
        for _ in 0..u.int_in_range(if instance { 1..=4 } else { 0..=4 })? {
            let k = name(u)?;
            if used.iter().any(|n| n.eq_ignore_ascii_case(&k)) {
                continue;
            }
            used.push(k.clone());
            p = p.with_key(k.as_str(), value(u, depth)?);
        }
    }
    Ok(p)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(p) = path(&mut u, 3, false) else {
        return;
    };
    let uri = p.to_wbem_uri();
    let back = ObjectPath::parse(&uri).unwrap_or_else(|e| panic!("{uri:?} does not parse: {e}"));
    assert!(back == p, "{uri:?} reads back as {back:?}, was {p:?}");
    assert!(p == back, "equality is not symmetric for {uri:?}");
    assert_eq!(back.to_wbem_uri(), uri);
    let https = format!("https:{uri}");
    if p.host.is_some() {
        let b = ObjectPath::parse(&https).unwrap_or_else(|e| panic!("{https:?}: {e}"));
        assert!(b == p, "{https:?}");
    }
});
