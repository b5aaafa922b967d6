//! The `smis` command line: CIM operations, SMI-S workflows, the simulator and the demo.
//!
//! Exit codes (also in `smis --help`): 0 ok; 1 generic failure; 2 usage error; 3 CIM
//! error; 4 authentication (HTTP 401 / StorageService 51005); 5 TLS (51010); 6 connection
//! or timeout; 7 method or job failure; 8 capability not supported (40308 / 40500). See
//! [`errors`].

mod cli;
mod commands;
mod connect;
mod decode;
mod decode_input;
mod errors;
mod guard;
mod indications;
mod json;
mod mapped;
mod masking_cmd;
mod output;
mod replica_cmds;
mod sim;
mod smi;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use smis::client::{AssociatorsOptions, ReferencesOptions};

use crate::cli::{Cli, Cmd, JobCmd};
use crate::errors::{CliError, CliResult};
use crate::output::{Doc, Format};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(errors::exit::FAILURE);
        }
    };
    let verbose = cli.global.verbose;
    let bound = whole_command_bound(&cli);
    let outcome = rt.block_on(async move {
        match bound {
            // --timeout bounds the command as a whole: every request, every page of an
            // enumeration (a server that never ends one cannot keep the command running).
            Some(d) => tokio::time::timeout(d, run(cli))
                .await
                .unwrap_or(Err(CliError::Smis(smis::Error::Timeout(d)))),
            None => run(cli).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Server text reaches stderr escaped (control and bidi characters).
            eprintln!("{}", guard::term(&e.line()));
            if verbose > 0 {
                for l in e.detail() {
                    for line in l.lines() {
                        eprintln!("  {}", guard::term(line));
                    }
                }
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn init_tracing(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let level = match verbose {
        1 => "smis=info",
        2 => "smis=debug",
        _ => "smis=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SMIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn format_of(cli: &Cli) -> CliResult<Format> {
    let f = cli
        .global
        .output
        .unwrap_or(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        });
    if f == Format::Summary && !matches!(cli.cmd, Cmd::Decode { .. }) {
        return Err(CliError::Usage(
            "--output summary is only for the decode command".into(),
        ));
    }
    Ok(f)
}

/// The bound of the whole command from `--timeout`, except where `--timeout` is the wait of
/// a job (clone, create-child-pool, job) and for the local commands (decode, sim, demo).
/// A bad value is left for the command itself to report.
fn whole_command_bound(cli: &Cli) -> Option<Duration> {
    if matches!(
        cli.cmd,
        Cmd::Decode { .. }
            | Cmd::Sim { .. }
            | Cmd::Demo
            | Cmd::Clone { .. }
            | Cmd::CreateChildPool { .. }
            | Cmd::Job { .. }
    ) {
        return None;
    }
    cli.global.timeout.and_then(|t| guard::timeout(t).ok())
}

fn wait_timeout(g: &cli::Global) -> CliResult<Duration> {
    g.timeout
        .map(guard::timeout)
        .unwrap_or(Ok(Duration::from_secs(3600)))
}

async fn run(cli: Cli) -> CliResult<()> {
    let format = format_of(&cli)?;
    let g = &cli.global;
    let poll = Duration::from_millis(500);
    let doc = match &cli.cmd {
        Cmd::Decode { file } => return decode_input::run(file, format),
        Cmd::Sim {
            listen,
            scenario,
            plain_http,
        } => return sim::serve(g, listen, scenario, *plain_http).await,
        Cmd::Demo => return sim::demo(g, format).await,
        cmd @ (Cmd::Replicas { .. }
        | Cmd::Replica { .. }
        | Cmd::DeleteVolume { .. }
        | Cmd::PoolCapabilities { .. }
        | Cmd::Disks) => {
            replica_cmds::run(&connect::client(g)?, cmd, wait_timeout(g)?, poll).await?
        }
        Cmd::Listen(a) => return indications::listen(g, a, format).await,
        Cmd::Subscribe(a) => return indications::subscribe(g, a, format).await,
        Cmd::Subscriptions(a) => return indications::list(g, a, format).await,
        Cmd::Unsubscribe(a) => return indications::unsubscribe(g, a).await,
        Cmd::Class { name } => commands::class(&connect::client(g)?, name).await?,
        Cmd::Classes { class, deep, names } => {
            commands::classes(&connect::client(g)?, class.clone(), *deep, *names).await?
        }
        Cmd::Enum {
            class,
            names,
            props,
            page,
        } => commands::enumerate(&connect::client(g)?, class, *names, props.clone(), *page).await?,
        Cmd::Get { path, props } => {
            commands::get(&connect::client(g)?, path, props.clone()).await?
        }
        Cmd::Assoc {
            path,
            assoc_class,
            result_class,
            role,
            result_role,
            names,
        } => {
            let opts = {
                let mut o = AssociatorsOptions::new();
                o.assoc_class = assoc_class.clone();
                o.result_class = result_class.clone();
                o.role = role.clone();
                o.result_role = result_role.clone();
                o
            };
            commands::assoc(&connect::client(g)?, path, opts, *names).await?
        }
        Cmd::Refs {
            path,
            result_class,
            role,
            names,
        } => {
            let opts = {
                let mut o = ReferencesOptions::new();
                o.result_class = result_class.clone();
                o.role = role.clone();
                o
            };
            commands::refs(&connect::client(g)?, path, opts, *names).await?
        }
        Cmd::Invoke {
            path,
            method,
            params,
        } => commands::invoke(&connect::client(g)?, path, method, params).await?,
        Cmd::Query { lang, query } => commands::query(&connect::client(g)?, lang, query).await?,
        Cmd::Profiles => Doc::Instances {
            items: smi::profiles(&connect::client(g)?).await?,
            columns: cols(&[
                "RegisteredOrganization",
                "RegisteredName",
                "RegisteredVersion",
                "PATH",
            ]),
        },
        Cmd::Systems => Doc::Instances {
            items: smi::systems(&connect::client(g)?).await?,
            columns: cols(&["Name", "ElementName", "OperationalStatus", "PATH"]),
        },
        Cmd::Pools => Doc::Instances {
            items: smi::pools(&connect::client(g)?).await?,
            columns: cols(&[
                "InstanceID",
                "ElementName",
                "Primordial",
                "TotalManagedSpace",
                "RemainingManagedSpace",
                "PATH",
            ]),
        },
        Cmd::Volumes { pool } => Doc::Instances {
            items: smi::volumes(&connect::client(g)?, pool.as_deref()).await?,
            columns: cols(&[
                "DeviceID",
                "ElementName",
                "BlockSize",
                "NumberOfBlocks",
                "PATH",
            ]),
        },
        Cmd::Clone {
            volume,
            name,
            pool,
            kind,
            mode,
            no_wait,
        } => {
            let c = connect::client(g)?;
            Doc::Record(
                smi::clone(
                    &c,
                    smi::CloneArgs {
                        volume,
                        name,
                        pool: pool.as_deref(),
                        kind: *kind,
                        mode: *mode,
                        no_wait: *no_wait,
                        timeout: wait_timeout(g)?,
                        poll,
                    },
                )
                .await?,
            )
        }
        Cmd::CreateChildPool {
            name,
            parent,
            resource_type,
            reservation,
            limit,
            allocation_units,
            pool_id,
            no_wait,
        } => {
            let c = connect::client(g)?;
            Doc::Record(
                smi::create_child_pool(
                    &c,
                    smi::ChildPoolArgs {
                        name,
                        parents: parent,
                        resource_type: *resource_type,
                        reservation: *reservation,
                        limit: *limit,
                        allocation_units: allocation_units.as_deref(),
                        pool_id: pool_id.as_deref(),
                        no_wait: *no_wait,
                        timeout: wait_timeout(g)?,
                        poll,
                    },
                )
                .await?,
            )
        }
        cmd @ (Cmd::Initiators
        | Cmd::TargetPorts
        | Cmd::AccessGroup { .. }
        | Cmd::Mask { .. }
        | Cmd::Unmask { .. }
        | Cmd::Access { .. }) => masking_cmd::run(&connect::client(g)?, cmd).await?,
        Cmd::Job { cmd } => {
            let c = connect::client(g)?;
            match cmd {
                JobCmd::Show { job } => {
                    let p = smi::resolve_job(&c, job).await?;
                    Doc::Instance(c.get_instance(&p, &Default::default()).await?)
                }
                JobCmd::Wait { job } => {
                    let p = smi::resolve_job(&c, job).await?;
                    Doc::Instance(smi::wait_job_lib(&c, &p, wait_timeout(g)?, poll).await?)
                }
            }
        }
    };
    mapped::print(doc, format).await
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}
