//! The data the fake serves: the hosts of vulnerability scan tasks, either
//! generated from a seed or loaded from a JSON fixture.
//!
//! # Enterprise projects
//! Every host belongs to exactly one enterprise project. The project `0` (the
//! default enterprise project, [`DEFAULT_ENTERPRISE_PROJECT`]) always exists.
//! Generated data with `n` enterprise projects (see
//! [`GenerateOptions::enterprise_projects`]) puts about half of the hosts in
//! `0` and spreads the rest evenly over `n - 1` named projects (UUIDs derived
//! from the seed); with `n = 1` every host is in `0`, so a request without
//! `enterprise_project_id` sees the whole task. A request without the
//! parameter sees the hosts of `0`, as the real service does, and
//! `all_granted_eps` sees every host.
//!
//! # Determinism
//! Host `i` of task `t` is generated from its own RNG (ChaCha8, seeded from
//! `(seed, t, i)`), so the same seed always gives the same data, a larger
//! host count only appends hosts, and hosts added at runtime continue the
//! sequence.

use std::collections::HashSet;
use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

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

/// Everything the fake serves. This is also the fixture file format:
///
/// ```json
/// {
///   "project_id": "2a473356cca5487f8373be891bffc1cf",
///   "enterprise_projects": ["0", "b8a8f1d4-..."],
///   "tasks": [{"task_id": "...", "hosts": [
///     {"enterprise_project_id": "0", "host_id": "...", "host_name": "...",
///      "scan_status": "failed", "failed_reasons": [...], "vul_scan_details": [...]}
///   ]}]
/// }
/// ```
///
/// `enterprise_projects` may be left out: `0` and every project a host names
/// are always known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The project ID in the path (1 to 256 characters).
    pub project_id: String,
    /// Known enterprise projects.
    #[serde(default)]
    pub enterprise_projects: Vec<String>,
    /// The tasks.
    #[serde(default)]
    pub tasks: Vec<TaskData>,
}

/// What is wrong with a fixture or a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The fixture file could not be read.
    #[error("cannot read fixture {path}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The fixture is not valid JSON of the expected shape.
    #[error("fixture is not a valid dataset")]
    Parse(#[source] serde_json::Error),
    /// The data breaks a constraint of the API.
    #[error("invalid dataset: {0}")]
    Invalid(String),
}

impl Dataset {
    /// Generates a dataset; see the module documentation for the guarantees.
    pub fn generate(options: &GenerateOptions) -> Dataset {
        let eps = enterprise_project_ids(options.seed, options.enterprise_projects);
        let project_id = options.project_id.clone().unwrap_or_else(|| {
            hex_id(&mut ChaCha8Rng::seed_from_u64(mix(
                options.seed,
                SALT_PROJECT,
            )))
        });
        let tasks = (0..options.tasks)
            .map(|t| {
                let profile = TaskProfile::new(options.seed, t as u64);
                let task_id = options
                    .task_ids
                    .get(t)
                    .cloned()
                    .unwrap_or_else(|| profile.task_id.clone());
                let hosts = (0..options.hosts_per_task as u64)
                    .map(|i| generate_host(options.seed, &profile, &eps, i))
                    .collect();
                TaskData { task_id, hosts }
            })
            .collect();
        Dataset {
            project_id,
            enterprise_projects: eps,
            tasks,
        }
    }

    /// Parses a fixture and checks it ([`Dataset::validate`]).
    pub fn from_json(json: &str) -> Result<Dataset, DataError> {
        let mut dataset: Dataset = serde_json::from_str(json).map_err(DataError::Parse)?;
        dataset.validate()?;
        Ok(dataset)
    }

    /// Reads a fixture file and checks it ([`Dataset::validate`]).
    pub fn from_fixture_file(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| DataError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Dataset::from_json(&json)
    }

