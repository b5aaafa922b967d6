//! `smis decode FILE`: a captured CIM-XML request or response, with or without its HTTP
//! header block (chunked bodies and trailers handled), printed in the chosen output.
//!
//! JSON shape: `{"kind": "request"|"response", "id": "1001", "operation": "GetInstance",
//! "http": {"start": "HTTP/1.1 200 OK", "headers": {...}, "trailers": {...}} | null,
//! "namespace"/"target": ..., "params": {...}, "result": <result JSON> | null, "error":
//! {"code": 6, "name": "CIM_ERR_NOT_FOUND", "description": "...", "instances": [...]} | null}`
//! where `result` uses the shapes of [`crate::json`]. `--output summary` prints counts only:
//! `{"kind", "operation", "instances", "paths", "classes", "error_code", "http_status"}`.

use serde_json::{Map, Value, json};
use smis::CimStatus;
use smis::message::{
    ErrorBody, IReturn, Intrinsic, Request, RequestMessage, Response, ResponseMessage,
};
use smis::xml::{DecodeLimits, decode_request, decode_response};

use crate::errors::{CliError, CliResult, failed};
use crate::json;
use crate::output::{self, Doc, Format};

/// A parsed HTTP capture.
#[derive(Debug, Default)]
pub struct Capture {
    /// Start line, if the file had headers.
    pub start: Option<String>,
    /// Headers (name → value), in order.
    pub headers: Vec<(String, String)>,
    /// Trailers of a chunked body.
    pub trailers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Capture {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .chain(self.trailers.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The HTTP status of a response capture.
    pub fn status(&self) -> Option<u16> {
        let s = self.start.as_deref()?;
        if !s.starts_with("HTTP/") {
            return None;
        }
        s.split_whitespace().nth(1)?.parse().ok()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_fields(block: &str) -> Vec<(String, String)> {
    block
        .lines()
        .filter_map(|l| {
            let l = l.trim_end_matches('\r');
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Splits a capture into start line, headers, body (de-chunked) and trailers; returns the
/// bytes after this message (a capture file may hold several messages).
pub fn parse_capture(data: &[u8]) -> CliResult<(Capture, &[u8])> {
    let trimmed_start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    let data = &data[trimmed_start..];
    let is_http =
        data.starts_with(b"HTTP/") || data.starts_with(b"POST ") || data.starts_with(b"M-POST ");
    if !is_http {
        let cap = Capture {
            body: data.to_vec(),
            ..Default::default()
        };
        return Ok((cap, &[]));
    }
    // Line by line up to the first empty line (CRLF or bare LF, mixed).
    let mut pos = 0;
    let mut lines = Vec::new();
    loop {
        let Some(eol) = find(&data[pos..], b"\n") else {
            lines.push(String::from_utf8_lossy(&data[pos..]).to_string());
            pos = data.len();
            break;
        };
        let line = String::from_utf8_lossy(&data[pos..pos + eol])
            .trim_end_matches('\r')
            .to_string();
        pos += eol + 1;
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let start = lines.first().cloned();
    let headers = parse_fields(&lines.iter().skip(1).cloned().collect::<Vec<_>>().join("\n"));
    let rest = &data[pos..];
    let mut cap = Capture {
        start,
        headers,
        ..Default::default()
    };
    let chunked = cap
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let (body, trailers, after) = dechunk(rest)?;
        cap.body = body;
        cap.trailers = trailers;
        return Ok((cap, after));
    }
    let len = cap
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<usize>().ok());
    match len {
        Some(n) if n <= rest.len() => {
            cap.body = rest[..n].to_vec();
            Ok((cap, &rest[n..]))
        }
        _ => {
            cap.body = rest.to_vec();
            Ok((cap, &[]))
        }
    }
}

type Fields = Vec<(String, String)>;

fn dechunk(mut data: &[u8]) -> CliResult<(Vec<u8>, Fields, &[u8])> {
    let mut body = Vec::new();
    loop {
        let eol = find(data, b"\n").ok_or_else(|| failed("truncated chunked body"))?;
        let line = String::from_utf8_lossy(&data[..eol]);
        let size_text = line
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let size = usize::from_str_radix(&size_text, 16)
            .map_err(|_| failed(format!("bad chunk size {size_text:?}")))?;
        data = &data[eol + 1..];
        if size == 0 {
            // Trailer fields up to an empty line.
            let mut fields = Vec::new();
            loop {
                let Some(eol) = find(data, b"\n") else {
                    let l = String::from_utf8_lossy(data).trim().to_string();
                    if !l.is_empty() {
                        fields.push(l);
                    }
                    data = &[];
                    break;
                };
                let l = String::from_utf8_lossy(&data[..eol]).trim().to_string();
                data = &data[eol + 1..];
                if l.is_empty() {
                    break;
                }
                fields.push(l);
            }
            return Ok((body, parse_fields(&fields.join("\n")), data));
        }
        if data.len() < size {
            // Tolerate a short last chunk (captures are sometimes cut).
            body.extend_from_slice(data);
            return Ok((body, Vec::new(), &[]));
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size..];
        // Skip the CRLF after the chunk.
        if data.starts_with(b"\r\n") {
            data = &data[2..];
        } else if data.starts_with(b"\n") {
            data = &data[1..];
        }
    }
}

fn opt_str<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map(|s| json!(s.to_string()))
        .unwrap_or(Value::Null)
}

fn names(v: &Option<Vec<smis::cim::CimName>>) -> Value {
    v.as_ref()
        .map(|l| json!(l.iter().map(|n| n.to_string()).collect::<Vec<_>>()))
        .unwrap_or(Value::Null)
}

fn intrinsic_params(op: &Intrinsic) -> Value {
    use Intrinsic as I;
    match op {
        I::GetInstance {
            instance_name,
            property_list,
            ..
        } => {
            json!({"InstanceName": instance_name.to_string(), "PropertyList": names(property_list)})
        }
        I::EnumerateInstances {
            class_name,
            deep_inheritance,
            property_list,
            ..
        } => {
            json!({"ClassName": class_name.to_string(), "DeepInheritance": deep_inheritance, "PropertyList": names(property_list)})
        }
        I::EnumerateInstanceNames { class_name } => json!({"ClassName": class_name.to_string()}),
        I::CreateInstance { new_instance } => json!({"NewInstance": json::instance(new_instance)}),
        I::ModifyInstance {
            modified_instance,
            property_list,
            ..
        } => {
            json!({"ModifiedInstance": json::instance(modified_instance), "PropertyList": names(property_list)})
        }
        I::DeleteInstance { instance_name } => json!({"InstanceName": instance_name.to_string()}),
        I::Associators {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
            ..
        }
        | I::AssociatorNames {
            object_name,
            assoc_class,
            result_class,
            role,
            result_role,
        } => json!({"ObjectName": object_name.to_string(), "AssocClass": opt_str(assoc_class),
            "ResultClass": opt_str(result_class), "Role": role, "ResultRole": result_role}),
        I::References {
            object_name,
            result_class,
            role,
            ..
        }
        | I::ReferenceNames {
            object_name,
            result_class,
            role,
        } => {
            json!({"ObjectName": object_name.to_string(), "ResultClass": opt_str(result_class), "Role": role})
        }
        I::ExecQuery {
            query_language,
            query,
        } => json!({"QueryLanguage": query_language, "Query": query}),
        I::GetClass { class_name, .. } | I::DeleteClass { class_name } => {
            json!({"ClassName": class_name.to_string()})
        }
        I::EnumerateClasses {
            class_name,
            deep_inheritance,
            ..
        }
        | I::EnumerateClassNames {
            class_name,
            deep_inheritance,
        } => json!({"ClassName": opt_str(class_name), "DeepInheritance": deep_inheritance}),
        I::CreateClass { new_class } => json!({"NewClass": json::class(new_class)}),
        I::ModifyClass { modified_class } => json!({"ModifiedClass": json::class(modified_class)}),
        I::GetQualifier { qualifier_name } | I::DeleteQualifier { qualifier_name } => {
            json!({"QualifierName": qualifier_name.to_string()})
        }
        I::OpenEnumerateInstances {
            class_name, pull, ..
        }
        | I::OpenEnumerateInstancePaths { class_name, pull } => {
            json!({"ClassName": class_name.to_string(), "MaxObjectCount": pull.max_object_count,
                "OperationTimeout": pull.operation_timeout, "FilterQuery": pull.filter_query})
        }
        I::OpenAssociatorInstances {
            instance_name,
            pull,
            ..
        }
        | I::OpenAssociatorInstancePaths {
            instance_name,
            pull,
            ..
        }
        | I::OpenReferenceInstances {
            instance_name,
            pull,
            ..
        }
        | I::OpenReferenceInstancePaths {
            instance_name,
            pull,
            ..
        } => {
            json!({"InstanceName": instance_name.to_string(), "MaxObjectCount": pull.max_object_count})
        }
        I::OpenQueryInstances {
            filter_query,
            filter_query_language,
            max_object_count,
            ..
        } => json!({"FilterQuery": filter_query, "FilterQueryLanguage": filter_query_language,
            "MaxObjectCount": max_object_count}),
        I::PullInstancesWithPath {
            enumeration_context,
            max_object_count,
        }
        | I::PullInstancePaths {
            enumeration_context,
            max_object_count,
        }
        | I::PullInstances {
            enumeration_context,
            max_object_count,
        } => json!({"EnumerationContext": enumeration_context, "MaxObjectCount": max_object_count}),
        I::CloseEnumeration {
            enumeration_context,
        } => json!({"EnumerationContext": enumeration_context}),
        other => json!({"detail": format!("{other:?}")}),
    }
}

/// Counts of a decoded message.
#[derive(Debug, Default)]
struct Counts {
    instances: usize,
    paths: usize,
    classes: usize,
}

fn ireturn_doc(r: &IReturn, counts: &mut Counts) -> (Doc, Map<String, Value>) {
    let mut extra = Map::new();
    let doc = match r {
        IReturn::Nothing => Doc::Record(Value::Null),
        IReturn::Instance(i) => {
            counts.instances = 1;
            Doc::Instance(i.clone())
        }
        IReturn::Instances(v) => {
            counts.instances = v.len();
            Doc::Instances {
                items: v.clone(),
                columns: Vec::new(),
            }
        }
        IReturn::InstanceNames(p) | IReturn::ObjectPaths(p) => {
            counts.paths = p.len();
            Doc::Paths(p.clone())
        }
        IReturn::InstanceName(p) => {
            counts.paths = 1;
            Doc::Paths(vec![p.clone()])
        }
        IReturn::Objects(objs) => {
            let mut inst = Vec::new();
            let mut classes = Vec::new();
            for o in objs {
                match o {
                    smis::message::CimObject::Instance(i) => inst.push(i.clone()),
                    smis::message::CimObject::Class(c) => classes.push(c.clone()),
                }
            }
            counts.instances = inst.len();
            counts.classes = classes.len();
            if inst.is_empty() && !classes.is_empty() {
                Doc::Classes(classes)
            } else {
                Doc::Instances {
                    items: inst,
                    columns: Vec::new(),
                }
            }
        }
        IReturn::Class(c) => {
            counts.classes = 1;
            Doc::Class(Box::new(c.clone()))
        }
        IReturn::Classes(c) => {
            counts.classes = c.len();
            Doc::Classes(c.clone())
        }
        IReturn::ClassNames(n) => {
            counts.classes = n.len();
            Doc::ClassNames(n.iter().map(|n| n.to_string()).collect())
        }
        IReturn::QualifierDecl(q) => Doc::Record(json!([qualifier(q)])),
        IReturn::QualifierDecls(q) => Doc::Record(Value::Array(q.iter().map(qualifier).collect())),
        IReturn::PullInstances(p) => {
            counts.instances = p.items.len();
            extra.insert("end_of_sequence".into(), json!(p.end_of_sequence));
            extra.insert("enumeration_context".into(), json!(p.enumeration_context));
            Doc::Instances {
                items: p.items.clone(),
                columns: Vec::new(),
            }
        }
        IReturn::PullPaths(p) => {
            counts.paths = p.items.len();
            extra.insert("end_of_sequence".into(), json!(p.end_of_sequence));
            extra.insert("enumeration_context".into(), json!(p.enumeration_context));
            Doc::Paths(p.items.clone())
        }
        // A result shape newer than this command: shown as the library prints it.
        other => Doc::Record(Value::String(format!("{other:?}"))),
    };
    (doc, extra)
}

fn qualifier(q: &smis::cim::QualifierDecl) -> Value {
    json!({
        "name": q.name.to_string(),
        "type": q.cim_type.as_str(),
        "array": q.is_array,
        "value": q.value.as_ref().map(json::scalar),
    })
}

fn error_json(e: &ErrorBody) -> Value {
    json!({
        "code": e.code,
        "name": CimStatus::from_code(e.code).name(),
        "description": e.description,
        "instances": e.instances.iter().map(json::instance).collect::<Vec<_>>(),
    })
}

fn http_json(cap: &Capture) -> Value {
    let Some(start) = &cap.start else {
        return Value::Null;
    };
    let h: Map<String, Value> = cap
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if k.eq_ignore_ascii_case("Authorization") {
                "<redacted>".to_string()
            } else {
                v.clone()
            };
            (k.clone(), json!(v))
        })
        .collect();
    let t: Map<String, Value> = cap
        .trailers
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({"start": start, "headers": h, "trailers": t})
}

/// Decodes the messages of a capture read whole (see `decode_input` for the limits).
pub fn run_data(data: &[u8], format: Format) -> CliResult<()> {
    let mut rest: &[u8] = data;
    let mut texts = Vec::new();
    let mut values = Vec::new();
    loop {
        let (cap, after) = parse_capture(rest)?;
        let (text, value) = one(&cap, format)?;
        texts.push(text);
        values.push(value);
        rest = after;
        if rest.iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
    }
    let text = match format {
        Format::Json if values.len() > 1 => {
            let mut s = serde_json::to_string_pretty(&Value::Array(values)).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => texts.join("\n"),
    };
    use std::io::Write;
    let text = match format {
        Format::Json => text,
        _ => crate::guard::term_lines(&text), // control and bidi characters escaped
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(())
}

/// Decodes one message: its text in `format` and its JSON form.
pub(crate) fn one(cap: &Capture, format: Format) -> CliResult<(String, Value)> {
    let limits = DecodeLimits::default();
    let is_request = match &cap.start {
        Some(s) => !s.starts_with("HTTP/"),
        None => {
            let head = String::from_utf8_lossy(&cap.body[..cap.body.len().min(4096)]).to_string();
            head.contains("SIMPLEREQ") || head.contains("SIMPLEEXPREQ")
        }
    };
    let trailer_code: Option<u32> = cap
        .header("CIMStatusCode")
        .and_then(|v| v.trim().parse().ok())
        .filter(|c| *c != 0);
    let http_status = cap.status();
    let body_empty = cap.body.iter().all(|b| b.is_ascii_whitespace());

    let mut counts = Counts::default();
    let mut top = Map::new();
    top.insert(
        "kind".into(),
        json!(if is_request { "request" } else { "response" }),
    );
    top.insert("http".into(), http_json(cap));
    let mut doc: Option<Doc> = None;
    let mut error_code: Option<u32> = None;
    if is_request {
        let RequestMessage { id, request } = decode_request(&cap.body, &limits)
            .map_err(|e| failed(format!("cannot decode the request: {e}")))?;
        top.insert("id".into(), json!(id));
        top.insert("operation".into(), json!(request.method_name()));
        match &request {
            Request::Intrinsic(r) => {
                top.insert("namespace".into(), json!(r.namespace));
                top.insert("params".into(), intrinsic_params(&r.op));
            }
            Request::Method(m) => {
                top.insert("target".into(), json!(m.target.to_string()));
                let mut p = Map::new();
                for v in &m.params {
                    p.insert(v.name.to_string(), json::param(v));
                }
                top.insert("params".into(), Value::Object(p));
            }
            Request::Export(x) => {
                let mut p = Map::new();
                for v in &x.params {
                    p.insert(v.name.to_string(), json::param(v));
                }
                top.insert("params".into(), Value::Object(p));
            }
        }
    } else if body_empty {
        top.insert("id".into(), Value::Null);
        top.insert(
            "operation".into(),
            json!(cap.header("CIMMethod").unwrap_or("")),
        );
        top.insert("result".into(), Value::Null);
        error_code = trailer_code;
        top.insert(
            "error".into(),
            match (trailer_code, cap.header("CIMError")) {
                (Some(c), _) => json!({"code": c, "name": CimStatus::from_code(c).name(),
                    "description": cap.header("CIMStatusCodeDescription").map(percent_decode), "instances": []}),
                (None, Some(e)) => json!({"http_status": http_status, "cim_error": e}),
                (None, None) => Value::Null,
            },
        );
    } else {
        let ResponseMessage { id, response } = decode_response(&cap.body, &limits)
            .map_err(|e| failed(format!("cannot decode the response: {e}")))?;
        top.insert("id".into(), json!(id));
        let (name, err) = match &response {
            Response::Intrinsic { name, result } => {
                match result {
                    Ok(r) => {
                        let (d, extra) = ireturn_doc(r, &mut counts);
                        top.insert("result".into(), output::to_json(&d));
                        top.extend(extra);
                        doc = Some(d);
                    }
                    Err(_) => {
                        top.insert("result".into(), Value::Null);
                    }
                }
                (name.clone(), result.as_ref().err().cloned())
            }
            Response::Method { name, result } => {
                if let Ok(r) = result {
                    let d = Doc::Method(r.clone());
                    top.insert("result".into(), output::to_json(&d));
                    doc = Some(d);
                } else {
                    top.insert("result".into(), Value::Null);
                }
                (name.clone(), result.as_ref().err().cloned())
            }
            Response::Export { name, result } => {
                top.insert(
                    "result".into(),
                    match result {
                        Ok(Some(v)) => json::value(v),
                        _ => Value::Null,
                    },
                );
                (name.clone(), result.as_ref().err().cloned())
            }
        };
        top.insert("operation".into(), json!(name));
        error_code = err.as_ref().map(|e| e.code).or(trailer_code);
        top.insert(
            "error".into(),
            match (&err, trailer_code) {
                (Some(e), _) => error_json(e),
                (None, Some(c)) => json!({"code": c, "name": CimStatus::from_code(c).name(),
                    "description": cap.header("CIMStatusCodeDescription").map(percent_decode), "instances": []}),
                (None, None) => Value::Null,
            },
        );
    }

    let summary = json!({
        "kind": top["kind"],
        "operation": top["operation"],
        "instances": counts.instances,
        "paths": counts.paths,
        "classes": counts.classes,
        "error_code": error_code,
        "http_status": http_status,
    });
    let value = if format == Format::Summary {
        summary.clone()
    } else {
        Value::Object(top.clone())
    };
    let text = match format {
        Format::Summary => {
            let mut s = String::new();
            for k in [
                "kind",
                "operation",
                "instances",
                "paths",
                "classes",
                "error_code",
                "http_status",
            ] {
                let v = &summary[k];
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => "-".into(),
                    other => other.to_string(),
                };
                s.push_str(&format!("{k}: {v}\n"));
            }
            if let Some(c) = error_code {
                s.push_str(&format!("error: {}\n", CimStatus::from_code(c)));
            }
            s
        }
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&Value::Object(top)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Table | Format::Mof => {
            let mut s = format!(
                "{} {} (id {})\n",
                top["kind"].as_str().unwrap_or(""),
                top["operation"].as_str().unwrap_or(""),
                top["id"].as_str().unwrap_or("-")
            );
            if let Some(p) = top.get("params") {
                s.push_str(&output::render(&Doc::Record(p.clone()), Format::Table));
            }
            if let Some(d) = &doc {
                s.push_str(&output::render(d, format));
            }
            if let Some(c) = error_code {
                s.push_str(&format!("error: {}\n", CimStatus::from_code(c)));
                if let Some(d) = top["error"]["description"].as_str() {
                    s.push_str(&format!("description: {d}\n"));
                }
            }
            s
        }
    };
    Ok((text, value))
}

/// Decodes a percent-encoded trailer value (DSP0200, the `CIMStatusCodeDescription` header).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_with_trailers() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nCIMStatusCode: 6\r\n\r\n";
        let (c, rest) = parse_capture(raw).unwrap();
        assert!(rest.is_empty());
        assert_eq!(c.body, b"hello world");
        assert_eq!(c.header("cimstatuscode"), Some("6"));
        assert_eq!(c.status(), Some(200));
        assert_eq!(percent_decode("a%3A%20b"), "a: b");
        assert_eq!(percent_decode("end%20"), "end ");
    }
}
