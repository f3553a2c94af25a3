//! Places that no list holds (a village, an invented town), found by what surrounds them: a
//! phrase that says "place" before capitalised words (`moved to Albions`, `lives near Lake
//! Jennifer`, `the Mirns office`), or a cell of a table pasted as text under a column headed
//! `City`, `Region`, `Country`, `Location` or `Address`, or after such a label (`City: Greiz`);
//! and words shaped as English place names (`Carolynbury`, `Lake Tomshire`: 0.35, needing a
//! cue or a context word).

use std::sync::LazyLock;

use regex::Regex;

use super::{push, starts_word};
use crate::finding::Finding;

/// A verb of moving or living and its preposition, then up to four capitalised words.
static AFTER_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:moved|moving|moves|relocat[a-z]*|flies|flew|travell?ing|grew up|born|based|lives|live|living|resid[a-z]*|located|stationed|stays?|staying)(?: [a-z]+)? (?i:to|in|near|from|at|outside)(?: the)? (\p{Lu}[\p{L}'’]+(?:[ -]\p{Lu}[\p{L}'’]+){0,3})",
    )
    .unwrap()
});

/// A label and its value: `Location: Beneden-Leeuwen`, `City: Greiz`.
static AFTER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:location|city|town|village|region|province|county|country|destination|origin|nationality|place of birth|birthplace): ?(\p{Lu}[\p{L}'’]+(?:[ -]\p{Lu}[\p{L}'’]+){0,3})",
    )
    .unwrap()
});

/// A word shaped as an English place name: a toponymic ending (`-bury`, `-chester`,
/// `-mouth`, `-ville`, ...), or a toponymic first word (`North`, `Lake`, `Port`, ...) and a
/// capitalised word.
static PLACE_SHAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:North|South|East|West|New|Lake|Port|Fort|Mount|Saint|St\.) \p{Lu}\p{Ll}+|\p{Lu}\p{Ll}+(?:bury|borough|burgh|chester|mouth|ville|town|ton|shire|haven|port|side|stad|furt|fort|berg|field|ford|wich|stead|caster|dale|worth|ham))(?-u:\b)",
    )
    .unwrap()
});

/// `the <Place> office` and the like.
static BEFORE_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?i:the) (\p{Lu}[\p{L}'’]+(?:[ -]\p{Lu}[\p{L}'’]+){0,2}) (?:office|offices|clinic|branch|area|depot|plant|site|campus|hospital|region|store|warehouse|headquarters)\b",
    )
    .unwrap()
});

/// Column headers whose cells are places.
const PLACE_HEADERS: &[&str] = &[
    "city",
    "town",
    "region",
    "state",
    "country",
    "location",
    "address",
    "province",
    "county",
    "place",
    "municipality",
];

/// Capitalised words that a cue may precede but that are not places (and the months).
const NOT_PLACES: &[&str] = &[
    "Marketing",
    "Sales",
    "Finance",
    "Legal",
    "Support",
    "Engineering",
    "Accounting",
    "Head",
    "Main",
    "New",
    "Our",
    "Your",
    "His",
    "Her",
    "Their",
    "This",
    "That",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn place_like(s: &str) -> bool {
    let first = s.split([' ', '-']).next().unwrap_or("");
    !NOT_PLACES.contains(&first)
        && !crate::dates::MONTHS.contains(&first)
        && s.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for m in PLACE_SHAPED.find_iter(text) {
        // Shape alone is weak (`Washington`, `Hampton` are also surnames): a cue before it
        // or a context word lifts it.
        let first = m.as_str().split(' ').next().unwrap_or("");
        if starts_word(text, m.start())
            && !crate::recognizers::person::is_listed_name(m.as_str())
            && !NOT_PLACES.contains(&first)
        {
            push(out, m.start(), m.end(), 0.35, "place_shape");
        }
    }
    for re in [&*AFTER_PHRASE, &*BEFORE_NOUN, &*AFTER_LABEL] {
        for c in re.captures_iter(text) {
            let m = c.get(1).expect("group 1");
            if starts_word(text, c.get(0).expect("match").start()) && place_like(m.as_str()) {
                push(out, m.start(), m.end(), 0.5, "place_cue");
            }
        }
    }
    table_cells(text, out);
}

/// Cells under a place header in tables pasted as text (`|` or tab separated; the header is
/// the first line of a block of lines with the separator).
fn table_cells(text: &str, out: &mut Vec<Finding>) {
    let mut offset = 0;
    let mut header: Option<(char, Vec<bool>)> = None;
    for line in text.split_inclusive('\n') {
        let row = line.trim_end_matches(['\n', '\r']);
        let sep = ['|', '\t'].into_iter().find(|&c| row.contains(c));
        match (sep, &header) {
            (Some(s), Some((hs, places))) if s == *hs => {
                let mut at = offset;
                for (col, cell) in row.split(s).enumerate() {
                    let trimmed = cell.trim();
                    if places.get(col) == Some(&true)
                        && trimmed.starts_with(char::is_uppercase)
                        && place_like(trimmed)
                        && trimmed.split(' ').count() <= 5
                    {
                        let start = at + (cell.len() - cell.trim_start().len());
                        push(out, start, start + trimmed.len(), 0.5, "place_column");
                    }
                    at += cell.len() + s.len_utf8();
                }
            }
            (Some(s), _) => {
                let places = row
                    .split(s)
                    .map(|h| {
                        let h = h.trim().to_lowercase();
                        PLACE_HEADERS.iter().any(|p| h.contains(p))
                    })
                    .collect();
                header = Some((s, places));
            }
            (None, _) => header = None,
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(&str, f64)> {
        crate::recognizers::found_by(find, t)
    }

    #[test]
    fn cues_and_columns() {
        assert_eq!(
            found("fyi Bob moved to Albions last month"),
            [("Albions", 0.5)]
        );
        assert_eq!(found("will visit the Mirns office next"), [("Mirns", 0.5)]);
        assert_eq!(
            found("Name | Phone | City\nAnn | 555 | North Stuartmouth\nBo | 556 | Cozze"),
            [
                ("North Stuartmouth", 0.35),
                ("North Stuartmouth", 0.5),
                ("Cozze", 0.5)
            ]
        );
        assert_eq!(
            found("name\tcountry\nAnn\tLibyan Arab Jamahiriya"),
            [("Libyan Arab Jamahiriya", 0.5)]
        );
        // Not places: departments, months, a header with no place column.
        assert!(found("she moved to Marketing in March; the Sales office").is_empty());
        assert!(found("Name | Phone\nAnn Lee | 555").is_empty());
        assert_eq!(
            found("Location: Beneden-Leeuwen, NL"),
            [("Beneden-Leeuwen", 0.5)]
        );
        assert_eq!(found("in Carolynbury until"), [("Carolynbury", 0.35)]);
        assert_eq!(found("near Lake Tomshire"), [("Lake Tomshire", 0.35)]);
    }
}
