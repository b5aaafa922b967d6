//! Indication subscriptions and indication generation (DMTF DSP1054 Indications profile;
//! SNIA SMI-S Indications and Job Control profiles).
//!
//! - Serves `CIM_IndicationService` (+ capabilities) and Create/Get/Enumerate/Delete of
//!   `CIM_IndicationFilter`, `CIM_ListenerDestinationCIMXML` / `..WBEMIND` and
//!   `CIM_IndicationSubscription` in the interop namespace (the `SIMS_` classes are not
//!   involved: the CIM class names are what clients create).
//! - Generates, while at least one subscription exists, by comparing snapshots of the vendor
//!   namespace taken after every request and every delivery-engine tick: `CIM_InstCreation` /
//!   `CIM_InstDeletion` of volumes, replicas (`CIM_StorageSynchronized`) and jobs,
//!   `CIM_InstModification` of `CIM_ConcreteJob` (JobState or PercentComplete changed), and
//!   `CIM_AlertIndication` when a pool falls under the "nearly full" threshold.
//! - Matches each against the subscribed filters (a WQL/CQL subset: `SELECT * FROM <class>
//!   [WHERE term AND term ...]`, terms `SourceInstance ISA <class>` and comparisons of
//!   `SourceInstance.[Class::]Prop`, `PreviousInstance.[Class::]Prop`, indication properties
//!   and literals) and queues one copy per destination with that destination's
//!   `SequenceContext` and next `SequenceNumber`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use smis::cim::{CimDateTime, CimValue, Instance, ObjectPath};
use smis::message::{IReturn, Intrinsic};

pub use super::indication_query::{Query, Target};
use super::state::State;
use super::{CimErr, status};

const FILTER: &str = "CIM_IndicationFilter";
const DEST_CIMXML: &str = "CIM_ListenerDestinationCIMXML";
const DEST_WBEMIND: &str = "CIM_ListenerDestinationWBEMIND";
const SUBSCRIPTION: &str = "CIM_IndicationSubscription";
const SERVICE: &str = "CIM_IndicationService";
const SERVICE_CAPS: &str = "CIM_IndicationServiceCapabilities";

/// The classes this module serves, with their parents (for `is_a`).
const CLASSES: &[(&str, &str)] = &[
    (FILTER, "CIM_ManagedElement"),
    ("CIM_ListenerDestination", "CIM_ManagedElement"),
    (DEST_CIMXML, "CIM_ListenerDestination"),
    (DEST_WBEMIND, "CIM_ListenerDestination"),
    ("CIM_AbstractIndicationSubscription", "CIM_ManagedElement"),
    (SUBSCRIPTION, "CIM_AbstractIndicationSubscription"),
    (SERVICE, "CIM_Service"),
    (SERVICE_CAPS, "CIM_Capabilities"),
    ("CIM_InstIndication", "CIM_Indication"),
    ("CIM_InstCreation", "CIM_InstIndication"),
    ("CIM_InstDeletion", "CIM_InstIndication"),
    ("CIM_InstModification", "CIM_InstIndication"),
    ("CIM_ProcessIndication", "CIM_Indication"),
    ("CIM_AlertIndication", "CIM_ProcessIndication"),
];

pub(super) fn local_is_a(class: &str, ancestor: &str) -> bool {
    let mut c = class.to_string();
    loop {
        if c.eq_ignore_ascii_case(ancestor) {
            return true;
        }
        match CLASSES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&c)) {
            Some((_, parent)) => c = parent.to_string(),
            None => return false,
        }
    }
}

fn served(class: &str) -> bool {
    CLASSES[..8]
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(class))
}

/// An indication queued for one destination.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The destination's `Name` key (deliveries to one destination go in order).
    pub destination: String,
    /// The listener URL.
    pub url: String,
    /// The indication (with `SequenceContext` / `SequenceNumber` set).
    pub indication: Instance,
}

