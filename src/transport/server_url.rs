//! [`ServerUrl`]: the base URL of a CIM server, our own type so that the public API does not
//! pin callers to the version of a URL or HTTP crate (the `url` crate parses it inside).

use std::fmt;
use std::str::FromStr;

use super::TransportError;

/// The base URL of a CIM server (`https://array:5989`): the request path (`/cimom`,
/// DMTF DSP0200 §7.2) is appended to its path. Parsed by the WHATWG URL rules (the `url`
/// crate); IPv6 literals keep their brackets (`https://[fd00::5]:5989/`). Parsing checks
/// only that the text is an absolute URL: [`HttpTransport::new`](super::HttpTransport::new)
/// refuses schemes other than `http`/`https`, credentials in the URL and a missing host.
///
/// ```
/// use smis::transport::ServerUrl;
/// let url: ServerUrl = "https://array.example:5989".parse()?;
/// assert_eq!(url.scheme(), "https");
/// assert_eq!(url.host(), Some("array.example"));
/// assert_eq!(url.port(), Some(5989));
/// assert_eq!(url.as_str(), "https://array.example:5989/");
/// # Ok::<(), smis::transport::TransportError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerUrl(url::Url);

impl ServerUrl {
    /// Parses `text` as it stands (no default scheme or port is added; see
    /// [`ClientBuilder::resolved_url`](crate::ClientBuilder::resolved_url) for that).
    pub fn parse(text: &str) -> Result<Self, TransportError> {
        url::Url::parse(text)
            .map(ServerUrl)
            .map_err(|e| TransportError::Config(format!("invalid base URL: {e}")))
    }

    /// Wraps a parsed URL.
    pub(crate) fn from_url(url: url::Url) -> Self {
        ServerUrl(url)
    }

    /// The whole URL, e.g. `https://array:5989/`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The scheme (`https`, `http`).
    pub fn scheme(&self) -> &str {
        self.0.scheme()
    }

    /// The host as written in a URL: a name, an IPv4 address, or an IPv6 address in
    /// brackets (`[fd00::5]`).
    pub fn host(&self) -> Option<&str> {
        self.0.host_str()
    }

    /// The port: the explicit one, else the scheme's default (443 for https, 80 for http).
    pub fn port(&self) -> Option<u16> {
        self.0.port_or_known_default()
    }

    /// The path (at least `/` for http and https).
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// True when the URL carries a user name or a password (refused by the transport).
    pub fn has_credentials(&self) -> bool {
        !self.0.username().is_empty() || self.0.password().is_some()
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServerUrl {
    type Err = TransportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerUrl::parse(s)
    }
}

impl AsRef<str> for ServerUrl {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let u = ServerUrl::parse("https://[fd00::5]/x").unwrap();
        assert_eq!(u.host(), Some("[fd00::5]"));
        assert_eq!(u.port(), Some(443));
        assert_eq!(u.path(), "/x");
        assert!(!u.has_credentials());
        let u: ServerUrl = "http://array:5988".parse().unwrap();
        assert_eq!(u.scheme(), "http");
        assert_eq!(u.port(), Some(5988));
        assert_eq!(u.to_string(), "http://array:5988/");
        assert!(
            ServerUrl::parse("https://u:p@array")
                .unwrap()
                .has_credentials()
        );
        for bad in ["", "array", "https://", "http://[::1"] {
            assert!(
                matches!(ServerUrl::parse(bad), Err(TransportError::Config(_))),
                "{bad}"
            );
        }
    }
}
