//! The CIM-XML client conformance runner as a library: the neutral JSON form of the cases
//! (pywbem's objects as JSON) in both directions ([`neutral`], [`to_neutral`]), the
//! comparison of results ([`compare`]) and one case run over an in-process transport
//! ([`runner`]). Request bodies are compared in the canonical form of
//! [`smis::testkit::canon`] under [`Rules::Exact`](smis::testkit::canon::Rules::Exact).
//!
//! The `smis-conformance` binary runs a JSON-lines file of cases; the root crate's encoder
//! tests use [`neutral`] to build requests from the same cases.

pub mod compare;
pub mod neutral;
pub mod runner;
pub mod to_neutral;
