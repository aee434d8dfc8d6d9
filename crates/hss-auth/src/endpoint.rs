//! Where HSS lives: the region table, the per-region override and custom
//! endpoints.
//!
//! Lookup follows the official SDK: the environment variable
//! `HUAWEICLOUD_SDK_REGION_HSS_<REGION_ID upper-cased, - as _>` wins, then
//! the built-in table. Partner clouds on the same stack use their own hosts,
//! so [`Endpoint::custom`] takes any URL. Plain `http` is refused unless the
//! host is loopback or the caller opts out, because the signed request and
//! the response data would otherwise cross the network in clear.

use std::fmt;
use std::str::FromStr;

use url::{Host, Url};

/// A region that has HSS and its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The region id, e.g. `cn-north-4`.
    pub id: &'static str,
    /// The HSS endpoint of that region.
    pub endpoint: &'static str,
}

macro_rules! regions {
    ($($id:literal),* $(,)?) => {
        &[$(Region { id: $id, endpoint: concat!("https://hss.", $id, ".myhuaweicloud.com") }),*]
    };
}

/// Regions on the `myhuaweicloud.com` domain.
const COM_REGIONS: &[Region] = regions![
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-11",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "cn-southwest-2",
    "cn-southwest-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "af-south-1",
    "af-north-1",
    "na-mexico-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "tr-west-1",
    "ae-ad-1",
    "me-east-1",
    "my-kualalumpur-1",
    "ru-moscow-1",
];

/// Regions with their own domain.
const OTHER_REGIONS: &[Region] = &[Region {
    id: "eu-west-101",
    endpoint: "https://hss.eu-west-101.myhuaweicloud.eu",
}];

/// Every region with HSS, as in the official SDK's region table.
pub fn regions() -> impl Iterator<Item = &'static Region> {
    COM_REGIONS.iter().chain(OTHER_REGIONS)
}

/// The default region of this project's `hss` command line (the official
/// SDKs take the region in code): with it, a region's endpoint and its
/// IAM project are found without flags.
pub const ENV_REGION: &str = "HUAWEICLOUD_SDK_REGION";

/// The environment variable that overrides a region's endpoint:
/// `HUAWEICLOUD_SDK_REGION_HSS_` plus the id upper-cased with `-` as `_`.
pub fn region_override_var(region_id: &str) -> String {
    format!(
        "HUAWEICLOUD_SDK_REGION_HSS_{}",
        region_id.replace('-', "_").to_uppercase()
    )
}

/// The `origin` of an [`EndpointError`] about a URL given to
/// [`Endpoint::custom`]: a caller that took it from a flag can name the flag.
pub const CUSTOM_ENDPOINT: &str = "custom endpoint";

/// Why an endpoint could not be chosen. Messages say what was wrong and
/// never repeat a URL that might carry credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The region is not in the table and has no override.
    #[error(
        "unknown HSS region `{region}`; closest known: {}. Or set {override_var} to the endpoint URL, or use a custom endpoint",
        suggestions.join(", ")
    )]
    UnknownRegion {
        /// The region id asked for.
        region: String,
        /// The closest known ids, closest first.
        suggestions: Vec<&'static str>,
        /// The variable that would supply an endpoint for it.
        override_var: String,
    },
    /// The URL does not parse.
    #[error("{origin}: not a valid URL ({source})")]
    InvalidUrl {
        /// Where the URL came from.
        origin: String,
        /// The parse error.
        #[source]
        source: url::ParseError,
    },
    /// The scheme is neither `https` nor `http`.
    #[error("{origin}: scheme `{scheme}` is not supported; use https")]
    UnsupportedScheme {
        /// Where the URL came from.
        origin: String,
        /// The scheme found.
        scheme: String,
    },
    /// Plain `http` to a host that is not loopback. The message names no
    /// API to allow it: a caller says that in its own terms (the `hss`
    /// command line has no way to allow it).
    #[error(
        "{origin}: plain http to {host} would send signed requests and results in clear; use https (plain http is accepted only for loopback hosts, unless insecure http is allowed explicitly)"
    )]
    InsecureHttp {
        /// Where the URL came from.
        origin: String,
        /// The host.
        host: String,
    },
    /// The URL has user info, a path, a query or a fragment, which an
    /// endpoint cannot use (the SDK ignores them; this crate refuses rather
    /// than drop them silently).
    #[error("{origin}: an endpoint is scheme://host[:port] only; remove the {part}")]
    UnexpectedPart {
        /// Where the URL came from.
        origin: String,
        /// Which part: `user info`, `path`, `query` or `fragment`.
        part: &'static str,
    },
    /// The URL has no host.
    #[error("{origin}: the URL has no host")]
    MissingHost {
        /// Where the URL came from.
        origin: String,
    },
}

