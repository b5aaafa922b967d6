//! The indication listener: an HTTP/HTTPS server for CIM-XML export requests (DMTF DSP0200
//! "CIM export" messages; DSP0201 `SIMPLEEXPREQ` / `EXPMETHODRESPONSE`).
//!
//! Every request is answered, none stops the listener:
//!
//! | request | answer (DSP0200) |
//! |---|---|
//! | not `POST` | 405, `Allow: POST` |
//! | Basic auth configured and missing/wrong | 401, `WWW-Authenticate: Basic` |
//! | `CIMExport` header missing or not `MethodRequest` | 400, `CIMError: unsupported-operation` |
//! | `CIMExportBatch` (multiple export request) | 501, `CIMError: multiple-requests-unsupported` |
//! | `Content-Type` not `application/xml` / `text/xml` (UTF-8) | 406, `CIMError: header-mismatch` |
//! | body over the limit | 413, `CIMError: request-not-valid` |
//! | not CIM-XML / malformed | 400, `CIMError: request-not-well-formed` |
//! | not an export request | 400, `CIMError: request-not-valid` |
//! | `CIMExportMethod` missing or not the body's method | 400, `CIMError: header-mismatch` |
//! | export method other than ExportIndication | 200, `ERROR CODE="7"` (CIM_ERR_NOT_SUPPORTED) |
//! | `NewIndication` missing, twice, not an instance | 200, `ERROR CODE="4"` (CIM_ERR_INVALID_PARAMETER) |
//! | queue full (see [`SlowConsumerPolicy`]) | 200, `ERROR CODE="1"` (CIM_ERR_FAILED): the sender retries later |
//! | accepted, or a duplicate (DSP1054) | 200, `CIMExport: MethodResponse`, empty `EXPMETHODRESPONSE` |

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use base64::Engine;
use bytes::Bytes;
use futures::Stream;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};

use super::sequence::{SequenceInfo, SequenceStatus, SequenceTracker};
use super::{ExportRefusal, Indication, indication_from_export};
use crate::message::{ErrorBody, Response as CimResponse, ResponseMessage};
use crate::xml::{DecodeLimits, decode_request, encode_response};

/// What the listener does when the consumer does not take indications fast enough and the
/// bounded queue is full. Either way nothing is lost silently: a refused indication is
/// answered with CIM_ERR_FAILED, which DSP1054 senders treat as a failed delivery and retry
/// (`DeliveryRetryAttempts` / `DeliveryRetryInterval` of `CIM_IndicationService`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlowConsumerPolicy {
    /// Answer CIM_ERR_FAILED at once (the default; what pywbem's listener does).
    Reject,
    /// Hold the sender's request up to this long for room, then answer CIM_ERR_FAILED.
    /// Keep it well below the sender's response timeout (20 s for OpenPegasus).
    WaitThenReject(Duration),
}

/// HTTP Basic credentials the listener requires.
#[derive(Clone)]
pub struct BasicAuth {
    /// User name.
    pub user: String,
    /// Password.
    pub password: SecretString,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The listener's TLS identity (PEM certificate chain and private key).
#[derive(Clone)]
pub struct ListenerTls {
    config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for ListenerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListenerTls")
    }
}

impl ListenerTls {
    /// From a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, ListenerError> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_chain_pem)
            .collect::<Result<_, _>>()
            .map_err(|e| ListenerError::Tls(format!("certificate PEM: {e}")))?;
        if certs.is_empty() {
            return Err(ListenerError::Tls("no certificate in the PEM".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| ListenerError::Tls(format!("private key PEM: {e}")))?;
        let provider = crate::transport::tls::crypto_provider()
            .map_err(|e| ListenerError::Tls(e.to_string()))?;
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| ListenerError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| ListenerError::Tls(format!("certificate/key: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ListenerTls {
            config: Arc::new(config),
        })
    }

    /// From a ready rustls server configuration (client certificates, other providers).
    pub fn from_config(config: Arc<rustls::ServerConfig>) -> Self {
        ListenerTls { config }
    }
}

/// How to run a [`Listener`].
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Address to bind (port 0: an ephemeral port).
    pub bind: SocketAddr,
    /// HTTPS when set, plain HTTP otherwise.
    pub tls: Option<ListenerTls>,
    /// Require HTTP Basic authentication (note: DSP0200 senders such as OpenPegasus send no
    /// credentials to listeners; authenticate them by address or TLS instead).
    pub auth: Option<BasicAuth>,
    /// Capacity of the queue between the server and the consumer (default 1024).
    pub queue_capacity: usize,
    /// What to do when the queue is full (default [`SlowConsumerPolicy::Reject`]).
    pub slow_consumer: SlowConsumerPolicy,
    /// Largest request body accepted (default 4 MiB).
    pub max_body: usize,
    /// Hand duplicates (DSP1054 redeliveries) to the consumer too, flagged
    /// [`SequenceStatus::Duplicate`] (default false: acknowledged and counted only).
    pub deliver_duplicates: bool,
    /// Most connections served at once (default 256); more wait in the accept backlog.
    pub max_connections: usize,
    /// Time allowed for a TLS handshake, the request headers, or the body (default 20 s).
    pub io_timeout: Duration,
}

