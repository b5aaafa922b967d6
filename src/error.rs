//! Errors: one type for everything that can go wrong, with accessors for the CIM status,
//! the HTTP status and the Windows Storage Management API (`StorageService`) code.
//!
//! # StorageService code mapping
//!
//! Every [`Error`] maps to a [`StorageServiceCode`], the codes that
//! `MSFT_SMStorageVolume.CreateClone` documents (Microsoft's Windows Storage Management API
//! reference, the CreateClone method of the MSFT_SMStorageVolume class):
//!
//! | failure | code |
//! |---|---|
//! | CIM error with status N (1..=29) | 43000 + N ("StorageService CIM Error: ...") |
//! | HTTP 401 / bad credentials / no credentials | 51005 Invalid connection credentials |
//! | TLS handshake failure | 51010 SSL connection failure |
//! | HTTP 403 | 40001 Access denied |
//! | method return value 1..=8 (Not Supported, ..., Object Not Found) | the same number |
//! | capability checks (SMI-S layer) | 40308 / 40500 |
//! | a failed job | its CIM_Error's CIMStatusCode → 43000 + N; without one, 4 Failed |
//! | a job that did not finish before the deadline | 3 Timeout |
//! | an argument refused before sending | 5 Invalid Parameter |
//! | anything else (connection, timeout, decode, HTTP 5xx without CIM status) | 51000 Generic Failure |

use std::fmt;
use std::time::Duration;

use crate::cim::{Instance, ObjectPath};
use crate::text::Escaped;
use crate::transport::{TlsFailure, TransportError};
use crate::xml::{DecodeError, EncodeError};

/// A CIM status code (DSP0200 §5.3.3 / DSP0004 `CIM_Error.CIMStatusCode`), all of 1..=29
/// named; unknown codes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CimStatus {
    /// 1 CIM_ERR_FAILED
    Failed,
    /// 2 CIM_ERR_ACCESS_DENIED
    AccessDenied,
    /// 3 CIM_ERR_INVALID_NAMESPACE
    InvalidNamespace,
    /// 4 CIM_ERR_INVALID_PARAMETER
    InvalidParameter,
    /// 5 CIM_ERR_INVALID_CLASS
    InvalidClass,
    /// 6 CIM_ERR_NOT_FOUND
    NotFound,
    /// 7 CIM_ERR_NOT_SUPPORTED
    NotSupported,
    /// 8 CIM_ERR_CLASS_HAS_CHILDREN
    ClassHasChildren,
    /// 9 CIM_ERR_CLASS_HAS_INSTANCES
    ClassHasInstances,
    /// 10 CIM_ERR_INVALID_SUPERCLASS
    InvalidSuperclass,
    /// 11 CIM_ERR_ALREADY_EXISTS
    AlreadyExists,
    /// 12 CIM_ERR_NO_SUCH_PROPERTY
    NoSuchProperty,
    /// 13 CIM_ERR_TYPE_MISMATCH
    TypeMismatch,
    /// 14 CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED
    QueryLanguageNotSupported,
    /// 15 CIM_ERR_INVALID_QUERY
    InvalidQuery,
    /// 16 CIM_ERR_METHOD_NOT_AVAILABLE
    MethodNotAvailable,
    /// 17 CIM_ERR_METHOD_NOT_FOUND
    MethodNotFound,
    /// 18 CIM_ERR_UNEXPECTED_RESPONSE
    UnexpectedResponse,
    /// 19 CIM_ERR_INVALID_RESPONSE_DESTINATION
    InvalidResponseDestination,
    /// 20 CIM_ERR_NAMESPACE_NOT_EMPTY
    NamespaceNotEmpty,
    /// 21 CIM_ERR_INVALID_ENUMERATION_CONTEXT
    InvalidEnumerationContext,
    /// 22 CIM_ERR_INVALID_OPERATION_TIMEOUT
    InvalidOperationTimeout,
    /// 23 CIM_ERR_PULL_HAS_BEEN_ABANDONED
    PullHasBeenAbandoned,
    /// 24 CIM_ERR_PULL_CANNOT_BE_ABANDONED
    PullCannotBeAbandoned,
    /// 25 CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED
    FilteredEnumerationNotSupported,
    /// 26 CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED
    ContinuationOnErrorNotSupported,
    /// 27 CIM_ERR_SERVER_LIMITS_EXCEEDED
    ServerLimitsExceeded,
    /// 28 CIM_ERR_SERVER_IS_SHUTTING_DOWN
    ServerIsShuttingDown,
    /// 29 CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED
    QueryFeatureNotSupported,
    /// A code outside 1..=29, kept as sent.
    Other(u32),
}

