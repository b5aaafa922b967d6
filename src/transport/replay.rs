//! Replay of recorded CIM-XML exchanges (fixtures written by
//! [`RecordingTransport`](super::record::RecordingTransport) or by hand).
//!
//! A fixture directory holds `manifest.json` ([`Manifest`]) and one request and one response
//! file per exchange. [`ReplayTransport`] answers each request with the recorded response
//! whose request has the same *canonical key* ([`RequestKey`]): operation, namespace, target
//! object path and parameters, compared structurally rather than byte for byte (attribute
//! order, whitespace, the `MESSAGE ID`, the order of properties and key bindings, the case
//! of names and the order of `PropertyList` entries do not matter).
//!
//! ```no_run
//! # fn demo() -> smis::Result<()> {
//! let client = smis::Client::replay("fixtures/quirks-job-status")?;
//! # let _ = client; Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use bytes::Bytes;
use futures::future::BoxFuture;
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

use super::{HttpRequest, HttpResponse, TlsFailure, Transport, TransportError};
use crate::message::RequestMessage;
pub use crate::xml::canon::REDACTED;
use crate::xml::canon::{RequestParts, key_of_tree, message_id_range, parse_tree};
pub(crate) use crate::xml::canon::{message_id, redact_passwords, with_message_id};
use crate::xml::{DecodeLimits, decode_request, encode_request};

/// The manifest format version written and understood by this crate.
pub const MANIFEST_VERSION: u32 = 1;

/// The file name of the single-document manifest (older recordings, hand-written fixtures).
pub const MANIFEST_FILE: &str = "manifest.json";

/// The file name of the JSON-lines manifest the recorder appends to: a
/// [`ManifestHeader`] line, then one [`Exchange`] per line (a later header line overrides
/// an earlier one). Read in preference to [`MANIFEST_FILE`].
pub const MANIFEST_LINES_FILE: &str = "manifest.jsonl";

/// The header line of a JSON-lines manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestHeader {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// The endpoint the exchanges were recorded against.
    pub endpoint: String,
    /// The default namespace of the recording client, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_namespace: Option<String>,
}

/// The `MESSAGE ID` written into fixture files.
pub const FIXTURE_MESSAGE_ID: &str = "1001";

/// `manifest.json`: the recorded exchanges of one fixture directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// The endpoint the exchanges were recorded against (e.g. `https://array:5989`).
    pub endpoint: String,
    /// The default namespace of the recording client, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_namespace: Option<String>,
    /// The exchanges, in recorded order.
    pub exchanges: Vec<Exchange>,
}

/// A header value in the manifest: one string, or a list for repeated headers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum HeaderField {
    /// One value.
    One(String),
    /// A header that occurred several times.
    Many(Vec<String>),
}

/// Headers as written to the manifest: lower-case names.
pub type HeaderFields = BTreeMap<String, HeaderField>;

/// One recorded request and its outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    /// 1-based sequence number.
    pub seq: u32,
    /// The operation (`CIMMethod` header), e.g. `GetInstance`.
    pub operation: String,
    /// The target namespace.
    #[serde(default)]
    pub namespace: String,
    /// The `CIMObject` header, percent-decoded.
    #[serde(default)]
    pub object: String,
    /// The canonical request key ([`RequestKey::canonical`]); informational, replay
    /// recomputes it from `request_file`.
    #[serde(default)]
    pub canonical: String,
    /// The request body file (relative to the fixture directory).
    pub request_file: String,
    /// The response body file; absent for transport errors and empty bodies.
    #[serde(default)]
    pub response_file: Option<String>,
    /// HTTP status; absent for transport errors.
    #[serde(default)]
    pub status: Option<u16>,
    /// Response headers (lower-case names).
    #[serde(default)]
    pub headers: HeaderFields,
    /// Request headers (lower-case names; `authorization` is always `[REDACTED]`).
    #[serde(default)]
    pub request_headers: HeaderFields,
    /// Trailers of a chunked response, if any.
    #[serde(default)]
    pub trailers: Option<HeaderFields>,
    /// A transport failure instead of a response (its message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of the transport failure: `timeout`, `connect`, `tls`, `broken`,
    /// `body_too_large`, `config` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// For `timeout`: the timeout in milliseconds; for `body_too_large`: the limit in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_value: Option<u64>,
}

