//! Command-line definition (clap derive).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::errors::EXIT_CODES_HELP;
use crate::output::Format;

/// smis: talk to storage arrays over SMI-S (CIM-XML over HTTPS).
#[derive(Debug, Parser)]
#[command(
    name = "smis",
    version,
    about = "smis: CIM operations and SMI-S workflows against storage arrays (CIM-XML over HTTPS)",
    long_about = "smis: CIM operations and SMI-S workflows against storage arrays (CIM-XML over HTTPS).\n\nEvery PATH argument is a WBEM URI object path as `smis volumes` or `smis enum --names` prints it, e.g.\n  '/root/smis-sim:SIMS_StorageVolume.CreationClassName=\"SIMS_StorageVolume\",DeviceID=\"vol-1\",...'",
    after_long_help = EXIT_CODES_HELP,
)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Options that apply to every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Server URL (https://host[:port]; default port 5989).
    #[arg(long, env = "SMIS_URL", global = true)]
    pub url: Option<String>,
    /// User name.
    #[arg(long, env = "SMIS_USER", global = true)]
    pub user: Option<String>,
    /// Name of the environment variable that holds the password.
    #[arg(
        long,
        value_name = "VAR",
        default_value = "SMIS_PASSWORD",
        global = true
    )]
    pub password_env: String,
    /// File whose first line is the password (must not be readable by group or others).
    #[arg(long, value_name = "FILE", global = true)]
    pub password_file: Option<PathBuf>,
    /// Default namespace (e.g. root/emc).
    #[arg(long, short = 'n', global = true)]
    pub namespace: Option<String>,
    /// Trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE", global = true)]
    pub ca_file: Option<PathBuf>,
    /// Trust exactly the server certificate with this SHA-256 fingerprint (hex, colons optional).
    #[arg(long = "pin-sha256", value_name = "HEX", global = true)]
    pub pin_sha256: Option<String>,
    /// Do not verify the server certificate (dangerous).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Timeout in seconds of each operation and of the whole command (all requests and pages
    /// of an enumeration); for `clone`, `create-child-pool` and `job wait`: the job wait.
    #[arg(long, value_name = "SECS", global = true)]
    pub timeout: Option<f64>,
    /// Output format (default: table on a terminal, json otherwise; `summary` for decode).
    #[arg(long, short = 'o', value_enum, global = true)]
    pub output: Option<Format>,
    /// Record every request and response (without credentials) into this directory.
    #[arg(long, value_name = "DIR", global = true)]
    pub record: Option<PathBuf>,
    /// More detail on errors and tracing on stderr (-v, -vv, -vvv).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// Replication type for `clone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloneType {
    /// A full copy (SyncType 8 Clone).
    Clone,
    /// A point-in-time snapshot (SyncType 7 Snapshot).
    Snapshot,
}