const STATUS_TABLE: [(CimStatus, &str, &str); 29] = [
    (CimStatus::Failed, "CIM_ERR_FAILED", "Failed"),
    (
        CimStatus::AccessDenied,
        "CIM_ERR_ACCESS_DENIED",
        "Access denied",
    ),
    (
        CimStatus::InvalidNamespace,
        "CIM_ERR_INVALID_NAMESPACE",
        "Invalid namespace",
    ),
    (
        CimStatus::InvalidParameter,
        "CIM_ERR_INVALID_PARAMETER",
        "Invalid parameter",
    ),
    (
        CimStatus::InvalidClass,
        "CIM_ERR_INVALID_CLASS",
        "Invalid class",
    ),
    (CimStatus::NotFound, "CIM_ERR_NOT_FOUND", "Not found"),
    (
        CimStatus::NotSupported,
        "CIM_ERR_NOT_SUPPORTED",
        "Not supported",
    ),
    (
        CimStatus::ClassHasChildren,
        "CIM_ERR_CLASS_HAS_CHILDREN",
        "Class has children",
    ),
    (
        CimStatus::ClassHasInstances,
        "CIM_ERR_CLASS_HAS_INSTANCES",
        "Class has instances",
    ),
    (
        CimStatus::InvalidSuperclass,
        "CIM_ERR_INVALID_SUPERCLASS",
        "Invalid superclass",
    ),
    (
        CimStatus::AlreadyExists,
        "CIM_ERR_ALREADY_EXISTS",
        "Already exists",
    ),
    (
        CimStatus::NoSuchProperty,
        "CIM_ERR_NO_SUCH_PROPERTY",
        "No such property",
    ),
    (
        CimStatus::TypeMismatch,
        "CIM_ERR_TYPE_MISMATCH",
        "Type mismatch",
    ),
    (
        CimStatus::QueryLanguageNotSupported,
        "CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED",
        "Query language not supported",
    ),
    (
        CimStatus::InvalidQuery,
        "CIM_ERR_INVALID_QUERY",
        "Invalid query",
    ),
    (
        CimStatus::MethodNotAvailable,
        "CIM_ERR_METHOD_NOT_AVAILABLE",
        "Method not available",
    ),
    (
        CimStatus::MethodNotFound,
        "CIM_ERR_METHOD_NOT_FOUND",
        "Method not found",
    ),
    (
        CimStatus::UnexpectedResponse,
        "CIM_ERR_UNEXPECTED_RESPONSE",
        "Unexpected response",
    ),
    (
        CimStatus::InvalidResponseDestination,
        "CIM_ERR_INVALID_RESPONSE_DESTINATION",
        "Invalid response destination",
    ),
    (
        CimStatus::NamespaceNotEmpty,
        "CIM_ERR_NAMESPACE_NOT_EMPTY",
        "Namespace not empty",
    ),
    (
        CimStatus::InvalidEnumerationContext,
        "CIM_ERR_INVALID_ENUMERATION_CONTEXT",
        "Invalid enumeration context",
    ),
    (
        CimStatus::InvalidOperationTimeout,
        "CIM_ERR_INVALID_OPERATION_TIMEOUT",
        "Invalid operation timeout",
    ),
    (
        CimStatus::PullHasBeenAbandoned,
        "CIM_ERR_PULL_HAS_BEEN_ABANDONED",
        "Pull has been abandoned",
    ),
    (
        CimStatus::PullCannotBeAbandoned,
        "CIM_ERR_PULL_CANNOT_BE_ABANDONED",
        "Pull cannot be abandoned",
    ),
    (
        CimStatus::FilteredEnumerationNotSupported,
        "CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED",
        "Filtered enumeration not supported",
    ),
    (
        CimStatus::ContinuationOnErrorNotSupported,
        "CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED",
        "Continuation on error not supported",
    ),
    (
        CimStatus::ServerLimitsExceeded,
        "CIM_ERR_SERVER_LIMITS_EXCEEDED",
        "Server limits exceeded",
    ),
    (
        CimStatus::ServerIsShuttingDown,
        "CIM_ERR_SERVER_IS_SHUTTING_DOWN",
        "Server is shutting down",
    ),
    (
        CimStatus::QueryFeatureNotSupported,
        "CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED",
        "Query feature not supported",
    ),
];

