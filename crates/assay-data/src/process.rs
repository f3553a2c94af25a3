//! Whether a process is still running, for recovering what a killed assay process left behind
//! (temporary files of [`crate::atomic`], lock files of [`crate::lock`]).

/// Whether the process `pid` exists. On Unix: `kill(pid, 0)` succeeds or fails only for lack
/// of permission (the process exists but belongs to another user). Elsewhere, and for a pid
/// that is not a valid process id, the answer errs on the safe side: a process that cannot be
/// checked counts as running, so nothing it may still own is removed.
pub fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if p <= 0 {
            return true;
        }
        // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(alive(std::process::id()));
        #[cfg(unix)]
        {
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            assert!(!alive(pid));
        }
    }
}
