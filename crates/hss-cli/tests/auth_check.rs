//! `hss auth check` against hss-fake on 127.0.0.1: what it reports for
//! each credential source, project source, endpoint, proxy and clock, and
//! its exit codes.

mod support;

use hss_fake::{DEFAULT_REGION, FakeHss};
use predicates::prelude::*;
use support::{Fake, closed_port, hss};

/// The value of report line `label`.
fn field<'a>(report: &'a str, label: &str) -> &'a str {
    let prefix = format!("{label}:");
    report
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {label} line in:\n{report}"))[prefix.len()..]
        .trim()
}

/// The report's project is the fake's, from `HUAWEICLOUD_SDK_PROJECT_ID`.
fn assert_project_from_the_environment(report: &str, fake: &Fake) {
    assert_eq!(
        field(report, "project"),
        format!(
            "{}, environment variable HUAWEICLOUD_SDK_PROJECT_ID",
            fake.fake.project_id()
        )
    );
}

fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let output = cmd.output().expect("hss runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `hss auth check --endpoint <fake>` with the fake's AK/SK in the
/// environment and its IAM; the project is left to discovery.
fn check(fake: &Fake) -> assert_cmd::Command {
    let key = fake.fake.access_key();
    let mut cmd = hss(fake.home());
    cmd.env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.fake.iam_url())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()])
        .args(["--region", DEFAULT_REGION]);
    cmd
}

#[test]
fn environment_credentials_and_a_discovered_project() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key().clone();
    let (code, out, err) = run(&mut check(&fake));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err, "");
    let credentials = field(&out, "credentials");
    let masked = format!("{}**************{}", &key.ak[..3], &key.ak[17..]);
    assert!(
        credentials.starts_with(&format!("access key {masked} ")),
        "{credentials}"
    );
    assert!(
        credentials
            .contains("from the environment: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are set"),
        "{credentials}"
    );
    assert!(!out.contains(&key.ak), "the access key is masked:\n{out}");
    assert_eq!(
        field(&out, "project"),
        format!(
            "{}, discovered from IAM ({}): the project named `cn-north-4`",
            fake.fake.project_id(),
            fake.fake.iam_url()
        )
    );
    assert_eq!(
        field(&out, "endpoint"),
        format!(
            "{}, given with --endpoint; plain http (loopback only)",
            fake.fake.base_url()
        )
    );
    assert!(field(&out, "proxy").starts_with("none"), "{out}");
    let skew = field(&out, "clock skew");
    assert!(
        skew.ends_with("s (the server's Date against this machine's clock)"),
        "{skew}"
    );
    assert!(
        field(&out, "test call").contains(
            "signed with SDK-HMAC-SHA256: accepted by the gateway, then refused by HSS itself"
        ),
        "{out}"
    );
    assert!(field(&out, "test call").contains("HSS.0011"), "{out}");
    assert_eq!(field(&out, "result"), "ok: the credentials work");
    // One question to IAM, one test call to HSS.
    let paths: Vec<String> = fake
        .fake
        .requests()
        .iter()
        .map(|r| r.raw_path.clone())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(paths[0], "/v3/projects");
    assert!(
        paths[1].ends_with("/scan-task/hss-auth-check/hosts"),
        "{paths:?}"
    );

    // With a task that exists, the call lists it.
    let (code, out, _) = run(check(&fake).args(["--task-id", &fake.fake.task_id()]));
    assert_eq!(code, 0);
    assert!(
        field(&out, "test call").contains("accepted, 45 hosts in the task"),
        "{out}"
    );
}

#[test]
fn the_profile_file_and_a_token_are_named_with_why() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key().clone();
    let file = fake.home().join("creds.ini");
    std::fs::write(
        &file,
        format!(
            "[basic]\nak = {}\nsk = {}\nproject_id = {}\n",
            key.ak,
            key.sk,
            fake.fake.project_id()
        ),
    )
    .unwrap();
    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file)
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()]));
    assert_eq!(code, 0, "{out}{err}");
    let credentials = field(&out, "credentials");
    assert!(
        credentials.contains(&format!(
            "from section [basic] of {} (named by HUAWEICLOUD_SDK_CREDENTIALS_FILE), because the environment has no credentials",
            file.display()
        )),
        "{credentials}"
    );
    assert_eq!(
        field(&out, "project"),
        format!(
            "{}, key `project_id` of the credentials file {}",
            fake.fake.project_id(),
            file.display()
        )
    );

    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_TOKEN", fake.fake.token())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        field(&out, "credentials")
            .starts_with("an IAM token, from the environment: HUAWEICLOUD_SDK_TOKEN is set"),
        "{out}"
    );
    assert_project_from_the_environment(&out, &fake);
    assert!(
        field(&out, "test call").contains("with the IAM token"),
        "{out}"
    );
}

#[test]
fn the_region_endpoint_and_its_override_are_named() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .env("HUAWEICLOUD_SDK_REGION", "local-test-1")
        .env(
            "HUAWEICLOUD_SDK_REGION_HSS_LOCAL_TEST_1",
            fake.fake.base_url(),
        )
        .args(["auth", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        field(&out, "endpoint"),
        format!(
            "{}, region local-test-1 from HUAWEICLOUD_SDK_REGION, its URL from HUAWEICLOUD_SDK_REGION_HSS_LOCAL_TEST_1; plain http (loopback only)",
            fake.fake.base_url()
        )
    );
}

