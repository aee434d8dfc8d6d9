//! The simplest path works: a fake of N hosts and a query without
//! parameters list N hosts (one enterprise project by default); several
//! enterprise projects are one option away. The binary's side is in
//! `crates/hss-fake-server/tests/binary.rs`.

mod support;

use std::collections::HashSet;

use hss_fake::FakeHss;
use serde_json::Value;

/// Every host ID listed by paging `url` (no other parameters) with `token`.
async fn list_all(url: &str, token: &str) -> (u64, HashSet<String>) {
    let client = support::http_client();
    let mut seen = HashSet::new();
    let bare: Value = client
        .get(url)
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = bare["total_num"].as_u64().unwrap();
    for offset in (0..total).step_by(200) {
        let page: Value = client
            .get(format!("{url}?offset={offset}&limit=200"))
            .header("X-Auth-Token", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total_num"].as_u64(), Some(total));
        for host in page["data_list"].as_array().unwrap() {
            seen.insert(host["host_id"].as_str().unwrap().to_owned());
        }
    }
    (total, seen)
}

#[tokio::test]
async fn a_query_without_parameters_lists_every_host_by_default() {
    let fake = FakeHss::builder().hosts(3_000).start().await.unwrap();
    assert_eq!(fake.enterprise_projects(), ["0"]);
    let (total, seen) = list_all(&fake.hosts_url(&fake.task_id()), fake.token()).await;
    assert_eq!(total, 3_000);
    assert_eq!(seen.len(), 3_000);
}

#[tokio::test]
async fn several_enterprise_projects_are_one_option_away() {
    let fake = FakeHss::builder()
        .hosts(3_000)
        .enterprise_projects(3)
        .start()
        .await
        .unwrap();
    assert_eq!(fake.enterprise_projects().len(), 3);
    let (total, _) = list_all(&fake.hosts_url(&fake.task_id()), fake.token()).await;
    assert!((1_200..1_800).contains(&total), "project 0 holds {total}");
}
