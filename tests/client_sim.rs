//! The client against the simulated provider over real loopback HTTPS.

mod support;

use support::sim::{PASSWORD, start};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use smis::cim::{CimValue, ObjectPath};
use smis::client::{EnumerateInstancesOptions, GetInstanceOptions, OpenOptions};
use smis::message::ParamValue;
use smis::transport::http::{HttpTransport, HttpTransportConfig};
use smis::transport::tls::TlsOptions;
use smis::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use smis::{CimStatus, Client, Credentials, Error};
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};
use smis_sim::{Scenario, Simulator};

const NS: &str = "root/smis-sim";

fn client(sim: &Simulator) -> Client {
    support::sim::builder(sim).namespace(NS).build().unwrap()
}

/// Counts requests per CIMMethod on their way to an inner transport.
struct Counting {
    inner: Arc<dyn Transport>,
    counts: Mutex<HashMap<String, usize>>,
}

impl Counting {
    fn count(&self, m: &str) -> usize {
        self.counts.lock().unwrap().get(m).copied().unwrap_or(0)
    }
}

impl Transport for Counting {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let m = request
            .headers
            .get("cimmethod")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        *self.counts.lock().unwrap().entry(m).or_default() += 1;
        self.inner.send(request)
    }
    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }
}

fn counting_client(sim: &Simulator) -> (Client, Arc<Counting>) {
    let t = HttpTransport::new(
        HttpTransportConfig::parse(&sim.url())
            .unwrap()
            .with_tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap()),
    )
    .unwrap();
    let counting = Arc::new(Counting {
        inner: Arc::new(t),
        counts: Mutex::new(HashMap::new()),
    });
    let c = Client::from_transport(
        counting.clone(),
        NS,
        Some(Credentials::new("admin", PASSWORD.to_string())),
    );
    (c, counting)
}

#[tokio::test]
async fn discovery_walk_and_basic_operations() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let profiles = c
        .enumerate_instances(
            "CIM_RegisteredProfile",
            &EnumerateInstancesOptions::new().namespace("interop"),
        )
        .await
        .unwrap();
    assert!(
        profiles
            .iter()
            .any(|p| p.get::<String>("RegisteredName").unwrap() == "Array")
    );
    let names = c
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap();
    assert_eq!(names.len(), 3);
    assert!(names.iter().all(|p| p.namespace.as_deref() == Some(NS)));
    let vol = c
        .get_instance(&names[0], &GetInstanceOptions::default())
        .await
        .unwrap();
    assert_eq!(vol.get::<u64>("BlockSize").unwrap(), 512);
    assert_eq!(vol.get::<Vec<u16>>("OperationalStatus").unwrap(), vec![2]);
    // A WBEM URI round trip of a real path.
    let uri = names[0].to_string();
    assert_eq!(ObjectPath::parse(&uri).unwrap(), names[0]);
    // Associations: the volume's pool.
    let pools = c
        .associator_instances(
            &names[0],
            &smis::client::AssociatorsOptions::new().assoc_class("CIM_AllocatedFromStoragePool"),
        )
        .await
        .unwrap();
    assert_eq!(pools.len(), 1);
    assert!(pools[0].class_name.as_str().ends_with("StoragePool"));
    // Classes.
    let class = c
        .get_class(
            "CIM_StorageVolume",
            &smis::client::GetClassOptions::new().local_only(false),
        )
        .await
        .unwrap();
    assert!(class.property("DeviceID").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn cim_error_carries_status_and_storage_service_code() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let missing = ObjectPath::new(NS, "SIMS_StorageVolume")
        .with_key("CreationClassName", "SIMS_StorageVolume")
        .with_key("DeviceID", "nope")
        .with_key("SystemCreationClassName", "SIMS_ComputerSystem")
        .with_key("SystemName", "SIMARRAY-0001");
    let e = c
        .get_instance(&missing, &GetInstanceOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.cim_status(), Some(CimStatus::NotFound), "{e}");
    assert_eq!(e.storage_service_code().code(), 43006);
    let e = c
        .enumerate_instance_names("CIM_StorageVolume", Some("root/nosuch"))
        .await
        .unwrap_err();
    assert_eq!(e.cim_status(), Some(CimStatus::InvalidNamespace));
    let e = c
        .enumerate_instance_names("CIM_NoSuchClass", None)
        .await
        .unwrap_err();
    assert_eq!(e.cim_status(), Some(CimStatus::InvalidClass));
    sim.shutdown().await;
}

