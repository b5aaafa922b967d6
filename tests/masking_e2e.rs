//! Masking and mapping end to end against the simulated provider over loopback HTTPS: both
//! masking forms (Group Masking and Mapping on `default`, ExposePaths/HidePaths on
//! `spc-masking`), asserting the CIM state afterwards (groups, views, ProtocolControllerForUnit
//! with the LUN), the StorageService codes of refusals, rollback of a failed view, jobs.

mod support;

use support::sim::{array, client, start};

use std::time::Duration;

use smis::cim::ObjectPath;
use smis::client::{AssociatorsOptions, EnumerateInstancesOptions, ReferencesOptions};
use smis::smis::{Masking, MaskingStyle, SmisArray, StorageVolume, WaitOptions};
use smis::{Client, Error};
use smis_sim::Scenario;
use smis_sim::scenario::{FaultAction, FaultMatch, FaultSpec};

const NS: &str = "root/smis-sim";
const H1A: &str = "21:00:00:1b:32:a1:b2:c3"; // registered by the scenario as 2100001B32A1B2C3
const H1B: &str = "2101001B32A1B2C3";
const H2: &str = "iqn.1994-05.com.redhat:host2";

fn fast(mut m: Masking) -> Masking {
    m.wait = WaitOptions {
        poll_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(100),
        deadline: Duration::from_secs(20),
        ..WaitOptions::default()
    };
    m
}

async fn volume(a: &SmisArray, name: &str) -> StorageVolume {
    a.volumes()
        .await
        .expect("volumes")
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some(name))
        .expect("volume exists")
}

fn code(e: &Error) -> u32 {
    e.storage_service_code().code()
}

async fn count(c: &Client, class: &str) -> usize {
    c.enumerate_instances(class, &EnumerateInstancesOptions::new().namespace(NS))
        .await
        .expect("enumerate")
        .len()
}

async fn assoc_names(c: &Client, from: &ObjectPath, assoc: &str, result: &str) -> Vec<ObjectPath> {
    c.associator_names(
        from,
        &AssociatorsOptions::new()
            .assoc_class(assoc)
            .result_class(result),
    )
    .await
    .expect("associator names")
}

