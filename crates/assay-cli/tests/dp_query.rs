//! `assay dp query` end to end: reproducibility for a seed, the noise of counts against the
//! exact discrete Laplace distribution, contribution bounding, means and quantiles near the
//! truth, the ledger's refusal, and bad input as usage errors (exit 2) with nothing printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod support;
use support::cli::{assay, ok_json};

/// Group g (0..groups) has 10 + g rows; person ids repeat ("p{i % 50}"); value = i % 101.
fn write_data(dir: &Path, groups: usize) -> PathBuf {
    let p = dir.join("data.csv");
    let mut s = String::from("id,grp,value\n");
    let mut i = 0usize;
    for g in 0..groups {
        for _ in 0..(10 + g) {
            s.push_str(&format!("p{},g{g},{}\n", i % 50, i % 101));
            i += 1;
        }
    }
    std::fs::write(&p, s).unwrap();
    p
}

fn keys(groups: usize) -> String {
    (0..groups)
        .map(|g| format!("g{g}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn seeded_release_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 5);
    let d = data.to_str().unwrap();
    let run = |seed: &str| {
        let o = assay(&[
            "dp",
            "query",
            d,
            "--statistic",
            "mean",
            "--column",
            "value",
            "--clamp",
            "0,100",
            "--group-by",
            "grp",
            "--group-keys",
            &keys(5),
            "--epsilon",
            "1",
            "--seed",
            seed,
            "--id",
            "id",
            "--contribution-bound",
            "2",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    assert_eq!(run("7"), run("7"));
    assert_ne!(run("7"), run("8"));
}

/// Exact central moments (2nd, 4th) of the discrete Laplace with scale b.
fn dlap_moments(b: f64) -> (f64, f64) {
    let p = (-1.0 / b).exp();
    let c = (1.0 - p) / (1.0 + p);
    let (mut m2, mut m4) = (0.0, 0.0);
    for x in 1..100_000i64 {
        let w = 2.0 * c * p.powi(x as i32);
        let x = x as f64;
        m2 += w * x * x;
        m4 += w * x * x * x * x;
        if w < 1e-300 {
            break;
        }
    }
    (m2, m4)
}

/// Noisy counts of 300 groups over 10 seeds (3,000 independent draws of the noise) have the mean
/// 0 and the variance of discrete Laplace(1/ε). Each check is a two-sided z test at
/// |z| > 3.89 (false-alarm rate 1e-4 each, normal approximation with the exact moments); a
/// wrong scale (noise for 2ε or ε/2: variance ×1/4 or ×4) is far outside the band (±3.89 sd of
/// the sample variance is ±16% here).
#[test]
fn noisy_counts_have_the_laplace_mean_and_variance() {
    let dir = tempfile::tempdir().unwrap();
    let groups = 300;
    let data = write_data(dir.path(), groups);
    let d = data.to_str().unwrap();
    let eps: f64 = 0.5;
    let mut noise = Vec::new();
    for seed in 0..10 {
        let v = ok_json(&assay(&[
            "dp",
            "query",
            d,
            "--statistic",
            "count",
            "--group-by",
            "grp",
            "--group-keys",
            &keys(groups),
            "--epsilon",
            "0.5",
            "--seed",
            &seed.to_string(),
            "--format",
            "json",
        ]));
        let res = v["results"].as_array().unwrap();
        assert_eq!(res.len(), groups);
        for (g, r) in res.iter().enumerate() {
            assert_eq!(r["group"], format!("g{g}"));
            let x = r["value"].as_f64().unwrap();
            assert_eq!(x.fract(), 0.0, "counts stay integers");
            noise.push(x - (10 + g) as f64);
        }
        // The stated 95% half-width of discrete Laplace(2): smallest w with 2p^(w+1)/(1+p) <= 0.05.
        let p = (-eps).exp();
        let w = res[0]["half_width"].as_f64().unwrap();
        assert!(2.0 * p.powf(w + 1.0) / (1.0 + p) <= 0.05 && 2.0 * p.powf(w) / (1.0 + p) > 0.05);
    }
    let n = noise.len() as f64;
    let (var, m4) = dlap_moments(1.0 / eps);
    let mean = noise.iter().sum::<f64>() / n;
    let z_mean = mean / (var / n).sqrt();
    assert!(z_mean.abs() < 3.89, "mean {mean}, z = {z_mean}");
    let s2 = noise.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let z_var = (s2 - var) / ((m4 - var * var) / n).sqrt();
    assert!(z_var.abs() < 3.89, "variance {s2} vs {var}, z = {z_var}");
    // The test has power: the same statistic for the variance of noise at 2ε or ε/2.
    for wrong in [dlap_moments(0.5 / eps), dlap_moments(2.0 / eps)] {
        let z = (s2 - wrong.0) / ((wrong.1 - wrong.0 * wrong.0) / n).sqrt();
        assert!(z.abs() > 3.89, "a wrong scale would pass: z = {z}");
    }
}

#[test]
fn contribution_bounding_limits_rows_per_person() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 20); // 390 rows, 50 ids
    let d = data.to_str().unwrap();
    // ε = 60 K: the noise (scale K/ε = 1/60) is nonzero with probability 2e^-60/(1 + e^-60)
    // (about 2e-26).
    let count = |k: &str| {
        let eps = (60 * k.parse::<u64>().unwrap()).to_string();
        let v = ok_json(&assay(&[
            "dp",
            "query",
            d,
            "--statistic",
            "count",
            "--epsilon",
            &eps,
            "--id",
            "id",
            "--contribution-bound",
            k,
            "--seed",
            "1",
            "--format",
            "json",
        ]));
        v["results"][0]["value"].as_f64().unwrap()
    };
    assert_eq!(count("1"), 50.0);
    assert_eq!(count("3"), 150.0);
    assert_eq!(count("100"), 390.0);
}

#[test]
fn mean_and_quantile_are_near_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 40); // 1,180 rows, values i % 101
    let d = data.to_str().unwrap();
    let n = 1180usize;
    let vals: Vec<f64> = (0..n).map(|i| (i % 101) as f64).collect();
    let true_mean = vals.iter().sum::<f64>() / n as f64;
    let v = ok_json(&assay(&[
        "dp",
        "query",
        d,
        "--statistic",
        "mean",
        "--column",
        "value",
        "--clamp",
        "0,100",
        "--epsilon",
        "2",
        "--seed",
        "3",
        "--format",
        "json",
    ]));
    let r = &v["results"][0];
    let (lo, hi) = (
        r["interval"][0].as_f64().unwrap(),
        r["interval"][1].as_f64().unwrap(),
    );
    // The 95% interval (fixed seed) covers the exact mean and is narrow.
    assert!(
        lo <= true_mean && true_mean <= hi,
        "{true_mean} not in [{lo}, {hi}]"
    );
    assert!(hi - lo < 1.0, "[{lo}, {hi}]");
    let v = ok_json(&assay(&[
        "dp",
        "query",
        d,
        "--statistic",
        "quantile",
        "--column",
        "value",
        "--clamp",
        "0,100",
        "--quantile",
        "0.5",
        "--epsilon",
        "2",
        "--seed",
        "3",
        "--format",
        "json",
    ]));
    let r = &v["results"][0];
    let q = r["value"].as_f64().unwrap();
    let rank_err = r["rank_error"].as_f64().unwrap();
    // (2/2)(ln 1001 + ln 20) = 9.905.
    assert!((rank_err - (1001f64.ln() + 20f64.ln())).abs() < 1e-9);
    let rank = vals.iter().filter(|&&x| x < q).count() as f64;
    // The best grid point has rank within 12 rows of n/2 (at most 12 rows share a value).
    assert!(
        (rank - n as f64 / 2.0).abs() <= rank_err + 12.0,
        "q {q}, rank {rank}"
    );
}

#[test]
fn histogram_and_sum_carry_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 10);
    let d = data.to_str().unwrap();
    let v = ok_json(&assay(&[
        "dp",
        "query",
        d,
        "--statistic",
        "histogram",
        "--column",
        "value",
        "--clamp",
        "0,100",
        "--bins",
        "4",
        "--epsilon",
        "1",
        "--mechanism",
        "gaussian",
        "--delta",
        "1e-5",
        "--seed",
        "2",
        "--format",
        "json",
    ]));
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 4);
    let sigma = v["noise"][0]["sigma"].as_f64().unwrap();
    // Balle–Wang σ for ε = 1, δ = 1e-5, Δ = 1 (tests/reference/golden/analytic_gaussian.json).
    assert!((sigma - 3.730631634).abs() < 1e-6, "{sigma}");
    assert!((res[0]["half_width"].as_f64().unwrap() - 1.959963985 * sigma).abs() < 1e-6);
    assert_eq!(res[3]["bin"][1], 100.0);
    let v = ok_json(&assay(&[
        "dp",
        "query",
        d,
        "--statistic",
        "sum",
        "--column",
        "value",
        "--clamp",
        "-10,50",
        "--epsilon",
        "0.5",
        "--seed",
        "2",
        "--format",
        "json",
    ]));
    // Laplace scale Δ/ε = 50/0.5; 95% half-width b ln 20.
    let b = v["noise"][0]["scale"].as_f64().unwrap();
    assert!((b - 100.0).abs() < 1e-9);
    assert!((v["results"][0]["half_width"].as_f64().unwrap() - 100.0 * 20f64.ln()).abs() < 1e-6);
}