impl Manifest {
    /// Reads the manifest of a fixture directory: `manifest.jsonl` if present, else
    /// `manifest.json`.
    pub fn load(dir: &Path) -> Result<Manifest, TransportError> {
        let lines = dir.join(MANIFEST_LINES_FILE);
        if lines.exists() {
            return Self::load_lines(&lines);
        }
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read(&path)
            .map_err(|e| TransportError::Config(format!("cannot read {}: {e}", path.display())))?;
        let m: Manifest = serde_json::from_slice(&text).map_err(|e| {
            TransportError::Config(format!("invalid manifest {}: {e}", path.display()))
        })?;
        if m.version != MANIFEST_VERSION {
            return Err(TransportError::Config(format!(
                "{}: manifest version {} is not supported (expected {MANIFEST_VERSION})",
                path.display(),
                m.version
            )));
        }
        Ok(m)
    }

    fn load_lines(path: &Path) -> Result<Manifest, TransportError> {
        let bad = |line: usize, e: &dyn std::fmt::Display| {
            TransportError::Config(format!(
                "invalid manifest {} line {line}: {e}",
                path.display()
            ))
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| TransportError::Config(format!("cannot read {}: {e}", path.display())))?;
        let mut header: Option<ManifestHeader> = None;
        let mut exchanges = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(i + 1, &e))?;
            if v.get("seq").is_some() {
                exchanges.push(serde_json::from_value::<Exchange>(v).map_err(|e| bad(i + 1, &e))?);
            } else {
                let h: ManifestHeader = serde_json::from_value(v).map_err(|e| bad(i + 1, &e))?;
                let ns = h.default_namespace.clone();
                let keep = header
                    .as_ref()
                    .and_then(|old| old.default_namespace.clone());
                header = Some(ManifestHeader {
                    default_namespace: ns.or(keep),
                    ..h
                });
            }
        }
        let h = header.ok_or_else(|| bad(1, &"no header line"))?;
        if h.version != MANIFEST_VERSION {
            return Err(TransportError::Config(format!(
                "{}: manifest version {} is not supported (expected {MANIFEST_VERSION})",
                path.display(),
                h.version
            )));
        }
        Ok(Manifest {
            version: h.version,
            endpoint: h.endpoint,
            default_namespace: h.default_namespace,
            exchanges,
        })
    }
}

// ----- Canonical request keys -----

/// The canonical key a request is matched by.
///
/// Built from the request body: it is first decoded with [`decode_request`] and re-encoded
/// (normalising value spellings such as `true`/`TRUE` and `PARAMTYPE`/`TYPE`); if the decoder
/// refuses it, the body is used as it is. The XML is then put in canonical form (whitespace,
/// attribute order, `MESSAGE ID`, host names, property and key order and the case of names
/// ignored) and split into the parts below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    /// The operation or method name (compared case-insensitively).
    pub operation: String,
    /// The namespace, lower-case.
    pub namespace: String,
    /// The target: the canonical object path ([`ObjectPath::canonical`](crate::cim::ObjectPath::canonical), no namespace) of
    /// `InstanceName`/`ObjectName`/`ModifiedInstance` or of a method call's target, or the
    /// lower-case class name of `ClassName`; empty when the operation has none.
    pub object: String,
    /// Parameters by lower-case name: (name as sent, canonical value). `PropertyList` is
    /// sorted and lower-case.
    pub params: BTreeMap<String, (String, String)>,
}

