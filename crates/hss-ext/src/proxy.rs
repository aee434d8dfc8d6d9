//! Proxies: one given explicitly (with credentials, as the official SDKs'
//! `HttpConfig` proxy settings), or the environment's (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower case, read by
//! reqwest with curl's rules), and telling which one requests to an
//! endpoint go through, with the credentials left out.

use std::fmt;

use hss_auth::{ExposeSecret, SecretString};
use reqwest::Url;

use crate::error::Error;

/// A proxy given explicitly. Its password is never shown: `Debug`
/// redacts it and [`ProxyInUse`] has none.
#[derive(Clone)]
pub struct ProxyConfig {
    url: Url,
    user: Option<String>,
    password: Option<SecretString>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("url", &self.url.as_str())
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl ProxyConfig {
    /// A proxy at `url`: `http://host:port` (or `https://`, `socks5://`,
    /// `socks5h://`; without a scheme `http://` is assumed). Credentials in
    /// the URL are refused, so that a password does not end up in a
    /// command line or a log: give them with
    /// [`with_credentials`](Self::with_credentials).
    pub fn new(url: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidInput {
            parameter: "proxy",
            reason,
        };
        let with_scheme;
        let raw = if url.contains("://") {
            url
        } else {
            with_scheme = format!("http://{url}");
            &with_scheme
        };
        let parsed = Url::parse(raw).map_err(|e| invalid(format!("not a URL ({e})")))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid(
                "the URL holds credentials; give the proxy URL without them, and the user and password separately".into(),
            ));
        }
        if !matches!(parsed.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(invalid(format!(
                "scheme `{}` is not supported; use http, https, socks5 or socks5h",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the URL has no host".into()));
        }
        if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid(
                "a proxy is scheme://host[:port] only; remove the path, query or fragment".into(),
            ));
        }
        Ok(ProxyConfig {
            url: parsed,
            user: None,
            password: None,
        })
    }

    /// Basic credentials for the proxy (`Proxy-Authorization`).
    pub fn with_credentials(mut self, user: impl Into<String>, password: SecretString) -> Self {
        self.user = Some(user.into());
        self.password = Some(password);
        self
    }

    /// The proxy's URL, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The user, when credentials are set.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The reqwest proxy for every request.
    pub(crate) fn to_reqwest(&self) -> Result<reqwest::Proxy, Error> {
        let proxy = reqwest::Proxy::all(self.url.as_str()).map_err(|e| Error::InvalidInput {
            parameter: "proxy",
            reason: format!("not usable as a proxy ({e})"),
        })?;
        Ok(match (&self.user, &self.password) {
            (Some(user), Some(password)) => proxy.basic_auth(user, password.expose_secret()),
            (Some(user), None) => proxy.basic_auth(user, ""),
            _ => proxy,
        })
    }

    fn in_use(&self) -> ProxyInUse {
        ProxyInUse {
            url: display_url(self.url.as_str()),
            origin: ProxyOrigin::Explicit,
            user: self.user.clone(),
        }
    }
}

/// Where the proxy in use was set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyOrigin {
    /// Given to the builder (`--proxy`).
    Explicit,
    /// The environment: `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (upper
    /// or lower case), as reqwest reads them.
    Environment,
}

/// The proxy requests to the endpoint go through: its URL without
/// credentials, where it was set, and the user when it has credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyInUse {
    /// `scheme://host:port`, no credentials.
    pub url: String,
    /// Where it was set.
    pub origin: ProxyOrigin,
    /// The user of its credentials, if it has some (environment proxies
    /// with credentials say `Some("[from the URL]")` without the name).
    pub user: Option<String>,
}

impl fmt::Display for ProxyInUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)?;
        match self.origin {
            ProxyOrigin::Explicit => f.write_str(", given explicitly")?,
            ProxyOrigin::Environment => {
                f.write_str(", from the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)")?
            }
        }
        if let Some(user) = &self.user {
            write!(f, ", with credentials (user {user})")?;
        }
        Ok(())
    }
}

