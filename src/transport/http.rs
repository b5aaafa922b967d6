//! The HTTP(S) transport: HTTP/1.1 (hyper 1's client connection API) over rustls, with at
//! most [`DEFAULT_MAX_CONNECTIONS`] (configurable) keep-alive connections per endpoint:
//! requests beyond the limit wait for a connection instead of opening more, idle connections
//! are reused first, and a sequential caller uses exactly one (see `pool.rs`). A
//! higher-level HTTP client such as reqwest cannot promise this: its pool races a new
//! connection against the return of an idle one, so it opens more connections than
//! requests in flight, and it has no hard per-host limit.
//!
//! The response body is read frame by frame so that the size limit is enforced while
//! reading and chunked trailers (`CIMStatusCode`, `CIMStatusCodeDescription`, sent by
//! OpenPegasus when the request carries `TE: trailers`) are collected; hyper 1 decodes
//! HTTP/1.1 chunked trailers into a trailers frame. [`Transport::send_streaming`] hands the
//! frames on as they arrive instead.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use std::sync::Arc;

use ::http::{HeaderMap, HeaderValue, header};
use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use rustls::CertificateError;
use rustls::pki_types::ServerName;
use tracing::Instrument;

use super::pool::{Lease, Pool, Target};
use super::tls::{PinMismatch, TlsOptions};
use super::{
    BodyPart, HttpRequest, HttpResponse, ServerUrl, StreamingResponse, TlsFailure, Transport,
    TransportError,
};

/// Default limit for one response body read whole: 512 MiB, enough for an EnumerateInstances
/// of about 140,000 volumes (a 20,000-volume array answers about 72 MB). Streamed responses
/// are not limited by their size but by what the reader holds at once.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 512 * 1024 * 1024;
/// Default limit of open connections per endpoint: 8.
pub const DEFAULT_MAX_CONNECTIONS: usize = 8;
/// Default TCP connect timeout: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one whole operation (connect, send, read the response): 120 s.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

/// Settings of an [`HttpTransport`].
#[derive(Clone, Debug)]
pub struct HttpTransportConfig {
    /// Base URL (`http` or `https`, e.g. `https://array:5989`); the request path
    /// (`/cimom`) is appended to its path. Must not contain credentials.
    pub base_url: ServerUrl,
    /// TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// Bound on one whole operation: connect, send the request, read the full response.
    pub operation_timeout: Duration,
    /// Largest accepted response body in bytes (default 512 MiB).
    pub max_response_bytes: u64,
    /// Most connections open at once to this endpoint (default 8; 0 counts as 1).
    pub max_connections: usize,
    /// TLS settings (ignored for `http` URLs).
    pub tls: TlsOptions,
}

impl HttpTransportConfig {
    /// Settings with the defaults: 10 s connect timeout, 120 s operation timeout, 512 MiB
    /// body limit, 8 connections, system root certificates.
    pub fn new(base_url: ServerUrl) -> Self {
        Self {
            base_url,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            tls: TlsOptions::default(),
        }
    }

    /// Parses `url` and returns settings with the defaults.
    pub fn parse(url: &str) -> Result<Self, TransportError> {
        Ok(Self::new(ServerUrl::parse(url)?))
    }

    /// Sets the TLS options.
    pub fn with_tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the operation timeout.
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Sets the response body limit.
    pub fn with_max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Sets the connection limit.
    pub fn with_max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit;
        self
    }
}

