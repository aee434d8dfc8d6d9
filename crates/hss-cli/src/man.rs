//! `hss man`: man pages in roff, generated from the same clap definitions
//! as `--help`. `hss.1` lists the commands as `hss-scan-task(1)` and so
//! on; `--dir` writes those pages too, one per command, as packagers
//! install them (like cargo's and gh's).

use std::io::{self, Write as _};

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::args::{Cli, ManArgs};

/// Runs `hss man`: `hss.1` on stdout, or every page into `--dir`.
pub fn run(args: &ManArgs) -> Result<()> {
    let mut command = Cli::command().disable_help_subcommand(true);
    // Names the subcommands `hss-scan-task` and so on, as their pages are.
    command.build();
    let Some(dir) = &args.dir else {
        let (_, page) = page(&command)?;
        let mut out = io::stdout().lock();
        return out
            .write_all(page.as_bytes())
            .and_then(|()| out.flush())
            .context("writing the output");
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, page) in pages(&command)? {
        let path = dir.join(name);
        std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The page of `command` and those of its subcommands, as (file name,
/// roff); clap's `help` subcommand and hidden commands have none.
pub fn pages(command: &clap::Command) -> Result<Vec<(String, String)>> {
    let mut all = vec![page(command)?];
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        all.extend(pages(sub)?);
    }
    Ok(all)
}

/// The page of one command, as (file name, roff).
fn page(command: &clap::Command) -> Result<(String, String)> {
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render(&mut page).context("rendering a man page")?;
    let page = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    Ok((man.get_filename(), verbatim_after_help(page)))
}

/// The text after the options (`after_long_help`: credentials, formats,
/// exit codes, examples) is laid out in columns for a terminal; clap_mangen
/// lets roff refill it, which runs the columns together. Unfilled (`.nf`),
/// it reads as in `--help`, under the heading NOTES.
fn verbatim_after_help(page: String) -> String {
    const EXTRA: &str = "\n.SH EXTRA\n";
    let Some(start) = page.find(EXTRA) else {
        return page;
    };
    let body = start + EXTRA.len();
    let end = page[body..]
        .find("\n.SH ")
        .map_or(page.len(), |at| body + at + 1);
    format!(
        "{}\n.SH NOTES\n.nf\n{}.fi\n{}",
        &page[..start],
        &page[body..end],
        &page[end..]
    )
}
