//! Responses whose body is read as it arrives ([`Transport::send_streaming`]).
//!
//! [`Transport::send_streaming`]: super::Transport::send_streaming

use std::pin::Pin;

use ::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use futures::Stream;

use super::{HttpResponse, TransportError};

/// One piece of a streamed body: data, or the trailer fields of a chunked response
/// (`CIMStatusCode`, `CIMStatusCodeDescription` as OpenPegasus sends them, DSP0200 §7.4).
#[derive(Debug, Clone)]
pub enum BodyPart {
    /// The next bytes of the body.
    Data(Bytes),
    /// Trailer fields (after the last data).
    Trailers(HeaderMap),
}

/// A response body as a stream of [`BodyPart`]s.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<BodyPart, TransportError>> + Send>>;

/// The head of an HTTP response and its body still to be read.
pub struct StreamingResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, piece by piece. No size limit applies to what streams through; the reader
    /// bounds what it keeps.
    pub body: BodyStream,
}

impl std::fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl From<HttpResponse> for StreamingResponse {
    /// A complete response as a stream of one data part and its trailers.
    fn from(r: HttpResponse) -> Self {
        let mut parts = vec![Ok(BodyPart::Data(r.body))];
        if let Some(t) = r.trailers {
            parts.push(Ok(BodyPart::Trailers(t)));
        }
        StreamingResponse {
            status: r.status,
            headers: r.headers,
            body: Box::pin(futures::stream::iter(parts)),
        }
    }
}
