//! Fetching an exported file (`ListDownloadExportedFile`) as a stream:
//! chunk by chunk into a file or any [`AsyncWrite`], never whole in
//! memory, bounded by a size limit of its own.
//!
//! Into a file, the bytes go to a temporary file in the same directory
//! (`.<name>.part-<random>`), which is synced and renamed into place only
//! once the body is complete: a download that fails or is cancelled never
//! leaves a file that looks whole, and never truncates a file already
//! there before the new one is complete. The request itself is retried
//! like any `GET` until its answer starts; a body broken off after that
//! is an error (start again).
//!
//! Every other answer is bounded by the client's
//! [`max_response_body`](crate::HssClientBuilder::max_response_body);
//! files are larger by nature, so the client's hook leaves this
//! one operation to [`DownloadOptions::max_bytes`]. The client's request
//! timeout ([`HssClientBuilder::request_timeout`](crate::HssClientBuilder::request_timeout),
//! 60 s by default) covers the whole body: raise it for large files on
//! slow links.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use hss_operations as operations;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::call::{Op, request_id};
use crate::client::HssClient;
use crate::error::{Error, TransportKind};
use crate::scope::Scope;

/// The largest file [`HssClient::download_export`] writes unless told
/// otherwise: 1 GiB.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 1 << 30;

/// How a download is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadOptions {
    pub(crate) scope: Scope,
    max_bytes: u64,
}

impl Default for DownloadOptions {
    /// The client's project, at most [`DEFAULT_MAX_DOWNLOAD`] bytes.
    fn default() -> Self {
        DownloadOptions {
            scope: Scope::default(),
            max_bytes: DEFAULT_MAX_DOWNLOAD,
        }
    }
}

impl DownloadOptions {
    /// The project and enterprise project of the export.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The largest file accepted, in bytes: a larger one ends in
    /// [`Error::ResponseTooLarge`] and nothing is left on disk.
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }
}

/// What a download wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Bytes written.
    pub bytes: u64,
    /// The file name the service suggests (`Content-Disposition`), as a
    /// bare name: no directories, no control characters. Not used by
    /// this crate: the caller chooses where the file goes.
    pub suggested_name: Option<String>,
    /// The file written, for [`HssClient::download_export`].
    pub path: Option<PathBuf>,
    /// The answer's `X-Request-Id`.
    pub request_id: Option<String>,
}

impl HssClient {
    /// Downloads exported file `file_id` to `path`, through a temporary
    /// file in the same directory renamed into place when complete (see
    /// the [module docs](self)). An existing file at `path` is replaced
    /// only then.
    pub async fn download_export(
        &self,
        file_id: &str,
        path: &Path,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let name = path.file_name().ok_or_else(|| Error::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".part-{:016x}", rand::random::<u64>()));
        let temp = Partial(dir.join(temp_name));
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.0)
            .await
            .map_err(io(&temp.0))?;
        let mut done = self.download_export_to(file_id, &mut file, options).await?;
        file.sync_all().await.map_err(io(&temp.0))?;
        drop(file);
        tokio::fs::rename(&temp.0, path).await.map_err(io(path))?;
        temp.keep();
        done.path = Some(path.to_owned());
        Ok(done)
    }

    /// Downloads exported file `file_id` into `writer`, chunk by chunk,
    /// and flushes it. On an error the writer holds part of the file:
    /// [`download_export`](Self::download_export) is the form that never
    /// leaves one behind.
    pub async fn download_export_to<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        file_id: &str,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        options.scope.check(self)?;
        crate::query::check_id("file_id", file_id)?;
        let scope = &options.scope;
        let api = self.api.clone();
        let response = self
            .call(
                Op::of(operations::LIST_DOWNLOAD_EXPORTED_FILE),
                scope.project_id.as_deref(),
                |project| {
                    let mut request = api
                        .list_download_exported_file()
                        .project_id(project.as_str())
                        .file_id(file_id);
                    if let Some(eps) = &scope.enterprise_project_id {
                        request = request.enterprise_project_id(eps.as_str());
                    }
                    request.send()
                },
            )
            .await?;
        let status = response.status();
        let request_id = request_id(&response);
        let headers = response.headers();
        let suggested_name = headers
            .get(CONTENT_DISPOSITION)
            .and_then(|v| suggested_name(v.as_bytes()));
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let too_large = |declared| Error::ResponseTooLarge {
            status,
            request_id: request_id.clone(),
            limit: options.max_bytes,
            declared,
        };
        if let Some(length) = declared.filter(|l| *l > options.max_bytes) {
            return Err(too_large(Some(length)));
        }
        let mut body = response.into_inner_stream();
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|source| Error::Transport {
                kind: TransportKind::Body,
                status: Some(status),
                request_id: request_id.clone(),
                source,
            })?;
            written = written.saturating_add(chunk.len() as u64);
            if written > options.max_bytes {
                return Err(too_large(None));
            }
            writer.write_all(&chunk).await.map_err(|source| Error::Io {
                path: PathBuf::from("<download target>"),
                source,
            })?;
        }
        if let Some(length) = declared.filter(|l| *l != written) {
            return Err(Error::Decode {
                status,
                request_id,
                reason: format!("the body ended after {written} of the {length} bytes announced"),
                snippet: String::new(),
            });
        }
        writer.flush().await.map_err(|source| Error::Io {
            path: PathBuf::from("<download target>"),
            source,
        })?;
        Ok(Downloaded {
            bytes: written,
            suggested_name,
            path: None,
            request_id,
        })
    }
}

/// A temporary file removed when dropped, unless kept.
struct Partial(PathBuf);

impl Partial {
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The file name of a `Content-Disposition` value: `filename*=UTF-8''…`
/// (percent-decoded) before `filename="…"`, reduced to a bare name
/// without directories or control characters; `None` when nothing usable
/// is left.
pub fn suggested_name(value: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(value);
    let mut plain = None;
    let mut extended = None;
    for part in text.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
        match key.as_str() {
            "filename*" => {
                let encoded = value.rsplit_once('\'').map_or(value, |(_, v)| v);
                extended = Some(percent_decode(encoded));
            }
            "filename" => plain = Some(value.trim_matches('"').to_owned()),
            _ => {}
        }
    }
    let name = extended.or(plain)?;
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_names_are_bare_and_printable() {
        assert_eq!(
            suggested_name(b"attachment; filename=\"vuls.csv\"").as_deref(),
            Some("vuls.csv")
        );
        assert_eq!(
            suggested_name(
                b"attachment; filename=\"x.csv\"; filename*=UTF-8''%E6%BC%8F%E6%B4%9E.csv"
            )
            .as_deref(),
            Some("漏洞.csv")
        );
        assert_eq!(
            suggested_name(b"attachment; filename=\"../../etc/passwd\"").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            suggested_name(b"attachment; filename=\"a\\\\b\r\n.csv\"").as_deref(),
            Some("b.csv")
        );
        assert_eq!(suggested_name(b"attachment; filename=\"..\""), None);
        assert_eq!(suggested_name(b"attachment"), None);
        assert_eq!(
            suggested_name(b"attachment; filename*=UTF-8''%zz").as_deref(),
            Some("%zz")
        );
    }
}
