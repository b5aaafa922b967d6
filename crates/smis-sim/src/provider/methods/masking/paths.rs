//! CIM_ControllerConfigurationService (SNIA SMI-S 1.8 Masking and Mapping): ExposePaths,
//! ExposePathsWithNameAndHostType, HidePaths and DeleteProtocolController.

use smis::message::ParamValue;

use super::groups::find_view;
use super::{Call, Done, R, State, fail, parse_lun, strings, u16_list};
use crate::masking_spec::canonical_initiator;
use crate::provider::masking::{UnitRec, ViewRec, free_lun};

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
                        st.masking.hwids.push(crate::provider::masking::HwIdRec {
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

pub(super) fn expose_paths(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn hide_paths(st: &mut State, c: &Call) -> R<Done> {
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

pub(super) fn delete_pc(st: &mut State, c: &Call) -> R<Done> {
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
