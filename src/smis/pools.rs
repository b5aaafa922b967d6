//! `CIM_ResourcePoolConfigurationService.CreateChildResourcePool` (DMTF DSP1041
//! Resource Allocation Profile; the method's MOF in the DMTF CIM Schema 2.49) and `DeleteResourcePool`.
//!
//! `Settings[]` is a string array qualified `EmbeddedInstance("CIM_ResourceAllocationSettingData")`:
//! each [`ResourceAllocationSettings`] becomes an embedded RASD instance
//! (`CimValue::Instance`); `ParentPool[]` is a reference array.
//!
//! | return value (MOF `Values` label) | result |
//! |---|---|
//! | 0 Job Completed with No Error | the pool from out `Pool` |
//! | 4096 Method Parameters Checked - Job Started | follow the job; the pool from out `Pool` or CIM_AffectedJobElement |
//! | 1..=8 (1 Not Supported ... 5 Invalid Parameter, 6 In Use, 7 Incorrect ResourceType for the Pool, 8 Insufficient Resources) | `Error::MethodFailed`, StorageServiceCode = same number |
//! | 4097 Size Not Supported, 9..4095 DMTF Reserved, 4098..32767 Method Reserved, 32768..65535 Vendor Specific | `Error::MethodFailed`, StorageServiceCode 40300 |

use crate::cim::{CimArray, CimType, CimValue, Instance, ObjectPath};
use crate::error::{Error, Result};
use crate::message::ParamValue;

use super::codes::PoolReturnCode;
use super::job::WaitOptions;
use super::views::{ResourcePoolConfigurationService, SmisArray};
use super::{prop, prop_opt};

/// One `CIM_ResourceAllocationSettingData` for the `Settings[]` parameter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceAllocationSettings {
    /// `ResourceType` (e.g. 31 Logical Disk, 32 Storage Volume, 19 Storage Extent).
    pub resource_type: u16,
    /// `Reservation`, in `allocation_units`.
    pub reservation: Option<u64>,
    /// `Limit`, in `allocation_units`.
    pub limit: Option<u64>,
    /// `AllocationUnits` (e.g. "byte", "byte*2^30").
    pub allocation_units: Option<String>,
    /// `PoolID` of the parent pool the resources come from.
    pub pool_id: Option<String>,
    /// `ElementName`.
    pub element_name: Option<String>,
    /// `InstanceID` (providers usually ignore it on input).
    pub instance_id: Option<String>,
    /// `VirtualQuantity`.
    pub virtual_quantity: Option<u64>,
}

impl ResourceAllocationSettings {
    /// The embedded `CIM_ResourceAllocationSettingData` instance.
    pub fn to_instance(&self) -> Instance {
        let mut i = Instance::new("CIM_ResourceAllocationSettingData")
            .with("ResourceType", self.resource_type);
        if let Some(v) = &self.instance_id {
            i.set("InstanceID", v.as_str());
        }
        if let Some(v) = &self.element_name {
            i.set("ElementName", v.as_str());
        }
        if let Some(v) = &self.pool_id {
            i.set("PoolID", v.as_str());
        }
        if let Some(v) = self.reservation {
            i.set("Reservation", v);
        }
        if let Some(v) = self.limit {
            i.set("Limit", v);
        }
        if let Some(v) = self.virtual_quantity {
            i.set("VirtualQuantity", v);
        }
        if let Some(v) = &self.allocation_units {
            i.set("AllocationUnits", v.as_str());
        }
        i
    }
}

/// Parameters of [`SmisArray::create_child_resource_pool`].
#[derive(Debug, Clone)]
pub struct ChildPoolRequest {
    /// `ElementName` of the new pool.
    pub element_name: String,
    /// `Settings[]`.
    pub settings: Vec<ResourceAllocationSettings>,
    /// `ParentPool[]`.
    pub parent_pools: Vec<ObjectPath>,
    /// How to wait for a job.
    pub wait: WaitOptions,
}

/// A resource pool (`CIM_ResourcePool`, or a `CIM_StoragePool`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePool {
    /// Instance path.
    pub path: ObjectPath,
    /// `InstanceID`.
    pub instance_id: String,
    /// `PoolID`.
    pub pool_id: Option<String>,
    /// `ElementName`.
    pub element_name: Option<String>,
    /// `ResourceType`.
    pub resource_type: Option<u16>,
    /// `Primordial`.
    pub primordial: bool,
    /// `Capacity`.
    pub capacity: Option<u64>,
    /// `Reserved`.
    pub reserved: Option<u64>,
    /// `AllocationUnits`.
    pub allocation_units: Option<String>,
}

impl TryFrom<&Instance> for ResourcePool {
    type Error = Error;
    fn try_from(i: &Instance) -> Result<Self> {
        Ok(ResourcePool {
            path: i.path.clone().ok_or_else(|| {
                Error::UnexpectedResponse(format!("{} instance came without a path", i.class_name))
            })?,
            instance_id: prop(i, "InstanceID")?,
            pool_id: prop_opt(i, "PoolID")?,
            element_name: prop_opt(i, "ElementName")?,
            resource_type: prop_opt(i, "ResourceType")?,
            primordial: prop_opt(i, "Primordial")?.unwrap_or(false),
            capacity: prop_opt(i, "Capacity")?,
            reserved: prop_opt(i, "Reserved")?,
            allocation_units: prop_opt(i, "AllocationUnits")?,
        })
    }
}

