//! `smis sim` (the simulated provider until Ctrl-C) and `smis demo` (a guided walk
//! through discovery, clone, child pool and a failure against an in-process simulator).

use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use smis::Credentials;
use smis::cim::ObjectPath;
use smis::transport::tls::TlsOptions;
use smis_sim::{Scenario, Simulator, SimulatorConfig};

use crate::cli::{CloneType, Global};
use crate::connect;
use crate::errors::{CliError, CliResult, failed};
use crate::output::Format;
use crate::smi;

/// Loads a scenario by built-in name or from a JSON file.
pub fn scenario(name: &str) -> CliResult<Scenario> {
    match Scenario::builtin(name) {
        Ok(s) => Ok(s),
        Err(e) => {
            let p = std::path::Path::new(name);
            if p.exists() {
                Scenario::from_file(p)
                    .map_err(|e| failed(format!("cannot load scenario {name}: {e}")))
            } else {
                Err(CliError::Usage(format!(
                    "unknown scenario {name:?} (built-in: default, no-replication, async-clone-only; or a JSON file): {e}"
                )))
            }
        }
    }
}

/// `smis sim`
pub async fn serve(
    g: &Global,
    listen: &str,
    scenario_name: &str,
    plain_http: bool,
) -> CliResult<()> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|e| CliError::Usage(format!("bad --listen {listen:?}: {e}")))?;
    let user = g.user.clone().unwrap_or_else(|| "admin".into());
    let pw = connect::password(g)?.ok_or_else(|| {
        CliError::Usage(format!(
            "the simulator needs a password: set ${} or use --password-file",
            g.password_env
        ))
    })?;
    let sc = scenario(scenario_name)?;
    let mut cfg = SimulatorConfig::new(sc)
        .user(user.clone(), pw.expose_secret().to_string())
        .listen(addr);
    if plain_http {
        cfg = cfg.plain_http();
    }
    let sim =
        Simulator::start(cfg).map_err(|e| failed(format!("cannot start the simulator: {e}")))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "url: {}", sim.url())?;
        writeln!(out, "user: {user}")?;
        writeln!(out, "scenario: {scenario_name}")?;
        match sim.cert_sha256_hex() {
            Some(fp) => writeln!(out, "certificate sha256: {fp}")?,
            None => writeln!(out, "certificate sha256: - (plain HTTP)")?,
        }
        writeln!(out, "serving until Ctrl-C")?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

fn random_password() -> String {
    let mut s = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i ^ u64::from(std::process::id()));
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        s.push_str(&format!("{:016x}", h.finish()));
    }
    s
}

struct Narrator {
    to_stderr: bool,
}

impl Narrator {
    fn say(&self, line: impl AsRef<str>) {
        if self.to_stderr {
            eprintln!("{}", line.as_ref());
        } else {
            println!("{}", line.as_ref());
        }
    }
}

fn name_of(i: &smis::cim::Instance) -> String {
    ["ElementName", "Name", "DeviceID", "InstanceID"]
        .iter()
        .find_map(|p| i.get_opt::<String>(p).ok().flatten())
        .unwrap_or_default()
}

/// `smis demo`
pub async fn demo(g: &Global, format: Format) -> CliResult<()> {
    let say = Narrator {
        to_stderr: format == Format::Json,
    };
    let user = "demo";
    let pw = random_password();
    let mut sc = scenario("default")?;
    sc.jobs.clone_ms = 1500;
    let sim = Simulator::start(SimulatorConfig::new(sc).user(user, pw.clone()))
        .map_err(|e| failed(format!("cannot start the simulator: {e}")))?;
    let fp = sim
        .cert_sha256_hex()
        .ok_or_else(|| failed("the simulator has no certificate"))?;
    say.say(format!(
        "1. simulated SMI-S provider at {} (certificate SHA-256 {fp})",
        sim.url()
    ));
    let tls = TlsOptions::pinned_sha256(&fp).map_err(|e| failed(e.to_string()))?;
    let creds = Credentials::new(user, SecretString::from(pw));
    let result = demo_steps(g, &say, &sim.url(), creds, tls, &fp).await;
    sim.shutdown().await;
    let summary = result?;
    match format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&summary).unwrap_or_default()
            );
        }
        _ => {
            say.say("summary:");
            if let Some(m) = summary.as_object() {
                for (k, v) in m {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    say.say(format!("  {k}: {v}"));
                }
            }
        }
    }
    Ok(())
}