#[test]
fn a_skewed_server_shows_the_skew_and_the_correction() {
    let fake = Fake::start(
        FakeHss::builder()
            .seed(8)
            .hosts(20)
            .clock_offset(hss_fake::time::Duration::minutes(20)),
    );
    let (code, out, err) = run(&mut check(&fake));
    assert_eq!(code, 0, "{out}{err}");
    let skew = field(&out, "clock skew");
    let seconds: i64 = skew
        .split(' ')
        .next()
        .unwrap()
        .trim_start_matches('+')
        .parse()
        .unwrap();
    assert!((1198..=1202).contains(&seconds), "{skew}");
    assert!(skew.contains("signatures are dated +"), "{skew}");
}

#[test]
fn refused_credentials_and_no_project_are_failures_that_say_so() {
    let fake = Fake::fixture();
    let (code, out, err) = run(check(&fake)
        .env("HUAWEICLOUD_SDK_SK", "wrong-secret-key-0123456789abcdef")
        .args(["--project-id", &fake.fake.project_id()]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        field(&out, "test call").contains("failed: HSS answered 401 Unauthorized: APIGW.0301"),
        "{out}"
    );
    assert!(field(&out, "result").starts_with("failed"), "{out}");
    assert!(err.starts_with("error: the test call failed"), "{err}");

    let none = Fake::start(
        FakeHss::builder()
            .seed(8)
            .hosts(20)
            .iam_projects(DEFAULT_REGION, Vec::<String>::new()),
    );
    let (code, out, err) = run(&mut check(&none));
    assert_eq!(code, 2, "{out}{err}");
    assert!(field(&out, "project").starts_with("none: IAM ("), "{out}");
    assert_eq!(field(&out, "test call"), "not sent");
    assert!(err.contains("no project named `cn-north-4`"), "{err}");
    // Where to set one, in the command line's words.
    assert!(err.contains("set the project id (--project-id, "), "{err}");
    assert!(!err.contains("the client's project id"), "{err}");
}

#[test]
fn without_an_endpoint_it_still_shows_the_credentials_and_the_project() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["auth", "check"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        field(&out, "credentials").contains("from the environment"),
        "{out}"
    );
    assert_project_from_the_environment(&out, &fake);
    assert!(
        field(&out, "endpoint").starts_with("none: no endpoint: pass --region"),
        "{out}"
    );
    assert_eq!(field(&out, "test call"), "not sent");
    assert!(
        err.starts_with("error: no endpoint: pass --region"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Nor credentials nor project: both said, the endpoint too.
    let (code, out, _) = run(hss(fake.home()).args(["auth", "check"]));
    assert_eq!(code, 2, "{out}");
    assert!(field(&out, "credentials").starts_with("none: "), "{out}");
    assert!(
        field(&out, "project").starts_with("none: no project id: pass --project-id"),
        "{out}"
    );
    assert!(field(&out, "endpoint").starts_with("none: "), "{out}");
    assert_eq!(fake.fake.request_count(), 0);
}

/// `hss-fake` prints this environment for the shell: with it alone, `hss
/// auth check` finds the endpoint, asks the fake's IAM for the project and
/// is accepted.
#[test]
fn the_fakes_environment_is_all_hss_needs() {
    let fake = Fake::fixture();
    let (code, out, err) = run(hss(fake.home())
        .envs(fake.fake.client_environment())
        .args(["auth", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err, "");
    assert!(
        field(&out, "project").starts_with(&format!(
            "{}, discovered from IAM ({})",
            fake.fake.project_id(),
            fake.fake.iam_url()
        )),
        "{out}"
    );
    assert!(
        field(&out, "endpoint").starts_with(&fake.fake.base_url()),
        "{out}"
    );
    assert_eq!(field(&out, "result"), "ok: the credentials work");
}

#[test]
fn a_proxy_from_the_environment_is_shown_without_its_password() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    let port = closed_port();
    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .env(
            "HTTP_PROXY",
            format!("http://proxyuser:proxy-pass-word@127.0.0.1:{port}"),
        )
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()]));
    assert_eq!(code, 1, "the proxy refuses the connection: {out}{err}");
    assert_eq!(
        field(&out, "proxy"),
        format!(
            "http://127.0.0.1:{port}, from the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY), with credentials (user [from the URL])"
        )
    );
    assert!(
        !out.contains("proxy-pass") && !err.contains("proxy-pass"),
        "{out}{err}"
    );
    assert_eq!(
        fake.fake.request_count(),
        0,
        "nothing went around the proxy"
    );
    // NO_PROXY takes the endpoint off the proxy.
    let (code, out, _) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .env("HTTP_PROXY", format!("http://127.0.0.1:{port}"))
        .env("NO_PROXY", "127.0.0.1")
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()]));
    assert_eq!(code, 0, "{out}");
    assert!(field(&out, "proxy").starts_with("none"), "{out}");
}

#[test]
fn without_credentials_it_is_a_usage_error() {
    let fake = Fake::fixture();
    hss(fake.home())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no credentials found"));
}
