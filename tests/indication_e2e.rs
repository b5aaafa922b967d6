//! Indications end to end over real loopback HTTPS: subscribe on the simulated provider,
//! cause changes, receive exactly the expected indications in order; the provider's
//! retries (DSP1054) against failing and slow listeners; `Job::wait` driven by
//! job-state indications.

mod support;

use support::sim::{array, client, start};
use support::tls_server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use smis::Error;
use smis::cim::CimValue;
use smis::indication::{
    DestinationSpec, FilterSpec, Indication, JobListener, Listener, ListenerConfig, ListenerTls,
    Ownership, SequenceStatus, SubscriptionManager, job_state_filters,
};
use smis::smis::{
    CloneRequest, CloneStarted, CreateVolumeRequest, SmisArray, StoragePool, WaitOptions,
};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};
use smis_sim::{DeliverySettings, DeliveryStats, Scenario};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NS: &str = "root/smis-sim";
async fn pool(a: &SmisArray, id: &str) -> StoragePool {
    a.pools()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.pool_id.as_deref() == Some(id))
        .unwrap()
}

/// Creates a volume of `size` bytes in `pool`, following its job.
async fn new_volume(
    a: &SmisArray,
    pool: &StoragePool,
    name: &str,
    size: u64,
) -> smis::smis::StorageVolume {
    let req = CreateVolumeRequest {
        wait: fast(),
        ..CreateVolumeRequest::new(name, size)
    };
    a.create_volume(pool, &req).await.unwrap()
}

/// The default scenario with volume creation that needs no job.
fn instant_volumes() -> Scenario {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.volume_create_ms = 0;
    sc
}

/// Delivery with `attempts` retries 100 ms apart and a 500 ms response timeout.
fn retrying(attempts: u16) -> DeliverySettings {
    DeliverySettings {
        retry_attempts: attempts,
        retry_interval: Duration::from_millis(100),
        response_timeout: Duration::from_millis(500),
        ..DeliverySettings::default()
    }
}

/// Polls `done` up to `tries` times, `step_ms` apart (a bound against hangs, not a timing).
async fn until(tries: u32, step_ms: u64, done: impl Fn() -> bool) {
    for _ in 0..tries {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(step_ms)).await;
    }
}

