//! Subscriptions: `CIM_IndicationFilter`, `CIM_ListenerDestinationCIMXML` (or
//! `CIM_ListenerDestinationWBEMIND`) and `CIM_IndicationSubscription`, created with
//! CreateInstance in the interop namespace (DMTF DSP1054 Indications profile; CIM Schema
//! 2.41 event model).
//!
//! Ownership follows the convention of pywbem's `WBEMSubscriptionManager`: instances this
//! manager creates carry a `Name` of the form `smisfilter:<owner>:<id>` /
//! `smisdestination:<owner>:<id>`, so that a later process with the same owner id finds
//! (and removes) what an earlier one left behind. A subscription is owned when its filter
//! or its destination is. Deletion order is subscription, filter, destination.
//!
//! Tolerance: the interop namespace is probed (`interop`, `root/interop`,
//! `root/PG_InterOp`...); a server that answers CreateInstance with a path in another
//! namespace is followed there; properties a server refuses (`SourceNamespaces`,
//! `PersistenceType`) are dropped and the CreateInstance retried; a server without
//! `CIM_ListenerDestinationCIMXML` gets a `CIM_ListenerDestinationWBEMIND`.

use crate::cim::{CimValue, Instance, ObjectPath};
use crate::client::{Client, EnumerateInstancesOptions};
use crate::error::{CimStatus, Error, Result};

/// Interop namespaces tried in order (DSP1054 places subscriptions there; OpenPegasus
/// spells the last ones both ways).
const INTEROP_CANDIDATES: [&str; 4] = [
    "interop",
    "root/interop",
    "root/PG_InterOp",
    "root/PG_Interop",
];
const FILTER: &str = "CIM_IndicationFilter";
const DEST_CIMXML: &str = "CIM_ListenerDestinationCIMXML";
const DEST_WBEMIND: &str = "CIM_ListenerDestinationWBEMIND";
const DEST_BASE: &str = "CIM_ListenerDestination";
const SUBSCRIPTION: &str = "CIM_IndicationSubscription";

/// A filter to create.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterSpec {
    /// `Query`, e.g. `SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume`.
    pub query: String,
    /// `QueryLanguage`: `WQL` (default) or `DMTF:CQL`.
    pub query_language: String,
    /// `SourceNamespaces` (where the indications originate; empty: the filter's namespace).
    pub source_namespaces: Vec<String>,
}

impl FilterSpec {
    /// A WQL filter on the given source namespaces.
    pub fn wql(query: impl Into<String>, source_namespaces: &[&str]) -> Self {
        FilterSpec {
            query: query.into(),
            query_language: "WQL".into(),
            source_namespaces: source_namespaces.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// A listener destination to create.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationSpec {
    /// `Destination`: the listener URL (`https://host:port` or `http://...`).
    pub url: String,
    /// `PersistenceType`: 2 Permanent, 3 Transient (default 3 for owned destinations, as
    /// pywbem does; None leaves it to the server, which treats NULL as Permanent).
    pub persistence_type: Option<u16>,
}

impl DestinationSpec {
    /// A transient destination for `url`.
    pub fn transient(url: impl Into<String>) -> Self {
        DestinationSpec {
            url: url.into(),
            persistence_type: Some(3),
        }
    }
}

/// Who created a filter, destination or subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ownership {
    /// Created by this manager's owner id.
    Owned,
    /// Created by someone else (another client or owner id, or static in the server).
    Other,
}

/// One subscription as listed: its path, filter and destination, and their properties.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRecord {
    /// The subscription's path.
    pub path: ObjectPath,
    /// The filter reference.
    pub filter: Option<ObjectPath>,
    /// The destination (`Handler`) reference.
    pub handler: Option<ObjectPath>,
    /// The filter's `Query`, when the filter was found.
    pub query: Option<String>,
    /// The destination URL, when the destination was found.
    pub destination: Option<String>,
    /// `SubscriptionState` (2 Enabled, 4 Disabled ...).
    pub state: Option<u16>,
    /// Owned by this manager's owner id.
    pub ownership: Ownership,
}

