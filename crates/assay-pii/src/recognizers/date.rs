//! Dates (`DATE_TIME`): ISO, numeric month-first or day-first with one separator, and written
//! month names (see [`crate::dates`]); the calendar must be valid (no 31 April). Base score 0.6
//! (Presidio's date patterns); a date right after "born", "DOB", "birth" (within two keywords) is reported with the rule
//! `date_of_birth` (and raised by context like any date).

use crate::context::preceding_keywords;
use crate::dates::find_dates;
use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "date",
    "birth",
    "born",
    "dob",
    "birthday",
    "admitted",
    "discharged",
    "died",
    "death",
];
const DOB: &[&str] = &["birth", "born", "dob", "birthday"];
/// Keywords before a date searched for a birth word (narrower than the context window, so that
/// a date two clauses after a birth date is not taken for one).
const DOB_WINDOW: usize = 2;

pub fn find(text: &str, out: &mut Vec<Finding>) {
    if !text.bytes().any(|c| c.is_ascii_digit()) {
        return;
    }
    for (s, e, _) in find_dates(text) {
        let kws = preceding_keywords(text, s, DOB_WINDOW);
        let dob = kws.iter().any(|k| DOB.iter().any(|w| k.contains(w)));
        out.push(Finding::new(
            "DATE_TIME",
            s,
            e,
            0.6,
            if dob { "date_of_birth" } else { "date" },
        ));
    }
}
