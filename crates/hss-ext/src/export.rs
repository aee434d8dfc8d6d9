//! Exporting vulnerabilities to a file (`ExportVuls`) and looking at the
//! export task (`ListQueryExportTask`). Waiting for it is in `wait.rs`,
//! fetching the file in `download.rs`.

use std::num::NonZeroU32;

use hss_api::types::{self, ListQueryExportTaskResponse};
use hss_operations as operations;

use crate::call::{Op, request_id};
use crate::client::HssClient;
use crate::enums::{ExportCategory, HandleStatus, Severity, VulStatus, VulType};
use crate::error::Error;
use crate::lists::{typed, typed_opt};
use crate::scope::Scope;

/// The columns of an export unless others are given: field name and title.
pub const DEFAULT_EXPORT_HEADERS: &[(&str, &str)] = &[
    ("vul_name", "Vulnerability"),
    ("vul_id", "Vulnerability ID"),
    ("type", "Type"),
    ("severity_level", "Severity"),
    ("repair_priority", "Repair priority"),
    ("host_num", "Servers"),
    ("unhandle_host_num", "Unhandled servers"),
    ("scan_time", "Last scanned"),
];

/// The most rows one export may ask for (`export_size`, the spec's).
pub const MAX_EXPORT_SIZE: u32 =
    crate::spec_limits::maximum(operations::EXPORT_VULS, "export_size");

/// What to export (`ExportVuls`).
///
/// ```
/// use hss_ext::{ExportCategory, ExportRequest, HandleStatus};
/// let export = ExportRequest::new(ExportCategory::Vul)
///     .handle_status(HandleStatus::Unhandled)
///     .column("vul_name", "Vulnerability")
///     .column("host_num", "Servers");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    pub(crate) scope: Scope,
    category: ExportCategory,
    export_size: u32,
    headers: Vec<(String, String)>,
    vul_type: Option<VulType>,
    vul_id: Option<String>,
    vul_name: Option<String>,
    cve_id: Option<String>,
    host_id: Option<String>,
    status: Option<VulStatus>,
    handle_status: Option<HandleStatus>,
    repair_priority: Option<Severity>,
    host_ids: Vec<String>,
    vul_ids: Vec<String>,
}

impl ExportRequest {
    /// An export of `category` rows, up to [`MAX_EXPORT_SIZE`] of them,
    /// with [`DEFAULT_EXPORT_HEADERS`] unless columns are given.
    pub fn new(category: ExportCategory) -> Self {
        ExportRequest {
            scope: Scope::default(),
            category,
            export_size: MAX_EXPORT_SIZE,
            headers: Vec::new(),
            vul_type: None,
            vul_id: None,
            vul_name: None,
            cve_id: None,
            host_id: None,
            status: None,
            handle_status: None,
            repair_priority: None,
            host_ids: Vec::new(),
            vul_ids: Vec::new(),
        }
    }

    /// The project and enterprise project.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// At most this many rows (`export_size`, 1..=200,000).
    pub fn export_size(mut self, rows: u32) -> Self {
        self.export_size = rows;
        self
    }

    /// One more column: the field and its title (`export_headers`).
    pub fn column(mut self, field: impl Into<String>, title: impl Into<String>) -> Self {
        self.headers.push((field.into(), title.into()));
        self
    }

    /// Only this vulnerability type (`type`).
    pub fn vul_type(mut self, vul_type: VulType) -> Self {
        self.vul_type = Some(vul_type);
        self
    }

    /// Only this vulnerability (`vul_id`).
    pub fn vul_id(mut self, vul_id: impl Into<String>) -> Self {
        self.vul_id = Some(vul_id.into());
        self
    }

    /// Only vulnerabilities whose name contains this (`vul_name`).
    pub fn vul_name(mut self, name: impl Into<String>) -> Self {
        self.vul_name = Some(name.into());
        self
    }

    /// Only vulnerabilities with this CVE (`cve_id`).
    pub fn cve_id(mut self, cve_id: impl Into<String>) -> Self {
        self.cve_id = Some(cve_id.into());
        self
    }

    /// Only this host (`host_id`).
    pub fn host_id(mut self, host_id: impl Into<String>) -> Self {
        self.host_id = Some(host_id.into());
        self
    }

