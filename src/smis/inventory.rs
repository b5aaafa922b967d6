//! Per-pool capabilities and disk drives.
//!
//! - [`PoolCapabilities`]: the pool's own `CIM_StorageConfigurationCapabilities`, reached
//!   with `Associators(pool, AssocClass=CIM_ElementCapabilities,
//!   ResultClass=CIM_StorageConfigurationCapabilities)` as libstoragemgmt's SMI-S plugin
//!   reads it (SNIA SMI-S Block Services): what the pool can make (2 StorageVolume, 5
//!   ThinlyProvisionedStorageVolume) and change (12 Capacity Expansion, 13 Capacity
//!   Reduction).
//! - [`DiskDrive`]: `CIM_DiskDrive` of the SNIA "Disk Drive Lite" profile, hosted by the
//!   system through `CIM_SystemDevice`, its size from the primordial `CIM_StorageExtent`
//!   behind `CIM_MediaPresent`; `InterconnectType` and `DiskType` with the DMTF CIM 2.49
//!   value maps.

use crate::cim::{Instance, ObjectPath};
use crate::client::EnumerateInstancesOptions;
use crate::error::{Error, Result};

use super::views::{SmisArray, StoragePool};
use super::{is_absent, prop, prop_opt, prop_vec};

/// A pool's `CIM_StorageConfigurationCapabilities`.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCapabilities {
    /// Instance path.
    pub path: ObjectPath,
    /// `InstanceID`.
    pub instance_id: String,
    /// `SupportedStorageElementTypes` (2 StorageVolume, 5 ThinlyProvisionedStorageVolume,
    /// 7-9 thin pool types ...).
    pub element_types: Vec<u16>,
    /// `SupportedStorageElementFeatures` (3 StorageVolume Creation, 5 StorageVolume
    /// Modification, 12 Capacity Expansion, 13 Capacity Reduction ...).
    pub element_features: Vec<u16>,
    /// `SupportedStoragePoolFeatures` (2 InExtents, 3 Single InPool, 6 Pool Expansion ...).
    pub pool_features: Vec<u16>,
}

impl TryFrom<&Instance> for PoolCapabilities {
    type Error = Error;
    fn try_from(i: &Instance) -> Result<Self> {
        Ok(PoolCapabilities {
            path: i.path.clone().ok_or_else(|| {
                Error::UnexpectedResponse(format!("{} instance came without a path", i.class_name))
            })?,
            instance_id: prop(i, "InstanceID")?,
            element_types: prop_vec(i, "SupportedStorageElementTypes")?,
            element_features: prop_vec(i, "SupportedStorageElementFeatures")?,
            pool_features: prop_vec(i, "SupportedStoragePoolFeatures")?,
        })
    }
}

impl PoolCapabilities {
    /// Fully provisioned volumes can be made here (element type 2).
    pub fn thick(&self) -> bool {
        self.element_types.contains(&2)
    }

    /// Thinly provisioned volumes can be made here (element type 5).
    pub fn thin(&self) -> bool {
        self.element_types.contains(&5)
    }

    /// Volumes can be created (feature 3).
    pub fn can_create_volumes(&self) -> bool {
        self.element_features.contains(&3)
    }

    /// Volumes can grow (feature 12 Capacity Expansion).
    pub fn can_expand(&self) -> bool {
        self.element_features.contains(&12)
    }

    /// Volumes can shrink (feature 13 Capacity Reduction).
    pub fn can_shrink(&self) -> bool {
        self.element_features.contains(&13)
    }
}

/// A disk drive (`CIM_DiskDrive`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiskDrive {
    /// Instance path.
    pub path: ObjectPath,
    /// `DeviceID`.
    pub device_id: String,
    /// `Name`.
    pub name: Option<String>,
    /// `ElementName`.
    pub element_name: Option<String>,
    /// `Caption` (EMC VNX reports `NL_SAS` here).
    pub caption: Option<String>,
    /// `InterconnectType`: 3 ATA, 4 SATA, 5 SAS, 6 FC, 7 SOP.
    pub interconnect_type: Option<u16>,
    /// `DiskType`: 2 HDD, 3 SSD, 4 Hybrid.
    pub disk_type: Option<u16>,
    /// `RPM`.
    pub rpm: Option<u32>,
    /// `OperationalStatus`.
    pub operational_status: Vec<u16>,
    /// Bytes, from the primordial extent (`BlockSize` × `NumberOfBlocks`), when found.
    pub size_bytes: Option<u64>,
}

impl TryFrom<&Instance> for DiskDrive {
    type Error = Error;
    fn try_from(i: &Instance) -> Result<Self> {
        Ok(DiskDrive {
            path: i.path.clone().ok_or_else(|| {
                Error::UnexpectedResponse(format!("{} instance came without a path", i.class_name))
            })?,
            device_id: prop(i, "DeviceID")?,
            name: prop_opt(i, "Name")?,
            element_name: prop_opt(i, "ElementName")?,
            caption: prop_opt(i, "Caption")?,
            interconnect_type: prop_opt(i, "InterconnectType")?,
            disk_type: prop_opt(i, "DiskType")?,
            rpm: prop_opt(i, "RPM")?,
            operational_status: prop_vec(i, "OperationalStatus")?,
            size_bytes: None,
        })
    }
}

