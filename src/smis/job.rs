//! Following a `CIM_ConcreteJob` (a method returned 4096 "Method Parameters Checked - Job
//! Started" and an out `Job` reference).
//!
//! The rule: a job is a success only when JobState is 7 Completed **and** OperationalStatus
//! holds both 2 OK and 17 Completed, in either order — providers send `[2,17]` or `[17,2]`
//! (libstoragemgmt `smis_common.py` `cim_job_completed_ok`). Everything else that is
//! final is a failure ([`Error::JobFailed`]); waiting never outlives
//! [`WaitOptions::deadline`] ([`Error::JobTimeout`]), a job that disappears is
//! [`Error::JobVanished`], and cancellation is [`Error::Cancelled`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;

use crate::cim::{CimValue, Instance, ObjectPath};
use crate::client::{AssociatorsOptions, Client, GetInstanceOptions};
use crate::error::{CimStatus, Error, JobFailure, Result};
use crate::message::ParamValue;

use super::{prop_opt, prop_vec};

/// JobState values (CIM_ConcreteJob, CIM 2.49.0): 2 New, 3 Starting, 4 Running,
/// 5 Suspended, 6 Shutting Down, 7 Completed, 8 Terminated, 9 Killed, 10 Exception,
/// 11 Service, 12 Query Pending; 32767 is EMC ECOM's vendor "Queue Pending", which cinder's
/// VMAX SMI-S driver treats as running.
const JOB_PROPERTIES: [&str; 8] = [
    "JobState",
    "PercentComplete",
    "OperationalStatus",
    "ErrorCode",
    "ErrorDescription",
    "DeleteOnCompletion",
    "ElementName",
    "JobStatus",
];

/// What a JobState means for the waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobStateClass {
    /// Still going: 2..=6, 11, 12 and vendor 32767.
    Running,
    /// 7 Completed with OperationalStatus holding 2 and 17 (and no error status).
    Succeeded,
    /// Final and not a success: 8 Terminated, 9 Killed, 10 Exception, 7 with any other
    /// OperationalStatus, a missing or unknown JobState.
    Failed,
}

/// True when OperationalStatus says "OK and Completed": both 2 and 17 present (either
/// order, as libstoragemgmt accepts `[2,17]` and `[17,2]`), and none of 6 Error,
/// 7 Non-Recoverable Error, 14 Aborted, 16 Supporting Entity in Error.
pub fn is_completed_ok(operational_status: &[u16]) -> bool {
    operational_status.contains(&2)
        && operational_status.contains(&17)
        && !operational_status
            .iter()
            .any(|s| matches!(s, 6 | 7 | 14 | 16))
}

/// Classifies a job from its JobState and OperationalStatus (the rule in the module docs).
pub fn classify_job_state(job_state: Option<u16>, operational_status: &[u16]) -> JobStateClass {
    match job_state {
        Some(2..=6 | 11 | 12 | 32767) => JobStateClass::Running,
        Some(7) if is_completed_ok(operational_status) => JobStateClass::Succeeded,
        _ => JobStateClass::Failed,
    }
}

fn job_state_label(s: u16) -> &'static str {
    match s {
        2 => "New",
        3 => "Starting",
        4 => "Running",
        5 => "Suspended",
        6 => "Shutting Down",
        7 => "Completed",
        8 => "Terminated",
        9 => "Killed",
        10 => "Exception",
        11 => "Service",
        12 => "Query Pending",
        32767 => "Queue Pending (vendor)",
        _ => "unknown",
    }
}

/// One observation of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobProgress {
    /// JobState (None when the provider did not send it).
    pub job_state: Option<u16>,
    /// PercentComplete, capped at 100 (libstoragemgmt `job_status` caps it too).
    pub percent_complete: Option<u16>,
    /// JobStatus (free text), or the JobState's label.
    pub status: String,
    /// OperationalStatus.
    pub operational_status: Vec<u16>,
}

/// A cancellation switch for [`Job::wait`]: clone it, hand one clone to the waiter, call
/// `cancel()` on another. This is `tokio_util`'s [`CancellationToken`] (re-exported as
/// `smis::smis::CancellationToken`); the name `CancelToken` is kept for existing callers.
pub type CancelToken = CancellationToken;

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(JobProgress) + Send + Sync>;

