//! The hand-written layer over the generated [`hss_api`] client for
//! Huawei Cloud's Host Security Service.
//!
//! - [`ScanStatus`], [`AssetValue`], [`VulType`]: typed values that never
//!   fail on a value the service adds later ([`typed`] reads them from the
//!   generated models).
//! - [`HssClient`]: endpoint, credentials (token or AK/SK signing), retries
//!   and timeouts, configured once.
//! - [`HssClient::list_hosts`]: every host of a scan task as a stream,
//!   optionally fetching pages concurrently, in order.
//! - [`Error`]: one error type with `status()`, `error_code()`,
//!   `error_msg()`, `request_id()` and `is_retryable()`.
//!
//! ```no_run
//! # async fn run() -> Result<(), hss_ext::Error> {
//! use futures::StreamExt;
//! use hss_ext::prelude::*;
//!
//! let client = HssClient::builder().region("ap-southeast-1").build()?;
//! let query = HostQuery::new("2b31ed520xxxxxxebedb6e57xxxxxxxx").scan_status(ScanStatus::Failed);
//! let mut hosts = std::pin::pin!(client.list_hosts(query, ListOptions::default().concurrency(4)));
//! while let Some(host) = hosts.next().await {
//!     let host = host?;
//!     for reason in &host.failed_reasons {
//!         println!("{:?}: {:?} {:?}", host.host_name, reason.vul_type(), reason.failed_reason);
//!     }
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod client;
pub mod enums;
mod error;
mod hooks;
mod paginate;
mod query;
mod retry;
pub mod typed;

pub use client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, HostPage, HssClient, HssClientBuilder,
};
pub use enums::{AssetValue, ScanStatus, UnknownValue, VulType};
pub use error::{BODY_SNIPPET_LIMIT, Error, MAX_OFFSET, ServiceError, TransportKind};
pub use hooks::DEFAULT_USER_AGENT;
pub use paginate::ListOptions;
pub use query::{ALL_ENTERPRISE_PROJECTS, HostQuery, LIMIT_RANGE, MAX_ID_CHARS};
pub use retry::RetryPolicy;

/// The generated client and models.
pub use hss_api;
/// Re-exported so users configure credentials and endpoints without a
/// direct dependency on `hss-auth`.
pub use hss_auth::{Credentials, Endpoint, FixedClock, SecretString, SystemClock};

/// The names most programs need.
pub mod prelude {
    pub use crate::typed::{FailedReasonExt, HostInfoExt, ScanVulExt, VulScanDetailExt};
    pub use crate::{
        AssetValue, Error, HostQuery, HssClient, ListOptions, RetryPolicy, ScanStatus, VulType,
    };
}
