//! Replicas managed until they are gone: the replication pairs of a volume
//! (`CIM_StorageSynchronized`, SNIA SMI-S Replication Services 1.5+ and the 1.4 Copy
//! Services view), their states, and `CIM_ReplicationService.ModifyReplicaSynchronization`
//! to restore, resync, fracture, detach or delete them; deleting a volume that still has
//! replicas only when asked, in the order arrays need.
//!
//! ```no_run
//! # async fn f(array: smis::smis::SmisArray, vol: smis::smis::StorageVolume) -> smis::Result<()> {
//! use smis::smis::{DeleteVolumeOptions, ReplicaPolicy, ReplicaState, WaitOptions};
//! let wait = WaitOptions::default();
//! for r in array.replicas(&vol).await? {
//!     println!("{:?} {:?} -> {}", r.kind(), r.state(), r.target.canonical());
//!     if r.state() == ReplicaState::Synchronized {
//!         array.fracture_replica(&r, &wait).await?;
//!     }
//! }
//! // Refused (StorageService code 6 In Use) while pairs remain, unless asked:
//! let opts = DeleteVolumeOptions { replicas: ReplicaPolicy::Delete, wait };
//! array.delete_volume_with(&vol, &opts).await?;
//! # Ok(()) }
//! ```
//!
//! **Reading a pair.** The kind comes from `SyncType` (6 Mirror, 7 Snapshot, 8 Clone, 9
//! TokenizedClone), else — on SMI-S 1.4 providers — from `ReplicaType` (2 Full Copy is a
//! clone, a delta is a snapshot) and the deprecated `CopyType` (2 Async / 3 Sync mirror,
//! 4 UnSyncAssoc snapshot, 5 UnSyncUnAssoc clone). The state comes from `CopyState` (with
//! `ProgressStatus` 7 Resyncing / 8 Restoring), else from the 1.4 `SyncState`, aligned as HP
//! 3PAR's CIM API reference aligns them (11 Idle ↔ 8 Inactive, 14 Frozen ↔ 4 Synchronized,
//! 15 Copy In Progress ↔ 3 Unsynchronized...).
//!
//! **Operations.** `ModifyReplicaSynchronization(Operation, Synchronization)` on the
//! system's replication service (8 Detach, 12 Fracture, 14 Resync Replica, 15 Restore from
//! Replica, 19 Return To ResourcePool); without one, the SMI-S 1.4
//! `CIM_StorageConfigurationService.ModifySynchronization` with its own numbers (2 Detach,
//! 3 Fracture, 4 Resync, 5 Restore). A 4096 return is followed as a job, like every other
//! method of this layer.
//!
//! **Deleting.** A replica is deleted like Windows' Storage Management API deletes a
//! volume (`MSFT_SMStorageVolume.Delete`): a snapshot (SyncType 7, or CopyType 4 on a 1.4
//! provider) is dissolved with 19 Return To ResourcePool, which removes the target; any
//! other replica is detached (8) and its target returned with
//! `CIM_StorageConfigurationService.ReturnToStoragePool`. Replicas of the target are deleted
//! first (at most 8 levels deep).
//!
//! # Failure → StorageService code (`MSFT_SMStorageVolume.Delete`)
//!
//! | failure | code |
//! |---|---|
//! | volume has replicas and [`ReplicaPolicy::Refuse`] (nothing was sent) | 6 In Use |
//! | Detach (8) returned a failure | 40309 Synchronization detach failed |
//! | Return To ResourcePool (19) returned a failure | 40310 Failed to return item to resource pool |
//! | ReturnToStoragePool returned a failure | 40314 Failed to return to storage pool |
//! | the volume or the target is already gone (CIM_ERR_NOT_FOUND) | 40313 Element not present |
//! | Fracture, Resync, Restore returned 1..=8 | the same number; other values 40300 |
//! | no replication service and no storage configuration service | 1 Not Supported |
//! | a CIM error N | 43000 + N; a failed job: 43000 + its CIM_Error's status, else 4 |

use std::future::Future;
use std::pin::Pin;

use crate::cim::{Instance, ObjectPath};
use crate::client::ReferencesOptions;
use crate::error::{CimStatus, Error, Result, StorageServiceCode};
use crate::message::ParamValue;

use super::job::WaitOptions;
use super::views::{SmisArray, StorageVolume};
use super::{is_absent, prop_opt};

