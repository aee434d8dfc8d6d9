//! The data the fake serves: the hosts of vulnerability scan tasks, either
//! generated from a seed or loaded from a JSON fixture.
//!
//! # Enterprise projects
//! Every host belongs to exactly one enterprise project. The project `0` (the
//! default enterprise project, [`DEFAULT_ENTERPRISE_PROJECT`]) always exists.
//! A request without `enterprise_project_id` sees the hosts of `0`, as the
//! real service does, and `all_granted_eps` sees every host.
//!
//! Generated data has one enterprise project by default
//! ([`GenerateOptions::enterprise_projects`]), so every host is in `0` and a
//! request without parameters sees the whole task. With `n > 1` projects
//! about half of the hosts stay in `0` and the rest spread evenly over
//! `n - 1` named projects (UUIDs derived from the seed); the hosts
//! themselves are the same whatever `n` is, only their project differs.
//!
//! # Determinism
//! Host `i` of task `t` is generated from its own RNG (ChaCha8, seeded from
//! `(seed, t, i)`), so the same seed always gives the same data, a larger
//! host count only appends hosts, and hosts added at runtime continue the
//! sequence.
//!
//! The modules: `values` (the API's enumerations), `model` (the wire
//! types), `dataset` (a whole dataset, the fixture format and its checks),
//! `generate`, `profile` and `host` (seeded data) with `random` (the seeding
//! helpers), `catalog` (the fixed texts generated data draws from) and
//! `finish` (how a scanning host ends) and `fresh` (a host as a created
//! scan task starts it).

mod catalog;
#[cfg(test)]
mod checks;
mod dataset;
pub(crate) mod finish;
mod fresh;
mod generate;
mod host;
mod model;
mod profile;
mod random;
mod values;

pub use dataset::{DataError, Dataset};
pub use generate::{GenerateOptions, enterprise_project_ids};
pub use model::{FailedReason, Host, HostInfo, ScanVul, TaskData, VulScanDetail};
pub use values::{ALL_GRANTED_EPS, DEFAULT_ENTERPRISE_PROJECT, asset_value, scan_status, vul_type};

pub(crate) use catalog::urgent_vulnerabilities;
pub(crate) use fresh::scanning_host;
pub(crate) use generate::HostSource;
pub(crate) use profile::TaskProfile;
pub(crate) use random::{mix, pick_distinct};
