//! Extrinsic methods with real state: replication, volume and pool configuration, jobs.
//!
//! One module per service: `storage_config` (Block Services), `replication` and
//! `replica_ops` (Replication Services), `pools` (resource pools), `masking` (the masking
//! profiles: `hardware_ids`, `groups`, `paths`), `jobs` (Job Control). This module
//! dispatches a call and holds what they share.
//!
//! Return values follow the ValueMap/Values of the DMTF CIM Schema 2.49.0 MOFs: 0 Completed
//! with No Error, 1 Not Supported, 4 Failed, 5 Invalid Parameter, 6 In Use, 7 Incorrect
//! ResourceType for the Pool, 8 Insufficient Resources, 4096 Method Parameters Checked -
//! Job Started, 4097 Size Not Supported (CreateOrModifyElementFromStoragePool) / Invalid
//! State Transition (RequestStateChange).
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

use smis::cim::{CimValue, Instance, ObjectPath};
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

mod jobs;
mod masking;
mod pools;
mod replica_ops;
mod replication;
mod storage_config;

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
    if let Some(r) = masking::dispatch(st, &c, &actual, &m) {
        return r;
    }
    let is = |c: &str| st.repo.is_a(&actual, c);
    if is("CIM_ReplicationService") {
        return match m.as_str() {
            "createelementreplica" => replication::create_element_replica(st, &c),
            "modifyreplicasynchronization" => replica_ops::modify(st, &c),
            _ => rc(1),
        };
    }
    if is("CIM_StorageConfigurationService") {
        return match m.as_str() {
            "createormodifyelementfromstoragepool" => {
                storage_config::create_or_modify_element(st, &c)
            }
            "returntostoragepool" => storage_config::return_to_storage_pool(st, &c),
            "createreplica" => replication::create_replica(st, &c),
            "modifysynchronization" => replica_ops::modify_legacy(st, &c),
            _ => rc(1),
        };
    }
    if is("CIM_ResourcePoolConfigurationService") {
        return match m.as_str() {
            "createchildresourcepool" => pools::create_child_resource_pool(st, &c),
            "deleteresourcepool" => pools::delete_resource_pool(st, &c),
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
            "geterrors" => jobs::get_errors(st, num, true),
            "geterror" => jobs::get_errors(st, num, false),
            "requeststatechange" => {
                let requested = param!(c.p.u16("RequestedState"));
                jobs::job_state_change(st, num, requested)
            }
            "killjob" => jobs::job_state_change(st, num, Some(5)),
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
