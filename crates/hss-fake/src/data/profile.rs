//! The choices a generated task makes once for all its hosts.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{URGENT_LINUX, URGENT_WINDOWS};
use super::random::{SALT_TASK, hex_id, mix, pick_distinct};

/// Per-task choices shared by all hosts of the task.
#[derive(Clone, Debug)]
pub(crate) struct TaskProfile {
    pub(crate) task_index: u64,
    pub(super) task_id: String,
    pub(super) web_cms: bool,
    pub(super) app_vul: bool,
    pub(super) urgent_linux: Vec<usize>,
    pub(super) urgent_windows: Vec<usize>,
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
                pick_distinct(&mut rng, URGENT_LINUX.len(), if all { 3 } else { 2 }),
                pick_distinct(&mut rng, URGENT_WINDOWS.len(), if all { 2 } else { 1 }),
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
