//! The class repository: every class the simulator serves (DMTF CIM 2.49 classes, reduced
//! to the properties and methods SMI-S clients use, and their `SIMS_` subclasses), with
//! superclass chains resolved (inherited properties carry `PROPAGATED` and `CLASSORIGIN`).
//!
//! Classes are written in a compact notation: a property is `"[key] TYPE[[]] Name
//! [emb:Class]"` where TYPE is a CIM type name or `ref:Class`; a method is a name, a return
//! type and parameters `"[in|out|inout] TYPE[[]] Name [emb:Class]"`.

use std::collections::HashMap;

use smis::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Flavor, Method, Parameter, Property,
    PropertyExtra, Qualifier,
};

/// A resolved class repository.
#[derive(Debug, Clone)]
pub struct ClassRepo {
    classes: Vec<CimClass>,
    index: HashMap<String, usize>,
}

pub(super) struct MethodDef {
    name: &'static str,
    params: &'static [&'static str],
}

pub(super) const fn m(name: &'static str, params: &'static [&'static str]) -> MethodDef {
    MethodDef { name, params }
}

pub(super) struct ClassDef {
    name: &'static str,
    superclass: Option<&'static str>,
    association: bool,
    props: &'static [&'static str],
    methods: &'static [MethodDef],
}

pub(super) const fn c(
    name: &'static str,
    superclass: Option<&'static str>,
    props: &'static [&'static str],
    methods: &'static [MethodDef],
) -> ClassDef {
    ClassDef {
        name,
        superclass,
        association: false,
        props,
        methods,
    }
}

pub(super) const fn a(
    name: &'static str,
    superclass: Option<&'static str>,
    props: &'static [&'static str],
) -> ClassDef {
    ClassDef {
        name,
        superclass,
        association: true,
        props,
        methods: &[],
    }
}

const SERVICE_KEYS: &[&str] = &[
    "key string SystemCreationClassName",
    "key string SystemName",
    "key string CreationClassName",
    "key string Name",
    "string PrimaryOwnerName",
    "boolean Started",
];

const RASD_PROPS: &[&str] = &[
    "uint16 ResourceType",
    "string OtherResourceType",
    "string ResourceSubType",
    "string PoolID",
    "uint16 ConsumerVisibility",
    "string[] HostResource",
    "string AllocationUnits",
    "uint64 VirtualQuantity",
    "uint64 Reservation",
    "uint64 Limit",
    "uint32 Weight",
    "boolean AutomaticAllocation",
    "boolean AutomaticDeallocation",
    "string Parent",
    "string[] Connection",
    "string Address",
    "uint16 MappingBehavior",
    "string AddressOnParent",
    "string VirtualQuantityUnits",
];

