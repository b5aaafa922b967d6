//! Extrinsic methods with real state: replication, volume and pool configuration, jobs.
//!
//! Return values follow the DMTF CIM 2.49 value maps (see
//! `dmtf_cim_2.49.0_valuemaps.txt`): 0 Completed with No Error, 1 Not Supported,
//! 4 Failed, 5 Invalid Parameter, 6 In Use, 7 Incorrect ResourceType for the Pool,
//! 8 Insufficient Resources, 4096 Method Parameters Checked - Job Started, 4097 Size Not
//! Supported (CreateOrModifyElementFromStoragePool) / Invalid State Transition
//! (RequestStateChange).
//!
//! Decisions where the standard leaves room:
//! - An invalid `SourceElement`, `TargetPool`, `InPool`, `TheElement`, `Synchronization`,
//!   `Pool` or `ParentPool` (missing, or naming nothing) returns 5 Invalid Parameter, not a
//!   CIM error. A wrong target object (no such service or job) is CIM_ERR_NOT_FOUND; a
//!   method the target class does not declare is CIM_ERR_METHOD_NOT_FOUND.
//! - Insufficient capacity: a synchronous path returns 4 Failed with no job; an
//!   asynchronous replica still returns 4096 and its job ends in Exception (as real arrays
//!   do), with nothing created.
//! - Snapshots (SyncType 7, CopyType 4) are thin: they take no pool capacity.

use smis::cim::{CimArray, CimType, CimValue, EmbeddedKind, Instance, ObjectPath};
use smis::message::{MethodCall, MethodReturn, ParamValue};

use super::ops::{get_instance, path_eq};
use super::state::{BLOCK_SIZE, JobFailure, JobRec, State, SyncRec, VolRec};
use super::{CimErr, JobFault, status};

type R<T> = Result<T, CimErr>;

pub(super) fn rc(code: u32) -> R<MethodReturn> {
    Ok(MethodReturn {
        return_value: Some(CimValue::Uint32(code)),
        out_params: Vec::new(),
    })
}

pub(super) fn rc_with(code: u32, outs: Vec<ParamValue>) -> R<MethodReturn> {
    Ok(MethodReturn {
        return_value: Some(CimValue::Uint32(code)),
        out_params: outs,
    })
}

pub(super) fn out_ref(name: &str, p: ObjectPath) -> ParamValue {
    ParamValue::new(name, CimValue::Reference(Box::new(p)))
}

/// Typed access to in-parameters. `Err(())` means "present but malformed".
pub(super) struct Params<'a>(pub(super) &'a [ParamValue]);

impl<'a> Params<'a> {
    pub(super) fn get(&self, name: &str) -> Option<&'a CimValue> {
        self.0
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_ref())
    }
    fn int(&self, name: &str) -> Result<Option<i128>, ()> {
        match self.get(name) {
            None => Ok(None),
            Some(CimValue::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
            Some(v) => v.as_i128().map(Some).ok_or(()),
        }
    }
    pub(super) fn u16(&self, name: &str) -> Result<Option<u16>, ()> {
        self.int(name)?
            .map(|v| u16::try_from(v).map_err(|_| ()))
            .transpose()
    }
    fn u64(&self, name: &str) -> Result<Option<u64>, ()> {
        self.int(name)?
            .map(|v| u64::try_from(v).map_err(|_| ()))
            .transpose()
    }
    pub(super) fn string(&self, name: &str) -> Result<Option<String>, ()> {
        match self.get(name) {
            None => Ok(None),
            Some(CimValue::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(()),
        }
    }
    pub(super) fn path(&self, name: &str) -> Result<Option<ObjectPath>, ()> {
        match self.get(name) {
            None => Ok(None),
            Some(CimValue::Reference(p)) => Ok(Some((**p).clone())),
            Some(CimValue::String(s)) => ObjectPath::parse(s).map(Some).map_err(|_| ()),
            Some(_) => Err(()),
        }
    }
    pub(super) fn paths(&self, name: &str) -> Result<Vec<ObjectPath>, ()> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(CimValue::Reference(p)) => Ok(vec![(**p).clone()]),
            Some(CimValue::Array(a)) => a
                .items
                .iter()
                .map(|i| match i {
                    Some(CimValue::Reference(p)) => Ok((**p).clone()),
                    _ => Err(()),
                })
                .collect(),
            Some(_) => Err(()),
        }
    }
    fn instances(&self, name: &str) -> Result<Vec<Instance>, ()> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(CimValue::Instance(i)) => Ok(vec![(**i).clone()]),
            Some(CimValue::Array(a)) => a
                .items
                .iter()
                .map(|i| match i {
                    Some(CimValue::Instance(x)) => Ok((**x).clone()),
                    _ => Err(()),
                })
                .collect(),
            Some(_) => Err(()),
        }
    }
}

