//! The warning a clock-skew correction logs: the measured skew, with its
//! sign, once per correction. In a test binary of its own, because tracing
//! caches per call site whether anyone listens, and tests running in
//! parallel threads without a subscriber at the same call site race with
//! this one's thread-local subscriber.

mod support;

use hss_ext::prelude::*;
use hss_ext::{Credentials, SecretString};
use hss_fake::FakeHss;
use support::Captured;

#[tokio::test]
async fn the_correction_warns_with_the_measured_skew_once() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let text = || captured.text();

    for (minutes, sign) in [(20i64, "+"), (-20, "-")] {
        let fake = FakeHss::builder()
            .seed(43)
            .hosts(100)
            .clock_offset(time::Duration::minutes(minutes))
            .start()
            .await
            .unwrap();
        let key = fake.access_key();
        let client = HssClient::builder()
            .endpoint_url(fake.base_url())
            .credentials(Credentials::ak_sk(
                key.ak.clone(),
                SecretString::from(key.sk.clone()),
            ))
            .project_id(fake.project_id())
            .build()
            .unwrap();
        let before = text().matches(" WARN ").count();
        client
            .collect_hosts(HostQuery::new(fake.task_id()), ListOptions::default())
            .await
            .unwrap();
        let log = text();
        assert_eq!(
            log.matches(" WARN ").count(),
            before + 1,
            "warned once: {log}"
        );
        let last = log.lines().last().unwrap_or_default();
        assert!(last.contains(&format!("local clock is {sign}1")), "{last}");
        let skew: i64 = last
            .split("skew_seconds=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no skew_seconds in {last}"));
        assert!((skew - minutes * 60).abs() <= 2, "{skew} for {minutes} min");
        assert!(!log.contains(&key.sk), "no secret in the warning");
    }
}