impl RequestKey {
    /// The key of a request body (and its headers, used when the body is not XML).
    pub fn from_request(headers: &HeaderMap, body: &[u8]) -> RequestKey {
        let body = redact_passwords(body);
        let decoded = decode_request(&body, &DecodeLimits::default())
            .ok()
            .and_then(|m| {
                encode_request(&RequestMessage {
                    id: FIXTURE_MESSAGE_ID.into(),
                    request: m.request,
                })
                .ok()
            });
        let xml = decoded.as_deref().unwrap_or(&body);
        match parse_tree(&String::from_utf8_lossy(xml)) {
            Some(root) => key_of_tree(&root)
                .map(RequestKey::from)
                .unwrap_or_else(|| fallback_key(headers, xml)),
            None => fallback_key(headers, xml),
        }
    }

    /// The key as one line: `Operation|namespace|object|name=value&...` (names lower-case).
    pub fn canonical(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, (_, v))| format!("{k}={v}"))
            .collect();
        format!(
            "{}|{}|{}|{}",
            self.operation,
            self.namespace,
            self.object,
            params.join("&")
        )
    }

    /// True when both keys identify the same request.
    pub fn matches(&self, other: &RequestKey) -> bool {
        self.operation.eq_ignore_ascii_case(&other.operation)
            && self.namespace == other.namespace
            && self.object == other.object
            && self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .all(|(k, (_, v))| other.params.get(k).is_some_and(|(_, w)| v == w))
    }

    /// The parts in which `self` (recorded) and `requested` differ, one line each, e.g.
    /// `param MaxObjectCount: recorded 100, requested 50`.
    pub fn differences(&self, requested: &RequestKey) -> Vec<String> {
        let mut out = Vec::new();
        if !self.operation.eq_ignore_ascii_case(&requested.operation) {
            out.push(format!(
                "operation: recorded {}, requested {}",
                self.operation, requested.operation
            ));
        }
        if self.namespace != requested.namespace {
            out.push(format!(
                "namespace: recorded {}, requested {}",
                self.namespace, requested.namespace
            ));
        }
        if self.object != requested.object {
            out.push(format!(
                "object: recorded {}, requested {}",
                show(&self.object),
                show(&requested.object)
            ));
        }
        let mut names: Vec<&String> = self.params.keys().chain(requested.params.keys()).collect();
        names.sort();
        names.dedup();
        for n in names {
            let a = self.params.get(n);
            let b = requested.params.get(n);
            if a.map(|x| &x.1) == b.map(|x| &x.1) {
                continue;
            }
            let display = b.or(a).map(|x| x.0.as_str()).unwrap_or(n);
            let val = |x: Option<&(String, String)>| match x {
                Some((_, v)) => clip(v),
                None => "(absent)".to_string(),
            };
            out.push(format!(
                "param {display}: recorded {}, requested {}",
                val(a),
                val(b)
            ));
        }
        out
    }

    /// How alike two keys are (for finding the closest recorded exchange).
    fn similarity(&self, other: &RequestKey) -> i64 {
        let mut s = 0;
        if self.operation.eq_ignore_ascii_case(&other.operation) {
            s += 1000;
        }
        if self.namespace == other.namespace {
            s += 10;
        }
        if self.object == other.object {
            s += 10;
        }
        for (k, (_, v)) in &self.params {
            match other.params.get(k) {
                Some((_, w)) if w == v => s += 3,
                Some(_) => s += 1,
                None => s -= 1,
            }
        }
        s - other
            .params
            .keys()
            .filter(|k| !self.params.contains_key(*k))
            .count() as i64
    }

    /// A one-line description: `GetInstance in root/cimv2 on cim_x.k="v"`.
    pub fn describe(&self) -> String {
        let mut s = self.operation.clone();
        if !self.namespace.is_empty() {
            s.push_str(" in ");
            s.push_str(&self.namespace);
        }
        if !self.object.is_empty() {
            s.push_str(" on ");
            s.push_str(&self.object);
        }
        s
    }
}

fn show(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        clip(s)
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let t: String = s.chars().take(MAX).collect();
        format!("{t}...")
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .unwrap_or_default()
}

