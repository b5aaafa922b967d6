//! Masking and mapping: initiators (storage hardware IDs), target ports, access groups and
//! which host sees which volume at which LUN.
//!
//! Two SNIA SMI-S forms are handled, chosen from the array's capabilities:
//! - **Group Masking and Mapping** (SMI-S 1.5+; `CIM_GroupMaskingMappingService`): an
//!   access group is a `CIM_InitiatorMaskingGroup`; mapping a volume puts it in the device
//!   masking group of the group's view, or creates a target group, a device group and a view
//!   (`CreateGroup` ×2, `CreateMaskingView`), as libstoragemgmt's SMI-S plugin does.
//! - **Masking and Mapping 1.4** (`CIM_ControllerConfigurationService.ExposePaths` /
//!   `HidePaths`): an access group is a view (`CIM_SCSIProtocolController`) created with
//!   its initiators and no volume (`SPCAllowsNoLUs`), volumes are exposed and hidden in it.
//!
//! Both report the LUN from `CIM_ProtocolControllerForUnit.DeviceNumber` (hexadecimal, as
//! every SMI-S client reads it). Every failure carries the StorageService code of the
//! matching Windows Storage Management API method (`MSFT_SMStorageGroup.AddInitiator`,
//! `AddStorageVolumes`, `RemoveStorageVolumes`, `Delete`, `MSFT_SMSystem.CreateStorageGroup`,
//! `CreateStorageHardwareID`): a refusal before anything changed is [`Error::Refused`], a
//! provider failure [`Error::MethodFailed`] with the return value mapped by
//! [`masking_return_code`], a CIM error 43000 + its status. Provider jobs (4096) are followed.
//!
//! ```no_run
//! # async fn demo(array: smis::smis::SmisArray) -> smis::Result<()> {
//! let masking = array.masking().await?;                     // capabilities checked
//! let group = masking.create_access_group("host1", &["21:00:00:1b:32:a1:b2:c3"]).await?;
//! let volume = array.volumes().await?.remove(0);
//! let lun = masking.map_volume(&volume, &group, None).await?; // the array picks the LUN
//! for seen in array.volume_access(&volume.path).await? {
//!     println!("{} sees it as LUN {}", seen.group, seen.lun);
//! }
//! # let _ = lun; Ok(()) }
//! ```

use crate::cim::{Instance, ObjectPath};
use crate::client::{AssociatorsOptions, EnumerateInstancesOptions, ReferencesOptions};
use crate::error::{Error, Result, StorageServiceCode};

use super::job::WaitOptions;
use super::views::SmisArray;
use super::{is_absent, prop, prop_opt, prop_vec};

/// Which masking form a [`Masking`] handle uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum MaskingStyle {
    /// SNIA "Group Masking and Mapping" (CreateGroup / CreateMaskingView).
    Group,
    /// SNIA "Masking and Mapping" 1.4 (ExposePaths / HidePaths).
    Spc,
}

/// The kind of an initiator id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum InitiatorKind {
    /// IDType 2: an FC port WWN.
    PortWwn,
    /// IDType 5: an iSCSI name.
    IscsiName,
    /// Any other IDType.
    Other(u16),
}

/// The canonical form of an initiator id and its IDType: an FC port WWN as 16 upper-case
/// hex digits without separators (the SNIA form of `CIM_StorageHardwareID.StorageID` and
/// `CIM_FCPort.PermanentAddress`), or an iSCSI name (`iqn.`, `eui.`, `naa.`, RFC 3720) in
/// lower case. `None` for anything else.
pub fn canonical_initiator_id(id: &str) -> Option<(String, u16)> {
    let id = id.trim();
    let hex: String = id.chars().filter(|c| *c != ':' && *c != '-').collect();
    if hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some((hex.to_ascii_uppercase(), 2));
    }
    let l = id.to_ascii_lowercase();
    let iscsi = (l.starts_with("iqn.") || l.starts_with("eui.") || l.starts_with("naa."))
        && l.len() > 4
        && l.len() <= 223
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    iscsi.then_some((l, 5))
}

/// A `CIM_StorageHardwareID`: an initiator port the array knows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StorageHardwareId {
    /// Its path.
    #[serde(skip)]
    pub path: ObjectPath,
    /// StorageID: the WWN or iSCSI name.
    pub storage_id: String,
    /// IDType (2 port WWN, 5 iSCSI name, ...).
    pub id_type: u16,
    /// ElementName.
    pub element_name: Option<String>,
}

