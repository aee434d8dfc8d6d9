//! Which operation a request names: the method and path of every HSS call
//! the fake serves, in one table, so that adding an operation (or a layer
//! in front of them all, such as rate limiting) touches one place.

use http::Method;

use crate::params::decode_id;

/// An HSS operation the fake serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Operation {
    ListVulScanTaskHost,
    CreateVulnerabilityScanTask,
    ListVulScanTask,
    ListVulnerabilities,
    ListVulHosts,
    ListHostVuls,
    ShowVulStatics,
    ChangeVulStatus,
    ShowVulScanPolicy,
    ChangeVulScanPolicy,
    ExportVuls,
    ListQueryExportTask,
    ListDownloadExportedFile,
}

impl Operation {
    /// The operation in the spec's table.
    pub(crate) fn spec(self) -> &'static hss_operations::Operation {
        use Operation::*;
        use hss_operations as ops;
        match self {
            ListVulScanTaskHost => ops::LIST_VUL_SCAN_TASK_HOST,
            CreateVulnerabilityScanTask => ops::CREATE_VULNERABILITY_SCAN_TASK,
            ListVulScanTask => ops::LIST_VUL_SCAN_TASK,
            ListVulnerabilities => ops::LIST_VULNERABILITIES,
            ListVulHosts => ops::LIST_VUL_HOSTS,
            ListHostVuls => ops::LIST_HOST_VULS,
            ShowVulStatics => ops::SHOW_VUL_STATICS,
            ChangeVulStatus => ops::CHANGE_VUL_STATUS,
            ShowVulScanPolicy => ops::SHOW_VUL_SCAN_POLICY,
            ChangeVulScanPolicy => ops::CHANGE_VUL_SCAN_POLICY,
            ExportVuls => ops::EXPORT_VULS,
            ListQueryExportTask => ops::LIST_QUERY_EXPORT_TASK,
            ListDownloadExportedFile => ops::LIST_DOWNLOAD_EXPORTED_FILE,
        }
    }
}

/// A request for one operation, its path parameters decoded (or the
/// `error_msg` of the `HSS.0001` answer that refuses them).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) operation: Operation,
    pub(crate) project_id: Result<String, String>,
    /// The second path parameter (`task_id`, `host_id` or `file_id`), if
    /// the operation has one.
    pub(crate) id: Option<Result<String, String>>,
}

/// The operation of `method` on `raw_path`; `None` when the gateway has no
/// such API (answered `APIGW.0101`), a known path with another method
/// included.
pub(crate) fn match_route(method: &Method, raw_path: &str) -> Option<Route> {
    use Operation::*;
    let segments: Vec<&str> = raw_path.split('/').collect();
    let (operation, project, id): (Operation, &str, Option<(&str, &str)>) =
        match (method, segments.as_slice()) {
            (&Method::GET, ["", "v5", p, "vulnerability", "scan-task", t, "hosts"]) => {
                (ListVulScanTaskHost, p, Some(("task_id", t)))
            }
            (&Method::POST, ["", "v5", p, "vulnerability", "scan-task"]) => {
                (CreateVulnerabilityScanTask, p, None)
            }
            (&Method::GET, ["", "v5", p, "vulnerability", "scan-tasks"]) => {
                (ListVulScanTask, p, None)
            }
            (&Method::GET, ["", "v5", p, "vulnerability", "vulnerabilities"]) => {
                (ListVulnerabilities, p, None)
            }
            (&Method::GET, ["", "v5", p, "vulnerability", "hosts"]) => (ListVulHosts, p, None),
            (&Method::GET, ["", "v5", p, "vulnerability", "host", h]) => {
                (ListHostVuls, p, Some(("host_id", h)))
            }
            (&Method::GET, ["", "v5", p, "vulnerability", "statistics"]) => {
                (ShowVulStatics, p, None)
            }
            (&Method::PUT, ["", "v5", p, "vulnerability", "status"]) => (ChangeVulStatus, p, None),
            (&Method::GET, ["", "v5", p, "vulnerability", "scan-policy"]) => {
                (ShowVulScanPolicy, p, None)
            }
            (&Method::PUT, ["", "v5", p, "vulnerability", "scan-policy"]) => {
                (ChangeVulScanPolicy, p, None)
            }
            (&Method::POST, ["", "v5", p, "vul", "export"]) => (ExportVuls, p, None),
            (&Method::GET, ["", "v5", p, "export-task", t]) => {
                (ListQueryExportTask, p, Some(("task_id", t)))
            }
            (&Method::GET, ["", "v5", p, "download", f]) => {
                (ListDownloadExportedFile, p, Some(("file_id", f)))
            }
            _ => return None,
        };
    if !routable(project) || id.is_some_and(|(_, raw)| !routable(raw)) {
        return None;
    }
    Some(Route {
        operation,
        project_id: decode_id("project_id", project),
        id: id.map(|(name, raw)| decode_id(name, raw)),
    })
}

