//! The vulnerabilities the fake's servers can have: a fixed catalog per
//! type (Linux packages, Windows patches, Web-CMS, application components)
//! plus the emergency vulnerabilities generated tasks check, with CVEs and
//! scores that decide severity and repair priority.

use crate::data::{urgent_vulnerabilities, vul_type};

/// Which servers a vulnerability can affect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Os {
    Linux,
    Windows,
    Any,
}

/// One known vulnerability.
#[derive(Debug)]
pub(crate) struct VulDef {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) vul_type: &'static str,
    pub(crate) os: Os,
    pub(crate) cves: &'static [(&'static str, f32)],
    /// The affected software: name, vulnerable version, fixed version.
    pub(crate) app: Option<(&'static str, &'static str, &'static str)>,
    pub(crate) labels: &'static [&'static str],
    pub(crate) description: &'static str,
    pub(crate) solution: &'static str,
}

impl VulDef {
    /// The highest CVSS score of its CVEs.
    pub(crate) fn cvss(&self) -> f32 {
        self.cves.iter().map(|c| c.1).fold(0.0, f32::max)
    }

    /// `Critical` (CVSS 9 and more), `High` (7), `Medium` (4) or `Low`, as
    /// the service grades `severity_level`.
    pub(crate) fn severity(&self) -> &'static str {
        severity_of(self.cvss())
    }

    /// The command that repairs it on a Linux server, as the console shows.
    pub(crate) fn repair_cmd(&self) -> Option<String> {
        let (app, _, fixed) = self.app?;
        (self.vul_type == vul_type::LINUX_VUL).then(|| format!("yum update {app}-{fixed} -y"))
    }

    /// Where the software lives, for application vulnerabilities.
    pub(crate) fn app_path(&self) -> Option<String> {
        let (app, version, _) = self.app?;
        (self.vul_type == vul_type::APP_VUL).then(|| format!("/opt/app/lib/{app}-{version}.jar"))
    }

    pub(crate) fn url(&self) -> String {
        match self.cves.first() {
            Some((cve, _)) => format!("https://nvd.nist.gov/vuln/detail/{cve}"),
            None => String::new(),
        }
    }
}

/// The service's grading of a CVSS score.
pub(crate) fn severity_of(cvss: f32) -> &'static str {
    if cvss >= 9.0 {
        "Critical"
    } else if cvss >= 7.0 {
        "High"
    } else if cvss >= 4.0 {
        "Medium"
    } else {
        "Low"
    }
}

/// The repair priorities and severities, most urgent first.
pub(crate) const LEVELS: [&str; 4] = ["Critical", "High", "Medium", "Low"];

const UPDATE: &str = "Upgrade the affected software to the fixed version shown, then restart the services that use it.";

