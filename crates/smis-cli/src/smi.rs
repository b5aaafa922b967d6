//! SMI-S workflows on top of the generic client: discovery (profiles, arrays, pools,
//! volumes), capability checks, clone/snapshot (CreateElementReplica), child resource pools
//! (CreateChildResourcePool) and job following.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use smis::cim::{CimArray, CimType, CimValue, Instance, ObjectPath};
use smis::client::{AssociatorsOptions, EnumerateInstancesOptions, GetInstanceOptions};
use smis::message::{MethodReturn, ParamValue};
use smis::smis::{
    ChildPoolRequest, CloneRequest, CloneStarted, Discovery, DiscoveryOptions, Job, JobProgress,
    ResourceAllocationSettings, SmisArray, SyncType, WaitOptions,
};
use smis::{CimStatus, Client, Error, StorageServiceCode};

use crate::cli::{CloneType, Mode};
use crate::errors::{CliError, CliResult};

/// Interop namespaces tried in order (unless `--namespace` names one that holds profiles).
pub const INTEROP: [&str; 4] = [
    "interop",
    "root/interop",
    "root/PG_InterOp",
    "root/pg_interop",
];

fn fatal(e: &Error) -> bool {
    !matches!(e, Error::Cim { .. } | Error::Http { .. })
}

