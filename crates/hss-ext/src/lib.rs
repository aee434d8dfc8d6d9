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
//!   `error_msg()`, `request_id()` and `is_retryable()`; its `Display` is
//!   one line of printable text whatever the service sent.
//! - [`decode_page`]: how an answer (status, headers, body) becomes a page
//!   or an error, as a pure function made of the same parts the client
//!   uses after receiving an answer.
//! - Bounded reading: an answer's body is read up to
//!   [`HssClientBuilder::max_response_body`] ([`DEFAULT_MAX_RESPONSE_BODY`],
//!   16 MiB), a larger one ends in [`Error::ResponseTooLarge`].
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
mod decode;
pub mod enums;
mod error;
mod hooks;
mod limit;
mod paginate;
mod query;
mod retry;
pub mod typed;

pub use client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, HostPage, HssClient, HssClientBuilder,
};
pub use decode::decode_page;
pub use enums::{AssetValue, ScanStatus, UnknownValue, VulType};
pub use error::{BODY_SNIPPET_LIMIT, Error, MAX_OFFSET, ServiceError, TransportKind};
pub use hooks::DEFAULT_USER_AGENT;
pub use limit::DEFAULT_MAX_RESPONSE_BODY;
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
