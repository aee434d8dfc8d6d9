//! Building the [`HssClient`] from flags and the environment.
//!
//! Credentials are left to `hss-ext`, which resolves them the way `hss-auth`
//! does (environment, then the profile file); the CLI adds the endpoint
//! choice (`--endpoint`, `--region`, `HUAWEICLOUD_SDK_REGION`) and insists on
//! a project id before anything is sent.

use anyhow::Result;
use hss_ext::HssClient;

use crate::args::ConnectionArgs;
use crate::exit::UsageError;

/// The default region when neither `--region` nor `--endpoint` is given.
pub const ENV_REGION: &str = "HUAWEICLOUD_SDK_REGION";

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

/// A client for the flags, the process environment and the profile file.
pub fn client(args: &ConnectionArgs) -> Result<HssClient> {
    let target = target(args, |key| std::env::var(key).ok())?;
    let mut builder = HssClient::builder().user_agent_suffix(user_agent());
    builder = match target {
        Target::Url(url) => builder.endpoint_url(url),
        Target::Region(region) => builder.region(region),
    };
    if let Some(project) = &args.project_id {
        builder = builder.project_id(project);
    }
    let client = builder.build()?;
    if client.project_id().is_none() {
        return Err(UsageError(
            "no project id: pass --project-id, set HUAWEICLOUD_SDK_PROJECT_ID, or add project_id to section [basic] of the credentials file".into(),
        )
        .into());
    }
    Ok(client)
}

/// Appended to `hss-ext`'s `User-Agent`.
pub fn user_agent() -> String {
    format!("hss-cli/{}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(region: Option<&str>, endpoint: Option<&str>) -> ConnectionArgs {
        ConnectionArgs {
            project_id: None,
            region: region.map(Into::into),
            endpoint: endpoint.map(Into::into),
        }
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
