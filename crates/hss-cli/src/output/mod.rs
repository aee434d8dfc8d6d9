//! The output formats of every listing (`hss scan-task hosts`, `hss vul
//! list`, ...).
//!
//! A record type says once how it shows ([`Record`]: its columns, for
//! table and CSV alike); records then go into a [`Sink`], one at a time:
//! `ndjson`, `csv` and `json` write each record as it comes (`json` as the
//! elements of one array), while `table` keeps them to align its columns.
//! With `--all`, `json` and `csv` write into a [`spool::Spool`] that
//! reaches stdout only once the listing completed ([`is_document`]),
//! because a cut array or CSV still parses as a whole list; `ndjson` lines
//! go out as pages arrive, each whole. One page in `json` is the answer
//! as received ([`write_received`]). `json` and `ndjson` write each record
//! as the service sent it (the text the sink is handed with it), fields
//! this version does not know included and nothing encoded again; only a
//! record without that text (built, not received) goes through the
//! generated types' serde. CSV cells go through [`cells::write_row`]
//! against formula injection.

pub mod cells;
pub mod columns;
pub mod spool;
pub mod table;

use std::io::{self, Write};

use serde::Serialize;

use crate::args::Format;
use table::{Align, Table};

pub use columns::failures;

/// What a table shows for a field the service left out.
pub const MISSING: &str = "-";

/// One column of a listing: the same in a table and in CSV, except that a
/// table shortens long values and shows [`MISSING`] for empty ones.
pub struct Column<T> {
    /// The table's header, e.g. `HOST NAME`.
    pub title: &'static str,
    /// The CSV header: the API's field name, e.g. `host_name`.
    pub name: &'static str,
    /// The cell; `None` or empty for a field the service left out.
    pub value: fn(&T) -> Option<String>,
    /// Widest cell in a table, in display columns (longer ones end in `…`).
    pub width: Option<usize>,
    /// Numbers are right-aligned in a table.
    pub align: Align,
    /// Only in CSV: values too long for a table (descriptions, URLs).
    pub csv_only: bool,
}

impl<T> Column<T> {
    /// A left-aligned text column.
    pub const fn text(
        title: &'static str,
        name: &'static str,
        value: fn(&T) -> Option<String>,
    ) -> Self {
        Column {
            title,
            name,
            value,
            width: None,
            align: Align::Left,
            csv_only: false,
        }
    }

    /// A right-aligned number column.
    pub const fn number(
        title: &'static str,
        name: &'static str,
        value: fn(&T) -> Option<String>,
    ) -> Self {
        Column {
            align: Align::Right,
            ..Column::text(title, name, value)
        }
    }

    /// This column shortened to `width` display columns in a table.
    pub const fn width(self, width: usize) -> Self {
        Column {
            width: Some(width),
            ..self
        }
    }

    /// This column in CSV only.
    pub const fn csv_only(self) -> Self {
        Column {
            csv_only: true,
            ..self
        }
    }
}

/// A kind of record a listing prints.
pub trait Record: Serialize {
    /// `host`: the count line under a table says `1 host`.
    const SINGULAR: &'static str;
    /// `hosts`: ... and `12 hosts`.
    const PLURAL: &'static str;
    /// The columns, in order.
    fn columns() -> &'static [Column<Self>]
    where
        Self: Sized;
}

/// Where records are written, one at a time.
pub trait Sink<T> {
    /// Takes one record, with the JSON text the service sent it as when
    /// it was received.
    fn record(&mut self, record: &T, received: Option<&str>) -> io::Result<()>;
    /// Pushes what was written so far to the reader (called whenever the
    /// listing waits for the network, so once per page).
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever is still held and ends the output.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// How the listing went, for the count line under a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One page: `total_num` as reported and the page's offset.
    Page {
        /// `total_num` of the answer.
        total_num: Option<u64>,
        /// The offset the page started at.
        offset: u32,
    },
    /// Every page from the start offset on.
    All,
}

