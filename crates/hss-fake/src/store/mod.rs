//! The data of a running fake: tasks as immutable, indexed snapshots.
//!
//! A request clones a task's `Arc` (not its hosts) and serializes only its
//! page, once per snapshot (the snapshot keeps it for the next request). Changing a task (by hand, or by the steps of [`crate::motion`] that
//! came due) builds a new snapshot and swaps it in, so requests under way
//! keep a consistent view.

mod snapshot;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use crate::data::scan_status;
use crate::data::{
    ALL_GRANTED_EPS, DEFAULT_ENTERPRISE_PROJECT, Dataset, Host, HostSource, TaskData, TaskProfile,
};
use crate::motion::{Motion, PlannedScan, Timeline};

pub(crate) use snapshot::TaskSnapshot;

#[derive(Debug)]
struct State {
    project_id: String,
    enterprise_projects: Vec<String>,
    task_order: Vec<String>,
    tasks: HashMap<String, Arc<TaskSnapshot>>,
}

/// What a request resolved to.
pub(crate) enum Lookup {
    Found(Arc<TaskSnapshot>),
    UnknownProject,
    UnknownTask,
    UnknownEnterpriseProject,
}

/// What a change to a task works on: a copy of its hosts, the generator of
/// new ones and its timeline.
pub(crate) struct Edit<'a, 'b> {
    pub(crate) hosts: &'a mut Vec<Host>,
    pub(crate) source: &'a mut HostSource<'b>,
    pub(crate) timeline: &'a mut Timeline,
}

/// The data of a running fake.
#[derive(Debug)]
pub(crate) struct Store {
    seed: u64,
    motion: Motion,
    state: RwLock<State>,
}

