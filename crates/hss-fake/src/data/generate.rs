//! Seeded datasets: the options, the per-task choices and the seeding
//! helpers every generated value comes from.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::dataset::Dataset;
use super::host::generate_host;
use super::model::{Host, TaskData};
use super::profile::TaskProfile;
use super::random::{SALT_EPS, SALT_PROJECT, event_rng, hex_id, mix, uuid};
use super::values::DEFAULT_ENTERPRISE_PROJECT;

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
    /// Number of enterprise projects including `0` (at least 1). The
    /// default, 1, puts every host in `0`, so a request without parameters
    /// sees the whole task.
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
            enterprise_projects: 1,
        }
    }
}

impl Dataset {
    /// Generates a dataset; see the [module documentation](crate::data) for
    /// the guarantees.
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
}

/// The enterprise project IDs generated for `seed`: `0` then `count - 1` UUIDs.
pub fn enterprise_project_ids(seed: u64, count: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, SALT_EPS));
    std::iter::once(DEFAULT_ENTERPRISE_PROJECT.to_owned())
        .chain((1..count.max(1)).map(|_| uuid(&mut rng)))
        .collect()
}

/// Makes the hosts a task gains at runtime (continuing its seeded
/// sequence) and the RNGs of its runtime events.
#[derive(Debug)]
pub(crate) struct HostSource<'a> {
    seed: u64,
    profile: &'a TaskProfile,
    eps: &'a [String],
    /// The index of the next host made.
    pub(crate) next: u64,
}

impl<'a> HostSource<'a> {
    pub(crate) fn new(
        seed: u64,
        profile: &'a TaskProfile,
        eps: &'a [String],
        next: u64,
    ) -> HostSource<'a> {
        HostSource {
            seed,
            profile,
            eps,
            next,
        }
    }

    /// The next host of the task's sequence.
    pub(crate) fn host(&mut self) -> Host {
        let host = generate_host(self.seed, self.profile, self.eps, self.next);
        self.next += 1;
        host
    }

    /// The RNG of event `event` of kind `salt` in this task.
    pub(crate) fn rng(&self, salt: u64, event: u64) -> ChaCha8Rng {
        event_rng(self.seed, salt, self.profile.task_index, event)
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
    fn one_enterprise_project_by_default_puts_everything_in_default() {
        let data = Dataset::generate(&options(100));
        assert_eq!(data.enterprise_projects, vec!["0".to_owned()]);
        assert!(
            data.tasks
                .iter()
                .flat_map(|t| &t.hosts)
                .all(|h| h.enterprise_project_id == "0")
        );
    }

    #[test]
    fn more_enterprise_projects_move_hosts_but_keep_them_the_same() {
        let one = Dataset::generate(&options(400));
        let three = Dataset::generate(&GenerateOptions {
            enterprise_projects: 3,
            ..options(400)
        });
        assert_eq!(three.enterprise_projects.len(), 3);
        let in_default = three.tasks[0]
            .hosts
            .iter()
            .filter(|h| h.enterprise_project_id == "0")
            .count();
        assert!((120..280).contains(&in_default), "{in_default} of 400 in 0");
        for (a, b) in one.tasks.iter().zip(&three.tasks) {
            assert_eq!(a.task_id, b.task_id);
            for (x, y) in a.hosts.iter().zip(&b.hosts) {
                assert_eq!(x.info, y.info);
                assert!(three.enterprise_projects.contains(&y.enterprise_project_id));
            }
        }
    }
}
