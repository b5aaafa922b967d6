//! Volume provisioning through `CIM_StorageConfigurationService` (SNIA SMI-S Block
//! Services profile): CreateOrModifyElementFromStoragePool to create and resize,
//! ReturnToStoragePool to delete; jobs followed.
//!
//! 4097 "Size Not Supported" means the provider did nothing and put the nearest size it
//! can do in the out `Size`: with [`CreateVolumeRequest::retry_with_proposed_size`] the call
//! is repeated once at that size, else it is `Error::MethodFailed` (label "Size Not
//! Supported", StorageServiceCode 40300).

use crate::cim::ObjectPath;
use crate::error::{Error, Result, StorageServiceCode};
use crate::message::{MethodReturn, ParamValue};

use super::codes::MethodReturnCode;
use super::job::WaitOptions;
use super::views::{SmisArray, StoragePool, StorageVolume};

const METHOD: &str = "CreateOrModifyElementFromStoragePool";

/// Parameters of [`SmisArray::create_volume`].
#[derive(Debug, Clone)]
pub struct CreateVolumeRequest {
    /// ElementName of the new volume.
    pub element_name: String,
    /// Size in bytes.
    pub size: u64,
    /// ElementType: 2 StorageVolume (default), 5 ThinlyProvisionedStorageVolume,
    /// 7 FullyProvisionedStorageVolume.
    pub element_type: u16,
    /// On 4097 Size Not Supported, retry once at the size the provider proposes.
    pub retry_with_proposed_size: bool,
    /// How to wait for a job.
    pub wait: WaitOptions,
}

impl CreateVolumeRequest {
    /// A StorageVolume (ElementType 2) of `size` bytes, no size retry, default waiting.
    pub fn new(element_name: impl Into<String>, size: u64) -> Self {
        CreateVolumeRequest {
            element_name: element_name.into(),
            size,
            element_type: 2,
            retry_with_proposed_size: false,
            wait: WaitOptions::default(),
        }
    }
}

/// Parameters of [`SmisArray::resize_volume`].
#[derive(Debug, Clone)]
pub struct ResizeVolumeRequest {
    /// The new size in bytes.
    pub size: u64,
    /// On 4097 Size Not Supported, retry once at the size the provider proposes.
    pub retry_with_proposed_size: bool,
    /// How to wait for a job.
    pub wait: WaitOptions,
}

impl SmisArray {
    async fn scs_path(&self) -> Result<ObjectPath> {
        Ok(self
            .storage_configuration_service()
            .await?
            .ok_or_else(|| Error::Unsupported {
                code: StorageServiceCode::NOT_SUPPORTED,
                message: "the system hosts no CIM_StorageConfigurationService".into(),
            })?
            .path)
    }

    /// Calls CreateOrModifyElementFromStoragePool; on 4097 retries once at the proposed
    /// size when allowed.
    async fn create_or_modify(
        &self,
        service: &ObjectPath,
        params: impl Fn(u64) -> Vec<ParamValue>,
        size: u64,
        retry: bool,
        wait: &WaitOptions,
    ) -> Result<ObjectPath> {
        let mut ret = self
            .client
            .invoke_method(service, METHOD, params(size))
            .await?;
        if ret.return_code() == Some(4097) && retry {
            let proposed = proposed_size(&ret)?;
            tracing::debug!(
                asked = size,
                proposed,
                "Size Not Supported; retrying at the proposed size"
            );
            ret = self
                .client
                .invoke_method(service, METHOD, params(proposed))
                .await?;
        }
        self.method_result(METHOD, &ret, "TheElement", "CIM_StorageVolume", wait)
            .await
    }

    /// Creates a volume in `pool` (CreateOrModifyElementFromStoragePool with ElementName,
    /// ElementType, InPool, Size).
    pub async fn create_volume(
        &self,
        pool: &StoragePool,
        req: &CreateVolumeRequest,
    ) -> Result<StorageVolume> {
        let service = self.scs_path().await?;
        let params = |size: u64| {
            vec![
                ParamValue::new("ElementName", req.element_name.as_str()),
                ParamValue::new("ElementType", req.element_type),
                ParamValue::new("InPool", pool.path.clone()),
                ParamValue::new("Size", size),
            ]
        };
        let path = self
            .create_or_modify(
                &service,
                params,
                req.size,
                req.retry_with_proposed_size,
                &req.wait,
            )
            .await?;
        self.volume(&path).await
    }

    /// Resizes `volume` (CreateOrModifyElementFromStoragePool with TheElement and Size).
    pub async fn resize_volume(
        &self,
        volume: &StorageVolume,
        req: &ResizeVolumeRequest,
    ) -> Result<StorageVolume> {
        let service = self.scs_path().await?;
        let params = |size: u64| {
            vec![
                ParamValue::new("TheElement", volume.path.clone()),
                ParamValue::new("Size", size),
            ]
        };
        let path = self
            .create_or_modify(
                &service,
                params,
                req.size,
                req.retry_with_proposed_size,
                &req.wait,
            )
            .await;
        // Some providers return 0 without echoing TheElement for a modification.
        match path {
            Ok(p) => self.volume(&p).await,
            Err(Error::UnexpectedResponse(m)) if m.contains("without TheElement") => {
                self.volume(&volume.path).await
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes `volume` (ReturnToStoragePool TheElement).
    pub async fn delete_volume(&self, volume: &StorageVolume, wait: &WaitOptions) -> Result<()> {
        let service = self.scs_path().await?;
        let ret = self
            .client
            .invoke_method(
                &service,
                "ReturnToStoragePool",
                vec![ParamValue::new("TheElement", volume.path.clone())],
            )
            .await?;
        self.method_done("ReturnToStoragePool", &ret, wait).await
    }
}

fn proposed_size(ret: &MethodReturn) -> Result<u64> {
    match ret.get::<Option<u64>>("Size") {
        Ok(Some(s)) if s > 0 => Ok(s),
        Ok(_) => Err(MethodReturnCode(4097).error(METHOD)),
        Err(source) => Err(Error::Value {
            context: format!("{METHOD} out Size"),
            source,
        }),
    }
}