impl ListenerConfig {
    /// Plain HTTP on `bind` with the defaults.
    pub fn http(bind: SocketAddr) -> Self {
        ListenerConfig {
            bind,
            tls: None,
            auth: None,
            queue_capacity: 1024,
            slow_consumer: SlowConsumerPolicy::Reject,
            max_body: 4 * 1024 * 1024,
            deliver_duplicates: false,
            max_connections: 256,
            io_timeout: Duration::from_secs(20),
        }
    }

    /// HTTPS on `bind` with the defaults.
    pub fn https(bind: SocketAddr, tls: ListenerTls) -> Self {
        ListenerConfig {
            tls: Some(tls),
            ..ListenerConfig::http(bind)
        }
    }

    /// Requires Basic authentication.
    pub fn basic_auth(mut self, user: impl Into<String>, password: SecretString) -> Self {
        self.auth = Some(BasicAuth {
            user: user.into(),
            password,
        });
        self
    }
}

/// Errors starting a listener.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenerError {
    /// The address cannot be bound (port in use, permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The TLS certificate or key is unusable.
    #[error("listener TLS: {0}")]
    Tls(String),
}

/// Counters of what the listener saw (monotonic).
#[derive(Debug, Default)]
pub struct ListenerStats {
    /// Export requests answered with success and handed to the consumer.
    pub delivered: AtomicU64,
    /// Redeliveries recognised by sequence number and acknowledged.
    pub duplicates: AtomicU64,
    /// Indications reported missing in gaps.
    pub missing: AtomicU64,
    /// Indications refused because the queue was full (answered CIM_ERR_FAILED).
    pub rejected_queue_full: AtomicU64,
    /// Requests refused at the HTTP or CIM level (malformed, wrong headers, ...).
    pub bad_requests: AtomicU64,
    /// Requests refused for missing or wrong credentials.
    pub auth_failures: AtomicU64,
    /// TCP connections accepted.
    pub connections: AtomicU64,
}

impl ListenerStats {
    fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
    /// A counter's current value.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

struct Shared {
    config: ListenerConfig,
    tx: mpsc::Sender<Indication>,
    tracker: Mutex<SequenceTracker>,
    stats: Arc<ListenerStats>,
}

/// A handle on a running listener: its address, counters, shutdown.
#[derive(Debug, Clone)]
pub struct ListenerHandle {
    addr: SocketAddr,
    https: bool,
    stats: Arc<ListenerStats>,
    shutdown: Arc<watch::Sender<bool>>,
}

impl ListenerHandle {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give a provider as `CIM_ListenerDestinationCIMXML.Destination`, with the
    /// bound address (use [`ListenerHandle::url_for_host`] when the provider reaches this
    /// machine under another name).
    pub fn url(&self) -> String {
        self.url_for_host(&self.addr.ip().to_string())
    }

    /// The destination URL with `host` instead of the bound address.
    pub fn url_for_host(&self, host: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        format!("{scheme}://{host}:{}", self.addr.port())
    }

    /// The counters.
    pub fn stats(&self) -> &ListenerStats {
        &self.stats
    }

