//! The HTTP(S) transport: reqwest over rustls, HTTP/1.1 only, one pooled keep-alive
//! connection reused for sequential operations.
//!
//! The response body is read frame by frame so that the size limit is enforced while
//! reading and chunked trailers (`CIMStatusCode`, `CIMStatusCodeDescription`, sent by
//! OpenPegasus when the request carries `TE: trailers`) are collected. hyper 1 decodes
//! HTTP/1.1 chunked trailers into a trailers frame and reqwest 0.12 passes body frames
//! through unchanged, so trailers do arrive; `tests/transport_tls.rs` checks this against a
//! raw socket server.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use ::http::{HeaderMap, header};
use bytes::BytesMut;
use futures::future::BoxFuture;
use http_body_util::BodyExt;
use rustls::CertificateError;
use tracing::Instrument;

use super::tls::{PinMismatch, TlsOptions};
use super::{HttpRequest, HttpResponse, TlsFailure, Transport, TransportError};

/// Default limit for one response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Default TCP connect timeout: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one whole operation (connect, send, read the response): 120 s.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

/// Settings of an [`HttpTransport`].
#[derive(Clone, Debug)]
pub struct HttpTransportConfig {
    /// Base URL (`http` or `https`, e.g. `https://array:5989`); the request path
    /// (`/cimom`) is appended to its path. Must not contain credentials.
    pub base_url: reqwest::Url,
    /// TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// Bound on one whole operation: connect, send the request, read the full response.
    pub operation_timeout: Duration,
    /// Largest accepted response body in bytes (default 64 MiB).
    pub max_response_bytes: u64,
    /// TLS settings (ignored for `http` URLs).
    pub tls: TlsOptions,
}

impl HttpTransportConfig {
    /// Settings with the defaults: 10 s connect timeout, 120 s operation timeout, 64 MiB
    /// body limit, system root certificates.
    pub fn new(base_url: reqwest::Url) -> Self {
        Self {
            base_url,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            tls: TlsOptions::default(),
        }
    }

    /// Parses `url` and returns settings with the defaults.
    pub fn parse(url: &str) -> Result<Self, TransportError> {
        let base_url = reqwest::Url::parse(url)
            .map_err(|e| TransportError::Config(format!("invalid base URL: {e}")))?;
        Ok(Self::new(base_url))
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
}

/// A [`Transport`] over reqwest + rustls (HTTP/1.1, keep-alive pooling, no redirects, no
/// proxy from the environment).
#[derive(Clone, Debug)]
pub struct HttpTransport {
    client: reqwest::Client,
    base_url: reqwest::Url,
    endpoint: String,
    host: String,
    connect_timeout: Duration,
    operation_timeout: Duration,
    max_response_bytes: u64,
}

impl HttpTransport {
    /// Builds the transport: validates the URL, reads the TLS files and builds the client.
    /// No connection is made yet.
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
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TransportError::Config(
                "the base URL must not contain credentials".into(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| TransportError::Config("the base URL has no host".into()))?
            .to_owned();
        let endpoint = match url.port_or_known_default() {
            Some(port) => format!("{}://{}:{}", url.scheme(), host, port),
            None => format!("{}://{}", url.scheme(), host),
        };
        // Always hand reqwest a preconfigured rustls config so it never needs a process-wide
        // default crypto provider. For plain http it is never used.
        let tls = if https {
            config.tls.build_client_config()?
        } else {
            super::tls::unused_client_config()?
        };
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .tcp_nodelay(true)
            .user_agent(concat!("smis/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                TransportError::Config(format!(
                    "cannot build the HTTP client: {}",
                    error_chain(&e.without_url())
                ))
            })?;
        Ok(Self {
            client,
            base_url: url,
            endpoint,
            host,
            connect_timeout: config.connect_timeout,
            operation_timeout: config.operation_timeout,
            max_response_bytes: config.max_response_bytes,
        })
    }

    fn url_for(&self, path: &str) -> reqwest::Url {
        let mut url = self.base_url.clone();
        let base = self.base_url.path().trim_end_matches('/');
        let path = path.trim_start_matches('/');
        url.set_path(&format!("{base}/{path}"));
        url
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = self.url_for(&request.path);
        let response = self
            .client
            .post(url)
            .headers(request.headers)
            .body(request.body)
            .send()
            .await
            .map_err(|e| self.map_error(e))?;

        let limit = self.max_response_bytes;
        let declared = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit) {
            return Err(TransportError::BodyTooLarge { limit });
        }

        let response: ::http::Response<reqwest::Body> = response.into();
        let (parts, mut body) = response.into_parts();
        let capacity = declared.unwrap_or(0).min(limit).min(1024 * 1024);
        let mut buf = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut trailers: Option<HeaderMap> = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| self.map_error(e))?;
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
        Ok(HttpResponse {
            status: parts.status,
            headers: parts.headers,
            trailers,
            body: buf.freeze(),
        })
    }

    /// Maps a reqwest error to a [`TransportError`]. The URL is stripped and no header is
    /// ever formatted, so credentials cannot leak into the message.
    fn map_error(&self, err: reqwest::Error) -> TransportError {
        let err = err.without_url();
        if let Some(tls) = find_rustls_error(&err) {
            let (kind, message) = describe_tls(tls, &self.host);
            return TransportError::Tls {
                endpoint: self.endpoint.clone(),
                kind,
                message,
            };
        }
        if err.is_timeout() {
            return TransportError::Timeout {
                endpoint: self.endpoint.clone(),
                after: if err.is_connect() {
                    self.connect_timeout
                } else {
                    self.operation_timeout
                },
            };
        }
        let message = error_chain(&err);
        if err.is_connect() {
            return TransportError::Connect {
                endpoint: self.endpoint.clone(),
                message,
            };
        }
        if err.is_body() || err.is_decode() || has_io_error(&err) || looks_broken(&message) {
            return TransportError::Broken {
                endpoint: self.endpoint.clone(),
                message,
            };
        }
        TransportError::Other(message)
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

fn has_io_error(err: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>().is_some() {
            return true;
        }
        current = e.source();
    }
    false
}

fn looks_broken(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "closed",
        "incomplete",
        "reset",
        "broken pipe",
        "end of file",
    ]
    .iter()
    .any(|needle| m.contains(needle))
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
