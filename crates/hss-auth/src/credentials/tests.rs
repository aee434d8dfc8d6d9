use std::collections::HashMap;
use std::path::Path;

use super::*;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "sk-secret-MFyfvK41ba2giqM7Uio6";
const SECURITY_TOKEN: &str = "security-token-secret-gQpjbi1ub3J0aC00";
const IAM_TOKEN: &str = "iam-token-secret-MIIYXQYJKoZIhvcNAQcCoIIYTjCCGEoCAQEx";

/// Every secret used in these tests; no Debug or Display output may hold one.
const SECRETS: [&str; 3] = [SK, SECURITY_TOKEN, IAM_TOKEN];

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |key| map.get(key).cloned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// A home directory holding `~/.huaweicloud/credentials` with `content`.
fn home_with_profile(content: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".huaweicloud");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("credentials"), content).unwrap();
    home
}

fn assert_no_secrets(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "secret leaked in {text:?}");
    }
}

fn assert_error_is_clean(err: &CredentialsError) {
    assert_no_secrets(&err.to_string());
    assert_no_secrets(&format!("{err:?}"));
}

fn ak_sk(c: &Credentials) -> (&str, &str, Option<&str>) {
    match c {
        Credentials::AkSk {
            ak,
            sk,
            security_token,
        } => (
            ak.as_str(),
            sk.expose_secret(),
            security_token.as_ref().map(|t| t.expose_secret()),
        ),
        Credentials::Token(_) => panic!("expected AK/SK, got {c:?}"),
    }
}

#[test]
fn environment_gives_ak_sk_token_and_project() {
    let env = env_of(&[
        (ENV_AK, AK),
        (ENV_SK, SK),
        (ENV_SECURITY_TOKEN, SECURITY_TOKEN),
        (ENV_PROJECT_ID, "proj-env"),
    ]);
    let resolved = resolve(&ExplicitCredentials::default(), env, None).unwrap();
    assert_eq!(ak_sk(&resolved.credentials), (AK, SK, Some(SECURITY_TOKEN)));
    assert_eq!(resolved.source, CredentialSource::Environment);
    assert_eq!(resolved.project_id.as_deref(), Some("proj-env"));
    assert_eq!(
        resolved.project_id_source,
        Some(CredentialSource::Environment)
    );

    let token = Credentials::from_env_with(env_of(&[(ENV_TOKEN, IAM_TOKEN)]))
        .unwrap()
        .unwrap();
    assert!(matches!(&token, Credentials::Token(t) if t.expose_secret() == IAM_TOKEN));
    assert!(token.signer().is_none());
    assert_eq!(
        Credentials::from_env_with(no_env).unwrap().map(|_| ()),
        None
    );
}

#[test]
fn explicit_beats_environment_beats_profile() {
    let home = home_with_profile("[basic]\nak = AK_FILE\nsk = SK_FILE\nproject_id = proj-file\n");
    let env = env_of(&[
        (ENV_AK, "AK_ENV"),
        (ENV_SK, "SK_ENV"),
        (ENV_PROJECT_ID, "proj-env"),
    ]);
    let explicit = ExplicitCredentials {
        ak: Some("AK_EXPLICIT".into()),
        sk: Some("SK_EXPLICIT".into()),
        project_id: Some("proj-explicit".into()),
        ..Default::default()
    };

    let r = resolve(&explicit, &env, Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials), ("AK_EXPLICIT", "SK_EXPLICIT", None));
    assert_eq!(r.source, CredentialSource::Explicit);
    assert_eq!(r.project_id.as_deref(), Some("proj-explicit"));

    let r = resolve(&ExplicitCredentials::default(), &env, Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials), ("AK_ENV", "SK_ENV", None));
    assert_eq!(r.project_id.as_deref(), Some("proj-env"));

    let r = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials), ("AK_FILE", "SK_FILE", None));
    let file = home.path().join(".huaweicloud/credentials");
    assert_eq!(r.source, CredentialSource::ProfileFile(file.clone()));
    assert_eq!(r.project_id.as_deref(), Some("proj-file"));
    assert_eq!(
        r.project_id_source,
        Some(CredentialSource::ProfileFile(file))
    );
}