/// (view, DeviceNumber, DeviceAccess) of every ProtocolControllerForUnit of a volume.
async fn pcfu(c: &Client, vol: &ObjectPath) -> Vec<(ObjectPath, String, u16)> {
    c.references(
        vol,
        &ReferencesOptions::new().result_class("CIM_ProtocolControllerForUnit"),
    )
    .await
    .expect("references")
    .into_iter()
    .filter_map(|o| o.into_instance())
    .map(|i| {
        (
            i.get::<ObjectPath>("Antecedent").unwrap(),
            i.get::<String>("DeviceNumber").unwrap(),
            i.get::<u16>("DeviceAccess").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn ports_and_initiators() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let ports = a.target_ports().await.unwrap();
    let fc: Vec<_> = ports.iter().filter(|p| p.kind == "fc").collect();
    assert_eq!(fc.len(), 2);
    assert_eq!(fc[0].wwpn.as_deref(), Some("500A098187F93622"));
    assert_eq!(
        fc[0].name, "500A098187F93622",
        "endpoint Name = PermanentAddress"
    );
    let iscsi: Vec<_> = ports.iter().filter(|p| p.kind == "iscsi").collect();
    assert_eq!(iscsi.len(), 1);
    assert_eq!(
        iscsi[0].iqns,
        vec!["iqn.2026-01.com.simvendor:simarray-0001"]
    );
    assert_eq!(iscsi[0].portals, vec!["192.0.2.10:3260"]);

    let m = fast(a.masking().await.unwrap());
    assert_eq!(m.style, MaskingStyle::Group);
    assert_eq!(a.initiators().await.unwrap().len(), 3);
    let h = m
        .register_initiator("21:00:00:1b:32:a1:b2:c9", Some("host9"))
        .await
        .unwrap();
    assert_eq!(h.storage_id, "2100001B32A1B2C9");
    assert_eq!(h.id_type, 2);
    let again = m
        .register_initiator("2100001b32a1b2c9", None)
        .await
        .unwrap();
    assert_eq!(
        again.path, h.path,
        "an existing ID is reused, not duplicated"
    );
    assert_eq!(a.initiators().await.unwrap().len(), 4);
    let e = m.register_initiator("host-9", None).await.unwrap_err();
    assert_eq!(code(&e), 4098, "{e}");
    assert!(e.to_string().contains("host-9"), "{e}");
    m.delete_initiator("2100001B32A1B2C9").await.unwrap();
    assert_eq!(a.initiators().await.unwrap().len(), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn group_masking_workflows() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let m = fast(a.masking().await.unwrap());
    let db = volume(&a, "db01").await;
    let logs = volume(&a, "logs01").await;
    let small = volume(&a, "small01").await;

    // Bad input: no initiator, unknown format.
    assert_eq!(
        code(&m.create_access_group("x", &[]).await.unwrap_err()),
        40005
    );
    assert_eq!(
        code(&m.create_access_group("x", &["nope"]).await.unwrap_err()),
        4098
    );
    assert_eq!(
        count(&c, "CIM_InitiatorMaskingGroup").await,
        0,
        "nothing created"
    );

    let g = m.create_access_group("host1", &[H1A]).await.unwrap();
    assert_eq!(g.initiators, vec!["2100001B32A1B2C3"]);
    let e = m.create_access_group("host1", &[H1B]).await.unwrap_err();
    assert_eq!(code(&e), 40090, "{e}");
    let imgs = assoc_names(
        &c,
        a.system_path(),
        "CIM_HostedCollection",
        "CIM_InitiatorMaskingGroup",
    )
    .await;
    assert_eq!(imgs.len(), 1);

    // Map with an explicit LUN, then one the array picks.
    assert_eq!(m.map_volume(&db, &g, Some(5)).await.unwrap(), 5);
    assert_eq!(m.map_volume(&logs, &g, None).await.unwrap(), 0);
    let units = pcfu(&c, &db.path).await;
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].1, "5");
    assert_eq!(units[0].2, 2, "Read Write");
    let view = units[0].0.clone();
    let img = assoc_names(
        &c,
        &view,
        "CIM_AssociatedInitiatorMaskingGroup",
        "CIM_InitiatorMaskingGroup",
    )
    .await;
    assert_eq!(img.len(), 1);
    let tmg = assoc_names(
        &c,
        &view,
        "CIM_AssociatedTargetMaskingGroup",
        "CIM_TargetMaskingGroup",
    )
    .await;
    assert_eq!(
        assoc_names(
            &c,
            &tmg[0],
            "CIM_MemberOfCollection",
            "CIM_SCSIProtocolEndpoint"
        )
        .await
        .len(),
        3,
        "all target ports"
    );
    let dmg = assoc_names(
        &c,
        &view,
        "CIM_AssociatedDeviceMaskingGroup",
        "CIM_DeviceMaskingGroup",
    )
    .await;
    let vols = assoc_names(
        &c,
        &dmg[0],
        "CIM_OrderedMemberOfCollection",
        "CIM_StorageVolume",
    )
    .await;
    assert_eq!(vols.len(), 2);

    // Refusals: already mapped, LUN in use, LUN out of range.
    assert_eq!(code(&m.map_volume(&db, &g, None).await.unwrap_err()), 4101);
    assert_eq!(
        code(&m.map_volume(&small, &g, Some(5)).await.unwrap_err()),
        4102
    );
    assert_eq!(
        code(&m.map_volume(&small, &g, Some(300)).await.unwrap_err()),
        40036
    );
    // A mapped volume cannot be deleted (6 In Use).
    let e = a.delete_volume(&small, &WaitOptions::default()).await;
    assert!(e.is_ok(), "small01 is not mapped: {e:?}");
    let e = a
        .delete_volume(&db, &WaitOptions::default())
        .await
        .unwrap_err();
    assert_eq!(code(&e), 6, "{e}");

    // Who sees db01, and what host1 sees.
    let seen = a.volume_access(&db.path).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].group.as_str(), seen[0].lun), ("host1", 5));
    assert_eq!(seen[0].initiators, vec!["2100001B32A1B2C3"]);
    let mut luns: Vec<u32> = m
        .group_volumes(&g)
        .await
        .unwrap()
        .iter()
        .map(|v| v.lun)
        .collect();
    luns.sort();
    assert_eq!(luns, vec![0, 5]);

    // Initiators in and out.
    m.add_initiator(&g, H1B).await.unwrap();
    let g = m.access_group("host1").await.unwrap();
    assert_eq!(g.initiators.len(), 2);
    assert_eq!(
        a.volume_access(&db.path).await.unwrap()[0].initiators.len(),
        2
    );
    assert_eq!(code(&m.add_initiator(&g, H1B).await.unwrap_err()), 4101);
    assert_eq!(code(&m.remove_initiator(&g, H2).await.unwrap_err()), 4100);
    m.remove_initiator(&g, H1B).await.unwrap();
    let g = m.access_group("host1").await.unwrap();
    assert_eq!(g.initiators, vec!["2100001B32A1B2C3"]);
    assert_eq!(
        code(&m.remove_initiator(&g, H1A).await.unwrap_err()),
        5,
        "last initiator"
    );

    // A group in use cannot be deleted.
    let e = m.delete_access_group(&g).await.unwrap_err();
    assert_eq!(code(&e), 40105);
    assert!(e.to_string().contains("vol-1"), "{e}");

    // Unmap: first a member, then the last volume removes the view and its groups.
    m.unmap_volume(&db, &g).await.unwrap();
    assert!(pcfu(&c, &db.path).await.is_empty());
    assert_eq!(code(&m.unmap_volume(&db, &g).await.unwrap_err()), 4100);
    m.unmap_volume(&logs, &g).await.unwrap();
    assert_eq!(
        count(&c, "CIM_SCSIProtocolController").await,
        1,
        "only the iSCSI node"
    );
    assert_eq!(count(&c, "CIM_TargetMaskingGroup").await, 0);
    assert_eq!(count(&c, "CIM_DeviceMaskingGroup").await, 0);
    m.delete_access_group(&g).await.unwrap();
    assert_eq!(count(&c, "CIM_InitiatorMaskingGroup").await, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn failed_view_leaves_no_group_behind_and_jobs_are_followed() {
    let mut sc = Scenario::builtin("default").unwrap();
    sc.faults.push(FaultSpec {
        matcher: FaultMatch {
            method: Some("CreateMaskingView".into()),
            ..Default::default()
        },
        action: FaultAction::JobException,
        times: Some(1),
    });
    if let Some(mk) = sc.masking.as_mut() {
        mk.job_ms = 150;
    }
    let sim = start(sc);
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let m = fast(a.masking().await.unwrap());
    let db = volume(&a, "db01").await;
    let g = m.create_access_group("host1", &[H1A]).await.unwrap();
    let e = m.map_volume(&db, &g, Some(1)).await.unwrap_err();
    assert!(matches!(e, Error::JobFailed(_)), "{e:?}");
    assert_eq!(count(&c, "CIM_TargetMaskingGroup").await, 0, "rolled back");
    assert_eq!(count(&c, "CIM_DeviceMaskingGroup").await, 0, "rolled back");
    assert!(pcfu(&c, &db.path).await.is_empty());
    assert_eq!(
        count(&c, "CIM_InitiatorMaskingGroup").await,
        1,
        "the caller's group stays"
    );
    // Second try: CreateMaskingView returns 4096 and the view comes from the job.
    assert_eq!(m.map_volume(&db, &g, Some(1)).await.unwrap(), 1);
    assert_eq!(pcfu(&c, &db.path).await[0].1, "1");
    sim.shutdown().await;
}

async fn spc_workflows(m: &Masking, a: &SmisArray, c: &Client) {
    assert_eq!(m.style, MaskingStyle::Spc);
    let db = volume(a, "db01").await;
    let logs = volume(a, "logs01").await;
    let g = m.create_access_group("host2", &[H2]).await.unwrap();
    let views = assoc_names(
        c,
        &m.service,
        "CIM_ConcreteDependency",
        "CIM_SCSIProtocolController",
    )
    .await;
    assert_eq!(views.len(), 1);
    let shids = assoc_names(
        c,
        &views[0],
        "CIM_AssociatedPrivilege",
        "CIM_StorageHardwareID",
    )
    .await;
    assert_eq!(shids.len(), 1);
    assert_eq!(m.access_groups().await.unwrap().len(), 1);
    assert_eq!(
        code(&m.create_access_group("host2", &[H1B]).await.unwrap_err()),
        40090
    );

    assert_eq!(m.map_volume(&db, &g, Some(3)).await.unwrap(), 3);
    assert_eq!(m.map_volume(&logs, &g, None).await.unwrap(), 0);
    let units = pcfu(c, &db.path).await;
    assert_eq!(units[0].0.key("DeviceID"), views[0].key("DeviceID"));
    assert_eq!(units[0].1, "3");
    assert_eq!(code(&m.map_volume(&db, &g, None).await.unwrap_err()), 4101);
    let seen = a.volume_access(&logs.path).await.unwrap();
    assert_eq!((seen[0].group.as_str(), seen[0].lun), ("host2", 0));
    assert_eq!(seen[0].initiators, vec![H2]);

    m.add_initiator(&g, H1B).await.unwrap();
    let g = m.access_group("host2").await.unwrap();
    assert_eq!(g.initiators.len(), 2);
    m.remove_initiator(&g, H1B).await.unwrap();
    let g = m.access_group("host2").await.unwrap();
    assert_eq!(g.initiators, vec![H2]);

    assert_eq!(code(&m.delete_access_group(&g).await.unwrap_err()), 40105);
    m.unmap_volume(&db, &g).await.unwrap();
    m.unmap_volume(&logs, &g).await.unwrap();
    assert!(pcfu(c, &db.path).await.is_empty());
    assert!(m.group_volumes(&g).await.unwrap().is_empty());
    m.delete_access_group(&g).await.unwrap();
    assert!(m.access_groups().await.unwrap().is_empty());
}

#[tokio::test]
async fn spc_masking_workflows() {
    let sim = start(Scenario::builtin("spc-masking").unwrap());
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let e = a.masking_with_style(MaskingStyle::Group).await.unwrap_err();
    assert_eq!(code(&e), 40107);
    let m = fast(a.masking().await.unwrap());
    spc_workflows(&m, &a, &c).await;

    // The provider's own answers carry their codes: an unknown initiator format is 4098,
    // an unknown target port 4099.
    for (params, want) in [
        (vec![("InitiatorPortIDs", "not-a-wwn")], 4098),
        (
            vec![("InitiatorPortIDs", H1B), ("TargetPortIDs", "FFFF")],
            4099,
        ),
    ] {
        let p = params
            .into_iter()
            .map(|(k, v)| smis::message::ParamValue::new(k, vec![v.to_string()]))
            .collect();
        let ret = c.invoke_method(&m.service, "ExposePaths", p).await.unwrap();
        assert_eq!(ret.return_code(), Some(want));
        assert_eq!(
            smis::smis::masking_return_code("ExposePaths", want).code(),
            want
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn default_array_also_serves_exposepaths() {
    let sim = start(Scenario::builtin("default").unwrap());
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let m = fast(a.masking_with_style(MaskingStyle::Spc).await.unwrap());
    spc_workflows(&m, &a, &c).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn no_masking_is_refused_with_40107() {
    let sim = start(Scenario::builtin("no-masking").unwrap());
    let c = client(&sim);
    let a = array(&c).await.expect("array");
    let e = a.masking().await.unwrap_err();
    assert_eq!(code(&e), 40107, "{e}");
    assert!(e.to_string().contains("SIMARRAY-0001"), "{e}");
    assert!(a.target_ports().await.unwrap().is_empty());
    assert!(a.initiators().await.unwrap().is_empty());
    sim.shutdown().await;
}
