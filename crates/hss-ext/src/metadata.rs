//! Temporary credentials from the instance metadata service, fetched and
//! refreshed as the official SDKs do it (see [`hss_auth::metadata`]):
//! before the first request, and again when less than 40 minutes are left.
//!
//! The service is reached directly, never through a proxy (it is
//! link-local), with the SDK's 3-second connect and read timeouts. One
//! refresh is at most four requests (session token, credentials, a new
//! session token and the credentials again after a `401`), and concurrent
//! requests wait for the one refresh under way. When a refresh fails while
//! the current credentials still work, they are kept (with a warning) until
//! they expire.

use std::sync::RwLock;
use std::time::Duration;

use hss_auth::metadata::{
    self, NO_AGENCY_MESSAGE, SECURITY_KEY_PATH, TOKEN_PATH, TOKEN_TTL_SECONDS, TemporaryCredential,
    X_METADATA_TOKEN, X_METADATA_TOKEN_TTL_SECONDS,
};
use hss_auth::{Endpoint, SecretString, Signer};
use reqwest::StatusCode;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::error::{Error, MetadataError, TransportKind};
use crate::text::one_line;

/// The SDK's timeouts for the metadata service: 3 s to connect, 3 s to read.
const TIMEOUT: Duration = Duration::from_secs(3);
/// The most of an answer that is read.
const BODY_LIMIT: usize = 64 * 1024;

/// The session token state: the token, and whether asking for one is
/// worth it (a service without tokens answers 404, 405 or 503 once).
#[derive(Default)]
struct Session {
    token: Option<String>,
    unsupported: bool,
}

/// The metadata service as a credential source.
pub(crate) struct MetadataSource {
    endpoint: Endpoint,
    http: reqwest::Client,
    current: RwLock<Option<(TemporaryCredential, Signer)>>,
    session: Mutex<Session>,
}

impl std::fmt::Debug for MetadataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("MetadataSource")
            .field("endpoint", &self.endpoint.to_string())
            .field("current", &current.as_ref().map(|(c, _)| c))
            .finish_non_exhaustive()
    }
}

impl MetadataSource {
    pub(crate) fn new(endpoint: Endpoint) -> Result<Self, Error> {
        hss_api::ensure_crypto_provider();
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(TIMEOUT)
            .read_timeout(TIMEOUT)
            .timeout(TIMEOUT * 3)
            .redirect(reqwest::redirect::Policy::none())
            .http1_only()
            .build()
            .map_err(|e| Error::Config {
                message: format!("the metadata service's HTTP client could not be built: {e}"),
            })?;
        Ok(MetadataSource {
            endpoint,
            http,
            current: RwLock::new(None),
            session: Mutex::new(Session::default()),
        })
    }

