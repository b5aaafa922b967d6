//! One conformance case: the in-process transport, the typed operation call, the
//! request and outcome comparisons.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value as J};
use smis::cim::{ObjectPath, PathKind, normalize_namespace};
use smis::client::{
    AssociatorsOptions, EnumerateClassesOptions, EnumerateInstancesOptions, EnumerationContext,
    GetClassOptions, GetInstanceOptions, OpenOptions, ReferencesOptions,
};
use smis::message::{ParamValue, PullResult};
use smis::transport::{HttpRequest, HttpResponse, TlsFailure, Transport, TransportError};
use smis::xml::DecodeErrorKind;
use smis::{Client, Credentials, Error};

use smis::testkit::canon::{self, Rules};

use crate::{compare, neutral, to_neutral as tn};

/// The in-process transport of one case: records every request, answers with the canned
/// response or fails as the case's `transport_exception` says.
pub struct CaseTransport {
    response: J,
    endpoint: String,
    timeout: Duration,
    /// Requests received, in order.
    pub sent: Mutex<Vec<HttpRequest>>,
}

impl CaseTransport {
    fn answer(&self) -> Result<HttpResponse, TransportError> {
        let endpoint = self.endpoint();
        let r = &self.response;
        if r.is_null() {
            return Err(TransportError::Other(
                "the case has no response (no request was expected)".into(),
            ));
        }
        if let Some(k) = r.get("transport_exception").and_then(J::as_str) {
            return Err(match k {
                "requests_connection_error" => TransportError::Connect {
                    endpoint,
                    message: "connection refused (simulated)".into(),
                    source: None,
                },
                "requests_read_timeout" | "requests_retry_error" => TransportError::Timeout {
                    endpoint,
                    after: self.timeout,
                },
                "requests_ssl_error" => TransportError::Tls {
                    endpoint,
                    kind: TlsFailure::Protocol,
                    message: "TLS failure (simulated)".into(),
                    source: None,
                },
                other => TransportError::Other(format!("{other} (simulated)")),
            });
        }
        let status = r
            .get("status")
            .and_then(J::as_u64)
            .and_then(|s| StatusCode::from_u16(s as u16).ok())
            .ok_or_else(|| TransportError::Other("case response without a valid status".into()))?;
        let mut headers = HeaderMap::new();
        if let Some(h) = r.get("headers").and_then(J::as_object) {
            for (k, v) in h {
                let text = match v {
                    J::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_bytes(text.as_bytes()),
                ) {
                    headers.append(n, v);
                }
            }
        }
        let body = r.get("body").and_then(J::as_str).unwrap_or("");
        Ok(HttpResponse {
            status,
            headers,
            trailers: None,
            body: Bytes::copy_from_slice(body.as_bytes()),
        })
    }
}

impl Transport for CaseTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        if let Ok(mut s) = self.sent.lock() {
            s.push(request);
        }
        let r = self.answer();
        Box::pin(async move { r })
    }

    fn endpoint(&self) -> String {
        self.endpoint.clone()
    }
}

/// What the operation produced.
pub enum Outcome {
    /// A value (neutral form); operations returning nothing give `null`.
    Value(J),
    /// A pull result (neutral `pullresult` form).
    Pull(J),
    /// The library returned an error.
    Err(Error),
    /// The typed API cannot express the arguments (a Rust type refuses them: negative or
    /// non-integer MaxObjectCount, missing required argument, ...).
    Refused(String),
}

/// The verdict on one case.
pub struct Verdict {
    /// Outcome mismatch (None: the outcome matches).
    pub outcome: Option<String>,
    /// Request mismatch (None: the request matches).
    pub request: Option<String>,
}

// ----- argument mapping -----

type A = Map<String, J>;

fn arg<'a>(a: &'a A, k: &str) -> Option<&'a J> {
    a.get(k).filter(|v| !v.is_null())
}

