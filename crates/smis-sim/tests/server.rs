//! End-to-end tests of the simulated provider's HTTP(S) shell, using a raw
//! HTTP/1.1 client over tokio (plain) and tokio-rustls (HTTPS).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use hyper::http::{HeaderMap, HeaderValue, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use smis_sim::{
    CimHttpRequest, CimHttpResponse, Fault, SimHandle, SimServer, SimServerConfig, SimTls,
    handler_fn,
};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Client {
    io: BufReader<Box<dyn Io>>,
    peer_cert: Option<Vec<u8>>,
}

impl Client {
    async fn plain(h: &SimHandle) -> Self {
        let tcp = TcpStream::connect(h.addr()).await.unwrap();
        Client {
            io: BufReader::new(Box::new(tcp)),
            peer_cert: None,
        }
    }

    async fn tls(h: &SimHandle) -> Self {
        let pem = h.cert_pem().expect("server uses TLS");
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(h.addr()).await.unwrap();
        let name = ServerName::IpAddress(h.addr().ip().into());
        let tls = connector.connect(name, tcp).await.unwrap();
        let peer_cert = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.as_ref().to_vec());
        Client {
            io: BufReader::new(Box::new(tls)),
            peer_cert,
        }
    }

    async fn send(&mut self, raw: &[u8]) {
        self.io.get_mut().write_all(raw).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    async fn read_headers(&mut self) -> std::io::Result<Option<(u16, Vec<(String, String)>)>> {
        let mut line = String::new();
        if self.io.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let headers = self.read_fields().await?;
        Ok(Some((status, headers)))
    }

    async fn read_fields(&mut self) -> std::io::Result<Vec<(String, String)>> {
        let mut fields = Vec::new();
        loop {
            let mut line = String::new();
            if self.io.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end();
            if line.is_empty() {
                return Ok(fields);
            }
            let (n, v) = line.split_once(':').unwrap();
            fields.push((n.trim().to_string(), v.trim().to_string()));
        }
    }

    /// Reads one response; `Ok(None)` on EOF before a status line.
    async fn read_response(&mut self) -> std::io::Result<Option<Resp>> {
        let Some((status, headers)) = self.read_headers().await? else {
            return Ok(None);
        };
        let mut resp = Resp {
            status,
            headers,
            body: Vec::new(),
            trailers: Vec::new(),
        };
        let chunked = resp
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        if chunked {
            loop {
                let mut line = String::new();
                self.io.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap(), 16)
                    .unwrap_or_else(|_| panic!("bad chunk size {line:?}"));
                if size == 0 {
                    resp.trailers = self.read_fields().await?;
                    break;
                }
                let mut chunk = vec![0; size + 2];
                self.io.read_exact(&mut chunk).await?;
                resp.body.extend_from_slice(&chunk[..size]);
            }
        } else {
            let len: usize = resp
                .header("content-length")
                .map(|v| v.parse().unwrap())
                .unwrap_or(0);
            resp.body = vec![0; len];
            self.io.read_exact(&mut resp.body).await?;
        }
        Ok(Some(resp))
    }

    async fn roundtrip(&mut self, raw: &[u8]) -> Resp {
        self.send(raw).await;
        self.read_response().await.unwrap().expect("a response")
    }
}

const BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEREQ/></MESSAGE></CIM>"#;

fn cim_headers(method: &str) -> Vec<(String, String)> {
    vec![
        (
            "Content-Type".into(),
            "application/xml; charset=\"utf-8\"".into(),
        ),
        ("CIMOperation".into(), "MethodCall".into()),
        ("CIMMethod".into(), method.into()),
        ("CIMObject".into(), "root%2Fcimv2".into()),
    ]
}

fn with_auth(mut h: Vec<(String, String)>, user: &str, pw: &str) -> Vec<(String, String)> {
    let cred = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
    h.push(("Authorization".into(), format!("Basic {cred}")));
    h
}

fn request(method: &str, path: &str, headers: &[(String, String)], body: &str) -> Vec<u8> {
    let mut s = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (n, v) in headers {
        s.push_str(&format!("{n}: {v}\r\n"));
    }
    s.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.into_bytes()
}

fn post(headers: &[(String, String)]) -> Vec<u8> {
    request("POST", "/cimom", headers, BODY)
}

