//! How fast a client sends: one adaptive send rate per client, shared by
//! its clones, so every page of every listing (retries included) draws
//! on it.
//!
//! The gateway limits requests per second per credential and answers
//! `429` once a caller is over; a listing with many pages in flight that
//! ignores that is either slow (too few) or rude (too many, and its
//! retries make it worse). So every attempt waits for a send slot from
//! the client's [`RateController`], and reports how it went:
//!
//! - **Start**: the first answer sets the starting rate to
//!   [`INITIAL_WINDOW`] requests per round trip.
//! - **Probing** (no throttling seen yet): the rate doubles every
//!   [`DOUBLING`] while answers come back clean, as TCP's slow start
//!   does, but timed, so a gateway's burst allowance, which hides its
//!   limit for a moment, is overrun by little when it finally says `429`.
//! - **Backing off**: a `429` or `503` (the service says "too much"), or
//!   round trips grown to more than twice their usual time plus
//!   [`LATENCY_SLACK`] (requests queue somewhere), cuts the rate to
//!   [`THROTTLE_BETA`] (or [`LATENCY_BETA`]) of what was being achieved,
//!   once per episode: answers to requests sent before the last cut say
//!   nothing new and cut nothing, and the round trips judged are those of
//!   requests sent since.
//! - Latency is a weaker signal than a `429`: a busy client machine
//!   stretches round trips too, whatever the rate. Before any throttle it
//!   cuts and probing goes on from there; after one, it cuts only once
//!   the rate has grown back to where the last cut found it. Noise cannot
//!   spiral the rate down.
//! - **Recovering**: after a cut the rate grows back along a cubic (as
//!   CUBIC and the AWS SDKs' adaptive retry mode do): quickly at first,
//!   flat near the rate that was too much (`w_max`), reached after
//!   [`RECOVERY`], then probing past it, slowly at first.
//! - Never more than twice the rate actually achieved lately (over the
//!   last [`DOUBLING`] while probing, the last 250 ms after that: the
//!   rate of a client that sends less than it may must not grow without
//!   bound, or one burst would follow), never below [`MIN_RATE`], never
//!   above the user's ceiling ([`HssClientBuilder::max_requests_per_second`](crate::HssClientBuilder::max_requests_per_second)).
//!
//! Sending is paced: one slot every `1 / rate`, no burst. A `429` never
//! adds load: its retry waits for `Retry-After` (the retry policy), then
//! for a slot like any request, and the cut slows everyone else.
//!
//! The arithmetic is a pure state machine over explicit instants
//! ([`Core`]), unit-tested below, including a simulated throttling
//! gateway; [`RateController`] wraps it for async callers. The whole
//! pipeline (rate, retries, listing) meets the same gateway in virtual
//! time in `rate/sim.rs`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The lowest send rate, requests per second (as the AWS SDKs).
pub(crate) const MIN_RATE: f64 = 0.5;
/// While probing, the rate doubles this often.
pub(crate) const DOUBLING: Duration = Duration::from_millis(100);
/// Probing starts at this many requests per round trip (TCP's initial
/// window, RFC 3390).
pub(crate) const INITIAL_WINDOW: f64 = 2.0;
/// Part of the achieved rate kept after a `429` or `503`.
pub(crate) const THROTTLE_BETA: f64 = 0.7;
/// Part of the achieved rate kept after round trips grew.
pub(crate) const LATENCY_BETA: f64 = 0.85;
/// After a cut, the time to grow back to the rate that was too much.
pub(crate) const RECOVERY: Duration = Duration::from_secs(3);
/// Round trips longer than twice the usual plus this count as queueing.
pub(crate) const LATENCY_SLACK: Duration = Duration::from_millis(10);
/// The window over which the achieved rate is measured for a cut.
const MEASURE: Duration = Duration::from_secs(1);
/// The window of the "twice the achieved rate" cap once a limit was found.
const RECENT: Duration = Duration::from_millis(250);
/// The shortest span a rate is measured over after a throttle.
const MIN_SPAN: Duration = Duration::from_millis(40);
/// Successes a measurement since a throttle needs.
const MIN_SUCCESSES: usize = 3;
/// A cut starts from at least this part of the rate it cuts.
const MAX_CUT_FLOOR: f64 = 0.1;
/// How early a send slot may be taken.
const PACING_SLACK: Duration = Duration::from_millis(5);
/// At most this many completions are remembered.
const MAX_COMPLETIONS: usize = 4096;

