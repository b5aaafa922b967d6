//! CreateClone / CreateSnapshot of Windows' Storage Management API
//! (`MSFT_SMStorageVolume.CreateClone`) on SMI-S: capability checks as libstoragemgmt does
//! them, then `CIM_ReplicationService.CreateElementReplica` — or, without a replication
//! service, `CIM_StorageConfigurationService.CreateReplica` — then the job, then the target.
//!
//! # Return values
//!
//! | CreateElementReplica / CreateReplica / ModifyReplicaSynchronization | result |
//! |---|---|
//! | 0 Job Completed with No Error | the target from out `TargetElement` (read with GetInstance) |
//! | 4096 Method Parameters Checked - Job Started | follow the job; the target via CIM_AffectedJobElement (exactly one CIM_StorageVolume) |
//! | 1 Not Supported, 2 Unknown, 3 Timeout, 4 Failed, 5 Invalid Parameter, 6 In Use, 7, 8 | `Error::MethodFailed`, StorageServiceCode = the same number |
//! | anything else (9..4095, 4097.., vendor 32768..) | `Error::MethodFailed`, StorageServiceCode 40300 Method invocation failed |
//!
//! Capability failures: 40308 "Clone creation capability not supported" ("Snapshot
//! capability not supported" for snapshots) and 40500 "Replication type not supported per
//! reported capabilities" (see [`super`] for the whole table).

use crate::Credentials;
use crate::cim::ObjectPath;
use crate::client::{Client, ReferencesOptions};
use crate::error::{Error, Result, StorageServiceCode};
use crate::message::{MethodReturn, ParamValue};

use super::codes::MethodReturnCode;
use super::job::{Job, WaitOptions};
use super::views::{SmisArray, StorageVolume};

/// What kind of replica to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncType {
    /// A full copy: SyncType 8 Clone; needs replication type 10/11 (Sync/Async Clone
    /// Local); CreateReplica fallback CopyType 5 UnSyncUnAssoc.
    Clone,
    /// A point-in-time snapshot: SyncType 7 Snapshot; needs replication type 6/7
    /// (Sync/Async Snapshot Local); CreateReplica fallback CopyType 4 UnSyncAssoc.
    Snapshot,
}

impl SyncType {
    fn sync_type_value(self) -> u16 {
        match self {
            SyncType::Clone => 8,
            SyncType::Snapshot => 7,
        }
    }

    /// (synchronous, asynchronous) local replication types.
    fn local_types(self) -> (u16, u16) {
        match self {
            SyncType::Clone => (10, 11),
            SyncType::Snapshot => (6, 7),
        }
    }

    fn copy_type(self) -> u16 {
        match self {
            SyncType::Clone => 5,
            SyncType::Snapshot => 4,
        }
    }

    fn unsupported_message(self) -> &'static str {
        match self {
            SyncType::Clone => "Clone creation capability not supported",
            SyncType::Snapshot => "Snapshot capability not supported",
        }
    }
}

/// Replication mode (CreateElementReplica `Mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 2 Synchronous.
    Synchronous,
    /// 3 Asynchronous.
    Asynchronous,
}

impl Mode {
    fn value(self) -> u16 {
        match self {
            Mode::Synchronous => 2,
            Mode::Asynchronous => 3,
        }
    }
}

/// What [`SmisArray::start_clone`] started.
#[derive(Debug)]
pub enum CloneStarted {
    /// The provider finished at once (return 0): the new volume's path.
    Done(ObjectPath),
    /// The provider started a job (return 4096): follow it with [`Job::wait`] and read the
    /// new volume with [`Job::affected_elements`].
    Job(Job),
}

/// Parameters of [`SmisArray::create_clone`] (`MSFT_SMStorageVolume.CreateClone`/`CreateSnapshot`).
#[derive(Debug, Clone)]
pub struct CloneRequest {
    /// ElementName of the new volume.
    pub element_name: String,
    /// Pool to draw the target from (`TargetPool`); None = the provider's choice.
    pub target_pool: Option<ObjectPath>,
    /// Clone or snapshot.
    pub sync_type: SyncType,
    /// Synchronous or asynchronous replication.
    pub mode: Mode,
    /// Per-call credentials (CreateClone's `username`/`password`).
    pub credentials: Option<Credentials>,
    /// How to wait for a job.
    pub wait: WaitOptions,
    /// Detach the replica afterwards (ModifyReplicaSynchronization Operation 8).
    pub detach: bool,
}

