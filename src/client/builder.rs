//! Building a [`Client`]: URL, namespace, timeouts, credentials, TLS, limits.

use std::sync::Arc;
use std::time::Duration;

use super::{Client, Credentials};
use crate::error::{Error, Result};
use crate::transport::ServerUrl;
use crate::transport::http::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_OPERATION_TIMEOUT, HttpTransport, HttpTransportConfig,
};
use crate::transport::tls::TlsOptions;

/// Builds a [`Client`] over HTTPS (or, explicitly, HTTP).
///
/// Defaults: namespace `root/cimv2`, connect timeout 10 s, operation timeout 120 s,
/// response limit 512 MiB (for responses read whole; streams hold one object at a time),
/// at most 8 connections, enumeration bounds as in
/// [`EnumerationLimits`](super::EnumerationLimits)' `Default`, TLS verified against the
/// system's roots. Plain HTTP with credentials is refused unless
/// [`ClientBuilder::allow_plain_http_credentials`] is set.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    url: String,
    namespace: String,
    connect_timeout: Duration,
    operation_timeout: Duration,
    max_response_bytes: u64,
    credentials: Option<Credentials>,
    tls: TlsOptions,
    allow_plain_http_credentials: bool,
    request_trailers: bool,
    max_connections: usize,
    enumeration_limits: super::EnumerationLimits,
}

impl ClientBuilder {
    /// A builder for `url`: `https://host[:port]`, `http://host[:port]`, or a bare
    /// `host[:port]` (HTTPS). Ports default to 5989 (https) and 5988 (http). IPv6 literals
    /// go in brackets (`https://[fd00::5]:5989`). Any path is ignored: requests go to
    /// `/cimom`.
    pub fn new(url: impl Into<String>) -> Self {
        ClientBuilder {
            url: url.into(),
            namespace: "root/cimv2".into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            credentials: None,
            tls: TlsOptions::default(),
            allow_plain_http_credentials: false,
            request_trailers: true,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            enumeration_limits: super::EnumerationLimits::default(),
        }
    }

    /// The most connections open at once to the server (default 8; 0 counts as 1).
    /// Requests beyond it wait for a free connection; idle connections are reused first.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit;
        self
    }

    /// Bounds applied to every enumeration stream of the client (a deadline for the whole
    /// enumeration, consecutive empty pages, an optional item limit).
    pub fn enumeration_limits(mut self, limits: super::EnumerationLimits) -> Self {
        self.enumeration_limits = limits;
        self
    }

    /// The default namespace (leading and trailing `/` are stripped).
    pub fn namespace(mut self, ns: impl Into<String>) -> Self {
        self.namespace = crate::cim::normalize_namespace(&ns.into());
        self
    }

    /// The TCP + TLS connect timeout.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// The timeout of one whole operation (request sent, response read).
    pub fn operation_timeout(mut self, t: Duration) -> Self {
        self.operation_timeout = t;
        self
    }

    /// The largest response body accepted, in bytes.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// User name and password (HTTP Basic).
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = Some(c);
        self
    }

    /// TLS options: system roots (default), a CA file, a pinned SHA-256 fingerprint, a
    /// client certificate, or the explicit insecure mode.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Allows sending credentials over plain HTTP (they are readable by anyone on the path).
    pub fn allow_plain_http_credentials(mut self, allow: bool) -> Self {
        self.allow_plain_http_credentials = allow;
        self
    }

    /// Whether to send `TE: trailers` (default true), so that servers such as OpenPegasus
    /// report errors of chunked responses in `CIMStatusCode` trailers.
    pub fn request_trailers(mut self, on: bool) -> Self {
        self.request_trailers = on;
        self
    }

    /// The normalised URL (`scheme://host:port/`) this builder would connect to: default
    /// scheme https, default ports 5989 (https) and 5988 (http), path dropped.
    pub fn resolved_url(&self) -> Result<ServerUrl> {
        normalize_url(&self.url)
    }

    /// Builds the client (no network traffic yet).
    pub fn build(self) -> Result<Client> {
        let url = normalize_url(&self.url)?;
        if url.scheme() == "http"
            && self.credentials.is_some()
            && !self.allow_plain_http_credentials
        {
            return Err(Error::Config(
                "refusing to send credentials over plain http; use https or allow_plain_http_credentials(true)".into(),
            ));
        }
        let config = HttpTransportConfig::new(url)
            .with_tls(self.tls)
            .with_connect_timeout(self.connect_timeout)
            .with_operation_timeout(self.operation_timeout)
            .with_max_response_bytes(self.max_response_bytes)
            .with_max_connections(self.max_connections);
        let transport = HttpTransport::new(config)?;
        let mut client =
            Client::from_transport(Arc::new(transport), self.namespace, self.credentials);
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.request_trailers = self.request_trailers;
            inner.enumeration_limits = self.enumeration_limits;
            inner.limits.max_bytes = usize::try_from(self.max_response_bytes).unwrap_or(usize::MAX);
        }
        Ok(client)
    }
}

/// Parses and normalises a server URL: default scheme https, default ports 5989/5988,
/// path dropped.
pub(crate) fn normalize_url(text: &str) -> Result<ServerUrl> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::Config("empty URL".into()));
    }
    let with_scheme = if t.contains("://") {
        t.to_string()
    } else {
        format!("https://{t}")
    };
    let mut url =
        url::Url::parse(&with_scheme).map_err(|e| Error::Config(format!("bad URL {t:?}: {e}")))?;
    let default_port = match url.scheme() {
        "https" => 5989,
        "http" => 5988,
        s => {
            return Err(Error::Config(format!(
                "unsupported URL scheme {s:?} (use https or http)"
            )));
        }
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config(format!("URL {t:?} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "put credentials in Credentials, not in the URL".into(),
        ));
    }
    // Url drops the scheme's well-known port (443/80); CIM servers use 5989/5988 instead.
    let explicit_port = explicit_port(t);
    let port = explicit_port.unwrap_or(default_port);
    url.set_port(Some(port))
        .map_err(|_| Error::Config(format!("cannot set port on {t:?}")))?;
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    Ok(ServerUrl::from_url(url))
}

fn explicit_port(t: &str) -> Option<u16> {
    let after_scheme = t.split_once("://").map(|(_, r)| r).unwrap_or(t);
    let authority = after_scheme.split('/').next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let port_part = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split_once(']')?.1.strip_prefix(':')?
    } else {
        host_port.rsplit_once(':')?.1
    };
    port_part.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = |s| normalize_url(s).map(|u| u.to_string());
        assert_eq!(u("array").unwrap(), "https://array:5989/");
        assert_eq!(u("http://array").unwrap(), "http://array:5988/");
        assert_eq!(
            normalize_url("https://array:443/cimom").unwrap().port(),
            Some(443)
        );
        assert_eq!(u("https://[fd00::5]").unwrap(), "https://[fd00::5]:5989/");
        assert_eq!(u("[::1]:6989").unwrap(), "https://[::1]:6989/");
        assert!(u("ftp://x").is_err());
        assert!(u("").is_err());
        assert!(u("https://user:pw@array").is_err());
    }

    #[test]
    fn plain_http_with_credentials_refused() {
        let err = ClientBuilder::new("http://127.0.0.1")
            .credentials(Credentials::new("u", "p".to_string()))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        assert!(
            ClientBuilder::new("http://127.0.0.1")
                .credentials(Credentials::new("u", "p".to_string()))
                .allow_plain_http_credentials(true)
                .build()
                .is_ok()
        );
    }
}
