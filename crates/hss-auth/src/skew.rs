//! Clock skew: recognising the gateway's "signature expired" answer and
//! signing with the server's time afterwards.
//!
//! The API gateway refuses an AK/SK signature whose `X-Sdk-Date` is more
//! than [`MAX_SKEW`] (15 minutes) from its own clock. It answers `401` with
//! `APIGW.0301` and a message that carries both times, for example (from a
//! real answer quoted in `huaweicloud/huaweicloud-sdk-java-v3` issue 44):
//!
//! ```text
//! Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:20211217T064303Z,server time:20211217T065804Z
//! ```
//!
//! APIG's app authentication says the same with `APIGW.0303` and
//! `Incorrect app authentication information: signature expired, ...`.
//! [`expired_signature`] recognises both (and the older `APIG.` prefix);
//! the server's time comes from the message, or else from the answer's
//! `Date` header. A client then keeps the difference in a [`ClockOffset`]
//! and signs with a [`CorrectedClock`]. None of the official SDKs does this;
//! it is this crate's addition.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::signer::parse_sdk_date;

/// How far `X-Sdk-Date` may be from the gateway's clock.
pub const MAX_SKEW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The gateway's error codes for a refused signature.
const SIGNATURE_CODES: [&str; 4] = ["APIGW.0301", "APIG.0301", "APIGW.0303", "APIG.0303"];

/// What a "signature expired" answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiredSignature {
    /// The `X-Sdk-Date` the gateway read, when the message names it.
    pub signature_time: Option<OffsetDateTime>,
    /// The gateway's clock, when the message names it.
    pub server_time: Option<OffsetDateTime>,
}

/// Whether an answer is the gateway refusing a signature as expired:
/// status `401`, a signature error code (`APIGW.0301`, `APIGW.0303`, or
/// the same with `APIG.`; also none at all, since a proxy may drop the
/// body's code) and a message containing `signature expired` (in any
/// case). `None` for every other answer, so a client re-signs only for
/// this one.
pub fn expired_signature(
    status: u16,
    error_code: Option<&str>,
    error_msg: Option<&str>,
) -> Option<ExpiredSignature> {
    if status != 401 {
        return None;
    }
    if let Some(code) = error_code
        && !SIGNATURE_CODES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(code.trim()))
    {
        return None;
    }
    let message = error_msg?;
    let lower = message.to_ascii_lowercase();
    if !lower.contains("signature expired") {
        return None;
    }
    Some(ExpiredSignature {
        signature_time: time_after(message, &lower, "signature time:"),
        server_time: time_after(message, &lower, "server time:"),
    })
}

/// The `YYYYMMDDTHHMMSSZ` time after `label` in `message` (`lower` is its
/// ASCII lower-case copy, so byte offsets agree).
fn time_after(message: &str, lower: &str, label: &str) -> Option<OffsetDateTime> {
    let start = lower.find(label)? + label.len();
    let rest = message.get(start..)?.trim_start();
    parse_sdk_date(rest.get(..16)?)
}

/// A signed difference between the server's clock and ours, shared by
/// every clone of a client; `Debug` and `Display` show it in seconds.
#[derive(Default)]
pub struct ClockOffset {
    millis: AtomicI64,
}

impl ClockOffset {
    /// No offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// What to add to the local clock to get the server's.
    pub fn get(&self) -> time::Duration {
        time::Duration::milliseconds(self.millis.load(Ordering::Relaxed))
    }

    /// Sets what to add to the local clock, saturating at ±100 years.
    pub fn set(&self, offset: time::Duration) {
        const LIMIT: i64 = 100 * 365 * 24 * 3600 * 1000;
        let millis = i64::try_from(offset.whole_milliseconds())
            .unwrap_or(if offset.is_negative() { -LIMIT } else { LIMIT })
            .clamp(-LIMIT, LIMIT);
        self.millis.store(millis, Ordering::Relaxed);
    }

    /// Whether an offset is in use.
    pub fn is_zero(&self) -> bool {
        self.millis.load(Ordering::Relaxed) == 0
    }
}

impl fmt::Debug for ClockOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClockOffset({})", self)
    }
}

impl fmt::Display for ClockOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe_offset(self.get()))
    }
}

/// `+1200 s` / `-1200 s` / `0 s`: an offset in whole seconds with its sign.
pub fn describe_offset(offset: time::Duration) -> String {
    let seconds = offset.whole_seconds();
    if seconds > 0 {
        format!("+{seconds} s")
    } else {
        format!("{seconds} s")
    }
}

