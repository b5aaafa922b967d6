//! Rendering of the model into CIM instances (the records of [`State`] → the instances of
//! a namespace, with their paths): the interop namespace (object manager, namespaces,
//! registered profiles, SNIA SMI-S 1.8 Profile Registration) and the vendor namespace
//! (system, services and capabilities, pools, volumes, disks, replication pairs, jobs).
//! Nothing here is stored: every request renders afresh, so derived values always agree.

use smis::cim::{CimArray, CimDateTime, CimType, CimValue, Instance, ObjectPath, Property};

use super::state::{BLOCK_SIZE, JobRec, State, TIME_BEFORE_REMOVAL};

pub(super) fn u16s(v: &[u16]) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::Uint16,
        v.iter().map(|x| Some(CimValue::Uint16(*x))).collect(),
    )))
}

pub(super) fn strs<S: AsRef<str>>(v: &[S]) -> CimValue {
    CimValue::Array(Box::new(CimArray::new(
        CimType::String,
        v.iter()
            .map(|x| Some(CimValue::String(x.as_ref().to_string())))
            .collect(),
    )))
}

pub(super) fn reference(p: &ObjectPath) -> CimValue {
    CimValue::Reference(Box::new(p.clone()))
}

pub(super) fn set_path(mut inst: Instance, path: ObjectPath) -> Instance {
    inst.path = Some(path);
    inst
}

impl State {
    /// All instances of a served namespace, each with its path.
    pub fn instances(&self, ns: &str) -> Vec<Instance> {
        let mut out = Vec::new();
        let interop = ns.eq_ignore_ascii_case(self.interop_ns());
        let vendor = ns.eq_ignore_ascii_case(self.vendor_ns());
        if interop {
            self.render_interop(&mut out);
        }
        if vendor {
            self.render_vendor(&mut out);
        }
        if interop || vendor {
            // ElementConformsToProfile lives in both namespaces.
            let array = self.profile_path(11, "Array", "1.8.0");
            let ectp = Instance::new("SIMS_ElementConformsToProfile")
                .with("ConformantStandard", reference(&array))
                .with("ManagedElement", reference(&self.cs_path()));
            let path = ObjectPath::new(ns, "SIMS_ElementConformsToProfile")
                .with_key("ConformantStandard", reference(&array))
                .with_key("ManagedElement", reference(&self.cs_path()));
            out.push(set_path(ectp, path));
        }
        out
    }

    pub(super) fn assoc(
        &self,
        ns: &str,
        class: &str,
        a: (&str, &ObjectPath),
        b: (&str, &ObjectPath),
    ) -> Instance {
        let path = ObjectPath::new(ns, class)
            .with_key(a.0, reference(a.1))
            .with_key(b.0, reference(b.1));
        set_path(
            Instance::new(class)
                .with(a.0, reference(a.1))
                .with(b.0, reference(b.1)),
            path,
        )
    }

