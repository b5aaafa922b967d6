//! The glue between the HTTP shell and the provider: decode the CIM-XML request with the
//! library's codec, check the DSP0200 headers against the body, run the [`Provider`], apply
//! its faults and quirks, encode the response.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use smis::message::{Request, Response};
use smis::xml::{DecodeLimits, EncodeOptions, decode_request, encode_response_with};

use crate::Fault;
use crate::provider::{Clock, Provider, SimFault};
use crate::scenario::Scenario;
use crate::server::{
    CimHandler, CimHttpRequest, CimHttpResponse, HandlerFuture, SimError, SimHandle, SimServer,
    SimServerConfig,
};
use crate::tls::SimTls;

/// A [`CimHandler`] serving a [`Provider`].
pub struct SimHandler {
    provider: Arc<Provider>,
    limits: DecodeLimits,
}

impl SimHandler {
    /// A handler for `provider`.
    pub fn new(provider: Arc<Provider>) -> Self {
        SimHandler {
            provider,
            limits: DecodeLimits::default(),
        }
    }
}

fn bad_request(cim_error: &'static str, detail: &str) -> CimHttpResponse {
    let mut r = CimHttpResponse::with_status(StatusCode::BAD_REQUEST, bytes::Bytes::new());
    r.headers.insert(
        HeaderName::from_static("cimerror"),
        HeaderValue::from_static(cim_error),
    );
    if let Ok(v) = HeaderValue::from_str(&utf8_percent_encode(detail, NON_ALPHANUMERIC).to_string())
    {
        r.headers
            .insert(HeaderName::from_static("pgerrordetail"), v);
    }
    r
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
}

impl SimHandler {
    fn respond(&self, req: CimHttpRequest) -> CimHttpResponse {
        let msg = match decode_request(&req.body, &self.limits) {
            Ok(m) => m,
            Err(e) => return bad_request("request-not-well-formed", &e.to_string()),
        };
        // DSP0200 §7.3: the CIMMethod / CIMObject headers must agree with the body.
        let method_header =
            header(&req.headers, "cimmethod").or_else(|| header(&req.headers, "cimexportmethod"));
        if !method_header.is_some_and(|m| m.eq_ignore_ascii_case(msg.request.method_name())) {
            return bad_request(
                "header-mismatch",
                "CIMMethod header does not match the request body",
            );
        }
        if let Request::Intrinsic(r) = &msg.request {
            let object = header(&req.headers, "cimobject").unwrap_or_default();
            if !object
                .trim_matches('/')
                .eq_ignore_ascii_case(r.namespace.trim_matches('/'))
            {
                return bad_request(
                    "header-mismatch",
                    "CIMObject header does not match the namespace of the request",
                );
            }
        }
        let outcome = self.provider.handle(&msg, req.user.as_deref());
        let mut fault = None;
        match outcome.fault {
            Some(SimFault::HttpStatus { status, cim_error }) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut r = CimHttpResponse::with_status(status, bytes::Bytes::new());
                if let Some(c) = cim_error.and_then(|c| HeaderValue::from_str(&c).ok()) {
                    r.headers.insert(HeaderName::from_static("cimerror"), c);
                }
                return r;
            }
            Some(SimFault::DropConnection) => {
                return CimHttpResponse::ok(bytes::Bytes::new()).with_fault(Fault::DropConnection);
            }
            Some(SimFault::Delay(d)) => fault = Some(Fault::Delay(d)),
            Some(SimFault::TruncateBody { after_bytes }) => {
                fault = Some(Fault::TruncateBody { after_bytes })
            }
            None => {}
        }
        let opts = EncodeOptions {
            type_instead_of_paramtype: outcome.quirks.param_type_as_type,
            uppercase_embedded_object: outcome.quirks.embedded_object_upper,
        };
        let body = match encode_response_with(&outcome.response, &opts) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "cannot encode the provider's response");
                let mut r = CimHttpResponse::with_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    bytes::Bytes::new(),
                );
                r.headers.insert(
                    HeaderName::from_static("cimerror"),
                    HeaderValue::from_static("request-not-valid"),
                );
                return r;
            }
        };
        let mut r = CimHttpResponse::ok(body);
        if req.wants_trailers {
            let (code, desc) = match &outcome.response.response {
                Response::Intrinsic { result: Err(e), .. }
                | Response::Method { result: Err(e), .. }
                | Response::Export { result: Err(e), .. } => {
                    (e.code, e.description.clone().unwrap_or_default())
                }
                _ => (0, String::new()),
            };
            let mut t = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&code.to_string()) {
                t.insert(HeaderName::from_static("cimstatuscode"), v);
            }
            if let (true, Ok(v)) = (
                code != 0,
                HeaderValue::from_str(&utf8_percent_encode(&desc, NON_ALPHANUMERIC).to_string()),
            ) {
                t.insert(HeaderName::from_static("cimstatuscodedescription"), v);
            }
            r = r.with_trailers(t);
        }
        if let Some(f) = fault {
            r = r.with_fault(f);
        }
        r
    }
}

