//! The mutable model of the array (pools, volumes, replicas, jobs) and its rendering into
//! CIM instances.
//!
//! Instances are rendered from the records on each request, so derived values (remaining
//! pool space, job progress, sync state) are always consistent with the records and with
//! the clock. Capacity is never stored as a counter: a pool's remaining space is its total
//! minus what its volumes and child pools take, so it cannot be lost or double-counted.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use smis::cim::{CimDateTime, Instance, ObjectPath};

use super::classes::ClassRepo;
use super::render::reference;
use crate::scenario::Scenario;

/// Block size of every volume (bytes).
pub const BLOCK_SIZE: u64 = 512;
/// `TimeBeforeRemoval` of jobs.
pub const TIME_BEFORE_REMOVAL: Duration = Duration::from_secs(300);

/// A storage pool record.
#[derive(Debug, Clone)]
pub struct PoolRec {
    pub id: String,
    pub name: String,
    pub total: u64,
    pub primordial: bool,
    pub resource_type: u16,
    pub usage: u16,
    /// Capacity taken from parent pools: (parent id, bytes).
    pub allocations: Vec<(String, u64)>,
}

/// A storage volume record.
#[derive(Debug, Clone)]
pub struct VolRec {
    pub id: String,
    pub name: String,
    pub pool: String,
    pub size: u64,
    pub thin: bool,
    pub naa: String,
    /// Usage value map of CIM_StorageVolume (2 Unrestricted, 8 Local Replica Target).
    pub usage: u16,
}

/// A replication relationship (CIM_StorageSynchronized).
#[derive(Debug, Clone)]
pub struct SyncRec {
    pub source: String,
    pub target: String,
    pub sync_type: u16,
    pub mode: u16,
    pub copy_type: Option<u16>,
    /// The job copying the data; the relationship is Synchronized once it completed.
    pub job: Option<u64>,
    pub established: Duration,
    /// Fracture, resync and restore (see `replicas`).
    pub life: super::replicas::Lifecycle,
}

/// How a job ends.
#[derive(Debug, Clone)]
pub struct JobFailure {
    pub error_code: u16,
    pub message: String,
    pub message_id: String,
    pub cim_status: u32,
    pub error_type: u16,
    pub probable_cause: u16,
}

/// A job record.
#[derive(Debug, Clone)]
pub struct JobRec {
    pub num: u64,
    pub name: String,
    pub description: String,
    pub owner: Option<String>,
    pub start: Duration,
    pub duration: Duration,
    pub failure: Option<JobFailure>,
    pub never_finishes: bool,
    pub vanished: bool,
    /// Terminated (8) or Killed (9), with when.
    pub stopped: Option<(u16, Duration)>,
    /// Elements the job creates or changes (AffectedJobElement).
    pub affected: Vec<ObjectPath>,
    /// The owning service (OwningJobElement).
    pub owner_service: ObjectPath,
}

/// The computed state of a job at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobView {
    pub state: u16,
    pub percent: u16,
    pub finished_at: Option<Duration>,
}

impl JobView {
    /// True for the final states 7, 8, 9, 10.
    pub fn finished(&self) -> bool {
        matches!(self.state, 7..=10)
    }
}

/// A pull enumeration context.
#[derive(Debug, Clone)]
pub struct EnumContext {
    pub items: EnumItems,
    pub pos: usize,
    /// None = no timeout.
    pub timeout: Option<Duration>,
    pub last_used: Duration,
    pub namespace: String,
}

/// The results held by an enumeration context.
#[derive(Debug, Clone)]
pub enum EnumItems {
    /// Instances with paths (PullInstancesWithPath).
    WithPath(Vec<Instance>),
    /// Paths (PullInstancePaths).
    Paths(Vec<ObjectPath>),
    /// Instances (PullInstances, from OpenQueryInstances).
    Instances(Vec<Instance>),
}

impl EnumItems {
    pub fn len(&self) -> usize {
        match self {
            EnumItems::WithPath(v) | EnumItems::Instances(v) => v.len(),
            EnumItems::Paths(v) => v.len(),
        }
    }
}

/// The whole mutable state.
pub struct State {
    pub scenario: Scenario,
    pub repo: ClassRepo,
    pub pools: Vec<PoolRec>,
    pub volumes: Vec<VolRec>,
    pub syncs: Vec<SyncRec>,
    /// Masking and mapping: hardware IDs, groups, views.
    pub masking: super::masking::MaskingState,
    pub jobs: Vec<JobRec>,
    pub contexts: HashMap<String, EnumContext>,
    pub fault_uses: Vec<u32>,
    pub next_volume: u64,
    pub next_job: u64,
    pub next_pool: u64,
    pub next_context: u64,
    pub next_naa: u64,
    /// The current instant (set at the start of each request).
    pub now: Duration,
    pub base_mono: Duration,
    pub base_wall: SystemTime,
}

