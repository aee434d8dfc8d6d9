//! The fake renders a page once and serves the same bytes again, and
//! lists the hosts of a vulnerability from an index: over real HTTP on
//! 127.0.0.1, a page asked twice with a change between the two answers the
//! change (a finished scan, hosts inserted and removed, churn, a replaced
//! task, a status change, a repair that settles), and `ListVulHosts`
//! lists exactly the servers that `ListHostVuls` says have the
//! vulnerability.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use hss_fake::testing::{ManualClock, sign};
use hss_fake::{Clock, FakeHss, HostChurn, PageQuery, RunningFake, TaskData, paths};
use http::{HeaderMap, Method};
use serde_json::{Value, json};

async fn get_bytes(fake: &RunningFake, path_and_query: &str) -> Vec<u8> {
    let response = support::http_client()
        .get(fake.url(path_and_query))
        .header("X-Auth-Token", fake.token())
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200, "{path_and_query}");
    response.bytes().await.expect("body").to_vec()
}

async fn get(fake: &RunningFake, path_and_query: &str) -> Value {
    serde_json::from_slice(&get_bytes(fake, path_and_query).await).expect("JSON")
}

/// A page of the task, and that it is what the fake's own rendering of
/// its data now gives (`expected_page` renders afresh, never from a cache).
async fn task_page(fake: &RunningFake, query: &PageQuery) -> Value {
    let task = fake.task_id();
    let page = get(
        fake,
        &format!("{}?{}", fake.hosts_path(&task), query.to_query_string()),
    )
    .await;
    assert_eq!(Some(&page), fake.expected_page(&task, query).as_ref());
    page
}

fn query(offset: u32, scan_status: Option<&str>) -> PageQuery {
    PageQuery {
        offset: Some(offset),
        limit: Some(200),
        scan_status: scan_status.map(str::to_owned),
        enterprise_project_id: Some("all_granted_eps".into()),
    }
}

fn ids(page: &Value) -> Vec<&str> {
    page["data_list"]
        .as_array()
        .expect("data_list")
        .iter()
        .map(|h| h["host_id"].as_str().expect("host_id"))
        .collect()
}

#[tokio::test]
async fn a_repeated_page_is_the_same_bytes_until_the_task_changes() {
    let fake = FakeHss::builder()
        .seed(3)
        .hosts(1_000)
        .start()
        .await
        .unwrap();
    let task = fake.task_id();
    let path = format!(
        "{}?{}",
        fake.hosts_path(&task),
        query(200, None).to_query_string()
    );
    let first = get_bytes(&fake, &path).await;
    assert_eq!(first, get_bytes(&fake, &path).await);

    // A finished scan: the same page, now with hosts that say so.
    let scanning = query(0, Some("scanning"));
    let before = task_page(&fake, &scanning).await;
    assert!(before["total_num"].as_u64().unwrap() > 10, "{before}");
    assert_eq!(fake.advance_scan(&task, 10), Some(10));
    let after = task_page(&fake, &scanning).await;
    assert_eq!(
        after["total_num"].as_u64().unwrap() + 10,
        before["total_num"].as_u64().unwrap()
    );
    assert_ne!(ids(&before), ids(&after));

    // Hosts inserted at the front move every page on; removed, back.
    let page = task_page(&fake, &query(200, None)).await;
    let added = fake.insert_hosts(&task, 0, 3).unwrap();
    let moved = task_page(&fake, &query(200, None)).await;
    assert_eq!(moved["total_num"], 1_003);
    assert_eq!(ids(&moved)[3..], ids(&page)[..197]);
    let front = task_page(&fake, &query(0, None)).await;
    let added_ids: Vec<&str> = added
        .iter()
        .map(|h| h.info.host_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids(&front)[..3], added_ids[..]);
    fake.remove_hosts_at(&task, 0..3).unwrap();
    assert_eq!(task_page(&fake, &query(200, None)).await, page);

    // A replaced task serves its new hosts at once.
    let mut hosts = fake.dataset().tasks[0].hosts.clone();
    hosts.truncate(300);
    hosts.reverse();
    let expected: Vec<String> = hosts[200..]
        .iter()
        .map(|h| h.info.host_id.clone().unwrap())
        .collect();
    assert!(fake.insert_task(TaskData {
        task_id: task.clone(),
        hosts,
    }));
    let replaced = task_page(&fake, &query(200, None)).await;
    assert_eq!(replaced["total_num"], 300);
    assert_eq!(ids(&replaced), expected);
    assert_ne!(get_bytes(&fake, &path).await, first);
}

