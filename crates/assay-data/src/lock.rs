//! An exclusive lock file that a killed holder cannot leave locked for ever.
//!
//! The lock is the file `path` holding the holder's process id. On Unix the holder also keeps
//! an advisory `flock` on it, which the operating system drops when the holder dies, however
//! it dies. Taking the lock: open (or create) the file, take the `flock` without blocking,
//! check that the path still names the file locked (a holder removes it on release, and a
//! waiter may have opened the removed file), then read the recorded process id:
//!
//! * none, or this process: the lock is free, taken;
//! * a running process: an earlier assay version holds it (those held the lock by the file's
//!   existence alone, without `flock`), so it is busy;
//! * a process that is no longer running: its holder died without releasing it. The lock is
//!   **taken over**, and [`LockFile::taken_over_from`] says from which process, so that the
//!   caller can warn (nothing is printed here).
//!
//! A busy lock is retried every 50 ms until the given wait has passed, then refused
//! ([`LockError::Busy`], naming the file and the holder). Releasing (drop) removes the file.
//! Elsewhere than Unix the lock is the file's exclusive creation alone, as before, and a lock
//! left by a dead holder must be removed by hand.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic::FileError;

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another running process holds the lock.
    #[error("{}: locked by another running process{}; wait for it to finish", .path.display(), holder(.pid))]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// The holder's process id, when recorded.
        pid: Option<u32>,
    },
    /// Opening, locking or writing the lock file failed.
    #[error(transparent)]
    File(#[from] FileError),
}

fn holder(pid: &Option<u32>) -> String {
    pid.map(|p| format!(" (process {p})")).unwrap_or_default()
}

/// A held lock; released (the file removed) on drop.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    file: Option<File>,
    taken_over_from: Option<u32>,
}

impl LockFile {
    /// Takes the lock `path`, retrying for up to `wait` while another running process holds it.
    pub fn acquire(path: &Path, wait: Duration) -> Result<LockFile, LockError> {
        let start = Instant::now();
        let me = std::process::id();
        loop {
            let mut busy = None;
            if let Some(mut file) = try_open_locked(path)? {
                let recorded = read_pid(&mut file);
                match recorded {
                    Some(pid) if pid != me && crate::process::alive(pid) => busy = Some(pid),
                    _ => {
                        let taken_over_from = recorded.filter(|&p| p != me);
                        let fail = |e| FileError {
                            path: path.to_path_buf(),
                            action: "write the lock file",
                            source: e,
                        };
                        file.set_len(0).map_err(fail)?;
                        file.rewind().map_err(fail)?;
                        writeln!(file, "{me}").map_err(fail)?;
                        return Ok(LockFile {
                            path: path.to_path_buf(),
                            file: Some(file),
                            taken_over_from,
                        });
                    }
                }
            } else if let Ok(mut f) = File::open(path) {
                busy = read_pid(&mut f);
            }
            if start.elapsed() >= wait {
                return Err(LockError::Busy {
                    path: path.to_path_buf(),
                    pid: busy,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process that held the lock and died without releasing it, if this lock was taken
    /// over from one.
    pub fn taken_over_from(&self) -> Option<u32> {
        self.taken_over_from
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Removed while still locked, then unlocked by closing: a waiter that opened this file
        // finds it gone from the path and starts again.
        let _ = std::fs::remove_file(&self.path);
        self.file.take();
    }
}

/// The process id recorded in a lock file, if any.
fn read_pid(f: &mut File) -> Option<u32> {
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

/// The lock file opened and exclusively locked, or `None` while another process holds it.
#[cfg(unix)]
fn try_open_locked(path: &Path) -> Result<Option<File>, FileError> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    let fail = |action, source| FileError {
        path: path.to_path_buf(),
        action,
        source,
    };
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail("open the lock file", e))?;
        // SAFETY: flock on a file descriptor this function owns; LOCK_NB never blocks.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EWOULDBLOCK) => Ok(None),
                _ => Err(fail("lock", e)),
            };
        }
        let mine = file.metadata().map_err(|e| fail("read", e))?;
        match std::fs::metadata(path) {
            Ok(now) if now.dev() == mine.dev() && now.ino() == mine.ino() => return Ok(Some(file)),
            // Released (removed) by its holder after this process opened it: start again.
            _ => continue,
        }
    }
}

/// The lock file created exclusively, or `None` while it exists.
#[cfg(not(unix))]
fn try_open_locked(path: &Path) -> Result<Option<File>, FileError> {
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(FileError {
            path: path.to_path_buf(),
            action: "create the lock file",
            source: e,
        }),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    #[test]
    fn held_lock_is_busy_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let a = LockFile::acquire(&p, Duration::ZERO).unwrap();
        assert_eq!(a.taken_over_from(), None);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap().trim(),
            std::process::id().to_string()
        );
        // A second holder (another open file, as another process would have) must wait.
        let e = LockFile::acquire(&p, Duration::from_millis(120)).unwrap_err();
        assert!(matches!(e, LockError::Busy { .. }), "{e}");
        assert!(e.to_string().contains("x.lock"), "{e}");
        drop(a);
        assert!(!p.exists());
        let b = LockFile::acquire(&p, Duration::ZERO).unwrap();
        drop(b);
    }

    #[test]
    fn lock_of_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let dead = dead_pid();
        std::fs::write(&p, format!("{dead}\n")).unwrap();
        let l = LockFile::acquire(&p, Duration::ZERO).unwrap();
        assert_eq!(l.taken_over_from(), Some(dead));
        assert_eq!(
            std::fs::read_to_string(&p).unwrap().trim(),
            std::process::id().to_string()
        );
    }

    #[test]
    fn lock_file_of_a_running_process_is_respected() {
        // Earlier assay versions held the lock by the file alone: a running holder's pid
        // (here a sleeping child) keeps it busy.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.lock");
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        std::fs::write(&p, format!("{}\n", child.id())).unwrap();
        let e = LockFile::acquire(&p, Duration::from_millis(100)).unwrap_err();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            e.to_string().contains(&format!("process {}", child.id())),
            "{e}"
        );
        // Once it has exited, the lock is taken over.
        let l = LockFile::acquire(&p, Duration::ZERO).unwrap();
        assert_eq!(l.taken_over_from(), Some(child.id()));
    }
}
