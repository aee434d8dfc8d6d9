//! What every request of one fake shares: the data, authentication, the
//! fault plan, the request log, request IDs and the clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hss_auth::Clock;

use crate::auth::Auth;
use crate::fault::FaultState;
use crate::iam::IamProjects;
use crate::log::RequestLog;
use crate::metadata::Metadata;
use crate::store::Store;
use crate::throttle::Throttle;
use crate::workflow::Workflow;

pub(super) struct Shared {
    pub(super) store: Store,
    pub(super) auth: Auth,
    pub(super) faults: Mutex<FaultState>,
    pub(super) log: Mutex<RequestLog>,
    pub(super) ids: RequestIds,
    pub(super) clock: Arc<dyn Clock>,
    /// `http://127.0.0.1:<port>`, for links in IAM's answers.
    pub(super) base_url: String,
    /// The served project's region.
    pub(super) region: String,
    /// The account that owns the projects.
    pub(super) domain_id: String,
    /// What IAM's project list holds.
    pub(super) iam: Mutex<IamProjects>,
    /// The instance metadata service.
    pub(super) metadata: Arc<Metadata>,
    /// Scan tasks, vulnerabilities, policy and exports.
    pub(super) workflow: Workflow,
    /// The gateway's rate limit per credential (`crate::throttle`).
    pub(super) throttle: Throttle,
    /// What `Add…`/`Create…` operations posted to listings.
    pub(super) added: crate::from_spec::Added,
}

/// Locks `m`, also after a panic elsewhere: the guarded data stays usable.
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Unique request IDs: 32 hex characters, a bijective mix of a per-server
/// random number and a counter.
pub(super) struct RequestIds {
    nonce: u64,
    counter: AtomicU64,
}

impl RequestIds {
    pub(super) fn new() -> RequestIds {
        use rand::RngExt;
        RequestIds {
            nonce: rand::rng().random(),
            counter: AtomicU64::new(0),
        }
    }

    pub(super) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let high = splitmix(n ^ self.nonce);
        let low = splitmix(high ^ self.nonce.rotate_left(17));
        format!("{high:016x}{low:016x}")
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_unique_hex() {
        let ids = RequestIds::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = ids.next();
            assert_eq!(id.len(), 32);
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(seen.insert(id));
        }
    }
}