macro_rules! param {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(()) => return rc(5),
        }
    };
}

mod replica_ops;

/// Context of one method call.
pub(super) struct Call<'a> {
    pub(super) ns: String,
    pub(super) service: ObjectPath,
    pub(super) user: Option<&'a str>,
    pub(super) job_fault: Option<JobFault>,
    pub(super) p: Params<'a>,
}

pub(super) fn invoke(
    st: &mut State,
    call: &MethodCall,
    user: Option<&str>,
    job_fault: Option<JobFault>,
) -> R<MethodReturn> {
    let target = &call.target;
    let req_ns = target
        .namespace
        .clone()
        .unwrap_or_else(|| st.vendor_ns().to_string());
    let ns = st.served_namespace(&req_ns).ok_or_else(|| {
        CimErr::new(
            status::INVALID_NAMESPACE,
            format!("namespace {req_ns} does not exist"),
        )
    })?;
    let class = target.class_name.as_str();
    let decl = st
        .repo
        .get(class)
        .ok_or_else(|| CimErr::new(status::NOT_FOUND, format!("class {class} does not exist")))?;
    if decl.method(call.method.as_str()).is_none() {
        return Err(CimErr::new(
            status::METHOD_NOT_FOUND,
            format!("class {class} has no method {}", call.method),
        ));
    }
    if target.is_class() {
        return Err(CimErr::new(
            status::INVALID_PARAMETER,
            format!("{} must be invoked on an instance", call.method),
        ));
    }
    let inst = get_instance(st, &ns, target)?;
    let actual = inst.class_name.as_str().to_string();
    let service = inst.path.clone().unwrap_or_else(|| target.clone());
    let c = Call {
        ns,
        service,
        user,
        job_fault,
        p: Params(&call.params),
    };
    let m = call.method.as_str().to_ascii_lowercase();
    if let Some(r) = super::masking_methods::dispatch(st, &c, &actual, &m) {
        return r;
    }
    let is = |c: &str| st.repo.is_a(&actual, c);
    if is("CIM_ReplicationService") {
        return match m.as_str() {
            "createelementreplica" => create_element_replica(st, &c),
            "modifyreplicasynchronization" => replica_ops::modify(st, &c),
            _ => rc(1),
        };
    }
    if is("CIM_StorageConfigurationService") {
        return match m.as_str() {
            "createormodifyelementfromstoragepool" => create_or_modify_element(st, &c),
            "returntostoragepool" => return_to_storage_pool(st, &c),
            "createreplica" => create_replica(st, &c),
            "modifysynchronization" => replica_ops::modify_legacy(st, &c),
            _ => rc(1),
        };
    }
    if is("CIM_ResourcePoolConfigurationService") {
        return match m.as_str() {
            "createchildresourcepool" => create_child_resource_pool(st, &c),
            "deleteresourcepool" => delete_resource_pool(st, &c),
            _ => rc(1),
        };
    }
    if is("CIM_ConcreteJob") {
        let num = inst
            .value("InstanceID")
            .and_then(|v| v.as_str())
            .and_then(State::job_num)
            .ok_or_else(|| CimErr::new(status::NOT_FOUND, "no such job"))?;
        return match m.as_str() {
            "geterrors" => get_errors(st, num, true),
            "geterror" => get_errors(st, num, false),
            "requeststatechange" => {
                let requested = param!(c.p.u16("RequestedState"));
                job_state_change(st, num, requested)
            }
            "killjob" => job_state_change(st, num, Some(5)),
            _ => rc(1),
        };
    }
    rc(1)
}

