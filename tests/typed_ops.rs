//! The operation table and the typed client: every operation built from `smis::message::op`
//! encodes and decodes back to itself, results are typed by operation, and one namespace
//! rule holds for every operation (path, else option, else the client's default), checked
//! against the simulated provider over real loopback HTTPS.

use std::time::Duration;

use smis::cim::{CimClass, CimName, Instance, ObjectPath};
use smis::client::{AssociatorsOptions, GetInstanceOptions, OpenOptions};
use smis::message::{
    FromIReturn, IReturn, Intrinsic, IntrinsicRequest, Operation, PullOptions, Request,
    RequestMessage, ReturnContext, ReturnKind, op,
};
use smis::transport::tls::TlsOptions;
use smis::xml::{DecodeLimits, decode_request, encode_request};
use smis::{Client, Credentials, Error};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "pa55-Very-Secret-9f8e";
const NS: &str = "root/smis-sim";

fn roundtrip(op: impl Into<Intrinsic>) -> Intrinsic {
    let msg = RequestMessage {
        id: "7".into(),
        request: Request::Intrinsic(IntrinsicRequest {
            namespace: "root/x".into(),
            op: op.into(),
        }),
    };
    let xml = encode_request(&msg).unwrap();
    let back = decode_request(&xml, &DecodeLimits::default()).unwrap();
    assert_eq!(back, msg, "{}", String::from_utf8_lossy(&xml));
    match back.request {
        Request::Intrinsic(r) => r.op,
        other => panic!("not intrinsic: {other:?}"),
    }
}

fn names(list: &[&str]) -> Option<Vec<CimName>> {
    Some(list.iter().map(|n| CimName::new(*n)).collect())
}

#[test]
fn every_parameter_kind_travels_and_comes_back() {
    let vol = ObjectPath::new("root/x", "CIM_StorageVolume").with_key("DeviceID", "v1");
    let got = roundtrip(op::GetInstance {
        instance_name: vol.local(),
        local_only: Some(false),
        include_qualifiers: Some(true),
        include_class_origin: Some(false),
        property_list: names(&["ElementName", "BlockSize"]),
    });
    assert_eq!(got.name(), "GetInstance");
    assert_eq!(got.return_kind(), ReturnKind::Instance);
    roundtrip(op::Associators {
        object_name: ObjectPath::class(None, "CIM_StorageVolume"),
        assoc_class: Some("CIM_AllocatedFromStoragePool".into()),
        result_class: Some("CIM_StoragePool".into()),
        role: Some("Dependent".into()),
        result_role: Some("Antecedent".into()),
        include_qualifiers: None,
        include_class_origin: Some(true),
        property_list: names(&[]),
    });
    roundtrip(op::OpenEnumerateInstances {
        class_name: "CIM_StorageVolume".into(),
        deep_inheritance: Some(true),
        include_class_origin: None,
        property_list: None,
        pull: PullOptions::new()
            .filter("DMTF:FQL", "BlockSize = 512")
            .operation_timeout(30)
            .continue_on_error(false)
            .max_object_count(100),
    });
    roundtrip(op::OpenQueryInstances {
        filter_query: "SELECT * FROM CIM_StorageVolume".into(),
        filter_query_language: "DMTF:CQL".into(),
        return_query_result_class: Some(false),
        operation_timeout: None,
        continue_on_error: None,
        max_object_count: Some(0),
    });
    roundtrip(op::PullInstancesWithPath {
        enumeration_context: "ctx-1".into(),
        max_object_count: 10,
    });
    roundtrip(op::ModifyInstance {
        modified_instance: {
            let mut i = Instance::new("CIM_StorageVolume").with("ElementName", "renamed");
            i.path = Some(vol.local());
            i
        },
        include_qualifiers: None,
        property_list: names(&["ElementName"]),
    });
    roundtrip(op::CreateClass {
        new_class: CimClass::new("Test_Class"),
    });
    roundtrip(op::DeleteQualifier {
        qualifier_name: "Description".into(),
    });
    let q = roundtrip(op::EnumerateQualifiers {});
    assert_eq!(q, Intrinsic::EnumerateQualifiers);
}

#[test]
fn operation_types_agree_with_the_enum() {
    assert_eq!(
        <op::OpenReferenceInstancePaths as Operation>::NAME,
        "OpenReferenceInstancePaths"
    );
    for (name, kind) in [
        (op::GetInstance::NAME, op::GetInstance::RETURN_KIND),
        (
            op::EnumerateInstances::NAME,
            op::EnumerateInstances::RETURN_KIND,
        ),
        (op::ExecQuery::NAME, op::ExecQuery::RETURN_KIND),
        (op::PullInstances::NAME, op::PullInstances::RETURN_KIND),
        (
            op::CloseEnumeration::NAME,
            op::CloseEnumeration::RETURN_KIND,
        ),
    ] {
        assert_eq!(
            ReturnKind::for_operation(&name.to_ascii_lowercase()),
            Some(kind)
        );
    }
    assert_eq!(ReturnKind::for_operation("NoSuchOperation"), None);
}