    /// The dataset as a pretty-printed fixture.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a dataset always serializes")
    }

    /// Checks the constraints of the API (IDs of 1 to 256 characters, unique
    /// task IDs, enterprise project IDs other than `all_granted_eps`) and
    /// completes `enterprise_projects` with `0` and every project a host names.
    pub fn validate(&mut self) -> Result<(), DataError> {
        check_id("project_id", &self.project_id)?;
        let mut seen = HashSet::new();
        for task in &self.tasks {
            check_id("task_id", &task.task_id)?;
            if !seen.insert(task.task_id.as_str()) {
                return Err(DataError::Invalid(format!(
                    "task_id {:?} appears twice",
                    task.task_id
                )));
            }
        }
        let mut known: HashSet<String> = self.enterprise_projects.iter().cloned().collect();
        if !known.contains(DEFAULT_ENTERPRISE_PROJECT) {
            self.enterprise_projects
                .insert(0, DEFAULT_ENTERPRISE_PROJECT.to_owned());
            known.insert(DEFAULT_ENTERPRISE_PROJECT.to_owned());
        }
        for task in &self.tasks {
            for host in &task.hosts {
                if known.insert(host.enterprise_project_id.clone()) {
                    self.enterprise_projects
                        .push(host.enterprise_project_id.clone());
                }
            }
        }
        for ep in &self.enterprise_projects {
            check_id("enterprise_project_id", ep)?;
            if ep == ALL_GRANTED_EPS {
                return Err(DataError::Invalid(format!(
                    "{ALL_GRANTED_EPS} cannot be the enterprise project of a host"
                )));
            }
        }
        Ok(())
    }
}

fn check_id(what: &str, value: &str) -> Result<(), DataError> {
    let len = value.chars().count();
    if (1..=256).contains(&len) {
        Ok(())
    } else {
        Err(DataError::Invalid(format!(
            "{what} must have 1 to 256 characters, {value:?} has {len}"
        )))
    }
}

/// How to generate a [`Dataset`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of tasks.
    pub tasks: usize,
    /// Number of hosts in each task.
    pub hosts_per_task: usize,
    /// Project ID; derived from the seed when `None`.
    pub project_id: Option<String>,
    /// IDs of the first tasks; the others are derived from the seed.
    pub task_ids: Vec<String>,
    /// Number of enterprise projects including `0` (at least 1).
    pub enterprise_projects: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 1,
            tasks: 1,
            hosts_per_task: 250,
            project_id: None,
            task_ids: Vec::new(),
            enterprise_projects: 3,
        }
    }
}

const SALT_PROJECT: u64 = 0x7072_6f6a_6563_7400;
const SALT_EPS: u64 = 0x6570_7300_0000_0000;
const SALT_TASK: u64 = 0x7461_736b_0000_0000;
const SALT_HOST: u64 = 0x686f_7374_0000_0000;

/// SplitMix64 finaliser over `a` and `b`: a cheap, well-spread seed mixer.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hex_id(rng: &mut ChaCha8Rng) -> String {
    let a: u64 = rng.random();
    let b: u64 = rng.random();
    format!("{a:016x}{b:016x}")
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let a: u64 = rng.random();
    let b: u64 = rng.random();
    // Version 4, RFC 4122 variant.
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The enterprise project IDs generated for `seed`: `0` then `count - 1` UUIDs.
pub fn enterprise_project_ids(seed: u64, count: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, SALT_EPS));
    std::iter::once(DEFAULT_ENTERPRISE_PROJECT.to_owned())
        .chain((1..count.max(1)).map(|_| uuid(&mut rng)))
        .collect()
}

struct UrgentVul {
    id: &'static str,
    name: &'static str,
}

const URGENT_LINUX: [UrgentVul; 8] = [
    UrgentVul {
        id: "CVE-2021-44228",
        name: "Apache Log4j2 remote code execution vulnerability (CVE-2021-44228)",
    },
    UrgentVul {
        id: "CVE-2022-22965",
        name: "Spring Framework remote code execution vulnerability (Spring4Shell)",
    },
    UrgentVul {
        id: "CVE-2023-44487",
        name: "HTTP/2 Rapid Reset denial of service vulnerability",
    },
    UrgentVul {
        id: "CVE-2024-3094",
        name: "XZ Utils liblzma backdoor vulnerability",
    },
    UrgentVul {
        id: "CVE-2024-6387",
        name: "OpenSSH regreSSHion remote code execution vulnerability",
    },
    UrgentVul {
        id: "CVE-2021-4034",
        name: "Polkit pkexec local privilege escalation vulnerability (PwnKit)",
    },
    UrgentVul {
        id: "CVE-2022-0847",
        name: "Linux kernel Dirty Pipe privilege escalation vulnerability",
    },
    UrgentVul {
        id: "CVE-2023-4911",
        name: "glibc ld.so Looney Tunables privilege escalation vulnerability",
    },
];