fn fast() -> WaitOptions {
    WaitOptions {
        poll_interval: Duration::from_millis(50),
        max_interval: Duration::from_millis(200),
        deadline: Duration::from_secs(30),
        ..WaitOptions::default()
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn next(l: &mut Listener) -> Indication {
    tokio::time::timeout(Duration::from_secs(15), l.recv())
        .await
        .expect("an indication within 15 s")
        .expect("listener open")
}

async fn nothing_more(l: &mut Listener) {
    if let Ok(Some(i)) = tokio::time::timeout(Duration::from_millis(300), l.recv()).await {
        panic!("unexpected indication {:?}", i.instance);
    }
}

fn source_name(i: &Indication) -> String {
    i.source_instance()
        .and_then(|s| s.get_opt::<String>("ElementName").ok().flatten())
        .unwrap_or_default()
}

#[tokio::test]
async fn subscribe_cause_changes_receive_in_order_then_unsubscribe() {
    let sim = start(instant_volumes());
    let c = client(&sim);
    let a = array(&c).await.unwrap();

    // An HTTPS listener with a self-signed certificate (the provider does not verify it,
    // like OpenPegasus).
    let ca = tls_server::Ca::new("listener CA");
    let leaf = ca.issue_server(&["127.0.0.1"], tls_server::Validity::Current);
    let tls = ListenerTls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let mut l = Listener::bind(ListenerConfig::https(loopback(), tls))
        .await
        .unwrap();

    let m = SubscriptionManager::new(c.clone(), "e2e").unwrap();
    assert_eq!(m.interop_namespace().await.unwrap(), "interop");
    let svc = m
        .service_info()
        .await
        .unwrap()
        .expect("CIM_IndicationService");
    assert_eq!(svc.filter_creation_enabled, Some(true));
    assert_eq!(svc.delivery_retry_attempts, Some(3));
    assert_eq!(svc.delivery_retry_interval, Some(30));

    let dest = m
        .create_destination("d", &DestinationSpec::transient(l.handle().url()))
        .await
        .unwrap();
    let queries = [
        "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume",
        "SELECT * FROM CIM_InstDeletion WHERE SourceInstance ISA CIM_StorageVolume",
        "SELECT * FROM CIM_AlertIndication",
    ];
    for (i, q) in queries.iter().enumerate() {
        let f = m
            .create_filter(&format!("f{i}"), &FilterSpec::wql(*q, &[NS]))
            .await
            .unwrap();
        m.create_subscription(&f, &dest).await.unwrap();
    }
    let list = m.list().await.unwrap();
    assert_eq!(list.subscriptions.len(), 3);
    assert!(
        list.subscriptions
            .iter()
            .all(|s| s.ownership == Ownership::Owned
                && s.state == Some(2)
                && s.destination.as_deref() == Some(l.handle().url().as_str()))
    );
    let mut listed: Vec<String> = list
        .subscriptions
        .iter()
        .filter_map(|s| s.query.clone())
        .collect();
    listed.sort();
    let mut want: Vec<String> = queries.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(listed, want);

    // Cause: create a volume, delete it, then fill the pool past the alert threshold.
    let p1 = pool(&a, "P1").await;
    let v = new_volume(&a, &p1, "ind-a", 1 << 30).await;
    a.delete_volume(&v, &fast()).await.unwrap();
    let p1 = pool(&a, "P1").await;
    let total = p1.total_managed_space.unwrap();
    let remaining = p1.remaining_managed_space.unwrap();
    let big =
        (remaining - total / 20) / smis_sim::provider::BLOCK_SIZE * smis_sim::provider::BLOCK_SIZE;
    new_volume(&a, &p1, "ind-big", big).await;

    let got: Vec<Indication> = [
        next(&mut l).await,
        next(&mut l).await,
        next(&mut l).await,
        next(&mut l).await,
    ]
    .into();
    nothing_more(&mut l).await;
    let summary: Vec<(String, String)> = got
        .iter()
        .map(|i| (i.class_name().to_string(), source_name(i)))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("CIM_InstCreation".to_string(), "ind-a".to_string()),
            ("CIM_InstDeletion".to_string(), "ind-a".to_string()),
            ("CIM_InstCreation".to_string(), "ind-big".to_string()),
            ("CIM_AlertIndication".to_string(), String::new()),
        ]
    );
    // One destination: one SequenceContext, numbers 0, 1, 2, 3.
    let ctx = got[0].sequence.as_ref().unwrap().context.clone();
    for (n, i) in got.iter().enumerate() {
        let s = i.sequence.as_ref().unwrap();
        assert_eq!((s.context.as_str(), s.number), (ctx.as_str(), n as i64));
        assert_eq!(
            s.status,
            if n == 0 {
                SequenceStatus::First
            } else {
                SequenceStatus::InOrder
            }
        );
        assert!(i.indication_time.is_some());
    }
    let alert = &got[3].instance;
    assert_eq!(alert.get::<u16>("PerceivedSeverity").unwrap(), 3);
    assert!(
        alert
            .get::<String>("AlertingManagedElement")
            .unwrap()
            .contains("P1")
    );
    assert!(
        got[0]
            .instance
            .get::<String>("SourceInstanceModelPath")
            .unwrap()
            .to_ascii_lowercase()
            .contains("deviceid")
    );
    assert_eq!(DeliveryStats::get(&sim.delivery_stats().delivered), 4);

    // Unsubscribe: owned subscriptions, filters and the destination go together.
    assert_eq!(m.remove_owned().await.unwrap(), 7);
    let list = m.list().await.unwrap();
    assert!(
        list.subscriptions.is_empty() && list.filters.is_empty() && list.destinations.is_empty()
    );
    assert_eq!(sim.provider().subscription_count(), 0);
    let p1 = pool(&a, "P1").await;
    new_volume(&a, &p1, "ind-after", 1 << 20).await;
    nothing_more(&mut l).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn other_owners_are_left_alone_and_bad_filters_are_refused() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let mine = SubscriptionManager::new(c.clone(), "mine").unwrap();
    let theirs = SubscriptionManager::new(c.clone(), "theirs").unwrap();
    let f = FilterSpec::wql(job_state_filters()[0], &[NS]);
    mine.subscribe("a", "http://127.0.0.1:9/", &f)
        .await
        .unwrap();
    theirs
        .subscribe("b", "http://127.0.0.1:9/", &f)
        .await
        .unwrap();
    let e = mine
        .create_filter(
            "bad",
            &FilterSpec::wql("SELECT Name FROM CIM_StorageVolume", &[NS]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.cim_status().map(|s| s.code()), Some(15), "{e}");
    let e = mine.create_filter("a", &f).await.unwrap_err();
    assert_eq!(e.cim_status().map(|s| s.code()), Some(11), "{e}");
    assert!(SubscriptionManager::new(c.clone(), "a:b").is_err());
    let list = mine.list().await.unwrap();
    let owned: Vec<_> = list.subscriptions.iter().map(|s| s.ownership).collect();
    assert_eq!(owned.iter().filter(|o| **o == Ownership::Owned).count(), 1);
    assert_eq!(mine.remove_owned().await.unwrap(), 3);
    let list = theirs.list().await.unwrap();
    assert_eq!(list.subscriptions.len(), 1);
    assert_eq!(list.subscriptions[0].ownership, Ownership::Owned);
    theirs.remove(&list.subscriptions[0]).await.unwrap();
    let list = theirs.list().await.unwrap();
    assert!(
        list.subscriptions.is_empty() && list.filters.is_empty() && list.destinations.is_empty()
    );
    sim.shutdown().await;
}

/// A listener that misbehaves on purpose, attempt by attempt; records every request.
async fn scripted_listener(
    script: Vec<&'static str>,
) -> (String, Arc<std::sync::Mutex<Vec<String>>>, Arc<AtomicUsize>) {
    let tcp = tokio::net::TcpListener::bind(loopback()).await.unwrap();
    let url = format!("http://{}/cimlistener", tcp.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let accepted = Arc::new(AtomicUsize::new(0));
    let (seen2, accepted2) = (seen.clone(), accepted.clone());
    let script = Arc::new(script);
    let steps = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = tcp.accept().await else {
                return;
            };
            let (seen2, accepted2, script, steps) = (
                seen2.clone(),
                accepted2.clone(),
                script.clone(),
                steps.clone(),
            );
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // Read one request (headers + Content-Length body).
                loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(h) = text.find("\r\n\r\n") {
                        let len: usize = text[..h]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= h + 4 + len {
                            break;
                        }
                    }
                }
                let text = String::from_utf8_lossy(&buf).to_string();
                if buf.is_empty() {
                    return;
                }
                seen2.lock().unwrap().push(text.clone());
                let action = script
                    .get(steps.fetch_add(1, Ordering::SeqCst))
                    .copied()
                    .unwrap_or("ok");
                match action {
                    "drop" => drop(s),
                    "500" => {
                        let _ = s.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                    }
                    "silent" => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                    }
                    _ => {
                        let id = text
                            .split("MESSAGE ID=\"")
                            .nth(1)
                            .and_then(|r| r.split('"').next())
                            .unwrap_or("0")
                            .to_string();
                        let body = format!(
                            r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="{id}" PROTOCOLVERSION="1.0"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication"/></SIMPLEEXPRSP></MESSAGE></CIM>"#
                        );
                        let resp = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nCIMExport: MethodResponse\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = s.write_all(resp.as_bytes()).await;
                        accepted2.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    (url, seen, accepted)
}

fn field(req: &str, prop: &str) -> String {
    req.split(&format!(r#"NAME="{prop}""#))
        .nth(1)
        .and_then(|r| r.split("<VALUE>").nth(1))
        .and_then(|r| r.split("</VALUE>").next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn provider_retries_refused_dropped_and_slow_deliveries_then_gives_up() {
    let sim = start(instant_volumes());
    sim.provider().set_delivery_settings(retrying(3));
    let c = client(&sim);
    let a = array(&c).await.unwrap();
    let m = SubscriptionManager::new(c.clone(), "retry").unwrap();
    let (url, seen, accepted) = scripted_listener(vec!["drop", "500", "silent", "ok", "ok"]).await;
    let q = FilterSpec::wql(
        "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume",
        &[NS],
    );
    m.subscribe("r", &url, &q).await.unwrap();
    let p1 = pool(&a, "P1").await;
    new_volume(&a, &p1, "r1", 1 << 20).await;
    new_volume(&a, &p1, "r2", 1 << 20).await;
    until(200, 50, || accepted.load(Ordering::SeqCst) >= 2).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5, "4 attempts for r1, then r2");
    // Every attempt of the first indication: POST to the destination's path, the DSP0200
    // headers, the same sequence number, a new MESSAGE ID each time.
    let ids: Vec<String> = seen
        .iter()
        .map(|r| {
            r.split("MESSAGE ID=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for r in &seen[..4] {
        assert!(r.starts_with("POST /cimlistener HTTP/1.1\r\n"), "{r}");
        assert!(r.to_ascii_lowercase().contains("cimexport: methodrequest"));
        assert!(
            r.to_ascii_lowercase()
                .contains("cimexportmethod: exportindication")
        );
        assert_eq!(field(r, "SequenceNumber"), "0");
        assert!(r.contains("r1"));
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "new MESSAGE ID per attempt: {ids:?}");
    // r2 waited behind r1 (DSP1054 ordering), then went out with the next number.
    assert_eq!(field(&seen[4], "SequenceNumber"), "1");
    assert!(seen[4].contains("r2"));
    let st = sim.delivery_stats();
    assert_eq!(DeliveryStats::get(&st.delivered), 2);
    assert_eq!(DeliveryStats::get(&st.failed_attempts), 3);
    assert_eq!(DeliveryStats::get(&st.discarded), 0);

    // With no retries and a listener that always refuses: one attempt, then discarded.
    sim.provider().set_delivery_settings(retrying(0));
    m.remove_owned().await.unwrap();
    let (url, seen, _) = scripted_listener(vec!["500", "500", "500"]).await;
    m.subscribe("r", &url, &q).await.unwrap();
    new_volume(&a, &p1, "r3", 1 << 20).await;
    until(100, 50, || DeliveryStats::get(&st.discarded) == 1).await;
    assert_eq!(DeliveryStats::get(&st.discarded), 1);
    assert_eq!(seen.lock().unwrap().len(), 1);

    // A destination whose listener is not up yet: refused connections are retried until
    // it is.
    sim.provider().set_delivery_settings(retrying(50));
    m.remove_owned().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    m.subscribe("late", &format!("http://127.0.0.1:{port}"), &q)
        .await
        .unwrap();
    let failed_before = DeliveryStats::get(&st.failed_attempts);
    new_volume(&a, &p1, "r4", 1 << 20).await;
    until(100, 20, || {
        DeliveryStats::get(&st.failed_attempts) > failed_before
    })
    .await;
    let mut l = Listener::bind(ListenerConfig::http(SocketAddr::from((
        [127, 0, 0, 1],
        port,
    ))))
    .await
    .unwrap();
    let got = next(&mut l).await;
    assert_eq!(source_name(&got), "r4");
    assert_eq!(got.sequence.unwrap().number, 0);
    m.remove_owned().await.unwrap();
    sim.shutdown().await;
}

async fn start_clone(a: &SmisArray, name: &str) -> smis::smis::Job {
    let src = a
        .volumes()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some("db01"))
        .unwrap();
    match a
        .start_clone(
            &src,
            &CloneRequest {
                wait: fast(),
                ..CloneRequest::full_clone(name)
            },
        )
        .await
        .unwrap()
    {
        CloneStarted::Job(j) => j,
        CloneStarted::Done(_) => panic!("expected a job"),
    }
}

fn counting(opts: WaitOptions) -> (WaitOptions, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    (
        WaitOptions {
            progress: Some(Arc::new(move |_| {
                n2.fetch_add(1, Ordering::SeqCst);
            })),
            ..opts
        },
        n,
    )
}

#[tokio::test]
async fn job_wait_hears_the_end_and_still_reports_failure() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = 600;
    sc.faults.push(FaultSpec {
        matcher: FaultMatch {
            method: Some("CreateElementReplica".into()),
            ..Default::default()
        },
        action: FaultAction::JobException,
        times: Some(1),
    });
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await.unwrap();
    let jobs = JobListener::start(&c, ListenerConfig::http(loopback()), None, NS)
        .await
        .unwrap();
    assert_eq!(jobs.unavailable_reason(), None);

    // The first clone fails (fault): an error, never success, after at most two reads.
    let job = start_clone(&a, "fails").await;
    let (opts, reads) = counting(jobs.wait_options(WaitOptions {
        poll_interval: Duration::from_secs(5),
        ..WaitOptions::default()
    }));
    match job.wait(&opts).await {
        Err(Error::JobFailed(f)) => assert_eq!(f.job_state, Some(10)),
        other => panic!("expected JobFailed, got {other:?}"),
    }
    assert!(reads.load(Ordering::SeqCst) <= 2);

    // The second succeeds: woken by the indication, confirmed by exactly one more read,
    // long before the 5 s poll interval and the 30 s safety poll.
    let job = start_clone(&a, "works").await;
    let (opts, reads) = counting(jobs.wait_options(WaitOptions {
        poll_interval: Duration::from_secs(5),
        deadline: Duration::from_secs(4),
        ..WaitOptions::default()
    }));
    let out = job.wait(&opts).await.expect("the job completes");
    assert_eq!(out.progress.job_state, Some(7));
    assert_eq!(
        reads.load(Ordering::SeqCst),
        2,
        "initial read + confirming read"
    );
    let id = job
        .path()
        .key("InstanceID")
        .and_then(CimValue::as_str)
        .unwrap()
        .to_string();
    assert_eq!(jobs.signals().last_state(&id), Some(7));
    assert!(jobs.listener().stats().delivered.load(Ordering::Relaxed) >= 2);
    jobs.close().await.unwrap();
    assert_eq!(sim.provider().subscription_count(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn job_wait_falls_back_to_polling_when_subscriptions_are_refused() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.jobs.clone_ms = 300;
    sc.faults.push(FaultSpec {
        matcher: FaultMatch {
            operation: Some("CreateInstance".into()),
            ..Default::default()
        },
        action: FaultAction::CimError(smis_sim::scenario::CimErrorSpec {
            code: 7,
            description: Some("indications not supported".into()),
        }),
        times: None,
    });
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await.unwrap();
    let jobs = JobListener::start(&c, ListenerConfig::http(loopback()), None, NS)
        .await
        .unwrap();
    assert!(jobs.unavailable_reason().is_some());
    assert!(!jobs.signals().is_active());
    let job = start_clone(&a, "polled").await;
    let (opts, reads) = counting(jobs.wait_options(fast()));
    let out = job.wait(&opts).await.unwrap();
    assert_eq!(out.progress.job_state, Some(7));
    assert!(reads.load(Ordering::SeqCst) > 2, "polled");
    jobs.close().await.unwrap();
    sim.shutdown().await;
}