impl Store {
    pub(crate) fn new(dataset: Dataset, seed: u64, motion: Motion) -> Store {
        let now = motion.now();
        let mut task_order = Vec::new();
        let mut tasks = HashMap::new();
        for (i, task) in dataset.tasks.into_iter().enumerate() {
            task_order.push(task.task_id.clone());
            tasks.insert(task.task_id, new_snapshot(task.hosts, seed, i, now));
        }
        Store {
            seed,
            motion,
            state: RwLock::new(State {
                project_id: dataset.project_id,
                enterprise_projects: dataset.enterprise_projects,
                task_order,
                tasks,
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn project_id(&self) -> String {
        self.read().project_id.clone()
    }

    pub(crate) fn task_ids(&self) -> Vec<String> {
        self.read().task_order.clone()
    }

    pub(crate) fn enterprise_projects(&self) -> Vec<String> {
        self.read().enterprise_projects.clone()
    }

    pub(crate) fn lookup(&self, project_id: &str, task_id: &str, ep: &str) -> Lookup {
        self.catch_up(task_id);
        let state = self.read();
        if state.project_id != project_id {
            return Lookup::UnknownProject;
        }
        let Some(task) = state.tasks.get(task_id) else {
            return Lookup::UnknownTask;
        };
        if ep != ALL_GRANTED_EPS && !state.enterprise_projects.iter().any(|e| e == ep) {
            return Lookup::UnknownEnterpriseProject;
        }
        Lookup::Found(Arc::clone(task))
    }

    /// The task as it is now (its due steps taken).
    pub(crate) fn task(&self, task_id: &str) -> Option<Arc<TaskSnapshot>> {
        self.catch_up(task_id);
        self.read().tasks.get(task_id).cloned()
    }

    /// Takes the steps of the task's motion that are due, if any; cheap
    /// (a read lock) when none is.
    fn catch_up(&self, task_id: &str) {
        let now = self.motion.now();
        let due = self
            .read()
            .tasks
            .get(task_id)
            .is_some_and(|t| self.motion.due(&t.timeline, now));
        if due {
            self.edit_at(task_id, now, |_| ());
        }
    }

    /// Changes a task: its due steps first, then `f`.
    pub(crate) fn edit<R>(&self, task_id: &str, f: impl FnOnce(Edit<'_, '_>) -> R) -> Option<R> {
        self.edit_at(task_id, self.motion.now(), f)
    }

    fn edit_at<R>(
        &self,
        task_id: &str,
        now: OffsetDateTime,
        f: impl FnOnce(Edit<'_, '_>) -> R,
    ) -> Option<R> {
        let mut state = self.write();
        let old = Arc::clone(state.tasks.get(task_id)?);
        let mut hosts = old.hosts().to_vec();
        let mut timeline = old.timeline.clone();
        let eps = state.enterprise_projects.clone();
        let mut source = HostSource::new(self.seed, &old.profile, &eps, old.next_host_index);
        self.motion
            .catch_up(&mut hosts, &mut source, &mut timeline, now);
        let result = f(Edit {
            hosts: &mut hosts,
            source: &mut source,
            timeline: &mut timeline,
        });
        let next = source.next;
        timeline.note_scanning(any_scanning(&hosts), now);
        register_eps(&mut state, &hosts);
        let snapshot = TaskSnapshot::build(hosts, old.profile.clone(), next, timeline);
        state.tasks.insert(task_id.to_owned(), Arc::new(snapshot));
        Some(result)
    }

    /// The motion the tasks follow.
    pub(crate) fn motion(&self) -> &Motion {
        &self.motion
    }

    /// Adds or replaces a task (its timeline starting now); returns whether
    /// it replaced one.
    pub(crate) fn insert_task(&self, task: TaskData) -> bool {
        let now = self.motion.now();
        let mut state = self.write();
        register_eps(&mut state, &task.hosts);
        let index = match state.task_order.iter().position(|t| *t == task.task_id) {
            Some(i) => i,
            None => {
                state.task_order.push(task.task_id.clone());
                state.task_order.len() - 1
            }
        };
        let snapshot = new_snapshot(task.hosts, self.seed, index, now);
        state.tasks.insert(task.task_id, snapshot).is_some()
    }

    /// Adds a task created through the API at `now`, scanning as
    /// `planned`, after the others (its ID is new: the caller made it).
    pub(crate) fn insert_planned_task(
        &self,
        task: TaskData,
        planned: PlannedScan,
        now: OffsetDateTime,
    ) {
        let mut state = self.write();
        register_eps(&mut state, &task.hosts);
        let index = match state.task_order.iter().position(|t| *t == task.task_id) {
            Some(i) => i,
            None => {
                state.task_order.push(task.task_id.clone());
                state.task_order.len() - 1
            }
        };
        let profile = TaskProfile::new(self.seed, index as u64);
        let next = task.hosts.len() as u64;
        let snapshot =
            TaskSnapshot::build(task.hosts, profile, next, Timeline::planned(now, planned));
        state.tasks.insert(task.task_id, Arc::new(snapshot));
    }

    pub(crate) fn remove_task(&self, task_id: &str) -> bool {
        let mut state = self.write();
        state.task_order.retain(|t| t != task_id);
        state.tasks.remove(task_id).is_some()
    }

    /// The dataset as it is now (a deep copy, due steps taken).
    pub(crate) fn dataset(&self) -> Dataset {
        for task_id in self.task_ids() {
            self.catch_up(&task_id);
        }
        let state = self.read();
        Dataset {
            project_id: state.project_id.clone(),
            enterprise_projects: state.enterprise_projects.clone(),
            tasks: state
                .task_order
                .iter()
                .filter_map(|id| {
                    Some(TaskData {
                        task_id: id.clone(),
                        hosts: state.tasks.get(id)?.hosts().to_vec(),
                    })
                })
                .collect(),
        }
    }
}

/// The snapshot of task number `index` with `hosts`, starting at `now`.
fn new_snapshot(
    hosts: Vec<Host>,
    seed: u64,
    index: usize,
    now: OffsetDateTime,
) -> Arc<TaskSnapshot> {
    let profile = TaskProfile::new(seed, index as u64);
    let next = hosts.len() as u64;
    let mut timeline = Timeline::starting_at(now);
    timeline.note_scanning(any_scanning(&hosts), now);
    Arc::new(TaskSnapshot::build(hosts, profile, next, timeline))
}

fn any_scanning(hosts: &[Host]) -> bool {
    hosts
        .iter()
        .any(|h| h.info.scan_status.as_deref() == Some(scan_status::SCANNING))
}

/// Makes every enterprise project a host names known.
fn register_eps(state: &mut State, hosts: &[Host]) {
    for host in hosts {
        if !state
            .enterprise_projects
            .contains(&host.enterprise_project_id)
        {
            state
                .enterprise_projects
                .push(host.enterprise_project_id.clone());
        }
    }
}

/// The enterprise project a request selects: the parameter, or `0`.
pub(crate) fn effective_ep(param: Option<&str>) -> &str {
    param.unwrap_or(DEFAULT_ENTERPRISE_PROJECT)
}
