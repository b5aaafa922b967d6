//! Several independent simulated arrays served from one process, each on its own loopback
//! port with its own identity (system name, volumes) and state, for testing fleet polling.
//!
//! The arrays share one generated certificate (one pin for the whole fleet) and the
//! caller's tokio runtime.
//!
//! ```no_run
//! # async fn demo() -> Result<(), smis_sim::SimError> {
//! use smis_sim::{Scenario, SimFleet};
//! let fleet = SimFleet::start(10, &Scenario::builtin("default").unwrap(), &[("admin", "secret")])?;
//! for (k, url) in fleet.urls().iter().enumerate() {
//!     println!("{url}: {}", fleet.system_name(k));
//! }
//! fleet.shutdown().await;
//! # Ok(())
//! # }
//! ```

use crate::error::SimError;
use crate::handler::{Simulator, SimulatorConfig};
use crate::scenario::{Scenario, VolumeSpec};
use crate::tls::{SimTls, generate_self_signed};

/// Independent simulated arrays on their own ports (see the module docs).
#[derive(Debug)]
pub struct SimFleet {
    arrays: Vec<Simulator>,
    names: Vec<String>,
    volumes: Vec<usize>,
    pin: Option<String>,
}

/// The scenario of array `k` of a fleet: `base` with the system name
/// `<base system name>-F<k>`, its volumes renamed `<k>:<name>`, and `k % 4` more volumes
/// (so that arrays differ in what they answer).
pub fn fleet_scenario(base: &Scenario, k: usize) -> Scenario {
    let mut s = base.clone();
    s.identity.system_name = format!("{}-F{k:05}", base.identity.system_name);
    for v in &mut s.volumes {
        v.name = format!("{k}:{}", v.name);
    }
    if let Some(pool) = s.pools.iter().find(|p| !p.primordial).map(|p| p.id.clone()) {
        for j in 0..k % 4 {
            s.volumes.push(VolumeSpec {
                id: format!("F{k:05}-X{j}"),
                name: format!("{k}:extra-{j}"),
                pool: pool.clone(),
                size_bytes: 1024 * 1024 * 1024,
                thin: true,
            });
        }
    }
    s
}

impl SimFleet {
    /// Starts `n` arrays made from `base` by [`fleet_scenario`], all accepting `users`,
    /// over HTTPS with one shared self-signed certificate. Must be called within a tokio
    /// runtime.
    pub fn start(n: usize, base: &Scenario, users: &[(&str, &str)]) -> Result<SimFleet, SimError> {
        let (cert_pem, key_pem) = generate_self_signed()?;
        let mut arrays = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut volumes = Vec::with_capacity(n);
        for k in 0..n {
            let scenario = fleet_scenario(base, k);
            names.push(scenario.identity.system_name.clone());
            volumes.push(scenario.volumes.len());
            let mut config = SimulatorConfig::new(scenario);
            config.tls = SimTls::Given {
                cert_pem: cert_pem.clone(),
                key_pem: key_pem.clone(),
            };
            for (u, p) in users {
                config = config.user(*u, *p);
            }
            arrays.push(Simulator::start(config)?);
        }
        let pin = arrays.first().and_then(Simulator::cert_sha256_hex);
        Ok(SimFleet {
            arrays,
            names,
            volumes,
            pin,
        })
    }

    /// The base URL of every array, in order.
    pub fn urls(&self) -> Vec<String> {
        self.arrays.iter().map(Simulator::url).collect()
    }

    /// The arrays.
    pub fn arrays(&self) -> &[Simulator] {
        &self.arrays
    }

    /// The system name of array `k`.
    pub fn system_name(&self, k: usize) -> &str {
        self.names.get(k).map(String::as_str).unwrap_or("")
    }

    /// The number of volumes array `k` started with.
    pub fn volume_count(&self, k: usize) -> usize {
        self.volumes.get(k).copied().unwrap_or(0)
    }

    /// The SHA-256 fingerprint of the shared certificate (`AB:CD:...`).
    pub fn cert_sha256_hex(&self) -> Option<&str> {
        self.pin.as_deref()
    }

    /// Stops every array.
    pub async fn shutdown(self) {
        let tasks: Vec<_> = self
            .arrays
            .into_iter()
            .map(|a| tokio::spawn(a.shutdown()))
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    }
}
