//! Jobs that hear their own end: job-state `CIM_InstModification` indications (SNIA SMI-S
//! Job Control profile) wake [`crate::smis::Job::wait`] as soon as a job finishes, instead
//! of its polling schedule.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::Indication;
use crate::cim::{CimValue, ObjectPath};

/// Most job states remembered (the oldest are forgotten in bulk beyond this).
const MAX_JOBS: usize = 4096;

#[derive(Debug)]
struct Inner {
    states: Mutex<HashMap<String, u16>>,
    notify: Notify,
    active: AtomicBool,
    safety_poll: Duration,
}

/// Job states heard from indications, shared between whatever feeds them (a
/// [`JobListener`], or your own listener through [`JobSignals::observe`]) and
/// [`crate::smis::Job::wait`] (through `WaitOptions::indications`).
///
/// While active, `wait` reads the job once, then sleeps until an indication reports a final
/// JobState (7 Completed, 8 Terminated, 9 Killed, 10 Exception) for that job's `InstanceID`,
/// confirms with one GetInstance and returns (never success for a failed job). It still polls
/// every `safety_poll` (default 30 s) in case an indication is lost. When inactive (the
/// listener stopped, or the provider refused the subscription), `wait` polls as usual.
#[derive(Debug, Clone)]
pub struct JobSignals {
    inner: Arc<Inner>,
}

impl Default for JobSignals {
    fn default() -> Self {
        JobSignals::new(Duration::from_secs(30))
    }
}

/// JobStates after which a job does not change any more (CIM_ConcreteJob.JobState).
fn is_final(state: u16) -> bool {
    (7..=10).contains(&state)
}

impl JobSignals {
    /// Active signals with a safety poll every `safety_poll`.
    pub fn new(safety_poll: Duration) -> Self {
        JobSignals {
            inner: Arc::new(Inner {
                states: Mutex::new(HashMap::new()),
                notify: Notify::new(),
                active: AtomicBool::new(true),
                safety_poll,
            }),
        }
    }

    fn states(&self) -> std::sync::MutexGuard<'_, HashMap<String, u16>> {
        self.inner.states.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a job's state (by `InstanceID`) and wakes the waiters.
    pub fn record(&self, instance_id: &str, job_state: u16) {
        {
            let mut m = self.states();
            if m.len() >= MAX_JOBS && !m.contains_key(instance_id) {
                m.clear();
            }
            m.insert(instance_id.to_string(), job_state);
        }
        self.inner.notify.notify_waiters();
    }

    /// Feeds one indication: a `CIM_InstModification` (or creation) whose `SourceInstance`
    /// is a job with `InstanceID` and `JobState` is recorded. Returns true when it was one.
    pub fn observe(&self, ind: &Indication) -> bool {
        let Some(src) = ind.source_instance() else {
            return false;
        };
        let id = src.value("InstanceID").and_then(CimValue::as_str);
        let state = src
            .value("JobState")
            .and_then(CimValue::as_i128)
            .and_then(|v| u16::try_from(v).ok());
        match (id, state) {
            (Some(id), Some(state)) => {
                self.record(id, state);
                true
            }
            _ => false,
        }
    }

    /// The last state heard for a job.
    pub fn last_state(&self, instance_id: &str) -> Option<u16> {
        self.states().get(instance_id).copied()
    }

    /// Whether indications are flowing (false: `wait` polls as usual).
    pub fn is_active(&self) -> bool {
        self.inner.active.load(Ordering::Relaxed)
    }

    /// Marks the signals active or not (and wakes the waiters so they re-plan).
    pub fn set_active(&self, active: bool) {
        self.inner.active.store(active, Ordering::Relaxed);
        self.inner.notify.notify_waiters();
    }

    /// The safety polling interval while active.
    pub fn safety_poll(&self) -> Duration {
        self.inner.safety_poll
    }

