//! The API gateway simulated in process, for what the send rate, the
//! retries and the listing engine do in time, in virtual time.
//!
//! [`Bucket`] is the gateway's limit (the one rule both simulations use);
//! [`Gateway`] answers a real client's listing, through the real retry
//! loop, rate controller and listing engine, on tokio's paused clock:
//! nothing depends on how fast the machine running the tests is, so
//! counts of `429`s and rates achieved are exact and asserted tightly.
//! A loaded machine is simulated too, as round trips that stretch
//! ([`noisy`]). The tests against the fake over loopback
//! (`tests/throttled.rs`) keep what holds at any speed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hss_operations::{self as operations, Operation};
use reqwest::StatusCode;
use tokio::time::Instant;

use crate::call::Op;
use crate::client::{HssClient, HssClientBuilder};
use crate::error::{Error, ServiceError};
use crate::listing::ListOptions;
use crate::lists::{ItemPage, ListQuery, PageAnswer, PageFuture, Sealed};
use crate::rate::PACING_SLACK;
use crate::retry::RetryPolicy;

const MS: Duration = Duration::from_millis(1);

/// The gateway's limit per credential: a token bucket of `burst` tokens,
/// full at the start, refilled at `rate` per second.
#[derive(Debug)]
pub(super) struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub(super) fn new(rate: f64, burst: f64, now: Instant) -> Bucket {
        Bucket {
            rate,
            burst,
            tokens: burst,
            at: now,
        }
    }

    /// Takes a token at `now`, or refuses with the `Retry-After` of the
    /// `429`: the whole seconds until a token, at least 1 (the header has
    /// no fractions), as the gateway and `hss-fake` answer.
    pub(super) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = self.at.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let seconds = ((1.0 - self.tokens) / self.rate).ceil().max(1.0);
        Err(Duration::from_secs_f64(seconds.min(3600.0)))
    }
}

/// Round trips of 20 ms, but 100 ms for 150 ms of every 500 ms: what a
/// loaded client machine (or a noisy path) does to them, whatever the
/// rate. `since_start` is when the request went.
pub(super) fn noisy(since_start: Duration) -> Duration {
    if since_start.as_millis() % 500 < 150 {
        100 * MS
    } else {
        20 * MS
    }
}

/// One request as the gateway received it.
#[derive(Clone, Copy, Debug)]
struct Received {
    at: Instant,
    offset: u64,
    /// The `Retry-After` of its `429`; `None` when it got through.
    refused: Option<Duration>,
}

/// A task of `hosts` hosts behind a gateway that limits by a [`Bucket`]
/// (or not at all), answering after the round trip `latency` gives for
/// the time since the start (half on the way there, half back).
#[derive(Debug)]
struct Gateway {
    hosts: u64,
    bucket: Mutex<Option<Bucket>>,
    latency: fn(Duration) -> Duration,
    started: Instant,
    log: Mutex<Vec<Received>>,
    /// How long each answer took, from its request to the client taking
    /// it: its round trip unless the client left it waiting.
    took: Mutex<Vec<Duration>>,
    /// Requests in flight now, and the most there were at once.
    in_flight: Mutex<(usize, usize)>,
}

impl Gateway {
    fn new(hosts: u64, limit: Option<(f64, f64)>, latency: fn(Duration) -> Duration) -> Arc<Self> {
        let started = Instant::now();
        Arc::new(Gateway {
            hosts,
            bucket: Mutex::new(limit.map(|(rate, burst)| Bucket::new(rate, burst, started))),
            latency,
            started,
            log: Mutex::new(Vec::new()),
            took: Mutex::new(Vec::new()),
            in_flight: Mutex::new((0, 0)),
        })
    }

