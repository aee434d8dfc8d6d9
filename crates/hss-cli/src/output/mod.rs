//! The output formats of `hss scan-task hosts`.
//!
//! Hosts go into a [`HostSink`], one at a time: `ndjson`, `csv` and `json`
//! write each host as it comes (`json` as the elements of one array),
//! while `table` keeps them to align its columns. With `--all`, `json` and
//! `csv` write into a [`spool::Spool`] that reaches stdout only once the
//! listing completed ([`is_document`]), because a cut array or CSV still
//! parses as a whole list; `ndjson` lines go out as pages arrive, each
//! whole. One page in `json` is written by [`write_page`] in the API's own
//! shape. JSON always goes through the generated types' serde, so values
//! are written exactly as the service sent them; CSV cells go through
//! [`cells::write_row`] against formula injection.

pub mod cells;
pub mod spool;
pub mod table;

use std::io::{self, Write};

use hss_api::types::VulScanTaskHostInfo;

use crate::args::Format;
use table::Table;

/// Widest host name in a table, in display columns; longer ones end in `…`.
pub const HOST_NAME_WIDTH: usize = 28;
/// Widest host id in a table; ids are UUIDs (36) in practice.
pub const HOST_ID_WIDTH: usize = 36;

/// What a table or CSV shows for a field the service left out.
const MISSING: &str = "-";

/// Where hosts are written, one at a time.
pub trait HostSink {
    /// Takes one host.
    fn host(&mut self, host: &VulScanTaskHostInfo) -> io::Result<()>;
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
pub fn host_sink<'a>(
    format: Format,
    scope: Scope,
    out: Box<dyn Write + 'a>,
) -> Box<dyn HostSink + 'a> {
    match format {
        Format::Table => Box::new(TableSink {
            out,
            scope,
            table: host_table(),
        }),
        Format::Json => Box::new(JsonArraySink { out, count: 0 }),
        Format::Ndjson => Box::new(NdjsonSink { out }),
        Format::Csv => Box::new(CsvSink {
            out: csv::Writer::from_writer(out),
            header_written: false,
        }),
    }
}

/// One page in the API's shape, `{"total_num": N, "data_list": [...]}`,
/// pretty-printed. `data_list` is always present, empty or not.
pub fn write_page(
    out: &mut dyn Write,
    total_num: Option<u64>,
    hosts: &[VulScanTaskHostInfo],
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Page<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        total_num: Option<u64>,
        data_list: &'a [VulScanTaskHostInfo],
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Page {
            total_num,
            data_list: hosts,
        },
    )?;
    writeln!(out)
}

/// The failure causes of a host as (vulnerability type, reason) pairs:
/// `failed_reasons`, or when that is empty (the API is moving away from
/// it), the `vul_scan_details` entries that carry a `failed_reason`.
pub fn failures(host: &VulScanTaskHostInfo) -> Vec<(Option<&str>, Option<&str>)> {
    if !host.failed_reasons.is_empty() {
        return host
            .failed_reasons
            .iter()
            .map(|r| {
                (
                    r.vul_type.as_ref().map(|t| t.0.as_str()),
                    r.failed_reason.as_deref(),
                )
            })
            .filter(|pair| *pair != (None, None))
            .collect();
    }
    host.vul_scan_details
        .iter()
        .filter(|d| d.failed_reason.is_some())
        .map(|d| {
            (
                d.vul_type.as_ref().map(|t| t.0.as_str()),
                d.failed_reason.as_deref(),
            )
        })
        .collect()
}

