//! The indication listener over real loopback HTTP/HTTPS: the exact bytes OpenPegasus
//! 2.14.4 sends (captured), bad senders, a slow consumer, dropped connections.

mod support;

use support::tls_server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use smis::indication::{
    Listener, ListenerConfig, ListenerStats, ListenerTls, SequenceStatus, SlowConsumerPolicy,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// The shared directory: `SMIS_SHARED`, else `CARGO_MANIFEST_DIR/../shared`, else `/work/shared`.
fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("SMIS_SHARED") {
        return PathBuf::from(d);
    }
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if rel.is_dir() {
        return rel;
    }
    let abs = PathBuf::from("/work/shared");
    assert!(
        abs.is_dir(),
        "../shared not found: put the shared directory beside the repository or set SMIS_SHARED"
    );
    abs
}

fn capture(stem: &str) -> Vec<u8> {
    let dir = shared_dir().join("captures/openpegasus-indications");
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .find(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.starts_with(stem) && n.ends_with(".request.txt")
        })
        .unwrap_or_else(|| panic!("capture {stem} missing in {}", dir.display()));
    std::fs::read(entry.path()).unwrap()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Writes `req` and reads one HTTP/1.1 response (Content-Length framing).
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, req: &[u8]) -> Reply {
    s.write_all(req).await.unwrap();
    read_reply(s).await
}

async fn read_reply<S: AsyncRead + Unpin>(s: &mut S) -> Reply {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).await.unwrap();
        assert!(n > 0, "connection closed before a response");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

async fn http_listener(cfg: impl FnOnce(ListenerConfig) -> ListenerConfig) -> Listener {
    Listener::bind(cfg(ListenerConfig::http(SocketAddr::from((
        [127, 0, 0, 1],
        0,
    )))))
    .await
    .unwrap()
}

fn export_body(id: &str, method: &str, params: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="{id}" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="{method}">{params}</EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>"#
    )
}

fn alert(seq: Option<(&str, i64)>) -> String {
    let seq = seq
        .map(|(c, n)| {
            format!(
                r#"<PROPERTY NAME="SequenceContext" TYPE="string"><VALUE>{c}</VALUE></PROPERTY><PROPERTY NAME="SequenceNumber" TYPE="sint64"><VALUE>{n}</VALUE></PROPERTY>"#
            )
        })
        .unwrap_or_default();
    format!(
        r#"<EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="CIM_AlertIndication"><PROPERTY NAME="Description" TYPE="string"><VALUE>pool nearly full</VALUE></PROPERTY>{seq}</INSTANCE></EXPPARAMVALUE>"#
    )
}

