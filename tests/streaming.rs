//! Responses decoded while they arrive: the incremental decoder against the whole-document
//! decoder, a 100 MB non-pull enumeration at bounded memory (the decoder's own high-water
//! mark), late CIM errors in chunked trailers, and the connection limit under load.

mod support;

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::Full;
use smis::Client;
use smis::cim::CimName;
use smis::message::{IReturn, Intrinsic, Response, ReturnKind};
use smis::transport::TlsOptions;
use smis::xml::{DecodeLimits, ResponseStreamDecoder, ReturnItem, StreamEvent, decode_response};
use support::{Ca, Handler, Raw, SeenRequest, TempDir, Validity};

/// Decodes `body` in chunks of `chunk` bytes; returns the items and the skeleton decoded.
fn stream_decode(body: &[u8], kind: ReturnKind, chunk: usize) -> (Vec<ReturnItem>, usize) {
    let mut d = ResponseStreamDecoder::new(kind, DecodeLimits::default());
    let mut items = Vec::new();
    for c in body.chunks(chunk) {
        d.push(c).unwrap();
        loop {
            match d.next_event().unwrap() {
                StreamEvent::Item(i) => items.push(i),
                StreamEvent::Envelope(doc) => {
                    // Pull responses carry their EndOfSequence after IRETURNVALUE.
                    let pull = matches!(
                        kind,
                        ReturnKind::PullInstancesWithPath
                            | ReturnKind::PullInstances
                            | ReturnKind::PullPaths
                    );
                    if !pull {
                        decode_response(&doc, &DecodeLimits::default()).unwrap();
                    }
                }
                StreamEvent::NeedMore => break,
            }
        }
    }
    let skeleton = d.finish().unwrap();
    decode_response(&skeleton, &DecodeLimits::default()).unwrap();
    (items, d.high_water_mark())
}

fn whole(body: &[u8]) -> (String, Vec<ReturnItem>) {
    let r = decode_response(body, &DecodeLimits::default()).unwrap();
    let Response::Intrinsic { name, result } = r.response else {
        panic!("not intrinsic")
    };
    let items = match result.unwrap() {
        IReturn::Instances(v) => v.into_iter().map(ReturnItem::Instance).collect(),
        IReturn::InstanceNames(v) | IReturn::ObjectPaths(v) => {
            v.into_iter().map(ReturnItem::Path).collect()
        }
        IReturn::Objects(v) => v.into_iter().map(ReturnItem::Object).collect(),
        IReturn::Classes(v) => v.into_iter().map(ReturnItem::Class).collect(),
        IReturn::ClassNames(v) => v.into_iter().map(ReturnItem::ClassName).collect(),
        IReturn::QualifierDecls(v) => v.into_iter().map(ReturnItem::QualifierDecl).collect(),
        IReturn::PullInstances(p) => p.items.into_iter().map(ReturnItem::Instance).collect(),
        IReturn::PullPaths(p) => p.items.into_iter().map(ReturnItem::Path).collect(),
        IReturn::Instance(i) => vec![ReturnItem::Instance(i)],
        IReturn::InstanceName(p) => vec![ReturnItem::Path(p)],
        IReturn::Class(c) => vec![ReturnItem::Class(c)],
        IReturn::QualifierDecl(q) => vec![ReturnItem::QualifierDecl(q)],
        IReturn::Nothing => vec![],
        other => panic!("a result shape this test does not know: {other:?}"),
    };
    (name, items)
}

#[test]
fn incremental_decoding_matches_whole_document_decoding_on_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if !f.to_string_lossy().ends_with(".response.xml") {
                continue;
            }
            let body = std::fs::read(&f).unwrap();
            let Ok(r) = decode_response(&body, &DecodeLimits::default()) else {
                continue;
            };
            if !matches!(r.response, Response::Intrinsic { result: Ok(_), .. }) {
                continue;
            }
            let (name, expected) = whole(&body);
            let kind = ReturnKind::for_operation(&name).unwrap();
            use ReturnKind as K;
            if matches!(
                kind,
                K::Instance | K::InstanceName | K::Class | K::QualifierDecl
            ) {
                continue; // one object: nothing to stream
            }
            for chunk in [1, 7, 64, 4096, body.len().max(1)] {
                let (got, _) = stream_decode(&body, kind, chunk);
                assert_eq!(got, expected, "{} in chunks of {chunk}", f.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} fixtures checked");
}

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="MSGID" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstances"><IRETURNVALUE>
"#;
const TAIL: &str = "</IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>\n";

