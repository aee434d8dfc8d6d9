//! `hss auth check`: what the command line would use and whether it works.
//!
//! It says which credential source won and why (the access key masked),
//! the project id and where it came from (asking IAM when that is how it
//! is found), the endpoint and how it was chosen, the proxy in use, the
//! clock skew against the server, and the outcome of one authenticated
//! request. Nothing secret is printed: secrets never reach this module
//! (`hss-ext` keeps them), and the access key id is masked as the official
//! SDKs mask ids in their logs.

use std::io::Write;

use anyhow::{Context, Result};
use hss_ext::hss_auth::credentials::ENV_CREDENTIALS_FILE;
use hss_ext::{CredentialKind, CredentialOrigin, Error, HostQuery, HssClient};

use crate::args::AuthCheckArgs;
use crate::connect::{self, ENV_REGION, Target};
use crate::exit::{self, UsageError};

/// The task the test call asks for when `--task-id` is not given: no task
/// has this id, so HSS answers `HSS.0011`, which it only does once the
/// gateway accepted the credentials.
pub const PROBE_TASK_ID: &str = "hss-auth-check";

/// Runs the command, writing the report to stdout. Fails (exit 1 or 2)
/// when the credentials were not accepted, after printing what was found.
pub async fn run(args: &AuthCheckArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let outcome = match connect::target(&args.connection, |k| std::env::var(k).ok()) {
        Ok(target) => {
            let client = connect::build_for(&args.connection, &target)?;
            report(&client, args, &mut out).await
        }
        Err(no_endpoint) => report_without_endpoint(args, no_endpoint, &mut out).await,
    };
    out.flush().context("writing the report")?;
    outcome
}

/// Stands in for the endpoint when there is none, so that the credentials
/// and the project can still be shown; nothing is ever sent to it (a
/// `.invalid` name never resolves).
const NO_ENDPOINT: &str = "https://no-endpoint.invalid";

/// Without an endpoint: the credentials and the project id as far as they
/// are known without one (no region, so no IAM to ask), then the missing
/// endpoint as the error.
async fn report_without_endpoint(
    args: &AuthCheckArgs,
    no_endpoint: UsageError,
    out: &mut dyn Write,
) -> Result<()> {
    let client = connect::build_for(&args.connection, &Target::Url(NO_ENDPOINT.into()))?;
    match client.ensure_credentials().await {
        Ok(()) => line(
            out,
            "credentials",
            &credentials(&client, |k| std::env::var(k).ok()),
        )?,
        Err(error) => line(out, "credentials", &format!("none: {}", one_line(&error)))?,
    }
    let project = match client.project_id() {
        Some(id) => format!("{id}, {}", project_origin(&client, args)),
        None => format!("none: {}", connect::NO_PROJECT),
    };
    line(out, "project", &project)?;
    line(out, "endpoint", &format!("none: {no_endpoint}"))?;
    line(out, "test call", "not sent")?;
    Err(no_endpoint.into())
}

/// Where the project id came from.
fn project_origin(client: &HssClient, args: &AuthCheckArgs) -> String {
    match client.project_origin() {
        _ if args.connection.project_id.is_some() => "given with --project-id".to_owned(),
        Some(origin) => origin.to_string(),
        None => "given".to_owned(),
    }
}

