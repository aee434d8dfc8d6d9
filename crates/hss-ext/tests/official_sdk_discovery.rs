//! Checked by something we did not write: the official Python SDK
//! (`huaweicloudsdkhss` and `huaweicloudsdkcore` 3.1.219, pinned in
//! `crates/hss-auth/tests/interop/requirements.txt`), given no project id
//! and pointed at hss-fake's IAM with its own `HUAWEICLOUD_SDK_IAM_ENDPOINT`,
//! discovers the project from it and lists the task's hosts; and this
//! crate's client, asking the same fake, discovers the same project and
//! lists the same hosts. The SDK's own errors for no project and several
//! projects come out of the fake's answers too.
//!
//! The SDK is prepared by `crates/hss-auth/tests/interop/official_sdk.rs`
//! (a venv under the target directory, made by the test itself;
//! `$HSS_INTEROP_PYTHON` overrides). Without it the test fails;
//! `HSS_SKIP_OFFICIAL_SDK=1` skips it on purpose.

use std::collections::BTreeSet;
use std::path::Path;

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use hss_fake::{DEFAULT_REGION, FakeHss, RunningFake};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/discover_and_list.py"
);

#[path = "../../hss-auth/tests/interop/official_sdk.rs"]
mod pinned_sdk;

/// Runs the script against `fake`; its exit code and JSON output.
async fn official_sdk(python: &Path, fake: &RunningFake) -> (i32, serde_json::Value) {
    let key = fake.access_key();
    let mut command = pinned_sdk::loopback_script(python, SCRIPT);
    command
        .args([fake.base_url(), DEFAULT_REGION.to_owned(), fake.task_id()])
        .env("HSS_INTEROP_AK", &key.ak)
        .env("HSS_INTEROP_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", fake.iam_url());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("the script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "the script printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), value)
}

fn ours(fake: &RunningFake) -> HssClient {
    let key = fake.access_key();
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .region(DEFAULT_REGION)
        .iam_endpoint(fake.iam_url())
        .credentials(Credentials::ak_sk(
            key.ak.clone(),
            SecretString::from(key.sk.clone()),
        ))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_and_this_client_discover_the_same_project_from_the_fake() {
    let Some(python) = pinned_sdk::python(
        "the_official_sdk_and_this_client_discover_the_same_project_from_the_fake",
    ) else {
        return;
    };
    let fake = FakeHss::builder()
        .seed(61)
        .hosts(450)
        .enterprise_projects(3)
        .start()
        .await
        .unwrap();

    let (code, sdk) = official_sdk(&python, &fake).await;
    assert_eq!(code, 0, "{sdk}");
    assert_eq!(sdk["project_id"], fake.project_id().as_str(), "{sdk}");
    assert_eq!(sdk["total_num"], 450);
    let sdk_ids: BTreeSet<String> = sdk["host_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sdk_ids.len(), 450);
    // The SDK's question, as the fake saw it: signed by its AK and accepted.
    let asked: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.raw_path == "/v3/projects")
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].raw_query.as_deref(), Some("name=cn-north-4"));
    assert_eq!(asked[0].status, Some(200));
    assert!(matches!(
        &asked[0].caller,
        Some(hss_fake::Caller::AccessKey { ak, .. }) if *ak == fake.access_key().ak
    ));

    // This client, from the same fake.
    let client = ours(&fake);
    assert_eq!(
        client.resolve_project_id().await.unwrap(),
        fake.project_id()
    );
    let hosts = client
        .collect_hosts(
            HostQuery::new(fake.task_id()).all_enterprise_projects(),
            ListOptions::default().concurrency(4),
        )
        .await
        .unwrap();
    let our_ids: BTreeSet<String> = hosts.into_iter().filter_map(|h| h.host_id).collect();
    assert_eq!(our_ids, sdk_ids, "the same hosts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_reads_no_project_and_several_from_the_fake_as_we_do() {
    let Some(python) =
        pinned_sdk::python("the_official_sdk_reads_no_project_and_several_from_the_fake_as_we_do")
    else {
        return;
    };
    let fake = FakeHss::builder().seed(62).hosts(10).start().await.unwrap();

    fake.set_iam_projects(DEFAULT_REGION, ["0aa1", "0bb2"]);
    let (code, sdk) = official_sdk(&python, &fake).await;
    assert_eq!(code, 3, "{sdk}");
    let message = sdk["error"].as_str().unwrap();
    assert!(
        message.contains("Multiple project ids found: [0aa1,0bb2]"),
        "{message}"
    );
    let error = ours(&fake).resolve_project_id().await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("2 projects named `cn-north-4`: 0aa1, 0bb2"),
        "{error}"
    );

    fake.set_iam_projects(DEFAULT_REGION, Vec::<String>::new());
    let (code, sdk) = official_sdk(&python, &fake).await;
    assert_eq!(code, 3, "{sdk}");
    let message = sdk["error"].as_str().unwrap();
    assert!(
        message.contains("Failed to get project id of region 'cn-north-4'"),
        "{message}"
    );
    let error = ours(&fake).resolve_project_id().await.unwrap_err();
    assert!(
        error.to_string().contains("no project named `cn-north-4`"),
        "{error}"
    );
}
