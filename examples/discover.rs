//! Discover an SMI-S array and list its pools and volumes.
//!
//! ```sh
//! export SMIS_URL=https://array:5989 SMIS_USER=admin SMIS_PASSWORD=...
//! export SMIS_PIN_SHA256=3F:A1:...   # or SMIS_CA_FILE=array-ca.pem
//! cargo run --example discover
//! ```
//!
//! The password is read from the environment, never from the command line.

use smis::smis::{Discovery, DiscoveryOptions};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials};

/// A client from SMIS_URL, SMIS_USER, SMIS_PASSWORD and SMIS_PIN_SHA256 or SMIS_CA_FILE.
fn connect() -> Result<Client, Box<dyn std::error::Error>> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    let url = var("SMIS_URL").ok_or("set SMIS_URL (e.g. https://array:5989)")?;
    let tls = match (var("SMIS_PIN_SHA256"), var("SMIS_CA_FILE")) {
        (Some(pin), _) => TlsOptions::pinned_sha256(&pin)?,
        (None, Some(ca)) => TlsOptions::ca_file(ca),
        (None, None) => TlsOptions::system_roots(),
    };
    let mut b = Client::builder(url).tls(tls);
    if let Some(user) = var("SMIS_USER") {
        let password = var("SMIS_PASSWORD").ok_or("set SMIS_PASSWORD")?;
        b = b.credentials(Credentials::new(user, password));
    }
    Ok(b.build()?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = connect()?;
    let found = Discovery::run(&client, &DiscoveryOptions::default()).await?;
    println!(
        "interop namespace: {}",
        found.interop_namespace.as_deref().unwrap_or("-")
    );
    for p in &found.profiles {
        println!("profile: {} {}", p.name, p.version);
    }
    if found.arrays.is_empty() {
        return Err("no array found".into());
    }
    for (i, system) in found.arrays.iter().enumerate() {
        println!(
            "array {i}: {} ({})",
            system.name,
            system.element_name.as_deref().unwrap_or("")
        );
        let array = found.array_handle(&client, i)?;
        for pool in array.pools().await? {
            println!(
                "  pool {}: {} of {} bytes free{}",
                pool.instance_id,
                pool.remaining_managed_space.unwrap_or(0),
                pool.total_managed_space.unwrap_or(0),
                if pool.primordial { " (primordial)" } else { "" }
            );
        }
        for v in array.volumes().await? {
            println!(
                "  volume {}: {} x {} bytes{}",
                v.device_id,
                v.number_of_blocks,
                v.block_size,
                v.element_name
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
