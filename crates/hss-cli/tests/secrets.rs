//! The `hss` binary with `RUST_LOG=trace`: with a token, with AK/SK and
//! with temporary AK/SK, on success, on retried failures and on refused
//! credentials, no byte sequence of the secret key or a token appears on
//! stdout or stderr (which carries the logs and the error line).

mod support;

use hss_fake::{FakeHss, Fault, FaultRule};
use support::{Fake, hss};

/// Runs `cmd` and returns stdout and stderr together.
fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let output = cmd.output().expect("hss runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

/// Asserts that no piece of `secret` of 8 bytes or more is in `text`, so a
/// secret cut, quoted or split across lines still counts.
fn assert_absent(secret: &str, text: &str, what: &str) {
    assert!(
        secret.len() >= 8,
        "test secrets are long enough to search for"
    );
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

fn traced(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("RUST_LOG", "trace")
}

#[test]
fn ak_sk_never_shows_at_trace_level() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key().clone();
    // Success, every page, several formats.
    for args in [
        &["--all", "-o", "json"][..],
        &["--limit", "10"],
        &["--all", "--summary"],
    ] {
        let (code, out) = run(traced(&mut fake.hosts()).args(args));
        assert_eq!(code, Some(0), "{out}");
        assert!(out.contains("hss.request"), "trace is on: {out}");
        assert_absent(&key.sk, &out, "AK/SK success");
    }
    // Retried failures, then success.
    fake.fake
        .set_faults([FaultRule::first(2, Fault::server_error(503))]);
    let (code, out) = run(traced(&mut fake.hosts()).arg("--all"));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("retrying"), "{out}");
    assert_absent(&key.sk, &out, "AK/SK retries");
    fake.fake.clear_faults();

    // A wrong secret key: the gateway's refusal, and neither key shown.
    let wrong = "wrong-secret-key-0123456789abcdef";
    let (code, out) = run(traced(&mut fake.hosts()).env("HUAWEICLOUD_SDK_SK", wrong));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("APIGW.0301"), "{out}");
    assert_absent(wrong, &out, "wrong SK");
    assert_absent(&key.sk, &out, "wrong SK");
}

#[test]
fn temporary_credentials_never_show_at_trace_level() {
    let fake = Fake::fixture();
    let key = fake.fake.temporary_access_key().clone();
    let token = key.security_token.clone().unwrap();
    let command = || {
        let mut cmd = hss(fake.home());
        cmd.env("HUAWEICLOUD_SDK_AK", &key.ak)
            .env("HUAWEICLOUD_SDK_SK", &key.sk)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", &token)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .env("RUST_LOG", "trace")
            .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
            .args(["--task-id", &fake.fake.task_id()]);
        cmd
    };
    let (code, out) = run(command().args(["--all", "-o", "csv"]));
    assert_eq!(code, Some(0), "{out}");
    assert_absent(&key.sk, &out, "temporary SK");
    assert_absent(&token, &out, "security token");
    // A security token that cannot go into a header is refused without
    // being echoed.
    let bad = "sts-token-with-a-line-break\r\nX-Injected: 1";
    let before = fake.fake.request_count();
    let (code, out) = run(command().env("HUAWEICLOUD_SDK_SECURITY_TOKEN", bad));
    assert_eq!(code, Some(2), "{out}");
    assert_absent("sts-token-with-a-line-break", &out, "bad security token");
    assert_eq!(fake.fake.request_count(), before, "nothing was sent");
}

#[test]
fn a_token_never_shows_at_trace_level() {
    let fake = Fake::start(FakeHss::builder().seed(9).hosts(450).enterprise_projects(1));
    let token = fake.fake.token().to_owned();
    let command = |token: &str| {
        let mut cmd = hss(fake.home());
        cmd.env("HUAWEICLOUD_SDK_TOKEN", token)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .env("RUST_LOG", "trace")
            .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
            .args(["--task-id", &fake.fake.task_id()]);
        cmd
    };
    let (code, out) = run(command(&token).args(["--all", "--concurrency", "4", "-o", "ndjson"]));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("hss.request"), "{out}");
    assert_absent(&token, &out, "token success");

    fake.fake.set_faults([
        FaultRule::first(1, Fault::throttle(0)),
        FaultRule::nth(3, Fault::ResetConnection),
        FaultRule::nth(4, Fault::BadGatewayHtml),
    ]);
    let (code, out) = run(command(&token).arg("--all"));
    assert_eq!(code, Some(0), "{out}");
    assert_absent(&token, &out, "token retries");

    // Always failing: the error line and the logs.
    fake.fake
        .set_faults([FaultRule::always(Fault::server_error(500))]);
    let (code, out) = run(command(&token).arg("--all"));
    assert_eq!(code, Some(1), "{out}");
    assert_absent(&token, &out, "token failure");
    fake.fake.clear_faults();

    // A token the fake does not know, and one that cannot be a header.
    let wrong = "MIIwrong-token-0123456789abcdef";
    let (code, out) = run(&mut command(wrong));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("APIGW.0301"), "{out}");
    assert_absent(wrong, &out, "wrong token");
    let broken = "MIIbroken-token-0123456789\nabcdef";
    let (code, out) = run(&mut command(broken));
    assert_eq!(code, Some(2), "{out}");
    assert_absent("MIIbroken-token-0123456789", &out, "broken token");
}

