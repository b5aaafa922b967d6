//! The simulator's wire quirks, seen through the library over loopback HTTPS: `TYPE` instead
//! of `PARAMTYPE`, `EMBEDDEDOBJECT` in upper case, and the interop namespace at
//! `root/PG_InterOp` (OpenPegasus builds).

use std::time::Duration;

use smis::message::ParamValue;
use smis::smis::{CloneRequest, Discovery, DiscoveryOptions, WaitOptions};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials, Error};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "quirks-Pw-77";

fn start(sc: Scenario) -> (Simulator, Client) {
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).unwrap();
    let c = Client::builder(sim.url())
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (sim, c)
}

fn fast() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(100),
        deadline: Duration::from_secs(20),
        ..WaitOptions::default()
    }
}

#[tokio::test]
async fn type_instead_of_paramtype_and_uppercase_embeddedobject() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = 100;
    sc.quirks.param_type_as_type = true;
    sc.quirks.embedded_object_upper = true;
    sc.faults.push(FaultSpec {
        matcher: FaultMatch {
            method: Some("CreateElementReplica".into()),
            ..Default::default()
        },
        action: FaultAction::JobException,
        times: Some(1),
    });
    let (sim, c) = start(sc);
    let d = Discovery::run(&c, &DiscoveryOptions::default())
        .await
        .unwrap();
    let a = d.array_handle(&c, 0).unwrap();
    let src = a.volumes().await.unwrap().remove(0);
    // The out-parameters come with TYPE=, the CIM_Error with EMBEDDEDOBJECT=: both decode.
    let e = a
        .create_clone(
            &src,
            CloneRequest {
                wait: fast(),
                ..CloneRequest::full_clone("q1")
            },
        )
        .await
        .unwrap_err();
    match &e {
        Error::JobFailed(f) => {
            assert!(!f.errors.is_empty(), "embedded CIM_Error decoded");
            assert_eq!(f.errors[0].class_name.as_str(), "CIM_Error");
        }
        other => panic!("expected JobFailed, got {other:?}"),
    }
    // Second attempt succeeds (the fault fired once); its Job out-parameter had TYPE=.
    let v = a
        .create_clone(
            &src,
            CloneRequest {
                wait: fast(),
                ..CloneRequest::full_clone("q2")
            },
        )
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("q2"));
    // A raw method call shows the typed out-parameter.
    let pool = a
        .pools()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.pool_id.as_deref() == Some("P1"))
        .unwrap();
    let svc = c
        .enumerate_instance_names("CIM_StorageConfigurationService", Some("root/smis-sim"))
        .await
        .unwrap()
        .remove(0);
    let ret = c
        .invoke_method(
            &svc,
            "CreateOrModifyElementFromStoragePool",
            vec![
                ParamValue::new("ElementName", "x"),
                ParamValue::new("ElementType", 2u16),
                ParamValue::new("InPool", pool.path.clone()),
                ParamValue::new("Size", 1000u64),
            ],
        )
        .await
        .unwrap();
    assert_eq!(ret.return_code(), Some(4097));
    assert_eq!(ret.get::<u64>("Size").unwrap(), 1024);
    sim.shutdown().await;
}

#[tokio::test]
async fn interop_namespace_at_root_pg_interop() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.quirks.interop_namespace = Some("root/PG_InterOp".into());
    let (sim, c) = start(sc);
    let d = Discovery::run(&c, &DiscoveryOptions::default())
        .await
        .unwrap();
    assert_eq!(d.interop_namespace.as_deref(), Some("root/PG_InterOp"));
    assert_eq!(d.arrays.len(), 1);
    assert_eq!(d.vendor_namespace.as_deref(), Some("root/smis-sim"));
    sim.shutdown().await;
}
