//! Masking workflows on a [`Masking`] handle: register an initiator, create/delete an
//! access group, add/remove initiators, map/unmap a volume with an optional LUN, list what a
//! group sees. Group masking follows the SNIA "Group Masking and Mapping" recipe
//! (CreateStorageHardwareID, CreateGroup, CreateMaskingView, AddMembers, RemoveMembers,
//! DeleteMaskingView, DeleteGroup); the 1.4 form uses ExposePaths / HidePaths /
//! DeleteProtocolController. Checks that fail before the provider is asked give
//! [`Error::Refused`] with the `MSFT_SMStorageGroup` code (see the table in the README).

use crate::cim::{CimValue, ObjectPath};
use crate::error::{Error, Result};
use crate::message::{MethodReturn, ParamValue};

use super::masking::{
    AccessGroup, MappedVolume, Masking, MaskingStyle, StorageHardwareId, canonical_initiator_id,
    method_failed, path_of, refused,
};
use super::prop_opt;
use super::views::StorageVolume;

/// The highest LUN a client may ask for (Storage Management API: DeviceNumbers 0–254,
/// StorageService code 40036).
pub const MAX_LUN: u32 = 254;

/// Methods whose 4096 means "ID already created" / "not found" rather than a job.
fn job_method(method: &str) -> bool {
    !matches!(
        method,
        "CreateStorageHardwareID" | "DeleteStorageHardwareID" | "DeleteProtocolController"
    )
}

fn canonical(id: &str) -> Result<(String, u16)> {
    canonical_initiator_id(id).ok_or_else(|| {
        refused(
            4098,
            format!(
                "initiator {id:?} is neither a port WWN (16 hex digits) nor an iSCSI name (iqn./eui./naa.)"
            ),
        )
    })
}

impl Masking {
    /// Invokes `method` on `target`; 0 → its out `out` reference (if asked), 4096 → the job
    /// is followed and the element read from `CIM_AffectedJobElement` (class
    /// `result_class`); anything else → [`Error::MethodFailed`] with the masking code.
    async fn call(
        &self,
        target: &ObjectPath,
        method: &str,
        params: Vec<ParamValue>,
        out: Option<(&str, &str)>,
    ) -> Result<(MethodReturn, Option<ObjectPath>)> {
        let a = &self.array;
        let ret = a.client.invoke_method(target, method, params).await?;
        let rc = ret.return_code().ok_or_else(|| {
            Error::UnexpectedResponse(format!("{method} returned no (integer) return value"))
        })?;
        let job = if rc == 0 || (rc == 4096 && job_method(method)) {
            a.job_param(method, &ret)?
        } else {
            return Err(method_failed(method, rc));
        };
        let mut element = None;
        if let Some((name, _)) = out {
            element = ret
                .get::<Option<ObjectPath>>(name)
                .map_err(|source| Error::Value {
                    context: format!("{method} out {name}"),
                    source,
                })?
                .map(|p| a.fill_ns(p));
        }
        match job {
            Some(job) => {
                let outcome = job.wait(&self.wait).await?;
                if element.is_none()
                    && let Some((_, class)) = out
                {
                    element = job
                        .affected_elements(class)
                        .await?
                        .into_iter()
                        .next()
                        .map(|p| a.fill_ns(p));
                }
                job.cleanup(&outcome).await;
            }
            None if rc == 4096 => {
                return Err(Error::UnexpectedResponse(format!(
                    "{method} returned 4096 without a Job"
                )));
            }
            None => {}
        }
        if let Some((name, _)) = out
            && element.is_none()
        {
            return Err(Error::UnexpectedResponse(format!(
                "{method} succeeded without {name}"
            )));
        }
        Ok((ret, element))
    }

