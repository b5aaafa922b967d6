//! CIM_ReplicationService.CreateElementReplica (SNIA SMI-S 1.8 Replication Services) and
//! the legacy CIM_StorageConfigurationService.CreateReplica (SMI-S 1.4 Copy Services): a
//! clone, snapshot or mirror of a volume, synchronously or through a job.

use smis::message::MethodReturn;

use super::{
    Call, R, State, SyncRec, add_affected, add_volume, find_pool, find_volume, insufficient,
    job_fails, new_job, out_ref, rc, rc_with,
};

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
pub(super) fn create_element_replica(st: &mut State, c: &Call) -> R<MethodReturn> {
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
    let Some((source, pool)) = param!(source_and_pool(st, c)) else {
        return rc(5);
    };
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

/// The `SourceElement` volume and the target pool (`TargetPool`, else the source's own
/// pool) of a replica request. `Ok(None)` when either names nothing usable or the pool is
/// primordial; `Err(())` when a parameter is malformed (both answer 5 Invalid Parameter).
fn source_and_pool(st: &State, c: &Call) -> Result<Option<(String, String)>, ()> {
    let Some(src_path) = c.p.path("SourceElement")? else {
        return Ok(None);
    };
    let Some(source) = find_volume(st, &c.ns, &src_path) else {
        return Ok(None);
    };
    let pool = match c.p.path("TargetPool")? {
        None => st
            .volume(&source)
            .map(|v| v.pool.clone())
            .unwrap_or_default(),
        Some(p) => match find_pool(st, &c.ns, &p) {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    if st.pool(&pool).is_none_or(|p| p.primordial) {
        return Ok(None);
    }
    Ok(Some((source, pool)))
}

/// CIM_StorageConfigurationService.CreateReplica (the pre-ReplicationService API).
pub(super) fn create_replica(st: &mut State, c: &Call) -> R<MethodReturn> {
    let types = st.scenario.capabilities.supported_copy_types.clone();
    if types.is_empty() {
        return rc(1);
    }
    let copy_type = param!(c.p.u16("CopyType")).unwrap_or(5);
    if !types.contains(&copy_type) || !matches!(copy_type, 4 | 5) {
        return rc(1); // 2 Async / 3 Sync mirrors are not simulated
    }
    let Some((source, pool)) = param!(source_and_pool(st, c)) else {
        return rc(5);
    };
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
