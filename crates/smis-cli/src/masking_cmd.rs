//! Masking commands: `initiators`, `target-ports`, `access-group list|create|delete|add|
//! remove|volumes`, `mask`, `unmask`, `access`, on the SMI-S layer's masking workflows
//! (SNIA Group Masking and Mapping, or ExposePaths/HidePaths where that is all the array
//! offers). Lists print as tables or JSON like the other listing commands.

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use smis::Client;
use smis::cim::{Instance, ObjectPath};
use smis::smis::{Discovery, DiscoveryOptions, Masking, MaskingStyle, SmisArray, StorageVolume};

use crate::cli::Cmd;
use crate::errors::{CliResult, failed};
use crate::output::Doc;
use crate::smi;

/// Masking form to use (default: group masking where offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// SNIA Group Masking and Mapping (CreateGroup / CreateMaskingView).
    Group,
    /// SMI-S 1.4 ExposePaths / HidePaths.
    Spc,
}

/// `access-group` subcommands.
#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// List the access groups and their initiators.
    List,
    /// Create an access group with initiators (port WWNs or iSCSI names).
    Create {
        /// Group name.
        name: String,
        /// Initiator (repeat for several).
        #[arg(long = "initiator", required = true, num_args = 1..)]
        initiators: Vec<String>,
    },
    /// Delete an access group that maps no volume.
    Delete {
        /// Group name.
        name: String,
    },
    /// Add an initiator to a group (registering it when needed).
    Add {
        /// Group name.
        name: String,
        /// Initiator.
        initiator: String,
    },
    /// Remove an initiator from a group.
    Remove {
        /// Group name.
        name: String,
        /// Initiator.
        initiator: String,
    },
    /// The volumes a group sees, with their LUNs.
    Volumes {
        /// Group name.
        name: String,
    },
}

fn row(class: &str, props: Vec<(&str, serde_json::Value)>) -> Instance {
    let mut i = Instance::new(class);
    for (k, v) in props {
        match v {
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(u) => i.set(k, u),
                None => i.set(k, n.to_string()),
            },
            serde_json::Value::String(s) => i.set(k, s),
            serde_json::Value::Null => i.set(k, ""),
            other => i.set(k, other.to_string()),
        };
    }
    i
}

