//! Intrinsic operations: instances, associations, query, classes, qualifiers and pull
//! enumerations.

use std::time::Duration;

use smis::cim::{CimName, CimValue, Instance, ObjectPath};
use smis::message::{CimObject, IReturn, Intrinsic, PullOptions, PullResult};

use super::classes::{qualifier_decls, shape_class};
use super::state::{EnumContext, EnumItems, State};
use super::wql::run_query;
use super::{CimErr, status};

/// Default OperationTimeout of pull enumeration contexts.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

type R<T> = Result<T, CimErr>;

fn not_supported(what: &str) -> CimErr {
    CimErr::new(status::NOT_SUPPORTED, format!("{what} is not supported"))
}

fn norm_ns(ns: &str) -> &str {
    ns.trim_matches('/')
}

fn check_class(st: &State, name: &str) -> R<()> {
    if st.repo.exists(name) {
        Ok(())
    } else {
        Err(CimErr::new(
            status::INVALID_CLASS,
            format!("class {name} does not exist"),
        ))
    }
}

/// Optional class parameters (AssocClass, ResultClass) must name served classes.
pub(super) fn check_filter_class(st: &State, name: Option<&CimName>, param: &str) -> R<()> {
    match name {
        Some(n) if !st.repo.exists(n.as_str()) => Err(CimErr::new(
            status::INVALID_PARAMETER,
            format!("{param} {n} is not a known class"),
        )),
        _ => Ok(()),
    }
}

