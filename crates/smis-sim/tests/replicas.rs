//! The replica lifecycle, per-pool capabilities and disk drives of the simulated provider,
//! at the message level on a manual clock (pair states while jobs run).

use smis::cim::{Instance, ObjectPath};
use smis::message::{IReturn, Intrinsic, MethodReturn};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};

mod common;
use common::*;

impl Sim {
    /// CreateElementReplica of `src` with SyncType `sync_type`; the method's return.
    fn replicate(&self, src: &str, sync_type: u16) -> MethodReturn {
        let svc = self.first("CIM_ReplicationService");
        self.call(
            &svc,
            "CreateElementReplica",
            vec![
                pv("SyncType", sync_type),
                pv("SourceElement", self.volume(src)),
            ],
        )
        .unwrap()
    }

    fn modify(&self, op: u16, sync: &ObjectPath) -> MethodReturn {
        let svc = self.first("CIM_ReplicationService");
        self.call(
            &svc,
            "ModifyReplicaSynchronization",
            vec![pv("Operation", op), pv("Synchronization", sync.clone())],
        )
        .unwrap()
    }

    /// The one pair of `vol`.
    fn pair(&self, vol: &str) -> Instance {
        let v = self.refs(&self.volume(vol), "CIM_StorageSynchronized");
        assert_eq!(v.len(), 1, "{vol}: {v:?}");
        v.into_iter().next().unwrap()
    }

    /// (CopyState, SyncState, ProgressStatus) of the one pair of `vol`.
    fn states(&self, vol: &str) -> (u16, u16, u16) {
        let p = self.pair(vol);
        (
            p.get::<u16>("CopyState").unwrap(),
            p.get::<u16>("SyncState").unwrap(),
            p.get::<u16>("ProgressStatus").unwrap(),
        )
    }

    fn return_to_pool(&self, vol: &ObjectPath) -> u32 {
        let scs = self.first("CIM_StorageConfigurationService");
        rv(&self
            .call(
                &scs,
                "ReturnToStoragePool",
                vec![pv("TheElement", vol.clone())],
            )
            .unwrap())
    }
}

#[test]
fn clone_pair_moves_through_fracture_resync_restore_and_detach() {
    let s = sim("default");
    let r = s.replicate("vol-2", 8);
    assert_eq!(rv(&r), 4096);
    let p = s.pair("vol-2");
    let sync = p.path.clone().unwrap();
    let target = p.get::<ObjectPath>("SyncedElement").unwrap();
    // Both the 1.5+ and the 1.4 view, on a pair made by CreateElementReplica.
    assert_eq!(p.get::<u16>("SyncType").unwrap(), 8);
    assert_eq!(p.get::<u16>("Mode").unwrap(), 3);
    assert_eq!(p.get::<u16>("CopyType").unwrap(), 4, "UnSyncAssoc");
    assert_eq!(p.get::<u16>("ReplicaType").unwrap(), 2, "Full Copy");
    assert!(p.get::<u16>("PercentSynced").unwrap() < 100);
    assert_eq!(s.states("vol-2"), (3, 15, 6), "copying");
    assert_eq!(rv(&s.modify(12, &sync)), 6, "in use while copying");
    s.advance(10);
    assert_eq!(s.states("vol-2"), (4, 6, 2));
    assert_eq!(s.pair("vol-2").get::<u16>("PercentSynced").unwrap(), 100);

    assert_eq!(rv(&s.modify(12, &sync)), 0, "fracture");
    assert_eq!(s.states("vol-2"), (6, 13, 2));
    assert_eq!(rv(&s.modify(12, &sync)), 5, "already fractured");

    let r = s.modify(14, &sync);
    assert_eq!(rv(&r), 4096, "resync is a job");
    let job = out_ref(&r, "Job");
    assert_eq!(s.states("vol-2"), (3, 5, 7), "resyncing");
    assert_eq!(rv(&s.modify(8, &sync)), 6, "in use while resyncing");
    s.advance(10);
    assert_eq!(
        s.get(&job).unwrap().get::<u16>("JobState").unwrap(),
        7,
        "job completed"
    );
    assert_eq!(s.states("vol-2"), (4, 6, 2), "synchronized again");

    let r = s.modify(15, &sync);
    assert_eq!(rv(&r), 4096, "restore is a job");
    assert_eq!(s.states("vol-2"), (4, 10, 8), "restoring");
    s.advance(10);
    assert_eq!(s.states("vol-2"), (18, 6, 2), "restored");

    assert_eq!(rv(&s.modify(2, &sync)), 1, "Abort is not offered");
    assert_eq!(rv(&s.modify(8, &sync)), 0, "detach");
    assert!(
        s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")
            .is_empty()
    );
    assert!(s.get(&target).is_ok(), "detach keeps the target");
    assert_eq!(rv(&s.modify(8, &sync)), 5, "the pair is gone");
}

