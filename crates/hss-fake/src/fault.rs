//! Faults injected on demand: latency, throttling, server errors, broken
//! bodies, dropped connections, and pages that break the paging contract
//! (too long, or repeating another page).
//!
//! A fault plan is a list of [`FaultRule`]s. Each request that reaches the
//! fake (any path, before authentication) is numbered from 1 since the plan
//! was set; every rule whose [`When`] matches that number applies. All
//! matching [`Fault::Latency`] rules add up; of the other matching rules the
//! first one in the list wins. A request that no rule matches is answered
//! normally.
//!
//! ```
//! use hss_fake::{Fault, FaultRule};
//! // The next three requests get 503, then the service recovers.
//! let plan = vec![FaultRule::first(3, Fault::server_error(503))];
//! # let _ = plan;
//! ```

use std::time::Duration;

/// One kind of misbehaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long before answering (the answer itself is unchanged).
    Latency(Duration),
    /// 429 with `{"error_code":"APIGW.0308",...}` and, when set, `Retry-After: <seconds>`.
    Throttle {
        /// Value of `Retry-After` in seconds; no header when `None`.
        retry_after_secs: Option<u64>,
    },
    /// Any status (normally 5xx) with a flat JSON error body.
    ServerError {
        /// HTTP status code.
        status: u16,
        /// `error_code` of the body.
        error_code: String,
        /// `error_msg` of the body.
        error_msg: String,
    },
    /// 502 with an HTML body, as a proxy in front of the gateway sends it.
    BadGatewayHtml,
    /// The normal answer, but its body stops halfway although
    /// `Content-Length` announces all of it; then the connection is closed.
    TruncatedBody,
    /// The request is read, then the connection is reset (RST) without any answer.
    ResetConnection,
    /// The normal answer, its body sent `chunk` bytes at a time every `interval`.
    SlowBody {
        /// Bytes per write (at least 1).
        chunk: usize,
        /// Pause before each write.
        interval: Duration,
    },
    /// A page with `extra` hosts more than `limit` asked for, continuing from
    /// the offset (the hosts of `offset .. offset + limit + extra`), with the
    /// right `total_num`. Only successful `ListVulScanTaskHost` pages change.
    OverlongPage {
        /// Hosts beyond `limit`.
        extra: u32,
    },
    /// The hosts of the previous page (`offset - limit`, at least 0) instead
    /// of the page asked for, with the right `total_num`: a client that
    /// trusts offsets sees some hosts twice and misses others. Only
    /// successful `ListVulScanTaskHost` pages change; the first page is
    /// answered as it is.
    RepeatedPage,
}

impl Fault {
    /// Latency of `ms` milliseconds.
    pub fn latency_ms(ms: u64) -> Fault {
        Fault::Latency(Duration::from_millis(ms))
    }

    /// 429 with `Retry-After: retry_after_secs`.
    pub fn throttle(retry_after_secs: u64) -> Fault {
        Fault::Throttle {
            retry_after_secs: Some(retry_after_secs),
        }
    }

    /// `status` with a default JSON error body: `APIGW.0202` "Backend
    /// unavailable." for 502 and 503, `APIGW.0201` "Backend timeout." for
    /// 504, `HSS.1000` "Internal server error." otherwise. (The reference
    /// names no 5xx codes; these follow the gateway's public error table
    /// where it has one and are otherwise the fake's own.)
    pub fn server_error(status: u16) -> Fault {
        let (code, msg) = match status {
            502 | 503 => ("APIGW.0202", "Backend unavailable."),
            504 => ("APIGW.0201", "Backend timeout."),
            _ => ("HSS.1000", "Internal server error."),
        };
        Fault::ServerError {
            status,
            error_code: code.to_owned(),
            error_msg: msg.to_owned(),
        }
    }

    /// A page `extra` hosts longer than `limit`.
    pub fn overlong_page(extra: u32) -> Fault {
        Fault::OverlongPage { extra }
    }

    /// A slow body: `chunk` bytes every `interval_ms` milliseconds.
    pub fn slow_body(chunk: usize, interval_ms: u64) -> Fault {
        Fault::SlowBody {
            chunk: chunk.max(1),
            interval: Duration::from_millis(interval_ms),
        }
    }
}

/// Which requests a rule applies to, by their number since the plan was set
/// (the first request is 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum When {
    /// Every request.
    Always,
    /// Requests 1 to n.
    FirstN(u64),
    /// Requests n, 2n, 3n, ... (n ≥ 1).
    EveryNth(u64),
    /// Only request n.
    Nth(u64),
}

impl When {
    fn matches(self, number: u64) -> bool {
        match self {
            When::Always => true,
            When::FirstN(n) => number <= n,
            When::EveryNth(n) => n > 0 && number.is_multiple_of(n),
            When::Nth(n) => number == n,
        }
    }
}

/// A fault and when it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// When it applies.
    pub when: When,
}

impl FaultRule {
    /// `fault` on every request.
    pub fn always(fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            when: When::Always,
        }
    }

    /// `fault` on the first `n` requests.
    pub fn first(n: u64, fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            when: When::FirstN(n),
        }
    }

    /// `fault` on every `n`th request.
    pub fn every_nth(n: u64, fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            when: When::EveryNth(n),
        }
    }

    /// `fault` on request `n` only.
    pub fn nth(n: u64, fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            when: When::Nth(n),
        }
    }
}

impl std::str::FromStr for FaultRule {
    type Err = String;