#[test]
fn ledger_refuses_an_exhausted_budget() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 5);
    let d = data.to_str().unwrap();
    let ledger = dir.path().join("ledger.json");
    let l = ledger.to_str().unwrap();
    let q = |eps: &str, extra: &[&str]| {
        let mut args = vec![
            "dp",
            "query",
            d,
            "--statistic",
            "count",
            "--epsilon",
            eps,
            "--ledger",
            l,
            "--dataset-id",
            "people",
            "--seed",
            "1",
        ];
        args.extend_from_slice(extra);
        assay(&args)
    };
    // The first charge needs a budget.
    let o = q("0.5", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(!ledger.exists());
    assert!(q("0.5", &["--budget", "1"]).status.success());
    assert!(q("0.4", &[]).status.success());
    let before = std::fs::read_to_string(&ledger).unwrap();
    let o = q("0.2", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing may be released");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("budget exhausted"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&ledger).unwrap(),
        before,
        "the ledger is unchanged"
    );
    // What is left still fits.
    let v = ok_json(&q("0.1", &["--format", "json"]));
    assert!((v["ledger"]["spent"]["epsilon"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ledger).unwrap()).unwrap();
    assert_eq!(doc["datasets"][0]["releases"].as_array().unwrap().len(), 3);
    assert_eq!(doc["datasets"][0]["sha256"].as_str().unwrap().len(), 64);
    // The ledger's lock is released after every run, refused ones included.
    assert!(!dir.path().join("ledger.json.lock").exists());
}

#[test]
fn bad_input_is_refused_with_nothing_released() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 5); // 60 rows: 1/n = 0.0167
    let d = data.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--statistic", "count", "--epsilon", "0"], "epsilon"),
        (vec!["--statistic", "count", "--epsilon", "-1"], "epsilon"),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--mechanism",
                "gaussian",
                "--delta",
                "0.02",
            ],
            "1/n",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--mechanism",
                "gaussian",
                "--delta",
                "0",
            ],
            "delta",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--mechanism",
                "gaussian",
                "--delta",
                "-1e-6",
            ],
            "delta",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--mechanism",
                "gaussian",
            ],
            "delta",
        ),
        (
            vec!["--statistic", "sum", "--column", "value", "--epsilon", "1"],
            "clamp",
        ),
        (
            vec!["--statistic", "mean", "--column", "value", "--epsilon", "1"],
            "clamp",
        ),
        (
            vec![
                "--statistic",
                "quantile",
                "--column",
                "value",
                "--epsilon",
                "1",
            ],
            "clamp",
        ),
        (
            vec![
                "--statistic",
                "sum",
                "--column",
                "value",
                "--clamp",
                "5,1",
                "--epsilon",
                "1",
            ],
            "LO < HI",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--id",
                "id",
                "--contribution-bound",
                "0",
            ],
            "at least 1",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--id",
                "id",
                "--contribution-bound",
                "-2",
            ],
            "at least 1",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--contribution-bound",
                "2",
            ],
            "--id",
        ),
        (
            vec![
                "--statistic",
                "count",
                "--epsilon",
                "1",
                "--group-by",
                "grp",
            ],
            "--group-keys",
        ),
        (
            vec!["--statistic", "count", "--epsilon", "1", "--delta", "1e-6"],
            "gaussian",
        ),
        (
            vec![
                "--statistic",
                "sum",
                "--column",
                "nope",
                "--clamp",
                "0,1",
                "--epsilon",
                "1",
            ],
            "nope",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["dp", "query", d];
        args.extend(extra.iter());
        let o = assay(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(o.stdout.is_empty(), "{extra:?} printed a result");
        assert!(err.contains(needle), "{extra:?}: '{err}' lacks '{needle}'");
    }
}