    /// Stops accepting and closes open connections.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// A running indication listener; a [`Stream`] of the [`Indication`]s it accepted, in the
/// order it accepted them. Dropping it stops the server.
#[derive(Debug)]
pub struct Listener {
    handle: ListenerHandle,
    rx: mpsc::Receiver<Indication>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl Listener {
    /// Binds and starts serving (inside a tokio runtime).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), smis::indication::ListenerError> {
    /// use futures::StreamExt;
    /// use smis::indication::{Listener, ListenerConfig};
    /// let mut listener = Listener::bind(ListenerConfig::http("127.0.0.1:5990".parse().unwrap())).await?;
    /// println!("destination: {}", listener.handle().url());
    /// while let Some(ind) = listener.next().await {
    ///     println!("{} from {}", ind.class_name(), ind.sender);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn bind(config: ListenerConfig) -> Result<Listener, ListenerError> {
        let tcp = TcpListener::bind(config.bind)
            .await
            .map_err(|source| ListenerError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = tcp.local_addr().map_err(|source| ListenerError::Bind {
            addr: config.bind,
            source,
        })?;
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let (stop_tx, stop_rx) = watch::channel(false);
        let stats = Arc::new(ListenerStats::default());
        let handle = ListenerHandle {
            addr,
            https: config.tls.is_some(),
            stats: stats.clone(),
            shutdown: Arc::new(stop_tx),
        };
        let shared = Arc::new(Shared {
            tracker: Mutex::new(SequenceTracker::default()),
            stats,
            tx,
            config,
        });
        tokio::spawn(accept_loop(tcp, shared, stop_rx));
        Ok(Listener { handle, rx })
    }

    /// The handle (address, URL, counters, shutdown).
    pub fn handle(&self) -> &ListenerHandle {
        &self.handle
    }

    /// Waits for the next indication (None once the listener stopped).
    pub async fn recv(&mut self) -> Option<Indication> {
        self.rx.recv().await
    }
}

impl Stream for Listener {
    type Item = Indication;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Indication>> {
        self.rx.poll_recv(cx)
    }
}

async fn accept_loop(tcp: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(shared.config.max_connections.max(1)));
    let acceptor = shared
        .config
        .tls
        .as_ref()
        .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            _ = stop.changed() => return,
        };
        let (stream, peer) = tokio::select! {
            r = tcp.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "listener accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        if *stop.borrow() {
            return;
        }
        ListenerStats::bump(&shared.stats.connections);
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let timeout = shared.config.io_timeout;
            match acceptor {
                Some(acc) => {
                    let tls = tokio::select! {
                        r = tokio::time::timeout(timeout, acc.accept(stream)) => r,
                        _ = stop.changed() => return,
                    };
                    match tls {
                        Ok(Ok(s)) => serve(TokioIo::new(s), shared, peer, stop).await,
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
                None => serve(TokioIo::new(stream), shared, peer, stop).await,
            }
        });
    }
}

async fn serve<I>(io: I, shared: Arc<Shared>, peer: SocketAddr, mut stop: watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let timeout = shared.config.io_timeout;
    let svc = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(handle(req, &shared, peer).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .serve_connection(io, svc);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => if let Err(e) = r { tracing::debug!(%peer, error = %e, "listener connection ended") },
        _ = stop.changed() => {}
    }
}

fn plain(status: StatusCode, cim_error: Option<&'static str>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    if let Some(c) = cim_error {
        r.headers_mut()
            .insert("CIMError", HeaderValue::from_static(c));
    }
    r
}

fn export_response(id: &str, result: Result<(), ErrorBody>) -> Response<Full<Bytes>> {
    let msg = ResponseMessage {
        id: id.to_string(),
        response: CimResponse::Export {
            name: "ExportIndication".into(),
            result: result.map(|()| None),
        },
    };
    match encode_response(&msg) {
        Ok(body) => {
            let mut r = Response::new(Full::new(Bytes::from(body)));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            );
            h.insert("CIMExport", HeaderValue::from_static("MethodResponse"));
            r
        }
        // Only an unencodable MESSAGE ID gets here (it was decoded from the request).
        Err(_) => plain(StatusCode::BAD_REQUEST, Some("request-not-valid")),
    }
}

fn cim_error(code: u32, description: impl Into<String>) -> ErrorBody {
    ErrorBody {
        code,
        description: Some(description.into()),
        instances: Vec::new(),
    }
}

fn header_str<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn content_type_ok(v: Option<&str>) -> bool {
    let Some(v) = v else { return false };
    let mut parts = v.split(';').map(str::trim);
    let mime = parts.next().unwrap_or_default();
    if !mime.eq_ignore_ascii_case("application/xml") && !mime.eq_ignore_ascii_case("text/xml") {
        return false;
    }
    parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            let v = v.trim().trim_matches('"');
            v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")
        }
        _ => true,
    })
}

