//! Temporary credentials from the instance metadata service of a Huawei
//! Cloud server (ECS/BMS), as the official SDKs get them
//! (`huaweicloudsdkcore` 3.1.219, `auth/internal.py`, `MetadataAccessor`):
//!
//! 1. `PUT /meta-data/latest/api/token` with
//!    `X-Metadata-Token-Ttl-Seconds: 21600` for a session token (a `404`,
//!    `405` or `503` means the service has none: go on without);
//! 2. `GET /openstack/latest/securitykey` with `X-Metadata-Token`; a `401`
//!    that is not "Please configure Cloud Service Agency first" asks for a
//!    new session token and tries once more;
//! 3. the answer `{"credential": {"access", "secret", "securitytoken",
//!    "expires_at"}}` is a temporary AK/SK with its security token.
//!
//! The credentials are fetched again when less than [`REFRESH_BEFORE`]
//! (the SDK's 40 minutes) is left. The service is at
//! [`DEFAULT_METADATA_ENDPOINT`]; [`ENV_METADATA_ENDPOINT`] (this
//! project's name: the SDKs have none) or an explicit value moves it, which
//! is how tests point a client at a fake on 127.0.0.1.
//!
//! This module holds what needs no HTTP; `hss-ext` sends the requests and
//! `hss-fake` answers them.

use std::fmt;

use secrecy::SecretString;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use url::Host;

use crate::credentials::Credentials;
use crate::endpoint::{Endpoint, EndpointError};
use crate::signer::Redacted;

/// Where the metadata service of a Huawei Cloud server answers.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// Environment variable with another metadata endpoint (this project's
/// name; the official SDKs cannot move it).
pub const ENV_METADATA_ENDPOINT: &str = "HUAWEICLOUD_SDK_METADATA_ENDPOINT";
/// The path of the temporary credentials.
pub const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// The path of the session token.
pub const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// The header that carries the session token.
pub const X_METADATA_TOKEN: &str = "x-metadata-token";
/// The header that asks for a session token's lifetime.
pub const X_METADATA_TOKEN_TTL_SECONDS: &str = "x-metadata-token-ttl-seconds";
/// The lifetime asked for a session token (the SDK's 6 hours).
pub const TOKEN_TTL_SECONDS: u64 = 6 * 60 * 60;
/// Credentials are fetched again when less than this is left (the SDK's
/// threshold).
pub const REFRESH_BEFORE: std::time::Duration = std::time::Duration::from_secs(40 * 60);
/// What the service says in a `401` when the server has no agency.
pub const NO_AGENCY_MESSAGE: &str = "Please configure Cloud Service Agency first";

/// The metadata endpoint: `explicit`, else [`ENV_METADATA_ENDPOINT`] read
/// through `env`, else [`DEFAULT_METADATA_ENDPOINT`]. Plain `http` is what
/// the service speaks, so it is accepted for link-local (`169.254.0.0/16`,
/// `fe80::/10`) and loopback hosts; any other host needs `https`.
pub fn metadata_endpoint(
    explicit: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Endpoint, EndpointError> {
    let (raw, origin) = match explicit.filter(|v| !v.trim().is_empty()) {
        Some(value) => (value.trim().to_owned(), "the metadata endpoint"),
        None => match env(ENV_METADATA_ENDPOINT).filter(|v| !v.trim().is_empty()) {
            Some(value) => (value.trim().to_owned(), ENV_METADATA_ENDPOINT),
            None => (
                DEFAULT_METADATA_ENDPOINT.to_owned(),
                "the metadata endpoint",
            ),
        },
    };
    let raw = if raw.contains("://") {
        raw
    } else {
        format!("http://{raw}")
    };
    let link_local = url::Url::parse(&raw)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
        .is_some_and(|host| match host {
            Host::Ipv4(ip) => ip.is_link_local() || ip.is_loopback(),
            Host::Ipv6(ip) => (ip.segments()[0] & 0xffc0) == 0xfe80 || ip.is_loopback(),
            Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        });
    Endpoint::parse(&raw, link_local, origin)
}

/// Temporary credentials from the metadata service. `Debug` redacts the
/// secret key and the security token.
#[derive(Clone)]
pub struct TemporaryCredential {
    /// The access key id.
    pub ak: String,
    /// The secret key.
    pub sk: SecretString,
    /// The security token.
    pub security_token: SecretString,
    /// When they stop working.
    pub expires_at: OffsetDateTime,
}

impl fmt::Debug for TemporaryCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryCredential")
            .field("ak", &self.ak)
            .field("sk", &Redacted)
            .field("security_token", &Redacted)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl TemporaryCredential {
    /// Whether they should be fetched again at `now`: less than
    /// [`REFRESH_BEFORE`] is left.
    pub fn needs_refresh(&self, now: OffsetDateTime) -> bool {
        self.expires_at - now < REFRESH_BEFORE
    }

    /// Whether they no longer work at `now`.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at <= now
    }

    /// The credentials to sign with.
    pub fn credentials(&self) -> Credentials {
        Credentials::temporary(
            self.ak.clone(),
            self.sk.clone(),
            self.security_token.clone(),
        )
    }
}

