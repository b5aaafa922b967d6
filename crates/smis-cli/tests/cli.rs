//! The `smis` binary run as a process, against the simulated provider started in the test
//! process on loopback HTTPS, and on the OpenPegasus captures in the shared directory.

mod common;

use std::process::Stdio;

use common::{PASSWORD, Sim, USER, bin, captures, exit_of, json_ok, no_secret, run, text};
use serde_json::Value;
use smis_sim::Scenario;

// ---------- without a server ----------

#[test]
fn help_documents_commands_and_exit_codes() {
    let (c, out, _) = exit_of({
        let mut c = bin();
        c.arg("--help");
        c
    });
    assert_eq!(c, 0);
    for w in [
        "Exit codes",
        "clone",
        "create-child-pool",
        "decode",
        "demo",
        "--password-env",
    ] {
        assert!(out.contains(w), "--help lacks {w}: {out}");
    }
    assert!(!out.contains("--password "), "no password option value");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["bogus"],
        vec!["get"],
        vec!["--output", "summary", "profiles"],
        vec!["--output", "nope", "profiles"],
        vec!["--url", "https://127.0.0.1:1", "get", "not a path ="],
        vec!["--password", "x", "profiles"],
    ] {
        let mut c = bin();
        c.args(&args);
        let (code, _, err) = exit_of(c);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}

#[test]
fn connection_refused_exits_6() {
    let mut c = bin();
    c.args(["--url", "https://127.0.0.1:1", "--timeout", "5", "profiles"]);
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 6, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn decode_captures() {
    let Some(dir) = captures() else {
        panic!(
            "../shared/captures not found: put the shared directory beside the repository or set SMIS_SHARED"
        );
    };
    let dec = |file: &str, fmt: &str| {
        let mut c = bin();
        c.args(["decode", "--output", fmt]).arg(dir.join(file));
        c
    };
    // Summary: counts only.
    let (c, out, err) = exit_of(dec(
        "07_EnumerateInstances_PG_ComputerSystem.response.http",
        "summary",
    ));
    assert_eq!(c, 0, "{err}");
    assert!(out.contains("operation: EnumerateInstances"), "{out}");
    assert!(out.contains("instances: 1"), "{out}");
    // Chunked body with the status in a trailer.
    let (c, out, _) = exit_of(dec(
        "52_raw_TE_trailers_GetInstance_missing.response.http",
        "summary",
    ));
    assert_eq!(c, 0);
    assert!(out.contains("error_code: 1"), "{out}");
    let v = json_ok(dec(
        "55_raw_TE_trailers_GetClass_not_found.response.http",
        "json",
    ));
    assert_eq!(v["error"]["code"], 6);
    assert_eq!(v["error"]["name"], "CIM_ERR_NOT_FOUND");
    // A request with typed method parameters; Authorization is redacted.
    let v = json_ok(dec("21_InvokeMethod_Test1_uint32.request.http", "json"));
    assert_eq!(v["kind"], "request");
    assert_eq!(v["operation"], "Test1");
    assert_eq!(v["params"]["InParam1"]["type"], "uint32");
    assert_eq!(v["http"]["headers"]["Authorization"], "<redacted>");
    let v = json_ok(dec("21_InvokeMethod_Test1_uint32.response.http", "json"));
    assert_eq!(v["result"]["return_value"]["value"], 10);
    // Instances keep the documented shape.
    let v = json_ok(dec(
        "09_EnumerateInstances_CIM_RegisteredProfile.response.http",
        "json",
    ));
    let first = &v["result"][0];
    assert!(first["class"].is_string());
    assert!(first["path"].is_string());
    assert!(first["properties"].is_object());
    // Every capture decodes except the deliberately broken ones.
    let mut decoded = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".http") {
            continue;
        }
        let mut c = bin();
        c.args(["decode", "-o", "summary"]).arg(&p);
        let (code, _, err) = exit_of(c);
        if name.contains("not_well_formed") || name.contains("keepalive_probe.request") {
            continue;
        }
        assert_eq!(code, 0, "{name}: {err}");
        decoded += 1;
    }
    assert!(decoded > 50, "{decoded}");
    // A missing file is a generic failure.
    let mut c = bin();
    c.args(["decode", "/nonexistent/file.http"]);
    assert_eq!(exit_of(c).0, 1);
}

