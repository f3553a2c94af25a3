//! Ages over 89 (`AGE_OVER_89`): HIPAA's Safe Harbor method (45 CFR 164.514(b)(2)(i)(C))
//! removes "all ages over 89 and all elements of dates (including year) indicative of such
//! age", aggregating them into one category of 90 or older. An age is read only where the
//! text says it is one (`93-year-old`, `aged 91`, `age: 95`, `92 y/o`, `94 years of age`);
//! the finding is the number, reported when it is 90 to 130 (score 0.85). Younger ages are
//! not identifiers under the rule and are not reported.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["age", "aged", "old", "patient"];

/// The number is group 1 or group 2.
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{2,3})(?:[- ]?(?:years?|yrs?)[- ]?old\b|\s*(?:years|yrs)\s+of\s+age\b|\s?(?:y/o|y\.o\.|yo)(?:\b|\s|$))|\b(?:aged|age)\s*[:=]?\s*(\d{2,3})\b",
    )
    .unwrap()
});

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for c in AGE.captures_iter(text) {
        let Some(m) = c.get(1).or_else(|| c.get(2)) else {
            continue;
        };
        let age: u32 = m.as_str().parse().unwrap_or(0);
        if (90..=130).contains(&age) {
            out.push(Finding::new(
                "AGE_OVER_89",
                m.start(),
                m.end(),
                0.85,
                "age_over_89",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognizers::found_by;

    #[test]
    fn ages_over_89_only_where_the_text_says_age() {
        let t = "A 93-year-old woman, aged 91 on admission (Age: 104), 92 y/o, 97 years of age; \
                 her son is a 45-year-old, aged 60.";
        let got: Vec<&str> = found_by(find, t).iter().map(|g| g.0).collect();
        assert_eq!(got, ["93", "91", "104", "92", "97"]);
        for t in [
            "Room 95, 93 items, version 91",
            "Route 95 years ago",
            "aged 89",
            "a 250-year-old oak",
            "$95 old price",
        ] {
            assert!(found_by(find, t).is_empty(), "{t}");
        }
    }
}
