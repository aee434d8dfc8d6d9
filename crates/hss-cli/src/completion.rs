//! `hss completion SHELL`: the shell's completion script, generated from
//! the same clap definitions as the parser, so it never offers a flag hss
//! no longer takes. `hss call`'s OPERATION completes to the operation ids
//! of the operation table (`args::CallArgs`).

use std::io::{self, Write as _};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::{Cli, CompletionArgs, CompletionShell};

/// Runs `hss completion`: the script on stdout.
pub fn run(args: &CompletionArgs) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(script(args.shell).as_bytes())
        .and_then(|()| out.flush())
        .context("writing the output")
}

/// The completion script for `shell`.
pub fn script(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    // Into memory first: the generators panic on a failed write, and a
    // closed pipe (`| head`) is no bug.
    let mut script = Vec::new();
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "hss", &mut script);
    let mut script = String::from_utf8(script).expect("clap_complete writes UTF-8");
    if shell == Shell::Fish {
        command.build();
        fish_positionals(&command, &mut Vec::new(), &mut script);
    }
    script
}

/// clap_complete's fish script completes options and subcommands but no
/// positional argument, so the values of those that have a list (`call
/// OPERATION`, `completion SHELL`) follow it: offered, with their help,
/// until one of them is on the line.
fn fish_positionals<'a>(command: &'a clap::Command, path: &mut Vec<&'a str>, script: &mut String) {
    for sub in command.get_subcommands() {
        path.push(sub.get_name());
        for arg in sub.get_positionals() {
            let values: Vec<_> = arg
                .get_possible_values()
                .into_iter()
                .filter(|value| !value.is_hide_set())
                .collect();
            if values.is_empty() {
                continue;
            }
            let mut condition = format!("__fish_hss_using_subcommand {}", path[0]);
            for name in &path[1..] {
                condition.push_str(&format!("; and __fish_seen_subcommand_from {name}"));
            }
            let names: Vec<&str> = values.iter().map(|value| value.get_name()).collect();
            condition.push_str(&format!(
                "; and not __fish_seen_subcommand_from {}",
                names.join(" ")
            ));
            // What `-a` holds is parsed again when completing: one value a
            // line, then `\t` and its help in single quotes.
            let candidates: Vec<String> = values
                .iter()
                .map(|value| {
                    let help = value.get_help().map(|h| h.to_string()).unwrap_or_default();
                    let help = help.replace('\\', "\\\\").replace('\'', "\\'");
                    // `\t` is no escape in double quotes: it reaches that parse.
                    format!(
                        "{}\\t'{}'",
                        fish_double_quoted(value.get_name()),
                        fish_double_quoted(&help)
                    )
                })
                .collect();
            script.push_str(&format!(
                "complete -c hss -n \"{condition}\" -f -a \"{}\"\n",
                candidates.join("\n")
            ));
        }
        fish_positionals(sub, path, script);
        path.pop();
    }
}

/// `text` escaped for a double-quoted fish string.
fn fish_double_quoted(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$")
}
