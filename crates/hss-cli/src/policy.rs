//! `hss scan-policy show|set`: the scheduled vulnerability scan.

use std::io::{self, Write};

use anyhow::{Context, Result};
use hss_ext::ScanPolicy;

use crate::args::{PolicySetArgs, PolicyShowArgs};
use crate::change::{self, Mode};
use crate::connect;
use crate::output;

/// `hss scan-policy show`.
pub async fn show(args: &PolicyShowArgs) -> Result<()> {
    let client = connect::client(&args.connection).await?;
    let scope = args
        .enterprise_project
        .scope(args.connection.project_id.as_deref());
    let policy = client
        .scan_policy(&scope)
        .await
        .context("reading the vulnerability scan policy")?;
    let mut out = io::BufWriter::new(io::stdout());
    output::write_one(args.output.output, &mut out, &policy)
        .and_then(|()| out.flush())
        .context("writing the output")
}

/// The policy the flags describe.
pub fn policy(args: &PolicySetArgs) -> ScanPolicy {
    let mut policy = ScanPolicy::new(args.period.clone(), args.range.clone(), args.status.clone())
        .scope(
            args.enterprise_project
                .scope(args.connection.project_id.as_deref()),
        );
    if !args.host_id.is_empty() {
        policy = policy.hosts(args.host_id.iter().cloned());
    }
    if !args.vul_type.is_empty() {
        policy = policy.vul_types(args.vul_type.iter().cloned());
    }
    if !args.day.is_empty() {
        policy = policy.days(args.day.iter().copied());
    }
    if let Some((hour, minute)) = args.at {
        policy = policy.at(hour, minute);
    }
    if let Some(offset) = args.timezone_offset {
        policy = policy.timezone_offset(offset);
    }
    policy
}

/// `hss scan-policy set`.
pub async fn set(args: &PolicySetArgs) -> Result<()> {
    let action = format!(
        "replace the vulnerability scan policy ({}, {}, {})",
        args.status, args.period, args.range
    );
    let mode = change::precheck(&args.change, &action)?;
    let request = policy(args);
    if mode == Mode::DryRun {
        let client = change::dry_run_client(&args.connection)?;
        return change::print_preview(&client, &action, &mut io::stdout(), |c| async move {
            c.set_scan_policy(&request).await
        })
        .await;
    }
    let client = connect::client(&args.connection).await?;
    change::confirm(&args.change, &client, &action)?;
    client
        .set_scan_policy(&request)
        .await
        .with_context(|| format!("trying to {action}"))?;
    eprintln!("done: {action}");
    Ok(())
}
