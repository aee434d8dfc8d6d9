//! A plain text table: columns aligned by display width (so CJK names line
//! up), two spaces between columns, no borders, no trailing spaces.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

/// How a column's cells are aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// Rows of cells under a header row.
#[derive(Debug)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers, every column left-aligned.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let align = vec![Align::Left; headers.len()];
        Table {
            headers,
            align,
            rows: Vec::new(),
        }
    }

    /// Aligns column `index` (0-based).
    pub fn align(mut self, index: usize, align: Align) -> Self {
        self.align[index] = align;
        self
    }

    /// Adds a row; control characters in cells are shown as spaces so a
    /// value can neither break the layout nor drive the terminal.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let row: Vec<String> = cells
            .into_iter()
            .map(|c| hss_ext::text::one_line(c.as_ref()).into_owned())
            .collect();
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }

    /// Rows added so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Writes the header and the rows.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut line = String::new();
        for cells in std::iter::once(&self.headers).chain(&self.rows) {
            line.clear();
            for (i, cell) in cells.iter().enumerate().take(columns) {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(widths[i] - cell.width());
                match self.align[i] {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// `text` cut to at most `max` display columns, ending in `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(table: &Table) -> String {
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn columns_align_by_display_width() {
        let mut table = Table::new(["NAME", "HOSTS", "NOTE"]).align(1, Align::Right);
        table.row(["web-01", "7", "ok"]);
        table.row(["数据库", "1234", ""]);
        assert_eq!(
            render(&table),
            "NAME    HOSTS  NOTE\n\
             web-01      7  ok\n\
             数据库   1234\n"
        );
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn control_characters_do_not_break_rows() {
        let mut table = Table::new(["A", "B"]);
        table.row(["x\ny", "\u{1b}[31mred"]);
        assert_eq!(render(&table), "A    B\nx y   [31mred\n");
    }

    #[test]
    fn shortening_counts_display_columns() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("exactly-10", 10), "exactly-10");
        assert_eq!(shorten("a-much-longer-name", 10), "a-much-lo…");
        assert_eq!(shorten("a-much-longer-name", 10).width(), 10);
        // Wide characters take two columns each: 4 of them and the ellipsis fit in 10.
        assert_eq!(shorten("数据库服务器集群", 10), "数据库服…");
    }
}
