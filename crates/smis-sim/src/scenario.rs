//! Scenarios: what the simulated array contains, what it can do, how slow its jobs are,
//! which faults it injects and which vendor quirks it imitates.
//!
//! A scenario is plain JSON (serde). Every section is optional except `name`; missing
//! fields take the defaults of the `default` built-in scenario's shape (empty lists,
//! no faults, no quirks). Credentials are not part of a scenario.
//!
//! ```json
//! {
//!   "name": "example",
//!   "identity": { "system_name": "SIMARRAY-0001", "vendor": "SimVendor",
//!                 "model": "SimArray 9000", "namespace": "root/smis-sim" },
//!   "pools": [
//!     { "id": "P0", "name": "Primordial", "capacity_bytes": 10995116277760, "primordial": true },
//!     { "id": "P1", "name": "Pool 1", "capacity_bytes": 2199023255552, "parent": "P0" }
//!   ],
//!   "volumes": [ { "id": "vol-1", "name": "db01", "pool": "P1", "size_bytes": 107374182400 } ],
//!   "disks": { "count": 8, "size_bytes": 2199023255552, "pool": "P0" },
//!   "capabilities": { "replication_service": true, "replication_types": [6, 7, 10, 11],
//!                     "sync_actions": [2, 5], "async_actions": [2, 5],
//!                     "supported_copy_types": [4, 5] },
//!   "jobs": { "clone_ms": 10000, "volume_create_ms": 0, "child_pool_ms": 0 },
//!   "faults": [
//!     { "match": { "operation": "EnumerateInstances", "class": "CIM_StorageVolume" },
//!       "action": { "cim_error": { "code": 1, "description": "provider crashed" } },
//!       "times": 1 },
//!     { "match": { "method": "CreateElementReplica" }, "action": "job_exception" },
//!     { "match": { "operation": "GetInstance" }, "action": { "delay_ms": 2000 } }
//!   ],
//!   "quirks": { "operational_status_17_2": true, "interop_namespace": "root/PG_InterOp" }
//! }
//! ```
//!
//! Fault actions: `{"cim_error": {"code", "description"}}` (the operation is not run and
//! answers this CIM error), `{"http_status": {"status", "cim_error"}}` (not run; the HTTP
//! layer answers the status), `{"delay_ms": n}` (run, answer late), `"drop_connection"`
//! (not run; the connection is closed), `{"truncate_body": {"after_bytes": n}}` (run; the
//! body is cut), and the job faults `"job_exception"`, `"job_never_finishes"`,
//! `"job_vanishes"`, which act on the job the matched method starts. `times` limits how
//! often a fault fires (absent = always).

use serde::{Deserialize, Serialize};

/// Errors loading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The JSON did not parse or did not match the format.
    #[error("scenario JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file could not be read.
    #[error("scenario file: {0}")]
    Io(#[from] std::io::Error),
    /// No built-in scenario has this name.
    #[error(
        "no built-in scenario named {0:?} (known: default, no-replication, async-clone-only, spc-masking, no-masking)"
    )]
    UnknownBuiltin(String),
    /// The scenario is inconsistent (e.g. a volume in an unknown pool).
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

/// A complete scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name (for logs).
    pub name: String,
    /// Identity of the array and its namespaces.
    #[serde(default)]
    pub identity: Identity,
    /// Storage pools.
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    /// Storage volumes present at start.
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    /// Disk drives (Disk Drive Lite): each is a SIMS_DiskDrive with a primordial
    /// SIMS_StorageExtent that is a component of the named (primordial) pool.
    #[serde(default)]
    pub disks: Option<DiskSpec>,
    /// Advertised capabilities.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Job durations.
    #[serde(default)]
    pub jobs: JobTimings,
    /// Injected faults.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Vendor quirks to imitate.
    #[serde(default)]
    pub quirks: Quirks,
    /// Masking and mapping, hardware IDs and target ports (absent = no masking profile).
    #[serde(default)]
    pub masking: Option<crate::masking_spec::MaskingSpec>,
}

/// Identity of the simulated array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Identity {
    /// `Name` of the array's ComputerSystem (also `SystemName` of its devices and services).
    pub system_name: String,
    /// Vendor (Manufacturer, OwningEntity of CIM_Error).
    pub vendor: String,
    /// Model.
    pub model: String,
    /// The vendor namespace that holds the array model.
    pub namespace: String,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            system_name: "SIMARRAY-0001".into(),
            vendor: "SimVendor".into(),
            model: "SimArray 9000".into(),
            namespace: "root/smis-sim".into(),
        }
    }
}