/// An initiator is a storage hardware ID.
pub type Initiator = StorageHardwareId;

impl StorageHardwareId {
    /// The kind of id.
    pub fn kind(&self) -> InitiatorKind {
        match self.id_type {
            2 => InitiatorKind::PortWwn,
            5 => InitiatorKind::IscsiName,
            t => InitiatorKind::Other(t),
        }
    }
}

impl TryFrom<&Instance> for StorageHardwareId {
    type Error = Error;
    fn try_from(i: &Instance) -> Result<Self> {
        Ok(StorageHardwareId {
            path: path_of(i)?,
            storage_id: prop(i, "StorageID")?,
            id_type: prop_opt(i, "IDType")?.unwrap_or(0),
            element_name: prop_opt(i, "ElementName")?,
        })
    }
}

/// A front-end target port (SNIA "FC Target Ports" / "iSCSI Target Ports").
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TargetPort {
    /// The `CIM_SCSIProtocolEndpoint` (FC) or `CIM_iSCSIProtocolEndpoint` path: what a
    /// target masking group holds.
    #[serde(skip)]
    pub endpoint: ObjectPath,
    /// `fc` or `iscsi`.
    pub kind: &'static str,
    /// The endpoint Name: the port WWN (FC) or `<node>,t,0x<TPGT>` (iSCSI); what
    /// ExposePaths' TargetPortIDs take.
    pub name: String,
    /// FC: `CIM_FCPort.PermanentAddress`.
    pub wwpn: Option<String>,
    /// iSCSI: the target node names.
    pub iqns: Vec<String>,
    /// iSCSI: portal addresses `ip:port`.
    pub portals: Vec<String>,
    /// FC: speed in bit/s.
    pub speed: Option<u64>,
}

/// An access group: the hosts' initiators that see the same volumes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessGroup {
    /// ElementName.
    pub name: String,
    /// The `CIM_InitiatorMaskingGroup` (group masking) or `CIM_SCSIProtocolController`
    /// (ExposePaths) path.
    #[serde(skip)]
    pub path: ObjectPath,
    /// Which form it belongs to.
    pub style: MaskingStyle,
    /// The initiators' StorageIDs.
    pub initiators: Vec<String>,
}

/// A host's view of a volume: who sees it at which LUN.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VolumeAccess {
    /// The access group's name.
    pub group: String,
    /// The masking view (`CIM_SCSIProtocolController`).
    #[serde(skip)]
    pub view: ObjectPath,
    /// The LUN (`CIM_ProtocolControllerForUnit.DeviceNumber`, hexadecimal).
    pub lun: u32,
    /// DeviceAccess: 2 Read Write, 3 Read-Only, 4 No Access.
    pub access: u16,
    /// The initiators' StorageIDs.
    pub initiators: Vec<String>,
}

/// A volume an access group sees.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MappedVolume {
    /// The volume path.
    #[serde(skip)]
    pub volume: ObjectPath,
    /// Its DeviceID.
    pub device_id: String,
    /// The LUN.
    pub lun: u32,
    /// DeviceAccess.
    pub access: u16,
}

/// The masking capabilities (`CIM_ProtocolControllerMaskingCapabilities`, or its subclass
/// `CIM_GroupMaskingMappingCapabilities`) read from the ComputerSystem.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct MaskingCapabilities {
    /// The capabilities class.
    pub class: String,
    /// SupportedSynchronousActions ∪ SupportedAsynchronousActions.
    pub actions: Vec<u16>,
    /// ExposePathsSupported.
    pub expose_paths: bool,
    /// ExposePathsWithNameAndHostTypeSupported.
    pub expose_paths_with_name: bool,
    /// ClientSelectableDeviceNumbers (default true).
    pub client_selectable_device_numbers: bool,
    /// SPCAllowsNoLUs.
    pub spc_allows_no_lus: bool,
    /// ValidHardwareIdTypes.
    pub valid_hardware_id_types: Vec<u16>,
    /// SupportedFeatures (group masking).
    pub features: Vec<u16>,
}

