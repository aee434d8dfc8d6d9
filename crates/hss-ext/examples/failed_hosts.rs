//! Lists the servers whose vulnerability scan failed, with the reasons.
//!
//! Runs against a local fake HSS that it starts itself, signing requests
//! with the fake's demo AK/SK exactly as it would against Huawei Cloud:
//!
//! ```sh
//! cargo run -p hss-ext --example failed_hosts
//! ```
//!
//! For a real account, build the client with `.region("ap-southeast-1")`
//! and let it read `HUAWEICLOUD_SDK_AK`/`_SK`/`_PROJECT_ID`.

use futures::StreamExt;
use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = hss_fake::FakeHss::builder()
        .seed(42)
        .hosts(500)
        .start()
        .await?;
    let key = fake.access_key();
    let client = HssClient::builder()
        .endpoint_url(fake.base_url())
        .credentials(Credentials::ak_sk(
            key.ak.clone(),
            SecretString::from(key.sk.clone()),
        ))
        .project_id(fake.project_id())
        .build()?;

    let query = HostQuery::new(fake.task_id())
        .scan_status(ScanStatus::Failed)
        .all_enterprise_projects();
    let mut hosts = std::pin::pin!(client.list_hosts(query, ListOptions::default().concurrency(4)));
    let mut count = 0;
    while let Some(host) = hosts.next().await {
        let host = host?;
        count += 1;
        let name = host.host_name.as_deref().unwrap_or("?");
        let reasons: Vec<String> = host
            .failed_reasons
            .iter()
            .map(|r| {
                let kind = r
                    .vul_type()
                    .map_or_else(|| "?".to_owned(), |t| t.to_string());
                format!(
                    "{kind}: {}",
                    r.failed_reason.as_deref().unwrap_or("no reason given")
                )
            })
            .collect();
        println!("{name:<24} {}", reasons.join("; "));
    }
    println!("{count} servers failed the scan");
    Ok(())
}
