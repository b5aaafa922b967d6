//! Value names in the CLI's output, run as a process: tables show `2 (OK)` where the
//! class's ValueMap/Values name a value, MOF adds a comment, JSON keeps numbers, and
//! `class --output mof` shows qualifiers (the simulator's classes and a class captured
//! from OpenPegasus 2.14).

mod common;

use common::{Sim, bin, captures, stdout_ok as ok};
use serde_json::Value;

#[test]
fn tables_and_mof_name_mapped_values_json_keeps_numbers() {
    let sim = Sim::start("default");
    // Registered profiles: RegisteredOrganization 11 is SNIA, 2 is DMTF.
    let out = ok(sim.args(&["-o", "table", "profiles"]));
    assert!(out.contains("11 (SNIA)"), "{out}");
    assert!(out.contains("2 (DMTF)"), "{out}");
    let v: Value = serde_json::from_str(&ok(sim.args(&["-o", "json", "profiles"]))).unwrap();
    let orgs: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["properties"]["RegisteredOrganization"]["value"])
        .collect();
    assert!(orgs.iter().all(|o| o.is_u64()), "{orgs:?}");
    assert!(orgs.iter().any(|o| o.as_u64() == Some(11)));

    // Arrays and scalars of a volume, in a table and in MOF.
    let ns = ["-n", "root/smis-sim"];
    let mut c = sim.args(&["-o", "table"]);
    c.args(ns).args([
        "enum",
        "CIM_StorageVolume",
        "--props",
        "DeviceID,OperationalStatus,Usage,BlockSize",
    ]);
    let out = ok(c);
    assert!(out.contains("{2 (OK)}"), "{out}");
    assert!(out.contains("2 (Unrestricted)"), "{out}");
    assert!(
        out.contains("512") && !out.contains("512 ("),
        "unmapped numbers stay plain: {out}"
    );
    let vols: Value = serde_json::from_str(&ok(sim.args(&["-o", "json", "volumes"]))).unwrap();
    let path = vols[0]["path"].as_str().unwrap().to_string();
    let mut c = sim.args(&["-o", "mof"]);
    c.args(ns).args(["get", &path]);
    let out = ok(c);
    assert!(
        out.contains("OperationalStatus = {2}; // {2 (OK)}"),
        "{out}"
    );
    assert!(out.contains("BlockSize = 512;\n"), "{out}");
    // The same instance in JSON: numbers only.
    let mut c = sim.args(&["-o", "json"]);
    c.args(ns).args(["get", &path]);
    let j: Value = serde_json::from_str(&ok(c)).unwrap();
    assert_eq!(j["properties"]["OperationalStatus"]["value"][0], 2);
}

#[test]
fn class_mof_shows_qualifiers() {
    let sim = Sim::start("default");
    let out = ok(sim.args(&[
        "-o",
        "mof",
        "-n",
        "interop",
        "class",
        "CIM_RegisteredProfile",
    ]));
    assert!(out.contains("[Key]\n    string InstanceID;"), "{out}");
    assert!(out.contains("ValueMap { \"1\", \"2\""), "{out}");
    assert!(out.contains("\"SNIA\""), "{out}");
    let out = ok(sim.args(&[
        "-o",
        "mof",
        "-n",
        "root/smis-sim",
        "class",
        "SIMS_ReplicationService",
    ]));
    assert!(
        out.contains("\"Method Parameters Checked - Job Started\""),
        "{out}"
    );
    assert!(out.contains("\"Clone\""), "parameter qualifiers: {out}");
}

#[test]
fn captured_openpegasus_class_in_mof() {
    let f = captures()
        .unwrap_or_default()
        .join("04_GetClass_CIM_StorageVolume.response.http");
    assert!(
        f.is_file(),
        "{} missing: put the shared directory beside the repository or set SMIS_SHARED",
        f.display()
    );
    let mut c = bin();
    c.args(["decode", "-o", "mof"]).arg(&f);
    let out = ok(c);
    assert!(
        out.contains("class CIM_StorageVolume : CIM_StorageExtent"),
        "{out}"
    );
    assert!(
        out.contains("Version (\"2.13.0\")"),
        "class qualifiers: {out}"
    );
    assert!(
        out.contains("\"Predictive Failure\""),
        "Values of OperationalStatus: {out}"
    );
    assert!(out.contains("[Key"), "{out}");
}
