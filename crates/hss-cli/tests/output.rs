//! Output a script or a spreadsheet can trust, against a scripted server on
//! 127.0.0.1: when `--all` fails part way, `json` and `csv` (and `table`,
//! `--summary`) leave stdout empty and `ndjson` keeps only whole lines,
//! with exit code 1 and one error line saying which; large documents still
//! come out whole through the temporary file; CSV cells that a spreadsheet
//! would run as formulas are neutralised.

mod support;

use std::collections::HashSet;
use std::process::Output;

use hss_api::types::VulScanTaskHostInfo;
use hss_fake::scripted::Reply;
use support::{Scripted, page, plain_host, window};

/// Hosts of the task the failing server serves.
const TOTAL: u64 = 45;
/// The offset whose page the failing server refuses: the third page of 10.
const FAILING_OFFSET: u64 = 20;

/// A task of [`TOTAL`] hosts whose page at [`FAILING_OFFSET`] is a 400
/// (not retried), however often and in whatever order it is asked for.
fn failing_server() -> Scripted {
    Scripted::start(|request, _| {
        let (offset, limit) = window(request);
        if offset == FAILING_OFFSET {
            Reply::json(
                400,
                r#"{"error_code":"HSS.1000","error_msg":"Internal server error."}"#,
            )
        } else {
            page(offset, limit, TOTAL, plain_host)
        }
    })
}

/// Runs `hss scan-task hosts --all --limit 10 <args>` and checks that it
/// failed with exit code 1 and one `error:` line naming the 400 and its
/// request id; returns the output and that line.
fn fail_part_way(server: &Scripted, args: &[&str]) -> (Output, String) {
    let output = server
        .hosts()
        .args(["--all", "--limit", "10"])
        .args(args)
        .output()
        .expect("hss runs");
    let stderr = String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8");
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(
        stderr.starts_with("error: listing the hosts of scan task task"),
        "{stderr}"
    );
    for needle in [
        "400",
        "HSS.1000",
        "Internal server error.",
        "(request id req-",
    ] {
        assert!(
            stderr.contains(needle),
            "{args:?}: {needle} not in {stderr}"
        );
    }
    assert!(
        server
            .server
            .requests()
            .iter()
            .any(|r| r.query("offset") == Some("20")),
        "the failing page was asked for"
    );
    (output, stderr)
}

#[test]
fn documents_that_fail_part_way_leave_stdout_empty() {
    let server = failing_server();
    for concurrency in ["1", "4"] {
        for format in [
            &["-o", "json"][..],
            &["-o", "csv"],
            &["-o", "table"],
            &["--summary", "-o", "json"],
            &["--summary", "-o", "csv"],
        ] {
            let args = [format, &["--concurrency", concurrency]].concat();
            let (output, stderr) = fail_part_way(&server, &args);
            assert!(
                output.stdout.is_empty(),
                "{args:?} wrote {:?}",
                String::from_utf8_lossy(&output.stdout)
            );
            assert!(
                stderr.contains("(nothing was written to stdout)"),
                "{args:?}: {stderr}"
            );
        }
    }
}

/// The hosts of ndjson output, each line parsed on its own.
fn ndjson_hosts(stdout: &[u8]) -> Vec<VulScanTaskHostInfo> {
    let text = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the last line is whole"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect()
}

#[test]
fn ndjson_that_fails_part_way_keeps_whole_lines_and_says_how_many() {
    let server = failing_server();
    // One page at a time: exactly the two pages before the failing one.
    let (output, stderr) = fail_part_way(&server, &["-o", "ndjson", "--concurrency", "1"]);
    let ids: Vec<String> = ndjson_hosts(&output.stdout)
        .into_iter()
        .map(|h| h.host_id.unwrap())
        .collect();
    assert_eq!(ids, (0..20).map(|i| format!("h{i}")).collect::<Vec<_>>());
    assert!(
        stderr.contains("(20 hosts were written to stdout before the failure)"),
        "{stderr}"
    );

    // Pages fetched ahead: whatever was written is whole, distinct hosts,
    // and the error line counts them.
    let (output, stderr) = fail_part_way(&server, &["-o", "ndjson", "--concurrency", "4"]);
    let hosts = ndjson_hosts(&output.stdout);
    let distinct: HashSet<_> = hosts.iter().map(|h| h.host_id.clone()).collect();
    assert_eq!(distinct.len(), hosts.len(), "no host twice");
    let said = if hosts.is_empty() {
        "(nothing was written to stdout)".to_owned()
    } else {
        format!(
            "({} host{} written to stdout before the failure)",
            hosts.len(),
            if hosts.len() == 1 { " was" } else { "s were" }
        )
    };
    assert!(stderr.contains(&said), "{said} not in {stderr}");
}