// ---------- against the simulator ----------

fn is_typed_value(v: &Value) -> bool {
    v.get("type").is_some_and(Value::is_string) && v.get("value").is_some()
}

#[test]
fn discovery_commands() {
    let sim = Sim::start("default");
    let mut c = sim.cmd();
    c.arg("profiles");
    let profiles = json_ok(c);
    let names: Vec<&str> = profiles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["properties"]["RegisteredName"]["value"].as_str())
        .collect();
    assert!(names.contains(&"Array"), "{names:?}");

    let mut c = sim.cmd();
    c.args(["-o", "json", "systems"]);
    let systems = json_ok(c);
    assert_eq!(systems.as_array().unwrap().len(), 1);
    assert_eq!(systems[0]["properties"]["Name"]["value"], "SIMARRAY-0001");

    let mut c = sim.cmd();
    c.arg("pools");
    let pools = json_ok(c);
    assert_eq!(pools.as_array().unwrap().len(), 3);
    let p = &pools[0]["properties"];
    assert_eq!(p["TotalManagedSpace"]["type"], "uint64");
    assert!(p["TotalManagedSpace"]["value"].is_u64());
    assert_eq!(p["Primordial"]["type"], "boolean");

    let mut c = sim.cmd();
    c.arg("volumes");
    let vols = json_ok(c);
    assert_eq!(vols.as_array().unwrap().len(), 3);
    let v0 = &vols[0];
    assert!(v0["path"].as_str().unwrap().contains("DeviceID"));
    for (_, v) in v0["properties"].as_object().unwrap() {
        assert!(is_typed_value(v), "{v}");
    }
    let os = &v0["properties"]["OperationalStatus"];
    assert_eq!(os["array"], true);
    assert!(os["value"].is_array());

    let mut c = sim.cmd();
    c.args(["volumes", "--pool", "P2"]);
    let vols = json_ok(c);
    assert_eq!(vols.as_array().unwrap().len(), 1);
    assert_eq!(vols[0]["properties"]["ElementName"]["value"], "small01");

    // Table output: aligned columns with the full path last.
    let mut c = sim.cmd();
    c.args(["-o", "table", "volumes"]);
    let (code, out, _) = exit_of(c);
    assert_eq!(code, 0);
    assert!(out.lines().next().unwrap().starts_with("DeviceID"));
    assert!(out.contains(v0["path"].as_str().unwrap()), "{out}");
}

