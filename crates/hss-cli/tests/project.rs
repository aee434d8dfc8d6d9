//! `hss` without a project id: with AK/SK and a region it asks IAM
//! (hss-fake's, on 127.0.0.1, named by HUAWEICLOUD_SDK_IAM_ENDPOINT) for
//! the region's project, as the official SDKs do; none or several projects
//! are usage errors that say what to set.

mod support;

use hss_fake::{DEFAULT_REGION, FakeHss};
use predicates::prelude::*;
use support::{Fake, hss};

/// `hss scan-task hosts` against the fake with its AK/SK, a region and the
/// fake's IAM, but no project id.
fn discovering(fake: &Fake) -> assert_cmd::Command {
    let key = fake.fake.access_key();
    let mut cmd = hss(fake.home());
    cmd.env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.fake.iam_url())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args([
            "--region",
            DEFAULT_REGION,
            "--task-id",
            &fake.fake.task_id(),
        ]);
    cmd
}

fn iam_requests(fake: &Fake) -> usize {
    fake.fake
        .requests()
        .iter()
        .filter(|r| r.raw_path == "/v3/projects")
        .count()
}

#[test]
fn the_project_is_asked_from_iam_once() {
    let fake = Fake::fixture();
    discovering(&fake)
        .args(["--all", "--limit", "10", "--summary"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::starts_with("Summary of 45 hosts\n"));
    assert_eq!(iam_requests(&fake), 1);
    // The region may come from HUAWEICLOUD_SDK_REGION as well.
    let key = fake.fake.access_key();
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.fake.iam_url())
        .env("HUAWEICLOUD_SDK_REGION", DEFAULT_REGION)
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id()])
        .assert()
        .success()
        .stdout(predicate::str::contains("hosts 1-10 of 45"));
    assert_eq!(iam_requests(&fake), 2);
}

#[test]
fn no_project_or_several_are_usage_errors_that_say_what_to_set() {
    let fake = Fake::start(
        FakeHss::builder()
            .seed(4)
            .hosts(20)
            .iam_projects(DEFAULT_REGION, Vec::<String>::new()),
    );
    discovering(&fake).assert().code(2).stdout("").stderr(
        predicate::str::contains("no project named `cn-north-4`")
            .and(predicate::str::contains("HUAWEICLOUD_SDK_PROJECT_ID")),
    );
    fake.fake.set_iam_projects(DEFAULT_REGION, ["0aa1", "0bb2"]);
    discovering(&fake)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "2 projects named `cn-north-4`: 0aa1, 0bb2",
        ));
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| r.raw_path == "/v3/projects"),
        "nothing went to HSS"
    );
    // --project-id settles it without asking.
    let before = iam_requests(&fake);
    discovering(&fake)
        .args(["--project-id", &fake.fake.project_id()])
        .assert()
        .success();
    assert_eq!(iam_requests(&fake), before);
}

#[test]
fn a_refused_signature_at_iam_is_a_failure_naming_iam() {
    let fake = Fake::fixture();
    discovering(&fake)
        .env("HUAWEICLOUD_SDK_SK", "wrong-secret-key-0123456789abcdef")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("asking IAM (")
                .and(predicate::str::contains("APIGW.0301"))
                .and(predicate::str::contains("wrong-secret").not()),
        );
}

#[test]
fn without_a_region_or_with_a_token_the_project_must_be_given() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no project id: pass --project-id"));
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_TOKEN", fake.fake.token())
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.fake.iam_url())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--region", DEFAULT_REGION, "--task-id", "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no project id: pass --project-id"));
    assert_eq!(fake.fake.request_count(), 0);
}