/// How one attempt went, as far as the rate is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer that is not a complaint about load, after `latency`.
    Answered(Duration),
    /// `429`, or `503`: the service asks for less.
    Throttled,
    /// Anything else (a transport error, an error answer): no signal.
    Other,
}

/// What a cut answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    /// A `429` or `503`.
    Throttle,
    /// Round trips grown (queueing, or a busy machine).
    Latency,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// No answer yet: nothing is known, nothing is paced.
    Start,
    /// Doubling from `from` requests per second since `since`.
    Probing { since: Instant, from: f64 },
    /// Recovering towards `w_max` along a cubic since the cut at `since`.
    Recovering { since: Instant, w_max: f64 },
}

/// What a controller has learnt, for tracing, tests and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Snapshot {
    /// The rate sending is paced at now, `None` while unpaced.
    pub rate: Option<f64>,
    /// Throttling answers reported.
    pub throttled: u64,
    /// Cuts made.
    pub cuts: u64,
}

/// The controller's state and arithmetic, with time passed in.
#[derive(Debug)]
pub(crate) struct Core {
    adaptive: bool,
    ceiling: Option<f64>,
    phase: Phase,
    /// The earliest instant the next request may go.
    next_send: Option<Instant>,
    /// When recent successful answers arrived, oldest first.
    completions: VecDeque<Instant>,
    /// Smoothed and lowest recent round trip, in seconds.
    srtt: Option<f64>,
    base_rtt: Option<f64>,
    /// Smoothed round trip of the requests sent since the last cut, and
    /// how many answered: what the latency signal judges.
    episode_rtt: Option<f64>,
    episode_answers: usize,
    last_cut: Option<Instant>,
    /// When the latest throttling answer arrived.
    last_throttle: Option<Instant>,
    throttled: u64,
    cuts: u64,
}

impl Core {
    /// A controller that adapts (`adaptive`) and never exceeds `ceiling`
    /// requests per second.
    pub(crate) fn new(adaptive: bool, ceiling: Option<f64>) -> Core {
        Core {
            adaptive,
            ceiling: ceiling.filter(|c| c.is_finite() && *c > 0.0),
            phase: Phase::Start,
            next_send: None,
            completions: VecDeque::new(),
            srtt: None,
            base_rtt: None,
            episode_rtt: None,
            episode_answers: 0,
            last_cut: None,
            last_throttle: None,
            throttled: 0,
            cuts: 0,
        }
    }

    /// Successful answers per second over the last `window` (or since the
    /// first one, if later); `None` without any.
    fn achieved(&self, now: Instant, window: Duration) -> Option<f64> {
        let from = now.checked_sub(window).unwrap_or(now);
        let recent = self.completions.iter().rev().take_while(|t| **t > from);
        let (count, oldest) = recent.fold((0usize, now), |(n, _), t| (n + 1, *t));
        if count == 0 {
            return None;
        }
        // From the first answer on, the window is what has passed since
        // the request before it went, about one round trip earlier.
        let first = self.completions.front().copied().unwrap_or(oldest);
        let span = if first > from {
            (now - first).as_secs_f64() + self.srtt.unwrap_or(0.0)
        } else {
            window.as_secs_f64()
        };
        (span > 0.0).then(|| count as f64 / span)
    }

    /// Successful answers in the last `span`.
    fn successes_within(&self, now: Instant, span: Duration) -> usize {
        let from = now.checked_sub(span).unwrap_or(now);
        self.completions
            .iter()
            .rev()
            .take_while(|t| **t > from)
            .count()
    }

