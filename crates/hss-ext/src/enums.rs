//! Typed values for the string fields the API documents a closed list for.
//!
//! The service may add a value at any time, so none of these ever fails to
//! parse: a value this version does not know becomes `Unknown`, which keeps
//! the exact text and serializes back to it.

use std::fmt;
use std::str::FromStr;

/// The text of a value this version of the crate does not know.
///
/// Opaque on purpose: it cannot be built from a known value, so
/// `ScanStatus::Failed` and an `Unknown` never compare unequal for the same
/// text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value exactly as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines a non-exhaustive string enum with an `Unknown` fallback.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as sent.
            Unknown(UnknownValue),
        }

        impl $name {
            /// Every value the API documents, in document order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(value) => value.as_str(),
                }
            }

            /// False for a value this version does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// Parses any text; never fails.
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(UnknownValue(other.to_owned())),
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match Self::parse(&text) {
                    $name::Unknown(_) => $name::Unknown(UnknownValue(text)),
                    known => known,
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok($name::parse(text))
                    }
                    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

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

open_enum! {
    /// How a vulnerability scan task was started (`scan_type` of a task,
    /// and the `scan_type` filter of `ListVulScanTask`).
    pub enum ScanType {
        /// Started by a user or a program (`CreateVulnerabilityScanTask`).
        Manual => "manual",
        /// Started by the scan policy's schedule.
        Schedule => "schedule",
    }
}

open_enum! {
    /// Status of a vulnerability scan task (`status` of `ListVulScanTask`).
    pub enum ScanTaskStatus {
        /// Hosts are still being scanned.
        Running => "running",
        /// Every host has been scanned (successfully or not).
        Finished => "finished",
    }
}

open_enum! {
    /// A four-step rating: `severity_level`, `repair_priority` and
    /// `repair_necessity` of vulnerabilities, and their filters.
    pub enum Severity {
        /// CVSS 9 or more.
        Critical => "Critical",
        /// CVSS 7 to under 9.
        High => "High",
        /// CVSS 4 to under 7.
        Medium => "Medium",
        /// CVSS under 4.
        Low => "Low",
    }
}

open_enum! {
    /// Whether a vulnerability has been dealt with (`handle_status` filter).
    pub enum HandleStatus {
        /// Not handled yet.
        Unhandled => "unhandled",
        /// Handled (fixed, ignored, ...).
        Handled => "handled",
    }
}

open_enum! {
    /// Status of a vulnerability on a host (`status` of vulnerability
    /// hosts and host vulnerabilities, and the `status` filter).
    pub enum VulStatus {
        /// Not fixed.
        Unfix => "vul_status_unfix",
        /// Ignored.
        Ignored => "vul_status_ignored",
        /// Being verified.
        Verified => "vul_status_verified",
        /// Being fixed.
        Fixing => "vul_status_fixing",
        /// Fixed.
        Fixed => "vul_status_fixed",
        /// Fixed, takes effect after a reboot.
        Reboot => "vul_status_reboot",
        /// The fix failed.
        Failed => "vul_status_failed",
        /// Fixed after a reboot.
        FixAfterReboot => "vul_status_fix_after_reboot",
    }
}

open_enum! {
    /// Whether a host is a CCE cluster node (`node_type`).
    pub enum NodeType {
        /// A CCE node.
        Cce => "cce",
        /// Not a CCE node.
        NotCce => "not_cce",
    }
}

open_enum! {
    /// Which hosts a scan task or the scan policy covers
    /// (`range_type`, `scan_range_type`).
    pub enum ScanRange {
        /// Every host.
        AllHost => "all_host",
        /// The hosts listed with the request.
        SpecificHost => "specific_host",
    }
}

open_enum! {
    /// Operating system family of a host (`os_type`).
    pub enum OsType {
        /// Linux.
        Linux => "Linux",
        /// Windows.
        Windows => "Windows",
    }
}

open_enum! {
    /// State of a cloud server (`host_status`).
    pub enum HostStatus {
        /// Running.
        Active => "ACTIVE",
        /// Stopped.
        Shutoff => "SHUTOFF",
        /// Being created.
        Building => "BUILDING",
        /// In error.
        Error => "ERROR",
    }
}

open_enum! {
    /// State of the HSS agent on a host (`agent_status`).
    pub enum AgentStatus {
        /// Installed.
        Installed => "installed",
        /// Not installed.
        NotInstalled => "not_installed",
        /// Online.
        Online => "online",
        /// Offline.
        Offline => "offline",
        /// Installation failed.
        InstallFailed => "install_failed",
        /// Being installed.
        Installing => "installing",
    }
}

