//! The work the micro benchmarks time, shared by `benches/micro.rs`
//! (criterion) and the `micro-report` binary (interleaved ratios), so both
//! time exactly the same code.

use std::hint::black_box;

use hss_api::types::ListVulScanTaskHostResponse;
use hss_auth::{AccessKey, Signer};
use hss_ext::{AssetValue, ScanStatus, VulType};
use http::{HeaderMap, HeaderValue, Method};
use time::OffsetDateTime;

use crate::floor::model;

/// Decodes a page into the generated `ListVulScanTaskHostResponse`, as
/// the SDK does; returns the number of hosts.
pub fn decode_generated(page: &[u8]) -> usize {
    let page: ListVulScanTaskHostResponse =
        serde_json::from_slice(page).expect("a page the fake wrote decodes");
    let n = page.data_list.len();
    black_box(page);
    n
}

/// Like [`decode_generated`], but checks the whole body is UTF-8 once and
/// then parses the `&str` (`serde_json::from_str` does not check each string
/// again, as `from_slice` does): the parse alone of what
/// [`decode_hss_ext`] does.
pub fn decode_generated_utf8_once(page: &[u8]) -> usize {
    let text = std::str::from_utf8(page).expect("a page the fake wrote is UTF-8");
    let page: ListVulScanTaskHostResponse =
        serde_json::from_str(text).expect("a page the fake wrote decodes");
    let n = page.data_list.len();
    black_box(page);
    n
}

/// Decodes a page as `hss-ext`'s client does: [`hss_ext::decode_page`]
/// (the UTF-8 checked once, then `serde_json::from_str` into the same
/// generated types), status `200`, no headers.
pub fn decode_hss_ext(page: &[u8]) -> usize {
    let page = hss_ext::decode_page(
        reqwest::StatusCode::OK,
        &reqwest::header::HeaderMap::new(),
        page,
    )
    .expect("a page the fake wrote decodes");
    let n = page.items.len();
    black_box(page);
    n
}

/// Decodes a page into `serde_json::Value`, the baseline.
pub fn decode_value(page: &[u8]) -> usize {
    let page: serde_json::Value =
        serde_json::from_slice(page).expect("a page the fake wrote decodes");
    let n = page["data_list"].as_array().map_or(0, Vec::len);
    black_box(page);
    n
}

/// Decodes a page into the floor's hand-written structs.
pub fn decode_floor(page: &[u8]) -> usize {
    let page: model::Page = serde_json::from_slice(page).expect("a page the fake wrote decodes");
    let n = page.data_list.len();
    black_box(page);
    n
}

/// One request as `hss-ext` signs it: the listing URL with its canonical
/// query and the headers the client has set before its hook signs.
#[derive(Debug)]
pub struct SignCase {
    signer: Signer,
    url: url::Url,
    headers: HeaderMap,
    now: OffsetDateTime,
}

impl Default for SignCase {
    fn default() -> Self {
        Self::new()
    }
}

impl SignCase {
    /// A page request of a 32-hex project and task, with a fixed clock.
    pub fn new() -> SignCase {
        let signer = Signer::new(AccessKey::new(
            "WKHA9XQ5ZR5QJT3YZ9A5",
            "LDTue8dfqYyiUeVoR5DM5cz1A7xFo0IIpP0CAanq".to_owned(),
        ));
        let query = hss_auth::signer::canonical_query_string(&[
            ("enterprise_project_id", "all_granted_eps"),
            ("limit", "200"),
            ("offset", "99800"),
        ]);
        let url = url::Url::parse(&format!(
            "https://hss.ap-southeast-1.myhuaweicloud.com/v5/ece0055ca5e5e49ca1bbe3ebdc3045e3/vulnerability/scan-task/e414fb0988414cf23b0a84082b4e441b/hosts?{query}"
        ))
        .expect("a valid URL");
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("api-version", HeaderValue::from_static("v5"));
        headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_static(hss_ext::DEFAULT_USER_AGENT),
        );
        let clock = hss_auth::FixedClock::new(
            OffsetDateTime::from_unix_timestamp(1_764_374_400).expect("a valid time"),
        );
        SignCase {
            signer,
            url,
            headers,
            now: hss_auth::Clock::now(&clock),
        }
    }

    /// The unsigned headers, to be cloned for each signature.
    pub fn headers(&self) -> HeaderMap {
        self.headers.clone()
    }

    /// Signs `headers` in place (they come from [`Self::headers`]).
    pub fn sign(&self, headers: &mut HeaderMap) {
        self.signer
            .sign(&Method::GET, &self.url, headers, b"", self.now)
            .expect("the case signs");
    }
}