async fn demo_steps(
    g: &Global,
    say: &Narrator,
    url: &str,
    creds: Credentials,
    tls: TlsOptions,
    fp: &str,
) -> CliResult<serde_json::Value> {
    let c = connect::build(url, Some(creds.clone()), tls.clone(), g)?;
    let profiles = smi::profiles(&c).await?;
    let names: Vec<String> = profiles
        .iter()
        .filter_map(|p| {
            let n = p.get_opt::<String>("RegisteredName").ok().flatten()?;
            let v = p
                .get_opt::<String>("RegisteredVersion")
                .ok()
                .flatten()
                .unwrap_or_default();
            Some(format!("{n} {v}"))
        })
        .collect();
    say.say(format!(
        "2. connected with the pinned certificate; {} registered profiles: {}",
        profiles.len(),
        names.join(", ")
    ));
    let systems = smi::systems(&c).await?;
    let system = systems.first().ok_or_else(|| failed("no array found"))?;
    say.say(format!(
        "3. array: {} ({})",
        name_of(system),
        system
            .path
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default()
    ));
    let pools = smi::pools(&c).await?;
    let volumes = smi::volumes(&c, None).await?;
    say.say(format!(
        "   {} pools, {} volumes",
        pools.len(),
        volumes.len()
    ));
    let source = volumes
        .iter()
        .find(|v| name_of(v) == "db01")
        .or(volumes.first())
        .ok_or_else(|| failed("no volume to clone"))?;
    let source_path: ObjectPath = source
        .path
        .clone()
        .ok_or_else(|| failed("volume without path"))?;
    let sys = smi::system_of(&c, &source_path, "CIM_SystemDevice").await?;
    let array = smis::smis::SmisArray::new(c.clone(), sys);
    let (types, mode) = smi::default_clone_mode(&array, CloneType::Clone).await?;
    say.say(format!(
        "4. clone capability: SupportedReplicationTypes {types:?}, using {} mode",
        match mode {
            smis::smis::Mode::Asynchronous => "asynchronous",
            smis::smis::Mode::Synchronous => "synchronous",
        }
    ));
    say.say(format!("5. cloning volume {} ...", name_of(source)));
    let cloned = smi::clone(
        &c,
        smi::CloneArgs {
            volume: &source_path.to_string(),
            name: "db01_demo_clone",
            pool: None,
            kind: CloneType::Clone,
            mode: None,
            no_wait: false,
            timeout: Duration::from_secs(120),
            poll: Duration::from_millis(250),
        },
    )
    .await?;
    say.say(format!(
        "   clone done: {}",
        cloned["target"].as_str().unwrap_or("-")
    ));
    let parent = pools
        .iter()
        .find(|p| {
            !p.get_opt::<bool>("Primordial")
                .ok()
                .flatten()
                .unwrap_or(false)
        })
        .and_then(|p| p.path.clone())
        .ok_or_else(|| failed("no concrete pool"))?;
    let child = smi::create_child_pool(
        &c,
        smi::ChildPoolArgs {
            name: "demo_child_pool",
            parents: &[parent.to_string()],
            resource_type: None,
            reservation: Some(10 << 30),
            limit: None,
            allocation_units: Some("bytes"),
            pool_id: None,
            no_wait: false,
            timeout: Duration::from_secs(120),
            poll: Duration::from_millis(250),
        },
    )
    .await?;
    say.say(format!(
        "6. child pool created: {}",
        child["pool"].as_str().unwrap_or("-")
    ));
    let target = cloned["target"].as_str().unwrap_or_default().to_string();
    let (line, clone_lun) = crate::masking_cmd::demo_step(&c, &target).await?;
    say.say(line);
    // Failure path 1: GetInstance of a volume that does not exist.
    let mut missing = source_path.clone();
    for k in &mut missing.keys {
        if k.name == "DeviceID" {
            k.value = smis::cim::CimValue::String("no-such-volume".into());
        }
    }
    let missing_err = match c.get_instance(&missing, &Default::default()).await {
        Ok(_) => return Err(failed("the missing volume was found")),
        Err(e) => e,
    };
    let missing_code = missing_err.storage_service_code();
    say.say(format!(
        "7. failure path: GetInstance of a missing volume -> {} -> StorageService code {} ({})",
        missing_err
            .cim_status()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        missing_code.code(),
        missing_code.label()
    ));
    // Failure path 2: clone on an array without replication.
    let sim2 = Simulator::start(
        SimulatorConfig::new(scenario("no-replication")?)
            .user(creds.user(), creds.password().expose_secret()),
    )
    .map_err(|e| failed(format!("cannot start the simulator: {e}")))?;
    let fp2 = sim2.cert_sha256_hex().unwrap_or_default();
    let tls2 = TlsOptions::pinned_sha256(&fp2).map_err(|e| failed(e.to_string()))?;
    let c2 = connect::build(&sim2.url(), Some(creds.clone()), tls2, g)?;
    let r2 = async {
        let vols = smi::volumes(&c2, None).await?;
        let v = vols
            .first()
            .and_then(|v| v.path.clone())
            .ok_or_else(|| failed("no volume on the no-replication array"))?;
        smi::clone(
            &c2,
            smi::CloneArgs {
                volume: &v.to_string(),
                name: "nope",
                pool: None,
                kind: CloneType::Clone,
                mode: None,
                no_wait: false,
                timeout: Duration::from_secs(30),
                poll: Duration::from_millis(250),
            },
        )
        .await
    }
    .await;
    sim2.shutdown().await;
    let clone_fail_code = match r2 {
        Ok(_) => return Err(failed("clone on the no-replication array succeeded")),
        Err(CliError::Smis(e)) => {
            say.say(format!(
                "8. failure path: clone on the no-replication array -> {e}"
            ));
            e.storage_service_code().code()
        }
        Err(e) => return Err(e),
    };
    say.say("9. done; shutting the simulator down");
    Ok(json!({
        "certificate_sha256": fp,
        "profiles": profiles.len(),
        "array": name_of(system),
        "pools": pools.len(),
        "volumes": volumes.len(),
        "clone_source": source_path.to_string(),
        "clone_target": cloned["target"],
        "child_pool": child["pool"],
        "clone_lun": clone_lun,
        "missing_volume_storage_service_code": missing_code.code(),
        "no_replication_clone_storage_service_code": clone_fail_code,
        "result": "ok",
    }))
}
