//! Indication benchmarks (`cargo bench --bench indications`), all on loopback, each figure
//! next to a baseline measured in the same run:
//!
//! 1. ExportIndications accepted per second by `smis::indication::Listener` over HTTPS
//!    keep-alive (4 connections, requests in sequence on each), against a bare hyper HTTPS
//!    server that answers every POST with a fixed 200 (no CIM-XML work) as the ceiling.
//! 2. Job completion detected by `Job::wait` through a job-state indication vs polling at the
//!    default interval (1 s, x1.5 backoff): time from the job's end to `wait` returning, and
//!    GetInstance requests sent.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use smis::indication::{JobListener, Listener, ListenerConfig, ListenerTls};
use smis::smis::{CloneRequest, CloneStarted, Discovery, DiscoveryOptions, WaitOptions};
use smis::transport::tls::TlsOptions;
use smis::{Client, Credentials};
use smis_sim::{Scenario, Simulator, SimulatorConfig};

const CONNECTIONS: usize = 4;
const PER_CONNECTION: usize = 5_000;
const TARGET_PER_SEC: f64 = 5_000.0;

fn body(c: usize, n: usize) -> Bytes {
    Bytes::from(format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="{n}" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="CIM_InstModification"><PROPERTY NAME="IndicationTime" TYPE="datetime"><VALUE>20261130214110.346591+000</VALUE></PROPERTY><PROPERTY NAME="SourceInstance" TYPE="string" EmbeddedObject="object"><VALUE>&lt;INSTANCE CLASSNAME="CIM_ConcreteJob"&gt;&lt;PROPERTY NAME="InstanceID" TYPE="string"&gt;&lt;VALUE&gt;JOB:{n}&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;PROPERTY NAME="JobState" TYPE="uint16"&gt;&lt;VALUE&gt;7&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</VALUE></PROPERTY><PROPERTY NAME="SequenceContext" TYPE="string"><VALUE>bench#{c}</VALUE></PROPERTY><PROPERTY NAME="SequenceNumber" TYPE="sint64"><VALUE>{n}</VALUE></PROPERTY></INSTANCE></EXPPARAMVALUE></EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>"#
    ))
}

fn tls_pair() -> (String, String, rustls::pki_types::CertificateDer<'static>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem(), cert.der().clone())
}

