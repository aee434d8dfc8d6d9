//! `hss-fake`: run the fake HSS on 127.0.0.1 for manual tests and benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hss_fake::{
    AcceptedCredentials, AkSk, DEFAULT_CHURN_MAX_HOSTS, Dataset, FakeHss, FakeHssBuilder,
    FaultRule, GenerateOptions, HostChurn, RunningFake, ScanProgress,
};

/// A fake Huawei Cloud HSS on 127.0.0.1: every operation of the spec (582),
/// the vulnerability-scan workflow with state, the others answered from
/// their response schemas.
///
/// It prints where it listens and the demo credentials, project and task IDs
/// it accepts, then serves until Ctrl-C. Logs go to stderr (RUST_LOG).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Hosts in each generated task.
    #[arg(long, default_value_t = 250)]
    hosts: usize,
    /// Number of generated tasks.
    #[arg(long, default_value_t = 1)]
    tasks: usize,
    /// Seed of the generated data and of the default credentials.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Enterprise projects including the default `0`. 1 puts every host in
    /// `0`, so a query without parameters lists them all; with more, about
    /// half are elsewhere and need enterprise_project_id (or all_granted_eps).
    #[arg(long, default_value_t = 1)]
    enterprise_projects: usize,
    /// Project ID (default: derived from the seed).
    #[arg(long)]
    project_id: Option<String>,
    /// ID of the first task (default: derived from the seed); repeat for more.
    #[arg(long = "task-id")]
    task_ids: Vec<String>,
    /// Serve this fixture (JSON, the format of `--write-fixture`) instead of generated data.
    #[arg(long, conflicts_with_all = ["hosts", "tasks", "enterprise_projects", "project_id", "task_ids"])]
    fixture: Option<PathBuf>,
    /// Write the dataset as a fixture to this file and exit.
    #[arg(long)]
    write_fixture: Option<PathBuf>,
    /// Accepted X-Auth-Token (default: derived from the seed).
    #[arg(long, env = "HSS_FAKE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Accepted access key ID (with --sk).
    #[arg(long, env = "HSS_FAKE_AK", requires = "sk")]
    ak: Option<String>,
    /// Secret key of --ak.
    #[arg(long, env = "HSS_FAKE_SK", hide_env_values = true, requires = "ak")]
    sk: Option<String>,
    /// Turn authentication off.
    #[arg(long)]
    no_auth: bool,
    /// Latency added to every answer, in milliseconds.
    #[arg(long)]
    latency_ms: Option<u64>,
    /// A fault rule, KIND[@WHEN]; repeatable. KIND: latency:MS, throttle[:SECS],
    /// status:CODE, html502, truncate, reset, slow:BYTES:MS, overlong[:EXTRA]
    /// (EXTRA hosts more than limit), repeat (the previous page again). WHEN:
    /// always, first:N, every:N, nth:N. Example: status:503@every:10
    #[arg(long = "fault")]
    faults: Vec<FaultRule>,
    /// A running scan, HOSTS:MS[:FAILED%]: every MS milliseconds HOSTS of the
    /// hosts still scanning finish, FAILED% of them as failed (default 20).
    /// Example: 5:1000
    #[arg(long)]
    scan_progress: Option<ScanProgress>,
    /// Hosts joining and leaving, JOIN:LEAVE:MS: every MS milliseconds LEAVE
    /// hosts leave and JOIN new ones join, at random places. Example: 3:2:500
    #[arg(long)]
    churn: Option<HostChurn>,
    /// The region of the served project: IAM (GET /v3/projects?name=R on the
    /// same address) lists it under this name.
    #[arg(long, value_name = "R", default_value = hss_fake::DEFAULT_REGION)]
    region: String,
    /// Run the fake's clock this many seconds ahead (negative: behind) of the
    /// system's, e.g. 1200: signatures dated by a correct clock are then
    /// refused as expired, as the gateway refuses a skewed client's.
    #[arg(
        long,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        default_value_t = 0
    )]
    clock_offset: i64,
    /// Lifetime of the temporary credentials the metadata service
    /// (GET /openstack/latest/securitykey on the same address) issues.
    #[arg(long, value_name = "SECONDS", default_value_t = hss_fake::DEFAULT_METADATA_CREDENTIALS_TTL.as_secs())]
    metadata_ttl: u64,
    /// How long a task created with CreateVulnerabilityScanTask scans, in
    /// milliseconds: its hosts finish evenly over it (hss-fake's default
    /// when absent; 0: at the first look).
    #[arg(long, value_name = "MS")]
    scan_task_ms: Option<u64>,
    /// Percentage of a created task's hosts that end failed.
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    scan_task_failed_percent: Option<u8>,
    /// How long an export (ExportVuls) runs before its file is ready, in
    /// milliseconds.
    #[arg(long, value_name = "MS")]
    export_ms: Option<u64>,
    /// How long a repair or verification (ChangeVulStatus) runs before the
    /// status settles, in milliseconds.
    #[arg(long, value_name = "MS")]
    vul_operation_ms: Option<u64>,
    /// Throttle like the API gateway, RPS[:BURST] per credential: over it,
    /// 429 APIGW.0308 with Retry-After. Example: 50:10
    #[arg(long, value_name = "RPS[:BURST]")]
    rate_limit: Option<hss_fake::RateLimit>,
    /// Leaving stops at this many hosts per task (with --churn).
    #[arg(long, requires = "churn", default_value_t = 0)]
    churn_min_hosts: usize,
    /// Joining stops at this many hosts per task (with --churn).
    #[arg(long, requires = "churn", default_value_t = DEFAULT_CHURN_MAX_HOSTS)]
    churn_max_hosts: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hss_fake=warn".into()),
        )
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hss-fake: {error}");
            let mut source = std::error::Error::source(error.as_ref());
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dataset = match &args.fixture {
        Some(path) => Dataset::from_fixture_file(path)?,
        None => Dataset::generate(&GenerateOptions {
            seed: args.seed,
            tasks: args.tasks,
            hosts_per_task: args.hosts,
            project_id: args.project_id.clone(),
            task_ids: args.task_ids.clone(),
            enterprise_projects: args.enterprise_projects.max(1),
        }),
    };
    if let Some(path) = &args.write_fixture {
        std::fs::write(path, dataset.to_json_pretty())?;
        println!("wrote {}", path.display());
        return Ok(());
    }
    let fake = builder(&args, dataset).start().await?;
    print_banner(&fake, &args);
    shutdown_signal().await;
    eprintln!("hss-fake: shutting down");
    fake.shutdown().await;
    Ok(())
}

