//! smis: a Rust client for storage arrays that speak SMI-S (CIM-XML over HTTPS).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cim;
pub mod message;
pub mod error;
pub mod transport;
pub mod xml;