    /// Registers an initiator (a port WWN, with or without `:` separators, or an iSCSI
    /// name) or returns the existing `CIM_StorageHardwareID` with the same StorageID
    /// (compared case-insensitively). CreateStorageHardwareID's 4096 "ID already created"
    /// is accepted. An unknown format is [`Error::Refused`] 4098 (nothing sent); no
    /// hardware ID service is 40115.
    pub async fn register_initiator(
        &self,
        id: &str,
        name: Option<&str>,
    ) -> Result<StorageHardwareId> {
        let (canon, id_type) = canonical(id)?;
        if let Some(h) = self.find_initiator(&canon).await? {
            return Ok(h);
        }
        let svc = self.hardware_id_service.clone().ok_or_else(|| {
            refused(
                40115,
                format!(
                    "cannot register initiator {canon}: no CIM_StorageHardwareIDManagementService"
                ),
            )
        })?;
        let mut params = vec![
            ParamValue::new("StorageID", canon.as_str()),
            ParamValue::new("IDType", id_type),
        ];
        if let Some(n) = name {
            params.push(ParamValue::new("ElementName", n));
        }
        let ret = self
            .array
            .client
            .invoke_method(&svc, "CreateStorageHardwareID", params)
            .await?;
        match ret.return_code() {
            Some(0 | 4096) => {}
            Some(rc) => return Err(method_failed("CreateStorageHardwareID", rc)),
            None => {
                return Err(Error::UnexpectedResponse(
                    "CreateStorageHardwareID returned no (integer) return value".into(),
                ));
            }
        }
        self.find_initiator(&canon).await?.ok_or_else(|| {
            refused(
                40115,
                format!("CreateStorageHardwareID succeeded but no hardware ID {canon} exists"),
            )
        })
    }

    async fn find_initiator(&self, canon: &str) -> Result<Option<StorageHardwareId>> {
        Ok(self
            .array
            .initiators()
            .await?
            .into_iter()
            .find(|h| h.storage_id.eq_ignore_ascii_case(canon)))
    }

    /// Deletes a registered initiator (DeleteStorageHardwareID); one still in an access
    /// group is [`Error::Refused`] 40510.
    pub async fn delete_initiator(&self, id: &str) -> Result<()> {
        let (canon, _) = canonical(id)?;
        let h = self
            .find_initiator(&canon)
            .await?
            .ok_or_else(|| refused(8, format!("no initiator {canon} is registered")))?;
        if let Some(g) = self
            .access_groups()
            .await?
            .into_iter()
            .find(|g| g.initiators.iter().any(|i| i.eq_ignore_ascii_case(&canon)))
        {
            return Err(refused(
                40510,
                format!("initiator {canon} is in access group {:?}", g.name),
            ));
        }
        let svc = self
            .hardware_id_service
            .clone()
            .ok_or_else(|| refused(40115, "no CIM_StorageHardwareIDManagementService"))?;
        self.call(
            &svc,
            "DeleteStorageHardwareID",
            vec![ParamValue::new("HardwareID", h.path)],
            None,
        )
        .await
        .map(|_| ())
    }

