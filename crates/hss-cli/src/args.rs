//! The command line: every subcommand, flag and help text, with clap derive.
//!
//! Values are checked here where clap can name the flag (`--limit 5` is a
//! usage error naming `--limit`, exit code 2); everything else the API
//! limits is checked by `hss-ext` before a request is sent.

use std::sync::LazyLock;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hss_ext::{LIMIT_RANGE, ListOptions, MAX_OFFSET, MAX_PASSES, ScanStatus};

/// A clap value parser for one of `hss-ext`'s open enums that takes the
/// values the API documents (`KNOWN`) and lists them in the help.
macro_rules! known {
    ($enum:ty) => {
        clap::builder::TypedValueParser::map(
            clap::builder::PossibleValuesParser::new(
                <$enum>::KNOWN
                    .iter()
                    .map(|v| clap::builder::PossibleValue::new(v.as_str())),
            ),
            // With `ignore_case`, clap hands over the text as typed.
            |text: String| {
                <$enum>::KNOWN
                    .iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(&text))
                    .cloned()
                    .unwrap_or_else(|| <$enum>::parse(&text))
            },
        )
    };
}

mod workflow;
pub use workflow::*;

/// Shown under every command's long help: how the exit code reads.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the service or the network failed: an HSS.* or APIGW.* error answer,
     a timeout, a refused connection, an answer that could not be read
     (also part way through --all; see above for what stdout then holds)
  2  usage or configuration error: an unknown flag or a bad value, missing
     credentials, project id or endpoint (also when IAM has no project or
     several for the region); nothing was sent to HSS";

/// The exit codes of the commands that wait for a task, after [`EXIT_CODES`].
const WAIT_EXIT_CODES: &str = "
  3  the task ended but failed (an export task in state failure, a scan
     task whose every host failed)
  4  the deadline (--timeout) passed before the task ended; the task goes
     on: `hss scan-task wait TASK_ID` waits again";

/// The exit code of the commands that change state, after [`EXIT_CODES`].
const CHANGE_EXIT_CODES: &str = "
     Also 2: a command that changes state run without --yes when stdin is
     not a terminal, or not confirmed at the prompt; nothing was sent";

#[cfg(feature = "demo")]
const TOP_AFTER_HELP: &str = "\
Run `hss scan-task hosts --help` for credentials, endpoints and output formats,
`hss auth check` to see which credentials, project, endpoint and proxy hss
would use and whether they work, or `hss demo` to see it work against a
local fake HSS without any setup.

Workflow: `hss scan-task create --all-hosts --wait` starts a scan and waits,
`hss scan-task hosts --task-id ID --scan-status failed` shows where and why it
failed, `hss host vuls --host-id ID` what a host is vulnerable to, `hss vul
set-status` acts on it and `hss vul export --wait --file report.csv` writes
the report. Any other of the 582 operations: `hss call --list`, then
`hss call OPERATION --help`.

Exit codes: 0 success, 1 the service or the network failed, 2 usage or
configuration error, 3 a waited-for task failed, 4 the wait's deadline passed.";

#[cfg(not(feature = "demo"))]
const TOP_AFTER_HELP: &str = "\
Run `hss scan-task hosts --help` for credentials, endpoints and output formats,
or `hss auth check` to see which credentials, project, endpoint and proxy hss
would use and whether they work.

Workflow: `hss scan-task create --all-hosts --wait` starts a scan and waits,
`hss scan-task hosts --task-id ID --scan-status failed` shows where and why it
failed, `hss host vuls --host-id ID` what a host is vulnerable to, `hss vul
set-status` acts on it and `hss vul export --wait --file report.csv` writes
the report. Any other of the 582 operations: `hss call --list`, then
`hss call OPERATION --help`.

Exit codes: 0 success, 1 the service or the network failed, 2 usage or
configuration error, 3 a waited-for task failed, 4 the wait's deadline passed.";