open_enum! {
    /// What `ChangeVulStatus` does (`operate_type`), also the operations
    /// a host disables (`disabled_operate_types[].operate_type`).
    pub enum VulOperation {
        /// Ignore the vulnerability.
        Ignore => "ignore",
        /// Stop ignoring it.
        NotIgnore => "not_ignore",
        /// Fix it now.
        ImmediateRepair => "immediate_repair",
        /// Mark it as fixed by hand.
        ManualRepair => "manual_repair",
        /// Verify the fix.
        Verify => "verify",
        /// Add it to the whitelist.
        AddToWhitelist => "add_to_whitelist",
    }
}

open_enum! {
    /// What a `ChangeVulStatus` request selects without listing it
    /// (`select_type`).
    pub enum VulSelection {
        /// Every vulnerability.
        AllVul => "all_vul",
        /// Every host.
        AllHost => "all_host",
    }
}

open_enum! {
    /// How often the scan policy scans (`scan_period`).
    pub enum ScanPeriod {
        /// Every day.
        OneDay => "one_day",
        /// Every three days.
        ThreeDay => "three_day",
        /// Every week.
        OneWeek => "one_week",
        /// Every month.
        OneMonth => "one_month",
    }
}

open_enum! {
    /// Whether the scan policy is on (`status` of the scan policy).
    pub enum PolicyStatus {
        /// Scheduled scans run.
        Open => "open",
        /// No scheduled scans.
        Close => "close",
    }
}

open_enum! {
    /// Status of an export task (`task_status` of `ListQueryExportTask`).
    pub enum ExportStatus {
        /// The file is being made.
        Running => "running",
        /// The file is ready to download.
        Success => "success",
        /// The export failed.
        Failure => "failure",
    }
}

open_enum! {
    /// What an export lists (`category` of `ExportVuls`).
    pub enum ExportCategory {
        /// One row per vulnerability.
        Vul => "vul",
        /// One row per host.
        Host => "host",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_values_parse_to_their_variants() {
        let cases: &[(&str, ScanStatus)] = &[
            ("scanning", ScanStatus::Scanning),
            ("success", ScanStatus::Success),
            ("failed", ScanStatus::Failed),
        ];
        for (text, value) in cases {
            assert_eq!(&ScanStatus::parse(text), value);
            assert_eq!(value.as_str(), *text);
            assert!(value.is_known());
        }
        let cases: &[(&str, AssetValue)] = &[
            ("important", AssetValue::Important),
            ("common", AssetValue::Common),
            ("test", AssetValue::Test),
        ];
        for (text, value) in cases {
            assert_eq!(&AssetValue::parse(text), value);
            assert_eq!(value.to_string(), *text);
        }
        let cases: &[(&str, VulType)] = &[
            ("linux_vul", VulType::LinuxVul),
            ("windows_vul", VulType::WindowsVul),
            ("web_cms", VulType::WebCms),
            ("app_vul", VulType::AppVul),
            ("urgent_vul", VulType::UrgentVul),
        ];
        for (text, value) in cases {
            assert_eq!(&text.parse::<VulType>().unwrap(), value);
            assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""));
        }
        assert_eq!(ScanStatus::KNOWN.len(), 3);
        assert_eq!(AssetValue::KNOWN.len(), 3);
        assert_eq!(VulType::KNOWN.len(), 5);
    }

    #[test]
    fn unknown_values_keep_their_exact_text() {
        for text in ["paused", "FAILED", " failed", "", "扫描中"] {
            let value = ScanStatus::parse(text);
            assert!(!value.is_known(), "{text:?}");
            assert_eq!(value.as_str(), text);
            assert_eq!(value, ScanStatus::from(text.to_string()));
        }
        let value: VulType = serde_json::from_str("\"container_vul\"").unwrap();
        assert!(matches!(&value, VulType::Unknown(v) if v.as_str() == "container_vul"));
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"container_vul\"");
        assert_eq!(AssetValue::parse("critical").to_string(), "critical");
    }

    #[test]
    fn non_strings_are_a_decode_error_not_a_panic() {
        assert!(serde_json::from_str::<ScanStatus>("42").is_err());
        assert!(serde_json::from_str::<AssetValue>("null").is_err());
    }

    proptest! {
        #[test]
        fn any_string_round_trips(text in any::<String>()) {
            prop_assert_eq!(ScanStatus::parse(&text).as_str().to_owned(), text.clone());
            prop_assert_eq!(AssetValue::from(text.clone()).to_string(), text.clone());
            prop_assert_eq!(text.parse::<VulType>().unwrap().to_string(), text.clone());

            let json = serde_json::to_string(&text).unwrap();
            let status: ScanStatus = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(serde_json::to_string(&status).unwrap(), json.clone());
            let asset: AssetValue = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(serde_json::to_string(&asset).unwrap(), json.clone());
            let vul: VulType = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(serde_json::to_string(&vul).unwrap(), json);
        }
    }
}
