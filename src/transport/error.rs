//! Transport-level failures.

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
        /// What went wrong.
        message: String,
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
        /// Detail.
        message: String,
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
    Custom(#[source] Box<dyn std::error::Error + Send + Sync>),
}
