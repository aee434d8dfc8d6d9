//! The handle of a fake that serves: where it listens, what it accepts,
//! and changing its faults and data at runtime.

use std::net::SocketAddr;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use tokio::sync::watch;

use super::shared::{Shared, lock};
use crate::credentials::{AcceptedCredentials, AkSk};
use crate::data::{Dataset, Host, TaskData};
use crate::fault::FaultRule;
use crate::log::RecordedRequest;
use crate::metadata::{IssuedCredential, MetadataOptions};
use crate::params::{self, PageQuery};
use crate::store::effective_ep;
use crate::workflow::HostVulStatus;

/// A fake serving on 127.0.0.1. Dropping it stops the server (connections
/// are closed gracefully in the background); [`RunningFake::shutdown`] waits
/// for that.
pub struct RunningFake {
    addr: SocketAddr,
    shared: Arc<Shared>,
    credentials: AcceptedCredentials,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningFake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningFake")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RunningFake {
    pub(super) fn new(
        addr: SocketAddr,
        shared: Arc<Shared>,
        credentials: AcceptedCredentials,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    ) -> RunningFake {
        RunningFake {
            addr,
            shared,
            credentials,
            stop,
            task: Some(task),
        }
    }

    /// The listening address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, the endpoint to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The IAM endpoint to give a client: the fake's own address, where it
    /// answers `GET /v3/projects` (see [`crate::iam`]).
    pub fn iam_url(&self) -> String {
        self.base_url()
    }

    /// The metadata endpoint to give a client: the fake's own address,
    /// where it answers `PUT /meta-data/latest/api/token` and
    /// `GET /openstack/latest/securitykey` (see [`crate::metadata`]).
    pub fn metadata_url(&self) -> String {
        self.base_url()
    }

    /// The temporary credentials the metadata service issued, oldest
    /// first, with when they expire.
    pub fn issued_credentials(&self) -> Vec<IssuedCredential> {
        self.shared.metadata.issued()
    }

    /// Changes how the metadata service behaves from the next request on.
    pub fn set_metadata(&self, options: MetadataOptions) {
        self.shared.metadata.set_options(options);
    }

    /// The region of the served project, the name IAM lists it under.
    pub fn region(&self) -> &str {
        &self.shared.region
    }

    /// The account (domain) id IAM names as the projects' owner.
    pub fn domain_id(&self) -> &str {
        &self.shared.domain_id
    }

    /// Replaces the projects IAM lists under the name `region`: none, one
    /// or several.
    pub fn set_iam_projects<I, S>(&self, region: &str, ids: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        lock(&self.shared.iam).set(region, ids.into_iter().map(Into::into).collect());
    }

    /// The project ID the fake serves.
    pub fn project_id(&self) -> String {
        self.shared.store.project_id()
    }

    /// The first task's ID.
    ///
    /// # Panics
    /// When the fake has no task.
    pub fn task_id(&self) -> String {
        self.task_ids()
            .into_iter()
            .next()
            .expect("the fake has no task")
    }

    /// Every task ID, in order.
    pub fn task_ids(&self) -> Vec<String> {
        self.shared.store.task_ids()
    }

    /// Known enterprise project IDs, `0` first.
    pub fn enterprise_projects(&self) -> Vec<String> {
        self.shared.store.enterprise_projects()
    }

    /// The wire path of the operation for `task_id` of the served project,
    /// each parameter percent-encoded as a path segment.
    pub fn hosts_path(&self, task_id: &str) -> String {
        params::hosts_path(&self.project_id(), task_id)
    }

    /// `base_url() + hosts_path(task_id)`.
    pub fn hosts_url(&self, task_id: &str) -> String {
        format!("{}{}", self.base_url(), self.hosts_path(task_id))
    }

    /// `base_url() + path`, for a path of [`crate::paths`], e.g.
    /// `fake.url(&paths::statistics_path(&fake.project_id()))`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The servers of the project, in order: the hosts of the dataset the
    /// fake started with, the first of each `host_id`. Each has
    /// vulnerabilities, and `CreateVulnerabilityScanTask` scans them.
    pub fn server_ids(&self) -> Vec<String> {
        self.shared.workflow.server_ids()
    }

    /// The agent ID of a server (what `agent_id_list` of
    /// `CreateVulnerabilityScanTask` names); `None` when it is no server.
    pub fn agent_id(&self, host_id: &str) -> Option<String> {
        self.shared.workflow.agent_id(host_id)
    }

