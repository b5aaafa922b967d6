//! ValueMap/Values translation (`smis::cim::ValueMapping`): the qualifier forms of the DMTF
//! CIM Schema (single values, ranges, `..`, vendor ranges in hexadecimal), refusals, and
//! a class as OpenPegasus 2.14 serves it (captured GetClass of CIM_StorageVolume).

use std::path::PathBuf;

use smis::cim::{
    CimClass, CimType, CimValue, Method, Parameter, Property, Qualifier, ValueMapError,
    ValueMapping,
};
use smis::message::{IReturn, Response};
use smis::xml::{DecodeLimits, decode_response};

fn qualified(vm: Option<&[&str]>, values: Option<&[&str]>) -> Vec<Qualifier> {
    let mut q = Vec::new();
    if let Some(vm) = vm {
        q.push(Qualifier::new("ValueMap", vm.to_vec()));
    }
    if let Some(v) = values {
        q.push(Qualifier::new("Values", v.to_vec()));
    }
    q
}

fn mapping(ty: CimType, vm: Option<&[&str]>, values: Option<&[&str]>) -> ValueMapping {
    ValueMapping::from_qualifiers("C.P", ty, &qualified(vm, values)).unwrap()
}

#[test]
fn sync_type_with_reserved_and_vendor_ranges() {
    // CIM_ReplicationService.CreateElementReplica(SyncType), DMTF CIM Schema 2.49: `..`
    // appears twice and the vendor range is written in hexadecimal.
    let m = mapping(
        CimType::Uint16,
        Some(&["..", "6", "7", "8", "9", "..", "0x8000.."]),
        Some(&[
            "DMTF Reserved",
            "Mirror",
            "Snapshot",
            "Clone",
            "TokenizedClone",
            "DMTF Reserved",
            "Vendor Specific",
        ]),
    );
    assert_eq!(m.name_of(8), Some("Clone"));
    assert_eq!(m.name_of(2), Some("DMTF Reserved"));
    assert_eq!(m.name_of(0x8000), Some("Vendor Specific"));
    assert_eq!(m.name_of(65535), Some("Vendor Specific"));
    assert_eq!(m.name_of(65536), None, "outside uint16");
    assert_eq!(m.name_of(-1), None);
    assert_eq!(m.name_of_value(&CimValue::Uint16(7)), Some("Snapshot"));
    assert_eq!(m.name_of_value(&CimValue::String("7".into())), None);
    // Back: names to values, case-insensitively; ranges come back as ranges.
    assert_eq!(m.value_of("clone").and_then(|r| r.single()), Some(8));
    assert_eq!(m.cim_value_of("Clone"), Some(CimValue::Uint16(8)));
    let v = m.value_of("Vendor Specific").unwrap();
    assert_eq!((v.lo, v.hi), (0x8000, 65535));
    assert_eq!(
        m.cim_value_of("Vendor Specific"),
        None,
        "a range has no single value"
    );
    assert_eq!(
        m.value_of("DMTF Reserved"),
        None,
        "`..` stands for no single set"
    );
    assert_eq!(m.value_of("Nonsense"), None);
}

#[test]
fn ranges_and_single_values() {
    let m = mapping(
        CimType::Uint32,
        Some(&["0", "1", "4096", "4097..32767", "32768..", "..3"]),
        Some(&[
            "OK",
            "Not Supported",
            "Job Started",
            "Method Reserved",
            "Vendor",
            "Low",
        ]),
    );
    // A single value wins over a range that also holds it.
    assert_eq!(m.name_of(1), Some("Not Supported"));
    assert_eq!(m.name_of(2), Some("Low"));
    assert_eq!(m.name_of(5), None, "unclaimed and no `..`");
    assert_eq!(m.name_of(4097), Some("Method Reserved"));
    assert_eq!(m.name_of(u32::MAX.into()), Some("Vendor"));
    assert_eq!(m.entries().count(), 6);
}

#[test]
fn values_without_value_map_number_from_zero() {
    let m = mapping(CimType::Uint8, None, Some(&["Unknown", "Other", "OK"]));
    assert_eq!(m.name_of(2), Some("OK"));
    assert_eq!(m.name_of(3), None);
    assert_eq!(m.value_of("other").and_then(|r| r.single()), Some(1));
}

#[test]
fn signed_types_and_negative_entries() {
    let m = mapping(
        CimType::Sint8,
        Some(&["-1", "..-2", "0.."]),
        Some(&["Minus one", "Negative", "Natural"]),
    );
    assert_eq!(m.name_of(-1), Some("Minus one"));
    assert_eq!(m.name_of(-128), Some("Negative"));
    assert_eq!(m.name_of(127), Some("Natural"));
    assert_eq!(m.cim_value_of("minus one"), Some(CimValue::Sint8(-1)));
}

