//! Runs fuzz cases one at a time on a worker thread, under a per-case time limit and the
//! allocation cap of [`crate::alloc`].
//!
//! Each case's input is written to a file of the target's extension in the run's work
//! directory (the loaders read files, as the CLI does) and the target is called on that path.
//! A case fails when the target panics, when it does not return within the time limit, or when
//! it asked for more memory than the cap; the input is then copied to
//! `<work dir>/failures/<target>-<n>.<ext>` and the failure names the target, the case and that
//! file. Errors returned by a loader are the expected outcome of bad input, not failures.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::alloc;
use crate::mutate::{mutate, Rng};
use crate::targets::Target;

/// The per-case time limit: `ASSAY_FUZZ_CASE_SECONDS`, else 2 s in optimised builds and 10 s in
/// debug builds (whose code runs several times slower; the workspace compiles its own crates
/// at `opt-level = 1`).
pub fn case_limit() -> Duration {
    let default = if cfg!(debug_assertions) { 10.0 } else { 2.0 };
    let s = std::env::var("ASSAY_FUZZ_CASE_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default);
    Duration::from_secs_f64(s)
}

/// A failed case.
#[derive(Debug)]
pub struct Failure {
    /// The target.
    pub target: &'static str,
    /// The case (seed file or mutation number and its origin).
    pub case: String,
    /// What went wrong.
    pub what: String,
    /// The saved input.
    pub input: PathBuf,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fuzz target {} failed on {}: {} (input saved as {})",
            self.target,
            self.case,
            self.what,
            self.input.display()
        )
    }
}

type Job = (fn(&Path), PathBuf);
type Outcome = Result<(), String>;

/// The worker thread: runs one case at a time, catching panics.
struct Worker {
    jobs: Sender<Job>,
    done: Receiver<Outcome>,
}

impl Worker {
    fn start() -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel::<Outcome>();
        thread::Builder::new()
            .name("assay-fuzz-case".into())
            .spawn(move || {
                for (run, path) in job_rx {
                    let r = catch_unwind(AssertUnwindSafe(|| run(&path))).map_err(panic_text);
                    if done_tx.send(r).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn the fuzz worker");
        Worker { jobs, done }
    }
}

fn panic_text(p: Box<dyn Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_string()
    }
}

/// Counts of what a run did, per target.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Cases run.
    pub cases: usize,
    /// Largest number of bytes one case held above its baseline.
    pub peak_bytes: usize,
    /// Slowest case.
    pub slowest: Duration,
}

/// A fuzzing session over the targets: one worker, one work directory.
pub struct Session {
    worker: Worker,
    dir: PathBuf,
    limit: Duration,
    failures: usize,
}

impl Session {
    /// A session writing inputs under `dir` (created), with the [`case_limit`].
    pub fn new(dir: &Path) -> Session {
        Session::with_limit(dir, case_limit())
    }

    /// A session with the per-case time limit `limit`.
    pub fn with_limit(dir: &Path, limit: Duration) -> Session {
        std::fs::create_dir_all(dir).expect("create the fuzz work directory");
        Session {
            worker: Worker::start(),
            dir: dir.to_path_buf(),
            limit,
            failures: 0,
        }
    }

    /// Runs one case of `target` on `input`; `case` describes it.
    pub fn run_case(
        &mut self,
        target: &Target,
        case: &str,
        input: &[u8],
        stats: &mut Stats,
    ) -> Result<(), Failure> {
        let path = self
            .dir
            .join(format!("{}.{}", target.name, target.extension));
        std::fs::write(&path, input).expect("write the fuzz input");
        let label = format!("{} {case} (input {})", target.name, path.display());
        alloc::arm(&label);
        let start = Instant::now();
        self.worker
            .jobs
            .send((target.run, path.clone()))
            .expect("the fuzz worker is alive");
        let outcome = self.worker.done.recv_timeout(self.limit);
        let took = start.elapsed();
        let (peak, over) = alloc::disarm();
        stats.cases += 1;
        stats.peak_bytes = stats.peak_bytes.max(peak);
        stats.slowest = stats.slowest.max(took);
        let what = match outcome {
            Ok(_) if over => format!(
                "asked for more than the allocation cap of {} bytes",
                alloc::CAP
            ),
            Ok(Ok(())) => return Ok(()),
            Ok(Err(panic)) => panic,
            Err(RecvTimeoutError::Timeout) => {
                format!(
                    "did not finish within the per-case limit of {:?}",
                    self.limit
                )
            }
            Err(RecvTimeoutError::Disconnected) => "the worker thread died".to_string(),
        };
        self.failures += 1;
        let failures = self.dir.join("failures");
        std::fs::create_dir_all(&failures).expect("create the failures directory");
        let saved = failures.join(format!(
            "{}-{}.{}",
            target.name, self.failures, target.extension
        ));
        std::fs::write(&saved, input).expect("save the failing input");
        Err(Failure {
            target: target.name,
            case: case.to_string(),
            what,
            input: saved,
        })
    }

    /// Runs every seed of `target`, then mutations of them: `mutations` of them, or as many
    /// as fit in `budget` when one is given. Stops at the first failure.
    pub fn fuzz(
        &mut self,
        target: &Target,
        seed: u64,
        mutations: usize,
        budget: Option<Duration>,
    ) -> Result<Stats, Failure> {
        let mut stats = Stats::default();
        let seeds = (target.seeds)();
        assert!(
            !seeds.is_empty(),
            "fuzz target {} has no seeds",
            target.name
        );
        for (name, bytes) in &seeds {
            self.run_case(target, &format!("seed {name}"), bytes, &mut stats)?;
        }
        let mut rng = Rng::new(seed ^ fnv(target.name));
        let start = Instant::now();
        let mut k = 0usize;
        loop {
            match budget {
                Some(b) if start.elapsed() >= b => break,
                None if k >= mutations => break,
                _ => {}
            }
            let i = rng.below(seeds.len());
            let j = rng.below(seeds.len());
            let input = mutate(&mut rng, &seeds[i].1, &seeds[j].1);
            let case = format!(
                "mutation {k} of seed {} (ASSAY_FUZZ_SEED={seed})",
                seeds[i].0
            );
            self.run_case(target, &case, &input, &mut stats)?;
            k += 1;
        }
        Ok(stats)
    }
}

/// FNV-1a of a name: a per-target offset of the seed.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
