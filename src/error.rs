//! Errors: one type, [`Error`], for everything a caller can meet, with accessors for the CIM
//! status ([`Error::cim_status`]), the HTTP status ([`Error::http_status`]) and the Windows
//! Storage Management API code ([`Error::storage_service_code`]).
//!
//! Each layer owns its failures and tables: [`CimStatus`] (DMTF DSP0200 §5.3.3 status codes)
//! lives with the CIM model, [`TransportError`] with the transport, [`DecodeError`] and
//! [`EncodeError`] with the CIM-XML codec, and [`StorageServiceCode`] (with its table and the
//! mapping of every `Error` to a code) and [`JobFailure`] with the SMI-S layer
//! ([`crate::smis`]). They are all re-exported here (`smis::error::StorageServiceCode`,
//! `smis::error::TransportError`, ...), the old paths included. Lower-layer errors are kept as the
//! [`std::error::Error::source`] of an `Error`, so that a chain reaches the real cause
//! (for example the `std::io::Error` of a refused TCP connection).

use std::time::Duration;

use crate::cim::Instance;
use crate::text::Escaped;

pub use crate::cim::{CimStatus, ValueError};
#[cfg(feature = "listener")]
pub use crate::indication::ListenerError;
pub use crate::smis::{JobFailure, StorageServiceCode};
pub use crate::transport::{BoxError, TlsFailure, TransportError};
pub use crate::xml::{DecodeError, DecodeErrorKind, EncodeError};

