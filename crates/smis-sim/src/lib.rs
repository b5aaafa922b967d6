//! A simulated SMI-S provider (CIM-XML over HTTP(S), DMTF DSP0200) for tests
//! and demos of the `smis` client library.
//!
//! [`SimServer`] is the HTTP(S) shell; the CIM logic plugs in through
//! [`CimHandler`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fault;
pub mod server;
pub mod tls;

pub use fault::Fault;
pub use server::{
    CimHandler, CimHttpRequest, CimHttpResponse, FnHandler, HandlerFuture, SimError, SimHandle,
    SimServer, SimServerConfig, handler_fn,
};
pub use tls::{SimTls, generate_self_signed};
