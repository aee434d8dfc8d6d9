//! The rules generated and finished hosts keep, for the tests of both.

use super::model::Host;
use super::values::{scan_status, vul_type};

fn is(value: Option<&str>, expected: &str) -> bool {
    value == Some(expected)
}

/// The rules generated data keeps: a cause exactly for each failed type
/// and item, and a host status that its types agree with.
pub(crate) fn assert_consistent(host: &Host) {
    let info = &host.info;
    let status = info.scan_status.as_deref().unwrap();
    let details = info.vul_scan_details.as_ref().unwrap();
    let reasons = info.failed_reasons.as_ref().unwrap();
    let failed: Vec<_> = details
        .iter()
        .filter(|d| is(d.status.as_deref(), scan_status::FAILED))
        .collect();
    assert_eq!(failed.len(), reasons.len(), "{info:?}");
    assert_eq!(
        status == scan_status::FAILED,
        !failed.is_empty(),
        "{info:?}"
    );
    for d in details {
        let dstatus = d.status.as_deref().unwrap();
        assert_eq!(d.failed_reason.is_some(), dstatus == scan_status::FAILED);
        assert_eq!(
            d.scan_vul_list.is_some(),
            d.vul_type.as_deref() == Some(vul_type::URGENT_VUL)
        );
        for item in d.scan_vul_list.iter().flatten() {
            assert_eq!(
                item.failed_reason.is_some(),
                is(item.status.as_deref(), scan_status::FAILED)
            );
        }
        if status != scan_status::SCANNING {
            assert_ne!(dstatus, scan_status::SCANNING, "{info:?}");
        }
        if status == scan_status::SUCCESS {
            assert_eq!(dstatus, scan_status::SUCCESS);
        }
    }
    for r in reasons {
        assert!(r.failed_reason.as_ref().unwrap().len() <= 128);
    }
}
