//! Integration tests of the hyper + rustls transport against loopback servers.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use http_body_util::Full;
use smis::transport::{
    HttpRequest, HttpTransport, HttpTransportConfig, Sha256Fingerprint, TlsFailure, TlsOptions,
    Transport, TransportError,
};
use support::{Ca, Raw, TempDir, Validity};

const SECRET: &str = "Basic c2VjcmV0dXNlcjpzM2NyM3RQYXNzdzByZA==";

fn request() -> HttpRequest {
    let mut headers = HeaderMap::new();
    headers.insert("CIMOperation", HeaderValue::from_static("MethodCall"));
    headers.insert("CIMMethod", HeaderValue::from_static("EnumerateInstances"));
    headers.insert("CIMObject", HeaderValue::from_static("root%2Fcimv2"));
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    let mut auth = HeaderValue::from_static(SECRET);
    auth.set_sensitive(true);
    headers.insert(http::header::AUTHORIZATION, auth);
    headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
    HttpRequest {
        path: "/cimom".into(),
        headers,
        body: Bytes::from_static(b"<?xml version=\"1.0\"?><CIM/>"),
    }
}

fn transport(url: &str, tls: TlsOptions) -> HttpTransport {
    let config = HttpTransportConfig::parse(url)
        .unwrap()
        .with_tls(tls)
        .with_connect_timeout(Duration::from_secs(5))
        .with_operation_timeout(Duration::from_secs(10));
    HttpTransport::new(config).unwrap()
}

fn assert_no_secret(err: &TransportError) {
    let text = format!("{err} {err:?}");
    eprintln!("error: {err}");
    assert!(!text.contains("c2VjcmV0"), "credentials leaked: {text}");
}

