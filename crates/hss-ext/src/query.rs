//! The parameters of `ListVulScanTaskHost`, checked before anything is sent.

use hss_operations as operations;

use crate::enums::ScanStatus;
use crate::error::{Error, MAX_OFFSET};
use crate::spec_limits;

/// Smallest and largest page size the API accepts (`ListVulScanTaskHost`'s
/// `limit` in the spec; every listing accepts these).
pub const LIMIT_RANGE: std::ops::RangeInclusive<u32> =
    spec_limits::limit_range(operations::LIST_VUL_SCAN_TASK_HOST);

/// Longest project, task or enterprise project id the API accepts.
pub const MAX_ID_CHARS: usize =
    spec_limits::max_length(operations::LIST_VUL_SCAN_TASK_HOST, "task_id");

/// Longest `scan_status` filter.
const MAX_SCAN_STATUS_CHARS: usize =
    spec_limits::max_length(operations::LIST_VUL_SCAN_TASK_HOST, "scan_status");

/// `enterprise_project_id` value that selects every enterprise project.
pub const ALL_ENTERPRISE_PROJECTS: &str = "all_granted_eps";

/// Which hosts of a scan task to list.
///
/// ```
/// use hss_ext::{HostQuery, ScanStatus};
/// let query = HostQuery::new("2b31ed520xxxxxxebedb6e57xxxxxxxx")
///     .scan_status(ScanStatus::Failed)
///     .all_enterprise_projects();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostQuery {
    pub(crate) project_id: Option<String>,
    pub(crate) task_id: String,
    pub(crate) enterprise_project_id: Option<String>,
    pub(crate) scan_status: Option<ScanStatus>,
    pub(crate) offset: Option<u32>,
    pub(crate) limit: Option<u32>,
}

impl HostQuery {
    /// The hosts of scan task `task_id`, in the client's project.
    pub fn new(task_id: impl Into<String>) -> Self {
        HostQuery {
            task_id: task_id.into(),
            ..Default::default()
        }
    }

    /// Another project than the client's default.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Only hosts of this enterprise project (the service's default is `0`).
    pub fn enterprise_project_id(mut self, id: impl Into<String>) -> Self {
        self.enterprise_project_id = Some(id.into());
        self
    }

    /// Hosts of every enterprise project the caller may see.
    pub fn all_enterprise_projects(self) -> Self {
        self.enterprise_project_id(ALL_ENTERPRISE_PROJECTS)
    }

    /// Only hosts whose scan has this status.
    pub fn scan_status(mut self, status: ScanStatus) -> Self {
        self.scan_status = Some(status);
        self
    }

    /// Start at this offset (0..=2,000,000).
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Page size for a single-page request (within [`LIMIT_RANGE`]). Listings use
    /// [`ListOptions::page_size`](crate::ListOptions::page_size) instead.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The task id.
    pub fn task_id_str(&self) -> &str {
        &self.task_id
    }

    /// Checks every parameter as a request would, without sending
    /// anything: the error names the first parameter that is wrong.
    /// `default_project` stands for the client's project when the query
    /// names none.
    pub fn check(&self, default_project: Option<&str>) -> Result<(), Error> {
        self.validate(default_project, false).map(drop)
    }

