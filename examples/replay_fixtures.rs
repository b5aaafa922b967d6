//! A test against recorded fixtures: the same discovery code as `discover`, run through
//! `Client::replay` on exchanges recorded from a provider (here the repository's
//! `fixtures/discovery`), with no network. A request that differs from the recording fails
//! with a report of the closest recorded exchange.
//!
//! ```sh
//! cargo run --example replay_fixtures -- [FIXTURE_DIR]
//! ```
//!
//! Record your own with `smis::Client::record(&live_client, "fixtures/my-case")`.

use smis::Client;
use smis::smis::{Discovery, DiscoveryOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/discovery").to_string());
    let client = Client::replay(&dir)?;
    let found = Discovery::run(&client, &DiscoveryOptions::default()).await?;
    if found.arrays.is_empty() || found.profiles.is_empty() {
        return Err(format!("{dir}: the recording holds no array").into());
    }
    for p in &found.profiles {
        println!("profile: {} {}", p.name, p.version);
    }
    for a in &found.arrays {
        println!(
            "array: {} in {}",
            a.name,
            found.vendor_namespace.as_deref().unwrap_or("-")
        );
    }
    println!("replayed {dir}: ok");
    Ok(())
}
