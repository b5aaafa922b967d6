//! CIM indications: a listener for CIM-XML export requests, subscriptions, and jobs that
//! hear their own end.
//!
//! A provider reports what happens to an array (a job finished, a volume was created or
//! deleted, a pool is nearly full) as CIM indications: DMTF DSP0200 export messages
//! (`ExportIndication` with one `NewIndication` instance) that it POSTs to a listener the
//! client runs, after the client has subscribed (DMTF DSP1054 Indications profile; the SNIA
//! SMI-S Indications and Job Control profiles use it).
//!
//! - [`Listener`] (feature `listener`, on by default): an HTTP or HTTPS (rustls) server for
//!   export requests, with optional Basic authentication, answering every request with the
//!   proper `EXPMETHODRESPONSE` or DSP0200 error, and handing the indications to the caller
//!   as a [`futures::Stream`] of [`Indication`]s through a bounded queue.
//! - [`SequenceTracker`]: DSP1054 reliable delivery bookkeeping (`SequenceContext`,
//!   `SequenceNumber`): in order, gaps, late arrivals and duplicates.
//! - [`SubscriptionManager`]: filters, listener destinations and subscriptions in the
//!   interop namespace (CIM Schema event model), owned ones removable together.
//! - [`JobSignals`]: what [`crate::smis::Job::wait`] listens to for job-state
//!   `CIM_InstModification` indications; [`JobListener`] sets it all up.

mod jobs;
#[cfg(feature = "listener")]
mod listener;
mod sequence;
mod subscription;

use std::net::SocketAddr;
use std::time::SystemTime;

use crate::cim::{CimDateTime, CimValue, Instance};
use crate::message::{Request, RequestMessage};
use crate::xml::DecodeLimits;

#[cfg(feature = "listener")]
pub use jobs::JobListener;
pub use jobs::JobSignals;
#[cfg(feature = "listener")]
pub use listener::{
    BasicAuth, Listener, ListenerConfig, ListenerError, ListenerHandle, ListenerStats, ListenerTls,
    SlowConsumerPolicy,
};
pub use sequence::{SequenceInfo, SequenceStatus, SequenceTracker};
pub use subscription::{
    DestinationSpec, FilterSpec, IndicationServiceInfo, Ownership, SubscriptionList,
    SubscriptionManager, SubscriptionRecord, job_state_filters,
};

/// One indication as received by a listener.
#[derive(Debug, Clone, PartialEq)]
pub struct Indication {
    /// The indication instance (`CIM_InstCreation`, `CIM_AlertIndication`, ...).
    pub instance: Instance,
    /// The address the request came from.
    pub sender: SocketAddr,
    /// When the listener received it.
    pub received: SystemTime,
    /// `IndicationTime`, parsed (the server's clock; never use it for ordering).
    pub indication_time: Option<CimDateTime>,
    /// Delivery bookkeeping from `SequenceContext` / `SequenceNumber` (DSP1054), when the
    /// sender sent both.
    pub sequence: Option<SequenceInfo>,
}

impl Indication {
    /// The indication's class name.
    pub fn class_name(&self) -> &str {
        self.instance.class_name.as_str()
    }

    /// `SourceInstance` of a `CIM_InstIndication` (creation, deletion, modification).
    pub fn source_instance(&self) -> Option<Instance> {
        embedded(&self.instance, "SourceInstance")
    }

    /// `PreviousInstance` of a `CIM_InstModification`.
    pub fn previous_instance(&self) -> Option<Instance> {
        embedded(&self.instance, "PreviousInstance")
    }

    /// Builds an indication from a received instance (parses `IndicationTime` and reads the
    /// sequence properties without tracking them).
    pub fn new(instance: Instance, sender: SocketAddr, received: SystemTime) -> Indication {
        let indication_time = match instance.value("IndicationTime") {
            Some(CimValue::DateTime(d)) => Some(*d),
            Some(CimValue::String(s)) => CimDateTime::parse(s).ok(),
            _ => None,
        };
        Indication {
            instance,
            sender,
            received,
            indication_time,
            sequence: None,
        }
    }

    /// `(SequenceContext, SequenceNumber)` when the sender set both.
    pub fn sequence_key(&self) -> Option<(String, i64)> {
        let ctx = self
            .instance
            .value("SequenceContext")?
            .as_str()?
            .to_string();
        let n = i64::try_from(self.instance.value("SequenceNumber")?.as_i128()?).ok()?;
        Some((ctx, n))
    }
}

/// An embedded instance property, tolerating servers that send the escaped `INSTANCE`
/// text without the `EmbeddedObject` marker (DSP0201 embedded objects).
fn embedded(inst: &Instance, name: &str) -> Option<Instance> {
    match inst.value(name)? {
        CimValue::Instance(i) => Some((**i).clone()),
        CimValue::String(s) if s.trim_start().starts_with("<INSTANCE") => {
            crate::xml::decode_instance(s, &DecodeLimits::default()).ok()
        }
        _ => None,
    }
}

/// Why an export request cannot be accepted, with the CIM status DSP0200 lists for
/// ExportIndication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportRefusal {
    /// Not an `ExportIndication` (CIM_ERR_NOT_SUPPORTED, 7).
    #[error("export method {0:?} is not supported (only ExportIndication)")]
    NotSupported(String),
    /// Missing, duplicate or unrecognised parameter (CIM_ERR_INVALID_PARAMETER, 4).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
}

impl ExportRefusal {
    /// The CIM status code to answer with.
    pub fn cim_status(&self) -> u32 {
        match self {
            ExportRefusal::NotSupported(_) => 7,
            ExportRefusal::InvalidParameter(_) => 4,
        }
    }
}

/// Extracts the `NewIndication` instance of a decoded `ExportIndication` request
/// (DSP0200 export methods: exactly one `NewIndication` parameter holding an `INSTANCE`).
pub fn indication_from_export(msg: RequestMessage) -> Result<Instance, ExportRefusal> {
    let call = match msg.request {
        Request::Export(c) => c,
        other => {
            return Err(ExportRefusal::NotSupported(other.method_name().to_string()));
        }
    };
    if !call.method.eq_ignore_case("ExportIndication") {
        return Err(ExportRefusal::NotSupported(
            call.method.as_str().to_string(),
        ));
    }
    let mut found = None;
    for p in call.params {
        if !p.name.eq_ignore_case("NewIndication") {
            return Err(ExportRefusal::InvalidParameter(format!(
                "unrecognised parameter {}",
                p.name
            )));
        }
        if found.is_some() {
            return Err(ExportRefusal::InvalidParameter(
                "NewIndication given twice".into(),
            ));
        }
        match p.value {
            Some(CimValue::Instance(i)) => found = Some(*i),
            _ => {
                return Err(ExportRefusal::InvalidParameter(
                    "NewIndication is not an instance".into(),
                ));
            }
        }
    }
    found.ok_or_else(|| ExportRefusal::InvalidParameter("NewIndication is missing".into()))
}