const HOSTS_AFTER_HELP: &str = "\
Credentials (never taken as flags):
  HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, plus HUAWEICLOUD_SDK_SECURITY_TOKEN
  for temporary keys (requests are signed with SDK-HMAC-SHA256), or
  HUAWEICLOUD_SDK_TOKEN (an IAM token, sent as X-Auth-Token); else the keys
  ak, sk, security_token of section [basic] in the file named by
  HUAWEICLOUD_SDK_CREDENTIALS_FILE, or ~/.huaweicloud/credentials; else, on a
  Huawei Cloud server with an agency, temporary credentials from its instance
  metadata service (http://169.254.169.254, or HUAWEICLOUD_SDK_METADATA_ENDPOINT),
  refreshed before they expire.
Project id:
  --project-id, else HUAWEICLOUD_SDK_PROJECT_ID, else project_id in that file,
  else (AK/SK only) asked from IAM: the project named after the region, on the
  region's IAM endpoint or HUAWEICLOUD_SDK_IAM_ENDPOINT, as the official SDKs do.
Endpoint:
  --endpoint, else --region, else the region in HUAWEICLOUD_SDK_REGION.
  HUAWEICLOUD_SDK_REGION_HSS_<REGION> (upper case, - as _, e.g.
  HUAWEICLOUD_SDK_REGION_HSS_AP_SOUTHEAST_1) replaces a region's URL. Plain
  http is accepted only for loopback hosts such as a local hss-fake.

Connections:
  The environment's proxy (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) applies
  unless --proxy names one; --proxy-user with HUAWEICLOUD_SDK_PROXY_PASSWORD
  gives it credentials. A proxy that refuses is an error naming it. --ca-bundle
  trusts only its CAs, as the official SDKs' ssl_ca_cert; --ignore-ssl-verification
  (their ignore_ssl_verification) checks nothing and says so on stderr.

Output formats:
  table   for people: aligned columns, long names shortened with …, failure
          reasons as `linux_vul: reason; web_cms: reason`, a count line last
  json    one page: {\"total_num\": N, \"data_list\": [...]} as the API sends it;
          with --all: a JSON array of every host
  ndjson  one host per line, written as each page arrives
  csv     a header row, one host per row, failure reasons in one column as
          `type: reason` joined with `; `
  Values are written exactly as the service sent them, including values this
  version does not know. Failure reasons come from failed_reasons, or from
  vul_scan_details when a host has no failed_reasons.
  CSV cells that start with =, +, -, @, a tab or a carriage return get a '
  in front, so that a spreadsheet shows them as text instead of running them
  as formulas (OWASP's rule against CSV injection: host names and reasons
  are whatever the server sends).

If --all fails part way, hss exits with 1 and one error line on stderr that
says what stdout holds: json and csv are held back (in memory, then in a
temporary file) until the last page arrived, so stdout stays empty rather
than holding a list that parses but is short; table and --summary are
written at the end and leave it empty too; ndjson keeps the lines written
before the failure, each one whole host.

--summary prints counts instead of the host list, in the chosen format:
hosts by scan status and by asset value, and failure reasons by
vulnerability type.

--all fetches every page (--limit hosts each, starting at --offset), as
fast as the service allows: the rate starts at one request per round trip
and doubles while answers come back clean; a 429 or 503, or round trips
growing to twice their usual time, cut it, and it grows back slowly; at
most 64 pages are in flight (and in memory). A throttled page is retried
no sooner than its Retry-After, and retries share the same rate.
--concurrency N sends N pages at once instead, paced only once the service
throttled; --max-rps caps the rate for a quota shared with other tools.
A progress bar is drawn on stderr when stderr is a terminal.
RUST_LOG=hss_ext=debug traces every request on stderr.

Examples:
  hss scan-task hosts --region ap-southeast-1 --task-id 2b31ed52... --scan-status failed
  hss scan-task hosts --task-id 2b31ed52... --all --output csv > hosts.csv
  hss scan-task hosts --task-id 2b31ed52... --all --summary

";

/// Command-line client for Huawei Cloud Host Security Service (HSS).
#[derive(Debug, Parser)]
#[command(name = "hss", version, after_help = TOP_AFTER_HELP)]
pub struct Cli {
    /// Print no warnings and no progress on stderr (errors still); RUST_LOG, when set, still logs.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vulnerability scan tasks: start, list, wait for, and their hosts.
    #[command(subcommand)]
    ScanTask(ScanTaskCommand),
    /// Vulnerabilities: list, their hosts, statistics, handle, export.
    #[command(subcommand)]
    Vul(VulCommand),
    /// Hosts: their vulnerabilities.
    #[command(subcommand)]
    Host(HostCommand),
    /// The scheduled vulnerability scan.
    #[command(subcommand)]
    ScanPolicy(ScanPolicyCommand),
    /// Credentials, project, endpoint and connection.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Call any operation of HSS by its id: `hss call --list`, `hss call OPERATION --help`.
    #[command(after_long_help = CALL_AFTER_HELP, disable_help_flag = true)]
    Call(CallArgs),
    /// Run the workflow against a local fake HSS (no setup): a scan, its failed hosts and why, the worst host's vulnerabilities.
    ///
    /// Starts hss-fake in this process on a free 127.0.0.1 port with a
    /// seeded project, signs every request with the fake's demo AK/SK,
    /// starts a scan of every host and waits for it, lists the scan's hosts
    /// page by page as `--all` does and shows the failed ones and a summary
    /// of why they failed, finds the host with the most severe
    /// vulnerabilities and lists them, and stops the fake, in a couple of
    /// seconds.
    // Only with the `demo` feature (the default).
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Print the completion script of a shell (bash, zsh, fish).
    #[command(after_help = COMPLETION_AFTER_HELP)]
    Completion(CompletionArgs),
    /// Print the man page in roff, or write one per command into a directory.
    // Hidden: it serves packagers and installers, who read docs/cli.md;
    // the pages it writes are what a person then reads.
    #[command(hide = true)]
    Man(ManArgs),
}

/// Under `hss completion --help`: where each shell looks for the script.
const COMPLETION_AFTER_HELP: &str = "\
Install (then open a new shell):
  bash  hss completion bash > ~/.local/share/bash-completion/completions/hss
  zsh   hss completion zsh > ~/.zfunc/_hss   (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)
  fish  hss completion fish > ~/.config/fish/completions/hss.fish";

/// `hss completion`.
#[derive(Clone, Copy, Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `hss completion` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash, with the bash-completion package.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// `hss man`.
#[derive(Clone, Debug, Args)]
pub struct ManArgs {
    /// Write hss.1 and a page per command (hss-scan-task-hosts.1, ...) into DIR, made if missing,
    /// instead of hss.1 to stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// A value parser that takes any text but offers `values` to shell
/// completion: the command still reports an unknown name itself, with the
/// way to list them, and `hide_possible_values` keeps the list out of the
/// help.
#[derive(Clone, Copy)]
struct Offered(fn() -> Vec<clap::builder::PossibleValue>);

impl clap::builder::TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.0().into_iter()))
    }
}