impl State {
    /// A fresh state for a scenario.
    pub fn new(scenario: Scenario, now: Duration) -> State {
        let pools = scenario
            .pools
            .iter()
            .map(|p| PoolRec {
                id: p.id.clone(),
                name: p.name.clone(),
                total: p.capacity_bytes,
                primordial: p.primordial,
                resource_type: p.resource_type,
                usage: p.usage,
                allocations: p
                    .parent
                    .iter()
                    .map(|parent| (parent.clone(), p.capacity_bytes))
                    .collect(),
            })
            .collect();
        let mut st = State {
            repo: ClassRepo::new(),
            pools,
            volumes: Vec::new(),
            syncs: Vec::new(),
            masking: super::masking::MaskingState::new(scenario.masking.as_ref()),
            jobs: Vec::new(),
            contexts: HashMap::new(),
            fault_uses: vec![0; scenario.faults.len()],
            next_volume: 1,
            next_job: 1,
            next_pool: 1,
            next_context: 1,
            next_naa: 1,
            now,
            base_mono: now,
            base_wall: SystemTime::now(),
            scenario,
        };
        for v in st.scenario.volumes.clone() {
            let naa = st.new_naa();
            st.volumes.push(VolRec {
                id: v.id,
                name: v.name,
                pool: v.pool,
                size: v.size_bytes,
                thin: v.thin,
                naa,
                usage: 2,
            });
        }
        st
    }

    /// The vendor namespace.
    pub fn vendor_ns(&self) -> &str {
        &self.scenario.identity.namespace
    }

    /// The interop namespace.
    pub fn interop_ns(&self) -> &str {
        self.scenario.interop_namespace()
    }

    /// The served namespace equal (case-insensitively) to `ns`, if any.
    pub fn served_namespace(&self, ns: &str) -> Option<String> {
        let ns = ns.trim_matches('/');
        [self.interop_ns(), self.vendor_ns()]
            .into_iter()
            .find(|n| n.eq_ignore_ascii_case(ns))
            .map(str::to_string)
    }

    pub(super) fn system_name(&self) -> &str {
        &self.scenario.identity.system_name
    }

    /// A new 32-hex-digit NAA (type 6, registered extended) identifier.
    pub fn new_naa(&mut self) -> String {
        let n = self.next_naa;
        self.next_naa += 1;
        // 6 = NAA Registered Extended; 0x0A0B0C is the simulator's (fake) IEEE OUI.
        format!("60A0B0C{:025X}", n)
    }

    /// A datetime for an instant of the clock.
    pub fn wall(&self, t: Duration) -> CimDateTime {
        let offset = t.saturating_sub(self.base_mono);
        CimDateTime::from_system_time(self.base_wall + offset)
    }

    // ----- paths -----

