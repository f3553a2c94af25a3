//! Tokens of the NER tagger and the lexicon and shape facts its features read.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::LazyLock;

use crate::recognizers::location::{is_place, is_street_type};
use crate::recognizers::person::{folded_char, is_us_first, is_us_last};

/// What a token is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// Letters, with inner apostrophes and hyphens (`O'Brien`, `Jean-Luc`).
    Word,
    Number,
    /// One character of punctuation.
    Punct,
    /// A line break, a tab or a run of two or more spaces (a column gap).
    Break,
}

/// Lexicon and case bits of a word.
pub(super) const IN_FIRST: u16 = 1;
pub(super) const IN_LAST: u16 = 2;
pub(super) const IN_US_FIRST: u16 = 4;
pub(super) const IN_US_LAST: u16 = 8;
pub(super) const LEXICON: u16 = IN_FIRST | IN_LAST | IN_US_FIRST | IN_US_LAST;
pub(super) const CAPITALISED: u16 = 16;
pub(super) const ALL_CAPS: u16 = 32;
pub(super) const LOWER: u16 = 64;
/// A common English word (Faker's lorem word list).
pub(super) const COMMON: u16 = 128;
/// A place of the LOCATION gazetteer, as written.
pub(super) const PLACE: u16 = 256;
/// A street type (`Road`, `Pines`, `calle`).
pub(super) const STREET: u16 = 512;

/// A token with the hashes of its features.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Kind,
    /// The lower-cased word (the character itself for punctuation, the kind for breaks).
    pub(super) word: u64,
    /// Upper-case letters as `X`, lower-case as `x`, digits as `d`, runs collapsed.
    pub(super) shape: u64,
    pub(super) prefix3: u64,
    pub(super) suffix3: u64,
    pub(super) suffix2: u64,
    pub(super) flags: u16,
}

/// FNV-1a, 64 bits: a fixed hash, so that feature keys are the same on every platform and in
/// every version (the committed model's keys are these hashes).
#[derive(Clone, Copy)]
pub(super) struct Fnv(pub(super) u64);

impl Fnv {
    pub(super) const fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(super) fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    pub(super) fn char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.byte(b);
        }
    }
    pub(super) fn str(mut self, s: &str) -> u64 {
        for b in s.bytes() {
            self.byte(b);
        }
        self.0
    }
}

/// Combines two hashes (splitmix64's finaliser over their mix).
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_add(a << 6);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stored key of feature template `t` with value `v`.
pub(super) fn key(t: u64, v: u64) -> u32 {
    let h = mix(t.wrapping_mul(0x2545_f491_4f6c_dd1d), v);
    (h ^ (h >> 32)) as u32
}

static NAMES_FIRST: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| lexicon(include_str!("../../../data/names_first.txt")));
static NAMES_LAST: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| lexicon(include_str!("../../../data/names_last.txt")));

static COMMON_WORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| lexicon(include_str!("../../../data/common_words.txt")));

fn lexicon(s: &'static str) -> HashSet<&'static str> {
    s.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '\u{300}'..='\u{36f}')
}

/// Reused buffers for one thread's lower-cased and folded words.
pub(super) struct Scratch {
    pub(super) lower: String,
    pub(super) folded: String,
    pub(super) shape: String,
    pub(super) tokens: Vec<Token>,
}