/// The registered profiles (CIM_RegisteredProfile in the interop namespace).
pub async fn profiles(c: &Client) -> CliResult<Vec<Instance>> {
    let mut last = None;
    for ns in INTEROP {
        let opts = EnumerateInstancesOptions::new().namespace(ns);
        match c.enumerate_instances("CIM_RegisteredProfile", &opts).await {
            Ok(v) if !v.is_empty() => return Ok(v),
            Ok(_) => {}
            Err(e) if fatal(&e) => return Err(e.into()),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(e.into()),
        None => Ok(Vec::new()),
    }
}

fn assoc(assoc_class: &str, result_class: &str) -> AssociatorsOptions {
    AssociatorsOptions::new()
        .assoc_class(assoc_class)
        .result_class(result_class)
}

/// The arrays, found by the SMI-S layer's [`Discovery`] (interop namespace probing, Array
/// profile, vendor fallbacks), each read in full; with no array found, every
/// CIM_ComputerSystem of the default namespace (`--namespace`).
pub async fn systems(c: &Client) -> CliResult<Vec<Instance>> {
    let found = Discovery::run(c, &DiscoveryOptions::default()).await?;
    let mut out: Vec<Instance> = Vec::new();
    for a in &found.arrays {
        let mut i = c
            .get_instance(&a.path, &GetInstanceOptions::default())
            .await?;
        if i.path.is_none() {
            i.path = Some(a.path.clone());
        }
        out.push(i);
    }
    if out.is_empty() {
        out = c
            .enumerate_instances("CIM_ComputerSystem", &Default::default())
            .await?;
    }
    Ok(out)
}

/// All pools of all arrays.
pub async fn pools(c: &Client) -> CliResult<Vec<Instance>> {
    let mut out = Vec::new();
    for s in systems(c).await? {
        let Some(p) = &s.path else { continue };
        out.extend(
            c.associator_instances(p, &assoc("CIM_HostedStoragePool", "CIM_StoragePool"))
                .await?,
        );
    }
    Ok(out)
}

/// The volumes of all arrays, or of one pool.
pub async fn volumes(c: &Client, pool: Option<&str>) -> CliResult<Vec<Instance>> {
    if let Some(pool) = pool {
        let pool = resolve_pool(c, pool).await?;
        let mut o = assoc("CIM_AllocatedFromStoragePool", "CIM_StorageVolume");
        o.role = Some("Antecedent".into());
        o.result_role = Some("Dependent".into());
        return Ok(c.associator_instances(&pool, &o).await?);
    }
    let mut out = Vec::new();
    for s in systems(c).await? {
        let Some(p) = &s.path else { continue };
        out.extend(
            c.associator_instances(p, &assoc("CIM_SystemDevice", "CIM_StorageVolume"))
                .await?,
        );
    }
    Ok(out)
}

fn looks_like_path(s: &str) -> bool {
    s.contains('=') && (s.contains('.') || s.contains(':'))
}

fn matches_any(i: &Instance, props: &[&str], wanted: &str) -> bool {
    props.iter().any(|p| {
        i.value(p)
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
    })
}

fn pick(found: Vec<Instance>, what: &str, arg: &str) -> CliResult<ObjectPath> {
    match found.len() {
        0 => Err(CliError::Smis(Error::Cim {
            operation: format!("find {what}"),
            status: CimStatus::NotFound,
            description: Some(format!("no {what} named {arg:?}")),
            instances: Vec::new(),
        })),
        1 => found[0]
            .path
            .clone()
            .ok_or_else(|| crate::errors::failed(format!("the {what} {arg:?} has no path"))),
        n => Err(CliError::Usage(format!(
            "{n} {what}s match {arg:?}; give the full path"
        ))),
    }
}

/// A volume argument: a WBEM URI, or a DeviceID / ElementName / Name.
pub async fn resolve_volume(c: &Client, arg: &str) -> CliResult<ObjectPath> {
    if looks_like_path(arg) {
        return crate::commands::parse_path(arg);
    }
    let found: Vec<Instance> = volumes(c, None)
        .await?
        .into_iter()
        .filter(|i| matches_any(i, &["DeviceID", "ElementName", "Name"], arg))
        .collect();
    pick(found, "volume", arg)
}

/// A pool argument: a WBEM URI, or an InstanceID / PoolID / ElementName.
pub async fn resolve_pool(c: &Client, arg: &str) -> CliResult<ObjectPath> {
    if looks_like_path(arg) {
        return crate::commands::parse_path(arg);
    }
    let found: Vec<Instance> = pools(c)
        .await?
        .into_iter()
        .filter(|i| matches_any(i, &["InstanceID", "PoolID", "ElementName"], arg))
        .collect();
    pick(found, "pool", arg)
}

/// The system an element belongs to, through `assoc_class` (SystemDevice, HostedStoragePool).
pub async fn system_of(
    c: &Client,
    element: &ObjectPath,
    assoc_class: &str,
) -> CliResult<ObjectPath> {
    let s = c
        .associator_names(element, &assoc(assoc_class, "CIM_ComputerSystem"))
        .await?;
    s.into_iter()
        .next()
        .ok_or_else(|| crate::errors::failed(format!("cannot find the system of {element}")))
}

async fn hosted_service(
    c: &Client,
    system: &ObjectPath,
    class: &str,
) -> CliResult<Option<Instance>> {
    Ok(
        c.associator_instances(system, &assoc("CIM_HostedService", class))
            .await?
            .into_iter()
            .next(),
    )
}

/// The replication types the array reports and the mode a clone of `kind` uses when the
/// user gives none: asynchronous when the provider reports the asynchronous local type,
/// else synchronous. The capability checks themselves (40308/40500) are the SMI-S layer's
/// (`SmisArray::create_clone` / `start_clone`).
pub async fn default_clone_mode(
    array: &SmisArray,
    kind: CloneType,
) -> CliResult<(Vec<u16>, smis::smis::Mode)> {
    let types = match array.replication_service().await? {
        Some(svc) => array
            .replication_capabilities(&svc)
            .await?
            .map(|c| c.supported_replication_types)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let (sync_rt, _async_rt) = match kind {
        CloneType::Clone => (10, 11),
        CloneType::Snapshot => (6, 7),
    };
    let mode = if types.contains(&sync_rt) && !types.contains(&(sync_rt + 1)) {
        smis::smis::Mode::Synchronous
    } else {
        smis::smis::Mode::Asynchronous
    };
    Ok((types, mode))
}

fn method_failed(method: &str, r: &MethodReturn) -> Error {
    let rv = r.return_code().unwrap_or(u32::MAX);
    let code = match rv {
        1..=8 | 4097 => StorageServiceCode(rv),
        _ => StorageServiceCode::METHOD_INVOCATION_FAILED,
    };
    Error::MethodFailed {
        method: method.to_string(),
        return_value: rv,
        label: StorageServiceCode(rv).label(),
        code,
    }
}

fn progress_bar(msg: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(100);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    Some(pb)
}

/// The library's wait options: `timeout` as the deadline, polling from `poll` up to 2 s,
/// and a progress bar on stderr when it is a terminal. Returns the bar to finish.
pub fn library_wait(
    timeout: Duration,
    poll: Duration,
    label: &str,
) -> (WaitOptions, Option<ProgressBar>) {
    let pb = progress_bar(label);
    let mut w = WaitOptions::with_deadline(timeout);
    w.poll_interval = poll;
    w.max_interval = Duration::from_secs(2).max(poll);
    if let Some(pb) = pb.clone() {
        let label = label.to_string();
        w.progress = Some(std::sync::Arc::new(move |p: JobProgress| {
            pb.set_position(u64::from(p.percent_complete.unwrap_or(0)));
            pb.set_message(format!(
                "{label}: {}",
                smis::text::escape_for_terminal(&p.status)
            ));
        }));
    }
    (w, pb)
}

/// Waits for a job with the SMI-S layer's [`Job::wait`] (failure → `JobFailed` with the
/// job's CIM_Error instances, deadline → `JobTimeout`, gone → `JobVanished`).
pub async fn wait_job_lib(
    c: &Client,
    job: &ObjectPath,
    timeout: Duration,
    poll: Duration,
) -> Result<Instance, Error> {
    let (w, pb) = library_wait(timeout, poll, "job");
    let r = Job::new(c.clone(), job.clone()).wait(&w).await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    r.map(|o| o.instance)
}

/// Options of `clone`.
pub struct CloneArgs<'a> {
    /// Source volume argument.
    pub volume: &'a str,
    /// New name.
    pub name: &'a str,
    /// Target pool argument.
    pub pool: Option<&'a str>,
    /// Clone or snapshot.
    pub kind: CloneType,
    /// Mode.
    pub mode: Option<Mode>,
    /// Do not wait for the job.
    pub no_wait: bool,
    /// Job wait deadline.
    pub timeout: Duration,
    /// Job poll interval.
    pub poll: Duration,
}

/// Clones or snapshots a volume: capability check, CreateElementReplica, job follow.
/// Returns `{"source", "method", "return_value", "job", "job_state", "target"}`.
pub async fn clone(c: &Client, a: CloneArgs<'_>) -> CliResult<serde_json::Value> {
    let source = resolve_volume(c, a.volume).await?;
    let sys = system_of(c, &source, "CIM_SystemDevice").await?;
    let array = SmisArray::new(c.clone(), sys);
    let vol = array.volume(&source).await?;
    let mode = match a.mode {
        Some(Mode::Sync) => smis::smis::Mode::Synchronous,
        Some(Mode::Async) => smis::smis::Mode::Asynchronous,
        None => default_clone_mode(&array, a.kind).await?.1,
    };
    let (sync_type, sync_value): (SyncType, u16) = match a.kind {
        CloneType::Clone => (SyncType::Clone, 8),
        CloneType::Snapshot => (SyncType::Snapshot, 7),
    };
    let mut req = CloneRequest::new(a.name, sync_type);
    req.mode = mode;
    req.target_pool = match a.pool {
        Some(pool) => Some(resolve_pool(c, pool).await?),
        None => None,
    };
    let mut out = json!({
        "source": source.to_string(),
        "method": "CreateElementReplica",
        "sync_type": sync_value,
        "mode": match mode { smis::smis::Mode::Synchronous => 2, smis::smis::Mode::Asynchronous => 3 },
        "return_value": null,
        "job": null,
        "job_state": null,
        "target": null,
    });
    if a.no_wait {
        // The SMI-S layer's checks and call, without following the job.
        match array.start_clone(&vol, &req).await? {
            CloneStarted::Done(target) => {
                out["return_value"] = json!(0);
                out["target"] = json!(target.to_string());
            }
            CloneStarted::Job(job) => {
                out["return_value"] = json!(4096);
                out["job"] = json!(job.path().to_string());
            }
        }
        return Ok(out);
    }
    // The SMI-S layer: its checks, CreateElementReplica (or the CreateReplica fallback),
    // job following and the new volume.
    let (w, pb) = library_wait(a.timeout, a.poll, "clone");
    req.wait = w;
    let r = array.create_clone(&vol, req).await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let new = r?;
    out["return_value"] = json!(0);
    out["job_state"] = json!(7);
    out["target"] = json!(new.path.to_string());
    out["device_id"] = json!(new.device_id);
    out["element_name"] = json!(new.element_name);
    out["size_bytes"] = json!(new.size_bytes);
    Ok(out)
}

/// Options of `create-child-pool`.
pub struct ChildPoolArgs<'a> {
    /// Pool name.
    pub name: &'a str,
    /// Parent pool arguments.
    pub parents: &'a [String],
    /// ResourceType.
    pub resource_type: Option<u16>,
    /// Reservation.
    pub reservation: Option<u64>,
    /// Limit.
    pub limit: Option<u64>,
    /// AllocationUnits.
    pub allocation_units: Option<&'a str>,
    /// PoolID.
    pub pool_id: Option<&'a str>,
    /// Do not wait.
    pub no_wait: bool,
    /// Job wait deadline.
    pub timeout: Duration,
    /// Poll interval.
    pub poll: Duration,
}

