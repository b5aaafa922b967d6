//! Clone a volume and follow the job: capability checks, CreateElementReplica, progress
//! of the CIM_ConcreteJob until it finishes (a failed job is an error, never a success).
//!
//! ```sh
//! export SMIS_URL=https://array:5989 SMIS_USER=admin SMIS_PASSWORD=... SMIS_PIN_SHA256=...
//! cargo run --example clone_volume -- [SOURCE_DEVICE_ID] [CLONE_NAME]
//! ```

use std::sync::Arc;
use std::time::Duration;

use smis::smis::{CloneRequest, Discovery, DiscoveryOptions, WaitOptions};
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
    let mut args = std::env::args().skip(1);
    let source_id = args.next();
    let name = args.next().unwrap_or_else(|| "example-clone".to_string());
    let client = connect()?;
    let found = Discovery::run(&client, &DiscoveryOptions::default()).await?;
    let array = found.array_handle(&client, 0)?;
    let volumes = array.volumes().await?;
    let source = match &source_id {
        Some(id) => volumes.iter().find(|v| &v.device_id == id),
        None => volumes.first(),
    }
    .ok_or("no such source volume")?;
    println!("cloning {} into {name:?}", source.device_id);
    let wait = WaitOptions {
        poll_interval: Duration::from_millis(200),
        progress: Some(Arc::new(|p| {
            println!(
                "job: {} {}%",
                p.status,
                p.percent_complete
                    .map(|c| c.to_string())
                    .unwrap_or("?".into())
            )
        })),
        ..WaitOptions::with_deadline(Duration::from_secs(600))
    };
    match array
        .create_clone(
            source,
            CloneRequest {
                wait,
                ..CloneRequest::full_clone(name)
            },
        )
        .await
    {
        Ok(clone) => {
            println!(
                "clone {} ({} blocks): {}",
                clone.device_id, clone.number_of_blocks, clone.path
            );
            Ok(())
        }
        Err(e) => {
            eprintln!(
                "clone failed: {e} (StorageService code {})",
                e.storage_service_code().0
            );
            Err(e.into())
        }
    }
}
