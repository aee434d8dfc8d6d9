//! The operations the fake answers from the spec, over real HTTP on
//! 127.0.0.1: every listing pages over a stable collection, an id one
//! answer shows is one its listing has, answers repeat, and a request the
//! spec refuses gets `HSS.0001` naming what was wrong.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use hss_fake::{FakeHss, RunningFake};
use hss_operations::{Location, Method, Number, Operation, Param, Type, operations};
use reqwest::StatusCode;
use serde_json::Value;

/// A value `param` accepts: a known value, its minimum, or text of its
/// smallest length.
fn sample(param: &Param) -> String {
    if let Some(known) = param.known_values.first() {
        return (*known).to_owned();
    }
    match param.ty {
        Type::Integer | Type::Number => match param.minimum {
            Some(Number::Integer(n)) => n.max(0).to_string(),
            Some(Number::Float(f)) => f.max(0.0).to_string(),
            None => "1".to_owned(),
        },
        Type::Boolean => "true".to_owned(),
        _ => "x".repeat(param.min_length.unwrap_or(1).max(1) as usize),
    }
}

/// The path and query of `op` with its required parameters sampled and
/// `extra` query pairs.
fn request_path(fake: &RunningFake, op: &Operation, extra: &[(&str, String)]) -> String {
    let mut path = op.path.replace("{project_id}", &fake.project_id());
    let mut query: Vec<(String, String)> = Vec::new();
    for param in op.params.iter().filter(|p| p.required) {
        match param.location {
            Location::Path => {
                path = path.replace(&format!("{{{}}}", param.name), &sample(param));
            }
            Location::Query => query.push((param.name.to_owned(), sample(param))),
            _ => {}
        }
    }
    for (name, value) in extra {
        query.retain(|(k, _)| k != name);
        query.push(((*name).to_owned(), value.clone()));
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query)
        .finish();
    format!("{path}?{query}")
}

/// The fake and one client for every request of a test.
struct Fake {
    fake: RunningFake,
    client: reqwest::Client,
}

impl std::ops::Deref for Fake {
    type Target = RunningFake;
    fn deref(&self) -> &RunningFake {
        &self.fake
    }
}

async fn get(fake: &Fake, path_and_query: &str) -> (StatusCode, Value) {
    let response = fake
        .client
        .get(format!("{}{path_and_query}", fake.base_url()))
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let bytes = response.bytes().await.expect("body read");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

async fn fake() -> Fake {
    let fake = FakeHss::builder()
        .seed(26)
        .hosts(30)
        .auth(false)
        .start()
        .await
        .expect("the fake starts");
    Fake {
        fake,
        client: support::http_client(),
    }
}

/// The operations the workflow answers, with its own state.
const WORKFLOW: [&str; 13] = [
    "ListVulScanTaskHost",
    "CreateVulnerabilityScanTask",
    "ListVulScanTask",
    "ListVulnerabilities",
    "ListVulHosts",
    "ListHostVuls",
    "ShowVulStatics",
    "ChangeVulStatus",
    "ShowVulScanPolicy",
    "ChangeVulScanPolicy",
    "ExportVuls",
    "ListQueryExportTask",
    "ListDownloadExportedFile",
];

/// Spec listings without a workflow of their own whose required
/// parameters are all in the path or query: what this test can page.
fn listings() -> Vec<&'static Operation> {
    operations()
        .iter()
        .filter(|op| op.method == Method::Get && op.offset_limit().is_some())
        .filter(|op| !WORKFLOW.contains(&op.id))
        .filter(|op| {
            op.params
                .iter()
                .all(|p| !p.required || matches!(p.location, Location::Path | Location::Query))
        })
        .collect()
}

/// The identity of `item` by `fields`, as text.
fn identity(item: &Value, fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| item.get(*f).map(Value::to_string).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("|")
}

#[tokio::test]
async fn every_listing_pages_over_a_stable_collection_with_unique_identities() {
    let fake = fake().await;
    let listings = listings();
    assert!(listings.len() > 100, "only {} listings", listings.len());
    let servers: BTreeSet<String> = fake.server_ids().into_iter().collect();
    for op in listings {
        let paging = op.offset_limit().unwrap();
        let first = match op.param("offset").and_then(|p| p.minimum) {
            Some(Number::Integer(n)) => n.max(0),
            _ => 0,
        };
        let limit = paging.limit_min.unwrap_or(1).max(2);
        let page_at = |offset: i64, limit: i64| {
            request_path(
                &fake,
                op,
                &[("offset", offset.to_string()), ("limit", limit.to_string())],
            )
        };
        // The whole collection in one page, where the spec allows it.
        let max = paging.limit_max.unwrap_or(200);
        let (status, whole) = get(&fake, &page_at(first, max)).await;
        assert_eq!(status, StatusCode::OK, "{}: {whole}", op.id);
        let total = whole[paging.total].as_i64().expect("a total");
        let all = whole[paging.item_array].as_array().expect("items");
        assert_eq!(all.len() as i64, (total - first).clamp(0, max), "{}", op.id);
        if let Some(fields) = paging.item_identity {
            let ids: BTreeSet<String> = all.iter().map(|i| identity(i, fields)).collect();
            assert_eq!(ids.len(), all.len(), "{}: identities repeat", op.id);
            if fields == ["host_id"] && first == 0 && total <= max {
                let listed: BTreeSet<String> = ids.iter().map(|s| s.replace('"', "")).collect();
                assert_eq!(listed, servers, "{} lists every server", op.id);
            }
        }
        // Smaller pages show the same items at the same offsets, twice
        // alike; the last page is short.
        for offset in [first, first + limit, total - 1] {
            if offset < first {
                continue;
            }
            let path = page_at(offset, limit);
            let (status, page) = get(&fake, &path).await;
            assert_eq!(status, StatusCode::OK, "{}: {page}", op.id);
            assert_eq!(
                get(&fake, &path).await.1,
                page,
                "{}: the same page twice",
                op.id
            );
            assert_eq!(page[paging.total].as_i64(), Some(total), "{}", op.id);
            let items = page[paging.item_array].as_array().expect("items");
            assert_eq!(
                items.len() as i64,
                (total - offset).clamp(0, limit),
                "{} at {offset}",
                op.id
            );
            let skip = (offset - first) as usize;
            if skip < all.len() {
                let expected: Vec<&Value> = all.iter().skip(skip).take(items.len()).collect();
                assert_eq!(
                    items.iter().collect::<Vec<_>>(),
                    expected,
                    "{} at {offset}",
                    op.id
                );
            }
        }
    }
}