    /// Only this status (`status`).
    pub fn status(mut self, status: VulStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only handled or only unhandled (`handle_status`).
    pub fn handle_status(mut self, status: HandleStatus) -> Self {
        self.handle_status = Some(status);
        self
    }

    /// Only this repair priority (`repair_priority`).
    pub fn repair_priority(mut self, priority: Severity) -> Self {
        self.repair_priority = Some(priority);
        self
    }

    /// Only these hosts (`host_id_list` of the body).
    pub fn host_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.host_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Only these vulnerabilities (`vul_id_list` of the body).
    pub fn vul_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.vul_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Checks the query parameters against the spec, naming the first wrong one.
    pub(crate) fn check(&self) -> Result<NonZeroU32, Error> {
        let size = NonZeroU32::new(self.export_size)
            .filter(|s| s.get() <= MAX_EXPORT_SIZE)
            .ok_or_else(|| {
                Error::invalid(
                    "export_size",
                    format!(
                        "must be between 1 and {MAX_EXPORT_SIZE}, got {}",
                        self.export_size
                    ),
                )
            })?;
        typed::<types::ExportVulsCategory>("category", self.category.as_str())?;
        typed_opt::<types::ExportVulsType>("type", self.vul_type.as_ref().map(|t| t.as_str()))?;
        typed_opt::<types::ExportVulsVulId>("vul_id", self.vul_id.as_deref())?;
        typed_opt::<types::ExportVulsVulName>("vul_name", self.vul_name.as_deref())?;
        typed_opt::<types::ExportVulsCveId>("cve_id", self.cve_id.as_deref())?;
        typed_opt::<types::ExportVulsHostId>("host_id", self.host_id.as_deref())?;
        typed_opt::<types::VulStatusFilter>("status", self.status.as_ref().map(|s| s.as_str()))?;
        typed_opt::<types::HandleStatusFilter>(
            "handle_status",
            self.handle_status.as_ref().map(|s| s.as_str()),
        )?;
        typed_opt::<types::RepairPriorityFilter>(
            "repair_priority",
            self.repair_priority.as_ref().map(|s| s.as_str()),
        )?;
        Ok(size)
    }

    /// The body as the generated type, checked against the spec: the
    /// error names the first field that is wrong.
    pub fn body(&self) -> Result<types::ExportVulsBody, Error> {
        let defaults;
        let headers: Vec<(&str, &str)> = if self.headers.is_empty() {
            defaults = DEFAULT_EXPORT_HEADERS;
            defaults.to_vec()
        } else {
            self.headers
                .iter()
                .map(|(f, t)| (f.as_str(), t.as_str()))
                .collect()
        };
        Ok(types::ExportVulsBody {
            export_headers: headers
                .iter()
                .map(|(field, title)| {
                    Ok([
                        typed("export_headers", field)?,
                        typed("export_headers", title)?,
                    ])
                })
                .collect::<Result<_, Error>>()?,
            host_id_list: self
                .host_ids
                .iter()
                .map(|h| typed("host_id_list", h))
                .collect::<Result<_, _>>()?,
            vul_id_list: self
                .vul_ids
                .iter()
                .map(|v| typed("vul_id_list", v))
                .collect::<Result<_, _>>()?,
        })
    }
}

impl HssClient {
    /// Starts an export of vulnerabilities and returns the export task's
    /// id; wait for it with [`wait_for_export`](Self::wait_for_export),
    /// then fetch the file with [`download_export`](Self::download_export).
    /// Not retried once it may have reached the service (a `POST`).
    pub async fn export_vulns(&self, export: &ExportRequest) -> Result<String, Error> {
        export.scope.check(self)?;
        let size = export.check()?;
        let body = export.body()?;
        let api = self.api.clone();
        let response = self
            .call(
                Op::of(operations::EXPORT_VULS),
                export.scope.project_id.as_deref(),
                |project| {
                    let mut request = api
                        .export_vuls()
                        .project_id(project.as_str())
                        .category(export.category.as_str())
                        .export_size(size)
                        .body(body.clone());
                    if let Some(eps) = &export.scope.enterprise_project_id {
                        request = request.enterprise_project_id(eps.as_str());
                    }
                    if let Some(v) = &export.vul_type {
                        request = request.type_(v.as_str());
                    }
                    if let Some(v) = &export.vul_id {
                        request = request.vul_id(v.as_str());
                    }
                    if let Some(v) = &export.vul_name {
                        request = request.vul_name(v.as_str());
                    }
                    if let Some(v) = &export.cve_id {
                        request = request.cve_id(v.as_str());
                    }
                    if let Some(v) = &export.host_id {
                        request = request.host_id(v.as_str());
                    }
                    if let Some(v) = &export.status {
                        request = request.status(v.as_str());
                    }
                    if let Some(v) = &export.handle_status {
                        request = request.handle_status(v.as_str());
                    }
                    if let Some(v) = &export.repair_priority {
                        request = request.repair_priority(v.as_str());
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

    /// An export task as it stands (`ListQueryExportTask`): its status
    /// and, once it succeeded, the `file_id` to download.
    pub async fn export_task(
        &self,
        task_id: &str,
        scope: &Scope,
    ) -> Result<ListQueryExportTaskResponse, Error> {
        self.export_task_with(task_id, scope, Op::of(operations::LIST_QUERY_EXPORT_TASK))
            .await
    }

    pub(crate) async fn export_task_with(
        &self,
        task_id: &str,
        scope: &Scope,
        op: Op,
    ) -> Result<ListQueryExportTaskResponse, Error> {
        scope.check(self)?;
        crate::query::check_id("task_id", task_id)?;
        let api = self.api.clone();
        let response = self
            .call(op, scope.project_id.as_deref(), |project| {
                let mut request = api
                    .list_query_export_task()
                    .project_id(project.as_str())
                    .task_id(task_id);
                if let Some(eps) = &scope.enterprise_project_id {
                    request = request.enterprise_project_id(eps.as_str());
                }
                request.send()
            })
            .await?;
        Ok(response.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_checked_and_have_default_columns() {
        let export = ExportRequest::new(ExportCategory::Vul);
        assert_eq!(export.check().unwrap().get(), MAX_EXPORT_SIZE);
        let body = serde_json::to_value(export.body().unwrap()).unwrap();
        assert_eq!(
            body["export_headers"][0],
            serde_json::json!(["vul_name", "Vulnerability"])
        );
        let err = ExportRequest::new(ExportCategory::Host)
            .export_size(0)
            .check()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid export_size: must be between 1 and 200000, got 0"
        );
        let err = ExportRequest::new(ExportCategory::Vul)
            .column("", "x")
            .body()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid export_headers: "),
            "{err}"
        );
    }
}
