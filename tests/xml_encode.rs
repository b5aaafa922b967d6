//! Encoder tests: conformance request bodies (pywbem's form) and snapshots.

use std::path::PathBuf;

use serde_json::Value as J;
use smis::cim::{CimArray, CimType, CimValue, Instance, ObjectPath};
use smis::message::{
    Intrinsic, IntrinsicRequest, MethodCall, ParamValue, PullOptions, Request, RequestMessage,
};
use smis::testkit::canon::{self, Rules};
use smis::xml::encode_request;
use smis_conformance::neutral;

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

/// Operations whose every encodable case must match the reference request exactly.
const SIMPLE_OPS: &[&str] = &[
    "GetInstance",
    "EnumerateInstances",
    "EnumerateInstanceNames",
    "DeleteInstance",
    "Associators",
    "AssociatorNames",
    "References",
    "ReferenceNames",
    "ExecQuery",
    "GetClass",
    "EnumerateClassNames",
    "DeleteClass",
    "DeleteQualifier",
    "EnumerateQualifiers",
    "OpenEnumerateInstances",
    "OpenEnumerateInstancePaths",
    "OpenAssociatorInstancePaths",
    "OpenReferenceInstancePaths",
    "OpenQueryInstances",
    "PullInstancesWithPath",
    "PullInstancePaths",
    "PullInstances",
];

#[test]
fn conformance_request_bodies() {
    let file = shared_dir().join("conformance/cases-sample.jsonl");
    let data = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let (mut matched, mut differed, mut unbuildable, mut refused, mut no_request) = (0, 0, 0, 0, 0);
    let mut simple_failures = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: J = serde_json::from_str(line).expect("case JSON");
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let op = case["operation"].as_str().unwrap_or("");
        let Some(body) = case["expected_request"]["body"].as_str() else {
            no_request += 1;
            continue;
        };
        let ns = case["connection"]["namespace"].as_str();
        let req = match neutral::build_request(op, &case["args_neutral"], ns) {
            Ok(r) => r,
            Err(e) => {
                unbuildable += 1;
                println!("UNBUILDABLE {id}: {e}");
                if SIMPLE_OPS.contains(&op) {
                    simple_failures.push(format!("{id}: unbuildable: {e}"));
                }
                continue;
            }
        };
        let msg = RequestMessage {
            id: "1001".into(),
            request: req,
        };
        let ours = match encode_request(&msg) {
            Ok(b) => String::from_utf8(b).expect("UTF-8"),
            Err(e) => {
                refused += 1;
                println!("REFUSED {id}: {e}");
                if SIMPLE_OPS.contains(&op) {
                    simple_failures.push(format!("{id}: refused: {e}"));
                }
                continue;
            }
        };
        let a = canon::parse(&ours, Rules::Exact).expect("our XML parses");
        let b = canon::parse(body, Rules::Exact).expect("expected XML parses");
        match canon::first_difference(&a, &b) {
            None => matched += 1,
            Some(d) => {
                differed += 1;
                println!("DIFFER {id}: {d}");
                if SIMPLE_OPS.contains(&op) {
                    simple_failures.push(format!("{id}: {d}"));
                }
            }
        }
    }
    println!(
        "conformance requests: {matched} matched, {differed} differed, {refused} refused by the \
         encoder, {unbuildable} not buildable, {no_request} without an expected request"
    );
    assert!(
        simple_failures.is_empty(),
        "simple intrinsic operations differ:\n{}",
        simple_failures.join("\n")
    );
    assert!(matched >= 100, "only {matched} request bodies matched");
}

// ------------------------------------------------------------------ snapshots

fn msg(request: Request) -> String {
    let b = encode_request(&RequestMessage {
        id: "42".into(),
        request,
    })
    .expect("encodes");
    String::from_utf8(b).expect("UTF-8")
}

fn intrinsic(op: Intrinsic) -> Request {
    Request::Intrinsic(IntrinsicRequest {
        namespace: "root/emc".into(),
        op,
    })
}

/// Snapshots `xml` with the MESSAGE ID replaced by `[ID]` (done by hand: insta's `filters`
/// feature would pull in the regex crate).
fn snap(name: &str, xml: &str) {
    let filtered = match xml.find("MESSAGE ID=\"") {
        Some(i) => {
            let start = i + "MESSAGE ID=\"".len();
            let end = xml[start..].find('"').map_or(start, |e| start + e);
            format!("{}[ID]{}", &xml[..start], &xml[end..])
        }
        None => xml.to_string(),
    };
    insta::assert_snapshot!(name, filtered);
}

