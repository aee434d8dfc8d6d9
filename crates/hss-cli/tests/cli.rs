//! The `hss` binary end to end, against hss-fake on 127.0.0.1: every output
//! format as a golden file, the help texts, exit codes and error lines,
//! credential and endpoint sources, and `hss demo`.
//!
//! Golden files are `tests/golden/<name>.stdout`; `UPDATE_GOLDEN=1 cargo
//! test -p hss-cli` rewrites them (review the diff before committing).

mod support;

use hss_api::types::VulScanTaskHostInfo;
use hss_fake::{FakeHss, Fault, FaultRule};
use predicates::prelude::*;
use support::{Fake, closed_port, golden, hss};

// ---------------------------------------------------------------- formats

#[test]
fn table_of_one_page() {
    let fake = Fake::fixture();
    golden("table_page", &fake.stdout(&["--limit", "20"]));
}

#[test]
fn table_of_every_failed_host() {
    let fake = Fake::fixture();
    golden(
        "table_all_failed",
        &fake.stdout(&["--all", "--limit", "10", "--scan-status", "failed"]),
    );
}

#[test]
fn json_of_one_page_is_the_api_shape() {
    let fake = Fake::fixture();
    let out = fake.stdout(&["--limit", "10", "--offset", "1", "--output", "json"]);
    golden("json_page", &out);
    let page: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(page["total_num"], 45);
    assert_eq!(page["data_list"].as_array().unwrap().len(), 10);
}

#[test]
fn json_of_every_failed_host_is_an_array() {
    let fake = Fake::fixture();
    let out = fake.stdout(&[
        "--all",
        "--limit",
        "10",
        "--concurrency",
        "3",
        "--scan-status",
        "failed",
        "-o",
        "json",
    ]);
    golden("json_all_failed", &out);
    let hosts: Vec<VulScanTaskHostInfo> = serde_json::from_str(&out).unwrap();
    assert_eq!(hosts.len(), 11);
    assert!(
        hosts
            .iter()
            .all(|h| h.scan_status.as_deref() == Some("failed"))
    );
}

#[test]
fn ndjson_streams_exactly_the_hosts_the_service_holds() {
    let fake = Fake::fixture();
    let out = fake.stdout(&[
        "--all",
        "--limit",
        "10",
        "--concurrency",
        "2",
        "-o",
        "ndjson",
    ]);
    golden("ndjson_all", &out);
    // Every host, in order, each line the host as the fake sent it, fields
    // the API does not document included (the generated types drop them,
    // the output does not).
    let expected = fake
        .fake
        .matching_hosts(&fake.fake.task_id(), None, None)
        .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, host) in lines.iter().zip(&expected) {
        let sent = serde_json::to_value(&host.info).unwrap();
        let printed: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(printed, sent, "{line}");
    }
    assert!(out.contains("\"os_type\""), "an undocumented field is kept");
}

#[test]
fn csv_of_every_host() {
    let fake = Fake::fixture();
    let out = fake.stdout(&["--all", "-o", "csv"]);
    golden("csv_all", &out);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "host_id",
            "host_name",
            "public_ip",
            "private_ip",
            "asset_value",
            "scan_status",
            "failed_reasons"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 45);
    let wide = rows.iter().find(|r| r[1].starts_with("数据库")).unwrap();
    assert_eq!(
        &wide[6],
        "windows_vul: The Windows Update service is disabled.; web_cms: Failed to read \"C:\\inetpub\", permission denied."
    );
}

#[test]
fn summary_as_a_table_and_as_json() {
    let fake = Fake::fixture();
    golden(
        "summary_table",
        &fake.stdout(&["--all", "--summary", "--limit", "20"]),
    );
    let json = fake.stdout(&["--all", "--summary", "-o", "json"]);
    golden("summary_json", &json);
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(summary["hosts"], 45);
    golden(
        "summary_csv",
        &fake.stdout(&["--all", "--summary", "-o", "csv"]),
    );
}