fn value_eq(st: &State, a: &CimValue, b: &CimValue, ns: &str) -> bool {
    match (a, b) {
        (CimValue::Reference(x), CimValue::Reference(y)) => path_eq(st, x, y, ns),
        (CimValue::String(x), CimValue::Reference(y))
        | (CimValue::Reference(y), CimValue::String(x)) => {
            ObjectPath::parse(x).is_ok_and(|p| path_eq(st, &p, y, ns))
        }
        _ => match (a.as_i128(), b.as_i128()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// True when `have` (a served instance path) is the instance `want` names. Class names
/// match along the inheritance chain; a missing namespace means `ns`.
pub(super) fn path_eq(st: &State, have: &ObjectPath, want: &ObjectPath, ns: &str) -> bool {
    let hn = have.namespace.as_deref().map(norm_ns).unwrap_or(ns);
    let wn = want.namespace.as_deref().map(norm_ns).unwrap_or(ns);
    if !hn.eq_ignore_ascii_case(wn) {
        return false;
    }
    let (hc, wc) = (have.class_name.as_str(), want.class_name.as_str());
    if !(st.repo.is_a(hc, wc) || st.repo.is_a(wc, hc)) {
        return false;
    }
    have.keys.len() == want.keys.len()
        && want.keys.iter().all(|k| {
            have.keys
                .iter()
                .any(|h| h.name == k.name && value_eq(st, &h.value, &k.value, ns))
        })
}

pub(super) fn filter_props(mut inst: Instance, list: Option<&[CimName]>) -> Instance {
    if let Some(list) = list {
        inst.properties.retain(|p| list.contains(&p.name));
    }
    inst
}

/// Instances of `class` (and subclasses) in `ns`.
pub(super) fn enumerate(
    st: &State,
    ns: &str,
    class: &str,
    deep: bool,
    list: Option<&[CimName]>,
) -> R<Vec<Instance>> {
    check_class(st, class)?;
    let decl = st.repo.get(class).cloned();
    Ok(st
        .instances(ns)
        .into_iter()
        .filter(|i| st.repo.is_a(i.class_name.as_str(), class))
        .map(|mut i| {
            if !deep && let Some(d) = &decl {
                i.properties
                    .retain(|p| d.property(p.name.as_str()).is_some());
            }
            filter_props(i, list)
        })
        .collect())
}

/// The instance at `path` in `ns`.
pub(super) fn get_instance(st: &State, ns: &str, path: &ObjectPath) -> R<Instance> {
    check_class(st, path.class_name.as_str())?;
    let target_ns = path.namespace.as_deref().map(norm_ns).unwrap_or(ns);
    st.instances(target_ns)
        .into_iter()
        .find(|i| i.path.as_ref().is_some_and(|p| path_eq(st, p, path, ns)))
        .ok_or_else(|| CimErr::new(status::NOT_FOUND, format!("no instance {path}")))
}

struct AssocFilter<'a> {
    assoc_class: Option<&'a CimName>,
    result_class: Option<&'a CimName>,
    role: Option<&'a str>,
    result_role: Option<&'a str>,
}

/// Association instances referring to `obj` (with the role filter), and for each the
/// far-end references (with ResultRole); `obj` must exist.
fn walk(
    st: &State,
    ns: &str,
    obj: &ObjectPath,
    f: &AssocFilter,
) -> R<Vec<(Instance, Vec<ObjectPath>)>> {
    if obj.is_class() {
        return Err(not_supported("class-level association traversal"));
    }
    check_filter_class(st, f.assoc_class, "AssocClass")?;
    check_filter_class(st, f.result_class, "ResultClass")?;
    get_instance(st, ns, obj)?;
    let mut out = Vec::new();
    for a in st.instances(ns) {
        if !st.repo.is_association(a.class_name.as_str()) {
            continue;
        }
        if let Some(ac) = f.assoc_class
            && !st.repo.is_a(a.class_name.as_str(), ac.as_str())
        {
            continue;
        }
        let refs: Vec<(&CimName, &ObjectPath)> = a
            .properties
            .iter()
            .filter_map(|p| match &p.value {
                Some(CimValue::Reference(r)) => Some((&p.name, r.as_ref())),
                _ => None,
            })
            .collect();
        let near: Vec<&CimName> = refs
            .iter()
            .filter(|(n, r)| {
                path_eq(st, r, obj, ns) && f.role.is_none_or(|role| n.eq_ignore_case(role))
            })
            .map(|(n, _)| *n)
            .collect();
        if near.is_empty() {
            continue;
        }
        let far: Vec<ObjectPath> = refs
            .iter()
            .filter(|(n, _)| !near.contains(n))
            .filter(|(n, _)| f.result_role.is_none_or(|rr| n.eq_ignore_case(rr)))
            .map(|(_, r)| (*r).clone())
            .collect();
        out.push((a, far));
    }
    Ok(out)
}

/// A signature of an instance path for hashing: namespace and sorted keys (class names
/// are left out because clients may name a superclass; candidates are then confirmed with
/// [`path_eq`]).
fn key_sig(p: &ObjectPath, ns: &str) -> String {
    let mut keys: Vec<String> = p
        .keys
        .iter()
        .map(|k| {
            let v = match &k.value {
                CimValue::Reference(r) => format!("<{}>", key_sig(r, ns)),
                v => match v.as_i128() {
                    Some(i) => i.to_string(),
                    None => v.format_scalar().unwrap_or_default(),
                },
            };
            format!("{}={v}", k.name.as_str().to_ascii_lowercase())
        })
        .collect();
    keys.sort();
    let pns = p.namespace.as_deref().map(norm_ns).unwrap_or(ns);
    format!("{}:{}", pns.to_ascii_lowercase(), keys.join(","))
}

fn associator_paths(st: &State, ns: &str, obj: &ObjectPath, f: &AssocFilter) -> R<Vec<ObjectPath>> {
    let mut out: Vec<ObjectPath> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (_, far) in walk(st, ns, obj, f)? {
        for p in far {
            if let Some(rc) = f.result_class
                && !st.repo.is_a(p.class_name.as_str(), rc.as_str())
            {
                continue;
            }
            if seen.insert(key_sig(&p, ns)) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

fn associators(
    st: &State,
    ns: &str,
    obj: &ObjectPath,
    f: &AssocFilter,
    list: Option<&[CimName]>,
) -> R<Vec<Instance>> {
    let paths = associator_paths(st, ns, obj, f)?;
    // Render each namespace once and index it.
    let mut rendered: std::collections::HashMap<
        String,
        std::collections::HashMap<String, Vec<Instance>>,
    > = std::collections::HashMap::new();
    let mut out = Vec::new();
    for p in paths {
        // The far end may live in another namespace (ElementConformsToProfile).
        let pns = p
            .namespace
            .as_deref()
            .map(norm_ns)
            .unwrap_or(ns)
            .to_ascii_lowercase();
        let index = rendered.entry(pns.clone()).or_insert_with(|| {
            let mut m: std::collections::HashMap<String, Vec<Instance>> =
                std::collections::HashMap::new();
            for i in st.instances(&pns) {
                if let Some(ip) = &i.path {
                    m.entry(key_sig(ip, &pns)).or_default().push(i.clone());
                }
            }
            m
        });
        if let Some(found) = index.get(&key_sig(&p, ns)).and_then(|c| {
            c.iter()
                .find(|i| i.path.as_ref().is_some_and(|ip| path_eq(st, ip, &p, ns)))
        }) {
            out.push(filter_props(found.clone(), list));
        }
    }
    Ok(out)
}

fn references(
    st: &State,
    ns: &str,
    obj: &ObjectPath,
    result_class: Option<&CimName>,
    role: Option<&str>,
    list: Option<&[CimName]>,
) -> R<Vec<Instance>> {
    let f = AssocFilter {
        assoc_class: result_class,
        result_class: None,
        role,
        result_role: None,
    };
    Ok(walk(st, ns, obj, &f)?
        .into_iter()
        .map(|(a, _)| filter_props(a, list))
        .collect())
}

fn paths_of(v: Vec<Instance>) -> Vec<ObjectPath> {
    v.into_iter().filter_map(|i| i.path).collect()
}

fn objects(v: Vec<Instance>) -> Vec<CimObject> {
    v.into_iter().map(CimObject::Instance).collect()
}

// ----- pull -----

fn open(st: &mut State, ns: &str, pull: &PullOptions, items: EnumItems) -> R<IReturn> {
    let timeout = match pull.operation_timeout {
        None => Some(DEFAULT_OPERATION_TIMEOUT),
        Some(0) => None,
        Some(s) => Some(Duration::from_secs(u64::from(s))),
    };
    let id = format!("SIMS-ENUM-{}", st.next_context);
    st.next_context += 1;
    st.contexts.insert(
        id.clone(),
        EnumContext {
            items,
            pos: 0,
            timeout,
            last_used: st.now,
            namespace: ns.to_string(),
        },
    );
    page(st, &id, pull.max_object_count.unwrap_or(0))
}

fn check_pull_options(st: &State, pull: &PullOptions) -> R<()> {
    if st.scenario.quirks.pull_fails_with_cim_err_failed {
        return Err(CimErr::new(status::FAILED, "invalid imethodcall XML"));
    }
    if pull.filter_query.is_some() || pull.filter_query_language.is_some() {
        return Err(CimErr::new(
            status::FILTERED_ENUMERATION_NOT_SUPPORTED,
            "filtered enumerations are not supported",
        ));
    }
    if pull.continue_on_error == Some(true) {
        return Err(CimErr::new(
            status::CONTINUATION_ON_ERROR_NOT_SUPPORTED,
            "ContinueOnError is not supported",
        ));
    }
    Ok(())
}

fn page(st: &mut State, id: &str, max: u32) -> R<IReturn> {
    let now = st.now;
    let ctx = st.contexts.get_mut(id).ok_or_else(|| {
        CimErr::new(
            status::INVALID_ENUMERATION_CONTEXT,
            format!("enumeration context {id} is invalid, closed or expired"),
        )
    })?;
    ctx.last_used = now;
    let start = ctx.pos;
    let end = (start + max as usize).min(ctx.items.len());
    ctx.pos = end;
    let eos = end >= ctx.items.len();
    let context = if eos { None } else { Some(id.to_string()) };
    let ret = match &ctx.items {
        EnumItems::WithPath(v) | EnumItems::Instances(v) => IReturn::PullInstances(PullResult {
            items: v[start..end].to_vec(),
            end_of_sequence: eos,
            enumeration_context: context,
        }),
        EnumItems::Paths(v) => IReturn::PullPaths(PullResult {
            items: v[start..end].to_vec(),
            end_of_sequence: eos,
            enumeration_context: context,
        }),
    };
    if eos {
        st.contexts.remove(id);
    }
    Ok(ret)
}

fn pull(st: &mut State, ns: &str, id: &str, max: u32, want: &str) -> R<IReturn> {
    let ctx = st.contexts.get(id).ok_or_else(|| {
        CimErr::new(
            status::INVALID_ENUMERATION_CONTEXT,
            format!("enumeration context {id} is invalid, closed or expired"),
        )
    })?;
    let ok = matches!(
        (&ctx.items, want),
        (EnumItems::WithPath(_), "with_path")
            | (EnumItems::Paths(_), "paths")
            | (EnumItems::Instances(_), "instances")
    );
    if !ok || !ctx.namespace.eq_ignore_ascii_case(ns) {
        return Err(CimErr::new(
            status::INVALID_PARAMETER,
            format!("enumeration context {id} was not opened for this pull operation or namespace"),
        ));
    }
    page(st, id, max)
}

// ----- dispatch -----

pub(super) fn intrinsic(st: &mut State, ns: &str, op: &Intrinsic) -> R<IReturn> {
    use Intrinsic::*;
    let ns = st.served_namespace(ns).ok_or_else(|| {
        CimErr::new(
            status::INVALID_NAMESPACE,
            format!("namespace {ns} does not exist"),
        )
    })?;
    let ns = ns.as_str();
    let st_ref: &State = st;
    if let Some(r) = super::class_assoc::answer(st_ref, ns, op) {
        return r;
    }
    Ok(match op {
        GetInstance {
            instance_name,
            property_list,
            ..
        } => IReturn::Instance(filter_props(
            get_instance(st_ref, ns, instance_name)?,
            property_list.as_deref(),
        )),
        EnumerateInstances {
            class_name,
            deep_inheritance,
            property_list,
            ..
        } => IReturn::Instances(enumerate(
            st_ref,
            ns,
            class_name.as_str(),
            deep_inheritance.unwrap_or(true),
            property_list.as_deref(),
        )?),
        EnumerateInstanceNames { class_name } => IReturn::InstanceNames(paths_of(enumerate(
            st_ref,
            ns,
            class_name.as_str(),
            true,
            None,
        )?)),
        CreateInstance { new_instance } => {
            check_class(st_ref, new_instance.class_name.as_str())?;
            return Err(not_supported("CreateInstance"));
        }
        ModifyInstance {
            modified_instance, ..
        } => {
            check_class(st_ref, modified_instance.class_name.as_str())?;
            return Err(not_supported("ModifyInstance"));
        }
        DeleteInstance { instance_name } => {
            let inst = get_instance(st_ref, ns, instance_name)?;
            if !st.repo.is_a(inst.class_name.as_str(), "CIM_ConcreteJob") {
                return Err(not_supported(&format!(
                    "DeleteInstance of {}",
                    inst.class_name
                )));
            }
            let num = inst
                .value("InstanceID")
                .and_then(|v| v.as_str())
                .and_then(State::job_num)
                .ok_or_else(|| CimErr::new(status::NOT_FOUND, "no such job"))?;
            let finished = st.job(num).is_some_and(|j| st.job_view(j).finished());
            if !finished {
                return Err(CimErr::new(
                    status::FAILED,
                    "the job is still running; terminate it first (RequestStateChange 4)",
                ));
            }
            st.jobs.retain(|j| j.num != num);
            IReturn::Nothing
        }
        Associators {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
            property_list,
            ..
        } => IReturn::Objects(objects(associators(
            st_ref,
            ns,
            object_name,
            &AssocFilter {
                assoc_class: assoc_class.as_ref(),
                result_class: result_class.as_ref(),
                role: role.as_deref(),
                result_role: result_role.as_deref(),
            },
            property_list.as_deref(),
        )?)),
        AssociatorNames {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
        } => IReturn::ObjectPaths(associator_paths(
            st_ref,
            ns,
            object_name,
            &AssocFilter {
                assoc_class: assoc_class.as_ref(),
                result_class: result_class.as_ref(),
                role: role.as_deref(),
                result_role: result_role.as_deref(),
            },
        )?),
        References {
            object_name,
            result_class,
            role,
            property_list,
            ..
        } => IReturn::Objects(objects(references(
            st_ref,
            ns,
            object_name,
            result_class.as_ref(),
            role.as_deref(),
            property_list.as_deref(),
        )?)),
        ReferenceNames {
            object_name,
            result_class,
            role,
        } => IReturn::ObjectPaths(paths_of(references(
            st_ref,
            ns,
            object_name,
            result_class.as_ref(),
            role.as_deref(),
            None,
        )?)),
        ExecQuery {
            query_language,
            query,
        } => IReturn::Objects(objects(run_query(st_ref, ns, query_language, query)?)),
        GetClass {
            class_name,
            local_only,
            include_qualifiers,
            include_class_origin,
            property_list,
        } => {
            check_class(st_ref, class_name.as_str())?;
            let c = st.repo.get(class_name.as_str()).ok_or_else(|| {
                CimErr::new(
                    status::INVALID_CLASS,
                    format!("class {class_name} does not exist"),
                )
            })?;
            IReturn::Class(shape_class(
                c,
                local_only.unwrap_or(true),
                include_qualifiers.unwrap_or(true),
                include_class_origin.unwrap_or(false),
                property_list.as_deref(),
            ))
        }
        EnumerateClasses {
            class_name,
            deep_inheritance,
            local_only,
            include_qualifiers,
            include_class_origin,
        } => {
            if let Some(c) = class_name {
                check_class(st_ref, c.as_str())?;
            }
            IReturn::Classes(
                st.repo
                    .subclasses(
                        class_name.as_ref().map(|c| c.as_str()),
                        deep_inheritance.unwrap_or(false),
                    )
                    .into_iter()
                    .map(|c| {
                        shape_class(
                            c,
                            local_only.unwrap_or(true),
                            include_qualifiers.unwrap_or(true),
                            include_class_origin.unwrap_or(false),
                            None,
                        )
                    })
                    .collect(),
            )
        }
        EnumerateClassNames {
            class_name,
            deep_inheritance,
        } => {
            if let Some(c) = class_name {
                check_class(st_ref, c.as_str())?;
            }
            IReturn::ClassNames(
                st.repo
                    .subclasses(
                        class_name.as_ref().map(|c| c.as_str()),
                        deep_inheritance.unwrap_or(false),
                    )
                    .into_iter()
                    .map(|c| c.name.clone())
                    .collect(),
            )
        }
        CreateClass { .. } => return Err(not_supported("CreateClass")),
        ModifyClass { .. } => return Err(not_supported("ModifyClass")),
        DeleteClass { class_name } => {
            check_class(st_ref, class_name.as_str())?;
            return Err(not_supported("DeleteClass"));
        }
        GetQualifier { qualifier_name } => IReturn::QualifierDecl(
            qualifier_decls()
                .into_iter()
                .find(|q| q.name == *qualifier_name)
                .ok_or_else(|| {
                    CimErr::new(status::NOT_FOUND, format!("no qualifier {qualifier_name}"))
                })?,
        ),
        SetQualifier { .. } => return Err(not_supported("SetQualifier")),
        DeleteQualifier { .. } => return Err(not_supported("DeleteQualifier")),
        EnumerateQualifiers => IReturn::QualifierDecls(qualifier_decls()),
        OpenEnumerateInstances {
            class_name,
            deep_inheritance,
            property_list,
            pull,
            ..
        } => {
            check_pull_options(st_ref, pull)?;
            let v = enumerate(
                st_ref,
                ns,
                class_name.as_str(),
                deep_inheritance.unwrap_or(true),
                property_list.as_deref(),
            )?;
            open(st, ns, pull, EnumItems::WithPath(v))?
        }
        OpenEnumerateInstancePaths { class_name, pull } => {
            check_pull_options(st_ref, pull)?;
            let v = paths_of(enumerate(st_ref, ns, class_name.as_str(), true, None)?);
            open(st, ns, pull, EnumItems::Paths(v))?
        }
        OpenAssociatorInstances {
            instance_name,
            assoc_class,
            result_class,
            role,
            result_role,
            property_list,
            pull,
            ..
        } => {
            check_pull_options(st_ref, pull)?;
            let v = associators(
                st_ref,
                ns,
                instance_name,
                &AssocFilter {
                    assoc_class: assoc_class.as_ref(),
                    result_class: result_class.as_ref(),
                    role: role.as_deref(),
                    result_role: result_role.as_deref(),
                },
                property_list.as_deref(),
            )?;
            open(st, ns, pull, EnumItems::WithPath(v))?
        }
        OpenAssociatorInstancePaths {
            instance_name,
            assoc_class,
            result_class,
            role,
            result_role,
            pull,
        } => {
            check_pull_options(st_ref, pull)?;
            let v = associator_paths(
                st_ref,
                ns,
                instance_name,
                &AssocFilter {
                    assoc_class: assoc_class.as_ref(),
                    result_class: result_class.as_ref(),
                    role: role.as_deref(),
                    result_role: result_role.as_deref(),
                },
            )?;
            open(st, ns, pull, EnumItems::Paths(v))?
        }
        OpenReferenceInstances {
            instance_name,
            result_class,
            role,
            property_list,
            pull,
            ..
        } => {
            check_pull_options(st_ref, pull)?;
            let v = references(
                st_ref,
                ns,
                instance_name,
                result_class.as_ref(),
                role.as_deref(),
                property_list.as_deref(),
            )?;
            open(st, ns, pull, EnumItems::WithPath(v))?
        }
        OpenReferenceInstancePaths {
            instance_name,
            result_class,
            role,
            pull,
        } => {
            check_pull_options(st_ref, pull)?;
            let v = paths_of(references(
                st_ref,
                ns,
                instance_name,
                result_class.as_ref(),
                role.as_deref(),
                None,
            )?);
            open(st, ns, pull, EnumItems::Paths(v))?
        }
        OpenQueryInstances {
            filter_query,
            filter_query_language,
            operation_timeout,
            continue_on_error,
            max_object_count,
            ..
        } => {
            let mut pull = PullOptions::default();
            pull.operation_timeout = *operation_timeout;
            pull.continue_on_error = *continue_on_error;
            pull.max_object_count = *max_object_count;
            check_pull_options(st_ref, &pull)?;
            let v = run_query(st_ref, ns, filter_query_language, filter_query)?
                .into_iter()
                .map(|mut i| {
                    i.path = None;
                    i
                })
                .collect();
            open(st, ns, &pull, EnumItems::Instances(v))?
        }
        PullInstancesWithPath {
            enumeration_context,
            max_object_count,
        } => pull(st, ns, enumeration_context, *max_object_count, "with_path")?,
        PullInstancePaths {
            enumeration_context,
            max_object_count,
        } => pull(st, ns, enumeration_context, *max_object_count, "paths")?,
        PullInstances {
            enumeration_context,
            max_object_count,
        } => pull(st, ns, enumeration_context, *max_object_count, "instances")?,
        CloseEnumeration {
            enumeration_context,
        } => {
            if st.contexts.remove(enumeration_context.as_str()).is_none() {
                return Err(CimErr::new(
                    status::INVALID_ENUMERATION_CONTEXT,
                    format!(
                        "enumeration context {enumeration_context} is invalid, closed or expired"
                    ),
                ));
            }
            IReturn::Nothing
        }
        // An operation this provider does not implement (the enum grows with DSP0200).
        other => return Err(not_supported(other.name())),
    })
}