    /// The access groups: the `CIM_InitiatorMaskingGroup`s hosted by the system (group
    /// masking) or the views of the controller configuration service
    /// (`CIM_ConcreteDependency` → `CIM_SCSIProtocolController`, 1.4).
    pub async fn access_groups(&self) -> Result<Vec<AccessGroup>> {
        let a = &self.array;
        let mut out = Vec::new();
        match self.style {
            MaskingStyle::Group => {
                for g in a
                    .assoc_or_empty(
                        &a.system,
                        "CIM_HostedCollection",
                        "CIM_InitiatorMaskingGroup",
                    )
                    .await?
                {
                    let path = a.fill_ns(path_of(&g)?);
                    out.push(AccessGroup {
                        name: prop_opt(&g, "ElementName")?.unwrap_or_default(),
                        initiators: a.member_ids(&path).await?,
                        path,
                        style: MaskingStyle::Group,
                    });
                }
            }
            MaskingStyle::Spc => {
                for v in a
                    .assoc_or_empty(
                        &self.service,
                        "CIM_ConcreteDependency",
                        "CIM_SCSIProtocolController",
                    )
                    .await?
                {
                    let path = a.fill_ns(path_of(&v)?);
                    if !a
                        .names(
                            &path,
                            "CIM_AssociatedInitiatorMaskingGroup",
                            "CIM_MaskingGroup",
                        )
                        .await?
                        .is_empty()
                    {
                        continue; // a group-masking view, not an access group here
                    }
                    let (name, initiators) = a.view_initiators(&path).await?;
                    out.push(AccessGroup {
                        name,
                        path,
                        style: MaskingStyle::Spc,
                        initiators,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The access group called `name` (ElementName, exact); [`Error::Refused`] 8 Object
    /// Not Found otherwise.
    pub async fn access_group(&self, name: &str) -> Result<AccessGroup> {
        self.access_groups()
            .await?
            .into_iter()
            .find(|g| g.name == name)
            .ok_or_else(|| refused(8, format!("no access group named {name:?}")))
    }

    /// Creates an access group with these initiators (registered first when needed).
    /// Group masking: CreateGroup(Type 2 InitiatorMaskingGroup); 1.4: ExposePaths (with
    /// ElementName when ExposePathsWithNameAndHostType is offered) creating a view with no
    /// volume on every target port, which needs `SPCAllowsNoLUs`. No initiator is 40005, a
    /// name in use 40090.
    pub async fn create_access_group(
        &self,
        name: &str,
        initiators: &[&str],
    ) -> Result<AccessGroup> {
        if name.trim().is_empty() {
            return Err(refused(5, "an access group needs a name"));
        }
        if initiators.is_empty() {
            return Err(refused(
                40005,
                format!("access group {name:?} needs at least one initiator"),
            ));
        }
        let canon = initiators
            .iter()
            .map(|i| canonical(i))
            .collect::<Result<Vec<_>>>()?;
        if self.access_groups().await?.iter().any(|g| g.name == name) {
            return Err(refused(
                40090,
                format!("access group name {name:?} is already in use"),
            ));
        }
        if self.style == MaskingStyle::Spc && !self.capabilities.spc_allows_no_lus {
            return Err(refused(
                1,
                "this array cannot hold a view without volumes (SPCAllowsNoLUs false): map a volume to create the group",
            ));
        }
        let mut ids = Vec::new();
        for (c, _) in &canon {
            ids.push(self.register_initiator(c, None).await?);
        }
        let path = match self.style {
            MaskingStyle::Group => {
                let members: Vec<ObjectPath> = ids.iter().map(|h| h.path.clone()).collect();
                self.call(
                    &self.service,
                    "CreateGroup",
                    vec![
                        ParamValue::new("GroupName", name),
                        ParamValue::new("Type", 2u16),
                        ParamValue::new("Members", members),
                        ParamValue::new("DeleteWhenBecomesUnassociated", false),
                    ],
                    Some(("MaskingGroup", "CIM_InitiatorMaskingGroup")),
                )
                .await?
                .1
            }
            MaskingStyle::Spc => {
                let ids: Vec<String> = canon.iter().map(|c| c.0.clone()).collect();
                let (method, mut params) = if self.capabilities.expose_paths_with_name {
                    (
                        "ExposePathsWithNameAndHostType",
                        vec![ParamValue::new("ElementName", name)],
                    )
                } else {
                    ("ExposePaths", Vec::new())
                };
                params.push(ParamValue::new("InitiatorPortIDs", ids));
                let (ret, _) = self.call(&self.service, method, params, None).await?;
                let pcs: Option<Vec<ObjectPath>> =
                    ret.get("ProtocolControllers")
                        .map_err(|source| Error::Value {
                            context: format!("{method} out ProtocolControllers"),
                            source,
                        })?;
                pcs.and_then(|v| v.into_iter().next())
                    .map(|p| self.array.fill_ns(p))
            }
        };
        let path = path.ok_or_else(|| {
            Error::UnexpectedResponse(format!("creating access group {name:?} returned no group"))
        })?;
        Ok(AccessGroup {
            name: name.to_string(),
            path,
            style: self.style,
            initiators: canon.into_iter().map(|c| c.0).collect(),
        })
    }

    /// The views of an access group.
    async fn views_of(&self, group: &AccessGroup) -> Result<Vec<ObjectPath>> {
        match group.style {
            MaskingStyle::Spc => Ok(vec![group.path.clone()]),
            MaskingStyle::Group => {
                self.array
                    .names(
                        &group.path,
                        "CIM_AssociatedInitiatorMaskingGroup",
                        "CIM_SCSIProtocolController",
                    )
                    .await
            }
        }
    }

    /// The volumes an access group sees, with their LUNs.
    pub async fn group_volumes(&self, group: &AccessGroup) -> Result<Vec<MappedVolume>> {
        let mut out = Vec::new();
        for v in self.views_of(group).await? {
            out.extend(self.array.view_units(&v).await?);
        }
        Ok(out)
    }

    /// Deletes an access group that maps no volume: group masking deletes its (empty)
    /// views and then the group (DeleteGroup Force); 1.4 calls DeleteProtocolController.
    /// A group that still maps volumes is [`Error::Refused`] 40105, naming how many.
    pub async fn delete_access_group(&self, group: &AccessGroup) -> Result<()> {
        let mapped = self.group_volumes(group).await?;
        if !mapped.is_empty() {
            return Err(refused(
                40105,
                format!(
                    "access group {:?} still maps {} volume(s) ({}); unmap them first",
                    group.name,
                    mapped.len(),
                    mapped
                        .iter()
                        .map(|m| m.device_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        match group.style {
            MaskingStyle::Spc => {
                self.call(
                    &self.service,
                    "DeleteProtocolController",
                    vec![
                        ParamValue::new("ProtocolController", group.path.clone()),
                        ParamValue::new("DeleteChildrenProtocolControllers", false),
                        ParamValue::new("DeleteUnits", false),
                    ],
                    None,
                )
                .await?;
            }
            MaskingStyle::Group => {
                for view in self.views_of(group).await? {
                    self.delete_view_and_groups(&view, group).await?;
                }
                self.call(
                    &self.service,
                    "DeleteGroup",
                    vec![
                        ParamValue::new("MaskingGroup", group.path.clone()),
                        ParamValue::new("Force", true),
                    ],
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Adds an initiator to a group (registered first when needed): AddMembers on the
    /// initiator group, or ExposePaths(InitiatorPortIDs, ProtocolControllers) in 1.4. One
    /// already in the group is [`Error::Refused`] 4101.
    pub async fn add_initiator(&self, group: &AccessGroup, id: &str) -> Result<()> {
        let (canon, _) = canonical(id)?;
        if group
            .initiators
            .iter()
            .any(|i| i.eq_ignore_ascii_case(&canon))
        {
            return Err(refused(
                4101,
                format!(
                    "initiator {canon} is already in access group {:?}",
                    group.name
                ),
            ));
        }
        let h = self.register_initiator(&canon, None).await?;
        match group.style {
            MaskingStyle::Group => {
                self.call(
                    &self.service,
                    "AddMembers",
                    vec![
                        ParamValue::new("MaskingGroup", group.path.clone()),
                        ParamValue::new("Members", vec![h.path]),
                    ],
                    None,
                )
                .await?;
            }
            MaskingStyle::Spc => {
                self.call(
                    &self.service,
                    "ExposePaths",
                    vec![
                        ParamValue::new("InitiatorPortIDs", vec![canon]),
                        ParamValue::new("ProtocolControllers", vec![group.path.clone()]),
                    ],
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Removes an initiator from a group: RemoveMembers, or HidePaths(InitiatorPortIDs) in
    /// 1.4. One not in the group is [`Error::Refused`] 4100; the last one is refused with 5
    /// (delete the group instead), as libstoragemgmt refuses it.
    pub async fn remove_initiator(&self, group: &AccessGroup, id: &str) -> Result<()> {
        let (canon, _) = canonical(id)?;
        if !group
            .initiators
            .iter()
            .any(|i| i.eq_ignore_ascii_case(&canon))
        {
            return Err(refused(
                4100,
                format!("initiator {canon} is not in access group {:?}", group.name),
            ));
        }
        if group.initiators.len() == 1 {
            return Err(refused(
                5,
                format!(
                    "initiator {canon} is the last one of access group {:?}; delete the group instead",
                    group.name
                ),
            ));
        }
        match group.style {
            MaskingStyle::Group => {
                let h = self
                    .find_initiator(&canon)
                    .await?
                    .ok_or_else(|| refused(4098, format!("initiator {canon} is not registered")))?;
                self.call(
                    &self.service,
                    "RemoveMembers",
                    vec![
                        ParamValue::new("MaskingGroup", group.path.clone()),
                        ParamValue::new("Members", vec![h.path]),
                    ],
                    None,
                )
                .await?;
            }
            MaskingStyle::Spc => {
                self.call(
                    &self.service,
                    "HidePaths",
                    vec![
                        ParamValue::new("InitiatorPortIDs", vec![canon]),
                        ParamValue::new("ProtocolControllers", vec![group.path.clone()]),
                    ],
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Maps `volume` to `group` at `lun` (or a LUN the array picks) and returns the LUN
    /// the array reports. Group masking: AddMembers on the device group of the group's view,
    /// or CreateGroup (target group of every target port, device group of the volume) and
    /// CreateMaskingView — groups this call created are deleted again when the view cannot
    /// be made. 1.4: ExposePaths(LUNames = volume Name, DeviceNumbers, DeviceAccesses 2).
    /// Refusals: LUN over 254 40036, a LUN the array does not let clients choose 40030, the
    /// volume already mapped to the group 4101, the LUN already used in the group 4102.
    pub async fn map_volume(
        &self,
        volume: &StorageVolume,
        group: &AccessGroup,
        lun: Option<u32>,
    ) -> Result<u32> {
        if let Some(l) = lun {
            if l > MAX_LUN {
                return Err(refused(
                    40036,
                    format!(
                        "LUN {l} for volume {} is out of range 0-{MAX_LUN}",
                        volume.device_id
                    ),
                ));
            }
            if !self.capabilities.client_selectable_device_numbers {
                return Err(refused(
                    40030,
                    "this array picks LUNs itself (ClientSelectableDeviceNumbers false)",
                ));
            }
        }
        let mapped = self.group_volumes(group).await?;
        if let Some(m) = mapped.iter().find(|m| m.device_id == volume.device_id) {
            return Err(refused(
                4101,
                format!(
                    "volume {} is already mapped to access group {:?} as LUN {}",
                    volume.device_id, group.name, m.lun
                ),
            ));
        }
        if let Some(l) = lun
            && let Some(m) = mapped.iter().find(|m| m.lun == l)
        {
            return Err(refused(
                4102,
                format!(
                    "LUN {l} of access group {:?} is already used by volume {}",
                    group.name, m.device_id
                ),
            ));
        }
        let dn = lun.map(|l| vec![format!("{l:X}")]);
        let view = match group.style {
            MaskingStyle::Spc => {
                let name = volume
                    .name
                    .clone()
                    .unwrap_or_else(|| volume.device_id.clone());
                let mut params = vec![
                    ParamValue::new("LUNames", vec![name]),
                    ParamValue::new("DeviceAccesses", vec![2u16]),
                    ParamValue::new("ProtocolControllers", vec![group.path.clone()]),
                ];
                if let Some(d) = dn {
                    params.push(ParamValue::new("DeviceNumbers", d));
                }
                self.call(&self.service, "ExposePaths", params, None)
                    .await?;
                group.path.clone()
            }
            MaskingStyle::Group => self.map_group(volume, group, dn).await?,
        };
        self.array
            .view_units(&view)
            .await?
            .into_iter()
            .find(|m| m.device_id == volume.device_id)
            .map(|m| m.lun)
            .ok_or_else(|| {
                Error::UnexpectedResponse(format!(
                    "volume {} was mapped but its view reports no ProtocolControllerForUnit",
                    volume.device_id
                ))
            })
    }

    async fn map_group(
        &self,
        volume: &StorageVolume,
        group: &AccessGroup,
        dn: Option<Vec<String>>,
    ) -> Result<ObjectPath> {
        let a = &self.array;
        if let Some(view) = self.views_of(group).await?.into_iter().next() {
            let dmg = a
                .names(
                    &view,
                    "CIM_AssociatedDeviceMaskingGroup",
                    "CIM_DeviceMaskingGroup",
                )
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    Error::UnexpectedResponse(format!(
                        "view {} of access group {:?} has no device masking group",
                        view.canonical(),
                        group.name
                    ))
                })?;
            let mut params = vec![
                ParamValue::new("MaskingGroup", dmg),
                ParamValue::new("Members", vec![volume.path.clone()]),
            ];
            if let Some(d) = dn {
                params.push(ParamValue::new("DeviceNumbers", d));
            }
            self.call(&self.service, "AddMembers", params, None).await?;
            return Ok(view);
        }
        let ports: Vec<ObjectPath> = a
            .target_ports()
            .await?
            .into_iter()
            .map(|p| p.endpoint)
            .collect();
        let (_, tmg) = self
            .call(
                &self.service,
                "CreateGroup",
                vec![
                    ParamValue::new("GroupName", format!("{}-ports", group.name)),
                    ParamValue::new("Type", 3u16),
                    ParamValue::new("Members", ports),
                ],
                Some(("MaskingGroup", "CIM_TargetMaskingGroup")),
            )
            .await?;
        let tmg = tmg.unwrap_or_else(|| group.path.clone());
        let dmg = self
            .call(
                &self.service,
                "CreateGroup",
                vec![
                    ParamValue::new("GroupName", format!("{}-volumes", group.name)),
                    ParamValue::new("Type", 4u16),
                    ParamValue::new("Members", vec![volume.path.clone()]),
                ],
                Some(("MaskingGroup", "CIM_DeviceMaskingGroup")),
            )
            .await;
        let dmg = match dmg {
            Ok((_, Some(d))) => d,
            Ok((_, None)) => unreachable_none("CreateGroup")?,
            Err(e) => {
                self.rollback(&[tmg]).await;
                return Err(e);
            }
        };
        let mut params = vec![
            ParamValue::new("ElementName", format!("{}-view", group.name)),
            ParamValue::new("InitiatorMaskingGroup", group.path.clone()),
            ParamValue::new("TargetMaskingGroup", tmg.clone()),
            ParamValue::new("DeviceMaskingGroup", dmg.clone()),
        ];
        if let Some(d) = dn {
            params.push(ParamValue::new("DeviceNumbers", d));
        }
        match self
            .call(
                &self.service,
                "CreateMaskingView",
                params,
                Some(("ProtocolController", "CIM_SCSIProtocolController")),
            )
            .await
        {
            Ok((_, Some(view))) => Ok(view),
            Ok((_, None)) => unreachable_none("CreateMaskingView"),
            Err(e) => {
                // Nothing half-created: remove the groups this call made. The device group
                // first loses its member so that no array refuses the delete.
                self.rollback(&[dmg, tmg]).await;
                Err(e)
            }
        }
    }

    /// Best-effort deletion of groups this call created (errors logged, the caller returns
    /// the original failure).
    async fn rollback(&self, groups: &[ObjectPath]) {
        for g in groups {
            let r = self
                .call(
                    &self.service,
                    "DeleteGroup",
                    vec![
                        ParamValue::new("MaskingGroup", g.clone()),
                        ParamValue::new("Force", true),
                    ],
                    None,
                )
                .await;
            if let Err(e) = r {
                tracing::warn!(group = %g.canonical(), error = %e, "rollback: DeleteGroup failed");
            }
        }
    }

    /// Unmaps `volume` from `group`. Group masking: RemoveMembers from the view's device
    /// group, or — for its last volume — DeleteMaskingView and then the device group and
    /// the target group this library created for the view; 1.4: HidePaths(LUNames). A
    /// volume the group does not see is [`Error::Refused`] 4100.
    pub async fn unmap_volume(&self, volume: &StorageVolume, group: &AccessGroup) -> Result<()> {
        let a = &self.array;
        let mut view = None;
        for v in self.views_of(group).await? {
            let units = a.view_units(&v).await?;
            if units.iter().any(|u| u.device_id == volume.device_id) {
                view = Some((v, units.len()));
                break;
            }
        }
        let Some((view, count)) = view else {
            return Err(refused(
                4100,
                format!(
                    "volume {} is not mapped to access group {:?}",
                    volume.device_id, group.name
                ),
            ));
        };
        match group.style {
            MaskingStyle::Spc => {
                let name = volume
                    .name
                    .clone()
                    .unwrap_or_else(|| volume.device_id.clone());
                self.call(
                    &self.service,
                    "HidePaths",
                    vec![
                        ParamValue::new("LUNames", vec![name]),
                        ParamValue::new("ProtocolControllers", vec![view]),
                    ],
                    None,
                )
                .await?;
            }
            MaskingStyle::Group if count == 1 => {
                self.delete_view_and_groups(&view, group).await?;
            }
            MaskingStyle::Group => {
                let dmg = a
                    .names(
                        &view,
                        "CIM_AssociatedDeviceMaskingGroup",
                        "CIM_DeviceMaskingGroup",
                    )
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        refused(
                            40112,
                            format!("view {} has no device group", view.canonical()),
                        )
                    })?;
                self.call(
                    &self.service,
                    "RemoveMembers",
                    vec![
                        ParamValue::new("MaskingGroup", dmg),
                        ParamValue::new("Members", vec![volume.path.clone()]),
                    ],
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// DeleteMaskingView, then DeleteGroup(Force) of its device group and of the target
    /// and device groups named by this library (`<group>-ports`, `<group>-volumes`) that no
    /// other view uses.
    async fn delete_view_and_groups(&self, view: &ObjectPath, group: &AccessGroup) -> Result<()> {
        let a = &self.array;
        let mut others = Vec::new();
        for (assoc, class, suffix) in [
            (
                "CIM_AssociatedDeviceMaskingGroup",
                "CIM_DeviceMaskingGroup",
                "-volumes",
            ),
            (
                "CIM_AssociatedTargetMaskingGroup",
                "CIM_TargetMaskingGroup",
                "-ports",
            ),
        ] {
            for g in a.assoc_or_empty(view, assoc, class).await? {
                let name: Option<String> = prop_opt(&g, "ElementName")?;
                if name.as_deref() == Some(&format!("{}{suffix}", group.name)) {
                    others.push((a.fill_ns(path_of(&g)?), assoc));
                }
            }
        }
        self.call(
            &self.service,
            "DeleteMaskingView",
            vec![ParamValue::new("ProtocolController", view.clone())],
            None,
        )
        .await?;
        for (g, assoc) in others {
            let class = "CIM_SCSIProtocolController";
            if a.names(&g, assoc, class).await?.is_empty() {
                self.call(
                    &self.service,
                    "DeleteGroup",
                    vec![
                        ParamValue::new("MaskingGroup", g),
                        ParamValue::new("Force", CimValue::Boolean(true)),
                    ],
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }
}

fn unreachable_none<T>(method: &str) -> Result<T> {
    Err(Error::UnexpectedResponse(format!(
        "{method} succeeded without its out reference"
    )))
}