/// Delivery settings (`CIM_IndicationService.DeliveryRetryAttempts` / `..Interval`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliverySettings {
    /// Retries after the first attempt (DSP1054 default 3).
    pub retry_attempts: u16,
    /// Wait before a retry (DSP1054 default 30 s; the service reports whole seconds).
    pub retry_interval: Duration,
    /// How long to wait for a listener's answer (OpenPegasus: 20 s).
    pub response_timeout: Duration,
    /// A pool whose remaining space falls under this percentage raises an alert.
    pub pool_alert_percent: u8,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            retry_attempts: 3,
            retry_interval: Duration::from_secs(30),
            response_timeout: Duration::from_secs(20),
            pool_alert_percent: 10,
        }
    }
}

#[derive(Debug)]
struct Dest {
    inst: Instance,
    context: String,
    next_seq: i64,
}

#[derive(Debug, Default)]
struct Snapshot {
    /// Volumes, replicas (synchronizations) and jobs by canonical path.
    objects: HashMap<String, Instance>,
    /// Pools under the alert threshold.
    low_pools: Vec<String>,
}

/// Subscriptions and the queue of indications to deliver.
#[derive(Debug)]
pub struct Hub {
    filters: Vec<Instance>,
    dests: Vec<Dest>,
    subs: Vec<Instance>,
    snapshot: Option<Snapshot>,
    outbox: Vec<Delivery>,
    start_micros: u128,
    next_id: u64,
    /// Delivery settings.
    pub settings: DeliverySettings,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            filters: Vec::new(),
            dests: Vec::new(),
            subs: Vec::new(),
            snapshot: None,
            outbox: Vec::new(),
            start_micros: micros_now(),
            next_id: 1,
            settings: DeliverySettings::default(),
        }
    }
}

fn micros_now() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default()
}

fn s<'a>(i: &'a Instance, n: &str) -> Option<&'a str> {
    i.value(n).and_then(CimValue::as_str)
}

fn key_of(p: &ObjectPath) -> Option<String> {
    p.key("Name").and_then(CimValue::as_str).map(str::to_string)
}

fn invalid(msg: impl Into<String>) -> CimErr {
    CimErr::new(status::INVALID_PARAMETER, msg)
}

impl Hub {
    /// Number of subscriptions.
    pub fn subscription_count(&self) -> usize {
        self.subs.len()
    }

    /// Takes the queued deliveries.
    pub fn take_outbox(&mut self) -> Vec<Delivery> {
        std::mem::take(&mut self.outbox)
    }

    fn interop_path(st: &State, class: &str, name: &str) -> ObjectPath {
        ObjectPath::new(st.interop_ns(), class)
            .with_key("SystemCreationClassName", "CIM_ComputerSystem")
            .with_key("SystemName", st.scenario.identity.system_name.as_str())
            .with_key("CreationClassName", class)
            .with_key("Name", name)
    }

    fn service(&self, st: &State) -> Instance {
        let path = Self::interop_path(st, SERVICE, "SIMS:IndicationService");
        let mut i = Instance::new(SERVICE)
            .with("SystemCreationClassName", "CIM_ComputerSystem")
            .with("SystemName", st.scenario.identity.system_name.as_str())
            .with("CreationClassName", SERVICE)
            .with("Name", "SIMS:IndicationService")
            .with("ElementName", "Indication service")
            .with("FilterCreationEnabled", true)
            .with("DeliveryRetryAttempts", self.settings.retry_attempts)
            .with(
                "DeliveryRetryInterval",
                u32::try_from(self.settings.retry_interval.as_secs_f64().ceil() as u64)
                    .unwrap_or(u32::MAX),
            )
            .with("SubscriptionRemovalAction", 4u16)
            .with("SubscriptionRemovalTimeInterval", 2_592_000u32);
        i.path = Some(path);
        i
    }