/// A [`Transport`] over HTTP/1.1 + rustls with a bounded per-endpoint connection pool (no
/// redirects, no proxy from the environment). Clones share the pool.
#[derive(Clone)]
pub struct HttpTransport {
    pool: Arc<Pool>,
    base_url: ServerUrl,
    endpoint: String,
    host: String,
    host_header: HeaderValue,
    operation_timeout: Duration,
    max_response_bytes: u64,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("endpoint", &self.endpoint)
            .field("max_connections", &self.pool.limit())
            .field("operation_timeout", &self.operation_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl HttpTransport {
    /// Builds the transport: validates the URL, reads the TLS files and builds the TLS
    /// configuration. No connection is made yet.
    pub fn new(config: HttpTransportConfig) -> Result<Self, TransportError> {
        let url = config.base_url;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(TransportError::Config(format!(
                    "unsupported URL scheme {other:?}: use http or https"
                )));
            }
        };
        if url.has_credentials() {
            return Err(TransportError::Config(
                "the base URL must not contain credentials".into(),
            ));
        }
        let host = url
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| TransportError::Config("the base URL has no host".into()))?
            .to_owned();
        let port = url
            .port()
            .ok_or_else(|| TransportError::Config("the base URL has no port".into()))?;
        let endpoint = format!("{}://{}:{}", url.scheme(), host, port);
        // IPv6 literals without their brackets, for name resolution and TLS.
        let bare_host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&host)
            .to_string();
        let tls = if https {
            let name = ServerName::try_from(bare_host.clone()).map_err(|e| {
                TransportError::Config(format!("invalid TLS server name {bare_host:?}: {e}"))
            })?;
            let cfg = config.tls.build_client_config()?;
            Some((tokio_rustls::TlsConnector::from(Arc::new(cfg)), name))
        } else {
            None
        };
        let default_port = if https { 443 } else { 80 };
        let host_header = if port == default_port {
            host.clone()
        } else {
            format!("{host}:{port}")
        };
        let host_header = HeaderValue::from_str(&host_header)
            .map_err(|_| TransportError::Config(format!("invalid host {host:?}")))?;
        let pool = Pool::new(
            config.max_connections,
            Target {
                host: bare_host,
                port,
                tls,
                connect_timeout: config.connect_timeout,
                endpoint: endpoint.clone(),
            },
        );
        Ok(Self {
            pool: Arc::new(pool),
            base_url: url,
            endpoint,
            host,
            host_header,
            operation_timeout: config.operation_timeout,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// The connection limit of this endpoint.
    pub fn max_connections(&self) -> usize {
        self.pool.limit()
    }

    /// How many connections have been opened so far (TCP connections made).
    pub fn connections_opened(&self) -> u64 {
        self.pool.opened()
    }

    /// How many connections are idle, ready for reuse, now.
    pub fn connections_idle(&self) -> usize {
        self.pool.idle()
    }

    fn url_for(&self, path: &str) -> String {
        let base = self.base_url.path().trim_end_matches('/');
        let path = path.trim_start_matches('/');
        format!("{base}/{path}")
    }

    fn build(&self, request: &HttpRequest) -> Result<::http::Request<Full<Bytes>>, TransportError> {
        let mut r = ::http::Request::new(Full::new(request.body.clone()));
        *r.method_mut() = ::http::Method::POST;
        *r.uri_mut() = self
            .url_for(&request.path)
            .parse()
            .map_err(|e| TransportError::Config(format!("invalid request path: {e}")))?;
        let h = r.headers_mut();
        h.extend(request.headers.clone());
        h.insert(header::HOST, self.host_header.clone());
        h.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("smis/", env!("CARGO_PKG_VERSION"))),
        );
        Ok(r)
    }

    /// Sends the request on a pooled connection; retries once on a fresh connection when a
    /// reused one turns out to be closed before the request was written (or, for read-only
    /// operations, before any response byte).
    async fn exchange(
        &self,
        request: &HttpRequest,
    ) -> Result<(::http::response::Parts, Incoming, Lease), TransportError> {
        let read_only = request
            .headers
            .get("CIMMethod")
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_read_only);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut lease = self.pool.acquire().await?;
            let req = self.build(request)?;
            match lease.sender()?.send_request(req).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    return Ok((parts, body, lease));
                }
                Err(e)
                    if attempt == 1
                        && lease.reused
                        && (e.is_canceled() || (read_only && e.is_incomplete_message())) =>
                {
                    tracing::debug!(error = %e, "reused connection was closed; retrying on a new one");
                }
                Err(e) => return Err(self.map_hyper(e)),
            }
        }
    }

    fn check_length(&self, headers: &HeaderMap) -> Result<Option<u64>, TransportError> {
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_response_bytes) {
            return Err(TransportError::BodyTooLarge {
                limit: self.max_response_bytes,
            });
        }
        Ok(declared)
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (parts, mut body, lease) = self.exchange(&request).await?;
        let limit = self.max_response_bytes;
        let declared = self.check_length(&parts.headers)?;
        let capacity = declared.unwrap_or(0).min(limit).min(1024 * 1024);
        let mut buf = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut trailers: Option<HeaderMap> = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| self.map_hyper(e))?;
            match frame.into_data() {
                Ok(data) => {
                    let total = (buf.len() as u64).saturating_add(data.len() as u64);
                    if total > limit {
                        return Err(TransportError::BodyTooLarge { limit });
                    }
                    buf.extend_from_slice(&data);
                }
                Err(frame) => {
                    if let Ok(fields) = frame.into_trailers() {
                        match trailers.as_mut() {
                            Some(existing) => existing.extend(fields),
                            None => trailers = Some(fields),
                        }
                    }
                }
            }
        }
        lease.release();
        Ok(HttpResponse {
            status: parts.status,
            headers: parts.headers,
            trailers,
            body: buf.freeze(),
        })
    }

    /// Maps a hyper error: TLS failures by their rustls reason, everything after the
    /// request was sent as a broken connection. No header is ever formatted.
    fn map_hyper(&self, err: hyper::Error) -> TransportError {
        if let Some(tls) = find_rustls_error(&err) {
            let (kind, message) = describe_tls(tls, &self.host);
            return TransportError::Tls {
                endpoint: self.endpoint.clone(),
                kind,
                message,
                source: Some(Box::new(tls.clone())),
            };
        }
        TransportError::Broken {
            endpoint: self.endpoint.clone(),
            message: error_chain(&err),
            source: Some(Box::new(err)),
        }
    }
}

