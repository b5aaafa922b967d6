//! CIM status codes: the `CIMStatusCode` of an `ERROR` element (DMTF DSP0200 §5.3.3,
//! DSP0201 `ERROR`) and of DSP0004's `CIM_Error.CIMStatusCode`.
//!
//! The mapping of a status to a Windows Storage Management API code
//! ([`CimStatus::storage_service_code`]) lives with the SMI-S layer
//! ([`crate::smis::StorageServiceCode`]).

use std::fmt;

/// A CIM status code (DSP0200 §5.3.3 / DSP0004 `CIM_Error.CIMStatusCode`), all of 1..=29
/// named; unknown codes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
}

impl From<u32> for CimStatus {
    fn from(code: u32) -> Self {
        CimStatus::from_code(code)
    }
}

impl From<CimStatus> for u32 {
    fn from(status: CimStatus) -> Self {
        status.code()
    }
}

impl fmt::Display for CimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_statuses_named() {
        for code in 1..=29 {
            let s = CimStatus::from_code(code);
            assert_eq!(s.code(), code);
            assert!(!matches!(s, CimStatus::Other(_)));
            assert!(s.name().starts_with("CIM_ERR_"));
        }
        assert_eq!(CimStatus::from_code(6).to_string(), "CIM_ERR_NOT_FOUND (6)");
        assert_eq!(CimStatus::from_code(0), CimStatus::Other(0));
        assert_eq!(CimStatus::from(6), CimStatus::NotFound);
        assert_eq!(u32::from(CimStatus::NotFound), 6);
        assert_eq!(CimStatus::Other(99).name(), "CIM_ERR_99");
        assert_eq!(CimStatus::Other(99).description(), "Unknown status code 99");
    }
}