/// How to wait for a job.
#[derive(Clone)]
pub struct WaitOptions {
    /// First polling interval (default 1 s; clamped to
    /// [`WaitOptions::MIN_POLL_INTERVAL`]..=[`WaitOptions::MAX_POLL_INTERVAL`]).
    pub poll_interval: Duration,
    /// Longest polling interval (default 10 s).
    pub max_interval: Duration,
    /// Interval growth per poll (default 1.5).
    pub backoff: f64,
    /// Give up after this long (default 10 min) with [`Error::JobTimeout`]; saturates at
    /// [`WaitOptions::MAX_DEADLINE`] (`Duration::MAX` waits as long as it takes).
    pub deadline: Duration,
    /// Stop waiting when cancelled ([`Error::Cancelled`]).
    pub cancel: Option<CancellationToken>,
    /// On cancellation, ask the provider to terminate the job (RequestStateChange 4).
    pub terminate_on_cancel: bool,
    /// Called with every observation.
    pub progress: Option<ProgressFn>,
    /// Job-state indications (see [`crate::indication::JobSignals`]): while active, wake
    /// as soon as one reports a final state (then confirm with one GetInstance) and
    /// otherwise poll only every `safety_poll`.
    pub indications: Option<crate::indication::JobSignals>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            poll_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            backoff: 1.5,
            deadline: Duration::from_secs(600),
            cancel: None,
            terminate_on_cancel: false,
            progress: None,
            indications: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("poll_interval", &self.poll_interval)
            .field("max_interval", &self.max_interval)
            .field("backoff", &self.backoff)
            .field("deadline", &self.deadline)
            .field("cancel", &self.cancel.is_some())
            .field("terminate_on_cancel", &self.terminate_on_cancel)
            .field("progress", &self.progress.is_some())
            .field("indications", &self.indications.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// Default options with another deadline.
    pub fn with_deadline(deadline: Duration) -> Self {
        WaitOptions {
            deadline,
            ..Self::default()
        }
    }

    fn next_interval(&self, current: Duration) -> Duration {
        // Clamped and saturating: see `WaitOptions::MIN_POLL_INTERVAL` and friends.
        self.bounded_next_interval(current)
    }
}

/// How a job ended successfully.
#[derive(Debug, Clone, PartialEq)]
pub struct JobOutcome {
    /// The last observation (JobState 7, OperationalStatus {2,17}).
    pub progress: JobProgress,
    /// DeleteOnCompletion as the provider reported it (None when absent).
    pub delete_on_completion: Option<bool>,
    /// The job instance as last read.
    pub instance: Instance,
}

/// A running (or finished) CIM_ConcreteJob.
#[derive(Debug, Clone)]
pub struct Job {
    client: Client,
    path: ObjectPath,
}

struct Observation {
    progress: JobProgress,
    class: JobStateClass,
    instance: Instance,
}

impl Job {
    /// A handle for the job at `path`, polled through `client`.
    pub fn new(client: Client, path: ObjectPath) -> Self {
        Job { client, path }
    }

    /// The job's path.
    pub fn path(&self) -> &ObjectPath {
        &self.path
    }

    fn vanished(&self) -> Error {
        Error::JobVanished(self.path.canonical())
    }

    async fn get(&self, property_list: Option<Vec<String>>) -> Result<Instance> {
        let opts = {
            let mut o = GetInstanceOptions::new();
            o.property_list = property_list;
            o
        };
        match self.client.get_instance(&self.path, &opts).await {
            Err(Error::Cim {
                status: CimStatus::NotFound,
                ..
            }) => Err(self.vanished()),
            other => other,
        }
    }

    async fn observe(&self) -> Result<Observation> {
        let props = JOB_PROPERTIES.iter().map(|s| s.to_string()).collect();
        let mut inst = self.get(Some(props)).await?;
        // Some providers (HP 3PAR; libstoragemgmt omits PropertyList for it) mishandle PropertyList; read the
        // whole instance before deciding on a missing JobState.
        if inst.value("JobState").is_none() {
            inst = self.get(None).await?;
        }
        observation(inst)
    }

    /// Reads the job once.
    pub async fn poll(&self) -> Result<JobProgress> {
        Ok(self.observe().await?.progress)
    }