    /// Path of the array's ComputerSystem.
    pub fn cs_path(&self) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_ComputerSystem")
            .with_key("CreationClassName", "SIMS_ComputerSystem")
            .with_key("Name", self.system_name())
    }

    /// Path of a service (`SIMS_...Service`).
    pub fn service_path(&self, class: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), class)
            .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
            .with_key("SystemName", self.system_name())
            .with_key("CreationClassName", class)
            .with_key("Name", class.trim_start_matches("SIMS_"))
    }

    /// Path of a capabilities instance.
    pub fn cap_path(&self, class: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), class).with_key(
            "InstanceID",
            format!("SIMS:{}", class.trim_start_matches("SIMS_")),
        )
    }

    /// Path of a pool.
    pub fn pool_path(&self, id: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_StoragePool")
            .with_key("InstanceID", format!("SIMS:POOL:{id}"))
    }

    /// Path of a volume.
    pub fn vol_path(&self, id: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_StorageVolume")
            .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
            .with_key("SystemName", self.system_name())
            .with_key("CreationClassName", "SIMS_StorageVolume")
            .with_key("DeviceID", id)
    }

    /// InstanceID of a job.
    pub fn job_id(num: u64) -> String {
        format!("SIMS:JOB:{num}")
    }

    /// Path of a job.
    pub fn job_path(&self, num: u64) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_ConcreteJob")
            .with_key("InstanceID", Self::job_id(num))
    }

    /// Path of a StorageSynchronized.
    pub fn sync_path(&self, s: &SyncRec) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_StorageSynchronized")
            .with_key("SystemElement", reference(&self.vol_path(&s.source)))
            .with_key("SyncedElement", reference(&self.vol_path(&s.target)))
    }

    pub(super) fn om_path(&self) -> ObjectPath {
        ObjectPath::new(self.interop_ns(), "SIMS_ObjectManager")
            .with_key("SystemCreationClassName", "CIM_ComputerSystem")
            .with_key("SystemName", "sim-host")
            .with_key("CreationClassName", "SIMS_ObjectManager")
            .with_key("Name", "SIMS:ObjectManager")
    }

    pub(super) fn profile_id(org: u16, name: &str, version: &str) -> String {
        let org = if org == 11 { "SNIA" } else { "DMTF" };
        format!("SIMS:{org}:{}:{version}", name.replace(' ', "_"))
    }

    pub(super) fn profile_path(&self, org: u16, name: &str, version: &str) -> ObjectPath {
        ObjectPath::new(self.interop_ns(), "SIMS_RegisteredProfile")
            .with_key("InstanceID", Self::profile_id(org, name, version))
    }

    // ----- lookups -----

    /// The pool with this id.
    pub fn pool(&self, id: &str) -> Option<&PoolRec> {
        self.pools.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// The volume with this id.
    pub fn volume(&self, id: &str) -> Option<&VolRec> {
        self.volumes.iter().find(|v| v.id.eq_ignore_ascii_case(id))
    }

    /// Bytes of `pool` in use by its volumes and child pools.
    pub fn used(&self, pool: &str) -> u64 {
        let vols: u64 = self
            .volumes
            .iter()
            .filter(|v| !v.thin && v.pool.eq_ignore_ascii_case(pool))
            .map(|v| v.size)
            .sum();
        let children: u64 = self
            .pools
            .iter()
            .flat_map(|p| p.allocations.iter())
            .filter(|(parent, _)| parent.eq_ignore_ascii_case(pool))
            .map(|(_, b)| *b)
            .sum();
        vols + children
    }

    /// Remaining bytes of `pool`.
    pub fn remaining(&self, pool: &str) -> u64 {
        self.pool(pool)
            .map(|p| p.total.saturating_sub(self.used(pool)))
            .unwrap_or(0)
    }

    /// The job with this number (vanished jobs included).
    pub fn job(&self, num: u64) -> Option<&JobRec> {
        self.jobs.iter().find(|j| j.num == num)
    }

    /// The job number from a job InstanceID.
    pub fn job_num(id: &str) -> Option<u64> {
        id.strip_prefix("SIMS:JOB:")?.parse().ok()
    }

    /// Computes a job's state at the current instant.
    pub fn job_view(&self, j: &JobRec) -> JobView {
        let end = j.start + j.duration;
        if let Some((state, at)) = j.stopped {
            let elapsed = at.saturating_sub(j.start);
            return JobView {
                state,
                percent: percent(elapsed, j.duration),
                finished_at: Some(at),
            };
        }
        let elapsed = self.now.saturating_sub(j.start);
        if self.scenario.quirks.job_state_32767 && elapsed < j.duration / 4 {
            return JobView {
                state: 32767,
                percent: 0,
                finished_at: None,
            };
        }
        if j.never_finishes {
            return JobView {
                state: 4,
                percent: percent(elapsed, j.duration).min(99),
                finished_at: None,
            };
        }
        if self.now >= end {
            return JobView {
                state: if j.failure.is_some() { 10 } else { 7 },
                percent: if j.failure.is_some() {
                    percent(elapsed, j.duration).min(99)
                } else {
                    100
                },
                finished_at: Some(end),
            };
        }
        JobView {
            state: 4,
            percent: percent(elapsed, j.duration).min(99),
            finished_at: None,
        }
    }

    /// Removes jobs whose `TimeBeforeRemoval` elapsed (DeleteOnCompletion) and expired
    /// enumeration contexts.
    pub fn tick(&mut self, now: Duration) {
        self.now = now;
        if self.scenario.jobs.delete_on_completion {
            let expired: Vec<u64> = self
                .jobs
                .iter()
                .filter(|j| {
                    self.job_view(j)
                        .finished_at
                        .is_some_and(|t| now >= t + TIME_BEFORE_REMOVAL)
                })
                .map(|j| j.num)
                .collect();
            self.jobs.retain(|j| !expired.contains(&j.num));
        }
        self.contexts
            .retain(|_, c| c.timeout.is_none_or(|t| now < c.last_used + t));
    }
}

fn percent(elapsed: Duration, total: Duration) -> u16 {
    if total.is_zero() {
        return 100;
    }
    let p = elapsed.as_millis().saturating_mul(100) / total.as_millis().max(1);
    p.min(100) as u16
}
