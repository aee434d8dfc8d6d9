//! Project id discovery through IAM, as the official SDKs do it.
//!
//! `BasicCredentials` without a project id ask IAM for the project named
//! after the region: `GET /v3/projects?name=<region>` on the region's IAM
//! endpoint, signed with the same AK/SK (`huaweicloudsdkcore` 3.1.219,
//! `auth/credentials.py`, `BasicCredentials.process_auth_params`). No
//! project is an error, several are an error naming them, one is the
//! answer.
//!
//! This module holds what does not need HTTP: where IAM is
//! ([`iam_endpoint`]: explicit value, the profile file's `iam_endpoint`
//! key, `HUAWEICLOUD_SDK_IAM_ENDPOINT`, the SDK's region table, then the
//! global endpoint, in the SDK's order), the request's URL
//! ([`projects_url`]) and what the answer means ([`choose_project`]).
//! `hss-ext` sends the request; `hss-fake` answers it.

use std::fmt;
use std::path::{Path, PathBuf};

use url::Url;

use crate::endpoint::{Endpoint, EndpointError};
use crate::signer::canonical_query_string;

/// Environment variable with the IAM endpoint to use instead of the
/// region's (the official SDKs' name).
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The key of the profile file's `[basic]` section with an IAM endpoint
/// (the official SDKs' name).
pub const PROFILE_IAM_ENDPOINT_KEY: &str = "iam_endpoint";
/// The IAM endpoint of regions the table does not list (the SDK's default).
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// The path of Keystone's project list.
pub const PROJECTS_PATH: &str = "/v3/projects";
/// The response header IAM names its trace id in; support asks for it.
pub const TRACE_ID_HEADER: &str = "x-iam-trace-id";
/// The longest project id this crate accepts from IAM (the HSS path
/// parameter's limit).
pub const MAX_PROJECT_ID_CHARS: usize = 256;

/// The official SDK's IAM endpoint table (`auth/endpoint.py`).
const IAM_REGIONS: &[&str] = &[
    "cn-north-2",
    "cn-north-4",
    "cn-north-1",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "na-mexico-1",
    "la-north-2",
    "cn-north-9",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ap-southeast-4",
    "ae-ad-1",
    "cn-east-4",
    "cn-east-5",
    "tr-west-1",
    "cn-north-12",
];

/// The regions with an IAM endpoint of their own in the official SDK's
/// table (`https://iam.<region>.myhuaweicloud.com`); others use
/// [`DEFAULT_IAM_ENDPOINT`].
pub fn iam_regions() -> impl Iterator<Item = &'static str> {
    IAM_REGIONS.iter().copied()
}

/// How the IAM endpoint was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamEndpointSource {
    /// Given by the caller.
    Explicit,
    /// Key `iam_endpoint` of the profile file the credentials came from.
    ProfileFile(PathBuf),
    /// [`ENV_IAM_ENDPOINT`].
    Environment,
    /// The region's entry in the SDK's table.
    RegionTable,
    /// [`DEFAULT_IAM_ENDPOINT`]: the region is not in the table.
    Default,
}

impl fmt::Display for IamEndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("given explicitly"),
            Self::ProfileFile(path) => write!(
                f,
                "key `{PROFILE_IAM_ENDPOINT_KEY}` of the credentials file {}",
                path.display()
            ),
            Self::Environment => write!(f, "environment variable {ENV_IAM_ENDPOINT}"),
            Self::RegionTable => f.write_str("the region's IAM endpoint"),
            Self::Default => {
                f.write_str("the global IAM endpoint (the region has none of its own)")
            }
        }
    }
}

