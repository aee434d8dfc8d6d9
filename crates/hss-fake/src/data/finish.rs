//! How a `scanning` host ends: `success`, or `failed` with causes drawn
//! from the same texts as generated data, keeping `failed_reasons`,
//! `vul_scan_details` and `scan_vul_list` consistent with each other.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::catalog::{URGENT_ITEM_FAILURES, failure_reasons};
use super::host::urgent_summary;
use super::model::{FailedReason, Host, ScanVul, VulScanDetail};
use super::random::pick;
use super::values::{scan_status, vul_type};

/// Ends the scan of `host`. A failed host gets at least one failed type
/// (one of those still scanning when there are any) and its cause in
/// `failed_reasons`; every type still scanning ends.
pub(crate) fn finish_host(host: &mut Host, failed: bool, rng: &mut ChaCha8Rng) {
    let info = &mut host.info;
    let mut new_reasons = Vec::new();
    if let Some(details) = &mut info.vul_scan_details {
        let failing = if failed {
            choose_failing(rng, details)
        } else {
            Vec::new()
        };
        for (i, detail) in details.iter_mut().enumerate() {
            let fail = failing.contains(&i);
            if fail || is(detail.status.as_deref(), scan_status::SCANNING) {
                new_reasons.extend(finish_detail(detail, fail, rng));
            }
        }
    }
    if failed && new_reasons.is_empty() {
        // A host without details (a fixture may have none) still says why.
        new_reasons.push(FailedReason {
            vul_type: Some(vul_type::LINUX_VUL.to_owned()),
            failed_reason: Some(pick(rng, failure_reasons(vul_type::LINUX_VUL)).to_owned()),
        });
    }
    let status = if failed {
        scan_status::FAILED
    } else {
        scan_status::SUCCESS
    };
    info.scan_status = Some(status.to_owned());
    if !new_reasons.is_empty() {
        info.failed_reasons
            .get_or_insert_with(Vec::new)
            .extend(new_reasons);
    }
}

fn is(value: Option<&str>, expected: &str) -> bool {
    value == Some(expected)
}

/// The details that fail: some of those still scanning (any detail when
/// none is), at least one.
fn choose_failing(rng: &mut ChaCha8Rng, details: &[VulScanDetail]) -> Vec<usize> {
    let running: Vec<usize> = (0..details.len())
        .filter(|&i| is(details[i].status.as_deref(), scan_status::SCANNING))
        .collect();
    let candidates = if running.is_empty() {
        (0..details.len()).collect()
    } else {
        running
    };
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut failing: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|_| rng.random_bool(0.4))
        .collect();
    if failing.is_empty() {
        failing.push(candidates[rng.random_range(0..candidates.len())]);
    }
    failing
}

/// Ends one type; returns its entry for `failed_reasons` when it failed.
fn finish_detail(
    detail: &mut VulScanDetail,
    fail: bool,
    rng: &mut ChaCha8Rng,
) -> Option<FailedReason> {
    if let Some(items) = &mut detail.scan_vul_list {
        finish_items(items, fail, rng);
    }
    if !fail {
        detail.status = Some(scan_status::SUCCESS.to_owned());
        detail.failed_reason = None;
        return None;
    }
    let vtype = detail
        .vul_type
        .clone()
        .unwrap_or_else(|| vul_type::LINUX_VUL.to_owned());
    let reason = detail
        .scan_vul_list
        .as_deref()
        .and_then(urgent_summary)
        .unwrap_or_else(|| pick(rng, failure_reasons(&vtype)));
    detail.status = Some(scan_status::FAILED.to_owned());
    detail.failed_reason = Some(reason.to_owned());
    Some(FailedReason {
        vul_type: Some(vtype),
        failed_reason: Some(reason.to_owned()),
    })
}

/// Ends the emergency vulnerability checks still scanning; when the type
/// fails, at least one of them fails too.
fn finish_items(items: &mut [ScanVul], fail: bool, rng: &mut ChaCha8Rng) {
    let running: Vec<usize> = (0..items.len())
        .filter(|&i| is(items[i].status.as_deref(), scan_status::SCANNING))
        .collect();
    let mut failing: Vec<usize> = running
        .iter()
        .copied()
        .filter(|_| fail && rng.random_bool(0.5))
        .collect();
    let already_failed = items
        .iter()
        .any(|i| is(i.status.as_deref(), scan_status::FAILED));
    if fail && failing.is_empty() && !already_failed && !items.is_empty() {
        let pool = if running.is_empty() {
            (0..items.len()).collect()
        } else {
            running.clone()
        };
        failing.push(pool[rng.random_range(0..pool.len())]);
    }
    for (i, item) in items.iter_mut().enumerate() {
        if failing.contains(&i) {
            item.status = Some(scan_status::FAILED.to_owned());
            item.failed_reason = Some(pick(rng, &URGENT_ITEM_FAILURES).to_owned());
        } else if running.contains(&i) {
            item.status = Some(scan_status::SUCCESS.to_owned());
            item.failed_reason = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::data::{Dataset, GenerateOptions};

    #[test]
    fn finished_hosts_stay_consistent() {
        let data = Dataset::generate(&GenerateOptions {
            seed: 3,
            hosts_per_task: 1500,
            ..GenerateOptions::default()
        });
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ended = [0usize; 2];
        for (n, host) in data.tasks[0].hosts.iter().enumerate() {
            if !is(host.info.scan_status.as_deref(), scan_status::SCANNING) {
                continue;
            }
            let failed = n % 2 == 0;
            let mut host = host.clone();
            finish_host(&mut host, failed, &mut rng);
            crate::data::checks::assert_consistent(&host);
            let want = if failed { "failed" } else { "success" };
            assert_eq!(host.info.scan_status.as_deref(), Some(want));
            ended[usize::from(failed)] += 1;
        }
        assert!(ended[0] > 20 && ended[1] > 20, "{ended:?}");
    }

    #[test]
    fn a_host_without_details_still_says_why_it_failed() {
        let mut host: Host =
            serde_json::from_str(r#"{"host_id": "h", "scan_status": "scanning"}"#).unwrap();
        finish_host(&mut host, true, &mut ChaCha8Rng::seed_from_u64(2));
        assert_eq!(host.info.scan_status.as_deref(), Some("failed"));
        let reasons = host.info.failed_reasons.unwrap();
        assert_eq!(reasons.len(), 1);
        assert!(reasons[0].failed_reason.is_some());
    }
}
