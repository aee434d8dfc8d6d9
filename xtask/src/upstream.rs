//! The pinned upstream packages: Huawei's published API definitions
//! ([`DEFINITIONS`]) and the official Python SDK ([`SDK`], read by
//! [`crate::sdk`]), each fetched once into `target/upstream/` and verified
//! by hash. Nothing from them is committed; see
//! `shared/reference/upstream-definitions.md`.
//!
//! The pins (package, version, wheel name, sha256) live here and only here;
//! `.ci/run` fetches through `cargo xtask upstream`, and tests read
//! [`wheel_path`] and [`Pin::path`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// A pinned wheel on PyPI.
#[derive(Debug, Clone, Copy)]
pub struct Pin {
    pub package: &'static str,
    pub version: &'static str,
    /// The wheel file `pip download` writes for that version.
    pub wheel: &'static str,
    /// sha256 of the wheel; a download with another hash is refused.
    pub sha256: &'static str,
}

/// The package that carries Huawei's definitions (one per service).
pub const DEFINITIONS: Pin = Pin {
    package: "huaweicloud-mcp-server",
    version: "0.3.1",
    wheel: "huaweicloud_mcp_server-0.3.1-py3-none-any.whl",
    sha256: "1caefe6635dd66ffcb5629748c2fe9a92acca3fd443f0894468db26e7d4f8fd7",
};

/// The official Python SDK of HSS, the version the interop tests pin.
pub const SDK: Pin = Pin {
    package: "huaweicloudsdkhss",
    version: "3.1.219",
    wheel: "huaweicloudsdkhss-3.1.219-py3-none-any.whl",
    sha256: "598fd55cf6976277d66561508b4dee1afe40101e6256eb4527d069b604c88f30",
};

/// [`DEFINITIONS`]'s package.
pub const PACKAGE: &str = DEFINITIONS.package;
/// [`DEFINITIONS`]'s version.
pub const VERSION: &str = DEFINITIONS.version;

/// The service whose definition `cargo xtask import` reads by default.
pub const DEFAULT_SERVICE: &str = "hss";

/// Where the wheel is cached: `target/upstream/`.
pub fn cache_dir() -> PathBuf {
    crate::workspace_root().join("target/upstream")
}

/// The cached definitions wheel (present or not).
pub fn wheel_path() -> PathBuf {
    DEFINITIONS.path()
}

impl Pin {
    /// The cached wheel (present or not).
    pub fn path(&self) -> PathBuf {
        cache_dir().join(self.wheel)
    }

    /// Makes sure the wheel is in the cache with the pinned hash,
    /// downloading it with pip when it is missing. Returns its path.
    pub fn ensure(&self) -> anyhow::Result<PathBuf> {
        ensure(self)
    }
}

/// The path of a service's definition inside the wheel. The service is
/// named as its file is; its package directory spells `-` as `_`
/// (`mcp_server_anti_ddos/.../config/anti-ddos.json`).
pub fn member_name(service: &str) -> String {
    let dir = service.replace('-', "_");
    format!(
        "huaweicloud_services_server/mcp_server_{dir}/src/mcp_server_{dir}/config/{service}.json"
    )
}

/// How a definition was obtained, for messages and the imported spec's
/// header.
#[derive(Debug, Clone)]
pub struct Definition {
    /// What to call it in messages: a file path, or `wheel!member`.
    pub label: String,
    pub text: String,
}

/// The hex sha256 of a file.
pub fn sha256_of(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// [`DEFINITIONS`]'s wheel, fetched and verified as needed.
pub fn ensure_wheel() -> anyhow::Result<PathBuf> {
    DEFINITIONS.ensure()
}

fn ensure(pin: &Pin) -> anyhow::Result<PathBuf> {
    let path = pin.path();
    if path.exists() {
        verify(pin, &path)?;
        return Ok(path);
    }
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let spec = format!("{}=={}", pin.package, pin.version);
    eprintln!(
        "fetching {spec} into {} with pip",
        crate::display_path(&dir)
    );
    let output = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
            "-d",
        ])
        .arg(&dir)
        .arg(&spec)
        .output()
        .with_context(|| {
            format!("could not run `{python} -m pip` (set PYTHON to a Python with pip)")
        })?;
    if !output.status.success() {
        bail!(
            "`{python} -m pip download --no-deps {spec}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    if !path.exists() {
        bail!(
            "pip downloaded {spec} but {} is not there (did the wheel name change?)",
            path.display()
        );
    }
    verify(pin, &path)?;
    Ok(path)
}