#[test]
fn project_id_is_resolved_on_its_own() {
    let home = home_with_profile("[basic]\nak = AK_FILE\nsk = SK_FILE\nproject_id = proj-file\n");
    // Credentials from the file, project from the environment.
    let r = resolve(
        &ExplicitCredentials::default(),
        env_of(&[(ENV_PROJECT_ID, "proj-env")]),
        Some(home.path()),
    )
    .unwrap();
    assert_eq!(ak_sk(&r.credentials).0, "AK_FILE");
    assert_eq!(r.project_id.as_deref(), Some("proj-env"));
    assert_eq!(r.project_id_source, Some(CredentialSource::Environment));

    // Credentials explicit, project from the file.
    let explicit = ExplicitCredentials {
        token: Some(IAM_TOKEN.into()),
        ..Default::default()
    };
    let r = resolve(&explicit, no_env, Some(home.path())).unwrap();
    assert!(matches!(r.credentials, Credentials::Token(_)));
    assert_eq!(r.project_id.as_deref(), Some("proj-file"));

    // No project anywhere is fine here; the client decides whether it needs one.
    let r = resolve(&explicit, no_env, None).unwrap();
    assert_eq!(r.project_id, None);
    assert_eq!(r.project_id_source, None);
}

#[test]
fn settled_credentials_ignore_later_half_set_sources() {
    let home = home_with_profile("[basic]\nak = ONLY_AK\nproject_id = proj-file\n");
    let explicit = ExplicitCredentials {
        ak: Some(AK.into()),
        sk: Some(SK.into()),
        ..Default::default()
    };
    let r = resolve(&explicit, env_of(&[(ENV_AK, "STALE")]), Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials).0, AK);
    assert_eq!(r.project_id.as_deref(), Some("proj-file"));
}

#[test]
fn empty_values_count_as_unset() {
    let env = env_of(&[
        (ENV_AK, ""),
        (ENV_SK, ""),
        (ENV_SECURITY_TOKEN, ""),
        (ENV_PROJECT_ID, ""),
    ]);
    let home = home_with_profile("[basic]\nak = A\nsk = S\nsecurity_token =\n");
    let r = resolve(&ExplicitCredentials::default(), env, Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials), ("A", "S", None));
    assert_eq!(r.project_id, None);
}

fn env_error(pairs: &[(&str, &str)]) -> CredentialsError {
    let err = resolve(&ExplicitCredentials::default(), env_of(pairs), None).unwrap_err();
    assert_error_is_clean(&err);
    err
}

#[test]
fn half_set_environment_says_which_variable_to_set() {
    let err = env_error(&[(ENV_AK, AK)]);
    assert_eq!(
        err.to_string(),
        "environment variable HUAWEICLOUD_SDK_AK is set but environment variable HUAWEICLOUD_SDK_SK is not: set environment variable HUAWEICLOUD_SDK_SK as well"
    );
    let err = env_error(&[(ENV_SK, SK)]);
    assert_eq!(
        err.to_string(),
        "environment variable HUAWEICLOUD_SDK_SK is set but environment variable HUAWEICLOUD_SDK_AK is not: set environment variable HUAWEICLOUD_SDK_AK as well"
    );
    let err = env_error(&[(ENV_SECURITY_TOKEN, SECURITY_TOKEN)]);
    assert!(
        err.to_string().starts_with(
            "environment variable HUAWEICLOUD_SDK_SECURITY_TOKEN is set but environment variable HUAWEICLOUD_SDK_AK and environment variable HUAWEICLOUD_SDK_SK are not: set both"
        ),
        "{err}"
    );
    let err = env_error(&[(ENV_SECURITY_TOKEN, SECURITY_TOKEN), (ENV_TOKEN, IAM_TOKEN)]);
    assert!(
        matches!(err, CredentialsError::TokenWithoutKeys { .. }),
        "{err}"
    );
    let err = env_error(&[(ENV_AK, AK), (ENV_SK, SK), (ENV_TOKEN, IAM_TOKEN)]);
    assert_eq!(
        err.to_string(),
        "both environment variable HUAWEICLOUD_SDK_TOKEN and environment variable HUAWEICLOUD_SDK_AK are set: keep only one way to authenticate"
    );
}