fn post(body: &str, extra_headers: &[(&str, &str)], method_header: Option<&str>) -> Vec<u8> {
    let mut h = String::from(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml; charset=utf-8\r\n",
    );
    h.push_str("CIMExport: MethodRequest\r\n");
    if let Some(m) = method_header {
        h.push_str(&format!("CIMExportMethod: {m}\r\n"));
    }
    for (k, v) in extra_headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = h.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn ok_post(id: &str, seq: Option<(&str, i64)>) -> Vec<u8> {
    post(
        &export_body(id, "ExportIndication", &alert(seq)),
        &[],
        Some("ExportIndication"),
    )
}

fn assert_accepted(r: &Reply, id: &str) {
    assert_eq!(r.status, 200, "body: {}", r.body);
    assert_eq!(r.header("CIMExport"), Some("MethodResponse"));
    assert!(
        r.body.contains(&format!(r#"<MESSAGE ID="{id}""#)),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(r#"<EXPMETHODRESPONSE NAME="ExportIndication"/>"#)
            || r.body
                .contains(r#"<EXPMETHODRESPONSE NAME="ExportIndication"></EXPMETHODRESPONSE>"#),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<ERROR"), "{}", r.body);
}

async fn next(l: &mut Listener) -> smis::indication::Indication {
    tokio::time::timeout(Duration::from_secs(10), l.recv())
        .await
        .expect("an indication")
        .expect("listener open")
}

#[tokio::test]
async fn openpegasus_captures_keep_alive_new_connection_and_retry() {
    let mut l = http_listener(|c| c).await;
    let addr = l.handle().local_addr();
    // 09 and 10 on one keep-alive connection, 11 on a new one (as OpenPegasus did).
    let mut c1 = TcpStream::connect(addr).await.unwrap();
    assert_accepted(&exchange(&mut c1, &capture("09-")).await, "1070");
    assert_accepted(&exchange(&mut c1, &capture("10-")).await, "1072");
    drop(c1);
    let mut c2 = TcpStream::connect(addr).await.unwrap();
    assert_accepted(&exchange(&mut c2, &capture("11-")).await, "1074");
    // 13 was answered 500 by the capture's listener; 14 is OpenPegasus' redelivery with the
    // same SequenceContext/SequenceNumber and a new MESSAGE ID: acknowledged, not repeated.
    assert_accepted(&exchange(&mut c2, &capture("13-")).await, "1158");
    assert_accepted(&exchange(&mut c2, &capture("14-")).await, "1171");

    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(next(&mut l).await);
    }
    let ctx = "PG:IndicationService-PG:127-0-0-1-1796072531467892-1796074904165733";
    let seqs: Vec<(String, i64, SequenceStatus)> = got
        .iter()
        .map(|i| {
            let s = i.sequence.clone().expect("sequence");
            (s.context, s.number, s.status)
        })
        .collect();
    assert_eq!(seqs[0], (ctx.to_string(), 0, SequenceStatus::First));
    assert_eq!(seqs[1], (ctx.to_string(), 1, SequenceStatus::InOrder));
    assert_eq!(seqs[2], (ctx.to_string(), 2, SequenceStatus::InOrder));
    assert_eq!(seqs[3].1, 0);
    assert_eq!(seqs[3].2, SequenceStatus::First);
    let first = &got[0];
    assert_eq!(first.class_name(), "CMPI_RT_SampleIndication");
    assert_eq!(
        first.instance.get::<String>("MethodName").unwrap(),
        "SendTestIndication"
    );
    let t = first.indication_time.expect("IndicationTime parsed");
    assert_eq!(
        (
            t.year(),
            t.month(),
            t.day(),
            t.microsecond(),
            t.utc_offset_minutes()
        ),
        (Some(2026), Some(11), Some(30), Some(197910), Some(0))
    );
    assert!(first.sender.ip().is_loopback());
    // Nothing else queued: the redelivery (14) was dropped as a duplicate.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), l.recv())
            .await
            .is_err()
    );
    let st = l.handle().stats();
    assert_eq!(ListenerStats::get(&st.delivered), 4);
    assert_eq!(ListenerStats::get(&st.duplicates), 1);
    assert_eq!(ListenerStats::get(&st.connections), 2);
}

#[tokio::test]
async fn openpegasus_capture_over_https() {
    let ca = tls_server::Ca::new("listener test CA");
    let leaf = ca.issue_server(&["127.0.0.1"], tls_server::Validity::Current);
    let tls = ListenerTls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let mut l = Listener::bind(ListenerConfig::https(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        tls,
    ))
    .await
    .unwrap();
    assert!(l.handle().url().starts_with("https://127.0.0.1:"));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    let mut s = connector
        .connect("127.0.0.1".try_into().unwrap(), tcp)
        .await
        .unwrap();
    assert_accepted(&exchange(&mut s, &capture("12-")).await, "1109");
    let ind = next(&mut l).await;
    assert_eq!(ind.sequence.unwrap().number, 0);
    // A plain-HTTP sender on the HTTPS port is refused without stopping the listener.
    let mut plain = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    plain.write_all(&capture("09-")).await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut sink)).await;
    let tcp = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    let mut s = connector
        .connect("127.0.0.1".try_into().unwrap(), tcp)
        .await
        .unwrap();
    assert_accepted(&exchange(&mut s, &ok_post("77", None)).await, "77");
}

#[tokio::test]
async fn garbage_senders_get_dsp0200_answers_and_the_listener_keeps_serving() {
    let mut l = http_listener(|mut c| {
        c.max_body = 64 * 1024;
        c
    })
    .await;
    let addr = l.handle().local_addr();
    let mut c = TcpStream::connect(addr).await.unwrap();
    let cases: Vec<(Vec<u8>, u16, Option<&str>)> = vec![
        // Not CIM-XML at all.
        (
            post("this is not xml <<<", &[], Some("ExportIndication")),
            400,
            Some("request-not-well-formed"),
        ),
        // Well-formed XML, not CIM.
        (
            post("<a><b/></a>", &[], Some("ExportIndication")),
            400,
            Some("request-not-well-formed"),
        ),
        // CIMExportMethod does not match the body.
        (
            post(
                &export_body("5", "ExportIndication", &alert(None)),
                &[],
                Some("Other"),
            ),
            400,
            Some("header-mismatch"),
        ),
        // Missing CIMExportMethod.
        (
            post(
                &export_body("5", "ExportIndication", &alert(None)),
                &[],
                None,
            ),
            400,
            Some("header-mismatch"),
        ),
        // A multiple export request.
        (
            post(
                &export_body("5", "ExportIndication", &alert(None)),
                &[("CIMExportBatch", "")],
                None,
            ),
            501,
            Some("multiple-requests-unsupported"),
        ),
        // An operation request sent to a listener.
        (
            post(
                r#"<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="9" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateClassNames"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#,
                &[],
                Some("EnumerateClassNames"),
            ),
            400,
            Some("request-not-valid"),
        ),
        // Oversized.
        (
            post(&"x".repeat(70 * 1024), &[], Some("ExportIndication")),
            413,
            Some("request-not-valid"),
        ),
    ];
    for (req, status, cim_error) in cases {
        let r = exchange(&mut c, &req).await;
        assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&req[..80]));
        assert_eq!(r.header("CIMError"), cim_error);
        // The oversized body was not read: that connection is done.
        if status == 413 {
            c = TcpStream::connect(addr).await.unwrap();
        }
    }
    // Wrong CIMExport header.
    let wrong = String::from_utf8(ok_post("6", None))
        .unwrap()
        .replace("CIMExport: MethodRequest", "CIMExport: MethodCall");
    let r = exchange(&mut c, wrong.as_bytes()).await;
    assert_eq!(
        (r.status, r.header("CIMError")),
        (400, Some("unsupported-operation"))
    );
    // Wrong content type.
    let wrong = String::from_utf8(ok_post("6", None))
        .unwrap()
        .replace("application/xml; charset=utf-8", "text/plain");
    let r = exchange(&mut c, wrong.as_bytes()).await;
    assert_eq!(
        (r.status, r.header("CIMError")),
        (406, Some("header-mismatch"))
    );
    // GET.
    let r = exchange(&mut c, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!((r.status, r.header("Allow")), (405, Some("POST")));
    // CIM-level refusals: another export method, no NewIndication, two of them.
    let r = exchange(
        &mut c,
        &post(
            &export_body("7", "ExportSomething", ""),
            &[],
            Some("ExportSomething"),
        ),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"<ERROR CODE="7""#), "{}", r.body);
    let r = exchange(
        &mut c,
        &post(
            &export_body("8", "ExportIndication", ""),
            &[],
            Some("ExportIndication"),
        ),
    )
    .await;
    assert!(r.body.contains(r#"<ERROR CODE="4""#), "{}", r.body);
    let two = format!("{}{}", alert(None), alert(None));
    let r = exchange(
        &mut c,
        &post(
            &export_body("9", "ExportIndication", &two),
            &[],
            Some("ExportIndication"),
        ),
    )
    .await;
    assert!(r.body.contains(r#"<ERROR CODE="4""#), "{}", r.body);
    // A dropped connection in the middle of a request.
    let mut half = TcpStream::connect(addr).await.unwrap();
    let full = ok_post("10", None);
    half.write_all(&full[..full.len() / 2]).await.unwrap();
    drop(half);
    // A connection that sends nothing does not block others.
    let _idle = TcpStream::connect(addr).await.unwrap();
    // Still serving, and only the good indication came through.
    let mut c = TcpStream::connect(addr).await.unwrap();
    assert_accepted(&exchange(&mut c, &ok_post("11", None)).await, "11");
    let ind = next(&mut l).await;
    assert_eq!(ind.class_name(), "CIM_AlertIndication");
    assert_eq!(
        ind.instance.get::<String>("Description").unwrap(),
        "pool nearly full"
    );
    assert!(ind.sequence.is_none());
    assert!(
        tokio::time::timeout(Duration::from_millis(200), l.recv())
            .await
            .is_err()
    );
    // 13 refusals above, plus the request whose connection dropped mid-body.
    assert_eq!(ListenerStats::get(&l.handle().stats().bad_requests), 14);
}

#[tokio::test]
async fn basic_auth_is_enforced_when_configured() {
    let mut l = http_listener(|c| c.basic_auth("ind", "s3cret".to_string().into())).await;
    let mut c = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    let r = exchange(&mut c, &ok_post("1", None)).await;
    assert_eq!(r.status, 401);
    assert!(r.header("WWW-Authenticate").unwrap().starts_with("Basic"));
    let wrong = post(
        &export_body("2", "ExportIndication", &alert(None)),
        &[("Authorization", "Basic aW5kOndyb25n")],
        Some("ExportIndication"),
    );
    assert_eq!(exchange(&mut c, &wrong).await.status, 401);
    let right = post(
        &export_body("3", "ExportIndication", &alert(None)),
        &[("Authorization", "Basic aW5kOnMzY3JldA==")],
        Some("ExportIndication"),
    );
    assert_accepted(&exchange(&mut c, &right).await, "3");
    assert_eq!(next(&mut l).await.class_name(), "CIM_AlertIndication");
    assert_eq!(ListenerStats::get(&l.handle().stats().auth_failures), 2);
}

#[tokio::test]
async fn slow_consumer_gets_cim_err_failed_so_the_sender_retries_and_nothing_is_lost() {
    let mut l = http_listener(|mut c| {
        c.queue_capacity = 2;
        c.slow_consumer = SlowConsumerPolicy::Reject;
        c
    })
    .await;
    let mut c = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    assert_accepted(&exchange(&mut c, &ok_post("1", Some(("S", 0)))).await, "1");
    assert_accepted(&exchange(&mut c, &ok_post("2", Some(("S", 1)))).await, "2");
    // Queue full: refused with CIM_ERR_FAILED, the sequence does not advance.
    let r = exchange(&mut c, &ok_post("3", Some(("S", 2)))).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"<ERROR CODE="1""#), "{}", r.body);
    assert_eq!(
        ListenerStats::get(&l.handle().stats().rejected_queue_full),
        1
    );
    // The consumer catches up; the sender's retry of 2 is accepted, in order.
    assert_eq!(next(&mut l).await.sequence.unwrap().number, 0);
    assert_eq!(next(&mut l).await.sequence.unwrap().number, 1);
    assert_accepted(&exchange(&mut c, &ok_post("4", Some(("S", 2)))).await, "4");
    let third = next(&mut l).await.sequence.unwrap();
    assert_eq!((third.number, third.status), (2, SequenceStatus::InOrder));

    // WaitThenReject: a consumer that frees room in time lets the request through.
    let mut l = http_listener(|mut c| {
        c.queue_capacity = 1;
        c.slow_consumer = SlowConsumerPolicy::WaitThenReject(Duration::from_secs(10));
        c
    })
    .await;
    let addr = l.handle().local_addr();
    let mut c = TcpStream::connect(addr).await.unwrap();
    assert_accepted(&exchange(&mut c, &ok_post("1", Some(("W", 0)))).await, "1");
    let sender = tokio::spawn(async move {
        let mut c = TcpStream::connect(addr).await.unwrap();
        exchange(&mut c, &ok_post("2", Some(("W", 1)))).await
    });
    assert_eq!(next(&mut l).await.sequence.unwrap().number, 0);
    assert_accepted(&sender.await.unwrap(), "2");
    assert_eq!(next(&mut l).await.sequence.unwrap().number, 1);
}

#[tokio::test]
async fn gaps_late_arrivals_and_duplicates_are_reported() {
    let mut l = http_listener(|mut c| {
        c.deliver_duplicates = true;
        c
    })
    .await;
    let mut c = TcpStream::connect(l.handle().local_addr()).await.unwrap();
    for (id, n) in [("1", 0), ("2", 3), ("3", 1), ("4", 1)] {
        assert_accepted(&exchange(&mut c, &ok_post(id, Some(("G", n)))).await, id);
    }
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(next(&mut l).await.sequence.unwrap().status);
    }
    assert_eq!(
        statuses,
        vec![
            SequenceStatus::First,
            SequenceStatus::AfterGap {
                from: 1,
                missing: 2
            },
            SequenceStatus::Late,
            SequenceStatus::Duplicate,
        ]
    );
    assert_eq!(ListenerStats::get(&l.handle().stats().missing), 2);
}

#[tokio::test]
async fn port_in_use_is_a_typed_error() {
    let l = http_listener(|c| c).await;
    let e = Listener::bind(ListenerConfig::http(l.handle().local_addr()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, smis::indication::ListenerError::Bind { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("cannot listen on 127.0.0.1:"), "{e}");
}
