//! Every `hss` command that README.md and `docs/*.md` show in a code block
//! parses with today's command line, so a reader who copies one never
//! meets "unexpected argument". Commands are found as `hss ARGS` and
//! `cargo run [-q] -p hss-cli -- ARGS`, also inside `$( )` and pipes;
//! redirections and placeholders (`<task_id>`, `"$task"`) are words like
//! any other. Parsing only: nothing is sent.

use std::path::{Path, PathBuf};

use clap::Parser;
use clap::error::ErrorKind;
use hss_cli::args::Cli;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Markdown pages a reader is sent to: README.md and docs/*.md.
fn pages() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of the page's fenced code blocks that are shell, not code:
/// every block except those marked as Rust, TOML, YAML or JSON.
fn shell_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut in_shell: Option<bool> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_shell = match in_shell {
                Some(_) => None,
                None => Some(!matches!(
                    info.trim(),
                    "rust" | "toml" | "yaml" | "json" | "ignore"
                )),
            };
            continue;
        }
        if in_shell == Some(true) {
            lines.push((number + 1, line.to_owned()));
        }
    }
    lines
}

/// The argument lists of the `hss` invocations on one shell line.
fn invocations(line: &str) -> Vec<Vec<String>> {
    let line = line.trim().trim_start_matches("$ ");
    // A comment starts at a `#` that begins a word.
    let line = match line.find(" #") {
        Some(at) => &line[..at],
        None if line.starts_with('#') => "",
        None => line,
    };
    let mut found = Vec::new();
    for segment in line.split(['|', ';', '&', '(', ')']) {
        let Some(words) = shlex::split(segment) else {
            continue;
        };
        let args: Option<&[String]> = match words.first().map(String::as_str) {
            Some("hss") => Some(&words[1..]),
            Some("cargo")
                if words.get(1).is_some_and(|w| w == "run")
                    && words.contains(&"hss-cli".to_owned()) =>
            {
                words
                    .iter()
                    .position(|w| w == "--")
                    .map(|dash| &words[dash + 1..])
            }
            _ => None,
        };
        if let Some(args) = args {
            found.push(without_redirections(args));
        }
    }
    found
}

/// `args` less shell redirections (`> file`, `2>/dev/null`).
fn without_redirections(args: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if skip_next {
            skip_next = false;
        } else if matches!(arg.as_str(), ">" | ">>" | "2>" | "<") {
            skip_next = true;
        } else if !arg.starts_with('>') && !arg.starts_with("2>") {
            kept.push(arg.clone());
        }
    }
    kept
}

#[test]
fn every_hss_command_in_the_readme_and_docs_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page
            .strip_prefix(workspace_root())
            .unwrap()
            .display()
            .to_string();
        for (number, line) in shell_lines(&text) {
            for args in invocations(&line) {
                checked += 1;
                let argv = std::iter::once("hss".to_owned()).chain(args);
                let parsed = match Cli::try_parse_from(argv) {
                    Ok(_) => Ok(()),
                    // `--help` and `--version` are commands too.
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                        ) =>
                    {
                        Ok(())
                    }
                    Err(e) => Err(e),
                };
                if let Err(error) = parsed {
                    let first = error.to_string().lines().next().unwrap_or("").to_owned();
                    failures.push(format!("{name}:{number}: {}\n    {first}", line.trim()));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} commands in the docs do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The README's quick start alone shows several; a parser that found
    // none would make this test pass without checking anything.
    assert!(
        checked >= 10,
        "only {checked} hss commands found in the docs"
    );
}

#[test]
fn the_finder_sees_commands_in_substitutions_pipes_and_cargo_run() {
    let line = r#"task=$(hss scan-task create --all-hosts --yes --wait) || exit    # id on stdout"#;
    assert_eq!(
        invocations(line),
        [["scan-task", "create", "--all-hosts", "--yes", "--wait"]]
    );
    assert_eq!(
        invocations("cargo run -q -p hss-cli -- vul list --all > vuls.txt"),
        [["vul", "list", "--all"]]
    );
    assert_eq!(
        invocations("hss host vuls --host-id \"$host\" --all -o ndjson | jq -r .vul_id"),
        [[
            "host",
            "vuls",
            "--host-id",
            "$host",
            "--all",
            "-o",
            "ndjson"
        ]]
    );
    assert!(invocations("cargo test --workspace").is_empty());
    assert!(invocations("# hss scan-task hosts, in a comment").is_empty());
}
