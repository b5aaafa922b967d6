//! CIM_ConcreteJob methods (SNIA SMI-S 1.8 Job Control): GetError/GetErrors,
//! RequestStateChange (4 Terminate, 5 Kill) and KillJob.

use smis::cim::{CimArray, CimType, CimValue, EmbeddedKind};
use smis::message::{MethodReturn, ParamValue};

use super::{CimErr, R, State, rc, rc_with, status};

pub(super) fn get_errors(st: &State, num: u64, plural: bool) -> R<MethodReturn> {
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
pub(super) fn job_state_change(
    st: &mut State,
    num: u64,
    requested: Option<u16>,
) -> R<MethodReturn> {
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
