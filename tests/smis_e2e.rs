//! The SMI-S layer end to end: discovery, CreateClone, jobs, child pools and volumes
//! against the simulated provider over loopback HTTPS (pinned certificate).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smis::cim::ObjectPath;
use smis::client::CredentialsProvider;
use smis::smis::{
    ChildPoolRequest, CloneRequest, CreateVolumeRequest, Discovery, DiscoveryOptions, Mode,
    ResizeVolumeRequest, ResourceAllocationSettings, SmisArray, StoragePool, StorageVolume,
    WaitOptions,
};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials, Error};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "pa55-Very-Secret-9f8e";
const OPERATOR_PASSWORD: &str = "op-Secret-77-x";
const NS: &str = "root/smis-sim";

fn start(scenario: Scenario) -> Simulator {
    Simulator::start(
        SimulatorConfig::new(scenario)
            .user("admin", PASSWORD)
            .user("operator", OPERATOR_PASSWORD),
    )
    .expect("simulator starts")
}

fn scenario(name: &str, clone_ms: u64) -> Scenario {
    let mut sc = Scenario::builtin(name).expect("built-in scenario");
    sc.jobs.clone_ms = clone_ms;
    sc
}

fn client_with(sim: &Simulator, creds: Option<Credentials>) -> Client {
    let mut b = Client::builder(sim.url())
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().expect("TLS")).expect("pin"))
        .operation_timeout(Duration::from_secs(10));
    if let Some(c) = creds {
        b = b.credentials(c);
    }
    b.build().expect("client builds")
}

fn admin() -> Credentials {
    Credentials::new("admin", PASSWORD.to_string())
}

fn client(sim: &Simulator) -> Client {
    client_with(sim, Some(admin()))
}

async fn array(c: &Client) -> SmisArray {
    let d = Discovery::run(c, &DiscoveryOptions::default())
        .await
        .expect("discovery");
    d.array_handle(c, 0).expect("one array")
}

fn fast() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(50),
        max_interval: Duration::from_millis(200),
        deadline: Duration::from_secs(30),
        ..WaitOptions::default()
    }
}

fn request(name: &str) -> CloneRequest {
    CloneRequest {
        wait: fast(),
        ..CloneRequest::full_clone(name)
    }
}

async fn source(a: &SmisArray) -> StorageVolume {
    a.volumes()
        .await
        .expect("volumes")
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some("db01"))
        .expect("db01 exists")
}

async fn pool(a: &SmisArray, id: &str) -> StoragePool {
    a.pools()
        .await
        .expect("pools")
        .into_iter()
        .find(|p| p.pool_id.as_deref() == Some(id))
        .expect("pool exists")
}

fn job_fault(method: &str, action: FaultAction) -> FaultSpec {
    FaultSpec {
        matcher: FaultMatch {
            method: Some(method.into()),
            ..Default::default()
        },
        action,
        times: None,
    }
}

