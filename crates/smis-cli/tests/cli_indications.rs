//! `smis listen`, `subscribe`, `subscriptions`, `unsubscribe` run as processes against the
//! simulated provider (loopback HTTPS) that delivers to the CLI's listener (loopback HTTP).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use smis::smis::{CreateVolumeRequest, Discovery, DiscoveryOptions};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const USER: &str = "admin";
const PASSWORD: &str = "Pw-ind-7c1e-do-not-print";
const NS: &str = "root/smis-sim";
const QUERY: &str = "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume";

fn cmd(sim: &Simulator) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smis"));
    for v in ["SMIS_URL", "SMIS_USER", "SMIS_PASSWORD", "SMIS_LOG"] {
        c.env_remove(v);
    }
    c.stdin(Stdio::null())
        .env("SMIS_URL", sim.url())
        .env("SMIS_USER", USER)
        .env("SMIS_PASSWORD", PASSWORD)
        .args(["--pin-sha256", &sim.cert_sha256_hex().unwrap(), "-n", NS]);
    c
}

fn json_of(c: &mut Command) -> Value {
    let o = c.output().expect("smis runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn listen_subscribe_list_unsubscribe() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.volume_create_ms = 0;
    let sim = {
        let _g = rt.enter();
        Simulator::start(SimulatorConfig::new(sc).user(USER, PASSWORD)).unwrap()
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = cmd(&sim)
        .args([
            "-o",
            "json",
            "listen",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--subscribe", QUERY, "--count", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("subscribed") {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "smis listen ended early"
        );
    }
    assert_eq!(sim.provider().subscription_count(), 1);

    // Cause an indication.
    let client = Client::builder(sim.url())
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .credentials(Credentials::new(USER, PASSWORD.to_string()))
        .build()
        .unwrap();
    rt.block_on(async {
        let a = Discovery::run(&client, &DiscoveryOptions::default())
            .await
            .unwrap()
            .array_handle(&client, 0)
            .unwrap();
        let p = a
            .pools()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.pool_id.as_deref() == Some("P1"))
            .unwrap();
        a.create_volume(&p, &CreateVolumeRequest::new("cli-ind", 1 << 20))
            .await
            .unwrap();
    });
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(v["class"], "CIM_InstCreation");
    assert_eq!(v["sequence_number"], 0);
    assert!(v["indication_time"].is_string());
    assert!(text.contains("cli-ind"), "{text}");
    // The listener removed its subscriptions on exit.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(sim.provider().subscription_count(), 0);

    // subscribe / subscriptions / unsubscribe.
    let p = json_of(cmd(&sim).args([
        "-o",
        "json",
        "subscribe",
        "--destination",
        "http://127.0.0.1:9/listener",
        "--query",
        QUERY,
        "--owner",
        "t1",
    ]));
    assert!(p.to_string().contains("CIM_IndicationSubscription"), "{p}");
    let list = json_of(cmd(&sim).args(["-o", "json", "subscriptions", "--owner", "t1"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["owned"], true);
    assert_eq!(list[0]["query"], QUERY);
    assert_eq!(list[0]["destination"], "http://127.0.0.1:9/listener");
    let other = json_of(cmd(&sim).args(["-o", "json", "subscriptions", "--owner", "t2"]));
    assert_eq!(other[0]["owned"], false);
    let o = cmd(&sim)
        .args(["unsubscribe", "--owner", "t1", "--all"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("removed 3"));
    assert_eq!(sim.provider().subscription_count(), 0);
    rt.block_on(sim.shutdown());
}