    /// Parses `KIND[@WHEN]`, the syntax of the binary's `--fault`:
    ///
    /// - KIND: `latency:MS`, `throttle[:SECS]`, `status:CODE`, `html502`,
    ///   `truncate`, `reset`, `slow:BYTES:MS`, `overlong[:EXTRA]` (default
    ///   1 host more), `repeat`;
    /// - WHEN: `always` (the default), `first:N`, `every:N`, `nth:N`.
    ///
    /// For example `status:503@first:3`, `slow:16:50@every:10` or
    /// `repeat@nth:3`.
    fn from_str(text: &str) -> Result<FaultRule, String> {
        let (kind, when) = text.split_once('@').unwrap_or((text, "always"));
        let number = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| format!("{s:?} is not a number in fault {text:?}"))
        };
        let parts: Vec<&str> = kind.split(':').collect();
        let fault = match parts.as_slice() {
            ["latency", ms] => Fault::latency_ms(number(ms)?),
            ["throttle"] => Fault::Throttle {
                retry_after_secs: None,
            },
            ["throttle", secs] => Fault::throttle(number(secs)?),
            ["status", code] => {
                let code = number(code)?;
                if !(100..=599).contains(&code) {
                    return Err(format!("status {code} is not an HTTP status"));
                }
                Fault::server_error(code as u16)
            }
            ["html502"] => Fault::BadGatewayHtml,
            ["truncate"] => Fault::TruncatedBody,
            ["reset"] => Fault::ResetConnection,
            ["slow", bytes, ms] => Fault::slow_body(number(bytes)? as usize, number(ms)?),
            ["overlong"] => Fault::overlong_page(1),
            ["overlong", extra] => {
                let extra = u32::try_from(number(extra)?)
                    .map_err(|_| format!("{extra} hosts more is too many in fault {text:?}"))?;
                Fault::overlong_page(extra)
            }
            ["repeat"] => Fault::RepeatedPage,
            _ => return Err(format!("unknown fault {kind:?}")),
        };
        let when = match when.split_once(':') {
            None if when == "always" => When::Always,
            Some(("first", n)) => When::FirstN(number(n)?),
            Some(("every", n)) if number(n)? > 0 => When::EveryNth(number(n)?),
            Some(("nth", n)) => When::Nth(number(n)?),
            _ => return Err(format!("unknown schedule {when:?}")),
        };
        Ok(FaultRule { fault, when })
    }
}

/// What to do with one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<Fault>,
}

#[derive(Debug, Default)]
pub(crate) struct FaultState {
    rules: Vec<FaultRule>,
    seen: u64,
}

impl FaultState {
    pub(crate) fn new(rules: Vec<FaultRule>) -> FaultState {
        FaultState { rules, seen: 0 }
    }

    pub(crate) fn set(&mut self, rules: Vec<FaultRule>) {
        self.rules = rules;
        self.seen = 0;
    }

    pub(crate) fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    pub(crate) fn next(&mut self) -> Decision {
        self.seen += 1;
        let number = self.seen;
        let mut decision = Decision::default();
        for rule in self.rules.iter().filter(|r| r.when.matches(number)) {
            match &rule.fault {
                Fault::Latency(d) => decision.latency += *d,
                other => {
                    if decision.fault.is_none() {
                        decision.fault = Some(other.clone());
                    }
                }
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let mut state = FaultState::new(vec![
            FaultRule::first(2, Fault::server_error(503)),
            FaultRule::every_nth(3, Fault::throttle(1)),
            FaultRule::always(Fault::latency_ms(5)),
            FaultRule::nth(4, Fault::latency_ms(10)),
        ]);
        let got: Vec<Decision> = (0..6).map(|_| state.next()).collect();
        assert_eq!(got[0].fault, Some(Fault::server_error(503)));
        assert_eq!(got[1].fault, Some(Fault::server_error(503)));
        assert_eq!(got[2].fault, Some(Fault::throttle(1)));
        assert_eq!(got[3].fault, None);
        assert_eq!(got[3].latency, Duration::from_millis(15));
        assert_eq!(got[4].fault, None);
        assert_eq!(got[5].fault, Some(Fault::throttle(1)));
        assert!(got.iter().all(|d| d.latency >= Duration::from_millis(5)));
        state.set(vec![FaultRule::first(1, Fault::ResetConnection)]);
        assert_eq!(state.next().fault, Some(Fault::ResetConnection));
        assert_eq!(state.next().fault, None);
        state.set(vec![FaultRule::every_nth(0, Fault::ResetConnection)]);
        assert_eq!(state.next().fault, None);
    }

    #[test]
    fn parses_rules() {
        assert_eq!(
            "status:503@first:3".parse::<FaultRule>().unwrap(),
            FaultRule::first(3, Fault::server_error(503))
        );
        assert_eq!(
            "latency:25".parse::<FaultRule>().unwrap(),
            FaultRule::always(Fault::latency_ms(25))
        );
        assert_eq!(
            "slow:16:50@every:10".parse::<FaultRule>().unwrap(),
            FaultRule::every_nth(10, Fault::slow_body(16, 50))
        );
        assert_eq!(
            "reset@nth:2".parse::<FaultRule>().unwrap(),
            FaultRule::nth(2, Fault::ResetConnection)
        );
        assert_eq!(
            "overlong:5@first:2".parse::<FaultRule>().unwrap(),
            FaultRule::first(2, Fault::overlong_page(5))
        );
        assert_eq!(
            "overlong".parse::<FaultRule>().unwrap(),
            FaultRule::always(Fault::overlong_page(1))
        );
        assert_eq!(
            "repeat@every:3".parse::<FaultRule>().unwrap(),
            FaultRule::every_nth(3, Fault::RepeatedPage)
        );
        for bad in [
            "nope",
            "overlong:x",
            "overlong:99999999999",
            "repeat:2",
            "status:abc",
            "status:999",
            "reset@every:0",
            "reset@sometimes",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }
}
