//! TLS settings for the HTTPS transport: how the server is trusted (system roots, a CA
//! bundle, a pinned certificate fingerprint, or explicitly nothing) and an optional client
//! certificate.
//!
//! The [`rustls::ClientConfig`] is built with an explicit crypto provider
//! (`ring` by default, `aws-lc-rs` behind the crate feature of that name; `ring` wins if both
//! are enabled), so no process-wide default provider has to be installed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::hash::{Hash, HashAlgorithm};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, SignatureScheme};

use super::TransportError;

/// The crypto provider the transport uses (`ring` preferred, else `aws-lc-rs`).
pub(crate) fn crypto_provider() -> Result<CryptoProvider, TransportError> {
    #[cfg(feature = "ring")]
    {
        Ok(rustls::crypto::ring::default_provider())
    }
    #[cfg(all(feature = "aws-lc-rs", not(feature = "ring")))]
    {
        Ok(rustls::crypto::aws_lc_rs::default_provider())
    }
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    {
        Err(TransportError::Config(
            "no TLS crypto provider: enable the `ring` or `aws-lc-rs` feature of smis".into(),
        ))
    }
}

/// Finds the provider's SHA-256 implementation (every TLS 1.3 provider has one).
fn sha256_hasher(provider: &CryptoProvider) -> Result<&'static dyn Hash, TransportError> {
    provider
        .cipher_suites
        .iter()
        .filter_map(|suite| suite.tls13().map(|s| s.common.hash_provider))
        .find(|h| h.algorithm() == HashAlgorithm::SHA256)
        .ok_or_else(|| TransportError::Config("the crypto provider offers no SHA-256".into()))
}

/// The SHA-256 fingerprint of a DER-encoded certificate.
///
/// Parsed from hex, with or without `:` separators (also spaces), case-insensitive;
/// displayed as upper-case colon-separated hex (`AB:CD:...`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Fingerprint([u8; 32]);

impl Sha256Fingerprint {
    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Computes the fingerprint of a DER-encoded certificate.
    pub fn of_certificate(der: &[u8]) -> Result<Self, TransportError> {
        let provider = crypto_provider()?;
        Ok(Self::compute(sha256_hasher(&provider)?, der))
    }

    fn compute(hasher: &dyn Hash, der: &[u8]) -> Self {
        let out = hasher.hash(der);
        let mut bytes = [0u8; 32];
        let digest = out.as_ref();
        let n = digest.len().min(32);
        bytes[..n].copy_from_slice(&digest[..n]);
        Self(bytes)
    }
}

impl FromStr for Sha256Fingerprint {
    type Err = TransportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: Vec<u8> = s
            .bytes()
            .filter(|b| !matches!(b, b':' | b' ' | b'-'))
            .collect();
        let bad = || {
            TransportError::Config(format!(
                "invalid SHA-256 fingerprint {s:?}: expected 64 hex digits (colons optional)"
            ))
        };
        if hex.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
            let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
            // Both digits are < 16, so the value fits in a byte.
            bytes[i] = u8::try_from(hi * 16 + lo).map_err(|_| bad())?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Fingerprint({self})")
    }
}

/// The error a pinned-certificate verifier reports when the server presents another
/// certificate. It travels inside
/// `rustls::Error::InvalidCertificate(CertificateError::Other(..))` and is recognised by
/// the transport, which reports [`TlsFailure::PinMismatch`](super::TlsFailure::PinMismatch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinMismatch {
    /// The pinned fingerprint.
    pub expected: Sha256Fingerprint,
    /// The fingerprint of the certificate the server presented.
    pub actual: Sha256Fingerprint,
}

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "server certificate fingerprint {} does not match the pinned {}",
            self.actual, self.expected
        )
    }
}

impl std::error::Error for PinMismatch {}

/// How the server's certificate is trusted.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum ServerTrust {
    /// The operating system's root certificates (default).
    #[default]
    SystemRoots,
    /// The CA certificates in a PEM file (one or more certificates).
    CaFile(PathBuf),
    /// CA certificates given as PEM text (one or more certificates).
    CaPem(Vec<u8>),
    /// Accept exactly the end-entity certificate with this SHA-256 fingerprint, ignoring its
    /// chain, validity dates, host names and CA flag. Handshake signatures are still checked.
    PinnedSha256(Sha256Fingerprint),
    /// Accept any certificate. **Insecure**: only for labs. Handshake signatures are still
    /// checked, and a warning is logged whenever a client is built with it.
    Insecure,
}

