//! Context enhancement after Presidio's `LemmaContextAwareEnhancer` (presidio-analyzer 2.2):
//! the up to [`PREFIX_COUNT`] = 5 keyword tokens before a finding (lower-cased, stop words and
//! punctuation skipped, as Presidio's `keywords` are) are searched for the recognizer's context
//! words; a context word that is a substring of such a token (Presidio's default "substring"
//! matching, which also covers plurals where spaCy would lemmatize) raises the score by
//! [`SIMILARITY_FACTOR`] = 0.35 to at least [`MIN_SCORE_WITH_CONTEXT`] = 0.4 and at most 1.
//! Presidio's suffix count is 0: words after a finding do not count. Tokens are runs of
//! letters and digits; assay does not lemmatize (the substring rule makes that matter rarely).

use crate::finding::Finding;

pub const SIMILARITY_FACTOR: f64 = 0.35;
pub const MIN_SCORE_WITH_CONTEXT: f64 = 0.4;
pub const PREFIX_COUNT: usize = 5;

/// spaCy's most frequent English stop words (a subset of `spacy.lang.en.stop_words`), which
/// Presidio's keyword list leaves out.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have",
    "he", "her", "his", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "she",
    "that", "the", "their", "them", "they", "this", "to", "was", "we", "were", "will", "with",
    "you", "your", "please", "here", "there", "us", "him", "is", "am", "do", "does", "did", "can",
    "could", "would", "should", "what", "which", "who", "whom", "these", "those", "so", "if",
    "then", "than", "too", "very", "just", "also", "into", "about", "via", "any", "all", "per",
];

/// The lower-cased keyword tokens of `text[..end]`, last first, at most `n`.
pub fn preceding_keywords(text: &str, end: usize, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let head = &text[..end];
    let mut tok_end: Option<usize> = None;
    let push = |s: &str, out: &mut Vec<String>| {
        let w = s.to_lowercase();
        if !STOP_WORDS.contains(&w.as_str()) {
            out.push(w);
        }
    };
    for (i, c) in head.char_indices().rev() {
        if out.len() >= n {
            return out;
        }
        if c.is_alphanumeric() {
            if tok_end.is_none() {
                tok_end = Some(i + c.len_utf8());
            }
        } else if let Some(e) = tok_end.take() {
            push(&head[i + c.len_utf8()..e], &mut out);
        }
    }
    if let Some(e) = tok_end {
        if out.len() < n {
            push(&head[..e], &mut out);
        }
    }
    out
}

/// The first context word that is a substring of one of the keywords.
pub fn supportive_word(
    keywords: &[String],
    context: &'static [&'static str],
) -> Option<&'static str> {
    context
        .iter()
        .copied()
        .find(|w| keywords.iter().any(|k| k.contains(w)))
}

/// Raises the score of `f` if a context word precedes it in `text`.
pub fn enhance(text: &str, f: &mut Finding, context: &'static [&'static str]) {
    if context.is_empty() {
        return;
    }
    let kws = preceding_keywords(text, f.start, PREFIX_COUNT);
    if let Some(w) = supportive_word(&kws, context) {
        f.score = (f.score + SIMILARITY_FACTOR).clamp(MIN_SCORE_WITH_CONTEXT, 1.0);
        f.context_word = Some(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn boost_rule() {
        let t = "My SSN is 536221234";
        let mut f = Finding::new("US_SSN", 10, 19, 0.05, "ssn_bare");
        enhance(t, &mut f, &["ssn"]);
        assert!((f.score - 0.4).abs() < 1e-12);
        let mut g = Finding::new("US_SSN", 10, 19, 0.5, "x");
        enhance(t, &mut g, &["ssn"]);
        assert!((g.score - 0.85).abs() < 1e-12);
        // Context after the finding does not count.
        let t2 = "536221234 is my ssn";
        let mut h = Finding::new("US_SSN", 0, 9, 0.05, "ssn_bare");
        enhance(t2, &mut h, &["ssn"]);
        assert_eq!(h.score, 0.05);
        assert_eq!(
            preceding_keywords("a b c d e f g h", 14, 5),
            vec!["g", "f", "e", "d", "c"]
        );
    }
}
