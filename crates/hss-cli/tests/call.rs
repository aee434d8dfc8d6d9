//! `hss call`: any operation from the shell, against hss-fake (which
//! serves every operation) on 127.0.0.1: the request it sends, the checks
//! before sending, confirmation and dry run, the listing and the help.

mod support;

use hss_fake::FakeHss;
use predicates::prelude::*;
use support::Fake;

fn fake() -> Fake {
    Fake::start(FakeHss::builder().seed(5).hosts(12))
}

/// The operation requests that reached the fake (its IAM and metadata
/// answers aside).
fn sent(fake: &Fake) -> Vec<hss_fake::RecordedRequest> {
    fake.fake
        .requests()
        .into_iter()
        .filter(|r| r.raw_path.starts_with("/v5/"))
        .collect()
}

#[test]
fn a_listing_is_sent_signed_and_its_answer_written_as_received() {
    let fake = fake();
    let (out, err) = fake.run(&[
        "call",
        "ListHostGroups",
        "--limit",
        "20",
        "--group_name",
        "web",
    ]);
    assert_eq!(err, "");
    let page: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert!(page["total_num"].as_i64().unwrap() > 0, "{page}");
    assert!(page["data_list"].is_array(), "{page}");
    let requests = sent(&fake);
    let [request] = requests.as_slice() else {
        panic!("one request, not {requests:?}")
    };
    assert_eq!(request.status, Some(200), "signed and accepted");
    assert_eq!(
        request.raw_path,
        format!("/v5/{}/host-management/groups", fake.fake.project_id())
    );
    let query = request.raw_query.as_deref().unwrap_or("");
    assert!(
        query.contains("limit=20") && query.contains("group_name=web"),
        "{query}"
    );
}

#[test]
fn kebab_case_names_and_param_reach_the_same_parameters() {
    let fake = fake();
    fake.run(&[
        "call",
        "list-host-groups",
        "--group-name",
        "db",
        "--param",
        "region=cn-north-4",
    ]);
    let requests = sent(&fake);
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .raw_query
            .as_deref()
            .unwrap_or("")
            .contains("group_name=db")
    );
    assert_eq!(
        requests[0]
            .headers
            .get("region")
            .map(|v| v.to_str().unwrap()),
        Some("cn-north-4"),
        "the region header parameter, not hss's --region"
    );
}

#[test]
fn a_value_the_spec_refuses_is_exit_2_naming_it_and_nothing_is_sent() {
    let fake = fake();
    for (args, named) in [
        (&["call", "ListHostGroups", "--limit", "9999"][..], "limit"),
        (&["call", "ListHostGroups", "--limit", "ten"][..], "limit"),
        (
            &["call", "ListHostGroups", "--no-such", "1"][..],
            "--no-such",
        ),
        (&["call", "NoSuchOperation"][..], "NoSuchOperation"),
        (
            &["call", "AddHostsGroup", "--body", r#"{"nope": 1}"#, "--yes"][..],
            "nope",
        ),
    ] {
        fake.hss(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(named));
    }
    assert!(sent(&fake).is_empty(), "nothing reached the fake");
}

#[test]
fn a_change_needs_yes_off_a_terminal_and_a_dry_run_sends_nothing() {
    let fake = fake();
    let body = r#"{"group_name": "web", "host_id_list": ["h1"]}"#;
    fake.hss(&["call", "AddHostsGroup", "--body", body])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let (out, _) = fake.run(&["call", "AddHostsGroup", "--body", body, "--dry-run"]);
    assert!(out.contains("NOT sent") && out.contains("POST"), "{out}");
    assert!(out.contains("group_name"), "the body is shown: {out}");
    assert!(
        !out.contains(&fake.fake.access_key().sk),
        "no secret: {out}"
    );
    assert!(sent(&fake).is_empty(), "neither was sent");
    fake.run(&["call", "AddHostsGroup", "--body", body, "--yes"]);
    let requests = sent(&fake);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "POST");
    assert_eq!(requests[0].status, Some(200));
}

/// `hss ARGS` with no endpoint nor credentials; its stdout.
fn offline(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let output = support::hss(home.path()).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_list_and_the_help_come_from_the_operation_table() {
    let all = offline(&["call", "--list"]);
    assert_eq!(all.lines().count(), hss_operations::operations().len());
    let group = offline(&["call", "--list", "host-management"]);
    let in_group = hss_operations::operations()
        .iter()
        .filter(|op| op.group == "host-management")
        .count();
    assert_eq!(group.lines().count(), in_group);
    assert!(group.contains("ListHostGroups"));
    let help = offline(&["call", "ListHostGroups", "--help"]);
    assert!(
        help.contains("GET /v5/{project_id}/host-management/groups"),
        "{help}"
    );
    assert!(
        help.contains("--limit") && help.contains("10 to 200"),
        "{help}"
    );
}

/// The `offset` of each operation request that reached the fake, in order.
fn offsets(fake: &Fake) -> Vec<u64> {
    sent(fake)
        .iter()
        .map(|r| {
            let query = r.raw_query.as_deref().unwrap_or("");
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("offset="))
                .map_or(0, |n| n.parse().expect("a numeric offset"))
        })
        .collect()
}

