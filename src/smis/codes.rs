//! Method return codes, their labels and the StorageService codes they map to.

use std::fmt;

use crate::error::{Error, StorageServiceCode};

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

    /// The seed's label.
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
