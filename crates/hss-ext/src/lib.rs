//! The hand-written layer over the generated [`hss_api`] client for
//! Huawei Cloud's Host Security Service.
//!
//! - [`ScanStatus`], [`AssetValue`], [`VulType`]: typed values that never
//!   fail on a value the service adds later ([`typed`] reads them from the
//!   generated models).
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

#![warn(missing_docs)]

mod auth;
mod client;
mod decode;
pub mod enums;
mod error;
mod hooks;
mod limit;
mod listing;
mod metadata;
mod paginate;
mod project;
mod proxy;
mod query;
mod retry;
pub mod text;
mod tls;
pub mod typed;

pub use client::{
    CredentialKind, CredentialOrigin, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    EndpointOrigin, HssClient, HssClientBuilder, Probe,
};
pub use decode::{HostPage, decode_page};
pub use enums::{AssetValue, ScanStatus, UnknownValue, VulType};
pub use error::{BODY_SNIPPET_LIMIT, Error, ListingDrift, MAX_OFFSET, ServiceError, TransportKind};
pub use hooks::DEFAULT_USER_AGENT;
pub use limit::DEFAULT_MAX_RESPONSE_BODY;
pub use listing::MAX_PASSES;
pub use metadata::MetadataError;
pub use paginate::ListOptions;
pub use project::ProjectOrigin;
pub use proxy::{ProxyConfig, ProxyInUse, ProxyOrigin};
pub use query::{ALL_ENTERPRISE_PROJECTS, HostQuery, LIMIT_RANGE, MAX_ID_CHARS};
pub use retry::RetryPolicy;
pub use tls::CaBundleError;

/// The generated client and models.
pub use hss_api;
/// Credentials, endpoints, IAM and clock-skew helpers, for programs that
/// need more of them than the re-exports below.
pub use hss_auth;
/// Re-exported so users configure credentials and endpoints without a
/// direct dependency on `hss-auth`.
pub use hss_auth::{Credentials, Endpoint, FixedClock, SecretString, SystemClock};

/// The names most programs need.
pub mod prelude {
    pub use crate::typed::{FailedReasonExt, HostInfoExt, ScanVulExt, VulScanDetailExt};
    pub use crate::{
        AssetValue, Error, HostQuery, HssClient, ListOptions, ListingDrift, RetryPolicy,
        ScanStatus, VulType,
    };
}
