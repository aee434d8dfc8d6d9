//! The vulnerability-scan workflow around the tasks of [`crate::store`]:
//! creating and listing scan tasks, the servers' vulnerabilities and their
//! statuses, statistics, the scan policy, and exporting a report to a
//! downloadable file.
//!
//! One state answers every operation, so the answers agree with each
//! other: the servers are the hosts of the dataset (deduplicated by
//! `host_id`), each with vulnerabilities generated from the seed
//! (`inventory`, from the `catalog`); a created scan task is a task of the
//! store whose hosts finish over time (`scan_tasks`, with
//! [`PlannedScan`](crate::motion::PlannedScan)); `ChangeVulStatus` changes
//! the statuses every listing and the statistics count (`status`,
//! `vuls`); `ExportVuls` renders the same rows into a CSV file (`export`);
//! the policy is one record (`policy`). Nothing runs in the background:
//! what time changes (a repair that completes, an export that finishes) is
//! settled when a request looks, on the fake's clock, like the tasks'
//! motion.
//!
//! This module answers in [`Answer`]s and [`ApiError`]s, not HTTP, so that
//! it depends on neither the server nor its response helpers.

mod answer;
mod catalog;
mod export;
mod filter;
mod inventory;
mod policy;
mod rows;
mod scan_tasks;
mod status;
mod vuls;

use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

use crate::data::{ALL_GRANTED_EPS, Dataset};
use crate::routes::Operation;
use crate::store::Store;

pub(crate) use answer::{Answer, ApiError};
pub use status::HostVulStatus;

/// How fast the workflow's work gets done, set on the builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WorkflowOptions {
    /// How long a created scan task scans all its hosts.
    pub(crate) scan_duration: Duration,
    /// Share of a created task's hosts whose scan fails.
    pub(crate) scan_failed_percent: u8,
    /// How long an export task runs before its file is ready.
    pub(crate) export_duration: Duration,
    /// How long an `immediate_repair` or a verification takes.
    pub(crate) operation_duration: Duration,
}

impl Default for WorkflowOptions {
    fn default() -> Self {
        WorkflowOptions {
            scan_duration: Duration::from_secs(10),
            scan_failed_percent: 20,
            export_duration: Duration::from_secs(1),
            operation_duration: Duration::from_secs(5),
        }
    }
}

/// The workflow's state, behind one lock (taken before the store's, never
/// after, so the two cannot deadlock).
#[derive(Debug)]
pub(crate) struct Workflow {
    seed: u64,
    options: WorkflowOptions,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    inventory: inventory::Inventory,
    tasks: scan_tasks::CreatedTasks,
    /// `ListVulHosts` selections already made (`vuls::VulHostsCache`).
    vul_hosts: vuls::VulHostsCache,
    policy: policy::Policy,
    exports: export::Exports,
}

/// A server as every operation shows it.
#[derive(Clone, Debug)]
pub(crate) struct ServerFacts {
    pub(crate) host_id: String,
    pub(crate) host_name: String,
    pub(crate) private_ip: String,
    pub(crate) public_ip: String,
    pub(crate) agent_id: String,
    pub(crate) os_type: &'static str,
}

/// One request for an operation of the workflow, its path checked.
pub(crate) struct Call<'a> {
    pub(crate) operation: Operation,
    /// The second path parameter, decoded (task, host or file ID).
    pub(crate) id: Option<&'a str>,
    pub(crate) raw_query: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) now: OffsetDateTime,
}