/// Everything subscription-related in the interop namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubscriptionList {
    /// `CIM_IndicationFilter` instances.
    pub filters: Vec<Instance>,
    /// `CIM_ListenerDestination` instances (all subclasses).
    pub destinations: Vec<Instance>,
    /// Subscriptions with their filter and destination resolved.
    pub subscriptions: Vec<SubscriptionRecord>,
}

/// `CIM_IndicationService` as the server reports it (DSP1054).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicationServiceInfo {
    /// `Name`.
    pub name: Option<String>,
    /// `FilterCreationEnabled` (None: not reported, assumed true).
    pub filter_creation_enabled: Option<bool>,
    /// `DeliveryRetryAttempts` (default 3).
    pub delivery_retry_attempts: Option<u16>,
    /// `DeliveryRetryInterval` in seconds (default 30).
    pub delivery_retry_interval: Option<u32>,
    /// `SubscriptionRemovalAction` (2 Remove, 3 Disable, 4 Ignore).
    pub subscription_removal_action: Option<u16>,
}

/// The standard job filters of the SNIA SMI-S Job Control profile, most specific first:
/// job state changes, then any modification of a job (for providers that refuse the
/// property comparison).
pub fn job_state_filters() -> [&'static str; 2] {
    [
        "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ConcreteJob AND SourceInstance.CIM_ConcreteJob::JobState <> PreviousInstance.CIM_ConcreteJob::JobState",
        "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ConcreteJob",
    ]
}

/// Creates, lists and removes indication subscriptions on one server.
#[derive(Debug, Clone)]
pub struct SubscriptionManager {
    client: Client,
    owner: String,
    interop: Option<String>,
}

fn refused(e: &Error) -> bool {
    matches!(
        e.cim_status(),
        Some(
            CimStatus::InvalidParameter
                | CimStatus::NotSupported
                | CimStatus::NoSuchProperty
                | CimStatus::TypeMismatch
                | CimStatus::Failed
        )
    )
}

fn absent(e: &Error) -> bool {
    matches!(e.cim_status().map(|s| s.code()), Some(3 | 5 | 7))
}

fn name_of(i: &Instance) -> Option<String> {
    i.value("Name")
        .and_then(CimValue::as_str)
        .map(str::to_string)
}

fn key_name(p: &ObjectPath) -> Option<String> {
    p.key("Name").and_then(CimValue::as_str).map(str::to_string)
}

/// References compare by class and `Name` only (servers differ in SystemName and host;
/// OpenPegasus issue #82).
fn same_ref(a: &ObjectPath, b: &ObjectPath) -> bool {
    key_name(a).is_some()
        && key_name(a) == key_name(b)
        && a.class_name
            .as_str()
            .eq_ignore_ascii_case(b.class_name.as_str())
}

