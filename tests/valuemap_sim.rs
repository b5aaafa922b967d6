//! ValueMap translation and class-level associations against the simulated provider over
//! loopback HTTPS: the served classes carry the DMTF schema's ValueMap and Values
//! qualifiers, the client caches classes, and class-level Associators/References answer.

use std::time::Duration;

use smis::cim::{CimValue, ObjectPath, ValueMapping};
use smis::client::{AssociatorsOptions, EnumerateInstancesOptions, ReferencesOptions};
use smis::message::CimObject;
use smis::transport::tls::TlsOptions;
use smis::{CimStatus, Client, Credentials, Error};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "vm-Secret-4711";
const NS: &str = "root/smis-sim";

fn start() -> Simulator {
    Simulator::start(
        SimulatorConfig::new(Scenario::builtin("default").unwrap()).user("admin", PASSWORD),
    )
    .unwrap()
}

fn client(sim: &Simulator) -> Client {
    Client::builder(sim.url())
        .namespace(NS)
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn served_classes_translate_values() {
    let sim = start();
    let c = client(&sim);
    // The property pywbemcli's `profile list` needs: ValueMap AND Values.
    let rp = c
        .cached_class(Some("interop"), "CIM_RegisteredProfile")
        .await
        .unwrap();
    let org = ValueMapping::for_property(&rp, "RegisteredOrganization").unwrap();
    assert_eq!(org.name_of(11), Some("SNIA"));
    assert_eq!(org.name_of(2), Some("DMTF"));
    // Inherited by the vendor subclass, through GetClass with LocalOnly=false.
    let vol_class = c.cached_class(None, "SIMS_StorageVolume").await.unwrap();
    let os = ValueMapping::for_property(&vol_class, "OperationalStatus").unwrap();
    assert_eq!(os.name_of(2), Some("OK"));
    // Method return values and parameters.
    let rs = c
        .cached_class(None, "SIMS_ReplicationService")
        .await
        .unwrap();
    let ret = ValueMapping::for_method(&rs, "CreateElementReplica").unwrap();
    assert_eq!(
        ret.name_of(4096),
        Some("Method Parameters Checked - Job Started")
    );
    assert_eq!(ret.name_of(0x8001), Some("Vendor Specific"));
    let sync = ValueMapping::for_parameter(&rs, "CreateElementReplica", "SyncType").unwrap();
    assert_eq!(sync.cim_value_of("Clone"), Some(CimValue::Uint16(8)));
    // The registered profiles the simulator serves, named as a user reads them.
    let profiles = c
        .enumerate_instances(
            "CIM_RegisteredProfile",
            &EnumerateInstancesOptions::new().namespace("interop"),
        )
        .await
        .unwrap();
    assert!(!profiles.is_empty());
    for p in &profiles {
        let v = p.value("RegisteredOrganization").unwrap().clone();
        let name = c
            .value_name(
                Some("interop"),
                p.class_name.as_str(),
                "RegisteredOrganization",
                &v,
            )
            .await
            .unwrap();
        let expected = match v.as_i128() {
            Some(2) => "DMTF",
            Some(11) => "SNIA",
            other => panic!("unexpected organization {other:?}"),
        };
        assert_eq!(
            name.as_deref(),
            Some(expected),
            "{:?}",
            p.value("RegisteredName")
        );
    }
    // A volume's OperationalStatus items.
    let vols = c
        .enumerate_instances("CIM_StorageVolume", &Default::default())
        .await
        .unwrap();
    let v = &vols[0];
    let items = v.get::<Vec<u16>>("OperationalStatus").unwrap();
    assert_eq!(
        os.name_of(items[0].into()),
        Some("OK"),
        "{:?}",
        v.value("OperationalStatus")
    );
    // Unknown classes are errors from the server, not panics or empty mappings.
    let e = c.cached_class(None, "CIM_NoSuchThing").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Cim {
                status: CimStatus::NotFound | CimStatus::InvalidClass,
                ..
            }
        ),
        "{e:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn classes_are_fetched_once_per_client() {
    let sim = start();
    let c = client(&sim);
    let a = c.cached_class(None, "CIM_ConcreteJob").await.unwrap();
    let b = c
        .clone()
        .cached_class(Some("/root/smis-sim/"), "cim_concretejob")
        .await
        .unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "a clone shares the cache; names compare case-insensitively"
    );
    let o = c
        .cached_class(Some("interop"), "CIM_ConcreteJob")
        .await
        .unwrap();
    assert!(!std::sync::Arc::ptr_eq(&a, &o), "cached per namespace");
    c.clear_class_cache();
    let d = c.cached_class(None, "CIM_ConcreteJob").await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&a, &d));
    assert_eq!(*a, *d);
    sim.shutdown().await;
}

fn class_names(objs: &[CimObject]) -> Vec<String> {
    let mut v: Vec<String> = objs
        .iter()
        .map(|o| match o {
            CimObject::Class(c) => c.name.to_string(),
            CimObject::Instance(i) => panic!("an instance at class level: {}", i.class_name),
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn class_level_associations() {
    let sim = start();
    let c = client(&sim);
    let pool = ObjectPath::class(Some(NS), "CIM_StoragePool");
    // References: the association classes that can refer to a storage pool.
    let refs = c
        .references(
            &pool,
            &ReferencesOptions::new().result_class("CIM_AllocatedFromStoragePool"),
        )
        .await
        .unwrap();
    let names = class_names(&refs);
    assert!(
        names.contains(&"CIM_AllocatedFromStoragePool".to_string()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| n.ends_with("AllocatedFromStoragePool")),
        "{names:?}"
    );
    // Associators: classes at the far end, with ResultClass; paths are class paths.
    let assoc = c
        .associators(
            &pool,
            &AssociatorsOptions::new().assoc_class("CIM_HostedStoragePool"),
        )
        .await
        .unwrap();
    let names = class_names(&assoc);
    assert!(names.iter().any(|n| n.contains("System")), "{names:?}");
    let paths = c
        .associator_names(
            &pool,
            &AssociatorsOptions::new().assoc_class("CIM_HostedStoragePool"),
        )
        .await
        .unwrap();
    assert!(
        !paths.is_empty() && paths.iter().all(|p| p.is_class()),
        "{paths:?}"
    );
    let rnames = c.reference_names(&pool, &Default::default()).await.unwrap();
    assert!(rnames.iter().all(|p| p.is_class()));
    assert!(rnames.len() >= refs.len());
    // A class the provider does not serve is an error, not an empty answer.
    let e = c
        .references(
            &ObjectPath::class(Some(NS), "CIM_Nope"),
            &Default::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Cim { .. }), "{e:?}");
    sim.shutdown().await;
}
