//! Recording of CIM-XML exchanges as replayable fixtures.
//!
//! [`RecordingTransport`] wraps another transport, forwards every request to it and writes
//! each exchange into a fixture directory:
//!
//! - `NNNN-<Operation>.request.xml` and `NNNN-<Operation>.response.xml`: the bodies verbatim,
//!   except that the `MESSAGE ID` is set to `1001` and the `VALUE` text of any parameter
//!   whose name contains "password" is replaced by `[REDACTED]`;
//! - `manifest.jsonl` ([`Manifest`](super::Manifest) as JSON lines): a header line (format version,
//!   endpoint, default namespace), then one line per exchange with the status, headers and
//!   trailers of its response, appended as each exchange ends (never rewritten, so a long
//!   recording costs the same per exchange as a short one). `Authorization` is written as
//!   `[REDACTED]`. Replay reads this and the older single-document `manifest.json`.
//!
//! Transport failures are recorded too (`"error"`), and replayed as the same kind of error.
//! [`ReplayTransport`](super::ReplayTransport) plays a directory back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ::http::HeaderMap;
use futures::future::BoxFuture;
use percent_encoding::percent_decode_str;

use super::TestkitError;
use super::bytes::{redact_passwords, with_message_id};
use super::key::RequestKey;
use super::manifest::{
    Exchange, FIXTURE_MESSAGE_ID, MANIFEST_FILE, MANIFEST_LINES_FILE, MANIFEST_VERSION,
    ManifestHeader, error_kind, header_fields,
};
use crate::cim::ObjectPath;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// A [`Transport`] that forwards to another one and records every exchange as a fixture.
pub struct RecordingTransport {
    inner: Arc<dyn Transport>,
    dir: PathBuf,
    state: Mutex<Log>,
}

/// The open manifest and the number of exchanges written to it.
struct Log {
    file: std::fs::File,
    count: u32,
}

impl std::fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingTransport")
            .field("endpoint", &self.inner.endpoint())
            .field("dir", &self.dir)
            .finish()
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> TestkitError {
    TestkitError::io(what, path, e)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
}

/// A file-name-safe form of an operation name.
fn file_op(op: &str) -> String {
    let s: String = op
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if s.is_empty() { "Request".into() } else { s }
}

impl RecordingTransport {
    /// Records the exchanges with `inner` into `dir` (created if needed). Fixture files of
    /// an earlier recording in `dir` (`manifest.json`, `*.request.xml`, `*.response.xml`)
    /// are removed first.
    pub fn new(inner: Arc<dyn Transport>, dir: impl AsRef<Path>) -> Result<Self, TestkitError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| io_err("create", &dir, e))?;
        let listing = std::fs::read_dir(&dir).map_err(|e| io_err("list", &dir, e))?;
        for entry in listing.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == MANIFEST_FILE
                || name == MANIFEST_LINES_FILE
                || name.ends_with(".request.xml")
                || name.ends_with(".response.xml")
            {
                let p = entry.path();
                std::fs::remove_file(&p).map_err(|e| io_err("remove", &p, e))?;
            }
        }
        let path = dir.join(MANIFEST_LINES_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_err("create", &path, e))?;
        let t = RecordingTransport {
            dir,
            state: Mutex::new(Log { file, count: 0 }),
            inner,
        };
        let header = ManifestHeader {
            version: MANIFEST_VERSION,
            endpoint: t.inner.endpoint(),
            default_namespace: None,
        };
        t.append(&mut t.lock(), &header)?;
        Ok(t)
    }

    /// Stores `namespace` as the manifest's default namespace (what
    /// [`Client::replay`](crate::Client::replay) uses).
    pub fn with_default_namespace(
        self,
        namespace: impl Into<String>,
    ) -> Result<Self, TestkitError> {
        let header = ManifestHeader {
            version: MANIFEST_VERSION,
            endpoint: self.inner.endpoint(),
            default_namespace: Some(crate::cim::normalize_namespace(&namespace.into())),
        };
        self.append(&mut self.lock(), &header)?;
        Ok(self)
    }

    /// The fixture directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number of exchanges recorded so far.
    pub fn len(&self) -> usize {
        self.lock().count as usize
    }

    /// True before the first exchange.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one JSON line to the manifest (one write call per line).
    fn append<S: serde::Serialize>(&self, log: &mut Log, line: &S) -> Result<(), TestkitError> {
        let path = self.dir.join(MANIFEST_LINES_FILE);
        let mut text = serde_json::to_vec(line).map_err(|e| {
            let message = format!("cannot serialise manifest {}: {e}", path.display());
            TestkitError::fixture(&path, message, Some(Box::new(e)))
        })?;
        text.push(b'\n');
        log.file
            .write_all(&text)
            .map_err(|e| io_err("write", &path, e))
    }

    fn record(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        result: &Result<HttpResponse, TransportError>,
    ) -> Result<(), TestkitError> {
        let request_body = with_message_id(&redact_passwords(body), FIXTURE_MESSAGE_ID);
        let key = RequestKey::from_request(headers, &request_body);
        let operation = header(headers, "cimmethod")
            .or_else(|| header(headers, "cimexportmethod"))
            .unwrap_or_else(|| key.operation.clone());
        let object = header(headers, "cimobject").unwrap_or_default();
        let namespace = if object.contains(':') {
            ObjectPath::parse(&object)
                .ok()
                .and_then(|p| p.namespace)
                .unwrap_or_else(|| key.namespace.clone())
        } else if object.is_empty() {
            key.namespace.clone()
        } else {
            object.clone()
        };
        let mut m = self.lock();
        let seq = m.count.saturating_add(1);
        let stem = format!("{seq:04}-{}", file_op(&operation));
        let request_file = format!("{stem}.request.xml");
        let p = self.dir.join(&request_file);
        std::fs::write(&p, &request_body).map_err(|e| io_err("write", &p, e))?;
        let mut x = Exchange {
            seq,
            operation,
            namespace,
            object,
            canonical: key.canonical(),
            request_file,
            response_file: None,
            status: None,
            headers: Default::default(),
            request_headers: header_fields(headers, true),
            trailers: None,
            error: None,
            error_kind: None,
            error_value: None,
        };
        match result {
            Ok(r) => {
                let response_file = format!("{stem}.response.xml");
                let body = with_message_id(&redact_passwords(&r.body), FIXTURE_MESSAGE_ID);
                let p = self.dir.join(&response_file);
                std::fs::write(&p, &body).map_err(|e| io_err("write", &p, e))?;
                x.response_file = Some(response_file);
                x.status = Some(r.status.as_u16());
                x.headers = header_fields(&r.headers, true);
                x.trailers = r.trailers.as_ref().map(|t| header_fields(t, true));
            }
            Err(e) => {
                let (kind, value) = error_kind(e);
                x.error = Some(e.to_string());
                x.error_kind = Some(kind.into());
                x.error_value = value;
            }
        }
        self.append(&mut m, &x)?;
        m.count = seq;
        Ok(())
    }
}

impl Transport for RecordingTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let headers = request.headers.clone();
            let body = request.body.clone();
            let result = self.inner.send(request).await;
            self.record(&headers, &body, &result)?;
            result
        })
    }

    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }
}