/// The operation ids of `hss call`, with their summaries for the shells
/// that show one.
fn operation_ids() -> Vec<clap::builder::PossibleValue> {
    hss_operations::entries()
        .map(|op| clap::builder::PossibleValue::new(op.id).help(op.summary))
        .collect()
}

/// The groups of `hss call --list`.
fn operation_groups() -> Vec<clap::builder::PossibleValue> {
    let mut groups: Vec<&str> = hss_operations::entries()
        .map(|op| op.group)
        .filter(|group| !group.is_empty())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
        .into_iter()
        .map(clap::builder::PossibleValue::new)
        .collect()
}

/// `hss scan-task ...`.
#[derive(Debug, Subcommand)]
pub enum ScanTaskCommand {
    /// Start a vulnerability scan and print its task id; --wait waits for it
    /// (CreateVulnerabilityScanTask).
    #[command(after_long_help = CREATE_AFTER_HELP.as_str())]
    Create(CreateArgs),
    /// List vulnerability scan tasks with their progress (ListVulScanTask).
    #[command(after_long_help = LIST_AFTER_HELP.as_str())]
    List(TaskListArgs),
    /// Wait for a vulnerability scan task to end, with progress on stderr, and
    /// print its final state.
    #[command(after_long_help = WAIT_AFTER_HELP.as_str())]
    Wait(TaskWaitArgs),
    /// List the hosts a vulnerability scan task covered and why scans failed
    /// (ListVulScanTaskHost).
    #[command(after_long_help = format!("{HOSTS_AFTER_HELP}{EXIT_CODES}"))]
    Hosts(HostsArgs),
}

/// `hss auth ...`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show which credentials, project, endpoint and proxy hss would use,
    /// the clock skew against the server, and whether one authenticated
    /// request is accepted.
    #[command(after_long_help = AUTH_CHECK_AFTER_HELP)]
    Check(AuthCheckArgs),
}

