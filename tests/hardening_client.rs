//! The client against a hostile loopback server (plain HTTP on 127.0.0.1, no
//! credentials): server text full of terminal control sequences, ExecQuery results
//! without paths, and job waits with extreme durations.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use smis::cim::ObjectPath;
use smis::message::CimObject;
use smis::smis::{Job, WaitOptions};
use smis::text::is_terminal_unsafe;
use smis::{Client, Error};

type Answer = Arc<dyn Fn(&str, &str) -> String + Send + Sync>;

struct Hostile {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Hostile {
    fn client(&self) -> Client {
        Client::builder(format!("http://127.0.0.1:{}", self.port))
            .namespace("root/hostile")
            .build()
            .unwrap()
    }
}

/// A loopback server answering each request with `answer(message_id, body)`.
fn hostile(answer: Answer) -> Hostile {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            if s.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body).into_owned();
            let id = body
                .split("MESSAGE ID=\"")
                .nth(1)
                .and_then(|t| t.split('"').next())
                .unwrap_or("1")
                .to_string();
            let _ = conn.write_all(answer(&id, &body).as_bytes());
        }
    });
    Hostile { port, stop }
}

const HOSTILE: &str =
    "disk\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nerror: all good\u{9b}31m\u{202e}gpj.exe\u{2066}x\u{7f}";

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn ok_xml(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nCIMOperation: MethodResponse\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn imeth(id: &str, op: &str, inner: &str) -> String {
    ok_xml(&format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="{id}" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="{op}">{inner}</IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#
    ))
}

fn path() -> ObjectPath {
    ObjectPath::new("root/hostile", "CIM_Foo").with_key("K", "1")
}

