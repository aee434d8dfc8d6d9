//! The hand-written layer over the generated [`hss_api`] client for
//! Huawei Cloud's Host Security Service.
//!
//! - [`ScanStatus`], [`Severity`] and every other enum of [`enums`]: typed
//!   values that never fail on a value the service adds later; a model
//!   field with known values reads as one through the accessor of the
//!   same name (`host.scan_status()`).
//! - [`HssClient`]: endpoint, credentials (token or AK/SK signing), retries
//!   and timeouts, configured once.
//! - [`HssClient::list_hosts`]: every host of a scan task as a stream,
//!   optionally fetching pages concurrently, complete or failed (see
//!   [Listings](#listings)).
//! - [`Error`]: one error type with `status()`, `error_code()`,
//!   `error_msg()`, `request_id()` and `is_retryable()`; its `Display` is
//!   one line of printable text whatever the service sent.
//! - [`decode_page`]: how an answer (status, headers, body) becomes a page
//!   or an error, as a pure function made of the same parts the client
//!   uses after receiving an answer.
//! - Bounded reading: an answer's body is read up to
//!   [`HssClientBuilder::max_response_body`] ([`DEFAULT_MAX_RESPONSE_BODY`],
//!   16 MiB), a larger one ends in [`Error::ResponseTooLarge`].
//!
//! # Listings
//!
//! A listing ([`HssClient::list_pages`], [`HssClient::list_hosts`],
//! [`HssClient::collect_hosts`]) ends in one of two ways: either every host
//! that was in the task from the listing's start to its end appeared
//! exactly once (hosts that joined or left meanwhile may or may not
//! appear), or it ends with [`Error::IncompleteListing`], whose
//! [`ListingDrift`] says what moved. Offset paging over a task that is
//! being scanned skips or repeats hosts silently, so each pass is checked:
//! the same `total_num` on every page, no host twice, no empty page before
//! the end, and exactly `total_num` distinct hosts. A clean first pass is
//! the whole listing. Otherwise verifying passes follow, up to
//! [`ListOptions::max_passes`] (3 by default) in all, yielding only the hosts
//! no earlier pass yielded, matched by `host_id`; the first clean pass ends
//! the listing. Hosts found that way come after the others, out of offset
//! order. Hosts without a `host_id` cannot be matched, so a moving task with
//! such hosts fails instead of verifying.
//!
//! The ids are kept as 16-byte fingerprints in a hash table: 19 to 39
//! bytes per host, 2.1 MiB for 100,000 hosts and 68 MiB at the API's offset
//! cap of 2,000,000 ([`MAX_OFFSET`]). One change no offset-paging client can
//! see: a host leaving and another joining within one pass so that
//! `total_num` stays the same and nothing repeats.
//!
//! Against Huawei Cloud, the client takes its region and reads
//! credentials and project from `HUAWEICLOUD_SDK_AK` / `_SK` /
//! `_PROJECT_ID` or `~/.huaweicloud/credentials`, else the server's
//! instance metadata service; without a project id it asks IAM for the
//! region's, and when the gateway refuses a signature as expired it signs
//! again once with the gateway's time and keeps the offset:
//! `HssClient::builder().region("ap-southeast-1").build()?`. The example
//! below runs as it is, against a local `hss-fake` (a dev-dependency),
//! signing its requests with AK/SK as it would for the real service:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::StreamExt;
//! use hss_ext::prelude::*;
//! use hss_ext::{Credentials, SecretString};
//!
//! let fake = hss_fake::FakeHss::builder().seed(7).hosts(300).start().await?;
//! let key = fake.access_key();
//! let client = HssClient::builder()
//!     .endpoint_url(fake.base_url())
//!     .credentials(Credentials::ak_sk(key.ak.clone(), SecretString::from(key.sk.clone())))
//!     .project_id(fake.project_id())
//!     .build()?;
//!
//! let query = HostQuery::new(fake.task_id()).scan_status(ScanStatus::Failed);
//! let mut hosts = std::pin::pin!(client.list_hosts(query, ListOptions::default().concurrency(4)));
//! let mut failed = 0;
//! while let Some(host) = hosts.next().await {
//!     // An error here means the list is not whole: stop, do not act on it.
//!     let host = host?;
//!     failed += 1;
//!     for reason in &host.failed_reasons {
//!         println!("{:?}: {:?} {:?}", host.host_name, reason.vul_type(), reason.failed_reason);
//!     }
//! }
//! assert!(failed > 0);
//! # Ok(()) }
//! ```

