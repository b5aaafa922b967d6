//! CIM-XML decoding: a recursive-descent pull parser over quick-xml borrowed events.
//!
//! The input is checked once up front (size, encoding, characters XML forbids), then read
//! event by event without building a DOM. Element names are compared as byte slices, text
//! is copied only into the value that keeps it, and CIM names are interned per decode call
//! so that a name repeated in thousands of instances shares one allocation.

mod core;
mod fast;
mod input;
mod objects;
mod paths;
mod requests;
mod responses;
mod stream;
mod values;

pub use self::stream::{ResponseStreamDecoder, ReturnItem, StreamEvent};

use super::{DecodeError, DecodeErrorKind, DecodeLimits};
use crate::cim::Instance;
use crate::message::{CimObject, RequestMessage, ResponseMessage};

use self::core::Parser;
use self::input::prepare;

/// Decodes a CIM-XML response message (`CIM/MESSAGE/SIMPLERSP` or `SIMPLEEXPRSP`).
///
/// Tolerates what real servers send (see the crate documentation of [`crate::xml`]) and
/// refuses ill-formed XML, forbidden characters, `<!DOCTYPE>`, entities other than the
/// predefined five, over-deep nesting, oversized input and CIM-XML structure violations.
pub fn decode_response(
    input: &[u8],
    limits: &DecodeLimits,
) -> Result<ResponseMessage, DecodeError> {
    let buf = prepare(input, limits)?;
    let mut p = Parser::new(&buf, limits.max_depth, String::new());
    let r = p.response_document().map_err(|e| *e)?;
    p.finish().map_err(|e| *e)?;
    Ok(r)
}

/// Decodes a CIM-XML request message (`CIM/MESSAGE/SIMPLEREQ` or `SIMPLEEXPREQ`).
pub fn decode_request(input: &[u8], limits: &DecodeLimits) -> Result<RequestMessage, DecodeError> {
    let buf = prepare(input, limits)?;
    let mut p = Parser::new(&buf, limits.max_depth, String::new());
    let r = p.request_document().map_err(|e| *e)?;
    p.finish().map_err(|e| *e)?;
    Ok(r)
}

/// Decodes a lone `INSTANCE` element (the text of an embedded instance).
pub fn decode_instance(xml: &str, limits: &DecodeLimits) -> Result<Instance, DecodeError> {
    match decode_value_object(xml, limits)? {
        CimObject::Instance(i) => Ok(i),
        CimObject::Class(_) => Err(DecodeError {
            kind: DecodeErrorKind::Structure,
            message: "expected INSTANCE, found CLASS".into(),
            line: 1,
            column: 1,
            path: "CLASS".into(),
        }),
    }
}

/// Decodes a lone `INSTANCE` or `CLASS` element (the text of an embedded object).
pub fn decode_value_object(xml: &str, limits: &DecodeLimits) -> Result<CimObject, DecodeError> {
    let buf = prepare(xml.as_bytes(), limits)?;
    let mut p = Parser::new(&buf, limits.max_depth, String::new());
    let r = p.object_document().map_err(|e| *e)?;
    p.finish().map_err(|e| *e)?;
    Ok(r)
}

/// Decodes embedded object text with the remaining depth budget; errors are re-anchored.
pub(crate) fn decode_embedded(
    xml: &str,
    max_depth: usize,
    prefix: String,
) -> Result<CimObject, Box<DecodeError>> {
    let limits = DecodeLimits {
        max_depth,
        ..DecodeLimits::default()
    };
    let buf = prepare(xml.as_bytes(), &limits)?;
    let mut p = Parser::new(&buf, max_depth, prefix);
    let r = p.object_document()?;
    p.finish()?;
    Ok(r)
}
