//! Typed access to the generated models' enum-like string fields.
//!
//! The generated types keep these fields as `Option<String>` so that no
//! response fails to decode; these traits read them as the typed enums.
//! `host.scan_status` is the raw field, `host.scan_status()` the typed one.

use hss_api::types::{FailedReason, ScanVul, VulScanDetail, VulScanTaskHostInfo};

use crate::enums::{AssetValue, ScanStatus, VulType};

/// Typed fields of [`VulScanTaskHostInfo`].
pub trait HostInfoExt {
    /// The server's scan status, when the service sent one.
    fn scan_status(&self) -> Option<ScanStatus>;
    /// The server's asset importance, when the service sent one.
    fn asset_value(&self) -> Option<AssetValue>;
}

impl HostInfoExt for VulScanTaskHostInfo {
    fn scan_status(&self) -> Option<ScanStatus> {
        self.scan_status.as_deref().map(ScanStatus::parse)
    }
    fn asset_value(&self) -> Option<AssetValue> {
        self.asset_value.as_deref().map(AssetValue::parse)
    }
}

/// Typed fields of [`FailedReason`].
pub trait FailedReasonExt {
    /// The vulnerability type that failed to scan.
    fn vul_type(&self) -> Option<VulType>;
}

impl FailedReasonExt for FailedReason {
    fn vul_type(&self) -> Option<VulType> {
        self.vul_type.as_ref().map(|t| VulType::parse(t))
    }
}

/// Typed fields of [`VulScanDetail`].
pub trait VulScanDetailExt {
    /// The vulnerability type this entry is about.
    fn vul_type(&self) -> Option<VulType>;
    /// The scan status of this vulnerability type.
    fn status(&self) -> Option<ScanStatus>;
}

impl VulScanDetailExt for VulScanDetail {
    fn vul_type(&self) -> Option<VulType> {
        self.vul_type.as_ref().map(|t| VulType::parse(t))
    }
    fn status(&self) -> Option<ScanStatus> {
        self.status.as_deref().map(ScanStatus::parse)
    }
}

/// Typed fields of [`ScanVul`].
pub trait ScanVulExt {
    /// The scan status of this vulnerability.
    fn status(&self) -> Option<ScanStatus>;
}

impl ScanVulExt for ScanVul {
    fn status(&self) -> Option<ScanStatus> {
        self.status.as_deref().map(ScanStatus::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_fields_read_known_unknown_and_missing_values() {
        let host: VulScanTaskHostInfo = serde_json::from_str(
            r#"{"scan_status":"failed","asset_value":"critical",
                "failed_reasons":[{"vul_type":"linux_vul"},{"vul_type":"container_vul"}],
                "vul_scan_details":[{"vul_type":"urgent_vul","status":"scanning",
                    "scan_vul_list":[{"status":"success"}]}]}"#,
        )
        .unwrap();
        assert_eq!(host.scan_status(), Some(ScanStatus::Failed));
        assert_eq!(host.asset_value().unwrap().as_str(), "critical");
        assert!(!host.asset_value().unwrap().is_known());
        assert_eq!(host.failed_reasons[0].vul_type(), Some(VulType::LinuxVul));
        assert_eq!(
            host.failed_reasons[1].vul_type().unwrap().as_str(),
            "container_vul"
        );
        let detail = &host.vul_scan_details[0];
        assert_eq!(detail.vul_type(), Some(VulType::UrgentVul));
        assert_eq!(detail.status(), Some(ScanStatus::Scanning));
        assert_eq!(detail.scan_vul_list[0].status(), Some(ScanStatus::Success));

        let empty = VulScanTaskHostInfo::default();
        assert_eq!(empty.scan_status(), None);
        assert_eq!(empty.asset_value(), None);
    }
}