/// Echoes the body; the `CIMMethod` header selects special behaviour.
async fn echo(req: CimHttpRequest) -> CimHttpResponse {
    let method = req
        .headers
        .get("cimmethod")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut resp = CimHttpResponse::ok(req.body.clone());
    if let Some(user) = &req.user {
        resp.headers
            .insert("x-user", HeaderValue::from_str(user).unwrap());
    }
    if req.headers.contains_key("authorization") {
        resp.headers
            .insert("x-saw-authorization", HeaderValue::from_static("yes"));
    }
    match method.as_str() {
        "Delay" => resp.with_fault(Fault::Delay(Duration::from_millis(300))),
        "Drop" => resp.with_fault(Fault::DropConnection),
        "Truncate" => resp.with_fault(Fault::TruncateBody { after_bytes: 10 }),
        "Trailers" => {
            let mut t = HeaderMap::new();
            t.insert("cimstatuscode", HeaderValue::from_static("0"));
            t.insert(
                "cimstatuscodedescription",
                HeaderValue::from_static("all%20good"),
            );
            resp.with_trailers(t)
        }
        "Status" => {
            resp.status = StatusCode::INTERNAL_SERVER_ERROR;
            resp.body = Bytes::new();
            resp
        }
        _ => resp,
    }
}

fn start(tls: SimTls, users: &[(&str, &str)]) -> SimHandle {
    let config = SimServerConfig {
        tls,
        users: users
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect(),
        ..SimServerConfig::default()
    };
    SimServer::start(config, handler_fn(echo)).unwrap()
}

#[tokio::test]
async fn unauthorized_without_or_with_wrong_credentials_then_ok_on_same_connection() {
    let h = start(SimTls::PlainHttp, &[("alice", "s3cret")]);
    assert!(h.url().starts_with("http://127.0.0.1:"));
    assert_eq!(h.cert_pem(), None);
    let mut c = Client::plain(&h).await;

    let r = c.roundtrip(&post(&cim_headers("EnumerateInstances"))).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"smis-sim\"")
    );
    assert_eq!(r.header("content-length"), Some("0"));

    let bad = with_auth(cim_headers("EnumerateInstances"), "alice", "wrong");
    let r = c.roundtrip(&post(&bad)).await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());

    let bad = with_auth(cim_headers("EnumerateInstances"), "bob", "s3cret");
    assert_eq!(c.roundtrip(&post(&bad)).await.status, 401);

    let good = with_auth(cim_headers("EnumerateInstances"), "alice", "s3cret");
    let r = c.roundtrip(&post(&good)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-user"), Some("alice"));
    assert_eq!(r.header("x-saw-authorization"), None);
    assert_eq!(h.connections_accepted(), 1);
}

#[tokio::test]
async fn debug_output_redacts_secrets() {
    let (cert_pem, key_pem) = smis_sim::generate_self_signed().unwrap();
    let config = SimServerConfig {
        tls: SimTls::Given {
            cert_pem,
            key_pem: key_pem.clone(),
        },
        users: vec![("alice".into(), "pa55word".into())],
        ..SimServerConfig::default()
    };
    let dbg = format!("{config:?}");
    assert!(dbg.contains("alice"));
    assert!(!dbg.contains("pa55word"));
    assert!(!dbg.contains(&key_pem));
}

#[tokio::test]
async fn https_echo_with_good_credentials_and_fingerprint() {
    let h = start(SimTls::Generated, &[("alice", "s3cret")]);
    assert!(h.url().starts_with("https://127.0.0.1:"));
    let mut c = Client::tls(&h).await;
    let good = with_auth(cim_headers("EnumerateInstances"), "alice", "s3cret");
    let r = c.roundtrip(&post(&good)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, BODY.as_bytes());
    assert_eq!(
        r.header("content-type"),
        Some("application/xml; charset=\"utf-8\"")
    );
    assert_eq!(r.header("cimoperation"), Some("MethodResponse"));
    assert_eq!(r.header("x-user"), Some("alice"));

    let der = c.peer_cert.clone().unwrap();
    assert_eq!(h.cert_der(), Some(der.as_slice()));
    let digest = ring::digest::digest(&ring::digest::SHA256, &der);
    let plain: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(h.cert_sha256_hex_plain(), Some(plain.clone()));
    let colon = h.cert_sha256_hex().unwrap();
    assert_eq!(colon.len(), 32 * 3 - 1);
    assert_eq!(colon.replace(':', "").to_lowercase(), plain);
    assert_eq!(colon, colon.to_uppercase());
}