/// Every enum text the API documents, plus one unknown value per enum, in
/// the proportions of no real page: each is parsed once per pass.
pub const ENUM_TEXTS: [&str; 14] = [
    "scanning",
    "success",
    "failed",
    "paused",
    "important",
    "common",
    "test",
    "critical",
    "linux_vul",
    "windows_vul",
    "web_cms",
    "app_vul",
    "urgent_vul",
    "container_vul",
];

/// Parses every text of [`ENUM_TEXTS`] as each of the three enums; returns
/// how many were known.
pub fn parse_enum_texts(texts: &[&str]) -> usize {
    let mut known = 0;
    for text in texts {
        known += usize::from(ScanStatus::parse(black_box(text)).is_known());
        known += usize::from(AssetValue::parse(black_box(text)).is_known());
        known += usize::from(VulType::parse(black_box(text)).is_known());
    }
    known
}

/// Reads every typed field of a decoded page through `hss-ext`'s
/// extension traits, as a program that looks at every host would; returns
/// how many values were known.
pub fn typed_fields_of_page(page: &ListVulScanTaskHostResponse) -> usize {
    let mut known = 0;
    let mut count = |is_known: bool| known += usize::from(is_known);
    for host in &page.data_list {
        count(host.scan_status().is_some_and(|s| s.is_known()));
        count(host.asset_value().is_some_and(|a| a.is_known()));
        for reason in &host.failed_reasons {
            count(reason.vul_type().is_some_and(|t| t.is_known()));
        }
        for detail in &host.vul_scan_details {
            count(detail.vul_type().is_some_and(|t| t.is_known()));
            count(detail.status().is_some_and(|s| s.is_known()));
            for vul in &detail.scan_vul_list {
                count(vul.status().is_some_and(|s| s.is_known()));
            }
        }
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decoder_sees_the_same_hosts() {
        let page = crate::fixture::page_json(&crate::fixture::hosts(20), 100_000);
        assert_eq!(decode_generated(&page), 20);
        assert_eq!(decode_generated_utf8_once(&page), 20);
        assert_eq!(decode_hss_ext(&page), 20);
        assert_eq!(decode_value(&page), 20);
        assert_eq!(decode_floor(&page), 20);
    }

    #[test]
    fn the_sign_case_signs() {
        let case = SignCase::new();
        let mut headers = case.headers();
        case.sign(&mut headers);
        let auth = headers["authorization"].to_str().unwrap();
        assert!(auth.starts_with("SDK-HMAC-SHA256 Access=WKHA9XQ5ZR5QJT3YZ9A5, "));
        // The fixed clock makes the signature reproducible.
        let mut again = case.headers();
        case.sign(&mut again);
        assert_eq!(headers["authorization"], again["authorization"]);
    }

    #[test]
    fn enum_parsing_counts_the_known_values() {
        // 3 + 3 + 5 documented values, each known to exactly one enum.
        assert_eq!(parse_enum_texts(&ENUM_TEXTS), 11);
        let page: ListVulScanTaskHostResponse =
            serde_json::from_slice(&crate::fixture::page_json(&crate::fixture::hosts(50), 50))
                .unwrap();
        assert!(typed_fields_of_page(&page) >= 100);
    }
}
