//! A fake Huawei Cloud Host Security Service (HSS) on 127.0.0.1, for
//! tests, demos and benchmarks of the HSS client. It answers every
//! operation of the spec: the others from their response schemas, checked
//! and paged as the spec says (the README says how), and
//! the whole vulnerability-scan workflow from one consistent state:
//! `ListVulScanTaskHost` (`GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts`),
//! `CreateVulnerabilityScanTask` and `ListVulScanTask` (a created task
//! scans its hosts over [`FakeHssBuilder::scan_task_duration`] and ends
//! with successes and failures), `ListVulnerabilities`, `ListVulHosts`,
//! `ListHostVuls` and `ShowVulStatics` (the servers' seeded
//! vulnerabilities, counted alike everywhere), `ChangeVulStatus`,
//! `ShowVulScanPolicy` / `ChangeVulScanPolicy`, and `ExportVuls`,
//! `ListQueryExportTask` and `ListDownloadExportedFile` (a CSV file,
//! streamed). [`paths`] has the path of each.
//!
//! It behaves as the reference describes the real service: offset/limit
//! paging with the documented bounds and defaults, the `scan_status` and
//! `enterprise_project_id` filters, `HSS.*` errors with status 400, gateway
//! (`APIGW.*`) errors for authentication and unknown APIs, an `X-Request-Id`
//! on every answer, IAM tokens and AK/SK signatures (checked with
//! `hss-auth`), plus faults on demand.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use hss_fake::{FakeHss, Fault, FaultRule};
//!
//! let fake = FakeHss::builder().seed(7).hosts(1_000).start().await?;
//! let url = format!("{}?limit=200&offset=0", fake.hosts_url(&fake.task_id()));
//! # rustls::crypto::ring::default_provider().install_default().ok();
//! let get = || reqwest::Client::new().get(&url).header("X-Auth-Token", fake.token()).send();
//! let page: serde_json::Value = get().await?.json().await?;
//! assert_eq!(page["total_num"], 1_000);
//! assert_eq!(page["data_list"].as_array().map(Vec::len), Some(200));
//!
//! // Faults on demand: three 503s, then fine again.
//! fake.set_faults([FaultRule::first(3, Fault::server_error(503))]);
//! assert_eq!(get().await?.status(), 503);
//! assert!(fake.requests().iter().all(|r| r.raw_path.starts_with("/v5/")));
//! # Ok(()) }
//! ```
//!
//! The workflow, with the token (AK/SK signatures, the body's hash
//! included, work as well; see [`testing::sign`]):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use hss_fake::{FakeHss, paths};
//!
//! let fake = FakeHss::builder().hosts(50).scan_task_duration(Duration::ZERO).start().await?;
//! # rustls::crypto::ring::default_provider().install_default().ok();
//! let client = reqwest::Client::new();
//! let body = r#"{"manual_scan_type": ["linux_vul"], "batch_flag": true}"#;
//! let created: serde_json::Value = client
//!     .post(fake.url(&paths::create_scan_task_path(&fake.project_id())))
//!     .header("X-Auth-Token", fake.token())
//!     .body(body)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let task_id = created["task_id"].as_str().unwrap();
//! let url = format!("{}?task_id={task_id}", fake.url(&paths::scan_tasks_path(&fake.project_id())));
//! let tasks: serde_json::Value =
//!     client.get(&url).header("X-Auth-Token", fake.token()).send().await?.json().await?;
//! let task = &tasks["data_list"][0];
//! assert_eq!(task["status"], "finished");
//! assert_eq!(task["success_host_num"].as_u64().unwrap() + task["failed_host_num"].as_u64().unwrap(), 50);
//! # Ok(()) }
//! ```
//!
//! Tasks can move while they are listed, as on the real service: a running
//! scan whose `scanning` hosts finish ([`ScanProgress`],
//! [`RunningFake::advance_scan`]) and hosts that join and leave
//! ([`HostChurn`], [`RunningFake::insert_hosts`],
//! [`RunningFake::remove_hosts_at`]).
//!
//! The public modules: [`data`] (generated and fixture data), [`fault`]
//! (fault plans), [`iam`] (the IAM project list served beside HSS), [`metadata`] (the
//! instance metadata service with expiring temporary credentials), [`paths`]
//! (the path of every operation), [`testing`] (helpers for other crates' tests),
//! [`scripted`] (a server whose answers a closure decides, for shapes the
//! service never sends). The private ones: the server ([`FakeHss`],
//! [`RunningFake`]), `routes` (which operation a method and path name),
//! `store` (the served tasks and their indexes), `motion` (tasks that
//! change over time, created scans included), `workflow` (scan tasks,
//! vulnerabilities, statuses, policy, exports), `params` and `query` (path
//! and query parameters, paging), `json_body` (request bodies checked
//! field by field), `credentials`, `aksk` (signature checks) and `auth`
//! (the gateway's policy), `body` and `log`. They depend one way:
//! `server` → `workflow` → `store` → `motion` → `data`; `routes`,
//! `query` and `json_body` → `params`.

#![warn(missing_docs)]
#![warn(missing_debug_implementations)]

mod aksk;
mod auth;
mod body;
mod credentials;
pub mod data;
pub mod fault;
mod from_spec;
pub mod iam;
mod json_body;
mod log;
pub mod metadata;
mod motion;
mod params;
pub mod paths;
mod query;
mod routes;
pub mod scripted;
mod server;
mod store;
pub mod testing;
pub mod throttle;
mod workflow;

pub use auth::{Caller, Lockout};
pub use credentials::{AcceptedCredentials, AkSk};
pub use data::{
    ALL_GRANTED_EPS, DEFAULT_ENTERPRISE_PROJECT, DataError, Dataset, FailedReason, GenerateOptions,
    Host, HostInfo, ScanVul, TaskData, VulScanDetail,
};
pub use fault::{Fault, FaultRule, When};
pub use iam::DEFAULT_REGION;
pub use log::RecordedRequest;
pub use metadata::{DEFAULT_METADATA_CREDENTIALS_TTL, IssuedCredential, MetadataOptions};
pub use motion::{DEFAULT_CHURN_MAX_HOSTS, HostChurn, ScanProgress};
pub use params::{
    DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MIN_LIMIT, PageQuery, encode_component, hosts_path,
};
pub use server::{FakeError, FakeHss, FakeHssBuilder, RunningFake};
pub use throttle::RateLimit;
pub use workflow::HostVulStatus;

/// The clock the fake checks `X-Sdk-Date` against (from `hss-auth`).
pub use hss_auth::{Clock, FixedClock, SystemClock};
/// The `time` crate of the clock types and
/// [`FakeHssBuilder::clock_offset`], for tests without a dependency of
/// their own on it.
pub use time;
