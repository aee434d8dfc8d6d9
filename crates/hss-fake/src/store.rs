//! The served data with per-filter indexes, so that a page costs
//! `O(limit)` whatever the size of the task.
//!
//! Each task is an immutable snapshot behind an `Arc`; a request clones the
//! `Arc` (not the hosts) and serializes only its page. Changing a task builds
//! a new snapshot and swaps it in, so requests under way keep a consistent view.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, RwLock};

use crate::data::{
    ALL_GRANTED_EPS, DEFAULT_ENTERPRISE_PROJECT, Dataset, Host, TaskData, TaskProfile,
    generate_host, scan_status,
};

/// Host positions matching one enterprise-project selection, in task order,
/// overall and per documented scan status.
#[derive(Debug, Default)]
struct StatusIndex {
    all: Vec<u32>,
    by_status: [Vec<u32>; 3],
}

impl StatusIndex {
    fn push(&mut self, position: u32, status: Option<&str>) {
        self.all.push(position);
        if let Some(i) = status.and_then(|s| scan_status::ALL.iter().position(|k| *k == s)) {
            self.by_status[i].push(position);
        }
    }

    fn select(&self, status: Option<&str>) -> &[u32] {
        match status {
            None => &self.all,
            Some(s) => scan_status::ALL
                .iter()
                .position(|k| *k == s)
                .map_or(&[][..], |i| &self.by_status[i]),
        }
    }
}

/// One task as served: hosts plus indexes.
#[derive(Debug)]
pub(crate) struct TaskSnapshot {
    hosts: Vec<Host>,
    all_eps: StatusIndex,
    by_ep: HashMap<String, StatusIndex>,
    profile: TaskProfile,
    next_host_index: u64,
}

impl TaskSnapshot {
    fn build(hosts: Vec<Host>, profile: TaskProfile, next_host_index: u64) -> TaskSnapshot {
        assert!(
            hosts.len() <= u32::MAX as usize,
            "too many hosts in one task"
        );
        let mut all_eps = StatusIndex::default();
        let mut by_ep: HashMap<String, StatusIndex> = HashMap::new();
        for (i, host) in hosts.iter().enumerate() {
            let status = host.info.scan_status.as_deref();
            all_eps.push(i as u32, status);
            by_ep
                .entry(host.enterprise_project_id.clone())
                .or_default()
                .push(i as u32, status);
        }
        TaskSnapshot {
            hosts,
            all_eps,
            by_ep,
            profile,
            next_host_index,
        }
    }

    /// Positions of the hosts matching the filters. `enterprise_project` is
    /// the effective one (`all_granted_eps` or a project ID).
    pub(crate) fn select(&self, enterprise_project: &str, status: Option<&str>) -> &[u32] {
        if enterprise_project == ALL_GRANTED_EPS {
            self.all_eps.select(status)
        } else {
            self.by_ep
                .get(enterprise_project)
                .map_or(&[][..], |idx| idx.select(status))
        }
    }

    /// The JSON body of one page.
    pub(crate) fn page_json(&self, selection: &[u32], offset: usize, limit: usize) -> Vec<u8> {
        let page = selection.get(offset..).unwrap_or(&[]);
        let page = &page[..page.len().min(limit)];
        let mut out = Vec::with_capacity(64 + page.len() * 900);
        write!(out, "{{\"total_num\":{},\"data_list\":[", selection.len())
            .expect("writing to a Vec cannot fail");
        for (n, &i) in page.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, &self.hosts[i as usize].info)
                .expect("a host always serializes");
        }
        out.extend_from_slice(b"]}");
        out
    }

    pub(crate) fn hosts(&self) -> &[Host] {
        &self.hosts
    }
}

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

/// The data of a running fake.
#[derive(Debug)]
pub(crate) struct Store {
    seed: u64,
    state: RwLock<State>,
}

impl Store {
    pub(crate) fn new(dataset: Dataset, seed: u64) -> Store {
        let mut task_order = Vec::new();
        let mut tasks = HashMap::new();
        for (i, task) in dataset.tasks.into_iter().enumerate() {
            let profile = TaskProfile::new(seed, i as u64);
            let next = task.hosts.len() as u64;
            task_order.push(task.task_id.clone());
            tasks.insert(
                task.task_id,
                Arc::new(TaskSnapshot::build(task.hosts, profile, next)),
            );
        }
        Store {
            seed,
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

    pub(crate) fn task(&self, task_id: &str) -> Option<Arc<TaskSnapshot>> {
        self.read().tasks.get(task_id).cloned()
    }

    /// Replaces the hosts of a task with what `f` makes of a copy of them.
    pub(crate) fn update_task<R>(
        &self,
        task_id: &str,
        f: impl FnOnce(&mut Vec<Host>, &mut dyn FnMut() -> Host) -> R,
    ) -> Option<R> {
        let mut state = self.write();
        let old = state.tasks.get(task_id)?.clone();
        let mut hosts = old.hosts.clone();
        let mut next = old.next_host_index;
        let eps = state.enterprise_projects.clone();
        let seed = self.seed;
        let profile = old.profile.clone();
        let mut make = || {
            let host = generate_host(seed, &profile, &eps, next);
            next += 1;
            host
        };
        let result = f(&mut hosts, &mut make);
        register_eps(&mut state, &hosts);
        let snapshot = TaskSnapshot::build(hosts, old.profile.clone(), next);
        state.tasks.insert(task_id.to_owned(), Arc::new(snapshot));
        Some(result)
    }

    /// Adds or replaces a task; returns whether it replaced one.
    pub(crate) fn insert_task(&self, task: TaskData) -> bool {
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
        state
            .tasks
            .insert(
                task.task_id,
                Arc::new(TaskSnapshot::build(task.hosts, profile, next)),
            )
            .is_some()
    }

    pub(crate) fn remove_task(&self, task_id: &str) -> bool {
        let mut state = self.write();
        state.task_order.retain(|t| t != task_id);
        state.tasks.remove(task_id).is_some()
    }

    /// The dataset as it is now (a deep copy).
    pub(crate) fn dataset(&self) -> Dataset {
        let state = self.read();
        Dataset {
            project_id: state.project_id.clone(),
            enterprise_projects: state.enterprise_projects.clone(),
            tasks: state
                .task_order
                .iter()
                .map(|id| TaskData {
                    task_id: id.clone(),
                    hosts: state.tasks[id].hosts.clone(),
                })
                .collect(),
        }
    }
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