/// Refuses a wheel whose hash is not the pinned one (and removes it, so the
/// next run downloads again rather than trusting it).
fn verify(pin: &Pin, path: &Path) -> anyhow::Result<()> {
    let actual = sha256_of(path)?;
    if actual != pin.sha256 {
        let _ = std::fs::remove_file(path);
        bail!(
            "{} has sha256 {actual}, not the pinned {}; it was removed. If {} {} was republished, review it and change the pin in xtask/src/upstream.rs",
            path.display(),
            pin.sha256,
            pin.package,
            pin.version
        );
    }
    Ok(())
}

/// Reads one service's definition out of a wheel (a zip archive).
pub fn read_from_wheel(wheel: &Path, service: &str) -> anyhow::Result<Definition> {
    let file =
        std::fs::File::open(wheel).with_context(|| format!("opening {}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a zip archive (a wheel)", wheel.display()))?;
    let member = member_name(service);
    if archive.index_for_name(&member).is_none() {
        let services = services_in(&archive);
        let near: Vec<&String> = services
            .iter()
            .filter(|s| strsim::jaro_winkler(s, service) > 0.8)
            .collect();
        bail!(
            "{} has no definition for service `{service}` (no {member}); it has {} services{}",
            wheel.display(),
            services.len(),
            if near.is_empty() {
                String::new()
            } else {
                format!(
                    ", for example {}",
                    near.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )
    }
    let mut entry = archive
        .by_name(&member)
        .with_context(|| format!("reading {member} from {}", wheel.display()))?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .with_context(|| format!("reading {member} from {} as UTF-8", wheel.display()))?;
    Ok(Definition {
        label: format!("{PACKAGE} {VERSION}: {member}"),
        text,
    })
}

/// The service names a wheel holds definitions for.
fn services_in<R: std::io::Read + std::io::Seek>(archive: &zip::ZipArchive<R>) -> Vec<String> {
    let mut out: Vec<String> = archive
        .file_names()
        .filter_map(|name| {
            let file = name.strip_suffix(".json")?.rsplit('/').next()?;
            (name == member_name(file)).then(|| file.to_string())
        })
        .collect();
    out.sort();
    out
}

/// Every service the wheel at `wheel` holds a definition for, sorted.
pub fn services(wheel: &Path) -> anyhow::Result<Vec<String>> {
    let file =
        std::fs::File::open(wheel).with_context(|| format!("opening {}", wheel.display()))?;
    let archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a zip archive (a wheel)", wheel.display()))?;
    Ok(services_in(&archive))
}

/// The pinned definition of `service`, fetched and verified as needed.
pub fn pinned_definition(service: &str) -> anyhow::Result<Definition> {
    let wheel = ensure_wheel()?;
    read_from_wheel(&wheel, service)
}

/// A definition from a file of the maintainer's.
pub fn definition_file(path: &Path) -> anyhow::Result<Definition> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the definition {}", path.display()))?;
    Ok(Definition {
        label: crate::display_path(path),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel_with(entries: &[(&str, &str)]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, text) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn a_service_is_read_out_of_the_wheel() {
        let wheel = wheel_with(&[(&member_name("hss"), "{\"openapi\": \"3.0.0\"}")]);
        let def = read_from_wheel(wheel.path(), "hss").unwrap();
        assert_eq!(def.text, "{\"openapi\": \"3.0.0\"}");
        assert!(def.label.ends_with("config/hss.json"), "{}", def.label);
    }

    #[test]
    fn a_missing_service_names_the_ones_that_are_there() {
        let wheel = wheel_with(&[
            (&member_name("hss"), "{}"),
            (&member_name("iam"), "{}"),
            ("huaweicloud_services_server/README.md", ""),
        ]);
        let err = read_from_wheel(wheel.path(), "hsss")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no definition for service `hsss`"), "{err}");
        assert!(
            err.contains("it has 2 services, for example `hss`"),
            "{err}"
        );
    }

    #[test]
    fn a_service_whose_directory_spells_its_dash_as_an_underscore_is_found() {
        let wheel = wheel_with(&[
            (
                "huaweicloud_services_server/mcp_server_anti_ddos/src/mcp_server_anti_ddos/config/anti-ddos.json",
                "{}",
            ),
            (&member_name("hss"), "{}"),
        ]);
        assert_eq!(services(wheel.path()).unwrap(), ["anti-ddos", "hss"]);
        assert_eq!(
            read_from_wheel(wheel.path(), "anti-ddos").unwrap().text,
            "{}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_named() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "not a zip").unwrap();
        let err = format!("{:#}", read_from_wheel(file.path(), "hss").unwrap_err());
        assert!(err.contains("is not a zip archive"), "{err}");
    }

    #[test]
    fn hashes_are_hex_sha256() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "abc").unwrap();
        assert_eq!(
            sha256_of(file.path()).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