/// Whether `format` is one document that a cut would leave parseable (a
/// JSON array, a CSV file), so that `--all` spools it until the listing
/// completed.
pub fn is_document(format: Format) -> bool {
    matches!(format, Format::Json | Format::Csv)
}

/// A sink for `format`, writing to `out`.
pub fn sink<'a, T: Record + 'static>(
    format: Format,
    scope: Scope,
    out: Box<dyn Write + 'a>,
) -> Box<dyn Sink<T> + 'a> {
    match format {
        Format::Table => Box::new(TableSink {
            out,
            scope,
            table: table_of::<T>(),
        }),
        Format::Json => Box::new(JsonArraySink { out, count: 0 }),
        Format::Ndjson => Box::new(NdjsonSink {
            out,
            line: Vec::new(),
        }),
        Format::Csv => Box::new(CsvSink {
            out: csv::Writer::from_writer(out),
            header_written: false,
        }),
    }
}

/// One page in the API's shape, `{"total_num": N, "data_list": [...]}`,
/// pretty-printed. `data_list` is always present, empty or not.
pub fn write_page<T: Serialize>(
    out: &mut dyn Write,
    total_num: Option<u64>,
    records: &[T],
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Page<'a, T> {
        #[serde(skip_serializing_if = "Option::is_none")]
        total_num: Option<u64>,
        data_list: &'a [T],
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Page {
            total_num,
            data_list: records,
        },
    )?;
    writeln!(out)
}

/// One answer's body as received, ended with a newline.
pub fn write_received(out: &mut dyn Write, body: &str) -> io::Result<()> {
    out.write_all(body.as_bytes())?;
    if !body.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One value (a record that is not a list, such as statistics or the
/// policy) pretty-printed as JSON.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// One record (the statistics, the policy, a task's final state) in
/// `format`: `table` one column per line (`TITLE  value`, every column,
/// none shortened), `json` the record pretty-printed as the service sent
/// it, `ndjson` the same on one line, `csv` a header row and one row.
pub fn write_one<T: Record + 'static>(
    format: Format,
    out: &mut dyn Write,
    record: &T,
) -> io::Result<()> {
    match format {
        Format::Json => write_json(out, record)?,
        Format::Ndjson => {
            serde_json::to_writer(&mut *out, record)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(&mut *out);
            cells::write_row(&mut csv, csv_header::<T>())?;
            cells::write_row(
                &mut csv,
                T::columns()
                    .iter()
                    .map(|c| (c.value)(record).unwrap_or_default()),
            )?;
            csv.flush()?;
        }
        Format::Table => {
            let width = T::columns()
                .iter()
                .map(|c| unicode_width::UnicodeWidthStr::width(c.title))
                .max()
                .unwrap_or(0);
            for column in T::columns() {
                let value = match (column.value)(record) {
                    Some(v) if !v.is_empty() => v,
                    _ => MISSING.to_owned(),
                };
                let pad = width - unicode_width::UnicodeWidthStr::width(column.title);
                writeln!(
                    out,
                    "{}{}  {}",
                    column.title,
                    " ".repeat(pad),
                    hss_ext::text::one_line(&value)
                )?;
            }
        }
    }
    out.flush()
}

/// An empty table with `T`'s columns.
pub fn table_of<T: Record + 'static>() -> Table {
    let columns = T::columns().iter().filter(|c| !c.csv_only);
    let mut table = Table::new(columns.clone().map(|c| c.title));
    for (i, column) in columns.enumerate() {
        table = table.align(i, column.align);
    }
    table
}

/// Adds `record` to `table` (made by [`table_of`]) as one row.
pub fn table_row<T: Record + 'static>(table: &mut Table, record: &T) {
    table.row(
        T::columns()
            .iter()
            .filter(|c| !c.csv_only)
            .map(|c| table_cell(c, record)),
    );
}

fn table_cell<T>(column: &Column<T>, record: &T) -> String {
    match (column.value)(record) {
        Some(v) if !v.is_empty() => match column.width {
            Some(width) => table::shorten(&v, width),
            None => v,
        },
        _ => MISSING.to_owned(),
    }
}

