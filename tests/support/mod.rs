//! Helpers shared by the root crate's integration tests, one module each: `fixtures`
//! (recording and replaying fixture directories), `sim` (the simulator and a client for
//! it) and `tls_server` (loopback HTTPS/HTTP test servers with their own CA, re-exported
//! here). A test file says `mod support;` and uses what it needs.
#![allow(dead_code, unused_imports)]

pub mod fixtures;
pub mod sim;
pub mod tls_server;

pub use tls_server::*;