fn settings_param(settings: &[ResourceAllocationSettings]) -> ParamValue {
    let items = settings
        .iter()
        .map(|s| Some(CimValue::Instance(Box::new(s.to_instance()))))
        .collect();
    ParamValue::new(
        "Settings",
        CimValue::from(CimArray::new(CimType::String, items)),
    )
}

impl SmisArray {
    async fn rpcs(&self) -> Result<ResourcePoolConfigurationService> {
        self.resource_pool_configuration_service()
            .await?
            .ok_or_else(|| Error::Unsupported {
                code: crate::error::StorageServiceCode::NOT_SUPPORTED,
                message: "the system hosts no CIM_ResourcePoolConfigurationService".into(),
            })
    }

    /// Creates a child resource pool (`CIM_ResourcePoolConfigurationService.CreateChildResourcePool`,
    /// DMTF CIM Schema 2.49) and returns it.
    pub async fn create_child_resource_pool(&self, req: &ChildPoolRequest) -> Result<ResourcePool> {
        const METHOD: &str = "CreateChildResourcePool";
        let service = self.rpcs().await?;
        let params = vec![
            ParamValue::new("ElementName", req.element_name.as_str()),
            settings_param(&req.settings),
            ParamValue::new("ParentPool", req.parent_pools.clone()),
        ];
        let ret = self
            .client
            .invoke_method(&service.path, METHOD, params)
            .await?;
        let rc = ret.return_code().ok_or_else(|| {
            Error::UnexpectedResponse(format!("{METHOD} returned no (integer) return value"))
        })?;
        let pool_out = |ret: &crate::message::MethodReturn| -> Result<Option<ObjectPath>> {
            ret.get::<Option<ObjectPath>>("Pool")
                .map_err(|source| Error::Value {
                    context: format!("{METHOD} out Pool"),
                    source,
                })
        };
        let path = match rc {
            0 => pool_out(&ret)?.ok_or_else(|| {
                Error::UnexpectedResponse(format!("{METHOD} returned 0 without Pool"))
            })?,
            4096 => {
                let job = self.job_param(METHOD, &ret)?.ok_or_else(|| {
                    Error::UnexpectedResponse(format!("{METHOD} returned 4096 without a Job"))
                })?;
                let outcome = job.wait(&req.wait).await?;
                let found =
                    match pool_out(&ret)? {
                        Some(p) => Ok(p),
                        None => job.affected_elements("CIM_ResourcePool").await.and_then(
                            |mut v| match v.len() {
                                1 => Ok(v.remove(0)),
                                n => Err(Error::UnexpectedResponse(format!(
                                    "{METHOD} job finished with {n} affected pools, expected 1"
                                ))),
                            },
                        ),
                    };
                job.cleanup(&outcome).await;
                found?
            }
            rc => return Err(PoolReturnCode(rc).error(METHOD)),
        };
        let inst = self
            .client
            .get_instance(&self.fill_ns(path), &Default::default())
            .await?;
        ResourcePool::try_from(&inst)
    }

    /// Deletes a resource pool (`DeleteResourcePool(Pool)`); 6 In Use when allocations are
    /// outstanding.
    pub async fn delete_resource_pool(&self, pool: &ObjectPath, wait: &WaitOptions) -> Result<()> {
        const METHOD: &str = "DeleteResourcePool";
        let service = self.rpcs().await?;
        let ret = self
            .client
            .invoke_method(
                &service.path,
                METHOD,
                vec![ParamValue::new("Pool", pool.clone())],
            )
            .await?;
        match ret.return_code() {
            Some(0) | Some(4096) => self.method_done(METHOD, &ret, wait).await,
            Some(rc) => Err(PoolReturnCode(rc).error(METHOD)),
            None => Err(Error::UnexpectedResponse(format!(
                "{METHOD} returned no (integer) return value"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_embedded_instances() {
        let p = settings_param(&[ResourceAllocationSettings {
            resource_type: 31,
            reservation: Some(1 << 30),
            allocation_units: Some("byte".into()),
            ..Default::default()
        }]);
        assert_eq!(p.embedded, Some(crate::cim::EmbeddedKind::Instance));
        assert_eq!(p.cim_type, Some(CimType::String));
        let Some(CimValue::Array(a)) = &p.value else {
            panic!("Settings must be an array")
        };
        let Some(Some(CimValue::Instance(i))) = a.items.first() else {
            panic!("Settings[0] must be an embedded instance")
        };
        assert_eq!(i.class_name, "CIM_ResourceAllocationSettingData");
        assert_eq!(i.get::<u16>("ResourceType").unwrap(), 31);
        assert_eq!(i.get::<u64>("Reservation").unwrap(), 1 << 30);
        let parents = ParamValue::new(
            "ParentPool",
            vec![ObjectPath::new("root/smis-sim", "SIMS_StoragePool").with_key("InstanceID", "P1")],
        );
        assert_eq!(parents.cim_type, Some(CimType::Reference));
    }
}
