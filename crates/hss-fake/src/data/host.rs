//! One generated host: its name and addresses, its scan status and the
//! per-type details consistent with that status.
//!
//! The order of the random draws is part of the data (the same seed gives
//! the same hosts across versions), so each helper draws in the order the
//! host's fields were always drawn.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{
    AGENT_OFFLINE, ENVIRONMENTS, LINUX_DISTROS, LINUX_ROLES, PUBLIC_NETS, URGENT_ITEM_FAILURES,
    URGENT_LINUX, URGENT_WINDOWS, UrgentVul, WINDOWS_ROLES, WINDOWS_VERSIONS, failure_reasons,
};
use super::model::{FailedReason, Host, HostInfo, ScanVul, VulScanDetail};
use super::profile::TaskProfile;
use super::random::{SALT_HOST, SALT_HOST_EP, mix, pick, suffix, uuid, weighted};
use super::values::{DEFAULT_ENTERPRISE_PROJECT, asset_value, scan_status, vul_type};

/// Generates host `host_index` of the task described by `profile`.
pub(super) fn generate_host(
    seed: u64,
    profile: &TaskProfile,
    eps: &[String],
    host_index: u64,
) -> Host {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(
        mix(mix(seed, SALT_HOST), profile.task_index),
        host_index,
    ));
    let rng = &mut rng;
    let host_id = uuid(rng);
    let windows = rng.random_bool(0.25);
    let host_name = host_name(rng, windows);
    let private_ip = private_ip(rng);
    let public_ip = public_ip(rng);
    let asset_value = *weighted(
        rng,
        &[
            (20, asset_value::IMPORTANT),
            (65, asset_value::COMMON),
            (15, asset_value::TEST),
        ],
    );
    let status = *weighted(
        rng,
        &[
            (70, scan_status::SUCCESS),
            (18, scan_status::FAILED),
            (12, scan_status::SCANNING),
        ],
    );
    let (failed_reasons, details) = scan_details(rng, profile, windows, status);
    Host {
        enterprise_project_id: enterprise_project(seed, profile, eps, host_index),
        info: HostInfo {
            host_id: Some(host_id),
            host_name: Some(host_name),
            public_ip: Some(public_ip),
            private_ip: Some(private_ip),
            asset_value: Some(asset_value.to_owned()),
            scan_status: Some(status.to_owned()),
            failed_reasons: Some(failed_reasons),
            vul_scan_details: Some(details),
            extra: serde_json::Map::new(),
        },
    }
}

/// The host's enterprise project, from an RNG of its own so that the rest
/// of the host does not depend on how many projects there are.
fn enterprise_project(seed: u64, profile: &TaskProfile, eps: &[String], host_index: u64) -> String {
    if eps.len() <= 1 {
        return DEFAULT_ENTERPRISE_PROJECT.to_owned();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(
        mix(mix(seed, SALT_HOST_EP), profile.task_index),
        host_index,
    ));
    if rng.random_bool(0.5) {
        DEFAULT_ENTERPRISE_PROJECT.to_owned()
    } else {
        eps[rng.random_range(1..eps.len())].clone()
    }
}

fn host_name(rng: &mut ChaCha8Rng, windows: bool) -> String {
    let env = pick(rng, &ENVIRONMENTS);
    if windows {
        if rng.random_bool(0.5) {
            let version = pick(rng, &WINDOWS_VERSIONS);
            format!("ecs-win{version}-{}", suffix(rng))
        } else {
            let role = pick(rng, &WINDOWS_ROLES);
            format!("win-{role}-{env}-{:02}", rng.random_range(1..40))
        }
    } else if rng.random_bool(0.5) {
        let distro = pick(rng, &LINUX_DISTROS);
        format!("ecs-{distro}-{}", suffix(rng))
    } else {
        let role = pick(rng, &LINUX_ROLES);
        format!("{role}-{env}-{:02}", rng.random_range(1..120))
    }
}

