//! Vulnerability scan tasks: starting one (`CreateVulnerabilityScanTask`)
//! and listing them (`ListVulScanTask`), typed and checked before
//! anything is sent. Waiting for one is in `wait.rs`; the hosts of one
//! are [`HostQuery`](crate::HostQuery).

use std::borrow::Cow;

use hss_api::types::{self, VulScanTaskInfo};
use hss_operations::{self as operations, Operation};

use crate::call::{Op, request_id};
use crate::client::HssClient;
use crate::enums::{ScanRange, ScanType, VulType};
use crate::error::Error;
use crate::lists::{
    Common, ListQuery, PageFuture, Sealed, common_query_setters, listing_page, typed,
};
use crate::spec_limits::limit_range;

/// Which scan tasks to list (`ListVulScanTask`), newest first as the
/// service orders them.
///
/// ```
/// use hss_ext::{ScanTaskQuery, ScanType};
/// let query = ScanTaskQuery::new().scan_type(ScanType::Manual).task_id("d8a12cf7");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanTaskQuery {
    pub(crate) common: Common,
    pub(crate) task_id: Option<String>,
    pub(crate) scan_type: Option<ScanType>,
    pub(crate) min_start_time: Option<i64>,
    pub(crate) max_start_time: Option<i64>,
}

impl ScanTaskQuery {
    /// Every scan task of the client's project.
    pub fn new() -> Self {
        Self::default()
    }

    common_query_setters!();

    /// Only the task with this id.
    pub fn task_id(mut self, task_id: impl Into<String>) -> Self {
        self.task_id = Some(task_id.into());
        self
    }

    /// Only tasks started this way.
    pub fn scan_type(mut self, scan_type: ScanType) -> Self {
        self.scan_type = Some(scan_type);
        self
    }

    /// Only tasks started at or after this time (milliseconds since the epoch).
    pub fn min_start_time(mut self, millis: i64) -> Self {
        self.min_start_time = Some(millis);
        self
    }

    /// Only tasks started at or before this time (milliseconds since the epoch).
    pub fn max_start_time(mut self, millis: i64) -> Self {
        self.max_start_time = Some(millis);
        self
    }
}

impl Sealed for ScanTaskQuery {}

impl ListQuery for ScanTaskQuery {
    type Item = VulScanTaskInfo;
    const OPERATION: &'static Operation = operations::LIST_VUL_SCAN_TASK;
    const ITEMS: &'static str = "scan tasks";
    const ID_FIELD: &'static str = "id";

    fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        self.common
            .check(default_project, const { limit_range(Self::OPERATION) })?;
        if let Some(id) = &self.task_id {
            typed::<types::ListVulScanTaskTaskId>("task_id", id)?;
        }
        if let Some(scan_type) = &self.scan_type {
            typed::<types::ListVulScanTaskScanType>("scan_type", scan_type.as_str())?;
        }
        for (name, value) in [
            ("min_start_time", self.min_start_time),
            ("max_start_time", self.max_start_time),
        ] {
            if value.is_some_and(|v| v < 0) {
                return Err(Error::invalid(name, "must not be negative"));
            }
        }
        Ok(())
    }

    fn identity(item: &VulScanTaskInfo) -> Option<Cow<'_, str>> {
        item.id.as_deref().map(Cow::Borrowed)
    }

    fn start_offset(&self) -> u32 {
        self.common.offset.unwrap_or(0)
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<Self::Item> {
        self.fetch_with(client, offset, limit, Op::of(Self::OPERATION))
    }
}

impl ScanTaskQuery {
    /// One page, sent as `op` says (a waiter sends each poll once).
    pub(crate) fn fetch_with(
        &self,
        client: &HssClient,
        offset: u32,
        limit: u32,
        op: Op,
    ) -> PageFuture<VulScanTaskInfo> {
        listing_page!(
            self,
            client,
            offset,
            limit,
            op,
            crate::decode::PageShape::<hss_api::types::ListVulScanTaskResponse, VulScanTaskInfo> {
                paging: const { hss_operations::LIST_VUL_SCAN_TASK.expect_offset_limit() },
                errors: hss_api::statuses::LIST_VUL_SCAN_TASK_ERRORS,
                parts: |r| (r.total_num, r.data_list),
            },
            |api, query, project| api.list_vul_scan_task().project_id(project.as_str()),
            |request| {
                let mut request = request;
                if let Some(id) = &query.task_id {
                    request = request.task_id(id.as_str());
                }
                if let Some(scan_type) = &query.scan_type {
                    request = request.scan_type(scan_type.as_str());
                }
                if let Some(t) = query.min_start_time {
                    request = request.min_start_time(t);
                }
                if let Some(t) = query.max_start_time {
                    request = request.max_start_time(t);
                }
                request
            },
        )
    }
}