/// The HSS endpoint a client sends requests to: `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl Endpoint {
    /// The endpoint of a region: the override variable read through `env`
    /// if set (for the official comma-separated form, the first URL), else
    /// the built-in table. An unknown region without override is an error
    /// naming the closest known ids.
    pub fn for_region(
        region_id: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, EndpointError> {
        let var = region_override_var(region_id);
        if let Some(value) = env(&var)
            && let Some(first) = value.split(',').map(str::trim).find(|s| !s.is_empty())
        {
            return Self::parse(first, false, &var);
        }
        match regions().find(|r| r.id == region_id) {
            Some(region) => Ok(Self(
                Url::parse(region.endpoint).expect("built-in endpoints are valid URLs"),
            )),
            None => Err(EndpointError::UnknownRegion {
                region: region_id.to_owned(),
                suggestions: closest_regions(region_id),
                override_var: var,
            }),
        }
    }

    /// [`Endpoint::for_region`] with the real process environment.
    pub fn for_region_from_process_env(region_id: &str) -> Result<Self, EndpointError> {
        Self::for_region(region_id, |k| std::env::var(k).ok())
    }

    /// A custom endpoint, e.g. a partner cloud or a fake server. `https`
    /// is required unless the host is loopback (`127.0.0.0/8`, `::1`,
    /// `localhost`). Without a scheme, `https://` is assumed, as the SDK does.
    pub fn custom(url: &str) -> Result<Self, EndpointError> {
        Self::parse(url, false, CUSTOM_ENDPOINT)
    }

    /// A custom endpoint that may use plain `http` to any host; for test
    /// networks where TLS is not available. Prefer [`Endpoint::custom`].
    pub fn custom_allow_insecure_http(url: &str) -> Result<Self, EndpointError> {
        Self::parse(url, true, CUSTOM_ENDPOINT)
    }

    pub(crate) fn parse(
        raw: &str,
        allow_insecure_http: bool,
        origin: &str,
    ) -> Result<Self, EndpointError> {
        let origin = origin.to_owned();
        let with_scheme;
        let raw = if raw.contains("://") {
            raw
        } else {
            with_scheme = format!("https://{raw}");
            &with_scheme
        };
        let url = Url::parse(raw).map_err(|source| EndpointError::InvalidUrl {
            origin: origin.clone(),
            source,
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::UnexpectedPart {
                origin,
                part: "user info",
            });
        }
        let host = url
            .host()
            .ok_or_else(|| EndpointError::MissingHost {
                origin: origin.clone(),
            })?
            .to_owned();
        match url.scheme() {
            "https" => {}
            "http" if allow_insecure_http || is_loopback(&host) => {}
            "http" => {
                return Err(EndpointError::InsecureHttp {
                    origin,
                    host: host.to_string(),
                });
            }
            other => {
                return Err(EndpointError::UnsupportedScheme {
                    origin,
                    scheme: other.to_owned(),
                });
            }
        }
        let part = if url.path() != "/" {
            Some("path")
        } else if url.query().is_some() {
            Some("query")
        } else if url.fragment().is_some() {
            Some("fragment")
        } else {
            None
        };
        if let Some(part) = part {
            return Err(EndpointError::UnexpectedPart { origin, part });
        }
        Ok(Self(url))
    }

    /// The endpoint URL (path `/`).
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The endpoint URL, owned.
    pub fn into_url(self) -> Url {
        self.0
    }

    /// Whether requests to this endpoint travel in clear.
    pub fn is_insecure(&self) -> bool {
        self.0.scheme() == "http"
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without the trailing `/` that `Url` always has.
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    /// Same as [`Endpoint::custom`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::custom(s)
    }
}

impl AsRef<Url> for Endpoint {
    fn as_ref(&self) -> &Url {
        &self.0
    }
}