impl From<RequestParts> for RequestKey {
    fn from(p: RequestParts) -> Self {
        RequestKey {
            operation: p.operation,
            namespace: p.namespace,
            object: p.object,
            params: p.params,
        }
    }
}

/// A key for a body that is not CIM-XML: headers plus the whole body.
fn fallback_key(headers: &HeaderMap, body: &[u8]) -> RequestKey {
    let op = header_str(headers, "cimmethod");
    let op = if op.is_empty() {
        header_str(headers, "cimexportmethod")
    } else {
        op
    };
    let mut params = BTreeMap::new();
    let mut text = String::from_utf8_lossy(body).into_owned();
    if let Some(r) = message_id_range(text.as_bytes()) {
        text.replace_range(r, "");
    }
    params.insert("body".into(), ("body".into(), text.trim().to_string()));
    RequestKey {
        operation: op,
        namespace: header_str(headers, "cimobject").to_ascii_lowercase(),
        object: String::new(),
        params,
    }
}

/// Header map → manifest fields (lower-case names; `authorization` redacted if `redact`).
pub(crate) fn header_fields(headers: &HeaderMap, redact: bool) -> HeaderFields {
    let mut out = HeaderFields::new();
    for name in headers.keys() {
        let key = name.as_str().to_ascii_lowercase();
        if redact
            && (name == ::http::header::AUTHORIZATION || name.as_str() == "proxy-authorization")
        {
            out.insert(key, HeaderField::One(REDACTED.into()));
            continue;
        }
        let vals: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let f = if vals.len() == 1 {
            HeaderField::One(vals.into_iter().next().unwrap_or_default())
        } else {
            HeaderField::Many(vals)
        };
        out.insert(key, f);
    }
    out
}

fn header_map(fields: &HeaderFields) -> Result<HeaderMap, TransportError> {
    let mut h = HeaderMap::new();
    for (k, v) in fields {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
            TransportError::Config(format!("invalid header name {k:?} in manifest"))
        })?;
        let vals = match v {
            HeaderField::One(s) => std::slice::from_ref(s),
            HeaderField::Many(v) => v.as_slice(),
        };
        for s in vals {
            let value = HeaderValue::from_str(s).map_err(|_| {
                TransportError::Config(format!("invalid value of header {k:?} in manifest"))
            })?;
            h.append(name.clone(), value);
        }
    }
    Ok(h)
}

/// The manifest `error_kind` and `error_value` of a transport error.
pub(crate) fn error_kind(e: &TransportError) -> (&'static str, Option<u64>) {
    match e {
        TransportError::Connect { .. } => ("connect", None),
        TransportError::Tls { .. } => ("tls", None),
        TransportError::Timeout { after, .. } => ("timeout", Some(after.as_millis() as u64)),
        TransportError::BodyTooLarge { limit } => ("body_too_large", Some(*limit)),
        TransportError::Broken { .. } => ("broken", None),
        TransportError::Config(_) => ("config", None),
        _ => ("other", None),
    }
}

fn rebuild_error(x: &Exchange, endpoint: &str) -> TransportError {
    let message = x.error.clone().unwrap_or_default();
    let endpoint = endpoint.to_string();
    match x.error_kind.as_deref() {
        Some("connect") => TransportError::Connect {
            endpoint,
            message,
            source: None,
        },
        Some("tls") => TransportError::Tls {
            endpoint,
            kind: TlsFailure::Protocol,
            message,
            source: None,
        },
        Some("timeout") => TransportError::Timeout {
            endpoint,
            after: Duration::from_millis(x.error_value.unwrap_or(0)),
        },
        Some("body_too_large") => TransportError::BodyTooLarge {
            limit: x.error_value.unwrap_or(0),
        },
        Some("broken") => TransportError::Broken {
            endpoint,
            message,
            source: None,
        },
        Some("config") => TransportError::Config(message),
        _ => TransportError::Other(message),
    }
}

// ----- The replay transport -----

