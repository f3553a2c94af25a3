//! Number formatting shared by every renderer, so that a figure reads the
//! same in the terminal, in Markdown and in HTML: estimates with three
//! decimals (`0.363`), interval bounds with two (`[0.35, 0.38]`), counts with
//! thousands separators, `n/a` for undefined values.

use assay_fairness::intervals::Interval;

/// Text shown for an undefined (missing or non-finite) value.
pub const NA: &str = "n/a";

/// A finite value, or `None`.
pub fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Fixed decimals without a minus sign on a value that rounds to zero.
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A reference value such as parity or a bound, without trailing zeros
/// (`0`, `1`, `0.8`).
pub fn plain(v: f64) -> String {
    let s = fixed(v, 3);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// An estimate with three decimals, or [`NA`].
pub fn num(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => fixed(x, 3),
        None => NA.to_string(),
    }
}

/// An interval as `[0.27, 0.33]`, or an empty string without one.
pub fn interval(i: Option<&Interval>) -> String {
    match i {
        Some(i) if i.lower.is_finite() && i.upper.is_finite() => {
            format!("[{}, {}]", fixed(i.lower, 2), fixed(i.upper, 2))
        }
        _ => String::new(),
    }
}

/// An estimate followed by its interval: `0.301 [0.27, 0.33]`.
pub fn with_interval(v: Option<f64>, i: Option<&Interval>) -> String {
    let iv = interval(i);
    if iv.is_empty() || finite(v).is_none() {
        num(v)
    } else {
        format!("{} {iv}", num(v))
    }
}

/// A count with thousands separators: `5,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// A share as a percentage with one decimal: `28.4%`.
pub fn pct(v: Option<f64>) -> String {
    match finite(v) {
        Some(x) => format!("{}%", fixed(x * 100.0, 1)),
        None => NA.to_string(),
    }
}

/// A confidence level as a percentage: `95%`.
pub fn level(confidence: f64) -> String {
    let p = confidence * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(num(Some(0.3626)), "0.363");
        assert_eq!(num(Some(f64::NAN)), NA);
        assert_eq!(num(None), NA);
        assert_eq!(num(Some(-0.0001)), "0.000");
        assert_eq!(num(Some(-0.25)), "-0.250");
        let i = Interval {
            lower: 0.2731,
            upper: 0.3349,
            method: "wilson",
        };
        assert_eq!(with_interval(Some(0.301), Some(&i)), "0.301 [0.27, 0.33]");
        assert_eq!(with_interval(None, Some(&i)), NA);
        assert_eq!(plain(1.0), "1");
        assert_eq!(plain(0.0), "0");
        assert_eq!(plain(0.8), "0.8");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(5000), "5,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(pct(Some(0.2844)), "28.4%");
        assert_eq!(level(0.95), "95%");
        assert_eq!(level(0.975), "97.5%");
    }
}