thread_local! {
    pub(super) static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// The tokens of `text` (single spaces separate tokens and are not tokens).
pub(super) fn tokenize(text: &str, s: &mut Scratch) {
    let Scratch {
        lower,
        folded,
        shape,
        tokens,
    } = s;
    tokens.clear();
    let bytes = text.as_bytes();
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == ' ' {
            let mut end = i + 1;
            while bytes.get(end) == Some(&b' ') {
                end += 1;
                it.next();
            }
            if end - i >= 2 {
                tokens.push(special(i, end, Kind::Break, "<gap>"));
            }
            continue;
        }
        if c == '\n' || c == '\r' {
            tokens.push(special(i, i + 1, Kind::Break, "<nl>"));
            continue;
        }
        if c.is_whitespace() {
            tokens.push(special(i, i + c.len_utf8(), Kind::Break, "<tab>"));
            continue;
        }
        if c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some(&(j, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + 1;
                it.next();
            }
            let n = end - i;
            let mut h = Fnv::new();
            for _ in 0..n.min(6) {
                h.byte(b'0');
            }
            let w = h.0;
            tokens.push(Token {
                start: i,
                end,
                kind: Kind::Number,
                word: w,
                shape: Fnv::new().str("d"),
                prefix3: 0,
                suffix3: 0,
                suffix2: 0,
                flags: 0,
            });
            continue;
        }
        if !is_word_char(c) {
            let mut h = Fnv::new();
            h.char(c);
            tokens.push(Token {
                start: i,
                end: i + c.len_utf8(),
                kind: Kind::Punct,
                word: h.0,
                shape: h.0,
                prefix3: 0,
                suffix3: 0,
                suffix2: 0,
                flags: 0,
            });
            continue;
        }
        // A word: letters, with apostrophes and hyphens between letters.
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = it.peek() {
            let rest = &text[j + d.len_utf8()..];
            let joins = matches!(d, '\'' | '’' | '-')
                && rest.chars().next().is_some_and(is_word_char)
                && !possessive(rest);
            if !is_word_char(d) && !joins {
                break;
            }
            end = j + d.len_utf8();
            it.next();
        }
        if text[end..].starts_with(|d: char| d.is_ascii_digit()) {
            // Letters run into digits: a code (`DE8937…`, `A12`), never a name or a place.
            while let Some(&(j, d)) = it.peek() {
                if !d.is_alphanumeric() {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            tokens.push(special(i, end, Kind::Number, "<code>"));
            continue;
        }
        let w = &text[i..end];
        lower.clear();
        folded.clear();
        shape.clear();
        let (mut upper, mut low) = (0usize, 0usize);
        for ch in w.chars() {
            let cls = if ch.is_uppercase() {
                upper += 1;
                'X'
            } else if ch.is_lowercase() {
                low += 1;
                'x'
            } else {
                ch
            };
            if !shape.ends_with(cls) || !matches!(cls, 'X' | 'x') {
                shape.push(cls);
            }
            for l in ch.to_lowercase() {
                lower.push(l);
                folded.push(folded_char(l));
            }
        }
        let first_upper = w.chars().next().is_some_and(char::is_uppercase);
        let mut flags = 0u16;
        if NAMES_FIRST.contains(lower.as_str()) {
            flags |= IN_FIRST;
        }
        if NAMES_LAST.contains(lower.as_str()) {
            flags |= IN_LAST;
        }
        if is_us_first(folded) {
            flags |= IN_US_FIRST;
        }
        if is_us_last(folded) {
            flags |= IN_US_LAST;
        }
        if COMMON_WORDS.contains(lower.as_str()) {
            flags |= COMMON;
        }
        if is_place(w) {
            flags |= PLACE;
        }
        if is_street_type(lower) {
            flags |= STREET;
        }
        if first_upper && low > 0 {
            flags |= CAPITALISED;
        } else if upper > 0 && low == 0 {
            flags |= ALL_CAPS;
        } else if !first_upper && low > 0 {
            // Words of scripts without case (Chinese, Japanese, Thai, ...) have none of these.
            flags |= LOWER;
        }
        let nchars = lower.chars().count();
        let cut = |from_end: usize| -> &str {
            match lower.char_indices().nth(nchars.saturating_sub(from_end)) {
                Some((b, _)) if nchars > from_end => &lower[b..],
                _ => lower.as_str(),
            }
        };
        let suffix3 = Fnv::new().str(cut(3));
        let suffix2 = Fnv::new().str(cut(2));
        let prefix3 = Fnv::new().str(match lower.char_indices().nth(3) {
            Some((b, _)) => &lower[..b],
            None => lower.as_str(),
        });
        tokens.push(Token {
            start: i,
            end,
            kind: Kind::Word,
            word: Fnv::new().str(lower),
            shape: Fnv::new().str(shape),
            prefix3,
            suffix3,
            suffix2,
            flags,
        });
    }
}

/// Whether `rest` (after an apostrophe) is the possessive `s` ending a word: `Anna's` is the
/// name `Anna` and `'s`.
fn possessive(rest: &str) -> bool {
    let mut c = rest.chars();
    matches!(c.next(), Some('s' | 'S')) && !c.next().is_some_and(is_word_char)
}

pub(super) fn special(start: usize, end: usize, kind: Kind, name: &str) -> Token {
    let h = Fnv::new().str(name);
    Token {
        start,
        end,
        kind,
        word: h,
        shape: h,
        prefix3: 0,
        suffix3: 0,
        suffix2: 0,
        flags: 0,
    }
}

impl Scratch {
    pub(super) const fn new() -> Self {
        Scratch {
            lower: String::new(),
            folded: String::new(),
            shape: String::new(),
            tokens: Vec::new(),
        }
    }
}

/// Whether the word `t` is a common English word.
pub(super) fn common(t: &Token) -> bool {
    t.flags & COMMON != 0
}

/// Whether the word `t` is in a lexicon of `label` (0: the name lists, 1: the gazetteer).
pub(super) fn listed(t: &Token, label: usize) -> bool {
    t.flags & if label == 0 { LEXICON } else { PLACE } != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_inner_apostrophes_and_hyphens() {
        let mut s = Scratch::new();
        let t = "O'Brien-Smith, Jean  (42)\nChloé's DE8937A";
        tokenize(t, &mut s);
        let got: Vec<&str> = s.tokens.iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(
            got,
            [
                "O'Brien-Smith",
                ",",
                "Jean",
                "  ",
                "(",
                "42",
                ")",
                "\n",
                "Chloé",
                "'",
                "s",
                "DE8937A"
            ]
        );
        assert_eq!(s.tokens[11].kind, Kind::Number);
        assert_ne!(
            s.tokens[8].flags & IN_FIRST,
            0,
            "chloé is a listed given name"
        );
        assert_eq!(s.tokens[0].flags & LEXICON, 0);
    }
}
