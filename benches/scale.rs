//! Scale benchmarks, each printing figures and ratios measured in the same run (no timed
//! assertions):
//!
//! - `stream`: a non-pull EnumerateInstances of N instances (default 100,000, about 3.6 KB
//!   each) served by a loopback HTTP server that generates the body as it sends it; the
//!   streamed enumeration against the whole-response one: MB/s and peak RSS of each.
//! - `conns`: 1, 8, 32 and 128 requests in flight against the simulated provider: TCP
//!   connections opened and requests/s with the default limit (8) against a client allowed
//!   as many connections as requests in flight.
//! - `decode`: counting the objects of a 20,000-instance response while streaming it
//!   (what `smis decode --output summary` does) against the library's whole-document
//!   decoder on the same bytes.
//! - `fleet`: N simulated arrays (default 1,000) in this process; RSS per idle client and
//!   the wall time and peak RSS of a fleet poll (discovery + pools + volumes).
//!
//! Run `cargo bench --bench scale -- all` (or one of the names; `SMIS_BENCH_INSTANCES`,
//! `SMIS_BENCH_ARRAYS` change the sizes). Peak RSS is read from `/proc/self/status`
//! (VmHWM, reset between phases through `/proc/self/clear_refs`), so it is Linux only.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use smis::Client;
use smis::client::{EnumerationLimits, OpenOptions};
use smis::message::ReturnKind;
use smis::smis::{FleetOptions, FleetTarget, poll_fleet};
use smis::transport::TlsOptions;
use smis::xml::{DecodeLimits, ResponseStreamDecoder, StreamEvent, decode_response};
use smis_sim::{Scenario, SimFleet, Simulator, SimulatorConfig};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn rss_mb() -> f64 {
    status_kb("VmRSS:") as f64 / 1024.0
}

