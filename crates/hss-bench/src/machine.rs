//! What the figures were measured on: cores, memory and CPU model (Linux).

use serde::{Deserialize, Serialize};

/// The machine a run happened on.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Machine {
    /// Cores this process may use (`nproc`).
    pub cores: usize,
    /// `MemTotal` of `/proc/meminfo`, in MiB.
    pub memory_mib: Option<u64>,
    /// `MemAvailable` of `/proc/meminfo` at the start, in MiB.
    pub available_mib: Option<u64>,
    /// `model name` of `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// The load average over one minute at the start (`/proc/loadavg`):
    /// other work on a shared machine.
    pub load_1m: Option<f64>,
}

impl Machine {
    /// Reads the machine now.
    pub fn read() -> Machine {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem = |name: &str| {
            meminfo.lines().find_map(|l| {
                let rest = l.strip_prefix(name)?.strip_prefix(':')?;
                let kib: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
                Some(kib / 1024)
            })
        };
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            });
        let load_1m = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok());
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_mib: mem("MemTotal"),
            available_mib: mem("MemAvailable"),
            cpu_model,
            load_1m,
        }
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cores, {} MiB memory ({} MiB available), CPU {}, load {}",
            self.cores,
            self.memory_mib.map_or("?".into(), |m| m.to_string()),
            self.available_mib.map_or("?".into(), |m| m.to_string()),
            self.cpu_model.as_deref().unwrap_or("?"),
            self.load_1m.map_or("?".into(), |l| format!("{l:.2}")),
        )
    }
}
