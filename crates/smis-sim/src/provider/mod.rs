//! The provider logic of the simulated SMI-S 1.8 block array, at the message level.
//!
//! [`Provider::handle`] takes a decoded [`RequestMessage`] and returns an [`Outcome`]: the
//! response message (same `MESSAGE ID`), an optional [`SimFault`] for the HTTP layer to
//! apply, and the [`ResponseQuirks`] the encoder should imitate. All state lives behind one
//! `std::sync::Mutex`, so a `Provider` can be shared in an `Arc` between connections and
//! concurrent calls see a consistent model (capacity is derived from the records, never
//! counted twice).
//!
//! Model summary:
//! - interop namespace (`interop`, or the `interop_namespace` quirk): `SIMS_Namespace`
//!   (one per namespace), `SIMS_ObjectManager`, `SIMS_RegisteredProfile` (SNIA Server,
//!   Profile Registration, Array, Block Services, Replication Services 1.8.0, Job Control
//!   1.5.0, Disk Drive Lite 1.8.0; DMTF Profile Registration 1.0.0),
//!   `SIMS_ReferencedProfile`, `SIMS_ElementConformsToProfile` (Array profile → the array
//!   ComputerSystem, a cross-namespace reference; also served in the vendor namespace).
//! - vendor namespace (`root/smis-sim` by default): the `SIMS_ComputerSystem`, pools,
//!   volumes, services and capabilities, jobs, and the associations between them.
//! - replication pairs with the 1.5+ and 1.4 states and CopyType, their lifecycle
//!   (ModifyReplicaSynchronization), per-pool capabilities and disk drive details: see
//!   `replicas` and `methods::replica_ops`.
//!
//! Jobs: a method that takes time (scenario `jobs`) returns 4096 with an out `Job`
//! reference. The objects it creates (clone volume, new volume, child pool) are created
//! **when the job is created** (so their capacity is reserved at once), linked to the job
//! by `SIMS_AffectedJobElement`; `PercentComplete` advances linearly with the injected
//! [`Clock`] and the job then reaches JobState 7 Completed with OperationalStatus `[2, 17]`.
//! A job that fails (insufficient capacity, `job_exception` fault) creates nothing and ends
//! in JobState 10 Exception with OperationalStatus `[6]`, `ErrorCode`,
//! `ErrorDescription` and a CIM_Error from `GetErrors`. Terminating or killing a running job
//! (RequestStateChange 4/5) removes what it created.

mod class_assoc;
mod classes;
mod indication_query;
mod indications;
mod masking;
mod methods;
mod ops;
mod render;
mod replicas;
mod state;
mod valuemaps;
mod wql;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smis::cim::ObjectPath;
use smis::message::{ErrorBody, Intrinsic, Request, RequestMessage, Response, ResponseMessage};

pub use classes::ClassRepo;
pub use indications::{Delivery, DeliverySettings, Target};
pub use state::BLOCK_SIZE;

use crate::scenario::{FaultAction, Scenario};
use state::State;

/// A monotonic time source. Tests inject a [`ManualClock`] to advance time without
/// sleeping.
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary fixed origin; never decreases.
    fn now(&self) -> Duration;
}

/// The real monotonic clock.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> SystemClock {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Mutex<Duration>,
}

impl ManualClock {
    /// A manual clock at zero.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A transport-level fault for the HTTP layer to apply to this response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimFault {
    /// Send the response after this delay.
    Delay(Duration),
    /// Close the connection without a response.
    DropConnection,
    /// Send only the first `after_bytes` bytes of the body, then close.
    TruncateBody {
        /// Bytes sent.
        after_bytes: usize,
    },
    /// Answer with this HTTP status (and `CIMError` header) instead of the response.
    HttpStatus {
        /// HTTP status code.
        status: u16,
        /// `CIMError` header value.
        cim_error: Option<String>,
    },
}

/// Encoder quirks to imitate in this response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseQuirks {
    /// Write `TYPE=` instead of `PARAMTYPE=` on `PARAMVALUE`.
    pub param_type_as_type: bool,
    /// Write `EMBEDDEDOBJECT` instead of `EmbeddedObject`.
    pub embedded_object_upper: bool,
}

/// What [`Provider::handle`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The response (same MESSAGE ID as the request).
    pub response: ResponseMessage,
    /// A fault for the HTTP layer to apply.
    pub fault: Option<SimFault>,
    /// Encoder quirks.
    pub quirks: ResponseQuirks,
}

/// A fault that acts on the job a method starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobFault {
    Exception,
    NeverFinishes,
    Vanishes,
}

/// A CIM error (status code and description).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CimErr {
    pub code: u32,
    pub description: String,
}