/// One VALUE.NAMEDINSTANCE of about 1 KB.
fn volume(n: usize) -> String {
    format!(
        r#"<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="SIMS_StorageVolume"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">SIMS_StorageVolume</KEYVALUE></KEYBINDING><KEYBINDING NAME="DeviceID"><KEYVALUE VALUETYPE="string">{n:08}</KEYVALUE></KEYBINDING><KEYBINDING NAME="SystemCreationClassName"><KEYVALUE VALUETYPE="string">SIMS_StorageSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="SystemName"><KEYVALUE VALUETYPE="string">SIMS-ARRAY-0001</KEYVALUE></KEYBINDING></INSTANCENAME><INSTANCE CLASSNAME="SIMS_StorageVolume"><PROPERTY NAME="DeviceID" TYPE="string"><VALUE>{n:08}</VALUE></PROPERTY><PROPERTY NAME="ElementName" TYPE="string"><VALUE>volume &amp; data {n}</VALUE></PROPERTY><PROPERTY NAME="BlockSize" TYPE="uint64"><VALUE>512</VALUE></PROPERTY><PROPERTY NAME="NumberOfBlocks" TYPE="uint64"><VALUE>{blocks}</VALUE></PROPERTY><PROPERTY.ARRAY NAME="OperationalStatus" TYPE="uint16"><VALUE.ARRAY><VALUE>2</VALUE></VALUE.ARRAY></PROPERTY.ARRAY><PROPERTY NAME="Caption" TYPE="string"><VALUE>A volume of the simulated array, padded to about one kilobyte of CIM-XML per instance for the streaming test.</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE>
"#,
        blocks = 2048 * (n % 1000 + 1)
    )
}

fn big_body(target: usize) -> (Bytes, usize) {
    let mut s = String::with_capacity(target + 4096);
    s.push_str(HEAD);
    let mut n = 0;
    while s.len() < target {
        s.push_str(&volume(n));
        n += 1;
    }
    s.push_str(TAIL);
    (Bytes::from(s), n)
}

fn xml(status: u16, body: Bytes) -> http::Response<Full<Bytes>> {
    http::Response::builder()
        .status(status)
        .header("Content-Type", "application/xml; charset=utf-8")
        .header("CIMOperation", "MethodResponse")
        .body(Full::new(body))
        .unwrap()
}

fn method(r: &SeenRequest) -> String {
    r.headers
        .get("CIMMethod")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

const NOT_SUPPORTED: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="MSGID" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="OpenEnumerateInstances"><ERROR CODE="7" DESCRIPTION="pull operations are not supported"/></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;

/// A server without pull support whose EnumerateInstances answers `body`.
fn no_pull_server(body: Bytes) -> Handler {
    Arc::new(move |r: &SeenRequest| match method(r).as_str() {
        "EnumerateInstances" => xml(200, body.clone()),
        _ => xml(200, Bytes::from_static(NOT_SUPPORTED.as_bytes())),
    })
}

async fn tls_client(handler: Handler, max_response: u64) -> (support::Server, Client, TempDir) {
    let dir = TempDir::new("stream");
    let ca = Ca::new("stream CA");
    let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
    let ca_file = dir.write("ca.pem", &ca.cert_pem);
    let server = support::spawn(Some(support::server_config(&leaf)), handler).await;
    let client = Client::builder(server.https_url())
        .tls(TlsOptions::ca_file(&ca_file))
        .max_response_bytes(max_response)
        .build()
        .unwrap();
    (server, client, dir)
}

#[tokio::test]
async fn a_100_mb_non_pull_enumeration_streams_in_bounded_memory() {
    let (body, n) = big_body(100 * 1024 * 1024);
    let size = body.len();
    // The response limit (4 MiB) applies to what is held at once, not to the 100 MB body.
    let (server, client, _dir) = tls_client(no_pull_server(body), 4 * 1024 * 1024).await;
    let mut s = client.enumerate_instances_stream(
        "SIMS_StorageVolume",
        &Default::default(),
        &Default::default(),
    );
    let mut count = 0usize;
    let mut blocks = 0u64;
    while let Some(i) = s.next().await {
        let i = i.unwrap();
        if count == 0 || count == n - 1 {
            let want = format!("{count:08}");
            assert_eq!(i.get::<String>("DeviceID").unwrap(), want);
            let p = i.path.as_ref().unwrap();
            assert_eq!(p.namespace.as_deref(), Some("root/cimv2"));
            assert_eq!(p.key("DeviceID").unwrap().to_string(), want);
        }
        blocks += i.get::<u64>("NumberOfBlocks").unwrap();
        count += 1;
    }
    assert_eq!(count, n);
    let expected: u64 = (0..n).map(|k| 2048 * (k as u64 % 1000 + 1)).sum();
    assert_eq!(blocks, expected);
    let hwm = s.high_water_mark();
    eprintln!("{size} bytes, {n} instances, decoder high-water mark {hwm} bytes");
    assert!(hwm > 1000, "the decoder held at least one object: {hwm}");
    assert!(
        hwm < 1024 * 1024,
        "held {hwm} bytes of a {size}-byte response"
    );
    // The same response read whole goes past the 4 MiB limit.
    let err = client
        .enumerate_instances("SIMS_StorageVolume", &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, smis::Error::ResponseTooLarge { .. }),
        "{err:?}"
    );
    drop(server);
}