// ----- lookups -----

pub(super) fn find_volume(st: &State, ns: &str, p: &ObjectPath) -> Option<String> {
    st.volumes
        .iter()
        .find(|v| path_eq(st, &st.vol_path(&v.id), p, ns))
        .map(|v| v.id.clone())
}

fn find_pool(st: &State, ns: &str, p: &ObjectPath) -> Option<String> {
    st.pools
        .iter()
        .find(|x| path_eq(st, &st.pool_path(&x.id), p, ns))
        .map(|x| x.id.clone())
}

fn find_sync(st: &State, ns: &str, p: &ObjectPath) -> Option<usize> {
    st.syncs
        .iter()
        .position(|s| path_eq(st, &st.sync_path(s), p, ns))
}

fn new_volume_id(st: &mut State) -> String {
    loop {
        let id = format!("vol-{}", st.next_volume);
        st.next_volume += 1;
        if st.volume(&id).is_none() {
            return id;
        }
    }
}

fn add_volume(st: &mut State, name: String, pool: &str, size: u64, thin: bool) -> String {
    let id = new_volume_id(st);
    let naa = st.new_naa();
    st.volumes.push(VolRec {
        id: id.clone(),
        name,
        pool: pool.to_string(),
        size,
        thin,
        naa,
        usage: 2,
    });
    id
}

fn simulated_failure() -> JobFailure {
    JobFailure {
        error_code: 4,
        message: "Simulated job failure (fault injection)".into(),
        message_id: "SIMS0002".into(),
        cim_status: status::FAILED,
        error_type: 4,      // Software Error
        probable_cause: 47, // Software Error
    }
}

fn insufficient(pool: &str, need: u64, have: u64) -> JobFailure {
    JobFailure {
        error_code: 4,
        message: format!(
            "Insufficient free space in pool {pool}: {need} bytes needed, {have} bytes available"
        ),
        message_id: "SIMS0001".into(),
        cim_status: status::FAILED,
        error_type: 8,      // Oversubscription Error
        probable_cause: 50, // Storage Capacity Problem
    }
}

/// Creates a job; returns its number. A `job_exception` fault turns it into a failing job
/// (the caller must then create nothing).
pub(super) fn new_job(
    st: &mut State,
    c: &Call,
    name: &str,
    description: String,
    duration_ms: u64,
    failure: Option<JobFailure>,
) -> u64 {
    let num = st.next_job;
    st.next_job += 1;
    let failure = match c.job_fault {
        Some(JobFault::Exception) => failure.or_else(|| Some(simulated_failure())),
        _ => failure,
    };
    st.jobs.push(JobRec {
        num,
        name: name.to_string(),
        description,
        owner: c.user.map(str::to_string),
        start: st.now,
        duration: std::time::Duration::from_millis(duration_ms),
        failure,
        never_finishes: c.job_fault == Some(JobFault::NeverFinishes),
        vanished: c.job_fault == Some(JobFault::Vanishes),
        stopped: None,
        affected: Vec::new(),
        owner_service: c.service.clone(),
    });
    num
}

pub(super) fn job_fails(st: &State, num: u64) -> bool {
    st.job(num).is_some_and(|j| j.failure.is_some())
}

pub(super) fn add_affected(st: &mut State, num: u64, p: ObjectPath) {
    if let Some(j) = st.jobs.iter_mut().find(|j| j.num == num) {
        j.affected.push(p);
    }
}

