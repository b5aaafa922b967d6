//! Replicas until they are gone, per-pool capabilities and disks: the SMI-S layer against
//! the simulated provider over loopback HTTPS (pinned certificate), asserting the CIM
//! state afterwards; and a client that reads only the SMI-S 1.4 CopyType, written from raw
//! CIM operations, deleting a CreateElementReplica replica together with its source.

mod support;

use support::sim::{array, client};

use std::time::Duration;

use smis::cim::ObjectPath;
use smis::client::ReferencesOptions;
use smis::message::ParamValue;
use smis::smis::{
    CloneRequest, CloneStarted, DeleteVolumeOptions, Replica, ReplicaKind, ReplicaPolicy,
    ReplicaState, SmisArray, StorageVolume, WaitOptions,
};
use smis::{CimStatus, Client, Error};
use smis_sim::{Scenario, Simulator};

fn start(f: impl FnOnce(&mut Scenario)) -> Simulator {
    let mut sc = Scenario::builtin("default").expect("built-in scenario");
    sc.jobs.clone_ms = 200;
    f(&mut sc);
    support::sim::start(sc)
}

fn wait() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(25),
        max_interval: Duration::from_millis(100),
        deadline: Duration::from_secs(30),
        ..WaitOptions::default()
    }
}

async fn volume(a: &SmisArray, name: &str) -> StorageVolume {
    a.volumes()
        .await
        .expect("volumes")
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} exists"))
}

async fn replicate(a: &SmisArray, src: &StorageVolume, req: CloneRequest) -> StorageVolume {
    a.create_clone(
        src,
        CloneRequest {
            wait: wait(),
            ..req
        },
    )
    .await
    .expect("replica created")
}

/// The volume is gone: GetInstance answers CIM_ERR_NOT_FOUND.
async fn gone(c: &Client, p: &ObjectPath) -> bool {
    match c.get_instance(p, &Default::default()).await {
        Err(e) => e.cim_status() == Some(CimStatus::NotFound),
        Ok(_) => false,
    }
}

/// CopyState and SyncState of a pair, read raw.
async fn raw_states(c: &Client, r: &Replica) -> (u16, u16) {
    let i = c.get_instance(&r.path, &Default::default()).await.unwrap();
    (
        i.get::<u16>("CopyState").unwrap(),
        i.get::<u16>("SyncState").unwrap(),
    )
}

#[tokio::test]
async fn fracture_resync_restore_detach_move_the_pair_through_its_states() {
    let sim = start(|_| {});
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let src = volume(&a, "db01").await;
    let clone = replicate(&a, &src, CloneRequest::full_clone("db01-c")).await;
    let pairs = a.replicas(&src).await.unwrap();
    assert_eq!(pairs.len(), 1);
    let r = pairs[0].clone();
    assert!(r.is_source(&src.path) && r.is_target(&clone.path));
    assert_eq!(r.kind(), ReplicaKind::Clone);
    assert_eq!(r.state(), ReplicaState::Synchronized);
    assert_eq!(
        r.copy_type,
        Some(4),
        "CopyType on a CreateElementReplica pair"
    );
    assert_eq!(r.percent_synced, Some(100));
    assert_eq!(
        a.replicas(&clone).await.unwrap(),
        pairs,
        "seen from the target"
    );

    let r = a
        .fracture_replica(&r, &wait())
        .await
        .unwrap()
        .expect("pair");
    assert_eq!(r.state(), ReplicaState::Fractured);
    assert_eq!(raw_states(&c, &r).await, (6, 13));
    // Fracturing a fractured pair: 5 Invalid Parameter, the method's own code.
    let e = a.fracture_replica(&r, &wait()).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 5, "{e}");

    let r = a.resync_replica(&r, &wait()).await.unwrap().expect("pair");
    assert_eq!(r.state(), ReplicaState::Synchronized, "resync job followed");
    assert_eq!(raw_states(&c, &r).await, (4, 6));
    let r = a.restore_replica(&r, &wait()).await.unwrap().expect("pair");
    assert_eq!(r.state(), ReplicaState::Restored);
    assert_eq!(raw_states(&c, &r).await, (18, 6));

    a.detach_replica(&r, &wait()).await.unwrap();
    assert!(a.replicas(&src).await.unwrap().is_empty(), "pair gone");
    assert!(gone(&c, &r.path).await);
    assert!(!gone(&c, &clone.path).await, "detach keeps the clone");
    assert!(!gone(&c, &src.path).await);
    sim.shutdown().await;
}