    /// The signer of the current credentials, once fetched.
    pub(crate) fn signer(&self) -> Option<Signer> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().map(|(_, signer)| signer.clone())
    }

    /// The current credentials' access key id and expiry, once fetched.
    pub(crate) fn current(&self) -> Option<(String, OffsetDateTime)> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().map(|(c, _)| (c.ak.clone(), c.expires_at))
    }

    fn fresh_at(&self, now: OffsetDateTime) -> bool {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().is_some_and(|(c, _)| !c.needs_refresh(now))
    }

    fn valid_at(&self, now: OffsetDateTime) -> bool {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().is_some_and(|(c, _)| !c.is_expired(now))
    }

    /// Makes sure credentials are there and not about to expire at `now`
    /// (the server's time as the client knows it).
    pub(crate) async fn ensure_fresh(&self, now: OffsetDateTime) -> Result<(), MetadataError> {
        if self.fresh_at(now) {
            return Ok(());
        }
        let mut session = self.session.lock().await;
        if self.fresh_at(now) {
            return Ok(());
        }
        match self.fetch(&mut session).await {
            Ok(credential) => {
                tracing::info!(
                    endpoint = %self.endpoint,
                    access_key = %credential.ak,
                    expires_at = %credential.expires_at,
                    "temporary credentials from the instance metadata service"
                );
                let credentials = credential.credentials();
                let signer = credentials
                    .signer()
                    .ok_or_else(|| MetadataError::InvalidAnswer {
                        endpoint: self.endpoint.to_string(),
                        path: SECURITY_KEY_PATH,
                        reason: "credentials that cannot sign".into(),
                    })?;
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    Some((credential, signer));
                Ok(())
            }
            Err(error) if self.valid_at(now) => {
                tracing::warn!(
                    %error,
                    "refreshing the temporary credentials failed; using the current ones until they expire"
                );
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    async fn fetch(&self, session: &mut Session) -> Result<TemporaryCredential, MetadataError> {
        if session.token.is_none() && !session.unsupported {
            self.new_session(session, false).await?;
        }
        let (mut status, mut body) = self.security_key(session.token.as_deref()).await?;
        if status == StatusCode::UNAUTHORIZED && !contains(&body, NO_AGENCY_MESSAGE) {
            self.new_session(session, true).await?;
            (status, body) = self.security_key(session.token.as_deref()).await?;
        }
        if !status.is_success() {
            if contains(&body, NO_AGENCY_MESSAGE) {
                return Err(MetadataError::NoAgency {
                    endpoint: self.endpoint.to_string(),
                });
            }
            return Err(self.refused(SECURITY_KEY_PATH, status, &body));
        }
        parse_credential(&body).map_err(|reason| MetadataError::InvalidAnswer {
            endpoint: self.endpoint.to_string(),
            path: SECURITY_KEY_PATH,
            reason,
        })
    }

    /// Asks for a session token; with `required`, a service without tokens
    /// is an error (the credentials asked for one).
    async fn new_session(
        &self,
        session: &mut Session,
        required: bool,
    ) -> Result<(), MetadataError> {
        let mut url = self.endpoint.url().clone();
        url.set_path(TOKEN_PATH);
        let response = self
            .http
            .put(url)
            .header(X_METADATA_TOKEN_TTL_SECONDS, TOKEN_TTL_SECONDS.to_string())
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let body = self.read(response).await?;
        match status.as_u16() {
            200 => {
                let token = String::from_utf8(body).ok().map(|t| t.trim().to_owned());
                match token
                    .filter(|t| !t.is_empty() && reqwest::header::HeaderValue::from_str(t).is_ok())
                {
                    Some(token) => session.token = Some(token),
                    None => {
                        return Err(MetadataError::InvalidAnswer {
                            endpoint: self.endpoint.to_string(),
                            path: TOKEN_PATH,
                            reason: "a session token that cannot go into a header".into(),
                        });
                    }
                }
            }
            404 | 405 | 503 if !required => {
                session.token = None;
                session.unsupported = true;
            }
            _ => return Err(self.refused(TOKEN_PATH, status, &body)),
        }
        Ok(())
    }

    async fn security_key(
        &self,
        token: Option<&str>,
    ) -> Result<(StatusCode, Vec<u8>), MetadataError> {
        let mut url = self.endpoint.url().clone();
        url.set_path(SECURITY_KEY_PATH);
        let mut request = self.http.get(url);
        if let Some(token) = token {
            request = request.header(X_METADATA_TOKEN, token);
        }
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        let status = response.status();
        Ok((status, self.read(response).await?))
    }

    async fn read(&self, mut response: reqwest::Response) -> Result<Vec<u8>, MetadataError> {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.unreachable(e))? {
            if body.len() + chunk.len() > BODY_LIMIT {
                return Err(MetadataError::InvalidAnswer {
                    endpoint: self.endpoint.to_string(),
                    path: SECURITY_KEY_PATH,
                    reason: format!("more than {BODY_LIMIT} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn unreachable(&self, source: reqwest::Error) -> MetadataError {
        let kind = TransportKind::of(&source);
        MetadataError::Unreachable {
            endpoint: self.endpoint.to_string(),
            kind,
            source,
        }
    }

    fn refused(&self, path: &'static str, status: StatusCode, body: &[u8]) -> MetadataError {
        // An error answer carries no credentials; still, only its start, on one line.
        let text = crate::error::snippet(body);
        MetadataError::Refused {
            endpoint: self.endpoint.to_string(),
            path,
            status,
            body: (!text.trim().is_empty()).then(|| one_line(&text).into_owned()),
        }
    }
}

fn contains(body: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(body).contains(needle)
}

/// The credential of a `securitykey` answer, with the key names the SDK
/// accepts (`credential` or `credentials`; `access`, `accessKeyId` or
/// `access_key_id`; and so on). The reason of an error names fields, never
/// their values.
fn parse_credential(body: &[u8]) -> Result<TemporaryCredential, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("a body that is not JSON ({e})"))?;
    let map = value
        .get("credential")
        .or_else(|| value.get("credentials"))
        .unwrap_or(&value);
    let field = |names: &[&str]| -> Option<String> {
        names
            .iter()
            .find_map(|n| map.get(*n).and_then(|v| v.as_str()))
            .map(str::to_owned)
            .filter(|v| !v.is_empty())
    };
    let ak =
        field(&["access", "accessKeyId", "access_key_id"]).ok_or("no access key (`access`)")?;
    let sk = field(&["secret", "secretAccessKey", "secret_access_key"])
        .ok_or("no secret key (`secret`)")?;
    let token = field(&["securitytoken", "securityToken", "security_token"])
        .ok_or("no security token (`securitytoken`)")?;
    let expires = field(&["expires_at", "expiration"]).ok_or("no expiry (`expires_at`)")?;
    let expires_at = metadata::parse_expires_at(&expires)
        .ok_or_else(|| format!("an expiry that is not a UTC time: {:?}", one_line(&expires)))?;
    if ak.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("an access key with spaces or control characters".into());
    }
    Ok(TemporaryCredential {
        ak,
        sk: SecretString::from(sk),
        security_token: SecretString::from(token),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_key_names_are_read() {
        let body = br#"{"credential":{"access":"AK1","secret":"sk-secret","securitytoken":"st-secret","expires_at":"2030-01-01T00:00:00.000000Z"}}"#;
        let c = parse_credential(body).unwrap();
        assert_eq!(c.ak, "AK1");
        let body = br#"{"credentials":{"accessKeyId":"AK2","secretAccessKey":"s","securityToken":"t","expiration":"2030-01-01T00:00:00Z"}}"#;
        assert_eq!(parse_credential(body).unwrap().ak, "AK2");
    }

    #[test]
    fn broken_answers_name_the_field_not_the_secret() {
        for (body, want) in [
            (&b"<html>"[..], "not JSON"),
            (br#"{"credential":{}}"#, "no access key"),
            (br#"{"credential":{"access":"A","securitytoken":"t","expires_at":"2030-01-01T00:00:00Z"}}"#, "no secret key"),
            (br#"{"credential":{"access":"A","secret":"sk-secret","securitytoken":"t","expires_at":"soon"}}"#, "not a UTC time"),
            (br#"{"credential":{"access":"A B","secret":"sk-secret","securitytoken":"t","expires_at":"2030-01-01T00:00:00Z"}}"#, "spaces"),
        ] {
            let reason = parse_credential(body).unwrap_err();
            assert!(reason.contains(want), "{reason}");
            assert!(!reason.contains("sk-secret"), "{reason}");
        }
    }
}