impl CimStatus {
    /// The status for a numeric code.
    pub fn from_code(code: u32) -> CimStatus {
        match code {
            1..=29 => STATUS_TABLE[(code - 1) as usize].0,
            other => CimStatus::Other(other),
        }
    }

    /// The numeric code.
    pub fn code(self) -> u32 {
        match self {
            CimStatus::Other(c) => c,
            s => STATUS_TABLE
                .iter()
                .position(|(t, _, _)| *t == s)
                .map(|i| i as u32 + 1)
                .unwrap_or(0),
        }
    }

    /// The DSP0200 name, e.g. `CIM_ERR_NOT_FOUND` (`CIM_ERR_<code>` for unknown codes).
    pub fn name(self) -> String {
        match self {
            CimStatus::Other(c) => format!("CIM_ERR_{c}"),
            s => STATUS_TABLE[(s.code() - 1) as usize].1.to_string(),
        }
    }

    /// A short description in words, e.g. `Not found`.
    pub fn description(self) -> String {
        match self {
            CimStatus::Other(c) => format!("Unknown status code {c}"),
            s => STATUS_TABLE[(s.code() - 1) as usize].2.to_string(),
        }
    }

    /// The StorageService code Windows' Storage Management API gives this CIM error:
    /// 43000 + status for 1..=29 (`MSFT_SMStorageVolume.CreateClone`), 51000 Generic Failure otherwise.
    pub fn storage_service_code(self) -> StorageServiceCode {
        match self.code() {
            c @ 1..=29 => StorageServiceCode(43000 + c),
            _ => StorageServiceCode::GENERIC_FAILURE,
        }
    }
}

impl fmt::Display for CimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// A return code of Windows' Storage Management API (`MSFT_SMStorageVolume.CreateClone`,
/// Microsoft's Storage Management API reference): the whole table, with its documented labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageServiceCode(pub u32);

impl StorageServiceCode {
    /// 0 Success
    pub const SUCCESS: Self = Self(0);
    /// 1 Not Supported
    pub const NOT_SUPPORTED: Self = Self(1);
    /// 2 Unspecified Error
    pub const UNSPECIFIED_ERROR: Self = Self(2);
    /// 3 Timeout
    pub const TIMEOUT: Self = Self(3);
    /// 4 Failed
    pub const FAILED: Self = Self(4);
    /// 5 Invalid Parameter
    pub const INVALID_PARAMETER: Self = Self(5);
    /// 8 Object Not Found
    pub const OBJECT_NOT_FOUND: Self = Self(8);
    /// 4096 Method Parameters Checked - Job Started
    pub const JOB_STARTED: Self = Self(4096);
    /// 40001 Access denied
    pub const ACCESS_DENIED: Self = Self(40001);
    /// 40002 Not enough resources
    pub const NOT_ENOUGH_RESOURCES: Self = Self(40002);
    /// 40003 Cache out of date
    pub const CACHE_OUT_OF_DATE: Self = Self(40003);
    /// 40300 Method invocation failed
    pub const METHOD_INVOCATION_FAILED: Self = Self(40300);
    /// 40304 Cannot modify volume instance
    pub const CANNOT_MODIFY_VOLUME: Self = Self(40304);
    /// 40308 Clone creation capability not supported
    pub const CLONE_NOT_SUPPORTED: Self = Self(40308);
    /// 40500 Replication type not supported per reported capabilities
    pub const REPLICATION_TYPE_NOT_SUPPORTED: Self = Self(40500);
    /// 51000 Generic Failure
    pub const GENERIC_FAILURE: Self = Self(51000);
    /// 51005 Invalid connection credentials
    pub const INVALID_CREDENTIALS: Self = Self(51005);
    /// 51010 SSL connection failure
    pub const SSL_FAILURE: Self = Self(51010);

