//! What reaches stderr besides the error line: the libraries' warnings,
//! one plain line each by default, none with `--quiet`, tracing's own
//! format with `RUST_LOG`; and errors in the command line's words (its
//! flags, how to go on), not the libraries'.

mod support;

use hss_fake::FakeHss;
use support::{Fake, hss};

/// A fake whose clock runs 20 minutes ahead: the first request's
/// signature is refused as expired, the client corrects its clock and
/// warns, the second is accepted.
fn skewed() -> Fake {
    Fake::start(
        FakeHss::builder()
            .seed(8)
            .hosts(20)
            .clock_offset(hss_fake::time::Duration::minutes(20)),
    )
}

fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let output = cmd.output().expect("hss runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_library_warning_reaches_stderr_as_one_plain_line() {
    let fake = skewed();
    let (code, out, err) = run(&mut fake.hosts());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("hosts 1-10 of 20"), "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    let line = lines[0];
    assert!(
        line.starts_with(
            "warning: the gateway refused the signature as expired: the local clock is +1"
        ),
        "{line}"
    );
    assert!(
        line.contains(" skew_seconds=1"),
        "the fields follow: {line}"
    );
    // No time stamp, level column, target, span or colour.
    for noise in ["WARN", "hss_ext", "hss.request", "\u{1b}["] {
        assert!(!line.contains(noise), "{noise:?} in {line}");
    }
    assert!(!err.contains(&fake.fake.access_key().sk), "no secret");
}

#[test]
fn quiet_silences_the_warnings() {
    let fake = skewed();
    for flag in ["--quiet", "-q"] {
        let (code, out, err) = run(fake.hosts().arg(flag));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("hosts 1-10 of 20"), "{out}");
        assert_eq!(err, "", "{flag}");
    }
    // Global: before the command too.
    let key = fake.fake.access_key();
    let (code, _, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["-q", "scan-task", "hosts", "--endpoint"])
        .arg(fake.fake.base_url())
        .args(["--task-id", &fake.fake.task_id()]));
    assert_eq!((code, err.as_str()), (0, ""));
    // Errors are still said.
    let (code, _, err) = run(fake.hosts_of("no-such-task").arg("-q"));
    assert_eq!(code, 1);
    assert!(err.starts_with("error: "), "{err}");
}

#[test]
fn rust_log_still_chooses_what_is_logged_and_how() {
    let fake = skewed();
    let (code, _, err) = run(fake.hosts().env("RUST_LOG", "hss_ext=info"));
    assert_eq!(code, 0, "{err}");
    let warning = err
        .lines()
        .find(|l| l.contains("refused the signature as expired"))
        .unwrap_or_else(|| panic!("no warning in {err}"));
    assert!(warning.contains("WARN"), "tracing's format: {warning}");
    assert!(
        warning.contains("hss_ext::auth"),
        "with the target: {warning}"
    );
    // A filter that leaves hss_ext out leaves its warning out.
    let (code, _, err) = run(fake.hosts().env("RUST_LOG", "hss_auth=debug"));
    assert_eq!((code, err.as_str()), (0, ""));
    // RUST_LOG wins over --quiet, as cargo's CARGO_LOG over -q.
    let (_, _, err) = run(fake.hosts().arg("-q").env("RUST_LOG", "hss_ext=warn"));
    assert!(err.contains("refused the signature as expired"), "{err}");
    let (_, _, err) = run(fake.hosts().env("RUST_LOG", "off"));
    assert_eq!(err, "");
}

#[test]
fn plain_http_to_another_host_names_what_hss_allows() {
    let fake = Fake::fixture();
    let (code, out, err) = run(hss(fake.home())
        .env("HUAWEICLOUD_SDK_TOKEN", "MIItoken")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "p")
        .args(["scan-task", "hosts", "--task-id", "t"])
        .args(["--endpoint", "http://hss.example.invalid"]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: configuration: --endpoint: plain http to hss.example.invalid would send signed requests and results in clear; use https (hss sends plain http only to a loopback host, such as a local hss-fake)\n"
    );
    // Other endpoint errors name the flag too, never the library's API.
    for (flags, expected) in [
        (
            &["--endpoint", "https://hss.example.invalid/v5"][..],
            "error: configuration: --endpoint: an endpoint is scheme://host[:port] only; remove the path",
        ),
        (&["--region", "xx-nowhere-1"], "or pass --endpoint URL"),
    ] {
        let (code, _, err) = run(hss(fake.home())
            .env("HUAWEICLOUD_SDK_TOKEN", "MIItoken")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "p")
            .args(["scan-task", "hosts", "--task-id", "t"])
            .args(flags));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{flags:?}: {err}");
        for library in ["allow_insecure_http", "custom endpoint", "endpoint_url"] {
            assert!(!err.contains(library), "{library} in {err}");
        }
    }
    assert_eq!(fake.fake.request_count(), 0);
}

#[test]
fn an_unknown_task_says_how_to_list_the_tasks() {
    let fake = Fake::fixture();
    for all in [false, true] {
        let mut cmd = fake.hosts_of("no-such-task");
        if all {
            cmd.arg("--all");
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 1, "{err}");
        assert_eq!(out, "");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("HSS.0011"), "{err}");
        assert!(
            err.trim_end()
                .ends_with("; list the scan tasks with: hss scan-task list"),
            "{err}"
        );
    }
    // Other failures get no such hint.
    let (code, _, err) = run(fake.hosts().env("HUAWEICLOUD_SDK_SK", "wrong-secret-key"));
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("hss scan-task list"), "{err}");
}
