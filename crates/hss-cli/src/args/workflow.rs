//! The flags of the workflow commands: `scan-task create|list|wait`,
//! `vul list|hosts|stats|set-status|export`, `host vuls` and
//! `scan-policy show|set`. What they share lives in the parent module:
//! [`ConnectionArgs`], [`ListArgs`] (every listing), [`ChangeArgs`]
//! (every command that changes state) and [`WaitArgs`] (every wait).

use clap::{ArgGroup, Args, Subcommand};
use hss_ext::{
    AssetValue, ExportCategory, HandleStatus, NodeType, PolicyStatus, ScanPeriod, ScanRange,
    ScanType, Severity, VulOperation, VulSelection, VulStatus, VulType,
};

use super::{
    CHANGE_AFTER_HELP, ChangeArgs, ConnectionArgs, EnterpriseProjectArg, LIST_AFTER_HELP, ListArgs,
    OutputArgs, WaitArgs, parse_time,
};

/// `hss vul ...`.
#[derive(Debug, Subcommand)]
pub enum VulCommand {
    /// List vulnerabilities with the number of hosts each affects (ListVulnerabilities).
    #[command(after_long_help = LIST_AFTER_HELP.as_str())]
    List(VulListArgs),
    /// List the hosts one vulnerability affects and its status on each (ListVulHosts).
    #[command(after_long_help = LIST_AFTER_HELP.as_str())]
    Hosts(VulHostsArgs),
    /// Show the vulnerability statistics of the project (ShowVulStatics).
    #[command(after_long_help = super::SHOW_AFTER_HELP.as_str())]
    Stats(VulStatsArgs),
    /// Ignore, repair, verify or allowlist vulnerabilities (ChangeVulStatus).
    #[command(after_long_help = CHANGE_AFTER_HELP.as_str())]
    SetStatus(VulSetStatusArgs),
    /// Export vulnerabilities to a CSV report, and download it with --wait --file
    /// (ExportVuls, ListQueryExportTask, ListDownloadExportedFile).
    #[command(after_long_help = super::EXPORT_AFTER_HELP.as_str())]
    Export(VulExportArgs),
}

/// `hss host ...`.
#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// List the vulnerabilities of one host (ListHostVuls).
    #[command(after_long_help = LIST_AFTER_HELP.as_str())]
    Vuls(HostVulsArgs),
}

/// `hss scan-policy ...`.
#[derive(Debug, Subcommand)]
pub enum ScanPolicyCommand {
    /// Show the scheduled vulnerability scan (ShowVulScanPolicy).
    #[command(after_long_help = super::SHOW_AFTER_HELP.as_str())]
    Show(PolicyShowArgs),
    /// Replace the scheduled vulnerability scan (ChangeVulScanPolicy).
    #[command(after_long_help = CHANGE_AFTER_HELP.as_str())]
    Set(PolicySetArgs),
}

/// `hss scan-task create`.
#[derive(Clone, Debug, Args)]
#[command(group(ArgGroup::new("hosts").required(true).args(["agent_id", "all_hosts"])))]
pub struct CreateArgs {
    /// Vulnerability types to scan for, comma-separated or repeated
    /// [default: linux_vul,windows_vul,web_cms,app_vul].
    #[arg(long, value_name = "TYPE", value_delimiter = ',', value_parser = known!(VulType))]
    pub vul_type: Vec<VulType>,

    /// Scan the hosts with these agent ids (comma-separated or repeated, 1 to 200).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub agent_id: Vec<String>,

    /// Scan every host of the enterprise project.
    #[arg(long)]
    pub all_hosts: bool,

    /// Emergency vulnerabilities to scan for (with --vul-type urgent_vul).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub urgent_vul_id: Vec<String>,

    /// Let the service scan the hosts in batches.
    #[arg(long)]
    pub batch: bool,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Wait for the scan to end, with progress on stderr.
    #[arg(long)]
    pub wait: bool,

    /// How long to wait.
    #[command(flatten)]
    pub waiting: WaitArgs,