#[test]
fn half_set_profile_says_which_key_to_set() {
    for (content, expected) in [
        (
            "[basic]\nak = A\n",
            "key `ak` in section [basic] of {} is set but key `sk` in section [basic] of {} is not: set key `sk` in section [basic] of {} as well",
        ),
        (
            "[basic]\nsk = S\n",
            "key `sk` in section [basic] of {} is set but key `ak` in section [basic] of {} is not: set key `ak` in section [basic] of {} as well",
        ),
    ] {
        let home = home_with_profile(content);
        let path = home.path().join(".huaweicloud/credentials");
        let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
        assert_eq!(
            err.to_string(),
            expected.replace("{}", &path.display().to_string())
        );
        assert_error_is_clean(&err);
    }
    let home = home_with_profile(&format!("[basic]\nsecurity_token = {SECURITY_TOKEN}\n"));
    let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("key `security_token` in section [basic]"),
        "{err}"
    );
    assert!(
        err.to_string().contains("key `ak`") && err.to_string().contains("key `sk`"),
        "{err}"
    );
    assert_error_is_clean(&err);
}

#[test]
fn half_set_explicit_values_say_which_value_to_set() {
    let explicit = ExplicitCredentials {
        sk: Some(SK.into()),
        ..Default::default()
    };
    let err = resolve(&explicit, no_env, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the explicit `sk` value is set but the explicit `ak` value is not: set the explicit `ak` value as well"
    );
    assert_error_is_clean(&err);
}

