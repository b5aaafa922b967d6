//! What a failed job reported: the SMI-S Job Control subprofile's `CIM_ConcreteJob`
//! (JobState, OperationalStatus, ErrorCode, ErrorDescription) and the `CIM_Error` instances
//! of its `GetErrors`/`GetError` methods (DMTF CIM Schema 2.49, `CIM_ConcreteJob`).

use crate::cim::{CimStatus, Instance, ObjectPath};

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

impl JobFailure {
    /// The CIM status of the first `CIM_Error` that carries a `CIMStatusCode`, if any.
    pub fn cim_status(&self) -> Option<CimStatus> {
        self.errors
            .iter()
            .find_map(|e| e.get_opt::<u32>("CIMStatusCode").ok().flatten())
            .map(CimStatus::from_code)
    }
}