/// Reads `expires_at` as the service writes it:
/// `2020-09-18T02:56:37.436000Z` (the SDK's `%Y-%m-%dT%H:%M:%S.%fZ`), also
/// without the fraction or with `+00:00` for `Z`. The time is UTC (the SDK
/// reads it as local time, which is only right on servers set to UTC).
pub fn parse_expires_at(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i32 = number(date_parts.next()?, 4)?;
    let month: u8 = number(date_parts.next()?, 2)?;
    let day: u8 = number(date_parts.next()?, 2)?;
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (time, None),
    };
    let mut time_parts = hms.splitn(3, ':');
    let hour: u8 = number(time_parts.next()?, 2)?;
    let minute: u8 = number(time_parts.next()?, 2)?;
    let second: u8 = number(time_parts.next()?, 2)?;
    let nanos = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn number<T: std::str::FromStr>(text: &str, digits: usize) -> Option<T> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::utc;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_endpoint_is_the_link_local_one_unless_moved() {
        assert_eq!(
            metadata_endpoint(None, no_env).unwrap().to_string(),
            DEFAULT_METADATA_ENDPOINT
        );
        let env = |k: &str| (k == ENV_METADATA_ENDPOINT).then(|| "http://127.0.0.1:9".to_owned());
        assert_eq!(
            metadata_endpoint(None, env).unwrap().to_string(),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            metadata_endpoint(Some("127.0.0.1:7"), env)
                .unwrap()
                .to_string(),
            "http://127.0.0.1:7"
        );
        assert!(metadata_endpoint(Some("http://[fe80::1]:80"), no_env).is_ok());
        assert!(metadata_endpoint(Some("https://metadata.example"), no_env).is_ok());
        let err = metadata_endpoint(Some("http://metadata.example"), no_env).unwrap_err();
        assert!(matches!(err, EndpointError::InsecureHttp { .. }), "{err:?}");
        let env = |_: &str| Some("http://10.0.0.1".to_owned());
        let err = metadata_endpoint(None, env).unwrap_err();
        assert!(err.to_string().starts_with(ENV_METADATA_ENDPOINT), "{err}");
    }

    #[test]
    fn expiry_times_as_the_service_writes_them() {
        let at = utc(2020, 9, 18, 2, 56, 37);
        assert_eq!(
            parse_expires_at("2020-09-18T02:56:37.436000Z"),
            Some(at + time::Duration::milliseconds(436))
        );
        assert_eq!(parse_expires_at("2020-09-18T02:56:37Z"), Some(at));
        assert_eq!(parse_expires_at("2020-09-18T02:56:37+00:00"), Some(at));
        for bad in [
            "",
            "2020-09-18T02:56:37",
            "2020-09-18 02:56:37Z",
            "2020-13-18T02:56:37Z",
            "2020-09-18T02:56:37.Z",
            "2020-09-18T02:56:37.1234567890Z",
            "20-09-18T02:56:37Z",
            "2020-09-18T02:56:3éZ",
        ] {
            assert_eq!(parse_expires_at(bad), None, "{bad}");
        }
    }

    #[test]
    fn refresh_comes_40_minutes_before_expiry() {
        let now = utc(2024, 1, 1, 12, 0, 0);
        let credential = TemporaryCredential {
            ak: "AK".into(),
            sk: SecretString::from("sk-secret".to_owned()),
            security_token: SecretString::from("token-secret".to_owned()),
            expires_at: now + time::Duration::minutes(41),
        };
        assert!(!credential.needs_refresh(now));
        assert!(credential.needs_refresh(now + time::Duration::minutes(2)));
        assert!(!credential.is_expired(now + time::Duration::minutes(40)));
        assert!(credential.is_expired(now + time::Duration::minutes(41)));
        let debug = format!("{credential:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(matches!(
            credential.credentials(),
            Credentials::AkSk {
                security_token: Some(_),
                ..
            }
        ));
    }
}