/// The same query on a Parquet file (int64 values, dictionary-free text groups) and on the same
/// data as CSV gives the same release for the same seed.
#[test]
fn parquet_and_csv_give_the_same_release() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};

    let dir = tempfile::tempdir().unwrap();
    let csv = write_data(dir.path(), 8);
    let text = std::fs::read_to_string(&csv).unwrap();
    let (mut ids, mut grps, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        ids.push(f[0].to_string());
        grps.push(f[1].to_string());
        vals.push(f[2].parse::<i64>().unwrap());
    }
    let batch = RecordBatch::try_from_iter(vec![
        ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
        ("grp", Arc::new(StringArray::from(grps)) as ArrayRef),
        ("value", Arc::new(Int64Array::from(vals)) as ArrayRef),
    ])
    .unwrap();
    let pq = dir.path().join("data.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let run = |p: &Path| {
        ok_json(&assay(&[
            "dp",
            "query",
            p.to_str().unwrap(),
            "--statistic",
            "sum",
            "--column",
            "value",
            "--clamp",
            "0,100",
            "--group-by",
            "grp",
            "--group-keys",
            &keys(8),
            "--id",
            "id",
            "--contribution-bound",
            "2",
            "--epsilon",
            "1",
            "--seed",
            "9",
            "--format",
            "json",
        ]))["results"]
            .clone()
    };
    let a = run(&csv);
    assert_eq!(a.as_array().unwrap().len(), 8);
    assert_eq!(a, run(&pq));
}

