//! The fixed texts generated data draws from: emergency vulnerabilities,
//! failure causes and the parts of host names.

use super::values::vul_type;

/// An emergency vulnerability a task may check.
pub(super) struct UrgentVul {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
}

pub(super) const URGENT_LINUX: [UrgentVul; 8] = [
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

pub(super) const URGENT_WINDOWS: [UrgentVul; 3] = [
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

pub(super) const AGENT_OFFLINE: &str = "The agent is offline.";

pub(super) fn failure_reasons(vul_type: &str) -> &'static [&'static str] {
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

pub(super) const URGENT_ITEM_FAILURES: [&str; 3] = [
    "The detection script exited with an error.",
    "Detection timed out.",
    "A command required by the check is missing: rpm.",
];

/// Environments in host names; `prod` twice so it is the most common.
pub(super) const ENVIRONMENTS: [&str; 5] = ["prod", "prod", "staging", "dev", "test"];
/// Windows Server versions in `ecs-win<version>-...` names.
pub(super) const WINDOWS_VERSIONS: [&str; 4] = ["2012", "2016", "2019", "2022"];
/// Roles in `win-<role>-<env>-NN` names.
pub(super) const WINDOWS_ROLES: [&str; 5] = ["ad", "sqlserver", "iis", "rdp", "fileserver"];
/// Distributions in `ecs-<distro>-...` names.
pub(super) const LINUX_DISTROS: [&str; 8] = [
    "ubuntu",
    "centos",
    "euleros",
    "debian",
    "openeuler",
    "rocky",
    "hce",
    "suse",
];
/// Roles in `<role>-<env>-NN` names.
pub(super) const LINUX_ROLES: [&str; 12] = [
    "web", "api", "db-mysql", "db-pg", "redis", "kafka", "k8s-node", "nginx", "jenkins", "bastion",
    "es", "batch",
];
/// The documentation networks (RFC 5737) public addresses come from.
pub(super) const PUBLIC_NETS: [&str; 3] = ["192.0.2", "198.51.100", "203.0.113"];

/// Every emergency vulnerability generated tasks check, with whether it
/// is a Windows one: what the vulnerability inventory of `crate::workflow`
/// lists as `urgent_vul`.
pub(crate) fn urgent_vulnerabilities() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    let linux = URGENT_LINUX.iter().map(|v| (v.id, v.name, false));
    linux.chain(URGENT_WINDOWS.iter().map(|v| (v.id, v.name, true)))
}