fn peak_mb() -> f64 {
    status_kb("VmHWM:") as f64 / 1024.0
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\">\n<MESSAGE ID=\"1001\" PROTOCOLVERSION=\"1.0\">\n<SIMPLERSP>\n<IMETHODRESPONSE NAME=\"EnumerateInstances\">\n<IRETURNVALUE>\n";
const TAIL: &str = "</IRETURNVALUE>\n</IMETHODRESPONSE>\n</SIMPLERSP>\n</MESSAGE>\n</CIM>\n";

fn prop(out: &mut String, name: &str, ty: &str, value: &str) {
    let _ = write!(
        out,
        "<PROPERTY NAME=\"{name}\" TYPE=\"{ty}\">\n<VALUE>{value}</VALUE>\n</PROPERTY>\n"
    );
}

/// One CIM_StorageVolume-like VALUE.NAMEDINSTANCE (about 3.6 KB), as in `benches/decode.rs`.
fn instance(out: &mut String, i: usize) {
    let dev = format!("600A0B800026B5B80000{i:08X}");
    let keys = [
        ("SystemCreationClassName", "XYZ_StorageSystem"),
        ("SystemName", "ARRAY-SN-0042-FC-8899"),
        ("CreationClassName", "XYZ_StorageVolume"),
        ("DeviceID", dev.as_str()),
    ];
    out.push_str("<VALUE.NAMEDINSTANCE>\n<INSTANCENAME CLASSNAME=\"XYZ_StorageVolume\">\n");
    for (k, v) in keys {
        let _ = write!(
            out,
            "<KEYBINDING NAME=\"{k}\">\n<KEYVALUE VALUETYPE=\"string\">{v}</KEYVALUE>\n</KEYBINDING>\n"
        );
    }
    out.push_str("</INSTANCENAME>\n<INSTANCE CLASSNAME=\"XYZ_StorageVolume\">\n");
    for (k, v) in keys {
        prop(out, k, "string", v);
    }
    prop(
        out,
        "Caption",
        "string",
        "Storage volume of the XYZ disk array",
    );
    prop(
        out,
        "Description",
        "string",
        "A logical unit exported by the array to hosts over Fibre Channel and iSCSI; thin provisioned from pool &quot;gold&quot;",
    );
    prop(
        out,
        "ElementName",
        "string",
        &format!("db-data-volume-{i:05}"),
    );
    prop(out, "Name", "string", &dev);
    prop(
        out,
        "InstanceID",
        "string",
        &format!("XYZ:ARRAY-SN-0042:{dev}"),
    );
    out.push_str("<PROPERTY.ARRAY NAME=\"OperationalStatus\" TYPE=\"uint16\">\n<VALUE.ARRAY>\n<VALUE>2</VALUE>\n<VALUE>32768</VALUE>\n</VALUE.ARRAY>\n</PROPERTY.ARRAY>\n");
    for (k, v) in [
        ("HealthState", "5"),
        ("EnabledState", "2"),
        ("RequestedState", "12"),
        ("EnabledDefault", "2"),
        ("PrimaryStatus", "1"),
        ("DetailedStatus", "0"),
        ("CommunicationStatus", "2"),
        ("OperatingStatus", "16"),
        ("DataRedundancy", "2"),
        ("PackageRedundancy", "1"),
        ("Usage", "2"),
        ("NameFormat", "2"),
    ] {
        prop(out, k, "uint16", v);
    }
    prop(out, "BlockSize", "uint64", "512");
    prop(
        out,
        "NumberOfBlocks",
        "uint64",
        &(2_147_483_648u64 + i as u64).to_string(),
    );
    prop(
        out,
        "ConsumableBlocks",
        "uint64",
        &(2_147_000_000u64 + i as u64).to_string(),
    );
    for (k, v) in [
        ("IsBasedOnUnderlyingRedundancy", "TRUE"),
        ("SequentialAccess", "FALSE"),
        ("ThinlyProvisioned", "TRUE"),
        ("Primordial", "FALSE"),
        ("NoSinglePointOfFailure", "TRUE"),
    ] {
        prop(out, k, "boolean", v);
    }
    prop(out, "InstallDate", "datetime", "20240115103000.000000+000");
    out.push_str("</INSTANCE>\n</VALUE.NAMEDINSTANCE>\n");
}

fn body_bytes(n: usize) -> usize {
    let mut s = String::new();
    instance(&mut s, 0);
    HEAD.len() + TAIL.len() + s.len() * n
}

const NOT_SUPPORTED: &str = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\"><MESSAGE ID=\"1001\" PROTOCOLVERSION=\"1.0\"><SIMPLERSP><IMETHODRESPONSE NAME=\"OpenEnumerateInstances\"><ERROR CODE=\"7\" DESCRIPTION=\"not supported\"/></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>";

/// A plain-HTTP loopback server without pull support whose EnumerateInstances body of `n`
/// instances is generated while it is sent (the server holds one batch at a time).
async fn generating_server(n: usize) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let service = service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| async move {
                        let method = req
                            .headers()
                            .get("CIMMethod")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let _ = req.into_body().collect().await;
                        let frames: futures::stream::BoxStream<
                            'static,
                            Result<Frame<Bytes>, Infallible>,
                        > = if method == "EnumerateInstances" {
                            let batches = n.div_ceil(64);
                            let head = futures::stream::once(async {
                                Ok(Frame::data(Bytes::from_static(HEAD.as_bytes())))
                            });
                            let body = futures::stream::iter(0..batches).map(move |b| {
                                let mut s = String::with_capacity(64 * 4096);
                                for i in b * 64..((b + 1) * 64).min(n) {
                                    instance(&mut s, i);
                                }
                                Ok(Frame::data(Bytes::from(s)))
                            });
                            let tail = futures::stream::once(async {
                                Ok(Frame::data(Bytes::from_static(TAIL.as_bytes())))
                            });
                            head.chain(body).chain(tail).boxed()
                        } else {
                            futures::stream::once(async {
                                Ok(Frame::data(Bytes::from_static(NOT_SUPPORTED.as_bytes())))
                            })
                            .boxed()
                        };
                        let response = hyper::Response::builder()
                            .header("Content-Type", "application/xml; charset=utf-8")
                            .header("CIMOperation", "MethodResponse")
                            .body(StreamBody::new(frames))
                            .unwrap();
                        Ok::<_, Infallible>(response)
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    addr
}

async fn bench_stream() {
    let n = env_usize("SMIS_BENCH_INSTANCES", 100_000);
    let size = body_bytes(n) as f64 / 1e6;
    let addr = generating_server(n).await;
    let client = Client::builder(format!("http://{addr}"))
        .max_response_bytes(4 << 30)
        .operation_timeout(Duration::from_secs(600))
        .enumeration_limits(EnumerationLimits::default().deadline(None))
        .build()
        .unwrap();
    println!("== stream: non-pull EnumerateInstances, {n} instances, {size:.1} MB body");
    let base = rss_mb();
    reset_peak();
    let t = Instant::now();
    let mut s = client.enumerate_instances_stream(
        "XYZ_StorageVolume",
        &Default::default(),
        &OpenOptions::default(),
    );
    let mut count = 0usize;
    while let Some(i) = s.next().await {
        i.unwrap();
        count += 1;
    }
    let stream_s = t.elapsed().as_secs_f64();
    let stream_peak = peak_mb();
    let hwm = s.high_water_mark();
    assert_eq!(count, n);
    drop(s);
    reset_peak();
    let t = Instant::now();
    let all = client
        .enumerate_instances("XYZ_StorageVolume", &Default::default())
        .await
        .unwrap();
    let mem_s = t.elapsed().as_secs_f64();
    let mem_peak = peak_mb();
    assert_eq!(all.len(), n);
    drop(all);
    println!("baseline RSS before both: {base:.1} MB");
    println!(
        "streamed:  {:.1} MB/s, {:.0} instances/s, peak RSS {stream_peak:.1} MB, decoder high-water mark {:.2} MB",
        size / stream_s,
        n as f64 / stream_s,
        hwm as f64 / 1e6
    );
    println!(
        "in memory: {:.1} MB/s, {:.0} instances/s, peak RSS {mem_peak:.1} MB",
        size / mem_s,
        n as f64 / mem_s
    );
    println!(
        "ratio streamed/in-memory: throughput {:.2}x, peak RSS {:.2}x",
        mem_s / stream_s,
        stream_peak / mem_peak
    );
}

async fn bench_conns() {
    let requests = env_usize("SMIS_BENCH_REQUESTS", 2000);
    println!(
        "== conns: {requests} EnumerateInstances(CIM_RegisteredProfile) against the simulator"
    );
    println!("in flight | limit 8: conns, req/s | limit = in flight: conns, req/s | ratio");
    for inflight in [1usize, 8, 32, 128] {
        let mut row = Vec::new();
        for limit in [8usize, inflight.max(1)] {
            let sim = Simulator::start(
                SimulatorConfig::new(Scenario::builtin("default").unwrap()).user("u", "p"),
            )
            .unwrap();
            let tls = TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap();
            let client = Client::builder(sim.url())
                .credentials(smis::Credentials::new("u", "p".to_string()))
                .tls(tls)
                .namespace("interop")
                .max_connections(limit)
                .build()
                .unwrap();
            let t = Instant::now();
            let per = requests / inflight;
            let tasks: Vec<_> = (0..inflight)
                .map(|_| {
                    let c = client.clone();
                    tokio::spawn(async move {
                        for _ in 0..per {
                            c.enumerate_instances("CIM_RegisteredProfile", &Default::default())
                                .await
                                .unwrap();
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            let rate = (per * inflight) as f64 / t.elapsed().as_secs_f64();
            row.push((sim.connections_accepted(), rate));
            sim.shutdown().await;
        }
        println!(
            "{inflight:>9} | {:>3}, {:>8.0} | {:>3}, {:>8.0} | {:.2}",
            row[0].0,
            row[0].1,
            row[1].0,
            row[1].1,
            row[0].1 / row[1].1
        );
    }
}

fn bench_decode() {
    let n = 20_000;
    let mut s = String::with_capacity(body_bytes(n));
    s.push_str(HEAD);
    for i in 0..n {
        instance(&mut s, i);
    }
    s.push_str(TAIL);
    let data = s.into_bytes();
    let mb = data.len() as f64 / 1e6;
    println!("== decode: {n} instances, {mb:.1} MB (best of 3)");
    let limits = DecodeLimits::default();
    let mut whole = f64::MAX;
    let mut streamed = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        // Both sides include dropping what they decoded (the streamed side drops each
        // object as it goes; the whole-document side drops the response at the end).
        let r = decode_response(&data, &limits).unwrap();
        drop(r);
        whole = whole.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut d = ResponseStreamDecoder::new(ReturnKind::NamedInstances, limits);
        let mut count = 0;
        for chunk in data.chunks(256 * 1024) {
            d.push(chunk).unwrap();
            loop {
                match d.next_event().unwrap() {
                    StreamEvent::Item(_) => count += 1,
                    StreamEvent::Envelope(_) => {}
                    StreamEvent::NeedMore => break,
                }
            }
        }
        decode_response(&d.finish().unwrap(), &limits).unwrap();
        assert_eq!(count, n);
        streamed = streamed.min(t.elapsed().as_secs_f64());
    }
    println!(
        "whole document: {:.0} MB/s; counted while streaming (decode --output summary): {:.0} MB/s; time ratio {:.2}x",
        mb / whole,
        mb / streamed,
        streamed / whole
    );
    decode_cli(&data, whole);
}

/// `smis decode FILE --output summary` as a process on the same bytes written to a file:
/// wall time against the library's whole-document decode (`whole`, seconds, measured above
/// on the same bytes in memory) and the process's peak RSS (`VmHWM`, sampled every 2 ms
/// until it exits) against the file size. The binary is `$SMIS_BIN`, else
/// `target/release/smis` (`cargo build --release -p smis-cli`).
fn decode_cli(data: &[u8], whole: f64) {
    let bin = std::env::var_os("SMIS_BIN").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/smis"),
        std::path::PathBuf::from,
    );
    if !bin.exists() {
        println!(
            "decode CLI: {} not found; build it with `cargo build --release -p smis-cli` (or set SMIS_BIN)",
            bin.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("smis-bench-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("enumerate-response.xml");
    std::fs::write(&file, data).unwrap();
    let mb = data.len() as f64 / 1e6;
    let mut best = f64::MAX;
    let mut peak_kb = 0u64;
    for _ in 0..3 {
        let t = Instant::now();
        let mut child = std::process::Command::new(&bin)
            .arg("decode")
            .arg(&file)
            .args(["--output", "summary"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let status_file = format!("/proc/{}/status", child.id());
        let mut hwm = 0u64;
        let status = loop {
            if let Ok(text) = std::fs::read_to_string(&status_file) {
                if let Some(kb) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    hwm = hwm.max(kb);
                }
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        assert!(status.success(), "smis decode failed: {status}");
        best = best.min(t.elapsed().as_secs_f64());
        peak_kb = peak_kb.max(hwm);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let peak_mb = peak_kb as f64 / 1024.0;
    println!(
        "`smis decode FILE --output summary` (process, best of 3): {:.0} MB/s, {:.2}x the library's whole-document time; peak RSS {peak_mb:.1} MB for a {mb:.1} MB file ({:.2}x the file)",
        mb / best,
        best / whole,
        peak_mb * 1.048_576 / mb
    );
}

async fn bench_fleet() {
    let n = env_usize("SMIS_BENCH_ARRAYS", 1000);
    println!("== fleet: {n} simulated arrays in this process");
    let before_sims = rss_mb();
    let fleet = SimFleet::start(
        n,
        &Scenario::builtin("default").unwrap(),
        &[("monitor", "pw")],
    )
    .unwrap();
    let with_sims = rss_mb();
    let tls = TlsOptions::pinned_sha256(fleet.cert_sha256_hex().unwrap()).unwrap();
    let before = status_kb("VmRSS:");
    let targets: Vec<FleetTarget> = fleet
        .urls()
        .into_iter()
        .map(|url| {
            let c = Client::builder(url.as_str())
                .credentials(smis::Credentials::new("monitor", "pw".to_string()))
                .tls(tls.clone())
                .max_connections(1)
                .build()
                .unwrap();
            FleetTarget::new(url, c)
        })
        .collect();
    let after = status_kb("VmRSS:");
    let per_client_kb = (after.saturating_sub(before)) as f64 / n as f64;
    reset_peak();
    let t = Instant::now();
    let reports = poll_fleet(
        targets,
        &FleetOptions {
            concurrency: 64,
            ..Default::default()
        },
    )
    .await;
    let wall = t.elapsed().as_secs_f64();
    let ok = reports.iter().filter(|r| r.result.is_ok()).count();
    let volumes: usize = reports
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .map(|i| i.volumes())
        .sum();
    println!(
        "simulators: {:.1} MB RSS for {n} arrays; idle clients: {:.1} KB RSS each",
        with_sims - before_sims,
        per_client_kb
    );
    println!(
        "poll (64 arrays in flight): {ok}/{n} arrays, {volumes} volumes, wall {wall:.2} s, peak RSS {:.1} MB (simulators included)",
        peak_mb()
    );
    drop(reports);
    fleet.shutdown().await;
}

fn main() {
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let all = which.is_empty() || which.iter().any(|w| w == "all");
    let want = |name: &str| all || which.iter().any(|w| w == name);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if want("decode") {
        bench_decode();
    }
    if want("stream") {
        rt.block_on(bench_stream());
    }
    if want("conns") {
        rt.block_on(bench_conns());
    }
    if want("fleet") {
        rt.block_on(bench_fleet());
    }
}
