//! Replica, pool capability and disk commands: `replicas`, `replica
//! restore|resync|fracture|detach|delete`, `delete-volume`, `pool-capabilities`, `disks`.
//!
//! Lists are printed like `volumes`: rows are instances of a synthetic class
//! (`SMIS_Replica`, `SMIS_PoolCapabilities`, `SMIS_DiskDrive`) whose properties are the
//! typed views of the SMI-S layer, so `--output json` gives the documented instance shape.
//! `replica OP` and `delete-volume` print a record:
//! `{"operation", "pair", "state", "copy_state", "sync_state", "deleted": [URI]}`.

use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use smis::cim::{CimType, Instance, ObjectPath, Property};
use smis::smis::{
    DeleteVolumeOptions, Replica, ReplicaOperation, ReplicaPolicy, SmisArray, WaitOptions,
};
use smis::{CimStatus, Client};

use crate::cli::Cmd;
use crate::errors::{CliError, CliResult};
use crate::output::Doc;
use crate::smi::{resolve_pool, resolve_volume, system_of};

/// `replica` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReplicaCmd {
    /// Copy the replica back onto its source (ModifyReplicaSynchronization 15).
    Restore {
        /// The pair (CIM_StorageSynchronized path), or the replica volume (path, DeviceID
        /// or name) when it is the target of exactly one pair.
        pair: String,
    },
    /// Bring the replica up to date again (14 Resync Replica).
    Resync {
        /// The pair or the replica volume.
        pair: String,
    },
    /// Stop the replica following its source (12 Fracture).
    Fracture {
        /// The pair or the replica volume.
        pair: String,
    },
    /// Forget the pair; both volumes stay (8 Detach).
    Detach {
        /// The pair or the replica volume.
        pair: String,
    },
    /// Delete the replica volume and its pair (snapshots: 19 Return To ResourcePool;
    /// others: Detach, then ReturnToStoragePool).
    Delete {
        /// The pair or the replica volume.
        pair: String,
    },
}

/// What `delete-volume` does with replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplicasArg {
    /// Refuse while the volume is in a pair (StorageService 6 In Use, exit 8).
    Refuse,
    /// Detach every pair first; the replicas stay.
    Detach,
    /// Delete the volume's replicas first (pairs it is the target of are detached).
    Delete,
}

fn wait(timeout: Duration, poll: Duration) -> WaitOptions {
    WaitOptions {
        poll_interval: poll,
        deadline: timeout,
        ..WaitOptions::default()
    }
}

async fn array_of(c: &Client, volume: &ObjectPath) -> CliResult<SmisArray> {
    let sys = system_of(c, volume, "CIM_SystemDevice").await?;
    Ok(SmisArray::new(c.clone(), sys))
}

fn u16_opt(i: &mut Instance, name: &str, v: Option<u16>) {
    match v {
        Some(v) => i.set(name, v),
        None => i.set_property(Property::null(name, CimType::Uint16, false)),
    };
}

fn replica_row(r: &Replica, volume: &ObjectPath) -> Instance {
    let role = if r.is_source(volume) {
        "source"
    } else {
        "target"
    };
    let mut i = Instance::new("SMIS_Replica")
        .with("Role", role)
        .with("Kind", format!("{:?}", r.kind()))
        .with("State", format!("{:?}", r.state()))
        .with("Source", r.source.to_string())
        .with("Target", r.target.to_string());
    u16_opt(&mut i, "SyncType", r.sync_type);
    u16_opt(&mut i, "Mode", r.mode);
    u16_opt(&mut i, "CopyState", r.copy_state);
    u16_opt(&mut i, "SyncState", r.sync_state);
    u16_opt(&mut i, "ProgressStatus", r.progress_status);
    u16_opt(&mut i, "PercentSynced", r.percent_synced);
    u16_opt(&mut i, "CopyType", r.copy_type);
    i.path = Some(r.path.clone());
    i
}

