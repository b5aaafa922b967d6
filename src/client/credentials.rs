//! Credentials for the SMI-S provider: a user name and a `secrecy::SecretString`.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// A user name and password for HTTP Basic authentication.
///
/// The password is a [`SecretString`]: it is zeroed on drop and never appears in `Debug`
/// output, logs or errors.
///
/// ```
/// use smis::Credentials;
/// let c = Credentials::new("admin", "s3cret".to_string());
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: SecretString,
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn new(user: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password (exposing it is explicit).
    pub fn password(&self) -> &SecretString {
        &self.password
    }

    /// The `Authorization: Basic ...` header value, marked sensitive.
    pub(crate) fn basic_header(&self) -> Result<http::HeaderValue> {
        use base64::Engine as _;
        let raw = format!("{}:{}", self.user, self.password.expose_secret());
        let token = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
        let mut v = http::HeaderValue::from_str(&format!("Basic {token}"))
            .map_err(|_| Error::Credentials("the user name cannot be sent in a header".into()))?;
        v.set_sensitive(true);
        Ok(v)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// A source of credentials when neither the call nor the connection has any: the
/// "configuration provider" of Windows' Storage Management API (`MSFT_SMStorageVolume.CreateClone`: "If not provided,
/// the storage service attempts to obtain these credentials from the configuration
/// provider").
pub trait CredentialsProvider: Send + Sync {
    /// Credentials for the provider at `endpoint` (e.g. `https://array:5989`), if known.
    fn credentials(&self, endpoint: &str) -> Result<Option<Credentials>>;
}

/// Reads credentials from environment variables (default `SMIS_USER` and `SMIS_PASSWORD`).
#[derive(Debug, Clone)]
pub struct EnvCredentials {
    /// Variable holding the user name.
    pub user_var: String,
    /// Variable holding the password.
    pub password_var: String,
}

impl Default for EnvCredentials {
    fn default() -> Self {
        EnvCredentials {
            user_var: "SMIS_USER".into(),
            password_var: "SMIS_PASSWORD".into(),
        }
    }
}

impl CredentialsProvider for EnvCredentials {
    fn credentials(&self, _endpoint: &str) -> Result<Option<Credentials>> {
        match (
            std::env::var(&self.user_var),
            std::env::var(&self.password_var),
        ) {
            (Ok(u), Ok(p)) if !u.is_empty() => Ok(Some(Credentials::new(u, p))),
            _ => Ok(None),
        }
    }
}

/// Reads credentials from a file that only its owner may read (mode 0600 or stricter on
/// Unix; a group- or world-readable file is refused).
///
/// Format: one entry per line, `endpoint user password` or `* user password` for any
/// endpoint; `#` starts a comment. The password is the rest of the line after the user.
#[derive(Debug, Clone)]
pub struct FileCredentials {
    path: PathBuf,
}

impl FileCredentials {
    /// A provider reading `path`.
    pub fn new(path: impl AsRef<Path>) -> Self {
        FileCredentials {
            path: path.as_ref().to_path_buf(),
        }
    }

    fn check_permissions(&self) -> Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(&self.path).map_err(|e| {
                Error::Credentials(format!("cannot read {}: {e}", self.path.display()))
            })?;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(Error::Credentials(format!(
                    "{} is readable by others (mode {:o}); chmod 600 it",
                    self.path.display(),
                    mode & 0o777
                )));
            }
        }
        Ok(())
    }
}

impl CredentialsProvider for FileCredentials {
    fn credentials(&self, endpoint: &str) -> Result<Option<Credentials>> {
        self.check_permissions()?;
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| Error::Credentials(format!("cannot read {}: {e}", self.path.display())))?;
        let mut wildcard = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, char::is_whitespace);
            let (Some(ep), Some(user), Some(pass)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(Error::Credentials(format!(
                    "{}: each line must be 'endpoint user password'",
                    self.path.display()
                )));
            };
            let creds = Credentials::new(user, pass.trim().to_string());
            if ep == "*" {
                wildcard.get_or_insert(creds);
            } else if ep
                .trim_end_matches('/')
                .eq_ignore_ascii_case(endpoint.trim_end_matches('/'))
            {
                return Ok(Some(creds));
            }
        }
        Ok(wildcard)
    }
}
