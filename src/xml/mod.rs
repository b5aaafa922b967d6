//! The CIM-XML codec (DSP0201, DTD DSP0203), in both directions.
//!
//! - Client side: [`encode_request`] and [`decode_response`].
//! - Server side (the simulated provider, tests): [`decode_request`] and [`encode_response`].
//!
//! Decoding works on borrowed input with quick-xml, copies text only where it must be
//! unescaped, refuses `<!DOCTYPE>` and any entity but the five predefined ones and
//! character references, bounds nesting depth and input size ([`DecodeLimits`]), and reports
//! failures as a [`DecodeError`] that names the line, column and element path.

mod decode;
mod encode;
mod error;

pub use decode::{
    ResponseStreamDecoder, ReturnItem, StreamEvent, decode_instance, decode_request,
    decode_response, decode_value_object,
};
pub use encode::{encode_instance, encode_request, encode_response, encode_response_with};
pub use error::{DecodeError, DecodeErrorKind, EncodeError};

/// Limits applied while decoding untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Maximum input size in bytes (default 256 MiB).
    pub max_bytes: usize,
    /// Maximum element nesting depth (default 64; real CIM-XML needs about 15, embedded
    /// objects are decoded with a fresh budget of the remaining depth).
    pub max_depth: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_bytes: 256 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// Switches for the quirks of some providers that the simulated provider imitates when it
/// encodes responses ([`encode_response_with`]). The default writes standard CIM-XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncodeOptions {
    /// Write `TYPE` instead of `PARAMTYPE` on `PARAMVALUE` and `RETURNVALUE`.
    pub type_instead_of_paramtype: bool,
    /// Write `EMBEDDEDOBJECT` (OpenPegasus' form) instead of `EmbeddedObject`.
    pub uppercase_embedded_object: bool,
}