    /// The adaptive rate at `now`, before the ceiling; infinite when
    /// nothing limits it.
    fn adaptive_rate(&self, now: Instant) -> f64 {
        if !self.adaptive {
            return f64::INFINITY;
        }
        let raw = match self.phase {
            Phase::Start => return f64::INFINITY,
            Phase::Probing { since, from } => {
                let doublings =
                    now.saturating_duration_since(since).as_secs_f64() / DOUBLING.as_secs_f64();
                from * 2f64.powf(doublings.min(60.0))
            }
            Phase::Recovering { since, w_max } => {
                let t = now.saturating_duration_since(since).as_secs_f64();
                w_max * (1.0 + cubic_scale() * (t - RECOVERY.as_secs_f64()).powi(3))
            }
        };
        // Never far above what is achieved: a client that sends less than
        // it may must not build up a rate it has never tried.
        let cap = self
            .achieved(now, self.cap_window())
            .map_or(0.0, |achieved| 2.0 * achieved);
        // The cap stops growth; it never pulls the rate below where
        // probing started or a cut left it (while every page waits out a
        // `Retry-After`, nothing is achieved at all).
        let floor = match self.phase {
            Phase::Probing { from, .. } => from,
            Phase::Recovering { w_max, .. } => THROTTLE_BETA * w_max,
            Phase::Start => MIN_RATE,
        };
        raw.min(cap.max(floor)).max(MIN_RATE)
    }

    /// The window the achieved rate of the cap is measured over. While
    /// probing, one [`DOUBLING`]: a rate that doubles averages 0.72 of
    /// itself over one doubling period, so twice that leaves it room to
    /// grow while round trips are under half the period. Over [`RECENT`]
    /// the average is under half the rate, and the cap, not the doubling,
    /// would set how fast probing grows.
    fn cap_window(&self) -> Duration {
        match self.phase {
            Phase::Probing { .. } => DOUBLING,
            _ => RECENT,
        }
    }

    /// The rate sending is paced at for a probing request (see
    /// [`try_acquire`](Self::try_acquire)), `None` when unpaced.
    pub(crate) fn rate(&self, now: Instant) -> Option<f64> {
        self.rate_for(now, true)
    }

    fn rate_for(&self, now: Instant, probe: bool) -> Option<f64> {
        // Requests of a fixed concurrency are held back only once the
        // service has throttled (as the AWS SDKs' adaptive mode), probing
        // ones from the first answer on.
        let paced = probe || matches!(self.phase, Phase::Recovering { .. });
        let adaptive = if paced {
            self.adaptive_rate(now)
        } else {
            f64::INFINITY
        };
        let rate = match self.ceiling {
            Some(ceiling) => adaptive.min(ceiling),
            None => adaptive,
        };
        rate.is_finite().then_some(rate)
    }

    /// Takes the send slot at `now`, or says how long until the next one.
    /// `probe`: the request belongs to an adaptive listing, which probes
    /// for the rate from the start; otherwise only a ceiling and an
    /// earlier throttle pace it.
    pub(crate) fn try_acquire(&mut self, now: Instant, probe: bool) -> Result<(), Duration> {
        let Some(rate) = self.rate_for(now, probe) else {
            return Ok(());
        };
        let slot = self.next_send.map_or(now, |next| next.max(now));
        // A slot may be taken a little early: timers are coarser than the
        // slots of a fast rate, and waking every waiter for each of them
        // would cost more than the few requests this lets go together
        // (rate × SLACK: under one at 50 per second).
        if slot > now + PACING_SLACK {
            return Err(slot - now - PACING_SLACK);
        }
        self.next_send = Some(slot + Duration::from_secs_f64(1.0 / rate));
        Ok(())
    }

    /// Takes in how an attempt sent at `sent_at` went, at `now`.
    pub(crate) fn report(&mut self, sent_at: Instant, now: Instant, outcome: Outcome) {
        match outcome {
            Outcome::Answered(latency) => self.answered(sent_at, now, latency),
            Outcome::Throttled => {
                self.throttled += 1;
                self.cut(sent_at, now, Signal::Throttle);
                self.last_throttle = Some(now);
            }
            Outcome::Other => {}
        }
    }