/// A storage pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Pool id (`PoolID`; the InstanceID is `SIMS:POOL:<id>`).
    pub id: String,
    /// `ElementName`.
    pub name: String,
    /// `TotalManagedSpace` in bytes.
    pub capacity_bytes: u64,
    /// `Primordial` (volumes cannot be created in primordial pools).
    #[serde(default)]
    pub primordial: bool,
    /// DMTF `ResourceType` of the pool (default 19 "Storage Extent"; see
    /// [`DEFAULT_POOL_RESOURCE_TYPE`]).
    #[serde(default = "default_resource_type")]
    pub resource_type: u16,
    /// `Usage` (2 Unrestricted by default).
    #[serde(default = "default_usage")]
    pub usage: u16,
    /// A parent pool this pool's capacity is allocated from (AllocatedFromStoragePool).
    #[serde(default)]
    pub parent: Option<String>,
    /// The pool's own CIM_StorageConfigurationCapabilities (absent: see
    /// [`PoolCapabilities`]'s defaults).
    #[serde(default)]
    pub capabilities: Option<PoolCapabilities>,
}

/// Per-pool `CIM_StorageConfigurationCapabilities` (SNIA SMI-S Block Services), tied to
/// the pool by `CIM_ElementCapabilities`. The simulator obeys them: a volume of an
/// ElementType the pool does not list is refused with 1 Not Supported, a volume grows only
/// with 12 Capacity Expansion and shrinks only with 13 Capacity Reduction. A pool without
/// this section gets the system-level element types and features 3, 5, 6, 12 (no
/// reduction); a primordial pool gets empty lists (no volumes are made there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolCapabilities {
    /// `SupportedStorageElementTypes`: 2 StorageVolume (thick), 5
    /// ThinlyProvisionedStorageVolume (thin).
    pub storage_element_types: Vec<u16>,
    /// `SupportedStorageElementFeatures`: 3 StorageVolume Creation, 5 StorageVolume
    /// Modification, 6 Single InPool, 12 Capacity Expansion, 13 Capacity Reduction.
    pub storage_element_features: Vec<u16>,
}

/// The DMTF ResourceType this simulator gives storage pools unless a scenario says
/// otherwise: 19 "Storage Extent" (a pool is capacity carved from storage extents). The
/// RASDs of CreateChildResourcePool must carry the parent's ResourceType.
pub const DEFAULT_POOL_RESOURCE_TYPE: u16 = 19;

fn default_resource_type() -> u16 {
    DEFAULT_POOL_RESOURCE_TYPE
}
fn default_usage() -> u16 {
    2
}

/// A storage volume present at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// `DeviceID`.
    pub id: String,
    /// `ElementName`.
    pub name: String,
    /// Id of the pool it is allocated from.
    pub pool: String,
    /// Size in bytes (a multiple of 512).
    pub size_bytes: u64,
    /// `ThinlyProvisioned` (thin volumes take no pool capacity).
    #[serde(default)]
    pub thin: bool,
}

/// Identical disk drives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskSpec {
    /// Number of drives (`DeviceID` `DISK-00`, `DISK-01`, ...).
    pub count: u32,
    /// Capacity of each drive in bytes.
    pub size_bytes: u64,
    /// Id of the pool their extents are components of.
    pub pool: String,
    /// `CIM_DiskDrive.InterconnectType`: 3 ATA, 4 SATA, 5 SAS (default), 6 FC, 7 SOP.
    #[serde(default = "default_interconnect")]
    pub interconnect_type: u16,
    /// `CIM_DiskDrive.DiskType`: 2 HDD (default), 3 SSD, 4 Hybrid.
    #[serde(default = "default_disk_type")]
    pub disk_type: u16,
    /// This many of the drives (the last ones) are SSDs (DiskType 3) instead.
    #[serde(default)]
    pub ssd_count: u32,
}

fn default_interconnect() -> u16 {
    5
}
fn default_disk_type() -> u16 {
    2
}