#[tokio::test]
async fn given_certificate_is_served() {
    let (cert_pem, key_pem) = smis_sim::generate_self_signed().unwrap();
    let h = start(
        SimTls::Given {
            cert_pem: cert_pem.clone(),
            key_pem,
        },
        &[],
    );
    assert_eq!(h.cert_pem(), Some(cert_pem.as_str()));
    let mut c = Client::tls(&h).await;
    let r = c.roundtrip(&post(&cim_headers("GetClass"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-user"), None);
}

#[tokio::test]
async fn bad_key_is_an_error() {
    let (cert_pem, _) = smis_sim::generate_self_signed().unwrap();
    let err = SimServer::start(
        SimServerConfig {
            tls: SimTls::Given {
                cert_pem,
                key_pem: "garbage".into(),
            },
            ..SimServerConfig::default()
        },
        handler_fn(echo),
    )
    .unwrap_err();
    assert!(matches!(err, smis_sim::SimError::Tls(_)), "{err}");
}

#[tokio::test]
async fn keep_alive_two_requests_one_connection() {
    let h = start(SimTls::Generated, &[]);
    let mut c = Client::tls(&h).await;
    for _ in 0..2 {
        let r = c
            .roundtrip(&post(&cim_headers("EnumerateInstanceNames")))
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, BODY.as_bytes());
    }
    assert_eq!(h.connections_accepted(), 1);
}

#[tokio::test]
async fn header_checks_give_400_with_cimerror() {
    let h = start(SimTls::PlainHttp, &[]);
    let mut c = Client::plain(&h).await;

    let mut hs = cim_headers("GetInstance");
    hs[1].1 = "MethodResponse".into();
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("cimerror"), Some("unsupported-operation"));

    let hs: Vec<_> = cim_headers("GetInstance")
        .into_iter()
        .filter(|(n, _)| n != "CIMOperation")
        .collect();
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.header("cimerror"), Some("unsupported-operation"));

    let hs: Vec<_> = cim_headers("GetInstance")
        .into_iter()
        .filter(|(n, _)| n != "CIMMethod")
        .collect();
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("cimerror"), Some("header-mismatch"));

    let mut hs = cim_headers("GetInstance");
    hs[0].1 = "application/json".into();
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("cimerror"), Some("header-mismatch"));

    // Case-insensitive MethodCall and text/xml are fine.
    let mut hs = cim_headers("GetInstance");
    hs[0].1 = "text/xml".into();
    hs[1].1 = "methodcall".into();
    assert_eq!(c.roundtrip(&post(&hs)).await.status, 200);

    // Export requests pass through.
    let hs = vec![
        ("Content-Type".to_string(), "application/xml".to_string()),
        ("CIMExport".to_string(), "MethodRequest".to_string()),
        (
            "CIMExportMethod".to_string(),
            "ExportIndication".to_string(),
        ),
    ];
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cimexport"), Some("MethodResponse"));

    // Handler-chosen status passes through.
    let r = c.roundtrip(&post(&cim_headers("Status"))).await;
    assert_eq!(r.status, 500);
    assert_eq!(h.connections_accepted(), 1);
}

#[tokio::test]
async fn wrong_method_and_path() {
    let h = start(SimTls::PlainHttp, &[]);
    let mut c = Client::plain(&h).await;
    let r = c
        .roundtrip(&request("GET", "/cimom", &cim_headers("GetClass"), ""))
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = c
        .roundtrip(&request("POST", "/other", &cim_headers("GetClass"), ""))
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .roundtrip(&request("M-POST", "/cimom", &cim_headers("GetClass"), ""))
        .await;
    assert_eq!(r.status, 501);
}