    fn capabilities(&self, st: &State) -> Instance {
        let mut i = Instance::new(SERVICE_CAPS)
            .with("InstanceID", "SIMS:IndicationServiceCapabilities")
            .with("FilterCreationEnabledIsSettable", false)
            .with("DeliveryRetryAttemptsIsSettable", false)
            .with("DeliveryRetryIntervalIsSettable", false)
            .with("SubscriptionRemovalActionIsSettable", false)
            .with("SubscriptionRemovalTimeIntervalIsSettable", false)
            .with("SubscriptionsPersisted", false)
            .with("MaxListenerDestinations", 100u32)
            .with("MaxActiveSubscriptions", 100u32);
        i.path = Some(
            ObjectPath::new(st.interop_ns(), SERVICE_CAPS)
                .with_key("InstanceID", "SIMS:IndicationServiceCapabilities"),
        );
        i
    }

    fn all(&self, st: &State) -> Vec<Instance> {
        let mut v = vec![self.service(st), self.capabilities(st)];
        v.extend(self.filters.iter().cloned());
        v.extend(self.dests.iter().map(|d| d.inst.clone()));
        v.extend(self.subs.iter().cloned());
        v
    }

    /// Serves the subscription classes in the interop namespace; None for anything else.
    pub(crate) fn intercept(
        &mut self,
        st: &State,
        ns: &str,
        op: &Intrinsic,
    ) -> Option<Result<IReturn, CimErr>> {
        use Intrinsic::*;
        let class = match op {
            GetInstance { instance_name, .. } | DeleteInstance { instance_name } => {
                instance_name.class_name.as_str().to_string()
            }
            EnumerateInstances { class_name, .. } | EnumerateInstanceNames { class_name } => {
                class_name.as_str().to_string()
            }
            CreateInstance { new_instance } => new_instance.class_name.as_str().to_string(),
            ModifyInstance {
                modified_instance, ..
            } => modified_instance.class_name.as_str().to_string(),
            _ => return None,
        };
        if !served(&class) {
            return None;
        }
        if !ns.trim_matches('/').eq_ignore_ascii_case(st.interop_ns()) {
            return Some(Err(CimErr::new(
                status::NOT_SUPPORTED,
                format!("{class} lives in the interop namespace {}", st.interop_ns()),
            )));
        }
        let of_class = |i: &Instance| local_is_a(i.class_name.as_str(), &class);
        Some(match op {
            EnumerateInstances { property_list, .. } => Ok(IReturn::Instances(
                self.all(st)
                    .into_iter()
                    .filter(of_class)
                    .map(|mut i| {
                        if let Some(l) = property_list {
                            i.properties.retain(|p| l.contains(&p.name));
                        }
                        i
                    })
                    .collect(),
            )),
            EnumerateInstanceNames { .. } => Ok(IReturn::InstanceNames(
                self.all(st)
                    .into_iter()
                    .filter(of_class)
                    .filter_map(|i| i.path)
                    .collect(),
            )),
            GetInstance { instance_name, .. } => self
                .find(st, instance_name)
                .map(IReturn::Instance)
                .ok_or_else(|| {
                    CimErr::new(status::NOT_FOUND, format!("no instance {instance_name}"))
                }),
            CreateInstance { new_instance } => {
                self.create(st, new_instance).map(IReturn::InstanceName)
            }
            DeleteInstance { instance_name } => {
                self.delete(st, instance_name).map(|()| IReturn::Nothing)
            }
            _ => Err(CimErr::new(
                status::NOT_SUPPORTED,
                format!("{} of {class}", op.name()),
            )),
        })
    }

    fn find(&self, st: &State, path: &ObjectPath) -> Option<Instance> {
        self.all(st)
            .into_iter()
            .find(|i| i.path.as_ref().is_some_and(|p| same(p, path)))
    }