fn is_loopback(host: &Host<String>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Up to three known region ids closest to `region_id` by edit distance
/// (compared in lower case), closest first.
fn closest_regions(region_id: &str) -> Vec<&'static str> {
    let wanted = region_id.to_lowercase();
    let mut scored: Vec<(usize, &'static str)> = regions()
        .map(|r| (strsim::levenshtein(&wanted, r.id), r.id))
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn region_table_matches_the_facts() {
        assert_eq!(regions().count(), 32);
        for region in regions() {
            let endpoint = Endpoint::for_region(region.id, no_env).unwrap();
            let host = endpoint.url().host_str().unwrap().to_owned();
            let expected_domain = if region.id == "eu-west-101" {
                "myhuaweicloud.eu"
            } else {
                "myhuaweicloud.com"
            };
            assert_eq!(host, format!("hss.{}.{expected_domain}", region.id));
            assert_eq!(endpoint.url().scheme(), "https");
        }
        assert_eq!(
            Endpoint::for_region("cn-north-4", no_env)
                .unwrap()
                .to_string(),
            "https://hss.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            Endpoint::for_region("eu-west-101", no_env)
                .unwrap()
                .to_string(),
            "https://hss.eu-west-101.myhuaweicloud.eu"
        );
    }

    #[test]
    fn override_variable_wins_even_for_unknown_regions() {
        assert_eq!(
            region_override_var("cn-north-4"),
            "HUAWEICLOUD_SDK_REGION_HSS_CN_NORTH_4"
        );
        let env = |k: &str| {
            (k == "HUAWEICLOUD_SDK_REGION_HSS_CN_NORTH_4")
                .then(|| "https://hss.internal.example:8443, https://backup.example".to_owned())
        };
        assert_eq!(
            Endpoint::for_region("cn-north-4", env).unwrap().to_string(),
            "https://hss.internal.example:8443"
        );
        let env = |k: &str| {
            (k == "HUAWEICLOUD_SDK_REGION_HSS_MY_PRIVATE_1")
                .then(|| "hss.private.example".to_owned())
        };
        assert_eq!(
            Endpoint::for_region("my-private-1", env)
                .unwrap()
                .to_string(),
            "https://hss.private.example"
        );
        // An override is held to the same rules as a custom endpoint.
        let env = |_: &str| Some("http://hss.example.com".to_owned());
        let err = Endpoint::for_region("cn-north-4", env).unwrap_err();
        assert!(matches!(err, EndpointError::InsecureHttp { .. }));
        assert!(
            err.to_string()
                .starts_with("HUAWEICLOUD_SDK_REGION_HSS_CN_NORTH_4: plain http"),
            "{err}"
        );
        // An empty override is ignored.
        let env = |_: &str| Some(" , ".to_owned());
        assert!(Endpoint::for_region("cn-north-4", env).is_ok());
    }

    #[test]
    fn unknown_region_names_the_closest_ids() {
        let err = Endpoint::for_region("cn-nort-4", no_env).unwrap_err();
        match &err {
            EndpointError::UnknownRegion {
                suggestions,
                override_var,
                ..
            } => {
                assert_eq!(suggestions[0], "cn-north-4");
                assert_eq!(suggestions.len(), 3);
                assert_eq!(override_var, "HUAWEICLOUD_SDK_REGION_HSS_CN_NORT_4");
            }
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with("unknown HSS region `cn-nort-4`; closest known: cn-north-4, "),
            "{text}"
        );
        assert!(
            text.contains("HUAWEICLOUD_SDK_REGION_HSS_CN_NORT_4"),
            "{text}"
        );

        let upper = Endpoint::for_region("EU-WEST-101", no_env).unwrap_err();
        assert!(
            matches!(upper, EndpointError::UnknownRegion { suggestions, .. } if suggestions[0] == "eu-west-101")
        );
        let typo = Endpoint::for_region("ap-southeast-7", no_env).unwrap_err();
        assert!(
            matches!(typo, EndpointError::UnknownRegion { suggestions, .. } if suggestions[0].starts_with("ap-southeast-"))
        );
    }

    #[test]
    fn https_is_required_except_for_loopback_or_opt_out() {
        for ok in [
            "https://hss.partner.example",
            "https://hss.partner.example:8443/",
            "hss.partner.example",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9000",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            let endpoint = Endpoint::custom(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(endpoint.url().path(), "/");
        }
        assert!(
            Endpoint::custom("http://127.0.0.1:8080")
                .unwrap()
                .is_insecure()
        );

        for bad in [
            "http://hss.example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            let err = Endpoint::custom(bad).unwrap_err();
            assert!(
                matches!(err, EndpointError::InsecureHttp { .. }),
                "{bad}: {err:?}"
            );
            assert!(err.to_string().contains("use https"), "{err}");
            assert!(Endpoint::custom_allow_insecure_http(bad).is_ok(), "{bad}");
        }
    }

    #[test]
    fn malformed_endpoints_say_what_is_wrong() {
        type Check = fn(&EndpointError) -> bool;
        let cases: [(&str, Check); 8] = [
            ("https://", |e| {
                matches!(e, EndpointError::InvalidUrl { .. })
            }),
            (
                "ftp://h.example",
                |e| matches!(e, EndpointError::UnsupportedScheme { scheme, .. } if scheme == "ftp"),
            ),
            ("https://h.example/v5", |e| {
                matches!(e, EndpointError::UnexpectedPart { part: "path", .. })
            }),
            ("https://h.example/?a=1", |e| {
                matches!(e, EndpointError::UnexpectedPart { part: "query", .. })
            }),
            ("https://h.example/#f", |e| {
                matches!(
                    e,
                    EndpointError::UnexpectedPart {
                        part: "fragment",
                        ..
                    }
                )
            }),
            ("https://user:pw-secret@h.example", |e| {
                matches!(
                    e,
                    EndpointError::UnexpectedPart {
                        part: "user info",
                        ..
                    }
                )
            }),
            ("unix:///tmp/sock", |e| {
                matches!(
                    e,
                    EndpointError::UnsupportedScheme { .. } | EndpointError::MissingHost { .. }
                )
            }),
            ("https://exa mple.com", |e| {
                matches!(e, EndpointError::InvalidUrl { .. })
            }),
        ];
        for (input, check) in cases {
            let err = Endpoint::custom(input).unwrap_err();
            assert!(check(&err), "{input}: {err:?}");
            assert!(err.to_string().starts_with("custom endpoint: "), "{err}");
            assert!(!err.to_string().contains("pw-secret"), "{err}");
            assert!(!format!("{err:?}").contains("pw-secret"), "{err:?}");
        }
        assert!("https://h.example".parse::<Endpoint>().is_ok());
    }
}
