//! Masking methods: CIM_StorageHardwareIDManagementService (Create/DeleteStorageHardwareID),
//! CIM_GroupMaskingMappingService (CreateGroup, DeleteGroup, AddMembers, RemoveMembers,
//! CreateMaskingView, DeleteMaskingView) and CIM_ControllerConfigurationService
//! (ExposePaths, ExposePathsWithNameAndHostType, HidePaths, DeleteProtocolController), with
//! the return values of the DMTF CIM 2.49 MOFs.
//!
//! Decisions where the standard leaves room (documented so clients know what to expect):
//! - CreateStorageHardwareID: an existing StorageID answers 4096 "ID already created" with
//!   the existing HardwareID; a port WWN that is not 16 hex digits (separators `:`/`-`
//!   allowed) or an iSCSI name without `iqn.`/`eui.`/`naa.` answers 5 Invalid Parameter;
//!   an IDType other than 2 or 5 answers 4097 "IDType not supported". IDs are stored
//!   canonically (upper-case WWN, lower-case iSCSI name) and matched case-insensitively.
//! - DeleteStorageHardwareID of an ID still in a group or view answers 6 In Use.
//! - CreateGroup with a name already used by a group of the same type, an unknown member or
//!   a member of the wrong kind answers 5. DeleteGroup of a group in a view answers 6 (even
//!   with Force: delete the view first, as VMAX requires); of a non-empty group, 6 unless
//!   Force.
//! - CreateMaskingView for an initiator and target group pair already in a view answers
//!   6 In Use ("the view already exists"). DeviceNumbers are hexadecimal; a LUN used twice
//!   answers 5; AddMembers with a DeviceNumber already used in a view answers 6.
//! - ExposePaths: unknown LUNames 4097, malformed InitiatorPortIDs 4098 (unknown but
//!   well-formed ones are registered implicitly, as the MOF says), unknown TargetPortIDs
//!   4099, DeviceAccesses outside 2/3/4 4100, an initiator/target pair already in another
//!   view or a volume or initiator already in this view 4101, a LUN in use 4102; null
//!   TargetPortIDs on creation means every target port. HidePaths: not exposed 4100; the
//!   view goes when its last initiator or target goes (SPCAllowsNoLUs is true, so it stays
//!   without volumes).
//! - ReturnToStoragePool of a volume still mapped or in a device group answers 6 In Use.
//! - A method that fails changes nothing. With the scenario's `job_ms` > 0,
//!   CreateMaskingView, DeleteMaskingView and ExposePaths return 4096 and a job (the change is
//!   applied at once, the created view is its AffectedJobElement); a `job_exception` fault
//!   makes the job fail and the change is undone.

use smis::cim::{CimValue, ObjectPath};
use smis::message::{MethodReturn, ParamValue};

use super::{
    Call, CimErr, Params, State, add_affected, find_volume, job_fails, new_job, out_ref, path_eq,
    rc, rc_with,
};

type R<T> = Result<T, CimErr>;
/// A method's result before job handling: return value, out parameters, created element.
type Done = (u32, Vec<ParamValue>, Option<ObjectPath>);

macro_rules! param {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(()) => return Ok(fail(5)),
        }
    };
}

mod groups;
mod hardware_ids;
mod paths;

use groups::{add_members, create_group, create_view, delete_group, delete_view, remove_members};
use hardware_ids::{create_hwid, delete_hwid};
use paths::{delete_pc, expose_paths, hide_paths};

fn fail(code: u32) -> Done {
    (code, Vec::new(), None)
}

fn strings(p: &Params, name: &str) -> Result<Option<Vec<String>>, ()> {
    match p.get(name) {
        None => Ok(None),
        Some(CimValue::String(s)) => Ok(Some(vec![s.clone()])),
        Some(CimValue::Array(a)) => a
            .items
            .iter()
            .map(|i| match i {
                Some(CimValue::String(s)) => Ok(s.clone()),
                _ => Err(()),
            })
            .collect::<Result<Vec<_>, ()>>()
            .map(Some),
        Some(_) => Err(()),
    }
}

