//! Output held back until the listing is known to be complete.
//!
//! A JSON array or a CSV file cut short by a failure still parses as a
//! whole list, so `--all` in those formats writes here and copies to stdout
//! only after the last page: a failure then leaves stdout empty. Memory is
//! bounded: past [`MEMORY_LIMIT`] bytes the spool moves to an anonymous
//! temporary file (unlinked at once, so nothing is left behind whatever
//! happens to the process).

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

/// Bytes kept in memory before the spool moves to a temporary file.
pub const MEMORY_LIMIT: usize = 4 << 20;

/// A writer that keeps everything until [`Spool::copy_to`].
#[derive(Debug)]
pub struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    limit: usize,
}

impl Default for Spool {
    fn default() -> Self {
        Spool::with_limit(MEMORY_LIMIT)
    }
}

impl Spool {
    /// A spool that moves to a temporary file past `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Spool {
            memory: Vec::new(),
            file: None,
            limit,
        }
    }

    /// Whether the spool has moved to a temporary file.
    #[cfg(test)]
    fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Writes everything spooled to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        match self.file {
            None => out.write_all(&self.memory),
            Some(file) => {
                let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                file.seek(SeekFrom::Start(0))?;
                io::copy(&mut file, out).map(drop)
            }
        }
    }

    fn spill(&mut self) -> io::Result<&mut BufWriter<File>> {
        let file = tempfile::tempfile().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "creating a temporary file in {} (set TMPDIR to change it) to hold the output: {e}",
                    std::env::temp_dir().display()
                ),
            )
        })?;
        let mut file = BufWriter::new(file);
        file.write_all(&self.memory)?;
        self.memory = Vec::new();
        Ok(self.file.insert(file))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(file) = &mut self.file {
            return file.write(buf);
        }
        if self.memory.len() + buf.len() > self.limit {
            return self.spill()?.write(buf);
        }
        self.memory.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// Nothing reaches the reader before [`Spool::copy_to`], so there is
    /// nothing to push.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> Vec<u8> {
        (0..n).map(|i| b'a' + (i % 26) as u8).collect()
    }

    #[test]
    fn small_output_stays_in_memory_and_comes_out_whole() {
        let mut spool = Spool::with_limit(100);
        spool.write_all(&text(60)).unwrap();
        spool.write_all(&text(40)).unwrap();
        spool.flush().unwrap();
        assert!(!spool.spilled());
        let mut out = Vec::new();
        spool.copy_to(&mut out).unwrap();
        assert_eq!(out, [text(60), text(40)].concat());
    }

    #[test]
    fn large_output_moves_to_a_file_and_comes_out_whole() {
        let mut spool = Spool::with_limit(100);
        let mut expected = Vec::new();
        for n in [70, 50, 10_000, 1, 0, 300] {
            let chunk = text(n);
            spool.write_all(&chunk).unwrap();
            expected.extend_from_slice(&chunk);
        }
        assert!(spool.spilled());
        let mut out = Vec::new();
        spool.copy_to(&mut out).unwrap();
        assert_eq!(out, expected);
    }

    #[test]
    fn nothing_written_copies_nothing() {
        let mut out = Vec::new();
        Spool::default().copy_to(&mut out).unwrap();
        assert!(out.is_empty());
    }
}