impl fmt::Debug for ServerTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SystemRoots => f.write_str("SystemRoots"),
            Self::CaFile(p) => f.debug_tuple("CaFile").field(p).finish(),
            Self::CaPem(pem) => write!(f, "CaPem({} bytes)", pem.len()),
            Self::PinnedSha256(fp) => write!(f, "PinnedSha256({fp})"),
            Self::Insecure => f.write_str("INSECURE (server certificate not verified)"),
        }
    }
}

/// A client certificate presented to the server: PEM files holding the certificate chain
/// (end-entity first) and its private key (PKCS#8, PKCS#1 or SEC1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertificate {
    /// PEM file with the certificate chain.
    pub cert_chain_file: PathBuf,
    /// PEM file with the private key (its contents are never logged).
    pub private_key_file: PathBuf,
}

/// TLS options of the HTTPS transport.
///
/// ```
/// use smis::transport::tls::TlsOptions;
/// let tls = TlsOptions::ca_file("/etc/smis/array-ca.pem")
///     .with_client_certificate("/etc/smis/client.pem", "/etc/smis/client.key");
/// assert!(!tls.is_insecure());
/// ```
#[derive(Clone, Default)]
pub struct TlsOptions {
    trust: ServerTrust,
    client_certificate: Option<ClientCertificate>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("trust", &self.trust)
            .field("client_certificate", &self.client_certificate)
            .finish()
    }
}

impl TlsOptions {
    /// Trust the operating system's root certificates (the default).
    pub fn system_roots() -> Self {
        Self::with_trust(ServerTrust::SystemRoots)
    }

    /// Trust the CA certificates in a PEM file.
    pub fn ca_file(path: impl Into<PathBuf>) -> Self {
        Self::with_trust(ServerTrust::CaFile(path.into()))
    }

    /// Trust the CA certificates in PEM text.
    pub fn ca_pem(pem: impl Into<Vec<u8>>) -> Self {
        Self::with_trust(ServerTrust::CaPem(pem.into()))
    }

    /// Accept exactly the server certificate with this SHA-256 fingerprint
    /// (hex, colons optional, any case).
    pub fn pinned_sha256(fingerprint: &str) -> Result<Self, TransportError> {
        Ok(Self::pinned(fingerprint.parse()?))
    }

    /// Accept exactly the server certificate with this SHA-256 fingerprint.
    pub fn pinned(fingerprint: Sha256Fingerprint) -> Self {
        Self::with_trust(ServerTrust::PinnedSha256(fingerprint))
    }

    /// Accept any server certificate. **Insecure** (open to man-in-the-middle attacks);
    /// handshake signatures are still verified and a warning is logged for every client built.
    pub fn insecure() -> Self {
        Self::with_trust(ServerTrust::Insecure)
    }

    /// Options with the given server trust and no client certificate.
    pub fn with_trust(trust: ServerTrust) -> Self {
        Self {
            trust,
            client_certificate: None,
        }
    }

    /// Also present a client certificate (PEM chain file and PEM private key file).
    pub fn with_client_certificate(
        mut self,
        cert_chain_file: impl Into<PathBuf>,
        private_key_file: impl Into<PathBuf>,
    ) -> Self {
        self.client_certificate = Some(ClientCertificate {
            cert_chain_file: cert_chain_file.into(),
            private_key_file: private_key_file.into(),
        });
        self
    }

    /// How the server is trusted.
    pub fn trust(&self) -> &ServerTrust {
        &self.trust
    }

    /// The client certificate, if any.
    pub fn client_certificate(&self) -> Option<&ClientCertificate> {
        self.client_certificate.as_ref()
    }

    /// Whether server certificates are not verified at all.
    pub fn is_insecure(&self) -> bool {
        matches!(self.trust, ServerTrust::Insecure)
    }

    /// Builds the rustls client configuration (TLS 1.2 and 1.3, explicit crypto provider).
    /// Reads and parses the CA, certificate and key files; every failure is a
    /// [`TransportError::Config`].
    pub fn build_client_config(&self) -> Result<ClientConfig, TransportError> {
        let provider = Arc::new(crypto_provider()?);
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| TransportError::Config(format!("TLS protocol versions: {e}")))?;