/// Advertised capabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Capabilities {
    /// Whether a CIM_ReplicationService (and its capabilities) exists.
    pub replication_service: bool,
    /// `SupportedReplicationTypes` (6/7 snapshot local sync/async, 10/11 clone local ...).
    pub replication_types: Vec<u16>,
    /// ReplicationServiceCapabilities `SupportedSynchronousActions` (2 CreateElementReplica,
    /// 5 ModifyReplicaSynchronization).
    pub sync_actions: Vec<u16>,
    /// ReplicationServiceCapabilities `SupportedAsynchronousActions`.
    pub async_actions: Vec<u16>,
    /// StorageConfigurationCapabilities `SupportedCopyTypes` (4 UnSyncAssoc, 5
    /// UnSyncUnAssoc); non-empty enables the `CreateReplica` fallback.
    pub supported_copy_types: Vec<u16>,
    /// StorageConfigurationCapabilities `SupportedStorageElementTypes` (2 StorageVolume).
    pub storage_element_types: Vec<u16>,
    /// Whether a CIM_ResourcePoolConfigurationService exists.
    pub pool_config_service: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            replication_service: true,
            replication_types: vec![6, 7, 10, 11],
            sync_actions: vec![2, 5],
            async_actions: vec![2, 5],
            supported_copy_types: vec![4, 5],
            storage_element_types: vec![2],
            pool_config_service: true,
        }
    }
}

/// How long jobs take. 0 means the method completes synchronously (return 0, no job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobTimings {
    /// Clone (SyncType 8, CreateReplica CopyType 5) duration in milliseconds.
    pub clone_ms: u64,
    /// Snapshot (SyncType 7, CopyType 4) duration; absent = `clone_ms`.
    pub snapshot_ms: Option<u64>,
    /// CreateOrModifyElementFromStoragePool duration.
    pub volume_create_ms: u64,
    /// CreateChildResourcePool duration.
    pub child_pool_ms: u64,
    /// `DeleteOnCompletion` of jobs (when true, finished jobs disappear after
    /// `TimeBeforeRemoval`, five minutes).
    pub delete_on_completion: bool,
}

impl Default for JobTimings {
    fn default() -> Self {
        JobTimings {
            clone_ms: 10_000,
            snapshot_ms: None,
            volume_create_ms: 0,
            child_pool_ms: 0,
            delete_on_completion: false,
        }
    }
}

/// An injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Which requests it applies to.
    #[serde(rename = "match", default)]
    pub matcher: FaultMatch,
    /// What happens.
    pub action: FaultAction,
    /// How many times it fires (None = every time).
    #[serde(default)]
    pub times: Option<u32>,
}

/// Which requests a fault applies to. All given fields must match; an empty matcher
/// matches every request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultMatch {
    /// Intrinsic operation name (e.g. `EnumerateInstances`, `OpenEnumerateInstances`), or
    /// `InvokeMethod` for every extrinsic method call.
    pub operation: Option<String>,
    /// Extrinsic method name (e.g. `CreateElementReplica`).
    pub method: Option<String>,
    /// Class: matches when the request's class (ClassName, or the class of the target
    /// path) is this class or a subclass of it.
    pub class: Option<String>,
}

/// A CIM error to answer with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CimErrorSpec {
    /// CIM status code.
    pub code: u32,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// An HTTP error status to answer with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpStatusSpec {
    /// HTTP status, e.g. 500.
    pub status: u16,
    /// `CIMError` header value.
    #[serde(default)]
    pub cim_error: Option<String>,
}

/// Body truncation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruncateSpec {
    /// Bytes of the body sent before the connection is closed.
    pub after_bytes: usize,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer a CIM error (the operation is not run).
    CimError(CimErrorSpec),
    /// Answer an HTTP error status (the operation is not run).
    HttpStatus(HttpStatusSpec),
    /// Run the operation and answer after this many milliseconds.
    DelayMs(u64),
    /// Close the connection without answering (the operation is not run).
    DropConnection,
    /// Run the operation and cut the response body.
    TruncateBody(TruncateSpec),
    /// The started job ends in JobState 10 Exception.
    JobException,
    /// The started job stays Running forever (PercentComplete stops at 99).
    JobNeverFinishes,
    /// The started job's instance disappears at once (GetInstance → NOT_FOUND); the work
    /// itself still completes.
    JobVanishes,
}