#[tokio::test]
async fn discovery_and_listing() {
    let sim = start(scenario("default", 0));
    let c = client(&sim);
    let d = Discovery::run(&c, &DiscoveryOptions::default())
        .await
        .unwrap();
    assert_eq!(d.interop_namespace.as_deref(), Some("interop"));
    assert_eq!(d.vendor_namespace.as_deref(), Some(NS));
    assert!(d.profile("Array").is_some(), "{:?}", d.profiles);
    assert_eq!(d.arrays.len(), 1);
    assert_eq!(d.arrays[0].name, "SIMARRAY-0001");
    let a = d.array_handle(&c, 0).unwrap();
    let pools = a.pools().await.unwrap();
    assert!(pools.iter().any(|p| p.primordial));
    let p1 = pool(&a, "P1").await;
    let in_p1 = a.volumes_in_pool(&p1).await.unwrap();
    assert_eq!(in_p1.len(), 2);
    let vols = a.volumes().await.unwrap();
    assert_eq!(vols.len(), 3);
    let db = source(&a).await;
    assert_eq!(db.size_bytes, 107374182400);
    assert!(a.replication_service().await.unwrap().is_some());
    assert!(a.storage_configuration_service().await.unwrap().is_some());
    assert!(
        a.resource_pool_configuration_service()
            .await
            .unwrap()
            .is_some()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn clone_synchronous_return_and_detach() {
    let sim = start(scenario("default", 0));
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let clone = a
        .create_clone(
            &src,
            CloneRequest {
                detach: true,
                ..request("db01-copy")
            },
        )
        .await
        .unwrap();
    assert_eq!(clone.element_name.as_deref(), Some("db01-copy"));
    assert_eq!(clone.size_bytes, src.size_bytes);
    assert_ne!(clone.device_id, src.device_id);
    sim.shutdown().await;
}

#[tokio::test]
async fn clone_via_job_and_snapshot() {
    let sim = start(scenario("default", 300));
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let wait = WaitOptions {
        progress: Some(Arc::new(move |p| s2.lock().unwrap().push(p.job_state))),
        ..fast()
    };
    let clone = a
        .create_clone(
            &src,
            CloneRequest {
                wait: wait.clone(),
                detach: true,
                ..request("db01-jobclone")
            },
        )
        .await
        .unwrap();
    assert_eq!(clone.element_name.as_deref(), Some("db01-jobclone"));
    assert!(seen.lock().unwrap().contains(&Some(7)));
    let snap = a
        .create_clone(
            &src,
            CloneRequest {
                wait,
                ..CloneRequest::snapshot("db01-snap")
            },
        )
        .await
        .unwrap();
    assert_eq!(snap.element_name.as_deref(), Some("db01-snap"));
    sim.shutdown().await;
}

#[tokio::test]
async fn no_replication_is_40308() {
    let sim = start(scenario("no-replication", 0));
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let e = a.create_clone(&src, request("x")).await.unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert_eq!(e.storage_service_code().code(), 40308);
    assert!(
        e.to_string()
            .contains("Clone creation capability not supported")
    );
    let e = a
        .create_clone(&src, CloneRequest::snapshot("s"))
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40308);
    assert!(e.to_string().contains("Snapshot capability not supported"));
    sim.shutdown().await;
}

#[tokio::test]
async fn create_replica_fallback_without_replication_service() {
    let mut sc = scenario("default", 0);
    sc.capabilities.replication_service = false;
    sc.capabilities.supported_copy_types = vec![4, 5];
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let v = a.create_clone(&src, request("fallback")).await.unwrap();
    assert_eq!(v.element_name.as_deref(), Some("fallback"));
    sim.shutdown().await;
}

#[tokio::test]
async fn async_clone_only_refuses_synchronous_with_40500() {
    let sim = start(scenario("async-clone-only", 0));
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let e = a.create_clone(&src, request("sync")).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40500, "{e}");
    let ok = a
        .create_clone(
            &src,
            CloneRequest {
                mode: Mode::Asynchronous,
                ..request("async")
            },
        )
        .await
        .unwrap();
    assert_eq!(ok.element_name.as_deref(), Some("async"));
    sim.shutdown().await;
}

