//! `decode_page` parses page bodies with a parser of this crate's choice
//! (faster than progenitor's `serde_json::from_slice`); these tests hold
//! it to exactly what `from_slice` into the generated type gives: the
//! same value for every body it accepts, an error for every body it
//! refuses, and a clear `Error::Decode` either way; and each accepted
//! item's JSON text as the body holds it.

use hss_api::types::{ListVulScanTaskHostResponse, VulScanTaskHostInfo};
use hss_ext::{Error, decode_page};
use hss_fake::{Dataset, GenerateOptions};
use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What the generated client does with a `200` body.
fn reference(body: &[u8]) -> Result<ListVulScanTaskHostResponse, serde_json::Error> {
    serde_json::from_slice(body)
}

/// Asserts `decode_page` agrees with [`reference`] on `body`; returns
/// whether it was accepted.
fn agrees(body: &[u8]) -> bool {
    let ours = decode_page(StatusCode::OK, &HeaderMap::new(), body);
    match (reference(body), ours) {
        (Ok(expected), Ok(page)) => {
            assert_eq!(page.items, expected.data_list, "{}", show(body));
            assert_eq!(page.received.len(), page.items.len(), "{}", show(body));
            for (item, text) in page.items_received() {
                let text = text.expect("every item's text");
                let again: VulScanTaskHostInfo = serde_json::from_str(text).unwrap();
                assert_eq!(&again, item, "{}", show(body));
                // Kept as received whenever the body is a UTF-8 object.
                if let (Ok(body), Some(kept)) = (std::str::from_utf8(body), page.received.body()) {
                    assert_eq!(kept, body);
                    assert!(body.contains(text), "{text} in {}", show(body.as_bytes()));
                }
            }
            assert_eq!(
                page.total_num,
                expected.total_num.map(|n| n as u64),
                "{}",
                show(body)
            );
            true
        }
        // A negative total is refused after parsing, by both paths alike.
        (Ok(expected), Err(Error::Decode { reason, .. }))
            if expected.total_num.is_some_and(|n| n < 0) =>
        {
            assert!(reason.contains("total_num is negative"), "{reason}");
            false
        }
        (
            Err(_),
            Err(Error::Decode {
                reason, snippet, ..
            }),
        ) => {
            assert!(!reason.is_empty(), "{}", show(body));
            assert!(snippet.len() <= 4 * hss_ext::BODY_SNIPPET_LIMIT);
            false
        }
        (expected, ours) => panic!(
            "{}: from_slice gave {expected:?}, decode_page {ours:?}",
            show(body)
        ),
    }
}

fn show(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut shown: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        shown.push_str("...");
    }
    shown
}

fn page(hosts: usize) -> Vec<u8> {
    let mut dataset = Dataset::generate(&GenerateOptions {
        seed: 42,
        tasks: 1,
        hosts_per_task: hosts,
        ..GenerateOptions::default()
    });
    let infos: Vec<_> = dataset
        .tasks
        .swap_remove(0)
        .hosts
        .into_iter()
        .map(|h| h.info)
        .collect();
    serde_json::to_vec(&serde_json::json!({ "total_num": 100_000, "data_list": infos })).unwrap()
}

#[test]
fn a_full_page_decodes_to_the_same_hosts() {
    let body = page(200);
    assert!(agrees(&body));
    let decoded = decode_page(StatusCode::OK, &HeaderMap::new(), &body).unwrap();
    assert_eq!(decoded.items.len(), 200);
    // Every host exactly as sent, unknown fields too.
    let body = String::from_utf8(body).unwrap();
    assert_eq!(decoded.received.body(), Some(body.as_str()));
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    for (i, host) in sent["data_list"].as_array().unwrap().iter().enumerate() {
        assert_eq!(decoded.received.item(i), Some(host.to_string().as_str()));
    }
}

