//! The fixture format on disk: a directory with a manifest and one request and one response
//! file per exchange.
//!
//! - `manifest.jsonl` ([`MANIFEST_LINES_FILE`]), written by the recorder: a
//!   [`ManifestHeader`] line, then one [`Exchange`] per line;
//! - `manifest.json` ([`MANIFEST_FILE`]), older recordings and hand-written fixtures: one
//!   [`Manifest`] document.
//!
//! Both are read by [`Manifest::load`]. Header names are written lower-case, and
//! `Authorization` as [`REDACTED`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use ::http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::TestkitError;
pub use super::bytes::REDACTED;
use crate::transport::{TlsFailure, TransportError};

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
    /// The canonical request key ([`RequestKey::canonical`](super::RequestKey::canonical)); informational, replay
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
    pub fn load(dir: &Path) -> Result<Manifest, TestkitError> {
        let lines = dir.join(MANIFEST_LINES_FILE);
        if lines.exists() {
            return Self::load_lines(&lines);
        }
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read(&path).map_err(|e| TestkitError::io("read", &path, e))?;
        let m: Manifest = serde_json::from_slice(&text).map_err(|e| {
            let message = format!("invalid manifest {}: {e}", path.display());
            TestkitError::fixture(&path, message, Some(Box::new(e)))
        })?;
        check_version(&path, m.version)?;
        Ok(m)
    }

    fn load_lines(path: &Path) -> Result<Manifest, TestkitError> {
        let bad = |line: usize, e: &dyn std::fmt::Display| {
            let message = format!("invalid manifest {} line {line}: {e}", path.display());
            TestkitError::fixture(path, message, None)
        };
        let text = std::fs::read_to_string(path).map_err(|e| TestkitError::io("read", path, e))?;
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
        check_version(path, h.version)?;
        Ok(Manifest {
            version: h.version,
            endpoint: h.endpoint,
            default_namespace: h.default_namespace,
            exchanges,
        })
    }
}

fn check_version(path: &Path, version: u32) -> Result<(), TestkitError> {
    if version == MANIFEST_VERSION {
        return Ok(());
    }
    let message = format!(
        "{}: manifest version {version} is not supported (expected {MANIFEST_VERSION})",
        path.display()
    );
    Err(TestkitError::fixture(path, message, None))
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

pub(crate) fn header_map(fields: &HeaderFields) -> Result<HeaderMap, TestkitError> {
    let mut h = HeaderMap::new();
    for (k, v) in fields {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
            TestkitError::fixture(
                Path::new(""),
                format!("invalid header name {k:?} in manifest"),
                None,
            )
        })?;
        let vals = match v {
            HeaderField::One(s) => std::slice::from_ref(s),
            HeaderField::Many(v) => v.as_slice(),
        };
        for s in vals {
            let value = HeaderValue::from_str(s).map_err(|_| {
                let message = format!("invalid value of header {k:?} in manifest");
                TestkitError::fixture(Path::new(""), message, None)
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

pub(crate) fn rebuild_error(x: &Exchange, endpoint: &str) -> TransportError {
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

#[cfg(test)]
mod tests {
    use super::*;

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
