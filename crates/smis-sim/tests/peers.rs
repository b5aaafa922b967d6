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
    let python = std::env::var("SMIS_PYWBEM_PYTHON").unwrap_or_else(|_| "python3".into());
    let sim =
        Simulator::start(SimulatorConfig::new(scenario()).user("admin", PASSWORD)).expect("start");
    let cert = write_cert(&sim);
    let url = sim.url();
    let cafile = cert.0.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg("-c")
            .arg(PYWBEM_SCRIPT)
            .arg(url)
            .arg(cafile)
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
        out.status.success() && stdout.contains("PYWBEM OK"),
        "pywbem failed:\n{stdout}\n{stderr}"
    );
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
    let python = std::env::var("SMIS_PYWBEM_PYTHON").unwrap_or_else(|_| "python3".into());
    let sim =
        Simulator::start(SimulatorConfig::new(scenario()).user("admin", PASSWORD)).expect("start");
    let cert = write_cert(&sim);
    let url = sim.url();
    let cafile = cert.0.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg("-c")
            .arg(PYWBEM_MASKING_SCRIPT)
            .arg(url)
            .arg(cafile)
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
        out.status.success() && stdout.contains("PYWBEM MASKING OK"),
        "pywbem failed:\n{stdout}\n{stderr}"
    );
    sim.shutdown().await;
}