/// The fake the arguments describe, serving `dataset`.
fn builder(args: &Args, dataset: Dataset) -> FakeHssBuilder {
    let mut credentials = AcceptedCredentials::generate(args.seed);
    if let Some(token) = &args.token {
        credentials.tokens = vec![token.clone()];
    }
    if let (Some(ak), Some(sk)) = (&args.ak, &args.sk) {
        credentials.keys.retain(|k| k.security_token.is_some());
        credentials.keys.insert(
            0,
            AkSk {
                ak: ak.clone(),
                sk: sk.clone(),
                security_token: None,
            },
        );
    }
    let mut builder = FakeHss::builder()
        .seed(args.seed)
        .dataset(dataset)
        .credentials(credentials)
        .auth(!args.no_auth)
        .port(args.port)
        .region(&args.region)
        .clock_offset(hss_fake::time::Duration::seconds(args.clock_offset))
        .metadata(hss_fake::MetadataOptions {
            ttl: Duration::from_secs(args.metadata_ttl),
            ..Default::default()
        })
        .faults(args.faults.clone());
    if let Some(ms) = args.latency_ms {
        builder = builder.latency(Duration::from_millis(ms));
    }
    if let Some(progress) = args.scan_progress {
        builder = builder.scan_progress(progress);
    }
    if let Some(ms) = args.scan_task_ms {
        builder = builder.scan_task_duration(Duration::from_millis(ms));
    }
    if let Some(percent) = args.scan_task_failed_percent {
        builder = builder.scan_task_failed_percent(percent);
    }
    if let Some(ms) = args.export_ms {
        builder = builder.export_duration(Duration::from_millis(ms));
    }
    if let Some(ms) = args.vul_operation_ms {
        builder = builder.vul_operation_duration(Duration::from_millis(ms));
    }
    if let Some(limit) = args.rate_limit {
        builder = builder.rate_limit(limit);
    }
    if let Some(churn) = args.churn {
        builder = builder.host_churn(churn.bounds(args.churn_min_hosts, args.churn_max_hosts));
    }
    builder
}

/// What a user needs to talk to the fake. A dev tool: printing the
/// configured demo credentials here is intended.
fn print_banner(fake: &RunningFake, args: &Args) {
    println!("hss-fake listening on {}", fake.base_url());
    println!("project_id:          {}", fake.project_id());
    for task in fake.task_ids() {
        let hosts = fake
            .matching_hosts(&task, Some(hss_fake::ALL_GRANTED_EPS), None)
            .map_or(0, |h| h.len());
        println!("task_id:             {task} ({hosts} hosts)");
    }
    println!(
        "enterprise projects: {} (no parameter = 0; all_granted_eps = all)",
        fake.enterprise_projects().join(", ")
    );
    println!(
        "IAM:                 {}/v3/projects?name={} (the project under its region)",
        fake.iam_url(),
        fake.region()
    );
    println!(
        "metadata:            {}/openstack/latest/securitykey (temporary credentials for {} s)",
        fake.metadata_url(),
        args.metadata_ttl
    );
    if args.clock_offset != 0 {
        println!("clock offset:        {} s", args.clock_offset);
    }
    if args.no_auth {
        println!("authentication:      off");
    } else {
        print_credentials(fake.credentials());
    }
    for rule in fake.faults() {
        println!("fault:               {rule:?}");
    }
    if let Some(p) = args.scan_progress {
        println!(
            "scan progress:       {} scanning host(s) finish every {:?}, {}% failed",
            p.hosts, p.every, p.failed_percent
        );
    }
    if let Some(c) = args.churn {
        println!(
            "churn:               {} host(s) join and {} leave every {:?}, between {} and {} hosts",
            c.join, c.leave, c.every, args.churn_min_hosts, args.churn_max_hosts
        );
    }
    println!("point hss at it, in another shell:");
    let exports: Vec<String> = fake
        .client_environment()
        .iter()
        .map(|(name, value)| format!("{name}={}", shell_word(value)))
        .collect();
    println!("  export {}", exports.join(" "));
    println!("  cargo run -q -p hss-cli -- auth check");
    if let Some(task) = fake.task_ids().first() {
        let token = fake.credentials().tokens.first().map_or("", String::as_str);
        println!(
            "try: curl -s -H 'X-Auth-Token: {token}' '{}?limit=10&offset=0'",
            fake.hosts_url(task)
        );
    }
}

/// `value` as one word of a POSIX shell: as it is when that is safe, else
/// in single quotes.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,:/@%+=".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn print_credentials(creds: &AcceptedCredentials) {
    for token in &creds.tokens {
        println!("X-Auth-Token:        {token}");
    }
    for key in &creds.keys {
        match &key.security_token {
            None => println!("AK / SK:             {} / {}", key.ak, key.sk),
            Some(token) => {
                println!("temporary AK / SK:   {} / {}", key.ak, key.sk);
                println!("X-Security-Token:    {token}");
            }
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
