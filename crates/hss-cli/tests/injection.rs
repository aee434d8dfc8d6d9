//! Hostile ids and values on the `hss` command line: each is refused with a
//! usage error (exit code 2, nothing sent) or sent encoded, and hss-fake's
//! request log shows the server saw exactly the intended path and query.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use hss_fake::{FakeHss, encode_component};
use support::Fake;

/// Task ids the fake serves, and the path segment each must arrive as.
const SENT_IDS: &[(&str, &str)] = &[
    ("a/b", "a%2Fb"),
    ("%2e%2e", "%252e%252e"),
    ("../etc", "..%2Fetc"),
    ("a?limit=10#x", "a%3Flimit=10%23x"),
    ("a&offset=5", "a&offset=5"),
    ("line\r\nX-Injected: 1", "line%0D%0AX-Injected:%201"),
    ("é 一", "%C3%A9%20%E4%B8%80"),
];

fn fake() -> Fake {
    let ids: Vec<&str> = SENT_IDS.iter().map(|(id, _)| *id).collect();
    Fake::start(
        FakeHss::builder()
            .seed(4)
            .hosts(15)
            .enterprise_projects(1)
            .task_ids(ids.iter().copied())
            .tasks(ids.len()),
    )
}

#[test]
fn odd_task_ids_reach_exactly_their_task() {
    let fake = fake();
    let project = fake.fake.project_id();
    for (id, segment) in SENT_IDS {
        fake.fake.take_requests();
        let output = fake
            .hosts_of(id)
            .args(["--all", "-o", "ndjson"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{id:?}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).lines().count(),
            15,
            "{id:?}"
        );
        let log = fake.fake.take_requests();
        assert_eq!(log.len(), 1, "{id:?}");
        assert_eq!(
            log[0].raw_path,
            format!("/v5/{project}/vulnerability/scan-task/{segment}/hosts"),
            "{id:?}"
        );
        assert_eq!(
            log[0].raw_query.as_deref(),
            Some("limit=200&offset=0"),
            "{id:?}"
        );
        assert!(log[0].caller.is_some(), "{id:?}: the signature covers it");
    }
}

#[test]
fn odd_query_values_arrive_encoded_and_whole() {
    let fake = fake();
    for value in [
        "a&b=c",
        "x#y?z",
        "k=v&limit=10",
        "CR\rLF\nEnd",
        "sp ace+plus",
        "%2e%2e/..",
    ] {
        fake.fake.take_requests();
        let output = fake
            .hosts_of("a/b")
            .args(["--enterprise-project-id", value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The fake knows no such enterprise project: it read the whole value.
        assert_eq!(output.status.code(), Some(1), "{value:?}: {stderr}");
        assert!(stderr.contains("HSS.0011"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one error line: {stderr:?}");
        let log = fake.fake.take_requests();
        assert_eq!(log.len(), 1);
        assert_eq!(
            log[0].raw_query.as_deref(),
            Some(format!("enterprise_project_id={}", encode_component(value)).as_str()),
            "{value:?}"
        );
        assert_eq!(
            log[0].query_pairs(),
            vec![("enterprise_project_id".to_owned(), value.to_owned())]
        );
    }
}

/// Runs `hss scan-task hosts` with `flag value` (and the other required
/// flags, unless `flag` is one of them) and expects a usage error.
fn assert_usage_error(fake: &Fake, flag: &str, value: &OsStr, needles: &[&str]) {
    let mut cmd = support::hss(fake.home());
    cmd.env("HUAWEICLOUD_SDK_TOKEN", fake.fake.token())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts"]);
    if flag != "--task-id" {
        cmd.args(["--task-id", "a/b"]);
    }
    if flag != "--endpoint" {
        cmd.args(["--endpoint", &fake.fake.base_url()]);
    }
    let output = cmd.arg(flag).arg(value).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{flag} {value:?}: {stderr}");
    assert!(output.stdout.is_empty());
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{flag} {value:?}: {needle:?} not in {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn ids_that_would_change_the_path_are_refused() {
    let fake = fake();
    let long = "x".repeat(257);
    let cases: &[(&str, &[&str])] = &[
        ("..", &["invalid task_id", "path navigation"]),
        (".", &["invalid task_id", "path navigation"]),
        ("..\\..", &["invalid task_id", "backslash"]),
        ("a\\b", &["invalid task_id", "backslash"]),
        (&long, &["invalid task_id", "at most 256 characters"]),
        ("", &["invalid task_id", "must not be empty"]),
    ];
    for (id, needles) in cases {
        let output = support::hss(fake.home())
            .env("HUAWEICLOUD_SDK_TOKEN", fake.fake.token())
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
            .arg(format!("--task-id={id}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{id:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{id:?}: {needle:?} not in {stderr}"
            );
        }
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    }
    // The project id from the flag, too.
    assert_usage_error(
        &fake,
        "--project-id",
        OsStr::new(".."),
        &["invalid project_id"],
    );
    assert_usage_error(
        &fake,
        "--project-id",
        OsStr::new("p\\.."),
        &["invalid project_id", "backslash"],
    );
    assert_usage_error(
        &fake,
        "--enterprise-project-id",
        OsStr::new(&"e".repeat(257)),
        &["invalid enterprise_project_id", "at most 256"],
    );
    assert_eq!(fake.fake.request_count(), 0, "nothing was sent");
}

#[test]
fn arguments_that_are_not_utf8_are_usage_errors() {
    let fake = fake();
    for (flag, value) in [
        ("--task-id", &b"ab\xffcd"[..]),
        ("--enterprise-project-id", b"\xc3\x28"),
        ("--project-id", b"\x80"),
        ("--endpoint", b"http://127.0.0.1:\xff/"),
    ] {
        assert_usage_error(&fake, flag, OsStr::from_bytes(value), &["invalid UTF-8"]);
    }
    assert_eq!(fake.fake.request_count(), 0, "nothing was sent");
}
