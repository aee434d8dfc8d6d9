//! `hss vul list|hosts|stats|set-status|export` and `hss host vuls`.

use std::io::{self, Write};

use anyhow::{Context, Result};
use hss_api::types::{HostVulInfo, VulHostInfo, VulInfo};
use hss_ext::{
    DownloadOptions, ExportRequest, HostVulQuery, VulHostQuery, VulStatusChange, VulnQuery,
    WaitOptions,
};

use crate::args::{
    HostVulsArgs, VulExportArgs, VulHostsArgs, VulListArgs, VulSetStatusArgs, VulStatsArgs,
};
use crate::change::{self, Mode};
use crate::connect;
use crate::listing::{self, Plan, paged};
use crate::output;
use crate::waiting::Reporter;

fn stdout() -> Box<dyn Write> {
    Box::new(io::BufWriter::new(io::stdout()))
}

/// `hss vul list`.
pub async fn list(args: &VulListArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let mut query = paged!(VulnQuery::new(), &args.list);
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(t) = &args.vul_type {
        query = query.vul_type(t.clone());
    }
    if let Some(v) = &args.vul_id {
        query = query.vul_id(v);
    }
    if let Some(v) = &args.vul_name {
        query = query.vul_name(v);
    }
    if let Some(v) = &args.cve_id {
        query = query.cve_id(v);
    }
    if let Some(v) = &args.label {
        query = query.label_list(v);
    }
    if let Some(v) = &args.filter.status {
        query = query.status(v.clone());
    }
    if let Some(v) = &args.filter.handle_status {
        query = query.handle_status(v.clone());
    }
    if let Some(v) = &args.filter.repair_priority {
        query = query.repair_priority(v.clone());
    }
    if let Some(v) = &args.asset_value {
        query = query.asset_value(v.clone());
    }
    if let Some(v) = &args.group_name {
        query = query.group_name(v);
    }
    if let Some(v) = &args.node_type {
        query = query.node_type(v.clone());
    }
    let plan = Plan::<VulInfo>::records(args.list.output, "listing the vulnerabilities");
    listing::run(&client, query, &args.list, plan, stdout()).await
}

/// `hss vul hosts`.
pub async fn hosts(args: &VulHostsArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let mut query = paged!(
        VulHostQuery::new(&args.vul_id, args.vul_type.clone()),
        &args.list
    );
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(v) = &args.host_name {
        query = query.host_name(v);
    }
    if let Some(v) = &args.host_ip {
        query = query.host_ip(v);
    }
    if let Some(v) = &args.severity {
        query = query.severity_level(v.clone());
    }
    if let Some(v) = &args.filter.status {
        query = query.status(v.clone());
    }
    if let Some(v) = &args.filter.handle_status {
        query = query.handle_status(v.clone());
    }
    if let Some(v) = &args.filter.repair_priority {
        query = query.repair_priority(v.clone());
    }
    if let Some(v) = &args.asset_value {
        query = query.asset_value(v.clone());
    }
    if let Some(v) = &args.group_name {
        query = query.group_name(v);
    }
    if let Some(v) = &args.node_type {
        query = query.node_type(v.clone());
    }
    let what = format!("listing the hosts of vulnerability {}", args.vul_id);
    let plan = Plan::<VulHostInfo>::records(args.list.output, what);
    listing::run(&client, query, &args.list, plan, stdout()).await
}

/// The query of `hss host vuls`.
pub fn host_vul_query(args: &HostVulsArgs) -> HostVulQuery {
    let mut query = paged!(HostVulQuery::new(&args.host_id), &args.list);
    if let Some(project) = &args.connection.project_id {
        query = query.project_id(project);
    }
    if let Some(eps) = &args.enterprise_project.id {
        query = query.enterprise_project_id(eps);
    }
    if let Some(t) = &args.vul_type {
        query = query.vul_type(t.clone());
    }
    if let Some(v) = &args.vul_id {
        query = query.vul_id(v);
    }
    if let Some(v) = &args.vul_name {
        query = query.vul_name(v);
    }
    if let Some(v) = &args.severity {
        query = query.severity_level(v.clone());
    }
    if let Some(v) = &args.filter.status {
        query = query.status(v.clone());
    }
    if let Some(v) = &args.filter.handle_status {
        query = query.handle_status(v.clone());
    }
    if let Some(v) = &args.filter.repair_priority {
        query = query.repair_priority(v.clone());
    }
    if let Some(v) = &args.label {
        query = query.label_list(v);
    }
    query
}

/// `hss host vuls`.
pub async fn host_vuls(args: &HostVulsArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let what = format!("listing the vulnerabilities of host {}", args.host_id);
    let plan = Plan::<HostVulInfo>::records(args.list.output, what);
    listing::run(&client, host_vul_query(args), &args.list, plan, stdout()).await
}

/// `hss vul stats`.
pub async fn stats(args: &VulStatsArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let scope = args
        .enterprise_project
        .scope(args.connection.project_id.as_deref());
    let stats = client
        .vul_statistics(&scope)
        .await
        .context("reading the vulnerability statistics")?;
    let mut out = stdout();
    output::write_one(args.output.output, &mut out, &stats).context("writing the output")
}