fn bool_arg(a: &A, k: &str) -> Result<Option<bool>, String> {
    match arg(a, k) {
        None => Ok(None),
        Some(J::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(format!("{k} must be a boolean, got {v}")),
    }
}

fn str_arg(a: &A, k: &str) -> Result<Option<String>, String> {
    match arg(a, k) {
        None => Ok(None),
        Some(J::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("{k} must be a string, got {v}")),
    }
}

fn req_str(a: &A, k: &str) -> Result<String, String> {
    str_arg(a, k)?.ok_or_else(|| format!("{k} is required"))
}

fn u32_arg(a: &A, k: &str) -> Result<Option<u32>, String> {
    let Some(v) = arg(a, k) else { return Ok(None) };
    let v = if v.get("cimtype").is_some() {
        v.get("value").unwrap_or(&J::Null)
    } else {
        v
    };
    match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Ok(Some(n)),
        None => Err(format!(
            "{k} must be a non-negative 32-bit integer, got {v}"
        )),
    }
}

fn prop_list(a: &A) -> Result<Option<Vec<String>>, String> {
    match arg(a, "PropertyList") {
        None => Ok(None),
        Some(J::String(s)) => Ok(Some(vec![s.clone()])),
        Some(J::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("PropertyList item {i} is not a string"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(v) => Err(format!("bad PropertyList {v}")),
    }
}

/// A class-name argument: a string or a CIMClassName (whose namespace is returned too).
fn class_arg(a: &A, k: &str) -> Result<Option<(String, Option<String>)>, String> {
    match arg(a, k) {
        None => Ok(None),
        Some(J::String(s)) => Ok(Some((s.clone(), None))),
        Some(j) => {
            let p = neutral::path(j)?;
            Ok(Some((p.class_name.as_str().to_string(), p.namespace)))
        }
    }
}

fn ns_arg(a: &A) -> Result<Option<String>, String> {
    Ok(str_arg(a, "namespace")?.map(|s| normalize_namespace(&s)))
}

/// A path argument (CIMInstanceName, CIMClassName or a plain class name); the explicit
/// `namespace` argument fills a missing namespace.
fn path_arg(a: &A, k: &str) -> Result<ObjectPath, String> {
    let mut p = neutral::path(arg(a, k).ok_or_else(|| format!("{k} is required"))?)?;
    if p.namespace.is_none() {
        p.namespace = ns_arg(a)?;
    }
    Ok(p)
}

fn inst_path_arg(a: &A, k: &str) -> Result<ObjectPath, String> {
    let p = path_arg(a, k)?;
    if p.kind != PathKind::Instance {
        return Err(format!("{k} must be a CIMInstanceName"));
    }
    Ok(p)
}

fn class_and_ns(
    a: &A,
    k: &str,
    required: bool,
) -> Result<(Option<String>, Option<String>), String> {
    let c = class_arg(a, k)?;
    if required && c.is_none() {
        return Err(format!("{k} is required"));
    }
    let ns = ns_arg(a)?.or_else(|| c.as_ref().and_then(|c| c.1.clone()));
    Ok((c.map(|c| c.0), ns))
}

fn open_opts(a: &A) -> Result<OpenOptions, String> {
    let filter = match (
        str_arg(a, "FilterQueryLanguage")?,
        str_arg(a, "FilterQuery")?,
    ) {
        (Some(l), Some(q)) => Some((l, q)),
        (None, None) => None,
        _ => return Err("FilterQueryLanguage and FilterQuery go together".into()),
    };
    Ok({
        let mut o = OpenOptions::new();
        o.max_object_count = u32_arg(a, "MaxObjectCount")?;
        o.operation_timeout = u32_arg(a, "OperationTimeout")?;
        o.continue_on_error = bool_arg(a, "ContinueOnError")?;
        o.filter = filter;
        o
    })
}

fn assoc_opts(a: &A) -> Result<AssociatorsOptions, String> {
    Ok({
        let mut o = AssociatorsOptions::new();
        o.assoc_class = class_arg(a, "AssocClass")?.map(|c| c.0);
        o.result_class = class_arg(a, "ResultClass")?.map(|c| c.0);
        o.role = str_arg(a, "Role")?;
        o.result_role = str_arg(a, "ResultRole")?;
        o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
        o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
        o.property_list = prop_list(a)?;
        o
    })
}

fn ref_opts(a: &A) -> Result<ReferencesOptions, String> {
    Ok({
        let mut o = ReferencesOptions::new();
        o.result_class = class_arg(a, "ResultClass")?.map(|c| c.0);
        o.role = str_arg(a, "Role")?;
        o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
        o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
        o.property_list = prop_list(a)?;
        o
    })
}

fn context_arg(a: &A) -> Result<EnumerationContext, String> {
    let c = arg(a, "context")
        .and_then(J::as_array)
        .ok_or("context is required ([context string, namespace])")?;
    let context = c
        .first()
        .and_then(J::as_str)
        .ok_or("context string missing")?
        .to_string();
    let namespace = c
        .get(1)
        .and_then(J::as_str)
        .map(normalize_namespace)
        .ok_or("context namespace missing")?;
    Ok(EnumerationContext { context, namespace })
}

fn param(name: &str, v: &J) -> Result<ParamValue, String> {
    Ok(match neutral::value(v, None)? {
        Some(v) => ParamValue::new(name, v),
        None => ParamValue::null(name),
    })
}

fn pull_inst(r: (PullResult<smis::cim::Instance>, Option<EnumerationContext>)) -> Outcome {
    let (p, ctx) = r;
    Outcome::Pull(serde_json::json!({
        "context": ctx.map(|c| J::Array(vec![c.context.into(), c.namespace.into()])).unwrap_or(J::Null),
        "eos": p.end_of_sequence,
        "instances": p.items.iter().map(tn::instance).collect::<Vec<_>>(),
    }))
}

fn pull_paths(r: (PullResult<ObjectPath>, Option<EnumerationContext>)) -> Outcome {
    let (p, ctx) = r;
    Outcome::Pull(serde_json::json!({
        "context": ctx.map(|c| J::Array(vec![c.context.into(), c.namespace.into()])).unwrap_or(J::Null),
        "eos": p.end_of_sequence,
        "paths": p.items.iter().map(tn::path).collect::<Vec<_>>(),
    }))
}

fn list<T>(r: smis::Result<Vec<T>>, f: impl Fn(&T) -> J) -> Outcome {
    match r {
        Ok(v) => Outcome::Value(J::Array(v.iter().map(f).collect())),
        Err(e) => Outcome::Err(e),
    }
}

fn one<T>(r: smis::Result<T>, f: impl Fn(&T) -> J) -> Outcome {
    match r {
        Ok(v) => Outcome::Value(f(&v)),
        Err(e) => Outcome::Err(e),
    }
}

fn pulled<T>(r: smis::Result<T>, f: impl Fn(T) -> Outcome) -> Outcome {
    match r {
        Ok(v) => f(v),
        Err(e) => Outcome::Err(e),
    }
}

/// Runs `operation` with the neutral arguments through the typed client methods.
pub async fn run_op(client: &Client, operation: &str, a: &A) -> Outcome {
    match run_op_inner(client, operation, a).await {
        Ok(o) => o,
        Err(msg) => Outcome::Refused(msg),
    }
}

async fn run_op_inner(c: &Client, op: &str, a: &A) -> Result<Outcome, String> {
    let unit = |r: smis::Result<()>| match r {
        Ok(()) => Outcome::Value(J::Null),
        Err(e) => Outcome::Err(e),
    };
    Ok(match op {
        "GetInstance" => {
            let p = inst_path_arg(a, "InstanceName")?;
            let o = {
                let mut o = GetInstanceOptions::new();
                o.local_only = bool_arg(a, "LocalOnly")?;
                o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
                o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
                o.property_list = prop_list(a)?;
                o
            };
            one(c.get_instance(&p, &o).await, tn::instance)
        }
        "EnumerateInstances" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            let o = {
                let mut o = EnumerateInstancesOptions::new();
                o.namespace = ns;
                o.local_only = bool_arg(a, "LocalOnly")?;
                o.deep_inheritance = bool_arg(a, "DeepInheritance")?;
                o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
                o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
                o.property_list = prop_list(a)?;
                o
            };
            list(
                c.enumerate_instances(&cls.unwrap_or_default(), &o).await,
                tn::instance,
            )
        }
        "EnumerateInstanceNames" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            list(
                c.enumerate_instance_names(&cls.unwrap_or_default(), ns.as_deref())
                    .await,
                tn::path,
            )
        }
        "CreateInstance" => {
            let inst = neutral::instance(arg(a, "NewInstance").ok_or("NewInstance is required")?)?;
            let ns = ns_arg(a)?.or_else(|| inst.path.as_ref().and_then(|p| p.namespace.clone()));
            one(c.create_instance(ns.as_deref(), inst).await, tn::path)
        }
        "ModifyInstance" => {
            let mut inst = neutral::instance(
                arg(a, "ModifiedInstance").ok_or("ModifiedInstance is required")?,
            )?;
            if let (Some(p), Some(ns)) = (inst.path.as_mut(), ns_arg(a)?)
                && p.namespace.is_none()
            {
                p.namespace = Some(ns);
            }
            // IncludeQualifiers has no typed counterpart (deprecated in DSP0200).
            unit(c.modify_instance(inst, prop_list(a)?).await)
        }
        "DeleteInstance" => unit(c.delete_instance(&inst_path_arg(a, "InstanceName")?).await),
        "Associators" => {
            let p = path_arg(a, "ObjectName")?;
            list(c.associators(&p, &assoc_opts(a)?).await, tn::object)
        }
        "AssociatorNames" => {
            let p = path_arg(a, "ObjectName")?;
            list(c.associator_names(&p, &assoc_opts(a)?).await, tn::path)
        }
        "References" => {
            let p = path_arg(a, "ObjectName")?;
            list(c.references(&p, &ref_opts(a)?).await, tn::object)
        }
        "ReferenceNames" => {
            let p = path_arg(a, "ObjectName")?;
            list(c.reference_names(&p, &ref_opts(a)?).await, tn::path)
        }
        "ExecQuery" => {
            let ns = ns_arg(a)?;
            list(
                c.exec_query(
                    ns.as_deref(),
                    &req_str(a, "QueryLanguage")?,
                    &req_str(a, "Query")?,
                )
                .await,
                tn::object,
            )
        }
        "GetClass" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            let o = {
                let mut o = GetClassOptions::new();
                o.namespace = ns;
                o.local_only = bool_arg(a, "LocalOnly")?;
                o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
                o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
                o.property_list = prop_list(a)?;
                o
            };
            one(c.get_class(&cls.unwrap_or_default(), &o).await, tn::class)
        }
        "EnumerateClasses" | "EnumerateClassNames" => {
            let (cls, ns) = class_and_ns(a, "ClassName", false)?;
            let o = {
                let mut o = EnumerateClassesOptions::new();
                o.namespace = ns;
                o.class_name = cls;
                o.deep_inheritance = bool_arg(a, "DeepInheritance")?;
                o.local_only = bool_arg(a, "LocalOnly")?;
                o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
                o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
                o
            };
            if op == "EnumerateClasses" {
                list(c.enumerate_classes(&o).await, tn::class)
            } else {
                list(c.enumerate_class_names(&o).await, |n| {
                    J::String(n.as_str().into())
                })
            }
        }
        "CreateClass" | "ModifyClass" => {
            let k = if op == "CreateClass" {
                "NewClass"
            } else {
                "ModifiedClass"
            };
            let cls = neutral::class(arg(a, k).ok_or_else(|| format!("{k} is required"))?)?;
            let ns = ns_arg(a)?.or_else(|| cls.path.as_ref().and_then(|p| p.namespace.clone()));
            if op == "CreateClass" {
                unit(c.create_class(ns.as_deref(), cls).await)
            } else {
                unit(c.modify_class(ns.as_deref(), cls).await)
            }
        }
        "DeleteClass" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            unit(
                c.delete_class(ns.as_deref(), &cls.unwrap_or_default())
                    .await,
            )
        }
        "GetQualifier" => one(
            c.get_qualifier(ns_arg(a)?.as_deref(), &req_str(a, "QualifierName")?)
                .await,
            tn::qualifier_decl,
        ),
        "DeleteQualifier" => unit(
            c.delete_qualifier(ns_arg(a)?.as_deref(), &req_str(a, "QualifierName")?)
                .await,
        ),
        "SetQualifier" => {
            let q = neutral::qualifier_decl(
                arg(a, "QualifierDeclaration").ok_or("QualifierDeclaration is required")?,
            )?;
            unit(c.set_qualifier(ns_arg(a)?.as_deref(), q).await)
        }
        "EnumerateQualifiers" => list(
            c.enumerate_qualifiers(ns_arg(a)?.as_deref()).await,
            tn::qualifier_decl,
        ),
        "OpenEnumerateInstances" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            let o = {
                let mut o = EnumerateInstancesOptions::new();
                o.namespace = ns;
                o.local_only = bool_arg(a, "LocalOnly")?;
                o.deep_inheritance = bool_arg(a, "DeepInheritance")?;
                o.include_qualifiers = bool_arg(a, "IncludeQualifiers")?;
                o.include_class_origin = bool_arg(a, "IncludeClassOrigin")?;
                o.property_list = prop_list(a)?;
                o
            };
            let open = open_opts(a)?;
            pulled(
                c.open_enumerate_instances(&cls.unwrap_or_default(), &o, &open)
                    .await,
                pull_inst,
            )
        }
        "OpenEnumerateInstancePaths" => {
            let (cls, ns) = class_and_ns(a, "ClassName", true)?;
            let open = open_opts(a)?;
            pulled(
                c.open_enumerate_instance_paths(&cls.unwrap_or_default(), ns.as_deref(), &open)
                    .await,
                pull_paths,
            )
        }
        "OpenAssociatorInstances" => {
            let p = inst_path_arg(a, "InstanceName")?;
            pulled(
                c.open_associator_instances(&p, &assoc_opts(a)?, &open_opts(a)?)
                    .await,
                pull_inst,
            )
        }
        "OpenAssociatorInstancePaths" => {
            let p = inst_path_arg(a, "InstanceName")?;
            pulled(
                c.open_associator_instance_paths(&p, &assoc_opts(a)?, &open_opts(a)?)
                    .await,
                pull_paths,
            )
        }
        "OpenReferenceInstances" => {
            let p = inst_path_arg(a, "InstanceName")?;
            pulled(
                c.open_reference_instances(&p, &ref_opts(a)?, &open_opts(a)?)
                    .await,
                pull_inst,
            )
        }
        "OpenReferenceInstancePaths" => {
            let p = inst_path_arg(a, "InstanceName")?;
            pulled(
                c.open_reference_instance_paths(&p, &ref_opts(a)?, &open_opts(a)?)
                    .await,
                pull_paths,
            )
        }
        "OpenQueryInstances" => {
            // ReturnQueryResultClass has no typed counterpart (the query result class is
            // not returned by the typed API).
            let lang = req_str(a, "FilterQueryLanguage")?;
            let query = req_str(a, "FilterQuery")?;
            let mut open = open_opts(a)?;
            open.filter = None;
            pulled(
                c.open_query_instances(ns_arg(a)?.as_deref(), &lang, &query, &open)
                    .await,
                pull_inst,
            )
        }
        "PullInstancesWithPath" | "PullInstancePaths" | "PullInstances" => {
            let ctx = context_arg(a)?;
            let max = u32_arg(a, "MaxObjectCount")?.ok_or("MaxObjectCount is required")?;
            match op {
                "PullInstancesWithPath" => {
                    pulled(c.pull_instances_with_path(&ctx, max).await, pull_inst)
                }
                "PullInstancePaths" => pulled(c.pull_instance_paths(&ctx, max).await, pull_paths),
                _ => pulled(c.pull_instances(&ctx, max).await, pull_inst),
            }
        }
        "CloseEnumeration" => unit(c.close_enumeration(&context_arg(a)?).await),
        "InvokeMethod" => {
            let method = req_str(a, "MethodName")?;
            let target = path_arg(a, "ObjectName")?;
            let mut params = Vec::new();
            if let Some(ps) = arg(a, "Params") {
                for p in ps.as_array().ok_or("Params must be a list")? {
                    params.push(neutral::param_value(p)?);
                }
            }
            for (k, v) in a {
                if !matches!(k.as_str(), "MethodName" | "ObjectName" | "Params") {
                    params.push(param(k, v)?);
                }
            }
            one(
                c.invoke_method(&target, &method, params).await,
                tn::method_return,
            )
        }
        "ExportIndication" => {
            let ind =
                neutral::instance(arg(a, "NewIndication").ok_or("NewIndication is required")?)?;
            unit(c.export_indication(ind).await)
        }
        other => return Err(format!("unsupported operation {other}")),
    })
}

