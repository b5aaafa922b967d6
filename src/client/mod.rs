//! The async CIM-XML client: connection builder, every operation, pull streams.
//!
//! ```no_run
//! # async fn demo() -> smis::Result<()> {
//! use smis::{Client, Credentials};
//! use smis::transport::tls::TlsOptions;
//! let client = Client::builder("https://array.example.com")
//!     .credentials(Credentials::new("admin", std::env::var("SMIS_PASSWORD").unwrap_or_default()))
//!     .tls(TlsOptions::pinned_sha256("AB:CD:...")?)
//!     .namespace("root/emc")
//!     .build()?;
//! let volumes = client.enumerate_instances("CIM_StorageVolume", &Default::default()).await?;
//! println!("{} volumes", volumes.len());
//! # Ok(()) }
//! ```

mod associations;
mod builder;
mod classes;
mod credentials;
mod instances;
mod methods;
mod options;
mod pull;
mod pull_ops;
mod query_paths;
mod schema;
mod stream;
mod typed;

pub use builder::ClientBuilder;
pub use credentials::{Credentials, CredentialsProvider, EnvCredentials, FileCredentials};
pub use options::{
    AssociatorsOptions, EnumerateClassesOptions, EnumerateInstancesOptions, EnumerationContext,
    GetClassOptions, GetInstanceOptions, OpenOptions, ReferencesOptions,
};
pub use pull::{EnumerationBound, EnumerationLimits, PullStream};
pub use stream::ReturnStream;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use tracing::Instrument;

use crate::error::{CimStatus, Error, Result};
use crate::message::{Request, RequestMessage, Response, ResponseMessage};
use crate::transport::{HttpRequest, HttpResponse, Transport};
use crate::xml::{DecodeLimits, decode_response, encode_request};

/// Characters percent-encoded in the `CIMObject` and `CIMMethod` headers (DSP0200 §6.3.2:
/// the values are URI-escaped): controls, space, `"`, `%`, `<`, `>`, `\`, `^`, `` ` ``,
/// `{`, `|`, `}`, `#`, `?`, `[`, `]` and everything outside ASCII.
const HEADER_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'#')
    .add(b'?')
    .add(b'[')
    .add(b']');

pub(crate) struct Inner {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) default_namespace: String,
    pub(crate) next_id: AtomicU64,
    pub(crate) limits: DecodeLimits,
    pub(crate) request_trailers: bool,
    /// Set once the server refused a pull Open with NOT_SUPPORTED/FAILED: later
    /// enumerations go straight to the traditional operations (as pywbem does, #2736).
    pub(crate) pull_unsupported: AtomicBool,
    /// Bounds of every enumeration stream (see [`EnumerationLimits`]).
    pub(crate) enumeration_limits: EnumerationLimits,
    /// Classes fetched for ValueMap translation ([`Client::cached_class`]).
    pub(crate) classes: classes::ClassCache,
}

/// A connection to one CIM server (an SMI-S provider). Cheap to clone; clones share the
/// transport (and its keep-alive connections).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    pub(crate) credentials: Option<Credentials>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.transport.endpoint())
            .field("default_namespace", &self.inner.default_namespace)
            .field(
                "user",
                &self.credentials.as_ref().map(|c| c.user().to_string()),
            )
            .finish()
    }
}

impl Client {
    /// A builder for a client of the server at `url` (`https://host[:port]`, default ports
    /// 5989 for https and 5988 for http; IPv6 literals in brackets).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// A client over any transport (recording, replay, tests).
    pub fn from_transport(
        transport: Arc<dyn Transport>,
        default_namespace: impl Into<String>,
        credentials: Option<Credentials>,
    ) -> Client {
        Client {
            inner: Arc::new(Inner {
                transport,
                default_namespace: crate::cim::normalize_namespace(&default_namespace.into()),
                next_id: AtomicU64::new(1001),
                limits: DecodeLimits::default(),
                request_trailers: true,
                pull_unsupported: AtomicBool::new(false),
                enumeration_limits: EnumerationLimits::default(),
                classes: Default::default(),
            }),
            credentials,
        }
    }

    /// The same connection with other credentials (per-call credentials, as the
    /// `username`/`password` parameters of the Storage Management API's methods).
    pub fn with_credentials(&self, credentials: Credentials) -> Client {
        Client {
            inner: self.inner.clone(),
            credentials: Some(credentials),
        }
    }

    /// The credentials in use, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The default namespace.
    pub fn default_namespace(&self) -> &str {
        &self.inner.default_namespace
    }

    /// The endpoint, e.g. `https://array:5989`.
    pub fn endpoint(&self) -> String {
        self.inner.transport.endpoint()
    }