#[tokio::test]
async fn body_too_large_is_413() {
    let config = SimServerConfig {
        tls: SimTls::PlainHttp,
        max_body_bytes: 64,
        ..SimServerConfig::default()
    };
    let h = SimServer::start(config, handler_fn(echo)).unwrap();
    let mut c = Client::plain(&h).await;
    let r = c.roundtrip(&post(&cim_headers("GetClass"))).await;
    assert_eq!(r.status, 413);

    // Chunked request without Content-Length hits the limit while reading.
    let mut c = Client::plain(&h).await;
    let mut raw = String::from("POST /cimom HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n");
    for (n, v) in cim_headers("GetClass") {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str(&format!("\r\n{:x}\r\n{BODY}\r\n0\r\n\r\n", BODY.len()));
    assert_eq!(c.roundtrip(raw.as_bytes()).await.status, 413);
}

#[tokio::test]
async fn trailers_when_requested() {
    let h = start(SimTls::Generated, &[]);
    let mut c = Client::tls(&h).await;
    let mut hs = cim_headers("Trailers");
    hs.push(("TE".into(), "trailers".into()));
    let r = c.roundtrip(&post(&hs)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    let declared = r.header("trailer").unwrap().to_lowercase();
    assert!(declared.contains("cimstatuscode"), "{declared}");
    assert!(declared.contains("cimstatuscodedescription"), "{declared}");
    assert_eq!(r.body, BODY.as_bytes());
    assert_eq!(r.trailer("cimstatuscode"), Some("0"));
    assert_eq!(r.trailer("cimstatuscodedescription"), Some("all%20good"));

    // Without TE: trailers the body is sent whole, without trailers.
    let r = c.roundtrip(&post(&cim_headers("Trailers"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(
        r.header("content-length"),
        Some(BODY.len().to_string().as_str())
    );
    assert!(r.trailers.is_empty());
    assert_eq!(h.connections_accepted(), 1);
}

#[tokio::test]
async fn fault_delay() {
    let h = start(SimTls::PlainHttp, &[]);
    let mut c = Client::plain(&h).await;
    let t0 = Instant::now();
    let r = c.roundtrip(&post(&cim_headers("Delay"))).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, BODY.as_bytes());
}

#[tokio::test]
async fn fault_drop_connection() {
    for tls in [SimTls::PlainHttp, SimTls::Generated] {
        let plain = matches!(tls, SimTls::PlainHttp);
        let h = start(tls, &[]);
        let mut c = if plain {
            Client::plain(&h).await
        } else {
            Client::tls(&h).await
        };
        c.send(&post(&cim_headers("Drop"))).await;
        match c.read_response().await {
            Ok(None) => {}
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ),
                "{e}"
            ),
            Ok(Some(r)) => panic!("unexpected response {r:?}"),
        }
        // The server keeps serving new connections.
        let mut c = Client::plain_or_tls(&h, plain).await;
        assert_eq!(c.roundtrip(&post(&cim_headers("X"))).await.status, 200);
    }
}

impl Client {
    async fn plain_or_tls(h: &SimHandle, plain: bool) -> Self {
        if plain {
            Client::plain(h).await
        } else {
            Client::tls(h).await
        }
    }
}

#[tokio::test]
async fn fault_truncated_body() {
    for plain in [true, false] {
        let tls = if plain {
            SimTls::PlainHttp
        } else {
            SimTls::Generated
        };
        let h = start(tls, &[]);
        let mut c = Client::plain_or_tls(&h, plain).await;
        truncated(&mut c).await;
    }
}

async fn truncated(c: &mut Client) {
    c.send(&post(&cim_headers("Truncate"))).await;
    let (status, headers) = c.read_headers().await.unwrap().unwrap();
    assert_eq!(status, 200);
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.clone());
    assert_eq!(len, Some(BODY.len().to_string()));
    let mut rest = Vec::new();
    let _ = c.io.read_to_end(&mut rest).await;
    assert_eq!(rest, &BODY.as_bytes()[..10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_clients() {
    let h = Arc::new(start(SimTls::Generated, &[("alice", "s3cret")]));
    let mut tasks = Vec::new();
    for i in 0..50 {
        let h = Arc::clone(&h);
        tasks.push(tokio::spawn(async move {
            let mut c = Client::tls(&h).await;
            for j in 0..2 {
                let body = format!("<CIM>{i}-{j}</CIM>");
                let hs = with_auth(cim_headers("EnumerateInstances"), "alice", "s3cret");
                let r = c.roundtrip(&request("POST", "/cimom", &hs, &body)).await;
                assert_eq!(r.status, 200);
                assert_eq!(r.body, body.as_bytes());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(h.connections_accepted(), 50);
}

#[tokio::test]
async fn shutdown_stops_accepting() {
    let h = start(SimTls::PlainHttp, &[]);
    let addr = h.addr();
    let mut c = Client::plain(&h).await;
    assert_eq!(c.roundtrip(&post(&cim_headers("X"))).await.status, 200);
    h.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    // The idle keep-alive connection was closed as well.
    assert!(matches!(c.read_response().await, Ok(None) | Err(_)));
}

#[tokio::test]
async fn drop_stops_accepting() {
    let h = start(SimTls::PlainHttp, &[]);
    let addr = h.addr();
    drop(h);
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "listener still open after drop");
}

#[tokio::test]
async fn start_outside_runtime_fails() {
    let err = std::thread::spawn(|| {
        SimServer::start(SimServerConfig::default(), handler_fn(echo)).map(|_| ())
    })
    .join()
    .unwrap()
    .unwrap_err();
    assert!(matches!(err, smis_sim::SimError::NoRuntime));
}
