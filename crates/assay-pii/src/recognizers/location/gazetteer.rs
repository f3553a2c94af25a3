//! Places by name: countries, subdivisions and cities of `data/gazetteer.tsv`, matched with one
//! Aho-Corasick automaton, scored by kind, population and cues (see the parent module).

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::push;
use crate::finding::Finding;
use crate::spans::DisjointSpans;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    City,
    Region,
    Country,
}

struct Gazetteer {
    /// Name, kind (the highest of the kinds it has), population.
    entries: Vec<(&'static str, Kind, u64)>,
    index: AhoCorasick,
    /// Kind of every name, for the "followed by a region or country" cue.
    kinds: HashMap<&'static str, Kind>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut kinds: HashMap<&'static str, (Kind, u64)> = HashMap::new();
    for line in include_str!("../../../data/gazetteer.tsv").lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut cells = line.splitn(3, '\t');
        let (Some(kind), Some(pop), Some(name)) = (cells.next(), cells.next(), cells.next()) else {
            continue;
        };
        let kind = match kind {
            "country" => Kind::Country,
            "region" => Kind::Region,
            _ => Kind::City,
        };
        let pop: u64 = pop.parse().unwrap_or(0);
        let e = kinds.entry(name).or_insert((kind, pop));
        e.0 = e.0.max(kind);
        e.1 = e.1.max(pop);
    }
    let mut entries: Vec<(&'static str, Kind, u64)> =
        kinds.iter().map(|(n, (k, p))| (*n, *k, *p)).collect();
    entries.sort_unstable();
    let index = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(entries.iter().map(|e| e.0))
        .expect("the gazetteer builds");
    Gazetteer {
        kinds: entries.iter().map(|e| (e.0, e.1)).collect(),
        entries,
        index,
    }
});

/// Words before a place name that introduce it.
const PREPOSITIONS: &[&str] = &[
    "in", "from", "to", "near", "at", "of", "via", "outside", "around", "towards", "into",
    "across", "visiting", "visit", "visited", "born", "based", "lives", "live", "living",
];

/// Place names that are also common words, months or weekdays.
const COMMON: &[&str] = &[
    "March",
    "May",
    "June",
    "July",
    "August",
    "Sunday",
    "Monday",
    "Friday",
    "Mobile",
    "Reading",
    "Bath",
    "Nice",
    "Split",
    "Sale",
    "Deal",
    "Orange",
    "Hope",
    "Independence",
    "Liberty",
    "Union",
    "Commerce",
    "Enterprise",
    "Normal",
    "Temple",
    "Mission",
    "Paradise",
    "Eagle",
    "Best",
    "Police",
    "Date",
    "Male",
    "Victoria",
    "Florence",
    "Marion",
    "Regina",
    "Mercedes",
    "Ford",
    "Lincoln",
    "Dodge",
    "Bar",
    "Gap",
    "Sky",
    "Pay",
    "Tell",
    "Van",
    "Man",
    "Much",
    "Most",
    "Bay",
    "Ash",
    "Rye",
    "Wells",
    "Hull",
    "Sandy",
    "Eden",
    "Golden",
    "Garden",
    "Central",
    "Capital",
    "Western",
    "Eastern",
    "Northern",
    "Southern",
    "North",
    "South",
    "East",
    "West",
    "Centre",
    "Center",
    "Phone",
    "Email",
    "Name",
    "Patient",
    "Order",
    "Invoice",
    "Address",
    "Amount",
    "Total",
    "Street",
    "Road",
    "Apt",
    "Suite",
    "Unit",
    "Floor",
    "Room",
    "Subject",
    "Sent",
    "From",
    "Date",
    "Nationality",
    "Location",
    "Region",
    "Country",
    "City",
    "Tel",
    "Mobile",
    "Home",
    "Office",
    "Work",
    "Tenant",
    "Landlord",
    "Rent",
    "Survey",
    "Visitor",
    "Travel",
    "Billing",
    "Ship",
    "Reference",
    "Incident",
    "Discharge",
    "Applicant",
    "Donor",
    "Witness",
    "Meeting",
    "Employee",
    "Login",
    "Card",
    "Please",
    "Thanks",
    "Hello",
    "Dear",
    "Kind",
    "Best",
    "Called",
    "Ticket",
    "Notes",
    "Comment",
    "Status",
    "Start",
    "Mary",
    "Santa",
    "San",
    "Saint",
    "Lake",
    "Port",
    "Mount",
    "New",
    "Old",
    "Bad",
    "Grand",
    "Little",
    "Great",
    "Royal",
    "Fort",
    "Bridge",
];

