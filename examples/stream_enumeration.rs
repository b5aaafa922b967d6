//! Stream a large enumeration: pull operations (OpenEnumerateInstances/PullInstancesWithPath)
//! page by page, memory bounded by one page, with a fallback to EnumerateInstances where
//! the provider refuses pulls. Dropping the stream early closes the enumeration context.
//!
//! ```sh
//! export SMIS_URL=https://array:5989 SMIS_USER=admin SMIS_PASSWORD=... SMIS_PIN_SHA256=...
//! export SMIS_NAMESPACE=root/emc
//! cargo run --example stream_enumeration -- [CLASS] [PAGE_SIZE]
//! ```

use futures::StreamExt;
use smis::client::{EnumerateInstancesOptions, OpenOptions};
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
    let class = args
        .next()
        .unwrap_or_else(|| "CIM_StorageVolume".to_string());
    let page: u32 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(100);
    let client = connect()?;
    let namespace = std::env::var("SMIS_NAMESPACE").ok();
    let opts = {
        let mut o = EnumerateInstancesOptions::new().property_list(["ElementName"]);
        o.namespace = namespace;
        o
    };
    let open = OpenOptions::new().max_object_count(page);
    let mut stream = client.enumerate_instances_stream(&class, &opts, &open);
    let mut count = 0u64;
    while let Some(instance) = stream.next().await {
        let instance = instance?;
        count += 1;
        if count <= 5 {
            let path = instance
                .path
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default();
            println!("{path}");
        }
    }
    println!("{count} instances of {class}");
    Ok(())
}