    /// Confirmation and dry run.
    #[command(flatten)]
    pub change: ChangeArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss scan-task list`.
#[derive(Clone, Debug, Args)]
pub struct TaskListArgs {
    /// Only the task with this id.
    #[arg(long, value_name = "ID")]
    pub task_id: Option<String>,

    /// Only tasks started this way.
    #[arg(long, value_name = "TYPE", value_parser = known!(ScanType))]
    pub scan_type: Option<ScanType>,

    /// Only tasks started at or after this time: 2024-05-01, 2024-05-01T08:00:00Z
    /// (UTC) or milliseconds since the Unix epoch.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<i64>,

    /// Only tasks started at or before this time (as --since).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<i64>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Paging and output.
    #[command(flatten)]
    pub list: ListArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss scan-task wait`.
#[derive(Clone, Debug, Args)]
pub struct TaskWaitArgs {
    /// The scan task, as `hss scan-task create` printed it.
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// How long to wait.
    #[command(flatten)]
    pub waiting: WaitArgs,

    /// Format of the task's final record.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss vul list`.
#[derive(Clone, Debug, Args)]
pub struct VulListArgs {
    /// Vulnerability type [service default: linux_vul].
    #[arg(long = "type", value_name = "TYPE", value_parser = known!(VulType))]
    pub vul_type: Option<VulType>,

    /// Only this vulnerability.
    #[arg(long, value_name = "ID")]
    pub vul_id: Option<String>,

    /// Only vulnerabilities with this name.
    #[arg(long, value_name = "NAME")]
    pub vul_name: Option<String>,

    /// Only vulnerabilities with this CVE.
    #[arg(long, value_name = "CVE")]
    pub cve_id: Option<String>,

    /// Only vulnerabilities with this label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,

    /// Filters shared with the other vulnerability listings.
    #[command(flatten)]
    pub filter: VulFilterArgs,

    /// Only on hosts of this asset importance.
    #[arg(long, value_name = "A", value_parser = known!(AssetValue))]
    pub asset_value: Option<AssetValue>,

    /// Only on hosts of this server group.
    #[arg(long, value_name = "NAME")]
    pub group_name: Option<String>,

    /// Only on CCE nodes, or only elsewhere.
    #[arg(long, value_name = "N", value_parser = known!(NodeType))]
    pub node_type: Option<NodeType>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Paging and output.
    #[command(flatten)]
    pub list: ListArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The status filters of the vulnerability listings.
#[derive(Clone, Debug, Default, Args)]
pub struct VulFilterArgs {
    /// Only where the vulnerability is in this status.
    #[arg(long, value_name = "S", value_parser = known!(VulStatus))]
    pub status: Option<VulStatus>,

    /// Only handled or only unhandled vulnerabilities.
    #[arg(long, value_name = "S", value_parser = known!(HandleStatus))]
    pub handle_status: Option<HandleStatus>,

    /// Only this repair priority.
    #[arg(long, value_name = "P", value_parser = known!(Severity), ignore_case = true)]
    pub repair_priority: Option<Severity>,
}

/// `hss vul hosts`.
#[derive(Clone, Debug, Args)]
pub struct VulHostsArgs {
    /// The vulnerability.
    #[arg(long, value_name = "ID")]
    pub vul_id: String,

    /// Its type.
    #[arg(long = "type", value_name = "TYPE", value_parser = known!(VulType))]
    pub vul_type: VulType,

    /// Only hosts with this name.
    #[arg(long, value_name = "NAME")]
    pub host_name: Option<String>,

    /// Only hosts with this IP address.
    #[arg(long, value_name = "IP")]
    pub host_ip: Option<String>,

    /// Only this severity.
    #[arg(long, value_name = "S", value_parser = known!(Severity), ignore_case = true)]
    pub severity: Option<Severity>,

    /// Filters shared with the other vulnerability listings.
    #[command(flatten)]
    pub filter: VulFilterArgs,

    /// Only hosts of this asset importance.
    #[arg(long, value_name = "A", value_parser = known!(AssetValue))]
    pub asset_value: Option<AssetValue>,

