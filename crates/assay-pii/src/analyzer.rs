//! The analyzer: runs the recognizers, applies context enhancement, removes same-type
//! duplicates and filters by entity type and score threshold.

use std::collections::HashMap;

use crate::context;
use crate::finding::Finding;
use crate::recognizers::{self, Recognizer};
use crate::spans::{DisjointSpans, ReachIndex};

/// What to report.
#[derive(Clone, Debug, Default)]
pub struct AnalyzerConfig {
    /// Only these entity types (all when `None`).
    pub entities: Option<Vec<String>>,
    /// Findings scoring below this are dropped (Presidio's `score_threshold`, default 0).
    pub threshold: f64,
    /// Only findings of these rules (all when `None`), e.g. `date_of_birth` to keep birth
    /// dates and not other dates.
    pub rules: Option<Vec<String>>,
}

/// A configured analyzer (cheap to share across threads: it holds references to the static
/// recognizers only).
pub struct Analyzer {
    recognizers: Vec<&'static Recognizer>,
    config: AnalyzerConfig,
}

/// Every entity type assay can report.
pub fn supported_entities() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = recognizers::all()
        .iter()
        .flat_map(|r| r.entities.iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl Analyzer {
    /// An analyzer; unknown entity names are an error (listed in the message). `RECORD_ID`
    /// is known: text has none, but column classification finds it by column name
    /// ([`crate::column_names`]).
    pub fn new(config: AnalyzerConfig) -> Result<Self, String> {
        if let Some(es) = &config.entities {
            let known = crate::column_names::column_entities();
            for e in es {
                if !known.contains(&e.as_str()) {
                    return Err(format!(
                        "unknown entity type `{e}`; known: {}",
                        known.join(", ")
                    ));
                }
            }
        }
        if let Some(rs) = &config.rules {
            for r in rs {
                if !recognizers::RULES.contains(&r.as_str()) {
                    return Err(format!(
                        "unknown rule `{r}`; known: {}",
                        recognizers::RULES.join(", ")
                    ));
                }
            }
        }
        let recognizers = recognizers::all()
            .iter()
            .filter(|r| {
                config
                    .entities
                    .as_ref()
                    .is_none_or(|es| r.entities.iter().any(|e| es.iter().any(|x| x == e)))
            })
            .collect();
        Ok(Analyzer {
            recognizers,
            config,
        })
    }

    /// Whether findings of `entity_type` may be reported (the entity filter of the config).
    pub fn reports(&self, entity_type: &str) -> bool {
        self.config
            .entities
            .as_ref()
            .is_none_or(|es| es.iter().any(|e| e == entity_type))
    }

    /// The findings in `text`, sorted by start then longer first, with byte and character
    /// offsets.
    pub fn analyze(&self, text: &str) -> Vec<Finding> {
        let mut all: Vec<Finding> = Vec::new();
        for r in &self.recognizers {
            let from = all.len();
            (r.find)(text, &mut all);
            for f in &mut all[from..] {
                context::enhance(text, f, r.context);
            }
        }
        recognizers::person::confirm_by_tagger(&mut all);
        let entities = &self.config.entities;
        let rules = &self.config.rules;
        all.retain(|f| {
            rules
                .as_ref()
                .is_none_or(|rs| rs.iter().any(|r| r == f.rule))
                && f.score >= self.config.threshold
                && f.score > 0.0
                && entities
                    .as_ref()
                    .is_none_or(|es| es.iter().any(|e| e == f.entity_type))
        });
        let mut kept = remove_contained(remove_duplicates(all));
        fill_char_offsets(text, &mut kept);
        kept
    }
}

/// Among findings of one entity type, keeps the higher-scoring (then longer) of overlapping
/// ones, as Presidio's `remove_duplicates` does for contained results.
///
/// Greedy in order of score, length and start: a finding is kept unless it overlaps a kept
/// finding of its type, asked of a [`DisjointSpans`] per type: `O(n log n)` for `n` findings
/// (the former scan of every kept finding per candidate was quadratic).
pub fn remove_duplicates(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut spans: HashMap<&'static str, DisjointSpans> = HashMap::new();
    let mut kept: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        if spans
            .entry(f.entity_type)
            .or_default()
            .insert_if_free(f.start, f.end)
        {
            kept.push(f);
        }
    }
    kept.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.entity_type.cmp(b.entity_type))
    });
    kept
}

/// Entity types whose findings are validated wholes: a finding of another type strictly inside
/// one of them (a Luhn-valid digit run inside an IBAN, a date inside a URL path) is a part of
/// it, not a separate identifier, and is dropped.
const CONTAINERS: [&str; 4] = ["IBAN_CODE", "CRYPTO", "EMAIL_ADDRESS", "URL"];

