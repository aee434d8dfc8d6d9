//! Configuring and starting a fake.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::connection::accept_loop;
use super::running::RunningFake;
use super::shared::{RequestIds, Shared};
use crate::auth::{Auth, Lockout};
use crate::credentials::AcceptedCredentials;
use crate::data::{DataError, Dataset, GenerateOptions};
use crate::fault::{Fault, FaultRule, FaultState};
use crate::iam::IamProjects;
use crate::log::RequestLog;
use crate::metadata::{Metadata, MetadataOptions};
use crate::motion::{HostChurn, Motion, ScanProgress};
use crate::store::Store;
use crate::throttle::{RateLimit, Throttle};
use crate::workflow::{Workflow, WorkflowOptions};
use hss_auth::skew::{ClockOffset, CorrectedClock};
use hss_auth::{Clock, SystemClock};

/// The account (domain) id IAM names as the projects' owner, from the seed.
fn domain_id(seed: u64) -> String {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x646f_6d61_696e_0000);
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// Entry point: `FakeHss::builder()`.
#[derive(Debug)]
pub struct FakeHss;

impl FakeHss {
    /// A builder with the defaults: seed 1, one task of 250 hosts, one
    /// enterprise project (so a request without parameters lists every
    /// host), authentication on with credentials derived from the seed, 15
    /// minutes of allowed clock skew, the gateway's AK lockout, no faults, a
    /// task that does not move, a random port on 127.0.0.1, a log of the
    /// last 10,000 requests; IAM lists one project, the served one, named
    /// [`DEFAULT_REGION`](crate::DEFAULT_REGION).
    pub fn builder() -> FakeHssBuilder {
        FakeHssBuilder::default()
    }
}