    /// The vulnerabilities of a server as they are now (repairs and
    /// verifications that came due settled), in the server's order;
    /// `None` when it is no server.
    pub fn host_vuls(&self, host_id: &str) -> Option<Vec<HostVulStatus>> {
        self.shared
            .workflow
            .host_vuls(host_id, self.shared.clock.now())
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &AcceptedCredentials {
        &self.credentials
    }

    /// The first accepted `X-Auth-Token`.
    ///
    /// # Panics
    /// When the fake accepts no token.
    pub fn token(&self) -> &str {
        self.credentials
            .tokens
            .first()
            .expect("the fake accepts no token")
    }

    /// The environment that points `hss` (and the official SDKs, but for
    /// the region, which they take in code) at this fake as at the cloud:
    /// the first permanent AK/SK, the default region, that region's HSS
    /// endpoint and the IAM endpoint, so that the project is asked from
    /// the fake's IAM. `hss-fake` prints it as `export` lines.
    pub fn client_environment(&self) -> Vec<(String, String)> {
        use hss_auth::credentials::{ENV_AK, ENV_SK};
        use hss_auth::endpoint::{ENV_REGION, region_override_var};
        let mut env = Vec::new();
        if let Some(key) = self.credentials.permanent() {
            env.push((ENV_AK.to_owned(), key.ak.clone()));
            env.push((ENV_SK.to_owned(), key.sk.clone()));
        }
        env.push((ENV_REGION.to_owned(), self.region().to_owned()));
        env.push((region_override_var(self.region()), self.base_url()));
        env.push((hss_auth::iam::ENV_IAM_ENDPOINT.to_owned(), self.iam_url()));
        env
    }

    /// The first permanent AK/SK.
    ///
    /// # Panics
    /// When the fake accepts none.
    pub fn access_key(&self) -> &AkSk {
        self.credentials
            .permanent()
            .expect("the fake accepts no permanent AK/SK")
    }

    /// The first temporary AK/SK (with its security token).
    ///
    /// # Panics
    /// When the fake accepts none.
    pub fn temporary_access_key(&self) -> &AkSk {
        self.credentials
            .temporary()
            .expect("the fake accepts no temporary AK/SK")
    }

    /// Replaces the fault plan; request numbering starts again at 1.
    pub fn set_faults(&self, rules: impl IntoIterator<Item = FaultRule>) {
        lock(&self.shared.faults).set(rules.into_iter().collect());
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.set_faults([]);
    }

    /// The current fault plan.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).rules().to_vec()
    }

    /// Replaces the gateway's rate limit (`None` lifts it); every
    /// caller's bucket starts full again (see [`crate::throttle`]).
    pub fn set_rate_limit(&self, limit: Option<crate::throttle::RateLimit>) {
        self.shared.throttle.set(limit);
    }

    /// The gateway's rate limit, if any.
    pub fn rate_limit(&self) -> Option<crate::throttle::RateLimit> {
        self.shared.throttle.limit()
    }

    /// Requests the rate limit refused (`429` `APIGW.0308`) since the
    /// start; throttling faults are not counted. Also in the request log,
    /// as status 429.
    pub fn throttled_count(&self) -> u64 {
        self.shared.throttle.throttled()
    }

    /// Requests the rate limit let through since the start (0 without one).
    pub fn rate_limited_allowed_count(&self) -> u64 {
        self.shared.throttle.allowed()
    }