//! # The workflow
//!
//! Start a scan, wait for it, see which hosts failed and which
//! vulnerabilities the worst one has, act on one, export the report:
//!
//! - [`HssClient::create_scan_task`] ([`ScanRequest`]) and
//!   [`HssClient::wait_for_scan_task`] ([`WaitOptions`]: backoff, a
//!   deadline, a progress callback; its module, [`wait`], states the load);
//! - one listing face for every offset/limit operation
//!   ([`HssClient::list_all`], [`HssClient::collect_all`],
//!   [`HssClient::list_all_pages`], [`HssClient::list_page`]) over
//!   [`ScanTaskQuery`], [`HostQuery`], [`VulnQuery`], [`VulHostQuery`] and
//!   [`HostVulQuery`], each with the promise above and keyed by its own
//!   identity ([`lists`] says which), and [`HssClient::list_all_received`]
//!   for a program that passes the items on as text: each checked against
//!   its model's generated shape, not built;
//! - [`HssClient::vul_statistics`], [`HssClient::change_vul_status`]
//!   ([`VulStatusChange`]), [`HssClient::scan_policy`] and
//!   [`HssClient::set_scan_policy`] ([`ScanPolicy`]);
//! - [`HssClient::export_vulns`] ([`ExportRequest`]),
//!   [`HssClient::wait_for_export`] and [`HssClient::download_export`]
//!   (streamed to a temporary file, renamed into place when whole);
//! - [`HssClient::preview`]: the request a state-changing call would
//!   send, signed, redacted, not sent (the CLI's `--dry-run`);
//! - typed open enums ([`enums`]) for every field and parameter with
//!   known values, generated from the spec's `x-known-values`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use hss_ext::prelude::*;
//! use hss_ext::{Credentials, DownloadOptions, ExportCategory, ExportRequest, HostVulQuery,
//!     ScanRequest, SecretString, WaitOptions};
//!
//! let fake = hss_fake::FakeHss::builder().hosts(40).scan_task_duration(Duration::from_millis(300))
//!     .export_duration(Duration::ZERO).start().await?;
//! let key = fake.access_key();
//! let client = HssClient::builder()
//!     .endpoint_url(fake.base_url())
//!     .credentials(Credentials::ak_sk(key.ak.clone(), SecretString::from(key.sk.clone())))
//!     .project_id(fake.project_id())
//!     .build()?;
//!
//! let task_id = client.create_scan_task(&ScanRequest::new().vul_types([VulType::LinuxVul])).await?;
//! let waiting = WaitOptions::default()
//!     .initial_interval(Duration::from_millis(100))
//!     .on_progress(|p| eprintln!("{:?} {:?} after {:?}", p.state, p.counts, p.elapsed));
//! let task = client.wait_for_scan_task(&task_id, waiting.clone()).await?;
//! println!("{:?} hosts failed", task.failed_host_num);
//!
//! let failed = client.collect_all(HostQuery::new(&task_id).scan_status(ScanStatus::Failed),
//!     ListOptions::default()).await?;
//! for host in &failed {
//!     for reason in &host.failed_reasons {
//!         println!("{:?}: {:?}", host.host_name, reason.failed_reason);
//!     }
//! }
//! if let Some(host_id) = failed.first().and_then(|h| h.host_id.clone()) {
//!     let vuls = client.collect_all(HostVulQuery::new(host_id), ListOptions::default()).await?;
//!     println!("{} vulnerabilities", vuls.len());
//! }
//!
//! let export = client.export_vulns(&ExportRequest::new(ExportCategory::Vul)).await?;
//! let export = client.wait_for_export(&export, waiting).await?;
//! let dir = std::env::temp_dir().join(format!("hss-ext-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let file = client.download_export(export.file_id.as_deref().unwrap_or_default(),
//!     &dir.join("vulnerabilities.csv"), DownloadOptions::default()).await?;
//! assert!(file.bytes > 0);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod auth;
mod call;
mod client;
mod decode;
pub mod download;
pub mod enums;
mod error;
mod export;
mod hooks;
#[cfg(test)]
mod layers;
mod limit;
mod listing;
pub mod lists;
mod metadata;
mod operation;
pub mod operation_listing;
mod paginate;
mod policy;
pub mod preview;
mod project;
mod proxy;
mod query;
mod rate;
mod retry;
mod scan_tasks;
mod scope;
mod spec_limits;
pub mod text;
mod tls;
mod vulns;
pub mod wait;