    fn create(&mut self, st: &State, new: &Instance) -> Result<ObjectPath, CimErr> {
        let class = new.class_name.as_str();
        if local_is_a(class, SUBSCRIPTION) {
            return self.create_subscription(st, new);
        }
        let is_filter = local_is_a(class, FILTER);
        let is_dest =
            class.eq_ignore_ascii_case(DEST_CIMXML) || class.eq_ignore_ascii_case(DEST_WBEMIND);
        if !is_filter && !is_dest {
            return Err(CimErr::new(
                status::NOT_SUPPORTED,
                format!("CreateInstance of {class}"),
            ));
        }
        let canonical = if is_filter {
            FILTER
        } else if class.eq_ignore_ascii_case(DEST_CIMXML) {
            DEST_CIMXML
        } else {
            DEST_WBEMIND
        };
        let name = s(new, "Name")
            .map(str::to_string)
            .unwrap_or_else(|| format!("SIMS:{}:{}", canonical, self.next_id));
        self.next_id += 1;
        if self
            .filters
            .iter()
            .chain(self.dests.iter().map(|d| &d.inst))
            .any(|i| s(i, "Name") == Some(name.as_str()) && i.class_name.as_str() == canonical)
        {
            return Err(CimErr::new(
                11,
                format!("{canonical} {name:?} already exists"),
            ));
        }
        let path = Self::interop_path(st, canonical, &name);
        let mut inst = new.clone();
        inst.class_name = canonical.into();
        inst.set(
            "SystemCreationClassName",
            s(new, "SystemCreationClassName").unwrap_or("CIM_ComputerSystem"),
        );
        inst.set("SystemName", st.scenario.identity.system_name.as_str());
        inst.set("CreationClassName", canonical);
        inst.set("Name", name.as_str());
        if is_filter {
            let query = s(new, "Query").ok_or_else(|| invalid("Query is required"))?;
            let lang =
                s(new, "QueryLanguage").ok_or_else(|| invalid("QueryLanguage is required"))?;
            if !["WQL", "DMTF:CQL", "CIM:CQL"]
                .iter()
                .any(|l| l.eq_ignore_ascii_case(lang))
            {
                return Err(CimErr::new(
                    status::QUERY_LANGUAGE_NOT_SUPPORTED,
                    format!("query language {lang}"),
                ));
            }
            Query::parse(query)?;
            if inst.value("IndividualSubscriptionSupported").is_none() {
                inst.set("IndividualSubscriptionSupported", true);
            }
            inst.path = Some(path.clone());
            self.filters.push(inst);
        } else {
            let url = s(new, "Destination").ok_or_else(|| invalid("Destination is required"))?;
            Target::parse(url).map_err(invalid)?;
            if inst.value("Protocol").is_none() {
                inst.set("Protocol", 2u16);
            }
            if inst.value("PersistenceType").is_none() {
                inst.set("PersistenceType", 2u16);
            }
            let created = micros_now();
            inst.set(
                "CreationTime",
                CimDateTime::from_system_time(SystemTime::now()),
            );
            inst.path = Some(path.clone());
            self.dests.push(Dest {
                inst,
                context: format!(
                    "SIMS:IndicationService#{}#{}",
                    self.start_micros,
                    created + u128::from(self.next_id)
                ),
                next_seq: 0,
            });
        }
        Ok(path)
    }

