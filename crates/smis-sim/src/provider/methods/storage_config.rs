//! CIM_StorageConfigurationService (SNIA SMI-S 1.8 Block Services):
//! CreateOrModifyElementFromStoragePool (create or resize a volume) and
//! ReturnToStoragePool (delete one).

use smis::cim::CimValue;
use smis::message::{MethodReturn, ParamValue};

use super::{
    BLOCK_SIZE, Call, R, State, add_affected, add_volume, busy, find_pool, find_volume, job_fails,
    new_job, out_ref, rc, rc_with,
};

/// CIM_StorageConfigurationService.CreateOrModifyElementFromStoragePool.
pub(super) fn create_or_modify_element(st: &mut State, c: &Call) -> R<MethodReturn> {
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
        let (_, features) = super::super::replicas::pool_caps(st, &vol.pool);
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
    if !super::super::replicas::pool_caps(st, &pool)
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
pub(super) fn return_to_storage_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
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
