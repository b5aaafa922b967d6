//! Replication pairs as clients read them, per-pool capabilities and disk drive details.
//!
//! **Pairs** (`CIM_StorageSynchronized`, SNIA SMI-S 1.8 Replication Services; DMTF CIM
//! 2.49 value maps). Every pair carries the 1.5+ properties (`SyncType`, `Mode`,
//! `CopyState`, `ProgressStatus`, `PercentSynced`) **and** the 1.4 ones (`SyncState` and the
//! deprecated `CopyType`), including pairs made by CreateElementReplica: 1.4-era clients
//! (libstoragemgmt's volume delete, Fujitsu's and EMC's cinder drivers) choose between
//! Detach and Return To ResourcePool from `CopyType` and skip a pair that lacks it.
//!
//! CopyType and ReplicaType follow the alignment HP 3PAR publishes (CIM API Programming
//! Reference, "Alignment of SyncType/Mode and CopyType"): a mirror reports 3 Sync or 2
//! Async; a snapshot reports 4 UnSyncAssoc with ReplicaType 4 After Delta; a clone stays
//! associated (it can be resynchronised and restored) and reports 4 UnSyncAssoc with
//! ReplicaType 2 Full Copy.
//!
//! States (CopyState / SyncState / ProgressStatus), the SMI-S 1.5+ and 1.4 views side by
//! side:
//!
//! | situation | CopyState | SyncState | ProgressStatus |
//! |---|---|---|---|
//! | initial copy running | 3 Unsynchronized | 15 Copy In Progress | 6 Synchronizing |
//! | copied | 4 Synchronized | 6 Synchronized | 2 Completed |
//! | after Fracture (12) | 6 Fractured | 13 Fractured | 2 Completed |
//! | Resync (14) running | 3 Unsynchronized | 5 ResyncInProgress | 7 Resyncing |
//! | Restore (15) running | 4 Synchronized | 10 Restore In Progress | 8 Restoring |
//! | after Restore | 18 Restored | 6 Synchronized | 2 Completed |
//! | a copy job that failed or was stopped | 5 Broken | 12 Broken | 15 Not Applicable |

use std::time::Duration;

use smis::cim::{CimType, CimValue, Instance, ObjectPath, Property};

use super::render::u16s;
use super::state::{State, SyncRec};

/// What a pair is doing beyond its initial copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// CopyState once nothing runs: 4 Synchronized (also when 0), 5 Broken, 6 Fractured,
    /// 18 Restored.
    pub settled: u16,
    /// A running Resync (14) or Restore (15) and the job doing it.
    pub running: Option<(u16, u64)>,
}

/// The states of a pair at the current instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairView {
    pub copy_state: u16,
    pub sync_state: u16,
    pub progress: u16,
    pub percent: u16,
    /// Nothing is running: the pair accepts an operation.
    pub stable: bool,
    /// When the data last became synchronized (finished copy, resync or restore).
    pub synced_at: Option<Duration>,
}

/// CopyType (SMI-S 1.4) for a pair made without one (CreateElementReplica).
pub fn default_copy_type(sync_type: u16, mode: u16) -> u16 {
    match (sync_type, mode) {
        (6, 3) => 2, // asynchronous mirror
        (6, _) => 3, // synchronous mirror
        _ => 4,      // snapshots and clones stay associated
    }
}

/// CopyType of a pair (its own, else derived).
pub fn copy_type(s: &SyncRec) -> u16 {
    s.copy_type
        .unwrap_or_else(|| default_copy_type(s.sync_type, s.mode))
}

fn settled_view(settled: u16, at: Option<Duration>) -> PairView {
    let (copy_state, sync_state, progress) = match settled {
        5 => (5, 12, 15),
        6 => (6, 13, 2),
        18 => (18, 6, 2),
        _ => (4, 6, 2),
    };
    PairView {
        copy_state,
        sync_state,
        progress,
        percent: if settled == 5 { 0 } else { 100 },
        stable: true,
        synced_at: at,
    }
}

/// Computes the states of `s` now.
pub fn pair_view(st: &State, s: &SyncRec) -> PairView {
    let copy = s.job.and_then(|n| st.job(n)).map(|j| st.job_view(j));
    if let Some(v) = copy {
        if !v.finished() {
            return PairView {
                copy_state: 3,
                sync_state: 15,
                progress: 6,
                percent: v.percent,
                stable: false,
                synced_at: None,
            };
        }
        if v.state != 7 {
            return settled_view(5, None);
        }
    }
    let copied_at = copy.and_then(|v| v.finished_at).or(Some(s.established));
    if let Some((op, num)) = s.life.running {
        let Some(v) = st.job(num).map(|j| st.job_view(j)) else {
            return settled_view(result_of(op), copied_at);
        };
        if !v.finished() {
            let (copy_state, sync_state, progress) = if op == 15 { (4, 10, 8) } else { (3, 5, 7) };
            return PairView {
                copy_state,
                sync_state,
                progress,
                percent: v.percent,
                stable: false,
                synced_at: copied_at,
            };
        }
        if v.state != 7 {
            return settled_view(5, copied_at);
        }
        return settled_view(result_of(op), v.finished_at);
    }
    settled_view(s.life.settled, copied_at)
}

/// The CopyState a finished Resync (14) or Restore (15) leaves.
pub fn result_of(op: u16) -> u16 {
    if op == 15 { 18 } else { 4 }
}