#[test]
fn all_reads_every_page_of_any_listing_each_item_once() {
    let fake = fake();
    let (page, _) = fake.run(&["call", "ListHostGroups", "--limit", "10"]);
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    let total = page["total_num"].as_u64().expect("a count");
    assert!(total > 10, "more than one page to list: {total}");

    let (out, err) = fake.run(&[
        "call",
        "ListHostGroups",
        "--all",
        "--limit",
        "10",
        "--concurrency",
        "1",
        "-o",
        "ndjson",
    ]);
    assert_eq!(err, "", "no progress bar off a terminal");
    let ids: Vec<String> = out
        .lines()
        .map(|line| {
            let item: serde_json::Value = serde_json::from_str(line).expect("one item per line");
            item["group_id"].as_str().expect("an id").to_owned()
        })
        .collect();
    assert_eq!(ids.len() as u64, total, "every item");
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "no item twice");
    let pages = total.div_ceil(10);
    assert_eq!(
        offsets(&fake)[1..],
        (0..pages).map(|p| p * 10).collect::<Vec<_>>(),
        "one request per page of 10, after the first command's"
    );

    let (json, _) = fake.run(&["call", "ListHostGroups", "--all", "-o", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).expect("one JSON array");
    assert_eq!(items.len() as u64, total);
    assert_eq!(items[0]["group_id"].as_str(), Some(ids[0].as_str()));
}

#[test]
fn csv_and_table_show_the_items_scalar_fields() {
    let fake = fake();
    let (csv, _) = fake.run(&["call", "ListHostGroups", "--limit", "10", "-o", "csv"]);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert!(
        header.contains(&"group_id") && header.contains(&"group_name"),
        "{header:?}"
    );
    assert!(
        !header.contains(&"host_id_list"),
        "arrays are left to json: {header:?}"
    );
    assert_eq!(lines.count(), 10, "a row per item of the page");

    let (table, _) = fake.run(&["call", "ListHostGroups", "--limit", "10", "-o", "table"]);
    let first = table.lines().next().expect("a header row");
    assert!(
        first.contains("GROUP_ID") && first.contains("GROUP_NAME"),
        "{first}"
    );
    assert_eq!(table.lines().count(), 11, "{table}");

    // An answer that is no listing is one record, one line.
    let (one, _) = fake.run(&["call", "ShowAssetStatistic", "-o", "ndjson"]);
    assert_eq!(one.lines().count(), 1, "{one}");
    let record: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert!(record.is_object(), "{record}");
}

#[test]
fn all_on_an_operation_that_is_not_paged_is_a_usage_error() {
    let fake = fake();
    fake.hss(&["call", "ShowAssetStatistic", "--all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not paged"));
    assert!(sent(&fake).is_empty());
    let paged = offline(&["call", "ListHostGroups", "--help"]);
    assert!(
        paged.contains("--all reads every page") && paged.contains("told apart by group_id"),
        "{paged}"
    );
    assert!(!offline(&["call", "ShowAssetStatistic", "--help"]).contains("--all"));
}

#[test]
fn a_form_field_takes_a_file_as_at_path_and_a_dry_run_shows_its_size_only() {
    let fake = fake();
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, b"not-really-a-png").unwrap();
    let file = format!("@{}", logo.display());

    let missing = format!("@{}", dir.path().join("nope.png").display());
    fake.hss(&["call", "UploadReportLogo", "--file", &missing, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--file").and(predicate::str::contains("nope.png")));
    fake.hss(&["call", "UploadReportLogo", "--body", "{}", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give its fields"));

    let (out, _) = fake.run(&["call", "UploadReportLogo", "--file", &file, "--dry-run"]);
    assert!(
        out.contains("NOT sent") && out.contains("form field file: file logo.png, 16 bytes"),
        "{out}"
    );
    assert!(!out.contains("not-really-a-png"), "no file contents: {out}");
    assert!(sent(&fake).is_empty(), "nothing was sent");

    fake.run(&[
        "call",
        "UploadReportLogo",
        "--param",
        &format!("file={file}"),
        "--yes",
    ]);
    let requests = sent(&fake);
    let [request] = requests.as_slice() else {
        panic!("one request, not {requests:?}")
    };
    assert_eq!(request.status, Some(200), "signed and accepted");
    assert!(
        request
            .header("content-type")
            .is_some_and(|t| t.starts_with("multipart/form-data")),
        "{:?}",
        request.header("content-type")
    );
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains(r#"name="file"; filename="logo.png""#) && body.contains("not-really-a-png"),
        "{body}"
    );
}

#[test]
fn a_value_outside_the_documented_ones_is_sent_with_a_warning() {
    let fake = fake();
    let output = fake
        .hss(&[
            "call",
            "ListVulScanTaskHost",
            "--task_id",
            "t-1",
            "--scan_status",
            "paused",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("scan_status must be one of scanning, success, failed, not \"paused\"")
            && stderr.contains("sent as given"),
        "{stderr}"
    );
    let requests = sent(&fake);
    assert_eq!(requests.len(), 1, "sent once, warned once: {stderr}");
    assert!(
        requests[0]
            .raw_query
            .as_deref()
            .unwrap_or("")
            .contains("scan_status=paused")
    );
    // The fake, like the service, refuses what it does not know.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("sent as given").count(), 1, "{stderr}");
}