// ----- outcome classification -----

/// The reference client's exception class an smis error corresponds to (see the crate doc).
pub fn exception_kind(e: &Error) -> &'static str {
    match e {
        Error::Decode(d) if d.kind.is_xml_level() => "XMLParseError",
        Error::Decode(d) => match d.kind {
            DecodeErrorKind::Structure | DecodeErrorKind::BadValue | DecodeErrorKind::Version => {
                "CIMXMLParseError"
            }
            _ => "XMLParseError",
        },
        Error::UnexpectedResponse(_) | Error::Value { .. } => "CIMXMLParseError",
        Error::Header(_) => "HeaderParseError",
        Error::Connection(_) | Error::Tls { .. } => "ConnectionError",
        Error::Timeout(_) => "TimeoutError",
        Error::InvalidArgument(_) | Error::Encode(_) => "TypeError/ValueError",
        Error::Cim { .. } => "CIMError",
        Error::Authentication { .. } => "AuthError",
        Error::AccessDenied { .. } | Error::Http { .. } => "HTTPError",
        _ => "other",
    }
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Value(v) => format!("result {}", short(v)),
        Outcome::Pull(v) => format!("pull result {}", short(v)),
        Outcome::Err(e) => format!("{} ({e})", exception_kind(e)),
        Outcome::Refused(m) => format!("arguments refused by the typed API ({m})"),
    }
}

