//! `hss scan-task hosts --all` against a task that moves while it is
//! listed: every row of the listing-integrity issue's table, at concurrency
//! 1 and 8. Either each host that stayed is printed exactly once and `hss`
//! exits 0, or it exits non-zero with one line on stderr.

mod support;

use std::collections::HashMap;

use hss_fake::scripted::Reply;
use support::{Scripted, plain_host, window};

/// A page of a task whose hosts are, in order, `ids`.
fn page_of(ids: &[String], offset: u64, limit: u64) -> Reply {
    let hosts: Vec<serde_json::Value> = ids
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|id| {
            let mut host = plain_host(0);
            host["host_id"] = id.clone().into();
            host["host_name"] = format!("host-{id}").into();
            host
        })
        .collect();
    Reply::json(
        200,
        serde_json::json!({"total_num": ids.len(), "data_list": hosts}).to_string(),
    )
}

fn ids(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|i| format!("h{i}")).collect()
}

/// Runs `hss --all --output ndjson` and returns the exit code, how often
/// each host id was printed, and stderr.
fn list_all(server: &Scripted, concurrency: u32) -> (i32, HashMap<String, usize>, String) {
    let output = server
        .hosts()
        .args(["--all", "--output", "ndjson", "--concurrency"])
        .arg(concurrency.to_string())
        .output()
        .expect("hss runs");
    let mut counts = HashMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let host: serde_json::Value = serde_json::from_str(line).expect("every line is whole JSON");
        *counts
            .entry(host["host_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let stderr = String::from_utf8(output.stderr).unwrap();
    (output.status.code().unwrap(), counts, stderr)
}

fn assert_each_once(counts: &HashMap<String, usize>, stayed: &[String], what: &str) {
    let twice: Vec<_> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(twice.is_empty(), "{what}: printed twice: {twice:?}");
    let missing = stayed.iter().filter(|id| !counts.contains_key(*id)).count();
    assert_eq!(
        missing, 0,
        "{what}: {missing} hosts that stayed are missing"
    );
}

#[test]
fn a_first_page_longer_than_asked_loses_nothing() {
    for concurrency in [1, 8] {
        let server = Scripted::start(|request, _| {
            let (offset, limit) = window(request);
            page_of(&ids(0..1000), offset, if offset == 0 { 250 } else { limit })
        });
        let (code, counts, stderr) = list_all(&server, concurrency);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(counts.len(), 1000);
        assert_each_once(&counts, &ids(0..1000), "longer first page");
    }
}

#[test]
fn hosts_leaving_after_the_first_page_leave_no_gap() {
    for concurrency in [1, 8] {
        let server = Scripted::start(|request, n| {
            let (offset, limit) = window(request);
            page_of(&ids(if n == 0 { 0 } else { 10 }..1000), offset, limit)
        });
        let (code, counts, stderr) = list_all(&server, concurrency);
        assert_eq!(code, 0, "{stderr}");
        assert_each_once(&counts, &ids(10..1000), "10 left");
    }
}

#[test]
fn hosts_joining_at_the_front_are_printed_once() {
    for concurrency in [1, 8] {
        let server = Scripted::start(|request, n| {
            let (offset, limit) = window(request);
            let mut task: Vec<String> = if n == 0 {
                Vec::new()
            } else {
                (0..10).map(|i| format!("new{i}")).collect()
            };
            task.extend(ids(0..1000));
            page_of(&task, offset, limit)
        });
        let (code, counts, stderr) = list_all(&server, concurrency);
        assert_eq!(code, 0, "{stderr}");
        assert_each_once(&counts, &ids(0..1000), "10 joined");
    }
}

#[test]
fn a_repeated_page_is_recovered_or_fails_loudly() {
    for concurrency in [1, 8] {
        // Once: the first answer for offset 400 repeats offset 200.
        let once = std::sync::atomic::AtomicBool::new(false);
        let server = Scripted::start(move |request, _| {
            let (offset, limit) = window(request);
            let repeat = offset == 400 && !once.swap(true, std::sync::atomic::Ordering::SeqCst);
            page_of(&ids(0..1000), if repeat { 200 } else { offset }, limit)
        });
        let (code, counts, stderr) = list_all(&server, concurrency);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(counts.len(), 1000);
        assert_each_once(&counts, &ids(0..1000), "repeated once");

        // Always: no pass is clean, so hss fails with one line.
        let server = Scripted::start(|request, _| {
            let (offset, limit) = window(request);
            page_of(
                &ids(0..1000),
                if offset == 400 { 200 } else { offset },
                limit,
            )
        });
        let (code, counts, stderr) = list_all(&server, concurrency);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            counts.values().all(|n| *n == 1),
            "nothing printed twice even so"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("incomplete") && stderr.contains("200 hosts seen twice"),
            "{stderr}"
        );
    }
}

#[test]
fn a_task_that_keeps_moving_writes_no_json_document() {
    let server = Scripted::start(|request, n| {
        let (offset, limit) = window(request);
        page_of(&ids(n as u64..1500), offset, limit)
    });
    let output = server
        .hosts()
        .args(["--all", "--output", "json"])
        .output()
        .expect("hss runs");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "no half document on stdout");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("total_num"), "{stderr}");
}
