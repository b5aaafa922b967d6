//! Recording and replay entry points on [`Client`] (the client-side convenience of the test
//! kit: the transports themselves know nothing of the client).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use super::{RecordingTransport, ReplayMode, ReplayTransport};
use crate::client::{Client, Inner};
use crate::error::Result;

impl ReplayTransport {
    /// A client over this transport with the fixture's default namespace.
    pub fn client(self: &Arc<Self>) -> Client {
        Client::from_transport(self.clone(), self.default_namespace(), None)
    }
}

impl Client {
    /// A client that answers from the fixture directory `dir` instead of a server
    /// ([`ReplayMode::Strict`]: requests must come in recorded order; repeated identical
    /// requests such as job polls get their successive recorded responses). The default
    /// namespace is the manifest's.
    ///
    /// ```no_run
    /// # async fn demo() -> smis::Result<()> {
    /// let client = smis::Client::replay("fixtures/quirks-job-status")?;
    /// let names = client.enumerate_instance_names("CIM_ConcreteJob", None).await?;
    /// # let _ = names; Ok(()) }
    /// ```
    pub fn replay(dir: impl AsRef<Path>) -> Result<Client> {
        Client::replay_with(dir, ReplayMode::Strict)
    }

    /// Like [`Client::replay`] with a chosen [`ReplayMode`].
    pub fn replay_with(dir: impl AsRef<Path>, mode: ReplayMode) -> Result<Client> {
        let t = Arc::new(ReplayTransport::open(dir)?.with_mode(mode));
        Ok(t.client())
    }

    /// A client that sends through `client`'s connection (same credentials, namespace and
    /// settings) and records every exchange into the fixture directory `dir` (see
    /// [`RecordingTransport`]). Replay it with [`Client::replay`].
    pub fn record(client: &Client, dir: impl AsRef<Path>) -> Result<Client> {
        let t = RecordingTransport::new(client.inner.transport.clone(), dir)?
            .with_default_namespace(client.default_namespace())?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport: Arc::new(t),
                default_namespace: client.inner.default_namespace.clone(),
                next_id: AtomicU64::new(1001),
                limits: client.inner.limits,
                request_trailers: client.inner.request_trailers,
                pull_unsupported: AtomicBool::new(false),
                enumeration_limits: client.inner.enumeration_limits,
                classes: Default::default(),
            }),
            credentials: client.credentials.clone(),
        })
    }
}