/// True for CIM operations that change nothing (safe to send again).
fn is_read_only(method: &str) -> bool {
    let m = method.to_ascii_lowercase();
    ["get", "enumerate", "associator", "reference", "execquery"]
        .iter()
        .any(|p| m.starts_with(p))
}

/// Maps an I/O error of the TLS handshake (a `rustls::Error` inside) or of the connection.
pub(crate) fn map_io_error(err: std::io::Error, endpoint: &str, host: &str) -> TransportError {
    if let Some(tls) = find_rustls_error(&err) {
        let (kind, message) = describe_tls(tls, host);
        return TransportError::Tls {
            endpoint: endpoint.to_string(),
            kind,
            message,
            source: Some(Box::new(tls.clone())),
        };
    }
    TransportError::Connect {
        endpoint: endpoint.to_string(),
        message: error_chain(&err),
        source: Some(Box::new(err)),
    }
}

impl Transport for HttpTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let started = Instant::now();
            let cim_method = request
                .headers
                .get("CIMMethod")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let bytes_out = request.body.len();
            // Only selected, non-secret fields: never the headers as a whole.
            let span = tracing::debug_span!(
                "smis_http_send",
                endpoint = %self.endpoint,
                cim_method = %cim_method,
                bytes_out,
            );
            let result = async {
                match tokio::time::timeout(self.operation_timeout, self.send_inner(request)).await {
                    Ok(result) => result,
                    Err(_) => Err(TransportError::Timeout {
                        endpoint: self.endpoint.clone(),
                        after: self.operation_timeout,
                    }),
                }
            }
            .instrument(span.clone())
            .await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.in_scope(|| match &result {
                Ok(response) => tracing::debug!(
                    status = response.status.as_u16(),
                    bytes_in = response.body.len(),
                    trailers = response.trailers.is_some(),
                    elapsed_ms,
                    "CIM-XML HTTP exchange done"
                ),
                Err(error) => tracing::debug!(%error, elapsed_ms, "CIM-XML HTTP exchange failed"),
            });
            result
        })
    }

    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamingResponse, TransportError>> {
        Box::pin(async move {
            let timeout = self.operation_timeout;
            let timed_out = || TransportError::Timeout {
                endpoint: self.endpoint.clone(),
                after: timeout,
            };
            let (parts, body, lease) = tokio::time::timeout(timeout, self.exchange(&request))
                .await
                .map_err(|_| timed_out())??;
            let this = self.clone();
            // Each piece must arrive within the operation timeout; the whole body is
            // bounded by its reader (e.g. an enumeration's deadline).
            let state = (body, Some(lease), this);
            let stream = futures::stream::unfold(state, |(mut body, lease, this)| async move {
                let lease = lease?;
                let next = tokio::time::timeout(this.operation_timeout, body.frame()).await;
                let item = match next {
                    Err(_) => Err(TransportError::Timeout {
                        endpoint: this.endpoint.clone(),
                        after: this.operation_timeout,
                    }),
                    Ok(None) => {
                        lease.release();
                        return None;
                    }
                    Ok(Some(Err(e))) => Err(this.map_hyper(e)),
                    Ok(Some(Ok(frame))) => Ok(match frame.into_data() {
                        Ok(data) => BodyPart::Data(data),
                        Err(frame) => match frame.into_trailers() {
                            Ok(t) => BodyPart::Trailers(t),
                            Err(_) => BodyPart::Data(Bytes::new()),
                        },
                    }),
                };
                let keep = item.is_ok().then_some(lease);
                Some((item, (body, keep, this)))
            });
            Ok(StreamingResponse {
                status: parts.status,
                headers: parts.headers,
                body: Box::pin(stream),
            })
        })
    }

    fn endpoint(&self) -> String {
        self.endpoint.clone()
    }
}