/// A table of records, ready to write.
#[cfg(feature = "demo")]
pub fn records_table<'a, T: Record + 'static>(records: impl IntoIterator<Item = &'a T>) -> Table {
    let mut table = table_of::<T>();
    for record in records {
        table_row(&mut table, record);
    }
    table
}

/// The CSV header of `T`.
pub fn csv_header<T: Record + 'static>() -> Vec<&'static str> {
    T::columns().iter().map(|c| c.name).collect()
}

/// `n` records as the count line says it (`1 host`, `3 hosts`).
pub fn count<T: Record>(n: u64) -> String {
    format!("{n} {}", if n == 1 { T::SINGULAR } else { T::PLURAL })
}

struct TableSink<'a> {
    out: Box<dyn Write + 'a>,
    scope: Scope,
    table: Table,
}

impl<T: Record + 'static> Sink<T> for TableSink<'_> {
    fn record(&mut self, record: &T, _: Option<&str>) -> io::Result<()> {
        table_row(&mut self.table, record);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.table.write(&mut self.out)?;
        let shown = self.table.len() as u64;
        match self.scope {
            Scope::All => writeln!(self.out, "{}", count::<T>(shown))?,
            Scope::Page {
                total_num: Some(total),
                offset,
            } => {
                let first = u64::from(offset) + u64::from(shown > 0);
                let last = u64::from(offset) + shown;
                if shown == 0 {
                    writeln!(self.out, "no {} at offset {offset} of {total}", T::PLURAL)?;
                } else {
                    writeln!(self.out, "{} {first}-{last} of {total}", T::PLURAL)?;
                }
            }
            Scope::Page {
                total_num: None, ..
            } => writeln!(self.out, "{}", count::<T>(shown))?,
        }
        self.out.flush()
    }
}

struct JsonArraySink<'a> {
    out: Box<dyn Write + 'a>,
    count: u64,
}

impl<T: Serialize> Sink<T> for JsonArraySink<'_> {
    fn record(&mut self, record: &T, received: Option<&str>) -> io::Result<()> {
        let start: &[u8] = if self.count == 0 { b"[\n" } else { b",\n" };
        self.count += 1;
        if let Some(json) = received {
            // As received, one element after another (as `hss call --all`).
            self.out.write_all(start)?;
            return self.out.write_all(json.as_bytes());
        }
        // Each element pretty-printed and indented one level, which is
        // byte for byte what serde_json prints for the whole array.
        // Built in memory and written at once (see `NdjsonSink::line`).
        let text = serde_json::to_string_pretty(record)?;
        let mut element = Vec::with_capacity(text.len() + text.len() / 8 + 4);
        element.extend_from_slice(start);
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                element.push(b'\n');
            }
            element.extend_from_slice(b"  ");
            element.extend_from_slice(line.as_bytes());
        }
        self.out.write_all(&element)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        if self.count == 0 {
            self.out.write_all(b"[]\n")?;
        } else {
            self.out.write_all(b"\n]\n")?;
        }
        self.out.flush()
    }
}

struct NdjsonSink<'a> {
    out: Box<dyn Write + 'a>,
    /// The line being written, reused: serde_json writes a record token by
    /// token, and a `Vec` takes those far more cheaply than the boxed
    /// writer (a third of the CPU of a listing went there); the line
    /// then goes out in one write.
    line: Vec<u8>,
}

