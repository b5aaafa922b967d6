//! Message-level tests of the simulated provider.

use std::sync::Arc;
use std::time::Duration;

use smis::cim::{CimArray, CimName, CimType, CimValue, Instance, ObjectPath};
use smis::message::{
    ErrorBody, IReturn, Intrinsic, IntrinsicRequest, MethodCall, MethodReturn, ParamValue,
    PullOptions, Request, Response,
};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec, Scenario};
use smis_sim::{Provider, SimFault};

mod common;
use common::*;

impl Sim {
    fn job_state(&self, job: &ObjectPath) -> (u16, u16, Vec<u16>) {
        let j = self.get(job).unwrap();
        (
            j.get("JobState").unwrap(),
            j.get("PercentComplete").unwrap(),
            j.get("OperationalStatus").unwrap(),
        )
    }

    fn clone_volume(&self, source: &str, sync_type: u16, pool: Option<&str>) -> MethodReturn {
        let svc = self.first("CIM_ReplicationService");
        let mut params = vec![
            pv("ElementName", format!("{source}-copy")),
            pv("SyncType", sync_type),
            pv("SourceElement", self.volume(source)),
            pv("WaitForCopyState", 4u16),
        ];
        if let Some(pool) = pool {
            params.push(pv("TargetPool", self.pool(pool)));
        }
        self.call(&svc, "CreateElementReplica", params).unwrap()
    }

    fn create_volume(&self, pool: &str, size: u64, name: &str) -> MethodReturn {
        let svc = self.first("CIM_StorageConfigurationService");
        self.call(
            &svc,
            "CreateOrModifyElementFromStoragePool",
            vec![
                pv("ElementName", name),
                pv("ElementType", 2u16),
                pv("InPool", self.pool(pool)),
                pv("Size", size),
            ],
        )
        .unwrap()
    }
}

