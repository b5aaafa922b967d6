//! Replica workflows recorded from the simulated provider into `fixtures/replica-*/` and
//! replayed through the SMI-S layer: a clone's pair fractured, resynchronised (job),
//! restored (job) and detached; a volume with a snapshot and a clone refused and then
//! deleted with its replicas; per-pool capabilities and disks.
//!
//! Re-record with `SMIS_RECORD_FIXTURES=1 cargo test --test fixtures_replicas` (this starts
//! the simulator over loopback HTTPS and overwrites those directories); without it the
//! tests only replay the committed fixtures, with no network.

mod support;

use support::fixtures::{array, fixture_dir, record, recording, replay, volume, wait};

use smis::smis::{CloneRequest, DeleteVolumeOptions, ReplicaPolicy, ReplicaState};
use smis::{Client, Error};
use smis_sim::Scenario;

fn scenario(clone_ms: u64) -> Scenario {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = clone_ms;
    sc
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
        record("replica-lifecycle", scenario(200), lifecycle_flow).await;
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
        record("replica-delete", scenario(200), delete_flow).await;
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
        record("replica-inventory", scenario(0), inventory_flow).await;
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
