//! `-o json` and `-o ndjson` of the noun-verb listings write each item as
//! the service sent it, fields this version does not know included, while
//! the typed decode still checks every page; against a scripted server on
//! 127.0.0.1.

mod support;

use assert_cmd::Command;

use hss_fake::scripted::Reply;
use support::{Scripted, hss};

/// Two items the way a newer service might send them: a field no model
/// knows, spacing and number forms that re-encoding would change.
const HOST_0: &str = r#"{"host_id":"h0", "host_name" : "web-1","new_field":{"since":"2027","ratio":1.50,"list":[1,2e3]}}"#;
const HOST_1: &str =
    r#"{"host_id":"h1","scan_status":"success","asset_value":"important","failed_reasons":[]}"#;

fn body() -> String {
    format!(r#"{{"total_num":2, "data_list":[{HOST_0},{HOST_1}],"extra_top":true}}"#)
}

fn server(body: String) -> Scripted {
    Scripted::start(move |_, _| Reply::json(200, body.clone()))
}

fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().expect("hss runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// `hss <args> --endpoint <server>` with a token and a project.
fn command(server: &Scripted, args: &[&str], home: &std::path::Path) -> Command {
    let mut cmd = hss(home);
    cmd.env("HUAWEICLOUD_SDK_TOKEN", "MIIscripted-token")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "proj")
        .args(args)
        .args(["--endpoint", server.server.base_url()]);
    cmd
}

#[test]
fn hosts_are_written_as_received_in_json_and_ndjson() {
    let server = server(body());
    let ndjson = format!("{HOST_0}\n{HOST_1}\n");
    let array = format!("[\n{HOST_0},\n{HOST_1}\n]\n");
    for (args, expected) in [
        (&["-o", "ndjson"][..], ndjson.clone()),
        (&["--all", "-o", "ndjson"], ndjson),
        (&["--all", "-o", "json"], array),
        // One page: the answer byte for byte.
        (&["-o", "json"], body() + "\n"),
    ] {
        let out = stdout(server.hosts().args(args));
        assert_eq!(out, expected, "{args:?}");
    }
    // CSV keeps its typed columns.
    let csv = stdout(server.hosts().args(["-o", "csv"]));
    assert!(csv.starts_with("host_id,host_name,"), "{csv}");
    assert!(!csv.contains("new_field"), "{csv}");
}

#[test]
fn other_listings_write_their_items_as_received_too() {
    let vul =
        r#"{"vul_id":"CVE-1", "type":"linux_vul","vul_name":"x","unknown_to_us":[{"a":null}]}"#;
    let body = format!(r#"{{"total_num":1,"data_list":[{vul}]}}"#);
    let server = server(body.clone());
    let home = tempfile::tempdir().unwrap();
    let out = stdout(&mut command(
        &server,
        &["vul", "list", "--all", "-o", "ndjson"],
        home.path(),
    ));
    assert_eq!(out, format!("{vul}\n"));
    let out = stdout(&mut command(
        &server,
        &["vul", "list", "-o", "json"],
        home.path(),
    ));
    assert_eq!(out, format!("{body}\n"));
    let out = stdout(&mut command(
        &server,
        &["scan-task", "list", "--all", "-o", "json"],
        home.path(),
    ));
    // The same text as a scan task: none of its fields are known, all kept.
    assert_eq!(out, format!("[\n{vul}\n]\n"));
}

#[test]
fn an_item_the_model_refuses_still_fails_the_listing() {
    // `host_id` is a string in the model.
    let server = server(format!(
        r#"{{"total_num":2,"data_list":[{HOST_0},{{"host_id":5}}]}}"#
    ));
    for args in [&["-o", "json"][..], &["--all", "-o", "ndjson"]] {
        let output = server.hosts().args(args).output().expect("hss runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.contains("could not decode the 200 OK answer")
                && stderr.contains("invalid type: integer `5`, expected a string"),
            "{args:?}: {stderr}"
        );
    }
}
