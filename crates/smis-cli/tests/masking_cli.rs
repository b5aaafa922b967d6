//! The masking commands run as a process against the simulator on loopback HTTPS, in both
//! masking forms; the CIM state afterwards is read back through the library.

use std::process::{Command, Stdio};

use serde_json::Value;
use smis::smis::{Discovery, DiscoveryOptions};
use smis::transport::tls::TlsOptions;
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const USER: &str = "admin";
const PASSWORD: &str = "Mask-Cli-Pw-77a1";

struct Sim {
    sim: Simulator,
    rt: tokio::runtime::Runtime,
}

impl Sim {
    fn start(name: &str) -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sim = {
            let _g = rt.enter();
            Simulator::start(
                SimulatorConfig::new(Scenario::builtin(name).unwrap()).user(USER, PASSWORD),
            )
            .expect("sim starts")
        };
        Sim { sim, rt }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_smis"));
        c.env_remove("SMIS_LOG")
            .env("SMIS_URL", self.sim.url())
            .env("SMIS_USER", USER)
            .env("SMIS_PASSWORD", PASSWORD)
            .args([
                "--pin-sha256",
                &self.sim.cert_sha256_hex().unwrap(),
                "-o",
                "json",
            ])
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn ok(&self, args: &[&str]) -> Value {
        let o = self.cmd(args).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{args:?}\n{out}\n{err}");
        assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
    }

    fn fails(&self, args: &[&str]) -> String {
        let o = self.cmd(args).output().unwrap();
        assert_ne!(o.status.code(), Some(0), "{args:?} should fail");
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// (group, LUN) pairs that see the volume named `name`, read through the library.
    fn seen_by(&self, name: &str) -> Vec<(String, u32)> {
        self.rt.block_on(async {
            let c = smis::Client::builder(self.sim.url())
                .tls(TlsOptions::pinned_sha256(&self.sim.cert_sha256_hex().unwrap()).unwrap())
                .credentials(smis::Credentials::new(USER, PASSWORD.to_string()))
                .build()
                .unwrap();
            let d = Discovery::run(&c, &DiscoveryOptions::default())
                .await
                .unwrap();
            let a = d.array_handle(&c, 0).unwrap();
            let v = a
                .volumes()
                .await
                .unwrap()
                .into_iter()
                .find(|v| v.element_name.as_deref() == Some(name))
                .unwrap();
            a.volume_access(&v.path)
                .await
                .unwrap()
                .into_iter()
                .map(|x| (x.group, x.lun))
                .collect()
        })
    }
}

/// A property of a listed row (typed JSON values carry their value under "value").
fn prop(row: &Value, name: &str) -> Value {
    let v = &row["properties"][name];
    if v.is_object() && v.get("value").is_some() {
        v["value"].clone()
    } else {
        v.clone()
    }
}

fn workflow(s: &Sim, style: &str) {
    let ports = s.ok(&["target-ports"]);
    assert_eq!(ports.as_array().unwrap().len(), 3, "{ports}");
    assert_eq!(prop(&ports[0], "WWPN"), "500A098187F93622");
    let inits = s.ok(&["initiators"]);
    assert_eq!(inits.as_array().unwrap().len(), 3, "{inits}");

    let created = s.ok(&[
        "access-group",
        "create",
        "host1",
        "--initiator",
        "21:00:00:1b:32:a1:b2:c3",
        "--style",
        style,
    ]);
    assert_eq!(created["initiators"][0], "2100001B32A1B2C3");
    let mapped = s.ok(&[
        "mask", "db01", "--group", "host1", "--lun", "7", "--style", style,
    ]);
    assert_eq!(mapped["lun"], 7);
    assert_eq!(s.seen_by("db01"), vec![("host1".to_string(), 7)]);
    let access = s.ok(&["access", "db01"]);
    assert_eq!(prop(&access[0], "Group"), "host1");
    assert_eq!(prop(&access[0], "LUN"), 7);
    let err = s.fails(&["mask", "db01", "--group", "host1", "--style", style]);
    assert!(err.contains("4101"), "{err}");
    let err = s.fails(&["access-group", "delete", "host1", "--style", style]);
    assert!(err.contains("40105"), "{err}");
    s.ok(&[
        "access-group",
        "add",
        "host1",
        "2101001B32A1B2C3",
        "--style",
        style,
    ]);
    let groups = s.ok(&["access-group", "list", "--style", style]);
    assert_eq!(
        prop(&groups[0], "Initiators"),
        "2100001B32A1B2C3,2101001B32A1B2C3"
    );
    s.ok(&[
        "access-group",
        "remove",
        "host1",
        "2101001B32A1B2C3",
        "--style",
        style,
    ]);
    let vols = s.ok(&["access-group", "volumes", "host1", "--style", style]);
    assert_eq!(prop(&vols[0], "DeviceID"), "vol-1");
    s.ok(&["unmask", "db01", "--group", "host1", "--style", style]);
    assert!(s.seen_by("db01").is_empty());
    s.ok(&["access-group", "delete", "host1", "--style", style]);
    assert!(
        s.ok(&["access-group", "list", "--style", style])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let err = s.fails(&[
        "access-group",
        "create",
        "h",
        "--initiator",
        "bogus",
        "--style",
        style,
    ]);
    assert!(err.contains("4098"), "{err}");
}

#[test]
fn masking_commands_group_style() {
    let s = Sim::start("default");
    workflow(&s, "group");
}

#[test]
fn masking_commands_spc_style() {
    let s = Sim::start("spc-masking");
    workflow(&s, "spc");
    let err = s.fails(&["mask", "db01", "--group", "x", "--style", "group"]);
    assert!(err.contains("40107"), "{err}");
}
