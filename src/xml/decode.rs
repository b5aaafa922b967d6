//! CIM-XML decoding (placeholder signatures; the implementation replaces this file).

use super::{DecodeError, DecodeErrorKind, DecodeLimits};
use crate::cim::Instance;
use crate::message::{CimObject, RequestMessage, ResponseMessage};

fn unimplemented_err() -> DecodeError {
    DecodeError {
        kind: DecodeErrorKind::Structure,
        message: "decoder not built yet".into(),
        line: 0,
        column: 0,
        path: String::new(),
    }
}

/// Decodes a CIM-XML response message (`CIM/MESSAGE/SIMPLERSP` or `SIMPLEEXPRSP`).
pub fn decode_response(
    input: &[u8],
    limits: &DecodeLimits,
) -> Result<ResponseMessage, DecodeError> {
    let _ = (input, limits);
    Err(unimplemented_err())
}

/// Decodes a CIM-XML request message (`CIM/MESSAGE/SIMPLEREQ` or `SIMPLEEXPREQ`).
pub fn decode_request(input: &[u8], limits: &DecodeLimits) -> Result<RequestMessage, DecodeError> {
    let _ = (input, limits);
    Err(unimplemented_err())
}

/// Decodes a lone `INSTANCE` element (the text of an embedded instance).
pub fn decode_instance(xml: &str, limits: &DecodeLimits) -> Result<Instance, DecodeError> {
    let _ = (xml, limits);
    Err(unimplemented_err())
}

/// Decodes a lone `INSTANCE` or `CLASS` element (the text of an embedded object).
pub fn decode_value_object(xml: &str, limits: &DecodeLimits) -> Result<CimObject, DecodeError> {
    let _ = (xml, limits);
    Err(unimplemented_err())
}
