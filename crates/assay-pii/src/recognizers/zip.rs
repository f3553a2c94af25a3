//! US ZIP codes (HIPAA Safe Harbor: geographic units smaller than a state). Five digits with an
//! optional `-dddd` extension: after a two-letter state abbreviation ("Boston, MA 02118") 0.6;
//! otherwise 0.01, raised by context ("zip", "postal", "address").

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["zip", "postal", "zipcode", "postcode", "address"];

static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{5}(?:-\d{4})?\b").unwrap());
const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR",
];

pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for m in RE.find_iter(text) {
        // Not a part of a longer hyphenated or dotted number.
        let s = m.start();
        if s >= 1 && matches!(b[s - 1], b'-' | b'.' | b'/' | b':')
            || matches!(b.get(m.end()), Some(b'-' | b'.' | b'/' | b':'))
                && b.get(m.end() + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        let state = s >= 3
            && b[s - 1] == b' '
            // `get`: the two bytes before may be inside a multi-byte letter (`Almería 22867`).
            && text.get(s - 3..s - 1).is_some_and(|st| STATES.contains(&st))
            && (s == 3 || !b[s - 4].is_ascii_alphanumeric());
        out.push(if state {
            Finding::new("US_ZIP_CODE", s, m.end(), 0.6, "zip_after_state")
        } else {
            Finding::new("US_ZIP_CODE", s, m.end(), 0.01, "zip_digits")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn zips() {
        let t = "Boston, MA 02118-1234; code 12345; 2020-01-15";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<(&str, f64)> = v.iter().map(|f| (&t[f.start..f.end], f.score)).collect();
        assert_eq!(got, vec![("02118-1234", 0.6), ("12345", 0.01)]);
    }

    /// A multi-byte letter just before the digits (it used to panic on a byte slice).
    #[test]
    fn after_an_accented_letter() {
        let t = "| Almería 22867 | Aí 12345";
        let mut v = vec![];
        find(t, &mut v);
        assert_eq!(v.len(), 2);
        assert!(v.iter().all(|f| f.score == 0.01));
    }
}
