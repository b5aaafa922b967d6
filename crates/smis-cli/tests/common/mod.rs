//! Helpers shared by the process tests of the `smis` binary: the binary with a clean
//! environment, a simulated provider on loopback HTTPS with commands pointed at it, and
//! checks on a command's outcome.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use smis::transport::tls::TlsOptions;
use smis_sim::{Scenario, Simulator, SimulatorConfig};

/// The simulator's user.
pub const USER: &str = "admin";
/// The simulator's password: no output, log or recording may contain it.
pub const PASSWORD: &str = "Pw-9f3c1e7a-do-not-print";

/// The `smis` binary with none of its environment variables set and no stdin.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smis"));
    for v in ["SMIS_URL", "SMIS_USER", "SMIS_PASSWORD", "SMIS_LOG"] {
        c.env_remove(v);
    }
    c.stdin(Stdio::null());
    c
}

/// The shared data directory (`SMIS_SHARED`, else beside the repository), if present.
pub fn shared_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("SMIS_SHARED") {
        return Some(PathBuf::from(d));
    }
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if rel.is_dir() {
        return Some(rel);
    }
    let abs = PathBuf::from("/work/shared");
    abs.is_dir().then_some(abs)
}

/// The OpenPegasus captures, if present.
pub fn captures() -> Option<PathBuf> {
    let d = shared_dir()?.join("captures/openpegasus");
    d.is_dir().then_some(d)
}

/// A simulated provider on loopback HTTPS, running on its own runtime until dropped.
pub struct Sim {
    sim: Option<Simulator>,
    /// The runtime the simulator runs on.
    pub rt: tokio::runtime::Runtime,
    /// Its URL (`https://127.0.0.1:PORT`).
    pub url: String,
    /// Its certificate's SHA-256 fingerprint.
    pub pin: String,
}

impl Sim {
    /// The built-in scenario `scenario`.
    pub fn start(scenario: &str) -> Sim {
        Self::with(Scenario::builtin(scenario).expect("scenario"))
    }

    /// A scenario (clone jobs capped at 300 ms).
    pub fn with(mut sc: Scenario) -> Sim {
        sc.jobs.clone_ms = sc.jobs.clone_ms.min(300);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sim = {
            let _g = rt.enter();
            Simulator::start(SimulatorConfig::new(sc).user(USER, PASSWORD)).expect("sim starts")
        };
        let url = sim.url();
        let pin = sim.cert_sha256_hex().expect("https");
        Sim {
            sim: Some(sim),
            rt,
            url,
            pin,
        }
    }

    /// A command with URL, user, password (env) and pin set.
    pub fn cmd(&self) -> Command {
        let mut c = bin();
        c.env("SMIS_URL", &self.url)
            .env("SMIS_USER", USER)
            .env("SMIS_PASSWORD", PASSWORD)
            .args(["--pin-sha256", &self.pin]);
        c
    }

    /// [`Sim::cmd`] with `args`.
    pub fn args(&self, args: &[&str]) -> Command {
        let mut c = self.cmd();
        c.args(args);
        c
    }

    /// A library client for the simulator, to check the CIM state a command left.
    pub fn client(&self) -> smis::Client {
        smis::Client::builder(&self.url)
            .tls(TlsOptions::pinned_sha256(&self.pin).unwrap())
            .credentials(smis::Credentials::new(USER, PASSWORD.to_string()))
            .build()
            .unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(s) = self.sim.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

/// Runs the command to its end.
pub fn run(mut c: Command) -> Output {
    c.output().expect("smis runs")
}

/// (stdout, stderr) as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Stdout of a command that must exit 0 and print no secret.
pub fn stdout_ok(c: Command) -> String {
    let o = run(c);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout: {out}\nstderr: {err}");
    no_secret(&out);
    no_secret(&err);
    out
}

/// Stdout, as JSON, of a command that must exit 0 and print no secret.
pub fn json_ok(c: Command) -> Value {
    let out = stdout_ok(c);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
}

/// (exit code, stdout, stderr).
pub fn exit_of(c: Command) -> (i32, String, String) {
    let o = run(c);
    let (out, err) = text(&o);
    (o.status.code().unwrap_or(-1), out, err)
}

/// Asserts that `s` holds neither the password nor the Basic credentials.
pub fn no_secret(s: &str) {
    use base64::Engine as _;
    assert!(!s.contains(PASSWORD), "password leaked: {s}");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    assert!(!s.contains(&basic), "Authorization leaked: {s}");
}