impl StorageServiceCode {
    /// 40309 "StorageService: Synchronization detach failed" (`MSFT_SMStorageVolume.Delete`).
    pub const SYNC_DETACH_FAILED: Self = Self(40309);
    /// 40310 "StorageService: Failed to return item to resource pool".
    pub const RETURN_TO_RESOURCE_POOL_FAILED: Self = Self(40310);
    /// 40313 "StorageService: Element not present".
    pub const ELEMENT_NOT_PRESENT: Self = Self(40313);
    /// 40314 "StorageService: Failed to return to storage pool".
    pub const RETURN_TO_STORAGE_POOL_FAILED: Self = Self(40314);
}

/// How deep [`SmisArray::delete_replica`] follows replicas of replicas.
const MAX_DEPTH: usize = 8;

/// What kind of copy a pair keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicaKind {
    /// SyncType 6, or CopyType 2 Async / 3 Sync.
    Mirror,
    /// SyncType 7, or (1.4) a delta ReplicaType / CopyType 4 UnSyncAssoc.
    Snapshot,
    /// SyncType 8, or (1.4) ReplicaType 2 Full Copy / CopyType 5 UnSyncUnAssoc.
    Clone,
    /// SyncType 9.
    TokenizedClone,
    /// Nothing the provider reported says.
    Unknown,
}

/// The state of a pair (CopyState, else the SMI-S 1.4 SyncState).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicaState {
    /// CopyState 2 / SyncState 2: established, not started.
    Initialized,
    /// CopyState 3 / SyncState 5, 15: the (initial) copy is running.
    Copying,
    /// CopyState 4 / SyncState 6, 14 Frozen.
    Synchronized,
    /// CopyState 5 / SyncState 12.
    Broken,
    /// CopyState 6 / SyncState 13.
    Fractured,
    /// CopyState 7.
    Split,
    /// CopyState 8 / SyncState 11 Idle (a normal snapshot).
    Inactive,
    /// CopyState 9 / SyncState 9 Quiesced.
    Suspended,
    /// CopyState 11 / SyncState 4.
    Prepared,
    /// CopyState 12.
    Aborted,
    /// CopyState 18: the source was restored from the target.
    Restored,
    /// ProgressStatus 7 Resyncing (CopyState 3).
    Resyncing,
    /// ProgressStatus 8 Restoring / SyncState 10 Restore In Progress.
    Restoring,
    /// Any other value (CopyState, else SyncState).
    Other(u16),
    /// Neither CopyState nor SyncState was reported.
    Unknown,
}

impl ReplicaState {
    /// True while the provider is copying (an operation then answers 6 In Use).
    pub fn is_busy(self) -> bool {
        matches!(
            self,
            ReplicaState::Copying | ReplicaState::Resyncing | ReplicaState::Restoring
        )
    }
}

/// A `ModifyReplicaSynchronization` operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicaOperation {
    /// 8 Detach: forget the pair; both volumes stay.
    Detach,
    /// 12 Fracture: suspend, remember changes.
    Fracture,
    /// 14 Resync Replica: re-establish after a fracture (a new point in time).
    Resync,
    /// 15 Restore from Replica: copy the target back onto the source.
    Restore,
    /// 19 Return To ResourcePool: dissolve a snapshot; its target goes away.
    ReturnToResourcePool,
}

impl ReplicaOperation {
    /// The `Operation` value of `ModifyReplicaSynchronization`.
    pub fn value(self) -> u16 {
        match self {
            ReplicaOperation::Detach => 8,
            ReplicaOperation::Fracture => 12,
            ReplicaOperation::Resync => 14,
            ReplicaOperation::Restore => 15,
            ReplicaOperation::ReturnToResourcePool => 19,
        }
    }

    /// The SMI-S 1.4 `ModifySynchronization` value, where there is one.
    pub fn legacy_value(self) -> Option<u16> {
        match self {
            ReplicaOperation::Detach => Some(2),
            ReplicaOperation::Fracture => Some(3),
            ReplicaOperation::Resync => Some(4),
            ReplicaOperation::Restore => Some(5),
            ReplicaOperation::ReturnToResourcePool => None,
        }
    }

    /// The StorageService code of this operation's failure (see the module docs).
    fn failure_code(self, return_value: u32) -> StorageServiceCode {
        match self {
            ReplicaOperation::Detach => StorageServiceCode::SYNC_DETACH_FAILED,
            ReplicaOperation::ReturnToResourcePool => {
                StorageServiceCode::RETURN_TO_RESOURCE_POOL_FAILED
            }
            _ => super::codes::method_return_storage_code(return_value),
        }
    }
}

