//! Medical record numbers and health-plan beneficiary numbers (HIPAA Safe Harbor identifiers
//! (H) and (I)). Record numbers have no national format: a run of 6 to 12 digits, optionally
//! after letters and a hyphen, is a weak candidate (0.05) that context ("MRN", "medical record",
//! "chart", "patient") raises. Health-plan numbers: the Medicare Beneficiary Identifier format
//! (11 characters, CMS specification; 0.5) and member/policy-number-like strings (two or three
//! letters and 6 to 12 digits; 0.05, context "member", "plan", "policy", "insurance",
//! "medicaid", "medicare" raises them).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &[
    "mrn",
    "medical",
    "record",
    "chart",
    "patient",
    "member",
    "plan",
    "policy",
    "insurance",
    "medicaid",
    "medicare",
    "beneficiary",
    "insured",
];

static MRN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:[A-Z]{1,3}-)?[0-9]{6,12}\b").unwrap());
static MBI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?[AC-HJKMNP-RT-Y]{2}[0-9]{2}\b").unwrap()
});
static MEMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2,3}[0-9]{6,12}\b").unwrap());

pub fn find(text: &str, out: &mut Vec<Finding>) {
    if !text.bytes().any(|c| c.is_ascii_digit()) {
        return;
    }
    for m in MRN.find_iter(text) {
        // Only with a record-number context word: a bare number is not reported at all.
        let kws = crate::context::preceding_keywords(text, m.start(), crate::context::PREFIX_COUNT);
        if kws.iter().any(|k| {
            ["mrn", "medical", "record", "chart", "patient"]
                .iter()
                .any(|w| k.contains(w))
        }) {
            out.push(Finding::new(
                "MEDICAL_RECORD_NUMBER",
                m.start(),
                m.end(),
                0.05,
                "mrn_context",
            ));
        }
    }
    for m in MBI.find_iter(text) {
        out.push(Finding::new(
            "HEALTH_PLAN_NUMBER",
            m.start(),
            m.end(),
            0.5,
            "medicare_mbi",
        ));
    }
    for m in MEMBER.find_iter(text) {
        let kws = crate::context::preceding_keywords(text, m.start(), crate::context::PREFIX_COUNT);
        if kws.iter().any(|k| {
            [
                "member",
                "plan",
                "policy",
                "insurance",
                "medicaid",
                "medicare",
                "beneficiary",
                "insured",
            ]
            .iter()
            .any(|w| k.contains(w))
        }) {
            out.push(Finding::new(
                "HEALTH_PLAN_NUMBER",
                m.start(),
                m.end(),
                0.05,
                "health_plan_context",
            ));
        }
    }
}