    fn render_interop(&self, out: &mut Vec<Instance>) {
        let ns = self.interop_ns().to_string();
        let om = self.om_path();
        out.push(set_path(
            Instance::new("SIMS_ObjectManager")
                .with("SystemCreationClassName", "CIM_ComputerSystem")
                .with("SystemName", "sim-host")
                .with("CreationClassName", "SIMS_ObjectManager")
                .with("Name", "SIMS:ObjectManager")
                .with(
                    "ElementName",
                    format!("{} SMI-S Provider", self.scenario.identity.vendor),
                )
                .with("Description", "smis-sim simulated SMI-S 1.8 provider")
                .with("OperationalStatus", u16s(&[2]))
                .with("EnabledState", 2u16)
                .with("Started", true),
            om.clone(),
        ));
        for n in [self.interop_ns().to_string(), self.vendor_ns().to_string()] {
            let path = ObjectPath::new(&ns, "SIMS_Namespace")
                .with_key("SystemCreationClassName", "CIM_ComputerSystem")
                .with_key("SystemName", "sim-host")
                .with_key("ObjectManagerCreationClassName", "SIMS_ObjectManager")
                .with_key("ObjectManagerName", "SIMS:ObjectManager")
                .with_key("CreationClassName", "SIMS_Namespace")
                .with_key("Name", n.as_str());
            let mut inst = Instance::new("SIMS_Namespace");
            for k in &path.keys {
                inst.set(k.name.clone(), k.value.clone());
            }
            inst.set("ClassInfo", 0u16);
            out.push(self.assoc(
                &ns,
                "SIMS_NamespaceInManager",
                ("Antecedent", &om),
                ("Dependent", &path),
            ));
            out.push(set_path(inst, path));
        }
        let profiles: [(u16, &str, &str); 8] = [
            (11, "Server", "1.8.0"),
            (11, "Profile Registration", "1.8.0"),
            (11, "Array", "1.8.0"),
            (11, "Block Services", "1.8.0"),
            (11, "Replication Services", "1.8.0"),
            (11, "Job Control", "1.5.0"),
            (11, "Disk Drive Lite", "1.8.0"),
            (2, "Profile Registration", "1.0.0"),
        ];
        for (org, name, version) in profiles {
            let path = self.profile_path(org, name, version);
            let inst = Instance::new("SIMS_RegisteredProfile")
                .with("InstanceID", Self::profile_id(org, name, version))
                .with("RegisteredOrganization", org)
                .with("RegisteredName", name)
                .with("RegisteredVersion", version)
                .with("AdvertiseTypes", u16s(&[3]))
                .with("AdvertiseTypeDescriptions", strs(&["SLP"]))
                .with("ElementName", format!("{name} {version}"));
            out.push(set_path(inst, path));
        }
        let array = self.profile_path(11, "Array", "1.8.0");
        for (name, version) in [
            ("Block Services", "1.8.0"),
            ("Replication Services", "1.8.0"),
            ("Job Control", "1.5.0"),
            ("Disk Drive Lite", "1.8.0"),
        ] {
            // Antecedent = the referenced subprofile, Dependent = the referencing profile.
            let sub = self.profile_path(11, name, version);
            out.push(self.assoc(
                &ns,
                "SIMS_ReferencedProfile",
                ("Antecedent", &sub),
                ("Dependent", &array),
            ));
        }
        self.render_masking_profiles(out, &ns);
        let server = self.profile_path(11, "Server", "1.8.0");
        let preg = self.profile_path(11, "Profile Registration", "1.8.0");
        out.push(self.assoc(
            &ns,
            "SIMS_ReferencedProfile",
            ("Antecedent", &preg),
            ("Dependent", &server),
        ));
        let ectp_path = ObjectPath::new(&ns, "SIMS_ElementConformsToProfile")
            .with_key("ConformantStandard", reference(&server))
            .with_key("ManagedElement", reference(&om));
        out.push(set_path(
            Instance::new("SIMS_ElementConformsToProfile")
                .with("ConformantStandard", reference(&server))
                .with("ManagedElement", reference(&om)),
            ectp_path,
        ));
    }

    /// The vendor namespace: the array and everything it hosts.
    fn render_vendor(&self, out: &mut Vec<Instance>) {
        let ns = self.vendor_ns().to_string();
        let cs = self.cs_path();
        self.render_system(out, &cs);
        self.render_services(out, &ns, &cs);
        self.render_pools(out, &ns, &cs);
        self.render_volumes(out, &ns, &cs);
        if let Some(d) = &self.scenario.disks {
            self.render_disks(out, d, &cs);
        }
        self.render_masking(out);
        super::replicas::render_pool_caps(self, out);
        for s in &self.syncs {
            let (src, tgt) = (self.vol_path(&s.source), self.vol_path(&s.target));
            let inst = super::replicas::render_pair(self, s, &src, &tgt);
            out.push(set_path(inst, self.sync_path(s)));
        }
        self.render_jobs(out, &ns);
    }