const AUTH_CHECK_AFTER_HELP: &str = "\
It prints, one per line: which credential source won and why (the access key
masked), the project id and where it came from (asking IAM when that is how
it is found), the endpoint and how it was chosen, the proxy in use, the
clock skew between this machine and the server (from the answer's Date), and
the outcome of one ListVulScanTaskHost request. Without --task-id it asks
for a task that does not exist: HSS.0011 from HSS then shows the gateway
accepted the credentials. No secret is printed, at any RUST_LOG level.

Exit codes:
  0  the credentials were accepted
  1  the request was refused or failed (an APIGW.* answer, the network)
  2  usage or configuration error (missing credentials, no project)";

/// `hss auth check`.
#[derive(Clone, Debug, Args)]
pub struct AuthCheckArgs {
    /// A scan task to ask for in the test call [default: one that does not exist].
    #[arg(long, value_name = "ID")]
    pub task_id: Option<String>,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

const CALL_AFTER_HELP: &str = "\
After OPERATION, --NAME VALUE gives the operation's parameter NAME (its name in
the API, e.g. --enterprise_project_id, or --enterprise-project-id); a list
parameter repeats its flag. hss's own options come first: a parameter named
like one (the region header) is given with --param region=VALUE. Also:
  --param NAME=VALUE        any parameter
  --body JSON|@FILE|-       the JSON body
  -o json|ndjson|csv|table  json: the answer as the service sent it (the default);
                            ndjson: one item per line; csv, table: scalar fields
  --all                     every page of a listing, each item once, or a failure
  --concurrency N, --max-passes N   how --all pages, as for every listing
  --dry-run                 print the signed request (secrets redacted), send nothing
  -y, --yes                 send a POST, PUT or DELETE without asking
  --endpoint, --project-id, --region, ...   as for every command
Values are checked against the API before anything is sent (exit code 2); a value
outside the documented ones is sent, with a warning.

Examples:
  hss call --list host-management
  hss call ListHostGroups --help
  hss call ListHostGroups --limit 50
  hss call ListHostStatus --all -o ndjson
  hss call AddHostsGroup --body '{\"group_name\": \"web\", \"host_id_list\": [\"ID\"]}' --yes";

/// `hss call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The operation: its id (ListHostGroups) or kebab-case (list-host-groups).
    #[arg(value_name = "OPERATION", required_unless_present_any = ["list", "help"],
          value_parser = Offered(operation_ids), hide_possible_values = true)]
    pub operation: Option<String>,

    /// The operation's parameters and hss's options (see below).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,

    /// List the operations (of one group) with their summaries.
    #[arg(long, value_name = "GROUP", num_args = 0..=1, default_missing_value = "",
          conflicts_with = "operation",
          value_parser = Offered(operation_groups), hide_possible_values = true)]
    pub list: Option<String>,

    /// Print help; after OPERATION, the operation's method, path and parameters.
    #[arg(long, short = 'h')]
    pub help: bool,
}

/// Where to send requests and as which project.
#[derive(Clone, Debug, Default, Args)]
pub struct ConnectionArgs {
    /// Project id [default: HUAWEICLOUD_SDK_PROJECT_ID or the credentials file].
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,

    /// Huawei Cloud region, e.g. ap-southeast-1 [default: HUAWEICLOUD_SDK_REGION]; with
    /// --endpoint, the region whose project is asked from IAM.
    #[arg(long, value_name = "R")]
    pub region: Option<String>,

    /// Endpoint URL instead of the region's: scheme://host or scheme://host:port (https, or http to loopback).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Send every request through this proxy (http://host:port, https://, socks5://)
    /// instead of HTTPS_PROXY, HTTP_PROXY or ALL_PROXY.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// User for the proxy; the password comes from HUAWEICLOUD_SDK_PROXY_PASSWORD.
    #[arg(long, value_name = "USER", requires = "proxy")]
    pub proxy_user: Option<String>,

    /// Trust only the CA certificates of this PEM file (private clouds with a CA of their own).
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,

    /// Check no TLS certificate at all: anyone on the way can read and change the traffic.
    #[arg(long)]
    pub ignore_ssl_verification: bool,

    /// Seconds to establish a connection, 1 to 3600 [default: 10].
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: Option<u64>,

    /// Seconds to wait for the next bytes of an answer, 1 to 3600 [default: only the 60 s of an attempt].
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub read_timeout: Option<u64>,

    /// The most requests per second, retries included, paced evenly: for a quota
    /// shared with other tools, 0.1 to 10000 [default: as fast as the service
    /// allows, learnt from its 429s].
    #[arg(long, value_name = "RPS", value_parser = parse_max_rps)]
    pub max_rps: Option<f64>,
}