/// The report for `client`, written to `out`.
pub async fn report(client: &HssClient, args: &AuthCheckArgs, out: &mut dyn Write) -> Result<()> {
    let env = |key: &str| std::env::var(key).ok();
    // Temporary credentials of the metadata service are fetched first.
    if let Err(error) = client.ensure_credentials().await {
        line(out, "credentials", &format!("none: {}", one_line(&error)))?;
        return Err(anyhow::Error::new(error));
    }
    line(out, "credentials", &credentials(client, env))?;

    // Without a project id and no IAM to ask, the CLI says where to set one.
    let project = if client.project_id().is_none() && !client.discovers_project() {
        Err(None)
    } else {
        client.resolve_project_id().await.map_err(Some)
    };
    let project = match project {
        Ok(id) => {
            line(
                out,
                "project",
                &format!("{id}, {}", project_origin(client, args)),
            )?;
            Some(id)
        }
        Err(error) => {
            let why = error
                .as_ref()
                .map_or(connect::NO_PROJECT.to_owned(), one_line);
            line(out, "project", &format!("none: {why}"))?;
            // The rest is still worth knowing.
            line(out, "endpoint", &endpoint(client, args, env))?;
            line(out, "proxy", &proxy(client))?;
            line(
                out,
                "clock skew",
                "not measured (no request to HSS without a project)",
            )?;
            line(out, "test call", "not sent")?;
            return Err(match error {
                Some(error) => project_failure(error),
                None => UsageError(connect::NO_PROJECT.into()).into(),
            });
        }
    };
    line(out, "endpoint", &endpoint(client, args, env))?;
    line(out, "proxy", &proxy(client))?;

    let task = args.task_id.as_deref().unwrap_or(PROBE_TASK_ID);
    let mut query = HostQuery::new(task).limit(10);
    if let Some(project) = &project {
        query = query.project_id(project);
    }
    let probe = client.probe(&query).await;
    let offset = client.clock_offset();
    let skew = match probe.clock_skew() {
        Some(skew) => {
            let mut text = format!(
                "{} (the server's Date against this machine's clock)",
                hss_ext::hss_auth::skew::describe_offset(skew)
            );
            if !offset.is_zero() {
                text.push_str(&format!(
                    "; the gateway refused a signature as expired, so signatures are dated {} from this machine's clock",
                    hss_ext::hss_auth::skew::describe_offset(offset)
                ));
            }
            text
        }
        None => "not measured (the answer had no Date)".into(),
    };
    line(out, "clock skew", &skew)?;
    let how = match client.credential_kind() {
        CredentialKind::Token => "with the IAM token",
        CredentialKind::None => "without credentials",
        _ => "signed with SDK-HMAC-SHA256",
    };
    let call = format!("ListVulScanTaskHost for task {task}, {how}");
    match &probe.result {
        Ok(page) => {
            line(
                out,
                "test call",
                &format!(
                    "{call}: accepted, {} hosts in the task (request id {})",
                    page.total_num.map_or("?".into(), |n| n.to_string()),
                    page.request_id.as_deref().unwrap_or("-")
                ),
            )?;
            line(out, "result", "ok: the credentials work")?;
            Ok(())
        }
        Err(error) if probe.credentials_accepted() => {
            line(
                out,
                "test call",
                &format!(
                    "{call}: accepted by the gateway, then refused by HSS itself ({})",
                    one_line(error)
                ),
            )?;
            line(out, "result", "ok: the credentials work")?;
            Ok(())
        }
        Err(error) => {
            line(
                out,
                "test call",
                &format!("{call}: failed: {}", one_line(error)),
            )?;
            line(out, "result", "failed: see the test call")?;
            Err(anyhow::Error::new(clone_kind(error)).context("the test call failed"))
        }
    }
}

fn line(out: &mut dyn Write, label: &str, value: &str) -> Result<()> {
    writeln!(out, "{:<12} {value}", format!("{label}:")).context("writing the report")
}

fn one_line(error: &Error) -> String {
    let text = exit::in_cli_words(error).unwrap_or_else(|| error.to_string());
    hss_ext::text::one_line(&text).into_owned()
}

/// An error that keeps the exit code of `error` (2 for configuration, 1
/// for the service or network) without repeating its text.
fn clone_kind(error: &Error) -> CheckFailed {
    CheckFailed {
        code: exit::hss_error_code(error),
    }
}

/// The test call failed; the report says how.
#[derive(Debug)]
pub struct CheckFailed {
    /// The exit code the failure calls for.
    pub code: u8,
}

impl std::fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the credentials were not accepted (see the report above)")
    }
}

impl std::error::Error for CheckFailed {}

