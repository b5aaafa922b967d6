//! CIM-XML encoding: requests (client side), responses (the simulated provider) and lone
//! instances (embedded-instance text).
//!
//! Everything is written straight into one `String`, compactly, in the form the reference
//! client (pywbem) sends. Data is checked while it is written (CIM names, characters XML 1.0
//! cannot carry, values that contradict their declared type); on the first problem the
//! partial output is dropped and an [`EncodeError`] naming the place is returned, so invalid
//! XML is never handed out.

mod core;
mod objects;
mod requests;
mod responses;
#[cfg(test)]
mod tests;

use self::core::Writer;
use super::{EncodeError, EncodeOptions};
use crate::cim::Instance;
use crate::message::{Request, RequestMessage, Response, ResponseMessage};

pub(crate) const XML_DECL: &str = r#"<?xml version="1.0" encoding="utf-8" ?>"#;

/// Encodes a request message as a complete CIM-XML document (UTF-8, with XML declaration).
///
/// Errors: invalid CIM names, characters XML 1.0 cannot carry, values that contradict
/// their declared type, a missing namespace on a method-call target, a `ModifyInstance`
/// whose instance has no path.
pub fn encode_request(msg: &RequestMessage) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::new(EncodeOptions::default());
    w.doc_start(&msg.id)?;
    match &msg.request {
        Request::Intrinsic(r) => {
            w.raw("<SIMPLEREQ>");
            w.intrinsic_request(r)?;
            w.raw("</SIMPLEREQ>");
        }
        Request::Method(m) => {
            w.raw("<SIMPLEREQ>");
            w.method_call(m)?;
            w.raw("</SIMPLEREQ>");
        }
        Request::Export(e) => {
            w.raw("<SIMPLEEXPREQ>");
            w.export_call(e)?;
            w.raw("</SIMPLEEXPREQ>");
        }
    }
    w.doc_end();
    Ok(w.out.into_bytes())
}

/// Encodes a response message as a complete CIM-XML document.
pub fn encode_response(msg: &ResponseMessage) -> Result<Vec<u8>, EncodeError> {
    encode_response_with(msg, &EncodeOptions::default())
}

/// Encodes a response message with provider quirks switched on (see [`EncodeOptions`]).
pub fn encode_response_with(
    msg: &ResponseMessage,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::new(*opts);
    w.doc_start(&msg.id)?;
    match &msg.response {
        Response::Intrinsic { name, result } => {
            w.raw("<SIMPLERSP>");
            w.open_named("IMETHODRESPONSE", name)?;
            w.push(format!("IMETHODRESPONSE[{name}]"));
            match result {
                Ok(ret) => w.ireturn(ret)?,
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</IMETHODRESPONSE></SIMPLERSP>");
        }
        Response::Method { name, result } => {
            w.raw("<SIMPLERSP>");
            w.open_named("METHODRESPONSE", name)?;
            w.push(format!("METHODRESPONSE[{name}]"));
            match result {
                Ok(ret) => w.method_return(ret)?,
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</METHODRESPONSE></SIMPLERSP>");
        }
        Response::Export { name, result } => {
            w.raw("<SIMPLEEXPRSP>");
            w.open_named("EXPMETHODRESPONSE", name)?;
            w.push(format!("EXPMETHODRESPONSE[{name}]"));
            match result {
                Ok(None) => {}
                Ok(Some(v)) => {
                    w.raw("<IRETURNVALUE>");
                    w.value(v)?;
                    w.raw("</IRETURNVALUE>");
                }
                Err(e) => w.error_body(e)?,
            }
            w.pop();
            w.raw("</EXPMETHODRESPONSE></SIMPLEEXPRSP>");
        }
    }
    w.doc_end();
    Ok(w.out.into_bytes())
}

/// Encodes an instance as a lone `INSTANCE` element (the text of an embedded instance).
/// The instance's path, if any, is not written.
pub fn encode_instance(inst: &Instance) -> Result<String, EncodeError> {
    let mut w = Writer::new(EncodeOptions::default());
    w.instance(inst)?;
    Ok(w.out)
}
