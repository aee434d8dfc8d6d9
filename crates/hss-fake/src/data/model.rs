//! The wire types of `data_list` and the served host and task.

use serde::{Deserialize, Serialize};

use super::values::DEFAULT_ENTERPRISE_PROJECT;

/// One element of `data_list`, exactly as it goes on the wire.
///
/// Every field is optional in the service's answers, so fixtures may leave
/// any of them out; fields this type does not know are kept in `extra` and
/// sent as they are (useful to check that clients ignore unknown fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HostInfo {
    /// Server ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    /// Server name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// EIP; empty when the server has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// Private IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// `important`, `common` or `test`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_value: Option<String>,
    /// `scanning`, `success` or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_status: Option<String>,
    /// Failure causes (to be deprecated in favour of `vul_scan_details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_reasons: Option<Vec<FailedReason>>,
    /// Scan result per vulnerability type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vul_scan_details: Option<Vec<VulScanDetail>>,
    /// Fields unknown to this type, sent as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An element of `failed_reasons`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedReason {
    /// Vulnerability type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vul_type: Option<String>,
    /// Cause of the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_reason: Option<String>,
}

/// An element of `vul_scan_details`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VulScanDetail {
    /// Vulnerability type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vul_type: Option<String>,
    /// Scan status of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Cause of the failure, only when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_reason: Option<String>,
    /// The emergency vulnerabilities scanned, only for `urgent_vul`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_vul_list: Option<Vec<ScanVul>>,
    /// Fields unknown to this type, sent as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An element of `scan_vul_list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanVul {
    /// Vulnerability ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vul_id: Option<String>,
    /// Vulnerability name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vul_name: Option<String>,
    /// Scan status of this vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Cause of the failure, only when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_reason: Option<String>,
}

/// A host of a task: what goes on the wire plus the enterprise project it
/// belongs to (which is not sent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// The enterprise project of this host; `0` when a fixture leaves it out.
    #[serde(default = "default_ep")]
    pub enterprise_project_id: String,
    /// The wire representation.
    #[serde(flatten)]
    pub info: HostInfo,
}

fn default_ep() -> String {
    DEFAULT_ENTERPRISE_PROJECT.to_owned()
}

/// One vulnerability scan task and its hosts, in the order the fake lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskData {
    /// Task ID (1 to 256 characters; any characters, `/` included).
    pub task_id: String,
    /// The hosts of the task.
    #[serde(default)]
    pub hosts: Vec<Host>,
}
