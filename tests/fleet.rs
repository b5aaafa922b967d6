//! A fleet poll: 50 simulated arrays served from this process (own ports, own identities),
//! polled concurrently; every array's answer is checked.

use smis::smis::{FleetOptions, FleetTarget, poll_fleet};
use smis::transport::TlsOptions;
use smis::{Client, Credentials};
use smis_sim::{Scenario, SimFleet};

const USER: &str = "monitor";
const PASSWORD: &str = "fleet-secret-7c1d";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_arrays_each_give_their_own_answer() {
    let n = 50;
    let fleet = SimFleet::start(
        n,
        &Scenario::builtin("default").unwrap(),
        &[(USER, PASSWORD)],
    )
    .unwrap();
    let pin = fleet.cert_sha256_hex().unwrap().to_string();
    let tls = TlsOptions::pinned_sha256(&pin).unwrap();
    let targets: Vec<FleetTarget> = fleet
        .urls()
        .into_iter()
        .map(|url| {
            let client = Client::builder(url.as_str())
                .credentials(Credentials::new(USER, PASSWORD.to_string()))
                .tls(tls.clone())
                .max_connections(2)
                .build()
                .unwrap();
            FleetTarget::new(url, client)
        })
        .collect();
    let opts = FleetOptions {
        concurrency: 8,
        ..Default::default()
    };
    let reports = poll_fleet(targets, &opts).await;
    assert_eq!(reports.len(), n);
    let urls = fleet.urls();
    for (k, r) in reports.iter().enumerate() {
        assert_eq!(r.label, urls[k], "reports come in the order of the targets");
        let inv = r
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("array {k}: {e}"));
        assert_eq!(inv.arrays.len(), 1, "array {k}");
        let a = &inv.arrays[0];
        assert_eq!(a.system.name, fleet.system_name(k), "array {k}");
        assert!(!a.pools.is_empty(), "array {k} has pools");
        assert_eq!(a.volumes.len(), fleet.volume_count(k), "array {k}");
        for v in &a.volumes {
            let name = v.element_name.as_deref().unwrap_or("");
            assert!(
                name.starts_with(&format!("{k}:")),
                "array {k} answered {name}"
            );
        }
    }
    // Arrays differ: 0..=3 extra volumes by index.
    assert_ne!(fleet.volume_count(0), fleet.volume_count(3));
    fleet.shutdown().await;
}