    fn create_subscription(&mut self, st: &State, new: &Instance) -> Result<ObjectPath, CimErr> {
        let r = |n: &str| {
            new.value(n)
                .and_then(CimValue::as_reference)
                .cloned()
                .ok_or_else(|| invalid(format!("{n} reference is required")))
        };
        let (filter, handler) = (r("Filter")?, r("Handler")?);
        if !self
            .filters
            .iter()
            .any(|f| f.path.as_ref().is_some_and(|p| same(p, &filter)))
        {
            return Err(CimErr::new(
                status::NOT_FOUND,
                format!("no filter {filter}"),
            ));
        }
        if !self
            .dests
            .iter()
            .any(|d| d.inst.path.as_ref().is_some_and(|p| same(p, &handler)))
        {
            return Err(CimErr::new(
                status::NOT_FOUND,
                format!("no listener destination {handler}"),
            ));
        }
        if self.subs.iter().any(|s| {
            sub_ref(s, "Filter").is_some_and(|f| same(&f, &filter))
                && sub_ref(s, "Handler").is_some_and(|h| same(&h, &handler))
        }) {
            return Err(CimErr::new(11, "this subscription already exists"));
        }
        let local = |p: &ObjectPath| {
            let mut p = p.clone();
            p.host = None;
            p.namespace = Some(st.interop_ns().to_string());
            CimValue::Reference(Box::new(p))
        };
        let path = ObjectPath::new(st.interop_ns(), SUBSCRIPTION)
            .with_key("Filter", local(&filter))
            .with_key("Handler", local(&handler));
        let mut inst = new.clone();
        inst.class_name = SUBSCRIPTION.into();
        inst.set("Filter", local(&filter));
        inst.set("Handler", local(&handler));
        for (k, v) in [
            ("SubscriptionState", 2u16),
            ("OnFatalErrorPolicy", 2),
            ("RepeatNotificationPolicy", 2),
        ] {
            if inst.value(k).is_none() {
                inst.set(k, v);
            }
        }
        let now = CimDateTime::from_system_time(SystemTime::now());
        inst.set("SubscriptionStartTime", now);
        inst.set("TimeOfLastStateChange", now);
        inst.path = Some(path.clone());
        if self.subs.is_empty() {
            self.snapshot = Some(snapshot(st, self.settings.pool_alert_percent));
        }
        self.subs.push(inst);
        Ok(path)
    }

    fn delete(&mut self, st: &State, path: &ObjectPath) -> Result<(), CimErr> {
        let class = path.class_name.as_str();
        let missing = || CimErr::new(status::NOT_FOUND, format!("no instance {path}"));
        if local_is_a(class, SUBSCRIPTION) {
            let n = self.subs.len();
            self.subs
                .retain(|s| !s.path.as_ref().is_some_and(|p| same(p, path)));
            if self.subs.len() == n {
                return Err(missing());
            }
            // Queued indications for a deleted subscription are dropped (DSP1054).
            let live: Vec<String> = self
                .subs
                .iter()
                .filter_map(|s| sub_ref(s, "Handler"))
                .filter_map(|h| key_of(&h))
                .collect();
            self.outbox.retain(|d| live.contains(&d.destination));
            return Ok(());
        }
        let used = |kind: &str| {
            self.subs
                .iter()
                .any(|s| sub_ref(s, kind).is_some_and(|r| same(&r, path)))
        };
        if local_is_a(class, FILTER) {
            if used("Filter") {
                return Err(CimErr::new(
                    status::FAILED,
                    "the filter is used by a subscription",
                ));
            }
            let n = self.filters.len();
            self.filters
                .retain(|f| !f.path.as_ref().is_some_and(|p| same(p, path)));
            return if self.filters.len() < n {
                Ok(())
            } else {
                Err(missing())
            };
        }
        if local_is_a(class, "CIM_ListenerDestination") {
            if used("Handler") {
                return Err(CimErr::new(
                    status::FAILED,
                    "the destination is used by a subscription",
                ));
            }
            let n = self.dests.len();
            self.dests
                .retain(|d| !d.inst.path.as_ref().is_some_and(|p| same(p, path)));
            return if self.dests.len() < n {
                Ok(())
            } else {
                Err(missing())
            };
        }
        let _ = st;
        Err(CimErr::new(
            status::NOT_SUPPORTED,
            format!("DeleteInstance of {class}"),
        ))
    }

