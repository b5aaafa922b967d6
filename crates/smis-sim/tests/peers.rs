//! Independent CIM clients against the simulator: pywbem (the reference Python client) and
//! sblim `wbemcli`. Their success is the proof that the simulator speaks standard CIM-XML,
//! not just smis' dialect.
//!
//! Needs `python3` with pywbem (`SMIS_PYWBEM_PYTHON`, set by `.ci/run`, which installs it
//! in `.ci/venv`) and `wbemcli` (Debian `sblim-wbemcli`). Built only with the `peer-tests`
//! feature: `cargo test -p smis-sim --features peer-tests --test peers` (CI runs it); a
//! missing tool fails the test, it is never skipped.

use std::process::Command;
use std::time::Duration;

use smis_sim::{Scenario, Simulator, SimulatorConfig};

const PASSWORD: &str = "peer-test-Pw-31";

fn scenario() -> Scenario {
    let mut sc = Scenario::builtin("default").expect("builtin");
    sc.jobs.clone_ms = 400;
    sc
}

fn write_cert(sim: &Simulator) -> tempfile_path::TempPath {
    let path = tempfile_path::TempPath::new("pem");
    std::fs::write(&path.0, sim.cert_pem().expect("https")).expect("write cert");
    path
}

mod tempfile_path {
    /// A file removed on drop.
    pub struct TempPath(pub std::path::PathBuf);
    impl TempPath {
        pub fn new(ext: &str) -> Self {
            let n = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            TempPath(
                std::env::temp_dir().join(format!("smis-peer-{}-{n}.{ext}", std::process::id())),
            )
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

const PYWBEM_SCRIPT: &str = r#"
import os, sys, time
import pywbem
url, cafile = sys.argv[1], sys.argv[2]
conn = pywbem.WBEMConnection(url, ('admin', os.environ['PEER_PASSWORD']),
                             default_namespace='root/smis-sim', ca_certs=cafile, timeout=20)
profiles = conn.EnumerateInstances('CIM_RegisteredProfile', namespace='interop')
names = sorted(p['RegisteredName'] for p in profiles)
assert 'Array' in names, names
assert all(p['RegisteredOrganization'] in (2, 11) for p in profiles)
arrays = conn.Associators([p for p in profiles if p['RegisteredName'] == 'Array'][0].path,
                          AssocClass='CIM_ElementConformsToProfile', ResultClass='CIM_ComputerSystem')
assert len(arrays) == 1, arrays
vols = conn.EnumerateInstanceNames('CIM_StorageVolume')
assert len(vols) == 3, vols
vol = conn.GetInstance(vols[0])
assert vol['BlockSize'] == 512
pools = conn.Associators(vols[0], AssocClass='CIM_AllocatedFromStoragePool')
assert len(pools) == 1
# Pull operations, paged.
r = conn.OpenEnumerateInstances('CIM_RegisteredProfile', namespace='interop', MaxObjectCount=2)
got = len(r.instances)
while not r.eos:
    r = conn.PullInstancesWithPath(r.context, MaxObjectCount=2)
    got += len(r.instances)
assert got == len(profiles), (got, len(profiles))
# CreateElementReplica, then follow the job to completion.
svc = conn.EnumerateInstanceNames('CIM_ReplicationService')[0]
rc, out = conn.InvokeMethod('CreateElementReplica', svc, ElementName='pywbem-clone',
                            SyncType=pywbem.Uint16(8), SourceElement=vols[0],
                            WaitForCopyState=pywbem.Uint16(4))
assert rc == 4096, (rc, out)
job = out['Job']
for _ in range(100):
    j = conn.GetInstance(job)
    if j['JobState'] not in (2, 3, 4, 5, 32767):
        break
    time.sleep(0.1)
assert j['JobState'] == 7, j['JobState']
assert 2 in j['OperationalStatus'] and 17 in j['OperationalStatus'], j['OperationalStatus']
clones = conn.AssociatorNames(job, AssocClass='CIM_AffectedJobElement', ResultClass='CIM_StorageVolume')
assert len(clones) == 1, clones
assert conn.GetInstance(clones[0])['ElementName'] == 'pywbem-clone'
print('PYWBEM OK', len(profiles), 'profiles')
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pywbem_talks_to_the_simulator() {
    let (sim, cert) = start(scenario());
    pywbem(
        PYWBEM_SCRIPT,
        vec![sim.url(), cert.0.display().to_string()],
        "PYWBEM OK",
    )
    .await;
    sim.shutdown().await;
}

fn wbemcli(args: &[&str]) -> String {
    let out = Command::new("wbemcli")
        .args(args)
        .output()
        .expect("cannot run wbemcli: install the Debian package sblim-wbemcli");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "wbemcli {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wbemcli_talks_to_the_simulator() {
    // wbemcli takes credentials only inside the URL (a command line): run it against a
    // simulator without authentication instead of putting a password on a command line.
    let sim = Simulator::start(SimulatorConfig::new(scenario())).expect("start");
    let cert = write_cert(&sim);
    let ca = cert.0.display().to_string();
    let base = sim.url().trim_end_matches('/').to_string();
    let b = base.clone();
    let c = ca.clone();
    let out = tokio::task::spawn_blocking(move || {
        let profiles = wbemcli(&[
            "ei",
            "-cacert",
            &c,
            &format!("{b}/interop:CIM_RegisteredProfile"),
        ]);
        let names = wbemcli(&[
            "ein",
            "-cacert",
            &c,
            &format!("{b}/root/smis-sim:CIM_StorageVolume"),
        ]);
        (profiles, names)
    })
    .await
    .expect("join");
    let (profiles, names) = out;
    assert!(profiles.contains("RegisteredName=\"Array\""), "{profiles}");
    let vols: Vec<&str> = names
        .lines()
        .filter(|l| l.contains("StorageVolume"))
        .collect();
    assert_eq!(vols.len(), 3, "{names}");
    let vol = vols[0].trim().to_string();
    let b = base.clone();
    let c = ca.clone();
    let (inst, pools, svc) = tokio::task::spawn_blocking(move || {
        // wbemcli prints paths as host:port/ns:Class.keys; give them back with the scheme.
        let path = vol
            .split_once('/')
            .map(|(_, p)| p.to_string())
            .unwrap_or(vol.clone());
        let inst = wbemcli(&["gi", "-cacert", &c, &format!("{b}/{path}")]);
        let pools = wbemcli(&[
            "ain",
            "-cacert",
            &c,
            "-ac",
            "CIM_AllocatedFromStoragePool",
            &format!("{b}/{path}"),
        ]);
        let svc = wbemcli(&[
            "ein",
            "-cacert",
            &c,
            &format!("{b}/root/smis-sim:CIM_ReplicationService"),
        ]);
        (inst, pools, svc)
    })
    .await
    .expect("join");
    assert!(inst.contains("BlockSize=512"), "{inst}");
    assert!(pools.contains("StoragePool"), "{pools}");
    assert!(svc.contains("ReplicationService"), "{svc}");
    // CreateElementReplica with a reference parameter, then poll the job to completion.
    // wbemcli writes references as host:port/namespace:Class.keys.
    let svc_path = svc.lines().next().unwrap_or("").trim().to_string();
    let svc_path = svc_path
        .split_once('/')
        .map(|(_, p)| p.to_string())
        .unwrap_or_default();
    let host = base.trim_start_matches("https://").to_string();
    let vol_local = vols[0]
        .trim()
        .split_once('/')
        .map(|(_, p)| p.to_string())
        .unwrap_or_default();
    let b = base.clone();
    let c = ca.clone();
    let (call, polls) = tokio::task::spawn_blocking(move || {
        let call = wbemcli(&[
            "cm",
            "-cacert",
            &c,
            &format!("{b}/{svc_path}"),
            &format!("CreateElementReplica.ElementName=\"wbemcli-clone\",SyncType=8,SourceElement={host}/{vol_local}"),
        ]);
        let job = call
            .split_once("Job (reference): ")
            .map(|(_, j)| j.trim().to_string())
            .unwrap_or_default();
        let mut polls = Vec::new();
        for _ in 0..100 {
            let j = wbemcli(&["gi", "-cacert", &c, &format!("{b}/{job}")]);
            let done = j.contains("JobState=7") || j.contains("JobState=10");
            polls.push(j);
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        (call, polls)
    })
    .await
    .expect("join");
    assert!(call.contains("CreateElementReplica: 4096"), "{call}");
    let last = polls.last().cloned().unwrap_or_default();
    assert!(last.contains("JobState=7"), "{last}");
    assert!(
        last.contains("OperationalStatus=2,17") || last.contains("OperationalStatus=17,2"),
        "{last}"
    );
    assert!(
        polls.len() > 1,
        "the job should have been running at first: {polls:?}"
    );
    sim.shutdown().await;
}

/// The SNIA "Group Masking and Mapping" recipe as pywbem drives it: CreateStorageHardwareID,
/// CreateGroup ×3 (initiator, target, device), CreateMaskingView, then AssociatorNames finds
/// the view from the initiator group and ProtocolControllerForUnit carries the LUN.
const PYWBEM_MASKING_SCRIPT: &str = r#"
import os, sys
import pywbem
from pywbem import Uint16
url, cafile = sys.argv[1], sys.argv[2]
conn = pywbem.WBEMConnection(url, ('admin', os.environ['PEER_PASSWORD']),
                             default_namespace='root/smis-sim', ca_certs=cafile, timeout=20)
profiles = [p['RegisteredName'] for p in conn.EnumerateInstances('CIM_RegisteredProfile', namespace='interop')]
for want in ('Group Masking and Mapping', 'Masking and Mapping', 'FC Target Ports', 'iSCSI Target Ports'):
    assert want in profiles, (want, profiles)
system = conn.EnumerateInstanceNames('CIM_ComputerSystem')[0]
caps = conn.Associators(system, AssocClass='CIM_ElementCapabilities',
                        ResultClass='CIM_GroupMaskingMappingCapabilities')
assert len(caps) == 1, caps
acts = list(caps[0]['SupportedSynchronousActions']) + list(caps[0]['SupportedAsynchronousActions'] or [])
assert 19 in acts and 23 in acts, acts
gmms = conn.EnumerateInstanceNames('CIM_GroupMaskingMappingService')[0]
hwms = conn.EnumerateInstanceNames('CIM_StorageHardwareIDManagementService')[0]
rc, out = conn.InvokeMethod('CreateStorageHardwareID', hwms, StorageID='10000000C9ABCDEF',
                            IDType=Uint16(2), ElementName='pyhost-hba0')
assert rc == 0, rc
shid = out['HardwareID']
rc, bad = conn.InvokeMethod('CreateStorageHardwareID', hwms, StorageID='10:00:zz', IDType=Uint16(2))
assert rc == 5, ('invalid WWN', rc)
eps = [p for p in conn.EnumerateInstanceNames('CIM_SCSIProtocolEndpoint')]
assert len(eps) == 3, eps
vol = [v for v in conn.EnumerateInstances('CIM_StorageVolume') if v['ElementName'] == 'db01'][0].path
groups = {}
for kind, members in ((2, [shid]), (3, eps), (4, [vol])):
    rc, out = conn.InvokeMethod('CreateGroup', gmms, GroupName='pyhost', Type=Uint16(kind), Members=members)
    assert rc == 0, (kind, rc)
    groups[kind] = out['MaskingGroup']
rc, out = conn.InvokeMethod('CreateMaskingView', gmms, ElementName='pyhost-view',
                            InitiatorMaskingGroup=groups[2], TargetMaskingGroup=groups[3],
                            DeviceMaskingGroup=groups[4], DeviceNumbers=['A'])
assert rc == 0, rc
spc = out['ProtocolController']
views = conn.AssociatorNames(groups[2], AssocClass='CIM_AssociatedInitiatorMaskingGroup',
                             ResultClass='CIM_SCSIProtocolController')
assert len(views) == 1 and views[0]['DeviceID'] == spc['DeviceID'], views
refs = conn.References(vol, ResultClass='CIM_ProtocolControllerForUnit')
assert len(refs) == 1, refs
assert refs[0]['Antecedent']['DeviceID'] == spc['DeviceID']
assert int(refs[0]['DeviceNumber'], 16) == 10, refs[0]['DeviceNumber']
members = conn.AssociatorNames(groups[4], AssocClass='CIM_OrderedMemberOfCollection')
assert len(members) == 1, members
# The view already exists: the same initiator and target groups again answer 6 In Use.
rc, _ = conn.InvokeMethod('CreateMaskingView', gmms, InitiatorMaskingGroup=groups[2],
                          TargetMaskingGroup=groups[3], DeviceMaskingGroup=groups[4])
assert rc == 6, ('view exists', rc)
rc, _ = conn.InvokeMethod('DeleteMaskingView', gmms, ProtocolController=spc)
assert rc == 0, rc
assert conn.References(vol, ResultClass='CIM_ProtocolControllerForUnit') == []
print('PYWBEM MASKING OK')
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pywbem_drives_group_masking() {
    let (sim, cert) = start(scenario());
    pywbem(
        PYWBEM_MASKING_SCRIPT,
        vec![sim.url(), cert.0.display().to_string()],
        "PYWBEM MASKING OK",
    )
    .await;
    sim.shutdown().await;
}

/// pywbem's WBEMSubscriptionManager subscribes its own WBEMListener on the simulator (owned
/// destination, filter and subscription in the interop namespace); a volume created through
/// pywbem reaches that listener as a CIM_InstCreation; removing the server removes them.
const PYWBEM_LISTENER_SCRIPT: &str = r#"
import os, sys, threading
import pywbem
url, cafile, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = pywbem.WBEMConnection(url, ('admin', os.environ['PEER_PASSWORD']),
                             default_namespace='root/smis-sim', ca_certs=cafile, timeout=20)
got = []
ev = threading.Event()
def cb(ind, host):
    got.append(ind)
    ev.set()
listener = pywbem.WBEMListener('127.0.0.1', http_port=port, https_port=None)
listener.add_callback(cb)
listener.start()
try:
    server = pywbem.WBEMServer(conn)
    sm = pywbem.WBEMSubscriptionManager(subscription_manager_id='peer')
    sid = sm.add_server(server)
    dest = sm.add_destination(sid, 'http://127.0.0.1:%d' % port, owned=True, destination_id='d1')
    filt = sm.add_filter(sid, 'root/smis-sim',
                         'SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume',
                         query_language='WQL', owned=True, filter_id='vols')
    subs = sm.add_subscriptions(sid, filt.path, dest.path)
    assert len(subs) == 1, subs
    assert len(sm.get_all_subscriptions(sid)) == 1
    svc = conn.EnumerateInstanceNames('CIM_StorageConfigurationService')[0]
    pool = [p for p in conn.EnumerateInstanceNames('CIM_StoragePool') if 'P1' in str(p)][0]
    rc, out = conn.InvokeMethod('CreateOrModifyElementFromStoragePool', svc,
                                ElementName='pywbem-vol', ElementType=pywbem.Uint16(2),
                                InPool=pool, Size=pywbem.Uint64(1 << 20))
    assert rc in (0, 4096), rc
    assert ev.wait(20), 'no indication within 20 s'
    ind = got[0]
    assert ind.classname == 'CIM_InstCreation', ind.classname
    src = ind['SourceInstance']
    assert src['ElementName'] == 'pywbem-vol', src
    assert ind['SequenceNumber'] == 0, ind['SequenceNumber']
    sm.remove_server(sid)
    left = conn.EnumerateInstances('CIM_IndicationSubscription', namespace='interop')
    assert len(left) == 0, left
finally:
    listener.stop()
print('PYWBEM LISTENER OK', len(got))
"#;

fn python() -> String {
    std::env::var("SMIS_PYWBEM_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The simulator (user `admin`, [`PASSWORD`]) and its certificate in a file.
fn start(sc: Scenario) -> (Simulator, tempfile_path::TempPath) {
    let sim = Simulator::start(SimulatorConfig::new(sc).user("admin", PASSWORD)).expect("start");
    let cert = write_cert(&sim);
    (sim, cert)
}

/// Runs `python -c script args...` with pywbem (the password in `PEER_PASSWORD`, no CA
/// bundle from the environment) and asserts that it succeeded and printed `ok`.
async fn pywbem(script: &'static str, args: Vec<String>, ok: &'static str) {
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg("-c")
            .arg(script)
            .args(&args)
            .env("PEER_PASSWORD", PASSWORD)
            .env_remove("REQUESTS_CA_BUNDLE")
            .env_remove("CURL_CA_BUNDLE")
            .output()
    })
    .await
    .expect("join")
    .expect("cannot run python3 with pywbem: set SMIS_PYWBEM_PYTHON or run .ci/run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(ok),
        "pywbem ({ok}) failed:\n{stdout}\n{stderr}"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pywbem_subscription_manager_and_listener_receive_simulator_indications() {
    let mut sc = scenario();
    sc.jobs.volume_create_ms = 0;
    let (sim, cert) = start(sc);
    let args = vec![
        sim.url(),
        cert.0.display().to_string(),
        free_port().to_string(),
    ];
    pywbem(PYWBEM_LISTENER_SCRIPT, args, "PYWBEM LISTENER OK 1").await;
    assert_eq!(sim.provider().subscription_count(), 0);
    sim.shutdown().await;
}

/// An ExportIndication encoded by pywbem's own CIM-XML writer (`pywbem._cim_xml`,
/// `CIMInstance.tocimxml()`), POSTed with the DSP0200 export headers to smis' listener.
const PYWBEM_EXPORT_SCRIPT: &str = r#"
import sys, urllib.request
import pywbem
try:
    from pywbem import _cim_xml as cim_xml   # pywbem 1.x
except ImportError:
    from pywbem import cim_xml               # pywbem 0.x
port = int(sys.argv[1])
inst = pywbem.CIMInstance('CIM_AlertIndication', properties={
    'Description': 'sent by pywbem',
    'PerceivedSeverity': pywbem.Uint16(5),
    'IndicationTime': pywbem.CIMDateTime('20261130214110.346591+000'),
    'SequenceContext': 'pywbem#1',
    'SequenceNumber': pywbem.Sint64(0),
})
msg = cim_xml.CIM(cim_xml.MESSAGE(cim_xml.SIMPLEEXPREQ(cim_xml.EXPMETHODCALL(
    'ExportIndication', [cim_xml.EXPPARAMVALUE('NewIndication', inst.tocimxml())])),
    '4711', '1.0'), '2.0', '2.0')
body = ('<?xml version="1.0" encoding="utf-8" ?>\n' + msg.toxml()).encode('utf-8')
req = urllib.request.Request('http://127.0.0.1:%d/' % port, data=body, method='POST', headers={
    'Content-Type': 'application/xml; charset=utf-8',
    'CIMExport': 'MethodRequest', 'CIMExportMethod': 'ExportIndication'})
with urllib.request.urlopen(req, timeout=20) as r:
    text = r.read().decode('utf-8')
    assert r.status == 200, r.status
    assert r.headers['CIMExport'] == 'MethodResponse', dict(r.headers)
    assert 'MESSAGE ID="4711"' in text and '<ERROR' not in text, text
print('PYWBEM EXPORT OK')
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pywbem_encoded_export_indication_is_accepted_by_the_listener() {
    use smis::indication::{Listener, ListenerConfig};
    let mut l = Listener::bind(ListenerConfig::http(std::net::SocketAddr::from((
        [127, 0, 0, 1],
        0,
    ))))
    .await
    .expect("listener");
    let port = l.handle().local_addr().port();
    pywbem(
        PYWBEM_EXPORT_SCRIPT,
        vec![port.to_string()],
        "PYWBEM EXPORT OK",
    )
    .await;
    let ind = tokio::time::timeout(Duration::from_secs(5), l.recv())
        .await
        .expect("indication")
        .expect("open");
    assert_eq!(ind.class_name(), "CIM_AlertIndication");
    assert_eq!(
        ind.instance
            .get::<String>("Description")
            .expect("Description"),
        "sent by pywbem"
    );
    assert_eq!(ind.sequence.expect("sequence").number, 0);
    assert!(ind.indication_time.is_some());
}
