//! Authentication as the API gateway does it: an IAM token in
//! `X-Auth-Token`, or an AK/SK `SDK-HMAC-SHA256` signature (checked by
//! `hss-auth`), optionally with a temporary credential's `X-Security-Token`.
//!
//! Five failed signature checks in a row for one AK lock that AK for five
//! minutes, as the real gateway does ([`Lockout`]); a success resets the count.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::aksk::{self, AuthInput};
use crate::credentials::AcceptedCredentials;
use crate::metadata::Metadata;

/// Locking an AK after repeated signature failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    /// Failures in a row that lock the AK.
    pub failures: u32,
    /// How long it stays locked.
    pub duration: Duration,
}

impl Default for Lockout {
    /// Five failures lock the AK for five minutes, like the real gateway.
    fn default() -> Self {
        Lockout {
            failures: 5,
            duration: Duration::from_secs(300),
        }
    }
}

/// Who made an accepted request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Authentication is off.
    Anonymous,
    /// An `X-Auth-Token` (the index in [`AcceptedCredentials::tokens`]).
    Token(usize),
    /// An AK/SK signature.
    AccessKey {
        /// The access key.
        ak: String,
        /// Whether the request used a temporary credential.
        temporary: bool,
        /// Headers that were sent but not signed; the gateway accepts them,
        /// a client that signs everything it sends leaves this empty.
        unsigned_headers: Vec<String>,
    },
}

#[derive(Debug, Default)]
struct Failures {
    in_a_row: u32,
    locked_until: Option<OffsetDateTime>,
}

pub(crate) struct Auth {
    pub(crate) enabled: bool,
    pub(crate) credentials: AcceptedCredentials,
    pub(crate) max_skew: Duration,
    pub(crate) lockout: Option<Lockout>,
    /// The metadata service, whose issued credentials are accepted until
    /// they expire.
    pub(crate) metadata: Arc<Metadata>,
    failures: Mutex<HashMap<String, Failures>>,
}

const PREFIX: &str = "Incorrect IAM authentication information: ";

impl Auth {
    pub(crate) fn new(
        enabled: bool,
        credentials: AcceptedCredentials,
        max_skew: Duration,
        lockout: Option<Lockout>,
        metadata: Arc<Metadata>,
    ) -> Auth {
        Auth {
            enabled,
            credentials,
            max_skew,
            lockout,
            metadata,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Checks a request; `Err` carries the `error_msg` of the 401 answer
    /// (never a secret).
    pub(crate) fn check(&self, input: &AuthInput<'_>) -> Result<Caller, String> {
        if !self.enabled {
            return Ok(Caller::Anonymous);
        }
        if let Some(token) = input.headers.get("x-auth-token") {
            let token = token.as_bytes();
            return match self
                .credentials
                .tokens
                .iter()
                .position(|t| constant_time_eq(t.as_bytes(), token))
            {
                Some(i) => Ok(Caller::Token(i)),
                None => Err(format!("{PREFIX}verify token fail")),
            };
        }
        let Some(authorization) = input.headers.get(http::header::AUTHORIZATION) else {
            return Err(format!("{PREFIX}x-auth-token not found"));
        };
        let Some(ak) = authorization
            .to_str()
            .ok()
            .and_then(access_key_of)
            .map(str::to_owned)
        else {
            return Err(format!(
                "{PREFIX}Authorization is not of the form SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..."
            ));
        };
        let key = match self.credentials.key(&ak) {
            Some(key) => key.clone(),
            None => match self.metadata.find(&ak) {
                Some(issued) if issued.expires_at <= input.now => {
                    return Err(format!(
                        "{PREFIX}the security token of temporary access key {ak} expired at {}",
                        hss_auth::signer::format_sdk_date(issued.expires_at).unwrap_or_default()
                    ));
                }
                Some(issued) => issued.key,
                None => return Err(format!("{PREFIX}access key {ak} does not exist")),
            },
        };
        let key = &key;
        if let Some(until) = self.locked_until(&ak, input.now) {
            return Err(format!(
                "{PREFIX}access key {ak} is locked after repeated signature failures until {until}"
            ));
        }
        let result = aksk::verify(input, key, self.max_skew).and_then(|verified| {
            match (&key.security_token, verified.security_token.as_deref()) {
                (None, None) => Ok(Caller::AccessKey {
                    ak: ak.clone(),
                    temporary: false,
                    unsigned_headers: verified.unsigned_headers.clone(),
                }),
                (Some(expected), Some(got))
                    if constant_time_eq(expected.as_bytes(), got.as_bytes()) =>
                {
                    Ok(Caller::AccessKey {
                        ak: ak.clone(),
                        temporary: true,
                        unsigned_headers: verified.unsigned_headers.clone(),
                    })
                }
                (Some(_), None) => Err(format!(
                    "{PREFIX}X-Security-Token is required for temporary access key {ak}"
                )),
                (Some(_), Some(_)) => Err(format!(
                    "{PREFIX}X-Security-Token does not match temporary access key {ak}"
                )),
                (None, Some(_)) => Err(format!(
                    "{PREFIX}access key {ak} is permanent and takes no X-Security-Token"
                )),
            }
        });
        self.record(&ak, result.is_ok(), input.now);
        result
    }

    fn locked_until(&self, ak: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures
            .get(ak)
            .and_then(|f| f.locked_until)
            .filter(|until| *until > now)
    }

    fn record(&self, ak: &str, ok: bool, now: OffsetDateTime) {
        let Some(lockout) = self.lockout else {
            return;
        };
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures.entry(ak.to_owned()).or_default();
        if ok {
            *entry = Failures::default();
            return;
        }
        entry.in_a_row += 1;
        if entry.in_a_row >= lockout.failures {
            entry.in_a_row = 0;
            entry.locked_until = Some(now + lockout.duration);
        }
    }

    /// Forgets every failure and lock.
    pub(crate) fn reset_lockouts(&self) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The `Access=` value of an `SDK-HMAC-SHA256` Authorization header.
fn access_key_of(authorization: &str) -> Option<&str> {
    let rest = authorization.strip_prefix("SDK-HMAC-SHA256 ")?;
    rest.split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Access="))
        .filter(|ak| !ak.is_empty())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_access_key() {
        assert_eq!(
            access_key_of("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=ab"),
            Some("AK1")
        );
        assert_eq!(access_key_of("SDK-HMAC-SHA256 Access=, Signature=ab"), None);
        assert_eq!(access_key_of("Bearer x"), None);
    }
}
