//! The HTTP(S) server shell of the simulated SMI-S provider.
//!
//! The server performs the transport-level checks of DMTF DSP0200 (method,
//! path, authentication, CIM-XML operation headers, content type, body size)
//! and hands everything else to a [`CimHandler`], which owns the CIM-XML
//! codec and the simulated model.
//!
//! # Error mapping
//!
//! | Condition | Answer |
//! |---|---|
//! | path other than `/cimom` (or `/cimom/`) | `404 Not Found` |
//! | `M-POST` | `501 Not Implemented` (DSP0200: client retries with `POST`) |
//! | any other method than `POST` | `405 Method Not Allowed`, `Allow: POST` |
//! | body larger than `max_body_bytes` | `413 Payload Too Large`, connection closed |
//! | users configured, missing/wrong `Authorization: Basic` | `401`, `WWW-Authenticate: Basic realm="smis-sim"`, empty body, connection kept open |
//! | neither `CIMOperation: MethodCall` nor `CIMExport: MethodRequest` | `400`, `CIMError: unsupported-operation` |
//! | `CIMOperation: MethodCall` without `CIMMethod`, or `CIMExport: MethodRequest` without `CIMExportMethod` | `400`, `CIMError: header-mismatch` |
//! | `Content-Type` missing or not `application/xml` / `text/xml` with an optional `charset=utf-8` | `400`, `CIMError: header-mismatch` (DSP0200 defines no dedicated CIMError value for this) |

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::http::{HeaderMap, Method, Request, Response, StatusCode};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

pub use crate::error::SimError;
use crate::fault::Fault;
use crate::tls::{self, SimTls};

/// How long in-flight requests may run after [`SimHandle::shutdown`].
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// Upper bound on a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time given to the kernel to push a truncated body out before closing.
const TRUNCATE_LINGER: Duration = Duration::from_millis(50);
/// The challenge sent with `401 Unauthorized`.
const WWW_AUTHENTICATE: &str = "Basic realm=\"smis-sim\"";

/// A CIM-XML request as the server received it, after the HTTP checks.
#[derive(Debug, Clone)]
pub struct CimHttpRequest {
    /// The request headers, minus `Authorization` (credentials are checked by
    /// the server and never handed on; see [`CimHttpRequest::user`]).
    pub headers: HeaderMap,
    /// The complete request body.
    pub body: Bytes,
    /// The authenticated user, or `None` when the server has no users configured.
    pub user: Option<String>,
    /// The client sent `TE: trailers`, so trailers in the response will be delivered.
    pub wants_trailers: bool,
}

/// What a [`CimHandler`] answers.
#[derive(Debug, Clone)]
pub struct CimHttpResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Extra response headers; they replace the server defaults
    /// (`Content-Type: application/xml; charset="utf-8"`,
    /// `CIMOperation: MethodResponse` or `CIMExport: MethodResponse`).
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
    /// Trailers (for example `CIMStatusCode`), sent in a chunked response
    /// only when the request asked for them with `TE: trailers`.
    pub trailers: Option<HeaderMap>,
    /// A fault to inject while sending this response.
    pub fault: Option<Fault>,
}

impl CimHttpResponse {
    /// A `200 OK` response carrying `body` and no extra headers.
    pub fn ok(body: impl Into<Bytes>) -> Self {
        Self::with_status(StatusCode::OK, body)
    }

    /// A response with the given status and body and no extra headers.
    pub fn with_status(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
            trailers: None,
            fault: None,
        }
    }

    /// Sets the fault to inject (builder style).
    #[must_use]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Sets the trailers (builder style).
    #[must_use]
    pub fn with_trailers(mut self, trailers: HeaderMap) -> Self {
        self.trailers = Some(trailers);
        self
    }
}

/// A boxed, sendable future, as returned by [`CimHandler::handle`].
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = CimHttpResponse> + Send + 'a>>;

/// The provider logic behind the server: decodes CIM-XML requests and
/// produces responses.
pub trait CimHandler: Send + Sync + 'static {
    /// Answers one request that passed the HTTP-level checks.
    fn handle(&self, req: CimHttpRequest) -> HandlerFuture<'_>;
}

/// A [`CimHandler`] built from an async closure; see [`handler_fn`].
pub struct FnHandler<F>(F);

impl<F, Fut> CimHandler for FnHandler<F>
where
    F: Fn(CimHttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CimHttpResponse> + Send + 'static,
{
    fn handle(&self, req: CimHttpRequest) -> HandlerFuture<'_> {
        Box::pin((self.0)(req))
    }
}