/// True when an unfinished job created this element.
fn busy(st: &State, p: &ObjectPath, ns: &str) -> bool {
    st.jobs
        .iter()
        .any(|j| !st.job_view(j).finished() && j.affected.iter().any(|a| path_eq(st, a, p, ns)))
}

// ----- replication -----

/// Replica kind requested of [`replicate`].
struct ReplicaReq {
    source: String,
    pool: String,
    name: String,
    sync_type: u16,
    mode: u16,
    copy_type: Option<u16>,
    associate: bool,
    method: &'static str,
}

fn replicate(st: &mut State, c: &Call, r: ReplicaReq) -> R<MethodReturn> {
    let Some(src) = st.volume(&r.source).cloned() else {
        return rc(5);
    };
    let thin = r.sync_type == 7;
    let jobs = &st.scenario.jobs;
    let duration = if thin {
        jobs.snapshot_ms.unwrap_or(jobs.clone_ms)
    } else {
        jobs.clone_ms
    };
    let need = if thin { 0 } else { src.size };
    let have = st.remaining(&r.pool);
    let what = if thin { "snapshot" } else { "clone" };
    if duration == 0 {
        if have < need {
            return rc(4);
        }
        let id = add_volume(st, r.name, &r.pool, src.size, thin);
        let mut outs = vec![out_ref("TargetElement", st.vol_path(&id))];
        if r.associate {
            let s = SyncRec {
                source: src.id.clone(),
                target: id,
                sync_type: r.sync_type,
                mode: r.mode,
                copy_type: r.copy_type,
                job: None,
                established: st.now,
                life: Default::default(),
            };
            outs.push(out_ref("Synchronization", st.sync_path(&s)));
            st.syncs.push(s);
        }
        return rc_with(0, outs);
    }
    let failure = (have < need).then(|| insufficient(&r.pool, need, have));
    let num = new_job(
        st,
        c,
        r.method,
        format!("Creating {what} {} of volume {}", r.name, src.id),
        duration,
        failure,
    );
    if !job_fails(st, num) {
        let id = add_volume(st, r.name, &r.pool, src.size, thin);
        add_affected(st, num, st.vol_path(&id));
        if r.associate {
            st.syncs.push(SyncRec {
                source: src.id.clone(),
                target: id,
                sync_type: r.sync_type,
                mode: r.mode,
                copy_type: r.copy_type,
                job: Some(num),
                established: st.now,
                life: Default::default(),
            });
        }
    }
    rc_with(4096, vec![out_ref("Job", st.job_path(num))])
}

/// CIM_ReplicationService.CreateElementReplica.
fn create_element_replica(st: &mut State, c: &Call) -> R<MethodReturn> {
    let caps = st.scenario.capabilities.clone();
    if !caps.sync_actions.contains(&2) && !caps.async_actions.contains(&2) {
        return rc(1); // 2 = CreateElementReplica not among the supported actions
    }
    let Some(sync_type) = param!(c.p.u16("SyncType")) else {
        return rc(5);
    };
    let mode = param!(c.p.u16("Mode"));
    // SupportedReplicationTypes for SyncType: (synchronous, asynchronous) local variants.
    let (sync_rt, async_rt) = match sync_type {
        6 => (2, 3),   // Mirror
        7 => (6, 7),   // Snapshot
        8 => (10, 11), // Clone
        9 => (14, 15), // TokenizedClone
        _ => return rc(5),
    };
    let mode = match mode {
        Some(2) if caps.replication_types.contains(&sync_rt) => 2,
        Some(3) if caps.replication_types.contains(&async_rt) => 3,
        Some(2 | 3) => return rc(1),
        Some(_) => return rc(1), // Adaptive/Active are not offered
        None if caps.replication_types.contains(&async_rt) => 3,
        None if caps.replication_types.contains(&sync_rt) => 2,
        None => return rc(1),
    };
    if matches!(sync_type, 6 | 9) {
        return rc(1); // mirrors and tokenized clones are not simulated
    }
    if param!(c.p.path("TargetElement")).is_some() {
        return rc(1); // replicating onto an existing target is not simulated
    }
    let Some(src_path) = param!(c.p.path("SourceElement")) else {
        return rc(5);
    };
    let Some(source) = find_volume(st, &c.ns, &src_path) else {
        return rc(5);
    };
    let pool = match param!(c.p.path("TargetPool")) {
        None => st
            .volume(&source)
            .map(|v| v.pool.clone())
            .unwrap_or_default(),
        Some(p) => match find_pool(st, &c.ns, &p) {
            Some(id) => id,
            None => return rc(5),
        },
    };
    if st.pool(&pool).is_none_or(|p| p.primordial) {
        return rc(5);
    }
    let name = param!(c.p.string("ElementName")).unwrap_or_else(|| {
        let src = st
            .volume(&source)
            .map(|v| v.name.clone())
            .unwrap_or_default();
        format!("{src}_{}", if sync_type == 7 { "snap" } else { "clone" })
    });
    replicate(
        st,
        c,
        ReplicaReq {
            source,
            pool,
            name,
            sync_type,
            mode,
            copy_type: None,
            associate: true,
            method: "CreateElementReplica",
        },
    )
}

