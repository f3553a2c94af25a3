//! How assay's long computations say how far they are, without printing.
//!
//! Domain crates never print (the architecture's invariant), yet a bootstrap of 10,000
//! replicates, permutation importance of thirty features or eight shadow models can take
//! long enough that a user at a terminal wants to see them move. The computation opens a
//! [`Step`] with [`step`], advances it as units of work finish (from any thread: a step is
//! `Sync`), and drops it when done. What a step looks like is the business of the front end,
//! which installs one process-wide [`Reporter`] with [`set_reporter`] (the CLI draws
//! indicatif bars on standard error); without one, every call is a no-op costing one atomic
//! load. This is the `log` crate's design (a global logger set once by the binary), for the
//! same reason: threading a callback through every signature of every domain crate would
//! put a presentation concern into all of them. No crate on crates.io does only this
//! without also drawing, so it is written here (about sixty lines).
//!
//! Steps report units of work, never results, so a reporter cannot change a number.

#![deny(missing_docs)]

use std::sync::OnceLock;

/// Draws or records steps: implemented by a front end.
pub trait Reporter: Send + Sync {
    /// A step named `what` (a short noun phrase such as "bootstrap replicates") with `total`
    /// units of work when known, begins.
    fn begin(&self, what: &str, total: Option<u64>) -> Box<dyn Task>;
}

/// One running step of a [`Reporter`]; dropping it ends the step.
pub trait Task: Send + Sync {
    /// `n` more units of work are done.
    fn advance(&self, n: u64);
}

static REPORTER: OnceLock<Box<dyn Reporter>> = OnceLock::new();

/// Installs the process's reporter. Only the first call takes effect; a later one gives its
/// reporter back as the error.
pub fn set_reporter(reporter: Box<dyn Reporter>) -> Result<(), Box<dyn Reporter>> {
    REPORTER.set(reporter)
}

/// Whether a reporter is installed (a computation may skip preparing a step's label).
pub fn enabled() -> bool {
    REPORTER.get().is_some()
}

/// A running step (see [`step`]); ends when dropped.
pub struct Step(Option<Box<dyn Task>>);

impl Step {
    /// `n` more units of work are done.
    #[inline]
    pub fn advance(&self, n: u64) {
        if let Some(t) = &self.0 {
            t.advance(n);
        }
    }

    /// One more unit of work is done.
    #[inline]
    pub fn tick(&self) {
        self.advance(1);
    }
}

/// Begins a step named `what` with `total` units of work (None when unknown), reported to the
/// installed reporter if there is one.
pub fn step(what: &str, total: Option<u64>) -> Step {
    Step(REPORTER.get().map(|r| r.begin(what, total)))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Every step begun: its name, total and units done so far.
    type Log = Arc<Mutex<Vec<(String, Option<u64>, Arc<AtomicU64>)>>>;
    struct Record(Log);
    struct Count(Arc<AtomicU64>);
    impl Task for Count {
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
    }
    impl Reporter for Record {
        fn begin(&self, what: &str, total: Option<u64>) -> Box<dyn Task> {
            let done = Arc::new(AtomicU64::new(0));
            self.0
                .lock()
                .unwrap()
                .push((what.into(), total, Arc::clone(&done)));
            Box::new(Count(done))
        }
    }

    #[test]
    fn steps_reach_the_installed_reporter_and_are_silent_before() {
        // Before a reporter is installed a step does nothing (and must not panic).
        step("nothing to see", Some(3)).tick();
        let log = Arc::new(Mutex::new(Vec::new()));
        assert!(set_reporter(Box::new(Record(Arc::clone(&log)))).is_ok());
        assert!(enabled());
        assert!(set_reporter(Box::new(Record(Arc::default()))).is_err());
        let s = step("replicates", Some(10));
        std::thread::scope(|scope| {
            for _ in 0..5 {
                scope.spawn(|| s.advance(2));
            }
        });
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].0, "replicates");
        assert_eq!(log[0].1, Some(10));
        assert_eq!(log[0].2.load(Ordering::Relaxed), 10);
    }
}