impl<T: Serialize> Sink<T> for NdjsonSink<'_> {
    fn record(&mut self, record: &T, received: Option<&str>) -> io::Result<()> {
        self.line.clear();
        match received {
            Some(json) => self.line.extend_from_slice(json.as_bytes()),
            None => serde_json::to_writer(&mut self.line, record)?,
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

struct CsvSink<'a> {
    out: csv::Writer<Box<dyn Write + 'a>>,
    header_written: bool,
}

impl CsvSink<'_> {
    fn header<T: Record + 'static>(&mut self) -> io::Result<()> {
        if !self.header_written {
            cells::write_row(&mut self.out, csv_header::<T>())?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl<T: Record + 'static> Sink<T> for CsvSink<'_> {
    fn record(&mut self, record: &T, _: Option<&str>) -> io::Result<()> {
        self.header::<T>()?;
        cells::write_row(
            &mut self.out,
            T::columns()
                .iter()
                .map(|c| (c.value)(record).unwrap_or_default()),
        )?;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.header::<T>()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hss_api::types::{FailedReason, VulScanTaskHostInfo, VulType};

    fn host(name: &str, reasons: &[(&str, &str)]) -> VulScanTaskHostInfo {
        VulScanTaskHostInfo {
            host_id: Some(format!("id-{name}")),
            host_name: Some(name.into()),
            public_ip: Some(String::new()),
            private_ip: Some("10.0.0.1".into()),
            asset_value: Some("common".into()),
            scan_status: Some(
                if reasons.is_empty() {
                    "success"
                } else {
                    "failed"
                }
                .into(),
            ),
            failed_reasons: reasons
                .iter()
                .map(|(t, r)| FailedReason {
                    vul_type: Some(VulType((*t).into())),
                    failed_reason: Some((*r).into()),
                })
                .collect(),
            vul_scan_details: Vec::new(),
        }
    }

    fn run(format: Format, scope: Scope, hosts: &[VulScanTaskHostInfo]) -> String {
        let mut out = Vec::new();
        let mut sink = sink::<VulScanTaskHostInfo>(format, scope, Box::new(&mut out));
        for h in hosts {
            sink.record(h, None).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_json_array_matches_serde_json() {
        let hosts = vec![
            host("a", &[("linux_vul", "offline")]),
            host("b", &[]),
            VulScanTaskHostInfo::default(),
        ];
        let expected = serde_json::to_string_pretty(&hosts).unwrap() + "\n";
        assert_eq!(run(Format::Json, Scope::All, &hosts), expected);
        assert_eq!(run(Format::Json, Scope::All, &[]), "[]\n");
    }

    #[test]
    fn ndjson_is_one_host_per_line() {
        let hosts = vec![host("a", &[("linux_vul", "offline")]), host("b", &[])];
        let text = run(Format::Ndjson, Scope::All, &hosts);
        let parsed: Vec<VulScanTaskHostInfo> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed, hosts);
    }

    #[test]
    fn csv_quotes_and_flattens() {
        let hosts = vec![host(
            "a,b",
            &[("linux_vul", "x"), ("web_cms", "say \"hi\"")],
        )];
        assert_eq!(
            run(Format::Csv, Scope::All, &hosts),
            "host_id,host_name,public_ip,private_ip,asset_value,scan_status,failed_reasons\n\
             \"id-a,b\",\"a,b\",,10.0.0.1,common,failed,\"linux_vul: x; web_cms: say \"\"hi\"\"\"\n"
        );
        assert_eq!(
            run(Format::Csv, Scope::All, &[]),
            "host_id,host_name,public_ip,private_ip,asset_value,scan_status,failed_reasons\n"
        );
    }

    #[test]
    fn tables_end_with_a_count_line() {
        let hosts = vec![host("a", &[])];
        let page = run(
            Format::Table,
            Scope::Page {
                total_num: Some(40),
                offset: 10,
            },
            &hosts,
        );
        assert!(page.ends_with("\nhosts 11-11 of 40\n"), "{page}");
        let empty = run(
            Format::Table,
            Scope::Page {
                total_num: Some(40),
                offset: 40,
            },
            &[],
        );
        assert!(
            empty.ends_with("\nno hosts at offset 40 of 40\n"),
            "{empty}"
        );
        assert!(run(Format::Table, Scope::All, &hosts).ends_with("\n1 host\n"));
    }

    #[test]
    fn one_page_keeps_the_api_shape() {
        let mut out = Vec::new();
        write_page::<VulScanTaskHostInfo>(&mut out, Some(0), &[]).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value, serde_json::json!({"total_num": 0, "data_list": []}));
    }
}
