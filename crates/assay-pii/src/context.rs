//! Context enhancement after Presidio's `LemmaContextAwareEnhancer` (presidio-analyzer 2.2):
//! the up to [`PREFIX_COUNT`] = 5 keyword tokens before a finding (lower-cased, stop words and
//! punctuation skipped, as Presidio's `keywords` are) are searched for the recognizer's context
//! words; a context word that is a substring of such a token (Presidio's default "substring"
//! matching, which also covers plurals where spaCy would lemmatize) raises the score by
//! [`SIMILARITY_FACTOR`] = 0.35 to at least [`MIN_SCORE_WITH_CONTEXT`] = 0.4 and at most 1.
//! Presidio's suffix count is 0: words after a finding do not count. Tokens are runs of
//! letters and digits; assay does not lemmatize (the substring rule makes that matter rarely).
//! Beyond Presidio: in a table pasted as text (cells separated by `|` or tabs), the header of
//! the finding's column counts as a context word too ([`table_header`]).

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

/// The longest line read as a table row, and the most rows above a value searched for its
/// header: both keep the look-up bounded on long lines and long tables.
const MAX_ROW_BYTES: usize = 4096;
const MAX_ROWS_UP: usize = 200;

/// The largest char boundary of `text` at or below `i`.
pub(crate) fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text of `at`'s line before byte `at`, at most about `max_bytes` of it (a bounded
/// window for cue words, constant time on long lines).
pub(crate) fn line_before(text: &str, at: usize, max_bytes: usize) -> &str {
    let window = &text[floor_boundary(text, at.saturating_sub(max_bytes))..at];
    window.rfind('\n').map_or(window, |i| &window[i + 1..])
}

/// Start and end of the line around byte `at`, when it is at most [`MAX_ROW_BYTES`] long.
fn short_line(text: &str, at: usize) -> Option<(usize, usize)> {
    let lo = floor_boundary(text, at.saturating_sub(MAX_ROW_BYTES));
    let start = match text[lo..at].rfind('\n') {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => return None,
    };
    let hi = floor_boundary(text, (at + MAX_ROW_BYTES).min(text.len()));
    let end = match text[at..hi].find('\n') {
        Some(i) => at + i,
        None if hi == text.len() => hi,
        None => return None,
    };
    Some((start, end))
}

/// The header of the column that byte `at` of `text` sits in, lower-cased, when its line is
/// a row of a table pasted as text (cells separated by `|` or tabs) whose first row (the
/// header: the first line of the block of lines with the same separator, at most
/// [`MAX_ROWS_UP`] lines up) has a cell in that column. A value under `City` or `Phone` is
/// one, though no context word precedes it on its own line.
pub fn table_header(text: &str, at: usize) -> Option<String> {
    let (line_start, line_end) = short_line(text, at)?;
    let line = &text[line_start..line_end];
    let sep = ['|', '\t'].into_iter().find(|&c| line.contains(c))?;
    let column = text[line_start..at].matches(sep).count();
    // The first line of the block of lines that contain the separator.
    let mut header = line_start;
    for _ in 0..MAX_ROWS_UP {
        if header == 0 {
            break;
        }
        let (prev_start, prev_end) = short_line(text, header - 1)?;
        if !text[prev_start..prev_end].contains(sep) {
            break;
        }
        header = prev_start;
    }
    if header == line_start {
        return None;
    }
    let (_, header_end) = short_line(text, header)?;
    text[header..header_end]
        .split(sep)
        .nth(column)
        .map(|c| c.trim().to_lowercase())
}

/// The lower-cased words of `text[..end]`, last first, at most `n`, stop words included.
pub fn preceding_raw_words(text: &str, end: usize, n: usize) -> Vec<String> {
    // Words are short: a bounded window keeps this constant-time on long lines.
    let lo = floor_boundary(text, end.saturating_sub(64 * n.max(1)));
    text[lo..end]
        .split(|c: char| !c.is_alphanumeric())
        .rev()
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_lowercase)
        .collect()
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
    let header;
    let word = match supportive_word(&kws, context) {
        Some(w) => Some(w),
        None => {
            header = table_header(text, f.start);
            header
                .as_deref()
                .and_then(|h| context.iter().copied().find(|w| h.contains(w)))
        }
    };
    if let Some(w) = word {
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

    #[test]
    fn a_column_header_is_context() {
        let t =
            "Notes\nName | Phone | City\nAnn Lee | 5009806360 | Greiz\nBo Li | 5009806361 | Hof";
        let at = t.find("5009806361").unwrap();
        assert_eq!(table_header(t, at).as_deref(), Some("phone"));
        assert_eq!(
            table_header(t, t.find("Hof").unwrap()).as_deref(),
            Some("city")
        );
        // The header row itself and text outside a table have none.
        assert_eq!(table_header(t, t.find("Phone").unwrap()), None);
        assert_eq!(table_header(t, 0), None);
        let mut f = Finding::new("PHONE_NUMBER", at, at + 10, 0.1, "x");
        enhance(t, &mut f, &["phone"]);
        assert!((f.score - 0.45).abs() < 1e-12);
    }
}