/// Wraps a closure returning a future into a shareable [`CimHandler`].
pub fn handler_fn<F, Fut>(f: F) -> Arc<dyn CimHandler>
where
    F: Fn(CimHttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CimHttpResponse> + Send + 'static,
{
    Arc::new(FnHandler(f))
}

/// Configuration of a [`SimServer`].
///
/// Its `Debug` output redacts the passwords.
#[derive(Clone)]
pub struct SimServerConfig {
    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub listen: SocketAddr,
    /// TLS setup (default: generated self-signed certificate).
    pub tls: SimTls,
    /// Accepted `(user, password)` pairs; empty means no authentication.
    pub users: Vec<(String, String)>,
    /// Largest accepted request body (default 32 MiB); larger gets `413`.
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for SimServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let users: Vec<(&str, &str)> = self
            .users
            .iter()
            .map(|(u, _)| (u.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("SimServerConfig")
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("users", &users)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Default for SimServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: SimTls::Generated,
            users: Vec::new(),
            max_body_bytes: 32 * 1024 * 1024,
        }
    }
}

/// The simulated SMI-S provider's HTTP(S) server.
#[derive(Debug)]
pub struct SimServer;

impl SimServer {
    /// Binds `config.listen` and spawns the accept loop on the current tokio
    /// runtime. Must be called from within a runtime.
    pub fn start(
        config: SimServerConfig,
        handler: Arc<dyn CimHandler>,
    ) -> Result<SimHandle, SimError> {
        let rt = tokio::runtime::Handle::try_current().map_err(|_| SimError::NoRuntime)?;
        let material = tls::build(&config.tls)?;
        let bind_err = |source| SimError::Bind {
            addr: config.listen,
            source,
        };
        let std_listener = std::net::TcpListener::bind(config.listen).map_err(bind_err)?;
        std_listener.set_nonblocking(true).map_err(bind_err)?;
        let addr = std_listener.local_addr().map_err(bind_err)?;
        let listener = {
            let _guard = rt.enter();
            TcpListener::from_std(std_listener).map_err(bind_err)?
        };
        let acceptor = material
            .as_ref()
            .map(|m| TlsAcceptor::from(Arc::clone(&m.config)));
        let shared = Arc::new(Shared {
            handler,
            users: config.users,
            max_body: config.max_body_bytes,
        });
        let accepted = Arc::new(AtomicU64::new(0));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let task = rt.spawn(accept_loop(
            listener,
            acceptor,
            shared,
            Arc::clone(&accepted),
            shutdown_rx,
        ));
        let scheme = if material.is_some() { "https" } else { "http" };
        tracing::info!("smis-sim listening on {scheme}://{addr}");
        Ok(SimHandle {
            addr,
            scheme,
            cert_pem: material.as_ref().map(|m| m.cert_pem.clone()),
            leaf_der: material.map(|m| m.leaf_der),
            accepted,
            shutdown_tx: Some(shutdown_tx),
            task: Some(task),
        })
    }
}

/// A running simulated server. Dropping it stops the accept loop.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    scheme: &'static str,
    cert_pem: Option<String>,
    leaf_der: Option<Vec<u8>>,
    accepted: Arc<AtomicU64>,
    shutdown_tx: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Base URL, e.g. `https://127.0.0.1:5989` (no path; requests go to `/cimom`).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The CIM-XML endpoint, i.e. [`url`](Self::url) followed by `/cimom`.
    pub fn cimom_url(&self) -> String {
        format!("{}/cimom", self.url())
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// PEM of the served certificate chain, or `None` for plain HTTP.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// DER of the served end-entity certificate, or `None` for plain HTTP.
    pub fn cert_der(&self) -> Option<&[u8]> {
        self.leaf_der.as_deref()
    }

    /// SHA-256 fingerprint of the end-entity certificate (DER) as uppercase
    /// hex pairs separated by colons (`AB:CD:...`), or `None` for plain HTTP.
    pub fn cert_sha256_hex(&self) -> Option<String> {
        self.leaf_der.as_deref().map(tls::sha256_colon_hex)
    }

    /// SHA-256 fingerprint of the end-entity certificate (DER) as plain
    /// lowercase hex, or `None` for plain HTTP.
    pub fn cert_sha256_hex_plain(&self) -> Option<String> {
        self.leaf_der.as_deref().map(tls::sha256_hex)
    }

    /// Number of TCP connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Stops accepting, lets in-flight requests finish for a short grace
    /// period, then closes all connections.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE + Duration::from_secs(1), task).await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(true);
        }
    }
}

struct Shared {
    handler: Arc<dyn CimHandler>,
    users: Vec<(String, String)>,
    max_body: usize,
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    accepted: Arc<AtomicU64>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            res = listener.accept() => match res {
                Ok((stream, peer)) => {
                    accepted.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%peer, "connection accepted");
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_conn(
                        stream,
                        acceptor.clone(),
                        Arc::clone(&shared),
                        shutdown.clone(),
                    ));
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    tracing::debug!("accept loop stopped; draining {} connections", conns.len());
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    conns.abort_all();
}

