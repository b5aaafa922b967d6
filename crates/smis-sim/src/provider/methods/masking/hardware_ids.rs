//! CIM_StorageHardwareIDManagementService (SNIA SMI-S 1.8 Storage Hardware ID Management):
//! CreateStorageHardwareID and DeleteStorageHardwareID.

use smis::cim::ObjectPath;
use smis::message::MethodReturn;

use super::{Call, R, State, out_ref, path_eq, rc, rc_with};
use crate::masking_spec::{canonical_iscsi, canonical_wwn};

pub(super) fn find_hwid(st: &State, ns: &str, p: &ObjectPath) -> Option<String> {
    st.masking
        .hwids
        .iter()
        .find(|h| path_eq(st, &st.hwid_path(&h.id), p, ns))
        .map(|h| h.id.clone())
}

pub(super) fn create_hwid(st: &mut State, c: &Call) -> R<MethodReturn> {
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
    st.masking.hwids.push(crate::provider::masking::HwIdRec {
        id: id.clone(),
        storage_id: canon,
        id_type,
        name,
    });
    rc_with(0, vec![out_ref("HardwareID", st.hwid_path(&id))])
}

pub(super) fn delete_hwid(st: &mut State, c: &Call) -> R<MethodReturn> {
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