    /// Compares the vendor namespace with the last snapshot and queues the indications the
    /// subscriptions ask for.
    pub(crate) fn observe(&mut self, st: &State) {
        if self.subs.is_empty() {
            self.snapshot = None;
            return;
        }
        let now = snapshot(st, self.settings.pool_alert_percent);
        let Some(before) = self.snapshot.take() else {
            self.snapshot = Some(now);
            return;
        };
        let mut events = Vec::new();
        let mut keys: Vec<&String> = now.objects.keys().chain(before.objects.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            match (before.objects.get(k), now.objects.get(k)) {
                (None, Some(new)) => {
                    events.push(inst_indication("CIM_InstCreation", st, new, None))
                }
                (Some(old), None) => {
                    events.push(inst_indication("CIM_InstDeletion", st, old, None))
                }
                (Some(old), Some(new)) => {
                    let changed = |p: &str| old.value(p) != new.value(p);
                    if st.repo.is_a(new.class_name.as_str(), "CIM_ConcreteJob")
                        && (changed("JobState") || changed("PercentComplete"))
                    {
                        events.push(inst_indication("CIM_InstModification", st, new, Some(old)));
                    }
                }
                (None, None) => {}
            }
        }
        for pool in &now.low_pools {
            if !before.low_pools.contains(pool) {
                events.push(pool_alert(st, pool, self.settings.pool_alert_percent));
            }
        }
        self.snapshot = Some(now);
        for e in events {
            self.route(st, e);
        }
    }

    fn route(&mut self, st: &State, ind: Instance) {
        let vendor = st.vendor_ns().to_string();
        let mut targets: Vec<String> = Vec::new();
        for sub in &self.subs {
            if sub
                .value("SubscriptionState")
                .and_then(CimValue::as_i128)
                .is_some_and(|v| v != 2)
            {
                continue;
            }
            let (Some(fr), Some(hr)) = (sub_ref(sub, "Filter"), sub_ref(sub, "Handler")) else {
                continue;
            };
            let Some(filter) = self
                .filters
                .iter()
                .find(|f| f.path.as_ref().is_some_and(|p| same(p, &fr)))
            else {
                continue;
            };
            if !source_ok(filter, &vendor) {
                continue;
            }
            let Some(q) = s(filter, "Query").and_then(|q| Query::parse(q).ok()) else {
                continue;
            };
            if !q.matches(st, &ind) {
                continue;
            }
            if let Some(name) = key_of(&hr)
                && !targets.contains(&name)
            {
                targets.push(name);
            }
        }
        for name in targets {
            let id = self.next_id;
            self.next_id += 1;
            let Some(d) = self
                .dests
                .iter_mut()
                .find(|d| s(&d.inst, "Name") == Some(name.as_str()))
            else {
                continue;
            };
            let mut copy = ind.clone();
            copy.set("IndicationIdentifier", format!("SIMS:{id}"));
            copy.set("SequenceContext", d.context.as_str());
            copy.set("SequenceNumber", d.next_seq);
            d.next_seq = if d.next_seq == i64::MAX {
                0
            } else {
                d.next_seq + 1
            };
            self.outbox.push(Delivery {
                destination: name,
                url: s(&d.inst, "Destination").unwrap_or_default().to_string(),
                indication: copy,
            });
        }
    }
}

fn sub_ref(sub: &Instance, n: &str) -> Option<ObjectPath> {
    sub.value(n).and_then(CimValue::as_reference).cloned()
}

/// Paths compare by class and keys, ignoring host and namespace (clients differ).
fn same(a: &ObjectPath, b: &ObjectPath) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.host = None;
    b.host = None;
    a.namespace = None;
    b.namespace = None;
    // SystemName differs between servers and clients (OpenPegasus issue #82): compare Name.
    if local_is_a(a.class_name.as_str(), "CIM_ManagedElement") && key_of(&a).is_some() {
        return key_of(&a) == key_of(&b) && a.class_name == b.class_name;
    }
    a == b
}

fn source_ok(filter: &Instance, vendor: &str) -> bool {
    let eq = |n: &str| n.trim_matches('/').eq_ignore_ascii_case(vendor);
    match filter.value("SourceNamespaces") {
        Some(CimValue::Array(a)) if !a.items.is_empty() => {
            return a
                .items
                .iter()
                .flatten()
                .filter_map(CimValue::as_str)
                .any(eq);
        }
        _ => {}
    }
    match s(filter, "SourceNamespace") {
        Some(n) => eq(n),
        None => true,
    }
}