fn list(class: &str, items: Vec<Instance>, columns: &[&str]) -> Doc {
    let _ = class;
    Doc::Instances {
        items,
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

/// The first array found by discovery.
pub async fn array(c: &Client) -> CliResult<SmisArray> {
    let d = Discovery::run(c, &DiscoveryOptions::default()).await?;
    Ok(d.array_handle(c, 0)?)
}

async fn masking(a: &SmisArray, style: Option<Style>) -> CliResult<Masking> {
    Ok(match style {
        None => a.masking().await?,
        Some(Style::Group) => a.masking_with_style(MaskingStyle::Group).await?,
        Some(Style::Spc) => a.masking_with_style(MaskingStyle::Spc).await?,
    })
}

async fn volume(c: &Client, a: &SmisArray, arg: &str) -> CliResult<StorageVolume> {
    let p: ObjectPath = smi::resolve_volume(c, arg).await?;
    Ok(a.volume(&p).await?)
}

/// Runs a masking command.
pub async fn run(c: &Client, cmd: &Cmd) -> CliResult<Doc> {
    let a = array(c).await?;
    Ok(match cmd {
        Cmd::Initiators => {
            let items = a
                .initiators()
                .await?
                .into_iter()
                .map(|h| {
                    row(
                        "Initiator",
                        vec![
                            ("StorageID", json!(h.storage_id)),
                            ("IDType", json!(h.id_type)),
                            ("ElementName", json!(h.element_name)),
                        ],
                    )
                })
                .collect();
            list("Initiator", items, &["StorageID", "IDType", "ElementName"])
        }
        Cmd::TargetPorts => {
            let items = a
                .target_ports()
                .await?
                .into_iter()
                .map(|p| {
                    row(
                        "TargetPort",
                        vec![
                            ("Kind", json!(p.kind)),
                            ("Name", json!(p.name)),
                            ("WWPN", json!(p.wwpn)),
                            ("IQN", json!(p.iqns.join(","))),
                            ("Portals", json!(p.portals.join(","))),
                        ],
                    )
                })
                .collect();
            list(
                "TargetPort",
                items,
                &["Kind", "Name", "WWPN", "IQN", "Portals"],
            )
        }
        Cmd::Access { volume: v } => {
            let vol = volume(c, &a, v).await?;
            let items = a
                .volume_access(&vol.path)
                .await?
                .into_iter()
                .map(|x| {
                    row(
                        "VolumeAccess",
                        vec![
                            ("Group", json!(x.group)),
                            ("LUN", json!(x.lun)),
                            ("DeviceAccess", json!(x.access)),
                            ("Initiators", json!(x.initiators.join(","))),
                        ],
                    )
                })
                .collect();
            list(
                "VolumeAccess",
                items,
                &["Group", "LUN", "DeviceAccess", "Initiators"],
            )
        }
        Cmd::Mask {
            volume: v,
            group,
            lun,
            style,
        } => {
            let m = masking(&a, *style).await?;
            let vol = volume(c, &a, v).await?;
            let g = m.access_group(group).await?;
            let lun = m.map_volume(&vol, &g, *lun).await?;
            Doc::Record(json!({
                "volume": vol.device_id, "group": g.name, "lun": lun, "style": format!("{:?}", m.style),
            }))
        }
        Cmd::Unmask {
            volume: v,
            group,
            style,
        } => {
            let m = masking(&a, *style).await?;
            let vol = volume(c, &a, v).await?;
            let g = m.access_group(group).await?;
            m.unmap_volume(&vol, &g).await?;
            Doc::Record(json!({ "volume": vol.device_id, "group": g.name, "unmapped": true }))
        }
        Cmd::AccessGroup { cmd, style } => {
            let m = masking(&a, *style).await?;
            group_cmd(&m, cmd).await?
        }
        _ => return Err(failed("not a masking command")),
    })
}

async fn group_cmd(m: &Masking, cmd: &GroupCmd) -> CliResult<Doc> {
    Ok(match cmd {
        GroupCmd::List => {
            let items = m
                .access_groups()
                .await?
                .into_iter()
                .map(|g| {
                    row(
                        "AccessGroup",
                        vec![
                            ("Name", json!(g.name)),
                            ("Style", json!(format!("{:?}", g.style))),
                            ("Initiators", json!(g.initiators.join(","))),
                        ],
                    )
                })
                .collect();
            list("AccessGroup", items, &["Name", "Style", "Initiators"])
        }
        GroupCmd::Create { name, initiators } => {
            let ids: Vec<&str> = initiators.iter().map(String::as_str).collect();
            let g = m.create_access_group(name, &ids).await?;
            Doc::Record(json!({ "group": g.name, "initiators": g.initiators, "created": true }))
        }
        GroupCmd::Delete { name } => {
            let g = m.access_group(name).await?;
            m.delete_access_group(&g).await?;
            Doc::Record(json!({ "group": g.name, "deleted": true }))
        }
        GroupCmd::Add { name, initiator } => {
            let g = m.access_group(name).await?;
            m.add_initiator(&g, initiator).await?;
            Doc::Record(json!({ "group": g.name, "added": initiator }))
        }
        GroupCmd::Remove { name, initiator } => {
            let g = m.access_group(name).await?;
            m.remove_initiator(&g, initiator).await?;
            Doc::Record(json!({ "group": g.name, "removed": initiator }))
        }
        GroupCmd::Volumes { name } => {
            let g = m.access_group(name).await?;
            let items = m
                .group_volumes(&g)
                .await?
                .into_iter()
                .map(|v| {
                    row(
                        "MappedVolume",
                        vec![
                            ("DeviceID", json!(v.device_id)),
                            ("LUN", json!(v.lun)),
                            ("DeviceAccess", json!(v.access)),
                        ],
                    )
                })
                .collect();
            list("MappedVolume", items, &["DeviceID", "LUN", "DeviceAccess"])
        }
    })
}

/// The demo's mapping step: a group for a host with one registered initiator, the clone
/// mapped to it; returns the line to print and the LUN.
pub async fn demo_step(c: &Client, clone: &str) -> CliResult<(String, u32)> {
    let a = array(c).await?;
    let m = a.masking().await?;
    let vol = volume(c, &a, clone).await?;
    let g = m
        .create_access_group("demo-host", &["21:00:00:1b:32:a1:b2:c3"])
        .await?;
    let lun = m.map_volume(&vol, &g, None).await?;
    let seen = a.volume_access(&vol.path).await?;
    let who: Vec<String> = seen
        .iter()
        .map(|s| format!("{} (LUN {})", s.group, s.lun))
        .collect();
    Ok((
        format!(
            "6b. mapped the clone to host {} ({:?} masking): LUN {lun}; seen by {}",
            g.name,
            m.style,
            who.join(", ")
        ),
        lun,
    ))
}
