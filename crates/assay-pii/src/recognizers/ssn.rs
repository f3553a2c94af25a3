//! US Social Security numbers with the SSA validity rules: the area is not 000, 666 or 900-999,
//! the group is not 00, the serial is not 0000, the number is not one of the known invalid
//! samples (078-05-1120 of the Woolworth wallet, 219-09-9999 of an SSA advertisement,
//! 123-45-6789, 457-55-5462), not all one digit, and the delimiters of a delimited number are
//! equal. Delimited `ddd-dd-dddd` (also with spaces or dots) scores 0.5 as in Presidio; nine
//! bare digits score 0.05 and need context ("ssn", "social security") to matter.

use std::sync::LazyLock;

use regex::Regex;

use super::digits;
use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["social", "security", "ssn", "ssns", "ssid"];

static DELIMITED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{3}([- .])\d{2}([- .])\d{4}\b").unwrap());
static BARE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{9}\b").unwrap());

/// The SSA validity rules on the nine digits.
pub fn valid(d: &[u8]) -> bool {
    if d.len() != 9 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    let group = u32::from(d[3]) * 10 + u32::from(d[4]);
    let serial = d[5..].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    const INVALID: [[u8; 9]; 4] = [
        [0, 7, 8, 0, 5, 1, 1, 2, 0],
        [2, 1, 9, 0, 9, 9, 9, 9, 9],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        [4, 5, 7, 5, 5, 5, 4, 6, 2],
    ];
    !INVALID.iter().any(|s| s == d)
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for c in DELIMITED.captures_iter(text) {
        let m = c.get(0).unwrap();
        if c[1] != c[2] {
            continue;
        }
        // Not a part of a longer dotted or hyphenated number (a phone, an IP, a date).
        let b = text.as_bytes();
        let before = m.start().checked_sub(1).map(|i| b[i]);
        let after = b.get(m.end()).copied();
        let joined = |x: Option<u8>, y: Option<u8>| matches!((x, y), (Some(p), Some(q)) if (p == b'-' || p == b'.') && q.is_ascii_digit());
        if joined(before, m.start().checked_sub(2).map(|i| b[i]))
            || joined(after, b.get(m.end() + 1).copied())
        {
            continue;
        }
        if valid(&digits(m.as_str())) {
            out.push(Finding::new(
                "US_SSN",
                m.start(),
                m.end(),
                0.5,
                "ssn_delimited",
            ));
        }
    }
    for m in BARE.find_iter(text) {
        if valid(&digits(m.as_str())) {
            out.push(Finding::new("US_SSN", m.start(), m.end(), 0.05, "ssn_bare"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ssa_rules() {
        let mut v = vec![];
        find("ok 536-22-1234 536 22 1234; bad 000-12-3456 666-12-3456 912-12-3456 536-00-1234 536-22-0000 078-05-1120 536-22.1234", &mut v);
        assert_eq!(v.len(), 2, "{v:?}");
        let mut v = vec![];
        find("ssn 536221234", &mut v);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].score, 0.05);
    }
}
