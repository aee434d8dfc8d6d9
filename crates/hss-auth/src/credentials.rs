//! Credentials and where they come from.
//!
//! Sources, in this order, with the official SDKs' names:
//!
//! 1. explicit values ([`ExplicitCredentials`], e.g. command-line flags);
//! 2. the environment: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
//!    `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_PROJECT_ID`, and
//!    `HUAWEICLOUD_SDK_TOKEN` for an IAM token (this project's own variable;
//!    the official SDKs have none for tokens);
//! 3. the profile file `~/.huaweicloud/credentials`, or the file named by
//!    `HUAWEICLOUD_SDK_CREDENTIALS_FILE`: INI, section `[basic]`, keys `ak`,
//!    `sk`, `project_id`, `security_token`.
//!
//! The credentials come from the first source that has any; the project id
//! is resolved the same way on its own, so `HUAWEICLOUD_SDK_PROJECT_ID` can
//! pick the project for credentials from the file. A source that is half
//! set (an AK without SK, an SK without AK, a security token without both)
//! is an error that names exactly what to set, not a silent fall-through.
//! Empty values count as unset, as in the official SDKs.
//!
//! Loading never reads the process environment unless asked to: every
//! function takes the environment as a lookup function and the home
//! directory as a parameter; [`resolve_from_process`] is the convenience
//! that uses the real ones.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::signer::{AccessKey, Redacted, Signer};

/// Environment variable with the access key id.
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable with the secret access key.
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable with the security token of temporary credentials.
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Environment variable with the project id.
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable with an IAM token (`X-Auth-Token`). This project's
/// own name, following the official prefix; the official SDKs read no token
/// from the environment.
pub const ENV_TOKEN: &str = "HUAWEICLOUD_SDK_TOKEN";
/// Environment variable naming the profile file instead of
/// `~/.huaweicloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// The profile file's section with regional credentials.
pub const PROFILE_SECTION: &str = "basic";
/// The profile file's path below the home directory.
pub const DEFAULT_PROFILE_PATH: &str = ".huaweicloud/credentials";

/// How requests authenticate.
#[derive(Clone)]
pub enum Credentials {
    /// An IAM token, sent as `X-Auth-Token` (valid 24 hours).
    Token(SecretString),
    /// An access key pair; requests are signed with `SDK-HMAC-SHA256`.
    AkSk {
        /// Access key id.
        ak: String,
        /// Secret access key.
        sk: SecretString,
        /// Session token of temporary credentials, sent signed as
        /// `X-Security-Token`.
        security_token: Option<SecretString>,
    },
}

impl Credentials {
    /// Permanent AK/SK credentials.
    pub fn ak_sk(ak: impl Into<String>, sk: impl Into<SecretString>) -> Self {
        Self::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
        }
    }

    /// Temporary AK/SK credentials with their security token.
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl Into<SecretString>,
        security_token: impl Into<SecretString>,
    ) -> Self {
        Self::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: Some(security_token.into()),
        }
    }

    /// IAM token credentials.
    pub fn token(token: impl Into<SecretString>) -> Self {
        Self::Token(token.into())
    }

    /// The request signer for AK/SK credentials; `None` for a token, which
    /// is sent as `X-Auth-Token` instead.
    pub fn signer(&self) -> Option<Signer> {
        match self {
            Self::Token(_) => None,
            Self::AkSk {
                ak,
                sk,
                security_token,
            } => {
                let signer = Signer::new(AccessKey::new(ak.clone(), sk.clone()));
                Some(match security_token {
                    Some(token) => signer.with_security_token(token.clone()),
                    None => signer,
                })
            }
        }
    }

    /// The access key id, for AK/SK credentials.
    pub fn access_key_id(&self) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::AkSk { ak, .. } => Some(ak),
        }
    }

    /// Credentials from the environment, read through `env`; `Ok(None)` when
    /// none of the credential variables is set.
    pub fn from_env_with(
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, CredentialsError> {
        Ok(Profile::from_env_with(env)?.credentials)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.debug_tuple("Token").field(&Redacted).finish(),
            Self::AkSk {
                ak, security_token, ..
            } => f
                .debug_struct("AkSk")
                .field("ak", ak)
                .field("sk", &Redacted)
                .field("security_token", &security_token.as_ref().map(|_| Redacted))
                .finish(),
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("IAM token [REDACTED]"),
            Self::AkSk {
                ak,
                security_token: None,
                ..
            } => write!(f, "access key {ak} with secret key [REDACTED]"),
            Self::AkSk { ak, .. } => write!(
                f,
                "temporary access key {ak} with secret key and security token [REDACTED]"
            ),
        }
    }
}