const URGENT_WINDOWS: [UrgentVul; 3] = [
    UrgentVul {
        id: "CVE-2020-1472",
        name: "Netlogon elevation of privilege vulnerability (Zerologon)",
    },
    UrgentVul {
        id: "CVE-2021-34527",
        name: "Windows Print Spooler remote code execution vulnerability (PrintNightmare)",
    },
    UrgentVul {
        id: "CVE-2019-0708",
        name: "Remote Desktop Services remote code execution vulnerability (BlueKeep)",
    },
];

const AGENT_OFFLINE: &str = "The agent is offline.";

fn failure_reasons(vul_type: &str) -> &'static [&'static str] {
    match vul_type {
        vul_type::LINUX_VUL => &[
            "Failed to obtain the installed software list.",
            "The scan timed out after 3600 seconds.",
            "Insufficient disk space in /var/lib/hss.",
            "The RPM database is locked by another process.",
        ],
        vul_type::WINDOWS_VUL => &[
            "Failed to query installed patches through WMI.",
            "The Windows Update service is disabled.",
            "The scan timed out after 3600 seconds.",
        ],
        vul_type::WEB_CMS => &[
            "Failed to read the web directory: permission denied.",
            "Web-CMS fingerprint detection timed out.",
        ],
        vul_type::APP_VUL => &[
            "Failed to collect application component versions.",
            "Scanning JAR files exceeded the memory limit of the agent.",
        ],
        _ => &[
            "Failed to download the emergency vulnerability rules.",
            "The detection script exited with an error.",
        ],
    }
}

const URGENT_ITEM_FAILURES: [&str; 3] = [
    "The detection script exited with an error.",
    "Detection timed out.",
    "A command required by the check is missing: rpm.",
];

/// Per-task choices shared by all hosts of the task.
#[derive(Clone, Debug)]
pub(crate) struct TaskProfile {
    pub(crate) task_index: u64,
    task_id: String,
    web_cms: bool,
    app_vul: bool,
    urgent_linux: Vec<usize>,
    urgent_windows: Vec<usize>,
}

impl TaskProfile {
    pub(crate) fn new(seed: u64, task_index: u64) -> TaskProfile {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(seed, SALT_TASK), task_index));
        let task_id = hex_id(&mut rng);
        // The first task scans every type, so small datasets show everything.
        let all = task_index == 0;
        let web_cms = all || rng.random_bool(0.75);
        let app_vul = all || rng.random_bool(0.75);
        let urgent = all || rng.random_bool(0.75);
        let (urgent_linux, urgent_windows) = if urgent {
            (
                pick_distinct(&mut rng, URGENT_LINUX.len(), rng_count(2, 3, all)),
                pick_distinct(&mut rng, URGENT_WINDOWS.len(), rng_count(1, 2, all)),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        TaskProfile {
            task_index,
            task_id,
            web_cms,
            app_vul,
            urgent_linux,
            urgent_windows,
        }
    }
}

fn rng_count(low: usize, high: usize, max: bool) -> usize {
    if max { high } else { low }
}

fn pick_distinct(rng: &mut ChaCha8Rng, n: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    all.truncate(k.min(n));
    all
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, choices: &'a [(u32, T)]) -> &'a T {
    let total: u32 = choices.iter().map(|(w, _)| w).sum();
    let mut x = rng.random_range(0..total);
    for (w, value) in choices {
        if x < *w {
            return value;
        }
        x -= w;
    }
    &choices[choices.len() - 1].1
}

fn pick<'a>(rng: &mut ChaCha8Rng, values: &[&'a str]) -> &'a str {
    values[rng.random_range(0..values.len())]
}