        let builder = match &self.trust {
            ServerTrust::SystemRoots => builder.with_root_certificates(system_roots()?),
            ServerTrust::CaFile(path) => {
                let pem = read_file(path, "CA bundle")?;
                let what = format!("CA bundle {}", path.display());
                builder.with_root_certificates(roots_from_pem(&pem, &what)?)
            }
            ServerTrust::CaPem(pem) => {
                builder.with_root_certificates(roots_from_pem(pem, "CA PEM")?)
            }
            ServerTrust::PinnedSha256(expected) => {
                let verifier = PinnedVerifier {
                    expected: *expected,
                    hasher: sha256_hasher(&provider)?,
                    algorithms: provider.signature_verification_algorithms,
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
            }
            ServerTrust::Insecure => {
                tracing::warn!(
                    "TLS server certificate verification is DISABLED (insecure mode): \
                     any server, including a man in the middle, is accepted"
                );
                let verifier = InsecureVerifier {
                    algorithms: provider.signature_verification_algorithms,
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
            }
        };

        match &self.client_certificate {
            None => Ok(builder.with_no_client_auth()),
            Some(cc) => {
                let chain_pem = read_file(&cc.cert_chain_file, "client certificate")?;
                let chain = CertificateDer::pem_slice_iter(&chain_pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| {
                        TransportError::Config(format!(
                            "client certificate {}: invalid PEM: {e}",
                            cc.cert_chain_file.display()
                        ))
                    })?;
                if chain.is_empty() {
                    return Err(TransportError::Config(format!(
                        "client certificate {}: no CERTIFICATE found",
                        cc.cert_chain_file.display()
                    )));
                }
                let key_pem = read_file(&cc.private_key_file, "client private key")?;
                // Never include key material in errors: only the path and the PEM error kind.
                let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
                    TransportError::Config(format!(
                        "client private key {}: no usable private key ({e})",
                        cc.private_key_file.display()
                    ))
                })?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    TransportError::Config(format!(
                        "client certificate {} / key {}: {e}",
                        cc.cert_chain_file.display(),
                        cc.private_key_file.display()
                    ))
                })
            }
        }
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, TransportError> {
    std::fs::read(path)
        .map_err(|e| TransportError::Config(format!("cannot read {what} {}: {e}", path.display())))
}

fn roots_from_pem(pem: &[u8], what: &str) -> Result<rustls::RootCertStore, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| TransportError::Config(format!("{what}: invalid PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| TransportError::Config(format!("{what}: unusable CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(TransportError::Config(format!(
            "{what}: no CERTIFICATE found"
        )));
    }
    Ok(roots)
}

fn system_roots() -> Result<rustls::RootCertStore, TransportError> {
    let loaded = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
    if added == 0 {
        let detail = loaded
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(TransportError::Config(format!(
            "no system root certificates could be loaded{}{detail}; \
             give a CA bundle file or pin the server certificate instead",
            if detail.is_empty() { "" } else { ": " }
        )));
    }
    for e in &loaded.errors {
        tracing::debug!(error = %e, "some system root certificates could not be loaded");
    }
    Ok(roots)
}

/// Accepts exactly one end-entity certificate (by SHA-256); still checks signatures.
struct PinnedVerifier {
    expected: Sha256Fingerprint,
    hasher: &'static dyn Hash,
    algorithms: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for PinnedVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedVerifier")
            .field("expected", &self.expected)
            .finish()
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let actual = Sha256Fingerprint::compute(self.hasher, end_entity.as_ref());
        if actual == self.expected {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(PinMismatch {
                    expected: self.expected,
                    actual,
                })),
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Accepts any certificate; still checks handshake signatures.
#[derive(Debug)]
struct InsecureVerifier {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for InsecureVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_parsing() {
        let hex = "ab".repeat(32);
        let a: Sha256Fingerprint = hex.parse().unwrap();
        let colons = vec!["AB"; 32].join(":");
        let b: Sha256Fingerprint = colons.parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), colons);
        assert!("abcd".parse::<Sha256Fingerprint>().is_err());
        assert!("zz".repeat(32).parse::<Sha256Fingerprint>().is_err());
    }

    #[test]
    fn debug_marks_insecure() {
        let s = format!("{:?}", TlsOptions::insecure());
        assert!(s.contains("INSECURE"), "{s}");
    }

    #[test]
    fn missing_files_are_config_errors() {
        let err = TlsOptions::ca_file("/nonexistent/ca.pem")
            .build_client_config()
            .unwrap_err();
        assert!(matches!(err, TransportError::Config(_)), "{err}");
        let err = TlsOptions::ca_pem(b"not pem".to_vec())
            .build_client_config()
            .unwrap_err();
        assert!(matches!(err, TransportError::Config(_)), "{err}");
        let err = TlsOptions::insecure()
            .with_client_certificate("/nonexistent/c.pem", "/nonexistent/k.pem")
            .build_client_config()
            .unwrap_err();
        assert!(matches!(err, TransportError::Config(_)), "{err}");
    }

    #[test]
    fn fingerprint_of_certificate() {
        // SHA-256 of the empty input.
        let fp = Sha256Fingerprint::of_certificate(b"").unwrap();
        assert!(
            fp.to_string()
                .starts_with("E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24")
        );
    }
}