#[test]
fn generic_commands() {
    let sim = Sim::start("default");
    let ns = ["-n", "root/smis-sim"];

    let mut c = sim.cmd();
    c.args(ns).args(["class", "SIMS_ReplicationService"]);
    let cls = json_ok(c);
    assert_eq!(cls["class"], "SIMS_ReplicationService");
    let m = &cls["methods"]["CreateElementReplica"];
    assert_eq!(m["return_type"], "uint32");
    assert!(
        m["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "SyncType")
    );

    let mut c = sim.cmd();
    c.args(ns)
        .args(["-o", "mof", "class", "SIMS_StorageVolume"]);
    let (code, out, _) = exit_of(c);
    assert_eq!(code, 0);
    assert!(out.starts_with("class SIMS_StorageVolume"), "{out}");

    let mut c = sim.cmd();
    c.args(ns).args(["classes", "--names", "--deep"]);
    let names = json_ok(c);
    assert!(
        names
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["class"] == "SIMS_StorageVolume")
    );

    let mut c = sim.cmd();
    c.args(ns).args(["classes", "--class", "CIM_StorageExtent"]);
    let classes = json_ok(c);
    assert!(!classes.as_array().unwrap().is_empty());

    let mut c = sim.cmd();
    c.args(ns)
        .args(["enum", "CIM_StorageVolume", "--names", "--page", "1"]);
    let paths = json_ok(c);
    assert_eq!(paths.as_array().unwrap().len(), 3);
    let vol = paths[0]["path"].as_str().unwrap().to_string();

    let mut c = sim.cmd();
    c.args(ns).args([
        "enum",
        "CIM_StorageVolume",
        "--props",
        "DeviceID,ElementName",
    ]);
    let inst = json_ok(c);
    let props: Vec<&String> = inst[0]["properties"].as_object().unwrap().keys().collect();
    assert_eq!(props, ["DeviceID", "ElementName"]);

    let mut c = sim.cmd();
    c.args(["get", &vol]);
    let one = json_ok(c);
    assert_eq!(
        one["path"].as_str().map(|p| p.contains("DeviceID")),
        Some(true)
    );
    assert_eq!(one["properties"]["BlockSize"]["type"], "uint64");

    let mut c = sim.cmd();
    c.args(["-o", "mof", "get", &vol]);
    let (code, out, _) = exit_of(c);
    assert_eq!(code, 0);
    assert!(out.contains("instance of SIMS_StorageVolume {"), "{out}");
    assert!(out.contains("ElementName = \""), "{out}");

    let mut c = sim.cmd();
    c.args([
        "assoc",
        &vol,
        "--assoc-class",
        "CIM_AllocatedFromStoragePool",
        "--result-class",
        "CIM_StoragePool",
    ]);
    let pools = json_ok(c);
    assert_eq!(pools.as_array().unwrap().len(), 1);
    assert!(pools[0]["class"].as_str().unwrap().ends_with("StoragePool"));

    let mut c = sim.cmd();
    c.args([
        "assoc",
        &vol,
        "--result-class",
        "CIM_ComputerSystem",
        "--names",
    ]);
    let sys = json_ok(c);
    assert!(sys[0]["path"].as_str().unwrap().contains("SIMARRAY-0001"));

    let mut c = sim.cmd();
    c.args(["refs", &vol, "--result-class", "CIM_SystemDevice"]);
    let refs = json_ok(c);
    assert_eq!(refs[0]["properties"]["PartComponent"]["type"], "reference");

    let mut c = sim.cmd();
    c.args(["refs", &vol, "--names"]);
    assert!(!json_ok(c).as_array().unwrap().is_empty());

    let mut c = sim.cmd();
    c.args(ns).args(["query", "SELECT * FROM CIM_StoragePool"]);
    let q = json_ok(c);
    assert!(!q.as_array().unwrap().is_empty());

    // invoke, typed from the class: a snapshot (synchronous, job), then a bad SyncType.
    let mut c = sim.cmd();
    c.args(ns)
        .args(["enum", "CIM_ReplicationService", "--names"]);
    let svc = json_ok(c)[0]["path"].as_str().unwrap().to_string();
    let mut c = sim.cmd();
    c.args([
        "invoke",
        &svc,
        "CreateElementReplica",
        "ElementName=inv1",
        "SyncType=7",
        "Mode=3",
    ])
    .arg(format!("SourceElement={vol}"));
    let r = json_ok(c);
    assert_eq!(r["return_value"]["type"], "uint32");
    let rv = r["return_value"]["value"].as_u64().unwrap();
    assert!(rv == 0 || rv == 4096, "{r}");
    if rv == 4096 {
        assert_eq!(r["out"]["Job"]["type"], "reference");
        let job = r["out"]["Job"]["value"].as_str().unwrap().to_string();
        let mut c = sim.cmd();
        c.args(["--timeout", "30", "job", "wait", &job]);
        let j = json_ok(c);
        assert_eq!(j["properties"]["JobState"]["value"], 7);
        let mut c = sim.cmd();
        c.args(["job", "show", &job]);
        assert_eq!(json_ok(c)["class"], "SIMS_ConcreteJob");
    }
    let mut c = sim.cmd();
    c.args(["invoke", &svc, "CreateElementReplica", "SyncType=99"])
        .arg(format!("SourceElement={vol}"));
    let r = json_ok(c);
    assert_eq!(r["return_value"]["value"], 5);
    // A parameter that is not NAME=VALUE is a usage error.
    let mut c = sim.cmd();
    c.args(["invoke", &svc, "CreateElementReplica", "oops"]);
    assert_eq!(exit_of(c).0, 2);
}