fn suffix(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Generates host `host_index` of the task described by `profile`.
pub(crate) fn generate_host(
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
    let env = pick(rng, &["prod", "prod", "staging", "dev", "test"]);
    let host_name = if windows {
        if rng.random_bool(0.5) {
            let version = pick(rng, &["2012", "2016", "2019", "2022"]);
            format!("ecs-win{version}-{}", suffix(rng))
        } else {
            let role = pick(rng, &["ad", "sqlserver", "iis", "rdp", "fileserver"]);
            format!("win-{role}-{env}-{:02}", rng.random_range(1..40))
        }
    } else if rng.random_bool(0.5) {
        let distro = pick(
            rng,
            &[
                "ubuntu",
                "centos",
                "euleros",
                "debian",
                "openeuler",
                "rocky",
                "hce",
                "suse",
            ],
        );
        format!("ecs-{distro}-{}", suffix(rng))
    } else {
        let role = pick(
            rng,
            &[
                "web", "api", "db-mysql", "db-pg", "redis", "kafka", "k8s-node", "nginx",
                "jenkins", "bastion", "es", "batch",
            ],
        );
        format!("{role}-{env}-{:02}", rng.random_range(1..120))
    };
    let private_ip = match *weighted(rng, &[(50, 0u8), (35, 1), (15, 2)]) {
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
    };
    // Public addresses come from the documentation ranges (RFC 5737).
    let public_ip = if rng.random_bool(0.55) {
        let net = pick(rng, &["192.0.2", "198.51.100", "203.0.113"]);
        format!("{net}.{}", rng.random_range(1..=254u8))
    } else {
        String::new()
    };
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
    let enterprise_project_id = if eps.len() <= 1 || rng.random_bool(0.5) {
        DEFAULT_ENTERPRISE_PROJECT.to_owned()
    } else {
        eps[rng.random_range(1..eps.len())].clone()
    };

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
        profile
            .urgent_windows
            .iter()
            .map(|&i| &URGENT_WINDOWS[i])
            .collect()
    } else {
        profile
            .urgent_linux
            .iter()
            .map(|&i| &URGENT_LINUX[i])
            .collect()
    };
    if !urgent.is_empty() {
        types.push(vul_type::URGENT_VUL);
    }

    // Per-type status, consistent with the host's status.
    let offline = status == scan_status::FAILED && rng.random_bool(0.25);
    let mut statuses: Vec<&str> = match status {
        scan_status::SUCCESS => vec![scan_status::SUCCESS; types.len()],
        scan_status::SCANNING => types
            .iter()
            .map(|_| {
                if rng.random_bool(0.6) {
                    scan_status::SCANNING
                } else {
                    scan_status::SUCCESS
                }
            })
            .collect(),
        _ if offline => vec![scan_status::FAILED; types.len()],
        _ => types
            .iter()
            .map(|_| {
                if rng.random_bool(0.4) {
                    scan_status::FAILED
                } else {
                    scan_status::SUCCESS
                }
            })
            .collect(),
    };
    if status != scan_status::SUCCESS && !statuses.contains(&status) {
        let i = rng.random_range(0..statuses.len());
        statuses[i] = status;
    }

    let mut failed_reasons = Vec::new();
    let mut details = Vec::with_capacity(types.len());
    for (&vtype, &vstatus) in types.iter().zip(&statuses) {
        let mut reason = (vstatus == scan_status::FAILED).then(|| {
            if offline {
                AGENT_OFFLINE
            } else {
                pick(rng, failure_reasons(vtype))
            }
        });
        let scan_vul_list = (vtype == vul_type::URGENT_VUL).then(|| {
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
        });
        if let (Some(items), Some(r)) = (&scan_vul_list, &mut reason)
            && !offline
        {
            let failed = items
                .iter()
                .filter(|i| i.status.as_deref() == Some(scan_status::FAILED))
                .count();
            if failed > 0 {
                *r = if failed == 1 {
                    "1 emergency vulnerability check failed."
                } else {
                    "Several emergency vulnerability checks failed."
                };
            }
        }
        if let Some(r) = reason {
            failed_reasons.push(FailedReason {
                vul_type: Some(vtype.to_owned()),
                failed_reason: Some(r.to_owned()),
            });
        }
        details.push(VulScanDetail {
            vul_type: Some(vtype.to_owned()),
            status: Some(vstatus.to_owned()),
            failed_reason: reason.map(str::to_owned),
            scan_vul_list,
            extra: serde_json::Map::new(),
        });
    }

    Host {
        enterprise_project_id,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn options(hosts: usize) -> GenerateOptions {
        GenerateOptions {
            seed: 7,
            tasks: 2,
            hosts_per_task: hosts,
            ..GenerateOptions::default()
        }
    }

    #[test]
    fn same_seed_same_data_and_prefix_stable() {
        let a = Dataset::generate(&options(300));
        let b = Dataset::generate(&options(300));
        assert_eq!(a, b);
        let c = Dataset::generate(&options(500));
        assert_eq!(a.tasks[0].hosts[..], c.tasks[0].hosts[..300]);
        let d = Dataset::generate(&GenerateOptions {
            seed: 8,
            ..options(300)
        });
        assert_ne!(a.tasks[0].hosts, d.tasks[0].hosts);
        assert_ne!(a.project_id, d.project_id);
    }

    #[test]
    fn generated_hosts_are_consistent() {
        let data = Dataset::generate(&options(2000));
        let mut seen_status = HashSet::new();
        let mut seen_asset = HashSet::new();
        let mut seen_types = HashSet::new();
        let mut seen_eps = HashSet::new();
        for host in data.tasks.iter().flat_map(|t| &t.hosts) {
            let info = &host.info;
            let status = info.scan_status.as_deref().unwrap();
            seen_status.insert(status);
            seen_asset.insert(info.asset_value.clone().unwrap());
            seen_eps.insert(host.enterprise_project_id.clone());
            assert!(
                data.enterprise_projects
                    .contains(&host.enterprise_project_id)
            );
            assert!(info.host_name.as_ref().unwrap().len() <= 128);
            let details = info.vul_scan_details.as_ref().unwrap();
            let reasons = info.failed_reasons.as_ref().unwrap();
            let failed: Vec<_> = details
                .iter()
                .filter(|d| d.status.as_deref() == Some(scan_status::FAILED))
                .collect();
            assert_eq!(failed.len(), reasons.len());
            assert_eq!(status == scan_status::FAILED, !failed.is_empty());
            for d in details {
                let vtype = d.vul_type.as_deref().unwrap();
                seen_types.insert(vtype.to_owned());
                let dstatus = d.status.as_deref().unwrap();
                assert_eq!(d.failed_reason.is_some(), dstatus == scan_status::FAILED);
                assert_eq!(d.scan_vul_list.is_some(), vtype == vul_type::URGENT_VUL);
                for item in d.scan_vul_list.iter().flatten() {
                    assert_eq!(
                        item.failed_reason.is_some(),
                        item.status.as_deref() == Some(scan_status::FAILED)
                    );
                }
                if status == scan_status::SUCCESS {
                    assert_eq!(dstatus, scan_status::SUCCESS);
                }
            }
            for r in reasons {
                assert!(r.failed_reason.as_ref().unwrap().len() <= 128);
            }
        }
        assert_eq!(seen_status.len(), 3);
        assert_eq!(seen_asset.len(), 3);
        assert_eq!(seen_types.len(), 5, "{seen_types:?}");
        assert_eq!(seen_eps.len(), 3);
    }

    #[test]
    fn one_enterprise_project_puts_everything_in_default() {
        let data = Dataset::generate(&GenerateOptions {
            enterprise_projects: 1,
            ..options(100)
        });
        assert_eq!(data.enterprise_projects, vec!["0".to_owned()]);
        assert!(
            data.tasks[0]
                .hosts
                .iter()
                .all(|h| h.enterprise_project_id == "0")
        );
    }

    #[test]
    fn fixture_round_trip_keeps_unknown_fields() {
        let mut data = Dataset::generate(&options(5));
        data.tasks[0].hosts[0]
            .info
            .extra
            .insert("agent_id".into(), serde_json::json!("abc"));
        let back = Dataset::from_json(&data.to_json_pretty()).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn validate_rejects_bad_ids_and_completes_projects() {
        let json = r#"{"project_id":"p","tasks":[{"task_id":"t","hosts":[{"enterprise_project_id":"ep1","host_id":"h"},{"host_id":"h2"}]}]}"#;
        let data = Dataset::from_json(json).unwrap();
        assert_eq!(data.enterprise_projects, vec!["0", "ep1"]);
        assert_eq!(data.tasks[0].hosts[1].enterprise_project_id, "0");
        assert!(Dataset::from_json(r#"{"project_id":""}"#).is_err());
        assert!(
            Dataset::from_json(r#"{"project_id":"p","tasks":[{"task_id":"t"},{"task_id":"t"}]}"#)
                .is_err()
        );
        assert!(
            Dataset::from_json(
                r#"{"project_id":"p","tasks":[{"task_id":"t","hosts":[{"enterprise_project_id":"all_granted_eps"}]}]}"#
            )
            .is_err()
        );
    }
}
