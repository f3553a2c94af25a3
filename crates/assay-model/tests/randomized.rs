//! The decision rule of randomized classifiers: deterministic per (seed, row), with the
//! stated probability.

use assay_model::randomized_decision;

#[test]
fn frequency_matches_probability_and_seed_fixes_decisions() {
    for &p in &[0.0, 0.1, 0.37, 0.5, 0.9, 1.0] {
        let n = 200_000u64;
        let ones = (0..n).filter(|&r| randomized_decision(7, r, p)).count() as f64;
        let rate = ones / n as f64;
        // Binomial standard error at n = 200,000 is at most 0.0011; allow 5 of them.
        assert!((rate - p).abs() < 0.0056, "p {p}: rate {rate}");
    }
    let a: Vec<bool> = (0..1000).map(|r| randomized_decision(1, r, 0.5)).collect();
    let b: Vec<bool> = (0..1000).map(|r| randomized_decision(1, r, 0.5)).collect();
    let c: Vec<bool> = (0..1000).map(|r| randomized_decision(2, r, 0.5)).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Monotone in p for a fixed draw: a row decided positive at p stays positive at p' > p.
    for r in 0..1000 {
        if randomized_decision(3, r, 0.3) {
            assert!(randomized_decision(3, r, 0.31));
        }
    }
}