fn expect_tls(
    result: Result<smis::transport::HttpResponse, TransportError>,
) -> (TlsFailure, String) {
    match result {
        Err(err @ TransportError::Tls { .. }) => {
            assert_no_secret(&err);
            let TransportError::Tls { kind, message, .. } = err else {
                unreachable!()
            };
            (kind, message)
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

/// A CA-issued server certificate for 127.0.0.1 and a file with the CA.
fn trusted_setup(dir: &TempDir) -> (Ca, support::Leaf, std::path::PathBuf) {
    let ca = Ca::new("smis test CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    (ca, leaf, ca_file)
}

#[tokio::test]
async fn trusted_ca_succeeds() {
    let dir = TempDir::new("trusted");
    let (_ca, leaf, ca_file) = trusted_setup(&dir);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::ca_file(&ca_file));
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, Bytes::from_static(b"<CIM>ok</CIM>"));
    assert_eq!(response.headers["CIMOperation"], "MethodResponse");
    assert!(response.trailers.is_none());
    let seen = server.requests.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/cimom");
    assert_eq!(seen[0].headers["CIMMethod"], "EnumerateInstances");
    assert_eq!(seen[0].headers["TE"], "trailers");
    assert_eq!(
        seen[0].body,
        Bytes::from_static(b"<?xml version=\"1.0\"?><CIM/>")
    );
    assert_eq!(t.endpoint(), server.https_url());
}

#[tokio::test]
async fn ca_bundle_with_several_certificates() {
    let dir = TempDir::new("bundle");
    let other = Ca::new("unrelated CA");
    let ca = Ca::new("smis test CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
    let bundle = dir.write("bundle.pem", &format!("{}{}", other.cert_pem, ca.cert_pem));
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::ca_file(&bundle));
    assert_eq!(t.send(request()).await.unwrap().status, 200);
}

#[tokio::test]
async fn wrong_ca_is_untrusted_issuer() {
    let dir = TempDir::new("wrongca");
    let (_ca, leaf, _) = trusted_setup(&dir);
    let wrong = Ca::new("some other CA");
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(
        &server.https_url(),
        TlsOptions::ca_pem(wrong.cert_pem.clone()),
    );
    let (kind, message) = expect_tls(t.send(request()).await);
    assert_eq!(kind, TlsFailure::UntrustedIssuer);
    assert!(message.contains("untrusted CA"), "{message}");
}

#[tokio::test]
async fn system_roots_do_not_trust_a_private_ca() {
    let dir = TempDir::new("sysroots");
    let (_ca, leaf, _) = trusted_setup(&dir);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let config = HttpTransportConfig::parse(&server.https_url()).unwrap();
    match HttpTransport::new(config) {
        // A machine without any system roots: a clear configuration error.
        Err(TransportError::Config(message)) => {
            assert!(message.contains("system root"), "{message}")
        }
        Err(other) => panic!("unexpected {other:?}"),
        Ok(t) => {
            let (kind, _) = expect_tls(t.send(request()).await);
            assert_eq!(kind, TlsFailure::UntrustedIssuer);
        }
    }
}

#[tokio::test]
async fn name_mismatch() {
    let dir = TempDir::new("name");
    let ca = Ca::new("smis test CA");
    let leaf = ca.issue_server(&["other.example"], Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::ca_file(&ca_file));
    let (kind, message) = expect_tls(t.send(request()).await);
    assert_eq!(kind, TlsFailure::NameMismatch);
    assert!(
        message.contains("not valid for host 127.0.0.1"),
        "{message}"
    );
}

#[tokio::test]
async fn expired_certificate() {
    let dir = TempDir::new("expired");
    let ca = Ca::new("smis test CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Expired);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::ca_file(&ca_file));
    let (kind, message) = expect_tls(t.send(request()).await);
    assert_eq!(kind, TlsFailure::Expired);
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn pinned_fingerprint_accepts_odd_self_signed_certificate() {
    // CA:TRUE, wrong host name, expired: accepted because it is exactly the pinned one.
    let leaf = support::self_signed_server(&["array.invalid"], Validity::Expired);
    let fp = Sha256Fingerprint::of_certificate(leaf.der.as_ref()).unwrap();
    let lower_no_colons = fp.to_string().replace(':', "").to_lowercase();
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(
        &server.https_url(),
        TlsOptions::pinned_sha256(&lower_no_colons).unwrap(),
    );
    for _ in 0..2 {
        assert_eq!(t.send(request()).await.unwrap().status, 200);
    }
}

#[tokio::test]
async fn pin_mismatch() {
    let leaf = support::self_signed_server(&["127.0.0.1"], Validity::Current);
    let actual = Sha256Fingerprint::of_certificate(leaf.der.as_ref()).unwrap();
    let pinned = Sha256Fingerprint::from_bytes([0xAB; 32]);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::pinned(pinned));
    let (kind, message) = expect_tls(t.send(request()).await);
    assert_eq!(kind, TlsFailure::PinMismatch);
    assert!(message.contains(&actual.to_string()), "{message}");
    assert!(message.contains(&pinned.to_string()), "{message}");
    assert!(message.contains("does not match the pinned"), "{message}");
}

#[tokio::test]
async fn insecure_mode_accepts_anything() {
    let leaf = support::self_signed_server(&["array.invalid"], Validity::Expired);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let tls = TlsOptions::insecure();
    assert!(format!("{tls:?}").contains("INSECURE"));
    let t = transport(&server.https_url(), tls);
    assert_eq!(t.send(request()).await.unwrap().status, 200);
}

#[tokio::test]
async fn client_certificate_is_presented() {
    let dir = TempDir::new("clientcert");
    let (_ca, leaf, ca_file) = trusted_setup(&dir);
    let client_ca = Ca::new("client CA");
    let client = client_ca.issue_client("smis-client");
    let cert_file = dir.write("client.pem", &client.cert_pem);
    let key_file = dir.write("client.key", &client.key_pem);
    let server = support::spawn(
        Some(support::server_config_with_client_auth(&leaf, &client_ca)),
        support::ok_handler(),
    )
    .await;

    let tls = TlsOptions::ca_file(&ca_file).with_client_certificate(&cert_file, &key_file);
    let debug = format!("{tls:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    let t = transport(&server.https_url(), tls);
    assert_eq!(t.send(request()).await.unwrap().status, 200);
    let seen = server.client_certs.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0][0], client.der);

    // Without the client certificate the server refuses the connection.
    let t = transport(&server.https_url(), TlsOptions::ca_file(&ca_file));
    let (kind, message) = expect_tls(t.send(request()).await);
    assert_eq!(kind, TlsFailure::Protocol);
    assert!(message.contains("client certificate"), "{message}");
}

#[tokio::test]
async fn error_status_is_returned_not_interpreted() {
    let handler: support::Handler = Arc::new(|_req| {
        http::Response::builder()
            .status(500)
            .header("CIMError", "request-not-valid")
            .header("PGErrorDetail", "Bad%20CIMMethod")
            .body(Full::new(Bytes::new()))
            .unwrap()
    });
    let server = support::spawn(None, handler).await;
    let t = transport(&server.http_url(), TlsOptions::default());
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.status, 500);
    assert_eq!(response.headers["CIMError"], "request-not-valid");
    assert_eq!(response.headers["PGErrorDetail"], "Bad%20CIMMethod");
    assert!(response.body.is_empty());
}

#[tokio::test]
async fn plain_http_works() {
    let server = support::spawn(None, support::ok_handler()).await;
    let t = transport(&server.http_url(), TlsOptions::default());
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, Bytes::from_static(b"<CIM>ok</CIM>"));
}