/// CIM_StorageConfigurationService.CreateReplica (the pre-ReplicationService API).
fn create_replica(st: &mut State, c: &Call) -> R<MethodReturn> {
    let types = st.scenario.capabilities.supported_copy_types.clone();
    if types.is_empty() {
        return rc(1);
    }
    let copy_type = param!(c.p.u16("CopyType")).unwrap_or(5);
    if !types.contains(&copy_type) || !matches!(copy_type, 4 | 5) {
        return rc(1); // 2 Async / 3 Sync mirrors are not simulated
    }
    let Some(src_path) = param!(c.p.path("SourceElement")) else {
        return rc(5);
    };
    let Some(source) = find_volume(st, &c.ns, &src_path) else {
        return rc(5);
    };
    let pool = match param!(c.p.path("TargetPool")) {
        None => st
            .volume(&source)
            .map(|v| v.pool.clone())
            .unwrap_or_default(),
        Some(p) => match find_pool(st, &c.ns, &p) {
            Some(id) => id,
            None => return rc(5),
        },
    };
    if st.pool(&pool).is_none_or(|p| p.primordial) {
        return rc(5);
    }
    let name = param!(c.p.string("ElementName")).unwrap_or_else(|| format!("{source}_copy"));
    // 4 UnSyncAssoc: a point-in-time (snapshot-like) copy that stays associated;
    // 5 UnSyncUnAssoc: an independent full copy with no association.
    replicate(
        st,
        c,
        ReplicaReq {
            source,
            pool,
            name,
            sync_type: if copy_type == 4 { 7 } else { 8 },
            mode: 3,
            copy_type: Some(copy_type),
            associate: copy_type == 4,
            method: "CreateReplica",
        },
    )
}

// ----- block services -----