impl CloneRequest {
    /// A synchronous replica of `sync_type` named `element_name`, defaults elsewhere.
    pub fn new(element_name: impl Into<String>, sync_type: SyncType) -> Self {
        CloneRequest {
            element_name: element_name.into(),
            target_pool: None,
            sync_type,
            mode: Mode::Synchronous,
            credentials: None,
            wait: WaitOptions::default(),
            detach: false,
        }
    }

    /// A synchronous clone named `element_name`, defaults elsewhere.
    pub fn full_clone(element_name: impl Into<String>) -> Self {
        Self::new(element_name, SyncType::Clone)
    }

    /// A synchronous snapshot named `element_name`, defaults elsewhere.
    pub fn snapshot(element_name: impl Into<String>) -> Self {
        Self::new(element_name, SyncType::Snapshot)
    }
}

#[derive(Debug, Clone)]
enum Route {
    ElementReplica(ObjectPath),
    CreateReplica(ObjectPath),
}

impl SmisArray {
    /// The client to use for a call: the call's own credentials, else the connection's,
    /// else the configured [`crate::client::CredentialsProvider`] (`MSFT_SMStorageVolume.CreateClone`: "If not
    /// provided, the storage service attempts to obtain these credentials from the
    /// configuration provider"), else `Error::Credentials` (51005).
    pub fn client_for(&self, credentials: Option<&Credentials>) -> Result<Client> {
        if let Some(c) = credentials {
            return Ok(self.client.with_credentials(c.clone()));
        }
        if self.client.credentials().is_some() {
            return Ok(self.client.clone());
        }
        if let Some(p) = &self.credentials_provider {
            if let Some(c) = p.credentials(&self.client.endpoint())? {
                return Ok(self.client.with_credentials(c));
            }
        }
        Err(Error::Credentials(format!(
            "no credentials for {}: none given to the call, none on the connection, none from the configuration provider",
            self.client.endpoint()
        )))
    }

    fn with_client(&self, client: Client) -> SmisArray {
        SmisArray {
            client,
            ..self.clone()
        }
    }

    /// Creates a clone or snapshot of `source` (`MSFT_SMStorageVolume.CreateClone`/`CreateSnapshot`) and
    /// returns the new volume. See the module docs for the checks and the result codes.
    pub async fn create_clone(
        &self,
        source: &StorageVolume,
        req: CloneRequest,
    ) -> Result<StorageVolume> {
        let client = self.client_for(req.credentials.as_ref())?;
        let array = self.with_client(client);
        let (route, ret, method) = array.invoke_replica(source, &req).await?;
        let service = match &route {
            Route::ElementReplica(s) | Route::CreateReplica(s) => s,
        };
        let target = array
            .method_result(
                method,
                &ret,
                "TargetElement",
                "CIM_StorageVolume",
                &req.wait,
            )
            .await?;
        let volume = array.volume(&target).await?;
        if req.detach {
            if let Route::ElementReplica(_) = route {
                array.detach(service, &volume, &req.wait).await?;
            } else {
                tracing::debug!("detach skipped: CreateReplica made an unassociated copy");
            }
        }
        Ok(volume)
    }

    /// Starts a clone or snapshot without waiting: the same credentials and capability
    /// checks and the same method call as [`SmisArray::create_clone`], but a job (4096) is
    /// handed back instead of followed (`req.wait` and `req.detach` are not used).
    pub async fn start_clone(
        &self,
        source: &StorageVolume,
        req: &CloneRequest,
    ) -> Result<CloneStarted> {
        let client = self.client_for(req.credentials.as_ref())?;
        let array = self.with_client(client);
        let (_, ret, method) = array.invoke_replica(source, req).await?;
        match ret.return_code() {
            Some(0) => {
                let target: Option<ObjectPath> =
                    ret.get("TargetElement").map_err(|source| Error::Value {
                        context: format!("{method} out TargetElement"),
                        source,
                    })?;
                match (target, array.job_param(method, &ret)?) {
                    (Some(t), _) => Ok(CloneStarted::Done(array.fill_ns(t))),
                    (None, Some(job)) => Ok(CloneStarted::Job(job)),
                    (None, None) => Err(Error::UnexpectedResponse(format!(
                        "{method} returned 0 without TargetElement"
                    ))),
                }
            }
            Some(4096) => array
                .job_param(method, &ret)?
                .map(CloneStarted::Job)
                .ok_or_else(|| {
                    Error::UnexpectedResponse(format!("{method} returned 4096 without a Job"))
                }),
            Some(rc) => Err(MethodReturnCode(rc).error(method)),
            None => Err(Error::UnexpectedResponse(format!(
                "{method} returned no (integer) return value"
            ))),
        }
    }

