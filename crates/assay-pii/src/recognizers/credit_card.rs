//! Credit card numbers: 13 to 19 digits, optionally grouped by single spaces or hyphens, with
//! an issuer prefix Presidio accepts (1, 3, 4, 5[0-5], 6) and a valid Luhn check digit; also
//! Maestro's 12-digit numbers (issuer ranges 50 and 56 to 69) and JCB's 15-digit
//! `2131`/`1800` ones, which Presidio's pattern misses, only with their issuer prefixes. Only
//! validated numbers are reported (score 1.0); a candidate whose full length fails Luhn is
//! retried at shorter group boundaries. Digits after a `+` (a phone number's country code)
//! and numbers named as another kind (`order no. 640-1989016-5822452`, `IMEI 4901542…`) are not
//! cards.

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

static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){11,22}\b").unwrap());

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

/// Whether `d` starts in one of Maestro's issuer ranges (50, 56 to 69), whose numbers have 12
/// to 19 digits.
fn maestro(d: &[u8]) -> bool {
    d[0] == 5 && (d[1] == 0 || d[1] >= 6) || d[0] == 6
}

/// Whether the digits `d` are a card number; `whole` when they are the whole candidate, not a
/// shorter retry (a 12-digit Maestro number must be: the first groups of a longer number that
/// fails its check are not one).
fn plausible(d: &[u8], whole: bool) -> bool {
    if !(12..=19).contains(&d.len()) || !luhn(d) {
        return false;
    }
    if d.len() == 12 {
        return whole && maestro(d);
    }
    // JCB's 15-digit numbers of the 2131 and 1800 ranges.
    if d.len() == 15 && (d.starts_with(&[2, 1, 3, 1]) || d.starts_with(&[1, 8, 0, 0])) {
        return true;
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

/// Words that, among the two words before a candidate, name another kind of number.
const NOT_CARD: &[&str] = &[
    "order", "invoice", "inv", "tracking", "isbn", "issn", "sku", "case", "ticket", "serial",
    "iban", "phone", "tel", "mobile", "fax", "imei", "account", "acct",
];

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in RE.find_iter(text) {
        let s = m.as_str();
        // `+39 0429…` is a phone number's country code and digits; `order no. 640-…` and
        // the like are named as other numbers (a Luhn check passes one in ten at random).
        if text[..m.start()].ends_with('+') || super::named_otherwise(text, m.start(), 2, NOT_CARD)
        {
            continue;
        }
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
            if d.len() < 12 {
                break;
            }
            if plausible(&d, e == s.len()) {
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
        // Maestro's 12 digits and JCB's 2131 range; other Luhn-valid 12-digit numbers are not
        // cards.
        let mut v = vec![];
        find(
            "cards 501853991179, 639012608027, 213171239915293; id 123456789031; declined 6011-9355-2465-3730",
            &mut v,
        );
        assert_eq!(v.len(), 3, "{v:?}");
        // Luhn-valid digits that are a phone number or an order number.
        let mut v = vec![];
        find(
            "tel +39 34171898064, order no. 640-1989016-5822452, invoice 4111111111111111, IMEI 490154203237518",
            &mut v,
        );
        assert!(v.is_empty(), "{v:?}");
    }
}