/// CIM_StorageConfigurationService.CreateOrModifyElementFromStoragePool.
fn create_or_modify_element(st: &mut State, c: &Call) -> R<MethodReturn> {
    let element_type = param!(c.p.u16("ElementType")).unwrap_or(2);
    if !st
        .scenario
        .capabilities
        .storage_element_types
        .contains(&element_type)
    {
        return rc(if (2..=8).contains(&element_type) {
            1
        } else {
            5
        });
    }
    let size = param!(c.p.u64("Size"));
    let nearest = |s: u64| s.div_ceil(BLOCK_SIZE) * BLOCK_SIZE;
    let size_not_supported = |s: u64| {
        rc_with(
            4097,
            vec![ParamValue::new("Size", CimValue::Uint64(nearest(s)))],
        )
    };
    if let Some(el) = param!(c.p.path("TheElement")) {
        // Modify (resize) an existing volume.
        let Some(id) = find_volume(st, &c.ns, &el) else {
            return rc(5);
        };
        let Some(size) = size.filter(|s| *s > 0) else {
            return rc(5);
        };
        if size % BLOCK_SIZE != 0 {
            return size_not_supported(size);
        }
        let Some(vol) = st.volume(&id).cloned() else {
            return rc(5);
        };
        // The pool's SupportedStorageElementFeatures: 12 Capacity Expansion, 13 Capacity
        // Reduction; a volume in a replication pair is not shrunk.
        let (_, features) = super::replicas::pool_caps(st, &vol.pool);
        if size < vol.size {
            if !features.contains(&13) {
                return rc(1);
            }
            if st.syncs.iter().any(|s| s.source == id || s.target == id) {
                return rc(6);
            }
        } else if size > vol.size && !features.contains(&12) {
            return rc(1);
        }
        let delta = size.saturating_sub(vol.size);
        if !vol.thin && st.remaining(&vol.pool) < delta {
            return rc(4);
        }
        if let Some(v) = st.volumes.iter_mut().find(|v| v.id == id) {
            v.size = size;
        }
        return rc_with(
            0,
            vec![
                out_ref("TheElement", st.vol_path(&id)),
                ParamValue::new("Size", CimValue::Uint64(size)),
            ],
        );
    }
    let Some(pool_path) = param!(c.p.path("InPool")) else {
        return rc(5);
    };
    let Some(pool) = find_pool(st, &c.ns, &pool_path) else {
        return rc(5);
    };
    if st.pool(&pool).is_none_or(|p| p.primordial) {
        return rc(5);
    }
    if !super::replicas::pool_caps(st, &pool)
        .0
        .contains(&element_type)
    {
        return rc(1); // not among the pool's SupportedStorageElementTypes
    }
    let thin = element_type == 5;
    let Some(size) = size.filter(|s| *s > 0) else {
        return rc(5);
    };
    if size % BLOCK_SIZE != 0 {
        return size_not_supported(size);
    }
    let have = st.remaining(&pool);
    if !thin && have < size {
        return rc(4);
    }
    let name =
        param!(c.p.string("ElementName")).unwrap_or_else(|| format!("Volume {}", st.next_volume));
    let duration = st.scenario.jobs.volume_create_ms;
    let size_out = ParamValue::new("Size", CimValue::Uint64(size));
    if duration == 0 {
        let id = add_volume(st, name, &pool, size, thin);
        return rc_with(0, vec![out_ref("TheElement", st.vol_path(&id)), size_out]);
    }
    let num = new_job(
        st,
        c,
        "CreateOrModifyElementFromStoragePool",
        format!("Creating volume {name} in pool {pool}"),
        duration,
        None,
    );
    if !job_fails(st, num) {
        let id = add_volume(st, name, &pool, size, thin);
        add_affected(st, num, st.vol_path(&id));
    }
    rc_with(4096, vec![out_ref("Job", st.job_path(num)), size_out])
}

/// CIM_StorageConfigurationService.ReturnToStoragePool.
fn return_to_storage_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
    let Some(el) = param!(c.p.path("TheElement")) else {
        return rc(5);
    };
    let Some(id) = find_volume(st, &c.ns, &el) else {
        return rc(5);
    };
    let in_sync = st.syncs.iter().any(|s| s.source == id || s.target == id);
    if in_sync || busy(st, &st.vol_path(&id), &c.ns) {
        return rc(6);
    }
    st.volumes.retain(|v| v.id != id);
    rc(0)
}

// ----- resource pools -----

/// Bytes per allocation unit (DMTF programmatic units: `byte`, `byte*2^N`).
fn unit_bytes(units: Option<&str>) -> Option<u64> {
    let u = units
        .unwrap_or("byte")
        .trim()
        .to_ascii_lowercase()
        .replace(' ', "");
    match u.as_str() {
        "byte" | "bytes" => Some(1),
        _ => {
            let exp: u32 = u
                .strip_prefix("byte*2^")
                .or_else(|| u.strip_prefix("bytes*2^"))?
                .parse()
                .ok()?;
            1u64.checked_shl(exp).filter(|_| exp < 64)
        }
    }
}