/// A replication pair (`CIM_StorageSynchronized`) as read from the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Replica {
    /// The association's path.
    pub path: ObjectPath,
    /// `SystemElement`: the source.
    pub source: ObjectPath,
    /// `SyncedElement`: the target (the replica).
    pub target: ObjectPath,
    /// `SyncType` (1.5+).
    pub sync_type: Option<u16>,
    /// `Mode` (2 Synchronous, 3 Asynchronous ...).
    pub mode: Option<u16>,
    /// `CopyState` (1.5+).
    pub copy_state: Option<u16>,
    /// `SyncState` (1.4).
    pub sync_state: Option<u16>,
    /// `ProgressStatus`.
    pub progress_status: Option<u16>,
    /// `PercentSynced` (None when unknown).
    pub percent_synced: Option<u16>,
    /// `CopyType` (deprecated, 1.4).
    pub copy_type: Option<u16>,
    /// `ReplicaType` (2 Full Copy, 3 Before Delta, 4 After Delta, 5 Log).
    pub replica_type: Option<u16>,
}

impl TryFrom<&Instance> for Replica {
    type Error = Error;
    fn try_from(i: &Instance) -> Result<Self> {
        let path = i.path.clone().ok_or_else(|| {
            Error::UnexpectedResponse(format!("{} instance came without a path", i.class_name))
        })?;
        let end = |name: &str| -> Result<ObjectPath> {
            match prop_opt::<ObjectPath>(i, name)? {
                Some(p) => Ok(p),
                None => path
                    .key(name)
                    .and_then(|v| v.as_reference())
                    .cloned()
                    .ok_or_else(|| {
                        Error::UnexpectedResponse(format!("{} without {name}", i.class_name))
                    }),
            }
        };
        Ok(Replica {
            source: end("SystemElement")?,
            target: end("SyncedElement")?,
            sync_type: prop_opt(i, "SyncType")?,
            mode: prop_opt(i, "Mode")?,
            copy_state: prop_opt(i, "CopyState")?,
            sync_state: prop_opt(i, "SyncState")?,
            progress_status: prop_opt(i, "ProgressStatus")?,
            percent_synced: prop_opt(i, "PercentSynced")?,
            copy_type: prop_opt(i, "CopyType")?,
            replica_type: prop_opt(i, "ReplicaType")?,
            path,
        })
    }
}

fn same(a: &ObjectPath, b: &ObjectPath) -> bool {
    a.local().canonical() == b.local().canonical()
}

impl Replica {
    /// The kind: SyncType, else ReplicaType, else CopyType (module docs).
    pub fn kind(&self) -> ReplicaKind {
        match self.sync_type {
            Some(6) => return ReplicaKind::Mirror,
            Some(7) => return ReplicaKind::Snapshot,
            Some(8) => return ReplicaKind::Clone,
            Some(9) => return ReplicaKind::TokenizedClone,
            _ => {}
        }
        match (self.copy_type, self.replica_type) {
            (Some(2 | 3), _) => ReplicaKind::Mirror,
            (_, Some(2)) => ReplicaKind::Clone,
            (_, Some(3 | 4)) => ReplicaKind::Snapshot,
            (Some(4), _) => ReplicaKind::Snapshot,
            (Some(5), _) => ReplicaKind::Clone,
            _ => ReplicaKind::Unknown,
        }
    }

    /// The state: CopyState (and ProgressStatus), else SyncState (module docs).
    pub fn state(&self) -> ReplicaState {
        use ReplicaState::*;
        if let Some(cs) = self.copy_state {
            return match (cs, self.progress_status) {
                (3, Some(7)) => Resyncing,
                (4, Some(8)) => Restoring,
                (_, _) if self.sync_state == Some(10) && cs == 4 => Restoring,
                (2, _) => Initialized,
                (3, _) => Copying,
                (4, _) => Synchronized,
                (5, _) => Broken,
                (6, _) => Fractured,
                (7, _) => Split,
                (8, _) => Inactive,
                (9, _) => Suspended,
                (11, _) => Prepared,
                (12, _) => Aborted,
                (18, _) => Restored,
                (other, _) => Other(other),
            };
        }
        match self.sync_state {
            Some(2) => Initialized,
            Some(4) => Prepared,
            Some(5 | 15) => Copying,
            Some(6 | 14) => Synchronized,
            Some(9) => Suspended,
            Some(10) => Restoring,
            Some(11) => Inactive,
            Some(12) => Broken,
            Some(13) => Fractured,
            Some(other) => Other(other),
            None => Unknown,
        }
    }

