//! Scenarios recorded from the simulated provider into `fixtures/<name>/`, replayed through
//! the real library code paths (discovery, CreateClone through a job, capability errors,
//! a failing job with CIM_Error, child pool creation, a pull enumeration over several pages).
//!
//! Re-record with `SMIS_RECORD_FIXTURES=1 cargo test --test fixtures_recorded` (this starts
//! the simulator over loopback HTTPS and overwrites the fixture directories); without it the
//! tests only replay the committed fixtures, with no network.

mod support;

use support::fixtures::{array, fixture_dir, record, recording, replay, volume, wait};

use futures::StreamExt;
use smis::client::{EnumerateInstancesOptions, OpenOptions};
use smis::smis::{
    ChildPoolRequest, CloneRequest, Discovery, DiscoveryOptions, Mode, ResourceAllocationSettings,
    StorageVolume,
};
use smis::{Client, Error};
use smis_sim::Scenario;
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};

fn scenario(name: &str, clone_ms: u64) -> Scenario {
    let mut sc = Scenario::builtin(name).unwrap();
    sc.jobs.clone_ms = clone_ms;
    sc
}

async fn discovery_flow(c: Client) -> smis::Result<(usize, usize, Option<String>)> {
    let d = Discovery::run(&c, &DiscoveryOptions::default()).await?;
    Ok((d.profiles.len(), d.arrays.len(), d.vendor_namespace.clone()))
}

#[tokio::test]
async fn discovery() {
    if recording() {
        record("discovery", scenario("default", 0), discovery_flow).await;
    }
    let (profiles, arrays, ns) = discovery_flow(replay("discovery")).await.unwrap();
    assert!(profiles >= 6, "{profiles}");
    assert_eq!(arrays, 1);
    assert_eq!(ns.as_deref(), Some("root/smis-sim"));
}

async fn clone_flow(c: Client, mode: Mode) -> smis::Result<StorageVolume> {
    let a = array(&c).await?;
    let src = volume(&a, "db01").await?;
    a.create_clone(
        &src,
        CloneRequest {
            wait: wait(),
            mode,
            ..CloneRequest::full_clone("db01-clone")
        },
    )
    .await
}

#[tokio::test]
async fn clone_happy_path() {
    if recording() {
        record("clone-happy-path", scenario("default", 300), |c| {
            clone_flow(c, Mode::Asynchronous)
        })
        .await;
    }
    let v = clone_flow(replay("clone-happy-path"), Mode::Asynchronous)
        .await
        .unwrap();
    assert_eq!(v.element_name.as_deref(), Some("db01-clone"));
    assert_eq!(v.block_size, 512);
}

#[tokio::test]
async fn clone_40308_without_replication() {
    if recording() {
        record("clone-40308", scenario("no-replication", 0), |c| {
            clone_flow(c, Mode::Asynchronous)
        })
        .await;
    }
    let e = clone_flow(replay("clone-40308"), Mode::Asynchronous)
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40308, "{e}");
    assert!(
        e.to_string()
            .contains("Clone creation capability not supported"),
        "{e}"
    );
}

#[tokio::test]
async fn clone_40500_synchronous_on_async_only_array() {
    if recording() {
        record("clone-40500", scenario("async-clone-only", 0), |c| {
            clone_flow(c, Mode::Synchronous)
        })
        .await;
    }
    let e = clone_flow(replay("clone-40500"), Mode::Synchronous)
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40500, "{e}");
}

#[tokio::test]
async fn failing_job_with_cim_error() {
    if recording() {
        let mut sc = scenario("default", 200);
        sc.faults.push(FaultSpec {
            matcher: FaultMatch {
                method: Some("CreateElementReplica".into()),
                ..Default::default()
            },
            action: FaultAction::JobException,
            times: None,
        });
        record("job-exception", sc, |c| clone_flow(c, Mode::Asynchronous)).await;
    }
    let e = clone_flow(replay("job-exception"), Mode::Asynchronous)
        .await
        .unwrap_err();
    match &e {
        Error::JobFailed(f) => {
            assert_eq!(f.job_state, Some(10));
            assert!(!f.errors.is_empty(), "CIM_Error instances from GetErrors");
        }
        other => panic!("expected JobFailed, got {other:?}"),
    }
    assert!(e.to_string().contains("Simulated job failure"), "{e}");
    assert_eq!(e.storage_service_code().code(), 43001);
}

async fn child_pool_flow(c: Client) -> smis::Result<String> {
    let a = array(&c).await?;
    let parent = a
        .pools()
        .await?
        .into_iter()
        .find(|p| p.pool_id.as_deref() == Some("P1"))
        .ok_or_else(|| Error::InvalidArgument("no P1".into()))?;
    let pool = a
        .create_child_resource_pool(&ChildPoolRequest {
            element_name: "child-1".into(),
            settings: vec![ResourceAllocationSettings {
                resource_type: 19,
                reservation: Some(1 << 30),
                allocation_units: Some("byte".into()),
                ..Default::default()
            }],
            parent_pools: vec![parent.path.clone()],
            wait: wait(),
        })
        .await?;
    Ok(pool.element_name.unwrap_or_default())
}

#[tokio::test]
async fn child_pool_creation() {
    if recording() {
        record("child-pool", scenario("default", 0), child_pool_flow).await;
    }
    assert_eq!(
        child_pool_flow(replay("child-pool")).await.unwrap(),
        "child-1"
    );
}

async fn pull_flow(c: Client) -> smis::Result<usize> {
    let mut s = c.enumerate_instances_stream(
        "CIM_RegisteredProfile",
        &EnumerateInstancesOptions::new().namespace("interop"),
        &OpenOptions::new().max_object_count(3),
    );
    let mut n = 0;
    while let Some(i) = s.next().await {
        i?;
        n += 1;
    }
    Ok(n)
}

#[tokio::test]
async fn pull_enumeration_over_several_pages() {
    if recording() {
        record("pull-multipage", scenario("default", 0), pull_flow).await;
    }
    let n = pull_flow(replay("pull-multipage")).await.unwrap();
    assert!(n >= 7, "{n}");
    let dir = fixture_dir("pull-multipage");
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .or_else(|_| std::fs::read_to_string(dir.join("manifest.json")))
        .unwrap();
    assert!(
        manifest.matches("\"PullInstancesWithPath\"").count() >= 2,
        "several pages"
    );
}