    /// Forgets AK signature failures and lifts every AK lock.
    pub fn reset_lockouts(&self) {
        self.shared.auth.reset_lockouts();
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).snapshot()
    }

    /// The logged requests, oldest first, emptying the log.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).take()
    }

    /// Requests received since the start (also those the log no longer keeps).
    pub fn request_count(&self) -> u64 {
        lock(&self.shared.log).total()
    }

    /// Changes the hosts of a task at runtime: `f` gets a copy of the hosts,
    /// and what it leaves is served from then on (requests under way finish
    /// with the old data). `None` when there is no such task.
    pub fn update_task<R>(&self, task_id: &str, f: impl FnOnce(&mut Vec<Host>) -> R) -> Option<R> {
        self.shared.store.edit(task_id, |edit| f(edit.hosts))
    }

    /// Appends `count` generated hosts to a task (continuing its seeded
    /// sequence) and returns them. `None` when there is no such task.
    pub fn add_hosts(&self, task_id: &str, count: usize) -> Option<Vec<Host>> {
        self.insert_hosts(task_id, usize::MAX, count)
    }

    /// Inserts `count` generated hosts (continuing the task's seeded
    /// sequence) before position `at` of a task: 0 is the front, so every
    /// host already listed moves `count` offsets on; past the end appends.
    /// Returns the new hosts; `None` when there is no such task.
    pub fn insert_hosts(&self, task_id: &str, at: usize, count: usize) -> Option<Vec<Host>> {
        self.shared.store.edit(task_id, |edit| {
            let added: Vec<Host> = (0..count).map(|_| edit.source.host()).collect();
            let at = at.min(edit.hosts.len());
            edit.hosts.splice(at..at, added.iter().cloned());
            added
        })
    }

    /// Removes the hosts at `positions` of a task (in listing order, all
    /// filters aside), e.g. `100..110` from the middle, so every later host
    /// moves to a lower offset. Positions past the end are ignored. Returns
    /// the removed hosts; `None` when there is no such task.
    pub fn remove_hosts_at(
        &self,
        task_id: &str,
        positions: impl RangeBounds<usize>,
    ) -> Option<Vec<Host>> {
        let start = match positions.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match positions.end_bound() {
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => usize::MAX,
        };
        self.update_task(task_id, |hosts| {
            let end = end.min(hosts.len());
            let start = start.min(end);
            hosts.drain(start..end).collect()
        })
    }

    /// Removes the hosts of a task for which `remove` is true and returns how
    /// many went. `None` when there is no such task.
    pub fn remove_hosts(
        &self,
        task_id: &str,
        mut remove: impl FnMut(&Host) -> bool,
    ) -> Option<usize> {
        self.update_task(task_id, |hosts| {
            let before = hosts.len();
            hosts.retain(|h| !remove(h));
            before - hosts.len()
        })
    }

    /// Finishes the scan of up to `hosts` hosts of a task that are still
    /// `scanning`, now, as one step of [`ScanProgress`](crate::ScanProgress)
    /// would (with its share of `failed`, or a fifth without one; a task
    /// created through the API uses
    /// [`scan_task_failed_percent`](crate::FakeHssBuilder::scan_task_failed_percent)):
    /// `usize::MAX` ends the scan. The
    /// hosts are chosen and ended from the seed, so the same calls give the
    /// same data. Returns how many finished (fewer when fewer were
    /// scanning); `None` when there is no such task.
    pub fn advance_scan(&self, task_id: &str, hosts: usize) -> Option<usize> {
        let motion = self.shared.store.motion();
        self.shared.store.edit(task_id, |edit| {
            motion.finish_now(edit.hosts, edit.source, edit.timeline, hosts)
        })
    }

    /// Adds a task, or replaces the one with the same ID; true when it replaced one.
    pub fn insert_task(&self, task: TaskData) -> bool {
        self.shared.store.insert_task(task)
    }

    /// Removes a task; true when it existed.
    pub fn remove_task(&self, task_id: &str) -> bool {
        self.shared.store.remove_task(task_id)
    }

    /// A copy of everything served now (the fixture format).
    pub fn dataset(&self) -> Dataset {
        self.shared.store.dataset()
    }

    /// The hosts of a task that a request with these filters would count
    /// (`enterprise_project_id` `None` means `0`).
    pub fn matching_hosts(
        &self,
        task_id: &str,
        enterprise_project_id: Option<&str>,
        scan_status: Option<&str>,
    ) -> Option<Vec<Host>> {
        let task = self.shared.store.task(task_id)?;
        Some(
            task.select(effective_ep(enterprise_project_id), scan_status)
                .iter()
                .map(|&i| task.hosts()[i as usize].clone())
                .collect(),
        )
    }

    /// The body the fake answers for a valid `query` on a task of the served
    /// project, as JSON. `None` when the task does not exist.
    pub fn expected_page(&self, task_id: &str, query: &PageQuery) -> Option<serde_json::Value> {
        let task = self.shared.store.task(task_id)?;
        let selection = task.select(
            effective_ep(query.enterprise_project_id.as_deref()),
            query.scan_status.as_deref(),
        );
        let body = task.page_json(
            selection,
            query.offset.unwrap_or(0) as usize,
            query.limit.unwrap_or(params::DEFAULT_LIMIT) as usize,
        );
        Some(serde_json::from_slice(&body).expect("the fake writes valid JSON"))
    }

    /// Stops accepting, lets open connections finish their current request
    /// (for at most 5 seconds) and waits for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