#[tokio::test]
async fn one_object_larger_than_the_limit_is_an_error() {
    let mut s = String::from(HEAD);
    s.push_str(&volume(0).replace("A volume", &"x".repeat(64 * 1024)));
    s.push_str(TAIL);
    let (_server, client, _dir) = tls_client(no_pull_server(Bytes::from(s)), 16 * 1024).await;
    let r: Vec<_> = client
        .enumerate_instances_stream(
            "SIMS_StorageVolume",
            &Default::default(),
            &Default::default(),
        )
        .collect()
        .await;
    assert_eq!(r.len(), 1);
    match &r[0] {
        Err(smis::Error::Decode(e)) => {
            assert_eq!(e.kind, smis::xml::DecodeErrorKind::TooLarge, "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn streamed_error_element_and_wrong_operation_are_typed_errors() {
    let err_body = r#"<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstanceNames"><ERROR CODE="5" DESCRIPTION="no such class"/></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;
    let handler: Handler =
        Arc::new(move |_r: &SeenRequest| xml(200, Bytes::from_static(err_body.as_bytes())));
    let (_server, client, _dir) = tls_client(handler, 1 << 20).await;
    let op = Intrinsic::EnumerateInstanceNames {
        class_name: CimName::new("CIM_Nope"),
    };
    let r: Vec<_> = client.intrinsic_stream("root/cimv2", op).collect().await;
    assert_eq!(r.len(), 1);
    match &r[0] {
        Err(e @ smis::Error::Cim { .. }) => {
            assert_eq!(e.cim_status(), Some(smis::CimStatus::InvalidClass));
        }
        other => panic!("{other:?}"),
    }
    // A response that answers another operation is refused before any object is used.
    let other = HEAD.replace("EnumerateInstances", "EnumerateInstanceNames") + TAIL;
    let handler: Handler = Arc::new(move |_r: &SeenRequest| xml(200, Bytes::from(other.clone())));
    let (_server, client, _dir) = tls_client(handler, 1 << 20).await;
    let op = Intrinsic::EnumerateInstances {
        class_name: CimName::new("CIM_X"),
        local_only: None,
        deep_inheritance: None,
        include_qualifiers: None,
        include_class_origin: None,
        property_list: None,
    };
    let r: Vec<_> = client.intrinsic_stream("root/cimv2", op).collect().await;
    assert!(
        matches!(r[..], [Err(smis::Error::UnexpectedResponse(_))]),
        "{r:?}"
    );
}

/// A chunked 200 response whose body stops inside IRETURNVALUE, followed by a
/// `CIMStatusCode` trailer (OpenPegasus' way of failing late).
fn chunked_with_trailer(objects: usize) -> Vec<u8> {
    let mut body = String::from(HEAD);
    for k in 0..objects {
        body.push_str(&volume(k));
    }
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\nTrailer: CIMStatusCode, CIMStatusCodeDescription\r\nConnection: close\r\n\r\n".to_vec();
    for piece in body.as_bytes().chunks(700) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        b"0\r\nCIMStatusCode: 27\r\nCIMStatusCodeDescription: provider%20ran%20out%20of%20memory\r\n\r\n",
    );
    out
}

#[tokio::test]
async fn a_late_trailer_error_ends_the_stream_as_a_cim_error() {
    let server = support::spawn_raw(Raw::RespondAndClose(chunked_with_trailer(5))).await;
    let client = Client::builder(server.http_url()).build().unwrap();
    let op = Intrinsic::EnumerateInstances {
        class_name: CimName::new("SIMS_StorageVolume"),
        local_only: None,
        deep_inheritance: None,
        include_qualifiers: None,
        include_class_origin: None,
        property_list: None,
    };
    let r: Vec<_> = client.intrinsic_stream("root/cimv2", op).collect().await;
    assert_eq!(r.len(), 6, "{r:?}");
    assert!(r[..5].iter().all(Result::is_ok));
    match &r[5] {
        Err(smis::Error::Cim {
            status,
            description,
            ..
        }) => {
            assert_eq!(*status, smis::CimStatus::ServerLimitsExceeded);
            assert_eq!(description.as_deref(), Some("provider ran out of memory"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn never_more_connections_than_the_limit_under_128_concurrent_requests() {
    let small = Bytes::from(format!("{HEAD}{}{TAIL}", volume(1)));
    for (limit, expect_max) in [(None, 8usize), (Some(3), 3)] {
        let dir = TempDir::new("conns");
        let ca = Ca::new("conn CA");
        let leaf = ca.issue_server(&["127.0.0.1"], Validity::Current);
        let ca_file = dir.write("ca.pem", &ca.cert_pem);
        let server = support::spawn(
            Some(support::server_config(&leaf)),
            no_pull_server(small.clone()),
        )
        .await;
        let mut b = Client::builder(server.https_url()).tls(TlsOptions::ca_file(&ca_file));
        if let Some(l) = limit {
            b = b.max_connections(l);
        }
        let client = b.build().unwrap();
        let tasks: Vec<_> = (0..128)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move {
                    c.enumerate_instances("SIMS_StorageVolume", &Default::default())
                        .await
                        .map(|v| v.len())
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 1);
        }
        let opened = server.connection_count();
        eprintln!("limit {expect_max}: {opened} connections for 128 concurrent requests");
        assert!(
            opened >= 1 && opened <= expect_max,
            "{opened} > {expect_max}"
        );
        assert_eq!(server.requests.lock().unwrap().len(), 128);
        // Sequential requests afterwards reuse the idle connections: no new one.
        for _ in 0..10 {
            client
                .enumerate_instances("SIMS_StorageVolume", &Default::default())
                .await
                .unwrap();
        }
        assert_eq!(server.connection_count(), opened);
    }
}

/// Objects whose end tag also stands inside CDATA or a comment, or is written with
/// white space before `>`: the streamed objects are the whole document's, in any chunking
/// (the fast path that looks for the end tag must fall back to the tokenizer there).
#[test]
fn end_tags_inside_cdata_comments_and_with_white_space_split_correctly() {
    let prop = |name: &str, value: &str| {
        format!(r#"<PROPERTY NAME="{name}" TYPE="string"><VALUE>{value}</VALUE></PROPERTY>"#)
    };
    let named = |i: usize, inner: &str, close: &str| {
        format!(
            r#"<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="CIM_X"><KEYBINDING NAME="Id"><KEYVALUE VALUETYPE="string">{i}</KEYVALUE></KEYBINDING></INSTANCENAME><INSTANCE CLASSNAME="CIM_X">{}{inner}</INSTANCE>{close}"#,
            prop("Id", &i.to_string())
        )
    };
    let body = format!(
        "{HEAD}{}\n{}\r\n{}<!-- between -->{}{}{TAIL}",
        named(
            0,
            &prop("A", "<![CDATA[</VALUE.NAMEDINSTANCE>]]>"),
            "</VALUE.NAMEDINSTANCE>"
        ),
        named(
            1,
            "<!-- </VALUE.NAMEDINSTANCE> -->",
            "</VALUE.NAMEDINSTANCE  \r\n>"
        ),
        named(
            2,
            &prop("B", "a &lt;/VALUE.NAMEDINSTANCE&gt; b"),
            "</VALUE.NAMEDINSTANCE>"
        ),
        named(3, "", "</VALUE.NAMEDINSTANCE\t>"),
        named(4, &prop("C", "x"), "</VALUE.NAMEDINSTANCE>"),
    );
    let (_, expected) = whole(body.as_bytes());
    assert_eq!(expected.len(), 5);
    for chunk in [1, 2, 3, 7, 64, body.len()] {
        let (got, _) = stream_decode(body.as_bytes(), ReturnKind::NamedInstances, chunk);
        assert_eq!(got, expected, "chunks of {chunk}");
    }
}

/// An object cut off before its end tag is an error, not a shorter enumeration.
#[test]
fn an_object_without_its_end_tag_is_an_error() {
    let body = format!(
        "{HEAD}<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME=\"CIM_X\"/><INSTANCE CLASSNAME=\"CIM_X\"></INSTANCE></VALUE.NAMEDINSTANC></IRETURNVALUE>"
    );
    let mut d = ResponseStreamDecoder::new(ReturnKind::NamedInstances, DecodeLimits::default());
    d.push(body.as_bytes()).unwrap();
    let mut failed = false;
    loop {
        match d.next_event() {
            Ok(StreamEvent::NeedMore) => break,
            Ok(StreamEvent::Item(i)) => panic!("no object may come out: {i:?}"),
            Ok(StreamEvent::Envelope(_)) => {}
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed || d.finish().is_err());
}