fn authorized(req: &Request<Incoming>, auth: &BasicAuth) -> bool {
    let Some(v) = header_str(req, "authorization") else {
        return false;
    };
    let Some((scheme, b64)) = v.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", auth.user, auth.password.expose_secret());
    // Constant-time comparison of equal-length inputs.
    raw.len() == expected.len()
        && raw
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn handle(
    req: Request<Incoming>,
    shared: &Shared,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let stats = &shared.stats;
    let bad = |status, e| {
        ListenerStats::bump(&stats.bad_requests);
        plain(status, e)
    };
    if req.method() != Method::POST {
        let mut r = bad(StatusCode::METHOD_NOT_ALLOWED, None);
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    if let Some(auth) = &shared.config.auth
        && !authorized(&req, auth)
    {
        ListenerStats::bump(&stats.auth_failures);
        let mut r = plain(StatusCode::UNAUTHORIZED, None);
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"smis-listener\""),
        );
        return r;
    }
    if !header_str(&req, "cimexport")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("MethodRequest"))
    {
        return bad(StatusCode::BAD_REQUEST, Some("unsupported-operation"));
    }
    if req.headers().contains_key("cimexportbatch") {
        return bad(
            StatusCode::NOT_IMPLEMENTED,
            Some("multiple-requests-unsupported"),
        );
    }
    if !content_type_ok(header_str(&req, "content-type")) {
        return bad(StatusCode::NOT_ACCEPTABLE, Some("header-mismatch"));
    }
    let max = shared.config.max_body;
    let declared = header_str(&req, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return bad(StatusCode::PAYLOAD_TOO_LARGE, Some("request-not-valid"));
    }
    let method_header = header_str(&req, "cimexportmethod").map(|s| s.trim().to_string());
    let body = match tokio::time::timeout(
        shared.config.io_timeout,
        Limited::new(req.into_body(), max).collect(),
    )
    .await
    {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return bad(StatusCode::PAYLOAD_TOO_LARGE, Some("request-not-valid"));
        }
        Ok(Err(_)) => return bad(StatusCode::BAD_REQUEST, Some("request-not-well-formed")),
        Err(_) => return bad(StatusCode::REQUEST_TIMEOUT, None),
    };
    let limits = DecodeLimits {
        max_bytes: max,
        ..DecodeLimits::default()
    };
    let msg = match decode_request(&body, &limits) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(%peer, error = %e, "malformed export request");
            return bad(StatusCode::BAD_REQUEST, Some("request-not-well-formed"));
        }
    };
    if !matches!(msg.request, crate::message::Request::Export(_)) {
        return bad(StatusCode::BAD_REQUEST, Some("request-not-valid"));
    }
    if !method_header.is_some_and(|m| m.eq_ignore_ascii_case(msg.request.method_name())) {
        return bad(StatusCode::BAD_REQUEST, Some("header-mismatch"));
    }
    let id = msg.id.clone();
    let instance = match indication_from_export(msg) {
        Ok(i) => i,
        Err(e @ (ExportRefusal::NotSupported(_) | ExportRefusal::InvalidParameter(_))) => {
            ListenerStats::bump(&stats.bad_requests);
            return export_response(&id, Err(cim_error(e.cim_status(), e.to_string())));
        }
    };
    let mut ind = Indication::new(instance, peer, SystemTime::now());
    let seq = ind.sequence_key();
    if let Some((ctx, n)) = &seq {
        let status = lock(&shared.tracker).classify(peer.ip(), ctx, *n);
        if status == SequenceStatus::Duplicate && !shared.config.deliver_duplicates {
            ListenerStats::bump(&stats.duplicates);
            tracing::debug!(%peer, context = %ctx, number = n, "duplicate indication acknowledged");
            return export_response(&id, Ok(()));
        }
    }
    let permit = match shared.config.slow_consumer {
        SlowConsumerPolicy::Reject => shared.tx.try_reserve().ok(),
        SlowConsumerPolicy::WaitThenReject(d) => tokio::time::timeout(d, shared.tx.reserve())
            .await
            .ok()
            .and_then(Result::ok),
    };
    let Some(permit) = permit else {
        ListenerStats::bump(&stats.rejected_queue_full);
        return export_response(
            &id,
            Err(cim_error(1, "the listener's queue is full; retry later")),
        );
    };
    if let Some((context, number)) = seq {
        let status = lock(&shared.tracker).record(peer.ip(), &context, number);
        match &status {
            SequenceStatus::Duplicate => {
                ListenerStats::bump(&stats.duplicates);
                if !shared.config.deliver_duplicates {
                    return export_response(&id, Ok(()));
                }
            }
            SequenceStatus::AfterGap { from, missing } => {
                stats.missing.fetch_add(*missing, Ordering::Relaxed);
                tracing::warn!(%peer, %context, from, missing, "indications missing (sequence gap)");
            }
            _ => {}
        }
        ind.sequence = Some(SequenceInfo {
            context,
            number,
            status,
        });
    }
    permit.send(ind);
    ListenerStats::bump(&stats.delivered);
    export_response(&id, Ok(()))
}

fn lock(m: &Mutex<SequenceTracker>) -> std::sync::MutexGuard<'_, SequenceTracker> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