/// `linux_vul: reason; web_cms: reason`; empty when the host has none.
pub fn failure_text(host: &VulScanTaskHostInfo) -> String {
    failures(host)
        .into_iter()
        .map(|pair| match pair {
            (Some(t), Some(r)) => format!("{t}: {r}"),
            (Some(t), None) => t.to_owned(),
            (None, Some(r)) => r.to_owned(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn host_table() -> Table {
    Table::new([
        "HOST ID",
        "HOST NAME",
        "PUBLIC IP",
        "PRIVATE IP",
        "ASSET",
        "STATUS",
        "FAILURE REASONS",
    ])
}

fn or_missing(value: Option<&str>) -> &str {
    match value {
        Some(v) if !v.is_empty() => v,
        _ => MISSING,
    }
}

/// Adds one host as a table row.
pub fn table_row(table: &mut Table, host: &VulScanTaskHostInfo) {
    let reasons = failure_text(host);
    table.row([
        table::shorten(or_missing(host.host_id.as_deref()), HOST_ID_WIDTH),
        table::shorten(or_missing(host.host_name.as_deref()), HOST_NAME_WIDTH),
        or_missing(host.public_ip.as_deref()).to_owned(),
        or_missing(host.private_ip.as_deref()).to_owned(),
        or_missing(host.asset_value.as_deref()).to_owned(),
        or_missing(host.scan_status.as_deref()).to_owned(),
        if reasons.is_empty() {
            MISSING.to_owned()
        } else {
            reasons
        },
    ]);
}

/// A table of hosts, ready to write.
#[cfg(feature = "demo")]
pub fn hosts_table<'a>(hosts: impl IntoIterator<Item = &'a VulScanTaskHostInfo>) -> Table {
    let mut table = host_table();
    for host in hosts {
        table_row(&mut table, host);
    }
    table
}

struct TableSink<'a> {
    out: Box<dyn Write + 'a>,
    scope: Scope,
    table: Table,
}

impl HostSink for TableSink<'_> {
    fn host(&mut self, host: &VulScanTaskHostInfo) -> io::Result<()> {
        table_row(&mut self.table, host);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.table.write(&mut self.out)?;
        let shown = self.table.len() as u64;
        let hosts = if shown == 1 { "host" } else { "hosts" };
        match self.scope {
            Scope::All => writeln!(self.out, "{shown} {hosts}")?,
            Scope::Page {
                total_num: Some(total),
                offset,
            } => {
                let first = u64::from(offset) + u64::from(shown > 0);
                let last = u64::from(offset) + shown;
                if shown == 0 {
                    writeln!(self.out, "no hosts at offset {offset} of {total}")?;
                } else {
                    writeln!(self.out, "hosts {first}-{last} of {total}")?;
                }
            }
            Scope::Page {
                total_num: None, ..
            } => writeln!(self.out, "{shown} {hosts}")?,
        }
        self.out.flush()
    }
}

struct JsonArraySink<'a> {
    out: Box<dyn Write + 'a>,
    count: u64,
}

impl HostSink for JsonArraySink<'_> {
    fn host(&mut self, host: &VulScanTaskHostInfo) -> io::Result<()> {
        // Each element pretty-printed and indented one level, which is
        // byte for byte what serde_json prints for the whole array.
        let text = serde_json::to_string_pretty(host)?;
        self.out
            .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            write!(self.out, "  {line}")?;
        }
        self.count += 1;
        Ok(())
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
}

impl HostSink for NdjsonSink<'_> {
    fn host(&mut self, host: &VulScanTaskHostInfo) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, host)?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 7] = [
    "host_id",
    "host_name",
    "public_ip",
    "private_ip",
    "asset_value",
    "scan_status",
    "failed_reasons",
];

struct CsvSink<'a> {
    out: csv::Writer<Box<dyn Write + 'a>>,
    header_written: bool,
}

impl CsvSink<'_> {
    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            cells::write_row(&mut self.out, CSV_HEADER)?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl HostSink for CsvSink<'_> {
    fn host(&mut self, host: &VulScanTaskHostInfo) -> io::Result<()> {
        self.header()?;
        let field = |v: &Option<String>| v.clone().unwrap_or_default();
        cells::write_row(
            &mut self.out,
            [
                field(&host.host_id),
                field(&host.host_name),
                field(&host.public_ip),
                field(&host.private_ip),
                field(&host.asset_value),
                field(&host.scan_status),
                failure_text(host),
            ],
        )?;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hss_api::types::{FailedReason, VulScanDetail, VulType};

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
        let mut sink = host_sink(format, scope, Box::new(&mut out));
        for h in hosts {
            sink.host(h).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn failure_text_prefers_failed_reasons_then_details() {
        let h = host("a", &[("linux_vul", "offline"), ("web_cms", "timed out")]);
        assert_eq!(failure_text(&h), "linux_vul: offline; web_cms: timed out");

        let mut h = host("b", &[]);
        h.vul_scan_details = vec![
            VulScanDetail {
                vul_type: Some(VulType("app_vul".into())),
                status: Some("failed".into()),
                failed_reason: Some("no memory".into()),
                scan_vul_list: Vec::new(),
            },
            VulScanDetail {
                vul_type: Some(VulType("linux_vul".into())),
                status: Some("success".into()),
                failed_reason: None,
                scan_vul_list: Vec::new(),
            },
        ];
        assert_eq!(failure_text(&h), "app_vul: no memory");
        h.failed_reasons = vec![FailedReason {
            vul_type: None,
            failed_reason: Some("why".into()),
        }];
        assert_eq!(failure_text(&h), "why");
        assert_eq!(failure_text(&VulScanTaskHostInfo::default()), "");
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
        write_page(&mut out, Some(0), &[]).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value, serde_json::json!({"total_num": 0, "data_list": []}));
    }
}
