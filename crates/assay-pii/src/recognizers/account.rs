//! Account numbers and certificate or licence numbers (HIPAA Safe Harbor (b)(2)(i)(J) and
//! (K)). Both are arbitrary strings that only their label makes identifiers, so apart from
//! the two with a check digit they are found after a cue only.
//!
//! * `ACCOUNT_NUMBER`: 6 to 20 digits (spaces and hyphens allowed between them) after
//!   `account`, `acct`, `a/c` (with `no.`, `number`, `#`), not a date (0.75).
//! * `LICENSE_NUMBER`:
//!   - DEA registration numbers: a registrant-type letter, a letter (or `9`) and seven digits
//!     whose last is the DEA check digit (sum of the 1st, 3rd and 5th digits plus twice the
//!     2nd, 4th and 6th, mod 10) (0.85);
//!   - NPI after `NPI`: ten digits whose Luhn check, with the `80840` prefix of the card
//!     issuer identifier, holds (0.9; 45 CFR 162.406);
//!   - a number after `licence`/`license`/`certificate`/`permit` with `no.`, `number` or `#`:
//!     4 to 20 letters, digits and hyphens with at least one digit (0.7).

use std::sync::LazyLock;

use regex::Regex;

use super::credit_card::luhn;
use super::digits;
use crate::finding::Finding;

pub const ACCOUNT_CONTEXT: &[&str] = &["account", "acct", "bank"];
pub const LICENSE_CONTEXT: &[&str] = &[
    "license",
    "licence",
    "certificate",
    "dea",
    "npi",
    "registration",
];

static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:account|acct\.?|a/c)(?:[ ]?(?:no\.?|number|num|#))?)[ ]?[:#]?[ ]?(\d(?:[ -]?\d){5,19})\b",
    )
    .unwrap()
});
static DATE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4})$").unwrap());
static DEA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}\b").unwrap());
static NPI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:\bnpi)(?:[ ]?(?:no\.?|number|#))?[ ]?[:#]?[ ]?([12]\d{9})\b").unwrap()
});
static LICENSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:licen[cs]e|certificate|cert\.|permit)[ ](?:no\.?|number|#))[ ]?[:#]?[ ]?([A-Za-z0-9][A-Za-z0-9-]{2,18}[A-Za-z0-9])\b",
    )
    .unwrap()
});

/// Whether the seven digits of a DEA number end with its check digit.
pub fn dea_ok(d: &[u8]) -> bool {
    d.len() == 7 && (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]
}

pub fn find_account(text: &str, out: &mut Vec<Finding>) {
    for c in ACCOUNT.captures_iter(text) {
        let m = c.get(1).unwrap();
        if DATE_LIKE.is_match(m.as_str()) {
            continue;
        }
        out.push(Finding::new(
            "ACCOUNT_NUMBER",
            m.start(),
            m.end(),
            0.75,
            "account_context",
        ));
    }
}

pub fn find_license(text: &str, out: &mut Vec<Finding>) {
    for m in DEA.find_iter(text) {
        if dea_ok(&digits(m.as_str())) {
            out.push(Finding::new(
                "LICENSE_NUMBER",
                m.start(),
                m.end(),
                0.85,
                "dea_check_digit",
            ));
        }
    }
    for c in NPI.captures_iter(text) {
        let m = c.get(1).unwrap();
        let mut d = vec![8, 0, 8, 4, 0];
        d.extend(digits(m.as_str()));
        if luhn(&d) {
            out.push(Finding::new(
                "LICENSE_NUMBER",
                m.start(),
                m.end(),
                0.9,
                "npi_luhn",
            ));
        }
    }
    for c in LICENSE.captures_iter(text) {
        let m = c.get(1).unwrap();
        if m.as_str().bytes().any(|b| b.is_ascii_digit()) {
            out.push(Finding::new(
                "LICENSE_NUMBER",
                m.start(),
                m.end(),
                0.7,
                "license_context",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognizers::found_by;

    #[test]
    fn accounts_after_a_cue() {
        let t = "Account no. 0123-4567-89, acct #99887766, A/C: 12 3456 7890";
        let got: Vec<&str> = found_by(find_account, t).iter().map(|g| g.0).collect();
        assert_eq!(got, ["0123-4567-89", "99887766", "12 3456 7890"]);
        for t in [
            "account 12345",
            "account opened 2023-11-05",
            "order 12345678",
            "account holder: Jane Roe",
        ] {
            assert!(found_by(find_account, t).is_empty(), "{t}");
        }
    }

    #[test]
    fn dea_npi_and_licence_numbers() {
        assert!(dea_ok(&[1, 2, 3, 4, 5, 6, 3]));
        let t = "DEA AB1234563, NPI: 1234567893, licence no. RN-448812, certificate # C77-1203";
        let got: Vec<&str> = found_by(find_license, t).iter().map(|g| g.0).collect();
        assert_eq!(got, ["AB1234563", "1234567893", "RN-448812", "C77-1203"]);
        for t in [
            "AB1234567 is a DEA-shaped number with a wrong check digit",
            "NPI 1234567890",
            "licence no. pending",
            "driving licence from 1998",
            "SKU AB1234560",
        ] {
            assert!(
                found_by(find_license, t).is_empty(),
                "{t}: {:?}",
                found_by(find_license, t)
            );
        }
    }
}
