//! The command line: every subcommand, flag and help text, with clap derive.
//!
//! Values are checked here where clap can name the flag (`--limit 5` is a
//! usage error naming `--limit`, exit code 2); everything else the API
//! limits is checked by `hss-ext` before a request is sent.

use clap::{Args, Parser, Subcommand, ValueEnum};
use hss_ext::{LIMIT_RANGE, ListOptions, MAX_OFFSET, MAX_PASSES, ScanStatus};

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

#[cfg(feature = "demo")]
const TOP_AFTER_HELP: &str = "\
Run `hss scan-task hosts --help` for credentials, endpoints and output formats,
`hss auth check` to see which credentials, project, endpoint and proxy hss
would use and whether they work, or `hss demo` to see it work against a
local fake HSS without any setup.

Exit codes: 0 success, 1 the service or the network failed, 2 usage or configuration error.";

#[cfg(not(feature = "demo"))]
const TOP_AFTER_HELP: &str = "\
Run `hss scan-task hosts --help` for credentials, endpoints and output formats,
or `hss auth check` to see which credentials, project, endpoint and proxy hss
would use and whether they work.

Exit codes: 0 success, 1 the service or the network failed, 2 usage or configuration error.";

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

--all fetches every page (--limit hosts each, --concurrency at once,
starting at --offset); a progress bar is drawn on stderr when stderr is a
terminal. RUST_LOG=hss_ext=debug traces every request on stderr.

Examples:
  hss scan-task hosts --region ap-southeast-1 --task-id 2b31ed52... --scan-status failed
  hss scan-task hosts --task-id 2b31ed52... --all --output csv > hosts.csv
  hss scan-task hosts --task-id 2b31ed52... --all --summary

";

/// Command-line client for Huawei Cloud Host Security Service (HSS).
#[derive(Debug, Parser)]
#[command(name = "hss", version, after_help = TOP_AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vulnerability scan tasks.
    #[command(subcommand)]
    ScanTask(ScanTaskCommand),
    /// Credentials, project, endpoint and connection.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// List failed hosts and a summary from a local fake HSS (no setup).
    ///
    /// Starts hss-fake in this process on a free 127.0.0.1 port with a
    /// seeded scan task, signs every request with the fake's demo AK/SK,
    /// lists the task's failed hosts page by page as `--all` does, shows the
    /// first few and a summary of the whole task, and stops the fake.
    // Only with the `demo` feature (the default).
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
}

/// `hss scan-task ...`.
#[derive(Debug, Subcommand)]
pub enum ScanTaskCommand {
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
}

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
    #[arg(long, value_name = "S", value_enum)]
    pub scan_status: Option<ScanStatusArg>,

    /// Enterprise project; `all_granted_eps` for all [service default: 0].
    #[arg(long, value_name = "E")]
    pub enterprise_project_id: Option<String>,

    /// Hosts per page, 10 to 200 [default: the service's 10; with --all: 200].
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32)
              .range(*LIMIT_RANGE.start() as i64..=*LIMIT_RANGE.end() as i64))]
    pub limit: Option<u32>,

    /// Index of the first host, 0 to 2000000 [default: 0].
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(0..=MAX_OFFSET as i64))]
    pub offset: Option<u32>,

    /// List every page, not just one.
    #[arg(long)]
    pub all: bool,

    /// Pages fetched at once with --all, 1 to 16.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4,
        requires = "all",
        value_parser = clap::value_parser!(u16).range(1..=16),
    )]
    pub concurrency: u16,

    /// Passes over the task at most with --all, 1 to 8: when the task moves
    /// while it is listed, verifying passes recover the hosts the first one
    /// missed; a task that keeps moving fails the command. 1 fails at the
    /// first sign of movement.
    #[arg(
        long,
        value_name = "N",
        default_value_t = ListOptions::default().max_passes,
        requires = "all",
        value_parser = clap::value_parser!(u32).range(1..=MAX_PASSES as i64),
    )]
    pub max_passes: u32,

    /// Output format.
    #[arg(long, short, value_name = "FORMAT", value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Print counts (scan status, asset value, failure reasons) instead of the hosts.
    #[arg(long)]
    pub summary: bool,
}

/// `hss demo`.
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// Hosts in the fake's scan task.
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

/// The `scan_status` filter values the API documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanStatusArg {
    /// The scan is still running.
    Scanning,
    /// The scan finished.
    Success,
    /// The scan failed.
    Failed,
}

impl From<ScanStatusArg> for ScanStatus {
    fn from(value: ScanStatusArg) -> Self {
        match value {
            ScanStatusArg::Scanning => ScanStatus::Scanning,
            ScanStatusArg::Success => ScanStatus::Success,
            ScanStatusArg::Failed => ScanStatus::Failed,
        }
    }
}

#[cfg(test)]
// Without `demo`, `Command` has one variant and the `let ... else` below
// always matches.
#[cfg_attr(not(feature = "demo"), allow(irrefutable_let_patterns))]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
        assert_eq!(args.limit, Some(50));
        assert_eq!(args.concurrency, 2);
        assert_eq!(args.output, Format::Ndjson);
        assert_eq!(
            ScanStatus::from(args.scan_status.unwrap()),
            ScanStatus::Failed
        );
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
}