#[tokio::test]
async fn chunked_trailers_are_collected() {
    let body = "<CIM>partial</CIM>";
    let response = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: application/xml; charset=utf-8\r\n\
         CIMOperation: MethodResponse\r\n\
         Transfer-Encoding: chunked\r\n\
         Trailer: CIMStatusCode, CIMStatusCodeDescription\r\n\
         \r\n\
         {:x}\r\n{body}\r\n\
         0\r\n\
         CIMStatusCode: 6\r\n\
         CIMStatusCodeDescription: CIM_ERR_NOT_FOUND\r\n\
         \r\n",
        body.len()
    );
    let server = support::spawn_raw(Raw::RespondAndClose(response.into_bytes())).await;
    let t = transport(&server.http_url(), TlsOptions::default());
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, body.as_bytes());
    let trailers = response.trailers.expect("trailers are delivered");
    assert_eq!(trailers["CIMStatusCode"], "6");
    assert_eq!(trailers["CIMStatusCodeDescription"], "CIM_ERR_NOT_FOUND");
}

#[tokio::test]
async fn truncated_body_is_broken() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n"
            .to_vec();
    response.extend_from_slice(b"<CIM>0123");
    let server = support::spawn_raw(Raw::RespondAndClose(response)).await;
    let t = transport(&server.http_url(), TlsOptions::default());
    let err = t.send(request()).await.unwrap_err();
    assert_no_secret(&err);
    assert!(matches!(err, TransportError::Broken { .. }), "{err:?}");
}

