//! Recording and replay: the hand-written quirk fixtures under `fixtures/`, miss reports,
//! record → replay round trips over an in-memory transport and over the simulator.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderValue, StatusCode};
use smis::cim::{CimType, CimValue, ObjectPath};
use smis::client::{EnumerateInstancesOptions, GetInstanceOptions, OpenOptions};
use smis::testkit::{Manifest, RecordingTransport, ReplayMode, ReplayTransport, TestkitError};
use smis::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use smis::{Client, Credentials, Error};

const PASSWORD: &str = "pa55-Very-Secret-9f8e";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("smis-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn job_path(id: &str) -> ObjectPath {
    ObjectPath::new("root/emc", "CIM_ConcreteJob").with_key("InstanceID", id)
}

fn vol(dev: &str) -> ObjectPath {
    ObjectPath::new("root/emc", "CIM_StorageVolume")
        .with_key("CreationClassName", "CIM_StorageVolume")
        .with_key("DeviceID", dev)
        .with_key("SystemCreationClassName", "CIM_ComputerSystem")
        .with_key("SystemName", "ARRAY1")
}

fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

// ----- Every fixture directory -----

#[test]
fn every_fixture_replays_its_own_requests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs = 0;
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let dir = entry.path();
        if !dir.join("manifest.json").exists() && !dir.join("manifest.jsonl").exists() {
            continue;
        }
        dirs += 1;
        let t = ReplayTransport::open(&dir).unwrap();
        let manifest = t.manifest().clone();
        assert_eq!(manifest.version, 1);
        assert!(!manifest.exchanges.is_empty(), "{}", dir.display());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for x in &manifest.exchanges {
            let body = std::fs::read(dir.join(&x.request_file)).unwrap();
            let body = String::from_utf8(body)
                .unwrap()
                .replace("ID=\"1001\"", "ID=\"4242\"");
            let mut headers = HeaderMap::new();
            headers.insert("cimmethod", HeaderValue::from_str(&x.operation).unwrap());
            let r = rt
                .block_on(t.send(HttpRequest {
                    path: "/cimom".into(),
                    headers,
                    body: Bytes::from(body),
                }))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            assert_eq!(Some(r.status.as_u16()), x.status);
            if !r.body.is_empty() {
                assert!(contains(&r.body, "ID=\"4242\""), "{}", dir.display());
            }
        }
        t.assert_all_used();
    }
    assert!(dirs >= 6, "{dirs} fixture directories");
}

// ----- The quirk fixtures through the client -----

#[tokio::test]
async fn quirk_job_status_17_2_and_job_state_32767_in_poll_order() {
    let client = Client::replay(fixture("quirks-job-status")).unwrap();
    assert_eq!(client.default_namespace(), "root/emc");
    let first = client
        .get_instance(&job_path("JOB-1"), &GetInstanceOptions::default())
        .await
        .unwrap();
    assert_eq!(first.get::<u16>("JobState").unwrap(), 32767);
    assert_eq!(first.get::<u16>("PercentComplete").unwrap(), 50);
    let done = client
        .get_instance(&job_path("JOB-1"), &GetInstanceOptions::default())
        .await
        .unwrap();
    assert_eq!(done.get::<u16>("JobState").unwrap(), 7);
    assert_eq!(
        done.get::<Vec<u16>>("OperationalStatus").unwrap(),
        vec![17, 2]
    );
    // A third poll was not recorded.
    let e = client
        .get_instance(&job_path("JOB-1"), &GetInstanceOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("replay miss"), "{e}");
    // The test kit's own error is the source, naming the request and the nearest exchange.
    let source = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<TestkitError>());
    let miss = source
        .and_then(TestkitError::as_miss)
        .expect("a replay miss");
    assert_eq!(
        miss.requested.object,
        r#"cim_concretejob.instanceid="JOB-1""#
    );
    let nearest = miss.nearest.as_ref().expect("a nearest exchange");
    assert!(nearest.already_replayed && !nearest.due_next, "{nearest:?}");
    assert!(miss.all_replayed);
}

