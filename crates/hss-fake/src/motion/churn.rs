//! Hosts joining and leaving a task at random places while it is listed.

use std::str::FromStr;
use std::time::Duration;

use rand::RngExt;

use crate::data::{Host, HostSource, pick_distinct};

/// Salt of the RNG of each churn step.
const SALT_CHURN: u64 = 0x6368_7572_6e00_0000;

/// How many hosts a churning task may reach unless told otherwise: about
/// what the fake generates in a third of a second.
pub const DEFAULT_CHURN_MAX_HOSTS: usize = 100_000;

/// Hosts that join and leave every task while the fake serves.
///
/// Every `every`, `leave` hosts leave from random places and `join` new
/// hosts (the task's seeded sequence continued) join at random places, the
/// front included, so pages move under a client in both directions. The
/// task stays between `min_hosts` and `max_hosts`: leaving stops at the
/// one, joining at the other. Time works as for
/// [`ScanProgress`](crate::ScanProgress): the fake's clock, applied when a
/// request looks at the task.
///
/// The text form (`hss-fake --churn`) is `JOIN:LEAVE:MS`, for example
/// `3:2:500`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostChurn {
    /// Hosts that join at each step.
    pub join: usize,
    /// Hosts that leave at each step.
    pub leave: usize,
    /// Time between steps; zero stops the churn.
    pub every: Duration,
    /// Leaving stops when a task has this many hosts.
    pub min_hosts: usize,
    /// Joining stops when a task has this many hosts.
    pub max_hosts: usize,
}

impl HostChurn {
    /// `join` hosts join and `leave` leave every `every`, between 0 and
    /// [`DEFAULT_CHURN_MAX_HOSTS`] hosts.
    pub fn new(join: usize, leave: usize, every: Duration) -> HostChurn {
        HostChurn {
            join,
            leave,
            every,
            min_hosts: 0,
            max_hosts: DEFAULT_CHURN_MAX_HOSTS,
        }
    }

    /// Sets the bounds of a task's size.
    pub fn bounds(mut self, min_hosts: usize, max_hosts: usize) -> HostChurn {
        self.min_hosts = min_hosts;
        self.max_hosts = max_hosts.max(min_hosts);
        self
    }
}

impl FromStr for HostChurn {
    type Err = String;

    /// Parses `JOIN:LEAVE:MS`.
    fn from_str(text: &str) -> Result<HostChurn, String> {
        let number = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| format!("{s:?} is not a number in churn {text:?}"))
        };
        let [join, leave, ms] = text.split(':').collect::<Vec<_>>()[..] else {
            return Err(format!("churn {text:?} is not JOIN:LEAVE:MS"));
        };
        let ms = number(ms)?;
        if ms == 0 {
            return Err(format!("churn {text:?} needs MS of at least 1"));
        }
        Ok(HostChurn::new(
            number(join)?,
            number(leave)?,
            Duration::from_millis(ms as u64),
        ))
    }
}

/// Applies `steps` churn steps at once (what is left, then what joins),
/// within the bounds; returns how many left and joined. One RNG per call,
/// numbered by `event`.
pub(crate) fn churn(
    churn: &HostChurn,
    hosts: &mut Vec<Host>,
    source: &mut HostSource<'_>,
    event: &mut u64,
    steps: u64,
) -> (usize, usize) {
    let steps = usize::try_from(steps).unwrap_or(usize::MAX);
    let mut rng = source.rng(SALT_CHURN, *event);
    *event += 1;
    let leave = churn
        .leave
        .saturating_mul(steps)
        .min(hosts.len().saturating_sub(churn.min_hosts));
    let mut gone = pick_distinct(&mut rng, hosts.len(), leave);
    gone.sort_unstable();
    let mut gone = gone.into_iter().peekable();
    let mut position = 0;
    hosts.retain(|_| {
        let keep = gone.next_if_eq(&position).is_none();
        position += 1;
        keep
    });
    let join = churn
        .join
        .saturating_mul(steps)
        .min(churn.max_hosts.saturating_sub(hosts.len()));
    let mut places: Vec<usize> = (0..join)
        .map(|_| rng.random_range(0..=hosts.len()))
        .collect();
    places.sort_unstable();
    insert_at(hosts, &places, source);
    (leave, join)
}

/// Inserts a new host before each of `places` (positions in `hosts` before
/// any insertion, sorted), in one pass.
fn insert_at(hosts: &mut Vec<Host>, places: &[usize], source: &mut HostSource<'_>) {
    if places.is_empty() {
        return;
    }
    let old = std::mem::take(hosts);
    hosts.reserve(old.len() + places.len());
    let mut places = places.iter().peekable();
    for (i, host) in old.into_iter().enumerate() {
        while places.next_if(|&&p| p <= i).is_some() {
            hosts.push(source.host());
        }
        hosts.push(host);
    }
    for _ in places {
        hosts.push(source.host());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Dataset, GenerateOptions, TaskProfile};

    #[test]
    fn parses_the_flag_syntax() {
        assert_eq!(
            "3:2:500".parse::<HostChurn>().unwrap(),
            HostChurn::new(3, 2, Duration::from_millis(500))
        );
        for bad in ["", "3:2", "3:2:0", "a:2:5", "1:2:3:4"] {
            assert!(bad.parse::<HostChurn>().is_err(), "{bad}");
        }
    }

    #[test]
    fn churn_keeps_order_and_bounds() {
        let data = Dataset::generate(&GenerateOptions {
            hosts_per_task: 50,
            ..GenerateOptions::default()
        });
        let profile = TaskProfile::new(1, 0);
        let eps = data.enterprise_projects.clone();
        let mut source = HostSource::new(1, &profile, &eps, 50);
        let mut hosts = data.tasks[0].hosts.clone();
        let mut event = 0;
        let rule = HostChurn::new(4, 3, Duration::from_millis(1)).bounds(40, 60);
        let (left, joined) = churn(&rule, &mut hosts, &mut source, &mut event, 2);
        assert_eq!((left, joined), (6, 8));
        assert_eq!(hosts.len(), 52);
        assert_eq!(source.next, 58);
        // The hosts that stayed keep their order.
        let original = &data.tasks[0].hosts;
        let stayed: Vec<&Host> = hosts.iter().filter(|h| original.contains(h)).collect();
        assert_eq!(stayed.len(), 44);
        assert!(stayed.windows(2).all(|w| {
            let pos = |h: &Host| original.iter().position(|o| o == h).unwrap();
            pos(w[0]) < pos(w[1])
        }));
        // Many steps at once stop at the bounds.
        churn(&rule, &mut hosts, &mut source, &mut event, 1_000);
        assert_eq!(hosts.len(), 60);
        let shrink = HostChurn::new(0, 5, Duration::from_millis(1)).bounds(40, 60);
        churn(&shrink, &mut hosts, &mut source, &mut event, u64::MAX);
        assert_eq!(hosts.len(), 40);
    }
}