/// A host whose failure reason is `size` bytes long, so a task of a few
/// thousand of them is a document of several MiB.
fn bulky_host(i: u64, size: usize) -> serde_json::Value {
    let mut host = plain_host(i);
    host["failed_reasons"][0]["failed_reason"] = format!("{i:06} {}", "x".repeat(size)).into();
    host
}

#[test]
fn a_document_larger_than_memory_holds_comes_out_whole() {
    // 3,000 hosts of about 2 KiB: about 6 MiB of JSON, past the spool's memory.
    let server = Scripted::start(|request, _| {
        let (offset, limit) = window(request);
        page(offset, limit, 3_000, |i| bulky_host(i, 2_000))
    });
    let output = server
        .hosts()
        .args(["--all", "-o", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr, "");
    assert!(
        output.stdout.len() > 5 << 20,
        "{} bytes",
        output.stdout.len()
    );
    let hosts: Vec<VulScanTaskHostInfo> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<String> = hosts.into_iter().map(|h| h.host_id.unwrap()).collect();
    assert_eq!(ids, (0..3_000).map(|i| format!("h{i}")).collect::<Vec<_>>());

    // Without a usable temporary directory the listing fails whole rather
    // than writing part of the document.
    let missing = tempfile::tempdir().unwrap().path().join("gone");
    let output = server
        .hosts()
        .env("TMPDIR", &missing)
        .args(["--all", "-o", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains("temporary file"), "{stderr}");
    assert!(stderr.contains("TMPDIR"), "{stderr}");
}

/// Host names a hostile server could send, each a formula to a spreadsheet.
const HOSTILE_NAMES: [&str; 6] = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tx", "\rx"];

#[test]
fn csv_cells_that_would_be_formulas_are_neutralised() {
    let total = HOSTILE_NAMES.len() as u64 + 1;
    let server = Scripted::start(move |request, _| {
        let (offset, limit) = window(request);
        page(offset, limit, total, |i| {
            match HOSTILE_NAMES.get(i as usize) {
                Some(name) => serde_json::json!({
                    "host_id": format!("-id{i}"),
                    "host_name": name,
                    "private_ip": "@10.0.0.1",
                    "scan_status": "failed",
                    "asset_value": "+common",
                    "failed_reasons": [{"vul_type": "=linux_vul", "failed_reason": "r"}],
                }),
                None => plain_host(i),
            }
        })
    });
    for args in [&["--all"][..], &[]] {
        let output = server
            .hosts()
            .args(args)
            .args(["-o", "csv"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), HOSTILE_NAMES.len() + 1, "{args:?}");
        for (i, (row, name)) in rows.iter().zip(HOSTILE_NAMES).enumerate() {
            assert_eq!(&row[0], format!("'-id{i}"));
            assert_eq!(&row[1], format!("'{name}"), "{args:?}");
            assert_eq!(&row[2], "");
            assert_eq!(&row[3], "'@10.0.0.1");
            assert_eq!(&row[4], "'+common");
            assert_eq!(&row[5], "failed");
            assert_eq!(&row[6], "'=linux_vul: r");
        }
        // A harmless host is written as sent.
        let last = rows.last().unwrap();
        assert_eq!(&last[1], format!("host-{}", HOSTILE_NAMES.len()));
        assert_eq!(
            &last[6],
            format!("linux_vul: reason {}", HOSTILE_NAMES.len())
        );
    }
}