    /// The numeric code.
    pub fn code(self) -> u32 {
        self.0
    }

    /// The documented label (`MSFT_SMStorageVolume.CreateClone`), e.g. `StorageService CIM Error: Not found` for 43006.
    pub fn label(self) -> String {
        let s = match self.0 {
            0 => "Success",
            1 => "Not Supported",
            2 => "Unspecified Error",
            3 => "Timeout",
            4 => "Failed",
            5 => "Invalid Parameter",
            6 => "In Use",
            7 => "Incorrect ResourceType for the Pool",
            8 => "Object Not Found",
            4096 => "Method Parameters Checked - Job Started",
            4097 => "Size Not Supported",
            4098 => "Invalid initiator port ID",
            4099 => "Invalid target port ID",
            4100 => "Invalid permission / Target/initiator combination not exposed",
            4101 => "Target/initiator combination already exposed",
            4102 => "Requested logical unit number in use",
            4103 => "Maximum Map Count Exceeded",
            40000 => "StorageService: Error LUNames Required",
            40005 => "StorageService: Error InitiatorID Required",
            40020 => "StorageService: LU Not Found",
            40030 => "StorageService: Client Should not specify DeviceNumbers for this Array",
            40036 => {
                "StorageService: DeviceNumbers Array contains invalid numbers - Acceptable range is 0-254"
            }
            40090 => "StorageService: StorageGroup Name is Already in Use",
            40105 => "StorageService: Unable to Delete StorageGroup",
            40107 => "StorageService: Provider does not support masking and mapping operations",
            40110 => "StorageService: SPC already exists",
            40115 => {
                "StorageService: Unable to Find or Create a StorageHardwareID Object on the provider"
            }
            40510 => "StorageService: StorageHardwareID is associated with a StorageGroup",
            40001 => "Access denied",
            40002 => "There are not enough resources to complete the operation.",
            40003 => "Cache out of date",
            40300 => "StorageService: Method invocation failed",
            40304 => "StorageService: Cannot modify volume instance",
            40308 => "StorageService: Clone creation capability not supported",
            40309 => "StorageService: Synchronization detach failed",
            40310 => "StorageService: Failed to return item to resource pool",
            40313 => "StorageService: Element not present",
            40314 => "StorageService: Failed to return to storage pool",
            40500 => "StorageService: Replication type not supported per reported capabilities",
            51000 => "StorageService: Generic Failure",
            51005 => "StorageService: Invalid connection credentials",
            51010 => "StorageService: SSL connection failure",
            c @ 43001..=43029 => {
                return format!(
                    "StorageService CIM Error: {}",
                    CimStatus::from_code(c - 43000).description()
                );
            }
            c => return format!("StorageService code {c}"),
        };
        s.to_string()
    }

    /// True when the code appears in CreateClone's documented table (`MSFT_SMStorageVolume.CreateClone`).
    pub fn is_documented(self) -> bool {
        matches!(
            self.0,
            0..=5 | 8 | 4096 | 40001..=40003 | 40300 | 40304 | 40308 | 40500 | 43001..=43029
                | 51000 | 51005 | 51010
        )
    }
}

impl fmt::Display for StorageServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