/// Everything that can go wrong in smis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a CIM error (`ERROR` element or `CIMStatusCode` trailer).
    #[error("{}: {status}{}", Escaped(.operation), .description.as_deref().map(|d| format!(": {}", Escaped(d))).unwrap_or_default())]
    Cim {
        /// The operation or method that failed.
        operation: String,
        /// The CIM status.
        status: CimStatus,
        /// The server's description.
        description: Option<String>,
        /// CIM_Error instances the server sent.
        instances: Vec<Instance>,
    },
    /// HTTP 401: the credentials were refused or missing.
    #[error("authentication failed for {} (HTTP 401; server offers: {})", .user.as_deref().map(|u| format!("user {}", Escaped(u))).unwrap_or_else(|| "no user".into()), if .offered.is_empty() { "no WWW-Authenticate".to_string() } else { Escaped(.offered.join(", ")).to_string() })]
    Authentication {
        /// The user name that was tried (never the password).
        user: Option<String>,
        /// The authentication schemes the server offered (`WWW-Authenticate`).
        offered: Vec<String>,
    },
    /// HTTP 403.
    #[error("access denied (HTTP 403){}", .detail.as_deref().map(|d| format!(": {}", Escaped(d))).unwrap_or_default())]
    AccessDenied {
        /// PGErrorDetail or CIMError header, if any.
        detail: Option<String>,
    },
    /// Another non-200 HTTP status (400, 500, 501 ...), with the DSP0200 `CIMError` header
    /// and OpenPegasus' `PGErrorDetail` (percent-decoded).
    #[error("HTTP {status}{}{}", .cim_error.as_deref().map(|c| format!(" (CIMError: {})", Escaped(c))).unwrap_or_default(), .detail.as_deref().map(|d| format!(": {}", Escaped(d))).unwrap_or_default())]
    Http {
        /// HTTP status.
        status: u16,
        /// `CIMError` header.
        cim_error: Option<String>,
        /// `PGErrorDetail` header.
        detail: Option<String>,
    },
    /// The HTTP response is not a CIM-XML response (bad `Content-Type`, missing body).
    #[error("bad response header: {}", Escaped(.0))]
    Header(String),
    /// The TLS handshake failed.
    #[error("TLS: {}", Escaped(.message))]
    Tls {
        /// Classified reason.
        kind: TlsFailure,
        /// Detail.
        message: String,
        /// The transport's error ([`TransportError::Tls`], with the endpoint and the
        /// `rustls::Error` as its own source), when the failure came from a transport.
        #[source]
        source: Option<TransportError>,
    },
    /// Connecting failed, or the connection broke: the transport's error
    /// ([`TransportError::Connect`], [`TransportError::Broken`], ...), whose source is the
    /// `std::io::Error` or `hyper::Error` underneath.
    #[error("connection: {}", Escaped(.0))]
    Connection(#[source] TransportError),
    /// A timeout fired.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The response was larger than the configured limit.
    #[error("response larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The response body is not valid XML or not valid CIM-XML.
    #[error("cannot decode the response: {}", Escaped(.0))]
    Decode(#[from] DecodeError),
    /// The request cannot be encoded.
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// The response does not answer the request (wrong MESSAGE ID or operation name).
    #[error("unexpected response: {}", Escaped(.0))]
    UnexpectedResponse(String),
    /// An argument was refused before anything was sent.
    #[error("invalid argument: {}", Escaped(.0))]
    InvalidArgument(String),
    /// No credentials could be found, or a credentials file is unsafe.
    #[error("credentials: {}", Escaped(.0))]
    Credentials(String),
    /// A client or TLS configuration problem (unreadable CA file, bad URL, ...).
    #[error("configuration: {}", Escaped(.0))]
    Config(String),
    /// A value in a response did not have the expected type.
    #[error("{}: {}", Escaped(.context), Escaped(.source))]
    Value {
        /// Where.
        context: String,
        /// The conversion error.
        source: crate::cim::ValueError,
    },
    /// An extrinsic method returned a failure code.
    #[error("{} returned {return_value} ({})", Escaped(.method), Escaped(.label))]
    MethodFailed {
        /// The method.
        method: String,
        /// The return value.
        return_value: u32,
        /// The documented label of the return value.
        label: String,
        /// The StorageService code it maps to.
        code: StorageServiceCode,
    },
    /// A capability check failed before anything was asked of the provider (40308, 40500).
    #[error("{code}: {}", Escaped(.message))]
    Unsupported {
        /// 40308 or 40500 (or another code).
        code: StorageServiceCode,
        /// Why.
        message: String,
    },
    /// A masking or mapping request refused before it changed anything, with the
    /// StorageService code of the matching `MSFT_SMStorageGroup` / `MSFT_SMSystem` method
    /// (e.g. 4098 invalid initiator port ID, 4101 already exposed, 40005 InitiatorID
    /// required, 40107 no masking support).
    #[error("{code}: {message}")]
    Refused {
        /// The StorageService code.
        code: StorageServiceCode,
        /// What was refused, naming the object.
        message: String,
    },
    /// A CIM_ConcreteJob failed.
    #[error("job failed: {}", Escaped(&.0.message))]
    JobFailed(Box<JobFailure>),
    /// A job did not finish before the deadline.
    #[error(
        "job {} did not finish within {after:?} (last JobState {last_state:?}, {last_percent:?}% complete)", Escaped(.job)
    )]
    JobTimeout {
        /// The job path.
        job: String,
        /// The deadline.
        after: Duration,
        /// Last JobState seen.
        last_state: Option<u16>,
        /// Last PercentComplete seen.
        last_percent: Option<u16>,
    },
    /// The job instance disappeared before its outcome was read.
    #[error("job {} vanished before its outcome could be read", Escaped(.0))]
    JobVanished(String),
    /// Waiting was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// An indication listener could not start (its [`ListenerError`]
    /// is the source: the address could not be bound, or its TLS certificate is unusable).
    #[cfg(feature = "listener")]
    #[error("indication listener: {0}")]
    Listener(#[from] crate::indication::ListenerError),
    /// A test-kit failure (feature `testkit`): a replayed request that matches no recorded
    /// exchange (naming the nearest one), a fixture that cannot be read or written.
    #[cfg(feature = "testkit")]
    #[error("{0}")]
    Testkit(#[source] crate::testkit::TestkitError),
    /// An enumeration stream went past one of its bounds
    /// ([`EnumerationLimits`](crate::client::EnumerationLimits)); its context was closed.
    #[error("{operation}: {bound} (after {items} items in {responses} responses)")]
    EnumerationBound {
        /// The operation that was enumerating (e.g. `EnumerateInstances`).
        operation: String,
        /// The bound that was hit.
        bound: crate::client::EnumerationBound,
        /// Items returned before.
        items: u64,
        /// Responses received before.
        responses: u64,
    },
}

impl Error {
    /// The CIM status, for CIM errors (and failed jobs whose CIM_Error carries one).
    pub fn cim_status(&self) -> Option<CimStatus> {
        match self {
            Error::Cim { status, .. } => Some(*status),
            Error::JobFailed(f) => f.cim_status(),
            _ => None,
        }
    }

    /// The HTTP status, for HTTP-level failures.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::Authentication { .. } => Some(401),
            Error::AccessDenied { .. } => Some(403),
            _ => None,
        }
    }

    /// CIM_Error instances attached to the error (from the ERROR element or a failed job).
    pub fn cim_errors(&self) -> &[Instance] {
        match self {
            Error::Cim { instances, .. } => instances,
            Error::JobFailed(f) => &f.errors,
            _ => &[],
        }
    }

    /// The transport's error behind a connection or TLS failure (its
    /// [`source`](std::error::Error::source) is the `std::io::Error`, `hyper::Error` or
    /// `rustls::Error` underneath, where there is one).
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Error::Connection(e) => Some(e),
            Error::Tls { source, .. } => source.as_ref(),
            _ => None,
        }
    }

    /// The classified reason, for TLS handshake failures.
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        match self {
            Error::Tls { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The decoding failure (with its line, column and element path), for responses that
    /// could not be decoded.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// What the job reported, for failed jobs.
    pub fn job_failure(&self) -> Option<&JobFailure> {
        match self {
            Error::JobFailed(f) => Some(f),
            _ => None,
        }
    }

    /// The return value of the extrinsic method, for failed methods.
    pub fn method_return_value(&self) -> Option<u32> {
        match self {
            Error::MethodFailed { return_value, .. } => Some(*return_value),
            _ => None,
        }
    }

    /// True for timeouts (of an operation or of a job wait).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Timeout(_)
                | Error::JobTimeout { .. }
                | Error::EnumerationBound {
                    bound: crate::client::EnumerationBound::Deadline(_),
                    ..
                }
        )
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Tls {
                kind, ref message, ..
            } => Error::Tls {
                kind,
                message: message.clone(),
                source: Some(e),
            },
            TransportError::Timeout { after, .. } => Error::Timeout(after),
            TransportError::BodyTooLarge { limit } => Error::ResponseTooLarge { limit },
            TransportError::Config(m) => Error::Config(m),
            #[cfg(feature = "testkit")]
            TransportError::Custom(c) if c.is::<crate::testkit::TestkitError>() => {
                match c.downcast::<crate::testkit::TestkitError>() {
                    Ok(t) => Error::Testkit(*t),
                    Err(c) => Error::Connection(TransportError::Custom(c)),
                }
            }
            other => Error::Connection(other),
        }
    }
}