fn short(j: &J) -> String {
    let s = j.to_string();
    if s.len() > 200 {
        format!("{}...", s.chars().take(200).collect::<String>())
    } else {
        s
    }
}

fn judge(expected: &J, o: &Outcome) -> Option<String> {
    let kind = expected.get("kind").and_then(J::as_str).unwrap_or("");
    let got = || outcome_text(o);
    match kind {
        "result" => {
            let want = expected.get("result_neutral").unwrap_or(&J::Null);
            match o {
                Outcome::Value(v) => compare::diff(want, v).map(|d| format!("result differs {d}")),
                _ => Some(format!("expected a result, got {}", got())),
            }
        }
        "pullresult" => {
            let want = expected.get("pullresult_neutral").unwrap_or(&J::Null);
            match o {
                Outcome::Pull(v) => {
                    compare::diff(want, v).map(|d| format!("pull result differs {d}"))
                }
                _ => Some(format!("expected a pull result, got {}", got())),
            }
        }
        "none" => match o {
            Outcome::Value(J::Null) => None,
            _ => Some(format!("expected no result, got {}", got())),
        },
        "cim_error" => {
            let code = expected.get("cim_status").and_then(J::as_u64).unwrap_or(0);
            match o {
                Outcome::Err(Error::Cim {
                    status, instances, ..
                }) => {
                    if u64::from(status.code()) != code {
                        return Some(format!("expected CIM status {code}, got {}", status.code()));
                    }
                    // null or absent: the server sent no CIM_Error instances to compare.
                    let want = expected
                        .get("error_instances_neutral")
                        .filter(|w| !w.is_null())?;
                    let have = J::Array(instances.iter().map(tn::instance).collect());
                    compare::diff(want, &have).map(|d| format!("CIM_Error instances differ {d}"))
                }
                _ => Some(format!("expected CIM error {code}, got {}", got())),
            }
        }
        "exception" => {
            let want = expected.get("exception").and_then(J::as_str).unwrap_or("?");
            let ok = match (want, o) {
                ("TypeError" | "ValueError", Outcome::Refused(_)) => true,
                ("TypeError" | "ValueError", Outcome::Err(e)) => {
                    exception_kind(e) == "TypeError/ValueError"
                }
                (w, Outcome::Err(e)) => exception_kind(e) == w,
                _ => false,
            };
            if ok {
                None
            } else {
                Some(format!("expected {want}, got {}", got()))
            }
        }
        other => Some(format!("unknown expected kind {other:?}")),
    }
}

