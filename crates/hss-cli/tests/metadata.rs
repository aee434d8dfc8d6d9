//! The credential chain's last source: with no credentials in the
//! environment or the profile file, `hss` asks the instance metadata
//! service, here hss-fake's on 127.0.0.1 (HUAWEICLOUD_SDK_METADATA_ENDPOINT;
//! the test helper points it at a closed port otherwise, never at
//! 169.254.169.254).

mod support;

use predicates::prelude::*;
use support::{Fake, hss};

#[test]
fn without_other_credentials_the_metadata_service_supplies_them() {
    let fake = Fake::fixture();
    hss(fake.home())
        .env(
            "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
            fake.fake.metadata_url(),
        )
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id(), "--all", "--summary"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::starts_with("Summary of 45 hosts\n"));
    let issued = fake.fake.issued_credentials();
    assert_eq!(issued.len(), 1, "one fetch for the whole listing");

    let output = hss(fake.home())
        .env(
            "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
            fake.fake.metadata_url(),
        )
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{out}");
    let credentials = out.lines().next().unwrap();
    assert!(
        credentials.starts_with("credentials: temporary access key "),
        "{credentials}"
    );
    assert!(
        credentials.contains(&format!(
            "from the instance metadata service at {}, valid until ",
            fake.fake.metadata_url()
        )),
        "{credentials}"
    );
    assert!(
        credentials
            .ends_with("because neither the environment nor the credentials file has credentials"),
        "{credentials}"
    );
    let latest = fake.fake.issued_credentials().pop().unwrap();
    assert!(!out.contains(&latest.key.ak), "masked: {out}");
}

#[test]
fn no_credentials_anywhere_is_a_usage_error_naming_every_source() {
    let fake = Fake::fixture();
    // The helper's metadata endpoint: a closed 127.0.0.1 port.
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", "t"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("no credentials found: set HUAWEICLOUD_SDK_AK")
                .and(predicate::str::contains(
                    "nor did the last source, the instance metadata service",
                ))
                .and(predicate::str::contains("unreachable"))
                .and(predicate::str::contains(
                    "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
                )),
        );
    // A server without an agency says to attach one.
    fake.fake.set_metadata(hss_fake::MetadataOptions {
        agency: false,
        ..Default::default()
    });
    hss(fake.home())
        .env(
            "HUAWEICLOUD_SDK_METADATA_ENDPOINT",
            fake.fake.metadata_url(),
        )
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["auth", "check", "--endpoint", &fake.fake.base_url()])
        .assert()
        .code(2)
        .stdout(predicate::str::starts_with("credentials: none: "))
        .stderr(predicate::str::contains("attach an agency"));
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| !r.raw_path.starts_with("/v5/")),
        "nothing went to HSS"
    );
}