    fn answered(&mut self, sent_at: Instant, now: Instant, latency: Duration) {
        if self.completions.len() == MAX_COMPLETIONS {
            self.completions.pop_front();
        }
        self.completions.push_back(now);
        while self
            .completions
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > MEASURE)
        {
            self.completions.pop_front();
        }
        let sample = latency.as_secs_f64();
        let srtt = self.srtt.map_or(sample, |s| s + (sample - s) / 8.0);
        self.srtt = Some(srtt);
        // The usual round trip: the lowest seen, drifting slowly up to the
        // smoothed one so that a path that got slower for good is learnt.
        let base = self
            .base_rtt
            .map_or(sample, |b| (b + (srtt - b) / 256.0).min(sample));
        self.base_rtt = Some(base);
        if self.phase == Phase::Start {
            self.phase = Phase::Probing {
                since: now,
                from: (INITIAL_WINDOW / sample.max(1e-3)).max(MIN_RATE),
            };
        }
        if self.last_cut.is_some_and(|cut| sent_at < cut) {
            return;
        }
        let episode = self.episode_rtt.map_or(sample, |s| s + (sample - s) / 4.0);
        self.episode_rtt = Some(episode);
        self.episode_answers += 1;
        if self.episode_answers >= MIN_SUCCESSES
            && episode > 2.0 * base + LATENCY_SLACK.as_secs_f64()
            && self.recovered(now)
        {
            self.cut(sent_at, now, Signal::Latency);
        }
    }

    /// Whether the rate is back where the last cut found it (or no cut
    /// was made): only then may latency cut again.
    fn recovered(&self, now: Instant) -> bool {
        match self.phase {
            Phase::Start => false,
            Phase::Probing { .. } => true,
            Phase::Recovering { since, .. } => now.saturating_duration_since(since) >= RECOVERY,
        }
    }

    /// Cuts the rate to `beta` of what was achieved, unless the attempt
    /// went before the last cut (that cut already answered it).
    fn cut(&mut self, sent_at: Instant, now: Instant, signal: Signal) {
        let beta = match signal {
            Signal::Throttle => THROTTLE_BETA,
            Signal::Latency => LATENCY_BETA,
        };
        if !self.adaptive || self.last_cut.is_some_and(|cut| sent_at < cut) {
            return;
        }
        // Only a rate that paced the requests says what was too much;
        // while probing, requests of a fixed concurrency went unpaced.
        let current = match self.phase {
            Phase::Recovering { .. } => self.adaptive_rate(now),
            _ => f64::INFINITY,
        };
        // Right after a throttling answer the gateway's allowance is
        // spent, so what got through since then is its rate; before, a
        // burst allowance may inflate what was achieved.
        let since_throttle = self
            .last_throttle
            .map(|at| now.saturating_duration_since(at))
            .filter(|span| *span >= MIN_SPAN && *span < MEASURE);
        // Too few answers since then say nothing (a storm of 429s
        // answered together leaves none): measure over the usual window.
        let achieved = since_throttle
            .map(|span| (self.successes_within(now, span), span))
            .filter(|(successes, _)| *successes >= MIN_SUCCESSES)
            .map(|(successes, span)| successes as f64 / span.as_secs_f64())
            .or_else(|| self.achieved(now, MEASURE));
        let w_max = match (achieved, current.is_finite()) {
            (Some(achieved), true) => achieved.min(current),
            (Some(achieved), false) => achieved,
            (None, true) => current,
            // No answer has come through yet: nothing to cut from. The
            // retry policy's backoff and `Retry-After` space the retries.
            (None, false) => return,
        }
        .max(MIN_RATE);
        // One cut takes at most this much off, whatever was measured.
        let w_max = if current.is_finite() {
            w_max.max(MAX_CUT_FLOOR * current)
        } else {
            w_max
        };
        let rate = (beta * w_max).max(MIN_RATE);
        // Recover to w_max in RECOVERY whatever beta was: start the cubic
        // later for a smaller cut.
        let k = RECOVERY.as_secs_f64() - ((1.0 - beta) / cubic_scale()).cbrt();
        let since = now
            .checked_sub(Duration::from_secs_f64(k.max(0.0)))
            .unwrap_or(now);
        self.phase = match self.phase {
            // Latency alone, with no limit ever hit, says "slower", not
            // where a limit is: probing goes on from the cut rate.
            Phase::Probing { .. } if signal == Signal::Latency => Phase::Probing {
                since: now,
                from: rate,
            },
            _ => Phase::Recovering { since, w_max },
        };
        self.last_cut = Some(now);
        self.cuts += 1;
        self.episode_rtt = None;
        self.episode_answers = 0;
        let spaced = now + Duration::from_secs_f64(1.0 / rate);
        self.next_send = Some(self.next_send.map_or(spaced, |next| next.max(spaced)));
        tracing::debug!(w_max, rate, beta, "send rate cut");
    }

    pub(crate) fn snapshot(&self, now: Instant) -> Snapshot {
        Snapshot {
            rate: self.rate(now),
            throttled: self.throttled,
            cuts: self.cuts,
        }
    }
}