/// Creates a child resource pool (DSP1041 CreateChildResourcePool).
pub async fn create_child_pool(c: &Client, a: ChildPoolArgs<'_>) -> CliResult<serde_json::Value> {
    if a.reservation.is_none() && a.limit.is_none() {
        return Err(CliError::Usage(
            "give --reservation or --limit (the size of the new pool)".into(),
        ));
    }
    let mut parents = Vec::new();
    for p in a.parents {
        parents.push(resolve_pool(c, p).await?);
    }
    let first = parents[0].clone();
    let sys = system_of(c, &first, "CIM_HostedStoragePool").await?;
    let Some(svc) = hosted_service(c, &sys, "CIM_ResourcePoolConfigurationService").await? else {
        return Err(Error::Unsupported {
            code: StorageServiceCode::NOT_SUPPORTED,
            message: "the array has no CIM_ResourcePoolConfigurationService".into(),
        }
        .into());
    };
    let svc = svc
        .path
        .ok_or_else(|| crate::errors::failed("the pool configuration service has no path"))?;
    let rt = match a.resource_type {
        Some(rt) => rt,
        None => c
            .get_instance(&first, &GetInstanceOptions::default())
            .await
            .ok()
            .and_then(|p| p.get_opt::<u16>("ResourceType").ok().flatten())
            .unwrap_or(19),
    };
    let units = a.allocation_units.unwrap_or("bytes").to_string();
    if !a.no_wait {
        let array = SmisArray::new(c.clone(), sys);
        let (w, pb) = library_wait(a.timeout, a.poll, "child pool");
        let req = ChildPoolRequest {
            element_name: a.name.to_string(),
            settings: vec![ResourceAllocationSettings {
                resource_type: rt,
                reservation: a.reservation,
                limit: a.limit,
                allocation_units: Some(units),
                pool_id: a.pool_id.map(str::to_string),
                ..Default::default()
            }],
            parent_pools: parents,
            wait: w,
        };
        let r = array.create_child_resource_pool(&req).await;
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        let pool = r?;
        return Ok(json!({
            "method": "CreateChildResourcePool",
            "return_value": 0,
            "job": null,
            "job_state": null,
            "pool": pool.path.to_string(),
            "instance_id": pool.instance_id,
            "pool_id": pool.pool_id,
            "element_name": pool.element_name,
        }));
    }
    let mut rasd = Instance::new("CIM_ResourceAllocationSettingData");
    rasd.set("ResourceType", rt);
    if let Some(r) = a.reservation {
        rasd.set("Reservation", r);
    }
    if let Some(l) = a.limit {
        rasd.set("Limit", l);
    }
    rasd.set("AllocationUnits", units);
    if let Some(id) = a.pool_id {
        rasd.set("PoolID", id.to_string());
    }
    let settings = CimValue::Array(Box::new(CimArray::new(
        CimType::String,
        vec![Some(CimValue::Instance(Box::new(rasd)))],
    )));
    let parent_refs = CimValue::Array(Box::new(CimArray::new(
        CimType::Reference,
        parents
            .iter()
            .map(|p| Some(CimValue::Reference(Box::new(p.clone()))))
            .collect(),
    )));
    let params = vec![
        ParamValue::new("ElementName", a.name.to_string()),
        ParamValue::new("Settings", settings),
        ParamValue::new("ParentPool", parent_refs),
    ];
    let r = c
        .invoke_method(&svc, "CreateChildResourcePool", params)
        .await?;
    let rv = r.return_code();
    let mut out = json!({
        "method": "CreateChildResourcePool",
        "return_value": rv,
        "job": null,
        "job_state": null,
        "pool": null,
    });
    match rv {
        Some(0) => {
            let p: Option<ObjectPath> = r.get("Pool").ok().flatten();
            out["pool"] = json!(p.map(|p| p.to_string()));
        }
        Some(4096) => {
            let job: Option<ObjectPath> = r.get("Job").ok().flatten();
            let job =
                job.ok_or_else(|| crate::errors::failed("method returned 4096 but no Job"))?;
            out["job"] = json!(job.to_string());
        }
        _ => return Err(method_failed("CreateChildResourcePool", &r).into()),
    }
    Ok(out)
}

/// A job argument: a WBEM URI or an InstanceID (looked up among CIM_ConcreteJob of the
/// arrays' namespaces).
pub async fn resolve_job(c: &Client, arg: &str) -> CliResult<ObjectPath> {
    if looks_like_path(arg) {
        return crate::commands::parse_path(arg);
    }
    let mut namespaces: Vec<String> = Vec::new();
    for s in systems(c).await? {
        if let Some(ns) = s.path.as_ref().and_then(|p| p.namespace.clone())
            && !namespaces.contains(&ns)
        {
            namespaces.push(ns);
        }
    }
    let mut found = Vec::new();
    for ns in namespaces {
        let opts = EnumerateInstancesOptions::new().namespace(ns);
        found.extend(
            c.enumerate_instances("CIM_ConcreteJob", &opts)
                .await?
                .into_iter()
                .filter(|j| matches_any(j, &["InstanceID"], arg)),
        );
    }
    pick(found, "job", arg)
}