impl CimHandler for SimHandler {
    fn handle(&self, req: CimHttpRequest) -> HandlerFuture<'_> {
        Box::pin(async move { self.respond(req) })
    }
}

/// How to start a [`Simulator`].
pub struct SimulatorConfig {
    /// The scenario (identity, pools, volumes, capabilities, faults, quirks).
    pub scenario: Scenario,
    /// Accepted `(user, password)` pairs (empty: no authentication).
    pub users: Vec<(String, String)>,
    /// TLS (default: a generated self-signed certificate).
    pub tls: SimTls,
    /// Listen address (default `127.0.0.1:0`).
    pub listen: SocketAddr,
    /// Clock (default: the system clock).
    pub clock: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("scenario", &self.scenario.name)
            .field(
                "users",
                &self.users.iter().map(|u| &u.0).collect::<Vec<_>>(),
            )
            .field("listen", &self.listen)
            .finish()
    }
}

impl SimulatorConfig {
    /// A configuration for `scenario` on an ephemeral loopback port over HTTPS.
    pub fn new(scenario: Scenario) -> Self {
        SimulatorConfig {
            scenario,
            users: Vec::new(),
            tls: SimTls::Generated,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: None,
        }
    }

    /// Adds an accepted user.
    pub fn user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push((user.into(), password.into()));
        self
    }

    /// Serves plain HTTP instead of HTTPS.
    pub fn plain_http(mut self) -> Self {
        self.tls = SimTls::PlainHttp;
        self
    }

    /// Listens on `addr`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Uses `clock` for job progress.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
}

/// A running simulated SMI-S provider.
pub struct Simulator {
    handle: SimHandle,
    provider: Arc<Provider>,
    delivery: crate::delivery::Engine,
    delivery_stats: Arc<crate::DeliveryStats>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("url", &self.handle.url())
            .finish()
    }
}

impl Simulator {
    /// Starts the provider in-process (inside a tokio runtime).
    pub fn start(config: SimulatorConfig) -> Result<Simulator, SimError> {
        let provider = Arc::new(match config.clock {
            Some(c) => Provider::with_clock(config.scenario, c),
            None => Provider::new(config.scenario),
        });
        let handler = Arc::new(SimHandler::new(provider.clone()));
        let handle = SimServer::start(
            SimServerConfig {
                listen: config.listen,
                tls: config.tls,
                users: config.users,
                ..SimServerConfig::default()
            },
            handler,
        )?;
        let delivery_stats = Arc::new(crate::DeliveryStats::default());
        let delivery = crate::delivery::spawn(provider.clone(), delivery_stats.clone());
        Ok(Simulator {
            handle,
            provider,
            delivery,
            delivery_stats,
        })
    }

    /// The base URL, e.g. `https://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        self.handle.url()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.handle.addr()
    }

    /// The server certificate (PEM), for HTTPS.
    pub fn cert_pem(&self) -> Option<&str> {
        self.handle.cert_pem()
    }

    /// SHA-256 fingerprint of the server certificate, `AB:CD:...`.
    pub fn cert_sha256_hex(&self) -> Option<String> {
        self.handle.cert_sha256_hex()
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.handle.connections_accepted()
    }

    /// The provider (to inspect state in tests).
    pub fn provider(&self) -> &Arc<Provider> {
        &self.provider
    }

    /// What the indication delivery engine did so far.
    pub fn delivery_stats(&self) -> &crate::DeliveryStats {
        &self.delivery_stats
    }

    /// Stops the server.
    pub async fn shutdown(self) {
        drop(self.delivery);
        self.handle.shutdown().await;
    }
}