/// The cubic's scale relative to `w_max`: back from [`THROTTLE_BETA`] to
/// 1 in [`RECOVERY`].
fn cubic_scale() -> f64 {
    (1.0 - THROTTLE_BETA) / RECOVERY.as_secs_f64().powi(3)
}

/// A client's send rate, shared by its clones (see the module docs).
#[derive(Debug)]
pub(crate) struct RateController {
    core: Mutex<Core>,
}

impl RateController {
    pub(crate) fn new(adaptive: bool, ceiling: Option<f64>) -> RateController {
        RateController {
            core: Mutex::new(Core::new(adaptive, ceiling)),
        }
    }

    fn core(&self) -> std::sync::MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a send slot and returns when the request went. Each wait
    /// is until the next slot; a cut meanwhile pushes the slot later, so
    /// waiters see it. Bounded by the caller's budget. `probe`: the
    /// request probes for the rate (an adaptive listing's page).
    pub(crate) async fn acquire_as(&self, probe: bool) -> Instant {
        loop {
            let now = Instant::now();
            let wait = match self.core().try_acquire(now, probe) {
                Ok(()) => return now,
                Err(wait) => wait,
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Reports how the attempt that [`acquire_as`](Self::acquire_as) let go at
    /// `sent_at` went.
    pub(crate) fn report(&self, sent_at: Instant, outcome: Outcome) {
        self.core().report(sent_at, Instant::now(), outcome);
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.core().snapshot(Instant::now())
    }
}

#[cfg(test)]
mod sim;

#[cfg(test)]
mod tests {
    use super::sim::{Bucket, noisy};
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn answered(core: &mut Core, at: Instant, latency: Duration) {
        core.report(at, at + latency, Outcome::Answered(latency));
    }

    #[test]
    fn unpaced_until_the_first_answer_then_the_initial_window_per_round_trip() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        assert_eq!(core.rate(t0), None);
        for _ in 0..100 {
            assert_eq!(core.try_acquire(t0, true), Ok(()));
        }
        answered(&mut core, t0, 20 * MS);
        let rate = core.rate(t0 + 20 * MS).unwrap();
        assert!((rate - 100.0).abs() < 1e-9, "{rate}");
        // A fixed-concurrency request is not held back before a throttle.
        assert_eq!(core.try_acquire(t0 + 20 * MS, false), Ok(()));
        // Paced: slots 1/100 s apart, taken up to 5 ms early.
        let now = t0 + 20 * MS;
        assert_eq!(core.try_acquire(now, true), Ok(()));
        assert_eq!(core.try_acquire(now, true), Err(5 * MS));
    }

    #[test]
    fn probing_doubles_every_doubling_period_within_twice_the_achieved() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        answered(&mut core, t0, 10 * MS); // from 2 / 10 ms = 200/s at t0 + 10 ms
        let start = t0 + 10 * MS;
        // Nothing more achieved: the floor (the starting rate) holds.
        let later = start + DOUBLING * 2;
        let held = core.rate(later).unwrap();
        assert!((held - 200.0).abs() < 1e-6, "{held}");
        // Answers at 1,000/s: the cap (2 × achieved) allows two doublings.
        let mut t = start;
        while t < later {
            core.report(t, t, Outcome::Answered(10 * MS));
            t += MS;
        }
        let rate = core.rate(later).unwrap();
        assert!((rate - 800.0).abs() < 8.0, "{rate}");
    }

    #[test]
    fn probing_that_is_answered_in_full_is_not_held_back_by_its_past() {
        // Every slot taken and answered 20 ms later: the cap measures
        // over one doubling period, so the rate doubles every DOUBLING as
        // if nothing capped it. (Over 250 ms, 2 × the achieved average
        // would hold it to about 520/s here.)
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        answered(&mut core, t0, 20 * MS); // 100/s from t0 + 20 ms
        let start = t0 + 20 * MS;
        let end = start + DOUBLING * 3;
        let mut in_flight = VecDeque::new();
        let mut t = start;
        while t < end {
            while core.try_acquire(t, true).is_ok() {
                in_flight.push_back(t);
            }
            while in_flight.front().is_some_and(|sent| *sent + 20 * MS <= t) {
                let sent = in_flight.pop_front().unwrap();
                core.report(sent, t, Outcome::Answered(20 * MS));
            }
            t += MS / 4;
        }
        let rate = core.rate(end).unwrap();
        assert!(rate >= 0.95 * 800.0, "{rate}");
    }

    #[test]
    fn a_throttle_cuts_once_per_episode_and_recovers_along_a_cubic() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        // 100 answers at 50/s, 20 ms each.
        let mut t = t0;
        for _ in 0..100 {
            answered(&mut core, t, 20 * MS);
            t += 20 * MS;
        }
        let cut_at = t;
        core.report(cut_at - 20 * MS, cut_at, Outcome::Throttled);
        let after = core.rate(cut_at).unwrap();
        assert!((after - 35.0).abs() < 1.0, "{after}");
        // Requests sent before the cut are answered 429 too: no new cut.
        for _ in 0..5 {
            core.report(cut_at - MS, cut_at + MS, Outcome::Throttled);
        }
        assert_eq!(core.snapshot(cut_at).cuts, 1);
        assert_eq!(core.snapshot(cut_at).throttled, 6);
        // Back near 50/s after RECOVERY, flat around it, growing past it.
        // (Answers keep the "twice the achieved" cap out of the way.)
        let mut t = cut_at;
        let mut at = |secs: f64, core: &mut Core| {
            let end = cut_at + Duration::from_secs_f64(secs);
            while t < end {
                answered(core, t, 20 * MS);
                t += 20 * MS;
            }
            core.rate(end).unwrap()
        };
        let r1 = at(1.0, &mut core);
        let r3 = at(3.0, &mut core);
        let r5 = at(5.0, &mut core);
        assert!(r1 > 35.0 && r1 < 49.0, "{r1}");
        assert!((r3 - 50.0).abs() < 0.5, "{r3}");
        assert!(r5 > 50.5, "{r5}");
        // A 429 for a request sent after the cut is a new episode.
        core.report(cut_at + MS, cut_at + 20 * MS, Outcome::Throttled);
        assert_eq!(core.snapshot(cut_at).cuts, 2);
    }

