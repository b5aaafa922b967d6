//! Discovery: the interop namespace, registered profiles, the arrays and the vendor
//! namespace — as libstoragemgmt's `_profile_register_load` does it (`smis_common.py`),
//! with its vendor workarounds (libstoragemgmt commits c73f5301, 0acbdb15).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::cim::{Instance, ObjectPath};
use crate::client::{AssociatorsOptions, Client, EnumerateInstancesOptions};
use crate::error::{Error, Result};

use super::views::{SmisArray, StorageSystem};
use super::{is_absent, prop_opt, prop_vec};

/// Interop namespaces tried in order (libstoragemgmt tries the first three; OpenPegasus
/// spells the last one both ways).
pub const INTEROP_CANDIDATES: [&str; 4] = [
    "interop",
    "root/interop",
    "root/PG_InterOp",
    "root/PG_Interop",
];

/// A `CIM_RegisteredProfile`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredProfile {
    /// `RegisteredOrganization` (11 SNIA, 2 DMTF, 1 Other ...).
    pub organization: u16,
    /// `RegisteredName`, with known vendor typos corrected (NetApp's "FC Target Port" →
    /// "FC Target Ports").
    pub name: String,
    /// `RegisteredVersion` as registered (e.g. "1.5.1").
    pub version: String,
    /// The instance path (in the interop namespace).
    pub path: ObjectPath,
}

impl RegisteredProfile {
    /// The version to judge the profile by: NetApp-E registers the Array profile as 1.0 or
    /// 1.2 while implementing 1.4; libstoragemgmt forces such versions to 1.4.
    pub fn effective_version(&self) -> String {
        if self.organization == 11
            && self.name == "Array"
            && compare_versions(&self.version, "1.4") == Ordering::Less
        {
            "1.4".to_string()
        } else {
            self.version.clone()
        }
    }
}

fn version_parts(v: &str) -> Vec<u32> {
    let mut parts: Vec<u32> = v
        .trim()
        .split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect();
    // "1.5" → 1.5.0, as libstoragemgmt pads two-part versions (1005000).
    while parts.len() < 3 {
        parts.push(0);
    }
    parts
}

/// Compares dotted versions numerically ("1.10" > "1.9"; "1.5" == "1.5.0").
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    version_parts(a).cmp(&version_parts(b))
}

fn canonical_profile_name(name: &str) -> String {
    let n = name.trim();
    if n.eq_ignore_ascii_case("FC Target Port") {
        "FC Target Ports".to_string()
    } else {
        n.to_string()
    }
}

/// Options for [`Discovery::run`].
#[derive(Debug, Clone, Default)]
pub struct DiscoveryOptions {
    /// The interop namespace, when known (skips probing).
    pub interop_namespace: Option<String>,
    /// The vendor namespace, when known: searched for arrays when the provider registers
    /// no profiles (LSI MegaRAID).
    pub namespace: Option<String>,
}

/// What discovery found.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// The interop namespace that answered (None when none did).
    pub interop_namespace: Option<String>,
    /// Registered profiles, the highest version per (organization, name).
    pub profiles: Vec<RegisteredProfile>,
    /// The arrays (Array profile central instances, or the fallback's storage systems).
    pub arrays: Vec<StorageSystem>,
    /// The vendor namespace (that of the first array).
    pub vendor_namespace: Option<String>,
}