impl From<crate::cim::ValueError> for Error {
    fn from(source: crate::cim::ValueError) -> Self {
        Error::Value {
            context: "reading a value".into(),
            source,
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
        send_sync::<TransportError>();
        // Small enough to return by value everywhere (clippy's `result_large_err` bound).
        assert!(std::mem::size_of::<Error>() <= 128);
    }

    #[test]
    fn layer_errors_are_kept_as_sources() {
        use std::error::Error as _;
        let d = DecodeError {
            kind: DecodeErrorKind::Syntax,
            message: "unexpected end".into(),
            line: 3,
            column: 7,
            path: "MESSAGE/SIMPLERSP".into(),
        };
        let e = Error::from(d.clone());
        assert_eq!(
            e.source().and_then(|s| s.downcast_ref::<DecodeError>()),
            Some(&d)
        );
        assert_eq!(e.decode_error(), Some(&d));
        let enc = EncodeError {
            message: "U+0000 in a string".into(),
            path: "INSTANCE/PROPERTY[Name=Caption]".into(),
        };
        let e = Error::from(enc.clone());
        assert_eq!(
            e.source().and_then(|s| s.downcast_ref::<EncodeError>()),
            Some(&enc)
        );
        assert_eq!(e.to_string(), enc.to_string());
        let e = Error::from(TransportError::Timeout {
            endpoint: "https://array:5989".into(),
            after: Duration::from_secs(3),
        });
        assert!(matches!(e, Error::Timeout(d) if d == Duration::from_secs(3)));
        assert!(e.is_timeout());
        let e = Error::from(TransportError::Broken {
            endpoint: "https://array:5989".into(),
            message: "reset".into(),
            source: Some(Box::new(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            ))),
        });
        assert_eq!(
            e.to_string(),
            "connection: connection to https://array:5989 broke: reset"
        );
        let io = e
            .source()
            .and_then(|t| t.source())
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::ConnectionReset));
        assert_eq!(
            e.transport_error().and_then(TransportError::endpoint),
            Some("https://array:5989")
        );
    }

    #[test]
    fn error_codes() {
        let e = Error::Authentication {
            user: Some("admin".into()),
            offered: vec!["Basic realm=\"x\"".into()],
        };
        assert_eq!(e.storage_service_code().code(), 51005);
        let e = Error::Tls {
            kind: TlsFailure::UntrustedIssuer,
            message: "x".into(),
            source: None,
        };
        assert_eq!(e.storage_service_code().code(), 51010);
        let e = Error::Cim {
            operation: "GetInstance".into(),
            status: CimStatus::NotFound,
            description: None,
            instances: vec![],
        };
        assert_eq!(e.storage_service_code().code(), 43006);
        assert_eq!(e.to_string(), "GetInstance: CIM_ERR_NOT_FOUND (6)");
        assert_eq!(
            Error::Connection(TransportError::Other("x".into()))
                .storage_service_code()
                .code(),
            51000
        );
    }

    #[test]
    fn display_escapes_server_text_but_fields_keep_it() {
        let hostile = "bad\u{1b}]0;owned\u{7}\r\nerror: fake\u{9b}31m\u{202e}txt.exe";
        let e = Error::Http {
            status: 500,
            cim_error: Some(hostile.into()),
            detail: Some(hostile.into()),
        };
        let shown = e.to_string();
        assert!(
            !shown.chars().any(crate::text::is_terminal_unsafe),
            "{shown}"
        );
        assert!(
            shown.contains(
                "bad\\u{1b}]0;owned\\u{7}\\u{d}\\u{a}error: fake\\u{9b}31m\\u{202e}txt.exe"
            )
        );
        let Error::Http { cim_error, .. } = &e else {
            unreachable!()
        };
        assert_eq!(cim_error.as_deref(), Some(hostile));
        let e = Error::Cim {
            operation: "GetInstance".into(),
            status: CimStatus::NotFound,
            description: Some(hostile.into()),
            instances: vec![],
        };
        assert!(!e.to_string().chars().any(crate::text::is_terminal_unsafe));
    }

    #[test]
    fn authentication_error_names_the_user_plainly() {
        let e = Error::Authentication {
            user: Some("admin".into()),
            offered: vec![],
        };
        assert_eq!(
            e.to_string(),
            "authentication failed for user admin (HTTP 401; server offers: no WWW-Authenticate)"
        );
        let e = Error::Authentication {
            user: None,
            offered: vec!["Basic realm=\"x\"".into()],
        };
        assert!(
            e.to_string()
                .starts_with("authentication failed for no user (HTTP 401")
        );
    }
}
