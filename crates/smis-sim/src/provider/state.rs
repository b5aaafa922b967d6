//! The mutable model of the array (pools, volumes, replicas, jobs) and its rendering into
//! CIM instances.
//!
//! Instances are rendered from the records on each request, so derived values (remaining
//! pool space, job progress, sync state) are always consistent with the records and with
//! the clock. Capacity is never stored as a counter: a pool's remaining space is its total
//! minus what its volumes and child pools take, so it cannot be lost or double-counted.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use smis::cim::{CimArray, CimDateTime, CimType, CimValue, Instance, ObjectPath, Property};

use super::classes::ClassRepo;
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

fn u16s(v: &[u16]) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::Uint16,
        v.iter().map(|x| Some(CimValue::Uint16(*x))).collect(),
    )))
}

fn strs(v: &[&str]) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::String,
        v.iter()
            .map(|x| Some(CimValue::String(x.to_string())))
            .collect(),
    )))
}

fn reference(p: &ObjectPath) -> CimValue {
    CimValue::Reference(Box::new(p.clone()))
}

fn set_path(mut inst: Instance, path: ObjectPath) -> Instance {
    inst.path = Some(path);
    inst
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

    fn om_path(&self) -> ObjectPath {
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

    // ----- rendering -----

    /// All instances of a served namespace, each with its path.
    pub fn instances(&self, ns: &str) -> Vec<Instance> {
        let mut out = Vec::new();
        let interop = ns.eq_ignore_ascii_case(self.interop_ns());
        let vendor = ns.eq_ignore_ascii_case(self.vendor_ns());
        if interop {
            self.render_interop(&mut out);
        }
        if vendor {
            self.render_vendor(&mut out);
        }
        if interop || vendor {
            // ElementConformsToProfile lives in both namespaces.
            let array = self.profile_path(11, "Array", "1.8.0");
            let ectp = Instance::new("SIMS_ElementConformsToProfile")
                .with("ConformantStandard", reference(&array))
                .with("ManagedElement", reference(&self.cs_path()));
            let path = ObjectPath::new(ns, "SIMS_ElementConformsToProfile")
                .with_key("ConformantStandard", reference(&array))
                .with_key("ManagedElement", reference(&self.cs_path()));
            out.push(set_path(ectp, path));
        }
        out
    }

    pub(super) fn assoc(
        &self,
        ns: &str,
        class: &str,
        a: (&str, &ObjectPath),
        b: (&str, &ObjectPath),
    ) -> Instance {
        let path = ObjectPath::new(ns, class)
            .with_key(a.0, reference(a.1))
            .with_key(b.0, reference(b.1));
        set_path(
            Instance::new(class)
                .with(a.0, reference(a.1))
                .with(b.0, reference(b.1)),
            path,
        )
    }

    fn render_interop(&self, out: &mut Vec<Instance>) {
        let ns = self.interop_ns().to_string();
        let om = self.om_path();
        out.push(set_path(
            Instance::new("SIMS_ObjectManager")
                .with("SystemCreationClassName", "CIM_ComputerSystem")
                .with("SystemName", "sim-host")
                .with("CreationClassName", "SIMS_ObjectManager")
                .with("Name", "SIMS:ObjectManager")
                .with(
                    "ElementName",
                    format!("{} SMI-S Provider", self.scenario.identity.vendor),
                )
                .with("Description", "smis-sim simulated SMI-S 1.8 provider")
                .with("OperationalStatus", u16s(&[2]))
                .with("EnabledState", 2u16)
                .with("Started", true),
            om.clone(),
        ));
        for n in [self.interop_ns().to_string(), self.vendor_ns().to_string()] {
            let path = ObjectPath::new(&ns, "SIMS_Namespace")
                .with_key("SystemCreationClassName", "CIM_ComputerSystem")
                .with_key("SystemName", "sim-host")
                .with_key("ObjectManagerCreationClassName", "SIMS_ObjectManager")
                .with_key("ObjectManagerName", "SIMS:ObjectManager")
                .with_key("CreationClassName", "SIMS_Namespace")
                .with_key("Name", n.as_str());
            let mut inst = Instance::new("SIMS_Namespace");
            for k in &path.keys {
                inst.set(k.name.clone(), k.value.clone());
            }
            inst.set("ClassInfo", 0u16);
            out.push(self.assoc(
                &ns,
                "SIMS_NamespaceInManager",
                ("Antecedent", &om),
                ("Dependent", &path),
            ));
            out.push(set_path(inst, path));
        }
        let profiles: [(u16, &str, &str); 8] = [
            (11, "Server", "1.8.0"),
            (11, "Profile Registration", "1.8.0"),
            (11, "Array", "1.8.0"),
            (11, "Block Services", "1.8.0"),
            (11, "Replication Services", "1.8.0"),
            (11, "Job Control", "1.5.0"),
            (11, "Disk Drive Lite", "1.8.0"),
            (2, "Profile Registration", "1.0.0"),
        ];
        for (org, name, version) in profiles {
            let path = self.profile_path(org, name, version);
            let inst = Instance::new("SIMS_RegisteredProfile")
                .with("InstanceID", Self::profile_id(org, name, version))
                .with("RegisteredOrganization", org)
                .with("RegisteredName", name)
                .with("RegisteredVersion", version)
                .with("AdvertiseTypes", u16s(&[3]))
                .with("AdvertiseTypeDescriptions", strs(&["SLP"]))
                .with("ElementName", format!("{name} {version}"));
            out.push(set_path(inst, path));
        }
        let array = self.profile_path(11, "Array", "1.8.0");
        for (name, version) in [
            ("Block Services", "1.8.0"),
            ("Replication Services", "1.8.0"),
            ("Job Control", "1.5.0"),
            ("Disk Drive Lite", "1.8.0"),
        ] {
            // Antecedent = the referenced subprofile, Dependent = the referencing profile.
            let sub = self.profile_path(11, name, version);
            out.push(self.assoc(
                &ns,
                "SIMS_ReferencedProfile",
                ("Antecedent", &sub),
                ("Dependent", &array),
            ));
        }
        self.render_masking_profiles(out, &ns);
        let server = self.profile_path(11, "Server", "1.8.0");
        let preg = self.profile_path(11, "Profile Registration", "1.8.0");
        out.push(self.assoc(
            &ns,
            "SIMS_ReferencedProfile",
            ("Antecedent", &preg),
            ("Dependent", &server),
        ));
        let ectp_path = ObjectPath::new(&ns, "SIMS_ElementConformsToProfile")
            .with_key("ConformantStandard", reference(&server))
            .with_key("ManagedElement", reference(&om));
        out.push(set_path(
            Instance::new("SIMS_ElementConformsToProfile")
                .with("ConformantStandard", reference(&server))
                .with("ManagedElement", reference(&om)),
            ectp_path,
        ));
    }

    fn render_vendor(&self, out: &mut Vec<Instance>) {
        let ns = self.vendor_ns().to_string();
        let id = &self.scenario.identity;
        let cs = self.cs_path();
        out.push(set_path(
            Instance::new("SIMS_ComputerSystem")
                .with("CreationClassName", "SIMS_ComputerSystem")
                .with("Name", id.system_name.as_str())
                .with("NameFormat", "Other")
                .with("ElementName", format!("{} {}", id.vendor, id.model))
                .with(
                    "Description",
                    format!("{} {} (simulated)", id.vendor, id.model),
                )
                .with("OperationalStatus", u16s(&[2]))
                .with("HealthState", 5u16)
                .with("EnabledState", 2u16)
                .with("Dedicated", u16s(&[3, 15]))
                .with("OtherIdentifyingInfo", strs(&[id.system_name.as_str()]))
                .with("IdentifyingDescriptions", strs(&["SNIA:Serial Number"])),
            cs.clone(),
        ));
        let caps = &self.scenario.capabilities;
        let mut services: Vec<(&str, &str)> = vec![(
            "SIMS_StorageConfigurationService",
            "SIMS_StorageConfigurationCapabilities",
        )];
        if caps.replication_service {
            services.push((
                "SIMS_ReplicationService",
                "SIMS_ReplicationServiceCapabilities",
            ));
        }
        if caps.pool_config_service {
            services.push((
                "SIMS_ResourcePoolConfigurationService",
                "SIMS_ResourcePoolConfigurationCapabilities",
            ));
        }
        for (svc, cap) in services {
            let sp = self.service_path(svc);
            let mut inst = Instance::new(svc);
            for k in &sp.keys {
                inst.set(k.name.clone(), k.value.clone());
            }
            inst.set("ElementName", svc.trim_start_matches("SIMS_"));
            inst.set("OperationalStatus", u16s(&[2]));
            inst.set("EnabledState", 2u16);
            inst.set("Started", true);
            out.push(set_path(inst, sp.clone()));
            out.push(self.assoc(
                &ns,
                "SIMS_HostedService",
                ("Antecedent", &cs),
                ("Dependent", &sp),
            ));
            let cp = self.cap_path(cap);
            let mut ci = Instance::new(cap)
                .with(
                    "InstanceID",
                    format!("SIMS:{}", cap.trim_start_matches("SIMS_")),
                )
                .with("ElementName", cap.trim_start_matches("SIMS_"));
            match cap {
                "SIMS_StorageConfigurationCapabilities" => {
                    // 5 Element Creation, 6 Element Return, 7 Element Modification,
                    // 8 Replica Creation (when CreateReplica is offered).
                    let mut actions = vec![5u16, 6, 7];
                    if !caps.supported_copy_types.is_empty() {
                        actions.push(8);
                    }
                    let (sync, asyn): (Vec<u16>, Vec<u16>) =
                        if self.scenario.jobs.volume_create_ms > 0 {
                            (vec![6], actions.clone())
                        } else {
                            (actions.clone(), vec![])
                        };
                    ci.set("SupportedSynchronousActions", u16s(&sync));
                    ci.set("SupportedAsynchronousActions", u16s(&asyn));
                    ci.set(
                        "SupportedStorageElementTypes",
                        u16s(&caps.storage_element_types),
                    );
                    // 3 StorageVolume Creation, 5 StorageVolume Modification, 6 Single InPool,
                    // 12 Capacity Expansion.
                    ci.set("SupportedStorageElementFeatures", u16s(&[3, 5, 6, 12]));
                    ci.set("SupportedCopyTypes", u16s(&caps.supported_copy_types));
                }
                "SIMS_ReplicationServiceCapabilities" => {
                    ci.set("SupportedReplicationTypes", u16s(&caps.replication_types));
                    ci.set("SupportedSynchronousActions", u16s(&caps.sync_actions));
                    ci.set("SupportedAsynchronousActions", u16s(&caps.async_actions));
                    ci.set("SupportedStorageObjects", u16s(&[2]));
                }
                _ => {
                    // 3 CreateChildResourcePool, 4 DeleteResourcePool.
                    if self.scenario.jobs.child_pool_ms > 0 {
                        ci.set("SynchronousMethodsSupported", u16s(&[4]));
                        ci.set("AsynchronousMethodsSupported", u16s(&[3]));
                    } else {
                        ci.set("SynchronousMethodsSupported", u16s(&[3, 4]));
                        ci.set("AsynchronousMethodsSupported", u16s(&[]));
                    }
                }
            }
            out.push(set_path(ci, cp.clone()));
            let mut ec = self.assoc(
                &ns,
                "SIMS_ElementCapabilities",
                ("ManagedElement", &sp),
                ("Capabilities", &cp),
            );
            ec.set("Characteristics", u16s(&[2]));
            out.push(ec);
        }
        for p in &self.pools {
            let pp = self.pool_path(&p.id);
            let remaining = self.remaining(&p.id);
            out.push(set_path(
                Instance::new("SIMS_StoragePool")
                    .with("InstanceID", format!("SIMS:POOL:{}", p.id))
                    .with("PoolID", p.id.as_str())
                    .with("ElementName", p.name.as_str())
                    .with("Name", p.name.as_str())
                    .with("Primordial", p.primordial)
                    .with("TotalManagedSpace", p.total)
                    .with("RemainingManagedSpace", remaining)
                    .with("Capacity", p.total)
                    .with("Reserved", p.total - remaining)
                    .with("ResourceType", p.resource_type)
                    .with("AllocationUnits", "byte")
                    .with("Usage", p.usage)
                    .with("OperationalStatus", u16s(&[2]))
                    .with("HealthState", 5u16),
                pp.clone(),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_HostedStoragePool",
                ("GroupComponent", &cs),
                ("PartComponent", &pp),
            ));
            for (parent, bytes) in &p.allocations {
                let mut a = self.assoc(
                    &ns,
                    "SIMS_AllocatedFromStoragePool",
                    ("Antecedent", &self.pool_path(parent)),
                    ("Dependent", &pp),
                );
                a.set("SpaceConsumed", *bytes);
                out.push(a);
            }
        }
        for v in &self.volumes {
            let vp = self.vol_path(&v.id);
            let blocks = v.size / BLOCK_SIZE;
            out.push(set_path(
                Instance::new("SIMS_StorageVolume")
                    .with("SystemCreationClassName", "SIMS_ComputerSystem")
                    .with("SystemName", id.system_name.as_str())
                    .with("CreationClassName", "SIMS_StorageVolume")
                    .with("DeviceID", v.id.as_str())
                    .with("ElementName", v.name.as_str())
                    .with("Name", v.naa.as_str())
                    .with("NameFormat", 9u16)
                    .with("NameNamespace", 2u16)
                    .with("OtherIdentifyingInfo", strs(&[v.naa.as_str()]))
                    .with("IdentifyingDescriptions", strs(&["NAA"]))
                    .with("BlockSize", BLOCK_SIZE)
                    .with("NumberOfBlocks", blocks)
                    .with("ConsumableBlocks", blocks)
                    .with("ThinlyProvisioned", v.thin)
                    .with("Usage", v.usage)
                    .with("Primordial", false)
                    .with("OperationalStatus", u16s(&[2]))
                    .with("HealthState", 5u16)
                    .with("EnabledState", 2u16)
                    .with("Access", 3u16)
                    .with("DataRedundancy", 1u16)
                    .with("PackageRedundancy", 1u16)
                    .with("NoSinglePointOfFailure", true)
                    .with("IsBasedOnUnderlyingRedundancy", true),
                vp.clone(),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_SystemDevice",
                ("GroupComponent", &cs),
                ("PartComponent", &vp),
            ));
            let mut a = self.assoc(
                &ns,
                "SIMS_AllocatedFromStoragePool",
                ("Antecedent", &self.pool_path(&v.pool)),
                ("Dependent", &vp),
            );
            a.set("SpaceConsumed", if v.thin { 0 } else { v.size });
            out.push(a);
        }
        if let Some(d) = &self.scenario.disks {
            self.render_disks(out, d, &cs);
        }
        self.render_masking(out);
        super::replicas::render_pool_caps(self, out);
        for s in &self.syncs {
            let (src, tgt) = (self.vol_path(&s.source), self.vol_path(&s.target));
            let inst = super::replicas::render_pair(self, s, &src, &tgt);
            out.push(set_path(inst, self.sync_path(s)));
        }
        for j in self.jobs.iter().filter(|j| !j.vanished) {
            let jp = self.job_path(j.num);
            out.push(set_path(self.render_job(j), jp.clone()));
            for e in &j.affected {
                let mut a = self.assoc(
                    &ns,
                    "SIMS_AffectedJobElement",
                    ("AffectedElement", e),
                    ("AffectingElement", &jp),
                );
                a.set("ElementEffects", u16s(&[5])); // 5 Create
                out.push(a);
            }
            out.push(self.assoc(
                &ns,
                "SIMS_OwningJobElement",
                ("OwningElement", &j.owner_service),
                ("OwnedElement", &jp),
            ));
        }
    }

    /// Disk Drive Lite: drives, their primordial extents, MediaPresent, SystemDevice and
    /// ConcreteComponent (primordial pool → extent).
    fn render_disks(
        &self,
        out: &mut Vec<Instance>,
        d: &crate::scenario::DiskSpec,
        cs: &ObjectPath,
    ) {
        let ns = self.vendor_ns().to_string();
        let sys = self.system_name();
        let device = |class: &str, id: &str| {
            ObjectPath::new(&ns, class)
                .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
                .with_key("SystemName", sys)
                .with_key("CreationClassName", class)
                .with_key("DeviceID", id)
        };
        let pool = self.pool_path(&d.pool);
        for i in 0..d.count {
            let id = format!("DISK-{i:02}");
            let dp = device("SIMS_DiskDrive", &id);
            let mut disk = Instance::new("SIMS_DiskDrive");
            for k in &dp.keys {
                disk.set(k.name.clone(), k.value.clone());
            }
            disk.set("Name", id.as_str());
            disk.set("ElementName", format!("Disk {i}"));
            disk.set("OperationalStatus", u16s(&[2]));
            disk.set("HealthState", 5u16);
            disk.set("Capabilities", u16s(&[3])); // 3 Random Access
            disk.set("MaxMediaSize", d.size_bytes / 1000); // kilobytes
            super::replicas::disk_details(d, i, &mut disk);
            out.push(set_path(disk, dp.clone()));
            let eid = format!("{id}-EXT");
            let ep = device("SIMS_StorageExtent", &eid);
            let mut ext = Instance::new("SIMS_StorageExtent");
            for k in &ep.keys {
                ext.set(k.name.clone(), k.value.clone());
            }
            let blocks = d.size_bytes / BLOCK_SIZE;
            ext.set("Name", eid.as_str());
            ext.set("ElementName", format!("Extent of disk {i}"));
            ext.set("BlockSize", BLOCK_SIZE);
            ext.set("NumberOfBlocks", blocks);
            ext.set("ConsumableBlocks", blocks);
            ext.set("Primordial", true);
            ext.set("OperationalStatus", u16s(&[2]));
            ext.set("HealthState", 5u16);
            out.push(set_path(ext, ep.clone()));
            for p in [&dp, &ep] {
                out.push(self.assoc(
                    &ns,
                    "SIMS_SystemDevice",
                    ("GroupComponent", cs),
                    ("PartComponent", p),
                ));
            }
            let mut mp = self.assoc(
                &ns,
                "SIMS_MediaPresent",
                ("Antecedent", &dp),
                ("Dependent", &ep),
            );
            mp.set("FixedMedia", true);
            out.push(mp);
            out.push(self.assoc(
                &ns,
                "SIMS_ConcreteComponent",
                ("GroupComponent", &pool),
                ("PartComponent", &ep),
            ));
        }
    }

    fn render_job(&self, j: &JobRec) -> Instance {
        let v = self.job_view(j);
        let op_status: Vec<u16> = match v.state {
            7 if self.scenario.quirks.operational_status_17_2 => vec![17, 2],
            7 => vec![2, 17],
            10 => vec![6],
            8 | 9 => vec![10],
            _ => vec![2],
        };
        let status = match v.state {
            7 => "Completed",
            8 => "Terminated",
            9 => "Killed",
            10 => "Exception",
            32767 => "Queue Pending",
            _ => "Running",
        };
        let elapsed = v.finished_at.unwrap_or(self.now).saturating_sub(j.start);
        let last_change = v.finished_at.unwrap_or(j.start);
        let mut inst = Instance::new("SIMS_ConcreteJob")
            .with("InstanceID", Self::job_id(j.num))
            .with("Name", j.name.as_str())
            .with("ElementName", j.name.as_str())
            .with("Description", j.description.as_str())
            .with("JobState", v.state)
            .with("JobStatus", status)
            .with("PercentComplete", v.percent)
            .with("OperationalStatus", u16s(&op_status))
            .with(
                "DeleteOnCompletion",
                self.scenario.jobs.delete_on_completion,
            )
            .with(
                "TimeBeforeRemoval",
                CimDateTime::from_duration(TIME_BEFORE_REMOVAL),
            )
            .with("TimeSubmitted", self.wall(j.start))
            .with("StartTime", self.wall(j.start))
            .with("ElapsedTime", CimDateTime::from_duration(elapsed))
            .with("TimeOfLastStateChange", self.wall(last_change))
            .with("JobRunTimes", 1u32);
        match &j.failure {
            Some(f) if v.state == 10 => {
                inst.set("ErrorCode", f.error_code);
                inst.set("ErrorDescription", f.message.as_str());
            }
            _ => {
                inst.set("ErrorCode", 0u16);
                inst.set_property(Property::null("ErrorDescription", CimType::String, false));
            }
        }
        match &j.owner {
            Some(o) => inst.set("Owner", o.as_str()),
            None => inst.set_property(Property::null("Owner", CimType::String, false)),
        };
        inst
    }

    /// The CIM_Error instances of a job (empty unless it ended in Exception).
    pub fn job_errors(&self, j: &JobRec) -> Vec<Instance> {
        let v = self.job_view(j);
        let Some(f) = j.failure.as_ref().filter(|_| v.state == 10) else {
            return Vec::new();
        };
        vec![
            Instance::new("CIM_Error")
                .with("ErrorType", f.error_type)
                .with("PerceivedSeverity", 5u16) // 5 Major
                .with("ProbableCause", f.probable_cause)
                .with("CIMStatusCode", f.cim_status)
                .with("Message", f.message.as_str())
                .with("MessageID", f.message_id.as_str())
                .with("OwningEntity", self.scenario.identity.vendor.as_str())
                .with("ErrorSource", self.job_path(j.num).to_string())
                .with("ErrorSourceFormat", 2u16), // 2 CIMObjectPath
        ]
    }
}

fn percent(elapsed: Duration, total: Duration) -> u16 {
    if total.is_zero() {
        return 100;
    }
    let p = elapsed.as_millis().saturating_mul(100) / total.as_millis().max(1);
    p.min(100) as u16
}