async fn serve_conn(
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    match acceptor {
        None => serve_io(stream, shared, shutdown).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => serve_io(tls, shared, shutdown).await,
                Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

async fn serve_io<I>(io: I, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Signalled by the DropConnection fault: the connection is dropped
    // (socket closed) without writing anything.
    let kill = Arc::new(Notify::new());
    let svc = {
        let kill = Arc::clone(&kill);
        service_fn(move |req| {
            let shared = Arc::clone(&shared);
            let kill = Arc::clone(&kill);
            async move { Ok::<_, Infallible>(handle_request(req, &shared, &kill).await) }
        })
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!("connection ended with error: {e}");
            }
        }
        _ = kill.notified() => tracing::debug!("fault: dropping connection"),
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = kill.notified() => {}
            }
        }
    }
}

/// Response body: whole, chunked with trailers, or deliberately truncated.
enum SimBody {
    Full(Option<Bytes>),
    Trailers {
        data: Option<Bytes>,
        trailers: Option<HeaderMap>,
    },
    Truncated {
        data: Option<Bytes>,
        linger: Pin<Box<tokio::time::Sleep>>,
    },
}

impl SimBody {
    fn empty() -> Self {
        SimBody::Full(None)
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            SimBody::Full(data) => Poll::Ready(
                data.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            SimBody::Trailers { data, trailers } => {
                if let Some(b) = data.take().filter(|b| !b.is_empty()) {
                    return Poll::Ready(Some(Ok(Frame::data(b))));
                }
                Poll::Ready(trailers.take().map(|t| Ok(Frame::trailers(t))))
            }
            SimBody::Truncated { data, linger } => {
                if let Some(b) = data.take().filter(|b| !b.is_empty()) {
                    return Poll::Ready(Some(Ok(Frame::data(b))));
                }
                // Stay pending briefly so hyper flushes what was written,
                // then fail the body, which makes hyper close the connection.
                match linger.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                        "body truncated by fault injection",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SimBody::Full(data) => data.as_ref().is_none_or(Bytes::is_empty),
            SimBody::Trailers { data, trailers } => data.is_none() && trailers.is_none(),
            SimBody::Truncated { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SimBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |b| b.len() as u64))
            }
            _ => SizeHint::default(),
        }
    }
}

