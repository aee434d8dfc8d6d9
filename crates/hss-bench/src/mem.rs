//! Memory of this process, read from `/proc/self/status` (Linux).

/// Resident set sizes of this process, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rss {
    /// `VmHWM`: the peak resident set since the process started.
    pub peak_kib: u64,
    /// `VmRSS`: the resident set now.
    pub current_kib: u64,
}

/// `VmHWM` and `VmRSS` of this process; `None` where `/proc` has no such
/// file (not Linux).
pub fn rss() -> Option<Rss> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    Some(Rss {
        peak_kib: field("VmHWM")?,
        current_kib: field("VmRSS")?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = super::rss().expect("/proc/self/status has VmHWM and VmRSS");
            assert!(
                rss.peak_kib >= rss.current_kib && rss.current_kib > 0,
                "{rss:?}"
            );
        }
    }
}