/// The server's time as best known: a clock plus the [`ClockOffset`]
/// learnt from the gateway. Clones share the offset.
#[derive(Clone, Debug)]
pub struct CorrectedClock {
    base: Arc<dyn Clock>,
    offset: Arc<ClockOffset>,
}

impl CorrectedClock {
    /// `base` corrected by `offset`.
    pub fn new(base: Arc<dyn Clock>, offset: Arc<ClockOffset>) -> Self {
        Self { base, offset }
    }

    /// The uncorrected clock.
    pub fn base(&self) -> &Arc<dyn Clock> {
        &self.base
    }

    /// The shared offset.
    pub fn offset(&self) -> &Arc<ClockOffset> {
        &self.offset
    }

    /// Learns the server's time: from now on this clock says `server_time`
    /// (and moves on with the base clock). Returns the new offset.
    pub fn learn(&self, server_time: OffsetDateTime) -> time::Duration {
        let offset = server_time - self.base.now();
        self.offset.set(offset);
        offset
    }
}

impl Clock for CorrectedClock {
    fn now(&self) -> OffsetDateTime {
        self.base.now().saturating_add(self.offset.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::test_util::utc;

    const REAL: &str = "Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:20211217T064303Z,server time:20211217T065804Z";

    #[test]
    fn the_gateways_answer_is_recognised_with_both_times() {
        let found = expired_signature(401, Some("APIGW.0301"), Some(REAL)).unwrap();
        assert_eq!(found.signature_time, Some(utc(2021, 12, 17, 6, 43, 3)));
        assert_eq!(found.server_time, Some(utc(2021, 12, 17, 6, 58, 4)));
        let app = "Incorrect app authentication information: signature expired, signature time:20230527T000431Z,server time:20230527T020608Z";
        let found = expired_signature(401, Some("APIG.0303"), Some(app)).unwrap();
        assert_eq!(found.server_time, Some(utc(2023, 5, 27, 2, 6, 8)));
        // Without times, still recognised: the Date header supplies the time.
        let bare = expired_signature(401, None, Some("Signature Expired")).unwrap();
        assert_eq!(bare.server_time, None);
        // A broken time is no time.
        let broken =
            expired_signature(401, None, Some("signature expired, server time:2021")).unwrap();
        assert_eq!(broken.server_time, None);
    }

    #[test]
    fn nothing_else_is_taken_for_it() {
        assert_eq!(expired_signature(403, Some("APIGW.0301"), Some(REAL)), None);
        assert_eq!(expired_signature(401, Some("HSS.0001"), Some(REAL)), None);
        assert_eq!(
            expired_signature(
                401,
                Some("APIGW.0301"),
                Some("Incorrect IAM authentication information: verify aksk signature fail")
            ),
            None
        );
        assert_eq!(expired_signature(401, Some("APIGW.0301"), None), None);
        // Any bytes: never a panic, and multi-byte text around the label.
        for text in [
            "signature expired, server time:é",
            "ÉÉ signature expired server time:",
            "signature expired server time: 20211217T065804Z",
        ] {
            let _ = expired_signature(401, None, Some(text));
        }
        assert_eq!(
            expired_signature(
                401,
                None,
                Some("signature expired server time: 20211217T065804Z")
            )
            .unwrap()
            .server_time,
            Some(utc(2021, 12, 17, 6, 58, 4))
        );
    }

    #[test]
    fn the_corrected_clock_says_the_servers_time() {
        let local = utc(2024, 1, 1, 12, 0, 0);
        let offset = Arc::new(ClockOffset::new());
        let clock = CorrectedClock::new(Arc::new(FixedClock::new(local)), Arc::clone(&offset));
        assert_eq!(clock.now(), local);
        assert!(offset.is_zero());
        let learnt = clock.learn(utc(2024, 1, 1, 12, 20, 0));
        assert_eq!(learnt, time::Duration::minutes(20));
        assert_eq!(clock.now(), utc(2024, 1, 1, 12, 20, 0));
        assert_eq!(offset.to_string(), "+1200 s");
        clock.learn(utc(2024, 1, 1, 11, 40, 0));
        assert_eq!(offset.to_string(), "-1200 s");
        assert_eq!(format!("{offset:?}"), "ClockOffset(-1200 s)");
        // Absurd offsets saturate instead of overflowing.
        offset.set(time::Duration::MAX);
        let _ = clock.now();
        offset.set(time::Duration::MIN);
        let _ = clock.now();
    }
}
