//! Transport-level failures.
//!
//! A [`TransportError`] keeps the error it comes from as its
//! [`source`](std::error::Error::source): the [`std::io::Error`] of a refused or failed TCP
//! connection or name resolution, the `rustls::Error` of a failed TLS handshake, the
//! `hyper::Error` of a connection that broke during an exchange. They are boxed
//! ([`BoxError`]) so that callers are not pinned to the versions of those crates: use
//! [`std::error::Error::source`] and `downcast_ref` to inspect them.

/// A boxed error kept as the source of a [`TransportError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a TLS handshake failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's certificate chain does not lead to a trusted root.
    UntrustedIssuer,
    /// The certificate has expired or is not yet valid.
    Expired,
    /// The certificate does not name the host that was connected to.
    NameMismatch,
    /// The certificate's SHA-256 fingerprint is not the pinned one.
    PinMismatch,
    /// A protocol failure (version, cipher suite, alert, bad message).
    Protocol,
    /// Any other certificate problem.
    BadCertificate,
}

/// A failure below the CIM-XML layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The TCP connection could not be made.
    #[error("cannot connect to {endpoint}: {message}")]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// What went wrong (with the text of the cause).
        message: String,
        /// The cause: an `std::io::Error` (name resolution, TCP connect) or a `hyper::Error`
        /// (HTTP handshake); `None` when there is none (e.g. no address found, a replayed
        /// failure).
        #[source]
        source: Option<BoxError>,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {endpoint} failed ({kind:?}): {message}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// The classified reason.
        kind: TlsFailure,
        /// Detail.
        message: String,
        /// The cause: the `rustls::Error` of the handshake, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The operation did not finish in time.
    #[error("timed out after {after:?} talking to {endpoint}")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The timeout that fired.
        after: std::time::Duration,
    },
    /// The response body was larger than the configured limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The connection broke mid-response (truncated body, reset).
    #[error("connection to {endpoint} broke: {message}")]
    Broken {
        /// The endpoint.
        endpoint: String,
        /// Detail (with the text of the cause).
        message: String,
        /// The cause: the `hyper::Error` (often with an `std::io::Error` under it), when
        /// there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The transport could not be configured (bad URL, unreadable CA/certificate/key file,
    /// malformed PEM, no usable root certificates, ...).
    #[error("transport configuration error: {0}")]
    Config(String),
    /// Any other HTTP-level problem.
    #[error("HTTP error: {0}")]
    Other(String),
    /// The failure of a transport defined outside this module (e.g. the test kit's replay
    /// miss, `smis::testkit::TestkitError`), kept as the source.
    #[error("{0}")]
    Custom(#[source] BoxError),
}

impl TransportError {
    /// The endpoint (`scheme://host:port`) the failure concerns, where the error names one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            TransportError::Connect { endpoint, .. }
            | TransportError::Tls { endpoint, .. }
            | TransportError::Timeout { endpoint, .. }
            | TransportError::Broken { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// The classified reason, for TLS handshake failures.
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        match self {
            TransportError::Tls { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// True when a timeout fired.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }
}
