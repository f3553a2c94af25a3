//! Locations (HIPAA Safe Harbor's geographic subdivisions smaller than a state, and the states
//! and countries a text names): street addresses, postcode-and-town lines, and places from a
//! gazetteer (`data/gazetteer.tsv`: GeoNames' cities of at least 15,000 inhabitants and its
//! countries, ISO 3166-2 subdivisions; sources and licences in `data/README.md`).
//!
//! | rule | what | score |
//! |---|---|---:|
//! | `street_address` | a house number and a street with its type (`353 Kathleen Highway Apt. 681`, USPS suffixes and Indian ones), a Romance-language street (`rue Perrin`, `Calle Mayor 5`, `Via Roma, 12`), a German or Dutch one (`Kochweg 60`, `Ayoubweg 06`) | 0.6 (0.5 without a number) |
//! | `postcode_city` | `Springfield, IL 62704(-1234)`, `B8 6HS`, `24354 Segovia`, `4608 WC Eindhoven`, `Jehanabad - 778353` | 0.4 to 0.7 |
//! | `zip_plus_four` | a ZIP+4 code on its own | 0.4 |
//! | `gazetteer` | a country (0.6), a subdivision (0.5), a city (0.5 from a million inhabitants, 0.4 from 100,000, else 0.3) | 0.3 to 0.9 |
//!
//! A gazetteer name that is also a listed person's name, a month or a common word (`Jackson`,
//! `March`, `Reading`) is reported only after a cue, at 0.35; a city's name between
//! capitalised words (`Rodolfo Modesto Uriarte`) is a part of a name, not reported. A cue, a
//! preposition before the name (`in`, `from`, `to`, `near`, ...; `the` skipped) on its line
//! or a region, country or state code after it (`Greiz, Thuringia`), raises a gazetteer score
//! by 0.3; the context words (and a table column headed `City`, `Country`, ...) by 0.35 as for
//! every recognizer. Names are matched with their capital, as written, whole words only.
//!
//! [`addresses`] holds the street and postcode patterns, [`gazetteer`] the place names,
//! [`cues`] the places no list holds, found by a phrase before them (`moved to Albions`, 0.5) or
//! a table column headed `City`, `Country`, ... (0.5).

mod addresses;
mod cues;
mod gazetteer;

pub(crate) use addresses::is_street_type;
pub(crate) use gazetteer::{is_place, is_region_or_country};

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "address",
    "city",
    "town",
    "country",
    "region",
    "location",
    "street",
    "resid",
    "lives",
    "moved",
    "born",
    "located",
    "deliver",
    "ship",
    "county",
    "province",
    "village",
    "nationality",
    "travel",
    "destination",
];

pub(super) fn push(
    out: &mut Vec<Finding>,
    start: usize,
    end: usize,
    score: f64,
    rule: &'static str,
) {
    out.push(Finding::new("LOCATION", start, end, score, rule));
}

/// Whether byte `at` of `text` starts a word. The patterns check this here rather than with a
/// Unicode `\b`, which would keep the regex engine off its fast path on non-ASCII text.
pub(super) fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

pub fn find(text: &str, out: &mut Vec<Finding>) {
    addresses::streets(text, out);
    addresses::postcode_lines(text, out);
    gazetteer::find(text, out);
    cues::find(text, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(&str, f64)> {
        crate::recognizers::found_by(find, t)
    }

    fn has(t: &str, want: &str, min: f64) {
        let v = found(t);
        assert!(
            v.iter().any(|(s, score)| *s == want && *score >= min),
            "{want} (>= {min}) not in {v:?}"
        );
    }

    #[test]
    fn street_addresses() {
        has(
            "ship to 353 Kathleen Highway Apt. 681 today",
            "353 Kathleen Highway Apt. 681",
            0.6,
        );
        has(
            "at 9928 Stacy Shore Suite 374.",
            "9928 Stacy Shore Suite 374",
            0.6,
        );
        has("lives at 36, Wable Nagar now", "36, Wable Nagar", 0.6);
        has("address: rue Perrin", "rue Perrin", 0.4);
        has(
            "Plaza de Alfredo Amigó 406, 28663",
            "Plaza de Alfredo Amigó 406",
            0.6,
        );
        has(
            "Incrocio Giuseppina, 6 98035 Roma",
            "Incrocio Giuseppina, 6",
            0.6,
        );
        has("Kochweg 60-25 81459 Dresden", "Kochweg 60-25", 0.6);
        has("Striebitzplatz 1-9", "Striebitzplatz 1-9", 0.6);
        has("via Roma 12", "via Roma 12", 0.6);
        has(
            "at Hilde-Reichmann-Gasse 6/6.",
            "Hilde-Reichmann-Gasse 6/6",
            0.6,
        );
        has("Suzebaan 2, 7905XN", "Suzebaan 2", 0.6);
    }

    #[test]
    fn postcode_lines_and_zip_plus_four() {
        has("Port Chad, OK 90161-8347", "Port Chad, OK 90161-8347", 0.7);
        has("Chambersfort W8 3DZ", "Chambersfort W8 3DZ", 0.7);
        has("Callejón 3, 24354 Segovia within", "24354 Segovia", 0.6);
        has("Mayabaan 052\n7110 FF Knegsel", "7110 FF Knegsel", 0.6);
        has("Jehanabad - 778353", "Jehanabad - 778353", 0.6);
        has("ZIP 02118-1234", "02118-1234", 0.4);
    }

    #[test]
    fn places_by_name() {
        has("She moved to Germany last year", "Germany", 0.6);
        has("flew from Burkina Faso", "Burkina Faso", 0.6);
        has("seen in the Greiz clinic", "Greiz", 0.4);
        has("Ourense, Galicia", "Ourense", 0.4);
        has("offices in West Bengal and Bihar", "West Bengal", 0.5);
        has("the Tokyo office", "Tokyo", 0.5);
    }

    #[test]
    fn a_heading_is_not_a_place_and_a_line_break_is_not_a_cue() {
        let v = found("Nationality: Spain\nDate of birth 05/06/1990");
        assert!(v.iter().all(|g| g.0 == "Spain"), "{v:?}");
        let v = found("SHIP TO\nKim Holloway\n65 Riley Union");
        assert!(v.iter().all(|g| g.0 != "Kim"), "{v:?}");
    }

    #[test]
    fn words_and_names_are_not_places() {
        for t in [
            "We met in March and again in May.",
            "Reading the file took long.",
            "Jackson called Florence about the order.",
            "Mark the item as shipped via Email today.",
            "Version 2.4.1 fixes the issue.",
            "The order ships in 3 to 5 days.",
            "Total due: 129.50 USD.",
            "admitted 28/08/2000 via ED yesterday",
            "Dr. Sophia Ehlert and Rodolfo Modesto Uriarte",
        ] {
            let v = found(t);
            assert!(v.iter().all(|g| g.1 < 0.4), "{t}: {v:?}");
        }
    }
}