    /// Waits until the job ends; `Ok` only for a successful job (see the module docs).
    ///
    /// Does not delete the job: call [`Job::cleanup`] (or use [`Job::wait_for_elements`])
    /// after reading the results.
    pub async fn wait(&self, opts: &WaitOptions) -> Result<JobOutcome> {
        let started = Instant::now();
        let deadline = opts.deadline_from(started);
        let mut interval = opts.first_interval();
        let mut last: Option<JobProgress> = None;
        loop {
            let timeout = |last: &Option<JobProgress>| Error::JobTimeout {
                job: self.path.canonical(),
                after: opts.deadline,
                last_state: last.as_ref().and_then(|p| p.job_state),
                last_percent: last.as_ref().and_then(|p| p.percent_complete),
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout(&last));
            }
            // A provider that never answers must not turn into a hang either.
            let obs = tokio::select! {
                r = tokio::time::timeout(remaining, self.observe()) => match r {
                    Ok(o) => o?,
                    Err(_) => return Err(timeout(&last)),
                },
                _ = cancelled(&opts.cancel) => return Err(self.on_cancel(opts).await),
            };
            if let Some(cb) = &opts.progress {
                cb(obs.progress.clone());
            }
            match obs.class {
                JobStateClass::Succeeded => {
                    return Ok(JobOutcome {
                        delete_on_completion: prop_opt::<bool>(
                            &obs.instance,
                            "DeleteOnCompletion",
                        )?,
                        progress: obs.progress,
                        instance: obs.instance,
                    });
                }
                JobStateClass::Failed => {
                    let failure = self.failure(&obs).await;
                    self.cleanup_instance(&obs.instance).await;
                    return Err(Error::JobFailed(Box::new(failure)));
                }
                JobStateClass::Running => {}
            }
            last = Some(obs.progress);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout(&last));
            }
            let signals = opts.indications.as_ref().filter(|s| s.is_active());
            let pause = signals.map_or(interval, |s| s.safety_poll().max(interval));
            tokio::select! {
                _ = tokio::time::sleep(pause.min(remaining)) => {}
                _ = job_signal(signals, &self.path) => {}
                _ = cancelled(&opts.cancel) => return Err(self.on_cancel(opts).await),
            }
            interval = opts.next_interval(interval);
        }
    }

    async fn on_cancel(&self, opts: &WaitOptions) -> Error {
        if opts.terminate_on_cancel {
            // RequestStateChange 4 Terminate (CIM_ConcreteJob.RequestStateChange, DMTF CIM Schema 2.49).
            match self
                .client
                .invoke_method(
                    &self.path,
                    "RequestStateChange",
                    vec![ParamValue::new("RequestedState", 4u16)],
                )
                .await
            {
                Ok(r) if r.return_code() == Some(0) => {}
                Ok(r) => tracing::debug!(rc = ?r.return_code(), "job terminate refused"),
                Err(e) => tracing::debug!(error = %e, "job terminate failed"),
            }
        }
        Error::Cancelled
    }

    /// Gathers what the provider says about a failed job: CIM_Error instances from
    /// `GetErrors` (out `Errors[]`), else from the deprecated `GetError` (out `Error`),
    /// else ErrorCode/ErrorDescription (cinder's VMAX and ETERNUS drivers read those).
    async fn failure(&self, obs: &Observation) -> JobFailure {
        let mut errors = Vec::new();
        match self
            .client
            .invoke_method(&self.path, "GetErrors", Vec::new())
            .await
        {
            Ok(r) if r.return_code() == Some(0) => {
                errors = embedded_instances(r.out_param("Errors").and_then(|p| p.value.as_ref()));
            }
            Ok(r) => tracing::debug!(rc = ?r.return_code(), "GetErrors failed"),
            Err(e) => tracing::debug!(error = %e, "GetErrors failed"),
        }
        if errors.is_empty() {
            match self
                .client
                .invoke_method(&self.path, "GetError", Vec::new())
                .await
            {
                Ok(r) if r.return_code() == Some(0) => {
                    errors =
                        embedded_instances(r.out_param("Error").and_then(|p| p.value.as_ref()));
                }
                Ok(r) => tracing::debug!(rc = ?r.return_code(), "GetError failed"),
                Err(e) => tracing::debug!(error = %e, "GetError failed"),
            }
        }
        let error_code = prop_opt::<u16>(&obs.instance, "ErrorCode").ok().flatten();
        let description = prop_opt::<String>(&obs.instance, "ErrorDescription")
            .ok()
            .flatten()
            .filter(|s| !s.trim().is_empty());
        let first_message = errors.iter().find_map(|e| {
            e.get_opt::<String>("Message")
                .ok()
                .flatten()
                .filter(|s| !s.trim().is_empty())
        });
        let message = first_message.or(description).unwrap_or_else(|| {
            let state = obs.progress.job_state;
            let mut m = match state {
                Some(s) => format!("job ended in JobState {s} ({})", job_state_label(s)),
                None => "job reported no JobState".to_string(),
            };
            if state == Some(7) {
                m.push_str(&format!(
                    " with OperationalStatus {:?} (not OK + Completed)",
                    obs.progress.operational_status
                ));
            }
            if let Some(c) = error_code {
                m.push_str(&format!(", ErrorCode {c}"));
            }
            m
        });
        JobFailure {
            job: Some(self.path.clone()),
            job_state: obs.progress.job_state,
            operational_status: obs.progress.operational_status.clone(),
            error_code,
            message,
            errors,
        }
    }

    /// The elements the job created or changed: AssociatorNames(job, AssocClass
    /// CIM_AffectedJobElement, ResultClass `result_class`), as libstoragemgmt reads the
    /// created volume.
    pub async fn affected_elements(&self, result_class: &str) -> Result<Vec<ObjectPath>> {
        self.client
            .associator_names(
                &self.path,
                &AssociatorsOptions::new()
                    .assoc_class("CIM_AffectedJobElement")
                    .result_class(result_class),
            )
            .await
    }

    async fn cleanup_instance(&self, inst: &Instance) {
        let keep = prop_opt::<bool>(inst, "DeleteOnCompletion")
            .ok()
            .flatten()
            .unwrap_or(true);
        if !keep {
            self.delete().await;
        }
    }

    async fn delete(&self) {
        if let Err(e) = self.client.delete_instance(&self.path).await {
            tracing::debug!(job = %crate::text::Escaped(self.path.canonical()), error = %e, "deleting the finished job failed (ignored)");
        }
    }

    /// Deletes the job when the provider keeps it (DeleteOnCompletion false; libstoragemgmt
    /// `job_free`). Errors of the delete are logged at debug and ignored.
    pub async fn cleanup(&self, outcome: &JobOutcome) {
        if outcome.delete_on_completion == Some(false) {
            self.delete().await;
        }
    }

    /// Waits for success, reads the affected elements of `result_class`, then cleans up.
    pub async fn wait_for_elements(
        &self,
        opts: &WaitOptions,
        result_class: &str,
    ) -> Result<Vec<ObjectPath>> {
        let outcome = self.wait(opts).await?;
        let r = self.affected_elements(result_class).await;
        self.cleanup(&outcome).await;
        r
    }

    /// A stream of observations, one per poll (with the same backoff as [`Job::wait`]),
    /// ending after the first final state. Errors (vanished job, CIM errors) end the stream.
    /// The stream does not judge success; use [`Job::wait`] for the verdict.
    pub fn progress_stream(
        &self,
        opts: &WaitOptions,
    ) -> impl Stream<Item = Result<JobProgress>> + Send + 'static {
        let job = self.clone();
        let opts = opts.clone();
        let state = (job, opts, None::<Duration>, false);
        futures::stream::unfold(state, |(job, opts, interval, done)| async move {
            if done {
                return None;
            }
            if let Some(i) = interval {
                tokio::time::sleep(i).await;
            }
            let next = Some(match interval {
                None => opts.first_interval(),
                Some(i) => opts.next_interval(i),
            });
            match job.observe().await {
                Ok(o) => {
                    let done = o.class != JobStateClass::Running;
                    Some((Ok(o.progress), (job, opts, next, done)))
                }
                Err(e) => Some((Err(e), (job, opts, next, true))),
            }
        })
    }
}