    /// Only hosts of this server group.
    #[arg(long, value_name = "NAME")]
    pub group_name: Option<String>,

    /// Only CCE nodes, or only other hosts.
    #[arg(long, value_name = "N", value_parser = known!(NodeType))]
    pub node_type: Option<NodeType>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Paging and output.
    #[command(flatten)]
    pub list: ListArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss host vuls`.
#[derive(Clone, Debug, Args)]
pub struct HostVulsArgs {
    /// The host (host_id, as `hss scan-task hosts` and `hss vul hosts` show it).
    #[arg(long, value_name = "ID")]
    pub host_id: String,

    /// Only this vulnerability type.
    #[arg(long = "type", value_name = "TYPE", value_parser = known!(VulType))]
    pub vul_type: Option<VulType>,

    /// Only this vulnerability.
    #[arg(long, value_name = "ID")]
    pub vul_id: Option<String>,

    /// Only vulnerabilities with this name.
    #[arg(long, value_name = "NAME")]
    pub vul_name: Option<String>,

    /// Only this severity.
    #[arg(long, value_name = "S", value_parser = known!(Severity), ignore_case = true)]
    pub severity: Option<Severity>,

    /// Filters shared with the other vulnerability listings.
    #[command(flatten)]
    pub filter: VulFilterArgs,

    /// Only vulnerabilities with this label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Paging and output.
    #[command(flatten)]
    pub list: ListArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss vul stats`.
#[derive(Clone, Debug, Args)]
pub struct VulStatsArgs {
    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Output format.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss vul set-status`.
#[derive(Clone, Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["vul_id", "select"])))]
pub struct VulSetStatusArgs {
    /// What to do.
    #[arg(long, value_name = "OP", value_parser = known!(VulOperation))]
    pub operation: VulOperation,

    /// The vulnerabilities, comma-separated or repeated (1 to 200).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub vul_id: Vec<String>,

    /// Only on these hosts, comma-separated or repeated [default: every host
    /// the vulnerabilities affect].
    #[arg(long, value_name = "ID", value_delimiter = ',', requires = "vul_id")]
    pub host_id: Vec<String>,

    /// Every vulnerability of --type, or every vulnerability on every host, instead of --vul-id.
    #[arg(long, value_name = "WHAT", value_parser = known!(VulSelection), conflicts_with = "vul_id")]
    pub select: Option<VulSelection>,

    /// The vulnerability type.
    #[arg(long = "type", value_name = "TYPE", value_parser = known!(VulType))]
    pub vul_type: Option<VulType>,

    /// Why, for the audit trail (e.g. "accepted risk, ticket SEC-42").
    #[arg(long, value_name = "TEXT")]
    pub remark: Option<String>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Confirmation and dry run.
    #[command(flatten)]
    pub change: ChangeArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss vul export`.
#[derive(Clone, Debug, Args)]
pub struct VulExportArgs {
    /// One row per vulnerability (vul) or per host and vulnerability (host).
    #[arg(long, value_name = "C", value_parser = known!(ExportCategory),
          default_value = "vul")]
    pub category: ExportCategory,

    /// Vulnerability type [service default: linux_vul].
    #[arg(long = "type", value_name = "TYPE", value_parser = known!(VulType))]
    pub vul_type: Option<VulType>,

    /// Only this vulnerability.
    #[arg(long, value_name = "ID")]
    pub vul_id: Option<String>,

    /// Only vulnerabilities with this name.
    #[arg(long, value_name = "NAME")]
    pub vul_name: Option<String>,

    /// Only this host's vulnerabilities.
    #[arg(long, value_name = "ID")]
    pub host_id: Option<String>,

    /// Only vulnerabilities with this CVE.
    #[arg(long, value_name = "CVE")]
    pub cve_id: Option<String>,

    /// Filters shared with the vulnerability listings.
    #[command(flatten)]
    pub filter: VulFilterArgs,