/// Every served class, superclasses first.
const CLASSES: &[ClassDef] = &[
    c(
        "CIM_ManagedElement",
        None,
        &[
            "string InstanceID",
            "string Caption",
            "string Description",
            "string ElementName",
            "uint64 Generation",
        ],
        &[],
    ),
    c(
        "CIM_ManagedSystemElement",
        Some("CIM_ManagedElement"),
        &[
            "datetime InstallDate",
            "string Name",
            "uint16[] OperationalStatus",
            "string[] StatusDescriptions",
            "string Status",
            "uint16 HealthState",
            "uint16 CommunicationStatus",
            "uint16 DetailedStatus",
            "uint16 OperatingStatus",
            "uint16 PrimaryStatus",
        ],
        &[],
    ),
    c(
        "CIM_LogicalElement",
        Some("CIM_ManagedSystemElement"),
        &[],
        &[],
    ),
    c(
        "CIM_EnabledLogicalElement",
        Some("CIM_LogicalElement"),
        &[
            "uint16 EnabledState",
            "string OtherEnabledState",
            "uint16 RequestedState",
            "uint16 EnabledDefault",
            "datetime TimeOfLastStateChange",
        ],
        &[m(
            "RequestStateChange",
            &[
                "in uint16 RequestedState",
                "out ref:CIM_ConcreteJob Job",
                "in datetime TimeoutPeriod",
            ],
        )],
    ),
    c(
        "CIM_System",
        Some("CIM_EnabledLogicalElement"),
        &[
            "key string CreationClassName",
            "key string Name",
            "string NameFormat",
            "string PrimaryOwnerName",
            "string PrimaryOwnerContact",
            "string[] Roles",
            "string[] OtherIdentifyingInfo",
            "string[] IdentifyingDescriptions",
        ],
        &[],
    ),
    c(
        "CIM_ComputerSystem",
        Some("CIM_System"),
        &["uint16[] Dedicated", "string[] OtherDedicatedDescriptions"],
        &[],
    ),
    c("SIMS_ComputerSystem", Some("CIM_ComputerSystem"), &[], &[]),
    c(
        "CIM_Service",
        Some("CIM_EnabledLogicalElement"),
        SERVICE_KEYS,
        &[m("StartService", &[]), m("StopService", &[])],
    ),
    c(
        "CIM_StorageConfigurationService",
        Some("CIM_Service"),
        &[],
        &[
            m(
                "CreateOrModifyElementFromStoragePool",
                &[
                    "in string ElementName",
                    "in uint16 ElementType",
                    "out ref:CIM_ConcreteJob Job",
                    "in ref:CIM_ManagedElement Goal",
                    "inout uint64 Size",
                    "in ref:CIM_StoragePool InPool",
                    "inout ref:CIM_LogicalElement TheElement",
                ],
            ),
            m(
                "ReturnToStoragePool",
                &[
                    "out ref:CIM_ConcreteJob Job",
                    "in ref:CIM_LogicalElement TheElement",
                ],
            ),
            m(
                "CreateReplica",
                &[
                    "in string ElementName",
                    "out ref:CIM_ConcreteJob Job",
                    "in ref:CIM_LogicalElement SourceElement",
                    "out ref:CIM_LogicalElement TargetElement",
                    "in ref:CIM_StorageSetting TargetSettingGoal",
                    "in ref:CIM_StoragePool TargetPool",
                    "in uint16 CopyType",
                ],
            ),
            m(
                "ModifySynchronization",
                &[
                    "in uint16 Operation",
                    "out ref:CIM_ConcreteJob Job",
                    "in ref:CIM_StorageSynchronized Synchronization",
                ],
            ),
        ],
    ),
    c(
        "SIMS_StorageConfigurationService",
        Some("CIM_StorageConfigurationService"),
        &[],
        &[],
    ),
    c(
        "CIM_ReplicationService",
        Some("CIM_Service"),
        &[],
        &[
            m(
                "CreateElementReplica",
                &[
                    "in string ElementName",
                    "in uint16 SyncType",
                    "in uint16 Mode",
                    "in ref:CIM_LogicalElement SourceElement",
                    "in ref:CIM_ServiceAccessPoint SourceAccessPoint",
                    "inout ref:CIM_LogicalElement TargetElement",
                    "in ref:CIM_ServiceAccessPoint TargetAccessPoint",
                    "in string ReplicationSettingData emb:CIM_ReplicationSettingData",
                    "out ref:CIM_ConcreteJob Job",
                    "out ref:CIM_Synchronized Synchronization",
                    "in ref:CIM_SettingData TargetSettingGoal",
                    "in ref:CIM_ResourcePool TargetPool",
                    "in uint16 WaitForCopyState",
                    "in ref:CIM_ConnectivityCollection ConnectivityCollection",
                    "in ref:CIM_Collection[] Collections",
                ],
            ),
            m(
                "ModifyReplicaSynchronization",
                &[
                    "in uint16 Operation",
                    "in ref:CIM_Synchronized Synchronization",
                    "in string ReplicationSettingData emb:CIM_ReplicationSettingData",
                    "in ref:CIM_Synchronized[] SyncPair",
                    "out ref:CIM_ConcreteJob Job",
                    "out ref:CIM_SettingsDefineState SettingsState",
                    "in boolean Force",
                    "in uint16 WaitForCopyState",
                    "out ref:CIM_Synchronized UpdatedSynchronization",
                ],
            ),
        ],
    ),
    c(
        "SIMS_ReplicationService",
        Some("CIM_ReplicationService"),
        &[],
        &[],
    ),
    c(
        "CIM_ResourcePoolConfigurationService",
        Some("CIM_Service"),
        &[],
        &[
            m(
                "CreateResourcePool",
                &[
                    "in string ElementName",
                    "in ref:CIM_LogicalDevice[] HostResources",
                    "in string ResourceType",
                    "out ref:CIM_ResourcePool Pool",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "CreateChildResourcePool",
                &[
                    "in string ElementName",
                    "in string[] Settings emb:CIM_ResourceAllocationSettingData",
                    "in ref:CIM_ResourcePool[] ParentPool",
                    "out ref:CIM_ResourcePool Pool",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "DeleteResourcePool",
                &[
                    "in ref:CIM_ResourcePool Pool",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "AddResourcesToResourcePool",
                &[
                    "in ref:CIM_LogicalDevice[] HostResources",
                    "in ref:CIM_ResourcePool Pool",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "RemoveResourcesFromResourcePool",
                &[
                    "in ref:CIM_LogicalDevice[] HostResources",
                    "in ref:CIM_ResourcePool Pool",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
            m(
                "ChangeParentResourcePool",
                &[
                    "in ref:CIM_ResourcePool ChildPool",
                    "in ref:CIM_ResourcePool[] ParentPool",
                    "in string[] Settings emb:CIM_ResourceAllocationSettingData",
                    "out ref:CIM_ConcreteJob Job",
                ],
            ),
        ],
    ),
    c(
        "SIMS_ResourcePoolConfigurationService",
        Some("CIM_ResourcePoolConfigurationService"),
        &[],
        &[],
    ),
    c("CIM_WBEMService", Some("CIM_Service"), &[], &[]),
    c(
        "CIM_ObjectManager",
        Some("CIM_WBEMService"),
        &["boolean GatherStatisticalData"],
        &[],
    ),
    c("SIMS_ObjectManager", Some("CIM_ObjectManager"), &[], &[]),
    c(
        "CIM_Capabilities",
        Some("CIM_ManagedElement"),
        &["key string InstanceID"],
        &[],
    ),
    c(
        "CIM_StorageConfigurationCapabilities",
        Some("CIM_Capabilities"),
        &[
            "uint16[] SupportedAsynchronousActions",
            "uint16[] SupportedSynchronousActions",
            "uint16[] SupportedStorageElementTypes",
            "uint16[] SupportedStoragePoolFeatures",
            "uint16[] SupportedStorageElementFeatures",
            "uint16[] SupportedCopyTypes",
        ],
        &[],
    ),
    c(
        "SIMS_StorageConfigurationCapabilities",
        Some("CIM_StorageConfigurationCapabilities"),
        &[],
        &[],
    ),
    c(
        "CIM_ReplicationServiceCapabilities",
        Some("CIM_Capabilities"),
        &[
            "uint16[] SupportedReplicationTypes",
            "uint16[] SupportedAsynchronousActions",
            "uint16[] SupportedSynchronousActions",
            "uint16[] SupportedStorageObjects",
        ],
        &[],
    ),
    c(
        "SIMS_ReplicationServiceCapabilities",
        Some("CIM_ReplicationServiceCapabilities"),
        &[],
        &[],
    ),
    c(
        "CIM_ResourcePoolConfigurationCapabilities",
        Some("CIM_Capabilities"),
        &[
            "uint16[] AsynchronousMethodsSupported",
            "uint16[] SynchronousMethodsSupported",
        ],
        &[],
    ),
    c(
        "SIMS_ResourcePoolConfigurationCapabilities",
        Some("CIM_ResourcePoolConfigurationCapabilities"),
        &[],
        &[],
    ),
    c(
        "CIM_ResourcePool",
        Some("CIM_LogicalElement"),
        &[
            "key string InstanceID",
            "string PoolID",
            "boolean Primordial",
            "uint64 Capacity",
            "uint64 Reserved",
            "uint16 ResourceType",
            "string OtherResourceType",
            "string ResourceSubType",
            "string AllocationUnits",
        ],
        &[],
    ),
    c(
        "CIM_StoragePool",
        Some("CIM_ResourcePool"),
        &[
            "uint64 TotalManagedSpace",
            "uint64 RemainingManagedSpace",
            "uint16 Usage",
            "string OtherUsageDescription",
        ],
        &[],
    ),
    c("SIMS_StoragePool", Some("CIM_StoragePool"), &[], &[]),
    c(
        "CIM_LogicalDevice",
        Some("CIM_EnabledLogicalElement"),
        &[
            "key string SystemCreationClassName",
            "key string SystemName",
            "key string CreationClassName",
            "key string DeviceID",
            "string[] OtherIdentifyingInfo",
            "string[] IdentifyingDescriptions",
        ],
        &[],
    ),
    c(
        "CIM_StorageExtent",
        Some("CIM_LogicalDevice"),
        &[
            "uint16 DataOrganization",
            "string Purpose",
            "uint16 Access",
            "uint64 BlockSize",
            "uint64 NumberOfBlocks",
            "uint64 ConsumableBlocks",
            "boolean IsBasedOnUnderlyingRedundancy",
            "boolean SequentialAccess",
            "uint16[] ExtentStatus",
            "boolean NoSinglePointOfFailure",
            "uint16 DataRedundancy",
            "uint16 PackageRedundancy",
            "uint8 DeltaReservation",
            "boolean Primordial",
            "string Name",
            "uint16 NameFormat",
            "uint16 NameNamespace",
            "string OtherNameNamespace",
            "string OtherNameFormat",
            "uint16 Usage",
            "string OtherUsageDescription",
        ],
        &[],
    ),
    c(
        "CIM_StorageVolume",
        Some("CIM_StorageExtent"),
        &["boolean ThinlyProvisioned"],
        &[],
    ),
    c("SIMS_StorageVolume", Some("CIM_StorageVolume"), &[], &[]),
    c("SIMS_StorageExtent", Some("CIM_StorageExtent"), &[], &[]),
    c(
        "CIM_MediaAccessDevice",
        Some("CIM_LogicalDevice"),
        &[
            "uint16[] Capabilities",
            "uint64 MaxMediaSize",
            "boolean Security",
        ],
        &[],
    ),
    c(
        "CIM_DiskDrive",
        Some("CIM_MediaAccessDevice"),
        &[
            "uint16 InterconnectType",
            "uint16 DiskType",
            "uint16 FormFactor",
            "uint16 Encryption",
            "uint32 RPM",
            "uint64 InterconnectSpeed",
        ],
        &[],
    ),
    c("SIMS_DiskDrive", Some("CIM_DiskDrive"), &[], &[]),
    c(
        "CIM_Job",
        Some("CIM_LogicalElement"),
        &[
            "string JobStatus",
            "datetime TimeSubmitted",
            "datetime ScheduledStartTime",
            "datetime StartTime",
            "datetime ElapsedTime",
            "uint32 JobRunTimes",
            "string Owner",
            "uint16 PercentComplete",
            "boolean DeleteOnCompletion",
            "uint16 ErrorCode",
            "string ErrorDescription",
            "uint16 RecoveryAction",
        ],
        &[m("KillJob", &["in boolean DeleteOnKill"])],
    ),
    c(
        "CIM_ConcreteJob",
        Some("CIM_Job"),
        &[
            "key string InstanceID",
            "uint16 JobState",
            "datetime TimeOfLastStateChange",
            "datetime TimeBeforeRemoval",
        ],
        &[
            m(
                "RequestStateChange",
                &["in uint16 RequestedState", "in datetime TimeoutPeriod"],
            ),
            m("GetError", &["out string Error emb:CIM_Error"]),
            m("GetErrors", &["out string[] Errors emb:CIM_Error"]),
        ],
    ),
    c("SIMS_ConcreteJob", Some("CIM_ConcreteJob"), &[], &[]),
    c(
        "CIM_SettingData",
        Some("CIM_ManagedElement"),
        &["key string InstanceID"],
        &[],
    ),
    c(
        "CIM_ResourceAllocationSettingData",
        Some("CIM_SettingData"),
        RASD_PROPS,
        &[],
    ),
    c(
        "SIMS_ResourceAllocationSettingData",
        Some("CIM_ResourceAllocationSettingData"),
        &[],
        &[],
    ),
    c(
        "CIM_Error",
        None,
        &[
            "uint16 ErrorType",
            "string OtherErrorType",
            "string OwningEntity",
            "string MessageID",
            "string Message",
            "string[] MessageArguments",
            "uint16 PerceivedSeverity",
            "uint16 ProbableCause",
            "string ProbableCauseDescription",
            "string[] RecommendedActions",
            "string ErrorSource",
            "uint16 ErrorSourceFormat",
            "string OtherErrorSourceFormat",
            "uint32 CIMStatusCode",
            "string CIMStatusCodeDescription",
        ],
        &[],
    ),
    c(
        "CIM_RegisteredSpecification",
        Some("CIM_ManagedElement"),
        &[
            "key string InstanceID",
            "uint16 RegisteredOrganization",
            "string OtherRegisteredOrganization",
            "string RegisteredName",
            "string RegisteredVersion",
        ],
        &[],
    ),
    c(
        "CIM_RegisteredProfile",
        Some("CIM_RegisteredSpecification"),
        &[
            "uint16[] AdvertiseTypes",
            "string[] AdvertiseTypeDescriptions",
        ],
        &[],
    ),
    c(
        "SIMS_RegisteredProfile",
        Some("CIM_RegisteredProfile"),
        &[],
        &[],
    ),
    c(
        "CIM_Namespace",
        Some("CIM_ManagedElement"),
        &[
            "key string SystemCreationClassName",
            "key string SystemName",
            "key string ObjectManagerCreationClassName",
            "key string ObjectManagerName",
            "key string CreationClassName",
            "key string Name",
            "uint16 ClassInfo",
            "uint16 ClassType",
        ],
        &[],
    ),
    c("SIMS_Namespace", Some("CIM_Namespace"), &[], &[]),
    // Associations.
    a(
        "CIM_Dependency",
        None,
        &[
            "key ref:CIM_ManagedElement Antecedent",
            "key ref:CIM_ManagedElement Dependent",
        ],
    ),
    a("CIM_HostedDependency", Some("CIM_Dependency"), &[]),
    a(
        "CIM_HostedService",
        Some("CIM_HostedDependency"),
        &[
            "key ref:CIM_System Antecedent",
            "key ref:CIM_Service Dependent",
        ],
    ),
    a("SIMS_HostedService", Some("CIM_HostedService"), &[]),
    a(
        "CIM_NamespaceInManager",
        Some("CIM_HostedDependency"),
        &[
            "key ref:CIM_ObjectManager Antecedent",
            "key ref:CIM_Namespace Dependent",
        ],
    ),
    a(
        "SIMS_NamespaceInManager",
        Some("CIM_NamespaceInManager"),
        &[],
    ),
    a(
        "CIM_AllocatedFromStoragePool",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_StoragePool Antecedent",
            "key ref:CIM_LogicalElement Dependent",
            "uint64 SpaceConsumed",
        ],
    ),
    a(
        "SIMS_AllocatedFromStoragePool",
        Some("CIM_AllocatedFromStoragePool"),
        &[],
    ),
    a(
        "CIM_ReferencedProfile",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_RegisteredProfile Antecedent",
            "key ref:CIM_RegisteredProfile Dependent",
        ],
    ),
    a("SIMS_ReferencedProfile", Some("CIM_ReferencedProfile"), &[]),
    a(
        "CIM_Component",
        None,
        &[
            "key ref:CIM_ManagedElement GroupComponent",
            "key ref:CIM_ManagedElement PartComponent",
        ],
    ),
    a(
        "CIM_SystemComponent",
        Some("CIM_Component"),
        &[
            "key ref:CIM_System GroupComponent",
            "key ref:CIM_ManagedSystemElement PartComponent",
        ],
    ),
    a(
        "CIM_SystemDevice",
        Some("CIM_SystemComponent"),
        &["key ref:CIM_LogicalDevice PartComponent"],
    ),
    a("SIMS_SystemDevice", Some("CIM_SystemDevice"), &[]),
    a(
        "CIM_HostedStoragePool",
        Some("CIM_SystemComponent"),
        &["key ref:CIM_StoragePool PartComponent"],
    ),
    a("SIMS_HostedStoragePool", Some("CIM_HostedStoragePool"), &[]),
    a("CIM_ConcreteComponent", Some("CIM_Component"), &[]),
    a("SIMS_ConcreteComponent", Some("CIM_ConcreteComponent"), &[]),
    a(
        "CIM_MediaPresent",
        Some("CIM_Dependency"),
        &[
            "key ref:CIM_MediaAccessDevice Antecedent",
            "key ref:CIM_StorageExtent Dependent",
            "boolean FixedMedia",
        ],
    ),
    a("SIMS_MediaPresent", Some("CIM_MediaPresent"), &[]),
    a(
        "CIM_ElementCapabilities",
        None,
        &[
            "key ref:CIM_ManagedElement ManagedElement",
            "key ref:CIM_Capabilities Capabilities",
            "uint16[] Characteristics",
        ],
    ),
    a(
        "SIMS_ElementCapabilities",
        Some("CIM_ElementCapabilities"),
        &[],
    ),
    a(
        "CIM_AffectedJobElement",
        None,
        &[
            "key ref:CIM_ManagedElement AffectedElement",
            "key ref:CIM_Job AffectingElement",
            "uint16[] ElementEffects",
        ],
    ),
    a(
        "SIMS_AffectedJobElement",
        Some("CIM_AffectedJobElement"),
        &[],
    ),
    a(
        "CIM_OwningJobElement",
        None,
        &[
            "key ref:CIM_ManagedElement OwningElement",
            "key ref:CIM_Job OwnedElement",
        ],
    ),
    a("SIMS_OwningJobElement", Some("CIM_OwningJobElement"), &[]),
    a(
        "CIM_Synchronized",
        None,
        &[
            "key ref:CIM_ManagedElement SystemElement",
            "key ref:CIM_ManagedElement SyncedElement",
            "datetime WhenSynced",
            "boolean SyncMaintained",
        ],
    ),
    a(
        "CIM_StorageSynchronized",
        Some("CIM_Synchronized"),
        &[
            "uint16 CopyType",
            "uint16 ReplicaType",
            "uint16 SyncState",
            "uint16 CopyMethodology",
            "uint16 CopyPriority",
            "uint16 CopyState",
            "uint16 Mode",
            "uint16 PercentSynced",
            "uint16 ProgressStatus",
            "uint16 SyncType",
            "uint16 RequestedCopyState",
            "datetime WhenEstablished",
        ],
    ),
    a(
        "SIMS_StorageSynchronized",
        Some("CIM_StorageSynchronized"),
        &[],
    ),
    a(
        "CIM_ElementConformsToProfile",
        None,
        &[
            "key ref:CIM_RegisteredProfile ConformantStandard",
            "key ref:CIM_ManagedElement ManagedElement",
        ],
    ),
    a(
        "SIMS_ElementConformsToProfile",
        Some("CIM_ElementConformsToProfile"),
        &[],
    ),
];

fn key_qualifier() -> Qualifier {
    let mut q = Qualifier::new("Key", true);
    q.flavor = Flavor {
        overridable: Some(false),
        ..Flavor::default()
    };
    q
}

/// Parses `TYPE[[]]` into (type, array, reference class).
fn parse_type(t: &str) -> (CimType, bool, Option<CimName>) {
    let (t, array) = match t.strip_suffix("[]") {
        Some(base) => (base, true),
        None => (t, false),
    };
    if let Some(class) = t.strip_prefix("ref:") {
        return (CimType::Reference, array, Some(CimName::new(class)));
    }
    // The table above only uses valid type names; fall back to string defensively.
    (CimType::parse(t).unwrap_or(CimType::String), array, None)
}

fn parse_property(spec: &str, origin: &str) -> Property {
    let mut words: Vec<&str> = spec.split_whitespace().collect();
    let key = words.first() == Some(&"key");
    if key {
        words.remove(0);
    }
    let (ty, array, refclass) = parse_type(words.first().copied().unwrap_or("string"));
    let name = words.get(1).copied().unwrap_or("Unnamed");
    let emb = words.get(2).and_then(|w| w.strip_prefix("emb:"));
    let mut p = Property::null(name, ty, array);
    let extra = PropertyExtra {
        reference_class: refclass,
        class_origin: Some(CimName::new(origin)),
        array_size: None,
        qualifiers: {
            let mut q = Vec::new();
            if key {
                q.push(key_qualifier());
            }
            if let Some(e) = emb {
                q.push(Qualifier::new("EmbeddedInstance", e));
            }
            q
        },
    };
    if emb.is_some() {
        p.embedded = Some(EmbeddedKind::Instance);
    }
    p.propagated = Some(false);
    p.extra = Some(Box::new(extra));
    p
}

fn parse_parameter(spec: &str) -> Parameter {
    let mut words: Vec<&str> = spec.split_whitespace().collect();
    let (is_in, is_out) = match words.first().copied() {
        Some("in") => (true, false),
        Some("out") => (false, true),
        Some("inout") => (true, true),
        _ => (true, false),
    };
    if matches!(words.first().copied(), Some("in" | "out" | "inout")) {
        words.remove(0);
    }
    let (ty, array, refclass) = parse_type(words.first().copied().unwrap_or("string"));
    let name = words.get(1).copied().unwrap_or("Unnamed");
    let mut p = Parameter::new(name, ty, array);
    p.reference_class = refclass;
    p.qualifiers.push(Qualifier::new("IN", is_in));
    if is_out {
        p.qualifiers.push(Qualifier::new("OUT", true));
    }
    if let Some(e) = words.get(2).and_then(|w| w.strip_prefix("emb:")) {
        p.qualifiers.push(Qualifier::new("EmbeddedInstance", e));
    }
    p
}

impl ClassRepo {
    /// Builds the repository of all served classes.
    pub fn new() -> ClassRepo {
        let mut repo = ClassRepo {
            classes: Vec::new(),
            index: HashMap::new(),
        };
        for def in CLASSES
            .iter()
            .chain(super::masking_classes::MASKING_CLASSES)
        {
            let mut class = CimClass::new(def.name);
            class.superclass = def.superclass.map(CimName::new);
            if let Some(sup) = def.superclass.and_then(|s| repo.get(s)).cloned() {
                for mut p in sup.properties {
                    p.propagated = Some(true);
                    class.properties.push(p);
                }
                for mut me in sup.methods {
                    me.propagated = Some(true);
                    class.methods.push(me);
                }
                class.qualifiers = sup
                    .qualifiers
                    .into_iter()
                    .filter(|q| q.name == "Association")
                    .collect();
            }
            if def.association && !class.qualifiers.iter().any(|q| q.name == "Association") {
                class.qualifiers.push(Qualifier::new("Association", true));
            }
            for spec in def.props {
                let mut p = parse_property(spec, def.name);
                if let Some(old) = class.properties.iter_mut().find(|o| o.name == p.name) {
                    // An override keeps the Key qualifier of the overridden property.
                    if old.is_key() && !p.is_key() {
                        p.extra_mut().qualifiers.insert(0, key_qualifier());
                    }
                    *old = p;
                } else {
                    class.properties.push(p);
                }
            }
            for md in def.methods {
                let mut me = Method::new(md.name, CimType::Uint32);
                me.parameters = md.params.iter().map(|s| parse_parameter(s)).collect();
                me.class_origin = Some(CimName::new(def.name));
                me.propagated = Some(false);
                if let Some(old) = class.methods.iter_mut().find(|o| o.name == me.name) {
                    *old = me;
                } else {
                    class.methods.push(me);
                }
            }
            super::valuemaps::apply(&mut class, |anc| {
                def.name.eq_ignore_ascii_case(anc)
                    || def.superclass.is_some_and(|s| repo.is_a(s, anc))
            });
            repo.index
                .insert(def.name.to_ascii_lowercase(), repo.classes.len());
            repo.classes.push(class);
        }
        repo
    }

    /// The class called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&CimClass> {
        self.index
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.classes[i])
    }

    /// True when `name` is served.
    pub fn exists(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when `class` is `ancestor` or one of its subclasses.
    pub fn is_a(&self, class: &str, ancestor: &str) -> bool {
        let mut cur = Some(class.to_string());
        let mut guard = 0;
        while let Some(name) = cur {
            if name.eq_ignore_ascii_case(ancestor) {
                return true;
            }
            guard += 1;
            if guard > 32 {
                return false;
            }
            cur = self
                .get(&name)
                .and_then(|c| c.superclass.as_ref())
                .map(|s| s.as_str().to_string());
        }
        false
    }

    /// True when the class carries the Association qualifier.
    pub fn is_association(&self, class: &str) -> bool {
        self.get(class)
            .is_some_and(|c| c.qualifiers.iter().any(|q| q.name == "Association"))
    }

    /// Subclasses of `name` (direct only unless `deep`); `None` = the root classes
    /// (or all classes when `deep`).
    pub fn subclasses(&self, name: Option<&str>, deep: bool) -> Vec<&CimClass> {
        self.classes
            .iter()
            .filter(|c| match (name, &c.superclass) {
                (None, None) => true,
                (None, Some(_)) => deep,
                (Some(_), None) => false,
                (Some(n), Some(sup)) => {
                    if deep {
                        !c.name.eq_ignore_case(n) && self.is_a(c.name.as_str(), n)
                    } else {
                        sup.eq_ignore_case(n)
                    }
                }
            })
            .collect()
    }

    /// All classes.
    pub fn all(&self) -> &[CimClass] {
        &self.classes
    }
}

impl Default for ClassRepo {
    fn default() -> Self {
        ClassRepo::new()
    }
}

/// Returns a copy of `class` shaped by the GetClass/EnumerateClasses flags.
pub fn shape_class(
    class: &CimClass,
    local_only: bool,
    include_qualifiers: bool,
    include_class_origin: bool,
    property_list: Option<&[CimName]>,
) -> CimClass {
    let mut out = class.clone();
    if local_only {
        out.properties.retain(|p| p.propagated != Some(true));
        out.methods.retain(|m| m.propagated != Some(true));
    }
    if let Some(list) = property_list {
        out.properties.retain(|p| list.contains(&p.name));
    }
    if !include_qualifiers {
        out.qualifiers.clear();
        for p in &mut out.properties {
            if let Some(e) = p.extra.as_mut() {
                e.qualifiers.clear();
            }
        }
        for m in &mut out.methods {
            m.qualifiers.clear();
            for p in &mut m.parameters {
                p.qualifiers.clear();
            }
        }
    }
    if !include_class_origin {
        for p in &mut out.properties {
            if let Some(e) = p.extra.as_mut() {
                e.class_origin = None;
            }
        }
        for m in &mut out.methods {
            m.class_origin = None;
        }
    }
    out
}

/// The standard qualifier declarations served by GetQualifier/EnumerateQualifiers.
pub fn qualifier_decls() -> Vec<smis::cim::QualifierDecl> {
    use smis::cim::{QualifierDecl, Scope};
    let decl = |name: &str, ty: CimType, is_array: bool, value: Option<CimValue>, scope: Scope| {
        QualifierDecl {
            name: CimName::new(name),
            cim_type: ty,
            is_array,
            array_size: None,
            value,
            scope: Some(scope),
            flavor: Flavor::default(),
        }
    };
    let any = Scope {
        class: true,
        association: true,
        reference: true,
        property: true,
        method: true,
        parameter: true,
        indication: true,
    };
    let prop_ref = Scope {
        property: true,
        reference: true,
        ..Scope::default()
    };
    let param = Scope {
        parameter: true,
        ..Scope::default()
    };
    let vm = Scope {
        property: true,
        method: true,
        parameter: true,
        ..Scope::default()
    };
    let mut key = decl(
        "Key",
        CimType::Boolean,
        false,
        Some(CimValue::Boolean(false)),
        prop_ref,
    );
    key.flavor.overridable = Some(false);
    key.flavor.tosubclass = Some(true);
    let mut desc = decl("Description", CimType::String, false, None, any);
    desc.flavor.translatable = Some(true);
    vec![
        decl(
            "Association",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(false)),
            Scope {
                association: true,
                ..Scope::default()
            },
        ),
        desc,
        decl(
            "EmbeddedInstance",
            CimType::String,
            false,
            None,
            Scope {
                property: true,
                method: true,
                parameter: true,
                ..Scope::default()
            },
        ),
        decl(
            "In",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(true)),
            param,
        ),
        key,
        decl(
            "Out",
            CimType::Boolean,
            false,
            Some(CimValue::Boolean(false)),
            param,
        ),
        decl("ValueMap", CimType::String, true, None, vm),
        decl("Values", CimType::String, true, None, vm),
    ]
}
