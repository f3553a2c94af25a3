//! Person names by dictionary and context: US first names (SSA) and surnames (US Census), see
//! `data/README.md`. A first name followed by a capitalised word is a name (0.85 when that word
//! is a listed surname, 0.5 otherwise); an unlisted capitalised word before a capitalised listed
//! surname is a name (0.5); a title (Mr, Mrs, Ms, Dr) followed by a capitalised
//! listed name is a name (0.85); a lower-case first-name + surname pair (as in data exports)
//! scores 0.3; a lone listed name scores 0.15 (capitalised) or 0.05 and needs a context word
//! ("name", "patient", "first", "last", ...) to matter. Two capitalised words neither of which is
//! listed are a name (0.5) only after a cue that introduces a person ("Dear", "ask", "name:") or
//! before "was born". Accented letters are folded for the look-up (Chloé is Chloe).
//!
//! Names beyond these lists (other locales, particles, double-barrelled and East Asian names)
//! are the statistical tagger's ([`super::ner`], rule `person_model`), which also arbitrates
//! the weak rules here ([`confirm_by_tagger`]).

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
    LazyLock::new(|| load(include_str!("../../../data/first_names.txt")));
static LAST: LazyLock<HashSet<String>> =
    LazyLock::new(|| load(include_str!("../../../data/last_names.txt")));
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

/// Cues after which two capitalised words are a person's name.
const CUES: &[&str] = &["dear", "ask", "name", "named"];

/// Capitalised words that follow a cue but are not names ("Dear Valued Customer").
const NOT_NAMES: &[&str] = &[
    "sir",
    "madam",
    "customer",
    "customers",
    "team",
    "colleague",
    "colleagues",
    "valued",
    "friend",
    "friends",
    "member",
    "members",
    "user",
    "users",
    "client",
    "clients",
    "all",
    "everyone",
    "support",
    "hiring",
    "manager",
    "the",
    "our",
    "your",
    "about",
];

/// The word lower-cased with Latin accents removed, for the name lists (`Chloé` → `chloe`).
fn folded(w: &str) -> String {
    w.chars()
        .flat_map(char::to_lowercase)
        .map(folded_char)
        .collect()
}

/// A lower-case Latin letter without its accent (`é` → `e`); other characters unchanged.
pub(crate) fn folded_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

/// Whether `w` is a listed first name or surname (accents folded, any case): a place of that
/// name is ambiguous (`Jackson`, `Florence`, `Chad`).
pub(crate) fn is_listed_name(w: &str) -> bool {
    let f = folded(w);
    FIRST.contains(&f) || LAST.contains(&f)
}

/// Whether `folded` (lower-cased, accents folded) is a listed US first name.
pub(crate) fn is_us_first(folded: &str) -> bool {
    FIRST.contains(folded)
}

/// Whether `folded` (lower-cased, accents folded) is a listed US surname.
pub(crate) fn is_us_last(folded: &str) -> bool {
    LAST.contains(folded)
}