fn private_ip(rng: &mut ChaCha8Rng) -> String {
    match *weighted(rng, &[(50, 0u8), (35, 1), (15, 2)]) {
        0 => format!(
            "192.168.{}.{}",
            rng.random_range(0..=255u8),
            rng.random_range(1..=254u8)
        ),
        1 => format!(
            "10.{}.{}.{}",
            rng.random_range(0..=255u8),
            rng.random_range(0..=255u8),
            rng.random_range(1..=254u8)
        ),
        _ => format!(
            "172.{}.{}.{}",
            rng.random_range(16..=31u8),
            rng.random_range(0..=255u8),
            rng.random_range(1..=254u8)
        ),
    }
}

/// An address from the documentation ranges (RFC 5737), or empty for a
/// host without EIP.
fn public_ip(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.55) {
        let net = pick(rng, &PUBLIC_NETS);
        format!("{net}.{}", rng.random_range(1..=254u8))
    } else {
        String::new()
    }
}

/// The vulnerability types the task scans on this host and the emergency
/// vulnerabilities it checks.
fn scanned_types(
    profile: &TaskProfile,
    windows: bool,
) -> (Vec<&'static str>, Vec<&'static UrgentVul>) {
    let mut types = vec![if windows {
        vul_type::WINDOWS_VUL
    } else {
        vul_type::LINUX_VUL
    }];
    if profile.web_cms {
        types.push(vul_type::WEB_CMS);
    }
    if profile.app_vul {
        types.push(vul_type::APP_VUL);
    }
    let urgent: Vec<&UrgentVul> = if windows {
        let all = &URGENT_WINDOWS;
        profile.urgent_windows.iter().map(|&i| &all[i]).collect()
    } else {
        let all = &URGENT_LINUX;
        profile.urgent_linux.iter().map(|&i| &all[i]).collect()
    };
    if !urgent.is_empty() {
        types.push(vul_type::URGENT_VUL);
    }
    (types, urgent)
}

/// `failed_reasons` and `vul_scan_details`, consistent with `status`.
fn scan_details(
    rng: &mut ChaCha8Rng,
    profile: &TaskProfile,
    windows: bool,
    status: &str,
) -> (Vec<FailedReason>, Vec<VulScanDetail>) {
    let (types, urgent) = scanned_types(profile, windows);
    let offline = status == scan_status::FAILED && rng.random_bool(0.25);
    let statuses = type_statuses(rng, status, types.len(), offline);
    let mut failed_reasons = Vec::new();
    let mut details = Vec::with_capacity(types.len());
    for (&vtype, &vstatus) in types.iter().zip(&statuses) {
        let detail = type_detail(rng, vtype, vstatus, offline, &urgent);
        if let Some(reason) = &detail.failed_reason {
            failed_reasons.push(FailedReason {
                vul_type: Some(vtype.to_owned()),
                failed_reason: Some(reason.clone()),
            });
        }
        details.push(detail);
    }
    (failed_reasons, details)
}

/// Per-type statuses: all `success` for a finished host, some still
/// `scanning` for a running one, some `failed` (all of them when the agent
/// is offline) for a failed one, with at least one type in the host's status.
fn type_statuses(rng: &mut ChaCha8Rng, status: &str, n: usize, offline: bool) -> Vec<&'static str> {
    let mut statuses: Vec<&'static str> = match status {
        scan_status::SUCCESS => vec![scan_status::SUCCESS; n],
        scan_status::SCANNING => (0..n)
            .map(|_| either(rng, 0.6, scan_status::SCANNING, scan_status::SUCCESS))
            .collect(),
        _ if offline => vec![scan_status::FAILED; n],
        _ => (0..n)
            .map(|_| either(rng, 0.4, scan_status::FAILED, scan_status::SUCCESS))
            .collect(),
    };
    if status != scan_status::SUCCESS && !statuses.contains(&status) {
        let i = rng.random_range(0..statuses.len());
        statuses[i] = if status == scan_status::SCANNING {
            scan_status::SCANNING
        } else {
            scan_status::FAILED
        };
    }
    statuses
}

fn either(rng: &mut ChaCha8Rng, p: f64, yes: &'static str, no: &'static str) -> &'static str {
    if rng.random_bool(p) { yes } else { no }
}

