//! Building the [`HssClient`] from flags and the environment.
//!
//! Credentials are left to `hss-ext`, which resolves them the way `hss-auth`
//! does (environment, then the profile file); the CLI adds the endpoint
//! choice (`--endpoint`, `--region`, `HUAWEICLOUD_SDK_REGION`) and settles
//! the project id before the command's first request: given, from the
//! credential sources, or asked from IAM for the region (AK/SK only), as
//! the official SDKs do when building a client.

use std::time::Duration;

use anyhow::Result;
use hss_ext::{HssClient, ProxyConfig, SecretString};

use crate::args::ConnectionArgs;
use crate::exit::UsageError;

/// The default region when neither `--region` nor `--endpoint` is given.
pub use hss_ext::hss_auth::endpoint::ENV_REGION;

/// Where requests go, in the order the CLI decides it.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// `--endpoint`.
    Url(String),
    /// `--region`, or the region of `HUAWEICLOUD_SDK_REGION`.
    Region(String),
}

/// `--endpoint`, else `--region`, else `HUAWEICLOUD_SDK_REGION` (read
/// through `env`); none of them is a usage error that says what to set.
pub fn target(
    args: &ConnectionArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Target, UsageError> {
    if let Some(url) = &args.endpoint {
        return Ok(Target::Url(url.clone()));
    }
    if let Some(region) = &args.region {
        return Ok(Target::Region(region.clone()));
    }
    match env(ENV_REGION).map(|r| r.trim().to_owned()) {
        Some(region) if !region.is_empty() => Ok(Target::Region(region)),
        _ => Err(UsageError(format!(
            "no endpoint: pass --region (e.g. ap-southeast-1) or --endpoint URL, or set {ENV_REGION}"
        ))),
    }
}

/// The region: `--region`, else `HUAWEICLOUD_SDK_REGION` (read through
/// `env`). With `--endpoint` it names the project to ask IAM for.
pub fn region(args: &ConnectionArgs, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    args.region
        .clone()
        .or_else(|| env(ENV_REGION))
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
}

/// A client for the flags, the process environment and the profile file,
/// built without sending anything.
pub fn build(args: &ConnectionArgs) -> Result<HssClient> {
    let target = target(args, |key| std::env::var(key).ok())?;
    build_for(args, &target)
}

/// [`build`] for `target`, whatever the flags say about it.
pub fn build_for(args: &ConnectionArgs, target: &Target) -> Result<HssClient> {
    let env = |key: &str| std::env::var(key).ok();
    let mut builder = HssClient::builder().user_agent_suffix(user_agent());
    if let Target::Url(url) = target {
        builder = builder.endpoint_url(url);
    }
    if let Some(region) = region(args, env) {
        builder = builder.region(region);
    }
    if let Some(project) = &args.project_id {
        builder = builder.project_id(project);
    }
    if let Some(url) = &args.proxy {
        let mut proxy = ProxyConfig::new(url)?;
        if let Some(user) = &args.proxy_user {
            let password = env(ENV_PROXY_PASSWORD)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| {
                    UsageError(format!(
                        "--proxy-user is given but {ENV_PROXY_PASSWORD} is not set: set it to the proxy password (never a flag)"
                    ))
                })?;
            proxy = proxy.with_credentials(user, SecretString::from(password));
        }
        builder = builder.proxy(proxy);
    }
    if let Some(path) = &args.ca_bundle {
        builder = builder.ca_bundle(path);
    }
    if args.ignore_ssl_verification {
        eprintln!(
            "warning: --ignore-ssl-verification: TLS certificates are NOT checked, so anyone on the way to the endpoint can read and change requests and answers; use --ca-bundle instead"
        );
        builder = builder.ignore_ssl_verification(true);
    }
    if let Some(seconds) = args.connect_timeout {
        builder = builder.connect_timeout(Duration::from_secs(seconds));
    }
    if let Some(seconds) = args.read_timeout {
        builder = builder.read_timeout(Duration::from_secs(seconds));
    }
    if let Some(rps) = args.max_rps {
        builder = builder.max_requests_per_second(rps);
    }
    Ok(builder.build()?)
}

/// The proxy password for `--proxy-user` (this project's name; the
/// official SDKs take it in code).
pub const ENV_PROXY_PASSWORD: &str = "HUAWEICLOUD_SDK_PROXY_PASSWORD";

/// [`build`], then the credentials made ready (fetched from the instance
/// metadata service when that is where they come from) and the project id
/// settled: asked from IAM when the client discovers it, a usage error when
/// there is none and no way to ask.
pub async fn client(args: &ConnectionArgs) -> Result<HssClient> {
    let client = build(args)?;
    // Temporary credentials of the metadata service are fetched now, so
    // that missing credentials are reported before a missing project.
    client.ensure_credentials().await?;
    if client.discovers_project() {
        client.resolve_project_id().await?;
    } else if client.project_id().is_none() {
        return Err(UsageError(NO_PROJECT.into()).into());
    }
    Ok(client)
}

/// What to do without a project id.
pub const NO_PROJECT: &str = "no project id: pass --project-id, set HUAWEICLOUD_SDK_PROJECT_ID, or add project_id to section [basic] of the credentials file (with AK/SK credentials and a region, hss asks IAM for the region's project)";

/// Appended to `hss-ext`'s `User-Agent`.
pub fn user_agent() -> String {
    format!("hss-cli/{}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(region: Option<&str>, endpoint: Option<&str>) -> ConnectionArgs {
        ConnectionArgs {
            region: region.map(Into::into),
            endpoint: endpoint.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn the_region_comes_from_the_flag_or_the_environment() {
        let env = |k: &str| (k == ENV_REGION).then(|| " cn-north-4 ".to_owned());
        assert_eq!(
            region(&args(Some("ap-southeast-1"), None), env).as_deref(),
            Some("ap-southeast-1")
        );
        assert_eq!(
            region(&args(None, Some("http://127.0.0.1:1")), env).as_deref(),
            Some("cn-north-4"),
            "with --endpoint too: it names the project to discover"
        );
        assert_eq!(region(&args(None, None), |_| None), None);
        assert_eq!(region(&args(None, None), |_| Some(" ".into())), None);
    }

    #[test]
    fn flags_win_over_the_default_region() {
        let env = |k: &str| (k == ENV_REGION).then(|| "cn-north-4".to_owned());
        assert_eq!(
            target(&args(None, Some("http://127.0.0.1:1")), env).unwrap(),
            Target::Url("http://127.0.0.1:1".into())
        );
        assert_eq!(
            target(&args(Some("ap-southeast-1"), None), env).unwrap(),
            Target::Region("ap-southeast-1".into())
        );
        assert_eq!(
            target(&args(None, None), env).unwrap(),
            Target::Region("cn-north-4".into())
        );
    }

    #[test]
    fn no_endpoint_says_what_to_set() {
        for value in [None, Some(" ".to_owned())] {
            let err = target(&args(None, None), |_| value.clone()).unwrap_err();
            assert!(err.0.contains("--region"), "{err}");
            assert!(err.0.contains("--endpoint"), "{err}");
            assert!(err.0.contains(ENV_REGION), "{err}");
        }
    }
}