    /// Fills in the project and checks every parameter against the API's
    /// limits, naming the first one that is wrong. With `discover`, a query
    /// without a project (here or as `default_project`) is valid and
    /// leaves [`ValidQuery::project_id`] empty: the client asks IAM before
    /// sending.
    pub(crate) fn validate(
        &self,
        default_project: Option<&str>,
        discover: bool,
    ) -> Result<ValidQuery, Error> {
        let project_id = match self.project_id.as_deref().or(default_project) {
            Some(project_id) => {
                check_project_id(project_id)?;
                Some(project_id.to_owned())
            }
            None if discover => None,
            None => {
                return Err(Error::invalid(
                    "project_id",
                    "not set: pass it on the query or the client, or set HUAWEICLOUD_SDK_PROJECT_ID (with a region and AK/SK credentials the client asks IAM for it)",
                ));
            }
        };
        check_id("task_id", &self.task_id)?;
        if let Some(eps) = &self.enterprise_project_id {
            check_length("enterprise_project_id", eps, MAX_ID_CHARS)?;
        }
        if let Some(status) = &self.scan_status {
            check_length("scan_status", status.as_str(), MAX_SCAN_STATUS_CHARS)?;
        }
        if let Some(limit) = self.limit {
            check_limit(limit)?;
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(Error::invalid(
                "offset",
                format!("must be between 0 and {MAX_OFFSET}, got {offset}"),
            ));
        }
        Ok(ValidQuery {
            project_id,
            task_id: self.task_id.clone(),
            enterprise_project_id: self.enterprise_project_id.clone(),
            scan_status: self.scan_status.clone(),
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// A query whose every parameter is within the API's limits.
#[derive(Clone, Debug)]
pub(crate) struct ValidQuery {
    /// `None`: the client's project, discovered from IAM before sending.
    pub project_id: Option<String>,
    pub task_id: String,
    pub enterprise_project_id: Option<String>,
    pub scan_status: Option<ScanStatus>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// The checks of a project id, also for one IAM names.
pub(crate) fn check_project_id(project_id: &str) -> Result<(), Error> {
    check_id("project_id", project_id)
}

pub(crate) fn check_limit(limit: u32) -> Result<(), Error> {
    if LIMIT_RANGE.contains(&limit) {
        Ok(())
    } else {
        Err(Error::invalid(
            "limit",
            format!(
                "must be between {} and {}, got {limit}",
                LIMIT_RANGE.start(),
                LIMIT_RANGE.end()
            ),
        ))
    }
}

fn check_length(parameter: &'static str, value: &str, max: usize) -> Result<(), Error> {
    let chars = value.chars().count();
    if chars == 0 {
        return Err(Error::invalid(parameter, "must not be empty"));
    }
    if chars > max {
        return Err(Error::invalid(
            parameter,
            format!("must be at most {max} characters, got {chars}"),
        ));
    }
    Ok(())
}

/// Path ids: the length rule, and nothing that URL parsing would turn into
/// path structure and so send the request to another endpoint: a dot
/// segment, or a backslash (an `http(s)` URL reads `\\` as `/`, and the
/// generated client's path encoding keeps it, so `..\\..` would climb two
/// segments up).
pub(crate) fn check_id(parameter: &'static str, value: &str) -> Result<(), Error> {
    check_length(parameter, value, MAX_ID_CHARS)?;
    if value == "." || value == ".." {
        return Err(Error::invalid(
            parameter,
            format!("{value:?} is a path navigation segment, not an id"),
        ));
    }
    if value.contains('\\') {
        return Err(Error::invalid(
            parameter,
            format!(
                "{value:?} contains a backslash, which URLs read as a path separator; no HSS id has one"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(query: HostQuery) -> String {
        query.validate(Some("proj"), false).unwrap_err().to_string()
    }

    #[test]
    fn each_bad_parameter_is_named() {
        assert_eq!(
            reason(HostQuery::new("t").limit(5)),
            "invalid limit: must be between 10 and 200, got 5"
        );
        assert_eq!(
            reason(HostQuery::new("t").limit(201)),
            "invalid limit: must be between 10 and 200, got 201"
        );
        assert_eq!(
            reason(HostQuery::new("t").offset(2_000_001)),
            "invalid offset: must be between 0 and 2000000, got 2000001"
        );
        assert_eq!(
            reason(HostQuery::new("")),
            "invalid task_id: must not be empty"
        );
        assert_eq!(
            reason(HostQuery::new("x".repeat(257))),
            "invalid task_id: must be at most 256 characters, got 257"
        );
        assert_eq!(
            reason(HostQuery::new("..")),
            "invalid task_id: \"..\" is a path navigation segment, not an id"
        );
        assert_eq!(
            reason(HostQuery::new("t").project_id(".")),
            "invalid project_id: \".\" is a path navigation segment, not an id"
        );
        assert_eq!(
            reason(HostQuery::new("t").enterprise_project_id("")),
            "invalid enterprise_project_id: must not be empty"
        );
        assert_eq!(
            reason(HostQuery::new("t").scan_status(ScanStatus::parse(&"s".repeat(33)))),
            "invalid scan_status: must be at most 32 characters, got 33"
        );
        let err = HostQuery::new("t").validate(None, false).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid project_id: not set"),
            "{err}"
        );
        // A client that can ask IAM leaves the project to it.
        let deferred = HostQuery::new("t").validate(None, true).unwrap();
        assert_eq!(deferred.project_id, None);
        // A project that is set is checked all the same.
        assert!(
            HostQuery::new("t")
                .project_id("..")
                .validate(None, true)
                .is_err()
        );
    }

    /// Regression (found by the `signer` fuzz target; input in
    /// `fuzz/regressions/signer/`): a task id with a backslash was accepted,
    /// and the URL parser turned it into a `/`, so `a\\b` went to
    /// `.../scan-task/a/b/hosts` and `..\\..` two segments up.
    #[test]
    fn a_backslash_in_a_path_id_is_refused() {
        for id in ["a\\b", "..\\..", "\\", "x\\"] {
            assert_eq!(
                reason(HostQuery::new(id)),
                format!(
                    "invalid task_id: {id:?} contains a backslash, which URLs read as a path separator; no HSS id has one"
                )
            );
            assert!(
                reason(HostQuery::new("t").project_id(id)).starts_with("invalid project_id: "),
                "{id}"
            );
        }
        // A query value may hold one: it is percent-encoded there.
        assert!(
            HostQuery::new("t")
                .enterprise_project_id("a\\b")
                .validate(Some("p"), false)
                .is_ok()
        );
    }

    #[test]
    fn limits_are_inclusive_and_the_query_project_wins() {
        let q = HostQuery::new("t")
            .project_id("mine")
            .limit(10)
            .offset(2_000_000)
            .validate(Some("default"), false)
            .unwrap();
        assert_eq!(q.project_id.as_deref(), Some("mine"));
        assert_eq!(q.limit, Some(10));
        assert!(
            HostQuery::new("t")
                .limit(200)
                .validate(Some("p"), false)
                .is_ok()
        );
        // 256 characters, multi-byte: counted in characters like the API.
        assert!(
            HostQuery::new("é".repeat(256))
                .validate(Some("p"), false)
                .is_ok()
        );
        assert!(HostQuery::new("a..b").validate(Some("p"), false).is_ok());
    }
}