fn simple(status: StatusCode, headers: &[(HeaderName, &'static str)]) -> Response<SimBody> {
    let mut resp = Response::new(SimBody::empty());
    *resp.status_mut() = status;
    for (name, value) in headers {
        resp.headers_mut()
            .insert(name.clone(), HeaderValue::from_static(value));
    }
    resp
}

fn cim_error(value: &'static str) -> Response<SimBody> {
    simple(
        StatusCode::BAD_REQUEST,
        &[
            (HeaderName::from_static("cimerror"), value),
            (HeaderName::from_static("cimoperation"), "MethodResponse"),
        ],
    )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether a comma-separated header list contains `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            item.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(token))
        })
}

fn content_type_ok(headers: &HeaderMap) -> bool {
    let Some(ct) = header_str(headers, "content-type") else {
        return false;
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim();
    if !(media.eq_ignore_ascii_case("application/xml") || media.eq_ignore_ascii_case("text/xml")) {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        Some(_) => true,
        None => param.trim().is_empty(),
    })
}

/// Compares two byte strings in time independent of where they differ
/// (the length is not secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks `Authorization: Basic`; returns the user name on success.
fn authenticate(headers: &HeaderMap, users: &[(String, String)]) -> Option<String> {
    use base64::Engine as _;
    let value = header_str(headers, "authorization")?;
    let (scheme, creds) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(creds.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    let mut found = None;
    for (u, p) in users {
        let pw_ok = constant_time_eq(p.as_bytes(), password.as_bytes());
        if u == user && pw_ok && found.is_none() {
            found = Some(u.clone());
        }
    }
    found
}

async fn handle_request(
    req: Request<Incoming>,
    shared: &Shared,
    kill: &Notify,
) -> Response<SimBody> {
    let path = req.uri().path();
    if path != "/cimom" && path != "/cimom/" {
        return simple(StatusCode::NOT_FOUND, &[]);
    }
    if req.method().as_str() == "M-POST" {
        return simple(StatusCode::NOT_IMPLEMENTED, &[]);
    }
    if req.method() != Method::POST {
        return simple(StatusCode::METHOD_NOT_ALLOWED, &[(header::ALLOW, "POST")]);
    }
    let too_large = || {
        simple(
            StatusCode::PAYLOAD_TOO_LARGE,
            &[(header::CONNECTION, "close")],
        )
    };
    let declared = header_str(req.headers(), "content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    // Read the whole body before answering so that the connection stays
    // usable (keep-alive) even for rejected requests.
    let body = match Limited::new(body, shared.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            if e.is::<http_body_util::LengthLimitError>() {
                return too_large();
            }
            tracing::debug!("reading request body failed: {e}");
            return simple(StatusCode::BAD_REQUEST, &[(header::CONNECTION, "close")]);
        }
    };
    let mut headers = parts.headers;

    let user = if shared.users.is_empty() {
        None
    } else {
        match authenticate(&headers, &shared.users) {
            Some(u) => Some(u),
            None => {
                tracing::debug!("request rejected: authentication required or failed");
                return simple(
                    StatusCode::UNAUTHORIZED,
                    &[(header::WWW_AUTHENTICATE, WWW_AUTHENTICATE)],
                );
            }
        }
    };

    let export = match (
        header_str(&headers, "cimoperation"),
        header_str(&headers, "cimexport"),
    ) {
        (Some(op), _) if op.eq_ignore_ascii_case("MethodCall") => {
            if headers.get("cimmethod").is_none() {
                return cim_error("header-mismatch");
            }
            false
        }
        (None, Some(ex)) if ex.eq_ignore_ascii_case("MethodRequest") => {
            if headers.get("cimexportmethod").is_none() {
                return cim_error("header-mismatch");
            }
            true
        }
        _ => return cim_error("unsupported-operation"),
    };
    if !content_type_ok(&headers) {
        return cim_error("header-mismatch");
    }

    headers.remove(header::AUTHORIZATION);
    let wants_trailers = has_token(&headers, &header::TE, "trailers");
    let answer = shared
        .handler
        .handle(CimHttpRequest {
            headers,
            body,
            user,
            wants_trailers,
        })
        .await;
    build_response(answer, export, wants_trailers, kill).await
}

async fn build_response(
    answer: CimHttpResponse,
    export: bool,
    wants_trailers: bool,
    kill: &Notify,
) -> Response<SimBody> {
    let CimHttpResponse {
        status,
        headers: extra,
        body,
        trailers,
        fault,
    } = answer;
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::DropConnection) => {
            kill.notify_one();
            // The connection task drops this future together with the socket.
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=\"utf-8\""),
    );
    let (op_name, op_value) = if export {
        ("cimexport", "MethodResponse")
    } else {
        ("cimoperation", "MethodResponse")
    };
    headers.insert(
        HeaderName::from_static(op_name),
        HeaderValue::from_static(op_value),
    );
    headers.extend(extra);

    let body = match (fault, trailers) {
        (Some(Fault::TruncateBody { after_bytes }), _) => {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            headers.remove(header::TRANSFER_ENCODING);
            SimBody::Truncated {
                data: Some(body.slice(..after_bytes.min(body.len()))),
                linger: Box::pin(tokio::time::sleep(TRUNCATE_LINGER)),
            }
        }
        (_, Some(trailers)) if wants_trailers => {
            if !headers.contains_key(header::TRAILER) {
                let names: Vec<&str> = trailers.keys().map(HeaderName::as_str).collect();
                if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
                    headers.insert(header::TRAILER, v);
                }
            }
            headers.remove(header::CONTENT_LENGTH);
            SimBody::Trailers {
                data: Some(body),
                trailers: Some(trailers),
            }
        }
        _ => {
            headers.remove(header::CONTENT_LENGTH);
            SimBody::Full(Some(body))
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert!(!content_type_ok(&h));
        for (v, ok) in [
            ("application/xml", true),
            ("text/xml", true),
            ("application/xml; charset=\"utf-8\"", true),
            ("TEXT/XML;charset=UTF-8", true),
            ("application/xml; charset=iso-8859-1", false),
            ("application/json", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            assert_eq!(content_type_ok(&h), ok, "{v}");
        }
    }

    #[test]
    fn basic_auth() {
        use base64::Engine as _;
        let users = vec![("alice".to_string(), "s3cret".to_string())];
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&h, &users), None);
        let good = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {good}")).unwrap(),
        );
        assert_eq!(authenticate(&h, &users).as_deref(), Some("alice"));
        let bad = base64::engine::general_purpose::STANDARD.encode("alice:s3cre");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("basic {bad}")).unwrap(),
        );
        assert_eq!(authenticate(&h, &users), None);
    }

    #[test]
    fn te_trailers() {
        let mut h = HeaderMap::new();
        h.insert(header::TE, HeaderValue::from_static("gzip, Trailers;q=1"));
        assert!(has_token(&h, &header::TE, "trailers"));
    }
}
