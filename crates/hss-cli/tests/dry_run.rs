//! `--dry-run` of every command that would change state or start a task:
//! the request is printed (method, URL, headers, body), nothing reaches
//! the fake (its request log stays empty), and no secret shows on stdout
//! or stderr at `RUST_LOG=trace`, with AK/SK, temporary AK/SK or a token.

mod support;

use hss_fake::FakeHss;
use support::{Fake, hss};

/// Asserts that no piece of `secret` of 8 bytes or more is in `text`
/// (as `secrets.rs` does), so a secret cut or split still counts.
fn assert_absent(secret: &str, text: &str, what: &str) {
    assert!(secret.len() >= 8);
    for start in 0..=secret.len() - 8 {
        if !secret.is_char_boundary(start) || !secret.is_char_boundary(start + 8) {
            continue;
        }
        let piece = &secret[start..start + 8];
        assert!(
            !text.contains(piece),
            "{what}: {piece:?} of the secret leaked:\n{text}"
        );
    }
}

/// The dry runs, each with the method and path it must show and a piece
/// of its body.
fn dry_runs(host: &str) -> Vec<(Vec<String>, &'static str, &'static str, &'static str)> {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        (
            args(&["scan-task", "create", "--all-hosts", "--wait", "--dry-run"]),
            "POST",
            "/vulnerability/scan-task",
            r#""range_type":"all_host""#,
        ),
        (
            args(&[
                "vul",
                "set-status",
                "--operation",
                "ignore",
                "--vul-id",
                "EulerOS-SA-2021-1894",
                "--host-id",
                host,
                "--remark",
                "accepted risk",
                "--dry-run",
            ]),
            "PUT",
            "/vulnerability/status",
            r#""operate_type":"ignore""#,
        ),
        (
            args(&[
                "scan-policy",
                "set",
                "--period",
                "one_day",
                "--range",
                "all_host",
                "--status",
                "open",
                "--vul-type",
                "linux_vul",
                "--dry-run",
            ]),
            "PUT",
            "/vulnerability/scan-policy",
            r#""scan_period":"one_day""#,
        ),
        (
            args(&[
                "vul",
                "export",
                "--wait",
                "--file",
                "never.csv",
                "--dry-run",
            ]),
            "POST",
            "/vul/export",
            r#""export_headers""#,
        ),
    ]
}

fn check(output: std::process::Output, method: &str, path: &str, body: &str) -> String {
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let mut lines = stdout.lines();
    assert!(lines.next().unwrap().starts_with("# dry run: "), "{stdout}");
    let request = lines.next().unwrap();
    assert!(
        request.starts_with(&format!("{method} http://127.0.0.1:")) && request.contains(path),
        "{stdout}"
    );
    assert!(stdout.contains(body), "{body} not in {stdout}");
    assert!(stdout.contains("NOT sent"), "{stdout}");
    format!("{stdout}\n{stderr}")
}

#[test]
fn dry_runs_with_ak_sk_send_nothing_and_show_no_secret() {
    let fake = Fake::start(FakeHss::builder().seed(4).hosts(10).enterprise_projects(1));
    let key = fake.fake.access_key().clone();
    let host = fake.fake.server_ids()[0].clone();
    for (args, method, path, body) in dry_runs(&host) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = fake.hss(&args).env("RUST_LOG", "trace").output().unwrap();
        let text = check(output, method, path, body);
        // Signed as it would be sent, the signature redacted.
        assert!(text.contains("authorization: SDK-HMAC-SHA256"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
        assert!(text.contains("x-sdk-date: "), "{text}");
        assert_absent(&key.sk, &text, "AK/SK dry run");
    }
    assert_eq!(fake.fake.request_count(), 0, "a dry run sent a request");
    assert!(fake.fake.requests().is_empty());
}

#[test]
fn dry_runs_with_temporary_keys_or_a_token_show_no_secret() {
    let fake = Fake::start(FakeHss::builder().seed(4).hosts(10).enterprise_projects(1));
    let temporary = fake.fake.temporary_access_key().clone();
    let security_token = temporary.security_token.clone().unwrap();
    let token = fake.fake.token().to_owned();
    let host = fake.fake.server_ids()[0].clone();
    for (args, method, path, body) in dry_runs(&host) {
        let with = |cmd: &mut assert_cmd::Command| {
            cmd.env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
                .env("RUST_LOG", "trace")
                .args(&args)
                .arg("--endpoint")
                .arg(fake.fake.base_url())
                .write_stdin("");
        };
        let mut cmd = hss(fake.home());
        cmd.env("HUAWEICLOUD_SDK_AK", &temporary.ak)
            .env("HUAWEICLOUD_SDK_SK", &temporary.sk)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", &security_token);
        with(&mut cmd);
        let text = check(cmd.output().unwrap(), method, path, body);
        assert_absent(&temporary.sk, &text, "temporary SK");
        assert_absent(&security_token, &text, "security token");

        let mut cmd = hss(fake.home());
        cmd.env("HUAWEICLOUD_SDK_TOKEN", &token);
        with(&mut cmd);
        let text = check(cmd.output().unwrap(), method, path, body);
        assert!(text.contains("x-auth-token: [REDACTED]"), "{text}");
        assert_absent(&token, &text, "token");
    }
    assert_eq!(fake.fake.request_count(), 0, "a dry run sent a request");
}

#[test]
fn a_dry_run_checks_its_arguments_like_the_real_call() {
    let fake = Fake::start(FakeHss::builder().seed(4).hosts(10).enterprise_projects(1));
    let output = fake
        .hss(&[
            "scan-policy",
            "set",
            "--period",
            "one_day",
            "--range",
            "specific_host",
            "--status",
            "open",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("host_ids"), "{stderr}");
    assert_eq!(fake.fake.request_count(), 0);
}