fn project_failure(error: Error) -> anyhow::Error {
    let code = exit::hss_error_code(&error);
    if code == exit::USAGE {
        anyhow::Error::new(UsageError(format!("no project id: {}", one_line(&error))))
    } else {
        anyhow::Error::new(error).context("no project id")
    }
}

/// The SDK's `string_utils.mask`: the middle 70% of `text` as `*`.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let masked = chars.len() * 7 / 10;
    let start = (chars.len() - masked) / 2;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if (start..start + masked).contains(&i) {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

fn credentials(client: &HssClient, env: impl Fn(&str) -> Option<String>) -> String {
    let (what, variables) = match &client.credential_kind() {
        CredentialKind::None => return "none".into(),
        CredentialKind::Token => ("an IAM token".to_owned(), "HUAWEICLOUD_SDK_TOKEN is set"),
        CredentialKind::AccessKey { ak } => (
            format!("access key {} with its secret key", mask(ak)),
            "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are set",
        ),
        CredentialKind::TemporaryAccessKey { ak } => (
            format!(
                "temporary access key {} with its secret key and security token",
                mask(ak)
            ),
            "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_SECURITY_TOKEN are set",
        ),
        _ => ("credentials".to_owned(), "set"),
    };
    let why = match client.credential_origin() {
        CredentialOrigin::None | CredentialOrigin::Given => "given explicitly".to_owned(),
        CredentialOrigin::Environment => format!(
            "from the environment: {variables} (the environment is the first source, before the credentials file)"
        ),
        CredentialOrigin::ProfileFile(path) => {
            let named = if env(ENV_CREDENTIALS_FILE).is_some_and(|v| !v.is_empty()) {
                format!("named by {ENV_CREDENTIALS_FILE}")
            } else {
                "the default file".to_owned()
            };
            format!(
                "from section [basic] of {} ({named}), because the environment has no credentials",
                path.display()
            )
        }
        CredentialOrigin::InstanceMetadata { endpoint, fallback } => {
            let expires = client
                .credentials_expire_at()
                .map(|at| format!(", valid until {at}"))
                .unwrap_or_default();
            if *fallback {
                format!(
                    "from the instance metadata service at {endpoint}{expires}, because neither the environment nor the credentials file has credentials"
                )
            } else {
                format!("from the instance metadata service at {endpoint}{expires}")
            }
        }
        _ => "from another source".to_owned(),
    };
    format!("{what}, {why}")
}

fn endpoint(
    client: &HssClient,
    args: &AuthCheckArgs,
    env: impl Fn(&str) -> Option<String>,
) -> String {
    let how = match connect::target(&args.connection, &env) {
        Ok(Target::Url(_)) => "given with --endpoint".to_owned(),
        Ok(Target::Region(region)) => {
            let from = if args.connection.region.is_some() {
                "--region".to_owned()
            } else {
                ENV_REGION.to_owned()
            };
            match client.endpoint_origin() {
                hss_ext::EndpointOrigin::RegionOverride { variable, .. } => {
                    format!("region {region} from {from}, its URL from {variable}")
                }
                _ => format!("the endpoint of region {region} (from {from})"),
            }
        }
        Err(_) => client.endpoint_origin().to_string(),
    };
    let clear = if client.endpoint().is_insecure() {
        "; plain http (loopback only)"
    } else {
        ""
    };
    format!("{}, {how}{clear}", client.endpoint())
}

fn proxy(client: &HssClient) -> String {
    match client.proxy() {
        Some(proxy) => proxy.to_string(),
        None => "none (no --proxy, and no HTTPS_PROXY, HTTP_PROXY or ALL_PROXY applies)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_is_the_sdks() {
        assert_eq!(mask("QTWAOYTTINDUT2QVKYUC"), "QTW**************YUC");
        // int(len * 0.7) characters from (len - that) // 2 on, as in Python.
        assert_eq!(mask("AB"), "*B");
        assert_eq!(mask("ABCDEFGHIJ"), "A*******IJ");
        assert_eq!(mask(""), "");
        assert_eq!(mask("ÉÉÉÉÉÉÉÉÉÉ"), "É*******ÉÉ");
    }
}