#[test]
fn refusals_are_typed() {
    let e = |ty, vm: Option<&[&str]>, v: Option<&[&str]>| {
        ValueMapping::from_qualifiers("C.P", ty, &qualified(vm, v)).unwrap_err()
    };
    assert_eq!(
        e(CimType::Uint16, None, None),
        ValueMapError::NotMapped("C.P".into())
    );
    // CIM_RegisteredProfile.RegisteredOrganization without Values: what pywbemcli's
    // `profile list` trips over.
    assert_eq!(
        e(CimType::Uint16, Some(&["1", "2"]), None),
        ValueMapError::MissingValues("C.P".into())
    );
    assert!(matches!(
        e(CimType::Uint16, Some(&["1", "2"]), Some(&["a"])),
        ValueMapError::LengthMismatch {
            value_map: 2,
            values: 1,
            ..
        }
    ));
    assert!(matches!(
        e(CimType::String, Some(&["a"]), Some(&["A"])),
        ValueMapError::NotAnInteger {
            cim_type: CimType::String,
            ..
        }
    ));
    for bad in ["x", "1..x", "5..2", "70000", "-1", "1...", "0x", ""] {
        let err = e(CimType::Uint16, Some(&[bad]), Some(&["n"]));
        assert!(
            matches!(err, ValueMapError::BadEntry { .. }),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains("C.P"), "{err}");
    }
    let mut q = qualified(Some(&["1"]), None);
    q.push(Qualifier::new("Values", 3u32));
    assert!(matches!(
        ValueMapping::from_qualifiers("C.P", CimType::Uint16, &q).unwrap_err(),
        ValueMapError::NotStrings {
            qualifier: "Values",
            ..
        }
    ));
}

#[test]
fn elements_of_a_class() {
    let mut class = CimClass::new("CIM_ConcreteJob");
    let mut p = Property::null("JobState", CimType::Uint16, false);
    p.extra_mut().qualifiers = qualified(
        Some(&["7", "32768..65535"]),
        Some(&["Completed", "Vendor Reserved"]),
    );
    class.properties.push(p);
    class
        .properties
        .push(Property::null("Name", CimType::String, false));
    let mut m = Method::new("RequestStateChange", CimType::Uint32);
    m.qualifiers = qualified(
        Some(&["0", "4096"]),
        Some(&["Completed with No Error", "Job Started"]),
    );
    let mut param = Parameter::new("RequestedState", CimType::Uint16, false);
    param.qualifiers = qualified(Some(&["4"]), Some(&["Terminate"]));
    m.parameters.push(param);
    class.methods.push(m);

    let js = ValueMapping::for_property(&class, "jobstate").unwrap();
    assert_eq!(js.element(), "CIM_ConcreteJob.jobstate");
    assert_eq!(js.name_of(7), Some("Completed"));
    let ret = ValueMapping::for_method(&class, "RequestStateChange").unwrap();
    assert_eq!(ret.name_of(4096), Some("Job Started"));
    let rs = ValueMapping::for_parameter(&class, "RequestStateChange", "RequestedState").unwrap();
    assert_eq!(rs.cim_value_of("terminate"), Some(CimValue::Uint16(4)));
    assert!(matches!(
        ValueMapping::for_property(&class, "Missing").unwrap_err(),
        ValueMapError::NoSuchElement(_)
    ));
    assert!(matches!(
        ValueMapping::for_property(&class, "Name").unwrap_err(),
        ValueMapError::NotMapped(_)
    ));
    assert!(ValueMapping::for_parameter(&class, "RequestStateChange", "Nope").is_err());
}

fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("SMIS_SHARED") {
        return PathBuf::from(d);
    }
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if rel.is_dir() {
        return rel;
    }
    PathBuf::from("/work/shared")
}

/// The body of a captured HTTP response (Content-Length framing).
fn body_of(raw: &[u8]) -> &[u8] {
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .expect("a header/body separator");
    &raw[at..]
}

#[test]
fn openpegasus_storage_volume_class() {
    let f = shared_dir().join("captures/openpegasus/04_GetClass_CIM_StorageVolume.response.http");
    let raw = std::fs::read(&f).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (put the shared directory beside the repository or set SMIS_SHARED)",
            f.display()
        )
    });
    let msg = decode_response(body_of(&raw), &DecodeLimits::default()).unwrap();
    let class = match msg.response {
        Response::Intrinsic {
            result: Ok(IReturn::Class(c)),
            ..
        } => c,
        o => panic!("not a class: {o:?}"),
    };
    assert_eq!(class.name, "CIM_StorageVolume");
    let os = ValueMapping::for_property(&class, "OperationalStatus").unwrap();
    assert_eq!(os.name_of(2), Some("OK"));
    assert_eq!(os.name_of(6), Some("Error"));
    assert_eq!(os.cim_value_of("Degraded"), Some(CimValue::Uint16(3)));
    // Every integer element with both qualifiers translates; the rest are typed refusals.
    let mut mapped = 0;
    for p in &class.properties {
        match ValueMapping::for_property(&class, p.name.as_str()) {
            Ok(m) => {
                mapped += 1;
                let (first, name) = m.entries().next().expect("entries");
                assert_eq!(m.name_of(first.lo), Some(name), "{}", p.name);
            }
            Err(
                ValueMapError::NotMapped(_)
                | ValueMapError::NotAnInteger { .. }
                | ValueMapError::MissingValues(_),
            ) => {}
            Err(e) => panic!("{}: {e}", p.name),
        }
    }
    assert!(mapped >= 10, "{mapped} mapped properties");
    for m in &class.methods {
        if let Ok(r) = ValueMapping::for_method(&class, m.name.as_str()) {
            assert!(r.entries().count() > 0, "{}", m.name);
        }
    }
}