const FIXED: [VulDef; 16] = [
    VulDef {
        id: "EulerOS-SA-2024-1005",
        name: "openssl security update",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2023-5678", 5.3), ("CVE-2023-6129", 6.5)],
        app: Some(("openssl", "1.1.1f-5", "1.1.1f-7")),
        labels: &["Remote exploitation"],
        description: "Denial of service in OpenSSL DH key handling and POLY1305 on PowerPC.",
        solution: UPDATE,
    },
    VulDef {
        id: "USN-6587-1",
        name: "OpenSSH vulnerabilities",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2023-48795", 5.9), ("CVE-2023-51385", 6.5)],
        app: Some(("openssh", "8.2p1-4", "8.2p1-4ubuntu0.11")),
        labels: &["Remote exploitation"],
        description: "The Terrapin attack and command injection through user names in OpenSSH.",
        solution: UPDATE,
    },
    VulDef {
        id: "EulerOS-SA-2024-1210",
        name: "kernel security update",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2024-1086", 7.8), ("CVE-2023-6817", 7.8)],
        app: Some(("kernel", "4.18.0-147", "4.18.0-147.5.2")),
        labels: &["Privilege escalation", "Exploit exists"],
        description: "Use-after-free in netfilter nf_tables allows local privilege escalation.",
        solution: "Upgrade the kernel and reboot the server.",
    },
    VulDef {
        id: "USN-6673-1",
        name: "sudo vulnerability",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2023-22809", 7.8)],
        app: Some(("sudo", "1.8.31-1", "1.8.31-1ubuntu1.5")),
        labels: &["Privilege escalation"],
        description: "sudoedit lets a local user edit arbitrary files.",
        solution: UPDATE,
    },
    VulDef {
        id: "EulerOS-SA-2023-2841",
        name: "curl security update",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2023-38545", 9.8)],
        app: Some(("curl", "7.61.1-22", "7.61.1-34")),
        labels: &["Remote exploitation", "Exploit exists"],
        description: "Heap buffer overflow in the SOCKS5 proxy handshake of curl.",
        solution: UPDATE,
    },
    VulDef {
        id: "USN-6477-1",
        name: "glibc vulnerabilities",
        vul_type: vul_type::LINUX_VUL,
        os: Os::Linux,
        cves: &[("CVE-2023-4806", 5.9)],
        app: Some(("glibc", "2.31-0ubuntu9", "2.31-0ubuntu9.14")),
        labels: &[],
        description: "Use-after-free in getaddrinfo under memory pressure.",
        solution: UPDATE,
    },
    VulDef {
        id: "KB5034441",
        name: "Windows Recovery Environment security update",
        vul_type: vul_type::WINDOWS_VUL,
        os: Os::Windows,
        cves: &[("CVE-2024-20666", 6.6)],
        app: None,
        labels: &[],
        description: "BitLocker security feature bypass through the recovery environment.",
        solution: "Install the Windows update KB5034441.",
    },
    VulDef {
        id: "KB5036893",
        name: "2024-04 cumulative update for Windows Server",
        vul_type: vul_type::WINDOWS_VUL,
        os: Os::Windows,
        cves: &[("CVE-2024-26234", 6.7), ("CVE-2024-29988", 8.8)],
        app: None,
        labels: &["Exploit exists"],
        description: "Proxy driver spoofing and SmartScreen prompt bypass.",
        solution: "Install the Windows update KB5036893.",
    },
    VulDef {
        id: "KB5025221",
        name: "2023-04 cumulative update for Windows Server",
        vul_type: vul_type::WINDOWS_VUL,
        os: Os::Windows,
        cves: &[("CVE-2023-28252", 7.8)],
        app: None,
        labels: &["Privilege escalation", "Exploit exists"],
        description: "Common Log File System driver elevation of privilege.",
        solution: "Install the Windows update KB5025221.",
    },
    VulDef {
        id: "KB5032189",
        name: "2023-11 cumulative update for Windows Server",
        vul_type: vul_type::WINDOWS_VUL,
        os: Os::Windows,
        cves: &[("CVE-2023-36033", 7.8), ("CVE-2023-36036", 7.8)],
        app: None,
        labels: &["Privilege escalation"],
        description: "DWM core library and Cloud Files mini filter driver elevation of privilege.",
        solution: "Install the Windows update KB5032189.",
    },
    VulDef {
        id: "HCVD-2023-1001",
        name: "WordPress core stored XSS vulnerability",
        vul_type: vul_type::WEB_CMS,
        os: Os::Any,
        cves: &[("CVE-2023-2745", 5.4)],
        app: Some(("wordpress", "6.1.1", "6.2.1")),
        labels: &["Remote exploitation"],
        description: "Directory traversal and stored cross-site scripting in WordPress core.",
        solution: "Upgrade WordPress to the fixed version.",
    },
    VulDef {
        id: "HCVD-2023-1002",
        name: "Drupal core access bypass vulnerability",
        vul_type: vul_type::WEB_CMS,
        os: Os::Any,
        cves: &[("CVE-2023-31250", 7.5)],
        app: Some(("drupal", "9.5.8", "9.5.9")),
        labels: &[],
        description: "File download access bypass in Drupal core.",
        solution: "Upgrade Drupal to the fixed version.",
    },
    VulDef {
        id: "CVE-2022-42889",
        name: "Apache Commons Text remote code execution (Text4Shell)",
        vul_type: vul_type::APP_VUL,
        os: Os::Any,
        cves: &[("CVE-2022-42889", 9.8)],
        app: Some(("commons-text", "1.9", "1.10.0")),
        labels: &["Remote exploitation", "Exploit exists"],
        description: "Variable interpolation in StringSubstitutor runs arbitrary code.",
        solution: UPDATE,
    },
    VulDef {
        id: "CVE-2022-1471",
        name: "SnakeYAML constructor deserialization vulnerability",
        vul_type: vul_type::APP_VUL,
        os: Os::Any,
        cves: &[("CVE-2022-1471", 8.3)],
        app: Some(("snakeyaml", "1.33", "2.0")),
        labels: &["Remote exploitation"],
        description: "The default Constructor deserializes arbitrary types.",
        solution: UPDATE,
    },
    VulDef {
        id: "CVE-2023-20863",
        name: "Spring Expression denial of service",
        vul_type: vul_type::APP_VUL,
        os: Os::Any,
        cves: &[("CVE-2023-20863", 6.5)],
        app: Some(("spring-expression", "5.3.26", "5.3.27")),
        labels: &[],
        description: "A crafted SpEL expression causes a denial of service.",
        solution: UPDATE,
    },
    VulDef {
        id: "CVE-2021-42550",
        name: "Logback JNDI remote code execution",
        vul_type: vul_type::APP_VUL,
        os: Os::Any,
        cves: &[("CVE-2021-42550", 3.3)],
        app: Some(("logback-classic", "1.2.7", "1.2.9")),
        labels: &[],
        description: "An attacker with write access to the configuration can run code through JNDI.",
        solution: UPDATE,
    },
];