/// Values given directly by the caller (for example command-line flags);
/// the first source consulted. Each field may be left empty.
#[derive(Clone, Default)]
pub struct ExplicitCredentials {
    /// Access key id.
    pub ak: Option<String>,
    /// Secret access key.
    pub sk: Option<SecretString>,
    /// Security token of temporary credentials.
    pub security_token: Option<SecretString>,
    /// IAM token.
    pub token: Option<SecretString>,
    /// Project id.
    pub project_id: Option<String>,
}

impl fmt::Debug for ExplicitCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExplicitCredentials")
            .field("ak", &self.ak)
            .field("sk", &self.sk.as_ref().map(|_| Redacted))
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| Redacted),
            )
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// Where a setting can be made; errors use it to say exactly what to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// An explicit value, by field name.
    Explicit(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key in the `[basic]` section of a profile file.
    ProfileKey {
        /// The profile file.
        file: PathBuf,
        /// The key.
        key: &'static str,
    },
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit(field) => write!(f, "the explicit `{field}` value"),
            Self::Env(var) => write!(f, "environment variable {var}"),
            Self::ProfileKey { file, key } => write!(
                f,
                "key `{key}` in section [{PROFILE_SECTION}] of {}",
                file.display()
            ),
        }
    }
}

/// Where resolved credentials or a project id came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// [`ExplicitCredentials`].
    Explicit,
    /// The process environment (or the lookup standing in for it).
    Environment,
    /// A profile file.
    ProfileFile(PathBuf),
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("explicit values"),
            Self::Environment => f.write_str("environment"),
            Self::ProfileFile(path) => write!(f, "profile file {}", path.display()),
        }
    }
}

/// Why credentials could not be loaded. Messages say what to set or fix and
/// never contain secret values (nor profile file lines, which may hold them).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// One half of an access key pair is set, the other is not.
    #[error("{present} is set but {missing} is not: set {missing} as well")]
    Incomplete {
        /// The setting that is present.
        present: Setting,
        /// The setting to add.
        missing: Setting,
    },
    /// A security token is set without the access key pair it belongs to.
    #[error(
        "{present} is set but {ak} and {sk} are not: set both (a security token only works with the temporary access key pair issued with it)"
    )]
    TokenWithoutKeys {
        /// The security token setting.
        present: Setting,
        /// The access key id setting to add.
        ak: Setting,
        /// The secret key setting to add.
        sk: Setting,
    },
    /// Both an IAM token and an access key pair are set in one source.
    #[error("both {token} and {ak} are set: keep only one way to authenticate")]
    Conflicting {
        /// The IAM token setting.
        token: Setting,
        /// The access key id setting.
        ak: Setting,
    },
    /// The profile file exists (or was named) but cannot be read.
    #[error("cannot read the credentials file {}: {source}{}", path.display(), if *named_by_env { " (named by HUAWEICLOUD_SDK_CREDENTIALS_FILE; fix or unset it)" } else { "" })]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Whether `HUAWEICLOUD_SDK_CREDENTIALS_FILE` named it.
        named_by_env: bool,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The profile file is not valid INI.
    #[error("credentials file {}, line {line}: {reason}", path.display())]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: &'static str,
    },
    /// No source has credentials.
    #[error(
        "no credentials found: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (plus HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary credentials), or HUAWEICLOUD_SDK_TOKEN for an IAM token, or put `ak` and `sk` in section [basic] of {}",
        profile_path.as_ref().map_or_else(|| "~/.huaweicloud/credentials".to_owned(), |p| p.display().to_string())
    )]
    NotFound {
        /// The profile file that was looked for, if a home directory was known.
        profile_path: Option<PathBuf>,
    },
}