/// How recorded exchanges are matched to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplayMode {
    /// Requests must come in recorded order. Repeated identical requests (job polls) get
    /// their successive recorded responses.
    #[default]
    Strict,
    /// Any order: a request gets the first unused exchange with the same key (repeated keys
    /// are consumed in recorded order).
    AnyOrder,
}

struct Entry {
    key: RequestKey,
    exchange: Exchange,
    body: Bytes,
}

/// A [`Transport`] that answers from a fixture directory instead of a server.
pub struct ReplayTransport {
    dir: PathBuf,
    mode: ReplayMode,
    manifest: Manifest,
    entries: Vec<Entry>,
    used: Mutex<Vec<bool>>,
}

impl std::fmt::Debug for ReplayTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayTransport")
            .field("dir", &self.dir)
            .field("mode", &self.mode)
            .field("exchanges", &self.entries.len())
            .finish()
    }
}

impl ReplayTransport {
    /// Loads a fixture directory ([`ReplayMode::Strict`]).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, TransportError> {
        let dir = dir.as_ref().to_path_buf();
        let manifest = Manifest::load(&dir)?;
        let mut entries = Vec::with_capacity(manifest.exchanges.len());
        for x in &manifest.exchanges {
            let read = |f: &str| {
                let p = dir.join(f);
                std::fs::read(&p).map_err(|e| {
                    TransportError::Config(format!("cannot read fixture {}: {e}", p.display()))
                })
            };
            let req = read(&x.request_file)?;
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&x.operation) {
                headers.insert("cimmethod", v);
            }
            let key = RequestKey::from_request(&headers, &req);
            let body = match &x.response_file {
                Some(f) => Bytes::from(read(f)?),
                None => Bytes::new(),
            };
            entries.push(Entry {
                key,
                exchange: x.clone(),
                body,
            });
        }
        let used = Mutex::new(vec![false; entries.len()]);
        Ok(ReplayTransport {
            dir,
            mode: ReplayMode::Strict,
            manifest,
            entries,
            used,
        })
    }

    /// The same transport with another matching mode.
    pub fn with_mode(mut self, mode: ReplayMode) -> Self {
        self.mode = mode;
        self
    }

    /// The matching mode.
    pub fn mode(&self) -> ReplayMode {
        self.mode
    }

    /// The loaded manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The default namespace for a client over this fixture: the manifest's, else the
    /// namespace of the first exchange, else `root/cimv2`.
    pub fn default_namespace(&self) -> String {
        self.manifest
            .default_namespace
            .clone()
            .filter(|n| !n.is_empty())
            .or_else(|| {
                self.entries
                    .iter()
                    .map(|e| e.key.namespace.clone())
                    .find(|n| !n.is_empty())
            })
            .unwrap_or_else(|| "root/cimv2".into())
    }

    /// The canonical keys of the recorded exchanges, in order.
    pub fn keys(&self) -> Vec<&RequestKey> {
        self.entries.iter().map(|e| &e.key).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<bool>> {
        self.used.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The recorded exchanges not replayed yet, as `#seq Operation ...` lines.
    pub fn remaining(&self) -> Vec<String> {
        let used = self.lock();
        self.entries
            .iter()
            .zip(used.iter())
            .filter(|(_, u)| !**u)
            .map(|(e, _)| format!("#{} {}", e.exchange.seq, e.key.describe()))
            .collect()
    }

    /// `Ok` when every recorded exchange was replayed, else an error listing the others.
    pub fn check_all_used(&self) -> Result<(), String> {
        let rest = self.remaining();
        if rest.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} recorded exchange(s) of {} were not replayed:\n  {}",
                rest.len(),
                self.dir.display(),
                rest.join("\n  ")
            ))
        }
    }

    /// Panics (listing them) unless every recorded exchange was replayed. For tests.
    #[track_caller]
    pub fn assert_all_used(&self) {
        if let Err(e) = self.check_all_used() {
            panic!("{e}");
        }
    }

    /// A client over this transport with the fixture's default namespace.
    pub fn client(self: &Arc<Self>) -> crate::Client {
        crate::Client::from_transport(self.clone(), self.default_namespace(), None)
    }

    fn respond(&self, e: &Entry, id: Option<&str>) -> Result<HttpResponse, TransportError> {
        let x = &e.exchange;
        if x.error.is_some() || x.status.is_none() {
            return Err(rebuild_error(x, &self.manifest.endpoint));
        }
        let status = StatusCode::from_u16(x.status.unwrap_or(200)).map_err(|_| {
            TransportError::Config(format!("invalid status in exchange #{}", x.seq))
        })?;
        let body = match id {
            Some(id) => Bytes::from(with_message_id(&e.body, id)),
            None => e.body.clone(),
        };
        Ok(HttpResponse {
            status,
            headers: header_map(&x.headers)?,
            trailers: x.trailers.as_ref().map(header_map).transpose()?,
            body,
        })
    }

    fn miss(&self, key: &RequestKey, used: &[bool], expected: Option<usize>) -> TransportError {
        let mut msg = format!(
            "replay miss in {}: no recorded exchange for {}",
            self.dir.display(),
            key.describe()
        );
        let closest = expected.or_else(|| {
            let pick = |want_unused: bool| {
                self.entries
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| used[*i] != want_unused)
                    .max_by_key(|(i, e)| (e.key.similarity(key), -(*i as i64)))
                    .map(|(i, _)| i)
            };
            pick(true).or_else(|| pick(false))
        });
        match closest {
            Some(i) => {
                let e = &self.entries[i];
                let label = if expected.is_some() {
                    "next recorded exchange"
                } else {
                    "closest recorded exchange"
                };
                msg.push_str(&format!(
                    "\n{label}: #{} {} ({}){}",
                    e.exchange.seq,
                    e.key.describe(),
                    e.exchange.request_file,
                    if used[i] { ", already replayed" } else { "" }
                ));
                for d in e.key.differences(key) {
                    msg.push_str("\n  ");
                    msg.push_str(&d);
                }
                if expected.is_some() {
                    if let Some((_, later)) = self
                        .entries
                        .iter()
                        .enumerate()
                        .find(|(j, o)| !used[*j] && *j != i && o.key.matches(key))
                    {
                        msg.push_str(&format!(
                            "\n  (the request matches recorded exchange #{}, which comes later)",
                            later.exchange.seq
                        ));
                    }
                }
            }
            None => msg.push_str("\nthe fixture has no exchanges"),
        }
        if expected.is_none() && used.iter().all(|u| *u) && !used.is_empty() {
            msg.push_str("\nall recorded exchanges have been replayed");
        }
        TransportError::ReplayMiss(msg)
    }

    fn answer(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let key = RequestKey::from_request(&request.headers, &request.body);
        let id = message_id(&request.body);
        let mut used = self.lock();
        let idx = match self.mode {
            ReplayMode::Strict => match used.iter().position(|u| !*u) {
                Some(next) if self.entries[next].key.matches(&key) => next,
                Some(next) => return Err(self.miss(&key, &used, Some(next))),
                None => return Err(self.miss(&key, &used, None)),
            },
            ReplayMode::AnyOrder => match self
                .entries
                .iter()
                .enumerate()
                .find(|(i, e)| !used[*i] && e.key.matches(&key))
            {
                Some((i, _)) => i,
                None => return Err(self.miss(&key, &used, None)),
            },
        };
        used[idx] = true;
        drop(used);
        self.respond(&self.entries[idx], id.as_deref())
    }
}

