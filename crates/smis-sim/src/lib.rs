//! A simulated SMI-S provider (CIM-XML over HTTP(S), DMTF DSP0200) for tests and demos of
//! the `smis` client library.
//!
//! It serves an SMI-S 1.8 block array (interop namespace with registered profiles, a vendor
//! namespace with a system, pools, volumes, services, capabilities, jobs and associations)
//! with real state, quirks and faults set by a [`Scenario`], over real HTTPS on loopback,
//! using the library's own CIM-XML codec.
//!
//! - [`Simulator::start`]: the whole provider in-process on an ephemeral port (what tests and
//!   `smis demo` use): URL, certificate PEM and SHA-256 fingerprint, shutdown.
//! - [`SimServer`]: the HTTP(S) shell; [`CimHandler`] is its seam; [`SimHandler`] plugs the
//!   [`Provider`] into it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), smis_sim::SimError> {
//! use smis_sim::{Scenario, Simulator, SimulatorConfig};
//! let sim = Simulator::start(SimulatorConfig::new(Scenario::builtin("default").unwrap())
//!     .user("admin", "secret"))?;
//! println!("{} (SHA-256 {:?})", sim.url(), sim.cert_sha256_hex());
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod delivery;
pub mod error;
pub mod fault;
pub mod fleet;
pub mod handler;
pub mod masking_spec;
pub mod provider;
pub mod scenario;
pub mod server;
pub mod tls;

pub use delivery::DeliveryStats;
pub use fault::Fault;
pub use fleet::SimFleet;
pub use handler::{SimHandler, Simulator, SimulatorConfig};
pub use provider::DeliverySettings;
pub use provider::{Clock, ManualClock, Outcome, Provider, ResponseQuirks, SimFault, SystemClock};
pub use scenario::Scenario;
pub use server::{
    CimHandler, CimHttpRequest, CimHttpResponse, FnHandler, HandlerFuture, SimError, SimHandle,
    SimServer, SimServerConfig, handler_fn,
};
pub use tls::{SimTls, generate_self_signed};
