//! Classes of the masking profiles: SNIA SMI-S 1.8 "Group Masking and Mapping", "Masking
//! and Mapping" (CIM_ControllerConfigurationService.ExposePaths / HidePaths), "Storage
//! Hardware ID Management", "FC Target Ports" and "iSCSI Target Ports" (DMTF CIM Schema
//! 2.49 MOFs, reduced to what SMI-S clients read), with their `SIMS_` subclasses.
//!
//! Appended to the class table of [`super::classes`]; superclasses come first.

use super::classes::{ClassDef, a, c, m};

const EXPOSE_PARAMS: &[&str] = &[
    "out ref:CIM_ConcreteJob Job",
    "in string[] LUNames",
    "in string[] InitiatorPortIDs",
    "in string[] TargetPortIDs",
    "in string[] DeviceNumbers",
    "in uint16[] DeviceAccesses",
    "inout ref:CIM_SCSIProtocolController[] ProtocolControllers",
];

const EXPOSE_NAMED_PARAMS: &[&str] = &[
    "out ref:CIM_ConcreteJob Job",
    "in string ElementName",
    "in string[] LUNames",
    "in string[] InitiatorPortIDs",
    "in string[] TargetPortIDs",
    "in string[] DeviceNumbers",
    "in uint16[] DeviceAccesses",
    "in ref:CIM_StorageClientSettingData ClientSettingData",
    "inout ref:CIM_SCSIProtocolController[] ProtocolControllers",
];

const MASKING_CAPS: &[&str] = &[
    "uint16[] ValidHardwareIdTypes",
    "string[] OtherValidHardwareIDTypes",
    "uint16 PortsPerView",
    "boolean ClientSelectableDeviceNumbers",
    "boolean AttachDeviceSupported",
    "boolean OneHardwareIDPerView",
    "boolean UniqueUnitNumbersPerPort",
    "boolean PrivilegeDeniedSupported",
    "boolean ProtocolControllerRequiresAuthorizedIdentity",
    "boolean ProtocolControllerSupportsCollections",
    "boolean ExposePathsSupported",
    "boolean CreateProtocolControllerSupported",
    "boolean ExposePathsWithNameAndHostTypeSupported",
    "uint16 MaximumMapCount",
    "boolean SPCAllowsNoLUs",
    "boolean SPCAllowsNoTargets",
    "boolean SPCAllowsNoInitiators",
    "boolean SPCSupportsDefaultViews",
    "uint16[] SupportedSynchronousActions",
    "uint16[] SupportedAsynchronousActions",
];