/// A scan to start (`CreateVulnerabilityScanTask`): which vulnerability
/// types, on which hosts.
///
/// ```
/// use hss_ext::{ScanRequest, VulType};
/// let scan = ScanRequest::new()
///     .vul_types([VulType::LinuxVul, VulType::WindowsVul])
///     .agents(["agent-1", "agent-2"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRequest {
    pub(crate) project_id: Option<String>,
    pub(crate) enterprise_project_id: Option<String>,
    pub(crate) vul_types: Vec<VulType>,
    pub(crate) range: Option<ScanRange>,
    pub(crate) agent_ids: Vec<String>,
    pub(crate) urgent_vul_ids: Vec<String>,
    pub(crate) batch: Option<bool>,
}

impl Default for ScanRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl ScanRequest {
    /// A scan of every host (`range_type` `all_host`); name the
    /// vulnerability types with [`vul_types`](Self::vul_types).
    pub fn new() -> Self {
        ScanRequest {
            project_id: None,
            enterprise_project_id: None,
            vul_types: Vec::new(),
            range: Some(ScanRange::AllHost),
            agent_ids: Vec::new(),
            urgent_vul_ids: Vec::new(),
            batch: None,
        }
    }

    /// Another project than the client's default.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The enterprise project (the service's default is `0`).
    pub fn enterprise_project_id(mut self, id: impl Into<String>) -> Self {
        self.enterprise_project_id = Some(id.into());
        self
    }

    /// The vulnerability types to scan for (`manual_scan_type`).
    pub fn vul_types(mut self, types: impl IntoIterator<Item = VulType>) -> Self {
        self.vul_types = types.into_iter().collect();
        self
    }

    /// Every host (`range_type` `all_host`), the service's default.
    pub fn all_hosts(mut self) -> Self {
        self.range = Some(ScanRange::AllHost);
        self.agent_ids.clear();
        self
    }

    /// Only the hosts with these agent ids (`range_type`
    /// `specific_host`, `agent_id_list`; 1 to 200 of them).
    pub fn agents<S: Into<String>>(mut self, agent_ids: impl IntoIterator<Item = S>) -> Self {
        self.range = Some(ScanRange::SpecificHost);
        self.agent_ids = agent_ids.into_iter().map(Into::into).collect();
        self
    }

    /// Emergency vulnerabilities to scan for (`urgent_vul_id_list`).
    pub fn urgent_vul_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.urgent_vul_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the service may scan the hosts in batches (`batch_flag`).
    pub fn batch(mut self, batch: bool) -> Self {
        self.batch = Some(batch);
        self
    }