/// Runs assay with a time limit; returns the output and whether it was killed.
fn assay_within(args: &[&str], limit: std::time::Duration) -> (Output, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let mut killed = false;
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), killed)
}

/// ε (and δ) outside the range the samplers handle exactly are refused at once, before the
/// ledger's lock is taken: here the lock is held by a live process (this test), so a refusal
/// that came after the lock would first wait 10 s and then name the lock. Before the fix
/// `--epsilon 1e-17` never ended (the interval search of exp(-ε) = 1) and `--epsilon 5e-324`
/// printed "-inf +/- inf".
#[test]
fn epsilon_outside_the_exact_range_is_refused_promptly_before_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 2);
    let d = data.to_str().unwrap();
    let ledger = dir.path().join("ledger.json");
    let l = ledger.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["--statistic", "count", "--epsilon", "1e-17"],
        vec!["--statistic", "count", "--epsilon", "5e-324"],
        vec![
            "--statistic",
            "sum",
            "--column",
            "value",
            "--clamp",
            "0,100",
            "--epsilon",
            "5e-324",
        ],
        vec!["--statistic", "count", "--epsilon", "65537"],
        // The smallest ε is allowed, but a mean spends half of it on each release.
        vec![
            "--statistic",
            "mean",
            "--column",
            "value",
            "--clamp",
            "0,100",
            "--epsilon",
            "9.313225746154785e-10",
        ],
        vec![
            "--statistic",
            "count",
            "--epsilon",
            "1",
            "--mechanism",
            "gaussian",
            "--delta",
            "5e-324",
        ],
    ];
    for locked in [false, true] {
        let lock = dir.path().join("ledger.json.lock");
        if locked {
            std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
        }
        for extra in &cases {
            let mut args = vec!["dp", "query", d, "--seed", "1"];
            args.extend(extra.iter());
            if locked {
                args.extend(["--ledger", l, "--dataset-id", "d", "--budget", "10"]);
            }
            let start = std::time::Instant::now();
            let (o, killed) = assay_within(&args, std::time::Duration::from_secs(60));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!killed, "{extra:?} did not end");
            assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
            assert!(o.stdout.is_empty(), "{extra:?} printed a result");
            assert!(
                (err.contains("9.313225746154785e-10") && err.contains("65536"))
                    || err.contains("2.2250738585072014e-308"),
                "{extra:?}: '{err}' lacks the range"
            );
            assert!(
                start.elapsed() < std::time::Duration::from_secs(8),
                "{extra:?} waited for the ledger lock"
            );
        }
        assert!(!ledger.exists(), "nothing charged");
        let _ = std::fs::remove_file(&lock);
    }
    // The smallest ε itself runs, and its interval is finite.
    let o = assay(&[
        "dp",
        "query",
        d,
        "--statistic",
        "count",
        "--epsilon",
        "9.313225746154785e-10",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    let v = ok_json(&o);
    let w = v["results"][0]["half_width"].as_f64().unwrap();
    assert!((w / (20f64.ln() * 2f64.powi(30)) - 1.0).abs() < 1e-6, "{w}");
}

/// The budget is kept under the declared `--dataset-id`, so a re-encoded copy (CRLF line ends)
/// shares it; before, the ledger was keyed by the file's bytes and the copy started afresh. A
/// ledger edited to a negative ε is refused (exit 2, naming the file and the release) instead
/// of reporting "spent -999.9 of 1".
#[test]
fn ledger_budget_follows_the_declared_identity_and_edits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_data(dir.path(), 2);
    let crlf = dir.path().join("data-crlf.csv");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&crlf, text.replace('\n', "\r\n")).unwrap();
    let ledger = dir.path().join("ledger.json");
    let q = |file: &Path, eps: &str, id: &str| {
        assay(&[
            "dp",
            "query",
            file.to_str().unwrap(),
            "--statistic",
            "count",
            "--epsilon",
            eps,
            "--ledger",
            ledger.to_str().unwrap(),
            "--dataset-id",
            id,
            "--budget",
            "1",
            "--seed",
            "1",
            "--format",
            "json",
        ])
    };
    let v = ok_json(&q(&data, "0.6", "people"));
    assert_eq!(v["ledger"]["dataset_id"], "people");
    assert_eq!(v["ledger"]["head"].as_str().unwrap().len(), 64);
    // The re-encoded copy under the same identity: over budget.
    let o = q(&crlf, "0.6", "people");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("budget exhausted"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = ok_json(&q(&crlf, "0.3", "people"));
    assert!((v["ledger"]["spent"]["epsilon"].as_f64().unwrap() - 0.9).abs() < 1e-12);
    // The same file under a new identity is refused.
    let o = q(&data, "0.1", "people-again");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already charged under dataset id 'people'")
    );
    // Without an identity, a ledger is refused before anything is read.
    let o = assay(&[
        "dp",
        "query",
        data.to_str().unwrap(),
        "--statistic",
        "count",
        "--epsilon",
        "0.1",
        "--ledger",
        ledger.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--dataset-id"));

    // An edited ledger: refused, naming the file and the entry, nothing printed or charged.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&ledger).unwrap()).unwrap();
    doc["datasets"][0]["releases"][0]["epsilon"] = (-1000.0).into();
    let edited = serde_json::to_string_pretty(&doc).unwrap();
    std::fs::write(&ledger, &edited).unwrap();
    let o = q(&data, "0.05", "people");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ledger.json")
            && err.contains("release 1 of 2")
            && err.contains("epsilon = -1000"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&ledger).unwrap(), edited);
    // A valid-looking edit breaks the chain.
    doc["datasets"][0]["releases"][0]["epsilon"] = 0.01.into();
    std::fs::write(&ledger, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let o = q(&data, "0.05", "people");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ledger.json") && err.contains("release 1 of 2") && err.contains("hash"),
        "{err}"
    );
}
