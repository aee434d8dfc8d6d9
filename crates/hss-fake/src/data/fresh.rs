//! A host as a scan task created through the API starts it: `scanning`,
//! no causes yet, one `scanning` detail per requested type (the emergency
//! type listing the emergency vulnerabilities it checks), so that
//! [`finish_host`](super::finish::finish_host) can end it like any other.

use super::catalog::{URGENT_LINUX, URGENT_WINDOWS};
use super::model::{HostInfo, ScanVul, VulScanDetail};
use super::values::{scan_status, vul_type};

/// `info` (a server's addresses and names) about to be scanned for `types`;
/// `urgent_ids` narrows the emergency vulnerabilities checked (all of the
/// host's OS when `None`).
pub(crate) fn scanning_host(
    info: &HostInfo,
    types: &[String],
    urgent_ids: Option<&[String]>,
    windows: bool,
) -> HostInfo {
    let details = types
        .iter()
        .filter(|t| {
            // A Linux host has no Windows vulnerabilities to scan, and back.
            let other_os = if windows {
                vul_type::LINUX_VUL
            } else {
                vul_type::WINDOWS_VUL
            };
            t.as_str() != other_os
        })
        .map(|t| VulScanDetail {
            vul_type: Some(t.clone()),
            status: Some(scan_status::SCANNING.to_owned()),
            failed_reason: None,
            scan_vul_list: (t == vul_type::URGENT_VUL).then(|| urgent_list(urgent_ids, windows)),
            extra: serde_json::Map::new(),
        })
        .collect();
    HostInfo {
        host_id: info.host_id.clone(),
        host_name: info.host_name.clone(),
        public_ip: info.public_ip.clone(),
        private_ip: info.private_ip.clone(),
        asset_value: info.asset_value.clone(),
        scan_status: Some(scan_status::SCANNING.to_owned()),
        failed_reasons: Some(Vec::new()),
        vul_scan_details: Some(details),
        extra: serde_json::Map::new(),
    }
}

fn urgent_list(ids: Option<&[String]>, windows: bool) -> Vec<ScanVul> {
    let all: &[_] = if windows {
        &URGENT_WINDOWS
    } else {
        &URGENT_LINUX
    };
    all.iter()
        .filter(|v| ids.is_none_or(|ids| ids.iter().any(|id| id == v.id)))
        .map(|v| ScanVul {
            vul_id: Some(v.id.to_owned()),
            vul_name: Some(v.name.to_owned()),
            status: Some(scan_status::SCANNING.to_owned()),
            failed_reason: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::data::Host;
    use crate::data::finish::finish_host;

    #[test]
    fn a_fresh_host_scans_what_was_asked_and_ends_consistently() {
        let info = HostInfo {
            host_id: Some("h".into()),
            ..HostInfo::default()
        };
        let types: Vec<String> = ["linux_vul", "windows_vul", "urgent_vul"]
            .map(String::from)
            .into();
        let ids = vec!["CVE-2021-44228".to_owned()];
        let fresh = scanning_host(&info, &types, Some(&ids), false);
        let details = fresh.vul_scan_details.as_ref().unwrap();
        assert_eq!(details.len(), 2, "no Windows scan on Linux");
        assert_eq!(details[1].scan_vul_list.as_ref().unwrap().len(), 1);
        for failed in [false, true] {
            let mut host = Host {
                enterprise_project_id: "0".into(),
                info: fresh.clone(),
            };
            finish_host(
                &mut host,
                failed,
                &mut rand_chacha::ChaCha8Rng::seed_from_u64(3),
            );
            crate::data::checks::assert_consistent(&host);
        }
    }
}
