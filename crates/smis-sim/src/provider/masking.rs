//! Masking and mapping model: storage hardware IDs (initiators), masking groups, masking
//! views (SCSI protocol controllers) with their units (LUNs), and the front-end FC and
//! iSCSI target ports; rendered as SNIA SMI-S 1.8 "Group Masking and Mapping", "Masking and
//! Mapping", "Storage Hardware ID Management", "FC Target Ports" and "iSCSI Target Ports"
//! instances with the associations real providers serve:
//!
//! - services: CIM_GroupMaskingMappingService (when group masking is offered; it is a
//!   CIM_ControllerConfigurationService, so it also answers ExposePaths/HidePaths) or a
//!   plain CIM_ControllerConfigurationService, and CIM_StorageHardwareIDManagementService,
//!   each tied to the system by CIM_HostedService;
//! - capabilities (CIM_GroupMaskingMappingCapabilities or
//!   CIM_ProtocolControllerMaskingCapabilities) tied by CIM_ElementCapabilities to **the
//!   ComputerSystem** (where libstoragemgmt reads them) and to the service;
//! - groups: CIM_HostedCollection (system → group), CIM_ServiceAffectsElement (service →
//!   group), CIM_MemberOfCollection (initiator and target groups) and
//!   CIM_OrderedMemberOfCollection with AssignedSequence (device groups);
//! - views: CIM_SystemDevice, CIM_ConcreteDependency (controller configuration service →
//!   view), CIM_Associated{Initiator,Target,Device}MaskingGroup (Antecedent = view),
//!   CIM_ProtocolControllerForUnit (DeviceNumber as upper-case hex, DeviceAccess),
//!   CIM_AssociatedPrivilege (hardware ID → view) and CIM_SAPAvailableForElement (target
//!   endpoint → view);
//! - FC ports: CIM_SystemDevice → CIM_FCPort, CIM_DeviceSAPImplementation → the
//!   CIM_SCSIProtocolEndpoint whose Name is the port WWN, CIM_HostedAccessPoint;
//! - iSCSI: CIM_iSCSIProtocolEndpoint (`<node>,t,0x0001`, Role 3, ConnectionType 7) →
//!   CIM_SAPAvailableForElement → the node (a CIM_SCSIProtocolController with NameFormat 3),
//!   CIM_BindsTo a CIM_TCPProtocolEndpoint (port 3260) bound to a CIM_IPProtocolEndpoint,
//!   implemented by a CIM_EthernetPort.

use smis::cim::{Instance, ObjectPath};

use super::render::{reference, strs, u16s};
use super::state::State;
use crate::masking_spec::MaskingSpec;

/// A storage hardware ID (an initiator port).
#[derive(Debug, Clone)]
pub struct HwIdRec {
    pub id: String,
    pub storage_id: String,
    pub id_type: u16,
    pub name: Option<String>,
}

/// A masking group: kind 2 initiators, 3 targets, 4 devices.
#[derive(Debug, Clone)]
pub struct GroupRec {
    pub id: String,
    pub kind: u16,
    pub name: String,
    /// Hardware ID InstanceIDs, target endpoint Names or volume DeviceIDs, in order.
    pub members: Vec<String>,
    pub delete_on_empty: bool,
    pub delete_when_unassociated: bool,
}

/// A volume seen through a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRec {
    pub vol: String,
    pub lun: u32,
    pub access: u16,
}

/// A masking view (SCSIProtocolController).
#[derive(Debug, Clone)]
pub struct ViewRec {
    pub id: String,
    pub name: String,
    /// Group-masking view: (initiator, target, device) group ids.
    pub groups: Option<[String; 3]>,
    /// ExposePaths view: hardware ID InstanceIDs and target endpoint Names.
    pub initiators: Vec<String>,
    pub ports: Vec<String>,
    pub units: Vec<UnitRec>,
}

/// All masking state.
#[derive(Debug, Clone, Default)]
pub struct MaskingState {
    pub hwids: Vec<HwIdRec>,
    pub groups: Vec<GroupRec>,
    pub views: Vec<ViewRec>,
    pub next: u64,
}