    /// Capability checks, then CreateElementReplica (or the CreateReplica fallback).
    async fn invoke_replica(
        &self,
        source: &StorageVolume,
        req: &CloneRequest,
    ) -> Result<(Route, MethodReturn, &'static str)> {
        let array = self;
        let route = array.replication_route(req).await?;
        let (_service, ret, method) = match &route {
            Route::ElementReplica(service) => {
                let mut params = vec![
                    ParamValue::new("ElementName", req.element_name.as_str()),
                    ParamValue::new("SyncType", req.sync_type.sync_type_value()),
                    ParamValue::new("Mode", req.mode.value()),
                    ParamValue::new("SourceElement", source.path.clone()),
                ];
                if let Some(p) = &req.target_pool {
                    params.push(ParamValue::new("TargetPool", p.clone()));
                }
                if req.sync_type == SyncType::Clone {
                    // WaitForCopyState 4 Synchronized, as libstoragemgmt sends and Windows
                    // requires of providers (libstoragemgmt `smis.py` `volume_replicate`; Microsoft's SMI-S requirements
                    // for Windows storage management, dn265446).
                    params.push(ParamValue::new("WaitForCopyState", 4u16));
                }
                let ret = array
                    .client
                    .invoke_method(service, "CreateElementReplica", params)
                    .await?;
                (service, ret, "CreateElementReplica")
            }
            Route::CreateReplica(service) => {
                let mut params = vec![
                    ParamValue::new("ElementName", req.element_name.as_str()),
                    ParamValue::new("CopyType", req.sync_type.copy_type()),
                    ParamValue::new("SourceElement", source.path.clone()),
                ];
                if let Some(p) = &req.target_pool {
                    params.push(ParamValue::new("TargetPool", p.clone()));
                }
                let ret = array
                    .client
                    .invoke_method(service, "CreateReplica", params)
                    .await?;
                (service, ret, "CreateReplica")
            }
        };
        Ok((route, ret, method))
    }

    /// Capability checks (libstoragemgmt `smis_cap.py`) before any
    /// method is called.
    async fn replication_route(&self, req: &CloneRequest) -> Result<Route> {
        let unsupported = || Error::Unsupported {
            code: StorageServiceCode::CLONE_NOT_SUPPORTED,
            message: req.sync_type.unsupported_message().to_string(),
        };
        let type_unsupported = |detail: String| Error::Unsupported {
            code: StorageServiceCode::REPLICATION_TYPE_NOT_SUPPORTED,
            message: format!("Replication type not supported per reported capabilities ({detail})"),
        };
        if let Some(service) = self.replication_service().await? {
            let caps = self
                .replication_capabilities(&service)
                .await?
                .ok_or_else(unsupported)?;
            if !caps.can_create_element_replica() {
                return Err(unsupported());
            }
            let (sync, asynchronous) = req.sync_type.local_types();
            let types = &caps.supported_replication_types;
            if !types.contains(&sync) && !types.contains(&asynchronous) {
                return Err(unsupported());
            }
            let wanted = match req.mode {
                Mode::Synchronous => sync,
                Mode::Asynchronous => asynchronous,
            };
            if !types.contains(&wanted) {
                return Err(type_unsupported(format!(
                    "{:?} {:?} needs replication type {wanted}, the provider reports {types:?}",
                    req.mode, req.sync_type
                )));
            }
            return Ok(Route::ElementReplica(service.path));
        }
        // No replication service: CIM_StorageConfigurationService.CreateReplica when
        // CIM_StorageConfigurationCapabilities.SupportedCopyTypes allows it (libstoragemgmt `smis.py`, `smis_cap.py`).
        let Some(scs) = self.storage_configuration_service().await? else {
            return Err(unsupported());
        };
        let Some(caps) = self.storage_configuration_capabilities(&scs).await? else {
            return Err(unsupported());
        };
        if caps.supported_copy_types.is_empty() {
            return Err(unsupported());
        }
        let copy = req.sync_type.copy_type();
        if !caps.supported_copy_types.contains(&copy) {
            return Err(type_unsupported(format!(
                "CreateReplica needs CopyType {copy}, the provider reports {:?}",
                caps.supported_copy_types
            )));
        }
        Ok(Route::CreateReplica(scs.path))
    }

