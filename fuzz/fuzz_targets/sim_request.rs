//! The simulated provider's request handling without a network: each input is up to four
//! CIM-XML requests (separated by `<!--NEXT-->`) run in order against a fresh provider of
//! one of the built-in scenarios, through `SimHandler` (decode, DSP0200 header checks,
//! dispatch, faults, encode). The clock advances between requests so that jobs progress.
//! Every answer must be an HTTP response, and every 200 body must decode with the
//! library's own response decoder.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures::executor::block_on;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use smis::message::Request;
use smis::xml::{DecodeLimits, decode_request, decode_response};
use smis_sim::{CimHandler, CimHttpRequest, ManualClock, Provider, Scenario, SimHandler};

const SEPARATOR: &[u8] = b"<!--NEXT-->";
const SCENARIOS: [&str; 3] = ["default", "no-replication", "async-clone-only"];

fn scenarios() -> &'static Vec<Scenario> {
    static S: OnceLock<Vec<Scenario>> = OnceLock::new();
    S.get_or_init(|| {
        SCENARIOS
            .iter()
            .filter_map(|n| Scenario::builtin(n).ok())
            .collect()
    })
}

/// Percent-encodes like a client would for the `CIMMethod` / `CIMObject` headers.
fn header_value(s: &str) -> Option<HeaderValue> {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/:._-=,\"".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).ok()
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() < 3 {
        match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let all = scenarios();
    let Some(scenario) = all.get(usize::from(first) % all.len().max(1)) else {
        return;
    };
    let clock = Arc::new(ManualClock::new());
    let provider = Arc::new(Provider::with_clock(scenario.clone(), clock.clone()));
    let handler = SimHandler::new(provider);
    let limits = DecodeLimits::default();
    for part in split(body) {
        let mut headers = HeaderMap::new();
        // Headers that agree with the body (as a client sends them), so that the request
        // reaches the provider; a body that does not decode goes in with none.
        if let Ok(msg) = decode_request(part, &limits) {
            let (method, object) = match &msg.request {
                Request::Intrinsic(r) => (r.op.name().to_string(), Some(r.namespace.clone())),
                Request::Method(m) => (m.method.to_string(), Some(m.target.to_header_form())),
                Request::Export(e) => (e.method.to_string(), None),
            };
            let method_header = if object.is_some() {
                "cimmethod"
            } else {
                "cimexportmethod"
            };
            if let Some(v) = header_value(&method) {
                headers.insert(HeaderName::from_static(method_header), v);
            }
            if let Some(v) = object.as_deref().and_then(header_value) {
                headers.insert(HeaderName::from_static("cimobject"), v);
            }
        }
        let request = CimHttpRequest {
            headers,
            body: Bytes::copy_from_slice(part),
            user: Some("admin".into()),
            wants_trailers: true,
        };
        let response = block_on(handler.handle(request));
        if response.status.as_u16() == 200
            && !response.body.is_empty()
            && let Err(e) = decode_response(&response.body, &limits)
        {
            panic!(
                "the simulator's answer does not decode: {e}\n{}",
                String::from_utf8_lossy(&response.body)
            );
        }
        clock.advance(Duration::from_secs(7));
    }
});