/// Every string under `value` in a field named `name`.
fn strings_named<'a>(value: &'a Value, name: &str, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == name => out.push(s),
                    _ => strings_named(v, name, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strings_named(v, name, out)),
        _ => {}
    }
}

#[tokio::test]
async fn an_id_an_answer_shows_is_one_its_listing_lists() {
    let fake = fake().await;
    // Each listing whose items are told apart by one `<noun>_id`: its
    // whole collection.
    let mut collections: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for op in listings() {
        let paging = op.offset_limit().unwrap();
        let Some([field]) = paging.item_identity else {
            continue;
        };
        if !field.ends_with("_id") || collections.contains_key(field) {
            continue;
        }
        let max = paging.limit_max.unwrap_or(200);
        let path = request_path(&fake, op, &[("limit", max.to_string())]);
        let (status, page) = get(&fake, &path).await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", op.id);
        let total = page[paging.total].as_i64().unwrap();
        if total > max {
            continue;
        }
        let mut ids = Vec::new();
        strings_named(&page[paging.item_array], field, &mut ids);
        collections.insert(field, ids.into_iter().map(str::to_owned).collect());
    }
    assert!(collections.len() > 5, "{:?}", collections.keys());
    // The workflow's operations show the workflow's data (its catalog's
    // CVEs); the rest draw from the shared collections.
    let generic: BTreeSet<&str> = listings().iter().map(|op| op.id).collect();
    let mut checked = 0;
    for op in operations()
        .iter()
        .filter(|op| op.method == Method::Get && (op.list.is_none() || generic.contains(op.id)))
        .filter(|op| !WORKFLOW.contains(&op.id))
        .filter(|op| {
            op.params
                .iter()
                .all(|p| !p.required || p.location != Location::Header)
        })
    {
        let (status, answer) = get(&fake, &request_path(&fake, op, &[])).await;
        if status != StatusCode::OK {
            continue;
        }
        for (field, listed) in &collections {
            let mut shown = Vec::new();
            strings_named(&answer, field, &mut shown);
            for id in shown {
                assert!(listed.contains(id), "{}: {field} {id} is not listed", op.id);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} ids checked");
}

#[tokio::test]
async fn a_request_the_spec_refuses_is_hss_0001_naming_what_was_wrong() {
    let fake = fake().await;
    let op = hss_operations::operation("ListHostGroups").unwrap();
    let max = op.offset_limit().unwrap().limit_max.unwrap();
    let path = request_path(&fake, op, &[("limit", (max + 1).to_string())]);
    let (status, body) = get(&fake, &path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "HSS.0001");
    let message = body["error_msg"].as_str().unwrap();
    assert!(
        message.contains("limit") && message.contains(&max.to_string()),
        "{message}"
    );

    // A body field the spec does not name.
    let add = hss_operations::operation("AddHostsGroup").unwrap();
    let path = request_path(&fake, add, &[]);
    let response = fake
        .client
        .post(format!("{}{path}", fake.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"no_such_field": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let message = body["error_msg"].as_str().unwrap();
    assert!(message.contains("no_such_field"), "{message}");

    // Another project.
    let (status, body) = get(&fake, "/v5/not-the-fakes/host-management/groups").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "HSS.0011", "{body}");
}

#[tokio::test]
async fn what_an_add_operation_posts_shows_in_its_listing() {
    let fake = fake().await;
    let list = hss_operations::operation("ListHostGroups").unwrap();
    let max = list.offset_limit().unwrap().limit_max.unwrap();
    let path = request_path(&fake, list, &[("limit", max.to_string())]);
    let (_, before) = get(&fake, &path).await;
    let before_total = before["total_num"].as_i64().unwrap();

    let add = hss_operations::operation("AddHostsGroup").unwrap();
    let host = fake.server_ids()[0].clone();
    let body = serde_json::json!({"group_name": "added-by-test", "host_id_list": [host]});
    let response = fake
        .client
        .post(format!(
            "{}{}",
            fake.base_url(),
            request_path(&fake, add, &[])
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let (_, after) = get(&fake, &path).await;
    assert_eq!(after["total_num"].as_i64().unwrap(), before_total + 1);
    let items = after["data_list"].as_array().unwrap();
    let added = items.last().unwrap();
    assert_eq!(added["group_name"], "added-by-test");
    let ids: BTreeSet<&str> = items
        .iter()
        .filter_map(|i| i["group_id"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        items.len(),
        "the added group has an id of its own"
    );
}

#[tokio::test]
async fn faults_apply_to_every_operation() {
    let fake = fake().await;
    fake.set_faults([hss_fake::FaultRule::first(
        1,
        hss_fake::Fault::server_error(503),
    )]);
    let op = hss_operations::operation("ListHostGroups").unwrap();
    let path = request_path(&fake, op, &[]);
    assert_eq!(get(&fake, &path).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&fake, &path).await.0, StatusCode::OK);
}
