//! Phone numbers as people write them, validated with libphonenumber's metadata through the
//! `phonenumber` crate (a Rust port of libphonenumber).
//!
//! Candidates are runs of digits with the usual separators (spaces, dots, hyphens, slashes,
//! parentheses), an optional international prefix (`+`, `00`, the US `001`), a national
//! trunk `(0)` after a country code, and an optional extension (`x1234`, `ext. 12`,
//! `extension 7`, `#12`). A candidate is scored by what it is:
//!
//! | shape | score |
//! |---|---:|
//! | valid (libphonenumber) in international form, or nationally with separators | 0.5 |
//! | ten or more bare digits, valid with a trunk `0` or as a North American or Indian number | 0.4 |
//! | North American shape with separators (`555-123-4567`, `(555)123-4567`, `555.123.4567`, `+1-`, `001-`, `1-` prefixes) or `+1` and ten digits, not an assigned number | 0.4 |
//! | international (`+`/`00`) with a known country code, 8 to 15 digits, not valid | 0.4 |
//! | the same, fewer than ten digits | 0.3 |
//! | international with an unknown country code | 0.3 |
//! | ten bare digits, not valid | 0.1 |
//!
//! Presidio's `PhoneRecognizer` reports valid numbers only, at 0.4; numbers that are
//! well-formed but not assigned (random area codes, as Faker and fiction make them) are
//! still phone numbers in text, so they are reported at the lower scores, which the context
//! words (Presidio's rule, [`crate::context`]) raise by 0.35. Bare digits need context to pass
//! the usual threshold of 0.4: they are also order numbers and timestamps.
//!
//! A number labelled as a fax (`Fax:`, `F`, `facsimile`) is reported as `FAX_NUMBER`.
//!
//! Not phone numbers: a candidate preceded by `#`, a currency sign, or a code's hyphen
//! (`INV-2019-79486`); one whose preceding words name another number (`ISBN`, `order`,
//! `invoice`, `SKU`, `tracking`, `case`, `version`, ...); calendar dates, dotted quads,
//! SSN-shaped `ddd-dd-dddd` and ZIP+4-shaped `ddddd-dddd` candidates (left to those
//! recognizers); an address's house number and postcode before the town; and unbalanced
//! parentheses. Validity is checked for the regions of Presidio's default list and the main
//! European ones (numbers with a trunk `0`: GB, DE, FR, IT, NL, BE, CH, AT, IE, IL, IN, AU;
//! without: US, CA, ES, IT, IN, BR), and for any country with an international prefix.

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
    "contact",
    "reach",
    "text",
    "whatsapp",
    "dial",
];

/// Words that, among the two words before a candidate, say it is another kind of number.
const NOT_PHONE: &[&str] = &[
    "isbn",
    "issn",
    "order",
    "invoice",
    "inv",
    "sku",
    "tracking",
    "case",
    "version",
    "ver",
    "qty",
    "ref",
    "reference",
    "ticket",
    "po",
    "serial",
    "account",
    "acct",
    "routing",
    "iban",
    "card",
    "ssn",
    "zip",
    "postcode",
    "item",
    "part",
    "model",
    "build",
    "patent",
];

static SSN_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{3}[- .]\d{2}[- .]\d{4}$").unwrap());
static DOTTED_QUAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(?:\.\d{1,3}){3}$").unwrap());
static ZIP4_SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{5}-\d{4}$").unwrap());
static NANP_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:\+1|001|1)[-. ]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$|^\+1\d{10}$|^\+1 \d{10}$",
    )
    .unwrap()
});
/// A candidate: an optional international prefix or opening bracket, digits with separators,
/// an optional extension.
static CAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[+(]?\d[\d ()./-]{5,22}\d(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?\b")
        .unwrap()
});
static EXTENSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6}$").unwrap());
/// The regions asked about a national number that starts with the trunk prefix `0`, and about
/// one that does not (libphonenumber parses a number in a region's national form; asking only
/// the regions whose numbers are written that way halves the look-ups).
const TRUNK_ZERO: [Id; 12] = [
    Id::GB,
    Id::DE,
    Id::FR,
    Id::IT,
    Id::NL,
    Id::BE,
    Id::CH,
    Id::AT,
    Id::IE,
    Id::IL,
    Id::IN,
    Id::AU,
];
const NO_TRUNK: [Id; 6] = [Id::US, Id::CA, Id::ES, Id::IT, Id::IN, Id::BR];

