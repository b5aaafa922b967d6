//! Deliberate misbehaviour the handler can ask the server to perform.
//!
//! A [`CimHandler`](crate::CimHandler) sets [`CimHttpResponse::fault`](crate::CimHttpResponse::fault)
//! to make the server misbehave for one response, so that clients can be
//! tested against slow, vanishing or broken providers.

use std::time::Duration;

/// A fault the server injects while answering one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long before sending the response (headers included), then
    /// answer normally.
    Delay(Duration),
    /// Close the connection without sending any response bytes.
    DropConnection,
    /// Send the status line and headers with the full `Content-Length`, then
    /// only the first `after_bytes` bytes of the body, then close the
    /// connection.
    TruncateBody {
        /// Number of body bytes actually sent before the connection closes.
        after_bytes: usize,
    },
}