/// The masking classes, superclasses first.
pub(super) const MASKING_CLASSES: &[ClassDef] = &[
    // ----- services -----
    c(
        "CIM_ControllerConfigurationService",
        Some("CIM_Service"),
        &[],
        &[
            m("ExposePaths", EXPOSE_PARAMS),
            m("ExposePathsWithNameAndHostType", EXPOSE_NAMED_PARAMS),
            m(
                "HidePaths",
                &[
                    "out ref:CIM_ConcreteJob Job",
                    "in string[] LUNames",
                    "in string[] InitiatorPortIDs",
                    "in string[] TargetPortIDs",
                    "inout ref:CIM_SCSIProtocolController[] ProtocolControllers",
                ],
            ),
            m(
                "DeleteProtocolController",
                &[
                    "in ref:CIM_ProtocolController ProtocolController",
                    "in boolean DeleteChildrenProtocolControllers",
                    "in boolean DeleteUnits",
                ],
            ),
        ],
    ),
    c(
        "SIMS_ControllerConfigurationService",
        Some("CIM_ControllerConfigurationService"),
        &[],
        &[],
    ),
    c(
        "CIM_GroupMaskingMappingService",
        Some("CIM_ControllerConfigurationService"),
        &[],
        &[
            m(
                "CreateGroup",
                &[
                    "in string GroupName",
                    "in uint16 Type",
                    "in ref:CIM_ManagedElement[] Members",
                    "out ref:CIM_ConcreteJob Job",
                    "in boolean DeleteOnEmpty",
                    "in boolean DeleteWhenBecomesUnassociated",
                    "in boolean ConsistentLogicalUnitNumber",
                    "out ref:CIM_MaskingGroup MaskingGroup",
                ],
            ),
            m(
                "DeleteGroup",
                &[
                    "in ref:CIM_MaskingGroup MaskingGroup",
                    "out ref:CIM_ConcreteJob Job",
                    "in boolean Force",
                ],
            ),
            m(
                "AddMembers",
                &[
                    "inout ref:CIM_MaskingGroup MaskingGroup",
                    "in ref:CIM_ManagedElement[] Members",
                    "in string[] DeviceNumbers",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "RemoveMembers",
                &[
                    "in ref:CIM_MaskingGroup MaskingGroup",
                    "in ref:CIM_ManagedElement[] Members",
                    "out ref:CIM_ConcreteJob Job",
                    "in boolean DeleteOnEmpty",
                ],
            ),
            m(
                "CreateMaskingView",
                &[
                    "in string ElementName",
                    "in ref:CIM_MaskingGroup InitiatorMaskingGroup",
                    "in ref:CIM_MaskingGroup TargetMaskingGroup",
                    "in ref:CIM_MaskingGroup DeviceMaskingGroup",
                    "in string[] DeviceNumbers",
                    "out ref:CIM_ConcreteJob Job",
                    "out ref:CIM_SCSIProtocolController ProtocolController",
                ],
            ),
            m(
                "DeleteMaskingView",
                &[
                    "in ref:CIM_SCSIProtocolController ProtocolController",
                    "out ref:CIM_ConcreteJob Job",
                    "in boolean DeleteWhenBecomesUnassociated",
                ],
            ),
            m(
                "ModifyMaskingView",
                &[
                    "in uint16 Operation",
                    "in ref:CIM_SCSIProtocolController ProtocolController",
                    "in ref:CIM_MaskingGroup MaskingGroup",
                    "in string[] DeviceNumbers",
                    "out ref:CIM_ConcreteJob Job",
                    "in boolean Force",
                ],
            ),
        ],
    ),
    c(
        "SIMS_GroupMaskingMappingService",
        Some("CIM_GroupMaskingMappingService"),
        &[],
        &[],
    ),
    c(
        "CIM_StorageHardwareIDManagementService",
        Some("CIM_Service"),
        &[],
        &[
            m(
                "CreateStorageHardwareID",
                &[
                    "in string ElementName",
                    "in string StorageID",
                    "in uint16 IDType",
                    "in string OtherIDType",
                    "in ref:CIM_StorageClientSettingData Setting",
                    "out ref:CIM_StorageHardwareID HardwareID",
                ],
            ),
            m(
                "DeleteStorageHardwareID",
                &["in ref:CIM_StorageHardwareID HardwareID"],
            ),
        ],
    ),
    c(
        "SIMS_StorageHardwareIDManagementService",
        Some("CIM_StorageHardwareIDManagementService"),
        &[],
        &[],
    ),
    // ----- capabilities -----
    c(
        "CIM_ProtocolControllerMaskingCapabilities",
        Some("CIM_Capabilities"),
        MASKING_CAPS,
        &[],
    ),
    c(
        "SIMS_ProtocolControllerMaskingCapabilities",
        Some("CIM_ProtocolControllerMaskingCapabilities"),
        &[],
        &[],
    ),
    c(
        "CIM_GroupMaskingMappingCapabilities",
        Some("CIM_ProtocolControllerMaskingCapabilities"),
        &[
            "uint16[] SupportedFeatures",
            "uint16[] SupportedInitiatorGroupFeatures",
            "uint16[] SupportedTargetGroupFeatures",
            "uint16[] SupportedDeviceGroupFeatures",
        ],
        &[],
    ),
    c(
        "SIMS_GroupMaskingMappingCapabilities",
        Some("CIM_GroupMaskingMappingCapabilities"),
        &[],
        &[],
    ),
    // ----- groups and identities -----
    c("CIM_Collection", Some("CIM_ManagedElement"), &[], &[]),
    c(
        "CIM_SystemSpecificCollection",
        Some("CIM_Collection"),
        &["key string InstanceID"],
        &[],
    ),
    c(
        "CIM_MaskingGroup",
        Some("CIM_SystemSpecificCollection"),
        &[
            "boolean DeleteOnEmpty",
            "boolean DeleteWhenBecomesUnassociated",
        ],
        &[],
    ),
    c(
        "CIM_InitiatorMaskingGroup",
        Some("CIM_MaskingGroup"),
        &["boolean ConsistentLogicalUnitNumber"],
        &[],
    ),
    c("CIM_TargetMaskingGroup", Some("CIM_MaskingGroup"), &[], &[]),
    c("CIM_DeviceMaskingGroup", Some("CIM_MaskingGroup"), &[], &[]),
    c(
        "SIMS_InitiatorMaskingGroup",
        Some("CIM_InitiatorMaskingGroup"),
        &[],
        &[],
    ),
    c(
        "SIMS_TargetMaskingGroup",
        Some("CIM_TargetMaskingGroup"),
        &[],
        &[],
    ),
    c(
        "SIMS_DeviceMaskingGroup",
        Some("CIM_DeviceMaskingGroup"),
        &[],
        &[],
    ),
    c(
        "CIM_Identity",
        Some("CIM_ManagedElement"),
        &["key string InstanceID", "boolean CurrentlyAuthenticated"],
        &[],
    ),
    c(
        "CIM_StorageHardwareID",
        Some("CIM_Identity"),
        &["string StorageID", "uint16 IDType", "string OtherIDType"],
        &[],
    ),
    c(
        "SIMS_StorageHardwareID",
        Some("CIM_StorageHardwareID"),
        &[],
        &[],
    ),
    // ----- controllers and ports -----
    c(
        "CIM_ProtocolController",
        Some("CIM_LogicalDevice"),
        &["uint32 MaxUnitsControlled"],
        &[],
    ),
    c(
        "CIM_SCSIProtocolController",
        Some("CIM_ProtocolController"),
        &["uint16 NameFormat", "string OtherNameFormat"],
        &[],
    ),
    c(
        "SIMS_SCSIProtocolController",
        Some("CIM_SCSIProtocolController"),
        &[],
        &[],
    ),
    c(
        "CIM_LogicalPort",
        Some("CIM_LogicalDevice"),
        &[
            "uint64 Speed",
            "uint64 MaxSpeed",
            "uint64 RequestedSpeed",
            "uint16 UsageRestriction",
            "uint16 PortType",
            "string OtherPortType",
        ],
        &[],
    ),
    c(
        "CIM_NetworkPort",
        Some("CIM_LogicalPort"),
        &[
            "uint16 PortNumber",
            "uint16 LinkTechnology",
            "string PermanentAddress",
            "string[] NetworkAddresses",
            "boolean FullDuplex",
            "uint16 PortAvailability",
        ],
        &[],
    ),
    c(
        "CIM_FCPort",
        Some("CIM_NetworkPort"),
        &["uint16[] PortDiscriminator"],
        &[],
    ),
    c("SIMS_FCPort", Some("CIM_FCPort"), &[], &[]),
    c("CIM_EthernetPort", Some("CIM_NetworkPort"), &[], &[]),
    c("SIMS_EthernetPort", Some("CIM_EthernetPort"), &[], &[]),
    c(
        "CIM_ServiceAccessPoint",
        Some("CIM_EnabledLogicalElement"),
        SERVICE_AP_KEYS,
        &[],
    ),
    c(
        "CIM_ProtocolEndpoint",
        Some("CIM_ServiceAccessPoint"),
        &["string NameFormat", "uint16 ProtocolIFType"],
        &[],
    ),
    c(
        "CIM_SCSIProtocolEndpoint",
        Some("CIM_ProtocolEndpoint"),
        &[
            "uint16 ConnectionType",
            "uint16 Role",
            "uint32 TargetRelativePortNumber",
        ],
        &[],
    ),
    c(
        "SIMS_SCSIProtocolEndpoint",
        Some("CIM_SCSIProtocolEndpoint"),
        &[],
        &[],
    ),
    c(
        "CIM_iSCSIProtocolEndpoint",
        Some("CIM_SCSIProtocolEndpoint"),
        &["string Identifier"],
        &[],
    ),
    c(
        "SIMS_iSCSIProtocolEndpoint",
        Some("CIM_iSCSIProtocolEndpoint"),
        &[],
        &[],
    ),
    c(
        "CIM_TCPProtocolEndpoint",
        Some("CIM_ProtocolEndpoint"),
        &["uint32 PortNumber"],
        &[],
    ),
    c(
        "SIMS_TCPProtocolEndpoint",
        Some("CIM_TCPProtocolEndpoint"),
        &[],
        &[],
    ),
    c(
        "CIM_IPProtocolEndpoint",
        Some("CIM_ProtocolEndpoint"),
        &[
            "string IPv4Address",
            "string IPv6Address",
            "string SubnetMask",
            "uint8 PrefixLength",
            "uint16 AddressType",
            "uint16 IPv6AddressType",
            "uint16 AddressOrigin",
        ],
        &[],
    ),
    c(
        "SIMS_IPProtocolEndpoint",
        Some("CIM_IPProtocolEndpoint"),
        &[],
        &[],
    ),
    // ----- associations -----
    a("CIM_ConcreteDependency", Some("CIM_Dependency"), &[]),
    a(
        "SIMS_ConcreteDependency",
        Some("CIM_ConcreteDependency"),
        &[],
    ),
    a(
        "CIM_ServiceAffectsElement",
        None,
        &[
            "key ref:CIM_ManagedElement AffectedElement",
            "key ref:CIM_Service AffectingElement",
            "uint16[] ElementEffects",
        ],
    ),
    a(
        "SIMS_ServiceAffectsElement",
        Some("CIM_ServiceAffectsElement"),
        &[],
    ),
    a(
        "CIM_HostedCollection",
        Some("CIM_HostedDependency"),
        &[
            "key ref:CIM_System Antecedent",
            "key ref:CIM_SystemSpecificCollection Dependent",
        ],
    ),
    a("SIMS_HostedCollection", Some("CIM_HostedCollection"), &[]),
    a(
        "CIM_MemberOfCollection",
        None,
        &[
            "key ref:CIM_Collection Collection",
            "key ref:CIM_ManagedElement Member",
        ],
    ),
    a(
        "SIMS_MemberOfCollection",
        Some("CIM_MemberOfCollection"),
        &[],
    ),
    a(
        "CIM_OrderedMemberOfCollection",
        Some("CIM_MemberOfCollection"),
        &["uint64 AssignedSequence"],
    ),
    a(
        "SIMS_OrderedMemberOfCollection",
        Some("CIM_OrderedMemberOfCollection"),
        &[],
    ),
    a(
        "CIM_AssociatedMaskingGroup",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_ProtocolController Antecedent",
            "key ref:CIM_MaskingGroup Dependent",
        ],
    ),
    a(
        "CIM_AssociatedInitiatorMaskingGroup",
        Some("CIM_AssociatedMaskingGroup"),
        &[],
    ),
    a(
        "CIM_AssociatedTargetMaskingGroup",
        Some("CIM_AssociatedMaskingGroup"),
        &[],
    ),
    a(
        "CIM_AssociatedDeviceMaskingGroup",
        Some("CIM_AssociatedMaskingGroup"),
        &[],
    ),
    a(
        "SIMS_AssociatedInitiatorMaskingGroup",
        Some("CIM_AssociatedInitiatorMaskingGroup"),
        &[],
    ),
    a(
        "SIMS_AssociatedTargetMaskingGroup",
        Some("CIM_AssociatedTargetMaskingGroup"),
        &[],
    ),
    a(
        "SIMS_AssociatedDeviceMaskingGroup",
        Some("CIM_AssociatedDeviceMaskingGroup"),
        &[],
    ),
    a(
        "CIM_ProtocolControllerForDevice",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_ProtocolController Antecedent",
            "key ref:CIM_LogicalDevice Dependent",
            "string DeviceNumber",
            "uint16 DeviceAccess",
            "uint16 AccessState",
            "uint16 AccessPriority",
        ],
    ),
    a(
        "CIM_ProtocolControllerForUnit",
        Some("CIM_ProtocolControllerForDevice"),
        &[],
    ),
    a(
        "SIMS_ProtocolControllerForUnit",
        Some("CIM_ProtocolControllerForUnit"),
        &[],
    ),
    a(
        "CIM_AssociatedPrivilege",
        None,
        &[
            "key ref:CIM_ManagedElement Subject",
            "key ref:CIM_ManagedElement Target",
            "key string UseKey",
            "boolean PrivilegeGranted",
            "uint16[] Activities",
        ],
    ),
    a(
        "SIMS_AssociatedPrivilege",
        Some("CIM_AssociatedPrivilege"),
        &[],
    ),
    a(
        "CIM_HostedAccessPoint",
        Some("CIM_HostedDependency"),
        &[
            "key ref:CIM_System Antecedent",
            "key ref:CIM_ServiceAccessPoint Dependent",
        ],
    ),
    a("SIMS_HostedAccessPoint", Some("CIM_HostedAccessPoint"), &[]),
    a(
        "CIM_DeviceSAPImplementation",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_LogicalDevice Antecedent",
            "key ref:CIM_ServiceAccessPoint Dependent",
        ],
    ),
    a(
        "SIMS_DeviceSAPImplementation",
        Some("CIM_DeviceSAPImplementation"),
        &[],
    ),
    a(
        "CIM_SAPAvailableForElement",
        None,
        &[
            "key ref:CIM_ServiceAccessPoint AvailableSAP",
            "key ref:CIM_ManagedElement ManagedElement",
        ],
    ),
    a(
        "SIMS_SAPAvailableForElement",
        Some("CIM_SAPAvailableForElement"),
        &[],
    ),
    a(
        "CIM_SAPSAPDependency",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_ServiceAccessPoint Antecedent",
            "key ref:CIM_ServiceAccessPoint Dependent",
        ],
    ),
    a("CIM_BindsTo", Some("CIM_SAPSAPDependency"), &[]),
    a("SIMS_BindsTo", Some("CIM_BindsTo"), &[]),
];

const SERVICE_AP_KEYS: &[&str] = &[
    "key string SystemCreationClassName",
    "key string SystemName",
    "key string CreationClassName",
    "key string Name",
];
