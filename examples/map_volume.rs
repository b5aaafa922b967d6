//! Map a volume to a host: create an access group for the host's initiator, map the
//! volume with a LUN (SNIA Group Masking and Mapping where the array offers it, else
//! SMI-S 1.4 ExposePaths), show who sees the volume, then undo both.
//!
//! ```sh
//! export SMIS_URL=https://array:5989 SMIS_USER=admin SMIS_PASSWORD=... SMIS_PIN_SHA256=...
//! cargo run --example map_volume -- VOLUME_DEVICE_ID HOST_NAME INITIATOR [LUN]
//! ```
//!
//! INITIATOR is an FC WWPN (`21:00:00:1b:32:a1:b2:c3`) or an iSCSI name.

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [device_id, host, initiator, rest @ ..] = args.as_slice() else {
        return Err("usage: map_volume VOLUME_DEVICE_ID HOST_NAME INITIATOR [LUN]".into());
    };
    let lun: Option<u32> = rest.first().map(|l| l.parse()).transpose()?;
    let client = connect()?;
    let found = Discovery::run(&client, &DiscoveryOptions::default()).await?;
    let array = found.array_handle(&client, 0)?;
    let volume = array
        .volumes()
        .await?
        .into_iter()
        .find(|v| &v.device_id == device_id)
        .ok_or("no such volume")?;
    let masking = array.masking().await?;
    let group = masking
        .create_access_group(host, &[initiator.as_str()])
        .await?;
    println!("access group {} for {:?}", group.name, group.initiators);
    let lun = masking.map_volume(&volume, &group, lun).await?;
    println!("mapped {} to {} as LUN {lun}", volume.device_id, group.name);
    for a in array.volume_access(&volume.path).await? {
        println!("  seen by {} as LUN {}", a.group, a.lun);
    }
    masking.unmap_volume(&volume, &group).await?;
    masking.delete_access_group(&group).await?;
    println!("unmapped and removed {}", group.name);
    Ok(())
}
