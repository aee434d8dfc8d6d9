//! Helpers shared by the tests: a synthetic task `h0, h1, ...` for scripted
//! servers, the fake's credentials, a log capture.

#![allow(dead_code, unused_imports)]

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

/// The fake's AK/SK pair as client credentials.
pub fn ak_sk(fake: &hss_fake::RunningFake) -> hss_ext::Credentials {
    let key = fake.access_key();
    hss_ext::Credentials::ak_sk(key.ak.clone(), hss_ext::SecretString::from(key.sk.clone()))
}

/// Whether the error is a transport timeout (connect, read or budget).
pub fn is_timeout(error: &hss_ext::Error) -> bool {
    matches!(
        error,
        hss_ext::Error::Transport {
            kind: hss_ext::TransportKind::Timeout,
            ..
        }
    )
}

/// Everything a `tracing` subscriber writes, for tests that read the log.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
