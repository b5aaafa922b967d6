//! The `masking` section of a scenario: which masking forms the array offers, its target
//! ports and the host initiators already registered.
//!
//! ```json
//! "masking": {
//!   "group_masking": true,
//!   "spc_masking": true,
//!   "fc_ports": ["500A098187F93622", "500A098197F93622"],
//!   "iscsi_ports": [ { "iqn": "iqn.2026-01.com.simvendor:array1", "ip": "192.0.2.10" } ],
//!   "initiators": [ { "storage_id": "2100001B32A1B2C3", "id_type": 2, "name": "host1-hba0" } ],
//!   "job_ms": 0
//! }
//! ```
//!
//! - `group_masking`: SNIA SMI-S "Group Masking and Mapping" (CIM_GroupMaskingMappingService,
//!   CreateGroup/CreateMaskingView...). `spc_masking`: the 1.4 "Masking and Mapping" form
//!   (CIM_ControllerConfigurationService.ExposePaths/HidePaths). With both, the one service
//!   is a CIM_GroupMaskingMappingService (a subclass of the controller configuration
//!   service) answering both forms.
//! - `fc_ports` are the port WWNs of the front-end FC ports (16 hex digits; reported upper
//!   case without separators, as SNIA "FC Target Ports" requires); `iscsi_ports` the iSCSI
//!   target nodes with one portal each.
//! - `initiators`: CIM_StorageHardwareID instances present at start (IDType 2 port WWN,
//!   5 iSCSI name).
//! - `job_ms`: when > 0, CreateMaskingView, DeleteMaskingView and ExposePaths return 4096 and
//!   a CIM_ConcreteJob that completes after this many milliseconds.

use serde::{Deserialize, Serialize};

/// The masking section of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaskingSpec {
    /// Group Masking and Mapping offered.
    pub group_masking: bool,
    /// ExposePaths/HidePaths (Masking and Mapping 1.4) offered.
    pub spc_masking: bool,
    /// Front-end FC port WWNs.
    pub fc_ports: Vec<String>,
    /// iSCSI target nodes.
    pub iscsi_ports: Vec<IscsiPortSpec>,
    /// Initiators registered at start.
    pub initiators: Vec<InitiatorSpec>,
    /// Duration of masking jobs in milliseconds (0 = synchronous).
    pub job_ms: u64,
}

impl Default for MaskingSpec {
    fn default() -> Self {
        MaskingSpec {
            group_masking: true,
            spc_masking: true,
            fc_ports: Vec::new(),
            iscsi_ports: Vec::new(),
            initiators: Vec::new(),
            job_ms: 0,
        }
    }
}

/// An iSCSI target node with one portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IscsiPortSpec {
    /// The node's iSCSI name (`iqn.`, `eui.` or `naa.`).
    pub iqn: String,
    /// The portal's IPv4 address.
    pub ip: String,
}

/// A registered initiator (CIM_StorageHardwareID).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitiatorSpec {
    /// StorageID: a port WWN or an iSCSI name.
    pub storage_id: String,
    /// IDType: 2 port WWN, 5 iSCSI name.
    pub id_type: u16,
    /// ElementName.
    #[serde(default)]
    pub name: Option<String>,
}

/// `id` as a canonical port WWN: 16 hex digits, upper case, separators (`:`, `-`) removed.
pub fn canonical_wwn(id: &str) -> Option<String> {
    let hex: String = id.chars().filter(|c| *c != ':' && *c != '-').collect();
    (hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_uppercase())
}

/// `id` as a canonical iSCSI name (RFC 3720: `iqn.`, `eui.` or `naa.`, compared in lower
/// case), if it is one.
pub fn canonical_iscsi(id: &str) -> Option<String> {
    let l = id.trim().to_ascii_lowercase();
    let ok = (l.starts_with("iqn.") || l.starts_with("eui.") || l.starts_with("naa."))
        && l.len() > 4
        && l.len() <= 223
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    ok.then_some(l)
}

/// The canonical StorageID and IDType (2 port WWN, 5 iSCSI name) of an initiator id.
pub fn canonical_initiator(id: &str) -> Option<(String, u16)> {
    canonical_wwn(id)
        .map(|w| (w, 2))
        .or_else(|| canonical_iscsi(id).map(|n| (n, 5)))
}

impl MaskingSpec {
    /// Checks port and initiator formats.
    pub fn validate(&self) -> Result<(), String> {
        for p in &self.fc_ports {
            if canonical_wwn(p).is_none() {
                return Err(format!("fc port {p:?} is not a 16-hex-digit WWN"));
            }
        }
        for p in &self.iscsi_ports {
            if canonical_iscsi(&p.iqn).is_none() {
                return Err(format!("iscsi port {:?} is not an iSCSI name", p.iqn));
            }
            if p.ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(format!("iscsi port address {:?} is not IPv4", p.ip));
            }
        }
        for i in &self.initiators {
            let ok = match i.id_type {
                2 => canonical_wwn(&i.storage_id).is_some(),
                5 => canonical_iscsi(&i.storage_id).is_some(),
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "initiator {:?} is not a valid IDType {} id",
                    i.storage_id, i.id_type
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(
            canonical_wwn("21:00:00:1b:32:a1:b2:c3").as_deref(),
            Some("2100001B32A1B2C3")
        );
        assert_eq!(canonical_wwn("2100001B32A1B2"), None);
        assert_eq!(canonical_wwn("2100001B32A1B2ZZ"), None);
        assert_eq!(
            canonical_iscsi("IQN.1994-05.com.RedHat:host2").as_deref(),
            Some("iqn.1994-05.com.redhat:host2")
        );
        assert_eq!(canonical_iscsi("host2"), None);
        assert_eq!(canonical_iscsi("iqn.bad name"), None);
        assert_eq!(canonical_initiator("iqn.x").map(|x| x.1), Some(5));
    }
}