impl Workflow {
    pub(crate) fn new(
        dataset: &Dataset,
        seed: u64,
        options: WorkflowOptions,
        now: OffsetDateTime,
    ) -> Workflow {
        let inventory = inventory::Inventory::build(dataset, seed, now);
        let policy = policy::Policy::default();
        Workflow {
            seed,
            options,
            state: Mutex::new(State {
                inventory,
                tasks: scan_tasks::CreatedTasks::default(),
                vul_hosts: vuls::VulHostsCache::default(),
                policy,
                exports: export::Exports::default(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answers `call` (an operation other than `ListVulScanTaskHost`) for
    /// the served project.
    pub(crate) fn serve(&self, store: &Store, call: &Call<'_>) -> Result<Answer, ApiError> {
        use Operation::*;
        let mut state = self.lock();
        let state = &mut *state;
        state.inventory.settle(call.now);
        let ctx = Ctx {
            store,
            options: &self.options,
            seed: self.seed,
            now: call.now,
        };
        let id = call.id.unwrap_or_default();
        match call.operation {
            CreateVulnerabilityScanTask => scan_tasks::create(
                &ctx,
                &state.inventory,
                &mut state.tasks,
                call.raw_query,
                call.body,
            ),
            ListVulScanTask => scan_tasks::list(&ctx, &state.tasks, call.raw_query),
            ListVulnerabilities => {
                vuls::list_vulnerabilities(&ctx, &state.inventory, call.raw_query)
            }
            ListVulHosts => {
                vuls::list_vul_hosts(&ctx, &state.inventory, &mut state.vul_hosts, call.raw_query)
            }
            ListHostVuls => vuls::list_host_vuls(&ctx, &state.inventory, id, call.raw_query),
            ShowVulStatics => vuls::statistics(&ctx, &state.inventory, call.raw_query),
            ChangeVulStatus => {
                vuls::change_status(&ctx, &mut state.inventory, call.raw_query, call.body)
            }
            ShowVulScanPolicy => {
                policy::show(&ctx, &state.policy, &state.inventory, call.raw_query)
            }
            ChangeVulScanPolicy => policy::change(
                &ctx,
                &mut state.policy,
                &state.inventory,
                call.raw_query,
                call.body,
            ),
            ExportVuls => export::create(
                &ctx,
                &state.inventory,
                &mut state.exports,
                call.raw_query,
                call.body,
            ),
            ListQueryExportTask => export::query(&ctx, &state.exports, id, call.raw_query),
            ListDownloadExportedFile => export::download(&ctx, &state.exports, id, call.raw_query),
            ListVulScanTaskHost => Err(ApiError::not_found("operation served by the store")),
        }
    }

    /// The seed everything generated comes from.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// When the fake started, in milliseconds: what the times of generated
    /// answers count back from, so that they repeat.
    pub(crate) fn started_ms(&self) -> i64 {
        self.lock().inventory.library_updated_ms
    }

    /// How many servers the project has.
    pub(crate) fn server_count(&self) -> usize {
        self.lock().inventory.servers.len()
    }

    /// What other operations' answers show of server `index` (in order),
    /// so that a host they name is one the workflow knows.
    pub(crate) fn server_facts(&self, index: usize) -> Option<ServerFacts> {
        let state = self.lock();
        let server = state.inventory.servers.get(index)?;
        Some(ServerFacts {
            host_id: server.host_id().to_owned(),
            host_name: server.info.host_name.clone().unwrap_or_default(),
            private_ip: server.host_ip().to_owned(),
            public_ip: server.info.public_ip.clone().unwrap_or_default(),
            agent_id: server.agent_id.clone(),
            os_type: server.os_type(),
        })
    }

    /// The servers' IDs, in order.
    pub(crate) fn server_ids(&self) -> Vec<String> {
        self.lock().inventory.server_ids()
    }

    /// The agent ID of a server.
    pub(crate) fn agent_id(&self, host_id: &str) -> Option<String> {
        self.lock().inventory.agent_id(host_id)
    }

    /// The vulnerabilities of a server as they are at `now`.
    pub(crate) fn host_vuls(
        &self,
        host_id: &str,
        now: OffsetDateTime,
    ) -> Option<Vec<HostVulStatus>> {
        let mut state = self.lock();
        state.inventory.settle(now);
        state.inventory.host_vuls(host_id)
    }
}

/// What every operation reads besides its own state.
pub(crate) struct Ctx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) options: &'a WorkflowOptions,
    pub(crate) seed: u64,
    pub(crate) now: OffsetDateTime,
}

impl Ctx<'_> {
    /// The enterprise project a request selects, checked against the known
    /// ones: `0` when absent, `all_granted_eps` for all.
    pub(crate) fn enterprise_project(&self, param: Option<String>) -> Result<Selection, ApiError> {
        let ep = param.unwrap_or_else(|| crate::data::DEFAULT_ENTERPRISE_PROJECT.to_owned());
        if ep == ALL_GRANTED_EPS {
            return Ok(Selection::All);
        }
        if !self.store.enterprise_projects().contains(&ep) {
            return Err(ApiError::not_found(&format!(
                "enterprise project {ep} does not exist"
            )));
        }
        Ok(Selection::One(ep))
    }
}

/// Which enterprise projects a request sees.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Selection {
    All,
    One(String),
}

impl Selection {
    pub(crate) fn contains(&self, ep: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::One(one) => one == ep,
        }
    }

    /// The form the store's indexes take (`all_granted_eps` or the ID).
    pub(crate) fn as_store_key(&self) -> &str {
        match self {
            Selection::All => ALL_GRANTED_EPS,
            Selection::One(one) => one,
        }
    }
}

/// `at` plus `duration`, saturating (a huge configured duration means
/// "never", not a panic).
pub(crate) fn after(at: OffsetDateTime, duration: Duration) -> OffsetDateTime {
    at.saturating_add(time::Duration::try_from(duration).unwrap_or(time::Duration::MAX))
}

/// Milliseconds since the epoch, the API's timestamps.
pub(crate) fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(0)
        .max(0)
}