/// CIM_ResourcePoolConfigurationService.CreateChildResourcePool (DSP1041).
fn create_child_resource_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
    let Some(name) = param!(c.p.string("ElementName")).filter(|n| !n.trim().is_empty()) else {
        return rc(5);
    };
    let parent_paths = param!(c.p.paths("ParentPool"));
    if parent_paths.is_empty() {
        return rc(5);
    }
    let mut parents = Vec::new();
    for p in &parent_paths {
        match find_pool(st, &c.ns, p) {
            Some(id) => parents.push(id),
            None => return rc(5),
        }
    }
    let settings = param!(c.p.instances("Settings"));
    if settings.is_empty() || (settings.len() != 1 && settings.len() != parents.len()) {
        return rc(5);
    }
    let mut requests = Vec::new(); // (bytes, resource type, pool id)
    let mut pool_id = None;
    for s in &settings {
        let Ok(Some(rt)) = s.get_opt::<u16>("ResourceType") else {
            return rc(5);
        };
        let Ok(reservation) = s.get_opt::<u64>("Reservation") else {
            return rc(5);
        };
        let Ok(limit) = s.get_opt::<u64>("Limit") else {
            return rc(5);
        };
        let Some(amount) = reservation.or(limit).filter(|a| *a > 0) else {
            return rc(5);
        };
        let Ok(units) = s.get_opt::<String>("AllocationUnits") else {
            return rc(5);
        };
        let Some(bytes) = unit_bytes(units.as_deref()).and_then(|u| amount.checked_mul(u)) else {
            return rc(5);
        };
        if let Ok(Some(id)) = s.get_opt::<String>("PoolID") {
            pool_id = Some(id);
        }
        requests.push((bytes, rt));
    }
    // 7: each RASD's ResourceType must be its parent's (storage pools use 19 Storage
    // Extent unless the scenario says otherwise).
    for (i, parent) in parents.iter().enumerate() {
        let rt = if requests.len() == 1 {
            requests[0].1
        } else {
            requests[i].1
        };
        if st.pool(parent).is_none_or(|p| p.resource_type != rt) {
            return rc(7);
        }
    }
    if let Some(id) = &pool_id
        && (id.trim().is_empty() || st.pool(id).is_some())
    {
        return rc(5);
    }
    // 8: take the capacity from the parents.
    let mut allocations: Vec<(String, u64)> = Vec::new();
    if requests.len() == parents.len() && parents.len() > 1 {
        for (parent, (bytes, _)) in parents.iter().zip(&requests) {
            if st.remaining(parent) < *bytes {
                return rc(8);
            }
            allocations.push((parent.clone(), *bytes));
        }
    } else {
        let mut left = requests[0].0;
        for parent in &parents {
            let take = st.remaining(parent).min(left);
            if take > 0 {
                allocations.push((parent.clone(), take));
                left -= take;
            }
        }
        if left > 0 {
            return rc(8);
        }
    }
    let total: u64 = allocations.iter().map(|(_, b)| b).sum();
    let id = pool_id.unwrap_or_else(|| {
        loop {
            let id = format!("CP{}", st.next_pool);
            st.next_pool += 1;
            if st.pool(&id).is_none() {
                break id;
            }
        }
    });
    let resource_type = requests[0].1;
    let duration = st.scenario.jobs.child_pool_ms;
    let mut job = None;
    if duration > 0 {
        let num = new_job(
            st,
            c,
            "CreateChildResourcePool",
            format!("Creating child pool {name}"),
            duration,
            None,
        );
        job = Some(num);
        if job_fails(st, num) {
            return rc_with(4096, vec![out_ref("Job", st.job_path(num))]);
        }
    }
    st.pools.push(super::state::PoolRec {
        id: id.clone(),
        name,
        total,
        primordial: false,
        resource_type,
        usage: 2,
        allocations,
    });
    match job {
        Some(num) => {
            add_affected(st, num, st.pool_path(&id));
            rc_with(4096, vec![out_ref("Job", st.job_path(num))])
        }
        None => rc_with(0, vec![out_ref("Pool", st.pool_path(&id))]),
    }
}

