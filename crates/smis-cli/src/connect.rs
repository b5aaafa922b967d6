//! Building the client from the global options: URL, credentials, TLS, recording.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;
use smis::transport::tls::TlsOptions;
use smis::transport::{
    HttpRequest, HttpResponse, HttpTransport, HttpTransportConfig, Transport, TransportError,
};
use smis::{Client, Credentials};

use crate::cli::Global;
use crate::errors::{CliError, CliResult, failed};

/// Reads the password: the variable named by `--password-env`, `--password-file`, or a
/// prompt without echo when stdin is a terminal.
pub fn password(g: &Global) -> CliResult<Option<SecretString>> {
    if let Some(file) = &g.password_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| failed(format!("cannot read password file {}: {e}", file.display())))?;
        let line = text.lines().next().unwrap_or("").to_string();
        return Ok(Some(SecretString::from(line)));
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
        return Ok(TlsOptions::insecure());
    }
    Ok(TlsOptions::system_roots())
}

/// Connects (no traffic yet) from the global options.
pub fn client(g: &Global) -> CliResult<Client> {
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
    build(&url, creds, tls(g)?, g)
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
    std::fs::create_dir_all(dir)
        .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    let rec = Recorder {
        inner: Arc::new(inner),
        dir: dir.clone(),
        seq: AtomicU64::new(1),
    };
    Ok(Client::from_transport(Arc::new(rec), ns, creds))
}

fn operation_timeout(g: &Global) -> CliResult<Option<Duration>> {
    match g.timeout {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 => Ok(Some(Duration::from_secs_f64(t))),
        Some(t) => Err(CliError::Usage(format!("bad --timeout {t}"))),
    }
}

/// A transport that writes each exchange as `NNNN-<method>.request.http` and
/// `NNNN-<method>.response.http` (never the `Authorization` header).
struct Recorder {
    inner: Arc<dyn Transport>,
    dir: PathBuf,
    seq: AtomicU64,
}

fn write_http(path: &Path, start: &str, headers: &http::HeaderMap, body: &[u8]) {
    let mut out = Vec::new();
    out.extend_from_slice(start.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (k, v) in headers {
        if k == http::header::AUTHORIZATION || v.is_sensitive() {
            continue;
        }
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    if let Err(e) = std::fs::write(path, out) {
        tracing::warn!("cannot record {}: {e}", path.display());
    }
}

impl Transport for Recorder {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let n = self.seq.fetch_add(1, Ordering::Relaxed);
            let method = request
                .headers
                .get("cimmethod")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("request")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>();
            let base = format!("{n:04}-{method}");
            write_http(
                &self.dir.join(format!("{base}.request.http")),
                &format!("POST {} HTTP/1.1", request.path),
                &request.headers,
                &request.body,
            );
            let r = self.inner.send(request).await;
            match &r {
                Ok(resp) => {
                    let mut headers = resp.headers.clone();
                    if let Some(t) = &resp.trailers {
                        for (k, v) in t {
                            headers.append(k.clone(), v.clone());
                        }
                    }
                    write_http(
                        &self.dir.join(format!("{base}.response.http")),
                        &format!("HTTP/1.1 {}", resp.status),
                        &headers,
                        &resp.body,
                    );
                }
                Err(e) => {
                    let _ = std::fs::write(
                        self.dir.join(format!("{base}.error.txt")),
                        format!("{e}\n"),
                    );
                }
            }
            r
        })
    }

    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }
}