    /// A column of the report, FIELD=TITLE (e.g. host_num=Servers), repeated in
    /// order [default: vul_name, vul_id, type, severity_level, repair_priority,
    /// host_num, unhandle_host_num, scan_time].
    #[arg(long, value_name = "FIELD=TITLE", value_parser = parse_column)]
    pub column: Vec<(String, String)>,

    /// Records to export at most, 1 to 200000.
    #[arg(long, value_name = "N", default_value_t = 200_000,
          value_parser = clap::value_parser!(u32).range(1..=200_000))]
    pub export_size: u32,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Wait for the export to finish, with progress on stderr.
    #[arg(long)]
    pub wait: bool,

    /// Download the report to this file once ready (needs --wait). Written to a
    /// temporary file beside it and renamed when complete.
    #[arg(long, value_name = "PATH", requires = "wait")]
    pub file: Option<std::path::PathBuf>,

    /// How long to wait.
    #[command(flatten)]
    pub waiting: WaitArgs,

    /// Print the request that would be sent (method, URL, headers, body; secrets
    /// redacted) and send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss scan-policy show`.
#[derive(Clone, Debug, Args)]
pub struct PolicyShowArgs {
    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Output format.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `hss scan-policy set`: the whole policy, as the API replaces it.
#[derive(Clone, Debug, Args)]
pub struct PolicySetArgs {
    /// How often scheduled scans run.
    #[arg(long, value_name = "P", value_parser = known!(ScanPeriod))]
    pub period: ScanPeriod,

    /// Which hosts they scan (specific_host needs --host-id).
    #[arg(long, value_name = "R", value_parser = known!(ScanRange))]
    pub range: ScanRange,

    /// On (open) or off (close).
    #[arg(long, value_name = "S", value_parser = known!(PolicyStatus))]
    pub status: PolicyStatus,

    /// The hosts of a specific_host policy, comma-separated or repeated.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub host_id: Vec<String>,

    /// Vulnerability types scanned for, comma-separated or repeated.
    #[arg(long, value_name = "TYPE", value_delimiter = ',', value_parser = known!(VulType))]
    pub vul_type: Vec<VulType>,

    /// Days of the scan, comma-separated: weekdays 1 to 7 (one_week), days of the month (one_month).
    #[arg(long, value_name = "N", value_delimiter = ',',
          value_parser = clap::value_parser!(i32).range(1..=31))]
    pub day: Vec<i32>,

    /// Time of day of the scan, HH:MM (24-hour, in --timezone-offset's zone).
    #[arg(long, value_name = "HH:MM", value_parser = parse_hour_minute)]
    pub at: Option<(i32, i32)>,

    /// Minutes from UTC as JavaScript counts them: UTC+8 is -480.
    #[arg(long, value_name = "MINUTES", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(-840..=720))]
    pub timezone_offset: Option<i32>,

    /// Enterprise project.
    #[command(flatten)]
    pub enterprise_project: EnterpriseProjectArg,

    /// Confirmation and dry run.
    #[command(flatten)]
    pub change: ChangeArgs,

    /// Project, region and endpoint.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `FIELD=TITLE`, both non-empty.
fn parse_column(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, title)) if !field.trim().is_empty() && !title.trim().is_empty() => {
            Ok((field.trim().to_owned(), title.trim().to_owned()))
        }
        _ => Err(format!(
            "{text:?} is not FIELD=TITLE, e.g. host_num=Servers"
        )),
    }
}

/// `HH:MM`, 00:00 to 23:59.
fn parse_hour_minute(text: &str) -> Result<(i32, i32), String> {
    let bad = || format!("{text:?} is not a time of day such as 03:30");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if (0..24).contains(&h) && (0..60).contains(&m) {
        Ok((h, m))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(parse_hour_minute("03:30"), Ok((3, 30)));
        assert_eq!(parse_hour_minute("23:59"), Ok((23, 59)));
        for bad in ["24:00", "3", "12:60", "-1:00", "a:b", ""] {
            assert!(parse_hour_minute(bad).is_err(), "{bad}");
        }
    }
}