    /// The array's CIM_ComputerSystem (SNIA SMI-S 1.8 Array profile).
    fn render_system(&self, out: &mut Vec<Instance>, cs: &ObjectPath) {
        let id = &self.scenario.identity;
        out.push(set_path(
            Instance::new("SIMS_ComputerSystem")
                .with("CreationClassName", "SIMS_ComputerSystem")
                .with("Name", id.system_name.as_str())
                .with("NameFormat", "Other")
                .with("ElementName", format!("{} {}", id.vendor, id.model))
                .with(
                    "Description",
                    format!("{} {} (simulated)", id.vendor, id.model),
                )
                .with("OperationalStatus", u16s(&[2]))
                .with("HealthState", 5u16)
                .with("EnabledState", 2u16)
                .with("Dedicated", u16s(&[3, 15]))
                .with("OtherIdentifyingInfo", strs(&[id.system_name.as_str()]))
                .with("IdentifyingDescriptions", strs(&["SNIA:Serial Number"])),
            cs.clone(),
        ));
    }

    /// The configuration services and their capabilities, HostedService and
    /// ElementCapabilities (Block Services, Replication Services, resource pools).
    fn render_services(&self, out: &mut Vec<Instance>, ns: &str, cs: &ObjectPath) {
        let caps = &self.scenario.capabilities;
        let mut services: Vec<(&str, &str)> = vec![(
            "SIMS_StorageConfigurationService",
            "SIMS_StorageConfigurationCapabilities",
        )];
        if caps.replication_service {
            services.push((
                "SIMS_ReplicationService",
                "SIMS_ReplicationServiceCapabilities",
            ));
        }
        if caps.pool_config_service {
            services.push((
                "SIMS_ResourcePoolConfigurationService",
                "SIMS_ResourcePoolConfigurationCapabilities",
            ));
        }
        for (svc, cap) in services {
            let sp = self.service_path(svc);
            let mut inst = Instance::new(svc);
            for k in &sp.keys {
                inst.set(k.name.clone(), k.value.clone());
            }
            inst.set("ElementName", svc.trim_start_matches("SIMS_"));
            inst.set("OperationalStatus", u16s(&[2]));
            inst.set("EnabledState", 2u16);
            inst.set("Started", true);
            out.push(set_path(inst, sp.clone()));
            out.push(self.assoc(
                ns,
                "SIMS_HostedService",
                ("Antecedent", cs),
                ("Dependent", &sp),
            ));
            let cp = self.cap_path(cap);
            let mut ci = Instance::new(cap)
                .with(
                    "InstanceID",
                    format!("SIMS:{}", cap.trim_start_matches("SIMS_")),
                )
                .with("ElementName", cap.trim_start_matches("SIMS_"));
            match cap {
                "SIMS_StorageConfigurationCapabilities" => {
                    // 5 Element Creation, 6 Element Return, 7 Element Modification,
                    // 8 Replica Creation (when CreateReplica is offered).
                    let mut actions = vec![5u16, 6, 7];
                    if !caps.supported_copy_types.is_empty() {
                        actions.push(8);
                    }
                    let (sync, asyn): (Vec<u16>, Vec<u16>) =
                        if self.scenario.jobs.volume_create_ms > 0 {
                            (vec![6], actions.clone())
                        } else {
                            (actions.clone(), vec![])
                        };
                    ci.set("SupportedSynchronousActions", u16s(&sync));
                    ci.set("SupportedAsynchronousActions", u16s(&asyn));
                    ci.set(
                        "SupportedStorageElementTypes",
                        u16s(&caps.storage_element_types),
                    );
                    // 3 StorageVolume Creation, 5 StorageVolume Modification, 6 Single InPool,
                    // 12 Capacity Expansion.
                    ci.set("SupportedStorageElementFeatures", u16s(&[3, 5, 6, 12]));
                    ci.set("SupportedCopyTypes", u16s(&caps.supported_copy_types));
                }
                "SIMS_ReplicationServiceCapabilities" => {
                    ci.set("SupportedReplicationTypes", u16s(&caps.replication_types));
                    ci.set("SupportedSynchronousActions", u16s(&caps.sync_actions));
                    ci.set("SupportedAsynchronousActions", u16s(&caps.async_actions));
                    ci.set("SupportedStorageObjects", u16s(&[2]));
                }
                _ => {
                    // 3 CreateChildResourcePool, 4 DeleteResourcePool.
                    if self.scenario.jobs.child_pool_ms > 0 {
                        ci.set("SynchronousMethodsSupported", u16s(&[4]));
                        ci.set("AsynchronousMethodsSupported", u16s(&[3]));
                    } else {
                        ci.set("SynchronousMethodsSupported", u16s(&[3, 4]));
                        ci.set("AsynchronousMethodsSupported", u16s(&[]));
                    }
                }
            }
            out.push(set_path(ci, cp.clone()));
            let mut ec = self.assoc(
                ns,
                "SIMS_ElementCapabilities",
                ("ManagedElement", &sp),
                ("Capabilities", &cp),
            );
            ec.set("Characteristics", u16s(&[2]));
            out.push(ec);
        }
    }

