//! smis: a Rust client for storage arrays that speak SMI-S (CIM-XML over HTTPS).
//!
//! Layers, from the bottom:
//!
//! - [`cim`]: the CIM data model (DSP0004), no I/O: values, datetimes, object paths and
//!   WBEM URIs, instances, classes, qualifiers, and conversions to and from Rust types.
//! - [`message`]: every DSP0200 operation and response as data.
//! - [`xml`]: the CIM-XML codec (DSP0201) in both directions.
//! - [`transport`]: the [`transport::Transport`] seam; HTTPS with hyper 1 + rustls and a
//!   bounded connection pool.
//! - [`client`]: [`Client`], with every operation, pull streams and typed [`Error`]s (each
//!   layer's own error kept as the [`source`](std::error::Error::source)) that
//!   carry the CIM status and the StorageService code.
//! - [`smis`](mod@smis): discovery, jobs, CreateClone with capability checks, resource
//!   pools and volumes.
//! - [`indication`]: the CIM indication listener (feature `listener`), subscriptions, and
//!   job-state indications for [`smis::Job::wait`](crate::smis::Job::wait).
//! - `testkit` (feature `testkit`, on by default): recording and replay of fixtures and the
//!   canonical form of CIM-XML they are matched by.
//!
//! # Safety posture
//!
//! No `unsafe` (`#![forbid(unsafe_code)]`), no OpenSSL. Nothing that comes from the network
//! reaches an `unwrap`: malformed XML, wrong types, hostile or oversized responses become
//! typed errors. The decoder refuses `<!DOCTYPE>`, never expands an entity other than the
//! five predefined ones and character references, and bounds nesting depth and input size.
//! TLS is verified by default; passwords are `secrecy::SecretString`s and never appear in
//! `Debug` output, logs, errors or recordings.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cim;
pub mod client;
pub mod error;
pub mod indication;
pub mod message;
pub mod smis;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;
pub mod transport;
pub mod xml;

pub use client::{Client, ClientBuilder, Credentials};
pub use error::{CimStatus, Error, Result, StorageServiceCode};

/// The README's code examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