    /// True when `volume` is this pair's source (SystemElement).
    pub fn is_source(&self, volume: &ObjectPath) -> bool {
        same(&self.source, volume)
    }

    /// True when `volume` is this pair's target (SyncedElement).
    pub fn is_target(&self, volume: &ObjectPath) -> bool {
        same(&self.target, volume)
    }

    /// True when deleting the replica dissolves it with 19 Return To ResourcePool (a
    /// snapshot: SyncType 7, or CopyType 4 where SyncType is not reported) rather than
    /// Detach and ReturnToStoragePool.
    pub fn dissolves_into_pool(&self) -> bool {
        match self.sync_type {
            Some(t) => t == 7,
            None => self.copy_type == Some(4),
        }
    }
}

/// What [`SmisArray::delete_volume_with`] does with a volume's replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReplicaPolicy {
    /// Refuse with StorageService code 6 In Use before sending anything (the default).
    #[default]
    Refuse,
    /// Detach every pair; the replicas stay as independent volumes.
    Detach,
    /// Delete the replicas the volume is the source of (see the module docs), detach the
    /// pairs it is the target of.
    Delete,
}

/// Options of [`SmisArray::delete_volume_with`].
#[derive(Debug, Clone, Default)]
pub struct DeleteVolumeOptions {
    /// What to do with replicas.
    pub replicas: ReplicaPolicy,
    /// How to wait for jobs.
    pub wait: WaitOptions,
}

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

fn recode(e: Error, code: StorageServiceCode) -> Error {
    match e {
        Error::MethodFailed {
            method,
            return_value,
            label,
            ..
        } => Error::MethodFailed {
            method,
            return_value,
            label,
            code,
        },
        Error::Cim {
            status: CimStatus::NotFound,
            ..
        } => Error::Unsupported {
            code: StorageServiceCode::ELEMENT_NOT_PRESENT,
            message: e.to_string(),
        },
        e => e,
    }
}

impl SmisArray {
    /// The pairs `volume` is part of, as source or target: References(volume,
    /// ResultClass=CIM_StorageSynchronized). A provider without the class has none.
    pub async fn replicas(&self, volume: &StorageVolume) -> Result<Vec<Replica>> {
        self.replicas_of(&volume.path).await
    }