#[tokio::test]
async fn stalled_server_times_out() {
    let server = support::spawn_raw(Raw::Stall).await;
    let config = HttpTransportConfig::parse(&server.http_url())
        .unwrap()
        .with_operation_timeout(Duration::from_millis(300));
    let t = HttpTransport::new(config).unwrap();
    let started = Instant::now();
    let err = t.send(request()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, TransportError::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn oversized_body_with_content_length() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 10240\r\n\r\n"
            .to_vec();
    response.extend(std::iter::repeat_n(b'x', 10240));
    let server = support::spawn_raw(Raw::RespondAndClose(response)).await;
    let config = HttpTransportConfig::parse(&server.http_url())
        .unwrap()
        .with_max_response_bytes(1024);
    let t = HttpTransport::new(config).unwrap();
    let err = t.send(request()).await.unwrap_err();
    assert!(
        matches!(err, TransportError::BodyTooLarge { limit: 1024 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn oversized_chunked_body() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..10 {
        response.extend_from_slice(b"400\r\n");
        response.extend(std::iter::repeat_n(b'y', 1024));
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let server = support::spawn_raw(Raw::RespondAndClose(response)).await;
    let config = HttpTransportConfig::parse(&server.http_url())
        .unwrap()
        .with_max_response_bytes(1024);
    let t = HttpTransport::new(config).unwrap();
    let err = t.send(request()).await.unwrap_err();
    assert!(
        matches!(err, TransportError::BodyTooLarge { limit: 1024 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn one_connection_for_sequential_operations() {
    let dir = TempDir::new("reuse");
    let (_ca, leaf, ca_file) = trusted_setup(&dir);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::ca_file(&ca_file));
    for _ in 0..20 {
        assert_eq!(t.send(request()).await.unwrap().status, 200);
    }
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.requests.lock().unwrap().len(), 20);
}

#[tokio::test]
async fn connection_refused_is_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = transport(&format!("http://{addr}"), TlsOptions::default());
    let err = t.send(request()).await.unwrap_err();
    assert_no_secret(&err);
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
}

#[test]
fn bad_configurations_are_errors() {
    let err = HttpTransport::new(HttpTransportConfig::parse("ftp://array").unwrap()).unwrap_err();
    assert!(matches!(err, TransportError::Config(_)), "{err:?}");
    let err =
        HttpTransport::new(HttpTransportConfig::parse("https://u:p@array").unwrap()).unwrap_err();
    assert!(matches!(err, TransportError::Config(_)), "{err:?}");
    assert!(TlsOptions::pinned_sha256("12:34").is_err());
    let err = HttpTransport::new(
        HttpTransportConfig::parse("https://array")
            .unwrap()
            .with_tls(TlsOptions::ca_file("/nonexistent/ca.pem")),
    )
    .unwrap_err();
    assert!(matches!(err, TransportError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn tls12_with_ca_pin_and_insecure() {
    let dir = TempDir::new("tls12");
    let (_ca, leaf, ca_file) = trusted_setup(&dir);
    let server = support::spawn(
        Some(support::server_config_tls12(&leaf)),
        support::ok_handler(),
    )
    .await;
    let fp = Sha256Fingerprint::of_certificate(leaf.der.as_ref()).unwrap();
    for tls in [
        TlsOptions::ca_file(&ca_file),
        TlsOptions::pinned(fp),
        TlsOptions::insecure(),
    ] {
        let t = transport(&server.https_url(), tls);
        assert_eq!(t.send(request()).await.unwrap().status, 200);
    }
}

/// Collects formatted log output.
#[derive(Clone, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_describe_the_exchange_but_never_credentials() {
    // A global subscriber (a thread-local one races with callsite registration by the other
    // tests running in parallel); the other tests' logs land in the buffer too, which only
    // strengthens the "no credentials" check.
    static LOGS: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    let logs = LOGS
        .get_or_init(|| {
            let logs = LogBuffer::default();
            let writer = logs.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            logs
        })
        .clone();

    let leaf = support::self_signed_server(&["127.0.0.1"], Validity::Current);
    let server = support::spawn(Some(support::server_config(&leaf)), support::ok_handler()).await;
    let t = transport(&server.https_url(), TlsOptions::insecure());
    assert_eq!(t.send(request()).await.unwrap().status, 200);
    let bad = transport(
        &server.https_url(),
        TlsOptions::pinned(Sha256Fingerprint::from_bytes([1; 32])),
    );
    assert!(bad.send(request()).await.is_err());

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("verification is DISABLED"), "{text}");
    assert!(text.contains("cim_method=EnumerateInstances"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("bytes_out="), "{text}");
    assert!(text.contains("bytes_in=13"), "{text}");
    assert!(
        !text.contains("c2VjcmV0"),
        "credentials in the logs: {text}"
    );
}