/// What a failed CIM_ConcreteJob reported.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFailure {
    /// The job's path.
    pub job: Option<ObjectPath>,
    /// The final JobState (7 Completed with an error status, 8 Terminated, 9 Killed, 10 Exception).
    pub job_state: Option<u16>,
    /// OperationalStatus of the job.
    pub operational_status: Vec<u16>,
    /// ErrorCode of the job.
    pub error_code: Option<u16>,
    /// ErrorDescription of the job, or the first CIM_Error's Message.
    pub message: String,
    /// CIM_Error instances from GetErrors/GetError.
    pub errors: Vec<Instance>,
}

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
    },
    /// Connecting failed, or the connection broke.
    #[error("connection: {}", Escaped(.0))]
    Connection(String),
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
    #[error(transparent)]
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
            Error::JobFailed(f) => f
                .errors
                .iter()
                .find_map(|e| e.get_opt::<u32>("CIMStatusCode").ok().flatten())
                .map(CimStatus::from_code),
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

    /// The StorageService code this failure corresponds to (see the module docs).
    pub fn storage_service_code(&self) -> StorageServiceCode {
        match self {
            Error::Cim { status, .. } => status.storage_service_code(),
            Error::Authentication { .. } | Error::Credentials(_) => {
                StorageServiceCode::INVALID_CREDENTIALS
            }
            Error::AccessDenied { .. } => StorageServiceCode::ACCESS_DENIED,
            Error::Tls { .. } => StorageServiceCode::SSL_FAILURE,
            Error::MethodFailed { code, .. }
            | Error::Unsupported { code, .. }
            | Error::Refused { code, .. } => *code,
            Error::InvalidArgument(_) => StorageServiceCode::INVALID_PARAMETER,
            Error::JobFailed(_) => match self.cim_status() {
                Some(s) => s.storage_service_code(),
                None => StorageServiceCode::FAILED,
            },
            Error::JobTimeout { .. } => StorageServiceCode::TIMEOUT,
            _ => StorageServiceCode::GENERIC_FAILURE,
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Tls { kind, message, .. } => Error::Tls { kind, message },
            TransportError::Timeout { after, .. } => Error::Timeout(after),
            TransportError::BodyTooLarge { limit } => Error::ResponseTooLarge { limit },
            TransportError::Connect { .. } | TransportError::Broken { .. } => {
                Error::Connection(e.to_string())
            }
            TransportError::Config(m) => Error::Config(m),
            #[cfg(feature = "testkit")]
            TransportError::Custom(c) if c.is::<crate::testkit::TestkitError>() => {
                match c.downcast::<crate::testkit::TestkitError>() {
                    Ok(t) => Error::Testkit(*t),
                    Err(c) => Error::Connection(c.to_string()),
                }
            }
            other => Error::Connection(other.to_string()),
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
    fn all_statuses_named_and_mapped() {
        for code in 1..=29 {
            let s = CimStatus::from_code(code);
            assert_eq!(s.code(), code);
            assert!(!matches!(s, CimStatus::Other(_)));
            assert_eq!(s.storage_service_code().code(), 43000 + code);
            assert!(
                s.storage_service_code()
                    .label()
                    .starts_with("StorageService CIM Error: ")
            );
        }
        assert_eq!(
            CimStatus::from_code(18).name(),
            "CIM_ERR_UNEXPECTED_RESPONSE"
        );
        assert_eq!(
            CimStatus::from_code(19).name(),
            "CIM_ERR_INVALID_RESPONSE_DESTINATION"
        );
        assert_eq!(CimStatus::from_code(99), CimStatus::Other(99));
        assert_eq!(
            CimStatus::Other(99).storage_service_code(),
            StorageServiceCode::GENERIC_FAILURE
        );
        assert_eq!(
            StorageServiceCode(43006).label(),
            "StorageService CIM Error: Not found"
        );
        assert_eq!(
            StorageServiceCode(43029).label(),
            "StorageService CIM Error: Query feature not supported"
        );
        assert_eq!(
            StorageServiceCode(51005).label(),
            "StorageService: Invalid connection credentials"
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
            Error::Connection("x".into()).storage_service_code().code(),
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