    /// Storage pools, HostedStoragePool and AllocatedFromStoragePool (pool → child pool).
    fn render_pools(&self, out: &mut Vec<Instance>, ns: &str, cs: &ObjectPath) {
        for p in &self.pools {
            let pp = self.pool_path(&p.id);
            let remaining = self.remaining(&p.id);
            out.push(set_path(
                Instance::new("SIMS_StoragePool")
                    .with("InstanceID", format!("SIMS:POOL:{}", p.id))
                    .with("PoolID", p.id.as_str())
                    .with("ElementName", p.name.as_str())
                    .with("Name", p.name.as_str())
                    .with("Primordial", p.primordial)
                    .with("TotalManagedSpace", p.total)
                    .with("RemainingManagedSpace", remaining)
                    .with("Capacity", p.total)
                    .with("Reserved", p.total - remaining)
                    .with("ResourceType", p.resource_type)
                    .with("AllocationUnits", "byte")
                    .with("Usage", p.usage)
                    .with("OperationalStatus", u16s(&[2]))
                    .with("HealthState", 5u16),
                pp.clone(),
            ));
            out.push(self.assoc(
                ns,
                "SIMS_HostedStoragePool",
                ("GroupComponent", cs),
                ("PartComponent", &pp),
            ));
            for (parent, bytes) in &p.allocations {
                let mut a = self.assoc(
                    ns,
                    "SIMS_AllocatedFromStoragePool",
                    ("Antecedent", &self.pool_path(parent)),
                    ("Dependent", &pp),
                );
                a.set("SpaceConsumed", *bytes);
                out.push(a);
            }
        }
    }