/// The proxy requests to `endpoint` go through: `explicit`, else the one
/// the environment names for it (`NO_PROXY` honoured), read now as reqwest
/// reads it when a client is built.
pub(crate) fn proxy_for(explicit: Option<&ProxyConfig>, endpoint: &Url) -> Option<ProxyInUse> {
    if let Some(proxy) = explicit {
        return Some(proxy.in_use());
    }
    let uri: http::Uri = endpoint.as_str().parse().ok()?;
    let matcher = hyper_util::client::proxy::matcher::Matcher::from_env();
    let intercept = matcher.intercept(&uri)?;
    let has_credentials = intercept.basic_auth().is_some() || intercept.raw_auth().is_some();
    Some(ProxyInUse {
        url: display_url(&intercept.uri().to_string()),
        origin: ProxyOrigin::Environment,
        user: has_credentials.then(|| "[from the URL]".to_owned()),
    })
}

/// `scheme://host[:port]` of a URL, whatever else it holds.
fn display_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or_default();
            match parsed.port() {
                Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
                None => format!("{}://{host}", parsed.scheme()),
            }
        }
        Err(_) => "(unparsable proxy URL)".to_owned(),
    }
}

/// `error` as [`Error::ProxyRefused`] when it is the proxy (`proxy`, the
/// one in use) refusing: a tunnel it would not open (`CONNECT` answered
/// 407 or otherwise), a `407` answer to a request it forwards, or a
/// connection to it that failed (with a proxy, every connection goes to the
/// proxy first). Other errors, such as a TLS failure with the endpoint
/// through the tunnel, stay as they are.
pub(crate) fn refusal(error: Error, proxy: Option<&ProxyInUse>) -> Error {
    let Some(proxy) = proxy else {
        return error;
    };
    match error {
        Error::Transport {
            kind,
            status,
            request_id,
            source,
        } => match reason(&source) {
            Some(reason) => Error::ProxyRefused {
                proxy: proxy.url.clone(),
                reason,
                status,
                request_id,
                source: Some(source),
            },
            None => Error::Transport {
                kind,
                status,
                request_id,
                source,
            },
        },
        Error::Service(service)
            if service.status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED =>
        {
            Error::ProxyRefused {
                proxy: proxy.url.clone(),
                reason: "it answered 407 Proxy Authentication Required".into(),
                status: Some(service.status),
                request_id: service.request_id.clone(),
                source: None,
            }
        }
        Error::ProjectDiscovery {
            region,
            endpoint,
            source,
        } => Error::ProjectDiscovery {
            region,
            endpoint,
            source: Box::new(refusal(*source, Some(proxy))),
        },
        other => other,
    }
}

/// How the proxy refused, when the error chain says it did.
fn reason(error: &reqwest::Error) -> Option<String> {
    use std::io::ErrorKind;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let text = current.to_string();
        // hyper-util's `TunnelError` (not exported): "tunnel error: ...".
        if let Some(rest) = text.strip_prefix("tunnel error: ") {
            return Some(match rest {
                "proxy authorization required" => {
                    "it wants credentials: CONNECT was answered 407 Proxy Authentication Required"
                        .to_owned()
                }
                "unsuccessful" => {
                    "it would not open a tunnel to the endpoint (CONNECT was not answered 200)"
                        .to_owned()
                }
                other => format!("the tunnel through it failed ({other})"),
            });
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
            )
        {
            return Some(format!("it cannot be connected to ({io})"));
        }
        if text.starts_with("dns error") {
            return Some(format!("its host does not resolve ({text})"));
        }
        cause = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_proxy_is_scheme_host_port_without_credentials() {
        let proxy = ProxyConfig::new("127.0.0.1:3128").unwrap();
        assert_eq!(proxy.url().as_str(), "http://127.0.0.1:3128/");
        for bad in [
            "http://user:pw-secret@127.0.0.1:3128",
            "ftp://127.0.0.1",
            "http://127.0.0.1:3128/path",
            "http://",
        ] {
            let err = ProxyConfig::new(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        parameter: "proxy",
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
            assert!(!err.to_string().contains("pw-secret"), "{err}");
        }
        let with = proxy.with_credentials("alice", SecretString::from("pw-secret".to_owned()));
        assert!(!format!("{with:?}").contains("pw-secret"));
        let in_use = with.in_use();
        assert_eq!(in_use.url, "http://127.0.0.1:3128");
        assert_eq!(
            in_use.to_string(),
            "http://127.0.0.1:3128, given explicitly, with credentials (user alice)"
        );
    }
}