/// The `SIMS_StorageSynchronized` instance of a pair (without its path).
pub fn render_pair(st: &State, s: &SyncRec, source: &ObjectPath, target: &ObjectPath) -> Instance {
    let v = pair_view(st, s);
    let snapshot = s.sync_type == 7;
    let mut inst = Instance::new("SIMS_StorageSynchronized")
        .with(
            "SystemElement",
            CimValue::Reference(Box::new(source.clone())),
        )
        .with(
            "SyncedElement",
            CimValue::Reference(Box::new(target.clone())),
        )
        .with("SyncType", s.sync_type)
        .with("Mode", s.mode)
        .with("SyncState", v.sync_state)
        .with("CopyState", v.copy_state)
        .with("RequestedCopyState", 15u16) // 15 Not Applicable: nothing pending
        .with("ProgressStatus", v.progress)
        .with("PercentSynced", v.percent)
        .with("CopyType", copy_type(s))
        .with("SyncMaintained", s.sync_type == 6)
        // 4 After Delta (snapshot) / 2 Full Copy.
        .with("ReplicaType", if snapshot { 4u16 } else { 2u16 })
        // 6 Copy-On-Write / 3 Full Copy.
        .with("CopyMethodology", if snapshot { 6u16 } else { 3u16 })
        .with("WhenEstablished", st.wall(s.established));
    match v.synced_at {
        Some(t) if v.copy_state != 3 && v.copy_state != 5 => inst.set("WhenSynced", st.wall(t)),
        _ => inst.set_property(Property::null("WhenSynced", CimType::DateTime, false)),
    };
    inst
}

/// (SupportedStorageElementTypes, SupportedStorageElementFeatures) of a pool.
pub fn pool_caps(st: &State, pool: &str) -> (Vec<u16>, Vec<u16>) {
    if st.pool(pool).is_some_and(|p| p.primordial) {
        return (Vec::new(), Vec::new());
    }
    let spec = st
        .scenario
        .pools
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(pool))
        .and_then(|p| p.capabilities.clone());
    match spec {
        Some(c) => (c.storage_element_types, c.storage_element_features),
        None => (
            st.scenario.capabilities.storage_element_types.clone(),
            vec![3, 5, 6, 12],
        ),
    }
}

/// Path of a pool's capabilities.
pub fn pool_cap_path(st: &State, pool: &str) -> ObjectPath {
    ObjectPath::new(st.vendor_ns(), "SIMS_StorageConfigurationCapabilities").with_key(
        "InstanceID",
        format!("SIMS:StorageConfigurationCapabilities:POOL:{pool}"),
    )
}

/// Per-pool `SIMS_StorageConfigurationCapabilities` and their `SIMS_ElementCapabilities`.
pub fn render_pool_caps(st: &State, out: &mut Vec<Instance>) {
    let ns = st.vendor_ns().to_string();
    for p in &st.pools {
        let (types, features) = pool_caps(st, &p.id);
        let cp = pool_cap_path(st, &p.id);
        let mut ci = Instance::new("SIMS_StorageConfigurationCapabilities")
            .with(
                "InstanceID",
                format!("SIMS:StorageConfigurationCapabilities:POOL:{}", p.id),
            )
            .with("ElementName", format!("Capabilities of pool {}", p.name))
            .with("SupportedStorageElementTypes", u16s(&types))
            .with("SupportedStorageElementFeatures", u16s(&features))
            // 3 Single InPool (child pools are made by CreateChildResourcePool).
            .with("SupportedStoragePoolFeatures", u16s(&[3]));
        ci.path = Some(cp.clone());
        out.push(ci);
        let pp = st.pool_path(&p.id);
        let mut ec = Instance::new("SIMS_ElementCapabilities")
            .with("ManagedElement", CimValue::Reference(Box::new(pp.clone())))
            .with("Capabilities", CimValue::Reference(Box::new(cp.clone())))
            .with("Characteristics", u16s(&[2])); // 2 Default
        ec.path = Some(
            ObjectPath::new(&ns, "SIMS_ElementCapabilities")
                .with_key("ManagedElement", CimValue::Reference(Box::new(pp)))
                .with_key("Capabilities", CimValue::Reference(Box::new(cp))),
        );
        out.push(ec);
    }
}

/// Disk Drive Lite details of drive `index`: InterconnectType, DiskType, RPM, FormFactor,
/// Caption (libstoragemgmt reads these; DMTF CIM_DiskDrive value maps).
pub fn disk_details(d: &crate::scenario::DiskSpec, index: u32, disk: &mut Instance) {
    let ssd = index >= d.count.saturating_sub(d.ssd_count);
    let disk_type = if ssd { 3 } else { d.disk_type };
    disk.set("InterconnectType", d.interconnect_type);
    disk.set("DiskType", disk_type);
    disk.set("RPM", if disk_type == 3 { 0u32 } else { 10_000u32 });
    disk.set("FormFactor", 5u16); // 2.5"
    disk.set("Encryption", 1u16); // Not Supported
    let medium = match disk_type {
        3 => "SSD",
        4 => "Hybrid",
        _ => "HDD",
    };
    let bus = match d.interconnect_type {
        3 => "ATA",
        4 => "SATA",
        5 => "SAS",
        6 => "FC",
        7 => "SOP",
        _ => "Other",
    };
    disk.set("Caption", format!("{bus} {medium}"));
}