/// Vendor quirks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quirks {
    /// Completed jobs report OperationalStatus `[17, 2]` instead of `[2, 17]`.
    pub operational_status_17_2: bool,
    /// Method responses write `TYPE=` instead of `PARAMTYPE=` (applied by the HTTP layer).
    pub param_type_as_type: bool,
    /// Write `EMBEDDEDOBJECT` in upper case (applied by the HTTP layer).
    pub embedded_object_upper: bool,
    /// Every `Open*` answers CIM_ERR_FAILED (1), as SFCB-based providers do.
    pub pull_fails_with_cim_err_failed: bool,
    /// Jobs report JobState 32767 ("Queue Pending", vendor) for the first quarter of their
    /// duration before running.
    pub job_state_32767: bool,
    /// The interop namespace (default `interop`), e.g. `root/PG_InterOp`.
    pub interop_namespace: Option<String>,
}

const DEFAULT_JSON: &str = include_str!("../scenarios/default.json");
const NO_REPLICATION_JSON: &str = include_str!("../scenarios/no-replication.json");
const ASYNC_CLONE_ONLY_JSON: &str = include_str!("../scenarios/async-clone-only.json");
const SPC_MASKING_JSON: &str = include_str!("../scenarios/spc-masking.json");
const NO_MASKING_JSON: &str = include_str!("../scenarios/no-masking.json");

impl Scenario {
    /// The names of the built-in scenarios.
    pub const BUILTIN_NAMES: [&'static str; 5] = [
        "default",
        "no-replication",
        "async-clone-only",
        "spc-masking",
        "no-masking",
    ];

    /// A built-in scenario: `default` (full capabilities), `no-replication` (no
    /// ReplicationService, no SupportedCopyTypes) or `async-clone-only`
    /// (SupportedReplicationTypes `[11]`), `spc-masking` (masking only by the SMI-S 1.4
    /// ExposePaths/HidePaths form) or `no-masking` (no masking profile at all).
    pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
        let json = match name {
            "default" => DEFAULT_JSON,
            "no-replication" => NO_REPLICATION_JSON,
            "async-clone-only" => ASYNC_CLONE_ONLY_JSON,
            "spc-masking" => SPC_MASKING_JSON,
            "no-masking" => NO_MASKING_JSON,
            other => return Err(ScenarioError::UnknownBuiltin(other.to_string())),
        };
        Scenario::from_json_str(json)
    }

    /// Parses and validates a scenario.
    pub fn from_json_str(json: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = serde_json::from_str(json)?;
        s.validate()?;
        Ok(s)
    }

    /// Reads, parses and validates a scenario file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path)?;
        Scenario::from_json_str(&text)
    }

    /// The interop namespace (`interop` unless the `interop_namespace` quirk says otherwise).
    pub fn interop_namespace(&self) -> &str {
        self.quirks
            .interop_namespace
            .as_deref()
            .unwrap_or("interop")
    }

    /// Checks references between pools and volumes, unique ids and block alignment.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let bad = |m: String| Err(ScenarioError::Invalid(m));
        let mut ids = std::collections::HashSet::new();
        for p in &self.pools {
            if !ids.insert(p.id.to_ascii_lowercase()) {
                return bad(format!("duplicate pool id {}", p.id));
            }
        }
        for p in &self.pools {
            if let Some(parent) = &p.parent
                && !self.pools.iter().any(|q| q.id.eq_ignore_ascii_case(parent))
            {
                return bad(format!("pool {} has unknown parent {parent}", p.id));
            }
        }
        let mut vids = std::collections::HashSet::new();
        for v in &self.volumes {
            if !vids.insert(v.id.to_ascii_lowercase()) {
                return bad(format!("duplicate volume id {}", v.id));
            }
            if !self
                .pools
                .iter()
                .any(|p| p.id.eq_ignore_ascii_case(&v.pool))
            {
                return bad(format!("volume {} is in unknown pool {}", v.id, v.pool));
            }
            if v.size_bytes == 0 || v.size_bytes % 512 != 0 {
                return bad(format!("volume {} size is not a multiple of 512", v.id));
            }
        }
        if self
            .identity
            .namespace
            .eq_ignore_ascii_case(self.interop_namespace())
        {
            return bad("vendor and interop namespaces must differ".into());
        }
        if let Some(m) = &self.masking {
            m.validate().map_err(ScenarioError::Invalid)?;
        }
        Ok(())
    }
}
