//! Local inputs and terminal output the command line must not trust: `--timeout` values,
//! `--password-file`, the `--insecure` warning, and escaping what a server sent before it
//! reaches the terminal (with [`smis::text::escape_for_terminal`]).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;

use crate::errors::{CliError, CliResult, failed};

/// The largest `--timeout` accepted: one year, in seconds. Larger values, zero, negative
/// values, NaN and infinities are usage errors (exit 2), never a panic.
pub const MAX_TIMEOUT_SECS: f64 = 365.0 * 86_400.0;

/// The largest password file read: 64 KiB. A password file must be a regular file (not a
/// FIFO, device, socket or directory) no larger than this.
pub const MAX_PASSWORD_FILE: u64 = 64 * 1024;

/// The warning `--insecure` prints on stderr every time it is used.
pub const INSECURE_WARNING: &str = "warning: --insecure: the server's TLS certificate is NOT verified \
(not its issuer, signature chain, validity dates, host name nor fingerprint); anyone on the \
network path can impersonate the server and receive the password. Use --pin-sha256 or --ca-file.";

/// Checks a `--timeout` value in seconds (see [`MAX_TIMEOUT_SECS`]).
pub fn timeout(secs: f64) -> CliResult<Duration> {
    if !secs.is_finite() || secs <= 0.0 {
        return Err(CliError::Usage(format!(
            "bad --timeout {secs}: give a number of seconds above 0"
        )));
    }
    if secs > MAX_TIMEOUT_SECS {
        return Err(CliError::Usage(format!(
            "bad --timeout {secs}: at most {MAX_TIMEOUT_SECS} seconds (one year)"
        )));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|e| CliError::Usage(format!("bad --timeout {secs}: {e}")))
}

/// Reads the first line of a password file: a regular file of at most
/// [`MAX_PASSWORD_FILE`] bytes that only its owner may read (on Unix). The file is opened
/// without blocking, so a FIFO with no writer is refused instead of waiting forever.
pub fn read_password_file(file: &Path) -> CliResult<SecretString> {
    let shown = file.display();
    let cannot = |e: std::io::Error| failed(format!("cannot read password file {shown}: {e}"));
    let meta = std::fs::metadata(file).map_err(cannot)?;
    check_kind(&meta, file)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The file may have been swapped for a FIFO since the check: never block on it.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let f = opts.open(file).map_err(cannot)?;
    let meta = f.metadata().map_err(cannot)?;
    check_kind(&meta, file)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(CliError::Smis(smis::Error::Credentials(format!(
                "password file {shown} is readable by others (mode {:o}); chmod 600 it",
                mode & 0o777
            ))));
        }
    }
    let mut bytes = Vec::new();
    f.take(MAX_PASSWORD_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_PASSWORD_FILE {
        return Err(failed(format!(
            "password file {shown} is larger than {MAX_PASSWORD_FILE} bytes: not a password file"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| failed(format!("password file {shown} is not UTF-8 text")))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    Ok(SecretString::from(line.to_string()))
}

fn check_kind(meta: &std::fs::Metadata, file: &Path) -> CliResult<()> {
    if meta.is_file() {
        if meta.len() > MAX_PASSWORD_FILE {
            return Err(failed(format!(
                "password file {} is larger than {MAX_PASSWORD_FILE} bytes: not a password file",
                file.display()
            )));
        }
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let t = meta.file_type();
            if t.is_fifo() {
                "a FIFO (named pipe)"
            } else if t.is_socket() {
                "a socket"
            } else if t.is_block_device() || t.is_char_device() {
                "a device"
            } else {
                "not a regular file"
            }
        }
        #[cfg(not(unix))]
        {
            "not a regular file"
        }
    };
    Err(failed(format!(
        "password file {} is {what}: give a regular file",
        file.display()
    )))
}

/// `text` made safe for the terminal: control and bidi characters escaped (one line).
pub fn term(text: &str) -> String {
    smis::text::escape_for_terminal(text).into_owned()
}

/// Laid-out `text` made safe for the terminal: like [`term`] but keeping line feeds.
pub fn term_lines(text: &str) -> String {
    smis::text::escape_for_terminal_multiline(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e20,
            1e19,
            MAX_TIMEOUT_SECS * 2.0,
        ] {
            assert!(matches!(timeout(bad), Err(CliError::Usage(_))), "{bad}");
        }
        assert_eq!(timeout(1.5).ok(), Some(Duration::from_millis(1500)));
        assert!(timeout(MAX_TIMEOUT_SECS).is_ok());
    }
}