impl MaskingCapabilities {
    fn read(i: &Instance) -> Result<Self> {
        let mut actions: Vec<u16> = prop_vec(i, "SupportedSynchronousActions")?;
        actions.extend(prop_vec::<u16>(i, "SupportedAsynchronousActions")?);
        Ok(MaskingCapabilities {
            class: i.class_name.as_str().to_string(),
            actions,
            expose_paths: prop_opt(i, "ExposePathsSupported")?.unwrap_or(false),
            expose_paths_with_name: prop_opt(i, "ExposePathsWithNameAndHostTypeSupported")?
                .unwrap_or(false),
            client_selectable_device_numbers: prop_opt(i, "ClientSelectableDeviceNumbers")?
                .unwrap_or(true),
            spc_allows_no_lus: prop_opt(i, "SPCAllowsNoLUs")?.unwrap_or(false),
            valid_hardware_id_types: prop_vec(i, "ValidHardwareIdTypes")?,
            features: prop_vec(i, "SupportedFeatures")?,
        })
    }

    /// Group masking offered: actions 19 CreateGroup and 23 CreateMaskingView.
    pub fn group_masking(&self) -> bool {
        self.actions.contains(&19) && self.actions.contains(&23)
    }

    /// ExposePaths offered: ExposePathsSupported or action 11 Expose Paths.
    pub fn spc_masking(&self) -> bool {
        self.expose_paths || self.actions.contains(&11)
    }
}

/// A handle for masking on one array, made by [`SmisArray::masking`] after checking the
/// capabilities.
#[derive(Debug, Clone)]
pub struct Masking {
    pub(crate) array: SmisArray,
    /// The controller configuration (or group masking and mapping) service.
    pub service: ObjectPath,
    /// The storage hardware ID management service, if hosted.
    pub hardware_id_service: Option<ObjectPath>,
    /// The capabilities read.
    pub capabilities: MaskingCapabilities,
    /// The form used.
    pub style: MaskingStyle,
    /// How provider jobs are followed.
    pub wait: WaitOptions,
}

pub(crate) fn path_of(i: &Instance) -> Result<ObjectPath> {
    i.path.clone().ok_or_else(|| {
        Error::UnexpectedResponse(format!("{} instance without a path", i.class_name))
    })
}

/// A LUN from a DeviceNumber (hexadecimal, optional `0x`).
pub fn parse_device_number(s: &str) -> Option<u32> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    u32::from_str_radix(t, 16).ok()
}

pub(crate) fn refused(code: u32, message: impl Into<String>) -> Error {
    Error::Refused {
        code: StorageServiceCode(code),
        message: message.into(),
    }
}

/// The StorageService code for a masking method's failure return value: the
/// ExposePaths/HidePaths/CreateStorageHardwareID codes 4097–4103 are passed through as the
/// Storage Management API does; CreateMaskingView's 6 In Use is 40110 "SPC already
/// exists"; 1..=8 keep their number; anything else is 40300 "Method invocation failed".
pub fn masking_return_code(method: &str, rc: u32) -> StorageServiceCode {
    let m = method.to_ascii_lowercase();
    match rc {
        6 if m == "createmaskingview" => StorageServiceCode(40110),
        5 if m == "createstoragehardwareid" => StorageServiceCode(4098),
        4097..=4103 if m.starts_with("exposepaths") || m == "hidepaths" => StorageServiceCode(rc),
        4097 if m == "createstoragehardwareid" => StorageServiceCode(4097),
        1..=8 => StorageServiceCode(rc),
        _ => StorageServiceCode::METHOD_INVOCATION_FAILED,
    }
}

/// The value-map label of a masking method's return value (DMTF CIM 2.49 MOFs).
fn masking_label(method: &str, rc: u32) -> &'static str {
    let m = method.to_ascii_lowercase();
    let ep = m.starts_with("exposepaths");
    match rc {
        0 => "Success",
        1 => "Not Supported",
        2 => "Unspecified Error",
        3 => "Timeout",
        4 => "Failed",
        5 => "Invalid Parameter",
        6 => "In Use",
        4096 if m == "createstoragehardwareid" => "ID already created",
        4096 => "Method Parameters Checked - Job Started",
        4097 if m == "createstoragehardwareid" => "IDType not supported",
        4097 => "Invalid logical unit ID",
        4098 => "Invalid initiator port ID",
        4099 => "Invalid target port ID",
        4100 if ep => "Invalid permission",
        4100 => "Target/initiator combination not exposed",
        4101 => "Target/initiator combination already exposed",
        4102 => "Requested logical unit number in use",
        4103 => "Maximum Map Count Exceeded",
        32768.. => "Vendor Specific",
        _ => "Method Reserved",
    }
}