fn client_config(der: rustls::pki_types::CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

/// Sends CONNECTIONS x PER_CONNECTION export requests; returns requests per second.
async fn blast(addr: SocketAddr, cfg: Arc<rustls::ClientConfig>) -> f64 {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let cfg = cfg.clone();
        tasks.push(tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let tls = tokio_rustls::TlsConnector::from(cfg)
                .connect("127.0.0.1".try_into().unwrap(), tcp)
                .await
                .unwrap();
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .unwrap();
            tokio::spawn(conn);
            for i in 0..PER_CONNECTION {
                // One SequenceContext per connection: sequence numbers are per sender stream.
                let (n, c) = (i, c);
                let req = hyper::Request::post("/")
                    .header("Host", "127.0.0.1")
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .header("CIMExport", "MethodRequest")
                    .header("CIMExportMethod", "ExportIndication")
                    .body(Full::new(body(c, n)))
                    .unwrap();
                send.ready().await.unwrap();
                let resp = send.send_request(req).await.unwrap();
                assert_eq!(resp.status(), 200);
                let b = resp.into_body().collect().await.unwrap().to_bytes();
                assert!(!b.windows(6).any(|w| w == b"<ERROR"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (CONNECTIONS * PER_CONNECTION) as f64 / start.elapsed().as_secs_f64()
}

async fn bare_server(cert_pem: &str, key_pem: &str) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    let certs =
        vec![rustls::pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap()];
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (s, _) = tcp.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(s).await else {
                    return;
                };
                let svc = hyper::service::service_fn(
                    |req: hyper::Request<hyper::body::Incoming>| async move {
                        let _ = req.into_body().collect().await;
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                            b"ok",
                        ))))
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    addr
}

async fn throughput() {
    let (cert_pem, key_pem, der) = tls_pair();
    let cfg = client_config(der);
    let baseline_addr = bare_server(&cert_pem, &key_pem).await;
    let baseline = blast(baseline_addr, cfg.clone()).await;

    let tls = ListenerTls::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let mut listener = Listener::bind(ListenerConfig::https("127.0.0.1:0".parse().unwrap(), tls))
        .await
        .unwrap();
    let addr = listener.handle().local_addr();
    let consumed = Arc::new(AtomicUsize::new(0));
    let c2 = consumed.clone();
    let drain = tokio::spawn(async move {
        while let Some(i) = listener.next().await {
            std::hint::black_box(&i);
            if c2.fetch_add(1, Ordering::Relaxed) + 1 == CONNECTIONS * PER_CONNECTION {
                break;
            }
        }
    });
    let rate = blast(addr, cfg).await;
    drain.await.unwrap();
    println!("indications/s over HTTPS keep-alive ({CONNECTIONS} connections x {PER_CONNECTION}):");
    println!("  bare hyper+rustls server (ceiling)   {baseline:>10.0} req/s");
    println!(
        "  smis Listener (decode, queue, seq)   {rate:>10.0} /s   = {:.2} x ceiling, {:.2} x the 5,000/s target",
        rate / baseline,
        rate / TARGET_PER_SEC
    );
    assert_eq!(
        consumed.load(Ordering::Relaxed),
        CONNECTIONS * PER_CONNECTION
    );
}

async fn job_latency() {
    const CLONE_MS: u64 = 2_000;
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = CLONE_MS;
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", "bench")).unwrap();
    let client = Client::builder(sim.url())
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .credentials(Credentials::new("admin", "bench".to_string()))
        .build()
        .unwrap();
    let array = Discovery::run(&client, &DiscoveryOptions::default())
        .await
        .unwrap()
        .array_handle(&client, 0)
        .unwrap();
    let src = array.volumes().await.unwrap().remove(0);
    let jobs = JobListener::start(
        &client,
        ListenerConfig::http("127.0.0.1:0".parse().unwrap()),
        None,
        "root/smis-sim",
    )
    .await
    .unwrap();
    let mut results = Vec::new();
    for (label, with_indications) in [("polling (1 s, x1.5)", false), ("indication", true)] {
        let started = Instant::now();
        let job = match array
            .start_clone(
                &src,
                &CloneRequest::full_clone(format!("bench-{with_indications}")),
            )
            .await
            .unwrap()
        {
            CloneStarted::Job(j) => j,
            CloneStarted::Done(_) => panic!("expected a job"),
        };
        let reads = Arc::new(AtomicUsize::new(0));
        let r2 = reads.clone();
        let mut opts = WaitOptions {
            progress: Some(Arc::new(move |_| {
                r2.fetch_add(1, Ordering::Relaxed);
            })),
            ..WaitOptions::default()
        };
        if with_indications {
            opts = jobs.wait_options(opts);
        }
        job.wait(&opts).await.unwrap();
        let after_end = started
            .elapsed()
            .saturating_sub(Duration::from_millis(CLONE_MS));
        results.push((label, after_end, reads.load(Ordering::Relaxed)));
    }
    println!("job completion ({CLONE_MS} ms clone job), end of job -> wait returns:");
    for (label, lat, reads) in &results {
        println!(
            "  {label:<22} {:>8.1} ms   {reads} GetInstance requests",
            lat.as_secs_f64() * 1000.0
        );
    }
    let (p, i) = (
        results[0].1.as_secs_f64(),
        results[1].1.as_secs_f64().max(1e-4),
    );
    println!(
        "  indication is {:.0}x faster, with {} vs {} requests",
        p / i,
        results[1].2,
        results[0].2
    );
    jobs.close().await.unwrap();
    sim.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        throughput().await;
        job_latency().await;
    });
}