#[tokio::test]
async fn quirk_paramvalue_with_type_instead_of_paramtype() {
    let client = Client::replay(fixture("quirks-paramvalue-type")).unwrap();
    let rs = ObjectPath::new("root/emc", "CIM_ReplicationService")
        .with_key("CreationClassName", "CIM_ReplicationService")
        .with_key("Name", "RS1")
        .with_key("SystemCreationClassName", "CIM_ComputerSystem")
        .with_key("SystemName", "ARRAY1");
    let ret = client
        .invoke_method(
            &rs,
            "CreateElementReplica",
            vec![
                smis::message::ParamValue::new("SyncType", 8u16),
                smis::message::ParamValue::new("SourceElement", vol("00A1")),
                smis::message::ParamValue::new("ElementName", "clone1"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(ret.return_code(), Some(4096));
    let job = ret.out_param("Job").unwrap();
    assert_eq!(job.cim_type, Some(CimType::Reference));
    let job: ObjectPath = ret.get("Job").unwrap();
    assert_eq!(
        job.key("InstanceID").and_then(|v| v.as_str()),
        Some("JOB-7")
    );
    let size = ret.out_param("Size").unwrap();
    assert_eq!(size.cim_type, Some(CimType::Uint64));
    assert_eq!(size.value, Some(CimValue::Uint64(1_073_741_824)));
}

#[tokio::test]
async fn quirk_embedded_cim_error_in_get_errors() {
    let client = Client::replay(fixture("quirks-embedded-error")).unwrap();
    let ret = client
        .invoke_method(&job_path("JOB-7"), "GetErrors", vec![])
        .await
        .unwrap();
    assert_eq!(ret.return_code(), Some(0));
    let errors = ret
        .out_param("Errors")
        .and_then(|p| p.value.as_ref())
        .and_then(|v| v.as_array())
        .unwrap();
    assert_eq!(errors.items.len(), 1);
    let e = errors.items[0]
        .as_ref()
        .and_then(|v| v.as_instance())
        .unwrap();
    assert_eq!(e.class_name.as_str(), "CIM_Error");
    assert_eq!(
        e.get::<String>("Message").unwrap(),
        "Insufficient space in pool P1"
    );
    assert_eq!(e.get::<u16>("PerceivedSeverity").unwrap(), 6);
}

#[tokio::test]
async fn quirk_keyvalue_with_empty_type() {
    let client = Client::replay(fixture("quirks-keyvalue-empty-type")).unwrap();
    let names = client
        .enumerate_instance_names("CIM_StorageVolume", None)
        .await
        .unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(
        names[0].key("DeviceID").and_then(|v| v.as_str()),
        Some("00A1")
    );
    assert_eq!(names[1], vol("00A2"));
}

#[tokio::test]
async fn quirk_latin1_response() {
    let client = Client::replay(fixture("quirks-latin1")).unwrap();
    let v = client
        .get_instance(
            &vol("00A1"),
            &GetInstanceOptions::new().property_list(["elementname", "DeviceID"]),
        )
        .await
        .unwrap();
    assert_eq!(v.get::<String>("ElementName").unwrap(), "Volum\u{e9} 1");
}

#[tokio::test]
async fn quirk_http_500_with_cimerror_header_and_no_body() {
    let client = Client::replay(fixture("quirks-http500-cimerror")).unwrap();
    let e = client
        .get_instance(&vol("00A9"), &GetInstanceOptions::default())
        .await
        .unwrap_err();
    match e {
        Error::Http {
            status, cim_error, ..
        } => {
            assert_eq!(status, 500);
            assert_eq!(cim_error.as_deref(), Some("request-not-valid"));
        }
        other => panic!("expected Error::Http, got {other:?}"),
    }
}

// ----- Miss reports -----

#[tokio::test]
async fn changed_key_value_names_the_object() {
    let client = Client::replay(fixture("quirks-job-status")).unwrap();
    let e = client
        .get_instance(&job_path("JOB-2"), &GetInstanceOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("replay miss"), "{e}");
    assert!(e.contains("next recorded exchange: #1 GetInstance"), "{e}");
    assert!(
        e.contains(r#"object: recorded cim_concretejob.instanceid="JOB-1", requested cim_concretejob.instanceid="JOB-2""#),
        "{e}"
    );
}

#[tokio::test]
async fn changed_property_list_names_the_parameter() {
    let client = Client::replay_with(fixture("quirks-latin1"), ReplayMode::AnyOrder).unwrap();
    let e = client
        .get_instance(
            &vol("00A1"),
            &GetInstanceOptions::new().property_list(["DeviceID"]),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("closest recorded exchange: #1 GetInstance"),
        "{e}"
    );
    assert!(
        e.contains("param PropertyList: recorded [deviceid, elementname], requested [deviceid]"),
        "{e}"
    );
    assert!(!e.contains("object:"), "{e}");
}

#[tokio::test]
async fn changed_method_parameter_is_reported() {
    let client = Client::replay(fixture("quirks-paramvalue-type")).unwrap();
    let rs = ObjectPath::new("root/emc", "CIM_ReplicationService")
        .with_key("CreationClassName", "CIM_ReplicationService")
        .with_key("Name", "RS1")
        .with_key("SystemCreationClassName", "CIM_ComputerSystem")
        .with_key("SystemName", "ARRAY1");
    let e = client
        .invoke_method(
            &rs,
            "CreateElementReplica",
            vec![
                smis::message::ParamValue::new("ElementName", "clone1"),
                smis::message::ParamValue::new("SyncType", 6u16),
                smis::message::ParamValue::new("SourceElement", vol("00A1")),
            ],
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("param SyncType: recorded 8, requested 6"), "{e}");
}

// ----- Record → replay over an in-memory transport -----

/// A fake server: answers every request with a canned body echoing the request's
/// MESSAGE ID; the third request times out.
struct Fake {
    calls: Mutex<u32>,
}

impl Transport for Fake {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let n = {
            let mut c = self.calls.lock().unwrap();
            *c += 1;
            *c
        };
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let id = body
            .split("MESSAGE ID=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("0")
            .to_string();
        Box::pin(async move {
            if n == 3 {
                return Err(TransportError::Timeout {
                    endpoint: "fake".into(),
                    after: Duration::from_millis(1500),
                });
            }
            let mut headers = HeaderMap::new();
            headers.insert("content-type", HeaderValue::from_static("application/xml"));
            let mut trailers = HeaderMap::new();
            trailers.insert("cimstatuscode", HeaderValue::from_static("0"));
            Ok(HttpResponse {
                status: StatusCode::OK,
                headers,
                trailers: Some(trailers),
                body: Bytes::from(format!(
                    "<?xml version=\"1.0\"?><CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\"><MESSAGE ID=\"{id}\" PROTOCOLVERSION=\"1.0\"><SIMPLERSP><METHODRESPONSE NAME=\"M{n}\"><RETURNVALUE PARAMTYPE=\"uint32\"><VALUE>{n}</VALUE></RETURNVALUE></METHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"
                )),
            })
        })
    }

    fn endpoint(&self) -> String {
        "https://fake:5989".into()
    }
}

fn method_request(id: &str, sync_type: u16, password: &str, with_auth: bool) -> HttpRequest {
    let mut headers = HeaderMap::new();
    headers.insert("cimoperation", HeaderValue::from_static("MethodCall"));
    headers.insert("cimmethod", HeaderValue::from_static("AttachReplica"));
    headers.insert(
        "cimobject",
        HeaderValue::from_static("root/emc:CIM_ReplicationService.Name=%22RS1%22"),
    );
    if with_auth {
        let mut v = HeaderValue::from_static("Basic YWRtaW46cGE1NS1WZXJ5LVNlY3JldC05ZjhlCg==");
        v.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, v);
    }
    // Attributes in another order and extra whitespace on replay must not matter.
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\"><MESSAGE ID=\"{id}\" PROTOCOLVERSION=\"1.0\"><SIMPLEREQ><METHODCALL NAME=\"AttachReplica\"><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME=\"root\"/><NAMESPACE NAME=\"emc\"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME=\"CIM_ReplicationService\"><KEYBINDING NAME=\"Name\"><KEYVALUE VALUETYPE=\"string\">RS1</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH>\n  <PARAMVALUE NAME=\"SyncType\" PARAMTYPE=\"uint16\"><VALUE>{sync_type}</VALUE></PARAMVALUE><PARAMVALUE NAME=\"ArrayPassword\" PARAMTYPE=\"string\"><VALUE>{password}</VALUE></PARAMVALUE></METHODCALL></SIMPLEREQ></MESSAGE></CIM>"
    );
    HttpRequest {
        path: "/cimom".into(),
        headers,
        body: Bytes::from(body),
    }
}

#[tokio::test]
async fn record_then_replay_over_an_in_memory_transport() {
    let dir = temp_dir("fake");
    let rec = RecordingTransport::new(
        Arc::new(Fake {
            calls: Mutex::new(0),
        }),
        &dir,
    )
    .unwrap();
    let r1 = rec
        .send(method_request("77", 8, PASSWORD, true))
        .await
        .unwrap();
    let r2 = rec
        .send(method_request("78", 8, PASSWORD, true))
        .await
        .unwrap();
    let r3 = rec.send(method_request("79", 9, PASSWORD, true)).await;
    assert!(matches!(r3, Err(TransportError::Timeout { .. })));
    assert_eq!(rec.len(), 3);

    // Nothing secret on disk; IDs normalised.
    for (path, bytes) in all_files(&dir) {
        assert!(!contains(&bytes, PASSWORD), "{}", path.display());
        assert!(!contains(&bytes, "Basic "), "{}", path.display());
        assert!(!contains(&bytes, "YWRtaW4"), "{}", path.display());
    }
    let req1 = std::fs::read_to_string(dir.join("0001-AttachReplica.request.xml")).unwrap();
    assert!(req1.contains("MESSAGE ID=\"1001\""), "{req1}");
    assert!(req1.contains("<VALUE>[REDACTED]</VALUE>"), "{req1}");
    let resp1 = std::fs::read_to_string(dir.join("0001-AttachReplica.response.xml")).unwrap();
    assert!(resp1.contains("MESSAGE ID=\"1001\""), "{resp1}");
    let m = Manifest::load(&dir).unwrap();
    assert_eq!(m.endpoint, "https://fake:5989");
    assert_eq!(m.exchanges.len(), 3);
    let x = &m.exchanges[0];
    assert_eq!(x.operation, "AttachReplica");
    assert_eq!(x.namespace, "root/emc");
    assert_eq!(x.object, "root/emc:CIM_ReplicationService.Name=\"RS1\"");
    assert_eq!(x.status, Some(200));
    assert!(
        x.canonical.contains("arraypassword=[REDACTED]"),
        "{}",
        x.canonical
    );
    let json = serde_json::to_value(x).unwrap();
    assert_eq!(json["request_headers"]["authorization"], "[REDACTED]");
    assert_eq!(json["headers"]["content-type"], "application/xml");
    assert_eq!(json["trailers"]["cimstatuscode"], "0");
    assert_eq!(m.exchanges[2].error_kind.as_deref(), Some("timeout"));
    assert!(m.exchanges[2].response_file.is_none());

    // Strict replay: same answers, with the new request IDs; the timeout comes back.
    let t = ReplayTransport::open(&dir).unwrap();
    let a = t
        .send(method_request("5001", 8, "another-password", false))
        .await
        .unwrap();
    assert_eq!(
        a.body,
        Bytes::from(String::from_utf8_lossy(&r1.body).replace("ID=\"77\"", "ID=\"5001\""))
    );
    assert_eq!(
        a.trailers.unwrap().get("cimstatuscode").unwrap(),
        &HeaderValue::from_static("0")
    );
    // Out of order: the third exchange (SyncType 9) is not next.
    let miss = t
        .send(method_request("5002", 9, PASSWORD, false))
        .await
        .unwrap_err();
    let typed = TestkitError::of_transport(&miss)
        .and_then(TestkitError::as_miss)
        .expect("a typed replay miss");
    assert_eq!(typed.requested.operation, "AttachReplica");
    let nearest = typed.nearest.as_ref().expect("the nearest exchange");
    assert_eq!((nearest.seq, nearest.due_next), (2, true));
    assert_eq!(nearest.later_match, Some(3));
    let e = miss.to_string();
    assert!(
        e.contains("next recorded exchange: #2 AttachReplica"),
        "{e}"
    );
    assert!(e.contains("param SyncType: recorded 8, requested 9"), "{e}");
    assert!(e.contains("matches recorded exchange #3"), "{e}");
    assert!(!e.contains(PASSWORD), "{e}");
    let b = t
        .send(method_request("5003", 8, PASSWORD, false))
        .await
        .unwrap();
    assert!(contains(&b.body, "ID=\"5003\""));
    assert_eq!(b.body.len(), r2.body.len() + 2);
    assert_eq!(t.remaining().len(), 1);
    match t.send(method_request("5004", 9, PASSWORD, false)).await {
        Err(TransportError::Timeout { after, .. }) => {
            assert_eq!(after, Duration::from_millis(1500))
        }
        other => panic!("{other:?}"),
    }
    t.assert_all_used();
    let e = t
        .send(method_request("5005", 8, PASSWORD, false))
        .await
        .unwrap_err();
    let typed = TestkitError::of_transport(&e).and_then(TestkitError::as_miss);
    assert!(typed.is_some_and(|m| m.all_replayed), "{e}");
    assert!(matches!(Error::from(e), Error::Testkit(_)));
    let e = t
        .send(method_request("5006", 8, PASSWORD, false))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("all recorded exchanges have been replayed"),
        "{e}"
    );

    // AnyOrder: the timeout first, then the two identical requests in recorded order.
    let t = ReplayTransport::open(&dir)
        .unwrap()
        .with_mode(ReplayMode::AnyOrder);
    assert!(
        t.send(method_request("1", 9, PASSWORD, false))
            .await
            .is_err()
    );
    let first = t
        .send(method_request("2", 8, PASSWORD, false))
        .await
        .unwrap();
    assert!(contains(&first.body, "NAME=\"M1\""));
    let second = t
        .send(method_request("3", 8, PASSWORD, false))
        .await
        .unwrap();
    assert!(contains(&second.body, "NAME=\"M2\""));
    assert!(t.check_all_used().is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

// ----- Record → replay over the simulator -----

#[tokio::test]
async fn record_then_replay_over_the_simulator() {
    use smis_sim::{Scenario, Simulator, SimulatorConfig};
    const NS: &str = "root/smis-sim";
    let sim = Simulator::start(
        SimulatorConfig::new(Scenario::builtin("default").unwrap()).user("admin", PASSWORD),
    )
    .unwrap();
    let live = Client::builder(sim.url())
        .namespace(NS)
        .credentials(Credentials::new("admin", PASSWORD.to_string()))
        .tls(
            smis::transport::tls::TlsOptions::pinned_sha256(&sim.cert_sha256_hex().unwrap())
                .unwrap(),
        )
        .operation_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let dir = temp_dir("sim");
    let client = Client::record(&live, &dir).unwrap();
    let interop = EnumerateInstancesOptions::new().namespace("interop");
    let open = OpenOptions::new().max_object_count(2);

    async fn run(
        c: &Client,
        interop: &EnumerateInstancesOptions,
        open: &OpenOptions,
    ) -> (
        Vec<ObjectPath>,
        smis::cim::Instance,
        Vec<smis::cim::Instance>,
        Vec<smis::cim::Instance>,
    ) {
        let names = c
            .enumerate_instance_names("CIM_StorageVolume", None)
            .await
            .unwrap();
        let vol = c
            .get_instance(&names[0], &GetInstanceOptions::default())
            .await
            .unwrap();
        let profiles = c
            .enumerate_instances("CIM_RegisteredProfile", interop)
            .await
            .unwrap();
        let pulled: Vec<_> = c
            .enumerate_instances_stream("CIM_RegisteredProfile", interop, open)
            .collect()
            .await;
        let pulled = pulled.into_iter().collect::<Result<Vec<_>, _>>().unwrap();
        (names, vol, profiles, pulled)
    }

    let recorded = run(&client, &interop, &open).await;
    assert!(recorded.3.len() >= 6);
    sim.shutdown().await;

    let m = Manifest::load(&dir).unwrap();
    assert_eq!(m.default_namespace.as_deref(), Some(NS));
    let pulls = m
        .exchanges
        .iter()
        .filter(|x| x.operation == "PullInstancesWithPath")
        .count();
    assert!(pulls >= 2, "{pulls} pull pages");
    for (path, bytes) in all_files(&dir) {
        assert!(!contains(&bytes, PASSWORD), "{}", path.display());
        assert!(!contains(&bytes, "Basic "), "{}", path.display());
    }

    let t = Arc::new(ReplayTransport::open(&dir).unwrap());
    let replayed = run(&t.client(), &interop, &open).await;
    assert_eq!(replayed, recorded);
    t.assert_all_used();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_fixture_is_a_testkit_error_with_the_io_cause() {
    let e = Client::replay("/nonexistent/smis-fixture-dir").unwrap_err();
    assert!(
        matches!(e, Error::Testkit(TestkitError::Fixture { .. })),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("/nonexistent/smis-fixture-dir"),
        "{e}"
    );
    let io = std::error::Error::source(&e)
        .and_then(|kit| kit.source())
        .and_then(|cause| cause.downcast_ref::<std::io::Error>());
    assert_eq!(io.map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
}