/// Replication mode for `clone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Synchronous (Mode 2).
    Sync,
    /// Asynchronous (Mode 3).
    Async,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Show a class (GetClass).
    Class {
        /// Class name.
        name: String,
    },
    /// List classes (EnumerateClasses / EnumerateClassNames).
    Classes {
        /// Start below this class.
        #[arg(long)]
        class: Option<String>,
        /// All subclasses, not only the direct ones.
        #[arg(long)]
        deep: bool,
        /// Only the names.
        #[arg(long)]
        names: bool,
    },
    /// Enumerate the instances of a class (pull operations, falling back to EnumerateInstances).
    Enum {
        /// Class name.
        class: String,
        /// Only the instance paths.
        #[arg(long)]
        names: bool,
        /// Only these properties (comma-separated).
        #[arg(long, value_delimiter = ',')]
        props: Option<Vec<String>>,
        /// Objects per pull request.
        #[arg(long, value_name = "N")]
        page: Option<u32>,
    },
    /// Get one instance (GetInstance).
    Get {
        /// Instance path (WBEM URI).
        path: String,
        /// Only these properties (comma-separated).
        #[arg(long, value_delimiter = ',')]
        props: Option<Vec<String>>,
    },
    /// Associated instances (Associators / AssociatorNames).
    Assoc {
        /// Source path (WBEM URI).
        path: String,
        /// Association class.
        #[arg(long)]
        assoc_class: Option<String>,
        /// Result class.
        #[arg(long)]
        result_class: Option<String>,
        /// Role of the source.
        #[arg(long)]
        role: Option<String>,
        /// Role of the result.
        #[arg(long)]
        result_role: Option<String>,
        /// Only the paths.
        #[arg(long)]
        names: bool,
    },
    /// Association instances referring to an object (References / ReferenceNames).
    Refs {
        /// Target path (WBEM URI).
        path: String,
        /// Association class.
        #[arg(long)]
        result_class: Option<String>,
        /// Role of the target.
        #[arg(long)]
        role: Option<String>,
        /// Only the paths.
        #[arg(long)]
        names: bool,
    },
    /// Invoke an extrinsic method: PATH METHOD [NAME=VALUE ...].
    ///
    /// Values are typed from the class's method declaration when GetClass works (arrays as
    /// a,b,c; references as WBEM URIs), otherwise inferred: integers uint32 (sint32 if
    /// negative), true/false boolean, a WBEM URI with keys a reference, else string.
    /// Exits 0 whatever the ReturnValue is (methods give it their own meaning): read it
    /// from the output.
    Invoke {
        /// Target path (WBEM URI; a class path for static methods).
        path: String,
        /// Method name.
        method: String,
        /// Parameters as NAME=VALUE.
        params: Vec<String>,
    },
    /// Run a query (ExecQuery / OpenQueryInstances).
    Query {
        /// Query language.
        #[arg(long, default_value = "WQL")]
        lang: String,
        /// The query.
        query: String,
    },
    /// SMI-S: registered profiles (interop namespace).
    Profiles,
    /// SMI-S: storage systems (arrays).
    Systems,
    /// SMI-S: storage pools.
    Pools,
    /// SMI-S: storage volumes.
    Volumes {
        /// Only the volumes allocated from this pool (path, PoolID, InstanceID or name).
        #[arg(long)]
        pool: Option<String>,
    },
    /// SMI-S: clone or snapshot a volume (CreateElementReplica) and follow its job.
    Clone {
        /// Source volume (path, DeviceID or name).
        volume: String,
        /// Name of the new volume.
        #[arg(long)]
        name: String,
        /// Target pool (default: the source's pool).
        #[arg(long)]
        pool: Option<String>,
        /// Replica type.
        #[arg(long = "type", value_enum, default_value = "clone")]
        kind: CloneType,
        /// Mode (default: what the array supports, asynchronous first).
        #[arg(long, value_enum)]
        mode: Option<Mode>,
        /// Print the job and return without waiting.
        #[arg(long)]
        no_wait: bool,
    },
    /// SMI-S: create a child resource pool (CreateChildResourcePool).
    CreateChildPool {
        /// Name of the new pool.
        #[arg(long)]
        name: String,
        /// Parent pool(s) (path, PoolID, InstanceID or name); repeat for several.
        #[arg(long, required = true, num_args = 1..)]
        parent: Vec<String>,
        /// ResourceType of the settings (default: the parent's, else 19).
        #[arg(long, value_name = "N")]
        resource_type: Option<u16>,
        /// Reservation (in allocation units; default bytes).
        #[arg(long, value_name = "N")]
        reservation: Option<u64>,
        /// Limit (in allocation units).
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// AllocationUnits, e.g. "bytes" or "byte*2^30".
        #[arg(long, value_name = "UNITS")]
        allocation_units: Option<String>,
        /// PoolID of the new pool.
        #[arg(long)]
        pool_id: Option<String>,
        /// Print the job and return without waiting.
        #[arg(long)]
        no_wait: bool,
    },
    /// SMI-S: show or wait for a job.
    Job {
        /// show or wait.
        #[command(subcommand)]
        cmd: JobCmd,
    },
    /// Decode a captured CIM-XML request or response (HTTP headers and chunking allowed).
    Decode {
        /// The file.
        file: PathBuf,
    },
    /// Run the simulated SMI-S provider until Ctrl-C (uses --user and --password-env).
    Sim {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:5989")]
        listen: String,
        /// Built-in scenario name (default, no-replication, async-clone-only) or a JSON file.
        #[arg(long, default_value = "default")]
        scenario: String,
        /// Serve plain HTTP instead of HTTPS.
        #[arg(long)]
        plain_http: bool,
    },
    /// Start the simulator in-process and walk through discovery, clone, child pool and a failure.
    Demo,
    /// SMI-S: the replication pairs of a volume (as source or target) with their states.
    Replicas {
        /// Volume (path, DeviceID or name).
        volume: String,
    },
    /// SMI-S: restore, resync, fracture, detach or delete a replica.
    Replica {
        /// restore, resync, fracture, detach or delete.
        #[command(subcommand)]
        cmd: crate::replica_cmds::ReplicaCmd,
    },
    /// SMI-S: delete a volume (ReturnToStoragePool); refused while it is in a replication
    /// pair unless --replicas detach|delete.
    DeleteVolume {
        /// Volume (path, DeviceID or name).
        volume: String,
        /// What to do with its replicas.
        #[arg(long, value_enum, default_value = "refuse")]
        replicas: crate::replica_cmds::ReplicasArg,
    },
    /// SMI-S: each pool's own capabilities (thick/thin volumes, expand, shrink).
    PoolCapabilities {
        /// Only this pool (path, PoolID, InstanceID or name).
        pool: Option<String>,
    },
    /// SMI-S: disk drives (interconnect, medium, size).
    Disks,
    /// SMI-S masking: registered initiators (storage hardware IDs).
    Initiators,
    /// SMI-S masking: front-end FC and iSCSI target ports.
    TargetPorts,
    /// SMI-S masking: access groups (list, create, delete, add, remove, volumes).
    AccessGroup {
        /// What to do.
        #[command(subcommand)]
        cmd: crate::masking_cmd::GroupCmd,
        /// Masking form (default: group masking where offered, else ExposePaths).
        #[arg(long, value_enum, global = true)]
        style: Option<crate::masking_cmd::Style>,
    },
    /// SMI-S masking: map a volume to an access group (optionally at a LUN).
    Mask {
        /// Volume (path, DeviceID or name).
        volume: String,
        /// Access group name.
        #[arg(long)]
        group: String,
        /// LUN (0-254; default: the array picks).
        #[arg(long)]
        lun: Option<u32>,
        /// Masking form.
        #[arg(long, value_enum)]
        style: Option<crate::masking_cmd::Style>,
    },
    /// SMI-S masking: unmap a volume from an access group.
    Unmask {
        /// Volume (path, DeviceID or name).
        volume: String,
        /// Access group name.
        #[arg(long)]
        group: String,
        /// Masking form.
        #[arg(long, value_enum)]
        style: Option<crate::masking_cmd::Style>,
    },
    /// SMI-S masking: which access groups see a volume, at which LUN.
    Access {
        /// Volume (path, DeviceID or name).
        volume: String,
    },
    /// Indications: run a listener and print what arrives (table or JSON lines); with
    /// --subscribe, subscribe it on --url first and unsubscribe on exit (Ctrl-C or --count).
    Listen(crate::indications::ListenArgs),
    /// Indications: subscribe a listener URL to a filter query (interop namespace).
    Subscribe(crate::indications::SubscribeArgs),
    /// Indications: list subscriptions with their query and destination.
    Subscriptions(crate::indications::OwnerArgs),
    /// Indications: remove a subscription, or all owned ones (--all), with their owned
    /// filters and destinations.
    Unsubscribe(crate::indications::UnsubscribeArgs),
}

/// Job commands.
#[derive(Debug, Subcommand)]
pub enum JobCmd {
    /// Show a job.
    Show {
        /// Job path (WBEM URI) or InstanceID.
        job: String,
    },
    /// Wait for a job to finish (--timeout SECS limits the wait; default 3600).
    Wait {
        /// Job path (WBEM URI) or InstanceID.
        job: String,
    },
}
