//! The wire path of every operation the fake serves, each parameter
//! percent-encoded as a path segment with [`encode_component`] (so a `/`
//! in an ID is `%2F`), for tests and demos that build URLs by hand.
//! [`RunningFake::url`](crate::RunningFake::url) puts the fake's address
//! in front.

use crate::params::encode_component;
pub use crate::params::hosts_path;

fn project(project_id: &str, rest: &str) -> String {
    format!("/v5/{}/{rest}", encode_component(project_id))
}

/// `CreateVulnerabilityScanTask`: `POST /v5/{project_id}/vulnerability/scan-task`.
pub fn create_scan_task_path(project_id: &str) -> String {
    project(project_id, "vulnerability/scan-task")
}

/// `ListVulScanTask`: `GET /v5/{project_id}/vulnerability/scan-tasks`.
pub fn scan_tasks_path(project_id: &str) -> String {
    project(project_id, "vulnerability/scan-tasks")
}

/// `ListVulnerabilities`: `GET /v5/{project_id}/vulnerability/vulnerabilities`.
pub fn vulnerabilities_path(project_id: &str) -> String {
    project(project_id, "vulnerability/vulnerabilities")
}

/// `ListVulHosts`: `GET /v5/{project_id}/vulnerability/hosts`.
pub fn vul_hosts_path(project_id: &str) -> String {
    project(project_id, "vulnerability/hosts")
}

/// `ListHostVuls`: `GET /v5/{project_id}/vulnerability/host/{host_id}`.
pub fn host_vuls_path(project_id: &str, host_id: &str) -> String {
    project(
        project_id,
        &format!("vulnerability/host/{}", encode_component(host_id)),
    )
}

/// `ShowVulStatics`: `GET /v5/{project_id}/vulnerability/statistics`.
pub fn statistics_path(project_id: &str) -> String {
    project(project_id, "vulnerability/statistics")
}

/// `ChangeVulStatus`: `PUT /v5/{project_id}/vulnerability/status`.
pub fn vul_status_path(project_id: &str) -> String {
    project(project_id, "vulnerability/status")
}

/// `ShowVulScanPolicy` (`GET`) and `ChangeVulScanPolicy` (`PUT`):
/// `/v5/{project_id}/vulnerability/scan-policy`.
pub fn scan_policy_path(project_id: &str) -> String {
    project(project_id, "vulnerability/scan-policy")
}

/// `ExportVuls`: `POST /v5/{project_id}/vul/export`.
pub fn export_path(project_id: &str) -> String {
    project(project_id, "vul/export")
}

/// `ListQueryExportTask`: `GET /v5/{project_id}/export-task/{task_id}`.
pub fn export_task_path(project_id: &str, task_id: &str) -> String {
    project(
        project_id,
        &format!("export-task/{}", encode_component(task_id)),
    )
}

/// `ListDownloadExportedFile`: `GET /v5/{project_id}/download/{file_id}`.
pub fn download_path(project_id: &str, file_id: &str) -> String {
    project(
        project_id,
        &format!("download/{}", encode_component(file_id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{Operation, match_route};
    use http::Method;

    #[test]
    fn every_path_routes_to_its_operation() {
        let p = "p/1";
        for (method, path, op) in [
            (
                Method::POST,
                create_scan_task_path(p),
                Operation::CreateVulnerabilityScanTask,
            ),
            (Method::GET, scan_tasks_path(p), Operation::ListVulScanTask),
            (
                Method::GET,
                vulnerabilities_path(p),
                Operation::ListVulnerabilities,
            ),
            (Method::GET, vul_hosts_path(p), Operation::ListVulHosts),
            (
                Method::GET,
                host_vuls_path(p, "h/1"),
                Operation::ListHostVuls,
            ),
            (Method::GET, statistics_path(p), Operation::ShowVulStatics),
            (Method::PUT, vul_status_path(p), Operation::ChangeVulStatus),
            (
                Method::GET,
                scan_policy_path(p),
                Operation::ShowVulScanPolicy,
            ),
            (
                Method::PUT,
                scan_policy_path(p),
                Operation::ChangeVulScanPolicy,
            ),
            (Method::POST, export_path(p), Operation::ExportVuls),
            (
                Method::GET,
                export_task_path(p, "t"),
                Operation::ListQueryExportTask,
            ),
            (
                Method::GET,
                download_path(p, "f"),
                Operation::ListDownloadExportedFile,
            ),
            (
                Method::GET,
                hosts_path(p, "t"),
                Operation::ListVulScanTaskHost,
            ),
        ] {
            let route = match_route(&method, &path).unwrap();
            assert_eq!(route.operation, op, "{path}");
            assert_eq!(route.project_id.as_deref(), Ok(p));
        }
        let route = match_route(&Method::GET, &host_vuls_path(p, "h/1")).unwrap();
        assert_eq!(route.id, Some(Ok("h/1".to_owned())));
    }
}
