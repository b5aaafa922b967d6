//! The simulated provider on loopback HTTPS and a client for it.
#![allow(dead_code)]

use std::time::Duration;

use smis::client::ClientBuilder;
use smis::smis::{Discovery, DiscoveryOptions, SmisArray};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

/// The simulator's password for user `admin`.
pub const PASSWORD: &str = "support-Sim-Pw-42";

/// A simulator with user `admin` and [`PASSWORD`], on 127.0.0.1.
pub fn start(sc: Scenario) -> Simulator {
    Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).expect("simulator starts")
}

/// A client builder for `sim`: pinned to its certificate, user `admin`, a 10 s operation
/// timeout.
pub fn builder(sim: &Simulator) -> ClientBuilder {
    Client::builder(sim.url())
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .operation_timeout(Duration::from_secs(10))
}

/// A client for `sim` (see [`builder`]).
pub fn client(sim: &Simulator) -> Client {
    builder(sim).build().unwrap()
}

/// The first array of a discovery.
pub async fn array(c: &Client) -> smis::Result<SmisArray> {
    let d = Discovery::run(c, &DiscoveryOptions::default()).await?;
    d.array_handle(c, 0)
}
