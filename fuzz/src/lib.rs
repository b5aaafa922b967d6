//! Helpers shared by the fuzz targets: a lenient HTTP/1.1 response reader (so that raw
//! captures of real server responses are usable seeds) and a transport that answers every
//! request with one canned response.
//!
//! The helpers themselves must never panic on any input: a crash has to mean a defect in
//! smis, not in the harness.

use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use smis::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// Upper bound on the number of header or trailer fields the reader keeps.
const MAX_FIELDS: usize = 64;

/// Reads `input` as an HTTP/1.1 response: status line, header fields, an empty line, then
/// the body. A `Transfer-Encoding: chunked` body is de-chunked leniently and the fields
/// after its last chunk become trailers (as hyper hands them to the client). Anything that
/// does not look like a status line gives status 200 and the whole input as the body.
pub fn parse_http_response(input: &[u8]) -> HttpResponse {
    let mut response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        trailers: None,
        body: Bytes::copy_from_slice(input),
    };
    if !input.starts_with(b"HTTP/") {
        return response;
    }
    let (head, body) = split_head(input);
    let mut lines = head.split(|&b| b == b'\n');
    let status_line = lines.next().unwrap_or_default();
    let code = status_line
        .split(|&b| b == b' ')
        .nth(1)
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(|c| c.trim().parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::OK);
    response.status = code;
    response.headers = fields(lines);
    let chunked = response
        .headers
        .get(http::header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let (data, trailers) = dechunk(body);
        response.body = Bytes::from(data);
        response.trailers = trailers;
    } else {
        response.body = Bytes::copy_from_slice(body);
    }
    response
}

/// Splits at the first empty line (`\r\n\r\n` or `\n\n`).
fn split_head(input: &[u8]) -> (&[u8], &[u8]) {
    for i in 0..input.len() {
        if input[i..].starts_with(b"\r\n\r\n") {
            return (&input[..i], &input[i + 4..]);
        }
        if input[i..].starts_with(b"\n\n") {
            return (&input[..i], &input[i + 2..]);
        }
    }
    (input, &[])
}

/// Header fields from `Name: value` lines; lines that are not valid fields are skipped.
fn fields<'a>(lines: impl Iterator<Item = &'a [u8]>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines.take(MAX_FIELDS) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.trim_ascii();
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.trim_ascii()),
            HeaderValue::from_bytes(value),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// De-chunks a chunked body; a malformed size ends the body. Trailer fields follow the
/// zero-size chunk.
fn dechunk(mut rest: &[u8]) -> (Vec<u8>, Option<HeaderMap>) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
            return (out, None);
        };
        let size_line = rest[..eol].strip_suffix(b"\r").unwrap_or(&rest[..eol]);
        let size_text = size_line.split(|&b| b == b';').next().unwrap_or_default();
        let Some(size) = std::str::from_utf8(size_text)
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
        else {
            return (out, None);
        };
        rest = &rest[eol + 1..];
        if size == 0 {
            let t = fields(rest.split(|&b| b == b'\n'));
            return (out, if t.is_empty() { None } else { Some(t) });
        }
        let take = size.min(rest.len());
        out.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        if rest.is_empty() {
            return (out, None);
        }
    }
}

/// A transport that answers every request with the same response.
pub struct CannedTransport(pub HttpResponse);

impl Transport for CannedTransport {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let r = self.0.clone();
        Box::pin(async move { Ok(r) })
    }

    fn endpoint(&self) -> String {
        "fuzz://canned".into()
    }
}

/// A client whose every call is answered by `response`.
pub fn canned_client(response: HttpResponse) -> smis::Client {
    smis::Client::from_transport(Arc::new(CannedTransport(response)), "root/cimv2", None)
}

/// The `NAME` of the first `IMETHODRESPONSE`, `METHODRESPONSE` or `EXPMETHODRESPONSE` in
/// `body` (a byte search, no XML parsing), and which of the three it is.
pub fn response_name(body: &[u8]) -> Option<(&'static str, String)> {
    for (tag, kind) in [
        (&b"<IMETHODRESPONSE"[..], "intrinsic"),
        (&b"<EXPMETHODRESPONSE"[..], "export"),
        (&b"<METHODRESPONSE"[..], "method"),
    ] {
        let Some(at) = find(body, tag) else { continue };
        let after = &body[at..];
        let Some(n) = find(after, b"NAME=\"") else {
            continue;
        };
        let value = &after[n + 6..];
        let end = value.iter().position(|&b| b == b'"').unwrap_or(value.len());
        return Some((kind, String::from_utf8_lossy(&value[..end]).into_owned()));
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Formats an error both ways, as a caller that logs it would (Display and Debug must not
/// panic on any server text).
pub fn touch_error(e: &smis::Error) {
    let _ = e.to_string();
    let _ = format!("{e:?}");
    let _ = e.cim_status();
    let _ = e.http_status();
    let _ = e.storage_service_code();
}

/// What the encoder adds on its own to a decoded message: a `PARAMVALUE` that came without
/// `PARAMTYPE` is written with the type of its value (DSP0201 makes the attribute
/// optional), so re-encoding may only add that information, never change anything else.
pub fn with_inferred_param_types(params: &mut [smis::message::ParamValue]) {
    for p in params {
        if p.cim_type.is_none() {
            p.cim_type = p.value.as_ref().map(|v| v.cim_type());
        }
    }
}

/// [`with_inferred_param_types`] on every parameter list of a request.
pub fn normalize_request(msg: &mut smis::message::RequestMessage) {
    use smis::message::Request;
    match &mut msg.request {
        Request::Method(m) => with_inferred_param_types(&mut m.params),
        Request::Export(e) => with_inferred_param_types(&mut e.params),
        Request::Intrinsic(_) => {}
    }
}

/// [`with_inferred_param_types`] on the out-parameters of a method response.
pub fn normalize_response(msg: &mut smis::message::ResponseMessage) {
    use smis::message::Response;
    if let Response::Method { result: Ok(r), .. } = &mut msg.response {
        with_inferred_param_types(&mut r.out_params);
    }
}
