//! Building the client from the global options: URL, credentials, TLS, recording.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use smis::testkit::RecordingTransport;
use smis::transport::tls::TlsOptions;
use smis::transport::{HttpTransport, HttpTransportConfig};
use smis::{Client, Credentials};

use crate::cli::Global;
use crate::errors::{CliError, CliResult, failed};

/// Reads the password: the variable named by `--password-env`, `--password-file`, or a
/// prompt without echo when stdin is a terminal.
pub fn password(g: &Global) -> CliResult<Option<SecretString>> {
    if let Some(file) = &g.password_file {
        // A regular file of at most 64 KiB, owner-only, never blocking on a FIFO.
        return crate::guard::read_password_file(file).map(Some);
    }
    if let Ok(p) = std::env::var(&g.password_env) {
        return Ok(Some(SecretString::from(p)));
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let p = rpassword::prompt_password("Password: ")
            .map_err(|e| failed(format!("cannot read the password: {e}")))?;
        return Ok(Some(SecretString::from(p)));
    }
    Ok(None)
}

/// TLS options from `--ca-file`, `--pin-sha256`, `--insecure` (default: system roots).
pub fn tls(g: &Global) -> CliResult<TlsOptions> {
    let n = g.ca_file.is_some() as u8 + g.pin_sha256.is_some() as u8 + g.insecure as u8;
    if n > 1 {
        return Err(CliError::Usage(
            "use only one of --ca-file, --pin-sha256, --insecure".into(),
        ));
    }
    if let Some(f) = &g.ca_file {
        return Ok(TlsOptions::ca_file(f));
    }
    if let Some(p) = &g.pin_sha256 {
        return TlsOptions::pinned_sha256(p)
            .map_err(|e| CliError::Usage(format!("bad --pin-sha256: {e}")));
    }
    if g.insecure {
        // Every time, whatever the verbosity: nothing about the server is verified.
        eprintln!("{}", crate::guard::INSECURE_WARNING);
        return Ok(TlsOptions::insecure());
    }
    Ok(TlsOptions::system_roots())
}

/// Connects (no traffic yet) from the global options.
pub fn client(g: &Global) -> CliResult<Client> {
    // One connection per process: the password is asked for once, the class cache shared.
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let url = g
        .url
        .clone()
        .ok_or_else(|| CliError::Usage("no server URL: use --url or SMIS_URL".into()))?;
    let creds = match &g.user {
        Some(user) => {
            let pw = password(g)?.ok_or_else(|| {
                CliError::Usage(format!(
                    "no password for user {user:?}: set ${} or use --password-file",
                    g.password_env
                ))
            })?;
            Some(Credentials::new(user.clone(), pw))
        }
        None => None,
    };
    let c = build(&url, creds, tls(g)?, g)?;
    Ok(CLIENT.get_or_init(|| c).clone())
}

static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();

/// The client an earlier [`client`] call made, if any.
pub fn existing_client() -> Option<Client> {
    CLIENT.get().cloned()
}

/// Builds a client for `url` with explicit credentials and TLS.
pub fn build(
    url: &str,
    creds: Option<Credentials>,
    tls: TlsOptions,
    g: &Global,
) -> CliResult<Client> {
    let ns = g.namespace.clone().unwrap_or_else(|| "root/cimv2".into());
    let timeout = operation_timeout(g)?;
    let mut b = Client::builder(url).namespace(ns.clone()).tls(tls.clone());
    if let Some(t) = timeout {
        b = b.operation_timeout(t);
    }
    if let Some(c) = creds.clone() {
        b = b.credentials(c);
    }
    let Some(dir) = &g.record else {
        return Ok(b.build()?);
    };
    // Recording: the same HTTP transport, wrapped.
    let resolved = b.resolved_url()?;
    if resolved.scheme() == "http" && creds.is_some() {
        return Err(CliError::Smis(smis::Error::Config(
            "refusing to send credentials over plain http".into(),
        )));
    }
    let mut cfg = HttpTransportConfig::new(resolved).with_tls(tls);
    if let Some(t) = timeout {
        cfg = cfg.with_operation_timeout(t);
    }
    let inner = HttpTransport::new(cfg).map_err(smis::Error::from)?;
    let rec = RecordingTransport::new(Arc::new(inner), dir)
        .and_then(|r| r.with_default_namespace(ns.clone()))
        .map_err(|e| failed(format!("cannot record into {}: {e}", dir.display())))?;
    Ok(Client::from_transport(Arc::new(rec), ns, creds))
}

fn operation_timeout(g: &Global) -> CliResult<Option<Duration>> {
    match g.timeout {
        None => Ok(None),
        Some(t) => crate::guard::timeout(t).map(Some),
    }
}