impl CimErr {
    pub fn new(code: u32, description: impl Into<String>) -> CimErr {
        CimErr {
            code,
            description: description.into(),
        }
    }
    fn body(self) -> ErrorBody {
        ErrorBody {
            code: self.code,
            description: Some(self.description),
            instances: Vec::new(),
        }
    }
}

/// CIM status codes used by the provider (DSP0200 / CIM_Error.CIMStatusCode).
pub mod status {
    /// CIM_ERR_FAILED
    pub const FAILED: u32 = 1;
    /// CIM_ERR_INVALID_NAMESPACE
    pub const INVALID_NAMESPACE: u32 = 3;
    /// CIM_ERR_INVALID_PARAMETER
    pub const INVALID_PARAMETER: u32 = 4;
    /// CIM_ERR_INVALID_CLASS
    pub const INVALID_CLASS: u32 = 5;
    /// CIM_ERR_NOT_FOUND
    pub const NOT_FOUND: u32 = 6;
    /// CIM_ERR_NOT_SUPPORTED
    pub const NOT_SUPPORTED: u32 = 7;
    /// CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED
    pub const QUERY_LANGUAGE_NOT_SUPPORTED: u32 = 14;
    /// CIM_ERR_INVALID_QUERY
    pub const INVALID_QUERY: u32 = 15;
    /// CIM_ERR_METHOD_NOT_FOUND
    pub const METHOD_NOT_FOUND: u32 = 17;
    /// CIM_ERR_INVALID_ENUMERATION_CONTEXT
    pub const INVALID_ENUMERATION_CONTEXT: u32 = 21;
    /// CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED
    pub const FILTERED_ENUMERATION_NOT_SUPPORTED: u32 = 25;
    /// CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED
    pub const CONTINUATION_ON_ERROR_NOT_SUPPORTED: u32 = 26;
}

/// The simulated SMI-S provider.
pub struct Provider {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    hub: Mutex<indications::Hub>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").finish_non_exhaustive()
    }
}

impl Provider {
    /// A provider for `scenario` on the real monotonic clock.
    pub fn new(scenario: Scenario) -> Provider {
        Provider::with_clock(scenario, Arc::new(SystemClock::new()))
    }

    /// A provider for `scenario` on an injected clock.
    pub fn with_clock(scenario: Scenario, clock: Arc<dyn Clock>) -> Provider {
        let now = clock.now();
        Provider {
            state: Mutex::new(State::new(scenario, now)),
            clock,
            hub: Mutex::default(),
        }
    }

    /// The scenario this provider was built from.
    pub fn scenario(&self) -> Scenario {
        self.lock().scenario.clone()
    }

    /// The interop namespace served.
    pub fn interop_namespace(&self) -> String {
        self.lock().interop_ns().to_string()
    }

    /// The vendor namespace served.
    pub fn vendor_namespace(&self) -> String {
        self.lock().vendor_ns().to_string()
    }

    /// The remaining bytes of a pool by id (None for an unknown pool); for tests and
    /// consistency checks.
    pub fn pool_remaining(&self, pool_id: &str) -> Option<u64> {
        let st = self.lock();
        st.pool(pool_id).map(|_| st.remaining(pool_id))
    }

