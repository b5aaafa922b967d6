//! CIM_ResourcePoolConfigurationService (DMTF DSP1041 Resource Allocation profile, as SMI-S
//! 1.8 Block Services uses it): CreateChildResourcePool and DeleteResourcePool.

use smis::message::MethodReturn;

use super::{
    Call, R, State, add_affected, busy, find_pool, job_fails, new_job, out_ref, rc, rc_with,
};

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
pub(super) fn create_child_resource_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
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
    st.pools.push(super::super::state::PoolRec {
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
pub(super) fn delete_resource_pool(st: &mut State, c: &Call) -> R<MethodReturn> {
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
