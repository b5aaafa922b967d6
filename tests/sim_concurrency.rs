//! The simulated provider under concurrent load over loopback HTTPS: many tasks cloning at
//! once; capacity is neither lost nor double-counted. And DSP0200 header checks.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use smis::smis::{CloneRequest, Discovery, DiscoveryOptions, WaitOptions};
use smis::transport::http::{HttpTransport, HttpTransportConfig};
use smis::transport::tls::TlsOptions;
use smis::transport::{HttpRequest, Transport};
use smis::{Client, Credentials, Error};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "concurrency-Pw-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clones_keep_capacity_consistent() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = 200;
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).unwrap();
    let c = Client::builder(sim.url())
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .operation_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let d = Discovery::run(&c, &DiscoveryOptions::default())
        .await
        .unwrap();
    let a = d.array_handle(&c, 0).unwrap();
    // vol-3 (4 GiB) lives in the 16 GiB pool P2: only some of 8 clones can fit.
    let src = a
        .volumes()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.device_id == "vol-3")
        .unwrap();
    let size = src.block_size * src.number_of_blocks;
    let before = sim.provider().pool_remaining("P2").unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let a = a.clone();
        let src = src.clone();
        tasks.push(tokio::spawn(async move {
            a.create_clone(
                &src,
                CloneRequest {
                    wait: WaitOptions {
                        poll_interval: Duration::from_millis(30),
                        max_interval: Duration::from_millis(100),
                        deadline: Duration::from_secs(30),
                        ..WaitOptions::default()
                    },
                    ..CloneRequest::full_clone(format!("c{i}"))
                },
            )
            .await
        }));
    }
    let mut ok = 0u64;
    let mut failed = 0u64;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::JobFailed(_)) | Err(Error::MethodFailed { .. }) => failed += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(ok + failed, 8);
    assert_eq!(
        ok,
        before / size,
        "exactly as many clones as fit: {before} / {size}"
    );
    let after = sim.provider().pool_remaining("P2").unwrap();
    assert_eq!(after, before - ok * size);
    // The client's view agrees with the provider's books.
    let p2 = a
        .pools()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.pool_id.as_deref() == Some("P2"))
        .unwrap();
    assert_eq!(p2.remaining_managed_space, Some(after));
    sim.shutdown().await;
}

#[tokio::test]
async fn header_that_contradicts_the_body_is_400_header_mismatch() {
    let sim =
        Simulator::start(SimulatorConfig::new(Scenario::builtin("default").unwrap())).unwrap();
    let t = HttpTransport::new(
        HttpTransportConfig::parse(&sim.url())
            .unwrap()
            .with_tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap()),
    )
    .unwrap();
    let body = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateClassNames"><LOCALNAMESPACEPATH><NAMESPACE NAME="interop"/></LOCALNAMESPACEPATH></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;
    let send = |method: &'static str, body: &'static str| {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("cimoperation"),
            HeaderValue::from_static("MethodCall"),
        );
        h.insert(
            HeaderName::from_static("cimmethod"),
            HeaderValue::from_static(method),
        );
        h.insert(
            HeaderName::from_static("cimobject"),
            HeaderValue::from_static("interop"),
        );
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        );
        t.send(HttpRequest {
            path: "/cimom".into(),
            headers: h,
            body: Bytes::from_static(body.as_bytes()),
        })
    };
    let ok = send("EnumerateClassNames", body).await.unwrap();
    assert_eq!(ok.status, 200);
    let bad = send("GetClass", body).await.unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(bad.headers.get("cimerror").unwrap(), "header-mismatch");
    let broken = send("EnumerateClassNames", "<CIM><oops").await.unwrap();
    assert_eq!(broken.status, 400);
    assert_eq!(
        broken.headers.get("cimerror").unwrap(),
        "request-not-well-formed"
    );
    sim.shutdown().await;
}