    pub(crate) fn ns<'a>(&'a self, ns: Option<&'a str>) -> &'a str {
        ns.map(|n| n.trim_matches('/'))
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.inner.default_namespace)
    }

    /// Sends one request and returns the decoded response, or the error it carries.
    ///
    /// This is the raw level under every typed operation: it builds the DSP0200 headers,
    /// encodes the body, interprets the HTTP status, trailers and content type, decodes the
    /// body and turns an `ERROR` element into [`Error::Cim`].
    pub async fn call(&self, request: Request) -> Result<Response> {
        let id = self
            .inner
            .next_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        let op = request.method_name().to_string();
        let object = header_object(&request);
        let span = tracing::debug_span!(
            "cim",
            operation = %op,
            object = %object,
            endpoint = %self.inner.transport.endpoint(),
            bytes_out = tracing::field::Empty,
            bytes_in = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let msg = RequestMessage {
                id: id.clone(),
                request,
            };
            let body = Bytes::from(encode_request(&msg)?);
            let headers = self.headers(&msg.request, &object)?;
            tracing::Span::current().record("bytes_out", body.len());
            let response = self
                .inner
                .transport
                .send(HttpRequest {
                    path: "/cimom".into(),
                    headers,
                    body,
                })
                .await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let response = response?;
            span.record("bytes_in", response.body.len());
            let result = self.interpret(&op, &id, &msg.request, response);
            match &result {
                Ok(_) => tracing::debug!("ok"),
                Err(e) => tracing::debug!(error = %e, "failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    fn headers(&self, request: &Request, object: &str) -> Result<HeaderMap> {
        let mut h = HeaderMap::new();
        let hv = |s: &str| {
            HeaderValue::from_str(s)
                .map_err(|_| Error::InvalidArgument(format!("cannot send header value {s:?}")))
        };
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=\"utf-8\""),
        );
        h.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/xml, text/xml"),
        );
        let method = utf8_percent_encode(request.method_name(), HEADER_ESCAPE).to_string();
        match request {
            Request::Export(_) => {
                h.insert(
                    HeaderName::from_static("cimexport"),
                    HeaderValue::from_static("MethodRequest"),
                );
                h.insert(HeaderName::from_static("cimexportmethod"), hv(&method)?);
            }
            _ => {
                h.insert(
                    HeaderName::from_static("cimoperation"),
                    HeaderValue::from_static("MethodCall"),
                );
                h.insert(HeaderName::from_static("cimmethod"), hv(&method)?);
                h.insert(
                    HeaderName::from_static("cimobject"),
                    hv(&utf8_percent_encode(object, HEADER_ESCAPE).to_string())?,
                );
            }
        }
        if self.inner.request_trailers {
            h.insert(http::header::TE, HeaderValue::from_static("trailers"));
        }
        if let Some(c) = &self.credentials {
            h.insert(http::header::AUTHORIZATION, c.basic_header()?);
        }
        Ok(h)
    }

    fn interpret(
        &self,
        op: &str,
        id: &str,
        request: &Request,
        response: HttpResponse,
    ) -> Result<Response> {
        let header = |name: &str| {
            response
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        };
        match response.status.as_u16() {
            200 => {}
            401 => {
                return Err(Error::Authentication {
                    user: self.credentials.as_ref().map(|c| c.user().to_string()),
                    offered: response
                        .headers
                        .get_all(http::header::WWW_AUTHENTICATE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::to_string)
                        .collect(),
                });
            }
            403 => {
                return Err(Error::AccessDenied {
                    detail: header("PGErrorDetail").or_else(|| header("CIMError")),
                });
            }
            status => {
                return Err(Error::Http {
                    status,
                    cim_error: header("CIMError"),
                    detail: header("PGErrorDetail"),
                });
            }
        }
        if let Some(ct) = response.headers.get(http::header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").trim().to_ascii_lowercase();
            if !(ct.starts_with("application/xml") || ct.starts_with("text/xml")) {
                return Err(Error::Header(format!(
                    "Content-Type {ct:?} is not application/xml or text/xml"
                )));
            }
        }
        // OpenPegasus with `TE: trailers`: on error the body is an empty IMETHODRESPONSE and
        // the status is only in the CIMStatusCode trailer (OpenPegasus 2.14, chunked responses).
        if let Some(trailers) = &response.trailers {
            let get = |n: &str| {
                trailers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            };
            if let Some(code) = get("CIMStatusCode") {
                let code: u32 = code.trim().parse().map_err(|_| {
                    Error::Header(format!("CIMStatusCode trailer {code:?} is not a number"))
                })?;
                if code != 0 {
                    return Err(Error::Cim {
                        operation: op.to_string(),
                        status: CimStatus::from_code(code),
                        description: get("CIMStatusCodeDescription"),
                        instances: Vec::new(),
                    });
                }
            }
        }
        let ResponseMessage { id: rid, response } =
            decode_response(&response.body, &self.inner.limits)?;
        if rid != id {
            // pywbem does not check this either; some servers echo a fixed ID.
            tracing::debug!(sent = id, received = %crate::text::Escaped(&rid), "response MESSAGE ID differs from the request's");
        }
        let (kind_ok, name) = match (&response, request) {
            (Response::Intrinsic { name, .. }, Request::Intrinsic(_)) => (true, name.as_str()),
            (Response::Method { name, .. }, Request::Method(_)) => (true, name.as_str()),
            (Response::Export { name, .. }, Request::Export(_)) => (true, name.as_str()),
            (Response::Intrinsic { name, .. }, _)
            | (Response::Method { name, .. }, _)
            | (Response::Export { name, .. }, _) => (false, name.as_str()),
        };
        if !kind_ok || !name.eq_ignore_ascii_case(op) {
            return Err(Error::UnexpectedResponse(format!(
                "the response answers {name:?}, the request was {op:?}"
            )));
        }
        let err = match &response {
            Response::Intrinsic { result: Err(e), .. }
            | Response::Method { result: Err(e), .. }
            | Response::Export { result: Err(e), .. } => Some(e.clone()),
            _ => None,
        };
        if let Some(e) = err {
            return Err(Error::Cim {
                operation: op.to_string(),
                status: CimStatus::from_code(e.code),
                description: e.description,
                instances: e.instances,
            });
        }
        Ok(response)
    }
}

/// The `CIMObject` header value before percent-encoding: the namespace for intrinsic
/// operations, the untyped object path (`ns:Class.key="v"`) for method calls.
fn header_object(request: &Request) -> String {
    match request {
        Request::Intrinsic(r) => r.namespace.clone(),
        Request::Method(m) => m.target.to_header_form(),
        Request::Export(_) => String::new(),
    }
}
