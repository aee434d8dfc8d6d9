//! The instance metadata service of a Huawei Cloud server, on the fake's
//! own address (the paths do not collide with HSS's or IAM's): session
//! tokens (`PUT /meta-data/latest/api/token`) and temporary credentials
//! (`GET /openstack/latest/securitykey`) that expire, as
//! `hss_auth::metadata` describes the official SDKs' use of it.
//!
//! Every `securitykey` answer issues a new temporary AK/SK and security
//! token, valid for the configured lifetime on the fake's clock; the
//! fake's gateway accepts them until they expire and then refuses them
//! with 401 `APIGW.0301`. A client that refreshes in time never sees that.

use std::sync::Mutex;
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use time::OffsetDateTime;

use crate::credentials::AkSk;

/// How long issued credentials last unless configured otherwise.
pub const DEFAULT_METADATA_CREDENTIALS_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How the fake's metadata service behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetadataOptions {
    /// How long each issued credential lasts.
    pub ttl: Duration,
    /// Whether `securitykey` requires a session token (`X-Metadata-Token`
    /// from `PUT /meta-data/latest/api/token`); without one it answers 401.
    pub require_token: bool,
    /// Whether the server has an agency; without one `securitykey` answers
    /// 401 "Please configure Cloud Service Agency first".
    pub agency: bool,
}

impl Default for MetadataOptions {
    /// Credentials for 24 hours, session tokens optional, an agency.
    fn default() -> Self {
        MetadataOptions {
            ttl: DEFAULT_METADATA_CREDENTIALS_TTL,
            require_token: false,
            agency: true,
        }
    }
}

/// A temporary credential the metadata service issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCredential {
    /// The key (with its security token).
    pub key: AkSk,
    /// When the fake's gateway stops accepting it.
    pub expires_at: OffsetDateTime,
}

pub(crate) struct Metadata {
    options: Mutex<MetadataOptions>,
    issued: Mutex<Vec<IssuedCredential>>,
    tokens: Mutex<Vec<String>>,
    rng: Mutex<ChaCha8Rng>,
}

/// What the service answers: status, content type and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) json: bool,
    pub(crate) body: Vec<u8>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Metadata {
    pub(crate) fn new(options: MetadataOptions, seed: u64) -> Self {
        Metadata {
            options: Mutex::new(options),
            issued: Mutex::new(Vec::new()),
            tokens: Mutex::new(Vec::new()),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x6d65_7461_0000_0000)),
        }
    }

    pub(crate) fn set_options(&self, options: MetadataOptions) {
        *lock(&self.options) = options;
    }

    pub(crate) fn issued(&self) -> Vec<IssuedCredential> {
        lock(&self.issued).clone()
    }

    /// The issued credential with access key `ak`, if any.
    pub(crate) fn find(&self, ak: &str) -> Option<IssuedCredential> {
        lock(&self.issued).iter().find(|c| c.key.ak == ak).cloned()
    }

    fn text(&self, alphabet: &[u8], n: usize) -> String {
        let mut rng = lock(&self.rng);
        (0..n)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
            .collect()
    }

    /// `PUT /meta-data/latest/api/token`.
    pub(crate) fn token(&self, ttl_header: Option<&str>) -> Answer {
        let valid = ttl_header
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|ttl| (1..=21_600).contains(&ttl));
        if !valid {
            return Answer {
                status: 400,
                json: false,
                body: b"X-Metadata-Token-Ttl-Seconds must be 1..21600".to_vec(),
            };
        }
        let token = self.text(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            56,
        );
        lock(&self.tokens).push(token.clone());
        Answer {
            status: 200,
            json: false,
            body: token.into_bytes(),
        }
    }

    /// `GET /openstack/latest/securitykey`.
    pub(crate) fn security_key(&self, token: Option<&str>, now: OffsetDateTime) -> Answer {
        let options = *lock(&self.options);
        let refused = |message: &str| Answer {
            status: 401,
            json: true,
            body: serde_json::to_vec(&json!({ "error": message })).expect("JSON"),
        };
        match token {
            Some(token) if !lock(&self.tokens).iter().any(|t| t == token) => {
                return refused("invalid X-Metadata-Token");
            }
            None if options.require_token => return refused("X-Metadata-Token is required"),
            _ => {}
        }
        if !options.agency {
            return refused(hss_auth::metadata::NO_AGENCY_MESSAGE);
        }
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let key = AkSk {
            ak: self.text(UPPER, 20),
            sk: self.text(ALNUM, 40),
            security_token: Some(format!("gQxtZXRhZGF0YQ{}", self.text(B64, 180))),
        };
        let expires_at = now + time::Duration::try_from(options.ttl).unwrap_or(time::Duration::DAY);
        // What the answer says: microseconds.
        let expires_at = expires_at
            .replace_microsecond(expires_at.microsecond())
            .unwrap_or(expires_at);
        let body = json!({"credential": {
            "access": key.ak,
            "secret": key.sk,
            "securitytoken": key.security_token,
            "expires_at": format_expires_at(expires_at),
        }});
        lock(&self.issued).push(IssuedCredential { key, expires_at });
        Answer {
            status: 200,
            json: true,
            body: serde_json::to_vec(&body).expect("JSON"),
        }
    }
}

/// `2020-09-18T02:56:37.436000Z`, as the service writes it.
fn format_expires_at(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_parse_back_and_expire() {
        let metadata = Metadata::new(MetadataOptions::default(), 1);
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let answer = metadata.security_key(None, now);
        assert_eq!(answer.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        let expires = body["credential"]["expires_at"].as_str().unwrap();
        assert_eq!(
            hss_auth::metadata::parse_expires_at(expires),
            Some(now + time::Duration::DAY)
        );
        let issued = metadata.issued();
        assert_eq!(issued.len(), 1);
        assert_eq!(body["credential"]["access"], issued[0].key.ak.as_str());
        // A second call issues another one.
        metadata.security_key(None, now);
        assert_ne!(metadata.issued()[1].key.ak, issued[0].key.ak);
    }

    #[test]
    fn tokens_and_agencies() {
        let metadata = Metadata::new(
            MetadataOptions {
                require_token: true,
                ..MetadataOptions::default()
            },
            1,
        );
        let now = OffsetDateTime::now_utc();
        assert_eq!(metadata.security_key(None, now).status, 401);
        assert_eq!(metadata.security_key(Some("made-up"), now).status, 401);
        assert_eq!(metadata.token(None).status, 400);
        let token = String::from_utf8(metadata.token(Some("21600")).body).unwrap();
        assert_eq!(metadata.security_key(Some(&token), now).status, 200);
        metadata.set_options(MetadataOptions {
            agency: false,
            ..MetadataOptions::default()
        });
        let answer = metadata.security_key(None, now);
        assert_eq!(answer.status, 401);
        assert!(String::from_utf8_lossy(&answer.body).contains("Cloud Service Agency"));
    }
}
