//! Atomic replacement of output files: the one scheme for every file assay writes whole
//! (anonymized tables, masked PII output, the privacy ledger).
//!
//! **Scheme.** The content is written to a temporary file in the output's own directory (so
//! that the final rename stays on one file system and is atomic), named
//! `.<name>.assay-tmp-<pid>-<n>` ([`temp_name`]: the output's file name, the writer's process
//! id and a per-process counter), flushed and synced, then renamed over the output. Readers
//! see the old file or the new one, never a part; a writer that fails or is dropped before
//! [`AtomicFile::commit`] removes its temporary file.
//!
//! **Permissions.** When the output already exists, the temporary file is given the output's
//! permissions before the rename, so replacing a 0600 file leaves it 0600. A new output gets
//! the default of `File::create` (0666 less the umask).
//!
//! **Leftovers.** A writer killed before its rename (kill -9, power loss) leaves its temporary
//! file behind. [`AtomicFile::create`] first removes the temporary files *of the same output*
//! whose writer process is no longer running ([`crate::process::alive`]), including the names
//! earlier assay versions used (`.<name>.<pid>.tmp`, `.<name>.tmp-<pid>`), and reports what it
//! removed ([`AtomicFile::cleaned`]); temporary files of running writers are left alone.
//! Nothing is printed here.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The marker in every temporary file name: `.<name>` + this + `<pid>-<n>`.
pub const TEMP_MARKER: &str = ".assay-tmp-";

/// Per-process counter that makes temporary names unique within a process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file operation that failed, with the file and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot {action}: {source}", .path.display())]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What was being done ("create a temporary file", "replace", ...).
    pub action: &'static str,
    /// The cause.
    #[source]
    pub source: io::Error,
}

impl FileError {
    fn new(path: &Path, action: &'static str, source: io::Error) -> FileError {
        FileError {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

/// The temporary file name for output file name `name`, process `pid` and counter `n`:
/// `.<name>.assay-tmp-<pid>-<n>`.
pub fn temp_name(name: &str, pid: u32, n: u64) -> String {
    format!(".{name}{TEMP_MARKER}{pid}-{n}")
}

/// The writer's process id if `candidate` is a temporary file name of output `name`, in the
/// current scheme or an earlier assay version's (`.<name>.<pid>.tmp`, `.<name>.tmp-<pid>`).
pub fn temp_owner(name: &str, candidate: &str) -> Option<u32> {
    let rest = candidate.strip_prefix('.')?.strip_prefix(name)?;
    let digits = |s: &str| -> Option<u32> {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if let Some(t) = rest.strip_prefix(TEMP_MARKER) {
        let (pid, n) = t.split_once('-')?;
        digits(n)?;
        return digits(pid);
    }
    if let Some(pid) = rest.strip_prefix(".tmp-") {
        return digits(pid);
    }
    digits(rest.strip_prefix('.')?.strip_suffix(".tmp")?)
}

/// The directory and file name of an output path.
fn split(target: &Path) -> Result<(PathBuf, String), FileError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| {
            FileError::new(
                target,
                "write",
                io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
            )
        })?
        .to_string_lossy()
        .into_owned();
    Ok((dir, name))
}

/// Removes the temporary files of output `target` left by writers that are no longer running
/// (regular files only) and returns their paths. Errors (an unreadable directory, a file
/// removed meanwhile) are skipped: cleaning is best effort.
pub fn clean_leftovers(target: &Path) -> Vec<PathBuf> {
    let Ok((dir, name)) = split(target) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|f| temp_owner(&name, f)) else {
            continue;
        };
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if is_file && !crate::process::alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

/// An output being written: a temporary file beside the target, renamed over it by
/// [`AtomicFile::commit`]; dropped without commit, the temporary file is removed.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
    cleaned: Vec<PathBuf>,
}

impl AtomicFile {
    /// Cleans the leftovers of dead writers of `target` and creates a new temporary file for it.
    pub fn create(target: &Path) -> Result<AtomicFile, FileError> {
        let (dir, name) = split(target)?;
        let cleaned = clean_leftovers(target);
        let pid = std::process::id();
        for _ in 0..1000 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(temp_name(&name, pid, n));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        tmp,
                        file: Some(BufWriter::new(f)),
                        cleaned,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(FileError::new(&tmp, "create a temporary file", e)),
            }
        }
        Err(FileError::new(
            target,
            "create a temporary file",
            io::Error::new(io::ErrorKind::AlreadyExists, "1000 names taken"),
        ))
    }

    /// The temporary file (complete once the writes are flushed; read it before committing to
    /// check what will be published).
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// The output file.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Temporary files of dead writers of the same output removed by [`AtomicFile::create`].
    pub fn cleaned(&self) -> &[PathBuf] {
        &self.cleaned
    }

    /// Flushes and syncs the temporary file, gives it the permissions of the existing output
    /// (if any) and renames it over the output. On error the temporary file is removed.
    pub fn commit(mut self) -> Result<(), FileError> {
        let file = self
            .file
            .take()
            .expect("an uncommitted AtomicFile has its file");
        let f = file
            .into_inner()
            .map_err(|e| FileError::new(&self.tmp, "write", e.into_error()))?;
        if let Ok(meta) = std::fs::metadata(&self.target) {
            f.set_permissions(meta.permissions())
                .map_err(|e| FileError::new(&self.tmp, "set the permissions of", e))?;
        }
        f.sync_all()
            .map_err(|e| FileError::new(&self.tmp, "sync", e))?;
        drop(f);
        std::fs::rename(&self.tmp, &self.target)
            .map_err(|e| FileError::new(&self.target, "replace", e))?;
        // Committed: nothing left for Drop to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file
            .as_mut()
            .expect("an uncommitted AtomicFile has its file")
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file
            .as_mut()
            .expect("an uncommitted AtomicFile has its file")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file.take();
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Replaces `target` with `bytes` atomically (see the module documentation); returns the
/// leftovers of dead writers that were removed.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<Vec<PathBuf>, FileError> {
    let mut f = AtomicFile::create(target)?;
    let tmp = f.temp_path().to_path_buf();
    f.write_all(bytes)
        .map_err(|e| FileError::new(&tmp, "write", e))?;
    let cleaned = f.cleaned().to_vec();
    f.commit()?;
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        assert_eq!(temp_name("out.csv", 42, 7), ".out.csv.assay-tmp-42-7");
        assert_eq!(temp_owner("out.csv", ".out.csv.assay-tmp-42-7"), Some(42));
        // Earlier assay versions' names.
        assert_eq!(temp_owner("out.csv", ".out.csv.42.tmp"), Some(42));
        assert_eq!(temp_owner("ledger.json", ".ledger.json.tmp-42"), Some(42));
        // Other files, and other outputs' temporary files.
        for other in [
            "out.csv",
            ".out.csv",
            ".out.csv.assay-tmp-42",
            ".out.csv.assay-tmp--7",
            ".out.csv.assay-tmp-x-7",
            ".out.csv.x.tmp",
            ".out.csv2.assay-tmp-42-7",
            ".other.csv.assay-tmp-42-7",
        ] {
            assert_eq!(temp_owner("out.csv", other), None, "{other}");
        }
    }
}
