//! The operation's path and query parameters: matching, decoding and the
//! documented constraints.

use hss_operations::{self as operations, OffsetLimit};
use percent_encoding::percent_decode_str;

use crate::data::scan_status;

/// `ListVulScanTaskHost`'s paging in the spec, whose limits the other
/// listings share.
const PAGING: &OffsetLimit = operations::LIST_VUL_SCAN_TASK_HOST.expect_offset_limit();
/// `limit` when the request has none.
pub const DEFAULT_LIMIT: u32 = PAGING.default_page();
/// Smallest `limit`.
pub const MIN_LIMIT: u32 = PAGING.min_page();
/// Largest `limit`.
pub const MAX_LIMIT: u32 = PAGING.max_page();
/// Largest `offset`.
pub const MAX_OFFSET: u32 = PAGING.max_offset();

/// Percent-encodes `value` keeping only `A-Z a-z 0-9 - _ . ~`: the one
/// encoder of the workspace, the signer's, so the fake builds URLs exactly
/// as clients sign them.
pub use hss_auth::signer::encode_component;

/// `/v5/{project_id}/vulnerability/scan-task/{task_id}/hosts` with both
/// parameters encoded by [`encode_component`] (so a `/` in an ID is `%2F`).
pub fn hosts_path(project_id: &str, task_id: &str) -> String {
    format!(
        "/v5/{}/vulnerability/scan-task/{}/hosts",
        encode_component(project_id),
        encode_component(task_id)
    )
}

/// The query parameters of `ListVulScanTaskHost`; `None` means absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// Offset (0 to 2,000,000; the service uses 0 when absent).
    pub offset: Option<u32>,
    /// Page size (10 to 200; the service uses 10 when absent).
    pub limit: Option<u32>,
    /// `scanning`, `success` or `failed`.
    pub scan_status: Option<String>,
    /// Enterprise project ID or `all_granted_eps` (the service uses `0` when absent).
    pub enterprise_project_id: Option<String>,
}

impl PageQuery {
    /// A query with offset and limit set.
    pub fn page(offset: u32, limit: u32) -> PageQuery {
        PageQuery {
            offset: Some(offset),
            limit: Some(limit),
            ..PageQuery::default()
        }
    }

    /// The query string, keys sorted and values encoded as the
    /// `SDK-HMAC-SHA256` canonical query wants them (so it can be signed as is).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(ep) = &self.enterprise_project_id {
            pairs.push(("enterprise_project_id", encode_component(ep)));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset", offset.to_string()));
        }
        if let Some(status) = &self.scan_status {
            pairs.push(("scan_status", encode_component(status)));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A path parameter, percent-decoded; `Err` is the `error_msg` of an
/// `HSS.0001` answer (not UTF-8, or more than 256 characters).
pub(crate) fn decode_id(name: &str, raw: &str) -> Result<String, String> {
    let value = percent_decode_str(raw).decode_utf8().map_err(|_| {
        format!("Invalid parameter: {name} is not valid UTF-8 once percent-decoded")
    })?;
    let len = value.chars().count();
    if len > 256 {
        return Err(format!(
            "Invalid parameter: {name} must have 1 to 256 characters, it has {len}"
        ));
    }
    Ok(value.into_owned())
}

/// Parses and checks the query string; `Err` is the `error_msg` of an
/// `HSS.0001` answer naming the parameter. Unknown parameters are ignored,
/// a repeated known one is refused.
pub(crate) fn parse_query(raw_query: &str) -> Result<PageQuery, String> {
    let mut query = PageQuery::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        let known = matches!(
            key.as_ref(),
            "offset" | "limit" | "scan_status" | "enterprise_project_id"
        );
        if !known {
            continue;
        }
        if seen.iter().any(|k| *k == key) {
            return Err(format!("Invalid parameter: {key} is given more than once"));
        }
        seen.push(key.to_string());
        match key.as_ref() {
            "offset" => query.offset = Some(integer("offset", &value, 0, MAX_OFFSET)?),
            "limit" => query.limit = Some(integer("limit", &value, MIN_LIMIT, MAX_LIMIT)?),
            "scan_status" => {
                if !scan_status::ALL.contains(&value.as_ref()) {
                    return Err(format!(
                        "Invalid parameter: scan_status must be one of scanning, success, failed, not {:?}",
                        truncate(&value)
                    ));
                }
                query.scan_status = Some(value.into_owned());
            }
            _ => {
                let len = value.chars().count();
                if !(1..=256).contains(&len) {
                    return Err(format!(
                        "Invalid parameter: enterprise_project_id must have 1 to 256 characters, it has {len}"
                    ));
                }
                query.enterprise_project_id = Some(value.into_owned());
            }
        }
    }
    Ok(query)
}

/// `value` as an integer from `min` to `max`; `Err` is the `error_msg`
/// naming the parameter.
pub(crate) fn integer(name: &str, value: &str, min: u32, max: u32) -> Result<u32, String> {
    value
        .parse::<i64>()
        .ok()
        .filter(|v| (i64::from(min)..=i64::from(max)).contains(v))
        .map(|v| v as u32)
        .ok_or_else(|| {
            format!(
                "Invalid parameter: {name} must be an integer from {min} to {max}, not {:?}",
                truncate(value)
            )
        })
}

/// The first 40 characters of `value`, for error messages.
pub(crate) fn truncate(value: &str) -> String {
    value.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            hosts_path("p 1", "t/x~"),
            "/v5/p%201/vulnerability/scan-task/t%2Fx~/hosts"
        );
        let long = "a".repeat(257);
        assert!(decode_id("task_id", &long).unwrap_err().contains("task_id"));
        assert!(
            decode_id("project_id", "%FF")
                .unwrap_err()
                .contains("project_id")
        );
        assert_eq!(decode_id("task_id", "t%2Fx"), Ok("t/x".to_owned()));
    }

    #[test]
    fn queries() {
        assert_eq!(parse_query("").unwrap(), PageQuery::default());
        let q = parse_query(
            "offset=20&limit=200&scan_status=failed&enterprise_project_id=all_granted_eps&x=1",
        )
        .unwrap();
        assert_eq!(q.offset, Some(20));
        assert_eq!(q.limit, Some(200));
        assert_eq!(q.scan_status.as_deref(), Some("failed"));
        assert_eq!(q.enterprise_project_id.as_deref(), Some("all_granted_eps"));
        for (query, name) in [
            ("limit=9", "limit"),
            ("limit=201", "limit"),
            ("limit=abc", "limit"),
            ("limit=", "limit"),
            ("offset=-1", "offset"),
            ("offset=2000001", "offset"),
            ("offset=1.5", "offset"),
            ("scan_status=done", "scan_status"),
            ("scan_status=", "scan_status"),
            ("enterprise_project_id=", "enterprise_project_id"),
            ("limit=10&limit=20", "limit"),
        ] {
            let err = parse_query(query).unwrap_err();
            assert!(err.contains(name), "{query}: {err}");
        }
        assert_eq!(
            parse_query("offset=2000000&limit=10").unwrap().offset,
            Some(2_000_000)
        );
    }

    #[test]
    fn query_string_is_sorted_and_encoded() {
        let q = PageQuery {
            offset: Some(0),
            limit: Some(50),
            scan_status: Some("failed".into()),
            enterprise_project_id: Some("a b/c".into()),
        };
        assert_eq!(
            q.to_query_string(),
            "enterprise_project_id=a%20b%2Fc&limit=50&offset=0&scan_status=failed"
        );
        assert_eq!(parse_query(&q.to_query_string()).unwrap(), q);
    }
}