/// `--max-rps`: a number of requests per second, 0.1 to 10000.
fn parse_max_rps(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rps) if (0.1..=10_000.0).contains(&rps) => Ok(rps),
        Ok(rps) => Err(format!("{rps} is not between 0.1 and 10000")),
        Err(_) => Err(format!("{text:?} is not a number")),
    }
}

/// The paging and output flags every listing shares (`hss scan-task
/// hosts`, `hss scan-task list`, `hss vul list`, `hss vul hosts`, `hss host
/// vuls`).
#[derive(Clone, Debug, Args)]
pub struct ListArgs {
    /// Records per page, 10 to 200 [default: the service's 10; with --all: 200].
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32)
              .range(*LIMIT_RANGE.start() as i64..=*LIMIT_RANGE.end() as i64))]
    pub limit: Option<u32>,

    /// Index of the first record, 0 to 2000000 [default: 0].
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(0..=MAX_OFFSET as i64))]
    pub offset: Option<u32>,

    /// --all and how it pages.
    #[command(flatten)]
    pub pages: AllArgs,

    /// Output format.
    #[arg(long, short, value_name = "FORMAT", value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

impl Default for ListArgs {
    fn default() -> Self {
        ListArgs {
            limit: None,
            offset: None,
            pages: AllArgs::default(),
            output: Format::Table,
        }
    }
}

/// `--enterprise-project-id`: one definition, flattened into every
/// command that takes it.
#[derive(Clone, Debug, Default, Args)]
pub struct EnterpriseProjectArg {
    /// Enterprise project; `all_granted_eps` for all [service default: 0].
    #[arg(
        id = "enterprise_project_id",
        long = "enterprise-project-id",
        value_name = "E"
    )]
    pub id: Option<String>,
}

impl EnterpriseProjectArg {
    /// The project, when given, and this enterprise project, for a request
    /// that is not a listing.
    pub fn scope(&self, project_id: Option<&str>) -> hss_ext::Scope {
        let mut scope = hss_ext::Scope::new();
        if let Some(project) = project_id {
            scope = scope.project_id(project);
        }
        if let Some(eps) = &self.id {
            scope = scope.enterprise_project_id(eps);
        }
        scope
    }
}

/// `--all` and how it reads every page: shared by every listing command
/// and `hss call`.
#[derive(Clone, Debug, Args)]
pub struct AllArgs {
    /// List every page, not just one.
    #[arg(long)]
    pub all: bool,

    /// Pages fetched at once with --all, 1 to 64: a fixed number, slowed only once the
    /// service throttles [default: as fast as the service allows, up to 64 in flight].
    #[arg(
        long,
        value_name = "N",
        requires = "all",
        value_parser = clap::value_parser!(u16).range(1..=ALL_CONCURRENCY as i64),
    )]
    pub concurrency: Option<u16>,

    /// Passes over the list at most with --all, 1 to 8: when the list moves
    /// while it is read, verifying passes recover the records the first one
    /// missed; a list that keeps moving fails the command. 1 fails at the
    /// first sign of movement.
    #[arg(
        long,
        value_name = "N",
        default_value_t = ListOptions::default().max_passes,
        requires = "all",
        value_parser = clap::value_parser!(u32).range(1..=MAX_PASSES as i64),
    )]
    pub max_passes: u32,
}

impl Default for AllArgs {
    fn default() -> Self {
        AllArgs {
            all: false,
            concurrency: None,
            max_passes: ListOptions::default().max_passes,
        }
    }
}

/// The output format of a command that prints one record (`hss vul
/// stats`, `hss scan-policy show`, `hss scan-task wait`).
#[derive(Clone, Copy, Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short, value_name = "FORMAT", value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