#[tokio::test]
async fn job_exception_message_reaches_caller() {
    let mut sc = scenario("default", 200);
    sc.faults
        .push(job_fault("CreateElementReplica", FaultAction::JobException));
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let e = a.create_clone(&src, request("boom")).await.unwrap_err();
    match &e {
        Error::JobFailed(f) => {
            assert_eq!(f.job_state, Some(10));
            assert!(!f.errors.is_empty(), "CIM_Error from GetErrors expected");
        }
        other => panic!("expected JobFailed, got {other:?}"),
    }
    assert!(
        e.to_string()
            .contains("Simulated job failure (fault injection)"),
        "{e}"
    );
    assert_eq!(e.storage_service_code().code(), 43001);
    // The job's CIM_Error reaches the caller through the accessors too.
    let failure = e.job_failure().expect("a JobFailure");
    assert_eq!(failure.cim_status(), Some(smis::CimStatus::Failed));
    assert_eq!(e.cim_status(), Some(smis::CimStatus::Failed));
    assert_eq!(
        e.storage_service_code().label(),
        "StorageService CIM Error: Failed"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn job_never_ending_hits_the_deadline() {
    let mut sc = scenario("default", 200);
    sc.faults.push(job_fault(
        "CreateElementReplica",
        FaultAction::JobNeverFinishes,
    ));
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let started = Instant::now();
    let e = a
        .create_clone(
            &src,
            CloneRequest {
                wait: WaitOptions {
                    deadline: Duration::from_millis(800),
                    ..fast()
                },
                ..request("forever")
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::JobTimeout { .. }), "{e:?}");
    assert_eq!(e.storage_service_code().code(), 3);
    assert!(started.elapsed() < Duration::from_secs(10));
    sim.shutdown().await;
}

#[tokio::test]
async fn vanished_job() {
    let mut sc = scenario("default", 200);
    sc.faults
        .push(job_fault("CreateElementReplica", FaultAction::JobVanishes));
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let e = a.create_clone(&src, request("gone")).await.unwrap_err();
    assert!(matches!(e, Error::JobVanished(_)), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn operational_status_17_2_and_job_state_32767_succeed() {
    let mut sc = scenario("default", 400);
    sc.quirks.operational_status_17_2 = true;
    sc.quirks.job_state_32767 = true;
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let v = a
        .create_clone(
            &src,
            CloneRequest {
                wait: WaitOptions {
                    poll_interval: Duration::from_millis(20),
                    max_interval: Duration::from_millis(40),
                    progress: Some(Arc::new(move |p| {
                        s2.lock().unwrap().push((p.job_state, p.operational_status))
                    })),
                    ..fast()
                },
                ..request("quirky")
            },
        )
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("quirky"));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|(s, _)| *s == Some(32767)), "{seen:?}");
    assert!(
        seen.iter()
            .any(|(s, os)| *s == Some(7) && os.first() == Some(&17)),
        "{seen:?}"
    );
    sim.shutdown().await;
}

struct OperatorProvider;

impl CredentialsProvider for OperatorProvider {
    fn credentials(&self, _endpoint: &str) -> smis::Result<Option<Credentials>> {
        Ok(Some(Credentials::new(
            "operator",
            OPERATOR_PASSWORD.to_string(),
        )))
    }
}

#[tokio::test]
async fn credentials_per_call_connection_and_provider() {
    let sim = start(scenario("default", 0));
    let good = client(&sim);
    let a = array(&good).await;
    let src = source(&a).await;
    let system = a.system_path().clone();

    // The connection's password is wrong; the call's own credentials win.
    let bad = client_with(&sim, Some(Credentials::new("admin", "wrong".to_string())));
    let a_bad = SmisArray::new(bad, system.clone());
    let v = a_bad
        .create_clone(
            &src,
            CloneRequest {
                credentials: Some(Credentials::new("operator", OPERATOR_PASSWORD.to_string())),
                ..request("per-call")
            },
        )
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("per-call"));

    // Good connection, wrong per-call password: the call's credentials are used → 51005.
    let e = a
        .create_clone(
            &src,
            CloneRequest {
                credentials: Some(Credentials::new("operator", "nope".to_string())),
                ..request("x")
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Authentication { .. }), "{e:?}");
    assert_eq!(e.storage_service_code().code(), 51005);

    // No credentials anywhere → 51005 before anything is sent.
    let anon = SmisArray::new(client_with(&sim, None), system.clone());
    let e = anon.create_clone(&src, request("x")).await.unwrap_err();
    assert!(matches!(e, Error::Credentials(_)), "{e:?}");
    assert_eq!(e.storage_service_code().code(), 51005);

    // The configuration provider supplies them.
    let v = anon
        .with_credentials_provider(Arc::new(OperatorProvider))
        .create_clone(&src, request("from-provider"))
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("from-provider"));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_password_untrusted_certificate_not_found() {
    let sim = start(scenario("default", 0));
    let bad = client_with(&sim, Some(Credentials::new("admin", "wrong".to_string())));
    let e = Discovery::run(&bad, &DiscoveryOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 51005, "{e}");

    let untrusted = Client::builder(sim.url())
        .credentials(admin())
        .build()
        .unwrap();
    match Discovery::run(&untrusted, &DiscoveryOptions::default()).await {
        Err(e @ Error::Tls { .. }) => assert_eq!(e.storage_service_code().code(), 51010),
        Err(Error::Config(m)) => assert!(m.contains("root"), "{m}"), // no system roots here
        other => panic!("expected a TLS failure, got {other:?}"),
    }

    let c = client(&sim);
    let a = array(&c).await;
    let missing = ObjectPath::new(NS, "SIMS_StorageVolume")
        .with_key("SystemCreationClassName", "SIMS_StorageSystem")
        .with_key("SystemName", "SIMARRAY-0001")
        .with_key("CreationClassName", "SIMS_StorageVolume")
        .with_key("DeviceID", "no-such-volume");
    let e = a.volume(&missing).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 43006, "{e}");
    sim.shutdown().await;
}

