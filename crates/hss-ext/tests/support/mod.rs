//! Helpers for scripted-server tests: a synthetic task `h0, h1, ...`.

#![allow(dead_code)]

pub use hss_fake::scripted::{Reply, ScriptedRequest, ScriptedServer};

/// A page of the synthetic task `h0, h1, ...` with `total` hosts.
pub fn page(offset: u64, limit: u64, total: u64) -> String {
    let end = total.min(offset + limit);
    let hosts: Vec<String> = (offset..end.max(offset))
        .map(|i| format!(r#"{{"host_id":"h{i}","host_name":"host-{i}","scan_status":"failed","asset_value":"common","failed_reasons":[{{"vul_type":"linux_vul","failed_reason":"r{i}"}}]}}"#))
        .collect();
    format!(
        r#"{{"total_num":{total},"data_list":[{}]}}"#,
        hosts.join(",")
    )
}

/// The offset and limit a request asked for (the API's defaults when absent).
pub fn window(request: &ScriptedRequest) -> (u64, u64) {
    let offset = request
        .query("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let limit = request
        .query("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    (offset, limit)
}

/// A page of a task whose hosts are `ids`, in that order.
pub fn page_of(ids: &[String], offset: u64, limit: u64) -> String {
    let start = (offset as usize).min(ids.len());
    let end = (offset.saturating_add(limit) as usize).min(ids.len());
    let hosts: Vec<String> = ids[start..end]
        .iter()
        .map(|id| host_json(Some(id)))
        .collect();
    format!(
        r#"{{"total_num":{},"data_list":[{}]}}"#,
        ids.len(),
        hosts.join(",")
    )
}

/// One host of the synthetic task; `None` leaves out `host_id`.
pub fn host_json(id: Option<&str>) -> String {
    let name = id.unwrap_or("anonymous");
    let id = id
        .map(|id| format!(r#""host_id":"{id}","#))
        .unwrap_or_default();
    format!(
        r#"{{{id}"host_name":"host-{name}","scan_status":"failed","asset_value":"common","failed_reasons":[{{"vul_type":"linux_vul","failed_reason":"r"}}]}}"#
    )
}

/// `h{first}` .. `h{end - 1}`.
pub fn host_ids(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|i| format!("h{i}")).collect()
}