impl Transport for ReplayTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let result = self.answer(&request);
        Box::pin(async move { result })
    }

    fn endpoint(&self) -> String {
        self.manifest.endpoint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(body: &str) -> RequestKey {
        RequestKey::from_request(&HeaderMap::new(), body.as_bytes())
    }

    const A: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="EMC"/></LOCALNAMESPACEPATH><IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="CIM_X"><KEYBINDING NAME="A"><KEYVALUE VALUETYPE="string">v1</KEYVALUE></KEYBINDING><KEYBINDING NAME="B"><KEYVALUE VALUETYPE="numeric">5</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE><IPARAMVALUE NAME="LocalOnly"><VALUE>false</VALUE></IPARAMVALUE><IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>Size</VALUE><VALUE>Name</VALUE></VALUE.ARRAY></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;

    const B: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<CIM DTDVERSION="2.0" CIMVERSION="2.0"><MESSAGE PROTOCOLVERSION="1.0" ID="99">
 <SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="emc"/></LOCALNAMESPACEPATH>
 <IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>name</VALUE><VALUE>SIZE</VALUE></VALUE.ARRAY></IPARAMVALUE>
 <IPARAMVALUE NAME="localonly"><VALUE>FALSE</VALUE></IPARAMVALUE>
 <IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="cim_x"><KEYBINDING NAME="b"><KEYVALUE VALUETYPE="numeric">5</KEYVALUE></KEYBINDING><KEYBINDING NAME="a"><KEYVALUE VALUETYPE="string">v1</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>
 </IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;

    #[test]
    fn keys_ignore_id_order_case_and_whitespace() {
        let (a, b) = (key(A), key(B));
        assert!(a.matches(&b), "{}\n{}", a.canonical(), b.canonical());
        assert_eq!(a.namespace, "root/emc");
        assert_eq!(a.object, r#"cim_x.a="v1",b=5"#);
        assert_eq!(a.params["propertylist"].1, "[name, size]");
        assert_eq!(a.params["localonly"].1, "FALSE");
        assert!(a.differences(&b).is_empty());
    }

    #[test]
    fn key_values_are_significant() {
        let a = key(A);
        let c = key(&A.replace(">v1<", ">v2<"));
        assert!(!a.matches(&c));
        assert_eq!(
            a.differences(&c),
            vec![r#"object: recorded cim_x.a="v1",b=5, requested cim_x.a="v2",b=5"#.to_string()]
        );
    }

    #[test]
    fn message_id_helpers() {
        assert_eq!(message_id(A.as_bytes()).as_deref(), Some("7"));
        let b = with_message_id(A.as_bytes(), "1001");
        assert_eq!(message_id(&b).as_deref(), Some("1001"));
        assert_eq!(b.len(), A.len() + 3);
        assert_eq!(with_message_id(b"<CIM/>", "1"), b"<CIM/>".to_vec());
    }

    #[test]
    fn passwords_are_redacted() {
        let body = br#"<METHODCALL NAME="M"><PARAMVALUE NAME="UserPassword" PARAMTYPE="string"><VALUE>s3cret</VALUE></PARAMVALUE><PARAMVALUE NAME="Passwords"><VALUE.ARRAY><VALUE>a1</VALUE><VALUE>b2</VALUE></VALUE.ARRAY></PARAMVALUE><PARAMVALUE NAME="User"><VALUE>admin</VALUE></PARAMVALUE><IPARAMVALUE NAME="password"/></METHODCALL>"#;
        let out = String::from_utf8(redact_passwords(body)).unwrap_or_default();
        assert!(!out.contains("s3cret") && !out.contains("a1") && !out.contains("b2"));
        assert!(out.contains("<VALUE>admin</VALUE>"));
        assert_eq!(out.matches(REDACTED).count(), 3);
    }

    #[test]
    fn authorization_is_redacted_in_header_fields() {
        let mut h = HeaderMap::new();
        h.insert(
            ::http::header::AUTHORIZATION,
            HeaderValue::from_static("Basic eA=="),
        );
        h.append("x-a", HeaderValue::from_static("1"));
        h.append("x-a", HeaderValue::from_static("2"));
        let f = header_fields(&h, true);
        assert_eq!(f["authorization"], HeaderField::One(REDACTED.into()));
        assert_eq!(f["x-a"], HeaderField::Many(vec!["1".into(), "2".into()]));
        let back = header_map(&f).unwrap_or_default();
        assert_eq!(back.get_all("x-a").iter().count(), 2);
    }
}
