//! StorageService codes (the return codes of Windows' Storage Management API, Microsoft's
//! `MSFT_SMStorageVolume.CreateClone` reference page), the mapping of every [`Error`] to
//! one, and the return codes of the SMI-S block methods with their labels.
//!
//! Every [`Error`] maps to a [`StorageServiceCode`] ([`Error::storage_service_code`], whose
//! documentation has the table), the codes that `MSFT_SMStorageVolume.CreateClone`
//! documents.

use std::fmt;

use crate::cim::CimStatus;
use crate::error::Error;

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

impl CimStatus {
    /// The StorageService code Windows' Storage Management API gives this CIM error:
    /// 43000 + status for 1..=29 (`MSFT_SMStorageVolume.CreateClone`), 51000 Generic Failure otherwise.
    pub fn storage_service_code(self) -> StorageServiceCode {
        match self.code() {
            c @ 1..=29 => StorageServiceCode(43000 + c),
            _ => StorageServiceCode::GENERIC_FAILURE,
        }
    }
}

impl Error {
    /// The StorageService code this failure corresponds to, one of the codes
    /// `MSFT_SMStorageVolume.CreateClone` documents (Microsoft's Storage Management API
    /// reference):
    ///
    /// | failure | code |
    /// |---|---|
    /// | CIM error with status N (1..=29) | 43000 + N ("StorageService CIM Error: ...") |
    /// | HTTP 401 / bad credentials / no credentials | 51005 Invalid connection credentials |
    /// | TLS handshake failure | 51010 SSL connection failure |
    /// | HTTP 403 | 40001 Access denied |
    /// | method return value 1..=8 (Not Supported, ..., Object Not Found) | the same number |
    /// | capability checks (SMI-S layer) | 40308 / 40500 |
    /// | a failed job | its CIM_Error's CIMStatusCode → 43000 + N; without one, 4 Failed |
    /// | a job that did not finish before the deadline | 3 Timeout |
    /// | an argument refused before sending | 5 Invalid Parameter |
    /// | anything else (connection, timeout, decode, HTTP 5xx without CIM status) | 51000 Generic Failure |
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

/// The StorageService code for a failed method's return value: 1..=8 keep their number
/// (1 Not Supported, 2 Unknown/Unspecified Error, 3 Timeout, 4 Failed, 5 Invalid Parameter,
/// 6 In Use, 7 method-specific, 8 Object Not Found / Insufficient Resources), anything else
/// is 40300 "Method invocation failed" (CreateClone's table has no other slot for them).
pub fn method_return_storage_code(return_value: u32) -> StorageServiceCode {
    match return_value {
        1..=8 => StorageServiceCode(return_value),
        _ => StorageServiceCode::METHOD_INVOCATION_FAILED,
    }
}

/// A return value of the SMI-S block methods (CreateElementReplica, CreateReplica,
/// CreateOrModifyElementFromStoragePool, ReturnToStoragePool, ModifyReplicaSynchronization;
/// ValueMap/Values of the DMTF CIM Schema 2.49 MOFs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MethodReturnCode(pub u32);

impl MethodReturnCode {
    /// The value-map label.
    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "Job Completed with No Error",
            1 => "Not Supported",
            2 => "Unknown",
            3 => "Timeout",
            4 => "Failed",
            5 => "Invalid Parameter",
            6 => "In Use",
            7..=4095 => "DMTF Reserved",
            4096 => "Method Parameters Checked - Job Started",
            4097 => "Size Not Supported",
            4098..=32767 => "Method Reserved",
            _ => "Vendor Specific",
        }
    }

    /// The [`Error::MethodFailed`] for this return value of `method`.
    pub fn error(self, method: &str) -> Error {
        Error::MethodFailed {
            method: method.to_string(),
            return_value: self.0,
            label: self.label().to_string(),
            code: method_return_storage_code(self.0),
        }
    }
}

impl fmt::Display for MethodReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

/// A return value of `CIM_ResourcePoolConfigurationService.CreateChildResourcePool`
/// (DMTF CIM Schema 2.49 MOF), with the MOF's `Values` labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolReturnCode(pub u32);

impl PoolReturnCode {
    /// 0 Job Completed with No Error
    pub const COMPLETED: Self = Self(0);
    /// 1 Not Supported
    pub const NOT_SUPPORTED: Self = Self(1);
    /// 5 Invalid Parameter
    pub const INVALID_PARAMETER: Self = Self(5);
    /// 7 Incorrect ResourceType for the Pool
    pub const INCORRECT_RESOURCE_TYPE: Self = Self(7);
    /// 8 Insufficient Resources
    pub const INSUFFICIENT_RESOURCES: Self = Self(8);
    /// 4096 Method Parameters Checked - Job Started
    pub const JOB_STARTED: Self = Self(4096);
    /// 4097 Size Not Supported
    pub const SIZE_NOT_SUPPORTED: Self = Self(4097);

    /// The label of the `Values` qualifier (DMTF CIM Schema 2.49 MOF).
    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "Job Completed with No Error",
            1 => "Not Supported",
            2 => "Unknown",
            3 => "Timeout",
            4 => "Failed",
            5 => "Invalid Parameter",
            6 => "In Use",
            7 => "Incorrect ResourceType for the Pool",
            8 => "Insufficient Resources",
            9..=4095 => "DMTF Reserved",
            4096 => "Method Parameters Checked - Job Started",
            4097 => "Size Not Supported",
            4098..=32767 => "Method Reserved",
            _ => "Vendor Specific",
        }
    }

    /// The [`Error::MethodFailed`] for this return value of `method`.
    pub fn error(self, method: &str) -> Error {
        Error::MethodFailed {
            method: method.to_string(),
            return_value: self.0,
            label: self.label().to_string(),
            code: method_return_storage_code(self.0),
        }
    }
}

impl fmt::Display for PoolReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

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
    fn labels_and_codes() {
        assert_eq!(
            PoolReturnCode(7).label(),
            "Incorrect ResourceType for the Pool"
        );
        assert_eq!(PoolReturnCode(9).label(), "DMTF Reserved");
        assert_eq!(PoolReturnCode(4095).label(), "DMTF Reserved");
        assert_eq!(PoolReturnCode(4098).label(), "Method Reserved");
        assert_eq!(PoolReturnCode(32768).label(), "Vendor Specific");
        assert_eq!(MethodReturnCode(4097).label(), "Size Not Supported");
        for rc in 1..=8 {
            assert_eq!(method_return_storage_code(rc).code(), rc);
        }
        assert_eq!(method_return_storage_code(4097).code(), 40300);
        assert_eq!(method_return_storage_code(32770).code(), 40300);
        let e = PoolReturnCode(8).error("CreateChildResourcePool");
        assert_eq!(e.storage_service_code().code(), 8);
        assert!(e.to_string().contains("Insufficient Resources"));
    }
}