// ----- request comparison -----

fn pdecode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn compare_request(expected: &J, sent: &[HttpRequest]) -> Option<String> {
    if expected.is_null() {
        return match sent.len() {
            0 => None,
            n => Some(format!(
                "{n} request(s) sent where the arguments must be refused"
            )),
        };
    }
    let Some(req) = sent.first() else {
        return Some("no request sent".into());
    };
    let mut diffs = Vec::new();
    if sent.len() > 1 {
        diffs.push(format!("{} requests sent, expected 1", sent.len()));
    }
    if let Some(m) = expected.get("method").and_then(J::as_str)
        && !m.eq_ignore_ascii_case("POST")
    {
        diffs.push(format!("method: expected {m}, sent POST"));
    }
    if let Some(p) = expected.get("path").and_then(J::as_str)
        && p != req.path
    {
        diffs.push(format!("path: expected {p}, sent {}", req.path));
    }
    if let Some(h) = expected.get("headers").and_then(J::as_object) {
        for (name, want) in h {
            let want = pdecode(&match want {
                J::String(s) => s.clone(),
                other => other.to_string(),
            });
            let have = req
                .headers
                .get(name.as_str())
                .map(|v| pdecode(&String::from_utf8_lossy(v.as_bytes())));
            if have.as_deref() != Some(want.as_str()) {
                diffs.push(format!("header {name}: expected {want:?}, sent {have:?}"));
            }
        }
    }
    if let Some(body) = expected.get("body").and_then(J::as_str) {
        let sent_body = String::from_utf8_lossy(&req.body);
        match (
            canon::parse(body, Rules::Exact),
            canon::parse(&sent_body, Rules::Exact),
        ) {
            (Ok(e), Ok(s)) => {
                if let Some(d) = canon::first_difference(&e, &s) {
                    diffs.push(format!("body: {d}"));
                }
            }
            (Err(e), _) => diffs.push(format!("expected body does not parse: {e}")),
            (_, Err(e)) => diffs.push(format!("sent body does not parse: {e}")),
        }
    }
    if diffs.is_empty() {
        None
    } else {
        Some(diffs.join("; "))
    }
}