    /// Resolves when a final state was heard for the job at `path` (by its `InstanceID`
    /// key), or when the signals become inactive. Never resolves for a path without
    /// `InstanceID`.
    pub async fn finished(&self, path: &ObjectPath) {
        let Some(id) = path.key("InstanceID").and_then(CimValue::as_str) else {
            return std::future::pending().await;
        };
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.is_active() || self.last_state(id).is_some_and(is_final) {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(feature = "listener")]
pub use self::listener_side::JobListener;

#[cfg(feature = "listener")]
mod listener_side {
    use futures::StreamExt;

    use super::JobSignals;
    use crate::client::Client;
    use crate::error::Result;
    use crate::indication::{
        FilterSpec, Listener, ListenerConfig, ListenerHandle, SubscriptionManager,
        job_state_filters,
    };
    use crate::smis::WaitOptions;

    /// A listener subscribed to job-state changes, feeding [`JobSignals`] for
    /// [`crate::smis::Job::wait`].
    ///
    /// ```no_run
    /// # async fn f(client: smis::Client, job: smis::smis::Job) -> smis::Result<()> {
    /// use smis::indication::{JobListener, ListenerConfig};
    /// let jobs = JobListener::start(&client, ListenerConfig::http("127.0.0.1:0".parse().unwrap()),
    ///                                None, "root/vendor").await?;
    /// let outcome = job.wait(&jobs.wait_options(Default::default())).await?;
    /// jobs.close().await?;   // removes the subscription, stops the listener
    /// # Ok(()) }
    /// ```
    #[derive(Debug)]
    pub struct JobListener {
        signals: JobSignals,
        manager: SubscriptionManager,
        handle: ListenerHandle,
        unavailable: Option<String>,
        task: tokio::task::JoinHandle<()>,
    }

    impl JobListener {
        /// Starts a listener on `config`, subscribes it (destination URL with
        /// `destination_host`, default the bound address) to job-state
        /// `CIM_InstModification`s from `source_namespace` (the SMI-S filter first, then the
        /// plain "any job modification" one). A provider that refuses both leaves the
        /// signals inactive, so `wait` polls; see [`JobListener::unavailable_reason`].
        pub async fn start(
            client: &Client,
            config: ListenerConfig,
            destination_host: Option<&str>,
            source_namespace: &str,
        ) -> Result<JobListener> {
            let listener = Listener::bind(config).await?;
            let handle = listener.handle().clone();
            let url = match destination_host {
                Some(h) => handle.url_for_host(h),
                None => handle.url(),
            };
            let owner = format!(
                "smisjobs-{}-{}",
                std::process::id(),
                handle.local_addr().port()
            );
            let manager = SubscriptionManager::new(client.clone(), &owner)?;
            let signals = JobSignals::default();
            let mut unavailable = None;
            for (i, q) in job_state_filters().iter().enumerate() {
                match manager
                    .subscribe(
                        &format!("job{i}"),
                        &url,
                        &FilterSpec::wql(*q, &[source_namespace]),
                    )
                    .await
                {
                    Ok(_) => {
                        unavailable = None;
                        break;
                    }
                    Err(e) => {
                        tracing::info!(error = %e, query = q, "job indication subscription refused");
                        unavailable = Some(e.to_string());
                    }
                }
            }
            if unavailable.is_some() {
                signals.set_active(false);
            }
            let feed = signals.clone();
            let task = tokio::spawn(async move {
                let mut listener = listener;
                while let Some(ind) = listener.next().await {
                    feed.observe(&ind);
                }
                feed.set_active(false);
            });
            Ok(JobListener {
                signals,
                manager,
                handle,
                unavailable,
                task,
            })
        }

        /// The signals to put in `WaitOptions::indications`.
        pub fn signals(&self) -> JobSignals {
            self.signals.clone()
        }

        /// `base` with these signals.
        pub fn wait_options(&self, base: WaitOptions) -> WaitOptions {
            WaitOptions {
                indications: Some(self.signals()),
                ..base
            }
        }

        /// Why the provider did not take the subscription (None: subscribed).
        pub fn unavailable_reason(&self) -> Option<&str> {
            self.unavailable.as_deref()
        }

        /// The listener's handle (URL, counters).
        pub fn listener(&self) -> &ListenerHandle {
            &self.handle
        }

        /// Removes the owned subscriptions and stops the listener.
        pub async fn close(self) -> Result<()> {
            let r = self.manager.remove_owned().await.map(|_| ());
            self.handle.shutdown();
            self.signals.set_active(false);
            self.task.abort();
            r
        }
    }
}