    async fn replicas_of(&self, volume: &ObjectPath) -> Result<Vec<Replica>> {
        let opts = ReferencesOptions::new().result_class("CIM_StorageSynchronized");
        let objects = match self.client.references(volume, &opts).await {
            Ok(v) => v,
            Err(e) if is_absent(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        objects
            .into_iter()
            .filter_map(|o| o.into_instance())
            .map(|mut i| {
                i.path = i.path.take().map(|p| self.fill_ns(p));
                let mut r = Replica::try_from(&i)?;
                r.source = self.fill_ns(r.source);
                r.target = self.fill_ns(r.target);
                Ok(r)
            })
            .collect()
    }

    /// Reads a pair by its path.
    pub async fn replica(&self, path: &ObjectPath) -> Result<Replica> {
        let i = self.client.get_instance(path, &Default::default()).await?;
        let mut r = Replica::try_from(&Instance {
            path: Some(self.fill_ns(i.path.clone().unwrap_or_else(|| path.clone()))),
            ..i
        })?;
        r.source = self.fill_ns(r.source);
        r.target = self.fill_ns(r.target);
        Ok(r)
    }

    /// Runs `op` on the pair (module docs: service, legacy fallback, jobs, codes) and
    /// returns the pair as it is afterwards (None once it is gone).
    pub async fn modify_replica(
        &self,
        replica: &Replica,
        op: ReplicaOperation,
        wait: &WaitOptions,
    ) -> Result<Option<Replica>> {
        let (service, method, value) = match self.replication_service().await? {
            Some(s) => (s.path, "ModifyReplicaSynchronization", op.value()),
            None => {
                let scs = self.storage_configuration_service().await?;
                match (scs, op.legacy_value()) {
                    (Some(scs), Some(v)) => (scs.path, "ModifySynchronization", v),
                    _ => {
                        return Err(Error::Unsupported {
                            code: StorageServiceCode::NOT_SUPPORTED,
                            message: format!(
                                "no CIM_ReplicationService to run {op:?} on {}",
                                replica.path.canonical()
                            ),
                        });
                    }
                }
            }
        };
        let ret = self
            .client
            .invoke_method(
                &service,
                method,
                vec![
                    ParamValue::new("Operation", value),
                    ParamValue::new("Synchronization", replica.path.clone()),
                ],
            )
            .await
            .map_err(|e| recode(e, op.failure_code(0)))?;
        let code = op.failure_code(ret.return_code().unwrap_or(0));
        self.method_done(method, &ret, wait)
            .await
            .map_err(|e| recode(e, code))?;
        match self.replica(&replica.path).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.cim_status() == Some(CimStatus::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// 15 Restore from Replica: the source gets the target's data back.
    pub async fn restore_replica(
        &self,
        r: &Replica,
        wait: &WaitOptions,
    ) -> Result<Option<Replica>> {
        self.modify_replica(r, ReplicaOperation::Restore, wait)
            .await
    }

    /// 14 Resync Replica: the target is brought up to date again.
    pub async fn resync_replica(&self, r: &Replica, wait: &WaitOptions) -> Result<Option<Replica>> {
        self.modify_replica(r, ReplicaOperation::Resync, wait).await
    }

    /// 12 Fracture: the pair stops following the source.
    pub async fn fracture_replica(
        &self,
        r: &Replica,
        wait: &WaitOptions,
    ) -> Result<Option<Replica>> {
        self.modify_replica(r, ReplicaOperation::Fracture, wait)
            .await
    }

    /// 8 Detach: the pair is forgotten; both volumes stay.
    pub async fn detach_replica(&self, r: &Replica, wait: &WaitOptions) -> Result<()> {
        self.modify_replica(r, ReplicaOperation::Detach, wait)
            .await
            .map(|_| ())
    }

    /// Deletes the replica (the pair's target) and the pair; the source stays (module
    /// docs: replicas of the target first, then 19 for snapshots, else Detach and
    /// ReturnToStoragePool).
    pub async fn delete_replica(&self, r: &Replica, wait: &WaitOptions) -> Result<()> {
        self.delete_replica_at(r.clone(), wait, 0).await
    }

    fn delete_replica_at<'a>(
        &'a self,
        r: Replica,
        wait: &'a WaitOptions,
        depth: usize,
    ) -> BoxFut<'a, ()> {
        Box::pin(async move {
            if depth >= MAX_DEPTH {
                return Err(Error::UnexpectedResponse(format!(
                    "replicas nested deeper than {MAX_DEPTH} levels below {}",
                    r.source.canonical()
                )));
            }
            for child in self.replicas_of(&r.target).await? {
                if child.is_source(&r.target) {
                    self.delete_replica_at(child, wait, depth + 1).await?;
                }
            }
            if r.dissolves_into_pool() {
                self.modify_replica(&r, ReplicaOperation::ReturnToResourcePool, wait)
                    .await?;
                match self.volume(&r.target).await {
                    Err(e) if e.cim_status() == Some(CimStatus::NotFound) => return Ok(()),
                    Err(e) => return Err(e),
                    Ok(_) => {} // the provider kept the element: return it as well
                }
            } else {
                self.modify_replica(&r, ReplicaOperation::Detach, wait)
                    .await?;
            }
            self.return_to_storage_pool(&r.target, wait).await
        })
    }

    async fn return_to_storage_pool(&self, element: &ObjectPath, wait: &WaitOptions) -> Result<()> {
        let service =
            self.storage_configuration_service()
                .await?
                .ok_or_else(|| Error::Unsupported {
                    code: StorageServiceCode::NOT_SUPPORTED,
                    message:
                        "the system hosts no CIM_StorageConfigurationService (ReturnToStoragePool)"
                            .into(),
                })?;
        let ret = self
            .client
            .invoke_method(
                &service.path,
                "ReturnToStoragePool",
                vec![ParamValue::new("TheElement", element.clone())],
            )
            .await
            .map_err(|e| recode(e, StorageServiceCode::RETURN_TO_STORAGE_POOL_FAILED))?;
        self.method_done("ReturnToStoragePool", &ret, wait)
            .await
            .map_err(|e| recode(e, StorageServiceCode::RETURN_TO_STORAGE_POOL_FAILED))
    }

    /// Deletes `volume`; its replicas are handled by `opts.replicas` first (module docs).
    pub async fn delete_volume_with(
        &self,
        volume: &StorageVolume,
        opts: &DeleteVolumeOptions,
    ) -> Result<()> {
        let pairs = self
            .replicas_of(&volume.path)
            .await
            .map_err(|e| recode(e, StorageServiceCode::RETURN_TO_STORAGE_POOL_FAILED))?;
        if !pairs.is_empty() && opts.replicas == ReplicaPolicy::Refuse {
            let name = volume.element_name.as_deref().unwrap_or(&volume.device_id);
            return Err(Error::Unsupported {
                code: StorageServiceCode(6), // In Use, what the array would answer
                message: format!(
                    "In Use: volume {name} ({}) is in {} replication pair(s); delete or detach its replicas first, or ask for it (ReplicaPolicy::Detach / Delete)",
                    volume.device_id,
                    pairs.len()
                ),
            });
        }
        for pair in pairs {
            if opts.replicas == ReplicaPolicy::Delete && pair.is_source(&volume.path) {
                self.delete_replica_at(pair, &opts.wait, 0).await?;
            } else {
                self.detach_replica(&pair, &opts.wait).await?;
            }
        }
        self.return_to_storage_pool(&volume.path, &opts.wait).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(props: &[(&str, u16)]) -> Replica {
        let src = ObjectPath::new("root/x", "V").with_key("DeviceID", "a");
        let tgt = ObjectPath::new("root/x", "V").with_key("DeviceID", "b");
        let mut i = Instance::new("X_StorageSynchronized")
            .with("SystemElement", src.clone())
            .with("SyncedElement", tgt.clone());
        for (n, v) in props {
            i.set(*n, *v);
        }
        i.path = Some(
            ObjectPath::new("root/x", "X_StorageSynchronized")
                .with_key("SystemElement", src)
                .with_key("SyncedElement", tgt),
        );
        Replica::try_from(&i).unwrap()
    }

    #[test]
    fn states_from_copy_state_or_sync_state() {
        assert_eq!(
            pair(&[("CopyState", 4)]).state(),
            ReplicaState::Synchronized
        );
        assert_eq!(
            pair(&[("CopyState", 3), ("ProgressStatus", 7)]).state(),
            ReplicaState::Resyncing
        );
        assert_eq!(
            pair(&[("CopyState", 4), ("SyncState", 10)]).state(),
            ReplicaState::Restoring
        );
        assert_eq!(pair(&[("CopyState", 18)]).state(), ReplicaState::Restored);
        // 1.4 providers: SyncState only.
        assert_eq!(pair(&[("SyncState", 11)]).state(), ReplicaState::Inactive);
        assert_eq!(
            pair(&[("SyncState", 14)]).state(),
            ReplicaState::Synchronized
        );
        assert_eq!(pair(&[("SyncState", 13)]).state(), ReplicaState::Fractured);
        assert_eq!(pair(&[]).state(), ReplicaState::Unknown);
        assert!(pair(&[("SyncState", 15)]).state().is_busy());
    }

    #[test]
    fn kind_and_delete_route_fall_back_to_copy_type() {
        let snap = pair(&[("SyncType", 7), ("CopyType", 4)]);
        assert_eq!(snap.kind(), ReplicaKind::Snapshot);
        assert!(snap.dissolves_into_pool());
        let clone = pair(&[("SyncType", 8), ("CopyType", 4)]);
        assert_eq!(clone.kind(), ReplicaKind::Clone);
        assert!(!clone.dissolves_into_pool());
        let old = pair(&[("CopyType", 4)]);
        assert_eq!(old.kind(), ReplicaKind::Snapshot);
        assert!(old.dissolves_into_pool());
        let old_clone = pair(&[("CopyType", 5)]);
        assert_eq!(old_clone.kind(), ReplicaKind::Clone);
        assert!(!old_clone.dissolves_into_pool());
        assert_eq!(pair(&[("CopyType", 3)]).kind(), ReplicaKind::Mirror);
        let src = ObjectPath::new("root/other", "V").with_key("DeviceID", "a");
        assert!(snap.is_source(&src) && !snap.is_target(&src));
    }

    #[test]
    fn failure_codes() {
        let e = recode(
            super::super::codes::MethodReturnCode(6).error("ModifyReplicaSynchronization"),
            ReplicaOperation::Detach.failure_code(6),
        );
        assert_eq!(e.storage_service_code().code(), 40309);
        assert!(e.to_string().contains("In Use"), "{e}");
        assert_eq!(ReplicaOperation::Fracture.failure_code(5).code(), 5);
        assert_eq!(ReplicaOperation::Resync.failure_code(4097).code(), 40300);
        assert_eq!(
            ReplicaOperation::ReturnToResourcePool
                .failure_code(4)
                .code(),
            40310
        );
    }
}