/// The IAM endpoint for `region`, in the official SDK's order: `explicit`,
/// then the profile file's `iam_endpoint` (`profile`: the file and the
/// value, when the credentials came from that file), then
/// [`ENV_IAM_ENDPOINT`] read through `env`, then the region's entry in the
/// SDK's table, then [`DEFAULT_IAM_ENDPOINT`]. A given endpoint follows
/// the rules of [`Endpoint::custom`] (https, or http to a loopback host).
pub fn iam_endpoint(
    region: &str,
    explicit: Option<&str>,
    profile: Option<(&Path, &str)>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Endpoint, IamEndpointSource), EndpointError> {
    let given = |value: &str| !value.trim().is_empty();
    if let Some(url) = explicit.filter(|v| given(v)) {
        return Ok((
            Endpoint::parse(url.trim(), false, "the IAM endpoint")?,
            IamEndpointSource::Explicit,
        ));
    }
    if let Some((path, url)) = profile.filter(|(_, v)| given(v)) {
        let origin = format!(
            "key `{PROFILE_IAM_ENDPOINT_KEY}` of {}",
            path.to_string_lossy()
        );
        return Ok((
            Endpoint::parse(url.trim(), false, &origin)?,
            IamEndpointSource::ProfileFile(path.to_owned()),
        ));
    }
    if let Some(url) = env(ENV_IAM_ENDPOINT).filter(|v| given(v)) {
        return Ok((
            Endpoint::parse(url.trim(), false, ENV_IAM_ENDPOINT)?,
            IamEndpointSource::Environment,
        ));
    }
    if IAM_REGIONS.contains(&region) {
        let url = format!("https://iam.{region}.myhuaweicloud.com");
        return Ok((
            Endpoint::parse(&url, false, "the region's IAM endpoint")?,
            IamEndpointSource::RegionTable,
        ));
    }
    Ok((
        Endpoint::parse(DEFAULT_IAM_ENDPOINT, false, "the global IAM endpoint")?,
        IamEndpointSource::Default,
    ))
}

/// The `iam_endpoint` key of the profile file's `[basic]` section, when the
/// file exists and has one (the official SDK applies it to credentials read
/// from that file).
pub fn profile_iam_endpoint(
    path: &Path,
) -> Result<Option<String>, crate::credentials::CredentialsError> {
    Ok(crate::credentials::read_profile_section(path)?
        .and_then(|mut section| section.remove(PROFILE_IAM_ENDPOINT_KEY))
        .filter(|v| !v.trim().is_empty()))
}

/// The URL of the request that lists the projects named `region`:
/// `<iam>/v3/projects?name=<region>`, its query in canonical form so it can
/// be signed as it is.
pub fn projects_url(iam: &Endpoint, region: &str) -> Url {
    let mut url = iam.url().clone();
    url.set_path(PROJECTS_PATH);
    url.set_query(Some(&canonical_query_string(&[("name", region)])));
    url
}

/// Where a project id can be set, as [`ProjectError`] says it: a caller
/// with settings of its own (the `hss` command line's `--project-id`) can
/// put its words in place of this text.
pub const WHERE_TO_SET_PROJECT_ID: &str =
    "HUAWEICLOUD_SDK_PROJECT_ID, `project_id` in the credentials file, or the client's project id";

/// Why no single project came out of IAM's answer. Messages say what to
/// do; the ids in them are checked to be printable text first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// IAM knows no project named after the region for these credentials.
    #[error(
        "IAM ({endpoint}) has no project named `{region}` for these credentials{}: check the region, or set the project id ({where_to_set})",
        fmt_trace(.trace_id),
        where_to_set = WHERE_TO_SET_PROJECT_ID
    )]
    NotFound {
        /// The region asked for.
        region: String,
        /// The IAM endpoint asked.
        endpoint: String,
        /// IAM's trace id, for support.
        trace_id: Option<String>,
    },
    /// IAM has several projects with the region's name.
    #[error(
        "IAM ({endpoint}) has {} projects named `{region}`: {}{}; choose one and set it as the project id ({where_to_set})",
        .candidates.len(), .candidates.join(", "), fmt_trace(.trace_id),
        where_to_set = WHERE_TO_SET_PROJECT_ID
    )]
    Ambiguous {
        /// The region asked for.
        region: String,
        /// The IAM endpoint asked.
        endpoint: String,
        /// The ids of the projects, in IAM's order.
        candidates: Vec<String>,
        /// IAM's trace id, for support.
        trace_id: Option<String>,
    },
    /// IAM answered with something that is not a project id.
    #[error("IAM ({endpoint}) answered the project list for `{region}` with {reason}")]
    InvalidAnswer {
        /// The region asked for.
        region: String,
        /// The IAM endpoint asked.
        endpoint: String,
        /// What is wrong with the answer.
        reason: String,
    },
}

