//! Class-level association traversal (DMTF DSP0200 Associators, AssociatorNames,
//! References and ReferenceNames with a class path as ObjectName): the answer is classes,
//! read from the class repository: association classes whose references accept the
//! source class, and the classes at their other ends.

use std::collections::HashSet;

use smis::cim::{CimClass, CimName, ObjectPath};
use smis::message::{CimObject, IReturn, Intrinsic};

use super::classes::shape_class;
use super::ops::check_filter_class;
use super::state::State;
use super::{CimErr, status};

type R<T> = Result<T, CimErr>;

/// One association class and the classes at the far ends (after Role/ResultRole).
struct Link<'a> {
    assoc: &'a CimClass,
    far: Vec<CimName>,
}

struct Filter<'a> {
    assoc_class: Option<&'a CimName>,
    result_class: Option<&'a CimName>,
    role: Option<&'a str>,
    result_role: Option<&'a str>,
}

/// True when `a` and `b` are the same class or one derives from the other.
fn related(st: &State, a: &str, b: &str) -> bool {
    st.repo.is_a(a, b) || st.repo.is_a(b, a)
}

fn links<'a>(st: &'a State, source: &ObjectPath, f: &Filter) -> R<Vec<Link<'a>>> {
    let class = source.class_name.as_str();
    if !st.repo.exists(class) {
        return Err(CimErr::new(
            status::INVALID_PARAMETER,
            format!("ObjectName class {class} does not exist"),
        ));
    }
    check_filter_class(st, f.assoc_class, "AssocClass")?;
    check_filter_class(st, f.result_class, "ResultClass")?;
    let mut out = Vec::new();
    for assoc in st.repo.all() {
        if !st.repo.is_association(assoc.name.as_str())
            || f.assoc_class
                .is_some_and(|ac| !st.repo.is_a(assoc.name.as_str(), ac.as_str()))
        {
            continue;
        }
        let refs: Vec<(&CimName, &CimName)> = assoc
            .properties
            .iter()
            .filter_map(|p| p.reference_class().map(|rc| (&p.name, rc)))
            .collect();
        let near: Vec<&CimName> = refs
            .iter()
            .filter(|(n, rc)| {
                related(st, class, rc.as_str()) && f.role.is_none_or(|r| n.eq_ignore_case(r))
            })
            .map(|(n, _)| *n)
            .collect();
        if near.is_empty() {
            continue;
        }
        let far = refs
            .iter()
            .filter(|(n, _)| !near.contains(n) || near.len() > 1)
            .filter(|(n, _)| f.result_role.is_none_or(|r| n.eq_ignore_case(r)))
            .map(|(_, rc)| (*rc).clone())
            .filter(|rc| {
                f.result_class
                    .is_none_or(|want| st.repo.is_a(rc.as_str(), want.as_str()))
            })
            .collect();
        out.push(Link { assoc, far });
    }
    Ok(out)
}

fn class_path(ns: &str, name: &CimName) -> ObjectPath {
    ObjectPath::class(Some(ns), name.clone())
}

fn class_object(
    st: &State,
    ns: &str,
    name: &CimName,
    include_qualifiers: bool,
    include_class_origin: bool,
    list: Option<&[CimName]>,
) -> Option<CimObject> {
    let c = st.repo.get(name.as_str())?;
    let mut c = shape_class(c, false, include_qualifiers, include_class_origin, list);
    c.path = Some(class_path(ns, &c.name));
    Some(CimObject::Class(c))
}

fn far_classes(links: &[Link]) -> Vec<CimName> {
    let mut seen = HashSet::new();
    links
        .iter()
        .flat_map(|l| l.far.iter())
        .filter(|n| seen.insert(n.as_str().to_ascii_lowercase()))
        .cloned()
        .collect()
}

fn assoc_classes(links: &[Link]) -> Vec<CimName> {
    links.iter().map(|l| l.assoc.name.clone()).collect()
}

/// The answer to a class-level association operation, or None when `op` is not one.
pub(super) fn answer(st: &State, ns: &str, op: &Intrinsic) -> Option<R<IReturn>> {
    use Intrinsic::*;
    let objects = |names: Vec<CimName>,
                   iq: &Option<bool>,
                   ico: &Option<bool>,
                   list: &Option<Vec<CimName>>| {
        IReturn::Objects(
            names
                .iter()
                .filter_map(|n| {
                    class_object(
                        st,
                        ns,
                        n,
                        iq.unwrap_or(false),
                        ico.unwrap_or(false),
                        list.as_deref(),
                    )
                })
                .collect(),
        )
    };
    let paths = |names: Vec<CimName>| {
        IReturn::ObjectPaths(names.iter().map(|n| class_path(ns, n)).collect())
    };
    Some(match op {
        Associators {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
            include_qualifiers,
            include_class_origin,
            property_list,
        } if object_name.is_class() => {
            let f = Filter {
                assoc_class: assoc_class.as_ref(),
                result_class: result_class.as_ref(),
                role: role.as_deref(),
                result_role: result_role.as_deref(),
            };
            links(st, object_name, &f).map(|l| {
                objects(
                    far_classes(&l),
                    include_qualifiers,
                    include_class_origin,
                    property_list,
                )
            })
        }
        AssociatorNames {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
        } if object_name.is_class() => {
            let f = Filter {
                assoc_class: assoc_class.as_ref(),
                result_class: result_class.as_ref(),
                role: role.as_deref(),
                result_role: result_role.as_deref(),
            };
            links(st, object_name, &f).map(|l| paths(far_classes(&l)))
        }
        References {
            object_name,
            result_class,
            role,
            include_qualifiers,
            include_class_origin,
            property_list,
        } if object_name.is_class() => {
            let f = Filter {
                assoc_class: result_class.as_ref(),
                result_class: None,
                role: role.as_deref(),
                result_role: None,
            };
            links(st, object_name, &f).map(|l| {
                objects(
                    assoc_classes(&l),
                    include_qualifiers,
                    include_class_origin,
                    property_list,
                )
            })
        }
        ReferenceNames {
            object_name,
            result_class,
            role,
        } if object_name.is_class() => {
            let f = Filter {
                assoc_class: result_class.as_ref(),
                result_class: None,
                role: role.as_deref(),
                result_role: None,
            };
            links(st, object_name, &f).map(|l| paths(assoc_classes(&l)))
        }
        _ => return None,
    })
}
