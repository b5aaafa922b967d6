//! The replica, pool-capability and disk commands of the `smis` binary, run as processes
//! against the simulated provider on loopback HTTPS; the CIM state is checked afterwards
//! with the binary's own listing commands.

mod common;

use std::process::Command;

use common::{Sim, exit_of, json_ok};
use serde_json::Value;

fn sim_cmd(sim: &Sim, args: &[&str]) -> Command {
    let mut c = sim.cmd();
    c.args(["--output", "json"]).args(args);
    c
}

fn prop<'a>(row: &'a Value, name: &str) -> &'a Value {
    &row["properties"][name]["value"]
}

#[test]
fn replicas_listed_fractured_resynced_restored_and_deleted() {
    let sim = Sim::start("default");
    json_ok(sim_cmd(&sim, &["clone", "db01", "--name", "db01-c"]));
    json_ok(sim_cmd(
        &sim,
        &["clone", "db01", "--name", "db01-s", "--type", "snapshot"],
    ));

    let rows = json_ok(sim_cmd(&sim, &["replicas", "db01"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in rows {
        assert_eq!(prop(r, "Role"), "source");
        assert_eq!(prop(r, "State"), "Synchronized");
        assert_eq!(prop(r, "CopyType"), 4);
    }
    assert!(rows.iter().any(|r| prop(r, "Kind") == "Snapshot"));
    assert!(rows.iter().any(|r| prop(r, "Kind") == "Clone"));

    let r = json_ok(sim_cmd(&sim, &["replica", "fracture", "db01-c"]));
    assert_eq!(r["state"], "Fractured", "{r}");
    assert_eq!(r["copy_state"], 6);
    let r = json_ok(sim_cmd(&sim, &["replica", "resync", "db01-c"]));
    assert_eq!(r["state"], "Synchronized", "{r}");
    let pair = r["pair"].as_str().unwrap().to_string();
    let r = json_ok(sim_cmd(&sim, &["replica", "restore", &pair]));
    assert_eq!(r["state"], "Restored", "{r}");
    let rows = json_ok(sim_cmd(&sim, &["replicas", "db01-c"]));
    assert_eq!(prop(&rows[0], "Role"), "target");
    assert_eq!(prop(&rows[0], "CopyState"), 18);

    // Fracturing twice: the provider answers 5; exit 7 with the code on stderr.
    json_ok(sim_cmd(&sim, &["replica", "fracture", "db01-c"]));
    let (code, _, err) = exit_of(sim_cmd(&sim, &["replica", "fracture", "db01-c"]));
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("Invalid Parameter"), "{err}");

    let r = json_ok(sim_cmd(&sim, &["replica", "delete", "db01-s"]));
    assert_eq!(r["deleted"].as_array().unwrap().len(), 1);
    json_ok(sim_cmd(&sim, &["replica", "detach", "db01-c"]));
    let rows = json_ok(sim_cmd(&sim, &["replicas", "db01"]));
    assert!(rows.as_array().unwrap().is_empty(), "{rows}");
    let vols = json_ok(sim_cmd(&sim, &["volumes"]));
    let names: Vec<&str> = vols
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| prop(v, "ElementName").as_str())
        .collect();
    assert!(names.contains(&"db01-c"), "detached clone stays: {names:?}");
    assert!(!names.contains(&"db01-s"), "snapshot deleted: {names:?}");
}

#[test]
fn delete_volume_refuses_with_replicas_unless_asked() {
    let sim = Sim::start("default");
    json_ok(sim_cmd(
        &sim,
        &["clone", "logs01", "--name", "l-s", "--type", "snapshot"],
    ));
    let (code, out, err) = exit_of(sim_cmd(&sim, &["delete-volume", "logs01"]));
    assert_eq!(code, 8, "{out}{err}");
    assert!(err.contains("In Use") && err.contains("logs01"), "{err}");
    assert_eq!(
        json_ok(sim_cmd(&sim, &["replicas", "logs01"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = json_ok(sim_cmd(
        &sim,
        &["delete-volume", "logs01", "--replicas", "delete"],
    ));
    assert_eq!(r["pairs"], 1);
    assert_eq!(r["deleted"].as_array().unwrap().len(), 2, "{r}");
    let vols = json_ok(sim_cmd(&sim, &["volumes"]));
    assert!(
        vols.as_array()
            .unwrap()
            .iter()
            .all(|v| !matches!(prop(v, "ElementName").as_str(), Some("logs01" | "l-s")))
    );
}

#[test]
fn pool_capabilities_and_disks_in_table_and_json() {
    let sim = Sim::start("default");
    let rows = json_ok(sim_cmd(&sim, &["pool-capabilities"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "one per pool");
    let p2 = rows.iter().find(|r| prop(r, "Pool") == "P2").unwrap();
    assert_eq!(prop(p2, "Shrink"), true);
    assert_eq!(prop(p2, "Thin"), false);
    let p1 = json_ok(sim_cmd(&sim, &["pool-capabilities", "P1"]));
    assert_eq!(prop(&p1[0], "Thin"), true);
    assert_eq!(prop(&p1[0], "Shrink"), false);

    let disks = json_ok(sim_cmd(&sim, &["disks"]));
    let disks = disks.as_array().unwrap();
    assert_eq!(disks.len(), 8);
    assert_eq!(
        disks.iter().filter(|d| prop(d, "Medium") == "SSD").count(),
        2
    );
    assert!(disks.iter().all(|d| prop(d, "Interconnect") == "SAS"));

    let mut c = sim.cmd();
    c.args(["--output", "table", "disks"]);
    let (code, out, err) = exit_of(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Interconnect") && out.contains("SSD") && out.contains("DISK-07"),
        "{out}"
    );
}
