//! Phone numbers, validated with libphonenumber's metadata through the `phonenumber` crate (a
//! Rust port of libphonenumber). Candidates are runs of digits with the usual separators
//! (spaces, dots, hyphens, parentheses, a leading `+`); a candidate is reported when it parses
//! as a valid number for one of Presidio's default regions (US, GB, DE, IL, IN, CA, BR) or, with
//! a leading `+`, as an international number. Candidates that are calendar dates or dotted quads
//! are left to those recognizers, and so are SSN-shaped `ddd-dd-dddd` candidates. Score 0.4 as in Presidio's `PhoneRecognizer`.

use std::sync::LazyLock;

use phonenumber::country::Id;
use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "phone",
    "number",
    "telephone",
    "cell",
    "cellphone",
    "mobile",
    "call",
    "tel",
    "fax",
];

static SSN_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{3}[- .]\d{2}[- .]\d{4}$").unwrap());
static CAND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[+(]?\d[\d ().-]{5,22}\d").unwrap());
const REGIONS: [Id; 7] = [Id::US, Id::GB, Id::DE, Id::IL, Id::IN, Id::CA, Id::BR];

fn valid(s: &str) -> bool {
    let nd = s.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&nd) {
        return false;
    }
    if SSN_SHAPE.is_match(s) {
        return false;
    }
    if s.matches('.').count() == 3 && !s.contains(' ') || crate::dates::parse(s).is_some() {
        return false;
    }
    // Unbalanced parentheses are not a number's.
    if s.matches('(').count() != s.matches(')').count() {
        return false;
    }
    if s.starts_with('+') {
        return phonenumber::parse(None, s).is_ok_and(|n| phonenumber::is_valid(&n));
    }
    REGIONS
        .iter()
        .any(|&r| phonenumber::parse(Some(r), s).is_ok_and(|n| phonenumber::is_valid(&n)))
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for m in CAND.find_iter(text) {
        let start = m.start();
        if start > 0
            && (b[start - 1].is_ascii_alphanumeric()
                || b[start - 1] == b'+'
                || b[start - 1] == b'/')
        {
            continue;
        }
        let s = m.as_str();
        let abs = m.end();
        if abs < b.len()
            && (b[abs].is_ascii_alphanumeric()
                || matches!(b[abs], b'.' | b'-' | b':')
                    && b.get(abs + 1).is_some_and(u8::is_ascii_digit))
        {
            continue;
        }
        if valid(s) {
            out.push(Finding::new(
                "PHONE_NUMBER",
                start,
                abs,
                0.4,
                "phone_libphonenumber",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn phones() {
        let t = "Call (212) 555-0187 or +44 20 7946 0958 or 030 901820 at 10.30 on 2021-02-28.";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<&str> = v.iter().map(|f| &t[f.start..f.end]).collect();
        assert!(got.contains(&"+44 20 7946 0958"), "{got:?}");
        assert!(!got.iter().any(|g| g.contains("2021")), "{got:?}");
    }
}