/// What one source says: credentials and a project id, each maybe absent.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// The credentials, if the source has any.
    pub credentials: Option<Credentials>,
    /// The project id, if the source has one.
    pub project_id: Option<String>,
}

/// The names one source uses for its settings.
struct Names {
    ak: Setting,
    sk: Setting,
    security_token: Setting,
    token: Option<Setting>,
}

/// Builds credentials from one source's raw values, refusing half-set ones.
fn assemble(
    ak: Option<String>,
    sk: Option<SecretString>,
    security_token: Option<SecretString>,
    token: Option<SecretString>,
    names: Names,
) -> Result<Option<Credentials>, CredentialsError> {
    let ak = ak.filter(|v| !v.is_empty());
    let sk = sk.filter(|v| !v.expose_secret().is_empty());
    let security_token = security_token.filter(|v| !v.expose_secret().is_empty());
    let token = token.filter(|v| !v.expose_secret().is_empty());
    match (ak, sk, token) {
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => Err(CredentialsError::Conflicting {
            token: names
                .token
                .expect("only sources with a token name have a token"),
            ak: names.ak,
        }),
        (None, None, Some(token)) => {
            if security_token.is_some() {
                Err(CredentialsError::TokenWithoutKeys {
                    present: names.security_token,
                    ak: names.ak,
                    sk: names.sk,
                })
            } else {
                Ok(Some(Credentials::Token(token)))
            }
        }
        (Some(ak), Some(sk), None) => Ok(Some(Credentials::AkSk {
            ak,
            sk,
            security_token,
        })),
        (Some(_), None, None) => Err(CredentialsError::Incomplete {
            present: names.ak,
            missing: names.sk,
        }),
        (None, Some(_), None) => Err(CredentialsError::Incomplete {
            present: names.sk,
            missing: names.ak,
        }),
        (None, None, None) => match security_token {
            Some(_) => Err(CredentialsError::TokenWithoutKeys {
                present: names.security_token,
                ak: names.ak,
                sk: names.sk,
            }),
            None => Ok(None),
        },
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

impl Profile {
    /// The explicit source.
    pub fn from_explicit(explicit: &ExplicitCredentials) -> Result<Self, CredentialsError> {
        let credentials = assemble(
            explicit.ak.clone(),
            explicit.sk.clone(),
            explicit.security_token.clone(),
            explicit.token.clone(),
            Names {
                ak: Setting::Explicit("ak"),
                sk: Setting::Explicit("sk"),
                security_token: Setting::Explicit("security_token"),
                token: Some(Setting::Explicit("token")),
            },
        )?;
        Ok(Self {
            credentials,
            project_id: non_empty(explicit.project_id.clone()),
        })
    }

    /// The environment source, read through `env` (pass
    /// `|k| std::env::var(k).ok()` for the real one).
    pub fn from_env_with(env: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let credentials = assemble(
            env(ENV_AK),
            env(ENV_SK).map(SecretString::from),
            env(ENV_SECURITY_TOKEN).map(SecretString::from),
            env(ENV_TOKEN).map(SecretString::from),
            Names {
                ak: Setting::Env(ENV_AK),
                sk: Setting::Env(ENV_SK),
                security_token: Setting::Env(ENV_SECURITY_TOKEN),
                token: Some(Setting::Env(ENV_TOKEN)),
            },
        )?;
        Ok(Self {
            credentials,
            project_id: non_empty(env(ENV_PROJECT_ID)),
        })
    }

    /// The profile file at `path`, section `[basic]`; `Ok(None)` when the
    /// file does not exist. A file without `[basic]` has nothing to say.
    pub fn from_file(path: &Path) -> Result<Option<Self>, CredentialsError> {
        read_profile_section(path)?
            .map(|section| Self::from_section(path, section))
            .transpose()
    }

    fn from_section(
        path: &Path,
        mut section: HashMap<String, String>,
    ) -> Result<Self, CredentialsError> {
        let key = |key| Setting::ProfileKey {
            file: path.to_owned(),
            key,
        };
        let credentials = assemble(
            section.remove("ak"),
            section.remove("sk").map(SecretString::from),
            section.remove("security_token").map(SecretString::from),
            None,
            Names {
                ak: key("ak"),
                sk: key("sk"),
                security_token: key("security_token"),
                token: None,
            },
        )?;
        Ok(Self {
            credentials,
            project_id: non_empty(section.remove("project_id")),
        })
    }
}

/// The `[basic]` section of the profile file at `path`; `Ok(None)` when the
/// file does not exist.
pub(crate) fn read_profile_section(
    path: &Path,
) -> Result<Option<HashMap<String, String>>, CredentialsError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CredentialsError::ReadFile {
                path: path.to_owned(),
                named_by_env: false,
                source,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| CredentialsError::ParseFile {
        path: path.to_owned(),
        line: 1,
        reason: "the file is not UTF-8 text",
    })?;
    parse_ini_section(&text, PROFILE_SECTION)
        .map(Some)
        .map_err(|(line, reason)| CredentialsError::ParseFile {
            path: path.to_owned(),
            line,
            reason,
        })
}

/// Credentials and project id after consulting every source in order.
#[derive(Clone, Debug)]
pub struct ResolvedCredentials {
    /// The credentials.
    pub credentials: Credentials,
    /// Where the credentials came from.
    pub source: CredentialSource,
    /// The project id, if any source has one.
    pub project_id: Option<String>,
    /// Where the project id came from.
    pub project_id_source: Option<CredentialSource>,
}

/// The profile file to read: `HUAWEICLOUD_SDK_CREDENTIALS_FILE` if set,
/// else `<home_dir>/.huaweicloud/credentials`; the flag says whether the
/// variable named it.
pub fn profile_path(
    env: impl Fn(&str) -> Option<String>,
    home_dir: Option<&Path>,
) -> Option<(PathBuf, bool)> {
    match non_empty(env(ENV_CREDENTIALS_FILE)) {
        Some(path) => Some((PathBuf::from(path), true)),
        None => home_dir.map(|home| (home.join(DEFAULT_PROFILE_PATH), false)),
    }
}

/// Resolves credentials and project id from explicit values, the
/// environment read through `env`, then the profile file (found through
/// `env` and `home_dir`).
///
/// Each source is consulted only if the earlier ones did not settle both
/// the credentials and the project id; a file named by
/// `HUAWEICLOUD_SDK_CREDENTIALS_FILE` must then exist.
pub fn resolve(
    explicit: &ExplicitCredentials,
    env: impl Fn(&str) -> Option<String>,
    home_dir: Option<&Path>,
) -> Result<ResolvedCredentials, CredentialsError> {
    let mut found = Found::default();
    found.take(
        Profile::from_explicit(explicit)?,
        CredentialSource::Explicit,
    );

    // Once credentials are settled, later sources are only asked for a
    // project id, so a stale half-set variable cannot break explicit values.
    if found.credentials.is_none() {
        found.take(Profile::from_env_with(&env)?, CredentialSource::Environment);
    } else if found.project_id.is_none() {
        found.project_id =
            non_empty(env(ENV_PROJECT_ID)).map(|p| (p, CredentialSource::Environment));
    }

    let file = profile_path(&env, home_dir);
    if !found.settled()
        && let Some((path, named_by_env)) = &file
    {
        let section = read_profile_section(path).map_err(|e| match e {
            CredentialsError::ReadFile { path, source, .. } => CredentialsError::ReadFile {
                path,
                named_by_env: *named_by_env,
                source,
            },
            other => other,
        })?;
        let source = CredentialSource::ProfileFile(path.clone());
        match section {
            Some(section) if found.credentials.is_none() => {
                found.take(Profile::from_section(path, section)?, source);
            }
            Some(section) => {
                found.project_id =
                    non_empty(section.get("project_id").cloned()).map(|p| (p, source));
            }
            None if *named_by_env => {
                return Err(CredentialsError::ReadFile {
                    path: path.clone(),
                    named_by_env: true,
                    source: io::Error::from(io::ErrorKind::NotFound),
                });
            }
            None => {}
        }
    }

    let (credentials, source) = found.credentials.ok_or(CredentialsError::NotFound {
        profile_path: file.map(|(path, _)| path),
    })?;
    let (project_id, project_id_source) = found.project_id.unzip();
    Ok(ResolvedCredentials {
        credentials,
        source,
        project_id,
        project_id_source,
    })
}

/// What the sources consulted so far have settled.
#[derive(Default)]
struct Found {
    credentials: Option<(Credentials, CredentialSource)>,
    project_id: Option<(String, CredentialSource)>,
}

impl Found {
    /// Keeps what `profile` adds to what earlier sources settled.
    fn take(&mut self, profile: Profile, source: CredentialSource) {
        if self.credentials.is_none() {
            self.credentials = profile.credentials.map(|c| (c, source.clone()));
        }
        if self.project_id.is_none() {
            self.project_id = profile.project_id.map(|p| (p, source));
        }
    }

    fn settled(&self) -> bool {
        self.credentials.is_some() && self.project_id.is_some()
    }
}

/// [`resolve`] with the real process environment and home directory
/// (`HOME`, or `USERPROFILE` on Windows). Variables that are not valid
/// Unicode count as unset.
pub fn resolve_from_process(
    explicit: &ExplicitCredentials,
) -> Result<ResolvedCredentials, CredentialsError> {
    let env = |key: &str| std::env::var(key).ok();
    let home_var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    let home = non_empty(env(home_var)).map(PathBuf::from);
    resolve(explicit, env, home.as_deref())
}

/// Reads one section of an INI file the way Python's `configparser` (which
/// the official SDK uses) does for simple files: `key = value` or
/// `key: value`, keys case-insensitive, values trimmed, full-line `#`/`;`
/// comments, `[DEFAULT]` values inherited. Continuation lines are refused
/// rather than guessed at. Errors carry a line number and a reason, never
/// the line itself, which may hold a secret.
///
/// A dozen lines of parsing for four keys did not justify an INI crate
/// whose defaults (backslash escapes, quotes, case-sensitive keys) would
/// have to be turned off to match `configparser`.
fn parse_ini_section(
    text: &str,
    wanted: &str,
) -> Result<HashMap<String, String>, (usize, &'static str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw_line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if raw_line.starts_with([' ', '\t']) {
            return Err((
                line_no,
                "indented line: continuation lines are not supported; put each value on one line",
            ));
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err((line_no, "empty section name"));
            }
            if sections.contains_key(&name) {
                return Err((line_no, "the section appears twice"));
            }
            sections.insert(name.clone(), HashMap::new());
            current = Some(name);
            continue;
        }
        let Some(section) = &current else {
            return Err((line_no, "a key appears before any [section] header"));
        };
        let Some(split) = line.find(['=', ':']) else {
            return Err((line_no, "expected `key = value`"));
        };
        let key = line[..split].trim().to_lowercase();
        let value = line[split + 1..].trim().to_owned();
        if key.is_empty() {
            return Err((line_no, "a line has a value but no key"));
        }
        let entries = sections.get_mut(section).expect("current section exists");
        if entries.insert(key, value).is_some() {
            return Err((line_no, "a key appears twice in one section"));
        }
    }
    let mut result = sections.remove("DEFAULT").unwrap_or_default();
    result.extend(sections.remove(wanted).unwrap_or_default());
    Ok(result)
}

#[cfg(test)]
mod tests;
