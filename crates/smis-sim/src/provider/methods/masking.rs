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

use super::super::masking::{GroupRec, UnitRec, ViewRec, free_lun};
use super::{
    Call, CimErr, Params, State, add_affected, find_volume, job_fails, new_job, out_ref, path_eq,
    rc, rc_with,
};
use crate::masking_spec::{canonical_initiator, canonical_iscsi, canonical_wwn};

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

// ----- hardware IDs -----

fn find_hwid(st: &State, ns: &str, p: &ObjectPath) -> Option<String> {
    st.masking
        .hwids
        .iter()
        .find(|h| path_eq(st, &st.hwid_path(&h.id), p, ns))
        .map(|h| h.id.clone())
}

fn create_hwid(st: &mut State, c: &Call) -> R<MethodReturn> {
    let storage_id = match c.p.string("StorageID") {
        Ok(Some(s)) if !s.trim().is_empty() => s,
        _ => return rc(5),
    };
    let id_type = match c.p.u16("IDType") {
        Ok(Some(t)) => t,
        _ => return rc(5),
    };
    let canon = match id_type {
        2 => canonical_wwn(&storage_id),
        5 => canonical_iscsi(&storage_id),
        _ => return rc(4097),
    };
    let Some(canon) = canon else { return rc(5) };
    if let Some(h) = st.masking.hwid_by_storage_id(&canon) {
        let p = st.hwid_path(&h.id);
        return rc_with(4096, vec![out_ref("HardwareID", p)]);
    }
    let name = c.p.string("ElementName").ok().flatten();
    let id = st.masking.new_id("SHID");
    st.masking.hwids.push(super::super::masking::HwIdRec {
        id: id.clone(),
        storage_id: canon,
        id_type,
        name,
    });
    rc_with(0, vec![out_ref("HardwareID", st.hwid_path(&id))])
}

fn delete_hwid(st: &mut State, c: &Call) -> R<MethodReturn> {
    let Some(p) = c.p.path("HardwareID").ok().flatten() else {
        return rc(5);
    };
    let Some(id) = find_hwid(st, &c.ns, &p) else {
        return rc(4096);
    };
    let m = &st.masking;
    let used = m
        .groups
        .iter()
        .any(|g| g.kind == 2 && g.members.contains(&id))
        || m.views.iter().any(|v| v.initiators.contains(&id));
    if used {
        return rc(6);
    }
    st.masking.hwids.retain(|h| h.id != id);
    rc(0)
}

// ----- group masking -----

fn find_group(st: &State, ns: &str, p: &ObjectPath) -> Option<usize> {
    st.masking
        .groups
        .iter()
        .position(|g| path_eq(st, &st.group_path(g), p, ns))
}

fn find_view(st: &State, ns: &str, p: &ObjectPath) -> Option<usize> {
    st.masking
        .views
        .iter()
        .position(|v| path_eq(st, &st.view_path(&v.id), p, ns))
}

fn find_endpoint(st: &State, ns: &str, p: &ObjectPath) -> Option<String> {
    st.target_endpoints()
        .into_iter()
        .find(|e| path_eq(st, &e.1, p, ns))
        .map(|e| e.0)
}

