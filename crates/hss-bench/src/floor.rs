//! The floor: listing every host with no SDK at all.
//!
//! A plain `reqwest` client (the same version and features the SDK uses),
//! an offset loop and `serde_json::from_slice` into [`model`], hand-written
//! structs with the same fields, types and serde attributes as the
//! generated `hss_api::types` (so the floor decodes exactly as much as the
//! SDK does). [`Decode::Value`] decodes into `serde_json::Value` instead,
//! for comparison. Authentication is the `X-Auth-Token` header: no signing
//! cost on either side.

use std::hint::black_box;

use anyhow::{Context as _, bail, ensure};
use reqwest::header::ACCEPT;

use crate::Target;

/// Structs equivalent to the generated response types.
pub mod model {
    use serde::Deserialize;

    /// `ListVulScanTaskHostResponse`.
    #[derive(Debug, Deserialize)]
    pub struct Page {
        /// The servers on this page.
        #[serde(default)]
        pub data_list: Vec<HostInfo>,
        /// Servers matching the query on all pages.
        pub total_num: Option<i64>,
    }

    /// `VulScanTaskHostInfo`.
    #[derive(Debug, Deserialize)]
    pub struct HostInfo {
        /// Asset importance.
        pub asset_value: Option<String>,
        /// Why the scan failed.
        #[serde(default)]
        pub failed_reasons: Vec<FailedReason>,
        /// Server ID.
        pub host_id: Option<String>,
        /// Server name.
        pub host_name: Option<String>,
        /// Private IP address.
        pub private_ip: Option<String>,
        /// Elastic IP address.
        pub public_ip: Option<String>,
        /// Scan status of the server.
        pub scan_status: Option<String>,
        /// Scan result per vulnerability type.
        #[serde(default)]
        pub vul_scan_details: Vec<VulScanDetail>,
    }

    /// `FailedReason`.
    #[derive(Debug, Deserialize)]
    pub struct FailedReason {
        /// Cause of the failure.
        pub failed_reason: Option<String>,
        /// Vulnerability type.
        pub vul_type: Option<String>,
    }

    /// `VulScanDetail`.
    #[derive(Debug, Deserialize)]
    pub struct VulScanDetail {
        /// Cause of the failure.
        pub failed_reason: Option<String>,
        /// The vulnerabilities scanned.
        #[serde(default)]
        pub scan_vul_list: Vec<ScanVul>,
        /// Scan status of this vulnerability type.
        pub status: Option<String>,
        /// Vulnerability type.
        pub vul_type: Option<String>,
    }

    /// `ScanVul`.
    #[derive(Debug, Deserialize)]
    pub struct ScanVul {
        /// Cause of the failure.
        pub failed_reason: Option<String>,
        /// Scan status of this vulnerability.
        pub status: Option<String>,
        /// Vulnerability ID.
        pub vul_id: Option<String>,
        /// Vulnerability name.
        pub vul_name: Option<String>,
    }
}

/// What the floor decodes each page into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// [`model::Page`]: the fair floor.
    Structs,
    /// `serde_json::Value`.
    Value,
}

/// A reqwest client as a program without the SDK would build it.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    hss_api::ensure_crypto_provider();
    hss_api::ensure_crypto_provider();
    Ok(reqwest::Client::builder().build()?)
}

/// Lists every host of `target`'s task over all enterprise projects, page
/// by page, one request at a time; stops early once `max_hosts` hosts were
/// seen (mid-page, as the SDK's stream does). Returns the number of hosts
/// seen.
pub async fn list(
    http: &reqwest::Client,
    target: &Target,
    decode: Decode,
    max_hosts: u64,
) -> anyhow::Result<u64> {
    for id in [&target.project_id, &target.task_id] {
        ensure!(
            id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "{id:?} would need percent-encoding in a path"
        );
    }
    let base = format!(
        "{}/v5/{}/vulnerability/scan-task/{}/hosts",
        target.base_url, target.project_id, target.task_id
    );
    let page_size = u64::from(crate::PAGE_SIZE);
    let (mut offset, mut seen) = (0u64, 0u64);
    // Bounded: never more pages than the answers say exist, plus one.
    let mut max_pages = u64::MAX;
    let mut pages = 0u64;
    while pages < max_pages {
        let url = format!(
            "{base}?enterprise_project_id=all_granted_eps&limit={page_size}&offset={offset}"
        );
        let response = http
            .get(url)
            .header(ACCEPT, "application/json")
            .header("x-auth-token", &target.token)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            bail!(
                "{status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        let wanted = usize::try_from(max_hosts - seen).unwrap_or(usize::MAX);
        let (total, len) = match decode {
            Decode::Structs => {
                let page: model::Page = serde_json::from_slice(&body).context("decoding a page")?;
                let len = page.data_list.len() as u64;
                for host in page.data_list.into_iter().take(wanted) {
                    black_box(host);
                }
                (page.total_num, len)
            }
            Decode::Value => {
                let mut page: serde_json::Value =
                    serde_json::from_slice(&body).context("decoding a page")?;
                let total = page.get("total_num").and_then(serde_json::Value::as_i64);
                let hosts = match page.get_mut("data_list").map(serde_json::Value::take) {
                    Some(serde_json::Value::Array(hosts)) => hosts,
                    _ => Vec::new(),
                };
                let len = hosts.len() as u64;
                for host in hosts.into_iter().take(wanted) {
                    black_box(host);
                }
                (total, len)
            }
        };
        let total = u64::try_from(total.context("no total_num")?)?;
        max_pages = total.div_ceil(page_size) + 1;
        pages += 1;
        seen += len.min(max_hosts - seen);
        offset += len;
        if len == 0 || offset >= total || seen >= max_hosts {
            break;
        }
    }
    Ok(seen)
}