/// The class of a group kind.
pub fn group_class(kind: u16) -> &'static str {
    match kind {
        2 => "SIMS_InitiatorMaskingGroup",
        3 => "SIMS_TargetMaskingGroup",
        _ => "SIMS_DeviceMaskingGroup",
    }
}

fn with_path(mut inst: Instance, path: &ObjectPath) -> Instance {
    for k in &path.keys {
        inst.set(k.name.clone(), k.value.clone());
    }
    inst.path = Some(path.clone());
    inst
}

impl MaskingState {
    /// The state at start: the scenario's registered initiators.
    pub fn new(spec: Option<&MaskingSpec>) -> MaskingState {
        let mut m = MaskingState::default();
        for i in spec.map(|s| s.initiators.as_slice()).unwrap_or_default() {
            let storage_id = crate::masking_spec::canonical_initiator(&i.storage_id)
                .map(|c| c.0)
                .unwrap_or_else(|| i.storage_id.clone());
            let id = m.new_id("SHID");
            m.hwids.push(HwIdRec {
                id,
                storage_id,
                id_type: i.id_type,
                name: i.name.clone(),
            });
        }
        m
    }

    /// A new id `SIMS:<kind>:<n>`.
    pub fn new_id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("SIMS:{kind}:{}", self.next)
    }

    /// The hardware ID with this StorageID (case-insensitive).
    pub fn hwid_by_storage_id(&self, storage_id: &str) -> Option<&HwIdRec> {
        self.hwids
            .iter()
            .find(|h| h.storage_id.eq_ignore_ascii_case(storage_id))
    }

    /// The group with this id.
    pub fn group(&self, id: &str) -> Option<&GroupRec> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The hardware IDs a view grants access to.
    pub fn view_initiators(&self, v: &ViewRec) -> Vec<String> {
        match &v.groups {
            Some(g) => self
                .group(&g[0])
                .map(|g| g.members.clone())
                .unwrap_or_default(),
            None => v.initiators.clone(),
        }
    }

    /// The target endpoints of a view.
    pub fn view_ports(&self, v: &ViewRec) -> Vec<String> {
        match &v.groups {
            Some(g) => self
                .group(&g[1])
                .map(|g| g.members.clone())
                .unwrap_or_default(),
            None => v.ports.clone(),
        }
    }

    /// True when a group is part of a view.
    pub fn group_in_view(&self, id: &str) -> bool {
        self.views.iter().any(|v| {
            v.groups
                .as_ref()
                .is_some_and(|g| g.contains(&id.to_string()))
        })
    }

    /// Brings every group-masking view's units in line with its device group: members
    /// without a unit get the lowest free LUN (or `wanted` when given and free), units of
    /// volumes no longer in the group go.
    pub fn sync_units(&mut self, wanted: &[(String, u32)]) {
        let groups = self.groups.clone();
        for v in &mut self.views {
            let Some(g) = &v.groups else { continue };
            let members = groups
                .iter()
                .find(|x| x.id == g[2])
                .map(|x| x.members.clone())
                .unwrap_or_default();
            v.units.retain(|u| members.contains(&u.vol));
            for vol in members {
                if v.units.iter().any(|u| u.vol == vol) {
                    continue;
                }
                let want = wanted.iter().find(|(w, _)| *w == vol).map(|x| x.1);
                let lun = match want {
                    Some(l) if !v.units.iter().any(|u| u.lun == l) => l,
                    _ => free_lun(&v.units),
                };
                v.units.push(UnitRec {
                    vol,
                    lun,
                    access: 2,
                });
            }
        }
    }
}

/// The lowest LUN not used by `units`.
pub fn free_lun(units: &[UnitRec]) -> u32 {
    (0..)
        .find(|l| !units.iter().any(|u| u.lun == *l))
        .unwrap_or(0)
}