/// Why the fake could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// The dataset or fixture is unusable.
    #[error("bad data for the fake")]
    Data(#[from] DataError),
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Configures and starts a fake (see [`FakeHss::builder`]).
#[derive(Debug)]
pub struct FakeHssBuilder {
    generate: GenerateOptions,
    dataset: Option<Dataset>,
    fixture: Option<PathBuf>,
    credentials: Option<AcceptedCredentials>,
    auth_enabled: bool,
    max_skew: Duration,
    lockout: Option<Lockout>,
    clock: Option<Arc<dyn Clock>>,
    faults: Vec<FaultRule>,
    scan_progress: Option<ScanProgress>,
    churn: Option<HostChurn>,
    port: u16,
    log_capacity: usize,
    region: String,
    iam_projects: IamProjects,
    clock_offset: time::Duration,
    metadata: MetadataOptions,
    workflow: WorkflowOptions,
    rate_limit: Option<RateLimit>,
}

impl Default for FakeHssBuilder {
    fn default() -> Self {
        FakeHssBuilder {
            generate: GenerateOptions::default(),
            dataset: None,
            fixture: None,
            credentials: None,
            auth_enabled: true,
            max_skew: Duration::from_secs(15 * 60),
            lockout: Some(Lockout::default()),
            clock: None,
            faults: Vec::new(),
            scan_progress: None,
            churn: None,
            port: 0,
            log_capacity: 10_000,
            region: crate::iam::DEFAULT_REGION.to_owned(),
            iam_projects: IamProjects::default(),
            clock_offset: time::Duration::ZERO,
            metadata: MetadataOptions::default(),
            workflow: WorkflowOptions::default(),
            rate_limit: None,
        }
    }
}

impl FakeHssBuilder {
    /// Seed of the generated data and of the default credentials.
    pub fn seed(mut self, seed: u64) -> Self {
        self.generate.seed = seed;
        self
    }

    /// Hosts in each generated task.
    pub fn hosts(mut self, hosts: usize) -> Self {
        self.generate.hosts_per_task = hosts;
        self
    }

    /// Number of generated tasks.
    pub fn tasks(mut self, tasks: usize) -> Self {
        self.generate.tasks = tasks;
        self
    }

    /// Number of enterprise projects including `0` (default 1, which puts
    /// every host in `0`; with more, about half the hosts are elsewhere and
    /// a request without `enterprise_project_id` sees only the rest).
    pub fn enterprise_projects(mut self, count: usize) -> Self {
        self.generate.enterprise_projects = count.max(1);
        self
    }

    /// The project ID of generated data (default: derived from the seed).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.generate.project_id = Some(project_id.into());
        self
    }

    /// The IDs of the first generated tasks (the rest derive from the seed).
    pub fn task_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.generate.task_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Serve this dataset instead of generating one.
    pub fn dataset(mut self, dataset: Dataset) -> Self {
        self.dataset = Some(dataset);
        self
    }

    /// Serve the dataset in this fixture file (read by [`Self::start`]).
    pub fn fixture_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixture = Some(path.into());
        self
    }

    /// Accept exactly these credentials instead of the ones derived from the seed.
    pub fn credentials(mut self, credentials: AcceptedCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Turn authentication on (the default) or off.
    pub fn auth(mut self, enabled: bool) -> Self {
        self.auth_enabled = enabled;
        self
    }

    /// How far `X-Sdk-Date` may be from the fake's clock (default 15 minutes).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// AK lockout after failed signatures (`None` turns it off).
    pub fn lockout(mut self, lockout: Option<Lockout>) -> Self {
        self.lockout = lockout;
        self
    }

    /// The clock used to check `X-Sdk-Date` and to move tasks (default: the
    /// system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The initial fault plan.
    pub fn faults(mut self, rules: impl IntoIterator<Item = FaultRule>) -> Self {
        self.faults = rules.into_iter().collect();
        self
    }

    /// Shorthand for a [`Fault::Latency`] on every request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.faults.push(FaultRule::always(Fault::Latency(latency)));
        self
    }

    /// Let the `scanning` hosts of every task finish over time (see
    /// [`ScanProgress`]); by default they stay `scanning`.
    pub fn scan_progress(mut self, progress: ScanProgress) -> Self {
        self.scan_progress = Some(progress);
        self
    }

    /// Let hosts join and leave every task over time (see [`HostChurn`]).
    pub fn host_churn(mut self, churn: HostChurn) -> Self {
        self.churn = Some(churn);
        self
    }

    /// Port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The region of the served project: IAM lists the project under this
    /// name (default [`DEFAULT_REGION`](crate::DEFAULT_REGION)).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The projects IAM lists under the name `region` (a region id):
    /// none, one or several. Replaces the default entry when `region` is
    /// the fake's own region.
    pub fn iam_projects<I, S>(mut self, region: &str, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.iam_projects
            .set(region, ids.into_iter().map(Into::into).collect());
        self
    }

    /// Runs the fake's clock `offset` from the one given by
    /// [`clock`](Self::clock) (or the system's): a fake 20 minutes ahead
    /// refuses signatures dated by the system clock as expired, as the
    /// gateway does, and says its time in the message and in `Date`.
    pub fn clock_offset(mut self, offset: time::Duration) -> Self {
        self.clock_offset = offset;
        self
    }

    /// How the metadata service behaves (see [`crate::metadata`]): how
    /// long issued credentials last, whether a session token is required,
    /// whether the server has an agency.
    pub fn metadata(mut self, options: MetadataOptions) -> Self {
        self.metadata = options;
        self
    }

    /// How long a scan task created through `CreateVulnerabilityScanTask`
    /// takes (default 10 s): its hosts finish evenly over it, on the fake's
    /// clock, and the last one when it is over. Zero finishes them at the
    /// first request that looks. [`RunningFake::advance_scan`] finishes
    /// hosts by hand whatever the clock says.
    pub fn scan_task_duration(mut self, duration: Duration) -> Self {
        self.workflow.scan_duration = duration;
        self
    }

    /// Percentage of a created scan task's hosts that end `failed`, with
    /// causes like the generated data's (default 20; 100 and more: all).
    pub fn scan_task_failed_percent(mut self, percent: u8) -> Self {
        self.workflow.scan_failed_percent = percent;
        self
    }

    /// How long an `ExportVuls` task reports `running` before its file is
    /// ready (default 1 s; zero: ready at once).
    pub fn export_duration(mut self, duration: Duration) -> Self {
        self.workflow.export_duration = duration;
        self
    }

    /// How long an `immediate_repair`, `manual_repair` or `verify` of
    /// `ChangeVulStatus` runs before the status settles (default 5 s).
    pub fn vul_operation_duration(mut self, duration: Duration) -> Self {
        self.workflow.operation_duration = duration;
        self
    }

    /// Throttles every HSS operation as the API gateway does: a token
    /// bucket per credential, `429` `APIGW.0308` with `Retry-After` once it
    /// is empty (see [`crate::throttle`]). None by default; faults apply
    /// before it, on the fake's clock.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How many requests the log keeps (the oldest go first).
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.log_capacity = capacity;
        self
    }

    /// Builds the data, binds 127.0.0.1 and starts serving on the current
    /// Tokio runtime.
    pub async fn start(self) -> Result<RunningFake, FakeError> {
        let seed = self.generate.seed;
        let mut dataset = match (self.dataset, &self.fixture) {
            (Some(d), _) => d,
            (None, Some(path)) => Dataset::from_fixture_file(path)?,
            (None, None) => Dataset::generate(&self.generate),
        };
        dataset.validate()?;
        let credentials = self
            .credentials
            .unwrap_or_else(|| AcceptedCredentials::generate(seed));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|source| FakeError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| FakeError::Bind {
            port: self.port,
            source,
        })?;
        let mut clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        if !self.clock_offset.is_zero() {
            let offset = Arc::new(ClockOffset::new());
            offset.set(self.clock_offset);
            clock = Arc::new(CorrectedClock::new(clock, offset));
        }
        let mut iam_projects = self.iam_projects;
        if !iam_projects.contains(&self.region) {
            iam_projects.set(&self.region, vec![dataset.project_id.clone()]);
        }
        let workflow = Workflow::new(&dataset, seed, self.workflow, clock.now());
        let motion = Motion::new(self.scan_progress, self.churn, Arc::clone(&clock));
        let metadata = Arc::new(Metadata::new(self.metadata, seed));
        let shared = Arc::new(Shared {
            store: Store::new(dataset, seed, motion),
            auth: Auth::new(
                self.auth_enabled,
                credentials.clone(),
                self.max_skew,
                self.lockout,
                Arc::clone(&metadata),
            ),
            faults: Mutex::new(FaultState::new(self.faults)),
            log: Mutex::new(RequestLog::new(self.log_capacity)),
            ids: RequestIds::new(),
            clock,
            base_url: format!("http://{addr}"),
            region: self.region,
            domain_id: domain_id(seed),
            iam: Mutex::new(iam_projects),
            metadata,
            workflow,
            throttle: Throttle::new(self.rate_limit),
            added: Default::default(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stop_rx));
        tracing::info!(%addr, "hss-fake listening");
        Ok(RunningFake::new(addr, shared, credentials, stop_tx, task))
    }
}
