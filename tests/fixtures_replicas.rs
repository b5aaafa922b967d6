//! Replica workflows recorded from the simulated provider into `fixtures/replica-*/` and
//! replayed through the SMI-S layer: a clone's pair fractured, resynchronised (job),
//! restored (job) and detached; a volume with a snapshot and a clone refused and then
//! deleted with its replicas; per-pool capabilities and disks.
//!
//! Re-record with `SMIS_RECORD_FIXTURES=1 cargo test --test fixtures_replicas` (this starts
//! the simulator over loopback HTTPS and overwrites those directories); without it the
//! tests only replay the committed fixtures, with no network.

use std::path::PathBuf;
use std::time::Duration;

use smis::smis::{
    CloneRequest, DeleteVolumeOptions, Discovery, DiscoveryOptions, ReplicaPolicy, ReplicaState,
    SmisArray, StorageVolume, WaitOptions,
};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials, Error};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "fixture-Replicas-Pw-77";

fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn recording() -> bool {
    std::env::var("SMIS_RECORD_FIXTURES").is_ok_and(|v| v == "1")
}

fn wait() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(100),
        deadline: Duration::from_secs(30),
        ..WaitOptions::default()
    }
}

async fn array(c: &Client) -> smis::Result<SmisArray> {
    let d = Discovery::run(c, &DiscoveryOptions::default()).await?;
    d.array_handle(c, 0)
}

async fn volume(a: &SmisArray, name: &str) -> smis::Result<StorageVolume> {
    a.volumes()
        .await?
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some(name))
        .ok_or_else(|| Error::InvalidArgument(format!("no {name} volume")))
}

/// Runs `workflow` against a fresh simulator while recording into the fixture directory.
async fn record<F, Fut, T>(name: &str, clone_ms: u64, workflow: F)
where
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = clone_ms;
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).unwrap();
    let live = Client::builder(sim.url())
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .build()
        .unwrap();
    let dir = fixture_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rec = Client::record(&live, &dir).unwrap();
    let _ = workflow(rec).await;
    sim.shutdown().await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text =
            String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned();
        assert!(
            !text.contains(PASSWORD) && !text.contains("Basic YWRt"),
            "secret in fixture"
        );
    }
}

fn replay(name: &str) -> Client {
    Client::replay(fixture_dir(name))
        .unwrap_or_else(|e| panic!("fixture {name} missing or unreadable: {e}"))
        .with_credentials(Credentials::new("admin", "unused".to_string()))
}

/// Clone db01, then fracture, resync, restore and detach the pair; the states seen.
async fn lifecycle_flow(c: Client) -> smis::Result<Vec<ReplicaState>> {
    let a = array(&c).await?;
    let src = volume(&a, "db01").await?;
    let req = CloneRequest {
        wait: wait(),
        ..CloneRequest::full_clone("db01-life")
    };
    a.create_clone(&src, req).await?;
    let r = a.replicas(&src).await?.remove(0);
    let mut states = vec![r.state()];
    let gone = || Error::UnexpectedResponse("pair gone".into());
    let r = a.fracture_replica(&r, &wait()).await?.ok_or_else(gone)?;
    states.push(r.state());
    let r = a.resync_replica(&r, &wait()).await?.ok_or_else(gone)?;
    states.push(r.state());
    let r = a.restore_replica(&r, &wait()).await?.ok_or_else(gone)?;
    states.push(r.state());
    a.detach_replica(&r, &wait()).await?;
    states.push(match a.replicas(&src).await?.first() {
        Some(r) => r.state(),
        None => ReplicaState::Unknown,
    });
    Ok(states)
}

#[tokio::test]
async fn replica_lifecycle_replayed() {
    if recording() {
        record("replica-lifecycle", 200, lifecycle_flow).await;
    }
    let states = lifecycle_flow(replay("replica-lifecycle")).await.unwrap();
    use ReplicaState::*;
    assert_eq!(
        states,
        vec![Synchronized, Fractured, Synchronized, Restored, Unknown]
    );
    let manifest =
        std::fs::read_to_string(fixture_dir("replica-lifecycle").join("manifest.json")).unwrap();
    assert!(
        manifest.contains("ModifyReplicaSynchronization"),
        "recorded"
    );
}

/// Snapshot and clone of logs01; delete refused (code), then deleted with its replicas;
/// the number of volumes left.
async fn delete_flow(c: Client) -> smis::Result<(u32, usize)> {
    let a = array(&c).await?;
    let src = volume(&a, "logs01").await?;
    for req in [
        CloneRequest::snapshot("logs01-s"),
        CloneRequest::full_clone("logs01-c"),
    ] {
        a.create_clone(
            &src,
            CloneRequest {
                wait: wait(),
                ..req
            },
        )
        .await?;
    }
    let refused = a
        .delete_volume_with(&src, &DeleteVolumeOptions::default())
        .await
        .err()
        .map(|e| e.storage_service_code().code())
        .unwrap_or(0);
    let opts = DeleteVolumeOptions {
        replicas: ReplicaPolicy::Delete,
        wait: wait(),
    };
    a.delete_volume_with(&src, &opts).await?;
    Ok((refused, a.volumes().await?.len()))
}

#[tokio::test]
async fn delete_with_replicas_replayed() {
    if recording() {
        record("replica-delete", 200, delete_flow).await;
    }
    let (refused, left) = delete_flow(replay("replica-delete")).await.unwrap();
    assert_eq!(refused, 6, "In Use before anything is sent");
    assert_eq!(left, 2, "logs01 and both replicas gone");
}

async fn inventory_flow(c: Client) -> smis::Result<(Vec<(String, bool, bool)>, usize)> {
    let a = array(&c).await?;
    let mut caps = Vec::new();
    for p in a.pools().await? {
        if let Some(k) = a.pool_capabilities(&p).await? {
            caps.push((p.pool_id.unwrap_or_default(), k.thin(), k.can_shrink()));
        }
    }
    let ssd = a
        .disks()
        .await?
        .iter()
        .filter(|d| d.medium() == Some("SSD"))
        .count();
    Ok((caps, ssd))
}

#[tokio::test]
async fn pool_capabilities_and_disks_replayed() {
    if recording() {
        record("replica-inventory", 0, inventory_flow).await;
    }
    let (mut caps, ssd) = inventory_flow(replay("replica-inventory")).await.unwrap();
    caps.sort();
    assert_eq!(
        caps,
        vec![
            ("P0".to_string(), false, false),
            ("P1".to_string(), true, false),
            ("P2".to_string(), false, true)
        ]
    );
    assert_eq!(ssd, 2);
}
