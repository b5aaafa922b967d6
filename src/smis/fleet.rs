//! Polling a fleet of arrays from one process: discovery, pools and volumes of every array,
//! with a bounded number of arrays in flight.
//!
//! A storage fleet is managed by one service polling hundreds or thousands of SMI-S
//! providers. Each array gets its own [`Client`] (cheap while idle: no connection is kept
//! beyond its idle connections, and all clients share the caller's tokio runtime);
//! [`poll_fleet`] walks them with at most [`FleetOptions::concurrency`] arrays in flight,
//! each bounded by [`FleetOptions::per_array_timeout`], and returns every array's result in
//! the order given, a failure of one array never stopping the others.
//!
//! ```no_run
//! # async fn f(urls: Vec<String>, password: String) -> smis::Result<()> {
//! use smis::smis::{FleetOptions, FleetTarget, poll_fleet};
//! use smis::{Client, Credentials};
//! let mut targets = Vec::new();
//! for url in &urls {
//!     let client = Client::builder(url.as_str())
//!         .credentials(Credentials::new("monitor", password.clone()))
//!         .max_connections(2)
//!         .build()?;
//!     targets.push(FleetTarget::new(url.clone(), client));
//! }
//! for report in poll_fleet(targets, &FleetOptions::default()).await {
//!     match &report.result {
//!         Ok(inv) => println!("{}: {} pools, {} volumes", report.label, inv.pools(), inv.volumes()),
//!         Err(e) => println!("{}: {e}", report.label),
//!     }
//! }
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use futures::StreamExt;

use super::discovery::{Discovery, DiscoveryOptions};
use super::views::{StoragePool, StorageSystem, StorageVolume};
use crate::Client;
use crate::error::{Error, Result};

/// One array of the fleet: a label for the report and its client.
#[derive(Debug, Clone)]
pub struct FleetTarget {
    /// How the array is named in the report (e.g. its URL).
    pub label: String,
    /// The client of its SMI-S provider.
    pub client: Client,
}

impl FleetTarget {
    /// A target.
    pub fn new(label: impl Into<String>, client: Client) -> Self {
        FleetTarget {
            label: label.into(),
            client,
        }
    }
}

/// How to poll a fleet.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Most arrays polled at once (default 32; at least 1).
    pub concurrency: usize,
    /// Bound on one array's whole poll (default 120 s).
    pub per_array_timeout: Duration,
    /// Discovery options used for every array.
    pub discovery: DiscoveryOptions,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            concurrency: 32,
            per_array_timeout: Duration::from_secs(120),
            discovery: DiscoveryOptions::default(),
        }
    }
}

/// One storage system of a provider with its pools and volumes.
#[derive(Debug, Clone)]
pub struct ArrayInventory {
    /// The system.
    pub system: StorageSystem,
    /// Its pools.
    pub pools: Vec<StoragePool>,
    /// Its volumes.
    pub volumes: Vec<StorageVolume>,
}

/// What one provider answered: every storage system it manages.
#[derive(Debug, Clone)]
pub struct ProviderInventory {
    /// The systems, with pools and volumes.
    pub arrays: Vec<ArrayInventory>,
    /// The vendor namespace discovery found.
    pub namespace: Option<String>,
}

impl ProviderInventory {
    /// Pools of all systems.
    pub fn pools(&self) -> usize {
        self.arrays.iter().map(|a| a.pools.len()).sum()
    }

    /// Volumes of all systems.
    pub fn volumes(&self) -> usize {
        self.arrays.iter().map(|a| a.volumes.len()).sum()
    }
}

/// The poll of one target.
#[derive(Debug)]
pub struct FleetReport {
    /// The target's label.
    pub label: String,
    /// Its inventory, or why it could not be read.
    pub result: Result<ProviderInventory>,
    /// How long its poll took.
    pub elapsed: Duration,
}

/// Discovery, pools and volumes of one provider.
pub async fn poll_provider(client: &Client, opts: &DiscoveryOptions) -> Result<ProviderInventory> {
    let found = Discovery::run(client, opts).await?;
    let mut arrays = Vec::with_capacity(found.arrays.len());
    for index in 0..found.arrays.len() {
        let handle = found.array_handle(client, index)?;
        let pools = handle.pools().await?;
        let volumes = handle.volumes().await?;
        arrays.push(ArrayInventory {
            system: found.arrays[index].clone(),
            pools,
            volumes,
        });
    }
    Ok(ProviderInventory {
        arrays,
        namespace: found.vendor_namespace.clone(),
    })
}

/// Polls every target (see the module docs); the reports come in the order of `targets`.
pub async fn poll_fleet(targets: Vec<FleetTarget>, opts: &FleetOptions) -> Vec<FleetReport> {
    let concurrency = opts.concurrency.max(1);
    let mut reports: Vec<(usize, FleetReport)> =
        futures::stream::iter(targets.into_iter().enumerate())
            .map(|(i, t)| async move {
                let started = Instant::now();
                let result = match tokio::time::timeout(
                    opts.per_array_timeout,
                    poll_provider(&t.client, &opts.discovery),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err(Error::Timeout(opts.per_array_timeout)),
                };
                (
                    i,
                    FleetReport {
                        label: t.label,
                        result,
                        elapsed: started.elapsed(),
                    },
                )
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}
