//! A simulated SMI-S provider (CIM-XML over HTTP(S), DMTF DSP0200) for tests
//! and demos of the `smis` client library.
//!
//! [`SimServer`] is the HTTP(S) shell; the CIM logic plugs in through
//! [`CimHandler`].
//!
//! ```no_run
//! use smis_sim::{CimHttpResponse, SimServer, SimServerConfig, handler_fn};
//!
//! # async fn demo() -> Result<(), smis_sim::SimError> {
//! let handler = handler_fn(|req| async move { CimHttpResponse::ok(req.body) });
//! let config = SimServerConfig {
//!     users: vec![("admin".into(), "secret".into())],
//!     ..SimServerConfig::default()
//! };
//! let server = SimServer::start(config, handler)?;
//! println!("{} (SHA-256 {:?})", server.cimom_url(), server.cert_sha256_hex());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
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