fn fmt_trace(trace_id: &Option<String>) -> String {
    trace_id
        .as_ref()
        .map(|id| format!(" (X-IAM-Trace-Id {id})"))
        .unwrap_or_default()
}

/// A project id as IAM may send one: 1 to [`MAX_PROJECT_ID_CHARS`]
/// printable characters, no `/`, `\` or dot segment (it becomes a path
/// segment of every HSS request).
pub fn is_valid_project_id(id: &str) -> bool {
    let chars = id.chars().count();
    (1..=MAX_PROJECT_ID_CHARS).contains(&chars)
        && id != "."
        && id != ".."
        && !id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '/' || c == '\\')
}

/// Text from an answer, as it may appear in a message: the printable
/// characters only, at most 64 of them.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// The one project of the answer to [`projects_url`]: `ids` are the `id`s
/// of the answer's `projects` in order, `trace_id` its
/// [`TRACE_ID_HEADER`]. None is [`ProjectError::NotFound`], several
/// [`ProjectError::Ambiguous`] naming them, an id that is not one
/// ([`is_valid_project_id`]) [`ProjectError::InvalidAnswer`].
pub fn choose_project(
    region: &str,
    endpoint: &Endpoint,
    ids: Vec<String>,
    trace_id: Option<&str>,
) -> Result<String, ProjectError> {
    let endpoint_text = endpoint.to_string();
    let trace_id = trace_id.map(printable).filter(|t| !t.is_empty());
    if let Some(bad) = ids.iter().find(|id| !is_valid_project_id(id)) {
        return Err(ProjectError::InvalidAnswer {
            region: region.to_owned(),
            endpoint: endpoint_text,
            reason: format!(
                "a project id that cannot be one ({} characters: {:?})",
                bad.chars().count(),
                printable(bad)
            ),
        });
    }
    let mut ids = ids;
    match ids.len() {
        0 => Err(ProjectError::NotFound {
            region: region.to_owned(),
            endpoint: endpoint_text,
            trace_id,
        }),
        1 => Ok(ids.remove(0)),
        _ => Err(ProjectError::Ambiguous {
            region: region.to_owned(),
            endpoint: endpoint_text,
            candidates: ids,
            trace_id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_endpoint_follows_the_sdk_order() {
        let env = |k: &str| (k == ENV_IAM_ENDPOINT).then(|| "http://127.0.0.1:9".to_owned());
        let profile = Path::new("/home/u/.huaweicloud/credentials");
        let (e, s) = iam_endpoint(
            "cn-north-4",
            Some("https://iam.explicit.example"),
            Some((profile, "https://iam.profile.example")),
            env,
        )
        .unwrap();
        assert_eq!(
            (e.to_string(), s),
            (
                "https://iam.explicit.example".to_owned(),
                IamEndpointSource::Explicit
            )
        );
        let (e, s) = iam_endpoint(
            "cn-north-4",
            None,
            Some((profile, "https://iam.profile.example")),
            env,
        )
        .unwrap();
        assert_eq!(e.to_string(), "https://iam.profile.example");
        assert_eq!(s, IamEndpointSource::ProfileFile(profile.to_owned()));
        let (e, s) = iam_endpoint("cn-north-4", None, Some((profile, " ")), env).unwrap();
        assert_eq!(
            (e.to_string(), s),
            (
                "http://127.0.0.1:9".to_owned(),
                IamEndpointSource::Environment
            )
        );
        let (e, s) = iam_endpoint("cn-north-4", None, None, no_env).unwrap();
        assert_eq!(
            (e.to_string(), s),
            (
                "https://iam.cn-north-4.myhuaweicloud.com".to_owned(),
                IamEndpointSource::RegionTable
            )
        );
        // Not in the SDK's table (HSS has it, IAM's table does not).
        let (e, s) = iam_endpoint("cn-south-4", None, None, no_env).unwrap();
        assert_eq!(
            (e.to_string(), s),
            (DEFAULT_IAM_ENDPOINT.to_owned(), IamEndpointSource::Default)
        );
        assert_eq!(iam_regions().count(), 27);
    }

    #[test]
    fn a_given_endpoint_is_held_to_the_endpoint_rules() {
        let env = |_: &str| Some("http://iam.example.com".to_owned());
        let err = iam_endpoint("cn-north-4", None, None, env).unwrap_err();
        assert!(matches!(err, EndpointError::InsecureHttp { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(ENV_IAM_ENDPOINT),
            "the message names the variable: {err}"
        );
        let err = iam_endpoint("r", Some("https://iam.example/v3"), None, no_env).unwrap_err();
        assert!(matches!(
            err,
            EndpointError::UnexpectedPart { part: "path", .. }
        ));
    }

    #[test]
    fn the_profile_file_may_name_the_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        assert_eq!(profile_iam_endpoint(&path).unwrap(), None, "no file");
        std::fs::write(&path, "[basic]\nak = A\nsk = S\n").unwrap();
        assert_eq!(profile_iam_endpoint(&path).unwrap(), None);
        std::fs::write(
            &path,
            "[basic]\nak = A\nIAM_ENDPOINT = https://iam.p.example\n",
        )
        .unwrap();
        assert_eq!(
            profile_iam_endpoint(&path).unwrap().as_deref(),
            Some("https://iam.p.example")
        );
    }

    #[test]
    fn the_url_is_signable_as_it_is() {
        let iam = Endpoint::custom("http://127.0.0.1:8080").unwrap();
        let url = projects_url(&iam, "cn-north-4");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/v3/projects?name=cn-north-4"
        );
        let odd = projects_url(&iam, "a b&c");
        assert_eq!(odd.query(), Some("name=a%20b%26c"));
        assert_eq!(
            crate::signer::canonical_query(odd.query().unwrap()),
            odd.query().unwrap()
        );
    }

    #[test]
    fn none_one_or_several_projects() {
        let iam = Endpoint::custom("https://iam.example").unwrap();
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            choose_project("r-1", &iam, ids(&["0a1b"]), None).unwrap(),
            "0a1b"
        );
        let none = choose_project("r-1", &iam, vec![], Some("trace-7")).unwrap_err();
        assert!(matches!(none, ProjectError::NotFound { .. }));
        let text = none.to_string();
        assert!(text.contains("no project named `r-1`"), "{text}");
        assert!(text.contains("X-IAM-Trace-Id trace-7"), "{text}");
        assert!(text.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{text}");
        let several = choose_project("r-1", &iam, ids(&["p1", "p2"]), None).unwrap_err();
        match &several {
            ProjectError::Ambiguous { candidates, .. } => {
                assert_eq!(candidates, &ids(&["p1", "p2"]))
            }
            other => panic!("{other:?}"),
        }
        assert!(
            several
                .to_string()
                .contains("2 projects named `r-1`: p1, p2")
        );
    }

    #[test]
    fn ids_that_are_not_ids_are_refused_in_one_line() {
        let iam = Endpoint::custom("https://iam.example").unwrap();
        for bad in [
            "",
            "..",
            "a/b",
            "a\\b",
            "a b",
            "x\r\nInjected: 1",
            &"x".repeat(257),
        ] {
            let err = choose_project("r", &iam, vec![bad.to_owned()], Some("t\n1")).unwrap_err();
            assert!(matches!(err, ProjectError::InvalidAnswer { .. }), "{bad:?}");
            assert!(!err.to_string().chars().any(char::is_control), "{err}");
        }
        let several = choose_project("r", &iam, vec!["a".into(), "b".into()], Some("t\n1"))
            .unwrap_err()
            .to_string();
        assert!(!several.chars().any(char::is_control), "{several}");
    }
}