    /// Storage volumes, SystemDevice and AllocatedFromStoragePool (pool → volume).
    fn render_volumes(&self, out: &mut Vec<Instance>, ns: &str, cs: &ObjectPath) {
        let id = &self.scenario.identity;
        for v in &self.volumes {
            let vp = self.vol_path(&v.id);
            let blocks = v.size / BLOCK_SIZE;
            out.push(set_path(
                Instance::new("SIMS_StorageVolume")
                    .with("SystemCreationClassName", "SIMS_ComputerSystem")
                    .with("SystemName", id.system_name.as_str())
                    .with("CreationClassName", "SIMS_StorageVolume")
                    .with("DeviceID", v.id.as_str())
                    .with("ElementName", v.name.as_str())
                    .with("Name", v.naa.as_str())
                    .with("NameFormat", 9u16)
                    .with("NameNamespace", 2u16)
                    .with("OtherIdentifyingInfo", strs(&[v.naa.as_str()]))
                    .with("IdentifyingDescriptions", strs(&["NAA"]))
                    .with("BlockSize", BLOCK_SIZE)
                    .with("NumberOfBlocks", blocks)
                    .with("ConsumableBlocks", blocks)
                    .with("ThinlyProvisioned", v.thin)
                    .with("Usage", v.usage)
                    .with("Primordial", false)
                    .with("OperationalStatus", u16s(&[2]))
                    .with("HealthState", 5u16)
                    .with("EnabledState", 2u16)
                    .with("Access", 3u16)
                    .with("DataRedundancy", 1u16)
                    .with("PackageRedundancy", 1u16)
                    .with("NoSinglePointOfFailure", true)
                    .with("IsBasedOnUnderlyingRedundancy", true),
                vp.clone(),
            ));
            out.push(self.assoc(
                ns,
                "SIMS_SystemDevice",
                ("GroupComponent", cs),
                ("PartComponent", &vp),
            ));
            let mut a = self.assoc(
                ns,
                "SIMS_AllocatedFromStoragePool",
                ("Antecedent", &self.pool_path(&v.pool)),
                ("Dependent", &vp),
            );
            a.set("SpaceConsumed", if v.thin { 0 } else { v.size });
            out.push(a);
        }
    }

    /// Jobs that have not vanished, AffectedJobElement and OwningJobElement (Job Control).
    fn render_jobs(&self, out: &mut Vec<Instance>, ns: &str) {
        for j in self.jobs.iter().filter(|j| !j.vanished) {
            let jp = self.job_path(j.num);
            out.push(set_path(self.render_job(j), jp.clone()));
            for e in &j.affected {
                let mut a = self.assoc(
                    ns,
                    "SIMS_AffectedJobElement",
                    ("AffectedElement", e),
                    ("AffectingElement", &jp),
                );
                a.set("ElementEffects", u16s(&[5])); // 5 Create
                out.push(a);
            }
            out.push(self.assoc(
                ns,
                "SIMS_OwningJobElement",
                ("OwningElement", &j.owner_service),
                ("OwnedElement", &jp),
            ));
        }
    }

    /// Disk Drive Lite: drives, their primordial extents, MediaPresent, SystemDevice and
    /// ConcreteComponent (primordial pool → extent).
    fn render_disks(
        &self,
        out: &mut Vec<Instance>,
        d: &crate::scenario::DiskSpec,
        cs: &ObjectPath,
    ) {
        let ns = self.vendor_ns().to_string();
        let sys = self.system_name();
        let device = |class: &str, id: &str| {
            ObjectPath::new(&ns, class)
                .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
                .with_key("SystemName", sys)
                .with_key("CreationClassName", class)
                .with_key("DeviceID", id)
        };
        let pool = self.pool_path(&d.pool);
        for i in 0..d.count {
            let id = format!("DISK-{i:02}");
            let dp = device("SIMS_DiskDrive", &id);
            let mut disk = Instance::new("SIMS_DiskDrive");
            for k in &dp.keys {
                disk.set(k.name.clone(), k.value.clone());
            }
            disk.set("Name", id.as_str());
            disk.set("ElementName", format!("Disk {i}"));
            disk.set("OperationalStatus", u16s(&[2]));
            disk.set("HealthState", 5u16);
            disk.set("Capabilities", u16s(&[3])); // 3 Random Access
            disk.set("MaxMediaSize", d.size_bytes / 1000); // kilobytes
            super::replicas::disk_details(d, i, &mut disk);
            out.push(set_path(disk, dp.clone()));
            let eid = format!("{id}-EXT");
            let ep = device("SIMS_StorageExtent", &eid);
            let mut ext = Instance::new("SIMS_StorageExtent");
            for k in &ep.keys {
                ext.set(k.name.clone(), k.value.clone());
            }
            let blocks = d.size_bytes / BLOCK_SIZE;
            ext.set("Name", eid.as_str());
            ext.set("ElementName", format!("Extent of disk {i}"));
            ext.set("BlockSize", BLOCK_SIZE);
            ext.set("NumberOfBlocks", blocks);
            ext.set("ConsumableBlocks", blocks);
            ext.set("Primordial", true);
            ext.set("OperationalStatus", u16s(&[2]));
            ext.set("HealthState", 5u16);
            out.push(set_path(ext, ep.clone()));
            for p in [&dp, &ep] {
                out.push(self.assoc(
                    &ns,
                    "SIMS_SystemDevice",
                    ("GroupComponent", cs),
                    ("PartComponent", p),
                ));
            }
            let mut mp = self.assoc(
                &ns,
                "SIMS_MediaPresent",
                ("Antecedent", &dp),
                ("Dependent", &ep),
            );
            mp.set("FixedMedia", true);
            out.push(mp);
            out.push(self.assoc(
                &ns,
                "SIMS_ConcreteComponent",
                ("GroupComponent", &pool),
                ("PartComponent", &ep),
            ));
        }
    }