    #[test]
    fn rising_latency_cuts_less_than_a_throttle() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        let mut t = t0;
        for _ in 0..50 {
            answered(&mut core, t, 20 * MS);
            t += 20 * MS;
        }
        assert_eq!(core.snapshot(t).cuts, 0);
        // Round trips grow to 80 ms: queueing.
        for _ in 0..50 {
            answered(&mut core, t, 80 * MS);
            t += 20 * MS;
        }
        let snapshot = core.snapshot(t);
        assert!(snapshot.cuts >= 1, "{snapshot:?}");
        assert_eq!(snapshot.throttled, 0);
    }

    #[test]
    fn the_ceiling_always_holds_and_a_fixed_client_only_obeys_it() {
        let t0 = Instant::now();
        let mut fixed = Core::new(false, Some(5.0));
        assert_eq!(fixed.rate(t0), Some(5.0));
        fixed.report(t0, t0, Outcome::Throttled);
        assert_eq!(fixed.rate(t0), Some(5.0), "not adaptive: no cut");
        // Asked every millisecond for 10 s: 5 per second, no burst.
        let allowed = (0..10_000)
            .filter(|ms| fixed.try_acquire(t0 + *ms * MS, false).is_ok())
            .count();
        assert!((50..=51).contains(&allowed), "{allowed}");
        assert_eq!(Core::new(false, None).rate(t0), None);
        let mut adaptive = Core::new(true, Some(10.0));
        answered(&mut adaptive, t0, MS); // 1000/s from the round trip
        assert_eq!(adaptive.rate(t0 + MS), Some(10.0));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Core::new(false, Some(bad)).rate(t0), None);
        }
    }

    #[test]
    fn never_below_the_floor_and_no_cut_before_any_answer() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        // 429s before anything got through: nothing to cut from, the
        // retry policy's backoff spaces the retries.
        core.report(t0, t0, Outcome::Throttled);
        assert_eq!((core.rate(t0), core.snapshot(t0).cuts), (None, 0));
        answered(&mut core, t0, 20 * MS);
        for i in 0..50u32 {
            let t = t0 + Duration::from_secs(i.into());
            core.report(t, t, Outcome::Throttled);
        }
        assert!(core.rate(t0 + Duration::from_secs(50)).unwrap() >= MIN_RATE);
    }

    /// A listing of `pages` pages, `lookahead` at most in flight and
    /// yielded in order, against a gateway bucket of `limit` per second
    /// and `burst` ([`Bucket`]), every answer after `latency`; a 429 is
    /// retried after its `Retry-After`. Returns (seconds,
    /// requests, 429s).
    fn simulate(
        pages: usize,
        lookahead: usize,
        limit: Option<(f64, f64)>,
        latency: Duration,
    ) -> (f64, u64, u64) {
        simulate_with(pages, lookahead, limit, &|_| latency)
    }

    /// [`simulate`] with a round trip that depends on when the request is
    /// sent (time since the start).
    fn simulate_with(
        pages: usize,
        lookahead: usize,
        limit: Option<(f64, f64)>,
        latency: &dyn Fn(Duration) -> Duration,
    ) -> (f64, u64, u64) {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        let mut bucket = limit.map(|(rate, burst)| Bucket::new(rate, burst, t0));
        // Per page: when it may be (re)sent, and when it is done.
        let mut ready: Vec<Option<Instant>> = vec![None; pages];
        let mut done: Vec<bool> = vec![false; pages];
        // (at, sent, page, the Retry-After of a 429)
        let mut answers: Vec<(Instant, Instant, usize, Option<Duration>)> = Vec::new();
        let (mut requests, mut throttled) = (0u64, 0u64);
        let mut now = t0;
        let mut yielded = 0;
        let step = Duration::from_micros(250);
        let mut started = 1; // pages started: the first alone until answered
        ready[0] = Some(t0);
        let mut first_answered = false;
        for _ in 0..10_000_000 {
            if yielded == pages {
                break;
            }
            // Answers due.
            answers.sort_by_key(|a| std::cmp::Reverse(a.0));
            while answers.last().is_some_and(|a| a.0 <= now) {
                let (at, sent, page, refused) = answers.pop().unwrap();
                if let Some(retry_after) = refused {
                    core.report(sent, at, Outcome::Throttled);
                    ready[page] = Some(at + retry_after);
                } else {
                    core.report(sent, at, Outcome::Answered(at - sent));
                    done[page] = true;
                    first_answered = true;
                }
            }
            while yielded < pages && done[yielded] {
                yielded += 1;
            }
            if first_answered {
                while started < pages && started < yielded + lookahead {
                    ready[started] = Some(now);
                    started += 1;
                }
            }
            // Sends due, in page order.
            for (page, due) in ready.iter_mut().enumerate().take(started) {
                if due.is_some_and(|r| r <= now) && core.try_acquire(now, true).is_ok() {
                    *due = None;
                    requests += 1;
                    let refused = bucket.as_mut().and_then(|b| b.take(now).err());
                    if refused.is_some() {
                        throttled += 1;
                    }
                    answers.push((now + latency(now - t0), now, page, refused));
                }
            }
            now += step;
        }
        ((now - t0).as_secs_f64(), requests, throttled)
    }

    #[test]
    fn simulated_gateway_limit_is_approached_with_few_429s() {
        let mut report = Vec::new();
        // (limit, burst, most 429s as a share of requests, pages in
        // flight). Probing fast enough to fill a fast service in well
        // under a second overruns a small limit, or one a large burst
        // hides, by a few requests before the first 429 says where it is:
        // 2 % of a 10-second listing at 50/s or more, up to 4 % below or
        // with a whole second of burst.
        // A 429's retry waits a whole second (`Retry-After: 1`), so the
        // pages in flight must cover a second at the limit, or the
        // listing stalls behind the page that waits: 128 for 100/s.
        for (limit, burst, share_bound, lookahead) in [
            (50.0, 10.0, 0.02, 64),
            (100.0, 20.0, 0.02, 128),
            (20.0, 4.0, 0.04, 64),
            (50.0, 50.0, 0.04, 64),
        ] {
            let pages = (limit * 10.0) as usize;
            let (secs, requests, throttled) =
                simulate(pages, lookahead, Some((limit, burst)), 20 * MS);
            let achieved = pages as f64 / secs;
            let share = throttled as f64 / requests as f64;
            let line = format!(
                "limit {limit}/s burst {burst}: {achieved:.1}/s, {throttled} of {requests} throttled"
            );
            report.push((achieved >= 0.9 * limit && share <= share_bound, line));
        }
        assert!(report.iter().all(|(ok, _)| *ok), "{report:#?}");
    }

    #[test]
    fn simulated_unlimited_service_is_not_held_back_much() {
        // 500 pages at 20 ms with 64 in flight at most: the ceiling alone
        // would take 8 round trips (0.16 s); probing costs a few more.
        let (secs, requests, throttled) = simulate(500, 64, None, 20 * MS);
        assert_eq!((requests, throttled), (500, 0));
        let sequential = 500.0 * 0.020;
        assert!(sequential / secs >= 10.0, "{secs:.3} s");
    }

    #[test]
    fn latency_noise_does_not_spiral_the_rate_down() {
        // Against a 50/s limit: the rate stays near it despite the noise.
        let pages = 500;
        let (secs, _, throttled) = simulate_with(pages, 64, Some((50.0, 10.0)), &noisy);
        let achieved = pages as f64 / secs;
        // Without a limit: far ahead of one page at a time.
        let (unlimited, requests, _) = simulate_with(pages, 64, None, &noisy);
        let sequential = 500.0 * 0.020;
        assert!(achieved >= 0.8 * 50.0, "{achieved:.1}/s, {throttled} 429s");
        assert_eq!(requests, 500);
        // 4.4× here (10× with steady round trips); a rate spiralling down
        // on the noise would end near 1×.
        assert!(sequential / unlimited >= 3.0, "{unlimited:.3} s");
    }

    #[test]
    fn latency_cuts_wait_for_the_rate_to_recover() {
        let t0 = Instant::now();
        let mut core = Core::new(true, None);
        let mut t = t0;
        // 40 requests/s, 5 ms round trips, a 429 (a limit was found),
        // then 60 ms for 10 s (a busy machine): the noise cuts at most
        // once per recovery, and the rate stays near the limit.
        for _ in 0..40 {
            answered(&mut core, t, 5 * MS);
            t += 25 * MS;
        }
        core.report(t - 5 * MS, t, Outcome::Throttled);
        assert_eq!(core.snapshot(t).cuts, 1);
        for _ in 0..400 {
            answered(&mut core, t, 60 * MS);
            t += 25 * MS;
        }
        let snapshot = core.snapshot(t);
        assert!(
            (2..=1 + 10_000 / 2_300).contains(&(snapshot.cuts as usize)),
            "{snapshot:?}"
        );
        assert!(snapshot.rate.unwrap() >= 20.0, "{snapshot:?}");
    }
}
