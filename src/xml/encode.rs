//! CIM-XML encoding (placeholder signatures; the implementation replaces this file).

use super::EncodeError;
use crate::cim::Instance;
use crate::message::{RequestMessage, ResponseMessage};

fn unimplemented_err() -> EncodeError {
    EncodeError {
        message: "encoder not built yet".into(),
        path: String::new(),
    }
}

/// Encodes a request message as a complete CIM-XML document (UTF-8, with XML declaration).
pub fn encode_request(msg: &RequestMessage) -> Result<Vec<u8>, EncodeError> {
    let _ = msg;
    Err(unimplemented_err())
}

/// Encodes a response message as a complete CIM-XML document.
pub fn encode_response(msg: &ResponseMessage) -> Result<Vec<u8>, EncodeError> {
    let _ = msg;
    Err(unimplemented_err())
}

/// Encodes an instance as a lone `INSTANCE` element (the text of an embedded instance).
pub fn encode_instance(inst: &Instance) -> Result<String, EncodeError> {
    let _ = inst;
    Err(unimplemented_err())
}
