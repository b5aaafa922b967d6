//! The one seam between the CIM-XML codec and HTTP.
//!
//! A [`Transport`] takes one fully built CIM-XML HTTP request (headers and body) and returns
//! the HTTP response (status, headers, optional chunked trailers, body). The client never
//! talks to a socket directly: the hyper + rustls implementation ([`http::HttpTransport`])
//! is one transport; the test kit's recording and replay transports are others, and tests
//! plug in their own.

use ::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use futures::future::BoxFuture;

/// One CIM-XML HTTP request, ready to send (`POST /cimom`).
#[derive(Clone)]
pub struct HttpRequest {
    /// Request path; always `/cimom` for CIM-XML (DSP0200).
    pub path: String,
    /// Headers: `CIMOperation`, `CIMMethod`, `CIMObject`, `Content-Type`, `Authorization`
    /// (marked sensitive), `TE`.
    pub headers: HeaderMap,
    /// The CIM-XML body (UTF-8).
    pub body: Bytes,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print Authorization: HeaderMap's Debug prints sensitive values as "Sensitive",
        // but we strip the header entirely to be sure.
        let mut headers = self.headers.clone();
        headers.remove(::http::header::AUTHORIZATION);
        f.debug_struct("HttpRequest")
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The HTTP response to one request.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Trailer fields of a chunked response (`CIMStatusCode`, `CIMStatusCodeDescription`), if any.
    pub trailers: Option<HeaderMap>,
    /// The complete body (bounded by the transport's size limit).
    pub body: Bytes,
}

pub mod error;
pub mod http;
mod pool;
mod server_url;
pub mod streaming;
pub mod tls;
pub use self::http::{HttpTransport, HttpTransportConfig};
pub use error::{BoxError, TlsFailure, TransportError};
pub use server_url::ServerUrl;
pub use streaming::{BodyPart, BodyStream, StreamingResponse};
pub use tls::{Sha256Fingerprint, TlsOptions};

/// The transport seam: sends one request and returns its response.
///
/// Implementations must be cheap to share (`Arc<dyn Transport>`), must enforce their own
/// response size limit and timeouts, and must never log credentials.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the response, or a transport-level failure.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Sends `request` and returns the response head with its body still to be read, so
    /// that a large response can be decoded as it arrives. The default reads the whole
    /// response with [`Transport::send`] (the test kit's transports use it).
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamingResponse, TransportError>> {
        Box::pin(async move { self.send(request).await.map(StreamingResponse::from) })
    }

    /// A short description of the endpoint for logs and errors (e.g. `https://array:5989`).
    fn endpoint(&self) -> String;
}
