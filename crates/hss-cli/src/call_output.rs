//! What `hss call` prints: the service's JSON as received, or its items.
//!
//! - `json`: one answer is written byte for byte; with `--all`, the items
//!   of every page as one array, each item's text as received, written
//!   only once the listing completed (through a `Spool`).
//! - `ndjson`: one item per line as received (a listing's items, else the
//!   whole answer), pages written as they arrive. Only line breaks outside
//!   strings are taken out, so each item stays one line.
//! - `csv` and `table`: a row per item, a column per scalar field, in the
//!   order the fields first appear; objects and arrays are left to `json`.
//!
//! Nothing here knows an operation: the item array and the count are the
//! operation table's names (`hss_operations::OffsetLimit`).

use std::borrow::Cow;
use std::io::Write;

use anyhow::{Context, Result, bail};
use futures::{Stream, StreamExt};
use hss_ext::operation_listing::{self, scalar_text};
use hss_ext::{ItemPage, OperationAnswer, RawItem};
use hss_operations::Operation;

use crate::args::Format;
use crate::output::cells;
use crate::output::spool::Spool;
use crate::output::table::{Table, shorten};
use crate::progress::Progress;

/// Widest table cell, in display columns; CSV and JSON show every value
/// whole.
const TABLE_CELL: usize = 60;

/// Prints one answer of `operation` in `format`.
pub fn answer(
    operation: &Operation,
    format: Format,
    answer: &OperationAnswer,
    out: &mut dyn Write,
) -> Result<()> {
    if format == Format::Json {
        out.write_all(&answer.body)?;
        if answer.body.last().is_some_and(|b| *b != b'\n') {
            out.write_all(b"\n")?;
        }
        return Ok(out.flush()?);
    }
    let is_json = answer
        .content_type
        .as_deref()
        .is_none_or(|t| t.split(';').next().unwrap_or("").trim().ends_with("json"));
    let Ok(text) = std::str::from_utf8(&answer.body) else {
        bail!("the answer is not text; write it as received with -o json");
    };
    if !is_json {
        bail!(
            "the answer is {}, not JSON; write it as received with -o json",
            answer.content_type.as_deref().unwrap_or("not JSON")
        );
    }
    let items: Vec<Cow<'_, str>> = if operation.list.is_some() {
        let page = operation_listing::page_of_answer(operation, answer)?;
        page.items
            .into_iter()
            .map(|item| Cow::Owned(item.json().to_owned()))
            .collect()
    } else if text.trim().is_empty() {
        Vec::new()
    } else {
        vec![Cow::Borrowed(text.trim())]
    };
    let mut rows = Rows::default();
    for item in &items {
        match format {
            Format::Ndjson => line(out, item)?,
            _ => rows.add(item)?,
        }
    }
    rows.write(format, out)?;
    Ok(out.flush()?)
}

/// Prints every item of a listing in `format`; on a failure, the error
/// says what stdout holds.
pub async fn all(
    format: Format,
    pages: impl Stream<Item = Result<ItemPage<RawItem>, hss_ext::Error>>,
    what: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let progress = Progress::items("items");
    let mut pages = std::pin::pin!(pages);
    let mut spool = Spool::default();
    let mut rows = Rows::default();
    let mut written = 0u64;
    let mut first = true;
    let failure = loop {
        let page = match pages.next().await {
            None => break None,
            Some(Ok(page)) => page,
            Some(Err(error)) => break Some(anyhow::Error::from(error)),
        };
        progress.set_total(page.total_num);
        for item in &page.items {
            match format {
                Format::Json => {
                    spool.write_all(if first { b"[\n" } else { b",\n" })?;
                    spool.write_all(item.json().as_bytes())?;
                    first = false;
                }
                Format::Ndjson => {
                    line(out, item.json())?;
                    written += 1;
                }
                Format::Csv | Format::Table => rows.add(item.json())?,
            }
        }
        progress.add(page.items.len());
        out.flush()?;
    };
    progress.clear();
    if let Some(error) = failure {
        let held = match written {
            0 => "nothing was written to stdout".to_owned(),
            1 => "1 item was written to stdout before the failure".to_owned(),
            n => format!("{n} items were written to stdout before the failure"),
        };
        return Err(error.context(format!("{what} ({held})")));
    }
    match format {
        Format::Json => {
            spool.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
            spool.copy_to(out)?;
        }
        Format::Ndjson => {}
        Format::Csv | Format::Table => rows.write(format, out)?,
    }
    Ok(out.flush()?)
}

