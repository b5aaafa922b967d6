//! CIM_GroupMaskingMappingService (SNIA SMI-S 1.8 Group Masking and Mapping): CreateGroup,
//! DeleteGroup, AddMembers, RemoveMembers, CreateMaskingView and DeleteMaskingView.

use smis::cim::ObjectPath;

use super::hardware_ids::find_hwid;
use super::{
    Call, Done, R, State, boolean, fail, find_volume, out_ref, parse_lun, path_eq, strings,
};
use crate::provider::masking::{GroupRec, ViewRec};

fn find_group(st: &State, ns: &str, p: &ObjectPath) -> Option<usize> {
    st.masking
        .groups
        .iter()
        .position(|g| path_eq(st, &st.group_path(g), p, ns))
}

pub(super) fn find_view(st: &State, ns: &str, p: &ObjectPath) -> Option<usize> {
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

pub(super) fn create_group(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn delete_group(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn add_members(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn remove_members(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn create_view(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn delete_view(st: &mut State, c: &Call) -> R<Done> {
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
