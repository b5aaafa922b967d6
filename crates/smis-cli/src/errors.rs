//! Errors and exit codes of the `smis` command.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | generic failure (bad input file, decode error, unexpected response, ...) |
//! | 2 | usage error (bad arguments; reported by clap) |
//! | 3 | CIM error (the server answered with a CIM status) |
//! | 4 | authentication failed (HTTP 401, StorageService 51005) or access denied (403) |
//! | 5 | TLS failure (untrusted certificate, pin mismatch, handshake; StorageService 51010) |
//! | 6 | connection failure or timeout |
//! | 7 | a method returned a failure code, or a job failed / did not finish in time |
//! | 8 | capability not supported (StorageService 40308 / 40500) |
//!
//! An error prints one line on stderr:
//! `error: <message> [CIM status NAME (N)] [StorageService N <label>]`, and with `-v` the
//! detail: CIM_Error instances, HTTP header values, job failure details.

use smis::{Error, StorageServiceCode};

/// The exit codes (see the module docs).
pub mod exit {
    /// Success.
    #[allow(dead_code)]
    pub const OK: u8 = 0;
    /// Generic failure.
    pub const FAILURE: u8 = 1;
    /// Usage error.
    pub const USAGE: u8 = 2;
    /// CIM error.
    pub const CIM: u8 = 3;
    /// Authentication.
    pub const AUTH: u8 = 4;
    /// TLS.
    pub const TLS: u8 = 5;
    /// Connection or timeout.
    pub const CONNECTION: u8 = 6;
    /// Method or job failure.
    pub const METHOD: u8 = 7;
    /// Capability not supported.
    pub const UNSUPPORTED: u8 = 8;
}

/// The long help text about exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  generic failure
  2  usage error
  3  CIM error (the server answered with a CIM status)
  4  authentication failed (HTTP 401 / StorageService 51005) or access denied (403)
  5  TLS failure (untrusted certificate, pin mismatch; StorageService 51010)
  6  connection failure or timeout
  7  method returned a failure code, or a job failed or did not finish in time
  8  capability not supported (StorageService 40308 / 40500)

Errors print one line on stderr:
  error: <message> [CIM status NAME (N)] [StorageService N <label>]
and, with -v, the CIM_Error instances and HTTP details.

The password is never an option value: it is read from the environment variable named by
--password-env (default SMIS_PASSWORD), from --password-file, or prompted for (no echo)
when stdin is a terminal.";

/// An error of the command line.
#[derive(Debug)]
pub enum CliError {
    /// From the library.
    Smis(Error),
    /// A usage error found after parsing (exit 2).
    Usage(String),
    /// Anything else (exit 1).
    Failed(String),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Smis(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Failed(e.to_string())
    }
}

/// Result of the command line.
pub type CliResult<T> = Result<T, CliError>;

/// A failure with a message (exit 1).
pub fn failed(msg: impl Into<String>) -> CliError {
    CliError::Failed(msg.into())
}

impl CliError {
    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::Failed(_) => exit::FAILURE,
            CliError::Smis(e) => smis_exit_code(e),
        }
    }

    /// The one-line message.
    pub fn line(&self) -> String {
        match self {
            CliError::Usage(m) | CliError::Failed(m) => format!("error: {m}"),
            CliError::Smis(e) => {
                let mut s = format!("error: {e}");
                if let Some(st) = e.cim_status() {
                    s.push_str(&format!(" [CIM status {} ({})]", st.name(), st.code()));
                }
                let code = e.storage_service_code();
                if code != StorageServiceCode::GENERIC_FAILURE || e.cim_status().is_some() {
                    s.push_str(&format!(
                        " [StorageService {} {}]",
                        code.code(),
                        short_label(code)
                    ));
                }
                s.replace('\n', " ")
            }
        }
    }

    /// Detail lines for `-v`.
    pub fn detail(&self) -> Vec<String> {
        let CliError::Smis(e) = self else {
            return Vec::new();
        };
        let mut out = Vec::new();
        match e {
            Error::Http {
                status,
                cim_error,
                detail,
            } => {
                out.push(format!("HTTP status: {status}"));
                if let Some(c) = cim_error {
                    out.push(format!("CIMError header: {c}"));
                }
                if let Some(d) = detail {
                    out.push(format!("PGErrorDetail header: {d}"));
                }
            }
            Error::Authentication { user, offered } => {
                out.push(format!("user: {}", user.as_deref().unwrap_or("(none)")));
                for o in offered {
                    out.push(format!("WWW-Authenticate: {o}"));
                }
            }
            Error::Tls { kind, message, .. } => {
                out.push(format!("TLS failure kind: {kind:?}: {message}"))
            }
            Error::JobFailed(f) => {
                if let Some(j) = &f.job {
                    out.push(format!("job: {j}"));
                }
                out.push(format!(
                    "JobState: {:?}, OperationalStatus: {:?}, ErrorCode: {:?}",
                    f.job_state, f.operational_status, f.error_code
                ));
            }
            _ => {}
        }
        for i in e.cim_errors() {
            out.push(crate::output::mof_instance(i).trim_end().to_string());
        }
        out.push(format!("debug: {e:?}"));
        out
    }
}

fn short_label(code: StorageServiceCode) -> String {
    let l = code.label();
    l.strip_prefix("StorageService: ")
        .or_else(|| l.strip_prefix("StorageService "))
        .map(str::to_string)
        .unwrap_or(l)
}

/// The exit code for a library error.
pub fn smis_exit_code(e: &Error) -> u8 {
    match e {
        Error::Cim { .. } => exit::CIM,
        Error::Authentication { .. } | Error::AccessDenied { .. } | Error::Credentials(_) => {
            exit::AUTH
        }
        Error::Http { status: 401, .. } => exit::AUTH,
        Error::Tls { .. } => exit::TLS,
        Error::Connection(_) | Error::Timeout(_) => exit::CONNECTION,
        Error::MethodFailed { .. }
        | Error::JobFailed(_)
        | Error::JobTimeout { .. }
        | Error::JobVanished(_) => exit::METHOD,
        Error::Unsupported { .. } => exit::UNSUPPORTED,
        Error::InvalidArgument(_) => exit::USAGE,
        e if e.is_timeout() => exit::CONNECTION,
        _ => exit::FAILURE,
    }
}