#[tokio::test]
async fn churn_on_the_fakes_clock_changes_a_page_asked_twice() {
    let clock = ManualClock::default();
    let fake = FakeHss::builder()
        .seed(9)
        .hosts(500)
        .clock(clock.clone())
        .host_churn(HostChurn::new(5, 2, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    let q = query(0, None);
    let first = task_page(&fake, &q).await;
    assert_eq!(task_page(&fake, &q).await, first, "the clock stood still");
    clock.advance(Duration::from_secs(1));
    let second = task_page(&fake, &q).await;
    assert_eq!(second["total_num"], 503);
    for _ in 0..5 {
        clock.advance(Duration::from_secs(1));
        task_page(&fake, &q).await;
        task_page(&fake, &query(400, None)).await;
    }
    assert_eq!(task_page(&fake, &q).await["total_num"], 518);
}

/// Sends `body` signed with the AK/SK at the fake's clock.
async fn put(fake: &RunningFake, clock: &ManualClock, path: &str, body: &Value) {
    let url = fake.url(path);
    let body = serde_json::to_vec(body).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let headers = sign(
        fake.access_key(),
        &Method::PUT,
        &url,
        headers,
        &body,
        clock.now(),
    )
    .unwrap();
    let response = support::http_client()
        .put(&url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn vul_hosts_follow_status_changes_and_match_every_servers_own_list() {
    let clock = ManualClock::default();
    let fake = FakeHss::builder()
        .seed(31)
        .hosts(2_000)
        .enterprise_projects(3)
        .clock(clock.clone())
        .vul_operation_duration(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let p = fake.project_id();
    let all = "enterprise_project_id=all_granted_eps";

    // The reference: which servers have which vulnerability, from each
    // server's own list (`host_vuls`, not the index), in server order.
    let mut reference: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for host in fake.server_ids() {
        for v in fake.host_vuls(&host).unwrap() {
            let entry = reference
                .entry(v.vul_id.clone())
                .or_insert_with(|| (v.vul_type.clone(), Vec::new()));
            entry.1.push(host.clone());
        }
    }
    let mut by_size: Vec<(&String, &(String, Vec<String>))> = reference.iter().collect();
    by_size.sort_by_key(|(id, (_, hosts))| (std::cmp::Reverse(hosts.len()), (*id).clone()));
    let picks = [0, 1, by_size.len() / 2, by_size.len() - 1];
    let vul_hosts = paths::vul_hosts_path(&p);
    for &k in &picks {
        let (vul_id, (vul_type, hosts)) = by_size[k];
        for (offset, limit) in [(0, 200), (200, 200), (7, 13), (hosts.len(), 10)] {
            let page = get(
                &fake,
                &format!(
                    "{vul_hosts}?vul_id={vul_id}&type={vul_type}&offset={offset}&limit={limit}&{all}"
                ),
            )
            .await;
            assert_eq!(page["total_num"], hosts.len(), "{vul_id}");
            let end = (offset + limit).min(hosts.len());
            let want: Vec<&str> = hosts[offset.min(end)..end]
                .iter()
                .map(String::as_str)
                .collect();
            assert_eq!(ids(&page), want, "{vul_id} at {offset}");
        }
    }

    // Ignoring it on some hosts changes the very same request's answer.
    let (vul_id, (vul_type, _)) = by_size[0];
    let url = format!("{vul_hosts}?vul_id={vul_id}&type={vul_type}&limit=200&{all}");
    let before = get(&fake, &url).await;
    assert_eq!(before, get(&fake, &url).await);
    let unhandled = format!("{url}&handle_status=unhandled");
    let open_before = get(&fake, &unhandled).await["total_num"].as_u64().unwrap();
    let first: Vec<&str> = ids(&before)[..5].to_vec();
    put(
        &fake,
        &clock,
        &format!("{}?{all}", paths::vul_status_path(&p)),
        &json!({"operate_type": "ignore", "remark": "cache test", "data_list": [{"vul_id": vul_id, "host_id_list": first}]}),
    )
    .await;
    let after = get(&fake, &url).await;
    for row in &after["data_list"].as_array().unwrap()[..5] {
        assert_eq!(row["status"], "vul_status_ignored", "{row}");
        assert_eq!(row["remark"], "cache test");
    }
    let open_after = get(&fake, &unhandled).await["total_num"].as_u64().unwrap();
    assert!(open_after < open_before, "{open_after} < {open_before}");

    // A repair is `fixing` until the operation time passes, then `fixed`,
    // on the fake's clock, for the same request asked again.
    let target = ids(&after)[5].to_owned();
    put(
        &fake,
        &clock,
        &format!("{}?{all}", paths::vul_status_path(&p)),
        &json!({"operate_type": "immediate_repair", "data_list": [{"vul_id": vul_id, "host_id_list": [target]}]}),
    )
    .await;
    let fixing = format!("{url}&status=vul_status_fixing");
    assert_eq!(ids(&get(&fake, &fixing).await), [target.as_str()]);
    assert_eq!(ids(&get(&fake, &fixing).await), [target.as_str()]);
    clock.advance(Duration::from_secs(6));
    assert_eq!(get(&fake, &fixing).await["total_num"], 0);
    let fixed = get(&fake, &format!("{url}&status=vul_status_fixed")).await;
    assert!(ids(&fixed).contains(&target.as_str()), "{fixed}");
}
