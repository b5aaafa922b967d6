//! Replay of recorded CIM-XML exchanges (fixtures written by
//! [`RecordingTransport`](super::RecordingTransport) or by hand; format in
//! [`manifest`](super::manifest)).
//!
//! [`ReplayTransport`] answers each request with the recorded response whose request has the
//! same canonical key ([`RequestKey`]): operation, namespace, target object path and
//! parameters, compared structurally rather than byte for byte (attribute order,
//! whitespace, the `MESSAGE ID`, the order of properties and key bindings, the case of names
//! and the order of `PropertyList` entries do not matter).
//!
//! ```no_run
//! # fn demo() -> smis::Result<()> {
//! let client = smis::Client::replay("fixtures/quirks-job-status")?;
//! # let _ = client; Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ::http::{HeaderMap, HeaderValue, StatusCode};
use bytes::Bytes;
use futures::future::BoxFuture;

use super::bytes::{message_id, with_message_id};
use super::error::{NearestExchange, ReplayMiss, TestkitError};
use super::key::RequestKey;
use super::manifest::{Exchange, Manifest, header_map, rebuild_error};
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

// ----- The replay transport -----

/// How recorded exchanges are matched to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, TestkitError> {
        let dir = dir.as_ref().to_path_buf();
        let manifest = Manifest::load(&dir)?;
        let mut entries = Vec::with_capacity(manifest.exchanges.len());
        for x in &manifest.exchanges {
            let read = |f: &str| {
                let p = dir.join(f);
                std::fs::read(&p).map_err(|e| TestkitError::io("read fixture", &p, e))
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

    fn respond(&self, e: &Entry, id: Option<&str>) -> Result<HttpResponse, TransportError> {
        let x = &e.exchange;
        if x.error.is_some() || x.status.is_none() {
            return Err(rebuild_error(x, &self.manifest.endpoint));
        }
        let status = StatusCode::from_u16(x.status.unwrap_or(200)).map_err(|_| {
            let message = format!("invalid status in exchange #{}", x.seq);
            TestkitError::fixture(&self.dir, message, None)
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
        let nearest = closest.map(|i| {
            let e = &self.entries[i];
            let later_match = expected.and_then(|_| {
                self.entries
                    .iter()
                    .enumerate()
                    .find(|(j, o)| !used[*j] && *j != i && o.key.matches(key))
                    .map(|(_, later)| later.exchange.seq)
            });
            NearestExchange {
                seq: e.exchange.seq,
                key: e.key.clone(),
                request_file: e.exchange.request_file.clone(),
                due_next: expected.is_some(),
                already_replayed: used[i],
                differences: e.key.differences(key),
                later_match,
            }
        });
        let miss = ReplayMiss {
            fixture: self.dir.clone(),
            requested: key.clone(),
            nearest,
            all_replayed: expected.is_none() && used.iter().all(|u| *u) && !used.is_empty(),
        };
        TestkitError::Miss(Box::new(miss)).into()
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