/// The flags of every command that changes state.
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct ChangeArgs {
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print the request that would be sent (method, URL, headers, body; secrets
    /// redacted) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// How long a command waits for a task.
#[derive(Clone, Copy, Debug, Args)]
pub struct WaitArgs {
    /// Seconds to wait at most, 1 to 86400 [default: 3600].
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
}

impl WaitArgs {
    /// The default deadline of a wait.
    pub const DEFAULT_TIMEOUT: u64 = 3600;

    /// The deadline.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout.unwrap_or(Self::DEFAULT_TIMEOUT))
    }
}

/// A time for a filter: `2024-05-01`, `2024-05-01T08:00:00Z` (UTC; the
/// `Z` may be left out) or milliseconds since the Unix epoch.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return if ms >= 0 {
            Ok(ms)
        } else {
            Err(format!("{ms} is before 1970"))
        };
    }
    let bad = || {
        format!(
            "{text:?} is not a time: use 2024-05-01, 2024-05-01T08:00:00Z (UTC) or milliseconds since 1970"
        )
    };
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let number = |part: &str| part.parse::<i64>().map_err(|_| bad());
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1970..=9999).contains(&y) || !(1..=days_in_month).contains(&d) {
        return Err(bad());
    }
    let (mut h, mut min, mut sec) = (0, 0, 0);
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        match parts.as_slice() {
            [a, b] => (h, min) = (number(a)?, number(b)?),
            [a, b, c] => (h, min, sec) = (number(a)?, number(b)?, number(c)?),
            _ => return Err(bad()),
        }
        if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&sec) {
            return Err(bad());
        }
    }
    // Howard Hinnant's days_from_civil.
    let y_adj = if m <= 2 { y - 1 } else { y };
    let era = y_adj.div_euclid(400);
    let yoe = y_adj - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(((days * 86_400) + h * 3600 + min * 60 + sec) * 1000)
}

/// After the long help of every listing.
pub static LIST_AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
Credentials, project and endpoint are found as for `hss scan-task hosts`
(see its --help).

Output formats (-o): table (the fields a security engineer acts on, long
values shortened with …, a count line last), json (one page in the API's
shape {{\"total_num\": N, \"data_list\": [...]}}; with --all, an array of
every record), ndjson (one record per line, written as pages arrive), csv
(a header row of the API's field names, the table's columns and more; cells
a spreadsheet would run as formulas get a ' in front). json and ndjson hold
every field exactly as the service sent it; times in table and csv are UTC.

--all fetches every page and checks the list did not move meanwhile (see
--max-passes); if it fails part way, stdout holds nothing (json, csv, table)
or only whole lines (ndjson), and one error line says which.

{EXIT_CODES}"
    )
});

/// After the long help of `hss vul stats` and `hss scan-policy show`.
pub static SHOW_AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
Credentials, project and endpoint are found as for `hss scan-task hosts`
(see its --help). Output formats (-o): table (one field per line), json (the
answer as the service sent it), ndjson (the same on one line), csv (a header
row of field names and one row).

{EXIT_CODES}"
    )
});

/// After the long help of `hss scan-task wait`.
pub static WAIT_AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
Polls the task (ListVulScanTask) with backoff, a few seconds apart, until it
ends or --timeout passes; progress (hosts scanned of all) goes to stderr, on
a terminal as a bar, else as a line whenever it changes. Then prints the
task's final record on stdout (-o table, json, ndjson or csv) and, when
hosts failed, how to list them. A task that ends with every host failed
exits with 3, a deadline that passes with 4.

{EXIT_CODES}{WAIT_EXIT_CODES}"
    )
});

/// After the long help of `hss scan-task create`.
pub static CREATE_AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
Prints the new task's id on stdout, alone on its line, so that a script can
take it: `task=$(hss scan-task create --all-hosts --yes)`. With --wait it
then waits as `hss scan-task wait` does: progress on stderr, the final state
as one line on stderr, and the exit code says how it ended (3 failed, 4 the
deadline passed).

{CONFIRM_HELP}

{EXIT_CODES}{CHANGE_EXIT_CODES}{WAIT_EXIT_CODES}"
    )
});

/// After the long help of `hss vul set-status` and `hss scan-policy set`.
pub static CHANGE_AFTER_HELP: LazyLock<String> =
    LazyLock::new(|| format!("{CONFIRM_HELP}\n\n{EXIT_CODES}{CHANGE_EXIT_CODES}"));

/// After the long help of `hss vul export`.
pub static EXPORT_AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
Starts an export task on the service and prints its id on stdout. With
--wait it waits for the file (progress on stderr), and with --file PATH
downloads it to PATH: streamed to a temporary file in the same directory
and renamed to PATH only once complete, so PATH never holds a partial
report (an existing PATH is replaced only then). An export reads, it
changes nothing, so it needs no --yes; --dry-run prints the request (method,
URL, headers, body; secrets redacted) and sends nothing to HSS.