pub(crate) fn method_failed(method: &str, rc: u32) -> Error {
    Error::MethodFailed {
        method: method.to_string(),
        return_value: rc,
        label: masking_label(method, rc).to_string(),
        code: masking_return_code(method, rc),
    }
}

impl SmisArray {
    /// A masking handle using group masking where the array offers it and ExposePaths /
    /// HidePaths otherwise. Reads the hosted `CIM_ControllerConfigurationService` and the
    /// masking capabilities tied to the ComputerSystem by `CIM_ElementCapabilities` (where
    /// libstoragemgmt reads them; the service's own are used when the system has none).
    /// An array with neither form is [`Error::Refused`] 40107.
    pub async fn masking(&self) -> Result<Masking> {
        self.masking_handle(None).await
    }

    /// A masking handle using `style`; 40107 when the array does not offer it.
    pub async fn masking_with_style(&self, style: MaskingStyle) -> Result<Masking> {
        self.masking_handle(Some(style)).await
    }

    async fn masking_handle(&self, want: Option<MaskingStyle>) -> Result<Masking> {
        let none = |what: &str| {
            refused(
                40107,
                format!(
                    "system {} offers no {what}",
                    self.system
                        .key("Name")
                        .and_then(|v| v.as_str())
                        .unwrap_or("?")
                ),
            )
        };
        let services = self
            .assoc_or_empty(
                &self.system,
                "CIM_HostedService",
                "CIM_ControllerConfigurationService",
            )
            .await?;
        let Some(svc) = services.first() else {
            return Err(none(
                "CIM_ControllerConfigurationService (no masking profile)",
            ));
        };
        let service = path_of(svc)?;
        let mut caps = self
            .assoc_or_empty(
                &self.system,
                "CIM_ElementCapabilities",
                "CIM_ProtocolControllerMaskingCapabilities",
            )
            .await?;
        if caps.is_empty() {
            caps = self
                .assoc_or_empty(
                    &service,
                    "CIM_ElementCapabilities",
                    "CIM_ProtocolControllerMaskingCapabilities",
                )
                .await?;
        }
        let capabilities = match caps.first() {
            Some(c) => MaskingCapabilities::read(c)?,
            None => return Err(none("masking capabilities")),
        };
        let style = match want {
            Some(MaskingStyle::Group) if capabilities.group_masking() => MaskingStyle::Group,
            Some(MaskingStyle::Spc) if capabilities.spc_masking() => MaskingStyle::Spc,
            Some(MaskingStyle::Group) => return Err(none("Group Masking and Mapping")),
            Some(MaskingStyle::Spc) => return Err(none("ExposePaths/HidePaths")),
            None if capabilities.group_masking() => MaskingStyle::Group,
            None if capabilities.spc_masking() => MaskingStyle::Spc,
            None => return Err(none("masking form it reports in its capabilities")),
        };
        let hardware_id_service = self
            .assoc_or_empty(
                &self.system,
                "CIM_HostedService",
                "CIM_StorageHardwareIDManagementService",
            )
            .await?
            .first()
            .map(path_of)
            .transpose()?;
        Ok(Masking {
            array: self.clone(),
            service,
            hardware_id_service,
            capabilities,
            style,
            wait: WaitOptions::default(),
        })
    }