fn rasd(resource_type: u16, bytes: u64) -> ResourceAllocationSettings {
    ResourceAllocationSettings {
        resource_type,
        reservation: Some(bytes),
        allocation_units: Some("byte".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn child_resource_pool_success_and_codes() {
    let sim = start(scenario("default", 0));
    let c = client(&sim);
    let a = array(&c).await;
    let p1 = pool(&a, "P1").await;
    let req = |settings: Vec<ResourceAllocationSettings>| ChildPoolRequest {
        element_name: "child".into(),
        settings,
        parent_pools: vec![p1.path.clone()],
        wait: fast(),
    };
    let child = a
        .create_child_resource_pool(&req(vec![rasd(19, 1 << 30)]))
        .await
        .unwrap();
    assert_eq!(child.element_name.as_deref(), Some("child"));
    assert!(!child.primordial);

    let code = |e: Error| match e {
        Error::MethodFailed {
            return_value,
            label,
            code,
            ..
        } => (return_value, label, code.code()),
        other => panic!("expected MethodFailed, got {other:?}"),
    };
    let e = a
        .create_child_resource_pool(&req(vec![]))
        .await
        .unwrap_err();
    assert_eq!(code(e), (5, "Invalid Parameter".to_string(), 5));
    let e = a
        .create_child_resource_pool(&req(vec![rasd(31, 1 << 30)]))
        .await
        .unwrap_err();
    assert_eq!(
        code(e),
        (7, "Incorrect ResourceType for the Pool".to_string(), 7)
    );
    let e = a
        .create_child_resource_pool(&req(vec![rasd(19, 1 << 60)]))
        .await
        .unwrap_err();
    assert_eq!(code(e), (8, "Insufficient Resources".to_string(), 8));

    a.delete_resource_pool(&child.path, &fast()).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn volume_create_resize_delete_with_4097() {
    let sim = start(scenario("default", 0));
    let c = client(&sim);
    let a = array(&c).await;
    let p1 = pool(&a, "P1").await;
    let v = a
        .create_volume(
            &p1,
            &CreateVolumeRequest {
                wait: fast(),
                ..CreateVolumeRequest::new("new-vol", 1 << 30)
            },
        )
        .await
        .unwrap();
    assert_eq!(v.size_bytes, 1 << 30);
    assert_eq!(v.element_name.as_deref(), Some("new-vol"));

    // 4097 Size Not Supported without retry → MethodFailed with the label.
    let e = a
        .create_volume(&p1, &CreateVolumeRequest::new("odd", 1000))
        .await
        .unwrap_err();
    match &e {
        Error::MethodFailed {
            return_value: 4097,
            label,
            ..
        } => assert_eq!(label, "Size Not Supported"),
        other => panic!("expected 4097, got {other:?}"),
    }
    assert_eq!(e.method_return_value(), Some(4097));
    assert_eq!(e.storage_service_code().code(), 40300);
    // ... and with retry at the proposed size.
    let odd = a
        .create_volume(
            &p1,
            &CreateVolumeRequest {
                retry_with_proposed_size: true,
                ..CreateVolumeRequest::new("odd", 1000)
            },
        )
        .await
        .unwrap();
    assert_eq!(odd.size_bytes, 1024);

    let bigger = a
        .resize_volume(
            &v,
            &ResizeVolumeRequest {
                size: (1 << 30) + 1000,
                retry_with_proposed_size: true,
                wait: fast(),
            },
        )
        .await
        .unwrap();
    assert_eq!(bigger.size_bytes, (1 << 30) + 1024);

    a.delete_volume(&bigger, &fast()).await.unwrap();
    let e = a.volume(&bigger.path).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 43006);
    sim.shutdown().await;
}

async fn jobs_left(c: &Client) -> usize {
    c.enumerate_instance_names("CIM_ConcreteJob", Some(NS))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn jobs_for_volumes_and_pools_are_followed_and_deleted() {
    let mut sc = scenario("default", 200);
    sc.jobs.volume_create_ms = 200;
    sc.jobs.child_pool_ms = 200;
    sc.jobs.delete_on_completion = false;
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let p1 = pool(&a, "P1").await;
    let v = a
        .create_volume(
            &p1,
            &CreateVolumeRequest {
                wait: fast(),
                ..CreateVolumeRequest::new("job-vol", 1 << 30)
            },
        )
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("job-vol"));
    let child = a
        .create_child_resource_pool(&ChildPoolRequest {
            element_name: "job-child".into(),
            settings: vec![rasd(19, 1 << 30)],
            parent_pools: vec![p1.path.clone()],
            wait: fast(),
        })
        .await
        .unwrap();
    assert_eq!(child.element_name.as_deref(), Some("job-child"));
    let src = source(&a).await;
    a.create_clone(&src, request("job-clone")).await.unwrap();
    // DeleteOnCompletion is false: every finished job was deleted after its results were read.
    assert_eq!(jobs_left(&c).await, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn cancelling_a_wait_terminates_the_job() {
    use smis::smis::{CancellationToken, Job};
    let mut sc = scenario("default", 60_000);
    sc.faults.push(job_fault(
        "CreateElementReplica",
        FaultAction::JobNeverFinishes,
    ));
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let service = a.replication_service().await.unwrap().unwrap();
    let ret = c
        .invoke_method(
            &service.path,
            "CreateElementReplica",
            vec![
                smis::message::ParamValue::new("ElementName", "cancel-me"),
                smis::message::ParamValue::new("SyncType", 8u16),
                smis::message::ParamValue::new("Mode", 3u16),
                smis::message::ParamValue::new("SourceElement", src.path.clone()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(ret.return_code(), Some(4096));
    let job_path: ObjectPath = ret.get::<Option<ObjectPath>>("Job").unwrap().unwrap();
    let job = Job::new(c.clone(), job_path.in_namespace(NS));

    use futures::StreamExt;
    let first: Vec<_> = job.progress_stream(&fast()).take(2).collect().await;
    assert!(
        first
            .iter()
            .all(|p| p.as_ref().unwrap().job_state == Some(4))
    );

    let token = CancellationToken::new();
    let t2 = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        t2.cancel();
    });
    let e = job
        .wait(&WaitOptions {
            cancel: Some(token),
            terminate_on_cancel: true,
            ..fast()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e:?}");
    // Terminated (8) is a failure, never a success.
    let after = job.poll().await.unwrap();
    assert_eq!(after.job_state, Some(8), "{after:?}");
    let e = job.wait(&fast()).await.unwrap_err();
    assert!(matches!(e, Error::JobFailed(_)), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn start_clone_hands_back_the_job() {
    let sim = start(scenario("default", 200));
    let c = client(&sim);
    let a = array(&c).await;
    let src = source(&a).await;
    let started = a.start_clone(&src, &request("started")).await.unwrap();
    let job = match started {
        smis::smis::CloneStarted::Job(j) => j,
        other => panic!("expected a job, got {other:?}"),
    };
    let outcome = job.wait(&fast()).await.unwrap();
    assert_eq!(outcome.progress.job_state, Some(7));
    let made = job.affected_elements("CIM_StorageVolume").await.unwrap();
    assert_eq!(made.len(), 1);
    // The same checks as create_clone: 40308 without replication.
    let sim2 = start(scenario("no-replication", 0));
    let c2 = client(&sim2);
    let a2 = array(&c2).await;
    let src2 = source(&a2).await;
    let e = a2.start_clone(&src2, &request("x")).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40308);
    sim.shutdown().await;
    sim2.shutdown().await;
}