/// The profiles the masking section registers: (name, version).
fn profiles(spec: &MaskingSpec) -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    if spec.group_masking {
        v.push(("Group Masking and Mapping", "1.8.0"));
    }
    if spec.group_masking || spec.spc_masking {
        v.push(("Masking and Mapping", "1.8.0"));
        v.push(("Storage Hardware ID Management", "1.8.0"));
    }
    if !spec.fc_ports.is_empty() {
        v.push(("FC Target Ports", "1.8.0"));
    }
    if !spec.iscsi_ports.is_empty() {
        v.push(("iSCSI Target Ports", "1.8.0"));
    }
    v
}

impl State {
    /// The masking service class offered (None without masking).
    pub fn masking_service_class(&self) -> Option<&'static str> {
        let spec = self.scenario.masking.as_ref()?;
        if spec.group_masking {
            Some("SIMS_GroupMaskingMappingService")
        } else if spec.spc_masking {
            Some("SIMS_ControllerConfigurationService")
        } else {
            None
        }
    }

    fn device_path(&self, class: &str, id: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), class)
            .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
            .with_key("SystemName", self.system_name())
            .with_key("CreationClassName", class)
            .with_key("DeviceID", id)
    }

    fn sap_path(&self, class: &str, name: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), class)
            .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
            .with_key("SystemName", self.system_name())
            .with_key("CreationClassName", class)
            .with_key("Name", name)
    }

    /// Path of a hardware ID.
    pub fn hwid_path(&self, id: &str) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), "SIMS_StorageHardwareID").with_key("InstanceID", id)
    }

    /// Path of a masking group.
    pub fn group_path(&self, g: &GroupRec) -> ObjectPath {
        ObjectPath::new(self.vendor_ns(), group_class(g.kind)).with_key("InstanceID", g.id.as_str())
    }

    /// Path of a view.
    pub fn view_path(&self, id: &str) -> ObjectPath {
        self.device_path("SIMS_SCSIProtocolController", id)
    }

    /// The target endpoints: (Name, path, is iSCSI).
    pub fn target_endpoints(&self) -> Vec<(String, ObjectPath, bool)> {
        let Some(spec) = &self.scenario.masking else {
            return Vec::new();
        };
        let mut v = Vec::new();
        for w in &spec.fc_ports {
            let name = crate::masking_spec::canonical_wwn(w).unwrap_or_else(|| w.clone());
            let p = self.sap_path("SIMS_SCSIProtocolEndpoint", &name);
            v.push((name, p, false));
        }
        for i in &spec.iscsi_ports {
            let name = format!("{},t,0x0001", i.iqn.to_ascii_lowercase());
            let p = self.sap_path("SIMS_iSCSIProtocolEndpoint", &name);
            v.push((name, p, true));
        }
        v
    }

    /// Registered profiles, their references to the Array profile and conformance (interop).
    pub(super) fn render_masking_profiles(&self, out: &mut Vec<Instance>, ns: &str) {
        let Some(spec) = &self.scenario.masking else {
            return;
        };
        let array = self.profile_path(11, "Array", "1.8.0");
        for (name, version) in profiles(spec) {
            let path = self.profile_path(11, name, version);
            let inst = Instance::new("SIMS_RegisteredProfile")
                .with("InstanceID", Self::profile_id(11, name, version))
                .with("RegisteredOrganization", 11u16)
                .with("RegisteredName", name)
                .with("RegisteredVersion", version)
                .with("AdvertiseTypes", u16s(&[3]))
                .with("AdvertiseTypeDescriptions", strs(&["SLP".to_string()]))
                .with("ElementName", format!("{name} {version}"));
            let mut inst = inst;
            inst.path = Some(path.clone());
            out.push(inst);
            out.push(self.assoc(
                ns,
                "SIMS_ReferencedProfile",
                ("Antecedent", &path),
                ("Dependent", &array),
            ));
        }
        self.render_masking_conformance(out, ns);
    }

    /// ElementConformsToProfile from each masking profile to its central instances: the
    /// masking service (Group Masking and Mapping, Masking and Mapping), the hardware ID
    /// service, each FC port, each iSCSI node. (The ComputerSystem conforms to Array only.)
    fn render_masking_conformance(&self, out: &mut Vec<Instance>, ns: &str) {
        let Some(spec) = &self.scenario.masking else {
            return;
        };
        let svc = self.masking_service_class().map(|c| self.service_path(c));
        for (name, version) in profiles(spec) {
            let centrals: Vec<ObjectPath> = match name {
                "Storage Hardware ID Management" => {
                    vec![self.service_path("SIMS_StorageHardwareIDManagementService")]
                }
                "FC Target Ports" => (0..spec.fc_ports.len())
                    .map(|n| self.device_path("SIMS_FCPort", &format!("FC-{n}")))
                    .collect(),
                "iSCSI Target Ports" => (0..spec.iscsi_ports.len())
                    .map(|n| self.view_path(&format!("ISCSI-NODE-{n}")))
                    .collect(),
                _ => svc.iter().cloned().collect(),
            };
            for central in centrals {
                out.push(self.assoc(
                    ns,
                    "SIMS_ElementConformsToProfile",
                    ("ConformantStandard", &self.profile_path(11, name, version)),
                    ("ManagedElement", &central),
                ));
            }
        }
    }

    /// Everything masking in the vendor namespace.
    pub(super) fn render_masking(&self, out: &mut Vec<Instance>) {
        let Some(spec) = self.scenario.masking.clone() else {
            return;
        };
        let ns = self.vendor_ns().to_string();
        let cs = self.cs_path();
        self.render_masking_conformance(out, &ns);
        let Some(svc_class) = self.masking_service_class() else {
            self.render_ports(out, &spec, &cs);
            return;
        };
        let svc = self.service_path(svc_class);
        let shidms = self.service_path("SIMS_StorageHardwareIDManagementService");
        for sp in [&svc, &shidms] {
            let class = sp.class_name.as_str();
            let inst = Instance::new(class)
                .with("ElementName", class.trim_start_matches("SIMS_"))
                .with("OperationalStatus", u16s(&[2]))
                .with("EnabledState", 2u16)
                .with("Started", true);
            out.push(with_path(inst, sp));
            out.push(self.assoc(
                &ns,
                "SIMS_HostedService",
                ("Antecedent", &cs),
                ("Dependent", sp),
            ));
        }
        let cap_class = if spec.group_masking {
            "SIMS_GroupMaskingMappingCapabilities"
        } else {
            "SIMS_ProtocolControllerMaskingCapabilities"
        };
        let cp = self.cap_path(cap_class);
        out.push(with_path(self.masking_caps(&spec, cap_class), &cp));
        for owner in [&cs, &svc] {
            let mut ec = self.assoc(
                &ns,
                "SIMS_ElementCapabilities",
                ("ManagedElement", owner),
                ("Capabilities", &cp),
            );
            ec.set("Characteristics", u16s(&[2]));
            out.push(ec);
        }
        for h in &self.masking.hwids {
            let hp = self.hwid_path(&h.id);
            let mut inst = Instance::new("SIMS_StorageHardwareID")
                .with("StorageID", h.storage_id.as_str())
                .with("IDType", h.id_type)
                .with("CurrentlyAuthenticated", false);
            inst.set(
                "ElementName",
                h.name.clone().unwrap_or_else(|| h.storage_id.clone()),
            );
            out.push(with_path(inst, &hp));
            out.push(self.assoc(
                &ns,
                "SIMS_ConcreteDependency",
                ("Antecedent", &shidms),
                ("Dependent", &hp),
            ));
        }
        self.render_ports(out, &spec, &cs);
        let endpoints = self.target_endpoints();
        let ep_path = |name: &str| {
            endpoints
                .iter()
                .find(|e| e.0.eq_ignore_ascii_case(name))
                .map(|e| e.1.clone())
        };
        for g in &self.masking.groups {
            let gp = self.group_path(g);
            let mut inst = Instance::new(group_class(g.kind))
                .with("ElementName", g.name.as_str())
                .with("DeleteOnEmpty", g.delete_on_empty)
                .with("DeleteWhenBecomesUnassociated", g.delete_when_unassociated);
            if g.kind == 2 {
                inst.set("ConsistentLogicalUnitNumber", true);
            }
            out.push(with_path(inst, &gp));
            out.push(self.assoc(
                &ns,
                "SIMS_HostedCollection",
                ("Antecedent", &cs),
                ("Dependent", &gp),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_ServiceAffectsElement",
                ("AffectedElement", &gp),
                ("AffectingElement", &svc),
            ));
            for (i, m) in g.members.iter().enumerate() {
                let mp = match g.kind {
                    2 => Some(self.hwid_path(m)),
                    3 => ep_path(m),
                    _ => Some(self.vol_path(m)),
                };
                let Some(mp) = mp else { continue };
                if g.kind == 4 {
                    let mut a = self.assoc(
                        &ns,
                        "SIMS_OrderedMemberOfCollection",
                        ("Collection", &gp),
                        ("Member", &mp),
                    );
                    a.set("AssignedSequence", i as u64 + 1);
                    out.push(a);
                } else {
                    out.push(self.assoc(
                        &ns,
                        "SIMS_MemberOfCollection",
                        ("Collection", &gp),
                        ("Member", &mp),
                    ));
                }
            }
        }
        for v in &self.masking.views {
            let vp = self.view_path(&v.id);
            let inst = Instance::new("SIMS_SCSIProtocolController")
                .with("ElementName", v.name.as_str())
                .with("Name", v.name.as_str())
                .with("NameFormat", 1u16)
                .with("OtherNameFormat", "SIMS masking view")
                .with("MaxUnitsControlled", 4096u32)
                .with("OperationalStatus", u16s(&[2]))
                .with("HealthState", 5u16)
                .with("EnabledState", 2u16);
            out.push(with_path(inst, &vp));
            out.push(self.assoc(
                &ns,
                "SIMS_SystemDevice",
                ("GroupComponent", &cs),
                ("PartComponent", &vp),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_ConcreteDependency",
                ("Antecedent", &svc),
                ("Dependent", &vp),
            ));
            if let Some(g) = &v.groups {
                let classes = [
                    "SIMS_AssociatedInitiatorMaskingGroup",
                    "SIMS_AssociatedTargetMaskingGroup",
                    "SIMS_AssociatedDeviceMaskingGroup",
                ];
                for (id, class) in g.iter().zip(classes) {
                    if let Some(gr) = self.masking.group(id) {
                        out.push(self.assoc(
                            &ns,
                            class,
                            ("Antecedent", &vp),
                            ("Dependent", &self.group_path(gr)),
                        ));
                    }
                }
            }
            for u in &v.units {
                let mut a = self.assoc(
                    &ns,
                    "SIMS_ProtocolControllerForUnit",
                    ("Antecedent", &vp),
                    ("Dependent", &self.vol_path(&u.vol)),
                );
                a.set("DeviceNumber", format!("{:X}", u.lun));
                a.set("DeviceAccess", u.access);
                a.set("AccessState", 2u16);
                out.push(a);
            }
            for h in self.masking.view_initiators(v) {
                let hp = self.hwid_path(&h);
                let path = ObjectPath::new(&ns, "SIMS_AssociatedPrivilege")
                    .with_key("Subject", reference(&hp))
                    .with_key("Target", reference(&vp))
                    .with_key("UseKey", "SCSI");
                let inst = Instance::new("SIMS_AssociatedPrivilege")
                    .with("PrivilegeGranted", true)
                    .with("Activities", u16s(&[5, 6]));
                out.push(with_path(inst, &path));
            }
            for p in self.masking.view_ports(v) {
                if let Some(ep) = ep_path(&p) {
                    out.push(self.assoc(
                        &ns,
                        "SIMS_SAPAvailableForElement",
                        ("AvailableSAP", &ep),
                        ("ManagedElement", &vp),
                    ));
                }
            }
        }
    }

    fn masking_caps(&self, spec: &MaskingSpec, class: &str) -> Instance {
        let mut sync_actions: Vec<u16> = Vec::new();
        let mut async_actions: Vec<u16> = Vec::new();
        // 2 Create SHID, 3 Create SHID by ExposePaths, 4 Delete SHID, 11 Expose Paths,
        // 12 Hide Paths, 18 Delete PC (ProtocolControllerMaskingCapabilities).
        let mut spc = vec![2u16, 3, 4, 11, 12, 18];
        // 19 CreateGroup .. 24 DeleteMaskingView (GroupMaskingMappingCapabilities).
        let gmm = [19u16, 20, 21, 22, 23, 24];
        if !spec.spc_masking {
            spc.retain(|a| !matches!(a, 3 | 11 | 12 | 18));
        }
        let mut all = spc;
        if spec.group_masking {
            all.extend(gmm);
        }
        for a in all {
            let slow = spec.job_ms > 0 && matches!(a, 11 | 23 | 24);
            if slow {
                async_actions.push(a);
            } else {
                sync_actions.push(a);
            }
        }
        let mut inst = Instance::new(class)
            .with("ElementName", class.trim_start_matches("SIMS_"))
            .with("ValidHardwareIdTypes", u16s(&[2, 5]))
            .with("PortsPerView", 3u16)
            .with("ClientSelectableDeviceNumbers", true)
            .with("AttachDeviceSupported", false)
            .with("OneHardwareIDPerView", false)
            .with("UniqueUnitNumbersPerPort", false)
            .with("PrivilegeDeniedSupported", false)
            .with("ProtocolControllerRequiresAuthorizedIdentity", false)
            .with("ProtocolControllerSupportsCollections", false)
            .with("ExposePathsSupported", spec.spc_masking)
            .with("CreateProtocolControllerSupported", false)
            .with("ExposePathsWithNameAndHostTypeSupported", spec.spc_masking)
            .with("MaximumMapCount", 0u16)
            .with("SPCAllowsNoLUs", true)
            .with("SPCAllowsNoTargets", false)
            .with("SPCAllowsNoInitiators", false)
            .with("SPCSupportsDefaultViews", false)
            .with("SupportedSynchronousActions", u16s(&sync_actions))
            .with("SupportedAsynchronousActions", u16s(&async_actions));
        if spec.group_masking {
            // 2/3/4 IMG/TMG/DMG supported, 5 auto-assigns device numbers, 6/7/8 a view
            // requires an IMG/TMG/DMG.
            inst.set("SupportedFeatures", u16s(&[2, 3, 4, 5, 6, 7, 8]));
            // 2 nameable, 3 can add to an associated group, 4 empty group allowed, 5 a group
            // in a view may be empty.
            inst.set("SupportedInitiatorGroupFeatures", u16s(&[2, 3, 4, 5]));
            inst.set("SupportedTargetGroupFeatures", u16s(&[2, 3, 4]));
            inst.set("SupportedDeviceGroupFeatures", u16s(&[2, 3, 4, 5]));
        }
        inst
    }

    fn render_ports(&self, out: &mut Vec<Instance>, spec: &MaskingSpec, cs: &ObjectPath) {
        let ns = self.vendor_ns().to_string();
        let mut eps = self.target_endpoints().into_iter();
        for (n, _) in spec.fc_ports.iter().enumerate() {
            let Some((wwn, ep, _)) = eps.next() else {
                break;
            };
            let fp = self.device_path("SIMS_FCPort", &format!("FC-{n}"));
            let port = Instance::new("SIMS_FCPort")
                .with("ElementName", format!("FC port {n}"))
                .with("PermanentAddress", wwn.as_str())
                .with("NetworkAddresses", strs(std::slice::from_ref(&wwn)))
                .with("PortType", 10u16) // 10 N
                .with("UsageRestriction", 2u16) // 2 Front-end only
                .with("LinkTechnology", 4u16) // 4 FC
                .with("PortDiscriminator", u16s(&[11])) // 11 FC (Native)
                .with("PortNumber", n as u16)
                .with("Speed", 16_000_000_000u64)
                .with("MaxSpeed", 32_000_000_000u64)
                .with("PortAvailability", 2u16)
                .with("OperationalStatus", u16s(&[2]))
                .with("EnabledState", 2u16);
            out.push(with_path(port, &fp));
            let pe = Instance::new("SIMS_SCSIProtocolEndpoint")
                .with("ElementName", wwn.as_str())
                .with("ConnectionType", 2u16) // 2 Fibre Channel
                .with("Role", 3u16) // 3 Target
                .with("TargetRelativePortNumber", n as u32 + 1)
                .with("OperationalStatus", u16s(&[2]));
            out.push(with_path(pe, &ep));
            out.push(self.assoc(
                &ns,
                "SIMS_SystemDevice",
                ("GroupComponent", cs),
                ("PartComponent", &fp),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_DeviceSAPImplementation",
                ("Antecedent", &fp),
                ("Dependent", &ep),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_HostedAccessPoint",
                ("Antecedent", cs),
                ("Dependent", &ep),
            ));
        }
        for (n, spec_port) in spec.iscsi_ports.iter().enumerate() {
            let Some((name, ep, _)) = eps.next() else {
                break;
            };
            let node_name = spec_port.iqn.to_ascii_lowercase();
            let node = self.view_path(&format!("ISCSI-NODE-{n}"));
            let inst = Instance::new("SIMS_SCSIProtocolController")
                .with("ElementName", node_name.as_str())
                .with("Name", node_name.as_str())
                .with("NameFormat", 3u16) // 3 iSCSI Name
                .with("OperationalStatus", u16s(&[2]));
            out.push(with_path(inst, &node));
            let pe = Instance::new("SIMS_iSCSIProtocolEndpoint")
                .with("ElementName", name.as_str())
                .with("Identifier", "0001")
                .with("ConnectionType", 7u16) // 7 iSCSI
                .with("Role", 3u16)
                .with("ProtocolIFType", 1u16)
                .with("OperationalStatus", u16s(&[2]));
            out.push(with_path(pe, &ep));
            let tcp = self.sap_path("SIMS_TCPProtocolEndpoint", &format!("TCP-{n}"));
            out.push(with_path(
                Instance::new("SIMS_TCPProtocolEndpoint")
                    .with("PortNumber", 3260u32)
                    .with("ProtocolIFType", 4111u16),
                &tcp,
            ));
            let ip = self.sap_path("SIMS_IPProtocolEndpoint", &format!("IP-{n}"));
            out.push(with_path(
                Instance::new("SIMS_IPProtocolEndpoint")
                    .with("IPv4Address", spec_port.ip.as_str())
                    .with("SubnetMask", "255.255.255.0")
                    .with("AddressType", 1u16)
                    .with("AddressOrigin", 3u16)
                    .with("ProtocolIFType", 4096u16),
                &ip,
            ));
            let eth = self.device_path("SIMS_EthernetPort", &format!("ETH-{n}"));
            out.push(with_path(
                Instance::new("SIMS_EthernetPort")
                    .with("PermanentAddress", format!("00A0B0C0D0{n:02X}"))
                    .with("LinkTechnology", 2u16)
                    .with("UsageRestriction", 2u16)
                    .with("Speed", 10_000_000_000u64)
                    .with("OperationalStatus", u16s(&[2])),
                &eth,
            ));
            for d in [&node, &eth] {
                out.push(self.assoc(
                    &ns,
                    "SIMS_SystemDevice",
                    ("GroupComponent", cs),
                    ("PartComponent", d),
                ));
            }
            for sap in [&ep, &tcp, &ip] {
                out.push(self.assoc(
                    &ns,
                    "SIMS_HostedAccessPoint",
                    ("Antecedent", cs),
                    ("Dependent", sap),
                ));
            }
            out.push(self.assoc(
                &ns,
                "SIMS_SAPAvailableForElement",
                ("AvailableSAP", &ep),
                ("ManagedElement", &node),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_BindsTo",
                ("Antecedent", &tcp),
                ("Dependent", &ep),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_BindsTo",
                ("Antecedent", &ip),
                ("Dependent", &tcp),
            ));
            out.push(self.assoc(
                &ns,
                "SIMS_DeviceSAPImplementation",
                ("Antecedent", &eth),
                ("Dependent", &ip),
            ));
        }
    }
}