/// The pair named by `arg`: a CIM_StorageSynchronized path, or a volume that is the target
/// of exactly one pair (or in exactly one pair).
async fn resolve_pair(c: &Client, arg: &str) -> CliResult<(SmisArray, Replica)> {
    if arg.contains("Synchronized") && arg.contains('=') {
        let path = crate::commands::parse_path(arg)?;
        let ns = path
            .namespace
            .clone()
            .unwrap_or_else(|| c.default_namespace().to_string());
        let mut i = c.get_instance(&path, &Default::default()).await?;
        i.path = Some(i.path.take().unwrap_or(path).in_namespace(&ns));
        let mut r = Replica::try_from(&i)?;
        r.source = r.source.in_namespace(&ns);
        r.target = r.target.in_namespace(&ns);
        let array = array_of(c, &r.source).await?;
        return Ok((array, r));
    }
    let vol = resolve_volume(c, arg).await?;
    let array = array_of(c, &vol).await?;
    let v = array.volume(&vol).await?;
    let pairs = array.replicas(&v).await?;
    let as_target: Vec<&Replica> = pairs.iter().filter(|r| r.is_target(&vol)).collect();
    let chosen = match (as_target.as_slice(), pairs.as_slice()) {
        ([one], _) => (*one).clone(),
        ([], [one]) => one.clone(),
        (_, []) => {
            return Err(CliError::Usage(format!(
                "volume {arg:?} is in no replication pair"
            )));
        }
        _ => {
            return Err(CliError::Usage(format!(
                "volume {arg:?} is in {} replication pairs; give the pair's path (see `smis replicas`)",
                pairs.len()
            )));
        }
    };
    Ok((array, chosen))
}

fn record(op: &str, pair: &Replica, after: Option<&Replica>, deleted: &[ObjectPath]) -> Doc {
    Doc::Record(json!({
        "operation": op,
        "pair": pair.path.to_string(),
        "state": after.map(|r| format!("{:?}", r.state())),
        "copy_state": after.and_then(|r| r.copy_state),
        "sync_state": after.and_then(|r| r.sync_state),
        "deleted": deleted.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    }))
}

