//! `hss` connection flags: an explicit proxy with credentials (the password
//! from the environment, never a flag), a refusing proxy, a CA bundle that
//! cannot be used, `--ignore-ssl-verification`'s warning, and the timeouts.
//! Scripted servers on 127.0.0.1 stand in for proxies.

mod support;

use std::time::Duration;

use hss_fake::scripted::Reply;
use predicates::prelude::*;
use support::{Fake, Scripted, closed_port, hss, page, plain_host};

const PASSWORD: &str = "proxy-pass-word-0123";

/// `hss scan-task hosts` with the scripted server as endpoint and as
/// proxy: requests reach it in a proxy's absolute form.
fn through_proxy(proxy: &Scripted) -> assert_cmd::Command {
    let mut cmd = proxy.hosts();
    cmd.args(["--proxy", proxy.server.base_url()]);
    cmd
}

#[test]
fn an_explicit_proxy_with_credentials_gets_the_requests() {
    let proxy = Scripted::start(|_, _| page(0, 10, 2, plain_host));
    through_proxy(&proxy)
        .args(["--proxy-user", "alice"])
        .env("HUAWEICLOUD_SDK_PROXY_PASSWORD", PASSWORD)
        .args(["-o", "json"])
        .assert()
        .success()
        .stderr("");
    let seen = &proxy.server.requests()[0];
    assert!(
        seen.target.starts_with("http://127.0.0.1:"),
        "{}",
        seen.target
    );
    // Basic alice:proxy-pass-word-0123
    assert_eq!(
        seen.header("proxy-authorization"),
        Some("Basic YWxpY2U6cHJveHktcGFzcy13b3JkLTAxMjM=")
    );
}

#[test]
fn a_proxy_user_without_its_password_is_a_usage_error() {
    let proxy = Scripted::start(|_, _| page(0, 10, 2, plain_host));
    through_proxy(&proxy)
        .args(["--proxy-user", "alice"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--proxy-user is given but HUAWEICLOUD_SDK_PROXY_PASSWORD is not set",
        ));
    assert!(proxy.server.requests().is_empty());
    hss(std::path::Path::new("/nonexistent"))
        .args([
            "scan-task",
            "hosts",
            "--task-id",
            "t",
            "--proxy-user",
            "alice",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--proxy"));
}

#[test]
fn a_refusing_proxy_is_named_and_its_password_is_not() {
    let proxy = Scripted::start(|_, _| Reply::raw(407, "text/plain", "who are you"));
    through_proxy(&proxy)
        .args(["--proxy-user", "alice"])
        .env("HUAWEICLOUD_SDK_PROXY_PASSWORD", PASSWORD)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(format!(
                "the proxy {} refused the request: it answered 407",
                proxy.server.base_url()
            ))
            .and(predicate::str::contains(PASSWORD).not()),
        );
    assert_eq!(proxy.server.requests().len(), 1, "not retried");
    // One that is not there at all.
    let fake = Fake::fixture();
    fake.hosts()
        .args(["--proxy", &format!("http://127.0.0.1:{}", closed_port())])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it cannot be connected to"));
    assert_eq!(fake.fake.request_count(), 0);
}

#[test]
fn auth_check_shows_the_explicit_proxy_without_its_password() {
    let proxy = Scripted::start(|_, _| page(0, 10, 2, plain_host));
    let output = hss(tempfile::tempdir().unwrap().path())
        .env("HUAWEICLOUD_SDK_TOKEN", "MIIscripted-token")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "proj")
        .env("HUAWEICLOUD_SDK_PROXY_PASSWORD", PASSWORD)
        .args(["auth", "check", "--endpoint", "http://127.0.0.1:9"])
        .args(["--proxy", proxy.server.base_url(), "--proxy-user", "alice"])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{out}");
    let line = out.lines().find(|l| l.starts_with("proxy:")).unwrap();
    assert_eq!(
        line,
        format!(
            "proxy:       {}, given explicitly, with credentials (user alice)",
            proxy.server.base_url()
        )
    );
    assert!(!out.contains(PASSWORD));
}

#[test]
fn a_ca_bundle_that_cannot_be_read_is_a_usage_error() {
    let fake = Fake::fixture();
    let missing = fake.home().join("no-such-ca.pem");
    fake.hosts()
        .arg("--ca-bundle")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "cannot use the CA bundle {}: it cannot be read",
            missing.display()
        )));
    let not_pem = fake.home().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    fake.hosts()
        .arg("--ca-bundle")
        .arg(&not_pem)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot use the CA bundle"));
    assert_eq!(fake.fake.request_count(), 0);
}

#[test]
fn ignoring_certificates_is_never_silent() {
    let fake = Fake::fixture();
    fake.hosts()
        .arg("--ignore-ssl-verification")
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "warning: --ignore-ssl-verification: TLS certificates are NOT checked",
        ))
        // Once, in the command line's words: the library's own warning
        // (naming its setting) is not repeated.
        .stderr(predicate::function(|err: &str| {
            err.matches("NOT checked").count() == 1 && !err.contains("ignore_ssl_verification")
        }));
}

#[test]
fn timeouts_are_flags() {
    let slow = Scripted::start(|_, _| page(0, 10, 1, plain_host).delayed(Duration::from_secs(4)));
    let started = std::time::Instant::now();
    slow.hosts()
        .args(["--read-timeout", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("timed out"));
    // Retried but bounded: the default 4 attempts, each given up after the
    // 1 s read timeout (a slower machine only takes longer; the 60 s retry
    // budget is far off).
    assert_eq!(slow.server.requests().len(), 4, "retried but bounded");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "each waited 1 s"
    );
    for bad in ["0", "3601", "x"] {
        slow.hosts()
            .args(["--connect-timeout", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--connect-timeout"));
    }
}