    /// Interprets a method's return: 0 → the out parameter `out_name`; 4096 → follow the
    /// job and take its single affected element of `result_class`; else MethodFailed.
    pub(crate) async fn method_result(
        &self,
        method: &str,
        ret: &MethodReturn,
        out_name: &str,
        result_class: &str,
        wait: &WaitOptions,
    ) -> Result<ObjectPath> {
        let rc = ret.return_code().ok_or_else(|| {
            Error::UnexpectedResponse(format!("{method} returned no (integer) return value"))
        })?;
        match rc {
            0 => {
                let out: Option<ObjectPath> = ret.get(out_name).map_err(|source| Error::Value {
                    context: format!("{method} out {out_name}"),
                    source,
                })?;
                if let Some(p) = out {
                    return Ok(self.fill_ns(p));
                }
                // Some providers return 0 with a (finished) job and no element.
                if let Some(job) = self.job_param(method, ret)? {
                    return self.single_element(&job, wait, result_class).await;
                }
                Err(Error::UnexpectedResponse(format!(
                    "{method} returned 0 without {out_name}"
                )))
            }
            4096 => {
                let job = self.job_param(method, ret)?.ok_or_else(|| {
                    Error::UnexpectedResponse(format!("{method} returned 4096 without a Job"))
                })?;
                self.single_element(&job, wait, result_class).await
            }
            rc => Err(MethodReturnCode(rc).error(method)),
        }
    }

    pub(crate) fn fill_ns(&self, mut p: ObjectPath) -> ObjectPath {
        if p.namespace.is_none() {
            p.namespace = Some(self.namespace.clone());
        }
        p
    }

    pub(crate) fn job_param(&self, method: &str, ret: &MethodReturn) -> Result<Option<Job>> {
        let job: Option<ObjectPath> = ret.get("Job").map_err(|source| Error::Value {
            context: format!("{method} out Job"),
            source,
        })?;
        Ok(job.map(|p| Job::new(self.client.clone(), self.fill_ns(p))))
    }

    async fn single_element(
        &self,
        job: &Job,
        wait: &WaitOptions,
        result_class: &str,
    ) -> Result<ObjectPath> {
        let mut v = job.wait_for_elements(wait, result_class).await?;
        match v.len() {
            1 => Ok(self.fill_ns(v.remove(0))),
            n => Err(Error::UnexpectedResponse(format!(
                "job {} finished with {n} affected {result_class} elements, expected exactly 1",
                job.path().canonical()
            ))),
        }
    }

    /// Follows a method that returns nothing of interest: 0 → done, 4096 → wait for the
    /// job (and clean it up), anything else → MethodFailed.
    pub(crate) async fn method_done(
        &self,
        method: &str,
        ret: &MethodReturn,
        wait: &WaitOptions,
    ) -> Result<()> {
        match ret.return_code() {
            Some(0) => Ok(()),
            Some(4096) => {
                let job = self.job_param(method, ret)?.ok_or_else(|| {
                    Error::UnexpectedResponse(format!("{method} returned 4096 without a Job"))
                })?;
                let outcome = job.wait(wait).await?;
                job.cleanup(&outcome).await;
                Ok(())
            }
            Some(rc) => Err(MethodReturnCode(rc).error(method)),
            None => Err(Error::UnexpectedResponse(format!(
                "{method} returned no (integer) return value"
            ))),
        }
    }

