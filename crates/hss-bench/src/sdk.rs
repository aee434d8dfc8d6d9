//! The same listing through `hss-ext`: `HssClient::list_hosts`.

use std::hint::black_box;
use std::time::Duration;

use futures::StreamExt;
use hss_ext::{Credentials, HostQuery, HssClient, ListOptions, SecretString};

use crate::Target;

/// How the SDK proves who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `X-Auth-Token`, as the floor: the same work on the server.
    Token,
    /// AK/SK: every request signed (`SDK-HMAC-SHA256`) and verified.
    AkSk,
}

/// A client for `target`, as a program would build it (default retry
/// policy and timeouts, no tracing subscriber).
pub fn client(target: &Target, auth: Auth) -> Result<HssClient, hss_ext::Error> {
    let credentials = match auth {
        Auth::Token => Credentials::token(SecretString::from(target.token.clone())),
        Auth::AkSk => Credentials::ak_sk(target.ak.clone(), SecretString::from(target.sk.clone())),
    };
    HssClient::builder()
        .endpoint_url(&target.base_url)
        .credentials(credentials)
        .project_id(&target.project_id)
        .request_timeout(Duration::from_secs(60))
        .build()
}

/// Lists every host of `target`'s task over all enterprise projects with
/// `concurrency` pages in flight; stops early once `max_hosts` hosts were
/// seen. Returns the number of hosts seen.
pub async fn list(
    client: &HssClient,
    target: &Target,
    concurrency: usize,
    max_hosts: u64,
) -> Result<u64, hss_ext::Error> {
    let query = HostQuery::new(&target.task_id).all_enterprise_projects();
    let options = ListOptions::default()
        .page_size(crate::PAGE_SIZE)
        .concurrency(concurrency);
    let mut hosts = std::pin::pin!(client.list_hosts(query, options));
    let mut seen = 0u64;
    while seen < max_hosts {
        match hosts.next().await {
            Some(host) => {
                black_box(host?);
                seen += 1;
            }
            None => break,
        }
    }
    Ok(seen)
}
