//! Benchmarks of the HSS client. Nothing here is published; the crate
//! holds the code that `benches/micro.rs` (criterion) and the
//! `micro-report` and `e2e` binaries share, so that the smoke tests run
//! exactly the code the benchmarks run.
//!
//! - [`fixture`]: pages exactly as `hss-fake` serves them, for decoding.
//! - [`floor`]: the baseline without any SDK: reqwest, a hand-written
//!   offset loop and `serde_json` into structs equivalent to the generated
//!   ones (or into `serde_json::Value`).
//! - [`sdk`]: the same listing through `hss-ext`'s `list_hosts` stream.
//! - [`micro`]: the work the micro benchmarks time.
//! - [`run`]: one timed listing of rows a to c.
//! - [`child`]: the processes of the end-to-end run (the fake, and the
//!   streaming child whose peak memory is measured).
//! - [`python`]: row d, the official Python SDK in a venv.
//! - [`mem`]: the peak resident set of this process, from `/proc`.
//! - [`cpu`]: CPU time of a process, to split a listing's cost between
//!   the client and the fake.
//! - [`machine`], [`stats`]: what a run ran on, and medians.
//!
//! `docs/benchmark-log.md` ("What is measured") says what is measured;
//! `BENCHMARKS.md` has the current figures.

#![warn(missing_docs)]

pub mod child;
pub mod cpu;
pub mod fixture;
pub mod floor;
pub mod machine;
pub mod mem;
pub mod micro;
pub mod python;
pub mod run;
pub mod sdk;
pub mod stats;

/// Where a listing goes and with which credentials: one task of a running
/// fake on 127.0.0.1. `Debug` leaves the token and the secret key out.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The project in the path.
    pub project_id: String,
    /// The task to list.
    pub task_id: String,
    /// An accepted `X-Auth-Token`.
    pub token: String,
    /// An accepted permanent access key id.
    pub ak: String,
    /// Its secret key.
    pub sk: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id)
            .field("task_id", &self.task_id)
            .field("ak", &self.ak)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// The same fake, another task.
    pub fn with_task(&self, task_id: &str) -> Target {
        Target {
            task_id: task_id.to_owned(),
            ..self.clone()
        }
    }
}

/// Hosts per request in every benchmark: the API's maximum.
pub const PAGE_SIZE: u32 = 200;