    /// Detaches `target` from its source: References(target, ResultClass
    /// CIM_StorageSynchronized), then ModifyReplicaSynchronization(Operation 8 Detach,
    /// Synchronization) on the replication service, as Windows does after a clone
    /// (Microsoft's SMI-S requirements for Windows storage management, dn265446).
    pub async fn detach(
        &self,
        service: &ObjectPath,
        target: &StorageVolume,
        wait: &WaitOptions,
    ) -> Result<()> {
        let syncs = self
            .client
            .reference_names(
                &target.path,
                &ReferencesOptions::new().result_class("CIM_StorageSynchronized"),
            )
            .await?;
        for sync in syncs {
            let ret = self
                .client
                .invoke_method(
                    service,
                    "ModifyReplicaSynchronization",
                    vec![
                        ParamValue::new("Operation", 8u16),
                        ParamValue::new("Synchronization", self.fill_ns(sync)),
                    ],
                )
                .await?;
            self.method_done("ModifyReplicaSynchronization", &ret, wait)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cim::Instance;
    use crate::message::{IReturn, Intrinsic, Request};
    use crate::smis::fake::{self, Fake};

    const NS: &str = "root/smis-sim";

    /// A provider with a replication service whose capabilities are `types`/`actions`.
    fn array(types: Vec<u16>, sync_actions: Vec<u16>) -> (SmisArray, std::sync::Arc<Fake>) {
        let (client, fake) = Fake::client(move |req| {
            let Request::Intrinsic(r) = req else {
                return fake::method(req.method_name(), 0, vec![]);
            };
            match &r.op {
                Intrinsic::Associators { result_class, .. } => {
                    let rc = result_class.as_ref().map(|c| c.as_str()).unwrap_or("");
                    let mut i = match rc {
                        "CIM_ReplicationService" => Instance::new("SIMS_ReplicationService")
                            .with("Name", "repl")
                            .with("SystemName", "A"),
                        "CIM_ReplicationServiceCapabilities" => {
                            Instance::new("SIMS_ReplicationServiceCapabilities")
                                .with("SupportedReplicationTypes", types.clone())
                                .with("SupportedSynchronousActions", sync_actions.clone())
                        }
                        _ => {
                            return fake::intrinsic("Associators", IReturn::Objects(vec![]));
                        }
                    };
                    i.path = Some(ObjectPath::new(NS, i.class_name.clone()).with_key("Name", "x"));
                    fake::intrinsic(
                        "Associators",
                        IReturn::Objects(vec![crate::message::CimObject::Instance(i)]),
                    )
                }
                _ => fake::cim_error(req, 7, "not scripted"),
            }
        });
        let system = ObjectPath::new(NS, "SIMS_StorageSystem").with_key("Name", "A");
        (SmisArray::new(client, system), fake)
    }

    fn volume() -> StorageVolume {
        StorageVolume {
            path: ObjectPath::new(NS, "SIMS_StorageVolume").with_key("DeviceID", "v"),
            device_id: "v".into(),
            element_name: None,
            name: None,
            naa_id: None,
            block_size: 512,
            number_of_blocks: 8,
            consumable_blocks: None,
            size_bytes: 4096,
            operational_status: vec![2],
            thinly_provisioned: None,
        }
    }

    async fn code(types: Vec<u16>, actions: Vec<u16>, req: CloneRequest) -> u32 {
        let (a, fake) = array(types, actions);
        let e = a.create_clone(&volume(), req).await.unwrap_err();
        // Capability failures are decided before any method is invoked.
        assert!(
            fake.calls()
                .iter()
                .all(|c| c != "CreateElementReplica" && c != "CreateReplica"),
            "{:?}",
            fake.calls()
        );
        e.storage_service_code().code()
    }

    #[tokio::test]
    async fn capability_checks_precede_method_calls() {
        let clone = CloneRequest::full_clone("c");
        let asynchronous = CloneRequest {
            mode: Mode::Asynchronous,
            ..CloneRequest::snapshot("s")
        };
        assert_eq!(code(vec![10, 11], vec![5], clone.clone()).await, 40308);
        assert_eq!(code(vec![6, 7], vec![2], clone.clone()).await, 40308);
        assert_eq!(code(vec![11], vec![2], clone.clone()).await, 40500);
        assert_eq!(code(vec![6], vec![2], asynchronous).await, 40500);
        let e = {
            let (a, _) = array(vec![10, 11], vec![5]);
            a.create_clone(&volume(), CloneRequest::snapshot("s"))
                .await
                .unwrap_err()
        };
        assert!(
            e.to_string().contains("Snapshot capability not supported"),
            "{e}"
        );
    }
}