#[test]
fn volumes_in_pairs_are_in_use_and_return_to_resource_pool_deletes_the_target() {
    let s = default_with(|sc| sc.jobs.clone_ms = 0);
    let r = s.replicate("vol-1", 7);
    assert_eq!(rv(&r), 0);
    let snap = out_ref(&r, "TargetElement");
    let sync = out_ref(&r, "Synchronization");
    let p = s.get(&sync).unwrap();
    assert_eq!(p.get::<u16>("CopyType").unwrap(), 4);
    assert_eq!(p.get::<u16>("ReplicaType").unwrap(), 4, "After Delta");
    assert_eq!(s.states("vol-1"), (4, 6, 2));
    // A snapshot of the snapshot: 19 on the first pair would orphan it.
    let r2 = s.svc_replicate_path(&snap, 7);
    let sync2 = out_ref(&r2, "Synchronization");
    assert_eq!(s.return_to_pool(&s.volume("vol-1")), 6, "source in use");
    assert_eq!(s.return_to_pool(&snap), 6, "target in use");
    assert_eq!(rv(&s.modify(19, &sync)), 6, "target has replicas");
    assert_eq!(rv(&s.modify(19, &sync2)), 0);
    assert_eq!(rv(&s.modify(19, &sync)), 0);
    assert!(s.get(&snap).is_err(), "target deleted");
    assert!(
        s.refs(&s.volume("vol-1"), "CIM_StorageSynchronized")
            .is_empty()
    );
    assert_eq!(s.return_to_pool(&s.volume("vol-1")), 0);
    assert_eq!(s.names("CIM_StorageVolume").len(), 2);
}

impl Sim {
    fn svc_replicate_path(&self, src: &ObjectPath, sync_type: u16) -> MethodReturn {
        let svc = self.first("CIM_ReplicationService");
        let r = self
            .call(
                &svc,
                "CreateElementReplica",
                vec![pv("SyncType", sync_type), pv("SourceElement", src.clone())],
            )
            .unwrap();
        assert_eq!(rv(&r), 0);
        r
    }
}

#[test]
fn a_failed_resync_job_leaves_the_pair_broken() {
    let s = default_with(|sc| {
        sc.faults.push(FaultSpec {
            matcher: FaultMatch {
                method: Some("ModifyReplicaSynchronization".into()),
                ..FaultMatch::default()
            },
            action: FaultAction::JobException,
            times: None,
        })
    });
    s.replicate("vol-3", 8);
    s.advance(10);
    let sync = s.pair("vol-3").path.unwrap();
    assert_eq!(rv(&s.modify(14, &sync)), 4096);
    s.advance(10);
    assert_eq!(s.states("vol-3"), (5, 12, 15), "broken");
    assert_eq!(rv(&s.modify(15, &sync)), 5, "nothing to restore from");
    assert_eq!(rv(&s.modify(8, &sync)), 0, "a broken pair can be detached");
}

fn u16s(i: &Instance, name: &str) -> Vec<u16> {
    i.get::<Vec<u16>>(name).unwrap()
}

