//! Hostile ids and values: each is refused before anything is sent, with an
//! error naming the parameter, or sent encoded so that the server (hss-fake's
//! request log: the raw path and query as they arrived) sees exactly the
//! intended path and query, and nothing else.

use std::time::Duration;

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use hss_fake::{FakeHss, RunningFake, encode_component};

/// Task ids that are sent, and the path segment each must arrive as.
/// `encode_path` (the generated client's) leaves `&`, `=`, `;`, `+` and the
/// like as they are: they have no meaning inside a path segment.
const SENT_IDS: &[(&str, &str)] = &[
    ("a/b", "a%2Fb"),
    ("%2e%2e", "%252e%252e"),
    (".%2e", ".%252e"),
    ("...", "..."),
    ("a/../b", "a%2F..%2Fb"),
    ("../x", "..%2Fx"),
    ("a?b=c", "a%3Fb=c"),
    ("a#frag", "a%23frag"),
    ("a&b=c;d+e", "a&b=c;d+e"),
    ("a b", "a%20b"),
    ("a\r\nX-Injected: 1", "a%0D%0AX-Injected:%201"),
    ("nul\0byte", "nul%00byte"),
    ("tab\there", "tab%09here"),
    ("é一😀", "%C3%A9%E4%B8%80%F0%9F%98%80"),
    ("%", "%25"),
    ("<>\"`{}", "%3C%3E%22%60%7B%7D"),
    ("a|b^c[d]:e@f!g$h'i(j)k,l~m", "a|b^c[d]:e@f!g$h'i(j)k,l~m"),
];

/// Ids refused before sending, and what the error must say.
fn refused_ids() -> Vec<(String, &'static str)> {
    vec![
        ("..".into(), "path navigation"),
        (".".into(), "path navigation"),
        ("".into(), "must not be empty"),
        ("x".repeat(257), "at most 256 characters"),
        ("é".repeat(257), "at most 256 characters"),
        // URL parsers read `\` as `/` in http(s) paths, and the generated
        // code does not encode it: `..\..` would climb out of the path.
        ("a\\b".into(), "backslash"),
        ("..\\..".into(), "backslash"),
        ("\\".into(), "backslash"),
    ]
}

async fn fake_with_tasks(task_ids: &[&str]) -> RunningFake {
    FakeHss::builder()
        .seed(3)
        .hosts(12)
        .enterprise_projects(1)
        .task_ids(task_ids.iter().copied())
        .tasks(task_ids.len())
        .start()
        .await
        .unwrap()
}

fn client(fake: &RunningFake) -> HssClient {
    let key = fake.access_key();
    HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(Credentials::ak_sk(
            key.ak.clone(),
            SecretString::from(key.sk.clone()),
        ))
        .project_id(fake.project_id())
        .retry(RetryPolicy::disabled())
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn odd_task_ids_reach_exactly_their_task() {
    let ids: Vec<&str> = SENT_IDS.iter().map(|(id, _)| *id).collect();
    let fake = fake_with_tasks(&ids).await;
    let client = client(&fake);
    let project = fake.project_id();
    for (id, segment) in SENT_IDS {
        fake.take_requests();
        let hosts = client
            .collect_hosts(HostQuery::new(*id), ListOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
        assert_eq!(hosts.len(), 12, "{id:?}");
        let log = fake.take_requests();
        assert_eq!(log.len(), 1, "{id:?}");
        let request = &log[0];
        assert_eq!(
            request.raw_path,
            format!("/v5/{project}/vulnerability/scan-task/{segment}/hosts"),
            "{id:?}"
        );
        assert_eq!(
            request.raw_query.as_deref(),
            Some("limit=200&offset=0"),
            "{id:?}"
        );
        // Signed over exactly what arrived (the fake verified it).
        assert!(request.caller.is_some(), "{id:?}");
        assert_eq!(request.status, Some(200), "{id:?}");
    }
}

#[tokio::test]
async fn odd_ids_are_refused_before_sending() {
    let fake = fake_with_tasks(&["t"]).await;
    let client = client(&fake);
    for (id, reason) in refused_ids() {
        let err = client
            .list_hosts_page(&HostQuery::new(id.as_str()))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    parameter: "task_id",
                    ..
                }
            ),
            "{id:?}: {err:?}"
        );
        assert!(err.to_string().contains(reason), "{id:?}: {err}");
        let err = client
            .list_hosts_page(&HostQuery::new("t").project_id(id.as_str()))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    parameter: "project_id",
                    ..
                }
            ),
            "{id:?}: {err:?}"
        );
    }
    assert_eq!(fake.request_count(), 0);
}

#[tokio::test]
async fn odd_query_values_arrive_encoded_and_whole() {
    let fake = fake_with_tasks(&["t"]).await;
    let client = client(&fake);
    let values = [
        "a&b=c",
        "#fragment",
        "x?y=z",
        "k=v&limit=10",
        "CR\rLF\nEnd",
        "sp ace+plus*star",
        "%2e%2e/..",
        "é一",
        "\0",
    ];
    for value in values {
        fake.take_requests();
        let err = client
            .list_hosts_page(&HostQuery::new("t").enterprise_project_id(value))
            .await
            .unwrap_err();
        // The fake knows no such enterprise project: it read the whole value.
        assert_eq!(err.error_code(), Some("HSS.0011"), "{value:?}: {err}");
        assert!(
            !err.to_string().contains(['\r', '\n', '\0']),
            "{value:?}: {err:?}"
        );
        let log = fake.take_requests();
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
        assert!(log[0].caller.is_some(), "the signature covers the value");
    }
    // Over-long and empty values are refused before sending.
    for value in ["x".repeat(257), String::new()] {
        let err = client
            .list_hosts_page(&HostQuery::new("t").enterprise_project_id(value.as_str()))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    parameter: "enterprise_project_id",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    let err = client
        .list_hosts_page(&HostQuery::new("t").scan_status(ScanStatus::parse(&"s".repeat(33))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                parameter: "scan_status",
                ..
            }
        ),
        "{err:?}"
    );
    // An unknown status is sent as it is, encoded.
    fake.take_requests();
    let _ = client
        .list_hosts_page(&HostQuery::new("t").scan_status(ScanStatus::parse("failed&x=1")))
        .await;
    let log = fake.take_requests();
    assert_eq!(
        log[0].raw_query.as_deref(),
        Some("scan_status=failed%26x%3D1")
    );
}

/// Regression: a service message with line breaks or escape sequences
/// (the fake echoes the value it refused) is one line of plain text in the
/// error's `Display`, so it cannot forge a log line or drive a terminal.
#[tokio::test]
async fn service_text_cannot_break_the_error_line() {
    let fake = fake_with_tasks(&["t"]).await;
    let client = client(&fake);
    let err = client
        .list_hosts_page(
            &HostQuery::new("t").enterprise_project_id("x\r\nlevel=ERROR forged\u{1b}[2J"),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.contains("forged"), "{text}");
    // The accessor keeps the service's exact text.
    assert!(err.error_msg().unwrap().contains("\r\n"));
}
