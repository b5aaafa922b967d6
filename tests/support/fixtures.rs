//! Helpers of the fixture tests (`tests/fixtures_*.rs`): where the fixture directories are,
//! recording a workflow against the simulator into one (`SMIS_RECORD_FIXTURES=1`), and the
//! replaying client a test author writes.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use smis::smis::{SmisArray, StorageVolume, WaitOptions};
use smis::{Client, Credentials, Error};
use smis_sim::Scenario;

pub use super::sim::array;
use super::sim::{PASSWORD, client, start};

/// `fixtures/<name>` of this repository.
pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// True when the fixtures are to be recorded again (`SMIS_RECORD_FIXTURES=1`).
pub fn recording() -> bool {
    std::env::var("SMIS_RECORD_FIXTURES").is_ok_and(|v| v == "1")
}

/// Job polling fast enough for the simulator's short jobs.
pub fn wait() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(100),
        deadline: Duration::from_secs(30),
        ..WaitOptions::default()
    }
}

/// The volume of `a` whose ElementName is `name`.
pub async fn volume(a: &SmisArray, name: &str) -> smis::Result<StorageVolume> {
    a.volumes()
        .await?
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some(name))
        .ok_or_else(|| Error::InvalidArgument(format!("no {name} volume")))
}

/// Runs `workflow` against a fresh simulator while recording into the fixture directory,
/// then checks that nothing secret reached the disk.
pub async fn record<F, Fut, T>(name: &str, scenario: Scenario, workflow: F)
where
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let sim = start(scenario);
    let live = client(&sim);
    let dir = fixture_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rec = Client::record(&live, &dir).unwrap();
    let _ = workflow(rec).await;
    sim.shutdown().await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text =
            String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned();
        assert!(
            !text.contains(PASSWORD) && !text.contains("Basic YWRt"),
            "secret in fixture"
        );
    }
}

/// The client a test author writes: `Client::replay("fixtures/<name>")`. Credentials are
/// needed by the SMI-S layer; replay ignores Authorization.
pub fn replay(name: &str) -> Client {
    Client::replay(fixture_dir(name))
        .unwrap_or_else(|e| panic!("fixture {name} missing or unreadable: {e}"))
        .with_credentials(Credentials::new("admin", "unused".to_string()))
}