    async fn serve(&self, offset: u64, limit: u32) -> Result<ItemPage<String>, Error> {
        let sent = Instant::now();
        {
            let (now, most) = &mut *self.in_flight.lock().unwrap();
            *now += 1;
            *most = (*most).max(*now);
        }
        let round_trip = (self.latency)(sent - self.started);
        tokio::time::sleep(round_trip / 2).await;
        let now = Instant::now();
        let verdict = match self.bucket.lock().unwrap().as_mut() {
            Some(bucket) => bucket.take(now),
            None => Ok(()),
        };
        self.log.lock().unwrap().push(Received {
            at: now,
            offset,
            refused: verdict.err(),
        });
        tokio::time::sleep(round_trip - round_trip / 2).await;
        self.took.lock().unwrap().push(sent.elapsed());
        self.in_flight.lock().unwrap().0 -= 1;
        match verdict {
            Ok(()) => Ok(ItemPage::new(
                Some(self.hosts),
                (offset..(offset + u64::from(limit)).min(self.hosts))
                    .map(|i| format!("h{i}"))
                    .collect(),
                None,
            )),
            Err(retry_after) => Err(Error::Service(Box::new(ServiceError {
                status: StatusCode::TOO_MANY_REQUESTS,
                error_code: Some("APIGW.0308".into()),
                error_msg: Some("The throttling threshold has been reached".into()),
                request_id: None,
                encoded_authorization_message: None,
                retry_after: Some(retry_after),
                body_snippet: None,
            }))),
        }
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    fn throttled(&self) -> usize {
        self.received()
            .iter()
            .filter(|r| r.refused.is_some())
            .count()
    }

    /// Checks that a `429` never added load: each refused request was sent
    /// again once, no sooner than its `Retry-After`, and every page got
    /// through `listings` times. Returns the most `429`s one page drew.
    fn each_429_retried_once_after_its_retry_after(&self, listings: usize) -> usize {
        let mut by_page: BTreeMap<u64, Vec<Received>> = BTreeMap::new();
        for received in self.received() {
            by_page.entry(received.offset).or_default().push(received);
        }
        let mut most = 0;
        for (offset, requests) in &by_page {
            let refused = requests.iter().filter(|r| r.refused.is_some()).count();
            assert_eq!(
                requests.len(),
                listings + refused,
                "page {offset}: {requests:?}"
            );
            most = most.max(refused.div_ceil(listings));
            if listings == 1 {
                for pair in requests.windows(2) {
                    let wait = pair[0].refused.expect("only a 429 is sent again");
                    assert!(pair[1].at >= pair[0].at + wait, "page {offset}: {pair:?}");
                }
            }
        }
        most
    }
}

/// A listing of the simulated task: its pages go through the client's
/// real retry loop ([`HssClient::call_with`]) and listing engine.
#[derive(Clone, Debug)]
struct SimulatedQuery(Arc<Gateway>);

impl Sealed for SimulatedQuery {}

impl ListQuery for SimulatedQuery {
    type Item = String;
    const OPERATION: &'static Operation = operations::LIST_VUL_SCAN_TASK_HOST;
    const ITEMS: &'static str = "hosts";
    const ID_FIELD: &'static str = "host_id";

    fn check(&self, _: Option<&str>) -> Result<(), Error> {
        Ok(())
    }

    fn identity(host: &String) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(host))
    }

    fn start_offset(&self) -> u32 {
        0
    }

    fn fetch_page(&self, client: &HssClient, offset: u32, limit: u32) -> PageFuture<String> {
        let (client, gateway) = (client.clone(), self.0.clone());
        Box::pin(async move {
            let send = |_project: String| {
                let gateway = gateway.clone();
                async move { (gateway.serve(offset.into(), limit).await, None) }
            };
            client
                .call_with(Op::of(Self::OPERATION), Some("project"), send)
                .await
                .map(PageAnswer::ready)
        })
    }
}

/// A client of the simulated gateway (never connects anywhere).
fn client() -> HssClientBuilder {
    HssClient::builder()
        .endpoint_url("http://127.0.0.1:9")
        .without_credentials()
        .project_id("project")
}

/// What one listing came to.
#[derive(Debug)]
struct Listed {
    hosts: usize,
    distinct: usize,
    seconds: f64,
}