/// The change the flags describe.
pub fn status_change(args: &VulSetStatusArgs) -> VulStatusChange {
    let mut change = VulStatusChange::new(args.operation.clone()).scope(
        args.enterprise_project
            .scope(args.connection.project_id.as_deref()),
    );
    if let Some(t) = &args.vul_type {
        change = change.vul_type(t.clone());
    }
    if let Some(select) = &args.select {
        change = change.select(select.clone());
    }
    for vul in &args.vul_id {
        change = change.vul(vul, args.host_id.iter().cloned());
    }
    if let Some(remark) = &args.remark {
        change = change.remark(remark);
    }
    change
}

/// What the change does, for the prompt and the dry run.
fn describe_change(args: &VulSetStatusArgs) -> String {
    let what = match (&args.select, args.vul_id.len()) {
        (Some(select), _) => match select.as_str() {
            "all_vul" => "every vulnerability of the type".to_owned(),
            "all_host" => "every vulnerability on every host".to_owned(),
            other => format!(
                "the vulnerabilities selected by {}",
                hss_ext::text::one_line(other)
            ),
        },
        (None, 1) => format!("vulnerability {}", hss_ext::text::one_line(&args.vul_id[0])),
        (None, n) => format!("{n} vulnerabilities"),
    };
    let on = match args.host_id.len() {
        0 if args.vul_id.len() == 1 => "on every host it affects".to_owned(),
        0 => "on every host they affect".to_owned(),
        1 => format!("on host {}", hss_ext::text::one_line(&args.host_id[0])),
        n => format!("on {n} hosts"),
    };
    let on = if args.select.is_some() { "" } else { &on };
    format!("apply {} to {what} {on}", args.operation)
        .trim_end()
        .to_owned()
}

/// `hss vul set-status`.
pub async fn set_status(args: &VulSetStatusArgs) -> Result<()> {
    let action = describe_change(args);
    let mode = change::precheck(&args.change, &action)?;
    let request = status_change(args);
    if mode == Mode::DryRun {
        let client = change::dry_run_client(&args.connection)?;
        return change::print_preview(&client, &action, &mut io::stdout(), |c| async move {
            c.change_vul_status(&request).await
        })
        .await;
    }
    let client = connect::client(&args.connection).await?;
    change::confirm(&args.change, &client, &action)?;
    client
        .change_vul_status(&request)
        .await
        .with_context(|| format!("trying to {action}"))?;
    eprintln!("done: {action}");
    Ok(())
}

/// The export the flags describe.
pub fn export_request(args: &VulExportArgs) -> ExportRequest {
    let mut export = ExportRequest::new(args.category.clone())
        .scope(
            args.enterprise_project
                .scope(args.connection.project_id.as_deref()),
        )
        .export_size(args.export_size);
    for (field, title) in &args.column {
        export = export.column(field, title);
    }
    if let Some(t) = &args.vul_type {
        export = export.vul_type(t.clone());
    }
    if let Some(v) = &args.vul_id {
        export = export.vul_id(v);
    }
    if let Some(v) = &args.vul_name {
        export = export.vul_name(v);
    }
    if let Some(v) = &args.cve_id {
        export = export.cve_id(v);
    }
    if let Some(v) = &args.host_id {
        export = export.host_id(v);
    }
    if let Some(v) = &args.filter.status {
        export = export.status(v.clone());
    }
    if let Some(v) = &args.filter.handle_status {
        export = export.handle_status(v.clone());
    }
    if let Some(v) = &args.filter.repair_priority {
        export = export.repair_priority(v.clone());
    }
    export
}

/// `hss vul export`.
pub async fn export(args: &VulExportArgs) -> Result<()> {
    let request = export_request(args);
    let what = format!("exporting vulnerabilities ({} rows)", args.category);
    if args.dry_run {
        let client = change::dry_run_client(&args.connection)?;
        return change::print_preview(&client, &what, &mut io::stdout(), |c| async move {
            c.export_vulns(&request).await
        })
        .await;
    }
    let client = connect::client(&args.connection).await?;
    let task_id = client.export_vulns(&request).await.context(what)?;
    let mut out = io::stdout();
    writeln!(out, "{task_id}")
        .and_then(|()| out.flush())
        .context("writing the output")?;
    if !args.wait {
        return Ok(());
    }
    let scope = args
        .enterprise_project
        .scope(args.connection.project_id.as_deref());
    let reporter = Reporter::stderr();
    let options = reporter.options(
        WaitOptions::default().scope(scope.clone()),
        args.waiting.timeout(),
    );
    let result = client.wait_for_export(&task_id, options).await;
    reporter.clear();
    let task = result.with_context(|| format!("waiting for export task {task_id}"))?;
    let file_id = task.file_id.clone().unwrap_or_default();
    let Some(path) = &args.file else {
        eprintln!(
            "export task {} succeeded: file {} is ready (pass --file PATH to download it)",
            hss_ext::text::one_line(&task_id),
            hss_ext::text::one_line(&file_id)
        );
        return Ok(());
    };
    let done = client
        .download_export(&file_id, path, DownloadOptions::default().scope(scope))
        .await
        .with_context(|| format!("downloading the report of export task {task_id}"))?;
    eprintln!(
        "wrote {} bytes to {}",
        done.bytes,
        hss_ext::text::one_line(&path.display().to_string())
    );
    Ok(())
}