/// Runs one of this module's commands.
pub async fn run(c: &Client, cmd: &Cmd, timeout: Duration, poll: Duration) -> CliResult<Doc> {
    let w = wait(timeout, poll);
    match cmd {
        Cmd::Replicas { volume } => {
            let vol = resolve_volume(c, volume).await?;
            let array = array_of(c, &vol).await?;
            let v = array.volume(&vol).await?;
            let rows = array
                .replicas(&v)
                .await?
                .iter()
                .map(|r| replica_row(r, &vol))
                .collect();
            Ok(Doc::Instances {
                items: rows,
                columns: [
                    "Role",
                    "Kind",
                    "State",
                    "CopyState",
                    "SyncState",
                    "CopyType",
                    "PercentSynced",
                    "Target",
                    "PATH",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            })
        }
        Cmd::Replica { cmd } => {
            let (name, op, arg) = match cmd {
                ReplicaCmd::Restore { pair } => ("restore", Some(ReplicaOperation::Restore), pair),
                ReplicaCmd::Resync { pair } => ("resync", Some(ReplicaOperation::Resync), pair),
                ReplicaCmd::Fracture { pair } => {
                    ("fracture", Some(ReplicaOperation::Fracture), pair)
                }
                ReplicaCmd::Detach { pair } => ("detach", Some(ReplicaOperation::Detach), pair),
                ReplicaCmd::Delete { pair } => ("delete", None, pair),
            };
            let (array, r) = resolve_pair(c, arg).await?;
            match op {
                Some(op) => {
                    let after = array.modify_replica(&r, op, &w).await?;
                    Ok(record(name, &r, after.as_ref(), &[]))
                }
                None => {
                    array.delete_replica(&r, &w).await?;
                    Ok(record(name, &r, None, std::slice::from_ref(&r.target)))
                }
            }
        }
        Cmd::DeleteVolume { volume, replicas } => {
            let vol = resolve_volume(c, volume).await?;
            let array = array_of(c, &vol).await?;
            let v = array.volume(&vol).await?;
            let before = array.replicas(&v).await?;
            let policy = match replicas {
                ReplicasArg::Refuse => ReplicaPolicy::Refuse,
                ReplicasArg::Detach => ReplicaPolicy::Detach,
                ReplicasArg::Delete => ReplicaPolicy::Delete,
            };
            array
                .delete_volume_with(
                    &v,
                    &DeleteVolumeOptions {
                        replicas: policy,
                        wait: w,
                    },
                )
                .await?;
            let mut deleted = vec![vol.clone()];
            for r in &before {
                if r.is_source(&vol)
                    && array
                        .volume(&r.target)
                        .await
                        .is_err_and(|e| e.cim_status() == Some(CimStatus::NotFound))
                {
                    deleted.push(r.target.clone());
                }
            }
            Ok(Doc::Record(json!({
                "operation": "delete-volume",
                "volume": vol.to_string(),
                "pairs": before.len(),
                "deleted": deleted.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            })))
        }
        Cmd::PoolCapabilities { pool } => {
            let pools = match pool {
                Some(p) => vec![resolve_pool(c, p).await?],
                None => crate::smi::pools(c)
                    .await?
                    .into_iter()
                    .filter_map(|i| i.path)
                    .collect(),
            };
            let mut rows = Vec::new();
            for p in pools {
                let sys = system_of(c, &p, "CIM_HostedStoragePool").await?;
                let array = SmisArray::new(c.clone(), sys);
                let pool = array.pool(&p).await?;
                let Some(caps) = array.pool_capabilities(&pool).await? else {
                    continue;
                };
                let mut i = Instance::new("SMIS_PoolCapabilities")
                    .with(
                        "Pool",
                        pool.pool_id.clone().unwrap_or(pool.instance_id.clone()),
                    )
                    .with("Thick", caps.thick())
                    .with("Thin", caps.thin())
                    .with("CreateVolumes", caps.can_create_volumes())
                    .with("Expand", caps.can_expand())
                    .with("Shrink", caps.can_shrink())
                    .with("SupportedStorageElementTypes", caps.element_types.clone())
                    .with(
                        "SupportedStorageElementFeatures",
                        caps.element_features.clone(),
                    );
                i.path = Some(caps.path.clone());
                rows.push(i);
            }
            Ok(Doc::Instances {
                items: rows,
                columns: cols(&[
                    "Pool",
                    "Thick",
                    "Thin",
                    "CreateVolumes",
                    "Expand",
                    "Shrink",
                    "PATH",
                ]),
            })
        }
        Cmd::Disks => {
            let mut rows = Vec::new();
            for s in crate::smi::systems(c).await? {
                let Some(sys) = s.path else { continue };
                let array = SmisArray::new(c.clone(), sys);
                for d in array.disks().await? {
                    let mut i = Instance::new("SMIS_DiskDrive")
                        .with("DeviceID", d.device_id.as_str())
                        .with("Interconnect", d.interconnect().unwrap_or(""))
                        .with("Medium", d.medium().unwrap_or(""))
                        .with("OperationalStatus", d.operational_status.clone());
                    u16_opt(&mut i, "InterconnectType", d.interconnect_type);
                    u16_opt(&mut i, "DiskType", d.disk_type);
                    match d.size_bytes {
                        Some(b) => i.set("SizeBytes", b),
                        None => i.set_property(Property::null("SizeBytes", CimType::Uint64, false)),
                    };
                    i.path = Some(d.path.clone());
                    rows.push(i);
                }
            }
            Ok(Doc::Instances {
                items: rows,
                columns: cols(&["DeviceID", "Interconnect", "Medium", "SizeBytes", "PATH"]),
            })
        }
        _ => Err(CliError::Usage(
            "not a replica, pool or disk command".into(),
        )),
    }
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}
