//! The programs in `examples/` run against the simulated provider over loopback HTTPS, as a
//! user would run them: URL, user and pinned fingerprint from the environment, the password
//! from `SMIS_PASSWORD` (never argv). Each must exit 0 and print what it promises.

use std::path::PathBuf;
use std::process::Command;

use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "examples-Pw-5150";

/// The example's binary, built by `cargo test` (or built here when only this test was
/// compiled, or the binary is older than its source).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target directory")
        .join("examples");
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if !bin.is_file() || modified(&src) > modified(&bin) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "smis", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example {name}");
    }
    bin
}

fn run(sim: &Simulator, name: &str, args: &[&str]) -> String {
    let out = Command::new(example(name))
        .args(args)
        .env("SMIS_URL", sim.url())
        .env("SMIS_USER", "admin")
        .env("SMIS_PASSWORD", PASSWORD)
        .env("SMIS_PIN_SHA256", sim.cert_sha256_hex().expect("https"))
        .env("SMIS_NAMESPACE", "root/smis-sim")
        .env_remove("SMIS_CA_FILE")
        .output()
        .expect("example runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{name} failed ({:?})\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn examples_run_against_the_simulator() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = 300;
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).unwrap();
    let s = &sim;
    let out = tokio::task::block_in_place(|| run(s, "discover", &[]));
    assert!(out.contains("profile: Array"), "{out}");
    assert!(out.contains("array 0: SIMARRAY-0001"), "{out}");
    assert!(out.contains("volume vol-1:"), "{out}");
    assert!(out.contains("pool "), "{out}");

    let out = tokio::task::block_in_place(|| run(s, "clone_volume", &["vol-1", "ex-clone"]));
    assert!(out.contains("job: "), "progress was reported: {out}");
    assert!(out.contains("clone "), "{out}");
    // The clone is there afterwards, as the provider sees it.
    let out = tokio::task::block_in_place(|| run(s, "discover", &[]));
    assert!(out.contains("(ex-clone)"), "{out}");

    let out =
        tokio::task::block_in_place(|| run(s, "stream_enumeration", &["CIM_StorageVolume", "1"]));
    assert!(out.contains("4 instances of CIM_StorageVolume"), "{out}");

    let out = tokio::task::block_in_place(|| {
        run(
            s,
            "map_volume",
            &["vol-2", "host-ex", "21:00:00:1b:32:a1:b2:c3", "7"],
        )
    });
    assert!(out.contains("as LUN 7"), "{out}");
    assert!(out.contains("seen by host-ex as LUN 7"), "{out}");
    assert!(out.contains("unmapped and removed host-ex"), "{out}");

    let out = tokio::task::block_in_place(|| run(s, "replay_fixtures", &[]));
    assert!(out.contains("replayed") && out.contains("array: "), "{out}");
    sim.shutdown().await;
}

#[test]
fn replay_example_fails_on_a_missing_recording() {
    let out = Command::new(example("replay_fixtures"))
        .arg("/nonexistent/fixture-dir")
        .output()
        .expect("example runs");
    assert!(!out.status.success());
}