/// Resolves member references for a group kind; `None` if one is unknown or of the wrong
/// kind.
fn members(st: &State, ns: &str, kind: u16, paths: &[ObjectPath]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let id = match kind {
            2 => find_hwid(st, ns, p)?,
            3 => find_endpoint(st, ns, p)?,
            _ => find_volume(st, ns, p)?,
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Some(out)
}

fn group_param(st: &State, c: &Call, name: &str) -> Result<Option<usize>, ()> {
    match c.p.path(name)? {
        None => Ok(None),
        Some(p) => find_group(st, &c.ns, &p).map(Some).ok_or(()),
    }
}

fn create_group(st: &mut State, c: &Call) -> R<Done> {
    let kind = match c.p.u16("Type") {
        Ok(Some(k @ 2..=4)) => k,
        _ => return Ok(fail(5)),
    };
    let paths = param!(c.p.paths("Members"));
    let Some(members) = members(st, &c.ns, kind, &paths) else {
        return Ok(fail(5));
    };
    let id = st.masking.new_id(match kind {
        2 => "IMG",
        3 => "TMG",
        _ => "DMG",
    });
    let name = match param!(c.p.string("GroupName")) {
        Some(n) if !n.trim().is_empty() => n,
        _ => id.replace(':', "-"),
    };
    if st
        .masking
        .groups
        .iter()
        .any(|g| g.kind == kind && g.name.eq_ignore_ascii_case(&name))
    {
        return Ok(fail(5));
    }
    let g = GroupRec {
        id,
        kind,
        name,
        members,
        delete_on_empty: param!(boolean(&c.p, "DeleteOnEmpty")),
        delete_when_unassociated: param!(boolean(&c.p, "DeleteWhenBecomesUnassociated")),
    };
    let p = st.group_path(&g);
    st.masking.groups.push(g);
    Ok((0, vec![out_ref("MaskingGroup", p.clone())], Some(p)))
}

fn delete_group(st: &mut State, c: &Call) -> R<Done> {
    let Some(i) = param!(group_param(st, c, "MaskingGroup")) else {
        return Ok(fail(5));
    };
    let force = param!(boolean(&c.p, "Force"));
    let g = &st.masking.groups[i];
    if st.masking.group_in_view(&g.id) || (!g.members.is_empty() && !force) {
        return Ok(fail(6));
    }
    st.masking.groups.remove(i);
    Ok(fail(0))
}

fn add_members(st: &mut State, c: &Call) -> R<Done> {
    let Some(i) = param!(group_param(st, c, "MaskingGroup")) else {
        return Ok(fail(5));
    };
    let kind = st.masking.groups[i].kind;
    let paths = param!(c.p.paths("Members"));
    let Some(new) = members(st, &c.ns, kind, &paths) else {
        return Ok(fail(5));
    };
    let dns = param!(strings(&c.p, "DeviceNumbers"));
    let mut wanted = Vec::new();
    if let Some(d) = dns {
        if kind != 4 || d.len() != new.len() {
            return Ok(fail(5));
        }
        for (vol, s) in new.iter().zip(&d) {
            let Some(l) = parse_lun(s) else {
                return Ok(fail(5));
            };
            wanted.push((vol.clone(), l));
        }
    }
    let gid = st.masking.groups[i].id.clone();
    for (vol, lun) in &wanted {
        let taken = st.masking.views.iter().any(|v| {
            v.groups.as_ref().is_some_and(|g| g[2] == gid)
                && v.units.iter().any(|u| u.lun == *lun && u.vol != *vol)
        });
        if taken {
            return Ok(fail(6));
        }
    }
    let g = &mut st.masking.groups[i];
    for m in new {
        if !g.members.contains(&m) {
            g.members.push(m);
        }
    }
    st.masking.sync_units(&wanted);
    let p = st.group_path(&st.masking.groups[i]);
    Ok((0, vec![out_ref("MaskingGroup", p)], None))
}

fn remove_members(st: &mut State, c: &Call) -> R<Done> {
    let Some(i) = param!(group_param(st, c, "MaskingGroup")) else {
        return Ok(fail(5));
    };
    let kind = st.masking.groups[i].kind;
    let paths = param!(c.p.paths("Members"));
    let Some(gone) = members(st, &c.ns, kind, &paths) else {
        return Ok(fail(5));
    };
    let delete_on_empty = match c.p.get("DeleteOnEmpty") {
        Some(_) => param!(boolean(&c.p, "DeleteOnEmpty")),
        None => st.masking.groups[i].delete_on_empty,
    };
    let g = &mut st.masking.groups[i];
    if gone.iter().any(|m| !g.members.contains(m)) {
        return Ok(fail(5));
    }
    g.members.retain(|m| !gone.contains(m));
    let (empty, id) = (g.members.is_empty(), g.id.clone());
    if empty && delete_on_empty && !st.masking.group_in_view(&id) {
        st.masking.groups.remove(i);
    }
    st.masking.sync_units(&[]);
    Ok(fail(0))
}

fn create_view(st: &mut State, c: &Call) -> R<Done> {
    let mut ids = Vec::new();
    for (param, kind) in [
        ("InitiatorMaskingGroup", 2),
        ("TargetMaskingGroup", 3),
        ("DeviceMaskingGroup", 4),
    ] {
        match param!(group_param(st, c, param)) {
            Some(i) if st.masking.groups[i].kind == kind => {
                ids.push(st.masking.groups[i].id.clone())
            }
            _ => return Ok(fail(5)),
        }
    }
    let [img, tmg, dmg]: [String; 3] = match ids.try_into() {
        Ok(a) => a,
        Err(_) => return Ok(fail(5)),
    };
    let exists = st.masking.views.iter().any(|v| {
        v.groups
            .as_ref()
            .is_some_and(|g| g[0] == img && g[1] == tmg)
    });
    if exists {
        return Ok(fail(6));
    }
    let vols = st
        .masking
        .group(&dmg)
        .map(|g| g.members.clone())
        .unwrap_or_default();
    let mut wanted: Vec<(String, u32)> = Vec::new();
    if let Some(d) = param!(strings(&c.p, "DeviceNumbers")) {
        if d.len() != vols.len() {
            return Ok(fail(5));
        }
        for (vol, s) in vols.iter().zip(&d) {
            let Some(l) = parse_lun(s) else {
                return Ok(fail(5));
            };
            if wanted.iter().any(|w| w.1 == l) {
                return Ok(fail(5));
            }
            wanted.push((vol.clone(), l));
        }
    }
    let id = st
        .masking
        .new_id("SPC")
        .replace("SIMS:", "")
        .replace(':', "-");
    let name = match param!(c.p.string("ElementName")) {
        Some(n) if !n.trim().is_empty() => n,
        _ => id.clone(),
    };
    st.masking.views.push(ViewRec {
        id: id.clone(),
        name,
        groups: Some([img, tmg, dmg]),
        initiators: Vec::new(),
        ports: Vec::new(),
        units: Vec::new(),
    });
    st.masking.sync_units(&wanted);
    let p = st.view_path(&id);
    Ok((0, vec![out_ref("ProtocolController", p.clone())], Some(p)))
}

fn delete_view(st: &mut State, c: &Call) -> R<Done> {
    let Some(p) = param!(c.p.path("ProtocolController")) else {
        return Ok(fail(5));
    };
    let Some(i) = find_view(st, &c.ns, &p) else {
        return Ok(fail(5));
    };
    let Some(groups) = st.masking.views[i].groups.clone() else {
        return Ok(fail(5));
    };
    let flag = match c.p.get("DeleteWhenBecomesUnassociated") {
        Some(_) => Some(param!(boolean(&c.p, "DeleteWhenBecomesUnassociated"))),
        None => None,
    };
    st.masking.views.remove(i);
    for g in groups {
        let del = st
            .masking
            .group(&g)
            .is_some_and(|x| flag.unwrap_or(x.delete_when_unassociated));
        if del && !st.masking.group_in_view(&g) {
            st.masking.groups.retain(|x| x.id != g);
        }
    }
    Ok(fail(0))
}

// ----- ExposePaths / HidePaths -----

/// Parsed ExposePaths/HidePaths arguments.
struct Paths {
    view: Option<usize>,
    lus: Option<Vec<String>>,
    inits: Option<Vec<String>>,
    tgts: Option<Vec<String>>,
}

/// Resolves the common arguments; `Err(code)` for a failure return value.
fn paths_args(st: &mut State, c: &Call, create_ids: bool) -> Result<Paths, u32> {
    let pcs = c.p.paths("ProtocolControllers").map_err(|_| 5u32)?;
    if pcs.len() > 1 {
        return Err(5);
    }
    let view = match pcs.first() {
        None => None,
        Some(p) => {
            let i = find_view(st, &c.ns, p).ok_or(5u32)?;
            if st.masking.views[i].groups.is_some() {
                return Err(5);
            }
            Some(i)
        }
    };
    let non_empty = |v: Option<Vec<String>>| v.filter(|x| !x.is_empty());
    let lus = non_empty(strings(&c.p, "LUNames").map_err(|_| 5u32)?);
    let lus = match lus {
        None => None,
        Some(names) => {
            let mut out = Vec::new();
            for n in names {
                let v = st
                    .volumes
                    .iter()
                    .find(|v| {
                        v.naa.eq_ignore_ascii_case(n.trim()) || v.id.eq_ignore_ascii_case(n.trim())
                    })
                    .ok_or(4097u32)?;
                out.push(v.id.clone());
            }
            Some(out)
        }
    };
    let inits = match non_empty(strings(&c.p, "InitiatorPortIDs").map_err(|_| 5u32)?) {
        None => None,
        Some(ids) => {
            let mut out = Vec::new();
            for raw in ids {
                let (canon, ty) = canonical_initiator(&raw).ok_or(4098u32)?;
                let id = match st.masking.hwid_by_storage_id(&canon) {
                    Some(h) => h.id.clone(),
                    None if create_ids => {
                        let id = st.masking.new_id("SHID");
                        st.masking.hwids.push(super::super::masking::HwIdRec {
                            id: id.clone(),
                            storage_id: canon,
                            id_type: ty,
                            name: None,
                        });
                        id
                    }
                    None => return Err(4098),
                };
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            Some(out)
        }
    };
    let tgts = match non_empty(strings(&c.p, "TargetPortIDs").map_err(|_| 5u32)?) {
        None => None,
        Some(ids) => {
            let eps = st.target_endpoints();
            let mut out = Vec::new();
            for t in ids {
                let e = eps
                    .iter()
                    .find(|e| e.0.eq_ignore_ascii_case(t.trim()))
                    .ok_or(4099u32)?;
                out.push(e.0.clone());
            }
            Some(out)
        }
    };
    Ok(Paths {
        view,
        lus,
        inits,
        tgts,
    })
}

/// True when an (initiator, target) pair of `inits` × `ports` is in a view other than
/// `except`.
fn pair_taken(st: &State, inits: &[String], ports: &[String], except: Option<usize>) -> bool {
    st.masking.views.iter().enumerate().any(|(i, v)| {
        Some(i) != except && {
            let vi = st.masking.view_initiators(v);
            let vp = st.masking.view_ports(v);
            inits.iter().any(|x| vi.contains(x)) && ports.iter().any(|x| vp.contains(x))
        }
    })
}

fn expose_paths(st: &mut State, c: &Call) -> R<Done> {
    let a = match paths_args(st, c, true) {
        Ok(a) => a,
        Err(code) => return Ok(fail(code)),
    };
    let n_lus = a.lus.as_ref().map_or(0, Vec::len);
    let access = param!(u16_list(&c.p, "DeviceAccesses")).unwrap_or_default();
    let dns = param!(strings(&c.p, "DeviceNumbers")).filter(|d| !d.is_empty());
    if n_lus > 0 && access.len() != n_lus || n_lus == 0 && !access.is_empty() {
        return Ok(fail(5));
    }
    if access.iter().any(|x| !matches!(x, 2..=4)) {
        return Ok(fail(4100));
    }
    let luns: Option<Vec<u32>> = match dns {
        None => None,
        Some(d) => {
            if d.len() != n_lus {
                return Ok(fail(5));
            }
            let mut v = Vec::new();
            for s in d {
                match parse_lun(&s) {
                    Some(l) => v.push(l),
                    None => return Ok(fail(5)),
                }
            }
            Some(v)
        }
    };
    let i = match a.view {
        Some(i) => {
            let set = [a.lus.is_some(), a.inits.is_some(), a.tgts.is_some()];
            if set.iter().filter(|x| **x).count() != 1 {
                return Ok(fail(5));
            }
            if let Some(inits) = &a.inits {
                let v = &st.masking.views[i];
                if inits.iter().any(|x| v.initiators.contains(x))
                    || pair_taken(st, inits, &v.ports.clone(), Some(i))
                {
                    return Ok(fail(4101));
                }
                st.masking.views[i].initiators.extend(inits.iter().cloned());
            }
            if let Some(tgts) = &a.tgts {
                let v = &st.masking.views[i];
                if tgts.iter().any(|x| v.ports.contains(x))
                    || pair_taken(st, &v.initiators.clone(), tgts, Some(i))
                {
                    return Ok(fail(4101));
                }
                st.masking.views[i].ports.extend(tgts.iter().cloned());
            }
            i
        }
        None => {
            let Some(inits) = a.inits.clone() else {
                return Ok(fail(5));
            };
            let ports = match &a.tgts {
                Some(t) => t.clone(),
                None => st.target_endpoints().into_iter().map(|e| e.0).collect(),
            };
            if pair_taken(st, &inits, &ports, None) {
                return Ok(fail(4101));
            }
            let id = st
                .masking
                .new_id("SPC")
                .replace("SIMS:", "")
                .replace(':', "-");
            let name = match param!(c.p.string("ElementName")) {
                Some(n) if !n.trim().is_empty() => n,
                _ => id.clone(),
            };
            st.masking.views.push(ViewRec {
                id,
                name,
                groups: None,
                initiators: inits,
                ports,
                units: Vec::new(),
            });
            st.masking.views.len() - 1
        }
    };
    if let Some(lus) = &a.lus {
        for (k, vol) in lus.iter().enumerate() {
            let v = &mut st.masking.views[i];
            if v.units.iter().any(|u| &u.vol == vol) {
                return Ok(fail(4101));
            }
            let lun = match &luns {
                Some(l) => l[k],
                None => free_lun(&v.units),
            };
            if v.units.iter().any(|u| u.lun == lun) {
                return Ok(fail(4102));
            }
            v.units.push(UnitRec {
                vol: vol.clone(),
                lun,
                access: access[k],
            });
        }
    }
    let p = st.view_path(&st.masking.views[i].id);
    Ok((
        0,
        vec![ParamValue::new("ProtocolControllers", vec![p.clone()])],
        Some(p),
    ))
}

fn hide_paths(st: &mut State, c: &Call) -> R<Done> {
    let a = match paths_args(st, c, false) {
        Ok(a) => a,
        Err(code) => return Ok(fail(code)),
    };
    let Some(i) = a.view else {
        return Ok(fail(5));
    };
    let set = [a.lus.is_some(), a.inits.is_some(), a.tgts.is_some()];
    if set.iter().filter(|x| **x).count() != 1 {
        return Ok(fail(5));
    }
    let v = &mut st.masking.views[i];
    if let Some(lus) = &a.lus {
        if lus.iter().any(|l| !v.units.iter().any(|u| &u.vol == l)) {
            return Ok(fail(4100));
        }
        v.units.retain(|u| !lus.contains(&u.vol));
    }
    if let Some(inits) = &a.inits {
        if inits.iter().any(|x| !v.initiators.contains(x)) {
            return Ok(fail(4100));
        }
        v.initiators.retain(|x| !inits.contains(x));
    }
    if let Some(tgts) = &a.tgts {
        if tgts.iter().any(|x| !v.ports.contains(x)) {
            return Ok(fail(4100));
        }
        v.ports.retain(|x| !tgts.contains(x));
    }
    let (id, gone) = (v.id.clone(), v.initiators.is_empty() || v.ports.is_empty());
    let p = st.view_path(&id);
    if gone {
        st.masking.views.remove(i);
        return Ok((0, Vec::new(), None));
    }
    Ok((
        0,
        vec![ParamValue::new("ProtocolControllers", vec![p])],
        None,
    ))
}

fn delete_pc(st: &mut State, c: &Call) -> R<Done> {
    let Some(p) = param!(c.p.path("ProtocolController")) else {
        return Ok(fail(5));
    };
    match find_view(st, &c.ns, &p) {
        Some(i) if st.masking.views[i].groups.is_none() => {
            st.masking.views.remove(i);
            Ok(fail(0))
        }
        _ => Ok(fail(5)),
    }
}
