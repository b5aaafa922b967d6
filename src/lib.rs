//! smis: a Rust client for storage arrays that speak SMI-S (CIM-XML over HTTPS).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cim;
pub mod client;
pub mod error;
pub mod message;
pub mod smis;
pub mod transport;
pub mod xml;

pub use client::{Client, ClientBuilder, Credentials};
pub use error::{CimStatus, Error, Result, StorageServiceCode};
