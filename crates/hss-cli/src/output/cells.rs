//! CSV cells a spreadsheet shows as text rather than runs as a formula.
//!
//! Host names, ids and failure reasons are set by whoever controls the
//! server (or a host's agent), and a cell such as `=cmd|' /C calc'!A0` is a
//! formula to Excel, LibreOffice and Google Sheets. OWASP's rule for CSV
//! injection: a cell that starts with `=`, `+`, `-`, `@`, tab (0x09) or
//! carriage return (0x0D) gets a single quote `'` in front. Quoting of
//! commas, quotes and line breaks is the `csv` crate's job. Every CSV cell
//! the CLI writes goes through [`write_row`], its own headers and counts
//! included (they never start with such a character, so one rule covers
//! all).

use std::borrow::Cow;
use std::io::Write;

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` with a `'` in front when it starts like a formula, else as is.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one record, every cell [`neutralise`]d.
pub fn write_row<W: Write, S: AsRef<str>>(
    out: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    let cells: Vec<S> = cells.into_iter().collect();
    out.write_record(cells.iter().map(|c| neutralise(c.as_ref()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote_and_nothing_else_changes() {
        for (cell, shown) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("=", "'="),
        ] {
            assert_eq!(neutralise(cell), shown, "{cell:?}");
        }
        for cell in [
            "",
            "web-01",
            "a=b",
            " =1",
            "'=1",
            "10.0.0.1",
            "数据库",
            "\nx",
            "＝1",
        ] {
            assert!(
                matches!(neutralise(cell), Cow::Borrowed(c) if c == cell),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn rows_read_back_as_the_neutralised_cells() {
        let cells = ["=1+1", "a,\"b\"", "-", "\r\n=x", "plain"];
        let mut out = csv::Writer::from_writer(Vec::new());
        write_row(&mut out, cells).unwrap();
        let bytes = out.into_inner().unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            ["'=1+1", "a,\"b\"", "'-", "'\r\n=x", "plain"]
        );
    }
}
