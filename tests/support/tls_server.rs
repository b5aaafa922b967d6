//! Loopback test servers for the transport tests: an HTTPS/HTTP server (hyper 1 +
//! tokio-rustls) with rcgen-generated certificates, and a raw TCP server that writes
//! hand-made HTTP responses.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "smis-transport-{}-{}-{}",
            std::process::id(),
            n,
            name
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A certificate with its key.
pub struct Leaf {
    pub der: CertificateDer<'static>,
    pub cert_pem: String,
    pub key_pem: String,
    key_der: Vec<u8>,
}

impl Leaf {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// Validity of a generated certificate.
#[derive(Clone, Copy)]
pub enum Validity {
    Current,
    Expired,
}

fn apply_validity(params: &mut CertificateParams, validity: Validity) {
    match validity {
        Validity::Current => {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2100, 1, 1);
        }
        Validity::Expired => {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
    }
}

/// A generated certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub cert_pem: String,
    pub der: CertificateDer<'static>,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        apply_validity(&mut params, Validity::Current);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self {
            cert_pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Issues a server certificate for `sans`.
    pub fn issue_server(&self, sans: &[&str], validity: Validity) -> Leaf {
        self.issue(sans, validity, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// Issues a client certificate.
    pub fn issue_client(&self, cn: &str) -> Leaf {
        self.issue(
            &[cn],
            Validity::Current,
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }

    fn issue(&self, sans: &[&str], validity: Validity, eku: ExtendedKeyUsagePurpose) -> Leaf {
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "smis test leaf");
        params.extended_key_usages = vec![eku];
        apply_validity(&mut params, validity);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }
}

/// A self-signed CA:TRUE certificate used directly as a server certificate (like many
/// arrays ship), with the given SANs and validity.
pub fn self_signed_server(sans: &[&str], validity: Validity) -> Leaf {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "array self-signed");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    apply_validity(&mut params, validity);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Leaf {
        der: cert.der().clone(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        key_der: key.serialize_der(),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config presenting `leaf`, no client authentication.
pub fn server_config(leaf: &Leaf) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der.clone()], leaf.key())
        .unwrap()
}

/// A TLS 1.2-only server config presenting `leaf`.
pub fn server_config_tls12(leaf: &Leaf) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der.clone()], leaf.key())
        .unwrap()
}

/// A server config presenting `leaf` and requiring a client certificate issued by `client_ca`.
pub fn server_config_with_client_auth(leaf: &Leaf, client_ca: &Ca) -> rustls::ServerConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(client_ca.der.clone()).unwrap();
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![leaf.der.clone()], leaf.key())
        .unwrap()
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// Builds the response to a request.
pub type Handler = Arc<dyn Fn(&SeenRequest) -> http::Response<Full<Bytes>> + Send + Sync>;

/// A handler answering 200 with a small CIM-XML body.
pub fn ok_handler() -> Handler {
    Arc::new(|_req| {
        http::Response::builder()
            .status(200)
            .header("Content-Type", "application/xml; charset=utf-8")
            .header("CIMOperation", "MethodResponse")
            .body(Full::new(Bytes::from_static(b"<CIM>ok</CIM>")))
            .unwrap()
    })
}

/// A running test server; aborted on drop.
pub struct Server {
    pub addr: SocketAddr,
    /// Accepted TCP connections.
    pub connections: Arc<AtomicUsize>,
    /// Client certificate chains presented in TLS handshakes.
    pub client_certs: Arc<Mutex<Vec<Vec<CertificateDer<'static>>>>>,
    /// Requests seen.
    pub requests: Arc<Mutex<Vec<SeenRequest>>>,
    task: JoinHandle<()>,
}

impl Server {
    pub fn https_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_io<I>(io: I, handler: Handler, requests: Arc<Mutex<Vec<SeenRequest>>>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let handler = handler.clone();
        let requests = requests.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await?.to_bytes();
            let seen = SeenRequest {
                path: parts.uri.path().to_owned(),
                headers: parts.headers,
                body,
            };
            let response = handler(&seen);
            requests.lock().unwrap().push(seen);
            Ok::<_, hyper::Error>(response)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Starts an HTTPS server (or plain HTTP if `tls` is `None`) on 127.0.0.1.
pub async fn spawn(tls: Option<rustls::ServerConfig>, handler: Handler) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let client_certs = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let acceptor = tls.map(|c| tokio_rustls::TlsAcceptor::from(Arc::new(c)));
    let task = {
        let connections = connections.clone();
        let client_certs = client_certs.clone();
        let requests = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let requests = requests.clone();
                let client_certs = client_certs.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        None => serve_io(tcp, handler, requests).await,
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(tcp).await else {
                                return;
                            };
                            if let Some(chain) = tls.get_ref().1.peer_certificates() {
                                client_certs
                                    .lock()
                                    .unwrap()
                                    .push(chain.iter().map(|c| c.clone().into_owned()).collect());
                            }
                            serve_io(tls, handler, requests).await
                        }
                    }
                });
            }
        })
    };
    Server {
        addr,
        connections,
        client_certs,
        requests,
        task,
    }
}

/// Behaviour of the raw TCP server after reading a request.
#[derive(Clone)]
pub enum Raw {
    /// Write these bytes, then close the connection.
    RespondAndClose(Vec<u8>),
    /// Never answer (hold the connection open).
    Stall,
}

async fn read_request(tcp: &mut TcpStream) -> Option<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(())
}

/// Starts a raw TCP server on 127.0.0.1 answering every connection with `behaviour`.
pub async fn spawn_raw(behaviour: Raw) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let task = {
        let connections = connections.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut tcp, _)) = listener.accept().await else {
                    return;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                let behaviour = behaviour.clone();
                tokio::spawn(async move {
                    if read_request(&mut tcp).await.is_none() {
                        return;
                    }
                    match behaviour {
                        Raw::RespondAndClose(bytes) => {
                            let _ = tcp.write_all(&bytes).await;
                            let _ = tcp.flush().await;
                            let _ = tcp.shutdown().await;
                        }
                        Raw::Stall => {
                            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                            drop(tcp);
                        }
                    }
                });
            }
        })
    };
    Server {
        addr,
        connections,
        client_certs: Arc::new(Mutex::new(Vec::new())),
        requests: Arc::new(Mutex::new(Vec::new())),
        task,
    }
}