    /// The number of volumes; for tests and consistency checks.
    pub fn volume_count(&self) -> usize {
        self.lock().volumes.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Handles one request. `user` is the authenticated user (recorded as job Owner).
    ///
    /// The first scenario fault that matches the request (and has `times` left) applies:
    /// `cim_error`, `http_status` and `drop_connection` answer without running the
    /// operation; `delay_ms` and `truncate_body` run it and hand the fault to the HTTP
    /// layer; the job faults run the method and alter the job it starts.
    pub fn handle(&self, req: &RequestMessage, user: Option<&str>) -> Outcome {
        let mut st = self.lock();
        st.tick(self.clock.now());
        let quirks = ResponseQuirks {
            param_type_as_type: st.scenario.quirks.param_type_as_type,
            embedded_object_upper: st.scenario.quirks.embedded_object_upper,
        };
        let action = match_fault(&mut st, &req.request);
        let mut fault = None;
        let mut job_fault = None;
        let mut forced_error = None;
        match action {
            None => {}
            Some(FaultAction::CimError(e)) => {
                forced_error = Some(CimErr::new(
                    e.code,
                    e.description
                        .unwrap_or_else(|| "simulated CIM error (fault injection)".into()),
                ));
            }
            Some(FaultAction::HttpStatus(h)) => {
                fault = Some(SimFault::HttpStatus {
                    status: h.status,
                    cim_error: h.cim_error,
                });
                forced_error = Some(CimErr::new(status::FAILED, "HTTP error (fault injection)"));
            }
            Some(FaultAction::DropConnection) => {
                fault = Some(SimFault::DropConnection);
                forced_error = Some(CimErr::new(
                    status::FAILED,
                    "connection dropped (fault injection)",
                ));
            }
            Some(FaultAction::DelayMs(ms)) => {
                fault = Some(SimFault::Delay(Duration::from_millis(ms)))
            }
            Some(FaultAction::TruncateBody(t)) => {
                fault = Some(SimFault::TruncateBody {
                    after_bytes: t.after_bytes,
                })
            }
            Some(FaultAction::JobException) => job_fault = Some(JobFault::Exception),
            Some(FaultAction::JobNeverFinishes) => job_fault = Some(JobFault::NeverFinishes),
            Some(FaultAction::JobVanishes) => job_fault = Some(JobFault::Vanishes),
        }
        let response = match &req.request {
            Request::Intrinsic(r) => {
                let result = match forced_error {
                    Some(e) => Err(e.body()),
                    None => match self.hub().intercept(&st, &r.namespace, &r.op) {
                        Some(res) => res.map_err(CimErr::body),
                        None => ops::intrinsic(&mut st, &r.namespace, &r.op).map_err(CimErr::body),
                    },
                };
                Response::Intrinsic {
                    name: r.op.name().to_string(),
                    result,
                }
            }
            Request::Method(call) => {
                let result = match forced_error {
                    Some(e) => Err(e.body()),
                    None => methods::invoke(&mut st, call, user, job_fault).map_err(CimErr::body),
                };
                Response::Method {
                    name: call.method.as_str().to_string(),
                    result,
                }
            }
            Request::Export(e) => Response::Export {
                name: e.method.as_str().to_string(),
                result: Err(forced_error
                    .unwrap_or_else(|| {
                        CimErr::new(status::NOT_SUPPORTED, "this provider is not a listener")
                    })
                    .body()),
            },
        };
        self.hub().observe(&st);
        Outcome {
            response: ResponseMessage {
                id: req.id.clone(),
                response,
            },
            fault,
            quirks,
        }
    }
}

/// The class a request is about, for fault matching.
fn request_class(req: &Request) -> Option<String> {
    use Intrinsic::*;
    let path_class = |p: &ObjectPath| Some(p.class_name.as_str().to_string());
    match req {
        Request::Method(m) => path_class(&m.target),
        Request::Export(_) => None,
        Request::Intrinsic(r) => match &r.op {
            GetInstance { instance_name, .. } | DeleteInstance { instance_name } => {
                path_class(instance_name)
            }
            EnumerateInstances { class_name, .. }
            | EnumerateInstanceNames { class_name }
            | GetClass { class_name, .. }
            | OpenEnumerateInstances { class_name, .. }
            | OpenEnumerateInstancePaths { class_name, .. } => {
                Some(class_name.as_str().to_string())
            }
            EnumerateClasses { class_name, .. } | EnumerateClassNames { class_name, .. } => {
                class_name.as_ref().map(|c| c.as_str().to_string())
            }
            Associators { object_name, .. }
            | AssociatorNames { object_name, .. }
            | References { object_name, .. }
            | ReferenceNames { object_name, .. } => path_class(object_name),
            OpenAssociatorInstances { instance_name, .. }
            | OpenAssociatorInstancePaths { instance_name, .. }
            | OpenReferenceInstances { instance_name, .. }
            | OpenReferenceInstancePaths { instance_name, .. } => path_class(instance_name),
            CreateInstance { new_instance } => Some(new_instance.class_name.as_str().to_string()),
            ModifyInstance {
                modified_instance, ..
            } => Some(modified_instance.class_name.as_str().to_string()),
            _ => None,
        },
    }
}

/// Finds the first applicable fault, consuming one of its `times`.
fn match_fault(st: &mut State, req: &Request) -> Option<FaultAction> {
    let class = request_class(req);
    for i in 0..st.scenario.faults.len() {
        let f = &st.scenario.faults[i];
        if f.times.is_some_and(|t| st.fault_uses[i] >= t) {
            continue;
        }
        let m = &f.matcher;
        if let Some(op) = &m.operation {
            match req {
                Request::Intrinsic(r) if r.op.name().eq_ignore_ascii_case(op) => {}
                Request::Method(_) if op.eq_ignore_ascii_case("InvokeMethod") => {}
                _ => continue,
            }
        }
        if let Some(method) = &m.method {
            match req {
                Request::Method(c) if c.method.eq_ignore_case(method) => {}
                _ => continue,
            }
        }
        if let Some(fc) = &m.class {
            match &class {
                Some(c) if st.repo.is_a(c, fc) => {}
                _ => continue,
            }
        }
        st.fault_uses[i] += 1;
        return Some(st.scenario.faults[i].action.clone());
    }
    None
}
