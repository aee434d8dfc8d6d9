//! The values of the API's enumerations and of its special enterprise
//! projects.

/// The default enterprise project, used when a request names none.
pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";
/// The `enterprise_project_id` value that selects every enterprise project.
pub const ALL_GRANTED_EPS: &str = "all_granted_eps";

/// `scan_status` / `status` values.
pub mod scan_status {
    /// The scan is running.
    pub const SCANNING: &str = "scanning";
    /// The scan finished.
    pub const SUCCESS: &str = "success";
    /// The scan failed.
    pub const FAILED: &str = "failed";
    /// Every value the service documents.
    pub const ALL: [&str; 3] = [SCANNING, SUCCESS, FAILED];
}

/// `asset_value` values.
pub mod asset_value {
    /// Important asset.
    pub const IMPORTANT: &str = "important";
    /// Common asset.
    pub const COMMON: &str = "common";
    /// Test asset.
    pub const TEST: &str = "test";
    /// Every value the service documents.
    pub const ALL: [&str; 3] = [IMPORTANT, COMMON, TEST];
}

/// `vul_type` values.
pub mod vul_type {
    /// Linux vulnerability.
    pub const LINUX_VUL: &str = "linux_vul";
    /// Windows vulnerability.
    pub const WINDOWS_VUL: &str = "windows_vul";
    /// Web-CMS vulnerability.
    pub const WEB_CMS: &str = "web_cms";
    /// Application vulnerability.
    pub const APP_VUL: &str = "app_vul";
    /// Emergency vulnerability.
    pub const URGENT_VUL: &str = "urgent_vul";
    /// Every value the service documents.
    pub const ALL: [&str; 5] = [LINUX_VUL, WINDOWS_VUL, WEB_CMS, APP_VUL, URGENT_VUL];
}