/// Walks the source chain (looking inside `io::Error`s, whose `source()` skips the wrapped
/// error) for a `rustls::Error`.
fn find_rustls_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&'a (dyn StdError + 'static)> = Some(err);
    let mut depth = 0;
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(tls) = find_rustls_error(inner) {
                    return Some(tls);
                }
            }
        }
        depth += 1;
        if depth > 32 {
            break;
        }
        current = e.source();
    }
    None
}

/// "outer: inner: innermost", skipping repeated texts.
fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Classifies a rustls error and says the reason in words.
fn describe_tls(err: &rustls::Error, host: &str) -> (TlsFailure, String) {
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => (
                TlsFailure::UntrustedIssuer,
                "certificate issued by an untrusted CA".into(),
            ),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                (TlsFailure::Expired, "certificate expired".into())
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                (TlsFailure::Expired, "certificate is not valid yet".into())
            }
            CertificateError::NotValidForName => (
                TlsFailure::NameMismatch,
                format!("certificate is not valid for host {host}"),
            ),
            CertificateError::NotValidForNameContext { presented, .. } => (
                TlsFailure::NameMismatch,
                if presented.is_empty() {
                    format!("certificate is not valid for host {host}")
                } else {
                    format!(
                        "certificate is not valid for host {host} (it names {})",
                        presented.join(", ")
                    )
                },
            ),
            CertificateError::Other(other) => {
                if let Some(pin) = other.0.downcast_ref::<PinMismatch>() {
                    (TlsFailure::PinMismatch, pin.to_string())
                } else {
                    (
                        TlsFailure::BadCertificate,
                        format!("certificate rejected: {other}"),
                    )
                }
            }
            CertificateError::BadSignature => (
                TlsFailure::BadCertificate,
                "certificate has an invalid signature".into(),
            ),
            CertificateError::Revoked => {
                (TlsFailure::BadCertificate, "certificate is revoked".into())
            }
            _ => (
                TlsFailure::BadCertificate,
                format!("certificate rejected: {err}"),
            ),
        },
        rustls::Error::NoCertificatesPresented => (
            TlsFailure::Protocol,
            "protocol: the server presented no certificate".into(),
        ),
        rustls::Error::AlertReceived(alert) => {
            use rustls::AlertDescription as A;
            let hint = match alert {
                A::CertificateRequired => " (the server requires a client certificate)",
                A::BadCertificate
                | A::UnknownCA
                | A::CertificateUnknown
                | A::UnsupportedCertificate
                | A::CertificateExpired
                | A::CertificateRevoked
                | A::AccessDenied => " (the server rejected the client certificate)",
                A::ProtocolVersion | A::HandshakeFailure | A::InsufficientSecurity => {
                    " (no common TLS version or cipher suite)"
                }
                _ => "",
            };
            (
                TlsFailure::Protocol,
                format!("protocol: the server sent the TLS alert {alert:?}{hint}"),
            )
        }
        rustls::Error::PeerIncompatible(why) => (
            TlsFailure::Protocol,
            format!("protocol: the server is incompatible ({why:?})"),
        ),
        _ => (TlsFailure::Protocol, format!("protocol: {err}")),
    }
}