#[tokio::test]
async fn cim_error_headers_are_escaped_in_display_and_exact_in_fields() {
    let h = hostile(Arc::new(|_, _| {
        format!(
            "HTTP/1.1 500 Internal Server Error\r\nCIMError: {}\r\nPGErrorDetail: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            pct(HOSTILE),
            pct(HOSTILE)
        )
    }));
    let e = h
        .client()
        .get_instance(&path(), &Default::default())
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(!shown.chars().any(is_terminal_unsafe), "{shown:?}");
    assert!(shown.contains("\\u{1b}]0;pwned\\u{7}"), "{shown}");
    match &e {
        Error::Http {
            cim_error, detail, ..
        } => {
            assert_eq!(cim_error.as_deref(), Some(HOSTILE));
            assert_eq!(detail.as_deref(), Some(HOSTILE));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_description_is_escaped_in_display_and_exact_in_fields() {
    // XML 1.0 has no ESC or BEL: the rest of the hostile text travels in DESCRIPTION.
    let text: String = HOSTILE
        .chars()
        .filter(|c| !matches!(c, '\u{1b}' | '\u{7}'))
        .collect();
    let t = text.clone();
    let h = hostile(Arc::new(move |id, _| {
        let d = t.replace('\r', "&#13;").replace('\n', "&#10;");
        imeth(
            id,
            "GetInstance",
            &format!(r#"<ERROR CODE="6" DESCRIPTION="{d}"/>"#),
        )
    }));
    let e = h
        .client()
        .get_instance(&path(), &Default::default())
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(!shown.chars().any(is_terminal_unsafe), "{shown:?}");
    assert!(shown.contains("\\u{9b}31m\\u{202e}gpj.exe"), "{shown}");
    match &e {
        Error::Cim { description, .. } => assert_eq!(description.as_deref(), Some(&*text)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn exec_query_instances_get_class_and_namespace_paths() {
    let h = hostile(Arc::new(|id, _| {
        imeth(
            id,
            "ExecQuery",
            r#"<IRETURNVALUE><VALUE.OBJECT><INSTANCE CLASSNAME="CIM_StorageVolume"><PROPERTY NAME="DeviceID" TYPE="string"><VALUE>v1</VALUE></PROPERTY></INSTANCE></VALUE.OBJECT></IRETURNVALUE>"#,
        )
    }));
    let objs = h
        .client()
        .exec_query(None, "WQL", "SELECT DeviceID FROM CIM_StorageVolume")
        .await
        .unwrap();
    assert_eq!(objs.len(), 1);
    let CimObject::Instance(i) = &objs[0] else {
        panic!("{objs:?}")
    };
    let p = i.path.as_ref().expect("a path like pywbem gives");
    assert_eq!(p.class_name, "CIM_StorageVolume");
    assert_eq!(p.namespace.as_deref(), Some("root/hostile"));
    assert!(p.keys.is_empty());
    assert_eq!(i.get::<String>("DeviceID").unwrap(), "v1");
}

fn job_answer(polls: Arc<AtomicUsize>) -> Answer {
    Arc::new(move |id, _| {
        let n = polls.fetch_add(1, Ordering::SeqCst);
        let (state, status) = if n < 2 { (4, 2) } else { (7, 17) };
        imeth(
            id,
            "GetInstance",
            &format!(
                r#"<IRETURNVALUE><INSTANCE CLASSNAME="CIM_ConcreteJob"><PROPERTY NAME="InstanceID" TYPE="string"><VALUE>j1</VALUE></PROPERTY><PROPERTY NAME="JobState" TYPE="uint16"><VALUE>{state}</VALUE></PROPERTY><PROPERTY.ARRAY NAME="OperationalStatus" TYPE="uint16"><VALUE.ARRAY><VALUE>2</VALUE><VALUE>{status}</VALUE></VALUE.ARRAY></PROPERTY.ARRAY><PROPERTY NAME="PercentComplete" TYPE="uint16"><VALUE>50</VALUE></PROPERTY></INSTANCE></IRETURNVALUE>"#
            ),
        )
    })
}

#[tokio::test]
async fn job_wait_takes_extreme_durations_without_panicking() {
    let polls = Arc::new(AtomicUsize::new(0));
    let h = hostile(job_answer(polls.clone()));
    let job_path = ObjectPath::new("root/hostile", "CIM_ConcreteJob").with_key("InstanceID", "j1");
    let job = Job::new(h.client(), job_path);
    let extreme = WaitOptions {
        poll_interval: Duration::ZERO,
        max_interval: Duration::MAX,
        backoff: f64::INFINITY,
        deadline: Duration::MAX,
        ..WaitOptions::default()
    };
    let outcome = job.wait(&extreme).await.expect("the job completes");
    assert_eq!(outcome.progress.job_state, Some(7));
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    // The same options through progress_stream.
    polls.store(0, Ordering::SeqCst);
    let seen: Vec<_> = job.progress_stream(&extreme).collect().await;
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.is_ok()));
    let with_max = WaitOptions::with_deadline(Duration::MAX);
    polls.store(5, Ordering::SeqCst);
    assert!(job.wait(&with_max).await.is_ok());
}

#[tokio::test]
async fn extreme_client_timeouts_do_not_panic() {
    let h = hostile(Arc::new(|id, _| {
        imeth(
            id,
            "EnumerateInstanceNames",
            "<IRETURNVALUE></IRETURNVALUE>",
        )
    }));
    for t in [
        Duration::MAX,
        Duration::from_secs(u64::MAX / 2),
        Duration::ZERO,
    ] {
        let c = Client::builder(format!("http://127.0.0.1:{}", h.port))
            .operation_timeout(t)
            .connect_timeout(t)
            .build();
        // Either refused as a configuration error or working: never a panic.
        if let Ok(c) = c {
            let r = c.enumerate_instance_names("CIM_Foo", None).await;
            if t > Duration::ZERO {
                assert!(r.unwrap().is_empty());
            }
        }
    }
}

#[tokio::test]
async fn simulator_survives_a_cast_bomb_in_a_path_parameter() {
    // About 35 KB of nested typed casts in a path-valued string parameter aborted the
    // simulator (stack overflow in ObjectPath parsing); now it is a refused parameter.
    let sim = smis_sim::Simulator::start(
        smis_sim::SimulatorConfig::new(smis_sim::Scenario::builtin("default").unwrap())
            .user("admin", "pw-hardening-1"),
    )
    .unwrap();
    let c = Client::builder(sim.url())
        .namespace("root/smis-sim")
        .credentials(smis::Credentials::new(
            "admin",
            "pw-hardening-1".to_string(),
        ))
        .tls(
            smis::transport::tls::TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap())
                .unwrap(),
        )
        .operation_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let services = c
        .enumerate_instance_names("CIM_ReplicationService", None)
        .await
        .unwrap();
    let bomb = format!("root/smis-sim:X.K={}1", "(uint8)".repeat(5_000));
    let r = c
        .invoke_method(
            &services[0],
            "CreateElementReplica",
            vec![
                smis::message::ParamValue::new("SyncType", smis::cim::CimValue::Uint16(8)),
                smis::message::ParamValue::new("SourceElement", bomb),
            ],
        )
        .await;
    // Refused (Invalid Parameter or a CIM error), and the simulator still serves.
    let refused = match r {
        Ok(ret) => ret.return_value != Some(smis::cim::CimValue::Uint32(0)),
        Err(_) => true,
    };
    assert!(refused);
    assert!(
        !c.enumerate_instance_names("CIM_ReplicationService", None)
            .await
            .unwrap()
            .is_empty()
    );
    sim.shutdown().await;
}