#[test]
fn cim_error_exit_3_with_storage_service_code() {
    let sim = Sim::start("default");
    let missing = "/root/smis-sim:SIMS_StorageVolume.SystemCreationClassName=\"SIMS_ComputerSystem\",SystemName=\"SIMARRAY-0001\",CreationClassName=\"SIMS_StorageVolume\",DeviceID=\"nope\"";
    let mut c = sim.cmd();
    c.args(["get", missing]);
    let (code, out, err) = exit_of(c);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("CIM status CIM_ERR_NOT_FOUND (6)"), "{err}");
    assert!(err.contains("StorageService 43006"), "{err}");
    // -v adds detail lines.
    let mut c = sim.cmd();
    c.args(["-v", "get", missing]);
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 3);
    assert!(err.lines().count() > 1, "{err}");
    no_secret(&err);
    // An unknown class.
    let mut c = sim.cmd();
    c.args(["-n", "root/smis-sim", "class", "NoSuchClass"]);
    assert_eq!(exit_of(c).0, 3);
}

#[test]
fn bad_password_exits_4_and_untrusted_cert_exits_5() {
    let sim = Sim::start("default");
    let mut c = sim.cmd();
    c.env("SMIS_PASSWORD", "wrong").arg("profiles");
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("51005"), "{err}");

    // No pin: the self-signed certificate is not trusted.
    let mut c = bin();
    c.env("SMIS_URL", &sim.url)
        .env("SMIS_USER", USER)
        .env("SMIS_PASSWORD", PASSWORD)
        .arg("profiles");
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("51010"), "{err}");
    no_secret(&err);

    // A wrong pin as well.
    let wrong_pin = format!("{}AB", "AB:".repeat(31));
    let mut c = bin();
    c.env("SMIS_URL", &sim.url)
        .env("SMIS_USER", USER)
        .env("SMIS_PASSWORD", PASSWORD)
        .args(["--pin-sha256", &wrong_pin, "profiles"]);
    assert_eq!(self::exit_of(c).0, 5);

    // A user with no password anywhere (stdin is not a terminal): usage error.
    let mut c = bin();
    c.env("SMIS_URL", &sim.url).env("SMIS_USER", USER).args([
        "--pin-sha256",
        &sim.pin,
        "--password-env",
        "SMIS_TEST_UNSET_VAR",
        "profiles",
    ]);
    assert_eq!(self::exit_of(c).0, 2);

    // --password-file works.
    let dir = std::env::temp_dir().join(format!("smis-cli-pw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("pw");
    std::fs::write(&f, format!("{PASSWORD}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Readable by others: refused (exit 4, credentials).
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = bin();
        c.env("SMIS_URL", &sim.url)
            .env("SMIS_USER", USER)
            .args(["--pin-sha256", &sim.pin, "--password-file"])
            .arg(&f)
            .arg("systems");
        let (code, out, err) = exit_of(c);
        assert_eq!(code, 4, "{err}");
        assert!(err.contains("chmod 600"), "{err}");
        no_secret(&out);
        no_secret(&err);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut c = bin();
    c.env("SMIS_URL", &sim.url)
        .env("SMIS_USER", USER)
        .args(["--pin-sha256", &sim.pin, "--password-file"])
        .arg(&f)
        .arg("systems");
    let v = json_ok(c);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clone_child_pool_and_jobs() {
    let sim = Sim::start("default");
    let mut c = sim.cmd();
    c.args(["clone", "db01", "--name", "db01_clone"]);
    let r = json_ok(c);
    assert_eq!(r["method"], "CreateElementReplica");
    assert!(r["target"].as_str().is_some(), "{r}");
    if r["return_value"] == 4096 {
        assert_eq!(r["job_state"], 7);
    }
    // The new volume is listed.
    let mut c = sim.cmd();
    c.arg("volumes");
    let vols = json_ok(c);
    assert!(
        vols.as_array()
            .unwrap()
            .iter()
            .any(|v| v["properties"]["ElementName"]["value"] == "db01_clone")
    );

    // Snapshot without waiting, then job wait.
    let mut c = sim.cmd();
    c.args([
        "clone",
        "logs01",
        "--name",
        "snap1",
        "--type",
        "snapshot",
        "--no-wait",
        "--pool",
        "P1",
    ]);
    let r = json_ok(c);
    if let Some(job) = r["job"].as_str() {
        let mut c = sim.cmd();
        c.args(["--timeout", "30", "job", "wait", job]);
        assert_eq!(json_ok(c)["properties"]["JobState"]["value"], 7);
    }

    let mut c = sim.cmd();
    c.args([
        "create-child-pool",
        "--name",
        "child1",
        "--parent",
        "P1",
        "--reservation",
        "1073741824",
    ]);
    let r = json_ok(c);
    assert!(
        r["pool"]
            .as_str()
            .is_some_and(|p| p.contains("StoragePool")),
        "{r}"
    );
    let mut c = sim.cmd();
    c.arg("pools");
    assert_eq!(json_ok(c).as_array().unwrap().len(), 4);

    // Too big: the method fails (exit 7).
    let mut c = sim.cmd();
    c.args([
        "create-child-pool",
        "--name",
        "huge",
        "--parent",
        "P2",
        "--reservation",
        "99999999999999",
    ]);
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 7, "{err}");

    // Missing size: usage.
    let mut c = sim.cmd();
    c.args(["create-child-pool", "--name", "x", "--parent", "P1"]);
    assert_eq!(self::exit_of(c).0, 2);
}

#[test]
fn clone_without_replication_exits_8_with_40308() {
    let sim = Sim::start("no-replication");
    let mut c = sim.cmd();
    c.args(["clone", "db01", "--name", "c"]);
    let (code, out, err) = exit_of(c);
    assert_eq!(code, 8, "{out}{err}");
    assert!(err.contains("40308"), "{err}");
}

#[test]
fn unsupported_mode_exits_8_with_40500() {
    let sim = Sim::start("async-clone-only");
    let mut c = sim.cmd();
    c.args(["clone", "db01", "--name", "c", "--mode", "sync"]);
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("40500"), "{err}");
}

#[test]
fn password_never_printed_nor_recorded() {
    let sim = Sim::start("default");
    let dir = std::env::temp_dir().join(format!("smis-cli-rec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let missing = "/root/smis-sim:SIMS_StorageVolume.SystemCreationClassName=\"SIMS_ComputerSystem\",SystemName=\"SIMARRAY-0001\",CreationClassName=\"SIMS_StorageVolume\",DeviceID=\"nope\"";
    let runs: Vec<Vec<&str>> = vec![
        vec!["-vv", "profiles"],
        vec!["-vvv", "get", missing],
        vec!["-vv", "clone", "db01", "--name", "rec_clone"],
    ];
    for (n, args) in runs.into_iter().enumerate() {
        let mut c = sim.cmd();
        c.arg("--record").arg(dir.join(n.to_string())).args(&args);
        let o = run(c);
        let (out, err) = text(&o);
        no_secret(&out);
        no_secret(&err);
    }
    // Wrong password with -vv: the tried password must not show either.
    let mut c = sim.cmd();
    c.env("SMIS_PASSWORD", "Wr0ng-Secret-xyz")
        .args(["-vv", "--record"])
        .arg(dir.join("wrong"))
        .arg("systems");
    let o = run(c);
    assert_eq!(o.status.code(), Some(4));
    let (out, err) = text(&o);
    assert!(
        !out.contains("Wr0ng-Secret-xyz") && !err.contains("Wr0ng-Secret-xyz"),
        "{err}"
    );

    let mut files = 0;
    for sub in std::fs::read_dir(&dir).unwrap() {
        for e in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let p = e.unwrap().path();
            let body = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            no_secret(&body);
            assert!(!body.contains("Wr0ng-Secret-xyz"), "{}", p.display());
            files += 1;
        }
    }
    assert!(files >= 6, "{files} recorded files");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_exits_0_with_summary() {
    let mut c = bin();
    c.args(["demo", "-o", "table"]);
    let (code, out, err) = exit_of(c);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("summary:"), "{out}");
    assert!(out.contains("40308"), "{out}");
    assert!(out.contains("43006"), "{out}");

    let mut c = bin();
    c.arg("demo");
    let v = json_ok(c);
    assert_eq!(v["result"], "ok");
    assert_eq!(v["no_replication_clone_storage_service_code"], 40308);
    assert_eq!(v["missing_volume_storage_service_code"], 43006);
    assert!(v["clone_target"].is_string());
    assert!(v["child_pool"].is_string());
    assert!(v["clone_lun"].is_u64(), "the demo maps its clone: {v}");
}

#[test]
fn sim_command_serves_until_killed() {
    use std::io::{BufRead, BufReader};
    let mut c = bin();
    c.env("SMIS_PASSWORD", PASSWORD)
        .args(["sim", "--listen", "127.0.0.1:0", "--user", USER])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut pin = None;
    for _ in 0..5 {
        let Some(Ok(l)) = lines.next() else { break };
        if let Some(u) = l.strip_prefix("url: ") {
            url = Some(u.to_string());
        }
        if let Some(p) = l.strip_prefix("certificate sha256: ") {
            pin = Some(p.to_string());
        }
    }
    let (url, pin) = (url.expect("url"), pin.expect("fingerprint"));
    assert!(!url.ends_with(":0"), "{url}");
    let mut c = bin();
    c.env("SMIS_URL", &url)
        .env("SMIS_USER", USER)
        .env("SMIS_PASSWORD", PASSWORD)
        .args(["--pin-sha256", &pin, "systems"]);
    let v = json_ok(c);
    assert_eq!(v.as_array().unwrap().len(), 1);
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn failed_job_exits_7_and_errors_are_embedded_instances() {
    let sc = Scenario::builtin("default").unwrap();
    let mut v = serde_json::to_value(&sc).unwrap();
    v["faults"] = serde_json::json!([
        { "match": { "method": "CreateElementReplica" }, "action": "job_exception" }
    ]);
    let sc = Scenario::from_json_str(&v.to_string()).expect("scenario with a job fault");
    let sim = Sim::with(sc);

    // Waiting inside clone: the job fails → exit 7, one line with a StorageService code.
    let mut c = sim.cmd();
    c.args(["clone", "db01", "--name", "doomed"]);
    let (code, _, err) = exit_of(c);
    assert_eq!(code, 7, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("StorageService"), "{err}");

    // The same through --no-wait and job wait.
    let mut c = sim.cmd();
    c.args(["clone", "db01", "--name", "doomed2", "--no-wait"]);
    let r = json_ok(c);
    let job = r["job"].as_str().expect("a job").to_string();
    // Let it end (job show), without the waiter's clean-up.
    for _ in 0..100 {
        let mut c = sim.cmd();
        c.args(["job", "show", &job]);
        let j = json_ok(c);
        if j["properties"]["JobState"]["value"].as_u64().unwrap_or(0) >= 7 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // GetErrors: CIM_Error instances as embedded instances in the JSON shape.
    let mut c = sim.cmd();
    c.args(["invoke", &job, "GetErrors"]);
    let r = json_ok(c);
    let errors = &r["out"]["Errors"];
    assert_eq!(errors["embedded"], "instance", "{r}");
    assert_eq!(errors["array"], true, "{r}");
    let first = &errors["value"][0];
    assert!(first["class"].as_str().unwrap().ends_with("Error"), "{r}");
    assert!(
        first["properties"]["CIMStatusCode"]["value"].is_u64(),
        "{r}"
    );
}