/// Resolves when the job-state indications say the job ended (never without them).
async fn job_signal(signals: Option<&crate::indication::JobSignals>, path: &ObjectPath) {
    match signals {
        Some(s) => s.finished(path).await,
        None => std::future::pending().await,
    }
}

async fn cancelled(token: &Option<CancellationToken>) {
    match token {
        Some(t) => t.cancelled().await,
        None => std::future::pending().await,
    }
}

fn observation(inst: Instance) -> Result<Observation> {
    let job_state = prop_opt::<u16>(&inst, "JobState")?;
    let operational_status = prop_vec::<u16>(&inst, "OperationalStatus")?;
    let percent_complete = prop_opt::<u16>(&inst, "PercentComplete")?.map(|p| p.min(100));
    let status = prop_opt::<String>(&inst, "JobStatus")?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| match job_state {
            Some(s) => job_state_label(s).to_string(),
            None => "unknown".to_string(),
        });
    let class = classify_job_state(job_state, &operational_status);
    Ok(Observation {
        progress: JobProgress {
            job_state,
            percent_complete,
            status,
            operational_status,
        },
        class,
        instance: inst,
    })
}

/// Instances out of an embedded-instance parameter: an instance, an array of them, or
/// strings that still hold CIM-XML `INSTANCE` text (decoded here).
pub(crate) fn embedded_instances(v: Option<&CimValue>) -> Vec<Instance> {
    let mut out = Vec::new();
    let mut push = |v: &CimValue| match v {
        CimValue::Instance(i) => out.push((**i).clone()),
        CimValue::String(s) => {
            match crate::xml::decode_instance(s, &crate::xml::DecodeLimits::default()) {
                Ok(i) => out.push(i),
                Err(e) => tracing::debug!(error = %e, "embedded CIM_Error not decodable"),
            }
        }
        _ => {}
    };
    match v {
        Some(CimValue::Array(a)) => a.items.iter().flatten().for_each(&mut push),
        Some(v) => push(v),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_rule() {
        use JobStateClass::*;
        assert_eq!(classify_job_state(Some(7), &[2, 17]), Succeeded);
        assert_eq!(classify_job_state(Some(7), &[17, 2]), Succeeded);
        // 7 with anything else is a failure, never a success.
        assert_eq!(classify_job_state(Some(7), &[2]), Failed);
        assert_eq!(classify_job_state(Some(7), &[17]), Failed);
        assert_eq!(classify_job_state(Some(7), &[]), Failed);
        assert_eq!(classify_job_state(Some(7), &[6, 17]), Failed);
        assert_eq!(classify_job_state(Some(7), &[2, 17, 6]), Failed);
        for s in [8, 9, 10] {
            assert_eq!(classify_job_state(Some(s), &[2, 17]), Failed);
        }
        for s in [2, 3, 4, 5, 6, 11, 12, 32767] {
            assert_eq!(classify_job_state(Some(s), &[]), Running);
        }
        assert_eq!(classify_job_state(None, &[2, 17]), Failed);
        assert_eq!(classify_job_state(Some(13), &[2, 17]), Failed);
    }

    #[test]
    fn observation_reads_job() {
        let inst = Instance::new("SIMS_ConcreteJob")
            .with("JobState", 4u16)
            .with("PercentComplete", 250u16)
            .with("OperationalStatus", vec![2u16]);
        let o = observation(inst).unwrap();
        assert_eq!(o.class, JobStateClass::Running);
        assert_eq!(o.progress.percent_complete, Some(100));
        assert_eq!(o.progress.status, "Running");
        let bad = Instance::new("SIMS_ConcreteJob").with("JobState", "seven");
        match observation(bad) {
            Err(Error::Value { context, .. }) => assert_eq!(context, "SIMS_ConcreteJob.JobState"),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("a mistyped JobState must not be accepted"),
        }
    }

    #[test]
    fn backoff() {
        let o = WaitOptions::default();
        assert_eq!(
            o.next_interval(Duration::from_secs(1)),
            Duration::from_millis(1500)
        );
        assert_eq!(
            o.next_interval(Duration::from_secs(9)),
            Duration::from_secs(10)
        );
    }

    #[tokio::test]
    async fn cancel_token() {
        let t = CancellationToken::new();
        assert!(!t.is_cancelled());
        let t2 = t.clone();
        let h = tokio::spawn(async move { t2.cancelled().await });
        t.cancel();
        h.await.unwrap();
        assert!(t.is_cancelled());
    }

    mod scripted {
        use super::super::*;
        use crate::message::{IReturn, Request};
        use crate::smis::fake::{self, Fake};
        use std::sync::atomic::{AtomicUsize, Ordering};

        fn job_path() -> ObjectPath {
            ObjectPath::new("root/smis-sim", "SIMS_ConcreteJob").with_key("InstanceID", "J1")
        }

        fn state(js: u16, os: Vec<u16>) -> Instance {
            Instance::new("SIMS_ConcreteJob")
                .with("JobState", js)
                .with("OperationalStatus", os)
                .with("PercentComplete", 50u16)
                .with("DeleteOnCompletion", false)
        }

        fn fast() -> WaitOptions {
            WaitOptions {
                poll_interval: Duration::from_millis(5),
                max_interval: Duration::from_millis(20),
                deadline: Duration::from_secs(5),
                ..WaitOptions::default()
            }
        }

        /// A provider whose job goes through `states` (the last one repeats); `errors`
        /// answers GetErrors/GetError.
        fn provider(
            states: Vec<Instance>,
            errors: impl Fn(&Request) -> crate::message::Response + Send + Sync + 'static,
        ) -> (Job, Arc<Fake>) {
            let n = AtomicUsize::new(0);
            let (client, fake) = Fake::client(move |req| match req.method_name() {
                "GetInstance" => {
                    let i = n.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
                    fake::instance("GetInstance", states[i].clone())
                }
                "GetErrors" | "GetError" => errors(req),
                "DeleteInstance" => fake::intrinsic("DeleteInstance", IReturn::Nothing),
                "AssociatorNames" => fake::intrinsic(
                    "AssociatorNames",
                    IReturn::ObjectPaths(vec![
                        ObjectPath::new("root/smis-sim", "SIMS_StorageVolume")
                            .with_key("DeviceID", "vol-9"),
                    ]),
                ),
                "RequestStateChange" => fake::method("RequestStateChange", 0, vec![]),
                _ => fake::cim_error(req, 7, "not scripted"),
            });
            (Job::new(client, job_path()), fake)
        }

        fn no_errors(req: &Request) -> crate::message::Response {
            fake::cim_error(req, 17, "no such method")
        }

        fn cim_error_instance(msg: &str, status: u32) -> Instance {
            Instance::new("CIM_Error")
                .with("Message", msg)
                .with("CIMStatusCode", status)
                .with("ErrorType", 4u16)
        }

        #[tokio::test]
        async fn success_either_order_and_vendor_pending_state() {
            for os in [vec![2u16, 17], vec![17, 2]] {
                let (job, fake) = provider(
                    vec![state(32767, vec![]), state(4, vec![2]), state(7, os)],
                    no_errors,
                );
                let paths = job
                    .wait_for_elements(&fast(), "CIM_StorageVolume")
                    .await
                    .unwrap();
                assert_eq!(paths.len(), 1);
                let calls = fake.calls();
                // DeleteOnCompletion false: the job is deleted after its results were read.
                let a = calls.iter().position(|c| c == "AssociatorNames").unwrap();
                let d = calls.iter().position(|c| c == "DeleteInstance").unwrap();
                assert!(a < d, "{calls:?}");
            }
        }

        #[tokio::test]
        async fn completed_without_ok_is_failure() {
            for os in [vec![2u16], vec![17], vec![], vec![6, 17], vec![2, 17, 7]] {
                let (job, _) = provider(vec![state(7, os.clone())], no_errors);
                match job.wait(&fast()).await {
                    Err(Error::JobFailed(f)) => {
                        assert_eq!(f.job_state, Some(7));
                        assert_eq!(f.operational_status, os);
                    }
                    other => panic!("JobState 7 with {os:?} must fail, got {other:?}"),
                }
            }
        }

        #[tokio::test]
        async fn terminal_failure_states_are_errors() {
            for js in [8u16, 9, 10] {
                let (job, fake) =
                    provider(vec![state(4, vec![2]), state(js, vec![2, 17])], no_errors);
                let e = job.wait(&fast()).await.unwrap_err();
                assert!(
                    matches!(&e, Error::JobFailed(f) if f.job_state == Some(js)),
                    "{e:?}"
                );
                assert_eq!(e.storage_service_code().code(), 4);
                // failed jobs are cleaned up too
                assert!(fake.calls().iter().any(|c| c == "DeleteInstance"));
            }
        }

        #[tokio::test]
        async fn get_errors_message_reaches_caller() {
            let (job, _) = provider(vec![state(10, vec![6])], |_req| {
                fake::method(
                    "GetErrors",
                    0,
                    vec![ParamValue::new(
                        "Errors",
                        vec![cim_error_instance("pool P1 is out of space", 1)],
                    )],
                )
            });
            let e = job.wait(&fast()).await.unwrap_err();
            assert_eq!(e.to_string(), "job failed: pool P1 is out of space");
            assert_eq!(e.cim_errors().len(), 1);
            assert_eq!(e.storage_service_code().code(), 43001);
        }

        #[tokio::test]
        async fn get_error_fallback() {
            let (job, fake) = provider(vec![state(10, vec![6])], |req| match req.method_name() {
                "GetError" => fake::method(
                    "GetError",
                    0,
                    vec![ParamValue::new(
                        "Error",
                        cim_error_instance("disk failed", 4),
                    )],
                ),
                _ => fake::cim_error(req, 17, "no GetErrors"),
            });
            let e = job.wait(&fast()).await.unwrap_err();
            assert_eq!(e.to_string(), "job failed: disk failed");
            assert_eq!(e.storage_service_code().code(), 43004);
            let calls = fake.calls();
            assert!(
                calls.contains(&"GetErrors".to_string()) && calls.contains(&"GetError".to_string())
            );
        }

        #[tokio::test]
        async fn error_description_fallback() {
            let mut st = state(10, vec![6]);
            st.set("ErrorCode", 99u16);
            st.set("ErrorDescription", "ElementName already in use");
            let (job, _) = provider(vec![st], no_errors);
            match job.wait(&fast()).await {
                Err(Error::JobFailed(f)) => {
                    assert_eq!(f.message, "ElementName already in use");
                    assert_eq!(f.error_code, Some(99));
                }
                other => panic!("{other:?}"),
            }
        }

        #[tokio::test]
        async fn never_ending_job_times_out() {
            let (job, _) = provider(vec![state(4, vec![2])], no_errors);
            let opts = WaitOptions {
                deadline: Duration::from_millis(150),
                ..fast()
            };
            let t = std::time::Instant::now();
            let e = job.wait(&opts).await.unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::JobTimeout {
                        last_state: Some(4),
                        ..
                    }
                ),
                "{e:?}"
            );
            assert_eq!(e.storage_service_code().code(), 3);
            assert!(t.elapsed() < Duration::from_secs(2));
        }

        #[tokio::test]
        async fn vanished_job() {
            let (client, _) = Fake::client(|req| fake::cim_error(req, 6, "no such job"));
            let job = Job::new(client, job_path());
            let e = job.wait(&fast()).await.unwrap_err();
            assert!(matches!(e, Error::JobVanished(_)), "{e:?}");
        }

        #[tokio::test]
        async fn cancellation_terminates_when_asked() {
            let (job, fake) = provider(vec![state(4, vec![2])], no_errors);
            let token = CancellationToken::new();
            let opts = WaitOptions {
                cancel: Some(token.clone()),
                terminate_on_cancel: true,
                ..fast()
            };
            let t2 = token.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                t2.cancel();
            });
            let e = job.wait(&opts).await.unwrap_err();
            assert!(matches!(e, Error::Cancelled));
            assert!(fake.calls().iter().any(|c| c == "RequestStateChange"));
        }

        #[tokio::test]
        async fn progress_stream_ends_at_final_state() {
            use futures::StreamExt;
            let (job, _) = provider(
                vec![state(3, vec![]), state(4, vec![2]), state(7, vec![2, 17])],
                no_errors,
            );
            let seen: Vec<_> = job.progress_stream(&fast()).collect().await;
            let states: Vec<_> = seen
                .into_iter()
                .map(|p| p.unwrap().job_state.unwrap())
                .collect();
            assert_eq!(states, vec![3, 4, 7]);
        }
    }
}
