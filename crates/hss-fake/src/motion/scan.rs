//! A scan that is still running: its `scanning` hosts end, one by one,
//! as `success` or `failed`.

use std::str::FromStr;
use std::time::Duration;

use rand::RngExt;

use crate::data::finish::finish_host;
use crate::data::{Host, HostSource, scan_status};

/// Salt of the RNG of each host that finishes.
const SALT_FINISH: u64 = 0x6669_6e69_7368_0000;

/// How the `scanning` hosts of every task finish while the fake serves.
///
/// Every `every`, `hosts` of the hosts still `scanning` (chosen at random,
/// from the seed) end as `failed` (`failed_percent` of them, with causes
/// like the generated data's) or `success`. A listing filtered by
/// `scan_status=scanning` then sees `total_num` shrink and later hosts move
/// to lower offsets, and `success`/`failed` listings see them grow, as on
/// the real service while a scan runs.
///
/// Time is the fake's clock ([`crate::FakeHssBuilder::clock`]), counted from
/// the start (or from when a task was added) and applied when a request
/// looks at the task, so nothing runs between requests; a fixed clock
/// stops the progress, which is the way to drive it by hand with
/// [`crate::RunningFake::advance_scan`].
///
/// The text form (`hss-fake --scan-progress`) is `HOSTS:MS[:FAILED%]`, for
/// example `5:1000` (5 hosts a second) or `1:200:50`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanProgress {
    /// Hosts that finish at each step.
    pub hosts: usize,
    /// Time between steps; zero stops the clock-driven progress.
    pub every: Duration,
    /// Percentage of the finishing hosts that end `failed` (100 and more: all).
    pub failed_percent: u8,
}

impl ScanProgress {
    /// `hosts` finish every `every`, a fifth of them `failed` (about the
    /// share of failed among finished hosts in generated data).
    pub fn new(hosts: usize, every: Duration) -> ScanProgress {
        ScanProgress {
            hosts,
            every,
            failed_percent: 20,
        }
    }

    /// `hosts` finish every second.
    pub fn per_second(hosts: usize) -> ScanProgress {
        ScanProgress::new(hosts, Duration::from_secs(1))
    }

    /// Sets the percentage of finishing hosts that end `failed`.
    pub fn failed_percent(mut self, percent: u8) -> ScanProgress {
        self.failed_percent = percent;
        self
    }
}

impl Default for ScanProgress {
    /// One host a second.
    fn default() -> Self {
        ScanProgress::per_second(1)
    }
}

impl FromStr for ScanProgress {
    type Err = String;

    /// Parses `HOSTS:MS[:FAILED%]`.
    fn from_str(text: &str) -> Result<ScanProgress, String> {
        let number = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| format!("{s:?} is not a number in scan progress {text:?}"))
        };
        let parts: Vec<&str> = text.split(':').collect();
        let (hosts, ms, failed) = match parts.as_slice() {
            [hosts, ms] => (number(hosts)?, number(ms)?, 20),
            [hosts, ms, failed] => (number(hosts)?, number(ms)?, number(failed)?),
            _ => return Err(format!("scan progress {text:?} is not HOSTS:MS[:FAILED%]")),
        };
        if ms == 0 {
            return Err(format!("scan progress {text:?} needs MS of at least 1"));
        }
        if failed > 100 {
            return Err(format!("{failed}% failed is more than 100% in {text:?}"));
        }
        let hosts = usize::try_from(hosts).map_err(|_| format!("too many hosts in {text:?}"))?;
        Ok(ScanProgress::new(hosts, Duration::from_millis(ms)).failed_percent(failed as u8))
    }
}

/// Finishes up to `count` scanning hosts of a task and returns how many
/// finished. Finished host number `event` (counted over the task's life, and
/// moved on here) is chosen and ended by its own RNG, so the same seed and
/// as many finished hosts give the same data.
pub(crate) fn finish_scans(
    hosts: &mut [Host],
    source: &HostSource<'_>,
    event: &mut u64,
    count: usize,
    failed_percent: u8,
) -> usize {
    let running: Vec<usize> = hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| h.info.scan_status.as_deref() == Some(scan_status::SCANNING))
        .map(|(i, _)| i)
        .collect();
    let count = count.min(running.len());
    let mut left = Remaining::all(running.len());
    for n in 0..count {
        let mut rng = source.rng(SALT_FINISH, *event);
        *event += 1;
        // The k-th host still scanning in listing order, so which host
        // finishes does not depend on how the steps were batched.
        let k = rng.random_range(0..running.len() - n);
        let position = running[left.take(k)];
        let failed = rng.random_range(0..100u8) < failed_percent;
        finish_host(&mut hosts[position], failed, &mut rng);
    }
    count
}

/// The items of `0..n` not taken yet, in order, in a Fenwick tree: taking
/// the k-th one costs `O(log n)`, so finishing many hosts of a large task
/// at once stays cheap.
struct Remaining {
    tree: Vec<usize>,
}

impl Remaining {
    fn all(n: usize) -> Remaining {
        let mut tree = vec![1; n + 1];
        tree[0] = 0;
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i];
            }
        }
        Remaining { tree }
    }

    /// Removes and returns the `k`-th (from 0) item left; `k` must be below
    /// the number left.
    fn take(&mut self, mut k: usize) -> usize {
        let n = self.tree.len() - 1;
        let mut position = 0;
        let mut step = n
            .checked_next_power_of_two()
            .unwrap_or(1 << (usize::BITS - 1));
        while step > 0 {
            if position + step <= n && self.tree[position + step] <= k {
                position += step;
                k -= self.tree[position];
            }
            step /= 2;
        }
        let mut i = position + 1;
        while i <= n {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
        position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_flag_syntax() {
        assert_eq!(
            "5:1000".parse::<ScanProgress>().unwrap(),
            ScanProgress::per_second(5)
        );
        assert_eq!(
            "1:200:50".parse::<ScanProgress>().unwrap(),
            ScanProgress::new(1, Duration::from_millis(200)).failed_percent(50)
        );
        for bad in ["", "5", "5:0", "x:10", "1:10:101", "1:2:3:4"] {
            assert!(bad.parse::<ScanProgress>().is_err(), "{bad}");
        }
    }

    #[test]
    fn remaining_takes_the_kth_item_left() {
        let mut left = Remaining::all(10);
        let mut model: Vec<usize> = (0..10).collect();
        for k in [3, 0, 7, 2, 5, 0, 1, 2, 1, 0] {
            assert_eq!(left.take(k), model.remove(k));
        }
        let mut one = Remaining::all(1);
        assert_eq!(one.take(0), 0);
    }
}
