//! The test kit's failures.

use std::path::{Path, PathBuf};

use super::key::RequestKey;
use crate::transport::{BoxError, TransportError};

/// A failure of the test kit: a replayed request that matches no recorded exchange, a fixture
/// that cannot be read or written, XML that cannot be put in canonical form.
///
/// Reaches callers as [`Error::Testkit`](crate::Error::Testkit) (its `source()`), and from a
/// [`ReplayTransport`](super::ReplayTransport) as [`TransportError::Custom`] (see
/// [`TestkitError::of_transport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// A replayed request matches no recorded exchange.
    #[error("{0}")]
    Miss(Box<ReplayMiss>),
    /// A fixture directory or file cannot be read or written, or is malformed.
    #[error("{message}")]
    Fixture {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong, naming the path.
        message: String,
        /// The underlying failure (I/O, JSON), if any.
        #[source]
        source: Option<BoxError>,
    },
    /// XML that cannot be put in canonical form (malformed, or nested too deep).
    #[error("XML cannot be put in canonical form: {0}")]
    Xml(String),
}

impl TestkitError {
    /// A fixture failure at `path`; `message` should name the path.
    pub(crate) fn fixture(
        path: &Path,
        message: impl Into<String>,
        source: Option<BoxError>,
    ) -> Self {
        TestkitError::Fixture {
            path: path.to_path_buf(),
            message: message.into(),
            source,
        }
    }

    /// `cannot {what} {path}: {e}`, with `e` as the source.
    pub(crate) fn io(what: &str, path: &Path, e: std::io::Error) -> Self {
        let message = format!("cannot {what} {}: {e}", path.display());
        Self::fixture(path, message, Some(Box::new(e)))
    }

    /// The test-kit failure inside a transport error, if it is one.
    pub fn of_transport(e: &TransportError) -> Option<&TestkitError> {
        match e {
            TransportError::Custom(inner) => inner.downcast_ref::<TestkitError>(),
            _ => None,
        }
    }

    /// The replay miss, if this is one.
    pub fn as_miss(&self) -> Option<&ReplayMiss> {
        match self {
            TestkitError::Miss(m) => Some(m),
            _ => None,
        }
    }
}

impl From<TestkitError> for TransportError {
    fn from(e: TestkitError) -> Self {
        TransportError::Custom(Box::new(e))
    }
}

impl From<TestkitError> for crate::Error {
    fn from(e: TestkitError) -> Self {
        crate::Error::Testkit(e)
    }
}

/// A replayed request that matches no recorded exchange: the request, and the recorded
/// exchange nearest to it with what differs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReplayMiss {
    /// The fixture directory.
    pub fixture: PathBuf,
    /// The request that missed.
    pub requested: RequestKey,
    /// The recorded exchange nearest to it (None when the fixture has no exchanges).
    pub nearest: Option<NearestExchange>,
    /// True when every recorded exchange had already been replayed.
    pub all_replayed: bool,
}

/// The recorded exchange nearest to a request that missed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NearestExchange {
    /// Its sequence number in the manifest.
    pub seq: u32,
    /// Its request's canonical key.
    pub key: RequestKey,
    /// Its request file.
    pub request_file: String,
    /// True when it is the exchange due next ([`ReplayMode::Strict`](super::ReplayMode));
    /// false when it is the most similar one.
    pub due_next: bool,
    /// True when it has been replayed already.
    pub already_replayed: bool,
    /// How it differs from the request, one line each (e.g.
    /// `param SyncType: recorded 8, requested 9`).
    pub differences: Vec<String>,
    /// A later recorded exchange the request matches (out of order in strict mode).
    pub later_match: Option<u32>,
}

impl std::fmt::Display for ReplayMiss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "replay miss in {}: no recorded exchange for {}",
            self.fixture.display(),
            self.requested.describe()
        )?;
        match &self.nearest {
            Some(n) => {
                let label = if n.due_next {
                    "next recorded exchange"
                } else {
                    "closest recorded exchange"
                };
                write!(
                    f,
                    "\n{label}: #{} {} ({}){}",
                    n.seq,
                    n.key.describe(),
                    n.request_file,
                    if n.already_replayed {
                        ", already replayed"
                    } else {
                        ""
                    }
                )?;
                for d in &n.differences {
                    write!(f, "\n  {d}")?;
                }
                if let Some(seq) = n.later_match {
                    write!(
                        f,
                        "\n  (the request matches recorded exchange #{seq}, which comes later)"
                    )?;
                }
            }
            None => write!(f, "\nthe fixture has no exchanges")?,
        }
        if self.all_replayed {
            write!(f, "\nall recorded exchanges have been replayed")?;
        }
        Ok(())
    }
}