fn u16_list(p: &Params, name: &str) -> Result<Option<Vec<u16>>, ()> {
    match p.get(name) {
        None => Ok(None),
        Some(CimValue::Array(a)) => a
            .items
            .iter()
            .map(|i| {
                i.as_ref()
                    .and_then(|v| v.as_i128())
                    .and_then(|v| u16::try_from(v).ok())
                    .ok_or(())
            })
            .collect::<Result<Vec<_>, ()>>()
            .map(Some),
        Some(v) => v
            .as_i128()
            .and_then(|v| u16::try_from(v).ok())
            .map(|v| Some(vec![v]))
            .ok_or(()),
    }
}

fn boolean(p: &Params, name: &str) -> Result<bool, ()> {
    match p.get(name) {
        None => Ok(false),
        Some(CimValue::Boolean(b)) => Ok(*b),
        Some(CimValue::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// A LUN in DeviceNumber form (hexadecimal, optional `0x`), at most 0xFFFF.
fn parse_lun(s: &str) -> Option<u32> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    u32::from_str_radix(t, 16).ok().filter(|l| *l <= 0xFFFF)
}

/// Routes a masking method; `None` when the target is not a masking service.
pub(super) fn dispatch(st: &mut State, c: &Call, actual: &str, m: &str) -> Option<R<MethodReturn>> {
    let spec = st.scenario.masking.clone()?;
    let is = |class: &str| st.repo.is_a(actual, class);
    if is("CIM_StorageConfigurationService") && m == "returntostoragepool" {
        // A volume still mapped or grouped is In Use; otherwise the normal path runs.
        let vol =
            c.p.path("TheElement")
                .ok()
                .flatten()
                .and_then(|p| find_volume(st, &c.ns, &p))?;
        let used = st
            .masking
            .views
            .iter()
            .any(|v| v.units.iter().any(|u| u.vol == vol))
            || st
                .masking
                .groups
                .iter()
                .any(|g| g.kind == 4 && g.members.contains(&vol));
        return used.then(|| rc(6));
    }
    if is("CIM_StorageHardwareIDManagementService") {
        return Some(match m {
            "createstoragehardwareid" => create_hwid(st, c),
            "deletestoragehardwareid" => delete_hwid(st, c),
            _ => rc(1),
        });
    }
    if !is("CIM_ControllerConfigurationService") {
        return None;
    }
    let gmm = is("CIM_GroupMaskingMappingService") && spec.group_masking;
    let f: fn(&mut State, &Call) -> R<Done> = match m {
        "creategroup" if gmm => create_group,
        "deletegroup" if gmm => delete_group,
        "addmembers" if gmm => add_members,
        "removemembers" if gmm => remove_members,
        "createmaskingview" if gmm => create_view,
        "deletemaskingview" if gmm => delete_view,
        "exposepaths" | "exposepathswithnameandhosttype" if spec.spc_masking => expose_paths,
        "hidepaths" if spec.spc_masking => hide_paths,
        "deleteprotocolcontroller" if spec.spc_masking => delete_pc,
        _ => return Some(rc(1)),
    };
    let slow = spec.job_ms > 0
        && matches!(
            m,
            "createmaskingview"
                | "deletemaskingview"
                | "exposepaths"
                | "exposepathswithnameandhosttype"
        );
    Some(run(st, c, m, slow, spec.job_ms, f))
}

/// Runs a state change; undoes it when it fails (or its job fails); wraps it in a job when
/// the method is slow or a job fault applies.
fn run(
    st: &mut State,
    c: &Call,
    method: &str,
    slow: bool,
    job_ms: u64,
    f: fn(&mut State, &Call) -> R<Done>,
) -> R<MethodReturn> {
    let before = st.masking.clone();
    let (code, outs, created) = match f(st, c) {
        Ok(d) => d,
        Err(e) => {
            st.masking = before;
            return Err(e);
        }
    };
    if code != 0 {
        st.masking = before;
        return rc(code);
    }
    if !slow && c.job_fault.is_none() {
        return rc_with(0, outs);
    }
    let ms = if slow { job_ms } else { 0 };
    let num = new_job(st, c, method, format!("{method} (masking)"), ms, None);
    if job_fails(st, num) {
        st.masking = before;
    } else if let Some(p) = created {
        add_affected(st, num, p);
    }
    let mut outs: Vec<ParamValue> = outs
        .into_iter()
        .filter(|p| !matches!(p.value, Some(CimValue::Reference(_))))
        .collect();
    outs.push(out_ref("Job", st.job_path(num)));
    rc_with(4096, outs)
}