/// The regions to ask about the national number `s`.
fn regions_for(s: &str) -> &'static [Id] {
    let first = s.bytes().find(u8::is_ascii_digit);
    if first == Some(b'0') {
        &TRUNK_ZERO
    } else {
        &NO_TRUNK
    }
}

/// libphonenumber's metadata keeps its compiled patterns in an LRU cache of 100 regexes; the
/// regions asked here use several hundred, so at 100 they would be compiled again and again
/// (0.13 MB/s instead of about 1 MB/s on one thread: BENCHMARKS.md). Done once, before the
/// first look-up.
static METADATA_CACHE: LazyLock<()> = LazyLock::new(|| {
    if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
        cache.set_capacity(4096);
    }
});

/// Whether `s`, in the national form of one of `regions`, is a valid number there.
fn valid_in(regions: &[Id], s: &str) -> bool {
    regions
        .iter()
        .any(|&r| phonenumber::parse(Some(r), s).is_ok_and(|n| phonenumber::is_valid(&n)))
}

/// Whether bare digits are a valid number as people write them without separators: with
/// the trunk `0` of a national number (`01214960926`, `0612345678`), or a North American or
/// Indian number. Any ten digits are valid somewhere (variable-length plans such as
/// Germany's and Austria's accept them), so other regions are not asked.
fn valid_bare(s: &str) -> bool {
    if s.starts_with('0') {
        valid_in(&TRUNK_ZERO, s)
    } else {
        valid_in(&[Id::US, Id::CA, Id::IN], s)
    }
}

/// The score of a candidate number (extension removed), or `None` when it is not one.
fn score(s: &str) -> Option<f64> {
    let nd = s.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&nd) {
        return None;
    }
    if SSN_SHAPE.is_match(s) || ZIP4_SHAPE.is_match(s) {
        return None;
    }
    if DOTTED_QUAD.is_match(s) || crate::dates::parse(s).is_some() {
        return None;
    }
    // Unbalanced parentheses are not a number's.
    if s.matches('(').count() != s.matches(')').count() {
        return None;
    }
    let separated = s
        .bytes()
        .any(|c| matches!(c, b' ' | b'.' | b'-' | b'(' | b')' | b'/'));
    let international = s.starts_with('+') || s.starts_with("00") && !s.starts_with("001-");
    if international {
        // `+44 (0)20 ...`: the national trunk prefix written after the country code.
        let mut n = s.replacen("(0)", "", 1);
        if n.starts_with("00") {
            n.replace_range(..2, "+");
        }
        if phonenumber::parse(None, &n).is_ok_and(|p| phonenumber::is_valid(&p)) {
            return Some(0.5);
        }
        if NANP_SHAPE.is_match(s) {
            return Some(0.4);
        }
        if nd >= 8 {
            // A known country calling code: a number of that country, if not an assigned one.
            let known = phonenumber::parse(None, &n).is_ok();
            return Some(if known { 0.4 } else { 0.3 });
        }
    } else if separated {
        if valid_in(regions_for(s), s) {
            return Some(0.5);
        }
    } else if valid_bare(s) {
        return Some(if nd >= 10 { 0.4 } else { 0.3 });
    }
    if NANP_SHAPE.is_match(s) {
        return Some(0.4);
    }
    if !separated && nd == 10 {
        return Some(0.1);
    }
    None
}