    pub(crate) async fn assoc_or_empty(
        &self,
        from: &ObjectPath,
        assoc: &str,
        result: &str,
    ) -> Result<Vec<Instance>> {
        match Self::assoc(&self.client, from, assoc, result).await {
            Ok(v) => Ok(v),
            Err(e) if is_absent(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// The front-end target ports: FC (`CIM_SystemDevice` → `CIM_FCPort` →
    /// `CIM_DeviceSAPImplementation` → `CIM_SCSIProtocolEndpoint`) and iSCSI
    /// (`CIM_HostedAccessPoint` → `CIM_iSCSIProtocolEndpoint` with Role 3 Target →
    /// `CIM_SAPAvailableForElement` node names, `CIM_BindsTo` TCP → IP portals), the walks
    /// libstoragemgmt's SMI-S plugin uses. FC ports with UsageRestriction 3 (back-end only)
    /// are left out.
    pub async fn target_ports(&self) -> Result<Vec<TargetPort>> {
        let mut out = Vec::new();
        for port in self
            .assoc_or_empty(&self.system, "CIM_SystemDevice", "CIM_FCPort")
            .await?
        {
            if prop_opt::<u16>(&port, "UsageRestriction")? == Some(3) {
                continue;
            }
            let pp = path_of(&port)?;
            let eps = self
                .assoc_or_empty(
                    &pp,
                    "CIM_DeviceSAPImplementation",
                    "CIM_SCSIProtocolEndpoint",
                )
                .await?;
            let wwpn: Option<String> = prop_opt(&port, "PermanentAddress")?;
            for ep in eps {
                out.push(TargetPort {
                    endpoint: path_of(&ep)?,
                    kind: "fc",
                    name: prop(&ep, "Name")?,
                    wwpn: wwpn.clone(),
                    iqns: Vec::new(),
                    portals: Vec::new(),
                    speed: prop_opt(&port, "Speed")?,
                });
            }
        }
        for ep in self
            .assoc_or_empty(
                &self.system,
                "CIM_HostedAccessPoint",
                "CIM_iSCSIProtocolEndpoint",
            )
            .await?
        {
            if prop_opt::<u16>(&ep, "Role")?.is_some_and(|r| r != 3 && r != 4) {
                continue;
            }
            let ep_path = path_of(&ep)?;
            let mut iqns = Vec::new();
            for node in self
                .assoc_or_empty(
                    &ep_path,
                    "CIM_SAPAvailableForElement",
                    "CIM_SCSIProtocolController",
                )
                .await?
            {
                if prop_opt::<u16>(&node, "NameFormat")? == Some(3)
                    && let Some(n) = prop_opt::<String>(&node, "Name")?
                {
                    iqns.push(n);
                }
            }
            let mut portals = Vec::new();
            for tcp in self
                .assoc_or_empty(&ep_path, "CIM_BindsTo", "CIM_TCPProtocolEndpoint")
                .await?
            {
                let port: u32 = prop_opt(&tcp, "PortNumber")?.unwrap_or(3260);
                for ip in self
                    .assoc_or_empty(&path_of(&tcp)?, "CIM_BindsTo", "CIM_IPProtocolEndpoint")
                    .await?
                {
                    if let Some(a) = prop_opt::<String>(&ip, "IPv4Address")? {
                        portals.push(format!("{a}:{port}"));
                    } else if let Some(a) = prop_opt::<String>(&ip, "IPv6Address")? {
                        portals.push(format!("[{a}]:{port}"));
                    }
                }
            }
            out.push(TargetPort {
                endpoint: ep_path,
                kind: "iscsi",
                name: prop(&ep, "Name")?,
                wwpn: None,
                iqns,
                portals,
                speed: None,
            });
        }
        Ok(out)
    }

    /// The registered initiators: `EnumerateInstances(CIM_StorageHardwareID)` in the vendor
    /// namespace (libstoragemgmt's way).
    pub async fn initiators(&self) -> Result<Vec<StorageHardwareId>> {
        let v = match self
            .client
            .enumerate_instances(
                "CIM_StorageHardwareID",
                &EnumerateInstancesOptions::new().namespace(self.namespace.clone()),
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => Vec::new(),
            Err(e) => return Err(e),
        };
        v.iter().map(StorageHardwareId::try_from).collect()
    }

    /// The hosts that see `volume`, with the LUN: `References(volume, ResultClass
    /// CIM_ProtocolControllerForUnit)` gives the view, DeviceNumber and DeviceAccess; the
    /// view's initiators come from its `CIM_AssociatedInitiatorMaskingGroup` (group masking)
    /// or `CIM_AssociatedPrivilege` (1.4).
    pub async fn volume_access(&self, volume: &ObjectPath) -> Result<Vec<VolumeAccess>> {
        let refs = match self
            .client
            .references(
                volume,
                &ReferencesOptions::new().result_class("CIM_ProtocolControllerForUnit"),
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for r in refs {
            let Some(pcfu) = r.into_instance() else {
                continue;
            };
            let view: ObjectPath = prop(&pcfu, "Antecedent")?;
            let view = self.fill_ns(view);
            let (lun, access) = unit_of(&pcfu)?;
            let (group, initiators) = self.view_initiators(&view).await?;
            out.push(VolumeAccess {
                group,
                view,
                lun,
                access,
                initiators,
            });
        }
        Ok(out)
    }

    /// The access group name and initiators of a view.
    pub(crate) async fn view_initiators(&self, view: &ObjectPath) -> Result<(String, Vec<String>)> {
        let imgs = self
            .assoc_or_empty(
                view,
                "CIM_AssociatedInitiatorMaskingGroup",
                "CIM_InitiatorMaskingGroup",
            )
            .await?;
        if let Some(img) = imgs.first() {
            let name = prop_opt(img, "ElementName")?.unwrap_or_default();
            let ids = self.member_ids(&path_of(img)?).await?;
            return Ok((name, ids));
        }
        let v = self.client.get_instance(view, &Default::default()).await?;
        let name = prop_opt(&v, "ElementName")?.unwrap_or_default();
        let ids = self
            .assoc_or_empty(view, "CIM_AssociatedPrivilege", "CIM_StorageHardwareID")
            .await?
            .iter()
            .map(|h| prop::<String>(h, "StorageID"))
            .collect::<Result<_>>()?;
        Ok((name, ids))
    }

    /// StorageIDs of an initiator group's members.
    pub(crate) async fn member_ids(&self, group: &ObjectPath) -> Result<Vec<String>> {
        self.assoc_or_empty(group, "CIM_MemberOfCollection", "CIM_StorageHardwareID")
            .await?
            .iter()
            .map(|h| prop::<String>(h, "StorageID"))
            .collect()
    }

    /// The volumes a view maps: References(view, ResultClass CIM_ProtocolControllerForUnit).
    pub(crate) async fn view_units(&self, view: &ObjectPath) -> Result<Vec<MappedVolume>> {
        let refs = self
            .client
            .references(
                view,
                &ReferencesOptions::new().result_class("CIM_ProtocolControllerForUnit"),
            )
            .await?;
        let mut out = Vec::new();
        for r in refs {
            let Some(pcfu) = r.into_instance() else {
                continue;
            };
            let vol: ObjectPath = prop(&pcfu, "Dependent")?;
            let (lun, access) = unit_of(&pcfu)?;
            out.push(MappedVolume {
                device_id: vol
                    .key("DeviceID")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                volume: self.fill_ns(vol),
                lun,
                access,
            });
        }
        Ok(out)
    }

    pub(crate) async fn names(
        &self,
        from: &ObjectPath,
        assoc: &str,
        result: &str,
    ) -> Result<Vec<ObjectPath>> {
        match self
            .client
            .associator_names(
                from,
                &AssociatorsOptions::new()
                    .assoc_class(assoc)
                    .result_class(result),
            )
            .await
        {
            Ok(v) => Ok(v.into_iter().map(|p| self.fill_ns(p)).collect()),
            Err(e) if is_absent(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// (LUN, DeviceAccess) of a ProtocolControllerForUnit instance.
fn unit_of(pcfu: &Instance) -> Result<(u32, u16)> {
    let dn: String = prop(pcfu, "DeviceNumber")?;
    let lun = parse_device_number(&dn).ok_or_else(|| {
        Error::UnexpectedResponse(format!(
            "{}.DeviceNumber {dn:?} is not a hexadecimal LUN",
            pcfu.class_name
        ))
    })?;
    Ok((lun, prop_opt(pcfu, "DeviceAccess")?.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initiator_ids_and_codes() {
        assert_eq!(
            canonical_initiator_id("21:00:00:1b:32:a1:b2:c3"),
            Some(("2100001B32A1B2C3".into(), 2))
        );
        assert_eq!(
            canonical_initiator_id(" IQN.1994-05.com.redhat:h2 "),
            Some(("iqn.1994-05.com.redhat:h2".into(), 5))
        );
        assert_eq!(canonical_initiator_id("host-2"), None);
        assert_eq!(canonical_initiator_id("2100001B32A1B2"), None);
        assert_eq!(parse_device_number("1F"), Some(31));
        assert_eq!(parse_device_number("0x0a"), Some(10));
        assert_eq!(parse_device_number("lun"), None);
        assert_eq!(masking_return_code("ExposePaths", 4101).code(), 4101);
        assert_eq!(masking_return_code("HidePaths", 4100).code(), 4100);
        assert_eq!(masking_return_code("CreateMaskingView", 6).code(), 40110);
        assert_eq!(masking_return_code("CreateGroup", 5).code(), 5);
        assert_eq!(masking_return_code("CreateGroup", 4101).code(), 40300);
        let e = method_failed("ExposePaths", 4102);
        assert_eq!(e.storage_service_code().code(), 4102);
        assert!(e.to_string().contains("logical unit number in use"));
    }
}
