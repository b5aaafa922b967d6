//! The SMI-S layer: discovery, typed views of arrays, pools and volumes, job following,
//! replication (CreateClone), child resource pools and volume provisioning.
//!
//! Everything here sits on top of [`crate::Client`]: the profile and association walks that
//! libstoragemgmt's `smispy` plugin does (libstoragemgmt's `smispy` plugin, `smis.py`), and the
//! semantics of Windows' Storage Management API methods (`MSFT_SMStorageVolume.CreateClone`;
//! `CIM_ResourcePoolConfigurationService.CreateChildResourcePool` in the DMTF CIM Schema 2.49).
//!
//! ```no_run
//! # async fn demo(client: smis::Client) -> smis::Result<()> {
//! use smis::smis::{CloneRequest, Discovery, DiscoveryOptions};
//! let found = Discovery::run(&client, &DiscoveryOptions::default()).await?;
//! let array = found.array_handle(&client, 0)?;
//! let volumes = array.volumes().await?;
//! if let Some(source) = volumes.first() {
//!     let clone = array.create_clone(source, CloneRequest::full_clone("copy-of-db")).await?;
//!     println!("created {}", clone.device_id);
//! }
//! # Ok(()) }
//! ```
//!
//! # Failure → StorageService code
//!
//! Every error of this layer answers [`crate::Error::storage_service_code`] with a code of
//! the CreateClone table (`MSFT_SMStorageVolume.CreateClone`):
//!
//! | failure on the SMI-S paths | `Error` variant | StorageServiceCode |
//! |---|---|---|
//! | no CIM_ReplicationService (and no CreateReplica fallback), CreateElementReplica (action 2) not offered, no clone (10/11) or snapshot (6/7) type | `Unsupported` | 40308 Clone creation capability not supported |
//! | the requested local type (10/11 clone, 6/7 snapshot) not among SupportedReplicationTypes, or the fallback CopyType (5/4) not among SupportedCopyTypes | `Unsupported` | 40500 Replication type not supported per reported capabilities |
//! | no CIM_StorageConfigurationService / CIM_ResourcePoolConfigurationService hosted (volume and pool methods) | `Unsupported` | 1 Not Supported |
//! | method return value 1..=8 (Not Supported, Unknown, Timeout, Failed, Invalid Parameter, In Use, Incorrect ResourceType / method-specific, Insufficient Resources / Object Not Found) | `MethodFailed` | the same number (1..=8) |
//! | any other method return value (4097 Size Not Supported, 9..4095, 4098.., vendor 32768..) | `MethodFailed` | 40300 Method invocation failed |
//! | job ended in 8 Terminated, 9 Killed, 10 Exception, or 7 without OperationalStatus {2,17} | `JobFailed` | 43000 + the CIM_Error's CIMStatusCode, else 4 Failed |
//! | job not finished before `WaitOptions::deadline` | `JobTimeout` | 3 Timeout |
//! | job instance gone (GetInstance → CIM_ERR_NOT_FOUND) | `JobVanished` | 51000 Generic Failure |
//! | wait cancelled | `Cancelled` | 51000 Generic Failure |
//! | no credentials from call, connection or configuration provider; HTTP 401 | `Credentials` / `Authentication` | 51005 Invalid connection credentials |
//! | TLS handshake failure (e.g. an unpinned self-signed certificate) | `Tls` | 51010 SSL connection failure |
//! | CIM error N from an operation (e.g. CIM_ERR_NOT_FOUND) | `Cim` | 43000 + N (43006) |
//! | a property of unexpected type in a provider answer | `Value` | 51000 Generic Failure |

mod codes;
mod discovery;
#[cfg(test)]
mod fake;
mod fleet;
mod inventory;
mod job;
mod job_failure;
mod masking;
mod masking_ops;
mod pools;
mod replicas;
mod replication;
mod views;
mod volumes;
mod wait_bounds;

pub use codes::{MethodReturnCode, PoolReturnCode, StorageServiceCode, method_return_storage_code};
pub use discovery::{Discovery, DiscoveryOptions, RegisteredProfile, compare_versions};
pub use fleet::{
    ArrayInventory, FleetOptions, FleetReport, FleetTarget, ProviderInventory, poll_fleet,
    poll_provider,
};
pub use inventory::{DiskDrive, PoolCapabilities};
pub use job::{
    CancelToken, CancellationToken, Job, JobOutcome, JobProgress, JobStateClass, WaitOptions,
    classify_job_state, is_completed_ok,
};
pub use job_failure::JobFailure;
pub use masking::{
    AccessGroup, Initiator, InitiatorKind, MappedVolume, Masking, MaskingCapabilities,
    MaskingStyle, StorageHardwareId, TargetPort, VolumeAccess, canonical_initiator_id,
    masking_return_code, parse_device_number,
};
pub use masking_ops::MAX_LUN;
pub use pools::{ChildPoolRequest, ResourceAllocationSettings, ResourcePool};
pub use replicas::{
    DeleteVolumeOptions, Replica, ReplicaKind, ReplicaOperation, ReplicaPolicy, ReplicaState,
};
pub use replication::{CloneRequest, CloneStarted, Mode, SyncType};
pub use views::{
    ReplicationCapabilities, ReplicationService, ResourcePoolConfigurationService, SmisArray,
    StorageConfigurationCapabilities, StorageConfigurationService, StoragePool, StorageSystem,
    StorageVolume,
};
pub use volumes::{CreateVolumeRequest, ResizeVolumeRequest};

use crate::cim::{FromCimValue, Instance};
use crate::error::{Error, Result};

/// Reads property `name` of `inst` as `T`; a missing, NULL or mistyped property is an
/// [`Error::Value`] naming `Class.Property`.
pub(crate) fn prop<T: FromCimValue>(inst: &Instance, name: &str) -> Result<T> {
    inst.get::<T>(name).map_err(|source| Error::Value {
        context: format!("{}.{}", inst.class_name, name),
        source,
    })
}

/// Reads optional property `name` (absent or NULL → `None`); a mistyped value is an
/// [`Error::Value`] naming `Class.Property`.
pub(crate) fn prop_opt<T: FromCimValue>(inst: &Instance, name: &str) -> Result<Option<T>> {
    inst.get_opt::<T>(name).map_err(|source| Error::Value {
        context: format!("{}.{}", inst.class_name, name),
        source,
    })
}

/// Reads an optional array property as a vector (absent or NULL → empty; NULL elements
/// dropped).
pub(crate) fn prop_vec<T: FromCimValue>(inst: &Instance, name: &str) -> Result<Vec<T>> {
    Ok(prop_opt::<Vec<Option<T>>>(inst, name)?
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
}

/// True for CIM errors a walk should step over (the namespace, class or operation is not
/// there): CIM_ERR_INVALID_NAMESPACE (3), CIM_ERR_INVALID_CLASS (5), CIM_ERR_NOT_SUPPORTED
/// (7) — the codes libstoragemgmt skips while probing (`smis_common.py`).
pub(crate) fn is_absent(e: &Error) -> bool {
    matches!(e.cim_status().map(|s| s.code()), Some(3 | 5 | 7))
}
