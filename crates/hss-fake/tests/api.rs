//! Paging, filters, errors, request IDs, the request log, determinism,
//! fixtures and runtime data changes, over real HTTP on 127.0.0.1.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use hss_fake::data::scan_status;
use hss_fake::{
    ALL_GRANTED_EPS, Dataset, FakeHss, GenerateOptions, Host, PageQuery, RunningFake, TaskData,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Answer {
    status: StatusCode,
    request_id: Option<String>,
    content_type: Option<String>,
    body: Value,
}

async fn get_with(fake: &RunningFake, path_and_query: &str, token: Option<&str>) -> Answer {
    let client = support::http_client();
    let mut request = client.get(format!("{}{}", fake.base_url(), path_and_query));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let request_id = header("x-request-id");
    let content_type = header("content-type");
    let bytes = response.bytes().await.expect("body read");
    let body = serde_json::from_slice(&bytes).expect("JSON body");
    Answer {
        status,
        request_id,
        content_type,
        body,
    }
}

async fn get(fake: &RunningFake, path_and_query: &str) -> Answer {
    get_with(fake, path_and_query, Some(fake.token())).await
}

fn hosts_query(fake: &RunningFake, task: &str, query: &str) -> String {
    if query.is_empty() {
        fake.hosts_path(task)
    } else {
        format!("{}?{query}", fake.hosts_path(task))
    }
}

/// The hosts a filter selects, computed from the dataset independently of the server.
fn expected_hosts(
    data: &Dataset,
    task: &str,
    ep: Option<&str>,
    status: Option<&str>,
) -> Vec<Value> {
    let task = data.tasks.iter().find(|t| t.task_id == task).unwrap();
    task.hosts
        .iter()
        .filter(|h| match ep {
            Some(ALL_GRANTED_EPS) => true,
            Some(ep) => h.enterprise_project_id == ep,
            None => h.enterprise_project_id == "0",
        })
        .filter(|h| status.is_none() || h.info.scan_status.as_deref() == status)
        .map(|h| serde_json::to_value(&h.info).unwrap())
        .collect()
}

async fn start(hosts: usize) -> RunningFake {
    FakeHss::builder()
        .seed(11)
        .hosts(hosts)
        .tasks(2)
        .enterprise_projects(3)
        .start()
        .await
        .expect("fake starts")
}

fn assert_hss_error(answer: &Answer, code: &str, names: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    let obj = answer.body.as_object().expect("object body");
    assert_eq!(
        obj.len(),
        2,
        "only error_code and error_msg: {}",
        answer.body
    );
    assert_eq!(obj["error_code"], code);
    let msg = obj["error_msg"].as_str().unwrap();
    assert!(msg.contains(names), "{msg:?} should name {names}");
}

#[tokio::test]
async fn defaults_are_offset_0_limit_10_project_0() {
    let fake = start(230).await;
    let task = fake.task_id();
    let data = fake.dataset();
    let answer = get(&fake, &hosts_query(&fake, &task, "")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/json;charset=UTF-8")
    );
    let expected = expected_hosts(&data, &task, None, None);
    assert!(
        expected.len() > 10 && expected.len() < 230,
        "default project holds part of the hosts"
    );
    assert_eq!(answer.body["total_num"], expected.len());
    assert_eq!(
        answer.body["data_list"],
        Value::Array(expected[..10].to_vec())
    );
    // Explicit values equal to the defaults give the same answer.
    let explicit = get(
        &fake,
        &hosts_query(&fake, &task, "offset=0&limit=10&enterprise_project_id=0"),
    )
    .await;
    assert_eq!(explicit.body, answer.body);
}

#[tokio::test]
async fn walking_every_page_returns_every_host_once() {
    let fake = start(1_050).await;
    let task = fake.task_id();
    let data = fake.dataset();
    let expected = expected_hosts(&data, &task, Some(ALL_GRANTED_EPS), None);
    assert_eq!(expected.len(), 1_050);
    let mut got = Vec::new();
    let mut offset = 0;
    loop {
        let answer = get(
            &fake,
            &hosts_query(
                &fake,
                &task,
                &format!("offset={offset}&limit=200&enterprise_project_id=all_granted_eps"),
            ),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["total_num"], 1_050);
        let page = answer.body["data_list"].as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        assert!(page.len() == 200 || offset + page.len() == 1_050);
        offset += page.len();
        got.extend(page);
    }
    assert_eq!(offset, 1_050);
    assert_eq!(got, expected);
    // The last page is partial: 1050 = 5 * 200 + 50.
    let last = get(
        &fake,
        &hosts_query(
            &fake,
            &task,
            "offset=1000&limit=200&enterprise_project_id=all_granted_eps",
        ),
    )
    .await;
    assert_eq!(last.body["data_list"].as_array().unwrap().len(), 50);
    let ids: HashSet<&str> = got.iter().map(|h| h["host_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1_050, "host IDs are unique");
}

#[tokio::test]
async fn offset_past_the_end_gives_an_empty_page_with_the_total() {
    let fake = start(120).await;
    let task = fake.task_id();
    for offset in ["120", "121", "5000", "2000000"] {
        let answer = get(
            &fake,
            &hosts_query(
                &fake,
                &task,
                &format!("offset={offset}&enterprise_project_id=all_granted_eps"),
            ),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, json!({"total_num": 120, "data_list": []}));
    }
    // Offset counts records, not pages.
    let data = fake.dataset();
    let all = expected_hosts(&data, &task, Some(ALL_GRANTED_EPS), None);
    let answer = get(
        &fake,
        &hosts_query(
            &fake,
            &task,
            "offset=115&limit=10&enterprise_project_id=all_granted_eps",
        ),
    )
    .await;
    assert_eq!(answer.body["data_list"], Value::Array(all[115..].to_vec()));
}

#[tokio::test]
async fn limit_and_offset_bounds() {
    let fake = start(50).await;
    let task = fake.task_id();
    for query in [
        "limit=10",
        "limit=200",
        "offset=0",
        "offset=2000000",
        "limit=%2B20",
    ] {
        let answer = get(&fake, &hosts_query(&fake, &task, query)).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    }
    for (query, name) in [
        ("limit=9", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("limit=+20", "limit"),
        ("limit=", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("offset=2000001", "offset"),
        ("offset=1e3", "offset"),
        ("offset=0&offset=10", "offset"),
        ("scan_status=done", "scan_status"),
        ("scan_status=SUCCESS", "scan_status"),
        ("enterprise_project_id=", "enterprise_project_id"),
    ] {
        let answer = get(&fake, &hosts_query(&fake, &task, query)).await;
        assert_hss_error(&answer, "HSS.0001", name);
        assert!(answer.request_id.is_some());
    }
    let long = "a".repeat(257);
    let answer = get(
        &fake,
        &hosts_query(&fake, &task, &format!("enterprise_project_id={long}")),
    )
    .await;
    assert_hss_error(&answer, "HSS.0001", "enterprise_project_id");
    let answer = get(&fake, &hosts_query(&fake, &long, "")).await;
    assert_hss_error(&answer, "HSS.0001", "task_id");
    let answer = get(
        &fake,
        &format!("/v5/{long}/vulnerability/scan-task/{task}/hosts"),
    )
    .await;
    assert_hss_error(&answer, "HSS.0001", "project_id");
    // Unknown parameters are ignored.
    let answer = get(&fake, &hosts_query(&fake, &task, "foo=bar&limit=20")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["data_list"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn filters_select_by_status_and_enterprise_project() {
    let fake = start(400).await;
    let task = fake.task_ids()[1].clone();
    let data = fake.dataset();
    let eps = fake.enterprise_projects();
    assert_eq!(eps.len(), 3);
    assert_eq!(eps[0], "0");
    let mut ep_choices: Vec<Option<&str>> = vec![None, Some(ALL_GRANTED_EPS)];
    ep_choices.extend(eps.iter().map(|e| Some(e.as_str())));
    let mut sum_by_ep = 0;
    for ep in &ep_choices {
        let mut sum_by_status = 0;
        for status in [None, Some("scanning"), Some("success"), Some("failed")] {
            let expected = expected_hosts(&data, &task, *ep, status);
            let mut query = String::from("limit=200");
            if let Some(ep) = ep {
                query.push_str(&format!("&enterprise_project_id={ep}"));
            }
            if let Some(status) = status {
                query.push_str(&format!("&scan_status={status}"));
            }
            let answer = get(&fake, &hosts_query(&fake, &task, &query)).await;
            assert_eq!(answer.status, StatusCode::OK);
            assert_eq!(answer.body["total_num"], expected.len(), "{query}");
            let page = answer.body["data_list"].as_array().unwrap();
            assert_eq!(page[..], expected[..expected.len().min(200)], "{query}");
            if let Some(status) = status {
                assert!(page.iter().all(|h| h["scan_status"] == status));
                assert!(!expected.is_empty(), "{query} selects something");
                sum_by_status += expected.len();
            }
        }
        let total = expected_hosts(&data, &task, *ep, None).len();
        assert_eq!(sum_by_status, total, "the statuses partition {ep:?}");
        if let Some(ep) = ep
            && *ep != ALL_GRANTED_EPS
        {
            sum_by_ep += total;
        }
    }
    assert_eq!(sum_by_ep, 400, "the enterprise projects partition the task");
}

#[tokio::test]
async fn unknown_project_task_and_enterprise_project_are_hss_0011() {
    let fake = start(20).await;
    let task = fake.task_id();
    let answer = get(
        &fake,
        &format!("/v5/0123456789abcdef/vulnerability/scan-task/{task}/hosts"),
    )
    .await;
    assert_hss_error(&answer, "HSS.0011", "project");
    let answer = get(&fake, &hosts_query(&fake, "no-such-task", "")).await;
    assert_hss_error(&answer, "HSS.0011", "no-such-task");
    let answer = get(
        &fake,
        &hosts_query(&fake, &task, "enterprise_project_id=nope"),
    )
    .await;
    assert_hss_error(&answer, "HSS.0011", "nope");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_gateways_nested_404() {
    let fake = start(20).await;
    let task = fake.task_id();
    for path in [
        "/".to_owned(),
        "/v5".to_owned(),
        format!(
            "/v5/{}/vulnerability/scan-task/{task}/hosts/",
            fake.project_id()
        ),
        format!("/v5/{}/vulnerability/scan-task//hosts", fake.project_id()),
        format!(
            "/v3/{}/vulnerability/scan-task/{task}/hosts",
            fake.project_id()
        ),
    ] {
        let answer = get(&fake, &path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        let error = &answer.body["error"];
        assert_eq!(error["code"], "APIGW.0101");
        assert_eq!(error["error_code"], "APIGW.0101");
        assert_eq!(error["request_id"].as_str(), answer.request_id.as_deref());
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("does not exist")
        );
    }
    let response = support::http_client()
        .post(fake.hosts_url(&task))
        .header("X-Auth-Token", fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn every_answer_has_a_unique_request_id_matching_the_log() {
    let fake = start(20).await;
    let task = fake.task_id();
    let mut ids = Vec::new();
    for (query, token) in [
        ("", Some(fake.token())),
        ("limit=1", Some(fake.token())),
        ("", None),
        ("", Some("wrong")),
    ] {
        let answer = get_with(&fake, &hosts_query(&fake, &task, query), token).await;
        let id = answer.request_id.expect("X-Request-Id");
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        if answer.status == StatusCode::UNAUTHORIZED {
            assert_eq!(answer.body["request_id"], id.as_str());
        }
        ids.push(id);
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    let logged: Vec<String> = fake.requests().into_iter().map(|r| r.request_id).collect();
    assert_eq!(logged, ids);
}

#[tokio::test]
async fn the_log_keeps_the_request_as_it_was_on_the_wire() {
    let fake = FakeHss::builder()
        .seed(3)
        .hosts(15)
        .task_ids(["task/with slash"])
        .start()
        .await
        .unwrap();
    let task = fake.task_id();
    assert_eq!(task, "task/with slash");
    let path = fake.hosts_path(&task);
    assert!(path.contains("task%2Fwith%20slash"), "{path}");
    let query = "scan_status=success&limit=10&x=a+b%2Bc";
    let response = support::http_client()
        .get(format!("{}{path}?{query}", fake.base_url()))
        .header("X-Auth-Token", fake.token())
        .header("X-Project-Id", fake.project_id())
        .header("User-Agent", "hss-fake-test/1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let requests = fake.take_requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, http::Method::GET);
    assert_eq!(r.raw_path, path);
    assert_eq!(r.raw_query.as_deref(), Some(query));
    assert_eq!(r.header("x-auth-token"), Some(fake.token()));
    assert_eq!(r.header("x-project-id"), Some(fake.project_id().as_str()));
    assert_eq!(r.header("user-agent"), Some("hss-fake-test/1"));
    assert_eq!(r.header("host"), Some(fake.addr().to_string().as_str()));
    assert_eq!(r.status, Some(200));
    assert!(r.body.is_empty());
    assert!(
        r.query_pairs()
            .contains(&("x".to_owned(), "a b+c".to_owned()))
    );
    // Debug output names headers but never prints their values.
    let debug = format!("{r:?}");
    assert!(debug.contains("x-auth-token") && !debug.contains(fake.token()));
    assert!(fake.requests().is_empty(), "take_requests empties the log");
    assert_eq!(fake.request_count(), 1);

    // A body on the GET (the document's example has one) is logged and ignored.
    let response = support::http_client()
        .get(fake.hosts_url(&task))
        .header("X-Auth-Token", fake.token())
        .body(r#"{"scan_status":"failed"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(&fake.requests()[0].body[..], br#"{"scan_status":"failed"}"#);
    assert_eq!(r.raw_query.as_deref(), Some(query));
    // A query-less request has no raw query at all.
    assert_eq!(fake.requests()[0].raw_query, None);
}

#[tokio::test]
async fn the_log_is_bounded() {
    let fake = FakeHss::builder()
        .hosts(10)
        .request_log_capacity(3)
        .start()
        .await
        .unwrap();
    for limit in 10..15 {
        get(
            &fake,
            &hosts_query(&fake, &fake.task_id(), &format!("limit={limit}")),
        )
        .await;
    }
    let queries: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.raw_query.unwrap())
        .collect();
    assert_eq!(queries, ["limit=12", "limit=13", "limit=14"]);
    assert_eq!(fake.request_count(), 5);
}

#[tokio::test]
async fn same_seed_same_answers_other_seed_other_answers() {
    let a = FakeHss::builder()
        .seed(99)
        .hosts(300)
        .start()
        .await
        .unwrap();
    let b = FakeHss::builder()
        .seed(99)
        .hosts(300)
        .start()
        .await
        .unwrap();
    let c = FakeHss::builder()
        .seed(100)
        .hosts(300)
        .start()
        .await
        .unwrap();
    assert_eq!(a.project_id(), b.project_id());
    assert_eq!(a.task_ids(), b.task_ids());
    assert_eq!(a.credentials(), b.credentials());
    assert_ne!(a.project_id(), c.project_id());
    assert_ne!(a.token(), c.token());
    let query = "limit=200&offset=17&enterprise_project_id=all_granted_eps";
    let pa = get(&a, &hosts_query(&a, &a.task_id(), query)).await;
    let pb = get(&b, &hosts_query(&b, &b.task_id(), query)).await;
    let pc = get(&c, &hosts_query(&c, &c.task_id(), query)).await;
    assert_eq!(pa.body, pb.body);
    assert_ne!(pa.body["data_list"], pc.body["data_list"]);
    assert_eq!(a.dataset(), b.dataset());
    // Pinned: the first host of seed 99, so a change of the generator (or of
    // a dependency's random streams) cannot go unnoticed.
    let first = &a.dataset().tasks[0].hosts[0];
    let fingerprint = format!(
        "{} {} {} {}",
        first.info.host_id.as_deref().unwrap(),
        first.info.host_name.as_deref().unwrap(),
        first.info.private_ip.as_deref().unwrap(),
        first.info.scan_status.as_deref().unwrap()
    );
    let again = Dataset::generate(&GenerateOptions {
        seed: 99,
        hosts_per_task: 1,
        ..GenerateOptions::default()
    });
    assert_eq!(again.tasks[0].hosts[0], *first);
    assert_eq!(fingerprint, PINNED_SEED_99, "generator output changed");
}

const PINNED_SEED_99: &str =
    "0b197fa2-f3da-4272-9a81-bbf90533b876 jenkins-prod-43 172.27.68.181 scanning";

#[tokio::test]
async fn fixtures_are_served_verbatim() {
    let fixture = json!({
        "project_id": "proj-1",
        "enterprise_projects": ["0", "ep-a"],
        "tasks": [{
            "task_id": "t/1",
            "hosts": [
                {"enterprise_project_id": "ep-a", "host_id": "h1", "host_name": "one", "scan_status": "failed",
                 "failed_reasons": [{"vul_type": "linux_vul", "failed_reason": "this_is_failed_reason"}],
                 "vul_scan_details": [{"vul_type": "linux_vul", "status": "failed", "failed_reason": "x", "future": 1}],
                 "agent_version": "3.2.10"},
                {"host_id": "h2", "scan_status": "paused"},
                {"host_id": "h3", "host_name": "three", "public_ip": "", "asset_value": "important", "scan_status": "success"}
            ]
        }]
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&fixture).unwrap()).unwrap();
    let fake = FakeHss::builder()
        .fixture_file(&path)
        .start()
        .await
        .unwrap();
    assert_eq!(fake.project_id(), "proj-1");
    assert_eq!(fake.task_ids(), ["t/1"]);
    assert_eq!(fake.enterprise_projects(), ["0", "ep-a"]);
    let all = get(
        &fake,
        &hosts_query(&fake, "t/1", "enterprise_project_id=all_granted_eps"),
    )
    .await;
    let mut expected = fixture["tasks"][0]["hosts"].clone();
    for host in expected.as_array_mut().unwrap() {
        host.as_object_mut()
            .unwrap()
            .remove("enterprise_project_id");
    }
    assert_eq!(all.body, json!({"total_num": 3, "data_list": expected}));
    let default_ep = get(&fake, &hosts_query(&fake, "t/1", "")).await;
    assert_eq!(
        default_ep.body["total_num"], 2,
        "hosts without a project are in 0"
    );
    let failed = get(
        &fake,
        &hosts_query(
            &fake,
            "t/1",
            "scan_status=failed&enterprise_project_id=ep-a",
        ),
    )
    .await;
    assert_eq!(failed.body["data_list"][0]["host_id"], "h1");

    // A generated dataset written as a fixture serves the same pages.
    let generated = Dataset::generate(&GenerateOptions {
        seed: 5,
        hosts_per_task: 60,
        ..GenerateOptions::default()
    });
    std::fs::write(&path, generated.to_json_pretty()).unwrap();
    let from_file = FakeHss::builder()
        .fixture_file(&path)
        .start()
        .await
        .unwrap();
    let from_seed = FakeHss::builder().seed(5).hosts(60).start().await.unwrap();
    assert_eq!(from_file.dataset(), from_seed.dataset());
    let q = "limit=50&enterprise_project_id=all_granted_eps";
    assert_eq!(
        get(
            &from_file,
            &hosts_query(&from_file, &from_file.task_id(), q)
        )
        .await
        .body,
        get(
            &from_seed,
            &hosts_query(&from_seed, &from_seed.task_id(), q)
        )
        .await
        .body,
    );

    // Broken fixtures are refused at start.
    let missing = FakeHss::builder()
        .fixture_file(dir.path().join("missing.json"))
        .start()
        .await;
    assert!(matches!(missing, Err(hss_fake::FakeError::Data(_))));
    std::fs::write(&path, r#"{"project_id": "p", "tasks": [{"task_id": ""}]}"#).unwrap();
    let invalid = FakeHss::builder().fixture_file(&path).start().await;
    assert!(matches!(invalid, Err(hss_fake::FakeError::Data(_))));
}

#[tokio::test]
async fn data_can_change_while_a_client_pages() {
    let fake = FakeHss::builder()
        .seed(8)
        .hosts(100)
        .enterprise_projects(1)
        .start()
        .await
        .unwrap();
    let task = fake.task_id();
    let first = get(&fake, &hosts_query(&fake, &task, "limit=50")).await;
    assert_eq!(first.body["total_num"], 100);

    let added = fake.add_hosts(&task, 30).unwrap();
    assert_eq!(added.len(), 30);
    // Added hosts continue the seeded sequence.
    let bigger = Dataset::generate(&GenerateOptions {
        seed: 8,
        hosts_per_task: 130,
        enterprise_projects: 1,
        ..GenerateOptions::default()
    });
    assert_eq!(added[..], bigger.tasks[0].hosts[100..]);
    let second = get(&fake, &hosts_query(&fake, &task, "limit=50&offset=50")).await;
    assert_eq!(second.body["total_num"], 130);

    let removed = fake
        .remove_hosts(&task, |h| {
            h.info.scan_status.as_deref() != Some(scan_status::FAILED)
        })
        .unwrap();
    let left = 130 - removed;
    let third = get(&fake, &hosts_query(&fake, &task, "limit=200")).await;
    assert_eq!(third.body["total_num"], left);
    assert!(
        third.body["data_list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["scan_status"] == "failed")
    );

    let count = fake.update_task(&task, |hosts: &mut Vec<Host>| {
        hosts.clear();
        hosts.len()
    });
    assert_eq!(count, Some(0));
    let empty = get(&fake, &hosts_query(&fake, &task, "")).await;
    assert_eq!(empty.body, json!({"total_num": 0, "data_list": []}));
    assert!(fake.add_hosts("nope", 1).is_none());

    assert!(!fake.insert_task(TaskData {
        task_id: "extra".into(),
        hosts: bigger.tasks[0].hosts[..3].to_vec(),
    }));
    let extra = get(&fake, &hosts_query(&fake, "extra", "")).await;
    assert_eq!(extra.body["total_num"], 3);
    assert!(fake.remove_task("extra"));
    let gone = get(&fake, &hosts_query(&fake, "extra", "")).await;
    assert_hss_error(&gone, "HSS.0011", "extra");
}

/// How quickly is measured by the `fake-pages` benchmark (`hss-bench`),
/// not here: a test cannot know how fast the machine is.
#[tokio::test]
async fn large_tasks_are_built_and_paged_anywhere() {
    let fake = FakeHss::builder()
        .seed(1)
        .hosts(100_000)
        .enterprise_projects(1)
        .start()
        .await
        .unwrap();
    let task = fake.task_id();
    for offset in [0, 50_000, 99_900] {
        let answer = get(
            &fake,
            &hosts_query(&fake, &task, &format!("limit=200&offset={offset}")),
        )
        .await;
        assert_eq!(answer.body["total_num"], 100_000);
        assert_eq!(
            answer.body["data_list"].as_array().unwrap().len(),
            200.min(100_000 - offset)
        );
    }
}

#[tokio::test]
async fn expected_page_matches_what_is_served() {
    let fake = start(90).await;
    let task = fake.task_id();
    let query = PageQuery {
        offset: Some(5),
        limit: Some(20),
        scan_status: Some("success".into()),
        enterprise_project_id: Some(ALL_GRANTED_EPS.into()),
    };
    let answer = get(&fake, &hosts_query(&fake, &task, &query.to_query_string())).await;
    assert_eq!(Some(answer.body), fake.expected_page(&task, &query));
    let matching = fake
        .matching_hosts(&task, Some(ALL_GRANTED_EPS), Some("success"))
        .unwrap();
    assert_eq!(
        fake.expected_page(&task, &query).unwrap()["total_num"],
        matching.len()
    );
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let fake = start(10).await;
    let addr = fake.addr();
    assert_eq!(
        get(&fake, &hosts_query(&fake, &fake.task_id(), ""))
            .await
            .status,
        StatusCode::OK
    );
    fake.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let fake = start(10).await;
    let addr = fake.addr();
    drop(fake);
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "dropping the fake stops it");
}

#[tokio::test]
async fn the_documents_example_is_reproduced_from_the_shipped_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/doc-example.json");
    let fake = FakeHss::builder().fixture_file(path).start().await.unwrap();
    let task = "2b31ed520xxxxxxebedb6e57xxxxxxxx";
    assert_eq!(fake.task_ids(), [task]);
    // The document's example request and response.
    let answer = get(
        &fake,
        &hosts_query(
            &fake,
            task,
            "offset=0&limit=10&scan_status=failed&enterprise_project_id=XXX",
        ),
    )
    .await;
    let expected = json!({
        "total_num": 1,
        "data_list": [{
            "host_id": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "host_name": "ecs-ubuntu-abc123",
            "public_ip": "112.10.10.3",
            "private_ip": "192.168.10.1",
            "asset_value": "important",
            "scan_status": "failed",
            "failed_reasons": [{"vul_type": "linux_vul", "failed_reason": "this_is_failed_reason"}]
        }]
    });
    assert_eq!(answer.body, expected);
    let all = get(
        &fake,
        &hosts_query(&fake, task, "enterprise_project_id=all_granted_eps"),
    )
    .await;
    assert_eq!(all.body["total_num"], 4);
    let default_ep = get(&fake, &hosts_query(&fake, task, "")).await;
    assert_eq!(default_ep.body["total_num"], 1);
}