/// Writes `json` as one line.
fn line(out: &mut dyn Write, json: &str) -> Result<()> {
    out.write_all(one_line(json).as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `json` without the whitespace outside strings when it spans lines
/// (inside a string a line break is always escaped), else as is.
fn one_line(json: &str) -> Cow<'_, str> {
    if !json.contains(['\n', '\r']) {
        return Cow::Borrowed(json);
    }
    let mut compact = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        compact.push(c);
    }
    Cow::Owned(compact)
}

/// Items as rows of their scalar fields.
#[derive(Default)]
struct Rows {
    columns: Vec<String>,
    /// Each row's (column index, text).
    rows: Vec<Vec<(usize, String)>>,
}

impl Rows {
    fn add(&mut self, json: &str) -> Result<()> {
        let fields = operation_listing::fields(json)
            .with_context(|| "an item is not a JSON object; write it with -o json or ndjson")?;
        let mut row = Vec::new();
        for (name, value) in fields {
            let Some(text) = scalar_text(value) else {
                continue;
            };
            let column = match self.columns.iter().position(|c| *c == name) {
                Some(i) => i,
                None => {
                    self.columns.push(name.into_owned());
                    self.columns.len() - 1
                }
            };
            row.push((column, text.into_owned()));
        }
        self.rows.push(row);
        Ok(())
    }

    fn cells(&self, row: &[(usize, String)]) -> Vec<String> {
        let mut cells = vec![String::new(); self.columns.len()];
        for (column, text) in row {
            cells[*column].clone_from(text);
        }
        cells
    }

    fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                if !self.columns.is_empty() {
                    cells::write_row(&mut csv, &self.columns)?;
                }
                for row in &self.rows {
                    cells::write_row(&mut csv, self.cells(row))?;
                }
                csv.flush()?;
            }
            Format::Table => {
                let mut table = Table::new(self.columns.iter().map(|c| c.to_uppercase()));
                for row in &self.rows {
                    table.row(self.cells(row).iter().map(|cell| {
                        let flat: String = cell
                            .chars()
                            .map(|c| if c.is_control() { ' ' } else { c })
                            .collect();
                        match flat.is_empty() {
                            true => crate::output::MISSING.to_owned(),
                            false => shorten(&flat, TABLE_CELL),
                        }
                    }));
                }
                table.write(out)?;
            }
            Format::Json | Format::Ndjson => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_takes_out_line_breaks_outside_strings_only() {
        assert_eq!(one_line(r#"{"a": 1}"#), r#"{"a": 1}"#);
        assert_eq!(
            one_line("{\n  \"a b\": \"x\\n\\\" y\",\n  \"c\": [1, 2]\n}"),
            r#"{"a b":"x\n\" y","c":[1,2]}"#
        );
    }

    #[test]
    fn rows_have_a_column_per_scalar_field_in_first_seen_order() {
        let mut rows = Rows::default();
        rows.add(r#"{"id": "a", "n": 1, "tags": ["x"], "o": {}}"#)
            .unwrap();
        rows.add(r#"{"n": 2, "extra": "=1+1", "id": null}"#)
            .unwrap();
        assert_eq!(rows.columns, ["id", "n", "extra"]);
        let mut csv = Vec::new();
        rows.write(Format::Csv, &mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "id,n,extra\na,1,\n,2,'=1+1\n"
        );
        assert!(rows.add("[1]").is_err());
    }
}