#[test]
fn every_pool_has_its_capabilities_and_they_are_obeyed() {
    let s = sim("default");
    let caps = |pool: &str| {
        let v = match s
            .op(Intrinsic::Associators {
                object_name: s.pool(pool),
                assoc_class: Some("CIM_ElementCapabilities".into()),
                result_class: Some("CIM_StorageConfigurationCapabilities".into()),
                role: None,
                result_role: None,
                include_qualifiers: None,
                include_class_origin: None,
                property_list: None,
            })
            .unwrap()
        {
            IReturn::Objects(v) => v,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(v.len(), 1, "exactly one per pool");
        match v.into_iter().next() {
            Some(smis::message::CimObject::Instance(i)) => i,
            other => panic!("unexpected {other:?}"),
        }
    };
    let p1 = caps("P1");
    assert_eq!(u16s(&p1, "SupportedStorageElementTypes"), vec![2, 5]);
    assert!(!u16s(&p1, "SupportedStorageElementFeatures").contains(&13));
    let p2 = caps("P2");
    assert_eq!(u16s(&p2, "SupportedStorageElementTypes"), vec![2]);
    assert!(u16s(&p2, "SupportedStorageElementFeatures").contains(&13));
    assert!(u16s(&caps("P0"), "SupportedStorageElementTypes").is_empty());

    let scs = s.first("CIM_StorageConfigurationService");
    let create = |pool: &str, ty: u16| {
        s.call(
            &scs,
            "CreateOrModifyElementFromStoragePool",
            vec![
                pv("ElementName", "v"),
                pv("ElementType", ty),
                pv("InPool", s.pool(pool)),
                pv("Size", 4 * GIB),
            ],
        )
        .unwrap()
    };
    let before = s.remaining("P1");
    let r = create("P1", 5);
    assert_eq!(rv(&r), 0, "thin in P1");
    let thin = s.get(&out_ref(&r, "TheElement")).unwrap();
    assert!(thin.get::<bool>("ThinlyProvisioned").unwrap());
    assert_eq!(s.remaining("P1"), before, "thin takes no capacity");
    assert_eq!(rv(&create("P2", 5)), 1, "P2 is thick only");
    let resize = |vol: &ObjectPath, size: u64| {
        rv(&s
            .call(
                &scs,
                "CreateOrModifyElementFromStoragePool",
                vec![pv("TheElement", vol.clone()), pv("Size", size)],
            )
            .unwrap())
    };
    let before = s.remaining("P2");
    assert_eq!(resize(&s.volume("vol-3"), GIB), 0, "P2 shrinks");
    assert_eq!(s.remaining("P2"), before + 3 * GIB);
    assert_eq!(
        s.get(&s.volume("vol-3"))
            .unwrap()
            .get::<u64>("NumberOfBlocks")
            .unwrap(),
        GIB / 512
    );
    assert_eq!(resize(&s.volume("vol-2"), GIB), 1, "P1 does not shrink");
    s.replicate("vol-3", 7);
    assert_eq!(resize(&s.volume("vol-3"), GIB / 2), 6, "in a pair");
}

#[test]
fn disk_drives_carry_interconnect_and_disk_type_and_their_extents() {
    let s = sim("default");
    let disks = s.enumerate("CIM_DiskDrive");
    assert_eq!(disks.len(), 8);
    let types: Vec<u16> = disks
        .iter()
        .map(|d| d.get::<u16>("DiskType").unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == 3).count(), 2, "two SSDs");
    assert_eq!(types.iter().filter(|t| **t == 2).count(), 6, "six HDDs");
    for d in &disks {
        assert_eq!(d.get::<u16>("InterconnectType").unwrap(), 5, "SAS");
        let path = d.path.clone().unwrap();
        let ext = s.assoc_names(&path, "CIM_MediaPresent", Some("CIM_StorageExtent"));
        assert_eq!(ext.len(), 1);
        let e = s.get(&ext[0]).unwrap();
        assert!(e.get::<bool>("Primordial").unwrap());
        assert_eq!(
            s.assoc_names(&path, "CIM_SystemDevice", Some("CIM_ComputerSystem"))
                .len(),
            1
        );
    }
    let profiles = s.enum_in("interop", "CIM_RegisteredProfile");
    assert!(
        profiles
            .iter()
            .any(|p| p.get::<String>("RegisteredName").unwrap() == "Disk Drive Lite")
    );
}