{EXIT_CODES}{WAIT_EXIT_CODES}"
    )
});

/// How confirmation and --dry-run work.
const CONFIRM_HELP: &str = "\
This command changes state. On a terminal it says what it is about to do
and asks; otherwise (a script, a pipe) it needs --yes, and without it exits
with 2 before sending anything. --dry-run prints the request that would be
sent (method, URL, headers, body) with every secret redacted (the
signature, tokens, the security token), sends nothing to HSS, and needs no
--yes.";

/// Pages in flight at most with `--all`, adaptive or `--concurrency`:
/// [`hss_ext::ListOptions::ADAPTIVE_CONCURRENCY`], enough to cover the
/// whole second a `429`'s `Retry-After` holds one page back at 64
/// requests per second, at most 64 pages in memory.
pub const ALL_CONCURRENCY: u16 = hss_ext::ListOptions::ADAPTIVE_CONCURRENCY as u16;

/// `hss scan-task hosts`.
#[derive(Clone, Debug, Args)]
pub struct HostsArgs {
    /// The vulnerability scan task.
    #[arg(long, value_name = "ID")]
    pub task_id: String,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Only hosts whose scan has this status.
    #[arg(long, value_name = "S", value_parser = known!(ScanStatus))]
    pub scan_status: Option<ScanStatus>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Paging and output.
    #[command(flatten)]
    pub list: ListArgs,

    /// Print counts (scan status, asset value, failure reasons) instead of the hosts.
    #[arg(long)]
    pub summary: bool,
}

/// `hss demo`.
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// Hosts of the fake's project (every one is scanned).
    #[arg(long, value_name = "N", default_value_t = 3000,
          value_parser = clap::value_parser!(u32).range(1..=200_000))]
    pub hosts: u32,

    /// Seed of the fake's data and demo credentials.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub seed: u64,
}