#[tokio::test]
async fn pull_stream_pages_and_closes_early() {
    let sim = start(Scenario::builtin("default").unwrap());
    let (c, counts) = counting_client(&sim);
    let open = OpenOptions::new().max_object_count(2);
    let all: Vec<_> = c
        .enumerate_instances_stream(
            "CIM_RegisteredProfile",
            &EnumerateInstancesOptions::new().namespace("interop"),
            &open,
        )
        .collect()
        .await;
    let all: Vec<_> = all.into_iter().collect::<Result<_, _>>().unwrap();
    assert!(all.len() >= 6, "{}", all.len());
    assert_eq!(counts.count("OpenEnumerateInstances"), 1);
    assert!(counts.count("PullInstancesWithPath") >= all.len() / 2 - 1);
    assert_eq!(counts.count("EnumerateInstances"), 0);
    // Dropping after the first item closes the enumeration context.
    let mut s = c.enumerate_instance_paths_stream("CIM_RegisteredProfile", Some("interop"), &open);
    let first = s.next().await.unwrap().unwrap();
    assert!(first.key("InstanceID").is_some());
    drop(s);
    for _ in 0..50 {
        if counts.count("CloseEnumeration") == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(counts.count("CloseEnumeration"), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn pull_falls_back_when_the_server_answers_cim_err_failed() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.quirks.pull_fails_with_cim_err_failed = true;
    let sim = start(sc);
    let (c, counts) = counting_client(&sim);
    let v: Vec<_> = c
        .enumerate_instances_stream(
            "CIM_StorageVolume",
            &Default::default(),
            &OpenOptions::default(),
        )
        .collect()
        .await;
    assert_eq!(v.into_iter().filter(|r| r.is_ok()).count(), 3);
    assert_eq!(counts.count("OpenEnumerateInstances"), 1);
    assert_eq!(counts.count("EnumerateInstances"), 1);
    // Later enumerations go straight to the traditional operation.
    let p: Vec<_> = c
        .enumerate_instance_paths_stream("CIM_StorageVolume", None, &OpenOptions::default())
        .collect()
        .await;
    assert_eq!(p.len(), 3);
    assert_eq!(counts.count("OpenEnumerateInstancePaths"), 0);
    assert_eq!(counts.count("EnumerateInstanceNames"), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn invoke_method_with_typed_parameters() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let svc = c
        .enumerate_instance_names("CIM_StorageConfigurationService", None)
        .await
        .unwrap()
        .remove(0);
    let pool = c
        .enumerate_instances("CIM_StoragePool", &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.get::<String>("InstanceID").unwrap().contains("P1"))
        .unwrap();
    let ret = c
        .invoke_method(
            &svc,
            "CreateOrModifyElementFromStoragePool",
            vec![
                ParamValue::new("ElementName", "t1"),
                ParamValue::new("ElementType", 2u16),
                ParamValue::new("InPool", pool.path.clone().unwrap()),
                ParamValue::new("Size", 1000u64),
            ],
        )
        .await
        .unwrap();
    // 1000 is not a multiple of the block size: 4097 Size Not Supported, nearest size proposed.
    assert_eq!(ret.return_code(), Some(4097));
    assert_eq!(ret.get::<u64>("Size").unwrap(), 1024);
    let e = c
        .invoke_method(&svc, "NoSuchMethod", vec![])
        .await
        .unwrap_err();
    assert_eq!(e.cim_status(), Some(CimStatus::MethodNotFound));
    assert!(matches!(ret.return_value, Some(CimValue::Uint32(4097))));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_password_and_untrusted_certificate() {
    let sim = start(Scenario::builtin("default").unwrap());
    let bad = Client::builder(sim.url())
        .credentials(Credentials::new("admin", "wrong".to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .build()
        .unwrap();
    let e = bad
        .enumerate_instance_names("CIM_StorageVolume", Some(NS))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Authentication { .. }), "{e}");
    assert_eq!(e.http_status(), Some(401));
    assert_eq!(e.storage_service_code().code(), 51005);
    assert!(e.to_string().contains("Basic"), "{e}");
    let untrusted = Client::builder(sim.url())
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .build()
        .unwrap();
    let e = untrusted
        .enumerate_instance_names("CIM_StorageVolume", Some(NS))
        .await;
    match e {
        Err(e @ Error::Tls { .. }) => assert_eq!(e.storage_service_code().code(), 51010),
        Err(Error::Config(m)) => assert!(m.contains("root"), "{m}"), // no system roots on this machine
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn one_tcp_connection_for_many_operations() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    for _ in 0..20 {
        c.enumerate_instance_names("CIM_StoragePool", None)
            .await
            .unwrap();
    }
    assert_eq!(sim.connections_accepted(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_become_typed_errors() {
    let mut sc = Scenario::builtin("default").unwrap();
    let fault = |op: &str, action| FaultSpec {
        matcher: FaultMatch {
            operation: Some(op.into()),
            method: None,
            class: None,
        },
        action,
        times: None,
    };
    sc.faults = vec![
        fault(
            "GetClass",
            FaultAction::HttpStatus(smis_sim::scenario::HttpStatusSpec {
                status: 500,
                cim_error: Some("request-not-valid".into()),
            }),
        ),
        fault("EnumerateClassNames", FaultAction::DelayMs(3_000)),
        fault("EnumerateQualifiers", FaultAction::DropConnection),
        fault(
            "ExecQuery",
            FaultAction::TruncateBody(smis_sim::scenario::TruncateSpec { after_bytes: 40 }),
        ),
    ];
    let sim = start(sc);
    let c = Client::builder(sim.url())
        .namespace(NS)
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap()).unwrap())
        .operation_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let e = c
        .get_class("CIM_StorageVolume", &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Http { status: 500, cim_error: Some(c), .. } if c == "request-not-valid"),
        "{e}"
    );
    let e = c
        .enumerate_class_names(&Default::default())
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e}");
    let e = c.enumerate_qualifiers(None).await.unwrap_err();
    assert!(matches!(e, Error::Connection(_)), "{e}");
    let e = c
        .exec_query(None, "WQL", "SELECT * FROM CIM_StorageVolume")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Connection(_) | Error::Decode(_)), "{e}");
    sim.shutdown().await;
}

/// The password appears in no log line, no Debug output and no error text.
#[tokio::test]
async fn password_never_leaks() {
    use std::io::Write;
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let b2 = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || b2.clone())
        .finish();
    let _g = tracing::subscriber::set_default(subscriber);
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let mut texts = vec![format!("{c:?}"), format!("{:?}", c.credentials())];
    c.enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap();
    let e = c
        .enumerate_instance_names("CIM_Nope", None)
        .await
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let bad = c.with_credentials(Credentials::new("admin", format!("{PASSWORD}x")));
    let e = bad
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));
    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("EnumerateInstanceNames"),
        "tracing spans are emitted"
    );
    texts.push(logs);
    for t in texts {
        assert!(!t.contains(PASSWORD), "password leaked in: {t}");
        assert!(!t.contains("YWRtaW46"), "basic auth token leaked in: {t}");
    }
    sim.shutdown().await;
}
