//! TLS material for the simulated provider: certificate generation, loading
//! and the rustls server configuration.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::version::{TLS12, TLS13};

use crate::error::SimError;

/// How the simulated provider secures its listener.
///
/// Its `Debug` output omits the private key.
#[derive(Clone, Default)]
pub enum SimTls {
    /// HTTPS with a freshly generated self-signed certificate for
    /// `localhost`, `127.0.0.1` and `::1` (the default).
    #[default]
    Generated,
    /// HTTPS with the given certificate chain and private key (PEM).
    Given {
        /// PEM certificate chain, end-entity certificate first.
        cert_pem: String,
        /// PEM private key (PKCS#8, PKCS#1 or SEC1).
        key_pem: String,
    },
    /// Plain HTTP, no TLS.
    PlainHttp,
}

impl std::fmt::Debug for SimTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimTls::Generated => f.write_str("Generated"),
            SimTls::Given { cert_pem, .. } => f
                .debug_struct("Given")
                .field("cert_pem", cert_pem)
                .field("key_pem", &"<redacted>")
                .finish(),
            SimTls::PlainHttp => f.write_str("PlainHttp"),
        }
    }
}

/// Certificate material the server ended up using.
#[derive(Clone)]
pub(crate) struct TlsMaterial {
    /// PEM of the certificate chain as served.
    pub(crate) cert_pem: String,
    /// DER of the end-entity certificate.
    pub(crate) leaf_der: Vec<u8>,
    /// rustls server configuration.
    pub(crate) config: Arc<rustls::ServerConfig>,
}

/// Generates a self-signed certificate for `localhost`, `127.0.0.1` and `::1`.
///
/// Returns `(cert_pem, key_pem)`.
pub fn generate_self_signed() -> Result<(String, String), SimError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let ck = rcgen::generate_simple_self_signed(names)
        .map_err(|e| SimError::Tls(format!("certificate generation failed: {e}")))?;
    Ok((ck.cert.pem(), ck.signing_key.serialize_pem()))
}

/// Builds the TLS material for `tls`, or `None` for plain HTTP.
pub(crate) fn build(tls: &SimTls) -> Result<Option<TlsMaterial>, SimError> {
    let (cert_pem, key_pem) = match tls {
        SimTls::PlainHttp => return Ok(None),
        SimTls::Generated => generate_self_signed()?,
        SimTls::Given { cert_pem, key_pem } => (cert_pem.clone(), key_pem.clone()),
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| SimError::Tls(format!("bad certificate PEM: {e}")))?;
    let leaf_der = chain
        .first()
        .ok_or_else(|| SimError::Tls("certificate PEM holds no certificate".into()))?
        .as_ref()
        .to_vec();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| SimError::Tls(format!("bad private key PEM: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&TLS12, &TLS13])
        .map_err(|e| SimError::Tls(format!("protocol versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| SimError::Tls(format!("certificate/key rejected: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(TlsMaterial {
        cert_pem,
        leaf_der,
        config: Arc::new(config),
    }))
}

/// SHA-256 of `der`, as lowercase hex without separators.
pub(crate) fn sha256_hex(der: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of `der`, as uppercase hex pairs separated by colons.
pub(crate) fn sha256_colon_hex(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
