//! Person names by dictionary and context: US first names (SSA) and surnames (US Census), see
//! `data/README.md`. A first name followed by a capitalised word is a name (0.85 when that word
//! is a listed surname, 0.5 otherwise); an unlisted capitalised word before a capitalised listed
//! surname is a name (0.5); a title (Mr, Mrs, Ms, Dr) followed by a capitalised
//! listed name is a name (0.85); a lower-case first-name + surname pair (as in data exports)
//! scores 0.3; a lone listed name scores 0.15 (capitalised) or 0.05 and needs a context word
//! ("name", "patient", "first", "last", ...) to matter. Names outside the lists are missed: this is
//! a dictionary approach, not a statistical NER model.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "name", "first", "last", "surname", "patient", "client", "customer", "contact", "dear",
    "signed", "mr", "mrs", "ms", "dr", "person", "employee",
];

fn load(s: &str) -> HashSet<String> {
    s.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().to_lowercase())
        .collect()
}

static FIRST: LazyLock<HashSet<String>> =
    LazyLock::new(|| load(include_str!("../../data/first_names.txt")));
static LAST: LazyLock<HashSet<String>> =
    LazyLock::new(|| load(include_str!("../../data/last_names.txt")));
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\p{L}[\p{L}'-]*\b").unwrap());

/// Listed names that are also common English words: never reported alone.
const WORDS: &[&str] = &[
    "april", "may", "june", "august", "mark", "grace", "will", "bill", "joy", "hope", "faith",
    "dawn", "ray", "rose", "summer", "young", "black", "white", "brown", "green", "king", "long",
    "hill", "wood", "price", "bell", "ward", "cook", "hunter", "stone", "lane", "rice", "day",
    "little", "rich", "chance", "page", "may", "case", "best", "love", "law", "major", "sharp",
    "strong", "power", "fox", "frank", "gay", "holiday", "house", "person", "park", "reed", "ross",
    "short", "small", "west", "north", "day", "french", "english", "miles", "banks", "glass",
    "walker", "cross",
];
const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Dr", "Miss", "Mx", "Prof"];

fn cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Capitalised words that start sentences or salutations, not names.
const NOT_FIRST: &[&str] = &[
    "Dear",
    "Please",
    "Patient",
    "Name",
    "The",
    "Ask",
    "Contact",
    "Call",
    "Email",
    "From",
    "To",
    "Hello",
    "Hi",
    "Thanks",
    "Sincerely",
    "Signed",
    "Client",
    "Customer",
    "Doctor",
    "Nurse",
    "Officer",
    "Judge",
    "Agent",
    "Our",
    "Your",
    "My",
    "His",
    "Her",
    "And",
    "Or",
    "With",
    "For",
    "By",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Miss",
];

pub fn find(text: &str, out: &mut Vec<Finding>) {
    let words: Vec<(usize, usize)> = WORD.find_iter(text).map(|m| (m.start(), m.end())).collect();
    let adjacent = |a: (usize, usize), b: (usize, usize)| {
        let gap = &text[a.1..b.0];
        gap == " " || gap == ". " // "J. Smith" style after an initial
    };
    let mut i = 0;
    while i < words.len() {
        let w = &text[words[i].0..words[i].1];
        let lw = w.to_ascii_lowercase();
        let next = words
            .get(i + 1)
            .copied()
            .filter(|&n| adjacent(words[i], n) && &text[words[i].1..n.0] == " ");
        if TITLES.contains(&w) {
            if let Some(n) =
                next.or_else(|| words.get(i + 1).copied().filter(|&n| adjacent(words[i], n)))
            {
                let nw = &text[n.0..n.1];
                let ln = nw.to_ascii_lowercase();
                if cap(nw) && (LAST.contains(&ln) || FIRST.contains(&ln)) {
                    let mut end = n.1;
                    if let Some(&m) = words.get(i + 2).filter(|&&m| {
                        &text[n.1..m.0] == " "
                            && cap(&text[m.0..m.1])
                            && LAST.contains(&text[m.0..m.1].to_ascii_lowercase())
                    }) {
                        end = m.1;
                    }
                    out.push(Finding::new("PERSON", n.0, end, 0.85, "title_name"));
                    i += 2;
                    continue;
                }
            }
        }
        if FIRST.contains(&lw) {
            if let Some(n) = next {
                let nw = &text[n.0..n.1];
                let ln = nw.to_ascii_lowercase();
                let (score, rule) = if cap(w) && cap(nw) && LAST.contains(&ln) {
                    (0.85, "first_last")
                } else if cap(w) && cap(nw) && !WORDS.contains(&ln.as_str()) && nw.len() > 1 {
                    (0.5, "first_capitalized")
                } else if !cap(w) && !cap(nw) && LAST.contains(&ln) {
                    (0.3, "first_last_lowercase")
                } else {
                    (0.0, "")
                };
                if score > 0.0 {
                    out.push(Finding::new("PERSON", words[i].0, n.1, score, rule));
                    i += 2;
                    continue;
                }
            }
        } else if let Some(n) = next {
            // An unlisted capitalised given name before a listed surname.
            let nw = &text[n.0..n.1];
            let ln = nw.to_ascii_lowercase();
            if cap(w)
                && cap(nw)
                && LAST.contains(&ln)
                && !NOT_FIRST.contains(&w)
                && !WORDS.contains(&lw.as_str())
                && w.chars().count() > 1
            {
                out.push(Finding::new(
                    "PERSON",
                    words[i].0,
                    n.1,
                    0.5,
                    "capitalized_surname",
                ));
                i += 2;
                continue;
            }
        }
        if (FIRST.contains(&lw) || LAST.contains(&lw)) && !WORDS.contains(&lw.as_str()) {
            let c = cap(w);
            out.push(Finding::new(
                "PERSON",
                words[i].0,
                words[i].1,
                if c { 0.15 } else { 0.05 },
                "single_name",
            ));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names() {
        let t = "Dear Jennifer Lopez, Dr. Nguyen and Mr Smith met miguel hernandez in May.";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<(&str, f64)> = v.iter().map(|f| (&t[f.start..f.end], f.score)).collect();
        assert!(got.contains(&("Jennifer Lopez", 0.85)), "{got:?}");
        assert!(got.contains(&("Nguyen", 0.85)), "{got:?}");
        assert!(got.contains(&("Smith", 0.85)), "{got:?}");
        assert!(got.contains(&("miguel hernandez", 0.3)), "{got:?}");
        assert!(!got.iter().any(|g| g.0 == "May"));
    }
}