/// Whether `number`, followed by `rest`, is an address's house number and postcode before
/// the town (`Kochweg 60-25 81459 Dresden`, `Via Roma, 71 88042 Tarsia`, Dutch
/// `Mayabaan 052 7110 FF Knegsel`, `Grünstraße 5/7 23500 Dachau`): at most four digits of
/// house number, a last group of four or five digits, then a capitalised word.
fn house_number_and_postcode(number: &str, rest: &str) -> bool {
    if number.starts_with(['+', '(']) {
        return false;
    }
    let Some(cut) = number.rfind(|c: char| !c.is_ascii_digit()) else {
        return false;
    };
    let postcode = &number[cut + 1..];
    let house = number[..cut].bytes().filter(u8::is_ascii_digit).count();
    house <= 4
        && (4..=5).contains(&postcode.len())
        && rest
            .strip_prefix(' ')
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_uppercase)
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    LazyLock::force(&METADATA_CACHE);
    let b = text.as_bytes();
    for m in CAND.find_iter(text) {
        let start = m.start();
        if start > 0 {
            let prev = b[start - 1];
            // Part of a longer token: `A1234567`, `+…`, a path, `#123…`, `$1 234`, a code's
            // `INV-2019-…`.
            if prev.is_ascii_alphanumeric()
                || matches!(prev, b'+' | b'/' | b'#' | b'$' | b'_' | b'=')
                || text[..start].ends_with(['€', '£', '¥'])
                || prev == b'-' && start >= 2 && b[start - 2].is_ascii_alphanumeric()
            {
                continue;
            }
        }
        let end = m.end();
        if end < b.len()
            && (b[end].is_ascii_alphanumeric()
                || matches!(b[end], b'.' | b'-' | b':' | b',' | b'/')
                    && b.get(end + 1).is_some_and(u8::is_ascii_digit))
        {
            continue;
        }
        let s = m.as_str();
        let number = match EXTENSION.find(s) {
            Some(e) => &s[..e.start()],
            None => s,
        };
        let number = number.trim_end();
        let Some(score) = score(number) else {
            continue;
        };
        if house_number_and_postcode(number, &text[end..]) {
            continue;
        }
        if super::named_otherwise(text, start, 2, NOT_PHONE) {
            continue;
        }
        let entity = if is_fax(text, start) {
            "FAX_NUMBER"
        } else {
            "PHONE_NUMBER"
        };
        out.push(Finding::new(
            entity,
            start,
            end,
            score,
            "phone_libphonenumber",
        ));
    }
}

/// Words that label a number as a fax number, and those that label it as a phone's.
const FAX_WORDS: &[&str] = &["fax", "facsimile", "telefax", "telecopie", "télécopie", "f"];
const PHONE_WORDS: &[&str] = &[
    "phone",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "call",
    "m",
    "t",
    "ph",
    "mob",
];