/// CIM_ResourcePoolConfigurationService.DeleteResourcePool.
fn delete_resource_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
    let Some(pp) = param!(c.p.path("Pool")) else {
        return rc(5);
    };
    let Some(id) = find_pool(st, &c.ns, &pp) else {
        return rc(5);
    };
    if st.pool(&id).is_some_and(|p| p.primordial) {
        return rc(4); // primordial pools are not deleted by consumers
    }
    let has_volumes = st.volumes.iter().any(|v| v.pool.eq_ignore_ascii_case(&id));
    let has_children = st.pools.iter().any(|p| {
        p.allocations
            .iter()
            .any(|(parent, _)| parent.eq_ignore_ascii_case(&id))
    });
    if has_volumes || has_children || busy(st, &st.pool_path(&id), &c.ns) {
        return rc(6);
    }
    st.pools.retain(|p| !p.id.eq_ignore_ascii_case(&id));
    rc(0)
}

// ----- jobs -----

fn get_errors(st: &State, num: u64, plural: bool) -> R<MethodReturn> {
    let Some(job) = st.job(num) else {
        return Err(CimErr::new(status::NOT_FOUND, "no such job"));
    };
    let errors = st.job_errors(job);
    let out = if plural {
        ParamValue {
            name: "Errors".into(),
            value: Some(CimValue::Array(Box::new(CimArray::new(
                CimType::String,
                errors
                    .into_iter()
                    .map(|e| Some(CimValue::Instance(Box::new(e))))
                    .collect(),
            )))),
            cim_type: Some(CimType::String),
            embedded: Some(EmbeddedKind::Instance),
        }
    } else {
        match errors.into_iter().next() {
            Some(e) => ParamValue::new("Error", CimValue::Instance(Box::new(e))),
            None => ParamValue {
                name: "Error".into(),
                value: None,
                cim_type: Some(CimType::String),
                embedded: Some(EmbeddedKind::Instance),
            },
        }
    };
    rc_with(0, vec![out])
}

/// RequestStateChange on a job: 4 Terminate → JobState 8, 5 Kill → JobState 9; what the
/// job created is removed. Finished jobs answer 4097 Invalid State Transition.
fn job_state_change(st: &mut State, num: u64, requested: Option<u16>) -> R<MethodReturn> {
    let Some(requested) = requested else {
        return rc(5);
    };
    let new_state = match requested {
        4 => 8,
        5 => 9,
        2 | 3 | 6 => return rc(1),
        _ => return rc(5),
    };
    let Some(job) = st.job(num).cloned() else {
        return Err(CimErr::new(status::NOT_FOUND, "no such job"));
    };
    if st.job_view(&job).finished() {
        return rc(4097);
    }
    let now = st.now;
    if let Some(j) = st.jobs.iter_mut().find(|j| j.num == num) {
        j.stopped = Some((new_state, now));
    }
    for p in &job.affected {
        if st.repo.is_a(p.class_name.as_str(), "CIM_StorageVolume") {
            if let Some(id) = p
                .key("DeviceID")
                .and_then(|v| v.as_str())
                .map(str::to_string)
            {
                st.volumes.retain(|v| v.id != id);
                st.syncs.retain(|s| s.target != id && s.source != id);
            }
        } else if st.repo.is_a(p.class_name.as_str(), "CIM_StoragePool")
            && let Some(id) = p
                .key("InstanceID")
                .and_then(|v| v.as_str())
                .and_then(|s| s.strip_prefix("SIMS:POOL:"))
                .map(str::to_string)
        {
            st.pools.retain(|x| x.id != id);
        }
    }
    rc(0)
}