#[test]
fn the_profile_file_secret_never_shows() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key().clone();
    let dir = fake.home().join(".huaweicloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        format!("[basic]\nak = {}\nsk = {}\n", key.ak, key.sk),
    )
    .unwrap();
    let (code, out) = run(hss(fake.home())
        .env("RUST_LOG", "trace")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id(), "--all"]));
    assert_eq!(code, Some(0), "{out}");
    assert_absent(&key.sk, &out, "profile SK");
}

#[test]
fn auth_check_never_shows_a_secret_at_trace_level() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key().clone();
    let temporary = fake.fake.temporary_access_key().clone();
    let security_token = temporary.security_token.clone().unwrap();
    let check = |ak: &str, sk: &str, security_token: Option<&str>| {
        let mut cmd = hss(fake.home());
        cmd.env("RUST_LOG", "trace")
            .env("HUAWEICLOUD_SDK_AK", ak)
            .env("HUAWEICLOUD_SDK_SK", sk)
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.fake.iam_url())
            .args(["auth", "check", "--endpoint", &fake.fake.base_url()])
            .args(["--region", hss_fake::DEFAULT_REGION]);
        if let Some(token) = security_token {
            cmd.env("HUAWEICLOUD_SDK_SECURITY_TOKEN", token);
        }
        cmd
    };
    // Permanent keys, with discovery: IAM and HSS both traced.
    let (code, out) = run(&mut check(&key.ak, &key.sk, None));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("iam.request") && out.contains("hss.request"),
        "{out}"
    );
    assert_absent(&key.sk, &out, "auth check SK");
    // Temporary keys.
    let (code, out) = run(&mut check(
        &temporary.ak,
        &temporary.sk,
        Some(&security_token),
    ));
    assert_eq!(code, Some(0), "{out}");
    assert_absent(&temporary.sk, &out, "auth check temporary SK");
    assert_absent(&security_token, &out, "auth check security token");
    // A wrong secret key, refused.
    let wrong = "wrong-secret-key-0123456789abcdef";
    let (code, out) = run(check(&key.ak, wrong, None).args(["--project-id", "p"]));
    assert_eq!(code, Some(1), "{out}");
    assert_absent(wrong, &out, "auth check wrong SK");
    // A token.
    let token = fake.fake.token().to_owned();
    let (code, out) = run(hss(fake.home())
        .env("RUST_LOG", "trace")
        .env("HUAWEICLOUD_SDK_TOKEN", &token)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()]));
    assert_eq!(code, Some(0), "{out}");
    assert_absent(&token, &out, "auth check token");
}

#[test]
fn metadata_credentials_never_show_at_trace_level() {
    let fake = Fake::fixture();
    for args in [&["scan-task", "hosts", "--all"][..], &["auth", "check"]] {
        let mut cmd = hss(fake.home());
        cmd.env("RUST_LOG", "trace")
            .env(
                "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
                fake.fake.metadata_url(),
            )
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .args(args)
            .args(["--endpoint", &fake.fake.base_url()]);
        if args[0] == "scan-task" {
            cmd.args(["--task-id", &fake.fake.task_id()]);
        }
        let (code, out) = run(&mut cmd);
        assert_eq!(code, Some(0), "{out}");
        let issued = fake.fake.issued_credentials().pop().unwrap();
        assert_absent(&issued.key.sk, &out, "metadata SK");
        assert_absent(
            issued.key.security_token.as_deref().unwrap(),
            &out,
            "metadata security token",
        );
    }
}