impl SubscriptionManager {
    /// A manager whose owned instances are named with `owner` (letters, digits, `-`, `_`
    /// and `.` only; no `:`).
    pub fn new(client: Client, owner: &str) -> Result<Self> {
        if owner.is_empty()
            || !owner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(Error::InvalidArgument(format!(
                "subscription owner id {owner:?}: use letters, digits, '-', '_' or '.'"
            )));
        }
        Ok(SubscriptionManager {
            client,
            owner: owner.to_string(),
            interop: None,
        })
    }

    /// Uses `namespace` as the interop namespace instead of probing.
    pub fn with_interop_namespace(mut self, namespace: &str) -> Self {
        self.interop = Some(namespace.to_string());
        self
    }

    /// The owner id.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn filter_name(&self, id: &str) -> String {
        format!("smisfilter:{}:{id}", self.owner)
    }

    fn destination_name(&self, id: &str) -> String {
        format!("smisdestination:{}:{id}", self.owner)
    }

    /// Whether a filter or destination `Name` belongs to this manager.
    pub fn owns_name(&self, name: &str) -> bool {
        let Some((kind, rest)) = name.split_once(':') else {
            return false;
        };
        (kind == "smisfilter" || kind == "smisdestination")
            && rest
                .split_once(':')
                .is_some_and(|(owner, _)| owner == self.owner)
    }

    /// The interop namespace: the configured one, else the first candidate where
    /// `CIM_IndicationService` can be enumerated (CIM errors 3, 5 and 7 mean "not here").
    pub async fn interop_namespace(&self) -> Result<String> {
        if let Some(ns) = &self.interop {
            return Ok(ns.clone());
        }
        let mut first_ok = None;
        for ns in INTEROP_CANDIDATES {
            let opts = EnumerateInstancesOptions::new().namespace(ns);
            match self
                .client
                .enumerate_instances("CIM_IndicationService", &opts)
                .await
            {
                Ok(v) if !v.is_empty() => return Ok(ns.to_string()),
                Ok(_) => {
                    first_ok.get_or_insert_with(|| ns.to_string());
                }
                Err(e) if absent(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        first_ok.ok_or_else(|| {
            Error::InvalidArgument(
                "no interop namespace answered (tried interop, root/interop, root/PG_InterOp)"
                    .into(),
            )
        })
    }

    async fn enumerate(&self, class: &str) -> Result<Vec<Instance>> {
        let ns = self.interop_namespace().await?;
        let opts = EnumerateInstancesOptions::new().namespace(ns);
        match self.client.enumerate_instances(class, &opts).await {
            Err(e) if absent(&e) => Ok(Vec::new()),
            other => other,
        }
    }

    /// `CIM_IndicationService` (None when the server has none: subscriptions may still
    /// work, capabilities are unknown).
    pub async fn service_info(&self) -> Result<Option<IndicationServiceInfo>> {
        let Some(s) = self
            .enumerate("CIM_IndicationService")
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let num = |n: &str| s.value(n).and_then(CimValue::as_i128);
        Ok(Some(IndicationServiceInfo {
            name: name_of(&s),
            filter_creation_enabled: match s.value("FilterCreationEnabled") {
                Some(CimValue::Boolean(b)) => Some(*b),
                _ => None,
            },
            delivery_retry_attempts: num("DeliveryRetryAttempts").and_then(|v| v.try_into().ok()),
            delivery_retry_interval: num("DeliveryRetryInterval").and_then(|v| v.try_into().ok()),
            subscription_removal_action: num("SubscriptionRemovalAction")
                .and_then(|v| v.try_into().ok()),
        }))
    }

    /// CreateInstance with the first property set of `attempts`, then with the next ones
    /// while the server refuses a property (CIM errors 1, 4, 7, 12, 13).
    async fn create(
        &self,
        base: Instance,
        attempts: &[Vec<(&str, CimValue)>],
    ) -> Result<ObjectPath> {
        let ns = self.interop_namespace().await?;
        let mut last = None;
        for (n, props) in attempts.iter().enumerate() {
            let mut inst = base.clone();
            for (k, v) in props {
                inst.set(*k, v.clone());
            }
            match self.client.create_instance(Some(&ns), inst).await {
                Ok(p) => return Ok(p),
                Err(e) if n + 1 < attempts.len() && refused(&e) => {
                    tracing::debug!(class = %base.class_name, error = %e, "CreateInstance refused; retrying with fewer properties");
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::InvalidArgument("nothing to create".into())))
    }

    fn keyed(&self, class: &str, name: &str) -> Instance {
        Instance::new(class)
            .with("SystemCreationClassName", "CIM_ComputerSystem")
            .with("CreationClassName", class)
            .with("Name", name)
    }

    /// Creates an owned listener destination `id` (CIMXML, else WBEMIND).
    pub async fn create_destination(&self, id: &str, spec: &DestinationSpec) -> Result<ObjectPath> {
        check_id(id)?;
        let name = self.destination_name(id);
        let mut full = vec![("Protocol", CimValue::Uint16(2))];
        let mut less = Vec::new();
        if let Some(p) = spec.persistence_type {
            full.push(("PersistenceType", CimValue::Uint16(p)));
            less.push(("PersistenceType", CimValue::Uint16(p)));
        }
        let optional = vec![full, less, Vec::new()];
        let mut last = None;
        for class in [DEST_CIMXML, DEST_WBEMIND] {
            let base = self
                .keyed(class, &name)
                .with("Destination", spec.url.as_str());
            match self.create(base, &optional).await {
                Ok(p) => return Ok(p),
                Err(e) if class == DEST_CIMXML && absent(&e) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::InvalidArgument("no destination class".into())))
    }

    /// Creates an owned filter `id` (checks `FilterCreationEnabled` first).
    pub async fn create_filter(&self, id: &str, spec: &FilterSpec) -> Result<ObjectPath> {
        check_id(id)?;
        if let Some(info) = self.service_info().await?
            && info.filter_creation_enabled == Some(false)
        {
            return Err(Error::Cim {
                operation: "CreateInstance".into(),
                status: CimStatus::NotSupported,
                description: Some(
                    "the server's CIM_IndicationService has FilterCreationEnabled = false; \
                     subscribe to one of its static filters instead"
                        .into(),
                ),
                instances: Vec::new(),
            });
        }
        let base = self
            .keyed(FILTER, &self.filter_name(id))
            .with("Query", spec.query.as_str())
            .with("QueryLanguage", spec.query_language.as_str());
        let mut optional = Vec::new();
        if let (Some(first), Some(all)) = (
            spec.source_namespaces.first(),
            crate::cim::ToCimValue::to_cim(&spec.source_namespaces),
        ) {
            // Old servers only honour the deprecated singular SourceNamespace.
            optional.push(vec![("SourceNamespaces", all)]);
            optional.push(vec![("SourceNamespace", CimValue::String(first.clone()))]);
        }
        optional.push(Vec::new());
        self.create(base, &optional).await
    }

    /// Creates a subscription of `destination` to `filter`.
    pub async fn create_subscription(
        &self,
        filter: &ObjectPath,
        destination: &ObjectPath,
    ) -> Result<ObjectPath> {
        let r = |p: &ObjectPath| {
            let mut p = p.clone();
            p.host = None;
            CimValue::Reference(Box::new(p))
        };
        let base = Instance::new(SUBSCRIPTION)
            .with("Filter", r(filter))
            .with("Handler", r(destination));
        self.create(
            base,
            &[vec![("SubscriptionState", CimValue::Uint16(2))], Vec::new()],
        )
        .await
    }

    /// Filter, destination and subscription in one go, all owned (named after `id`); the
    /// destination is transient. Returns the subscription's path.
    pub async fn subscribe(&self, id: &str, url: &str, filter: &FilterSpec) -> Result<ObjectPath> {
        let dest = self
            .create_destination(id, &DestinationSpec::transient(url))
            .await?;
        let f = match self.create_filter(id, filter).await {
            Ok(f) => f,
            Err(e) => {
                let _ = self.client.delete_instance(&dest).await;
                return Err(e);
            }
        };
        match self.create_subscription(&f, &dest).await {
            Ok(s) => Ok(s),
            Err(e) => {
                let _ = self.client.delete_instance(&f).await;
                let _ = self.client.delete_instance(&dest).await;
                Err(e)
            }
        }
    }

    /// Lists filters, destinations and subscriptions.
    pub async fn list(&self) -> Result<SubscriptionList> {
        let filters = self.enumerate(FILTER).await?;
        let destinations = self.enumerate(DEST_BASE).await?;
        let subs = self.enumerate(SUBSCRIPTION).await?;
        let mut out = Vec::new();
        for s in subs {
            let Some(path) = s.path.clone() else { continue };
            let reference = |n: &str| s.value(n).and_then(CimValue::as_reference).cloned();
            let filter = reference("Filter")
                .or_else(|| path.key("Filter").and_then(CimValue::as_reference).cloned());
            let handler = reference("Handler").or_else(|| {
                path.key("Handler")
                    .and_then(CimValue::as_reference)
                    .cloned()
            });
            let find = |r: &Option<ObjectPath>, list: &[Instance]| {
                r.as_ref().and_then(|r| {
                    list.iter()
                        .find(|i| i.path.as_ref().is_some_and(|p| same_ref(p, r)))
                        .cloned()
                })
            };
            let fi = find(&filter, &filters);
            let di = find(&handler, &destinations);
            let owned = [&filter, &handler].iter().any(|r| {
                r.as_ref()
                    .and_then(key_name)
                    .is_some_and(|n| self.owns_name(&n))
            });
            out.push(SubscriptionRecord {
                state: s
                    .value("SubscriptionState")
                    .and_then(CimValue::as_i128)
                    .and_then(|v| v.try_into().ok()),
                query: fi
                    .as_ref()
                    .and_then(|i| i.value("Query"))
                    .and_then(CimValue::as_str)
                    .map(str::to_string),
                destination: di
                    .as_ref()
                    .and_then(|i| i.value("Destination"))
                    .and_then(CimValue::as_str)
                    .map(str::to_string),
                ownership: if owned {
                    Ownership::Owned
                } else {
                    Ownership::Other
                },
                path,
                filter,
                handler,
            });
        }
        Ok(SubscriptionList {
            filters,
            destinations,
            subscriptions: out,
        })
    }

    /// Removes one subscription and, when owned and no longer used, its filter and
    /// destination.
    pub async fn remove(&self, record: &SubscriptionRecord) -> Result<()> {
        self.client.delete_instance(&record.path).await?;
        let rest = self.list().await?;
        for r in [&record.filter, &record.handler].into_iter().flatten() {
            let owned = key_name(r).is_some_and(|n| self.owns_name(&n));
            let used = rest.subscriptions.iter().any(|s| {
                [&s.filter, &s.handler]
                    .into_iter()
                    .flatten()
                    .any(|x| same_ref(x, r))
            });
            if owned && !used {
                let path = rest
                    .filters
                    .iter()
                    .chain(&rest.destinations)
                    .filter_map(|i| i.path.as_ref())
                    .find(|p| same_ref(p, r))
                    .cloned()
                    .unwrap_or_else(|| r.clone());
                self.delete_tolerant(&path).await?;
            }
        }
        Ok(())
    }

    async fn delete_tolerant(&self, path: &ObjectPath) -> Result<()> {
        match self.client.delete_instance(path).await {
            Err(e) if e.cim_status() == Some(CimStatus::NotFound) => Ok(()),
            other => other,
        }
    }

    /// Removes every owned subscription, then every owned filter and destination (in that
    /// order, as DSP1054 servers require). Returns how many instances were deleted.
    pub async fn remove_owned(&self) -> Result<usize> {
        let list = self.list().await?;
        let mut n = 0;
        for s in list
            .subscriptions
            .iter()
            .filter(|s| s.ownership == Ownership::Owned)
        {
            self.delete_tolerant(&s.path).await?;
            n += 1;
        }
        for i in list.filters.iter().chain(&list.destinations) {
            if let (Some(p), Some(name)) = (&i.path, name_of(i))
                && self.owns_name(&name)
            {
                self.delete_tolerant(p).await?;
                n += 1;
            }
        }
        Ok(n)
    }
}

fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.contains(':') {
        return Err(Error::InvalidArgument(format!(
            "subscription id {id:?} must be non-empty and contain no ':'"
        )));
    }
    Ok(())
}
