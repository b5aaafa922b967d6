//! The masking commands run as a process against the simulator on loopback HTTPS, in both
//! masking forms; the CIM state afterwards is read back through the library.

mod common;

use common::{Sim, exit_of, json_ok};
use serde_json::Value;
use smis::smis::{Discovery, DiscoveryOptions};

/// The masking tests' view of the simulator: JSON commands, and the CIM state read back
/// through the library.
trait MaskingSim {
    /// The JSON output of a command that must succeed.
    fn ok(&self, args: &[&str]) -> Value;
    /// The stderr of a command that must fail.
    fn fails(&self, args: &[&str]) -> String;
    /// (group, LUN) pairs that see the volume named `name`, read through the library.
    fn seen_by(&self, name: &str) -> Vec<(String, u32)>;
}

impl MaskingSim for Sim {
    fn ok(&self, args: &[&str]) -> Value {
        let mut c = self.args(&["-o", "json"]);
        c.args(args);
        json_ok(c)
    }

    fn fails(&self, args: &[&str]) -> String {
        let mut c = self.args(&["-o", "json"]);
        c.args(args);
        let (code, _, err) = exit_of(c);
        assert_ne!(code, 0, "{args:?} should fail");
        err
    }

    fn seen_by(&self, name: &str) -> Vec<(String, u32)> {
        self.rt.block_on(async {
            let c = self.client();
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
