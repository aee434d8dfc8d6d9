//! CPU time of a process, from `/proc` (Linux), to split a listing's cost
//! between the client and the fake.

/// CPU time used so far by every live thread of process `pid` (`None` for
/// this process), in seconds: the sum of the first field of
/// `/proc/<pid>/task/*/schedstat` (nanoseconds on CPU). Threads that have
/// ended are not counted, which is fine for the long-lived worker threads
/// of the processes measured here. `None` where `/proc` has no such files.
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let dir = match pid {
        Some(pid) => format!("/proc/{pid}/task"),
        None => "/proc/self/task".to_owned(),
    };
    let mut total_ns = 0u64;
    let mut threads = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let Ok(entry) = entry else { continue };
        let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat")) else {
            continue;
        };
        if let Some(ns) = text
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
        {
            total_ns += ns;
            threads += 1;
        }
    }
    (threads > 0).then(|| total_ns as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_uses_some_cpu() {
        if cfg!(target_os = "linux") {
            let before = super::cpu_seconds(None).expect("schedstat on Linux");
            let mut x = 0u64;
            for i in 0..2_000_000u64 {
                x = std::hint::black_box(x.wrapping_add(i));
            }
            let after = super::cpu_seconds(None).unwrap();
            assert!(after > before, "{before} -> {after}");
        }
    }
}