/// Scores of the emergency vulnerabilities, by ID.
const URGENT_CVSS: [(&str, f32); 11] = [
    ("CVE-2021-44228", 10.0),
    ("CVE-2022-22965", 9.8),
    ("CVE-2023-44487", 7.5),
    ("CVE-2024-3094", 10.0),
    ("CVE-2024-6387", 8.1),
    ("CVE-2021-4034", 7.8),
    ("CVE-2022-0847", 7.8),
    ("CVE-2023-4911", 7.8),
    ("CVE-2020-1472", 10.0),
    ("CVE-2021-34527", 8.8),
    ("CVE-2019-0708", 9.8),
];

/// The whole catalog: the fixed entries, then the emergency ones.
pub(crate) fn catalog() -> Vec<VulDef> {
    let urgent = urgent_vulnerabilities().map(|(id, name, windows)| {
        let cves: &'static [(&'static str, f32)] = URGENT_CVSS
            .iter()
            .position(|(c, _)| *c == id)
            .map_or(&[], |i| std::slice::from_ref(&URGENT_CVSS[i]));
        VulDef {
            id,
            name,
            vul_type: vul_type::URGENT_VUL,
            os: if windows { Os::Windows } else { Os::Linux },
            cves,
            app: None,
            labels: &["Emergency", "Exploit exists"],
            description: "An emergency vulnerability HSS checks for with a dedicated detection script.",
            solution: "Apply the vendor's fix or mitigation as the emergency notice describes.",
        }
    });
    FIXED.into_iter().chain(urgent).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_consistent() {
        let all = catalog();
        let mut ids = std::collections::HashSet::new();
        for v in &all {
            assert!(ids.insert(v.id), "{} twice", v.id);
            assert!(vul_type::ALL.contains(&v.vul_type));
            assert!(!v.cves.is_empty(), "{} has no CVE", v.id);
            assert!(LEVELS.contains(&v.severity()));
            assert!(v.id.len() <= 64 && v.name.len() <= 256);
        }
        for t in vul_type::ALL {
            assert!(all.iter().any(|v| v.vul_type == t), "no {t}");
        }
        assert_eq!(severity_of(9.0), "Critical");
        assert_eq!(severity_of(3.9), "Low");
    }
}