fn snapshot(st: &State, alert_percent: u8) -> Snapshot {
    let mut snap = Snapshot::default();
    for i in st.instances(st.vendor_ns()) {
        let c = i.class_name.as_str();
        let tracked = [
            "CIM_StorageVolume",
            "CIM_StorageSynchronized",
            "CIM_ConcreteJob",
        ]
        .iter()
        .any(|t| st.repo.is_a(c, t));
        if tracked && let Some(p) = &i.path {
            snap.objects.insert(p.canonical(), i.clone());
        }
        if st.repo.is_a(c, "CIM_StoragePool") {
            let num = |n: &str| i.value(n).and_then(CimValue::as_i128);
            if let (Some(total), Some(rem), Some(id)) = (
                num("TotalManagedSpace"),
                num("RemainingManagedSpace"),
                s(&i, "InstanceID"),
            ) && total > 0
                && rem * 100 < total * i128::from(alert_percent)
            {
                snap.low_pools.push(id.to_string());
            }
        }
    }
    snap
}

fn base_indication(class: &str, st: &State) -> Instance {
    Instance::new(class)
        .with("IndicationTime", st.wall(st.now))
        .with(
            "SourceInstanceHost",
            st.scenario.identity.system_name.as_str(),
        )
}

fn inst_indication(class: &str, st: &State, src: &Instance, prev: Option<&Instance>) -> Instance {
    let mut i =
        base_indication(class, st).with("SourceInstance", CimValue::Instance(Box::new(strip(src))));
    if let Some(p) = &src.path {
        i.set("SourceInstanceModelPath", p.canonical());
    }
    if let Some(p) = prev {
        i.set("PreviousInstance", CimValue::Instance(Box::new(strip(p))));
    }
    i
}

fn strip(i: &Instance) -> Instance {
    let mut i = i.clone();
    i.path = None;
    i
}

fn pool_alert(st: &State, pool: &str, percent: u8) -> Instance {
    let path = st.pool_path(pool);
    base_indication("CIM_AlertIndication", st)
        .with(
            "Description",
            format!("pool {pool} is nearly full (less than {percent}% remaining)"),
        )
        .with("AlertingManagedElement", path.canonical())
        .with("AlertingElementFormat", 2u16)
        .with("AlertType", 3u16)
        .with("PerceivedSeverity", 3u16)
        .with("ProbableCause", 50u16)
        .with("ProbableCauseDescription", "Storage Capacity Problem")
        .with("SystemCreationClassName", "SIMS_ComputerSystem")
        .with("SystemName", st.scenario.identity.system_name.as_str())
        .with("OwningEntity", "SNIA")
        .with("MessageID", "SIMS1")
        .with("Message", format!("Pool {pool} is nearly full"))
}

impl super::Provider {
    pub(super) fn hub(&self) -> std::sync::MutexGuard<'_, Hub> {
        self.hub.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Advances the model to the clock's time, generates the indications due, and returns
    /// the deliveries queued since the last call (the delivery engine calls this).
    pub fn pump_indications(&self) -> Vec<Delivery> {
        let mut st = self.lock();
        st.tick(self.clock.now());
        let mut hub = self.hub();
        hub.observe(&st);
        hub.take_outbox()
    }

    /// The delivery settings (retries, timeouts, pool alert threshold).
    pub fn delivery_settings(&self) -> DeliverySettings {
        self.hub().settings
    }

    /// Changes the delivery settings (tests shorten DSP1054's 30 s retry interval).
    pub fn set_delivery_settings(&self, settings: DeliverySettings) {
        self.hub().settings = settings;
    }

    /// Number of indication subscriptions.
    pub fn subscription_count(&self) -> usize {
        self.hub().subscription_count()
    }
}