pub use client::{
    CredentialKind, CredentialOrigin, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    EndpointOrigin, HssClient, HssClientBuilder,
};
pub use decode::RawItem;
pub use decode::{ItemPage, Received, decode_page};
pub use download::{DEFAULT_MAX_DOWNLOAD, DownloadOptions, Downloaded};
pub use enums::{
    AgentStatus, AssetValue, ExportCategory, ExportStatus, HandleStatus, HostStatus, NodeType,
    OsType, PolicyStatus, ScanPeriod, ScanRange, ScanStatus, ScanTaskStatus, ScanType, Severity,
    UnknownValue, VulOperation, VulSelection, VulStatus, VulType,
};
pub use error::{
    BODY_SNIPPET_LIMIT, CaBundleError, Error, ListingDrift, MAX_OFFSET, MetadataError,
    ServiceError, TaskKind, TransportKind,
};
pub use export::{DEFAULT_EXPORT_HEADERS, ExportRequest, MAX_EXPORT_SIZE};
pub use hooks::DEFAULT_USER_AGENT;
pub use limit::DEFAULT_MAX_RESPONSE_BODY;
pub use listing::{ListOptions, MAX_PASSES};
pub use lists::ListQuery;
pub use operation::{OperationAnswer, OperationRequest};
pub use paginate::Probe;
pub use policy::ScanPolicy;
pub use preview::RequestPreview;
pub use project::ProjectOrigin;
pub use proxy::{ProxyConfig, ProxyInUse, ProxyOrigin};
pub use query::{ALL_ENTERPRISE_PROJECTS, HostQuery, LIMIT_RANGE, MAX_ID_CHARS};
pub use retry::RetryPolicy;
pub use scan_tasks::{ScanRequest, ScanTaskQuery};
pub use scope::Scope;
pub use vulns::{HostVulQuery, VulHostQuery, VulStatusChange, VulnQuery};
pub use wait::{ScanCounts, WaitOptions, WaitProgress};

/// The generated client and models.
pub use hss_api;
/// Credentials, endpoints, IAM and clock-skew helpers, for programs that
/// need more of them than the re-exports below.
pub use hss_auth;
/// Re-exported so users configure credentials and endpoints without a
/// direct dependency on `hss-auth`.
pub use hss_auth::{Credentials, Endpoint, FixedClock, SecretString, SystemClock};
/// The operation table: what [`OperationRequest::new`] takes, so that any
/// operation is reachable without a direct dependency.
pub use hss_operations;

/// The names most programs need.
pub mod prelude {
    pub use crate::{
        AssetValue, Error, HostQuery, HssClient, ListOptions, ListingDrift, OperationRequest,
        RetryPolicy, ScanStatus, VulType,
    };
    pub use crate::{
        HostVulQuery, ScanTaskQuery, Scope, Severity, VulHostQuery, VulStatus, VulnQuery,
        WaitOptions,
    };
}
