//! The fuzz run: every target's seeds and regression cases, then mutations: a few per target
//! by default (the normal test suite), or for `ASSAY_FUZZ_SECONDS` seconds in all (split evenly
//! over the targets; `.ci/run` sets 60), from `ASSAY_FUZZ_SEED` (default 1). Fails naming the
//! target, the case and the saved input on a panic, a case over the per-case time limit
//! (`assay_fuzz::driver::case_limit`) or an allocation over `assay_fuzz::alloc::CAP`.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use assay_fuzz::alloc::CountingAlloc;
use assay_fuzz::driver::Session;
use assay_fuzz::targets::{corpus_dir, TARGETS};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Cases of the tests below run one at a time: the allocation count is process-wide.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Mutations per target in the default (quick) run.
const QUICK_MUTATIONS: usize = 25;

fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("assay-fuzz")
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {v:?}"))
    })
}

#[test]
fn fuzz_every_parser_and_loader() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let seed = env_u64("ASSAY_FUZZ_SEED").unwrap_or(1);
    let budget = env_u64("ASSAY_FUZZ_SECONDS")
        .map(|s| Duration::from_secs_f64(s as f64 / TARGETS.len() as f64));
    let mut session = Session::new(&work_dir());
    let mut total = 0;
    // ASSAY_FUZZ_TARGETS: a comma-separated subset of the targets (all when unset).
    let only = std::env::var("ASSAY_FUZZ_TARGETS").ok();
    for target in TARGETS.iter().filter(|t| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|n| n.trim() == t.name))
    }) {
        match session.fuzz(target, seed, QUICK_MUTATIONS, budget) {
            Ok(stats) => {
                total += stats.cases;
                eprintln!(
                    "{:>18}: {:>6} cases, slowest {:>8.3} s, peak {:>6.1} MiB",
                    target.name,
                    stats.cases,
                    stats.slowest.as_secs_f64(),
                    stats.peak_bytes as f64 / (1u64 << 20) as f64
                );
            }
            Err(failure) => panic!("{failure}"),
        }
    }
    eprintln!("{total} cases, seed {seed}");
}

#[test]
fn every_target_has_a_seed_corpus_and_a_corpus_directory() {
    for t in TARGETS {
        let seeds = (t.seeds)();
        assert!(!seeds.is_empty(), "{} has no seeds", t.name);
        assert!(
            corpus_dir(t.name).is_dir(),
            "{} has no corpus directory {}",
            t.name,
            corpus_dir(t.name).display()
        );
    }
}

/// The watchdog and the allocation cap themselves: a target that loops, one that allocates
/// 2 GiB and one that panics are each reported, naming the target and the saved input.
#[test]
fn the_driver_reports_hangs_allocations_and_panics() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    use assay_fuzz::driver::Stats;
    use assay_fuzz::targets::Target;
    fn spin(_: &std::path::Path) {
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_secs(3) {
            std::hint::spin_loop();
        }
    }
    fn hog(_: &std::path::Path) {
        let mut v: Vec<u8> = Vec::new();
        // try_reserve: a refused allocation is an error here, not an abort.
        if v.try_reserve_exact(2 << 30).is_ok() {
            v.push(1);
        }
    }
    fn crash(p: &std::path::Path) {
        panic!("crashed on {}", p.display());
    }
    fn none() -> Vec<(String, Vec<u8>)> {
        Vec::new()
    }
    let dir = work_dir().join("self-test");
    let limit = Duration::from_secs(1);
    let mut session = Session::with_limit(&dir, limit);
    for (run, expect) in [
        (spin as fn(&std::path::Path), "per-case limit"),
        (hog, "allocation cap"),
        (crash, "panic: crashed on"),
    ] {
        let t = Target {
            name: "selftest",
            extension: "bin",
            fixtures: &[],
            run,
            seeds: none,
        };
        let e = session
            .run_case(&t, "probe", b"input", &mut Stats::default())
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(expect), "{msg}");
        assert!(
            msg.contains("fuzz target selftest failed on probe"),
            "{msg}"
        );
        assert_eq!(std::fs::read(&e.input).unwrap(), b"input");
        if expect == "per-case limit" {
            // The worker is still spinning: start a fresh session for the next probes.
            session = Session::with_limit(&dir, limit);
        }
    }
}
