//! The one check every numeric setting goes through: a number read from a policy, roles,
//! hierarchy or configuration file, or given as a command-line flag, must be finite and lie in
//! the range its field allows (issue #15, finding 6: `min = nan` in a policy made every
//! comparison false, so the rule passed).
//!
//! [`Range`] says what a field allows; [`check`] returns the value or a message saying what was
//! found and what was expected. The caller adds where (file, rule, field), so that one message
//! format names everything: see [`field_error`].

use std::fmt;

/// The values a numeric field allows. Every range excludes NaN and the infinities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Any finite number.
    Finite,
    /// A finite number `>= 0`.
    NonNegative,
    /// A finite number `> 0`.
    Positive,
    /// A probability: `0 <= x <= 1`.
    Probability,
    /// A level or fraction strictly inside (0, 1), such as a confidence level.
    OpenUnit,
    /// A finite number in `[lo, hi]`.
    Closed(f64, f64),
}

impl Range {
    /// Whether `x` is in the range (never for NaN or an infinity).
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Range::Finite => true,
                Range::NonNegative => x >= 0.0,
                Range::Positive => x > 0.0,
                Range::Probability => (0.0..=1.0).contains(&x),
                Range::OpenUnit => x > 0.0 && x < 1.0,
                Range::Closed(lo, hi) => lo <= x && x <= hi,
            }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Finite => write!(f, "a finite number"),
            Range::NonNegative => write!(f, "a finite number >= 0"),
            Range::Positive => write!(f, "a finite number > 0"),
            Range::Probability => write!(f, "a number in [0, 1]"),
            Range::OpenUnit => write!(f, "a number strictly between 0 and 1"),
            Range::Closed(lo, hi) => write!(f, "a number in [{lo}, {hi}]"),
        }
    }
}

/// `x` when it is in `range`, else a message such as `is NaN; expected a finite number`.
pub fn check(x: f64, range: Range) -> Result<f64, String> {
    if range.contains(x) {
        Ok(x)
    } else {
        Err(format!("is {}; expected {range}", describe(x)))
    }
}

/// The message for field `field` of `place` (e.g. `policy.toml: rule 2 ('x')`) that is not in
/// `range`: `policy.toml: rule 2 ('x'): field 'min' is NaN; expected a finite number`.
pub fn field_error(place: &str, field: &str, x: f64, range: Range) -> Option<String> {
    check(x, range)
        .err()
        .map(|why| format!("{place}: field '{field}' {why}"))
}

/// A clap value parser for flags that take a finite number (`--threshold 0.5`): NaN and the
/// infinities are refused with the flag named by clap, exit code 2.
pub fn parse_finite(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    check(x, Range::Finite)
}

/// `n` when it is at most `max`, else a message naming the cap (issue #15, finding 9: a count
/// of 4,000,000,000 aborted the process on a 32 GB allocation). Every count a user gives
/// (replicates, bins, grid points, trees, rows per batch) has such a documented cap, chosen so
/// that the memory and time it implies stay reasonable.
pub fn check_count(n: usize, max: usize) -> Result<usize, String> {
    if n <= max {
        Ok(n)
    } else {
        Err(format!("{n} is above the cap of {max}"))
    }
}

/// A clap value parser for a count flag capped at `max` (`--bootstrap 4000000000` is refused
/// with the flag and the cap named, exit code 2).
pub fn count_at_most(max: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync {
    move |s: &str| {
        let n: u128 = s
            .trim()
            .parse()
            .map_err(|_| format!("'{s}' is not a non-negative whole number"))?;
        check_count(usize::try_from(n).unwrap_or(usize::MAX), max)
            .map_err(|_| format!("{n} is above the cap of {max}"))
    }
}

fn describe(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_never_in_range() {
        for r in [
            Range::Finite,
            Range::NonNegative,
            Range::Positive,
            Range::Probability,
            Range::OpenUnit,
            Range::Closed(f64::MIN, f64::MAX),
        ] {
            for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(!r.contains(x), "{r:?} {x}");
            }
        }
        assert!(Range::Probability.contains(1.0));
        assert!(!Range::OpenUnit.contains(1.0));
        assert!(!Range::Positive.contains(0.0));
        assert!(Range::NonNegative.contains(0.0));
    }

    #[test]
    fn messages_say_what_was_found_and_expected() {
        assert_eq!(
            field_error("p.toml: rule 1 ('x')", "min", f64::NAN, Range::Finite).unwrap(),
            "p.toml: rule 1 ('x'): field 'min' is NaN; expected a finite number"
        );
        assert_eq!(
            check(-1.0, Range::Probability).unwrap_err(),
            "is -1; expected a number in [0, 1]"
        );
        assert!(parse_finite("inf").is_err());
        assert!(parse_finite("nan").is_err());
        assert_eq!(parse_finite("0.5"), Ok(0.5));
    }

    #[test]
    fn counts_above_their_cap_are_refused_with_the_cap() {
        let p = count_at_most(1000);
        assert_eq!(p("1000"), Ok(1000));
        assert_eq!(p("0"), Ok(0));
        assert_eq!(
            p("4000000000").unwrap_err(),
            "4000000000 is above the cap of 1000"
        );
        assert_eq!(
            p("99999999999999999999999").unwrap_err(),
            "99999999999999999999999 is above the cap of 1000"
        );
        assert!(p("-1").is_err());
        assert!(p("1e3").is_err());
    }
}