    fn render_job(&self, j: &JobRec) -> Instance {
        let v = self.job_view(j);
        let op_status: Vec<u16> = match v.state {
            7 if self.scenario.quirks.operational_status_17_2 => vec![17, 2],
            7 => vec![2, 17],
            10 => vec![6],
            8 | 9 => vec![10],
            _ => vec![2],
        };
        let status = match v.state {
            7 => "Completed",
            8 => "Terminated",
            9 => "Killed",
            10 => "Exception",
            32767 => "Queue Pending",
            _ => "Running",
        };
        let elapsed = v.finished_at.unwrap_or(self.now).saturating_sub(j.start);
        let last_change = v.finished_at.unwrap_or(j.start);
        let mut inst = Instance::new("SIMS_ConcreteJob")
            .with("InstanceID", Self::job_id(j.num))
            .with("Name", j.name.as_str())
            .with("ElementName", j.name.as_str())
            .with("Description", j.description.as_str())
            .with("JobState", v.state)
            .with("JobStatus", status)
            .with("PercentComplete", v.percent)
            .with("OperationalStatus", u16s(&op_status))
            .with(
                "DeleteOnCompletion",
                self.scenario.jobs.delete_on_completion,
            )
            .with(
                "TimeBeforeRemoval",
                CimDateTime::from_duration(TIME_BEFORE_REMOVAL),
            )
            .with("TimeSubmitted", self.wall(j.start))
            .with("StartTime", self.wall(j.start))
            .with("ElapsedTime", CimDateTime::from_duration(elapsed))
            .with("TimeOfLastStateChange", self.wall(last_change))
            .with("JobRunTimes", 1u32);
        match &j.failure {
            Some(f) if v.state == 10 => {
                inst.set("ErrorCode", f.error_code);
                inst.set("ErrorDescription", f.message.as_str());
            }
            _ => {
                inst.set("ErrorCode", 0u16);
                inst.set_property(Property::null("ErrorDescription", CimType::String, false));
            }
        }
        match &j.owner {
            Some(o) => inst.set("Owner", o.as_str()),
            None => inst.set_property(Property::null("Owner", CimType::String, false)),
        };
        inst
    }

    /// The CIM_Error instances of a job (empty unless it ended in Exception).
    pub fn job_errors(&self, j: &JobRec) -> Vec<Instance> {
        let v = self.job_view(j);
        let Some(f) = j.failure.as_ref().filter(|_| v.state == 10) else {
            return Vec::new();
        };
        vec![
            Instance::new("CIM_Error")
                .with("ErrorType", f.error_type)
                .with("PerceivedSeverity", 5u16) // 5 Major
                .with("ProbableCause", f.probable_cause)
                .with("CIMStatusCode", f.cim_status)
                .with("Message", f.message.as_str())
                .with("MessageID", f.message_id.as_str())
                .with("OwningEntity", self.scenario.identity.vendor.as_str())
                .with("ErrorSource", self.job_path(j.num).to_string())
                .with("ErrorSourceFormat", 2u16), // 2 CIMObjectPath
        ]
    }
}