fn err_code(r: Result<impl std::fmt::Debug, ErrorBody>) -> u32 {
    match r {
        Err(e) => e.code,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn profile_paths(s: &Sim, ns: &str) -> Vec<Instance> {
    match s
        .op_in(
            ns,
            Intrinsic::EnumerateInstances {
                class_name: "CIM_RegisteredProfile".into(),
                local_only: None,
                deep_inheritance: None,
                include_qualifiers: None,
                include_class_origin: None,
                property_list: Some(vec![
                    "RegisteredName".into(),
                    "RegisteredVersion".into(),
                    "RegisteredOrganization".into(),
                ]),
            },
        )
        .unwrap()
    {
        IReturn::Instances(v) => v,
        other => panic!("{other:?}"),
    }
}

// ----- discovery -----

#[test]
fn discovery_walk_finds_array_through_interop() {
    let s = sim("default");
    let profiles = profile_paths(&s, "interop");
    // 8 + Group Masking and Mapping, Masking and Mapping, Storage Hardware ID Management,
    // FC Target Ports, iSCSI Target Ports.
    assert_eq!(profiles.len(), 8 + 5);
    for p in &profiles {
        assert_eq!(p.properties.len(), 3, "PropertyList honoured: {p:?}");
    }
    let mut ids: Vec<String> = profiles
        .iter()
        .map(|p| {
            p.path
                .as_ref()
                .unwrap()
                .key("InstanceID")
                .unwrap()
                .to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), profiles.len(), "InstanceIDs unique");
    let snia: Vec<(String, String)> = profiles
        .iter()
        .filter(|p| p.get::<u16>("RegisteredOrganization").unwrap() == 11)
        .map(|p| {
            (
                p.get("RegisteredName").unwrap(),
                p.get("RegisteredVersion").unwrap(),
            )
        })
        .collect();
    assert!(snia.contains(&("Array".into(), "1.8.0".into())));
    assert!(snia.contains(&("Job Control".into(), "1.5.0".into())));
    assert!(snia.contains(&("Disk Drive Lite".into(), "1.8.0".into())));
    let dmtf: Vec<&Instance> = profiles
        .iter()
        .filter(|p| p.get::<u16>("RegisteredOrganization").unwrap() == 2)
        .collect();
    assert_eq!(dmtf.len(), 1);

    let array = profiles
        .iter()
        .find(|p| p.get::<String>("RegisteredName").unwrap() == "Array")
        .unwrap()
        .path
        .clone()
        .unwrap();
    let systems = match s
        .op_in(
            "interop",
            Intrinsic::Associators {
                object_name: array.clone(),
                assoc_class: Some("CIM_ElementConformsToProfile".into()),
                result_class: Some("CIM_ComputerSystem".into()),
                role: None,
                result_role: None,
                include_qualifiers: None,
                include_class_origin: None,
                property_list: None,
            },
        )
        .unwrap()
    {
        IReturn::Objects(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(systems.len(), 1);
    let smis::message::CimObject::Instance(cs) = &systems[0] else {
        panic!()
    };
    assert_eq!(cs.path.as_ref().unwrap().namespace.as_deref(), Some(NS));
    assert_eq!(cs.get::<String>("Name").unwrap(), "SIMARRAY-0001");

    // Subprofiles via ReferencedProfile.
    let subs = match s
        .op_in(
            "interop",
            Intrinsic::AssociatorNames {
                object_name: array,
                assoc_class: Some("CIM_ReferencedProfile".into()),
                result_class: None,
                role: Some("Dependent".into()),
                result_role: Some("Antecedent".into()),
            },
        )
        .unwrap()
    {
        IReturn::ObjectPaths(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(subs.len(), 4 + 5);

    // Namespaces and the object manager.
    let nss = s.enum_in("interop", "CIM_Namespace");
    let mut names: Vec<String> = nss.iter().map(|n| n.get("Name").unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["interop".to_string(), NS.to_string()]);
    assert_eq!(s.enum_in("interop", "CIM_ObjectManager").len(), 1);

    // From the array side, ECTP leads back to the Array profile in interop.
    let cs_path = s.first("CIM_ComputerSystem");
    let back = s.assoc_names(
        &cs_path,
        "CIM_ElementConformsToProfile",
        Some("CIM_RegisteredProfile"),
    );
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].namespace.as_deref(), Some("interop"));
}

#[test]
fn interop_namespace_quirk() {
    let s = default_with(|s| s.quirks.interop_namespace = Some("root/PG_InterOp".into()));
    assert_eq!(profile_paths(&s, "root/PG_InterOp").len(), 8 + 5);
    assert_eq!(profile_paths(&s, "root/pg_interop").len(), 8 + 5);
    let e = s.op_in(
        "interop",
        Intrinsic::EnumerateInstances {
            class_name: "CIM_RegisteredProfile".into(),
            local_only: None,
            deep_inheritance: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        },
    );
    assert_eq!(err_code(e), 3);
}

#[test]
fn array_model_has_real_keys_and_values() {
    let s = sim("default");
    let vols = s.enumerate("CIM_StorageVolume");
    assert_eq!(vols.len(), 3);
    for v in &vols {
        assert_eq!(v.class_name.as_str(), "SIMS_StorageVolume");
        let name: String = v.get("Name").unwrap();
        assert_eq!(name.len(), 32);
        assert!(name.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(v.get::<u16>("NameFormat").unwrap(), 9);
        assert_eq!(v.get::<u16>("NameNamespace").unwrap(), 2);
        assert_eq!(v.get::<u64>("BlockSize").unwrap(), 512);
        assert_eq!(v.get::<Vec<u16>>("OperationalStatus").unwrap(), vec![2]);
        assert_eq!(v.get::<u16>("HealthState").unwrap(), 5);
        assert!(!v.get::<bool>("Primordial").unwrap());
        let p = v.path.as_ref().unwrap();
        for k in [
            "SystemCreationClassName",
            "SystemName",
            "CreationClassName",
            "DeviceID",
        ] {
            assert!(p.key(k).is_some(), "{k}");
        }
    }
    let pools = s.enumerate("CIM_StoragePool");
    assert_eq!(pools.len(), 3);
    let p0 = pools
        .iter()
        .find(|p| p.get::<bool>("Primordial").unwrap())
        .unwrap();
    assert_eq!(p0.get::<u16>("ResourceType").unwrap(), 19);
    // P1 (4 TiB) minus db01 (100 GiB) and logs01 (20 GiB).
    assert_eq!(s.remaining("P1"), 4096 * GIB - 120 * GIB);
    // The primordial pool gives its capacity to P1 and P2.
    assert_eq!(s.remaining("P0"), 16384 * GIB - 4096 * GIB - 16 * GIB);

    let rcaps = s.enumerate("CIM_ReplicationServiceCapabilities");
    assert_eq!(
        rcaps[0]
            .get::<Vec<u16>>("SupportedReplicationTypes")
            .unwrap(),
        vec![6, 7, 10, 11]
    );
    let scaps = s.enumerate("CIM_StorageConfigurationCapabilities");
    assert_eq!(
        scaps[0]
            .get::<Vec<u16>>("SupportedStorageElementTypes")
            .unwrap(),
        vec![2, 5]
    );
    assert_eq!(
        scaps[0].get::<Vec<u16>>("SupportedCopyTypes").unwrap(),
        vec![4, 5]
    );
    assert!(
        scaps[0]
            .get::<Vec<u16>>("SupportedSynchronousActions")
            .unwrap()
            .contains(&5)
    );
    let pcaps = s.enumerate("CIM_ResourcePoolConfigurationCapabilities");
    assert_eq!(
        pcaps[0]
            .get::<Vec<u16>>("SynchronousMethodsSupported")
            .unwrap(),
        vec![3, 4]
    );

    // Service → capabilities via ElementCapabilities; system → services via HostedService.
    let svc = s.first("CIM_ReplicationService");
    let caps = s.assoc_names(&svc, "CIM_ElementCapabilities", None);
    assert_eq!(caps.len(), 1);
    assert_eq!(
        caps[0].class_name.as_str(),
        "SIMS_ReplicationServiceCapabilities"
    );
    let cs = s.first("CIM_ComputerSystem");
    assert_eq!(
        s.assoc_names(&cs, "CIM_HostedService", Some("CIM_Service"))
            .len(),
        3 + 2 // + the masking and hardware ID services
    );
    assert_eq!(s.assoc_names(&cs, "CIM_HostedStoragePool", None).len(), 3);
    // volumes, disks + extents, 2 FC ports + iSCSI node + Ethernet port.
    assert_eq!(
        s.assoc_names(&cs, "CIM_SystemDevice", None).len(),
        3 + 16 + 4
    );
    assert_eq!(
        s.assoc_names(&cs, "CIM_SystemDevice", Some("CIM_StorageVolume"))
            .len(),
        3
    );

    // Disk Drive Lite: drives → primordial extents → the primordial pool.
    let disks = s.names("CIM_DiskDrive");
    assert_eq!(disks.len(), 8);
    let ext = s.assoc_names(&disks[0], "CIM_MediaPresent", Some("CIM_StorageExtent"));
    assert_eq!(ext.len(), 1);
    assert!(s.get(&ext[0]).unwrap().get::<bool>("Primordial").unwrap());
    let pool = s.assoc_names(&ext[0], "CIM_ConcreteComponent", Some("CIM_StoragePool"));
    assert_eq!(pool, vec![s.pool("P0")]);
}

// ----- intrinsic operations -----

#[test]
fn get_instance_filters_and_errors() {
    let s = sim("default");
    let vol = s.volume("vol-1");
    let full = s.get(&vol).unwrap();
    assert_eq!(full.get::<String>("ElementName").unwrap(), "db01");
    let r = s
        .op(Intrinsic::GetInstance {
            instance_name: vol.clone(),
            local_only: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: Some(vec!["ElementName".into(), "NumberOfBlocks".into()]),
        })
        .unwrap();
    let IReturn::Instance(i) = r else { panic!() };
    assert_eq!(i.properties.len(), 2);
    assert_eq!(i.get::<u64>("NumberOfBlocks").unwrap(), 100 * GIB / 512);

    // Superclass name in the path, and no namespace: still found.
    let mut generic = vol.local();
    generic.class_name = "CIM_StorageVolume".into();
    assert!(s.get(&generic).is_ok());

    let mut missing = vol.clone();
    missing.keys.retain(|k| k.name != "DeviceID");
    missing
        .keys
        .push(smis::cim::KeyBinding::new("DeviceID", "nope"));
    assert_eq!(err_code(s.get(&missing)), 6);
    let mut bad_class = vol.clone();
    bad_class.class_name = "CIM_NoSuchThing".into();
    assert_eq!(err_code(s.get(&bad_class)), 5);
    assert_eq!(
        err_code(s.op_in(
            "root/nowhere",
            Intrinsic::EnumerateInstanceNames {
                class_name: "CIM_StorageVolume".into()
            }
        )),
        3
    );
}

#[test]
fn enumerate_instances_deep_inheritance_and_names() {
    let s = sim("default");
    let deep = s.enumerate("CIM_StorageExtent");
    assert_eq!(
        deep.len(),
        3 + 8,
        "subclass instances included (volumes, disk extents)"
    );
    let shallow = match s
        .op(Intrinsic::EnumerateInstances {
            class_name: "CIM_LogicalDevice".into(),
            local_only: None,
            deep_inheritance: Some(false),
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        })
        .unwrap()
    {
        IReturn::Instances(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(shallow.len(), 3 + 8 + 8 + 4);
    assert!(shallow.iter().all(|i| i.property("DeviceID").is_some()));
    assert!(
        shallow.iter().all(|i| i.property("BlockSize").is_none()),
        "subclass properties dropped"
    );
    assert!(s.names("CIM_ManagedElement").len() > 10);
    assert_eq!(
        err_code(s.op(Intrinsic::EnumerateInstances {
            class_name: "CIM_Bogus".into(),
            local_only: None,
            deep_inheritance: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        })),
        5
    );
    assert!(s.names("CIM_ConcreteJob").is_empty());
}

#[test]
fn associations_with_filters() {
    let s = sim("default");
    let p1 = s.pool("P1");
    let vols = s.assoc_names(
        &p1,
        "CIM_AllocatedFromStoragePool",
        Some("CIM_StorageVolume"),
    );
    assert_eq!(vols.len(), 2);
    let parent = s.assoc_names(&p1, "CIM_AllocatedFromStoragePool", Some("CIM_StoragePool"));
    assert_eq!(parent.len(), 1);
    assert_eq!(
        parent[0].key("InstanceID").unwrap().as_str(),
        Some("SIMS:POOL:P0")
    );

    let with_roles = |role: &str, result_role: &str| -> usize {
        match s
            .op(Intrinsic::AssociatorNames {
                object_name: p1.clone(),
                assoc_class: Some("CIM_AllocatedFromStoragePool".into()),
                result_class: None,
                role: Some(role.into()),
                result_role: Some(result_role.into()),
            })
            .unwrap()
        {
            IReturn::ObjectPaths(v) => v.len(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(with_roles("Antecedent", "Dependent"), 2);
    assert_eq!(with_roles("Dependent", "Antecedent"), 1);
    assert_eq!(with_roles("Antecedent", "Antecedent"), 0);

    let refs = s.refs(&p1, "CIM_AllocatedFromStoragePool");
    assert_eq!(refs.len(), 3);
    assert!(refs.iter().all(|r| r.property("SpaceConsumed").is_some()));
    let names = match s
        .op(Intrinsic::ReferenceNames {
            object_name: p1.clone(),
            result_class: Some("CIM_HostedStoragePool".into()),
            role: Some("PartComponent".into()),
        })
        .unwrap()
    {
        IReturn::ObjectPaths(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(names.len(), 1);

    // Full Associators returns instances with paths.
    let objs = match s
        .op(Intrinsic::Associators {
            object_name: s.volume("vol-1"),
            assoc_class: None,
            result_class: Some("CIM_StoragePool".into()),
            role: None,
            result_role: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: Some(vec!["PoolID".into()]),
        })
        .unwrap()
    {
        IReturn::Objects(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(objs.len(), 1);

    // Class-level traversal (classes answer), unknown classes, missing objects.
    let class_path = ObjectPath::class(Some(NS), "SIMS_StoragePool");
    match s.op(Intrinsic::AssociatorNames {
        object_name: class_path,
        assoc_class: Some("CIM_HostedStoragePool".into()),
        result_class: None,
        role: None,
        result_role: None,
    }) {
        Ok(IReturn::ObjectPaths(p)) => {
            assert!(p.iter().all(|p| p.is_class()), "{p:?}");
            assert!(p.iter().any(|p| p.class_name == "CIM_System"), "{p:?}");
        }
        other => panic!("class-level AssociatorNames: {other:?}"),
    }
    assert_eq!(
        err_code(s.op(Intrinsic::AssociatorNames {
            object_name: p1.clone(),
            assoc_class: Some("CIM_Nope".into()),
            result_class: None,
            role: None,
            result_role: None,
        })),
        4
    );
    let gone = ObjectPath::new(NS, "SIMS_StoragePool").with_key("InstanceID", "SIMS:POOL:ZZ");
    assert_eq!(
        err_code(s.op(Intrinsic::ReferenceNames {
            object_name: gone,
            result_class: None,
            role: None,
        })),
        6
    );
}

#[test]
fn exec_query() {
    let s = sim("default");
    let q = |lang: &str, query: &str| {
        s.op(Intrinsic::ExecQuery {
            query_language: lang.into(),
            query: query.into(),
        })
    };
    let IReturn::Objects(all) = q("WQL", "SELECT * FROM CIM_StorageVolume").unwrap() else {
        panic!()
    };
    assert_eq!(all.len(), 3);
    let IReturn::Objects(one) = q(
        "DMTF:CQL",
        "select ElementName, DeviceID from CIM_StorageVolume where ElementName = 'db01'",
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(one.len(), 1);
    let smis::message::CimObject::Instance(i) = &one[0] else {
        panic!()
    };
    assert_eq!(i.properties.len(), 2);
    let IReturn::Objects(prim) = q(
        "WQL",
        "SELECT * FROM CIM_StoragePool WHERE Primordial = TRUE",
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(prim.len(), 1);
    let IReturn::Objects(num) = q(
        "WQL",
        "SELECT * FROM CIM_StorageVolume WHERE BlockSize = 512",
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(num.len(), 3);
    assert_eq!(err_code(q("XPath", "SELECT * FROM CIM_StorageVolume")), 14);
    assert_eq!(err_code(q("WQL", "DELETE FROM CIM_StorageVolume")), 15);
    assert_eq!(err_code(q("WQL", "SELECT * FROM CIM_Nope")), 15);
    assert_eq!(
        err_code(q("WQL", "SELECT * FROM CIM_StorageVolume WHERE Name > 3")),
        15
    );
}

#[test]
fn class_operations() {
    let s = sim("default");
    let get = |name: &str, local_only: Option<bool>, quals: Option<bool>| {
        s.op(Intrinsic::GetClass {
            class_name: name.into(),
            local_only,
            include_qualifiers: quals,
            include_class_origin: Some(true),
            property_list: None,
        })
    };
    let IReturn::Class(c) = get("SIMS_StorageVolume", Some(false), None).unwrap() else {
        panic!()
    };
    assert_eq!(c.superclass.as_ref().unwrap().as_str(), "CIM_StorageVolume");
    let keys: Vec<String> = c.key_names().iter().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        vec![
            "SystemCreationClassName",
            "SystemName",
            "CreationClassName",
            "DeviceID"
        ]
    );
    let dev = c.property("DeviceID").unwrap();
    assert_eq!(dev.class_origin().unwrap().as_str(), "CIM_LogicalDevice");
    assert_eq!(dev.propagated, Some(true));
    let IReturn::Class(local) = get("CIM_StorageVolume", None, None).unwrap() else {
        panic!()
    };
    assert_eq!(
        local.properties.len(),
        1,
        "LocalOnly defaults to true: {local:?}"
    );
    let IReturn::Class(noq) = get("CIM_StorageVolume", Some(false), Some(false)).unwrap() else {
        panic!()
    };
    assert!(noq.key_names().is_empty());

    let IReturn::Class(rs) = get("CIM_ReplicationService", Some(false), None).unwrap() else {
        panic!()
    };
    let cer = rs.method("CreateElementReplica").unwrap();
    assert!(cer.parameter("SyncType").unwrap().is_in());
    assert!(cer.parameter("Job").unwrap().is_out());
    assert!(!cer.parameter("Job").unwrap().is_in());
    let IReturn::Class(job) = get("CIM_ConcreteJob", Some(false), None).unwrap() else {
        panic!()
    };
    let errors = job
        .method("GetErrors")
        .unwrap()
        .parameter("Errors")
        .unwrap();
    assert!(errors.is_array);
    assert!(
        errors
            .qualifiers
            .iter()
            .any(|q| q.name == "EmbeddedInstance")
    );
    let IReturn::Class(assoc) = get("SIMS_StorageSynchronized", Some(false), None).unwrap() else {
        panic!()
    };
    assert!(assoc.qualifiers.iter().any(|q| q.name == "Association"));
    assert_eq!(
        assoc
            .property("SyncedElement")
            .unwrap()
            .reference_class()
            .unwrap()
            .as_str(),
        "CIM_ManagedElement"
    );
    assert_eq!(err_code(get("CIM_Nope", None, None)), 5);

    let names = |class: Option<&str>, deep: bool| -> Vec<String> {
        match s
            .op(Intrinsic::EnumerateClassNames {
                class_name: class.map(CimName::new),
                deep_inheritance: Some(deep),
            })
            .unwrap()
        {
            IReturn::ClassNames(v) => v.iter().map(|n| n.to_string()).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        names(Some("CIM_StorageVolume"), false),
        vec!["SIMS_StorageVolume"]
    );
    let deep = names(Some("CIM_StorageExtent"), true);
    assert!(deep.contains(&"CIM_StorageVolume".to_string()));
    assert!(deep.contains(&"SIMS_StorageVolume".to_string()));
    let roots = names(None, false);
    assert!(roots.contains(&"CIM_ManagedElement".to_string()));
    assert!(!roots.contains(&"CIM_StorageVolume".to_string()));
    assert!(names(None, true).len() > 60);
    let IReturn::Classes(cs) = s
        .op(Intrinsic::EnumerateClasses {
            class_name: Some("CIM_Service".into()),
            deep_inheritance: Some(true),
            local_only: Some(false),
            include_qualifiers: None,
            include_class_origin: None,
        })
        .unwrap()
    else {
        panic!()
    };
    assert!(cs.iter().any(|c| c.name == "SIMS_ReplicationService"));
    assert_eq!(
        err_code(s.op(Intrinsic::EnumerateClassNames {
            class_name: Some("CIM_Nope".into()),
            deep_inheritance: None
        })),
        5
    );
    assert_eq!(
        err_code(s.op(Intrinsic::DeleteClass {
            class_name: "SIMS_StorageVolume".into()
        })),
        7
    );
    assert_eq!(
        err_code(s.op(Intrinsic::CreateClass {
            new_class: smis::cim::CimClass::new("X_Y")
        })),
        7
    );
}

#[test]
fn qualifier_operations() {
    let s = sim("default");
    let IReturn::QualifierDecls(all) = s.op(Intrinsic::EnumerateQualifiers).unwrap() else {
        panic!()
    };
    for n in [
        "Key",
        "Description",
        "ValueMap",
        "Values",
        "In",
        "Out",
        "EmbeddedInstance",
    ] {
        assert!(all.iter().any(|q| q.name == n), "{n}");
    }
    let IReturn::QualifierDecl(key) = s
        .op(Intrinsic::GetQualifier {
            qualifier_name: "key".into(),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(key.cim_type, CimType::Boolean);
    assert_eq!(
        err_code(s.op(Intrinsic::GetQualifier {
            qualifier_name: "Nope".into()
        })),
        6
    );
    assert_eq!(
        err_code(s.op(Intrinsic::SetQualifier {
            qualifier_declaration: key
        })),
        7
    );
    assert_eq!(
        err_code(s.op(Intrinsic::DeleteQualifier {
            qualifier_name: "Key".into()
        })),
        7
    );
}

#[test]
fn instance_writes_are_not_supported_except_finished_jobs() {
    let s = sim("default");
    let vol = s.volume("vol-1");
    let inst = s.get(&vol).unwrap();
    assert_eq!(
        err_code(s.op(Intrinsic::CreateInstance {
            new_instance: inst.clone()
        })),
        7
    );
    assert_eq!(
        err_code(s.op(Intrinsic::ModifyInstance {
            modified_instance: inst,
            include_qualifiers: None,
            property_list: None
        })),
        7
    );
    assert_eq!(
        err_code(s.op(Intrinsic::DeleteInstance { instance_name: vol })),
        7
    );

    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    assert_eq!(
        err_code(s.op(Intrinsic::DeleteInstance {
            instance_name: job.clone()
        })),
        1
    );
    s.advance(10);
    assert!(
        s.op(Intrinsic::DeleteInstance {
            instance_name: job.clone()
        })
        .is_ok()
    );
    assert_eq!(err_code(s.get(&job)), 6);
    assert_eq!(
        err_code(s.op(Intrinsic::DeleteInstance { instance_name: job })),
        6
    );
}

// ----- pull -----

fn open_enum(s: &Sim, class: &str, max: u32, timeout: Option<u32>) -> Result<IReturn, ErrorBody> {
    s.op(Intrinsic::OpenEnumerateInstances {
        class_name: class.into(),
        deep_inheritance: None,
        include_class_origin: None,
        property_list: None,
        pull: {
            let mut p = PullOptions::default();
            p.operation_timeout = timeout;
            p.max_object_count = Some(max);
            p
        },
    })
}

fn pull_page(s: &Sim, ctx: &str, max: u32) -> Result<IReturn, ErrorBody> {
    s.op(Intrinsic::PullInstancesWithPath {
        enumeration_context: ctx.into(),
        max_object_count: max,
    })
}

#[test]
fn pull_paging_end_of_sequence_and_close() {
    let s = sim("default");
    let IReturn::PullInstances(first) = open_enum(&s, "CIM_ManagedElement", 5, None).unwrap()
    else {
        panic!()
    };
    assert_eq!(first.items.len(), 5);
    assert!(!first.end_of_sequence);
    assert!(first.items.iter().all(|i| i.path.is_some()));
    let ctx = first.enumeration_context.unwrap();
    let total = s.names("CIM_ManagedElement").len();
    let mut got = 5;
    loop {
        let IReturn::PullInstances(page) = pull_page(&s, &ctx, 7).unwrap() else {
            panic!()
        };
        assert!(page.items.len() <= 7);
        got += page.items.len();
        if page.end_of_sequence {
            assert!(page.enumeration_context.is_none());
            break;
        }
        assert_eq!(page.enumeration_context.as_deref(), Some(ctx.as_str()));
    }
    assert_eq!(got, total);
    assert_eq!(
        err_code(pull_page(&s, &ctx, 1)),
        21,
        "finished context is gone"
    );

    // Open with MaxObjectCount 0 returns nothing but a context; close it.
    let IReturn::PullInstances(zero) = open_enum(&s, "CIM_StorageVolume", 0, None).unwrap() else {
        panic!()
    };
    assert!(zero.items.is_empty() && !zero.end_of_sequence);
    let ctx = zero.enumeration_context.unwrap();
    assert_eq!(
        err_code(s.op(Intrinsic::PullInstancePaths {
            enumeration_context: ctx.clone(),
            max_object_count: 1
        })),
        4,
        "wrong pull operation for the context"
    );
    assert!(
        s.op(Intrinsic::CloseEnumeration {
            enumeration_context: ctx.clone()
        })
        .is_ok()
    );
    assert_eq!(err_code(pull_page(&s, &ctx, 1)), 21);
    assert_eq!(
        err_code(s.op(Intrinsic::CloseEnumeration {
            enumeration_context: ctx
        })),
        21
    );

    // An empty result ends at once.
    let IReturn::PullInstances(none) = open_enum(&s, "CIM_ConcreteJob", 0, None).unwrap() else {
        panic!()
    };
    assert!(none.end_of_sequence && none.enumeration_context.is_none());
}

#[test]
fn pull_context_expiry() {
    let s = sim("default");
    let ctx = |r: IReturn| match r {
        IReturn::PullInstances(p) => p.enumeration_context.unwrap(),
        IReturn::PullPaths(p) => p.enumeration_context.unwrap(),
        other => panic!("{other:?}"),
    };
    let c1 = ctx(open_enum(&s, "CIM_StorageVolume", 1, Some(10)).unwrap());
    s.advance(9);
    assert!(
        pull_page(&s, &c1, 1).is_ok(),
        "each operation restarts the timer"
    );
    s.advance(9);
    assert!(pull_page(&s, &c1, 0).is_ok());
    s.advance(11);
    assert_eq!(err_code(pull_page(&s, &c1, 1)), 21);

    // Default timeout is 30 s.
    let c2 = ctx(open_enum(&s, "CIM_StorageVolume", 1, None).unwrap());
    s.advance(31);
    assert_eq!(err_code(pull_page(&s, &c2, 1)), 21);

    // OperationTimeout 0 = never expires.
    let c3 = ctx(open_enum(&s, "CIM_StorageVolume", 1, Some(0)).unwrap());
    s.advance(3600);
    assert!(pull_page(&s, &c3, 1).is_ok());
}

#[test]
fn pull_paths_associators_references_and_query() {
    let s = sim("default");
    let p1 = s.pool("P1");
    let IReturn::PullPaths(paths) = s
        .op(Intrinsic::OpenEnumerateInstancePaths {
            class_name: "CIM_StoragePool".into(),
            pull: PullOptions::new().max_object_count(100),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(paths.items.len(), 3);
    assert!(paths.end_of_sequence);
    let IReturn::PullInstances(assoc) = s
        .op(Intrinsic::OpenAssociatorInstances {
            instance_name: p1.clone(),
            assoc_class: Some("CIM_AllocatedFromStoragePool".into()),
            result_class: Some("CIM_StorageVolume".into()),
            role: None,
            result_role: None,
            include_class_origin: None,
            property_list: None,
            pull: PullOptions::new().max_object_count(1),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(assoc.items.len(), 1);
    assert!(!assoc.end_of_sequence);
    let IReturn::PullPaths(ap) = s
        .op(Intrinsic::OpenAssociatorInstancePaths {
            instance_name: p1.clone(),
            assoc_class: None,
            result_class: Some("CIM_StorageVolume".into()),
            role: None,
            result_role: None,
            pull: PullOptions::new().max_object_count(10),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(ap.items.len(), 2);
    let IReturn::PullInstances(r) = s
        .op(Intrinsic::OpenReferenceInstances {
            instance_name: p1.clone(),
            result_class: None,
            role: None,
            include_class_origin: None,
            property_list: None,
            pull: PullOptions::new().max_object_count(50),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(r.items.len(), 5); // 2 volumes + parent pool + hosting system + capabilities
    let IReturn::PullPaths(rp) = s
        .op(Intrinsic::OpenReferenceInstancePaths {
            instance_name: p1,
            result_class: Some("CIM_HostedStoragePool".into()),
            role: None,
            pull: PullOptions::new().max_object_count(50),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(rp.items.len(), 1);
    let IReturn::PullInstances(q) = s
        .op(Intrinsic::OpenQueryInstances {
            filter_query: "SELECT * FROM CIM_StorageVolume".into(),
            filter_query_language: "DMTF:CQL".into(),
            return_query_result_class: None,
            operation_timeout: None,
            continue_on_error: None,
            max_object_count: Some(2),
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(q.items.len(), 2);
    let IReturn::PullInstances(rest) = s
        .op(Intrinsic::PullInstances {
            enumeration_context: q.enumeration_context.unwrap(),
            max_object_count: 10,
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(rest.items.len(), 1);
    assert!(rest.end_of_sequence);

    // Filtered enumerations and ContinueOnError are refused.
    let filtered = s.op(Intrinsic::OpenEnumerateInstances {
        class_name: "CIM_StorageVolume".into(),
        deep_inheritance: None,
        include_class_origin: None,
        property_list: None,
        pull: PullOptions::new().filter("DMTF:FQL", "ElementName = 'x'"),
    });
    assert_eq!(err_code(filtered), 25);
    let coe = s.op(Intrinsic::OpenEnumerateInstancePaths {
        class_name: "CIM_StorageVolume".into(),
        pull: PullOptions::new().continue_on_error(true),
    });
    assert_eq!(err_code(coe), 26);
}

#[test]
fn quirk_pull_fails_with_cim_err_failed() {
    let s = default_with(|s| s.quirks.pull_fails_with_cim_err_failed = true);
    assert_eq!(err_code(open_enum(&s, "CIM_StorageVolume", 10, None)), 1);
    assert_eq!(
        err_code(s.op(Intrinsic::OpenEnumerateInstancePaths {
            class_name: "CIM_StorageVolume".into(),
            pull: PullOptions::default()
        })),
        1
    );
    assert_eq!(
        s.enumerate("CIM_StorageVolume").len(),
        3,
        "plain enumeration still works"
    );
}

// ----- replication -----

#[test]
fn clone_through_job_with_fake_clock() {
    let s = sim("default");
    let before = s.remaining("P1");
    let r = s.clone_volume("vol-1", 8, None);
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    assert_eq!(job.class_name.as_str(), "SIMS_ConcreteJob");
    assert_eq!(s.job_state(&job), (4, 0, vec![2]));
    // The clone exists (capacity reserved) while the job runs.
    assert_eq!(s.remaining("P1"), before - 100 * GIB);
    let src = s.volume("vol-1");
    let sync = s.refs(&src, "CIM_StorageSynchronized");
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].get::<u16>("SyncState").unwrap(), 15);
    s.advance(5);
    assert_eq!(s.job_state(&job), (4, 50, vec![2]));
    assert_eq!(
        s.refs(&src, "CIM_StorageSynchronized")[0]
            .get::<u16>("PercentSynced")
            .unwrap(),
        50
    );
    s.advance(5);
    assert_eq!(s.job_state(&job), (7, 100, vec![2, 17]));
    let j = s.get(&job).unwrap();
    assert_eq!(j.get::<String>("JobStatus").unwrap(), "Completed");
    assert_eq!(
        j.get::<Option<String>>("Owner").unwrap().as_deref(),
        Some("tester")
    );
    assert!(!j.get::<bool>("DeleteOnCompletion").unwrap());
    let created = s.assoc_names(&job, "CIM_AffectedJobElement", Some("CIM_StorageVolume"));
    assert_eq!(created.len(), 1);
    let clone = s.get(&created[0]).unwrap();
    assert_eq!(clone.get::<String>("ElementName").unwrap(), "vol-1-copy");
    assert_eq!(clone.get::<u64>("NumberOfBlocks").unwrap(), 100 * GIB / 512);
    let sync = &s.refs(&src, "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("SyncState").unwrap(), 6);
    assert_eq!(sync.get::<u16>("CopyState").unwrap(), 4);
    assert_eq!(sync.get::<u16>("SyncType").unwrap(), 8);
    assert_eq!(sync.get::<u16>("PercentSynced").unwrap(), 100);
    assert!(sync.value("WhenSynced").is_some());
    assert_eq!(
        sync.get::<ObjectPath>("SyncedElement")
            .unwrap()
            .key("DeviceID"),
        created[0].key("DeviceID")
    );
    // The owning service.
    let owners = s.assoc_names(&job, "CIM_OwningJobElement", None);
    assert_eq!(owners[0].class_name.as_str(), "SIMS_ReplicationService");
    // GetErrors on a successful job: empty.
    let e = s.call(&job, "GetErrors", vec![]).unwrap();
    assert_eq!(rv(&e), 0);
    let errs = e
        .out_param("Errors")
        .unwrap()
        .value
        .as_ref()
        .unwrap()
        .as_array()
        .unwrap();
    assert!(errs.items.is_empty());
    // libstoragemgmt finds jobs by enumerating all of them.
    assert_eq!(s.enumerate("CIM_ConcreteJob").len(), 1);
}

#[test]
fn sync_clone_when_duration_is_zero() {
    let s = default_with(|s| s.jobs.clone_ms = 0);
    let before = s.remaining("P1");
    let r = s.clone_volume("vol-2", 8, Some("P1"));
    assert_eq!(rv(&r), 0);
    let target = out_ref(&r, "TargetElement");
    assert!(s.get(&target).is_ok());
    let sync = out_ref(&r, "Synchronization");
    let si = s.get(&sync).unwrap();
    assert_eq!(si.get::<u16>("SyncState").unwrap(), 6);
    assert_eq!(s.remaining("P1"), before - 20 * GIB);
    assert!(s.enumerate("CIM_ConcreteJob").is_empty());
    // Insufficient capacity on the synchronous path: 4 Failed, nothing created.
    let r = s.clone_volume("vol-1", 8, Some("P2"));
    assert_eq!(rv(&r), 4);
    assert_eq!(s.volume_count_via_enum(), 4);
}

impl Sim {
    fn volume_count_via_enum(&self) -> usize {
        self.names("CIM_StorageVolume").len()
    }
}

#[test]
fn snapshot_is_thin() {
    let s = sim("default");
    let before = s.remaining("P1");
    let r = s.clone_volume("vol-1", 7, None);
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    s.advance(10);
    assert_eq!(s.job_state(&job).0, 7);
    assert_eq!(s.remaining("P1"), before);
    let snap = &s.assoc_names(&job, "CIM_AffectedJobElement", Some("CIM_StorageVolume"))[0];
    assert!(
        s.get(snap)
            .unwrap()
            .get::<bool>("ThinlyProvisioned")
            .unwrap()
    );
    let sync = &s.refs(snap, "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("SyncType").unwrap(), 7);
}

#[test]
fn insufficient_capacity_fails_the_job_with_cim_error() {
    let s = sim("default");
    let before = s.remaining("P2");
    let r = s.clone_volume("vol-1", 8, Some("P2"));
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    assert_eq!(s.job_state(&job).0, 4);
    s.advance(10);
    let (state, _, ops) = s.job_state(&job);
    assert_eq!((state, ops), (10, vec![6]));
    let j = s.get(&job).unwrap();
    assert_eq!(j.get::<u16>("ErrorCode").unwrap(), 4);
    assert!(
        j.get::<String>("ErrorDescription")
            .unwrap()
            .contains("Insufficient")
    );
    assert_eq!(j.get::<String>("JobStatus").unwrap(), "Exception");
    assert_eq!(s.remaining("P2"), before, "nothing allocated");
    assert!(
        s.assoc_names(&job, "CIM_AffectedJobElement", None)
            .is_empty()
    );
    assert_eq!(s.names("CIM_StorageVolume").len(), 3);

    let e = s.call(&job, "GetErrors", vec![]).unwrap();
    assert_eq!(rv(&e), 0);
    let pvv = e.out_param("Errors").unwrap();
    assert_eq!(pvv.embedded, Some(smis::cim::EmbeddedKind::Instance));
    let items = &pvv.value.as_ref().unwrap().as_array().unwrap().items;
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().unwrap().as_instance().unwrap();
    assert_eq!(err.class_name.as_str(), "CIM_Error");
    assert_eq!(err.get::<u32>("CIMStatusCode").unwrap(), 1);
    assert_eq!(err.get::<u16>("ErrorType").unwrap(), 8);
    assert_eq!(err.get::<u16>("ProbableCause").unwrap(), 50);
    assert_eq!(err.get::<u16>("PerceivedSeverity").unwrap(), 5);
    assert_eq!(err.get::<u16>("ErrorSourceFormat").unwrap(), 2);
    assert_eq!(err.get::<String>("OwningEntity").unwrap(), "SimVendor");
    assert!(err.get::<String>("MessageID").unwrap().starts_with("SIMS"));
    assert!(
        err.get::<String>("Message")
            .unwrap()
            .contains("Insufficient")
    );
    assert!(
        err.get::<String>("ErrorSource")
            .unwrap()
            .contains("SIMS:JOB:")
    );
    let one = s.call(&job, "GetError", vec![]).unwrap();
    assert!(
        one.out_param("Error")
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .as_instance()
            .is_some()
    );
}

#[test]
fn replication_parameter_errors() {
    let s = sim("default");
    let svc = s.first("CIM_ReplicationService");
    let call = |params: Vec<ParamValue>| rv(&s.call(&svc, "CreateElementReplica", params).unwrap());
    let src = s.volume("vol-1");
    assert_eq!(
        call(vec![pv("SyncType", 8u16)]),
        5,
        "SourceElement required"
    );
    assert_eq!(
        call(vec![pv("SourceElement", src.clone())]),
        5,
        "SyncType required"
    );
    let ghost = ObjectPath::new(NS, "SIMS_StorageVolume")
        .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
        .with_key("SystemName", "SIMARRAY-0001")
        .with_key("CreationClassName", "SIMS_StorageVolume")
        .with_key("DeviceID", "ghost");
    assert_eq!(
        call(vec![pv("SyncType", 8u16), pv("SourceElement", ghost)]),
        5
    );
    assert_eq!(
        call(vec![pv("SyncType", 6u16), pv("SourceElement", src.clone())]),
        1,
        "mirror"
    );
    assert_eq!(
        call(vec![
            pv("SyncType", 42u16),
            pv("SourceElement", src.clone())
        ]),
        5
    );
    assert_eq!(
        call(vec![
            pv("SyncType", 8u16),
            pv("Mode", 4u16),
            pv("SourceElement", src.clone())
        ]),
        1
    );
    assert_eq!(
        call(vec![
            pv("SyncType", 8u16),
            pv("SourceElement", src.clone()),
            pv("TargetPool", s.pool("P0"))
        ]),
        5,
        "primordial target pool"
    );
    assert_eq!(
        call(vec![pv("SyncType", "eight"), pv("SourceElement", src)]),
        5,
        "malformed SyncType"
    );
}

#[test]
fn async_clone_only_scenario() {
    let s = sim("async-clone-only");
    let svc = s.first("CIM_ReplicationService");
    let src = s.volume("vol-1");
    let call = |params: Vec<ParamValue>| rv(&s.call(&svc, "CreateElementReplica", params).unwrap());
    assert_eq!(
        call(vec![pv("SyncType", 7u16), pv("SourceElement", src.clone())]),
        1
    );
    assert_eq!(
        call(vec![
            pv("SyncType", 8u16),
            pv("Mode", 2u16),
            pv("SourceElement", src.clone())
        ]),
        1
    );
    assert_eq!(
        call(vec![pv("SyncType", 8u16), pv("SourceElement", src.clone())]),
        4096
    );
    assert_eq!(
        call(vec![
            pv("SyncType", 8u16),
            pv("Mode", 3u16),
            pv("SourceElement", src)
        ]),
        4096
    );
    let sync = &s.refs(&s.volume("vol-1"), "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("Mode").unwrap(), 3);
    let caps = s.enumerate("CIM_ReplicationServiceCapabilities");
    assert_eq!(
        caps[0]
            .get::<Vec<u16>>("SupportedReplicationTypes")
            .unwrap(),
        vec![11]
    );
}

#[test]
fn no_replication_scenario() {
    let s = sim("no-replication");
    assert!(s.names("CIM_ReplicationService").is_empty());
    assert!(s.names("CIM_ReplicationServiceCapabilities").is_empty());
    let caps = s.enumerate("CIM_StorageConfigurationCapabilities");
    assert!(
        caps[0]
            .get::<Vec<u16>>("SupportedCopyTypes")
            .unwrap()
            .is_empty()
    );
    // A ReplicationService path that does not exist.
    let svc = ObjectPath::new(NS, "SIMS_ReplicationService")
        .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
        .with_key("SystemName", "SIMARRAY-0001")
        .with_key("CreationClassName", "SIMS_ReplicationService")
        .with_key("Name", "ReplicationService");
    let e = s.call(
        &svc,
        "CreateElementReplica",
        vec![pv("SyncType", 8u16), pv("SourceElement", s.volume("vol-1"))],
    );
    assert_eq!(err_code(e), 6);
    let scs = s.first("CIM_StorageConfigurationService");
    let r = s
        .call(
            &scs,
            "CreateReplica",
            vec![pv("SourceElement", s.volume("vol-1")), pv("CopyType", 5u16)],
        )
        .unwrap();
    assert_eq!(rv(&r), 1);
}

#[test]
fn create_replica_fallback() {
    let s = default_with(|s| s.jobs.clone_ms = 0);
    let scs = s.first("CIM_StorageConfigurationService");
    let r = s
        .call(
            &scs,
            "CreateReplica",
            vec![
                pv("ElementName", "full"),
                pv("SourceElement", s.volume("vol-2")),
                pv("CopyType", 5u16),
            ],
        )
        .unwrap();
    assert_eq!(rv(&r), 0);
    let t = out_ref(&r, "TargetElement");
    assert!(
        s.refs(&t, "CIM_StorageSynchronized").is_empty(),
        "UnSyncUnAssoc"
    );
    let r = s
        .call(
            &scs,
            "CreateReplica",
            vec![
                pv("ElementName", "assoc"),
                pv("SourceElement", s.volume("vol-2")),
                pv("TargetPool", s.pool("P1")),
                pv("CopyType", 4u16),
            ],
        )
        .unwrap();
    assert_eq!(rv(&r), 0);
    let t = out_ref(&r, "TargetElement");
    let sync = &s.refs(&t, "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("CopyType").unwrap(), 4);
    let r = s
        .call(
            &scs,
            "CreateReplica",
            vec![pv("SourceElement", s.volume("vol-2")), pv("CopyType", 2u16)],
        )
        .unwrap();
    assert_eq!(rv(&r), 1);
    let r = s
        .call(&scs, "CreateReplica", vec![pv("CopyType", 5u16)])
        .unwrap();
    assert_eq!(rv(&r), 5);
}

#[test]
fn modify_replica_synchronization_detach_and_return() {
    let s = sim("default");
    let svc = s.first("CIM_ReplicationService");
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    let sync = s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")[0]
        .path
        .clone()
        .unwrap();
    let modify = |op: u16, sync: &ObjectPath| {
        rv(&s
            .call(
                &svc,
                "ModifyReplicaSynchronization",
                vec![pv("Operation", op), pv("Synchronization", sync.clone())],
            )
            .unwrap())
    };
    assert_eq!(modify(8, &sync), 6, "still copying");
    s.advance(10);
    assert_eq!(s.job_state(&job).0, 7);
    assert_eq!(modify(2, &sync), 1, "Abort not supported");
    let before = s.remaining("P1");
    assert_eq!(modify(8, &sync), 0);
    assert!(
        s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")
            .is_empty()
    );
    assert_eq!(s.remaining("P1"), before, "detach keeps the target");
    assert_eq!(modify(8, &sync), 5, "gone");
    assert_eq!(s.names("CIM_StorageVolume").len(), 4);

    // 19 Return To ResourcePool deletes the target and frees its space.
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    s.advance(10);
    assert_eq!(s.job_state(&job).0, 7);
    let sync = s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")[0]
        .path
        .clone()
        .unwrap();
    let before = s.remaining("P1");
    assert_eq!(modify(19, &sync), 0);
    assert_eq!(s.remaining("P1"), before + 20 * GIB);
    assert_eq!(s.names("CIM_StorageVolume").len(), 4);
    let r = s
        .call(
            &svc,
            "ModifyReplicaSynchronization",
            vec![pv("Synchronization", sync)],
        )
        .unwrap();
    assert_eq!(rv(&r), 5);
}

// ----- block services -----

#[test]
fn create_volume_sizes_and_capacity() {
    let s = sim("default");
    let before = s.remaining("P1");
    let r = s.create_volume("P1", 10 * GIB, "data01");
    assert_eq!(rv(&r), 0);
    let v = out_ref(&r, "TheElement");
    let vi = s.get(&v).unwrap();
    assert_eq!(vi.get::<String>("ElementName").unwrap(), "data01");
    assert_eq!(vi.get::<u64>("NumberOfBlocks").unwrap(), 10 * GIB / 512);
    assert_eq!(
        r.out_param("Size").unwrap().value,
        Some(CimValue::Uint64(10 * GIB))
    );
    assert_eq!(s.remaining("P1"), before - 10 * GIB);
    assert_eq!(
        s.assoc_names(&v, "CIM_AllocatedFromStoragePool", None)[0],
        s.pool("P1")
    );

    let r = s.create_volume("P1", 1000, "odd");
    assert_eq!(rv(&r), 4097);
    assert_eq!(
        r.out_param("Size").unwrap().value,
        Some(CimValue::Uint64(1024))
    );
    assert_eq!(
        rv(&s.create_volume("P2", 13 * GIB, "big")),
        4,
        "insufficient"
    );
    assert_eq!(rv(&s.create_volume("P0", GIB, "prim")), 5, "primordial");
    assert_eq!(rv(&s.create_volume("P1", 0, "zero")), 5);
    let scs = s.first("CIM_StorageConfigurationService");
    let r = s
        .call(
            &scs,
            "CreateOrModifyElementFromStoragePool",
            vec![pv("Size", GIB)],
        )
        .unwrap();
    assert_eq!(rv(&r), 5, "no InPool");
    let r = s
        .call(
            &scs,
            "CreateOrModifyElementFromStoragePool",
            vec![
                pv("ElementType", 5u16),
                pv("InPool", s.pool("P2")),
                pv("Size", GIB),
            ],
        )
        .unwrap();
    assert_eq!(rv(&r), 1, "thin volumes not advertised by P2");

    // Resize (expand) through TheElement.
    let before = s.remaining("P1");
    let r = s
        .call(
            &scs,
            "CreateOrModifyElementFromStoragePool",
            vec![pv("TheElement", v.clone()), pv("Size", 12 * GIB)],
        )
        .unwrap();
    assert_eq!(rv(&r), 0);
    assert_eq!(s.remaining("P1"), before - 2 * GIB);
    let r = s
        .call(
            &scs,
            "CreateOrModifyElementFromStoragePool",
            vec![pv("TheElement", v.clone()), pv("Size", GIB)],
        )
        .unwrap();
    assert_eq!(rv(&r), 1, "no reduction");

    // ReturnToStoragePool frees the space; a volume with a replica is in use.
    let before = s.remaining("P1");
    let r = s
        .call(
            &scs,
            "ReturnToStoragePool",
            vec![pv("TheElement", v.clone())],
        )
        .unwrap();
    assert_eq!(rv(&r), 0);
    assert_eq!(s.remaining("P1"), before + 12 * GIB);
    let r = s
        .call(&scs, "ReturnToStoragePool", vec![pv("TheElement", v)])
        .unwrap();
    assert_eq!(rv(&r), 5);
    s.clone_volume("vol-2", 8, None);
    let r = s
        .call(
            &scs,
            "ReturnToStoragePool",
            vec![pv("TheElement", s.volume("vol-2"))],
        )
        .unwrap();
    assert_eq!(rv(&r), 6);
}

#[test]
fn async_volume_creation() {
    let s = default_with(|s| s.jobs.volume_create_ms = 4000);
    let r = s.create_volume("P1", GIB, "slow");
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    assert_eq!(s.job_state(&job).0, 4);
    s.advance(2);
    assert_eq!(s.job_state(&job).1, 50);
    s.advance(2);
    assert_eq!(s.job_state(&job).0, 7);
    let v = s.assoc_names(&job, "CIM_AffectedJobElement", Some("CIM_StorageVolume"));
    assert_eq!(v.len(), 1);
    let caps = s.enumerate("CIM_StorageConfigurationCapabilities");
    assert!(
        caps[0]
            .get::<Vec<u16>>("SupportedAsynchronousActions")
            .unwrap()
            .contains(&5)
    );
}

// ----- resource pools -----

fn rasd(rt: u16, reservation: u64, units: &str) -> Instance {
    Instance::new("SIMS_ResourceAllocationSettingData")
        .with("InstanceID", "req")
        .with("ResourceType", rt)
        .with("Reservation", reservation)
        .with("AllocationUnits", units)
}

fn settings(items: Vec<Instance>) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::String,
        items
            .into_iter()
            .map(|i| Some(CimValue::Instance(Box::new(i))))
            .collect(),
    )))
}

fn refs_array(paths: Vec<ObjectPath>) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::Reference,
        paths
            .into_iter()
            .map(|p| Some(CimValue::Reference(Box::new(p))))
            .collect(),
    )))
}

#[test]
fn create_child_resource_pool_and_delete() {
    let s = sim("default");
    let svc = s.first("CIM_ResourcePoolConfigurationService");
    let create = |name: Option<&str>, sets: Option<CimValue>, parents: Option<CimValue>| {
        let mut params = Vec::new();
        if let Some(n) = name {
            params.push(pv("ElementName", n));
        }
        if let Some(v) = sets {
            params.push(ParamValue::new("Settings", v));
        }
        if let Some(v) = parents {
            params.push(ParamValue::new("ParentPool", v));
        }
        s.call(&svc, "CreateChildResourcePool", params).unwrap()
    };
    let p1 = s.pool("P1");
    let before = s.remaining("P1");
    let r = create(
        Some("child"),
        Some(settings(vec![rasd(19, 100, "byte*2^30")])),
        Some(refs_array(vec![p1.clone()])),
    );
    assert_eq!(rv(&r), 0);
    let child = out_ref(&r, "Pool");
    let ci = s.get(&child).unwrap();
    assert_eq!(ci.get::<u64>("TotalManagedSpace").unwrap(), 100 * GIB);
    assert!(!ci.get::<bool>("Primordial").unwrap());
    assert_eq!(s.remaining("P1"), before - 100 * GIB);
    let parents = s.assoc_names(
        &child,
        "CIM_AllocatedFromStoragePool",
        Some("CIM_StoragePool"),
    );
    assert_eq!(parents, vec![p1.clone()]);

    // 5 Invalid Parameter.
    let good_sets = || Some(settings(vec![rasd(19, GIB, "byte")]));
    let good_parents = || Some(refs_array(vec![p1.clone()]));
    assert_eq!(rv(&create(None, good_sets(), good_parents())), 5);
    assert_eq!(rv(&create(Some("  "), good_sets(), good_parents())), 5);
    assert_eq!(rv(&create(Some("x"), good_sets(), None)), 5);
    let ghost = ObjectPath::new(NS, "SIMS_StoragePool").with_key("InstanceID", "SIMS:POOL:nope");
    assert_eq!(
        rv(&create(
            Some("x"),
            good_sets(),
            Some(refs_array(vec![ghost]))
        )),
        5
    );
    assert_eq!(rv(&create(Some("x"), None, good_parents())), 5);
    assert_eq!(
        rv(&create(
            Some("x"),
            Some(settings(vec![rasd(19, GIB, "furlongs")])),
            good_parents()
        )),
        5
    );
    let no_amount = Instance::new("CIM_ResourceAllocationSettingData").with("ResourceType", 19u16);
    assert_eq!(
        rv(&create(
            Some("x"),
            Some(settings(vec![no_amount])),
            good_parents()
        )),
        5
    );
    assert_eq!(
        rv(&create(
            Some("x"),
            Some(CimValue::String("<INSTANCE/>".into())),
            good_parents()
        )),
        5
    );
    // 7 Incorrect ResourceType.
    assert_eq!(
        rv(&create(
            Some("x"),
            Some(settings(vec![rasd(31, GIB, "byte")])),
            good_parents()
        )),
        7
    );
    // 8 Insufficient Resources.
    assert_eq!(
        rv(&create(
            Some("x"),
            Some(settings(vec![rasd(19, 20, "byte*2^40")])),
            good_parents()
        )),
        8
    );
    assert_eq!(
        s.remaining("P1"),
        before - 100 * GIB,
        "failed calls took nothing"
    );

    // DeleteResourcePool: 6 In Use while a volume lives in the child.
    let r = s.create_volume_in(&child, GIB);
    assert_eq!(rv(&r), 0);
    let vol = out_ref(&r, "TheElement");
    let del = |pool: &ObjectPath| {
        rv(&s
            .call(&svc, "DeleteResourcePool", vec![pv("Pool", pool.clone())])
            .unwrap())
    };
    assert_eq!(del(&child), 6);
    assert_eq!(del(&p1), 6, "P1 has volumes and a child");
    assert_eq!(del(&s.pool("P0")), 4, "primordial");
    let scs = s.first("CIM_StorageConfigurationService");
    assert_eq!(
        rv(&s
            .call(&scs, "ReturnToStoragePool", vec![pv("TheElement", vol)])
            .unwrap()),
        0
    );
    assert_eq!(del(&child), 0);
    assert_eq!(s.remaining("P1"), before, "capacity back in the parent");
    assert_eq!(del(&child), 5);
}

impl Sim {
    fn create_volume_in(&self, pool: &ObjectPath, size: u64) -> MethodReturn {
        let svc = self.first("CIM_StorageConfigurationService");
        self.call(
            &svc,
            "CreateOrModifyElementFromStoragePool",
            vec![pv("InPool", pool.clone()), pv("Size", size)],
        )
        .unwrap()
    }
}

#[test]
fn child_pool_from_two_parents_and_async() {
    let s = default_with(|s| s.jobs.child_pool_ms = 2000);
    let svc = s.first("CIM_ResourcePoolConfigurationService");
    let p1_before = s.remaining("P1");
    let p2_before = s.remaining("P2");
    let r = s
        .call(
            &svc,
            "CreateChildResourcePool",
            vec![
                pv("ElementName", "spread"),
                ParamValue::new(
                    "Settings",
                    settings(vec![rasd(19, 1, "byte*2^30"), rasd(19, 2, "byte*2^30")]),
                ),
                ParamValue::new("ParentPool", refs_array(vec![s.pool("P1"), s.pool("P2")])),
            ],
        )
        .unwrap();
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    s.advance(2);
    assert_eq!(s.job_state(&job).0, 7);
    let pool = &s.assoc_names(&job, "CIM_AffectedJobElement", Some("CIM_StoragePool"))[0];
    assert_eq!(
        s.get(pool)
            .unwrap()
            .get::<u64>("TotalManagedSpace")
            .unwrap(),
        3 * GIB
    );
    assert_eq!(s.remaining("P1"), p1_before - GIB);
    assert_eq!(s.remaining("P2"), p2_before - 2 * GIB);
}

// ----- jobs -----

#[test]
fn job_terminate_and_kill() {
    let s = sim("default");
    let before = s.remaining("P1");
    let job = out_ref(&s.clone_volume("vol-1", 8, None), "Job");
    s.advance(3);
    let r = s
        .call(&job, "RequestStateChange", vec![pv("RequestedState", 4u16)])
        .unwrap();
    assert_eq!(rv(&r), 0);
    let (state, percent, ops) = s.job_state(&job);
    assert_eq!((state, percent, ops), (8, 30, vec![10]));
    assert_eq!(s.remaining("P1"), before, "the partial clone is gone");
    assert!(
        s.refs(&s.volume("vol-1"), "CIM_StorageSynchronized")
            .is_empty()
    );
    s.advance(100);
    assert_eq!(s.job_state(&job).0, 8, "stays terminated");
    let r = s
        .call(&job, "RequestStateChange", vec![pv("RequestedState", 4u16)])
        .unwrap();
    assert_eq!(rv(&r), 4097);

    let job = out_ref(&s.clone_volume("vol-1", 8, None), "Job");
    let r = s
        .call(&job, "RequestStateChange", vec![pv("RequestedState", 5u16)])
        .unwrap();
    assert_eq!(rv(&r), 0);
    assert_eq!(s.job_state(&job).0, 9);
    let job = out_ref(&s.clone_volume("vol-1", 8, None), "Job");
    let r = s
        .call(&job, "RequestStateChange", vec![pv("RequestedState", 3u16)])
        .unwrap();
    assert_eq!(rv(&r), 1);
    let r = s
        .call(
            &job,
            "RequestStateChange",
            vec![pv("RequestedState", 77u16)],
        )
        .unwrap();
    assert_eq!(rv(&r), 5);
}

#[test]
fn delete_on_completion_removes_jobs_later() {
    let s = default_with(|s| s.jobs.delete_on_completion = true);
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    s.advance(10);
    assert!(
        s.get(&job)
            .unwrap()
            .get::<bool>("DeleteOnCompletion")
            .unwrap()
    );
    s.advance(299);
    assert!(s.get(&job).is_ok());
    s.advance(2);
    assert_eq!(err_code(s.get(&job)), 6);
    // The relationship stays Synchronized after the job is gone.
    let sync = &s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("SyncState").unwrap(), 6);
}

#[test]
fn unknown_methods_and_targets() {
    let s = sim("default");
    let svc = s.first("CIM_ReplicationService");
    assert_eq!(err_code(s.call(&svc, "FlyToTheMoon", vec![])), 17);
    assert_eq!(
        err_code(s.call(&s.volume("vol-1"), "CreateElementReplica", vec![])),
        17
    );
    let bogus = ObjectPath::new(NS, "CIM_Bogus").with_key("Name", "x");
    assert_eq!(err_code(s.call(&bogus, "Anything", vec![])), 6);
    let class_target = ObjectPath::class(Some(NS), "SIMS_ReplicationService");
    assert_eq!(
        err_code(s.call(&class_target, "CreateElementReplica", vec![])),
        4
    );
    let mut other_ns = svc.clone();
    other_ns.namespace = Some("root/elsewhere".into());
    assert_eq!(
        err_code(s.call(&other_ns, "CreateElementReplica", vec![])),
        3
    );
    // Declared but not simulated → 1 Not Supported.
    let r = s.call(&svc, "StartService", vec![]).unwrap();
    assert_eq!(rv(&r), 1);
    let job_path = ObjectPath::new(NS, "SIMS_ConcreteJob").with_key("InstanceID", "SIMS:JOB:999");
    assert_eq!(err_code(s.call(&job_path, "GetErrors", vec![])), 6);
}

// ----- quirks -----

#[test]
fn quirk_operational_status_17_2() {
    let s = default_with(|s| s.quirks.operational_status_17_2 = true);
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    s.advance(10);
    assert_eq!(s.job_state(&job), (7, 100, vec![17, 2]));
}

#[test]
fn quirk_job_state_32767() {
    let s = default_with(|s| s.quirks.job_state_32767 = true);
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    assert_eq!(s.job_state(&job).0, 32767);
    s.advance(2);
    assert_eq!(s.job_state(&job), (32767, 0, vec![2]));
    s.advance(1);
    assert_eq!(s.job_state(&job), (4, 30, vec![2]));
    s.advance(7);
    assert_eq!(s.job_state(&job).0, 7);
}

#[test]
fn quirk_flags_reach_the_outcome() {
    let s = default_with(|s| {
        s.quirks.param_type_as_type = true;
        s.quirks.embedded_object_upper = true;
    });
    let out = s.raw(Request::Intrinsic(IntrinsicRequest {
        namespace: NS.into(),
        op: Intrinsic::EnumerateQualifiers,
    }));
    assert!(out.quirks.param_type_as_type && out.quirks.embedded_object_upper);
    let plain = sim("default").raw(Request::Intrinsic(IntrinsicRequest {
        namespace: NS.into(),
        op: Intrinsic::EnumerateQualifiers,
    }));
    assert!(!plain.quirks.param_type_as_type && !plain.quirks.embedded_object_upper);
    assert!(plain.fault.is_none());
}

// ----- faults -----

fn with_fault(m: FaultMatch, action: FaultAction, times: Option<u32>) -> Sim {
    default_with(|s| {
        s.faults.push(FaultSpec {
            matcher: m,
            action,
            times,
        })
    })
}

fn op_match(op: &str, class: Option<&str>) -> FaultMatch {
    FaultMatch {
        operation: Some(op.into()),
        method: None,
        class: class.map(str::to_string),
    }
}

fn method_match(m: &str) -> FaultMatch {
    FaultMatch {
        operation: None,
        method: Some(m.into()),
        class: None,
    }
}

fn enum_req(class: &str) -> Request {
    Request::Intrinsic(IntrinsicRequest {
        namespace: NS.into(),
        op: Intrinsic::EnumerateInstanceNames {
            class_name: class.into(),
        },
    })
}

#[test]
fn fault_cim_error_with_times_and_class() {
    let s = with_fault(
        op_match("EnumerateInstanceNames", Some("CIM_StorageVolume")),
        FaultAction::CimError(smis_sim::scenario::CimErrorSpec {
            code: 6,
            description: Some("gone fishing".into()),
        }),
        Some(1),
    );
    // Another class is unaffected and does not consume the fault.
    assert_eq!(s.names("CIM_StoragePool").len(), 3);
    let out = s.raw(enum_req("SIMS_StorageVolume"));
    let Response::Intrinsic { result: Err(e), .. } = out.response.response else {
        panic!()
    };
    assert_eq!(
        (e.code, e.description.as_deref()),
        (6, Some("gone fishing"))
    );
    assert_eq!(s.names("SIMS_StorageVolume").len(), 3, "times: 1");
}

#[test]
fn fault_transport_actions() {
    let s = with_fault(
        op_match("EnumerateInstanceNames", None),
        FaultAction::HttpStatus(smis_sim::scenario::HttpStatusSpec {
            status: 500,
            cim_error: Some("request-not-valid".into()),
        }),
        Some(1),
    );
    let out = s.raw(enum_req("CIM_StorageVolume"));
    assert_eq!(
        out.fault,
        Some(SimFault::HttpStatus {
            status: 500,
            cim_error: Some("request-not-valid".into())
        })
    );
    assert!(s.raw(enum_req("CIM_StorageVolume")).fault.is_none());

    let s = with_fault(
        op_match("GetInstance", None),
        FaultAction::DelayMs(2000),
        None,
    );
    let vol = s.volume("vol-1");
    let out = s.raw(Request::Intrinsic(IntrinsicRequest {
        namespace: NS.into(),
        op: Intrinsic::GetInstance {
            instance_name: vol,
            local_only: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        },
    }));
    assert_eq!(
        out.fault,
        Some(SimFault::Delay(Duration::from_millis(2000)))
    );
    assert!(matches!(
        out.response.response,
        Response::Intrinsic {
            result: Ok(IReturn::Instance(_)),
            ..
        }
    ));

    let s = with_fault(FaultMatch::default(), FaultAction::DropConnection, Some(2));
    assert_eq!(
        s.raw(enum_req("CIM_StorageVolume")).fault,
        Some(SimFault::DropConnection)
    );
    assert_eq!(
        s.raw(enum_req("CIM_StorageVolume")).fault,
        Some(SimFault::DropConnection)
    );
    assert_eq!(s.raw(enum_req("CIM_StorageVolume")).fault, None);

    let s = with_fault(
        op_match("EnumerateInstanceNames", None),
        FaultAction::TruncateBody(smis_sim::scenario::TruncateSpec { after_bytes: 100 }),
        None,
    );
    let out = s.raw(enum_req("CIM_StorageVolume"));
    assert_eq!(out.fault, Some(SimFault::TruncateBody { after_bytes: 100 }));
    assert!(matches!(
        out.response.response,
        Response::Intrinsic {
            result: Ok(IReturn::InstanceNames(_)),
            ..
        }
    ));
}

#[test]
fn fault_on_method_is_not_executed() {
    let s = with_fault(
        method_match("CreateElementReplica"),
        FaultAction::CimError(smis_sim::scenario::CimErrorSpec {
            code: 1,
            description: None,
        }),
        Some(1),
    );
    let svc = s.first("CIM_ReplicationService");
    let e = s.call(
        &svc,
        "CreateElementReplica",
        vec![pv("SyncType", 8u16), pv("SourceElement", s.volume("vol-2"))],
    );
    assert_eq!(err_code(e), 1);
    assert_eq!(s.names("CIM_StorageVolume").len(), 3);
    assert_eq!(rv(&s.clone_volume("vol-2", 8, None)), 4096);
}

#[test]
fn fault_job_exception() {
    let s = with_fault(
        method_match("CreateElementReplica"),
        FaultAction::JobException,
        Some(1),
    );
    let before = s.remaining("P1");
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    s.advance(10);
    assert_eq!(s.job_state(&job).0, 10);
    assert_eq!(s.remaining("P1"), before);
    let e = s.call(&job, "GetErrors", vec![]).unwrap();
    let items = &e
        .out_param("Errors")
        .unwrap()
        .value
        .as_ref()
        .unwrap()
        .as_array()
        .unwrap()
        .items;
    assert_eq!(items.len(), 1);
}

#[test]
fn fault_job_never_finishes() {
    let s = with_fault(
        method_match("CreateElementReplica"),
        FaultAction::JobNeverFinishes,
        None,
    );
    let job = out_ref(&s.clone_volume("vol-2", 8, None), "Job");
    s.advance(5);
    assert_eq!(s.job_state(&job), (4, 50, vec![2]));
    s.advance(3600);
    assert_eq!(s.job_state(&job), (4, 99, vec![2]));
    let sync = &s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("SyncState").unwrap(), 15);
}

#[test]
fn fault_job_vanishes() {
    let s = with_fault(
        method_match("CreateElementReplica"),
        FaultAction::JobVanishes,
        None,
    );
    let r = s.clone_volume("vol-2", 8, None);
    assert_eq!(rv(&r), 4096);
    let job = out_ref(&r, "Job");
    assert_eq!(err_code(s.get(&job)), 6);
    assert!(s.enumerate("CIM_ConcreteJob").is_empty());
    assert_eq!(err_code(s.call(&job, "GetErrors", vec![])), 6);
    s.advance(10);
    // The work itself still completed.
    let sync = &s.refs(&s.volume("vol-2"), "CIM_StorageSynchronized")[0];
    assert_eq!(sync.get::<u16>("SyncState").unwrap(), 6);
}

// ----- concurrency -----

#[test]
fn concurrent_volume_creates_never_overallocate() {
    let s = Arc::new(sim("default"));
    // P2: 16 GiB with 4 GiB used → exactly 12 one-GiB volumes fit.
    let pool = s.pool("P2");
    let svc = s.first("CIM_StorageConfigurationService");
    let mut handles = Vec::new();
    for t in 0..8 {
        let s = s.clone();
        let pool = pool.clone();
        let svc = svc.clone();
        handles.push(std::thread::spawn(move || {
            let mut codes = Vec::new();
            for i in 0..4 {
                let r = s
                    .call(
                        &svc,
                        "CreateOrModifyElementFromStoragePool",
                        vec![
                            pv("ElementName", format!("t{t}-{i}")),
                            pv("InPool", pool.clone()),
                            pv("Size", GIB),
                        ],
                    )
                    .unwrap();
                codes.push(rv(&r));
            }
            codes
        }));
    }
    let codes: Vec<u32> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 12);
    assert_eq!(codes.iter().filter(|c| **c == 4).count(), 20);
    assert_eq!(s.remaining("P2"), 0);
    assert_eq!(s.p.pool_remaining("P2"), Some(0));
    assert_eq!(s.p.volume_count(), 15);
}

#[test]
fn concurrent_clones_and_deletes_keep_capacity_consistent() {
    let s = Arc::new(default_with(|s| s.jobs.clone_ms = 0));
    let p1_total = 4096 * GIB;
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        handles.push(std::thread::spawn(move || {
            let scs = s.first("CIM_StorageConfigurationService");
            for _ in 0..5 {
                let r = s.clone_volume("vol-2", 8, Some("P1"));
                assert_eq!(rv(&r), 0);
                let t = out_ref(&r, "TargetElement");
                let r = s.create_volume("P1", 2 * GIB, "tmp");
                assert_eq!(rv(&r), 0);
                let v = out_ref(&r, "TheElement");
                let r = s
                    .call(&scs, "ReturnToStoragePool", vec![pv("TheElement", v)])
                    .unwrap();
                assert_eq!(rv(&r), 0);
                // Clones stay (they are in a relationship).
                let r = s
                    .call(&scs, "ReturnToStoragePool", vec![pv("TheElement", t)])
                    .unwrap();
                assert_eq!(rv(&r), 6);
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    // 40 clones of 20 GiB each, plus db01 and logs01.
    assert_eq!(s.remaining("P1"), p1_total - 120 * GIB - 40 * 20 * GIB);
    assert_eq!(s.names("CIM_StorageVolume").len(), 43);
    let sum: u64 = s
        .enumerate("CIM_StorageVolume")
        .iter()
        .filter(|v| {
            s.assoc_names(
                v.path.as_ref().unwrap(),
                "CIM_AllocatedFromStoragePool",
                None,
            )[0] == s.pool("P1")
        })
        .map(|v| v.get::<u64>("NumberOfBlocks").unwrap() * 512)
        .sum();
    assert_eq!(s.remaining("P1"), p1_total - sum);
}

// ----- scenarios -----

#[test]
fn scenario_loading() {
    for name in Scenario::BUILTIN_NAMES {
        let s = Scenario::builtin(name).unwrap();
        assert_eq!(s.name, name);
    }
    assert!(Scenario::builtin("nope").is_err());
    let json = r#"{
        "name": "tiny",
        "pools": [{"id": "A", "name": "A", "capacity_bytes": 1048576}],
        "volumes": [{"id": "v", "name": "v", "pool": "A", "size_bytes": 4096}],
        "faults": [
            {"match": {"operation": "EnumerateInstances", "class": "CIM_StorageVolume"},
             "action": {"cim_error": {"code": 6, "description": "x"}}, "times": 2},
            {"match": {"method": "CreateElementReplica"}, "action": "job_vanishes"},
            {"match": {}, "action": {"delay_ms": 5}},
            {"action": "drop_connection"},
            {"action": {"truncate_body": {"after_bytes": 10}}},
            {"action": {"http_status": {"status": 503}}}
        ],
        "quirks": {"job_state_32767": true, "interop_namespace": "root/interop"}
    }"#;
    let s = Scenario::from_json_str(json).unwrap();
    assert_eq!(s.faults.len(), 6);
    assert_eq!(s.faults[1].action, FaultAction::JobVanishes);
    assert_eq!(s.interop_namespace(), "root/interop");
    assert_eq!(s.pools[0].resource_type, 19);
    assert!(s.capabilities.replication_service);
    let p = sim_with(s);
    assert_eq!(profile_paths(&p, "root/interop").len(), 8);

    let bad_pool = r#"{"name": "x", "pools": [], "volumes": [{"id": "v", "name": "v", "pool": "Z", "size_bytes": 512}]}"#;
    assert!(Scenario::from_json_str(bad_pool).is_err());
    let bad_size = r#"{"name": "x", "pools": [{"id": "A", "name": "A", "capacity_bytes": 1}], "volumes": [{"id": "v", "name": "v", "pool": "A", "size_bytes": 500}]}"#;
    assert!(Scenario::from_json_str(bad_size).is_err());
    assert!(Scenario::from_json_str(r#"{"name": "x", "bogus": 1}"#).is_err());

    let dir = std::env::temp_dir().join(format!("smis-sim-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("s.json");
    std::fs::write(&f, json).unwrap();
    assert_eq!(Scenario::from_file(&f).unwrap().name, "tiny");
    assert!(Scenario::from_file(dir.join("missing.json")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shipped_scenario_files_match_builtins() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in Scenario::BUILTIN_NAMES {
        let from_file = Scenario::from_file(dir.join(format!("{name}.json"))).unwrap();
        assert_eq!(from_file, Scenario::builtin(name).unwrap());
    }
}

#[test]
fn export_requests_are_refused() {
    let s = sim("default");
    let out = s.raw(Request::Export(smis::message::ExportCall {
        method: "ExportIndication".into(),
        params: vec![],
    }));
    let Response::Export { result: Err(e), .. } = out.response.response else {
        panic!()
    };
    assert_eq!(e.code, 7);
}

#[test]
fn provider_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Provider>();
    assert_send_sync::<Arc<Provider>>();
    let p = Provider::new(Scenario::builtin("default").unwrap());
    assert_eq!(p.interop_namespace(), "interop");
    assert_eq!(p.vendor_namespace(), NS);
    assert_eq!(p.scenario().name, "default");
    assert_eq!(p.pool_remaining("nope"), None);
}

#[test]
fn large_scenario_walks_stay_fast() {
    let mut sc = Scenario::builtin("default").unwrap();
    for i in 0..1500 {
        sc.volumes.push(smis_sim::scenario::VolumeSpec {
            id: format!("bulk-{i}"),
            name: format!("bulk{i}"),
            pool: "P1".into(),
            size_bytes: GIB,
            thin: false,
        });
    }
    let s = sim_with(sc);
    let start = std::time::Instant::now();
    let p1 = s.pool("P1");
    let names = s.assoc_names(
        &p1,
        "CIM_AllocatedFromStoragePool",
        Some("CIM_StorageVolume"),
    );
    assert_eq!(names.len(), 1502);
    let IReturn::Objects(objs) = s
        .op(Intrinsic::Associators {
            object_name: p1,
            assoc_class: Some("CIM_AllocatedFromStoragePool".into()),
            result_class: Some("CIM_StorageVolume".into()),
            role: None,
            result_role: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        })
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(objs.len(), 1502);
    assert_eq!(s.enumerate("CIM_StorageVolume").len(), 1503);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "walks took {:?}",
        start.elapsed()
    );
}

#[test]
fn fault_invoke_method_matches_every_method() {
    let s = with_fault(
        op_match("InvokeMethod", None),
        FaultAction::DelayMs(10),
        Some(1),
    );
    assert!(s.raw(enum_req("CIM_StorageVolume")).fault.is_none());
    let svc = s.first("CIM_ReplicationService");
    let out = s.raw(Request::Method(MethodCall {
        target: svc,
        method: "StartService".into(),
        params: vec![],
    }));
    assert_eq!(out.fault, Some(SimFault::Delay(Duration::from_millis(10))));
}

#[test]
fn documented_example_scenario_parses() {
    let src = include_str!("../src/scenario.rs");
    let start = src.find("//! ```json\n").unwrap() + "//! ```json\n".len();
    let end = start + src[start..].find("//! ```").unwrap();
    let json: String = src[start..end]
        .lines()
        .map(|l| {
            l.strip_prefix("//! ")
                .or_else(|| l.strip_prefix("//!"))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let s = Scenario::from_json_str(&json).unwrap();
    assert_eq!(s.name, "example");
    assert_eq!(s.faults.len(), 3);
    let p = sim_with(s);
    assert_eq!(profile_paths(&p, "root/PG_InterOp").len(), 8);
}
