//! IBANs: a country code with its registered length (the SWIFT IBAN registry), two check digits
//! and the BBAN, compact or in groups separated by single spaces, validated by ISO 7064 mod-97.
//! Only validated IBANs are reported (score 1.0).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["iban", "bank", "transaction", "account"];

static RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}").unwrap());

/// Registered IBAN length per country (SWIFT IBAN registry).
pub fn country_length(cc: &str) -> Option<usize> {
    const T: &[(&str, usize)] = &[
        ("AD", 24),
        ("AE", 23),
        ("AL", 28),
        ("AT", 20),
        ("AZ", 28),
        ("BA", 20),
        ("BE", 16),
        ("BG", 22),
        ("BH", 22),
        ("BI", 27),
        ("BR", 29),
        ("BY", 28),
        ("CH", 21),
        ("CR", 22),
        ("CY", 28),
        ("CZ", 24),
        ("DE", 22),
        ("DJ", 27),
        ("DK", 18),
        ("DO", 28),
        ("EE", 20),
        ("EG", 29),
        ("ES", 24),
        ("FI", 18),
        ("FK", 18),
        ("FO", 18),
        ("FR", 27),
        ("GB", 22),
        ("GE", 22),
        ("GI", 23),
        ("GL", 18),
        ("GR", 27),
        ("GT", 28),
        ("HR", 21),
        ("HU", 28),
        ("IE", 22),
        ("IL", 23),
        ("IQ", 23),
        ("IS", 26),
        ("IT", 27),
        ("JO", 30),
        ("KW", 30),
        ("KZ", 20),
        ("LB", 28),
        ("LC", 32),
        ("LI", 21),
        ("LT", 20),
        ("LU", 20),
        ("LV", 21),
        ("LY", 25),
        ("MC", 27),
        ("MD", 24),
        ("ME", 22),
        ("MK", 19),
        ("MN", 20),
        ("MR", 27),
        ("MT", 31),
        ("MU", 30),
        ("NI", 28),
        ("NL", 18),
        ("NO", 15),
        ("OM", 23),
        ("PK", 24),
        ("PL", 28),
        ("PS", 29),
        ("PT", 25),
        ("QA", 29),
        ("RO", 24),
        ("RS", 22),
        ("RU", 33),
        ("SA", 24),
        ("SC", 31),
        ("SD", 18),
        ("SE", 24),
        ("SI", 19),
        ("SK", 24),
        ("SM", 27),
        ("SO", 23),
        ("ST", 25),
        ("SV", 28),
        ("TL", 23),
        ("TN", 24),
        ("TR", 26),
        ("UA", 29),
        ("VA", 22),
        ("VG", 24),
        ("XK", 20),
        ("YE", 30),
    ];
    T.iter().find(|(c, _)| *c == cc).map(|&(_, n)| n)
}

/// ISO 7064 mod-97-10 over a compact IBAN (upper-case letters and digits).
pub fn mod97(compact: &str) -> bool {
    let b = compact.as_bytes();
    if b.len() < 5 {
        return false;
    }
    let mut r: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r == 1
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for m in RE.find_iter(text) {
        let s = m.as_str();
        let Some(len) = country_length(&s[..2]) else {
            continue;
        };
        let mut compact = String::with_capacity(len);
        let mut end = None;
        for (i, c) in s.char_indices() {
            if c != ' ' {
                compact.push(c);
                if compact.len() == len {
                    end = Some(i + 1);
                    break;
                }
            }
        }
        let Some(e) = end else { continue };
        let abs_end = m.start() + e;
        if abs_end < b.len() && b[abs_end].is_ascii_alphanumeric() {
            continue;
        }
        if mod97(&compact) {
            out.push(Finding::new(
                "IBAN_CODE",
                m.start(),
                abs_end,
                1.0,
                "iban_mod97",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ibans() {
        let t =
            "DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432, bad GB82WEST12345698765433";
        let mut v = vec![];
        find(t, &mut v);
        assert_eq!(v.len(), 2);
        assert_eq!(&t[v[0].start..v[0].end], "DE89 3704 0044 0532 0130 00");
        assert_eq!(&t[v[1].start..v[1].end], "GB82WEST12345698765432");
    }
}