/// An empty, `.` or `..` segment never reaches the API: the gateway's path
/// normalisation sends such requests elsewhere.
fn routable(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_its_method_and_path() {
        let cases = [
            (
                Method::GET,
                "/v5/p/vulnerability/scan-task/t%2Fx/hosts",
                Operation::ListVulScanTaskHost,
            ),
            (
                Method::POST,
                "/v5/p/vulnerability/scan-task",
                Operation::CreateVulnerabilityScanTask,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/scan-tasks",
                Operation::ListVulScanTask,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/vulnerabilities",
                Operation::ListVulnerabilities,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/hosts",
                Operation::ListVulHosts,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/host/h",
                Operation::ListHostVuls,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/statistics",
                Operation::ShowVulStatics,
            ),
            (
                Method::PUT,
                "/v5/p/vulnerability/status",
                Operation::ChangeVulStatus,
            ),
            (
                Method::GET,
                "/v5/p/vulnerability/scan-policy",
                Operation::ShowVulScanPolicy,
            ),
            (
                Method::PUT,
                "/v5/p/vulnerability/scan-policy",
                Operation::ChangeVulScanPolicy,
            ),
            (Method::POST, "/v5/p/vul/export", Operation::ExportVuls),
            (
                Method::GET,
                "/v5/p/export-task/t",
                Operation::ListQueryExportTask,
            ),
            (
                Method::GET,
                "/v5/p/download/f",
                Operation::ListDownloadExportedFile,
            ),
        ];
        for (method, path, operation) in cases {
            let route = match_route(&method, path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(route.operation, operation);
            assert_eq!(route.project_id, Ok("p".to_owned()));
        }
        let hosts = match_route(&Method::GET, "/v5/p/vulnerability/scan-task/t%2Fx/hosts").unwrap();
        assert_eq!(hosts.id, Some(Ok("t/x".to_owned())));
        for (method, path) in [
            (Method::POST, "/v5/p/vulnerability/scan-task/t/hosts"),
            (Method::GET, "/v5/p/vulnerability/scan-task"),
            (Method::DELETE, "/v5/p/vulnerability/status"),
            (Method::GET, "/v5/p/vulnerability/scan-task//hosts"),
            (Method::GET, "/v5/p/vulnerability/scan-task/t/hosts/"),
            (Method::GET, "/v5/../vulnerability/statistics"),
            (Method::GET, "/v5/p/download/.."),
            (Method::GET, "/v3/p/vulnerability/statistics"),
        ] {
            assert_eq!(match_route(&method, path), None, "{method} {path}");
        }
        let long = "a".repeat(257);
        let route = match_route(&Method::GET, &format!("/v5/p/vulnerability/host/{long}")).unwrap();
        assert!(route.id.unwrap().unwrap_err().contains("host_id"));
    }
}