#[test]
fn result_shapes_are_checked_once_per_type_and_paths_completed() {
    let ctx = ReturnContext::new("root/x", Some("array:5989".into()));
    // A list operation with nothing returned is empty; a wrong shape comes back unchanged.
    assert_eq!(
        Vec::<Instance>::from_ireturn(IReturn::Nothing, &ctx).unwrap(),
        vec![]
    );
    let wrong = Vec::<Instance>::from_ireturn(IReturn::ClassNames(vec![]), &ctx).unwrap_err();
    assert_eq!(*wrong, IReturn::ClassNames(vec![]));
    assert!(Instance::from_ireturn(IReturn::Nothing, &ctx).is_err());
    // Paths without a namespace get the operation's; classes get a path on the host.
    let mut p = ObjectPath::new("elsewhere", "CIM_X").with_key("K", 1u8);
    p.namespace = None;
    let got = Vec::<ObjectPath>::from_ireturn(IReturn::InstanceNames(vec![p]), &ctx).unwrap();
    assert_eq!(got[0].namespace.as_deref(), Some("root/x"));
    let c = CimClass::from_ireturn(IReturn::Class(CimClass::new("CIM_X")), &ctx).unwrap();
    let cp = c.path.unwrap();
    assert_eq!(
        (cp.namespace.as_deref(), cp.host.as_deref()),
        (Some("root/x"), Some("array:5989"))
    );
}

fn client(sim: &Simulator, default_ns: &str) -> Client {
    Client::builder(sim.url())
        .namespace(default_ns)
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn typed_run_and_one_namespace_rule_against_the_simulator() {
    let sim = Simulator::start(
        SimulatorConfig::new(Scenario::builtin("default").unwrap()).user("admin", PASSWORD),
    )
    .unwrap();
    // The client's default namespace is interop: the array's objects live elsewhere.
    let c = client(&sim, "interop");
    let vols: Vec<ObjectPath> = c
        .run(
            Some(NS),
            op::EnumerateInstanceNames {
                class_name: "CIM_StorageVolume".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(vols.len(), 3);
    assert!(vols.iter().all(|p| p.namespace.as_deref() == Some(NS)));

    // A path without a namespace: the option's namespace, else the client's default.
    let mut bare = vols[0].clone();
    bare.namespace = None;
    let v = c
        .get_instance(&bare, &GetInstanceOptions::new().namespace(NS))
        .await
        .unwrap();
    assert_eq!(
        v.path.as_ref().and_then(|p| p.namespace.as_deref()),
        Some(NS)
    );
    assert_eq!(v.get::<u64>("BlockSize").unwrap(), 512);
    assert!(matches!(
        c.get_instance(&bare, &GetInstanceOptions::new()).await,
        Err(Error::Cim { .. })
    ));
    // The path's own namespace wins over the option's.
    let v2 = c
        .get_instance(&vols[0], &GetInstanceOptions::new().namespace("interop"))
        .await
        .unwrap();
    assert_eq!(v2.path, v.path);
    // The same rule for associations and the pull operations.
    let pools = c
        .associator_instances(
            &bare,
            &AssociatorsOptions::new()
                .namespace(NS)
                .assoc_class("CIM_AllocatedFromStoragePool"),
        )
        .await
        .unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(
        pools[0].path.as_ref().and_then(|p| p.namespace.as_deref()),
        Some(NS)
    );
    let (page, ctx) = c
        .open_associator_instances(
            &bare,
            &AssociatorsOptions::new().namespace(NS),
            &OpenOptions::new().max_object_count(100),
        )
        .await
        .unwrap();
    assert!(ctx.is_none() && page.end_of_sequence);
    assert!(!page.items.is_empty());
    // A class from GetClass gets its path: the namespace asked and the server's host.
    let class: CimClass = c
        .run(
            Some(NS),
            op::GetClass {
                class_name: "CIM_StorageVolume".into(),
                local_only: Some(false),
                include_qualifiers: None,
                include_class_origin: None,
                property_list: None,
            },
        )
        .await
        .unwrap();
    let cp = class.path.unwrap();
    assert_eq!(cp.namespace.as_deref(), Some(NS));
    assert!(cp.host.is_some());
    sim.shutdown().await;
}