/// The detail of one type, with its cause of failure and, for `urgent_vul`,
/// the emergency vulnerabilities checked.
fn type_detail(
    rng: &mut ChaCha8Rng,
    vtype: &str,
    vstatus: &str,
    offline: bool,
    urgent: &[&UrgentVul],
) -> VulScanDetail {
    let mut reason = (vstatus == scan_status::FAILED).then(|| {
        if offline {
            AGENT_OFFLINE
        } else {
            pick(rng, failure_reasons(vtype))
        }
    });
    let scan_vul_list =
        (vtype == vul_type::URGENT_VUL).then(|| urgent_items(rng, vstatus, offline, urgent));
    if let (Some(items), Some(r)) = (&scan_vul_list, &mut reason)
        && !offline
        && let Some(summary) = urgent_summary(items)
    {
        *r = summary;
    }
    VulScanDetail {
        vul_type: Some(vtype.to_owned()),
        status: Some(vstatus.to_owned()),
        failed_reason: reason.map(str::to_owned),
        scan_vul_list,
        extra: serde_json::Map::new(),
    }
}

/// The `failed_reason` of an `urgent_vul` detail whose items failed.
pub(super) fn urgent_summary(items: &[ScanVul]) -> Option<&'static str> {
    let failed = items
        .iter()
        .filter(|i| i.status.as_deref() == Some(scan_status::FAILED))
        .count();
    match failed {
        0 => None,
        1 => Some("1 emergency vulnerability check failed."),
        _ => Some("Several emergency vulnerability checks failed."),
    }
}

/// `scan_vul_list` of an `urgent_vul` detail in status `vstatus`: at least
/// one item in that status unless it is `success`.
fn urgent_items(
    rng: &mut ChaCha8Rng,
    vstatus: &str,
    offline: bool,
    urgent: &[&UrgentVul],
) -> Vec<ScanVul> {
    let mut items: Vec<ScanVul> = urgent
        .iter()
        .map(|vul| {
            let item_status = match vstatus {
                scan_status::FAILED if offline => scan_status::FAILED,
                scan_status::FAILED | scan_status::SCANNING => {
                    if rng.random_bool(0.5) {
                        vstatus
                    } else {
                        scan_status::SUCCESS
                    }
                }
                _ => scan_status::SUCCESS,
            };
            ScanVul {
                vul_id: Some(vul.id.to_owned()),
                vul_name: Some(vul.name.to_owned()),
                status: Some(item_status.to_owned()),
                failed_reason: None,
            }
        })
        .collect();
    if vstatus != scan_status::SUCCESS
        && !items.iter().any(|i| i.status.as_deref() == Some(vstatus))
    {
        let i = rng.random_range(0..items.len());
        items[i].status = Some(vstatus.to_owned());
    }
    for item in &mut items {
        if item.status.as_deref() == Some(scan_status::FAILED) {
            item.failed_reason = Some(if offline {
                AGENT_OFFLINE.to_owned()
            } else {
                pick(rng, &URGENT_ITEM_FAILURES).to_owned()
            });
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::data::{Dataset, GenerateOptions};

    #[test]
    fn generated_hosts_are_consistent() {
        let data = Dataset::generate(&GenerateOptions {
            seed: 7,
            tasks: 2,
            hosts_per_task: 2000,
            enterprise_projects: 3,
            ..GenerateOptions::default()
        });
        let mut seen_status = HashSet::new();
        let mut seen_asset = HashSet::new();
        let mut seen_types = HashSet::new();
        let mut seen_eps = HashSet::new();
        for host in data.tasks.iter().flat_map(|t| &t.hosts) {
            let info = &host.info;
            seen_status.insert(info.scan_status.clone().unwrap());
            seen_asset.insert(info.asset_value.clone().unwrap());
            seen_eps.insert(host.enterprise_project_id.clone());
            assert!(
                data.enterprise_projects
                    .contains(&host.enterprise_project_id)
            );
            assert!(info.host_name.as_ref().unwrap().len() <= 128);
            for d in info.vul_scan_details.iter().flatten() {
                seen_types.insert(d.vul_type.clone().unwrap());
            }
            crate::data::checks::assert_consistent(host);
        }
        assert_eq!(seen_status.len(), 3);
        assert_eq!(seen_asset.len(), 3);
        assert_eq!(seen_types.len(), 5, "{seen_types:?}");
        assert_eq!(seen_eps.len(), 3);
    }
}