async fn list(client: &HssClient, gateway: &Arc<Gateway>, options: ListOptions) -> Listed {
    let started = Instant::now();
    let hosts = client
        .collect_all(SimulatedQuery(gateway.clone()), options)
        .await
        .expect("the listing completes");
    let distinct = hosts.iter().collect::<std::collections::HashSet<_>>().len();
    Listed {
        hosts: hosts.len(),
        distinct,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn loopback(_: Duration) -> Duration {
    2 * MS
}

fn path(_: Duration) -> Duration {
    20 * MS
}

fn far(_: Duration) -> Duration {
    100 * MS
}

#[tokio::test(start_paused = true)]
async fn an_adaptive_listing_comes_near_the_limit_with_few_429s_at_any_round_trip() {
    // 150 pages of 10 against 40 requests/s with a burst of 8, 64 pages in
    // flight at most: about 3.6 s at the limit. Round trips from a fake on
    // loopback to a loaded machine's: the 429s are the first overrun of
    // the burst and a few probes, never one per page over the rate. The
    // clock is virtual, so the counts are exact (13, 5, 12 and 1 today);
    // the bounds are those, as the rate reached is today's (39.3, 37.4,
    // 34.6 and 35.6 pages/s) less a little.
    let mut report = Vec::new();
    for (name, latency, most_429s) in [
        ("loopback", loopback as fn(Duration) -> Duration, 13),
        ("20 ms", path, 5),
        ("100 ms", far, 12),
        ("noisy", noisy, 1),
    ] {
        let gateway = Gateway::new(1_500, Some((40.0, 8.0)), latency);
        let client = client().build().unwrap();
        let options = ListOptions::default().page_size(10).adaptive(64);
        let listed = list(&client, &gateway, options).await;
        assert_eq!((listed.hosts, listed.distinct), (1_500, 1_500), "{name}");
        let throttled = gateway.throttled();
        assert_eq!(client.throttled_answers(), throttled as u64, "{name}");
        assert!(
            client.send_rate().is_some(),
            "{name}: the client learnt a rate"
        );
        gateway.each_429_retried_once_after_its_retry_after(1);
        let achieved = 150.0 / listed.seconds;
        report.push(format!("{name}: {throttled} 429s, {achieved:.1} pages/s"));
        assert!(throttled <= most_429s, "{report:#?}");
        assert!(achieved >= 0.85 * 40.0, "{report:#?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_ceiling_spaces_every_request_by_its_interval_and_no_more() {
    let gateway = Gateway::new(300, None, loopback);
    let client = client().max_requests_per_second(25.0).build().unwrap();
    let options = ListOptions::default().page_size(10).concurrency(16);
    let listed = list(&client, &gateway, options).await;
    assert_eq!((listed.hosts, listed.distinct), (300, 300));
    let sent: Vec<Instant> = gateway.received().iter().map(|r| r.at).collect();
    assert_eq!(sent.len(), 30);
    // Slots 40 ms apart, no burst; a slot may be taken PACING_SLACK early,
    // which moves that request, not the slots after it.
    let interval = 40 * MS;
    for pair in sent.windows(2) {
        assert!(pair[1] - pair[0] >= interval - PACING_SLACK, "{sent:?}");
    }
    assert!(sent[29] - sent[0] >= 29 * interval - PACING_SLACK);
    // And nothing slower than the ceiling asks: the last slot, then its
    // round trip.
    let bound = (29 * interval + loopback(Duration::ZERO) * 2).as_secs_f64();
    assert!(listed.seconds <= bound, "{listed:?}");
    assert_eq!(gateway.throttled(), 0);
}

#[tokio::test(start_paused = true)]
async fn clones_share_one_rate_and_draw_fewer_429s_than_two_clients() {
    let options = ListOptions::default().page_size(10).adaptive(32);
    let limit = Some((30.0, 5.0));
    let shared = Gateway::new(600, limit, loopback);
    let first = client().build().unwrap();
    let second = first.clone();
    let (a, b) = tokio::join!(
        list(&first, &shared, options),
        list(&second, &shared, options)
    );
    assert_eq!(
        (a.hosts, a.distinct, b.hosts, b.distinct),
        (600, 600, 600, 600)
    );
    assert_eq!(first.throttled_answers(), second.throttled_answers());
    assert_eq!(first.throttled_answers(), shared.throttled() as u64);
    shared.each_429_retried_once_after_its_retry_after(2);

    // Two clients of one credential, each probing on its own.
    let apart = Gateway::new(600, limit, loopback);
    let (one, two) = (client().build().unwrap(), client().build().unwrap());
    let (a, b) = tokio::join!(list(&one, &apart, options), list(&two, &apart, options));
    assert_eq!((a.hosts, b.hosts), (600, 600));
    let (shared, apart) = (shared.throttled(), apart.throttled());
    // 15 and 29 today: one rate finds the limit once for both.
    assert!(
        shared <= 15,
        "{shared} 429s sharing one rate, {apart} apart"
    );
    assert!(
        apart >= shared * 3 / 2,
        "{shared} 429s shared, {apart} apart"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_never_multiplies_the_load() {
    // 2 requests per second, a burst of 1, 32 pages in flight allowed: a
    // client that retried every 429 at once would send hundreds.
    // 14 429s on loopback today (the first burst of 7 pages meets one
    // token, and their retries are spread by the cut rate), 4 with noisy
    // round trips.
    for (latency, most_429s) in [(loopback as fn(Duration) -> Duration, 14), (noisy, 4)] {
        let gateway = Gateway::new(80, Some((2.0, 1.0)), latency);
        let client = client().build().unwrap();
        let options = ListOptions::default().page_size(10).adaptive(32);
        let listed = list(&client, &gateway, options).await;
        assert_eq!((listed.hosts, listed.distinct), (80, 80));
        let most = gateway.each_429_retried_once_after_its_retry_after(1);
        let throttled = gateway.throttled();
        assert!(most < RetryPolicy::default().max_attempts() as usize);
        assert!(throttled <= most_429s, "{throttled} 429s for 8 pages");
    }
}

#[tokio::test(start_paused = true)]
async fn a_fixed_concurrency_listing_is_paced_once_throttled() {
    // 32 pages at once against a burst of 8: a storm of 429s at first,
    // then every request, retries included, waits for the learnt rate.
    // The opening storm (32 - 8 = 24) and a few probes after it: 47, 31
    // and 25 429s today, where a client that did not slow down would draw
    // one for every page over the rate.
    for (latency, most_429s) in [
        (loopback as fn(Duration) -> Duration, 47),
        (path, 31),
        (noisy, 25),
    ] {
        let gateway = Gateway::new(1_000, Some((40.0, 8.0)), latency);
        let client = client().build().unwrap();
        let options = ListOptions::default().page_size(10).concurrency(32);
        let listed = list(&client, &gateway, options).await;
        assert_eq!((listed.hosts, listed.distinct), (1_000, 1_000));
        gateway.each_429_retried_once_after_its_retry_after(1);
        let throttled = gateway.throttled();
        assert!(throttled <= most_429s, "{throttled} 429s for 100 pages");
        assert!(client.send_rate().is_some(), "paced once throttled");
    }
}

/// Pages fetched ahead are taken as they are answered while the consumer
/// is busy with another for longer than any request timeout: none waits
/// for the consumer (a page fetched ahead but not polled would time out),
/// and none is sent twice.
#[tokio::test(start_paused = true)]
async fn a_slow_consumer_holds_up_no_page_in_flight() {
    let gateway = Gateway::new(1_000, None, path);
    let client = client().build().unwrap();
    let options = ListOptions::default().concurrency(4);
    let mut pages = std::pin::pin!(client.list_all_pages(SimulatedQuery(gateway.clone()), options));
    let mut hosts = 0;
    while let Some(page) = futures::StreamExt::next(&mut pages).await {
        hosts += page.unwrap().items.len();
        tokio::time::sleep(Duration::from_secs(120)).await;
    }
    assert_eq!(hosts, 1_000);
    let mut offsets: Vec<u64> = gateway.received().iter().map(|r| r.offset).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, [0, 200, 400, 600, 800]);
    assert_eq!(*gateway.took.lock().unwrap(), [path(Duration::ZERO); 5]);
}

/// A listing at concurrency 8 keeps exactly 8 pages in flight after the
/// first (which alone tells how many there are), never more.
#[tokio::test(start_paused = true)]
async fn pages_after_the_first_go_as_many_at_a_time_as_asked() {
    let gateway = Gateway::new(5_000, None, path);
    let client = client().build().unwrap();
    let listed = list(&client, &gateway, ListOptions::default().concurrency(8)).await;
    assert_eq!((listed.hosts, listed.distinct), (5_000, 5_000));
    assert_eq!(gateway.in_flight.lock().unwrap().1, 8);
    // 25 pages: the first, then 24 eight at a time, one round trip each.
    assert_eq!(listed.seconds, (path(Duration::ZERO) * 4).as_secs_f64());
}

/// The budget bounds a call in time, the attempt in flight included: an
/// answer that never comes ends the listing at the budget exactly.
#[tokio::test(start_paused = true)]
async fn the_budget_ends_a_call_whose_answer_never_comes() {
    let gateway = Gateway::new(100, None, |_| Duration::from_secs(3_600));
    let budget = Duration::from_secs(10);
    let client = client()
        .retry(RetryPolicy::default().with_budget(budget))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .collect_all(SimulatedQuery(gateway.clone()), ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(started.elapsed(), budget);
    assert!(gateway.received().is_empty(), "never reached the gateway");
}