    /// The body as the generated type, checked against the spec: the
    /// error names the first field that is wrong.
    pub fn body(&self) -> Result<types::CreateVulnerabilityScanTaskBody, Error> {
        if self.range == Some(ScanRange::SpecificHost) && self.agent_ids.is_empty() {
            return Err(Error::invalid(
                "agent_id_list",
                "a scan of specific hosts needs at least one agent id",
            ));
        }
        let op = operations::CREATE_VULNERABILITY_SCAN_TASK;
        check_count(op, "manual_scan_type", self.vul_types.len())?;
        check_count(op, "agent_id_list", self.agent_ids.len())?;
        check_count(op, "urgent_vul_id_list", self.urgent_vul_ids.len())?;
        Ok(types::CreateVulnerabilityScanTaskBody {
            agent_id_list: self
                .agent_ids
                .iter()
                .map(|id| typed("agent_id_list", id))
                .collect::<Result<_, _>>()?,
            batch_flag: self.batch,
            manual_scan_type: self
                .vul_types
                .iter()
                .map(|t| typed("manual_scan_type", t.as_str()))
                .collect::<Result<_, _>>()?,
            range_type: self
                .range
                .as_ref()
                .map(|r| typed("range_type", r.as_str()))
                .transpose()?,
            urgent_vul_id_list: self
                .urgent_vul_ids
                .iter()
                .map(|id| typed("urgent_vul_id_list", id))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The list `field` of `op`'s request body holds at most the spec's
/// `maxItems` entries, which the generated types do not check (no limit
/// when the spec gives none).
pub(crate) fn check_count(
    op: &'static Operation,
    field: &'static str,
    count: usize,
) -> Result<(), Error> {
    let max = op.body.and_then(|body| body.field(field)?.max_items);
    if let Some(max) = max.filter(|&max| count as u64 > max) {
        return Err(Error::invalid(
            field,
            format!("at most {max} entries, got {count}"),
        ));
    }
    Ok(())
}

/// A checked project id for a request that names one, or the client's.
pub(crate) fn check_request_project(
    client: &HssClient,
    project_id: Option<&str>,
    enterprise_project_id: Option<&str>,
) -> Result<(), Error> {
    crate::lists::Common {
        project_id: project_id.map(str::to_owned),
        enterprise_project_id: enterprise_project_id.map(str::to_owned),
        ..Default::default()
    }
    .check(
        client.project.known().or(client.discovery_placeholder()),
        0..=u32::MAX,
    )
}

impl HssClient {
    /// Starts a vulnerability scan and returns the new task's id. Not
    /// retried once it may have reached the service (a `POST`): see
    /// `call.rs`. Wait for it with
    /// [`wait_for_scan_task`](Self::wait_for_scan_task).
    pub async fn create_scan_task(&self, scan: &ScanRequest) -> Result<String, Error> {
        check_request_project(
            self,
            scan.project_id.as_deref(),
            scan.enterprise_project_id.as_deref(),
        )?;
        let body = scan.body()?;
        let api = self.api.clone();
        let response = self
            .call(
                Op::of(operations::CREATE_VULNERABILITY_SCAN_TASK),
                scan.project_id.as_deref(),
                |project| {
                    let mut request = api
                        .create_vulnerability_scan_task()
                        .project_id(project.as_str())
                        .body(body.clone());
                    if let Some(eps) = &scan.enterprise_project_id {
                        request = request.enterprise_project_id(eps.as_str());
                    }
                    request.send()
                },
            )
            .await?;
        let (status, id) = (response.status(), request_id(&response));
        match response.into_inner().task_id {
            Some(task_id) if !task_id.is_empty() => Ok(task_id),
            _ => Err(Error::Decode {
                status,
                request_id: id,
                reason: "the answer names no task_id".into(),
                snippet: String::new(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_named() {
        let err = ScanTaskQuery::new()
            .task_id("x".repeat(65))
            .check(Some("p"))
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid task_id: "), "{err}");
        let err = ScanTaskQuery::new()
            .limit(201)
            .check(Some("p"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid limit: must be between 0 and 200, got 201"
        );
        let err = ScanTaskQuery::new()
            .min_start_time(-1)
            .check(Some("p"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid min_start_time: must not be negative"
        );
        let err = ScanTaskQuery::new().check(None).unwrap_err();
        assert!(err.to_string().starts_with("invalid project_id: not set"));
        let err = ScanTaskQuery::new()
            .project_id("..")
            .check(None)
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid project_id: "));
    }

    #[test]
    fn scan_bodies_are_the_generated_type() {
        let body = ScanRequest::new()
            .vul_types([VulType::LinuxVul])
            .agents(["a1"])
            .body()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"manual_scan_type":["linux_vul"],"range_type":"specific_host","agent_id_list":["a1"]})
        );
        let err = ScanRequest::new()
            .agents(Vec::<String>::new())
            .body()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid agent_id_list"),
            "{err}"
        );
        let err = ScanRequest::new()
            .agents(["x".repeat(65)])
            .body()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid agent_id_list: "),
            "{err}"
        );
        let many: Vec<String> = (0..201).map(|i| format!("a{i}")).collect();
        let err = ScanRequest::new().agents(many).body().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid agent_id_list: at most 200 entries, got 201"
        );
    }
}
