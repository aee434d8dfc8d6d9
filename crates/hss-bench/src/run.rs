//! One timed listing of rows a to c: the floor or `hss-ext`'s stream.

use std::time::Instant;

use anyhow::ensure;
use serde::{Deserialize, Serialize};

use crate::Target;
use crate::floor::Decode;

/// What lists the hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Variant {
    /// a: reqwest + serde_json into equivalent structs, no SDK.
    Floor,
    /// b and c: `hss-ext`'s `list_hosts` stream with this many pages in flight.
    Sdk {
        /// Pages in flight.
        concurrency: usize,
    },
}

impl Variant {
    /// The row's label in the report.
    pub fn label(self) -> String {
        match self {
            Variant::Floor => "a floor (reqwest + serde_json)".into(),
            Variant::Sdk { concurrency } => format!("hss-ext stream, concurrency {concurrency}"),
        }
    }
}

/// One listing: how many hosts in how long.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Timed {
    /// Hosts listed.
    pub hosts: u64,
    /// Seconds from the first request to the last host.
    pub seconds: f64,
}

impl Timed {
    /// Hosts per second.
    pub fn rate(&self) -> f64 {
        self.hosts as f64 / self.seconds
    }
}

/// Lists up to `max_hosts` hosts of `target`'s task with `variant` (a new
/// client each time, token auth on both sides) and checks that exactly
/// `expected` hosts came.
pub async fn listing(
    variant: Variant,
    target: &Target,
    max_hosts: u64,
    expected: u64,
) -> anyhow::Result<Timed> {
    let (hosts, seconds) = match variant {
        Variant::Floor => {
            let http = crate::floor::http_client()?;
            let started = Instant::now();
            let hosts = crate::floor::list(&http, target, Decode::Structs, max_hosts).await?;
            (hosts, started.elapsed().as_secs_f64())
        }
        Variant::Sdk { concurrency } => {
            let client = crate::sdk::client(target, crate::sdk::Auth::Token)?;
            let started = Instant::now();
            let hosts = crate::sdk::list(&client, target, concurrency, max_hosts).await?;
            (hosts, started.elapsed().as_secs_f64())
        }
    };
    ensure!(
        hosts == expected,
        "{}: listed {hosts} hosts, expected {expected}",
        variant.label()
    );
    Ok(Timed { hosts, seconds })
}
