//! Enumerations against a hostile loopback HTTPS server that answers EndOfSequence=FALSE
//! forever (empty pages, or full pages), and the recorder's append-only manifest.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::Full;
use smis::Client;
use smis::cim::{Instance, ObjectPath};
use smis::client::{EnumerationBound, EnumerationLimits, OpenOptions};
use smis::message::{IReturn, PullResult, Response, ResponseMessage};
use smis::testkit::Manifest;
use smis::transport::TlsOptions;
use support::{Ca, Handler, SeenRequest, TempDir, Validity};

fn method(r: &SeenRequest) -> String {
    r.headers
        .get("CIMMethod")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn message_id(body: &[u8]) -> String {
    let t = String::from_utf8_lossy(body);
    t.split("MESSAGE ID=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("1")
        .to_string()
}

fn xml(body: Vec<u8>) -> http::Response<Full<Bytes>> {
    http::Response::builder()
        .status(200)
        .header("Content-Type", "application/xml; charset=utf-8")
        .header("CIMOperation", "MethodResponse")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

fn instance(n: u64) -> Instance {
    let mut i = Instance::new("CIM_StorageVolume");
    i.set("DeviceID", format!("{n:06}"));
    i.path = Some(
        ObjectPath::new("root/cimv2", "CIM_StorageVolume").with_key("DeviceID", format!("{n:06}")),
    );
    i
}

/// A server whose every Open/Pull answers `per_page` new instances with EndOfSequence=FALSE.
fn endless(per_page: u64) -> (Handler, Arc<AtomicU64>) {
    let closes = Arc::new(AtomicU64::new(0));
    let seen_closes = closes.clone();
    let next = Arc::new(AtomicU64::new(0));
    let handler: Handler = Arc::new(move |r: &SeenRequest| {
        let name = method(r);
        let id = message_id(&r.body);
        let result = if name == "CloseEnumeration" {
            seen_closes.fetch_add(1, Ordering::SeqCst);
            IReturn::Nothing
        } else {
            let items = (0..per_page)
                .map(|_| instance(next.fetch_add(1, Ordering::SeqCst)))
                .collect();
            IReturn::PullInstances(PullResult {
                items,
                end_of_sequence: false,
                enumeration_context: Some("ctx-forever".into()),
            })
        };
        let msg = ResponseMessage {
            id,
            response: Response::Intrinsic {
                name,
                result: Ok(result),
            },
        };
        xml(smis::xml::encode_response(&msg).unwrap())
    });
    (handler, closes)
}

async fn start(handler: Handler) -> (support::Server, Client, TempDir) {
    let dir = TempDir::new("bounds");
    let ca = Ca::new("bounds CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    let server = support::spawn(Some(support::server_config(&leaf)), handler).await;
    let client = Client::builder(server.https_url())
        .tls(TlsOptions::ca_file(&ca_file))
        .build()
        .unwrap();
    (server, client, dir)
}

async fn wait_for(what: impl Fn() -> bool) -> bool {
    for _ in 0..500 {
        if what() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

fn count_ops(server: &support::Server, op: &str) -> usize {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| method(r) == op)
        .count()
}

#[tokio::test]
async fn endless_empty_pages_end_with_a_typed_error_and_a_close() {
    let (handler, closes) = endless(0);
    let (server, client, _dir) = start(handler).await;
    let limits = EnumerationLimits::default().max_empty_pages(5);
    let mut s = client
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &Default::default(),
        )
        .with_limits(limits);
    let first = s.next().await.expect("an error, not the end");
    match first {
        Err(smis::Error::EnumerationBound {
            bound: EnumerationBound::EmptyPages(6),
            items: 0,
            responses: 6,
            ref operation,
        }) => assert_eq!(operation, "EnumerateInstances"),
        other => panic!("expected the empty-page bound, got {other:?}"),
    }
    assert!(s.next().await.is_none(), "the stream ends after the bound");
    drop(s);
    // 1 Open + 5 Pulls, then the context is closed.
    assert_eq!(count_ops(&server, "OpenEnumerateInstances"), 1);
    assert_eq!(count_ops(&server, "PullInstancesWithPath"), 5);
    assert!(
        wait_for(|| closes.load(Ordering::SeqCst) == 1).await,
        "CloseEnumeration sent"
    );
}

#[tokio::test]
async fn endless_full_pages_end_at_the_item_limit() {
    let (handler, closes) = endless(40);
    let (server, client, _dir) = start(handler).await;
    let limits = EnumerationLimits::default().max_items(100);
    let mut s = client
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &OpenOptions::new().max_object_count(40),
        )
        .with_limits(limits);
    let mut ids = Vec::new();
    let err = loop {
        match s.next().await {
            Some(Ok(i)) => ids.push(i.get::<String>("DeviceID").unwrap()),
            Some(Err(e)) => break e,
            None => panic!("an endless enumeration cannot end normally"),
        }
    };
    assert_eq!(ids.len(), 100);
    assert_eq!(ids[99], "000099");
    assert!(
        matches!(
            err,
            smis::Error::EnumerationBound {
                bound: EnumerationBound::Items(100),
                items: 100,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("more than its limit of 100 items"),
        "{err}"
    );
    drop(s);
    assert_eq!(count_ops(&server, "PullInstancesWithPath"), 2);
    assert!(wait_for(|| closes.load(Ordering::SeqCst) == 1).await);
}

#[tokio::test]
async fn endless_full_pages_end_at_the_deadline() {
    let (handler, closes) = endless(25);
    let (server, client, _dir) = start(handler).await;
    let limits = EnumerationLimits::default()
        .deadline(Duration::from_millis(300))
        .max_items(None);
    let mut s = client
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &Default::default(),
        )
        .with_limits(limits);
    let mut n = 0u64;
    let err = loop {
        match s.next().await {
            Some(Ok(_)) => n += 1,
            Some(Err(e)) => break e,
            None => panic!("an endless enumeration cannot end normally"),
        }
    };
    assert!(n > 0);
    assert!(err.is_timeout(), "{err:?}");
    match &err {
        smis::Error::EnumerationBound {
            bound: EnumerationBound::Deadline(d),
            items,
            ..
        } => {
            assert_eq!(*d, Duration::from_millis(300));
            assert_eq!(*items, n);
        }
        other => panic!("{other:?}"),
    }
    drop(s);
    assert!(count_ops(&server, "PullInstancesWithPath") > 0);
    assert!(wait_for(|| closes.load(Ordering::SeqCst) == 1).await);
}

#[tokio::test]
async fn client_wide_limits_apply_to_every_stream() {
    let (handler, _closes) = endless(0);
    let dir = TempDir::new("bounds-client");
    let ca = Ca::new("bounds CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    let server = support::spawn(Some(support::server_config(&leaf)), handler).await;
    let client = Client::builder(server.https_url())
        .tls(TlsOptions::ca_file(&ca_file))
        .enumeration_limits(EnumerationLimits::default().max_empty_pages(2))
        .build()
        .unwrap();
    let r: Vec<_> = client
        .enumerate_instance_paths_stream("CIM_StorageVolume", None, &Default::default())
        .collect()
        .await;
    assert_eq!(r.len(), 1);
    assert!(matches!(
        r[0],
        Err(smis::Error::EnumerationBound {
            bound: EnumerationBound::EmptyPages(3),
            ..
        })
    ));
}

#[tokio::test]
async fn recording_appends_one_manifest_line_per_exchange() {
    let (handler, _closes) = endless(3);
    let (_server, client, dir) = start(handler).await;
    let rec_dir = dir.path().join("rec");
    let rec = Client::record(&client, &rec_dir).unwrap();
    let mut s = rec
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &OpenOptions::new().max_object_count(3),
        )
        .with_limits(EnumerationLimits::default().max_items(9));
    while let Some(Ok(_)) = s.next().await {}
    drop(s);
    // The manifest is JSON lines: two header lines (the second adds the namespace), then
    // one line per exchange: Open + 3 Pulls (the 10th item shows the limit is passed),
    // and the CloseEnumeration once it is sent.
    let path = rec_dir.join("manifest.jsonl");
    assert!(wait_for(|| std::fs::read_to_string(&path).unwrap().lines().count() == 7).await);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("\"version\":1"), "{}", lines[0]);
    assert!(lines[3].contains("\"seq\":2"), "{}", lines[3]);
    assert!(!rec_dir.join("manifest.json").exists());
    let m = Manifest::load(&rec_dir).unwrap();
    let ops: Vec<_> = m.exchanges.iter().map(|x| x.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "OpenEnumerateInstances",
            "PullInstancesWithPath",
            "PullInstancesWithPath",
            "PullInstancesWithPath",
            "CloseEnumeration"
        ]
    );
    assert_eq!(m.default_namespace.as_deref(), Some("root/cimv2"));
    // And it replays.
    let replayed = Client::replay(&rec_dir).unwrap();
    let got: Vec<_> = replayed
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &OpenOptions::new().max_object_count(3),
        )
        .with_limits(EnumerationLimits::default().max_items(9))
        .collect()
        .await;
    assert_eq!(got.iter().filter(|r| r.is_ok()).count(), 9);
}