#[test]
fn values_this_version_does_not_know_are_kept_exactly() {
    let fake = Fake::fixture();
    let out = fake.stdout(&["--limit", "10", "-o", "json"]);
    let page: serde_json::Value = serde_json::from_str(&out).unwrap();
    let host = &page["data_list"][2];
    assert_eq!(host["scan_status"], "paused");
    assert_eq!(host["asset_value"], "critical");
    assert_eq!(host["failed_reasons"][0]["vul_type"], "container_vul");
    assert_eq!(host["vul_scan_details"][0]["status"], "queued");

    let table = fake.stdout(&["--limit", "10"]);
    let row = table
        .lines()
        .find(|l| l.contains("k8s-node-prod-07"))
        .unwrap();
    assert!(row.contains("critical"), "{row}");
    assert!(row.contains("paused"), "{row}");
    assert!(
        row.ends_with("container_vul: Container runtime not supported."),
        "{row}"
    );
    // Long names are shortened with an ellipsis, full in JSON.
    assert!(table.contains("ecs-payment-gateway-cluster…"), "{table}");
    assert!(out.contains("ecs-payment-gateway-cluster-node-0001-primary-az1"));
}

#[test]
fn ndjson_keeps_the_hosts_before_a_failure() {
    let fake = Fake::fixture();
    // The second request fails with a 400, which is not retried.
    fake.fake
        .set_faults([FaultRule::nth(2, Fault::server_error(400))]);
    let output = fake
        .hosts()
        .args([
            "--all",
            "--limit",
            "10",
            "--concurrency",
            "1",
            "-o",
            "ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 10, "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("HSS.1000"), "{stderr}");
    assert!(stderr.contains("(request id "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

// ------------------------------------------------------------------- help

// The goldens show the default build, `demo` included.
#[cfg(feature = "demo")]
#[test]
fn help_texts() {
    let home = tempfile::tempdir().unwrap();
    let top = hss(home.path()).arg("--help").output().unwrap();
    assert!(top.status.success());
    golden("help", &String::from_utf8(top.stdout).unwrap());
    let hosts = hss(home.path())
        .args(["scan-task", "hosts", "--help"])
        .output()
        .unwrap();
    assert!(hosts.status.success());
    golden(
        "help_scan_task_hosts",
        &String::from_utf8(hosts.stdout).unwrap(),
    );
    for command in [
        &["scan-task"][..],
        &["scan-task", "create"],
        &["scan-task", "list"],
        &["scan-task", "wait"],
        &["vul"],
        &["vul", "list"],
        &["vul", "hosts"],
        &["vul", "stats"],
        &["vul", "set-status"],
        &["vul", "export"],
        &["host"],
        &["host", "vuls"],
        &["scan-policy"],
        &["scan-policy", "show"],
        &["scan-policy", "set"],
    ] {
        let output = hss(home.path())
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success(), "{command:?}");
        golden(
            &format!("help_{}", command.join("_").replace('-', "_")),
            &String::from_utf8(output.stdout).unwrap(),
        );
    }
}

// ------------------------------------------- shell completion, man pages

/// `hss completion SHELL`'s script, after checking it was written.
fn completion_script(shell: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let output = hss(home.path())
        .args(["completion", shell])
        .output()
        .unwrap();
    assert!(output.status.success(), "{shell}: {output:?}");
    assert!(output.stderr.is_empty(), "{shell}: {output:?}");
    let script = String::from_utf8(output.stdout).unwrap();
    for command in ["scan-task", "call", "completion", "set-status"] {
        assert!(script.contains(command), "{shell} lacks {command}");
    }
    script
}

/// What bash offers for the words of a command line, the last one being
/// completed, with `script` loaded as bash-completion would.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(
            r#"source "$1" || exit 9
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
_hss hss "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(script)
        .args(words)
        .output()
        .unwrap();
    assert!(output.status.success(), "{words:?}: {output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_commands_and_operation_ids() {
    let script = completion_script("bash");
    assert!(script.contains("ListHostStatus"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hss.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "bash -n: {syntax:?}");

    assert_eq!(bash_completes(&path, &["hss", "scan-t"]), ["scan-task"]);
    assert_eq!(
        bash_completes(&path, &["hss", "scan-task", "ho"]),
        ["hosts"]
    );
    let shells = bash_completes(&path, &["hss", "completion", ""]);
    let shells: Vec<&String> = shells.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(shells, ["bash", "zsh", "fish"]);
    // Every operation id of the table, and only those, for `hss call`.
    let ids = bash_completes(&path, &["hss", "call", "ListHostSt"]);
    assert!(ids.contains(&"ListHostStatus".to_owned()), "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("ListHostSt")), "{ids:?}");
    let all = bash_completes(&path, &["hss", "call", "Show"]);
    let shows = hss_operations::operations()
        .iter()
        .filter(|op| op.id.starts_with("Show"))
        .count();
    assert_eq!(all.len(), shows, "{all:?}");
    assert!(
        bash_completes(&path, &["hss", "call", "--list", "host-"])
            .contains(&"host-management".to_owned())
    );
}

#[test]
fn zsh_and_fish_scripts_complete_commands_and_operation_ids() {
    let zsh = completion_script("zsh");
    assert!(zsh.starts_with("#compdef hss"), "{}", &zsh[..100]);
    // Ids with their summaries, for zsh's menu.
    assert!(zsh.contains("ListHostStatus\\:"), "zsh lacks the ids");
    let fish = completion_script("fish");
    assert!(fish.contains("complete -c hss"));
    // clap_complete leaves positionals out of fish scripts; hss adds them.
    assert!(
        fish.contains(r"ListHostStatus\t'List host status.'"),
        "fish lacks the ids"
    );
    assert!(
        fish.contains("__fish_hss_using_subcommand completion; and not"),
        "fish lacks the shells"
    );
    assert!(fish.contains("__fish_seen_subcommand_from scan-task"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    hss(home.path())
        .args(["completion", "tcsh"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("tcsh").and(predicate::str::contains("bash, zsh, fish")));
}

#[test]
fn call_help_lists_no_operation_ids_and_kebab_case_still_works() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["-h", "--help"] {
        let help = hss(home.path()).args(["call", flag]).output().unwrap();
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        let named = hss_operations::operations()
            .iter()
            .filter(|op| help.contains(op.id))
            .count();
        // Only the examples' few.
        assert!(named < 10, "{named} ids in `hss call {flag}`:\n{help}");
    }
    hss(home.path())
        .args(["call", "list-host-status", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ListHostStatus: "));
    hss(home.path())
        .args(["call", "ListNoSuchThing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`hss call --list` lists them"));
}

#[test]
fn man_pages_are_roff_naming_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let output = hss(home.path()).arg("man").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.contains("\n.TH hss 1 "), "{page}");
    for command in ["scan\\-task", "call", "completion", "vul"] {
        assert!(
            page.contains(&format!("hss\\-{command}(1)")),
            "hss.1 lacks {command}:\n{page}"
        );
    }
    assert!(!page.contains("hss\\-help(1)"), "a page for clap's help");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    hss(home.path())
        .args(["man", "--dir"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in [
        "hss.1",
        "hss-call.1",
        "hss-completion.1",
        "hss-scan-task.1",
        "hss-scan-task-hosts.1",
        "hss-vul-set-status.1",
    ] {
        assert!(names.contains(&name.to_owned()), "{name} not in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.contains("help") || n == "hss-man.1"),
        "{names:?}"
    );
    assert_eq!(std::fs::read_to_string(out.join("hss.1")).unwrap(), page);
    let hosts = std::fs::read_to_string(out.join("hss-scan-task-hosts.1")).unwrap();
    assert!(hosts.contains(".TH hss-scan-task-hosts 1 "), "{hosts}");
    assert!(hosts.contains("\\-\\-task\\-id"), "{hosts}");
    // The long help's columns, kept as laid out (no fill).
    let notes = hosts.find(".SH NOTES\n.nf\n").expect("a NOTES section");
    let exit_codes = hosts.find("Exit codes:").expect("the exit codes");
    assert!(notes < exit_codes && exit_codes < hosts.rfind("\n.fi\n").unwrap());
    let call = std::fs::read_to_string(out.join("hss-call.1")).unwrap();
    let named = hss_operations::operations()
        .iter()
        .filter(|op| call.contains(op.id))
        .count();
    assert!(named < 10, "{named} ids in hss-call.1");
}

// ------------------------------------------------------ usage errors (2)

fn usage_error(args: &[&str], names: &[&str]) {
    let fake = Fake::fixture();
    let output = fake.hosts().args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for name in names {
        assert!(stderr.contains(name), "{args:?}: {name} not in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(fake.fake.request_count(), 0, "{args:?} sent a request");
}

#[test]
fn bad_values_are_usage_errors_naming_the_parameter() {
    usage_error(&["--limit", "5"], &["--limit", "10..=200"]);
    usage_error(&["--limit", "201"], &["--limit"]);
    usage_error(&["--offset", "2000001"], &["--offset"]);
    usage_error(&["--concurrency", "0", "--all"], &["--concurrency"]);
    usage_error(&["--concurrency", "2"], &["--all"]);
    usage_error(&["--scan-status", "done"], &["--scan-status", "failed"]);
    usage_error(&["--output", "yaml"], &["--output"]);
    usage_error(&["--no-such-flag"], &["--no-such-flag"]);
    // Checked by hss-ext before sending: one line naming the parameter.
    usage_error(
        &["--enterprise-project-id", ""],
        &["invalid enterprise_project_id"],
    );
}

#[test]
fn bad_ids_are_usage_errors() {
    let fake = Fake::fixture();
    for (task, reason) in [("", "must not be empty"), ("..", "path navigation")] {
        let key = fake.fake.access_key();
        hss(fake.home())
            .env("HUAWEICLOUD_SDK_AK", &key.ak)
            .env("HUAWEICLOUD_SDK_SK", &key.sk)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
            .args(["--task-id", task])
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::contains("invalid task_id").and(predicate::str::contains(reason)),
            );
    }
    assert_eq!(fake.fake.request_count(), 0);
}

#[test]
fn missing_credentials_say_what_to_set() {
    let fake = Fake::fixture();
    let output = hss(fake.home())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for name in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_TOKEN",
        ".huaweicloud/credentials",
    ] {
        assert!(stderr.contains(name), "{name} not in {stderr}");
    }
    assert_eq!(fake.fake.request_count(), 0);
}

#[test]
fn missing_endpoint_and_project_say_what_to_set() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .args(["scan-task", "hosts", "--task-id", "t"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--region")
                .and(predicate::str::contains("--endpoint"))
                .and(predicate::str::contains("HUAWEICLOUD_SDK_REGION")),
        );
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .args(["scan-task", "hosts", "--task-id", "t"])
        .args(["--endpoint", &fake.fake.base_url()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--project-id")
                .and(predicate::str::contains("HUAWEICLOUD_SDK_PROJECT_ID")),
        );
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .args([
            "scan-task",
            "hosts",
            "--task-id",
            "t",
            "--region",
            "xx-nowhere-1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "HUAWEICLOUD_SDK_REGION_HSS_XX_NOWHERE_1",
        ));
    assert_eq!(fake.fake.request_count(), 0);
}

// -------------------------------------------- service and network errors (1)

/// Runs `cmd`, expects exit code 1 with one `error:` line containing
/// `needles`, and returns that line.
fn failure(cmd: &mut assert_cmd::Command, needles: &[&str]) -> String {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    for needle in needles {
        assert!(stderr.contains(needle), "{needle} not in {stderr}");
    }
    stderr
}

#[test]
fn an_unknown_task_is_a_service_error_with_its_request_id() {
    let fake = Fake::fixture();
    let line = failure(
        &mut fake.hosts_of("no-such-task"),
        &["400", "HSS.0011", "no-such-task"],
    );
    let id = fake.fake.requests()[0].request_id.clone();
    assert!(line.contains(&format!("(request id {id})")), "{line}");
    failure(
        fake.hosts_of("no-such-task").arg("--all"),
        &["HSS.0011", "(request id "],
    );
}

#[test]
fn a_bad_token_or_signature_is_a_gateway_error() {
    let fake = Fake::fixture();
    failure(
        hss(fake.home())
            .env("HUAWEICLOUD_SDK_TOKEN", "MIIwrong")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
            .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
            .args(["--task-id", &fake.fake.task_id()]),
        &["401", "APIGW.0301", "(request id "],
    );
    failure(
        fake.hosts().env("HUAWEICLOUD_SDK_SK", "not-the-secret-key"),
        &["401", "APIGW.0301"],
    );
}

#[test]
fn an_unreachable_endpoint_is_a_network_error() {
    let home = tempfile::tempdir().unwrap();
    failure(
        hss(home.path())
            .env("HUAWEICLOUD_SDK_TOKEN", "MIItoken")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "p")
            .args(["scan-task", "hosts", "--task-id", "t", "--endpoint"])
            .arg(format!("http://127.0.0.1:{}", closed_port())),
        &["connection failed"],
    );
}

// ------------------------------------------ credential and endpoint sources

#[test]
fn a_token_from_the_environment_works() {
    let fake = Fake::fixture();
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_TOKEN", fake.fake.token())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id(), "-o", "ndjson"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::is_match("(?m)^\\{\"host_id\"").unwrap());
}

#[test]
fn the_profile_file_and_a_region_override_work() {
    let fake = Fake::fixture();
    let key = fake.fake.access_key();
    let dir = fake.home().join(".huaweicloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        format!(
            "[basic]\nak = {}\nsk = {}\nproject_id = {}\n",
            key.ak,
            key.sk,
            fake.fake.project_id()
        ),
    )
    .unwrap();
    // --region with its override variable.
    let table = hss(fake.home())
        .env(
            "HUAWEICLOUD_SDK_REGION_HSS_LOCAL_TEST_1",
            fake.fake.base_url(),
        )
        .args(["scan-task", "hosts", "--region", "local-test-1"])
        .args(["--task-id", &fake.fake.task_id(), "--limit", "20"])
        .assert()
        .success()
        .stderr("")
        .get_output()
        .stdout
        .clone();
    golden("table_page", &String::from_utf8(table).unwrap());
    // The default region from HUAWEICLOUD_SDK_REGION.
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_REGION", "local-test-1")
        .env(
            "HUAWEICLOUD_SDK_REGION_HSS_LOCAL_TEST_1",
            fake.fake.base_url(),
        )
        .args(["scan-task", "hosts", "--task-id", &fake.fake.task_id()])
        .assert()
        .success()
        .stdout(predicate::str::contains("hosts 1-10 of 45"));
}

#[test]
fn temporary_credentials_from_the_environment_work() {
    let fake = Fake::fixture();
    let key = fake.fake.temporary_access_key();
    hss(fake.home())
        .env("HUAWEICLOUD_SDK_AK", &key.ak)
        .env("HUAWEICLOUD_SDK_SK", &key.sk)
        .env(
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
            key.security_token.as_deref().unwrap(),
        )
        .env("HUAWEICLOUD_SDK_PROJECT_ID", fake.fake.project_id())
        .args(["scan-task", "hosts", "--endpoint", &fake.fake.base_url()])
        .args(["--task-id", &fake.fake.task_id(), "--all", "--summary"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Summary of 45 hosts\n"));
}

#[test]
fn all_hosts_of_a_large_task_with_concurrency() {
    let fake = Fake::start(
        FakeHss::builder()
            .seed(5)
            .hosts(1_234)
            .enterprise_projects(1),
    );
    let out = fake.stdout(&["--all", "--concurrency", "8", "-o", "ndjson"]);
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<VulScanTaskHostInfo>(l)
                .unwrap()
                .host_id
                .unwrap()
        })
        .collect();
    let expected: Vec<String> = fake
        .fake
        .matching_hosts(&fake.fake.task_id(), None, None)
        .unwrap()
        .into_iter()
        .map(|h| h.info.host_id.unwrap())
        .collect();
    assert_eq!(ids, expected);
    // 1,234 hosts in pages of 200.
    assert_eq!(fake.fake.request_count(), 7);
}

// ------------------------------------------------------------------- demo

#[cfg(feature = "demo")]
#[test]
fn demo_runs_the_workflow() {
    let home = tempfile::tempdir().unwrap();
    // How long the demo takes depends on the machine; this only stops one
    // that hangs.
    let output = hss(home.path())
        .arg("demo")
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr, "");
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("hss demo: started hss-fake on http://127.0.0.1:"),
        "{first}"
    );
    assert!(first.contains("with 3000 hosts"), "{first}");
    assert!(first.contains("signed with AK/SK"), "{first}");
    // The steps in order: a scan started, waited for, its failed hosts and
    // why, the vulnerabilities of the worst host.
    let steps = [
        "1. Started a vulnerability scan of every host",
        "2. Waited for it",
        "3. The scan failed on ",
        "4. The host with the most severe vulnerabilities is ",
        "Done in ",
    ];
    let mut at = 0;
    for step in steps {
        let found = stdout[at..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} not in order in\n{stdout}"));
        at += found + step.len();
    }
    // What it cost in requests, which no machine changes: the waiting (at
    // least one poll; how many depends on the machine) and a few besides
    // it, the 3000 hosts in 15 pages of 200.
    let done = stdout.lines().find(|l| l.starts_with("Done in ")).unwrap();
    let counts: Vec<u32> = done
        .split(" took ")
        .nth(1)
        .and_then(|rest| rest.split_once(" of them"))
        .map(|(counts, _)| {
            counts
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let [requests, polls] = counts[..] else {
        panic!("{done}")
    };
    assert!(polls >= 1, "{done}");
    assert!((polls + 16..=polls + 30).contains(&requests), "{done}");
    // (Whether the waiter also saw the scan running depends on how soon
    // its first poll came: not asserted.)
    for needle in [
        "finished: 3000 hosts scanned, ",
        "HOST ID",
        "FAILURE REASONS",
        "Summary of 3000 hosts",
        "SCAN STATUS",
        "VUL TYPE",
        "FAILURE REASON",
        "linux_vul",
        "VUL ID",
        "SEVERITY",
        "$ hss scan-task create --all-hosts --yes --wait",
        "$ hss host vuls --host-id ",
    ] {
        assert!(stdout.contains(needle), "{needle} not in\n{stdout}");
    }
    // Step 3 shows the first 10 failed hosts and a command that lists
    // just those.
    let shown = stdout
        .lines()
        .find(|l| l.starts_with("   $ hss scan-task hosts ") && l.contains("failed"))
        .unwrap_or_else(|| panic!("no step 3 command in\n{stdout}"));
    assert!(
        shown.ends_with("--scan-status failed --limit 10") && !shown.contains("--all"),
        "{shown}"
    );
    // The failed hosts' table shows failed hosts only.
    let rows: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("HOST ID"))
        .skip(1)
        .take_while(|l| !l.is_empty() && !l.starts_with('…'))
        .collect();
    assert_eq!(rows.len(), 10, "{stdout}");
    assert!(rows.iter().all(|r| r.contains("  failed  ")), "{stdout}");
    // The worst host's vulnerabilities, most severe first.
    let vuls: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("VUL ID"))
        .skip(1)
        .take_while(|l| !l.is_empty() && !l.starts_with('…'))
        .collect();
    assert!(!vuls.is_empty(), "{stdout}");
    assert!(
        vuls[0].contains("  Critical  ") || vuls[0].contains("  High  "),
        "{stdout}"
    );
}

/// The lean build (`--no-default-features`) has no `demo` and says so as
/// clap does for any unknown command.
#[cfg(not(feature = "demo"))]
#[test]
fn without_the_demo_feature_there_is_no_demo_command() {
    let home = tempfile::tempdir().unwrap();
    let output = hss(home.path()).arg("demo").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("unrecognized subcommand 'demo'"),
        "{stderr}"
    );
    let help = hss(home.path()).arg("--help").output().unwrap();
    assert!(!String::from_utf8(help.stdout).unwrap().contains("demo"));
}