#[test]
fn credentials_file_variable_overrides_home_and_must_exist() {
    let home = home_with_profile("[basic]\nak = HOME_AK\nsk = HOME_SK\n");
    let other = tempfile::tempdir().unwrap();
    let named = other.path().join("creds.ini");
    std::fs::write(&named, "[basic]\nAK: NAMED_AK\nSk: NAMED_SK\n").unwrap();
    let env = env_of(&[(ENV_CREDENTIALS_FILE, named.to_str().unwrap())]);
    let r = resolve(&ExplicitCredentials::default(), env, Some(home.path())).unwrap();
    assert_eq!(ak_sk(&r.credentials), ("NAMED_AK", "NAMED_SK", None));
    assert_eq!(r.source, CredentialSource::ProfileFile(named));

    let missing = other.path().join("missing.ini");
    let env = env_of(&[(ENV_CREDENTIALS_FILE, missing.to_str().unwrap())]);
    let err = resolve(&ExplicitCredentials::default(), env, Some(home.path())).unwrap_err();
    assert!(
        matches!(
            err,
            CredentialsError::ReadFile {
                named_by_env: true,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("missing.ini") && text.contains("HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
        "{text}"
    );

    // A directory where the file should be cannot be read.
    let env = env_of(&[(ENV_CREDENTIALS_FILE, other.path().to_str().unwrap())]);
    let err = resolve(&ExplicitCredentials::default(), env, None).unwrap_err();
    assert!(
        matches!(
            err,
            CredentialsError::ReadFile {
                named_by_env: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn nothing_anywhere_says_what_to_set() {
    let home = tempfile::tempdir().unwrap();
    let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
    let text = err.to_string();
    for needle in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_TOKEN",
        "[basic]",
    ] {
        assert!(text.contains(needle), "{text}");
    }
    assert!(
        text.contains(
            &home
                .path()
                .join(".huaweicloud/credentials")
                .display()
                .to_string()
        ),
        "{text}"
    );
    let err = resolve(&ExplicitCredentials::default(), no_env, None).unwrap_err();
    assert!(
        err.to_string().contains("~/.huaweicloud/credentials"),
        "{err}"
    );

    // A file without [basic] has nothing to say.
    let home = home_with_profile("[global]\nak = A\nsk = S\n");
    let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
    assert!(matches!(err, CredentialsError::NotFound { .. }));
}

#[test]
fn ini_reading_matches_configparser_for_simple_files() {
    let text = "\u{feff}; comment\n# another\n[DEFAULT]\nproject_id = from-default\n\n[global]\nak = G\n[basic]\r\n  ; indented comment\nAK = A =x\nsk: S:y\n";
    let section = parse_ini_section(text, "basic").unwrap();
    assert_eq!(section.get("ak").map(String::as_str), Some("A =x"));
    assert_eq!(section.get("sk").map(String::as_str), Some("S:y"));
    assert_eq!(
        section.get("project_id").map(String::as_str),
        Some("from-default")
    );

    // Values are literal: no quotes, escapes or inline comments.
    let section = parse_ini_section("[basic]\nsk = \"a\\b\" # c\n", "basic").unwrap();
    assert_eq!(section.get("sk").map(String::as_str), Some("\"a\\b\" # c"));
}

#[test]
fn ini_errors_name_the_line_but_not_its_content() {
    for (text, line) in [
        ("ak = A\n[basic]\n", 1),
        ("[basic]\nsk-secret-MFyfvK41ba2giqM7Uio6\n", 2),
        ("[basic]\nak = A\n  continued\n", 3),
        ("[basic]\nak = A\nAK = B\n", 3),
        ("[basic]\n[basic]\n", 2),
        ("[basic]\n= value\n", 2),
        ("[]\n", 1),
    ] {
        let home = home_with_profile(text);
        let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
        assert!(
            matches!(&err, CredentialsError::ParseFile { line: l, .. } if *l == line),
            "{text:?}: {err:?}"
        );
        assert!(err.to_string().contains(&format!("line {line}:")), "{err}");
        assert_error_is_clean(&err);
    }
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".huaweicloud")).unwrap();
    std::fs::write(
        home.path().join(".huaweicloud/credentials"),
        [0xff, 0xfe, b'\n'],
    )
    .unwrap();
    let err = resolve(&ExplicitCredentials::default(), no_env, Some(home.path())).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

#[test]
fn profile_path_prefers_the_variable() {
    let home = Path::new("/home/someone");
    assert_eq!(
        profile_path(no_env, Some(home)),
        Some((home.join(".huaweicloud/credentials"), false))
    );
    assert_eq!(
        profile_path(env_of(&[(ENV_CREDENTIALS_FILE, "/etc/hc")]), Some(home)),
        Some((PathBuf::from("/etc/hc"), true))
    );
    assert_eq!(profile_path(no_env, None), None);
}

#[test]
fn debug_and_display_of_credentials_never_show_secrets() {
    let values = [
        Credentials::ak_sk(AK, SK),
        Credentials::temporary(AK, SK, SECURITY_TOKEN),
        Credentials::token(IAM_TOKEN),
    ];
    for c in &values {
        for text in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert_no_secrets(&text);
            assert!(text.contains("[REDACTED]"), "{text}");
        }
    }
    assert!(format!("{:?}", values[1]).contains(AK));
    assert_eq!(values[0].access_key_id(), Some(AK));

    let explicit = ExplicitCredentials {
        ak: Some(AK.into()),
        sk: Some(SK.into()),
        security_token: Some(SECURITY_TOKEN.into()),
        token: Some(IAM_TOKEN.into()),
        project_id: Some("p".into()),
    };
    assert_no_secrets(&format!("{explicit:?}"));
    let profile = Profile {
        credentials: Some(values[1].clone()),
        project_id: None,
    };
    assert_no_secrets(&format!("{profile:?}"));
    let resolved = resolve(
        &ExplicitCredentials {
            ak: Some(AK.into()),
            sk: Some(SK.into()),
            ..Default::default()
        },
        no_env,
        None,
    )
    .unwrap();
    assert_no_secrets(&format!("{resolved:?}"));
    let signer = values[1].signer().unwrap();
    assert_no_secrets(&format!("{signer:?}"));
    assert!(signer.is_temporary());
}

#[test]
fn every_error_variant_is_clean() {
    let file = PathBuf::from("/x/credentials");
    let errors = [
        CredentialsError::Incomplete {
            present: Setting::Env(ENV_AK),
            missing: Setting::Env(ENV_SK),
        },
        CredentialsError::TokenWithoutKeys {
            present: Setting::ProfileKey {
                file: file.clone(),
                key: "security_token",
            },
            ak: Setting::ProfileKey {
                file: file.clone(),
                key: "ak",
            },
            sk: Setting::ProfileKey {
                file: file.clone(),
                key: "sk",
            },
        },
        CredentialsError::Conflicting {
            token: Setting::Explicit("token"),
            ak: Setting::Explicit("ak"),
        },
        CredentialsError::ReadFile {
            path: file.clone(),
            named_by_env: false,
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        },
        CredentialsError::ParseFile {
            path: file,
            line: 3,
            reason: "r",
        },
        CredentialsError::NotFound { profile_path: None },
    ];
    for err in &errors {
        assert_error_is_clean(err);
    }
}