/// Whether the nearest of the three words before byte `start` that labels a number says fax
/// (`Fax: …`, `T 020 … | F 020 …`): HIPAA's Safe Harbor lists fax numbers apart from
/// telephone numbers, so they are reported as `FAX_NUMBER`.
fn is_fax(text: &str, start: usize) -> bool {
    for w in crate::context::preceding_keywords(text, start, 3) {
        let w = w.trim_end_matches(['.', ':', '#']);
        if FAX_WORDS.contains(&w) {
            return true;
        }
        if PHONE_WORDS.contains(&w) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(&str, f64)> {
        super::super::found_by(find, t)
    }

    #[test]
    fn fax_numbers_by_their_label() {
        let t = "Tel: +44 20 7946 0958, Fax: +44 20 7946 0959. T 020 7946 0000 | F 020 7946 0001";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|f| (&t[f.start..f.end], f.entity_type))
            .collect();
        assert_eq!(
            got,
            [
                ("+44 20 7946 0958", "PHONE_NUMBER"),
                ("+44 20 7946 0959", "FAX_NUMBER"),
                ("020 7946 0000", "PHONE_NUMBER"),
                ("020 7946 0001", "FAX_NUMBER")
            ]
        );
    }

    #[test]
    fn phones() {
        let t = "Call (212) 555-0187 or +44 20 7946 0958 or 030 901820 at 10.30 on 2021-02-28.";
        let got: Vec<&str> = found(t).iter().map(|g| g.0).collect();
        assert!(got.contains(&"+44 20 7946 0958"), "{got:?}");
        assert!(!got.iter().any(|g| g.contains("2021")), "{got:?}");
    }

    /// Numbers as people and Faker write them, with their whole span (extension included).
    #[test]
    fn written_forms_are_found_whole() {
        for (number, min) in [
            ("317.497.6200x609", 0.4),
            ("+1-695-914-6830", 0.4),
            ("+1 (542) 548-0534", 0.4),
            ("+1.942.753.6430", 0.4),
            ("411.686.0283", 0.4),
            ("001-235-549-3630x224", 0.4),
            ("+12694555897x74086", 0.4),
            ("(212)555-0187", 0.4),
            ("212-555-0187 ext. 12", 0.4),
            ("1-800-555-0199", 0.4),
            ("+31(0)20 794 6095", 0.5),
            ("+33 (0)6 04 39 15 00", 0.5),
            ("+44 20 7946 0958", 0.5),
            ("0044 20 7946 0958", 0.5),
            ("+4930901820", 0.5),
            ("0161 496 0631", 0.5),
            ("05 19 31 70 66", 0.5),
            ("0177-763170", 0.5),
            ("030/901820", 0.5),
            ("+34 912 345 678", 0.5),
            ("+39 04291541100", 0.4),
        ] {
            let t = format!("Reach her at {number} today.");
            let got = found(&t);
            assert_eq!(got.len(), 1, "{number}: {got:?}");
            assert_eq!(got[0].0, number, "{number}: span");
            assert!(got[0].1 >= min, "{number}: score {} < {min}", got[0].1);
        }
    }

    /// Bare digits are reported below the usual threshold; context words lift them.
    #[test]
    fn bare_digits_need_context() {
        // 111 is not an area code, nor 11 a Brazilian number's start; 212 is New York's.
        let v = found("it is 1111111111 and 2127365019");
        assert_eq!(v, [("1111111111", 0.1), ("2127365019", 0.4)]);
        let a = crate::Analyzer::new(crate::AnalyzerConfig {
            threshold: 0.4,
            ..Default::default()
        })
        .unwrap();
        let t = "Callback 1111111111 tomorrow";
        let f = a.analyze(t);
        assert!(
            f.iter()
                .any(|f| f.entity_type == "PHONE_NUMBER" && &t[f.start..f.end] == "1111111111"),
            "{f:?}"
        );
    }

    #[test]
    fn other_numbers_are_not_phones() {
        for t in [
            "Price $1,234.56 or $ 1234567",
            "ISBN 978-3-16-148410-0 and ISBN 0306406152",
            "order #5883671834 shipped",
            "order no. 640-1989016-5822452",
            "invoice INV-2019-79486",
            "SKU 963691-72",
            "tracking 1Z3532796999279236",
            "version 12.4.1",
            "case 4471-120934",
            "ZIP 90161-8347",
            "SSN 536-22-1234",
            "on 2021-02-28 at 10:30",
            "IP 192.168.10.1",
            "a total of 1,250 units",
            "Room 12, floor 3",
            "Kochweg 60-25 81459 Dresden",
            "Mayabaan 052 7110 FF Knegsel",
            "Via Benito, 71 88042 Tarsia",
        ] {
            let v = found(t);
            assert!(v.iter().all(|g| g.1 < 0.4), "{t}: {v:?}");
        }
    }
}