/// `scheme://host:port` of the case's URL, with the scheme's default port made explicit (as
/// `HttpTransport::endpoint` gives it).
fn endpoint_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let hostport = rest.split('/').next().unwrap_or(rest);
    let has_port = match hostport.rfind(']') {
        Some(i) => hostport[i..].contains(':'),
        None => hostport.contains(':'),
    };
    if has_port {
        format!("{scheme}://{hostport}")
    } else {
        let port = if scheme.eq_ignore_ascii_case("https") {
            5989
        } else {
            5988
        };
        format!("{scheme}://{hostport}:{port}")
    }
}

/// Runs one case (already parsed) and judges request and outcome.
pub fn run_case(rt: &tokio::runtime::Runtime, case: &J) -> Verdict {
    let conn = case.get("connection").cloned().unwrap_or(J::Null);
    let ns = conn
        .get("namespace")
        .and_then(J::as_str)
        .unwrap_or("root/cimv2")
        .to_string();
    let timeout = conn
        .get("timeout")
        .and_then(J::as_f64)
        .unwrap_or(30.0)
        .clamp(0.0, 1e6);
    let creds = conn.get("creds").and_then(J::as_array).and_then(|c| {
        Some(Credentials::new(
            c.first()?.as_str()?,
            c.get(1)?.as_str()?.to_string(),
        ))
    });
    let transport = Arc::new(CaseTransport {
        response: case.get("response").cloned().unwrap_or(J::Null),
        endpoint: endpoint_of(
            conn.get("url")
                .and_then(J::as_str)
                .unwrap_or("http://localhost"),
        ),
        timeout: Duration::from_secs_f64(timeout),
        sent: Mutex::new(Vec::new()),
    });
    let client = Client::from_transport(transport.clone(), ns, creds);
    let op = case.get("operation").and_then(J::as_str).unwrap_or("");
    let empty = Map::new();
    let args = case
        .get("args_neutral")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let outcome = rt.block_on(run_op(&client, op, args));
    let sent = transport.sent.lock().map(|s| s.clone()).unwrap_or_default();
    let expected = case.get("expected").cloned().unwrap_or(J::Null);
    Verdict {
        outcome: judge(&expected, &outcome),
        request: compare_request(case.get("expected_request").unwrap_or(&J::Null), &sent),
    }
}