/// Host bodies wrapped in a page: `{"total_num":1,"data_list":[HOST]}`.
fn with_host(host: &str) -> Vec<u8> {
    format!(r#"{{"total_num":1,"data_list":[{host}]}}"#).into_bytes()
}

#[test]
fn escapes_and_unicode_decode_alike() {
    let accepted = [
        r#"{"host_name":"a\"b\\c\/d\b\f\n\r\t"}"#,
        r#"{"host_name":"\u00e9\u4e2d\uD83D\uDE00"}"#,
        r#"{"host_name":"主机-é😀 raw"}"#,
        r#"{"host_name":"","host_id":" "}"#,
        r#"{"host_name":"\u0000"}"#,
        r#"{"failed_reasons":[{"vul_type":"linux_vul","failed_reason":"\u597d"}]}"#,
    ];
    for host in accepted {
        assert!(agrees(&with_host(host)), "{host}");
    }
    let refused = [
        r#"{"host_name":"\ud800"}"#,
        r#"{"host_name":"\udc00x"}"#,
        r#"{"host_name":"\x41"}"#,
        r#"{"host_name":"\u12"}"#,
        "{\"host_name\":\"tab\there\"}",
        "{\"host_name\":\"nl\nhere\"}",
        r#"{"host_name":"unterminated}"#,
    ];
    for host in refused {
        assert!(!agrees(&with_host(host)), "{host}");
    }
}

#[test]
fn invalid_utf8_decodes_alike() {
    // In a known field: refused. In an unknown one: from_slice skips the
    // string unchecked, and so must decode_page.
    for body in [
        b"{\"data_list\":[{\"host_name\":\"\xff\"}]}".as_slice(),
        b"{\"data_list\":[{\"host_name\":\"\xc3\"}]}",
        b"{\"data_list\":[{\"host_name\":\"\xed\xa0\x80\"}]}",
        b"{\"unknown\":\"\xff\xfe\",\"total_num\":3}",
        b"{\"data_list\":[{\"extra\":[\"\xc3(\"],\"host_id\":\"h\"}]}",
        b"\xef\xbb\xbf{\"total_num\":1}",
    ] {
        agrees(body);
    }
}

#[test]
fn numbers_at_the_limits_decode_alike() {
    let accepted = [
        r#"{"total_num":9223372036854775807}"#,
        r#"{"total_num":0}"#,
        r#"{"total_num":null}"#,
        r#"{"data_list":[{"vul_scan_details":[{"scan_vul_list":[]}]}]}"#,
    ];
    for body in accepted {
        assert!(agrees(body.as_bytes()), "{body}");
    }
    let refused_or_negative = [
        r#"{"total_num":-9223372036854775808}"#,
        r#"{"total_num":-1}"#,
        // serde_json reads `-0` as the float -0.0, which no i64 takes.
        r#"{"total_num":-0}"#,
        r#"{"total_num":9223372036854775808}"#,
        r#"{"total_num":18446744073709551616}"#,
        r#"{"total_num":1e3}"#,
        r#"{"total_num":1.0}"#,
        r#"{"total_num":1.5}"#,
        r#"{"total_num":01}"#,
        r#"{"total_num":+1}"#,
        r#"{"total_num":1.}"#,
        r#"{"total_num":"1"}"#,
        r#"{"total_num":true}"#,
        r#"{"total_num":NaN}"#,
        r#"{"total_num":--1}"#,
    ];
    for body in refused_or_negative {
        assert!(!agrees(body.as_bytes()), "{body}");
    }
}

#[test]
fn unknown_fields_nulls_and_duplicates_decode_alike() {
    for body in [
        r#"{"total_num":2,"unknown":{"a":[1,2.5e300,-3,{"b":null}],"c":"\u00e9"},"data_list":[]}"#,
        r#"{"data_list":[{"host_id":"h","new_field":[true,false,null],"asset_value":"common"}]}"#,
        r#"{"data_list":[{"host_name":null,"failed_reasons":null}]}"#,
        r#"{"data_list":null}"#,
        r#"{"data_list":[null]}"#,
        r#"{"total_num":1,"total_num":2}"#,
        r#"{"data_list":[{"host_id":"a","host_id":"b"}]}"#,
        r#"{"data_list":[],"data_list":[]}"#,
        r#"{"unknown":1,"unknown":2}"#,
        r#"  {"total_num" : 1 ,"data_list" : [ ] }  "#,
        "\n\t{\"total_num\":1}\r\n",
        r#"{"total_num":1} x"#,
        r#"{"total_num":1}{}"#,
        r#"{"total_num":1,}"#,
        r#"{"data_list":[{},]}"#,
        r#"{"total_num":1"#,
        r#"[]"#,
        r#"null"#,
        r#""text""#,
        "",
        " ",
        "{}",
        r#"{"data_list":{}}"#,
        r#"{"data_list":[{"vul_scan_details":{"a":1}}]}"#,
        r#"{'total_num':1}"#,
    ] {
        agrees(body.as_bytes());
    }
}

#[test]
fn deep_nesting_is_refused_alike_and_does_not_overflow() {
    for depth in [100, 127, 128, 129, 300, 100_000] {
        let body = format!(
            r#"{{"unknown":{}1{},"total_num":1}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        agrees(body.as_bytes());
        let body = format!(r#"{{"unknown":{}"#, "{\"a\":".repeat(depth));
        agrees(body.as_bytes());
    }
}

#[test]
fn a_decode_error_names_the_place() {
    let Err(Error::Decode { reason, .. }) =
        decode_page(StatusCode::OK, &HeaderMap::new(), br#"{"total_num":"x"}"#)
    else {
        panic!("a string total_num is refused");
    };
    assert!(reason.contains("line 1 column"), "{reason}");
    assert!(
        reason.contains("i64") || reason.contains("integer"),
        "{reason}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Bytes changed anywhere in a small page: accepted or refused alike,
    /// to the same value.
    #[test]
    fn edited_pages_decode_alike(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4)
    ) {
        let mut body = page(2);
        for (at, byte, kind) in edits {
            let i = at.index(body.len());
            match kind {
                0 => body[i] = byte,
                1 => body.insert(i, byte),
                _ => {
                    body.remove(i);
                }
            }
        }
        agrees(&body);
    }

    /// JSON-ish bytes from a small alphabet: the corner cases of the
    /// grammar, accepted or refused alike.
    #[test]
    fn grammar_corners_decode_alike(
        middle in proptest::collection::vec(prop::sample::select(vec![
            "\"host_id\"", "\"host_name\"", "\"total_num\"", "\"x\"", ":", ",", "[", "]", "{", "}",
            "null", "1", "-1", "1e2", "\"\\u00e9\"", "\"\\ud800\"", "\"a\"", " ", "true",
        ]), 0..12)
    ) {
        let body = format!("{{\"data_list\":[{{{}}}]}}", middle.concat());
        agrees(body.as_bytes());
    }
}