/// Output formats of `hss scan-task hosts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// The API's page shape; with --all an array of hosts, written once complete.
    Json,
    /// One JSON host per line, streamed; a failure keeps the lines before it.
    Ndjson,
    /// Comma-separated values with a header row; with --all written once complete.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use hss_ext::{Severity, VulType};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The help states the bounds `hss-ext` enforces, not a copy of them.
    #[test]
    fn help_states_the_library_bounds() {
        let mut cli = Cli::command();
        let hosts = cli
            .find_subcommand_mut("scan-task")
            .and_then(|c| c.find_subcommand_mut("hosts"))
            .expect("scan-task hosts");
        let help = |name: &str| {
            hosts
                .get_arguments()
                .find(|a| a.get_id() == name)
                .and_then(|a| a.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default()
        };
        let (limit, offset, passes) = (help("limit"), help("offset"), help("max_passes"));
        let bounds = format!("{} to {}", LIMIT_RANGE.start(), LIMIT_RANGE.end());
        assert!(limit.contains(&bounds), "{limit}");
        assert!(offset.contains(&format!("0 to {MAX_OFFSET}")), "{offset}");
        assert!(passes.contains(&format!("1 to {MAX_PASSES}")), "{passes}");
    }

    #[test]
    fn flags_parse_into_arguments() {
        let cli = Cli::try_parse_from([
            "hss",
            "scan-task",
            "hosts",
            "--task-id",
            "t",
            "--limit",
            "50",
            "--all",
            "--concurrency",
            "2",
            "-o",
            "ndjson",
            "--scan-status",
            "failed",
        ])
        .unwrap();
        let Command::ScanTask(ScanTaskCommand::Hosts(args)) = cli.command else {
            panic!("wrong command");
        };
        assert_eq!(args.list.limit, Some(50));
        assert_eq!(args.list.pages.concurrency, Some(2));
        assert_eq!(args.list.output, Format::Ndjson);
        assert_eq!(args.scan_status, Some(ScanStatus::Failed));
    }

    #[test]
    fn max_rps_takes_a_rate_and_concurrency_defaults_to_adaptive() {
        let parse = |extra: &[&str]| {
            let mut argv = vec!["hss", "scan-task", "hosts", "--task-id", "t", "--all"];
            argv.extend_from_slice(extra);
            Cli::try_parse_from(argv).map(|cli| match cli.command {
                Command::ScanTask(ScanTaskCommand::Hosts(args)) => args,
                _ => panic!("wrong command"),
            })
        };
        let args = parse(&[]).unwrap();
        assert_eq!(
            (args.connection.max_rps, args.list.pages.concurrency),
            (None, None)
        );
        assert_eq!(
            parse(&["--max-rps", "2.5"]).unwrap().connection.max_rps,
            Some(2.5)
        );
        for bad in ["0", "-1", "0.01", "10001", "fast", "NaN", "inf"] {
            let err = parse(&[&format!("--max-rps={bad}")]).unwrap_err();
            assert!(err.to_string().contains("--max-rps"), "{bad}: {err}");
        }
        assert!(parse(&["--concurrency", "65"]).is_err());
    }

    #[test]
    fn out_of_range_values_are_usage_errors_naming_the_flag() {
        for (flag, value) in [
            ("--limit", "5"),
            ("--limit", "201"),
            ("--offset", "2000001"),
            ("--offset", "-1"),
            ("--limit", "-10"),
        ] {
            let err =
                Cli::try_parse_from(["hss", "scan-task", "hosts", "--task-id", "t", flag, value])
                    .unwrap_err();
            assert_eq!(err.exit_code(), 2, "{flag} {value}");
            assert!(err.to_string().contains(flag), "{err}");
        }
        let err = Cli::try_parse_from([
            "hss",
            "scan-task",
            "hosts",
            "--task-id",
            "t",
            "--concurrency",
            "2",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("--all"), "{err}");
    }

    #[test]
    fn times_parse_as_utc_or_milliseconds() {
        assert_eq!(parse_time("0"), Ok(0));
        assert_eq!(parse_time("1679042408195"), Ok(1_679_042_408_195));
        assert_eq!(parse_time("1970-01-02"), Ok(86_400_000));
        assert_eq!(parse_time("2023-03-17T08:40:08Z"), Ok(1_679_042_408_000));
        assert_eq!(parse_time("2023-03-17 08:40"), Ok(1_679_042_400_000));
        assert_eq!(parse_time("2000-02-29"), Ok(951_782_400_000));
        for bad in [
            "-1",
            "2023-02-29",
            "2023-13-01",
            "2023-03-17T24:00",
            "yesterday",
            "",
            "2023-03",
            "1969-12-31",
            "99999999999999999999",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn workflow_commands_parse() {
        let cli = Cli::try_parse_from([
            "hss",
            "scan-task",
            "create",
            "--all-hosts",
            "--vul-type",
            "linux_vul,web_cms",
            "--wait",
            "--timeout",
            "60",
            "--yes",
        ])
        .unwrap();
        let Command::ScanTask(ScanTaskCommand::Create(args)) = cli.command else {
            panic!("wrong command");
        };
        assert_eq!(args.vul_type, [VulType::LinuxVul, VulType::WebCms]);
        assert!(args.all_hosts && args.wait && args.change.yes && !args.change.dry_run);
        assert_eq!(args.waiting.timeout(), std::time::Duration::from_secs(60));

        // A scan names its hosts, one way.
        for argv in [
            &["hss", "scan-task", "create"][..],
            &[
                "hss",
                "scan-task",
                "create",
                "--all-hosts",
                "--agent-id",
                "a",
            ],
            &["hss", "vul", "set-status", "--operation", "ignore"],
            &[
                "hss",
                "vul",
                "set-status",
                "--operation",
                "ignore",
                "--vul-id",
                "v",
                "--select",
                "all_vul",
            ],
            &[
                "hss",
                "vul",
                "set-status",
                "--operation",
                "hide",
                "--vul-id",
                "v",
            ],
            &["hss", "vul", "list", "--type", "mac_vul"],
            &["hss", "vul", "export", "--file", "x.csv"],
            &["hss", "scan-task", "list", "--since", "soon"],
            &[
                "hss",
                "scan-policy",
                "set",
                "--period",
                "one_day",
                "--range",
                "all_host",
            ],
        ] {
            let err = Cli::try_parse_from(argv).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{argv:?}");
        }
        let cli = Cli::try_parse_from([
            "hss",
            "vul",
            "hosts",
            "--vul-id",
            "V",
            "--type",
            "linux_vul",
            "--severity",
            "critical",
        ])
        .unwrap();
        let Command::Vul(VulCommand::Hosts(args)) = cli.command else {
            panic!("wrong command");
        };
        assert_eq!(
            args.severity,
            Some(Severity::Critical),
            "case does not matter"
        );
    }
}