/// Whether `name` is a region (a state, province, county ...) or a country of the gazetteer:
/// what HIPAA's Safe Harbor rule lets a de-identified record keep. A name that is also a
/// city's (`New York`) counts as the region: the text alone cannot tell them apart.
pub(crate) fn is_region_or_country(name: &str) -> bool {
    matches!(
        GAZETTEER.kinds.get(name),
        Some(Kind::Region | Kind::Country)
    )
}

/// Whether `name` is a place of the gazetteer.
pub(crate) fn is_place(name: &str) -> bool {
    GAZETTEER.kinds.contains_key(name)
}

/// The word before byte `at` on its line (lower-cased; `the` skipped).
fn previous_word(text: &str, at: usize) -> String {
    // Only on the name's own line (a heading's last word, `SHIP TO`, is not a cue), in a
    // bounded window (constant time on long lines).
    let mut lo = at.saturating_sub(128);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let window = &text[lo..at];
    let line = window.rfind('\n').map_or(window, |i| &window[i + 1..]);
    let words = crate::context::preceding_raw_words(line, line.len(), 2);
    match words.first().map(String::as_str) {
        Some("the") => words.get(1).cloned().unwrap_or_default(),
        Some(w) => w.to_string(),
        None => String::new(),
    }
}

/// Whether a region, country or US state code follows `, ` at byte `at`.
fn region_follows(text: &str, at: usize) -> bool {
    let Some(rest) = text[at..].strip_prefix(", ") else {
        return false;
    };
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == ' ' || *c == '-')
        .collect();
    let word = word.trim_end();
    if word.len() == 2 && word.bytes().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    // The longest prefix of the following words that is a region or country.
    let mut end = word.len();
    loop {
        let w = &word[..end];
        if matches!(GAZETTEER.kinds.get(w), Some(Kind::Region | Kind::Country)) {
            return true;
        }
        match w.rfind(' ') {
            Some(i) => end = i,
            None => return false,
        }
    }
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    let g = &*GAZETTEER;
    let b = text.as_bytes();
    let boundary_before = |i: usize| {
        i == 0
            || text[..i].chars().next_back().is_some_and(|c| {
                !c.is_alphanumeric() && c != '-' && c != '@' && c != '.' && c != '/'
            })
    };
    let boundary_after = |i: usize| {
        i == b.len()
            || text[i..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_alphanumeric() && c != '-' && c != '@')
    };
    // Every whole-word match, then the longest ones that do not overlap.
    let mut found: Vec<(usize, usize, usize)> = g
        .index
        .find_overlapping_iter(text)
        .filter(|m| boundary_before(m.start()) && boundary_after(m.end()))
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect();
    found.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    let mut taken = DisjointSpans::default();
    for (s, e, p) in found {
        if !taken.insert_if_free(s, e) {
            continue;
        }
        let (name, kind, pop) = g.entries[p];
        let cue =
            PREPOSITIONS.contains(&previous_word(text, s).as_str()) || region_follows(text, e);
        // A city's name between capitalised words is a part of a person's or company's
        // name (`Rodolfo Modesto Uriarte`, `Dr. Sophia Ehlert`), unless a cue says place.
        if kind == Kind::City && !cue && next_to_capitalised_word(text, s, e) {
            continue;
        }
        let ambiguous = name.len() <= 3 && kind != Kind::Country
            || COMMON.contains(&name)
            || !name.contains(' ') && crate::recognizers::person::is_listed_name(name);
        let score = match (ambiguous, cue) {
            // Not reported at all: a context word would lift any score to 0.4.
            (true, false) => continue,
            // A country after a cue (`to Jordan`) is the country.
            (true, true) if kind == Kind::Country => 0.5,
            (true, true) => 0.35,
            (false, _) => {
                let base = match kind {
                    Kind::Country => 0.6,
                    Kind::Region => 0.5,
                    Kind::City if pop >= 1_000_000 => 0.5,
                    Kind::City if pop >= 100_000 => 0.4,
                    Kind::City => 0.3,
                };
                base + if cue { 0.3 } else { 0.0 }
            }
        };
        push(out, s, e, f64::min(score, 0.9), "gazetteer");
    }
}

/// Whether a capitalised word is next to `text[s..e]`, separated by one space, on either side.
fn next_to_capitalised_word(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].strip_suffix(' ').and_then(|t| {
        let w = t
            .rsplit(|c: char| !c.is_alphanumeric() && c != '.')
            .next()?;
        w.chars().next()
    });
    let after = text[e..].strip_prefix(' ').and_then(|t| t.chars().next());
    before.is_some_and(char::is_uppercase) || after.is_some_and(char::is_uppercase)
}