#[tokio::test]
async fn detaching_while_the_copy_runs_is_a_detach_failure() {
    let sim = start(|s| s.jobs.clone_ms = 60_000);
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let src = volume(&a, "logs01").await;
    let started = a
        .start_clone(&src, &CloneRequest::full_clone("slow"))
        .await
        .unwrap();
    assert!(matches!(started, CloneStarted::Job(_)));
    let r = a.replicas(&src).await.unwrap().remove(0);
    assert_eq!(r.state(), ReplicaState::Copying);
    assert!(r.state().is_busy());
    let e = a.detach_replica(&r, &wait()).await.unwrap_err();
    match &e {
        Error::MethodFailed {
            return_value, code, ..
        } => {
            assert_eq!(*return_value, 6, "In Use");
            assert_eq!(code.code(), 40309, "Synchronization detach failed");
        }
        other => panic!("expected MethodFailed, got {other:?}"),
    }
    assert_eq!(a.replicas(&src).await.unwrap().len(), 1, "pair still there");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_volume_with_replicas_is_deleted_only_when_asked() {
    let sim = start(|_| {});
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let src = volume(&a, "db01").await;
    let snap = replicate(&a, &src, CloneRequest::snapshot("db01-s")).await;
    let clone = replicate(&a, &src, CloneRequest::full_clone("db01-c")).await;
    let before = a.volumes().await.unwrap().len();

    let e = a
        .delete_volume_with(&src, &DeleteVolumeOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 6, "{e}");
    assert!(e.to_string().contains("db01"), "{e}");
    assert_eq!(a.replicas(&src).await.unwrap().len(), 2, "nothing touched");
    // The plain delete reaches the provider, which answers 6 In Use.
    let e = a.delete_volume(&src, &wait()).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 6, "{e}");
    assert!(!gone(&c, &src.path).await);

    let opts = DeleteVolumeOptions {
        replicas: ReplicaPolicy::Delete,
        wait: wait(),
    };
    a.delete_volume_with(&src, &opts).await.unwrap();
    for p in [&src.path, &snap.path, &clone.path] {
        assert!(gone(&c, p).await, "{} gone", p.canonical());
    }
    assert_eq!(a.volumes().await.unwrap().len(), before - 3);
    let e = a.delete_volume_with(&src, &opts).await.unwrap_err();
    assert_eq!(e.storage_service_code().code(), 40313, "{e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn detach_policy_keeps_the_replicas_and_a_target_is_deleted_alone() {
    let sim = start(|_| {});
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let src = volume(&a, "db01").await;
    let clone = replicate(&a, &src, CloneRequest::full_clone("keep")).await;
    let snap = replicate(&a, &clone, CloneRequest::snapshot("keep-s")).await;
    // Deleting the clone (a target with a snapshot of its own) detaches its source pair
    // and deletes nothing but itself and its snapshot.
    let pair = a.replicas(&clone).await.unwrap();
    assert_eq!(pair.len(), 2);
    let opts = DeleteVolumeOptions {
        replicas: ReplicaPolicy::Detach,
        wait: wait(),
    };
    a.delete_volume_with(&clone, &opts).await.unwrap();
    assert!(gone(&c, &clone.path).await);
    assert!(!gone(&c, &snap.path).await, "detached snapshot stays");
    assert!(!gone(&c, &src.path).await);
    assert!(a.replicas(&src).await.unwrap().is_empty());
    assert!(a.replicas(&snap).await.unwrap().is_empty());

    // delete_replica on a snapshot: 19 Return To ResourcePool removes the target.
    let s2 = replicate(&a, &src, CloneRequest::snapshot("s2")).await;
    let r = a.replicas(&s2).await.unwrap().remove(0);
    assert!(r.dissolves_into_pool());
    a.delete_replica(&r, &wait()).await.unwrap();
    assert!(gone(&c, &s2.path).await);
    assert!(!gone(&c, &src.path).await);
    // delete_replica on a clone: Detach, then ReturnToStoragePool of the target.
    let c2 = replicate(&a, &src, CloneRequest::full_clone("c2")).await;
    let r = a.replicas(&c2).await.unwrap().remove(0);
    assert!(!r.dissolves_into_pool());
    a.delete_replica(&r, &wait()).await.unwrap();
    assert!(gone(&c, &c2.path).await);
    assert!(a.replicas(&src).await.unwrap().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn without_a_replication_service_the_1_4_modify_synchronization_is_used() {
    let sim = start(|s| {
        s.capabilities.replication_service = false;
        s.jobs.clone_ms = 0;
    });
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let src = volume(&a, "db01").await;
    // CreateReplica with CopyType 4 leaves an associated pair.
    let snap = replicate(&a, &src, CloneRequest::snapshot("old-style")).await;
    let r = a.replicas(&src).await.unwrap().remove(0);
    assert_eq!(r.copy_type, Some(4));
    let r = a
        .fracture_replica(&r, &wait())
        .await
        .unwrap()
        .expect("pair");
    assert_eq!(r.state(), ReplicaState::Fractured);
    a.detach_replica(&r, &wait()).await.unwrap();
    assert!(a.replicas(&src).await.unwrap().is_empty());
    assert!(!gone(&c, &snap.path).await);
    sim.shutdown().await;
}

#[tokio::test]
async fn pool_capabilities_and_disks() {
    let sim = start(|_| {});
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    for p in a.pools().await.unwrap() {
        let caps = a
            .pool_capabilities(&p)
            .await
            .unwrap()
            .expect("one per pool");
        match p.pool_id.as_deref() {
            Some("P1") => {
                assert!(caps.thin() && caps.thick() && caps.can_expand());
                assert!(!caps.can_shrink());
            }
            Some("P2") => {
                assert!(caps.thick() && !caps.thin());
                assert!(caps.can_shrink());
            }
            _ => assert!(!caps.can_create_volumes(), "primordial"),
        }
    }
    let disks = a.disks().await.unwrap();
    assert_eq!(disks.len(), 8);
    assert!(disks.iter().all(|d| d.interconnect() == Some("SAS")));
    assert_eq!(
        disks.iter().filter(|d| d.medium() == Some("SSD")).count(),
        2
    );
    assert!(
        disks
            .iter()
            .all(|d| d.size_bytes == Some(2_199_023_255_552))
    );
    sim.shutdown().await;
}

// ----- a client that knows only SMI-S 1.4 and reads CopyType -----

/// Waits (bounded) for a job to reach JobState 7, reading it raw.
async fn raw_wait(c: &Client, job: &ObjectPath) {
    for _ in 0..400 {
        let j = c.get_instance(job, &Default::default()).await.unwrap();
        match j.get::<u16>("JobState").unwrap() {
            7 => return,
            2..=4 | 32767 => tokio::time::sleep(Duration::from_millis(25)).await,
            other => panic!("job ended in {other}"),
        }
    }
    panic!("job did not finish");
}

fn rc(r: &smis::message::MethodReturn) -> u32 {
    r.return_code().expect("integer return value")
}

/// The libstoragemgmt-style volume delete of an SMI-S 1.4 client: every pair the volume
/// is in is undone according to CopyType alone (4 UnSyncAssoc → 19 Return To ResourcePool,
/// which takes the target away; anything else → 8 Detach), then ReturnToStoragePool.
/// Returns the volumes this deleted.
async fn copy_type_only_delete(
    c: &Client,
    repl: &ObjectPath,
    scs: &ObjectPath,
    vol: &ObjectPath,
) -> Result<Vec<ObjectPath>, String> {
    let refs = c
        .references(
            vol,
            &ReferencesOptions::new()
                .result_class("CIM_StorageSynchronized")
                .property_list(["CopyType"]),
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut deleted = Vec::new();
    let mut vol_gone = false;
    for o in refs {
        let i = o.into_instance().ok_or("not an instance")?;
        assert!(
            i.property("SyncType").is_none() && i.property("SyncState").is_none(),
            "only CopyType was asked for"
        );
        let copy_type = i
            .get_opt::<u16>("CopyType")
            .map_err(|e| e.to_string())?
            .ok_or("pair without CopyType: cannot tell how to undo it")?;
        let path = i.path.clone().ok_or("pair without path")?;
        let target = path
            .key("SyncedElement")
            .and_then(|v| v.as_reference())
            .cloned()
            .ok_or("no SyncedElement")?;
        let op: u16 = if copy_type == 4 { 19 } else { 8 };
        let r = c
            .invoke_method(
                repl,
                "ModifyReplicaSynchronization",
                vec![
                    ParamValue::new("Operation", op),
                    ParamValue::new("Synchronization", path.clone()),
                ],
            )
            .await
            .map_err(|e| e.to_string())?;
        if rc(&r) != 0 {
            return Err(format!(
                "ModifyReplicaSynchronization({op}) returned {}",
                rc(&r)
            ));
        }
        if op == 19 {
            if target.key("DeviceID") == vol.key("DeviceID") {
                vol_gone = true;
            }
            deleted.push(target);
        }
    }
    if !vol_gone {
        let r = c
            .invoke_method(
                scs,
                "ReturnToStoragePool",
                vec![ParamValue::new("TheElement", vol.clone())],
            )
            .await
            .map_err(|e| e.to_string())?;
        if rc(&r) != 0 {
            return Err(format!("ReturnToStoragePool returned {}", rc(&r)));
        }
        deleted.push(vol.clone());
    }
    Ok(deleted)
}

async fn first_path(c: &Client, ns: &str, class: &str) -> ObjectPath {
    c.enumerate_instance_names(class, Some(ns))
        .await
        .unwrap()
        .remove(0)
        .in_namespace(ns)
}

#[tokio::test]
async fn a_copy_type_only_client_deletes_a_create_element_replica_replica_and_its_source() {
    let sim = start(|_| {});
    let c = client(&sim);
    let ns = "root/smis-sim";
    let repl = first_path(&c, ns, "CIM_ReplicationService").await;
    let scs = first_path(&c, ns, "CIM_StorageConfigurationService").await;
    for (order, source_name) in [("source first", "db01"), ("replica first", "logs01")] {
        let src = c
            .enumerate_instances(
                "CIM_StorageVolume",
                &smis::client::EnumerateInstancesOptions::new().namespace(ns),
            )
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.get::<String>("ElementName").unwrap() == source_name)
            .and_then(|v| v.path)
            .unwrap()
            .in_namespace(ns);
        let r = c
            .invoke_method(
                &repl,
                "CreateElementReplica",
                vec![
                    ParamValue::new("ElementName", format!("{source_name}-r")),
                    ParamValue::new("SyncType", 8u16),
                    ParamValue::new("SourceElement", src.clone()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(rc(&r), 4096);
        let job: ObjectPath = r.get::<Option<ObjectPath>>("Job").unwrap().unwrap();
        let job = job.in_namespace(ns);
        raw_wait(&c, &job).await;
        let target = c
            .associator_names(
                &job,
                &smis::client::AssociatorsOptions::new()
                    .assoc_class("CIM_AffectedJobElement")
                    .result_class("CIM_StorageVolume"),
            )
            .await
            .unwrap()
            .remove(0)
            .in_namespace(ns);
        // Without undoing the pair first, the array refuses: 6 In Use.
        let r = c
            .invoke_method(
                &scs,
                "ReturnToStoragePool",
                vec![ParamValue::new("TheElement", src.clone())],
            )
            .await
            .unwrap();
        assert_eq!(rc(&r), 6, "{order}: source in use");
        let (first, second) = if order == "source first" {
            (&src, &target)
        } else {
            (&target, &src)
        };
        let mut deleted = copy_type_only_delete(&c, &repl, &scs, first)
            .await
            .unwrap_or_else(|e| panic!("{order}: {e}"));
        if gone(&c, second).await {
            assert!(
                deleted
                    .iter()
                    .any(|p| p.key("DeviceID") == second.key("DeviceID"))
            );
        } else {
            deleted.extend(
                copy_type_only_delete(&c, &repl, &scs, second)
                    .await
                    .unwrap_or_else(|e| panic!("{order}: {e}")),
            );
        }
        assert!(gone(&c, &src).await, "{order}: source gone");
        assert!(gone(&c, &target).await, "{order}: replica gone");
        let pairs = c
            .enumerate_instance_names("CIM_StorageSynchronized", Some(ns))
            .await
            .unwrap();
        assert!(pairs.is_empty(), "{order}: no pair left: {pairs:?}");
    }
    sim.shutdown().await;
}
