//! Credit card numbers: 13 to 19 digits, optionally grouped by single spaces or hyphens, with
//! an issuer prefix Presidio accepts (1, 3, 4, 5[0-5], 6) and a valid Luhn check digit. Only
//! validated numbers are reported (score 1.0); a candidate whose full length fails Luhn is
//! retried at shorter group boundaries.

use std::sync::LazyLock;

use regex::Regex;

use super::digits;
use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "credit",
    "card",
    "visa",
    "mastercard",
    "cc",
    "amex",
    "discover",
    "jcb",
    "diners",
    "maestro",
    "instapayment",
];

static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,22}\b").unwrap());

/// The Luhn check over digit values.
pub fn luhn(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

fn plausible(d: &[u8]) -> bool {
    if !(13..=19).contains(&d.len()) || !luhn(d) {
        return false;
    }
    if d.iter().all(|&x| x == d[0]) {
        return false;
    }
    match d[0] {
        3 | 4 | 6 => true,
        5 => d[1] <= 5,
        // Presidio's pattern accepts 1xxx but not a bare 13-digit 1-number.
        1 => d.len() != 13,
        2 => (2..=7).contains(&d[1]), // Mastercard 2-series
        _ => false,
    }
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in RE.find_iter(text) {
        let s = m.as_str();
        // Candidate ends: the full match, then each position before a separator.
        let mut ends: Vec<usize> = vec![s.len()];
        for (i, c) in s.char_indices().rev() {
            if c == ' ' || c == '-' {
                ends.push(i);
            }
        }
        let separators: std::collections::BTreeSet<u8> =
            s.bytes().filter(|b| !b.is_ascii_digit()).collect();
        if separators.len() > 1 {
            continue;
        }
        for e in ends {
            let d = digits(&s[..e]);
            if d.len() < 13 {
                break;
            }
            if plausible(&d) {
                out.push(Finding::new(
                    "CREDIT_CARD",
                    m.start(),
                    m.start() + e,
                    1.0,
                    "credit_card_luhn",
                ));
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn luhn_valid_and_invalid() {
        let mut v = vec![];
        find(
            "pay 4111 1111 1111 1111 or 4111-1111-1111-1112 or 378282246310005",
            &mut v,
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].end - v[1].start, 15);
        let mut v = vec![];
        find("card 4111 1111 1111 1111 2024", &mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].end - v[0].start, 19);
    }
}