impl DiskDrive {
    /// The interconnect as a word (`SAS`, `SATA`, ...), None when not reported.
    pub fn interconnect(&self) -> Option<&'static str> {
        Some(match self.interconnect_type? {
            1 => "Other",
            2 => "Not Applicable",
            3 => "ATA",
            4 => "SATA",
            5 => "SAS",
            6 => "FC",
            7 => "SOP",
            _ => "Unknown",
        })
    }

    /// The medium (`HDD`, `SSD`, `Hybrid`), None when not reported.
    pub fn medium(&self) -> Option<&'static str> {
        Some(match self.disk_type? {
            1 => "Other",
            2 => "HDD",
            3 => "SSD",
            4 => "Hybrid",
            _ => "Unknown",
        })
    }
}

impl SmisArray {
    /// The pool's own capabilities, if it has exactly one (libstoragemgmt falls back to
    /// guessing for zero or several; so does the caller here, with `None`).
    pub async fn pool_capabilities(&self, pool: &StoragePool) -> Result<Option<PoolCapabilities>> {
        let v = match Self::assoc(
            &self.client,
            &pool.path,
            "CIM_ElementCapabilities",
            "CIM_StorageConfigurationCapabilities",
        )
        .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        match v.as_slice() {
            [one] => PoolCapabilities::try_from(one).map(Some),
            _ => Ok(None),
        }
    }

    /// The system's disk drives (CIM_SystemDevice, or EnumerateInstances(CIM_DiskDrive)
    /// filtered by SystemName where associations are not served), each with its size from
    /// the primordial extent (one Associators call per drive).
    pub async fn disks(&self) -> Result<Vec<DiskDrive>> {
        let v = match Self::assoc(
            &self.client,
            &self.system,
            "CIM_SystemDevice",
            "CIM_DiskDrive",
        )
        .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => self.enumerate_disks().await?,
            Err(e) => return Err(e),
        };
        let mut out = Vec::with_capacity(v.len());
        for i in &v {
            let mut d = DiskDrive::try_from(i)?;
            let extents = match Self::assoc(
                &self.client,
                &d.path,
                "CIM_MediaPresent",
                "CIM_StorageExtent",
            )
            .await
            {
                Ok(x) => x,
                Err(e) if is_absent(&e) => Vec::new(),
                Err(e) => return Err(e),
            };
            let primordial: Vec<&Instance> = extents
                .iter()
                .filter(|x| x.get_opt::<bool>("Primordial").ok().flatten() != Some(false))
                .collect();
            if let [x] = primordial.as_slice() {
                let bs: Option<u64> = prop_opt(x, "BlockSize")?;
                let n: Option<u64> = prop_opt(x, "NumberOfBlocks")?;
                d.size_bytes = bs.zip(n).and_then(|(b, n)| b.checked_mul(n));
            }
            out.push(d);
        }
        Ok(out)
    }

    async fn enumerate_disks(&self) -> Result<Vec<Instance>> {
        let name = self
            .system
            .key("Name")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let all = match self
            .client
            .enumerate_instances(
                "CIM_DiskDrive",
                &EnumerateInstancesOptions::new().namespace(self.namespace.clone()),
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(all
            .into_iter()
            .filter(|i| name.is_none() || i.get_opt::<String>("SystemName").ok().flatten() == name)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views() {
        let mut c = Instance::new("X_StorageConfigurationCapabilities")
            .with("InstanceID", "c1")
            .with("SupportedStorageElementTypes", vec![2u16, 5])
            .with("SupportedStorageElementFeatures", vec![3u16, 12, 13]);
        c.path = Some(ObjectPath::new("root/x", "X").with_key("InstanceID", "c1"));
        let c = PoolCapabilities::try_from(&c).unwrap();
        assert!(c.thin() && c.thick() && c.can_create_volumes() && c.can_expand());
        assert!(c.can_shrink());
        let mut d = Instance::new("X_DiskDrive")
            .with("DeviceID", "d0")
            .with("InterconnectType", 4u16)
            .with("DiskType", 3u16);
        d.path = Some(ObjectPath::new("root/x", "X_DiskDrive").with_key("DeviceID", "d0"));
        let d = DiskDrive::try_from(&d).unwrap();
        assert_eq!((d.interconnect(), d.medium()), (Some("SATA"), Some("SSD")));
        let mut bad = Instance::new("X_DiskDrive")
            .with("DeviceID", "d1")
            .with("DiskType", "ssd");
        bad.path = d.path.clone().into();
        assert!(matches!(
            DiskDrive::try_from(&bad),
            Err(Error::Value { context, .. }) if context == "X_DiskDrive.DiskType"
        ));
    }
}
