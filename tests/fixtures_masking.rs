//! Masking workflows recorded from the simulated provider into `fixtures/masking-*/` (group
//! masking on `default`, ExposePaths/HidePaths on `spc-masking`, a refused mapping) and
//! replayed through the library with no network.
//!
//! Re-record with `SMIS_RECORD_FIXTURES=1 cargo test --test fixtures_masking` (starts the
//! simulator over loopback HTTPS and overwrites the fixture directories).

mod support;

use support::fixtures::{record, recording, replay};

use std::time::Duration;

use smis::smis::{Discovery, DiscoveryOptions, WaitOptions};
use smis::{Client, Error};
use smis_sim::Scenario;

fn builtin(name: &str) -> Scenario {
    Scenario::builtin(name).unwrap()
}

/// What the workflow observed: (style, LUN given, who sees db01 while mapped, after unmap).
type Seen = (String, u32, Vec<(String, u32)>, usize);

/// Create a group, map db01 at LUN 3, read who sees it, unmap, delete the group.
async fn workflow(c: Client) -> smis::Result<Seen> {
    let d = Discovery::run(&c, &DiscoveryOptions::default()).await?;
    let a = d.array_handle(&c, 0)?;
    let mut m = a.masking().await?;
    m.wait = WaitOptions {
        poll_interval: Duration::from_millis(20),
        ..WaitOptions::default()
    };
    let vol = a
        .volumes()
        .await?
        .into_iter()
        .find(|v| v.element_name.as_deref() == Some("db01"))
        .ok_or_else(|| Error::InvalidArgument("no db01".into()))?;
    let g = m
        .create_access_group("host1", &["21:00:00:1b:32:a1:b2:c3"])
        .await?;
    let lun = m.map_volume(&vol, &g, Some(3)).await?;
    let seen = a
        .volume_access(&vol.path)
        .await?
        .into_iter()
        .map(|s| (s.group, s.lun))
        .collect();
    m.unmap_volume(&vol, &g).await?;
    let after = a.volume_access(&vol.path).await?.len();
    m.delete_access_group(&g).await?;
    Ok((format!("{:?}", m.style), lun, seen, after))
}

#[tokio::test]
async fn group_masking_replayed() {
    if recording() {
        record("masking-group", builtin("default"), workflow).await;
    }
    let (style, lun, seen, after) = workflow(replay("masking-group")).await.unwrap();
    assert_eq!(style, "Group");
    assert_eq!(lun, 3);
    assert_eq!(seen, vec![("host1".to_string(), 3)]);
    assert_eq!(after, 0);
}

#[tokio::test]
async fn spc_masking_replayed() {
    if recording() {
        record("masking-spc", builtin("spc-masking"), workflow).await;
    }
    let (style, lun, seen, after) = workflow(replay("masking-spc")).await.unwrap();
    assert_eq!(style, "Spc");
    assert_eq!(lun, 3);
    assert_eq!(seen, vec![("host1".to_string(), 3)]);
    assert_eq!(after, 0);
}

/// A mapping the provider refuses: the LUN is taken by another volume in the view
/// (ExposePaths answers 4102), replayed with its StorageService code.
async fn refused_flow(c: Client) -> smis::Result<()> {
    let d = Discovery::run(&c, &DiscoveryOptions::default()).await?;
    let a = d.array_handle(&c, 0)?;
    let m = a.masking().await?;
    let g = m
        .create_access_group("host2", &["iqn.1994-05.com.redhat:host2"])
        .await?;
    let c2 = a.client().clone();
    // ExposePaths straight to the provider, bypassing the library's own LUN check.
    let vols = a.volumes().await?;
    for v in &vols[..2] {
        let ret = c2
            .invoke_method(
                &m.service,
                "ExposePaths",
                vec![
                    smis::message::ParamValue::new(
                        "LUNames",
                        vec![v.name.clone().unwrap_or_default()],
                    ),
                    smis::message::ParamValue::new("DeviceNumbers", vec!["4".to_string()]),
                    smis::message::ParamValue::new("DeviceAccesses", vec![2u16]),
                    smis::message::ParamValue::new("ProtocolControllers", vec![g.path.clone()]),
                ],
            )
            .await?;
        match ret.return_code() {
            Some(0) => {}
            Some(rc) => {
                return Err(Error::MethodFailed {
                    method: "ExposePaths".into(),
                    return_value: rc,
                    label: String::new(),
                    code: smis::smis::masking_return_code("ExposePaths", rc),
                });
            }
            None => return Err(Error::UnexpectedResponse("no return value".into())),
        }
    }
    Ok(())
}

#[tokio::test]
async fn lun_in_use_replayed() {
    if recording() {
        record("masking-lun-in-use", builtin("spc-masking"), refused_flow).await;
    }
    let e = refused_flow(replay("masking-lun-in-use"))
        .await
        .unwrap_err();
    assert_eq!(e.storage_service_code().code(), 4102, "{e}");
}
