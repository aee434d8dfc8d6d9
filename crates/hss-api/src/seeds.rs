//! The three enums of known values the project was founded with, written
//! by hand (their variants say what each value means); every other one is
//! generated into `crate::known` from the spec's `x-known-values`, which a
//! generated test holds these to.

use crate::open_enum::open_enum;

open_enum! {
    /// Scan status of a server, of one vulnerability type on it
    /// (`vul_scan_details[].status`), or of one vulnerability
    /// (`scan_vul_list[].status`). Also the `scan_status` query filter.
    pub enum ScanStatus {
        /// The scan is still running.
        Scanning => "scanning",
        /// The scan finished.
        Success => "success",
        /// The scan failed; the failure reasons say why.
        Failed => "failed",
    }
}

open_enum! {
    /// How important a server is, as set on the asset.
    pub enum AssetValue {
        /// An important asset.
        Important => "important",
        /// A common asset.
        Common => "common",
        /// A test asset.
        Test => "test",
    }
}

open_enum! {
    /// The kind of vulnerability a scan looked for.
    pub enum VulType {
        /// Linux vulnerability.
        LinuxVul => "linux_vul",
        /// Windows vulnerability.
        WindowsVul => "windows_vul",
        /// Web-CMS vulnerability.
        WebCms => "web_cms",
        /// Application vulnerability.
        AppVul => "app_vul",
        /// Emergency vulnerability.
        UrgentVul => "urgent_vul",
    }
}
