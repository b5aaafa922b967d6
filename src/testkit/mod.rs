//! The test kit: recording CIM-XML exchanges as fixtures, replaying them, and the canonical
//! form of CIM-XML they are matched by (feature `testkit`, on by default).
//!
//! - [`RecordingTransport`] wraps any [`Transport`](crate::transport::Transport) and writes
//!   each exchange into a fixture directory ([`manifest`] describes the format);
//!   [`Client::record`](crate::Client::record) is the client-side shortcut.
//! - [`ReplayTransport`] answers from a fixture directory; [`Client::replay`](crate::Client::replay)
//!   builds a client over it. Requests are matched by their [`RequestKey`]: one canonical
//!   form, computed from the decoded request where it decodes.
//! - [`canon`]: the canonical form of CIM-XML, under the [`Rules`](canon::Rules) of an exact
//!   comparison (what a conformance check needs) or of a match (what replay needs).
//! - [`TestkitError`]: every failure of the kit; a replay miss ([`ReplayMiss`]) names the
//!   request and the nearest recorded exchange. Callers see it as
//!   [`Error::Testkit`](crate::Error::Testkit).
//!
//! ```no_run
//! # async fn demo() -> smis::Result<()> {
//! use smis::testkit::{ReplayMode, ReplayTransport};
//! let replay = std::sync::Arc::new(
//!     ReplayTransport::open("fixtures/quirks-job-status")?.with_mode(ReplayMode::AnyOrder),
//! );
//! let client = replay.client();
//! let jobs = client.enumerate_instance_names("CIM_ConcreteJob", None).await?;
//! # let _ = jobs;
//! replay.assert_all_used();
//! # Ok(()) }
//! ```

mod bytes;
pub mod canon;
mod client;
mod error;
pub mod key;
pub mod manifest;
pub mod record;
pub mod replay;

pub use bytes::REDACTED;
pub use error::{NearestExchange, ReplayMiss, TestkitError};
pub use key::RequestKey;
pub use manifest::{Exchange, Manifest};
pub use record::RecordingTransport;
pub use replay::{ReplayMode, ReplayTransport};
