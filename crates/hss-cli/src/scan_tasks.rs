//! `hss scan-task create|list|wait`: starting a vulnerability scan,
//! listing scan tasks, and waiting for one. (`hss scan-task hosts` is
//! [`crate::hosts`].)

use std::io::{self, Write};

use anyhow::{Context, Result};
use hss_api::types::VulScanTaskInfo;
use hss_ext::{HssClient, ScanCounts, ScanRequest, ScanTaskQuery, VulType, WaitOptions};

use crate::args::{CreateArgs, Format, TaskListArgs, TaskWaitArgs, WaitArgs};
use crate::change::{self, Mode};
use crate::connect;
use crate::exit::Hint;
use crate::listing::{self, Plan, paged};
use crate::output;
use crate::waiting::Reporter;

/// The types a scan looks for unless `--vul-type` says otherwise: every
/// type that needs no list of its own (`urgent_vul` needs emergency
/// vulnerability ids).
pub const DEFAULT_VUL_TYPES: [VulType; 4] = [
    VulType::LinuxVul,
    VulType::WindowsVul,
    VulType::WebCms,
    VulType::AppVul,
];

/// `hss scan-task create`.
pub async fn create(args: &CreateArgs) -> Result<()> {
    let action = describe_scan(args);
    let mode = change::precheck(&args.change, &action)?;
    let scan = scan_request(args);
    let mut stdout = io::stdout();
    if mode == Mode::DryRun {
        let client = change::dry_run_client(&args.connection)?;
        return change::print_preview(&client, &action, &mut stdout, |c| async move {
            c.create_scan_task(&scan).await
        })
        .await;
    }
    let client = connect::client(&args.connection).await?;
    change::confirm(&args.change, &client, &action)?;
    let task_id = client
        .create_scan_task(&scan)
        .await
        .context("starting a vulnerability scan")?;
    // The id first, alone on its line, before any wait: a script has it
    // even if the wait is interrupted.
    writeln!(stdout, "{task_id}")
        .and_then(|()| stdout.flush())
        .context("writing the output")?;
    if !args.wait {
        return Ok(());
    }
    let task = wait_for(
        &client,
        &task_id,
        args.enterprise_project.id.as_deref(),
        &args.waiting,
        &Reporter::stderr(),
    )
    .await?;
    eprintln!("{}", final_line(&task_id, &task));
    Ok(())
}

/// What the scan does, for the prompt and the dry run.
fn describe_scan(args: &CreateArgs) -> String {
    let types = vul_types(args);
    let types: Vec<&str> = types.iter().map(VulType::as_str).collect();
    let hosts = if args.all_hosts {
        "every host".to_owned()
    } else if args.agent_id.len() == 1 {
        "1 host".to_owned()
    } else {
        format!("{} hosts", args.agent_id.len())
    };
    format!(
        "start a vulnerability scan ({}) of {hosts}",
        types.join(", ")
    )
}

fn vul_types(args: &CreateArgs) -> Vec<VulType> {
    if args.vul_type.is_empty() {
        DEFAULT_VUL_TYPES.to_vec()
    } else {
        args.vul_type.clone()
    }
}

/// The request the flags describe.
pub fn scan_request(args: &CreateArgs) -> ScanRequest {
    let mut scan = ScanRequest::new().vul_types(vul_types(args));
    if let Some(project) = &args.connection.project_id {
        scan = scan.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        scan = scan.enterprise_project_id(eps);
    }
    scan = if args.all_hosts {
        scan.all_hosts()
    } else {
        scan.agents(args.agent_id.iter().cloned())
    };
    if !args.urgent_vul_id.is_empty() {
        scan = scan.urgent_vul_ids(args.urgent_vul_id.iter().cloned());
    }
    if args.batch {
        scan = scan.batch(true);
    }
    scan
}

/// `hss scan-task list`.
pub async fn list(args: &TaskListArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let mut query = paged!(ScanTaskQuery::new(), &args.list);
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(id) = &args.task_id {
        query = query.task_id(id);
    }
    if let Some(scan_type) = &args.scan_type {
        query = query.scan_type(scan_type.clone());
    }
    if let Some(since) = args.since {
        query = query.min_start_time(since);
    }
    if let Some(until) = args.until {
        query = query.max_start_time(until);
    }
    let plan = Plan::<VulScanTaskInfo>::records(args.list.output, "listing the scan tasks");
    let out = Box::new(io::BufWriter::new(io::stdout()));
    listing::run(&client, query, &args.list, plan, out).await
}

/// `hss scan-task wait`.
pub async fn wait(args: &TaskWaitArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let task = wait_for(
        &client,
        &args.task_id,
        args.enterprise_project.id.as_deref(),
        &args.waiting,
        &Reporter::stderr(),
    )
    .await?;
    let mut out = io::BufWriter::new(io::stdout());
    print_final(args.output.output, &mut out, &task).context("writing the output")?;
    eprintln!("{}", final_line(&args.task_id, &task));
    Ok(())
}

fn print_final(format: Format, out: &mut dyn Write, task: &VulScanTaskInfo) -> io::Result<()> {
    output::write_one(format, out, task)
}

/// Waits for scan task `task_id` with progress from `reporter`.
pub async fn wait_for(
    client: &HssClient,
    task_id: &str,
    enterprise_project_id: Option<&str>,
    waiting: &WaitArgs,
    reporter: &Reporter,
) -> Result<VulScanTaskInfo> {
    let mut scope = hss_ext::Scope::new();
    if let Some(eps) = enterprise_project_id {
        scope = scope.enterprise_project_id(eps);
    }
    let options = reporter.options(WaitOptions::default().scope(scope), waiting.timeout());
    let result = client.wait_for_scan_task(task_id, options).await;
    reporter.clear();
    result
        .with_context(|| format!("waiting for scan task {task_id}"))
        .map_err(hint_unknown_task)
}

/// What the service answers for something a request names that does not
/// exist: a task id, or the project or enterprise project it is asked in.
const NOT_FOUND: &str = "HSS.0011";

/// `error` with how to list the scan tasks when it says the scan task (or
/// something else the request named) does not exist.
pub fn hint_unknown_task(error: anyhow::Error) -> anyhow::Error {
    let unknown = error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<hss_ext::Error>())
        .any(|cause| {
            cause.error_code() == Some(NOT_FOUND)
                || matches!(
                    cause,
                    hss_ext::Error::TaskNotFound {
                        kind: hss_ext::TaskKind::ScanTask,
                        ..
                    }
                )
        });
    if unknown {
        error.context(Hint("list the scan tasks with: hss scan-task list".into()))
    } else {
        error
    }
}

/// `scan task t finished: 2990 hosts scanned, 10 failed (...)`, for stderr.
pub fn final_line(task_id: &str, task: &VulScanTaskInfo) -> String {
    let counts = ScanCounts::of(task);
    let state = task.status.as_deref().unwrap_or("ended");
    let id = hss_ext::text::one_line(task_id);
    let mut line = format!(
        "scan task {id} {}: {} hosts scanned, {} failed",
        hss_ext::text::one_line(state),
        counts.success + counts.failed,
        counts.failed
    );
    if counts.failed > 0 {
        line.push_str(&format!(
            " (`hss scan-task hosts --task-id {id} --scan-status failed` lists them and why)"
        ));
    }
    line
}