/// Drops findings contained in a finding of a [`CONTAINERS`] type (of another type), phone
/// numbers overlapping a (Luhn-validated) credit card number, and person names and phone
/// numbers inside a street address or a postcode-and-town line.
///
/// `O(n log n)`: per container type, the containers sorted by start with running maximum ends
/// answer "does one of them contain this span" by binary search; the cards likewise answer
/// "does one overlap this phone number".
pub fn remove_contained(v: Vec<Finding>) -> Vec<Finding> {
    let spans = |pred: &dyn Fn(&Finding) -> bool| -> Vec<(usize, usize)> {
        v.iter()
            .filter(|f| pred(f))
            .map(|f| (f.start, f.end))
            .collect()
    };
    let containers: Vec<(&str, ReachIndex)> = CONTAINERS
        .iter()
        .map(|&t| (t, ReachIndex::new(spans(&|f| f.entity_type == t))))
        .collect();
    let cards = ReachIndex::new(spans(&|f| f.entity_type == "CREDIT_CARD"));
    // A street address or a postcode-and-town line holds words that look like names
    // (`5485 John Inlet`) and numbers that look like phones: they are the address's.
    let addresses = ReachIndex::new(spans(&|f| {
        f.entity_type == "LOCATION" && matches!(f.rule, "street_address" | "postcode_city")
    }));
    // A country, region or large city (`Sierra Leone`, `New York`) is not also a person.
    let places = ReachIndex::new(spans(&|f| {
        f.entity_type == "LOCATION" && f.rule == "gazetteer" && f.score >= 0.5
    }));
    v.into_iter()
        .filter(|f| {
            // A card overlaps f when one starting before f's end ends after f's start.
            let phone_in_card = f.entity_type == "PHONE_NUMBER"
                && cards.reach(f.end, false).is_some_and(|e| e > f.start);
            // Strictly contained: a container with start < f.start and end >= f.end, or
            // start <= f.start and end > f.end.
            let contained = containers.iter().any(|(t, index)| {
                *t != f.entity_type
                    && (index.reach(f.start, false).is_some_and(|e| e >= f.end)
                        || index.reach(f.start, true).is_some_and(|e| e > f.end))
            });
            let in_address = matches!(f.entity_type, "PERSON" | "PHONE_NUMBER")
                && addresses.reach(f.start, true).is_some_and(|e| e >= f.end)
                || f.entity_type == "PERSON"
                    && places.reach(f.start, true).is_some_and(|e| e >= f.end);
            !phone_in_card && !contained && !in_address
        })
        .collect()
}

/// Fills `char_start`/`char_end` from the byte offsets with one pass over `text`.
pub fn fill_char_offsets(text: &str, v: &mut [Finding]) {
    if text.is_ascii() {
        for f in v {
            f.char_start = f.start;
            f.char_end = f.end;
        }
        return;
    }
    let mut points: Vec<usize> = v.iter().flat_map(|f| [f.start, f.end]).collect();
    points.sort_unstable();
    points.dedup();
    let mut map = std::collections::HashMap::with_capacity(points.len());
    let mut pi = 0;
    for (chars, (i, _)) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .enumerate()
    {
        while pi < points.len() && points[pi] <= i {
            map.insert(points[pi], chars);
            pi += 1;
        }
    }
    for f in v {
        f.char_start = map[&f.start];
        f.char_end = map[&f.end];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rules_known_and_filtering() {
        let a = Analyzer::new(AnalyzerConfig::default()).unwrap();
        let t = "Dr. Smith, born 1980-02-03, seen 2020-01-01, mail a.b@example.com, call +44 20 7946 0958, \
                 card 4111 1111 1111 1111, IBAN GB82WEST12345698765432, ip 10.0.0.1 and ::1, https://x.org, \
                 www.y.com, SSN 536-22-1234 or 536221234, passport C12345678, DL A1234567, wallet \
                 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, MRN 12345678, \
                 member ABC123456789, MBI 1EG4-TE5-MK73, Jennifer Lopez, Mary Qwerty, Aisha Patel, jennifer lopez, Austin, TX 78701";
        let f = a.analyze(t);
        for x in &f {
            assert!(
                crate::recognizers::RULES.contains(&x.rule),
                "rule {} not listed",
                x.rule
            );
        }
        let fired: std::collections::BTreeSet<&str> = f.iter().map(|x| x.rule).collect();
        assert!(fired.len() >= 24, "{fired:?}");
        let dob = Analyzer::new(AnalyzerConfig {
            rules: Some(vec!["date_of_birth".into()]),
            ..Default::default()
        })
        .unwrap();
        let d = dob.analyze(t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].start..d[0].end], "1980-02-03");
        assert!(Analyzer::new(AnalyzerConfig {
            rules: Some(vec!["nope".into()]),
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn analyze_and_offsets() {
        let a = Analyzer::new(AnalyzerConfig::default()).unwrap();
        let t = "Ünïcode: mail jane@example.com, SSN 536-22-1234";
        let f = a.analyze(t);
        let email = f.iter().find(|f| f.entity_type == "EMAIL_ADDRESS").unwrap();
        assert_eq!(&t[email.start..email.end], "jane@example.com");
        assert_eq!(email.char_start, t[..email.start].chars().count());
        let ssn = f.iter().find(|f| f.entity_type == "US_SSN").unwrap();
        assert!((ssn.score - 0.85).abs() < 1e-12);
        assert!(Analyzer::new(AnalyzerConfig {
            entities: Some(vec!["NOPE".into()]),
            threshold: 0.0,
            rules: None
        })
        .is_err());
    }
}
