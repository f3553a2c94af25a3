//! US passport and driver's-licence numbers. Their formats are too generic to be found without
//! context, so the base scores are low (as in Presidio) and the context words raise them.
//! Passport: nine digits (0.05) or the next-generation letter + eight digits (0.1).
//! Driver's licence: one or two letters followed by 4 to 14 digits (0.3, the formats of most
//! states) and 6 to 14 bare digits (0.01).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const PASSPORT_CONTEXT: &[&str] = &["passport", "travel", "document"];
pub const DRIVER_LICENSE_CONTEXT: &[&str] = &[
    "driver",
    "license",
    "licence",
    "permit",
    "lic",
    "dl",
    "dmv",
    "identification",
];

static PASSPORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:[0-9]{9}|[A-Z][0-9]{8})\b").unwrap());
static DL_ALNUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{1,2}[0-9]{4,14}\b").unwrap());
static DL_DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9]{6,14}\b").unwrap());

pub fn find_passport(text: &str, out: &mut Vec<Finding>) {
    for m in PASSPORT.find_iter(text) {
        let letter = m.as_str().as_bytes()[0].is_ascii_alphabetic();
        out.push(Finding::new(
            "US_PASSPORT",
            m.start(),
            m.end(),
            if letter { 0.1 } else { 0.05 },
            if letter {
                "passport_next_gen"
            } else {
                "passport_digits"
            },
        ));
    }
}

pub fn find_driver_license(text: &str, out: &mut Vec<Finding>) {
    for m in DL_ALNUM.find_iter(text) {
        out.push(Finding::new(
            "US_DRIVER_LICENSE",
            m.start(),
            m.end(),
            0.3,
            "dl_alphanumeric",
        ));
    }
    for m in DL_DIGITS.find_iter(text) {
        out.push(Finding::new(
            "US_DRIVER_LICENSE",
            m.start(),
            m.end(),
            0.01,
            "dl_digits",
        ));
    }
}