fn volume_path() -> ObjectPath {
    ObjectPath::new("root/emc", "Symm_StorageVolume")
        .with_key("CreationClassName", "Symm_StorageVolume")
        .with_key("DeviceID", "00A1")
        .with_key("SystemCreationClassName", "Symm_StorageSystem")
        .with_key("SystemName", "SYMMETRIX-+-000197800123")
}

fn pool_path(id: &str) -> ObjectPath {
    ObjectPath::new("root/emc", "Symm_SRPStoragePool").with_key("InstanceID", id)
}

#[test]
fn snapshot_get_instance() {
    snap(
        "get_instance",
        &msg(intrinsic(Intrinsic::GetInstance {
            instance_name: volume_path(),
            local_only: Some(false),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        })),
    );
}

#[test]
fn snapshot_enumerate_instances_property_list() {
    snap(
        "enumerate_instances_property_list",
        &msg(intrinsic(Intrinsic::EnumerateInstances {
            class_name: "CIM_StorageVolume".into(),
            local_only: Some(false),
            deep_inheritance: Some(true),
            include_qualifiers: Some(false),
            include_class_origin: None,
            property_list: Some(vec!["ElementName".into(), "BlockSize".into()]),
        })),
    );
}

#[test]
fn snapshot_open_enumerate_instances() {
    snap(
        "open_enumerate_instances",
        &msg(intrinsic(Intrinsic::OpenEnumerateInstances {
            class_name: "CIM_StorageVolume".into(),
            deep_inheritance: Some(true),
            include_class_origin: None,
            property_list: None,
            pull: PullOptions::new()
                .operation_timeout(60)
                .continue_on_error(false)
                .max_object_count(500),
        })),
    );
}

#[test]
fn snapshot_create_element_replica() {
    let mut wait = ParamValue::new("WaitForCopyState", 8u16);
    wait.cim_type = Some(CimType::Uint16);
    let svc = ObjectPath::new("root/emc", "Symm_ReplicationService")
        .with_key("CreationClassName", "Symm_ReplicationService")
        .with_key("Name", "EMCReplicationService")
        .with_key("SystemCreationClassName", "Symm_StorageSystem")
        .with_key("SystemName", "SYMMETRIX-+-000197800123");
    snap(
        "create_element_replica",
        &msg(Request::Method(MethodCall {
            target: svc,
            method: "CreateElementReplica".into(),
            params: vec![
                ParamValue::new("ElementName", "snap-db01"),
                ParamValue::new("SyncType", 7u16),
                ParamValue::new("SourceElement", volume_path()),
                ParamValue::new("TargetPool", pool_path("SYMMETRIX-+-000197800123-+-SRP_1")),
                wait,
            ],
        })),
    );
}

#[test]
fn snapshot_create_child_resource_pool() {
    let rasd = |n: u64| {
        Instance::new("CIM_ResourceAllocationSettingData")
            .with("ElementName", format!("part-{n}"))
            .with("ResourceType", 31u16)
            .with("Reservation", n * 1024)
    };
    let settings = CimValue::Array(Box::new(CimArray::new(
        CimType::String,
        vec![
            Some(CimValue::Instance(Box::new(rasd(1)))),
            Some(CimValue::Instance(Box::new(rasd(2)))),
        ],
    )));
    let parents = CimValue::Array(Box::new(CimArray::new(
        CimType::Reference,
        vec![
            Some(CimValue::Reference(Box::new(pool_path("P1")))),
            Some(CimValue::Reference(Box::new(pool_path("P2")))),
        ],
    )));
    let svc = ObjectPath::new("root/emc", "CIM_ResourcePoolConfigurationService")
        .with_key("Name", "RPCS");
    snap(
        "create_child_resource_pool",
        &msg(Request::Method(MethodCall {
            target: svc,
            method: "CreateChildResourcePool".into(),
            params: vec![
                ParamValue::new("ElementName", "pool & <friends>"),
                ParamValue::new("Settings", settings),
                ParamValue::new("ParentPool", parents),
            ],
        })),
    );
}