impl Discovery {
    /// Runs discovery.
    pub async fn run(client: &Client, opts: &DiscoveryOptions) -> Result<Discovery> {
        let candidates: Vec<String> = match &opts.interop_namespace {
            Some(ns) => vec![ns.clone()],
            None => INTEROP_CANDIDATES.iter().map(|s| s.to_string()).collect(),
        };
        let mut interop = None;
        let mut raw = Vec::new();
        for ns in candidates {
            match client
                .enumerate_instances(
                    "CIM_RegisteredProfile",
                    &EnumerateInstancesOptions::new()
                        .namespace(ns.clone())
                        .property_list([
                            "RegisteredName",
                            "RegisteredVersion",
                            "RegisteredOrganization",
                            "InstanceID",
                        ]),
                )
                .await
            {
                Ok(v) => {
                    interop = Some(ns);
                    raw = v;
                    break;
                }
                // CIM errors 3, 5, 7: not this namespace; go on (libstoragemgmt `smis_common.py`).
                Err(e) if is_absent(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        let profiles = best_profiles(&raw)?;
        let mut arrays = Vec::new();
        if let Some(array_rp) = profiles
            .iter()
            .find(|p| p.organization == 11 && p.name == "Array")
        {
            let found = client
                .associator_instances(
                    &array_rp.path,
                    &AssociatorsOptions::new()
                        .assoc_class("CIM_ElementConformsToProfile")
                        .result_class("CIM_ComputerSystem"),
                )
                .await;
            match found {
                Ok(v) => {
                    for i in &v {
                        arrays.push(StorageSystem::try_from(i)?);
                    }
                }
                Err(e) if is_absent(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if arrays.is_empty() {
            arrays = fallback_arrays(client, interop.as_deref(), opts).await?;
        }
        let vendor_namespace = arrays.first().and_then(|a| a.path.namespace.clone());
        Ok(Discovery {
            interop_namespace: interop,
            profiles,
            arrays,
            vendor_namespace,
        })
    }

    /// The SNIA profile called `name` (typos corrected), if registered.
    pub fn profile(&self, name: &str) -> Option<&RegisteredProfile> {
        self.profiles
            .iter()
            .find(|p| p.organization == 11 && p.name.eq_ignore_ascii_case(name))
    }

    /// A handle on array number `index`.
    pub fn array_handle(&self, client: &Client, index: usize) -> Result<SmisArray> {
        let a = self.arrays.get(index).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "array {index} does not exist ({} found)",
                self.arrays.len()
            ))
        })?;
        Ok(SmisArray::new(client.clone(), a.path.clone()))
    }
}

fn best_profiles(raw: &[Instance]) -> Result<Vec<RegisteredProfile>> {
    let mut best: BTreeMap<(u16, String), RegisteredProfile> = BTreeMap::new();
    for i in raw {
        let (Some(name), Some(path)) = (prop_opt::<String>(i, "RegisteredName")?, i.path.clone())
        else {
            continue;
        };
        let p = RegisteredProfile {
            organization: prop_opt::<u16>(i, "RegisteredOrganization")?.unwrap_or(0),
            name: canonical_profile_name(&name),
            version: prop_opt::<String>(i, "RegisteredVersion")?.unwrap_or_default(),
            path,
        };
        let key = (p.organization, p.name.clone());
        match best.get(&key) {
            Some(old) if compare_versions(&old.version, &p.version) != Ordering::Less => {}
            _ => {
                best.insert(key, p);
            }
        }
    }
    Ok(best.into_values().collect())
}

/// Without profile registration (LSI MegaRAID, libstoragemgmt `smis.py`): enumerate
/// CIM_ComputerSystem in the user's namespace or those CIM_Namespace lists, keeping systems
/// with Dedicated containing 3 (Storage) or hosting a CIM_StoragePool.
async fn fallback_arrays(
    client: &Client,
    interop: Option<&str>,
    opts: &DiscoveryOptions,
) -> Result<Vec<StorageSystem>> {
    let mut namespaces = Vec::new();
    if let Some(ns) = &opts.namespace {
        namespaces.push(ns.clone());
    } else if let Some(interop) = interop {
        match client
            .enumerate_instances(
                "CIM_Namespace",
                &EnumerateInstancesOptions::new().namespace(interop),
            )
            .await
        {
            Ok(v) => {
                for i in &v {
                    if let Some(n) = prop_opt::<String>(i, "Name")? {
                        if n != interop && !namespaces.contains(&n) {
                            namespaces.push(n);
                        }
                    }
                }
            }
            Err(e) if is_absent(&e) => {}
            Err(e) => return Err(e),
        }
    }
    let mut out = Vec::new();
    for ns in namespaces {
        let systems = match client
            .enumerate_instances(
                "CIM_ComputerSystem",
                &EnumerateInstancesOptions::new().namespace(ns.clone()),
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_absent(&e) => continue,
            Err(e) => return Err(e),
        };
        for s in &systems {
            let dedicated = prop_vec::<u16>(s, "Dedicated")?;
            let keep = if dedicated.contains(&3) {
                true
            } else if let Some(p) = &s.path {
                !client
                    .associator_names(
                        p,
                        &AssociatorsOptions::new()
                            .assoc_class("CIM_HostedStoragePool")
                            .result_class("CIM_StoragePool"),
                    )
                    .await
                    .or_else(|e| {
                        if is_absent(&e) {
                            Ok(Vec::new())
                        } else {
                            Err(e)
                        }
                    })?
                    .is_empty()
            } else {
                false
            };
            if keep {
                out.push(StorageSystem::try_from(s)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(org: u16, name: &str, version: &str) -> Instance {
        let mut i = Instance::new("CIM_RegisteredProfile")
            .with("RegisteredOrganization", org)
            .with("RegisteredName", name)
            .with("RegisteredVersion", version);
        i.path = Some(
            ObjectPath::new("interop", "CIM_RegisteredProfile")
                .with_key("InstanceID", format!("{name}-{version}")),
        );
        i
    }

    #[test]
    fn versions() {
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare_versions("1.5", "1.5.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.5.1", "1.5"), Ordering::Greater);
        assert_eq!(compare_versions("1.2", "1.4"), Ordering::Less);
    }

    #[test]
    fn highest_version_and_typos() {
        let raw = vec![
            rp(11, "Array", "1.4"),
            rp(11, "Array", "1.6.1"),
            rp(11, "Array", "1.5"),
            rp(11, "FC Target Port", "1.4"),
            rp(2, "Array", "9.9"),
        ];
        let p = best_profiles(&raw).unwrap();
        let array = p
            .iter()
            .find(|p| p.organization == 11 && p.name == "Array")
            .unwrap();
        assert_eq!(array.version, "1.6.1");
        assert!(p.iter().any(|p| p.name == "FC Target Ports"));
        assert_eq!(p.len(), 3);
        let old = RegisteredProfile {
            organization: 11,
            name: "Array".into(),
            version: "1.2".into(),
            path: ObjectPath::new("interop", "CIM_RegisteredProfile"),
        };
        assert_eq!(old.effective_version(), "1.4");
    }

    #[tokio::test]
    async fn probes_interop_and_falls_back_to_computer_systems() {
        use crate::message::{IReturn, Intrinsic, Request};
        use crate::smis::fake::{self, Fake};
        let (client, fake) = Fake::client(|req| {
            let Request::Intrinsic(r) = req else {
                return fake::cim_error(req, 7, "no methods here");
            };
            let sys = |name: &str, dedicated: Vec<u16>| {
                let mut i = Instance::new("LSIESG_StorageSystem")
                    .with("Name", name)
                    .with("Dedicated", dedicated);
                i.path = Some(
                    ObjectPath::new("root/LsiMr13", "LSIESG_StorageSystem").with_key("Name", name),
                );
                i
            };
            match (&r.op, r.namespace.as_str()) {
                (Intrinsic::EnumerateInstances { .. }, "interop") => {
                    fake::cim_error(req, 3, "no such namespace")
                }
                (Intrinsic::EnumerateInstances { class_name, .. }, "root/interop")
                    if class_name.as_str() == "CIM_RegisteredProfile" =>
                {
                    fake::intrinsic("EnumerateInstances", IReturn::Instances(vec![]))
                }
                (Intrinsic::EnumerateInstances { class_name, .. }, "root/interop")
                    if class_name.as_str() == "CIM_Namespace" =>
                {
                    let ns = |n: &str| {
                        let mut i = Instance::new("CIM_Namespace").with("Name", n);
                        i.path = Some(
                            ObjectPath::new("root/interop", "CIM_Namespace").with_key("Name", n),
                        );
                        i
                    };
                    fake::intrinsic(
                        "EnumerateInstances",
                        IReturn::Instances(vec![ns("root/interop"), ns("root/LsiMr13")]),
                    )
                }
                (Intrinsic::EnumerateInstances { .. }, "root/LsiMr13") => fake::intrinsic(
                    "EnumerateInstances",
                    IReturn::Instances(vec![
                        sys("ctrl0", vec![3]),
                        sys("host", vec![0]),
                        sys("ctrl1", vec![]),
                    ]),
                ),
                (Intrinsic::AssociatorNames { object_name, .. }, _) => {
                    let hosts_pool =
                        object_name.key("Name").and_then(|v| v.as_str()) == Some("ctrl1");
                    let pools = if hosts_pool {
                        vec![
                            ObjectPath::new("root/LsiMr13", "LSIESG_StoragePool")
                                .with_key("InstanceID", "p"),
                        ]
                    } else {
                        vec![]
                    };
                    fake::intrinsic("AssociatorNames", IReturn::ObjectPaths(pools))
                }
                _ => fake::cim_error(req, 7, "not scripted"),
            }
        });
        let d = Discovery::run(&client, &DiscoveryOptions::default())
            .await
            .unwrap();
        assert_eq!(d.interop_namespace.as_deref(), Some("root/interop"));
        assert!(d.profiles.is_empty());
        let names: Vec<_> = d.arrays.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["ctrl0", "ctrl1"]);
        assert_eq!(d.vendor_namespace.as_deref(), Some("root/LsiMr13"));
        assert!(fake.calls().iter().all(|c| c != "Associators"));
    }
}