fn cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Capitalised words that start sentences or salutations, not names.
pub(crate) const NOT_FIRST: &[&str] = &[
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

/// Rules that guess a name from one listed name and a capitalised word, or from two
/// capitalised words after a cue.
const WEAK_RULES: [&str; 4] = [
    "first_capitalized",
    "capitalized_surname",
    "cued_capitalized",
    "first_last",
];

/// The score of a weak rule's name that the tagger does not share.
pub const UNCONFIRMED_RULE: f64 = 0.3;

/// Lowers to [`UNCONFIRMED_RULE`] the names of [`WEAK_RULES`] that no name of the tagger
/// ([`super::ner`], rule `person_model`) overlaps: `Joshua Pines` and `Tina Courts` are
/// streets, which the tagger reads from their context and the rules cannot. A weak rule's
/// name that the tagger confirms takes the tagger's score when higher, so that of the two
/// spans the longer is kept (`Ahmed Wilson` over a tagged `Ahmed`). Names after a title, and
/// the tagger's own, are kept as they are.
pub fn confirm_by_tagger(all: &mut [Finding]) {
    let mut tagged: Vec<(usize, usize, f64)> = all
        .iter()
        .filter(|f| f.rule == "person_model")
        .map(|f| (f.start, f.end, f.score))
        .collect();
    tagged.sort_unstable_by_key(|t| (t.0, t.1));
    // Tagged names do not overlap one another: sorted by start, their ends ascend too.
    for f in all.iter_mut() {
        if f.entity_type == "PERSON" && WEAK_RULES.contains(&f.rule) {
            let i = tagged.partition_point(|t| t.1 <= f.start);
            match tagged.get(i) {
                Some(t) if t.0 < f.end => f.score = f.score.max(t.2),
                _ => f.score = f.score.min(UNCONFIRMED_RULE),
            }
        }
    }
}

/// Person names by the dictionary rules (see the module documentation).
pub fn find(text: &str, out: &mut Vec<Finding>) {
    let words: Vec<(usize, usize)> = WORD.find_iter(text).map(|m| (m.start(), m.end())).collect();
    let adjacent = |a: (usize, usize), b: (usize, usize)| {
        let gap = &text[a.1..b.0];
        gap == " " || gap == ". " // "J. Smith" style after an initial
    };
    let mut i = 0;
    while i < words.len() {
        let w = &text[words[i].0..words[i].1];
        let lw = folded(w);
        let next = words
            .get(i + 1)
            .copied()
            .filter(|&n| adjacent(words[i], n) && &text[words[i].1..n.0] == " ");
        if TITLES.contains(&w) {
            if let Some(n) =
                next.or_else(|| words.get(i + 1).copied().filter(|&n| adjacent(words[i], n)))
            {
                let nw = &text[n.0..n.1];
                let ln = folded(nw);
                if cap(nw) && (LAST.contains(&ln) || FIRST.contains(&ln)) {
                    let mut end = n.1;
                    if let Some(&m) = words.get(i + 2).filter(|&&m| {
                        &text[n.1..m.0] == " "
                            && cap(&text[m.0..m.1])
                            && LAST.contains(&folded(&text[m.0..m.1]))
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
                let ln = folded(nw);
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
            // An unlisted capitalised given name before a listed surname, or two unlisted
            // capitalised words introduced as a person.
            let nw = &text[n.0..n.1];
            let ln = folded(nw);
            let plausible = cap(w)
                && cap(nw)
                && !NOT_FIRST.contains(&w)
                && !WORDS.contains(&lw.as_str())
                && w.chars().count() > 1;
            let cued = || {
                let before = i
                    .checked_sub(1)
                    .map(|p| folded(&text[words[p].0..words[p].1]))
                    .is_some_and(|p| CUES.contains(&p.as_str()));
                let after = words
                    .get(i + 2)
                    .zip(words.get(i + 3))
                    .is_some_and(|(a, b)| &text[a.0..a.1] == "was" && &text[b.0..b.1] == "born");
                (before || after)
                    && nw.chars().count() > 1
                    && !NOT_NAMES.contains(&lw.as_str())
                    && !NOT_NAMES.contains(&ln.as_str())
                    && !WORDS.contains(&ln.as_str())
            };
            let rule = if plausible && LAST.contains(&ln) {
                Some("capitalized_surname")
            } else if plausible && cued() {
                Some("cued_capitalized")
            } else {
                None
            };
            if let Some(rule) = rule {
                out.push(Finding::new("PERSON", words[i].0, n.1, 0.5, rule));
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

    #[test]
    fn accents_fold_and_cues_introduce_unlisted_names() {
        let t = "Dear Wei Kowalski, Chloé Müller was born in 1970. Please ask Priya Nowak. Dear Valued Customer, Dear Sir.";
        let mut v = vec![];
        find(t, &mut v);
        let got: Vec<&str> = v.iter().map(|f| &t[f.start..f.end]).collect();
        assert!(got.contains(&"Wei Kowalski"), "{got:?}");
        assert!(got.contains(&"Chloé Müller"), "{got:?}");
        assert!(got.contains(&"Priya Nowak"), "{got:?}");
        assert!(
            !got.iter()
                .any(|g| g.contains("Customer") || g.contains("Sir")),
            "{got:?}"
        );
    }
}
