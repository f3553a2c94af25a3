//! The tagger's feature templates, and which tokens it scores at all.

use std::sync::LazyLock;

use super::tokens::{key, mix, Fnv, Kind, Token, ALL_CAPS, LEXICON, LOWER, PLACE};

/// Whether token `i` may be part of an entity, `inside` one already; others are `O` without
/// being scored: numbers, breaks, punctuation other than the full stop of an initial, a title
/// or an abbreviation, lower-case words that would start an entity (particles such as `van
/// der` or `sur` only continue one), words in capitals in no lexicon or shorter than four
/// letters (`SHIP TO`, `ISBN`, `VIN`, `DEA`: acronyms). A
/// comma ends an entity: `Baker, Claudia` and `Springfield, Ohio` are two findings each.
pub(super) fn candidate(t: &[Token], i: usize, inside: bool) -> bool {
    let k = &t[i];
    match k.kind {
        Kind::Word => {
            inside
                || k.flags & LOWER == 0
                    && (k.flags & ALL_CAPS == 0
                        || k.end - k.start >= 4 && k.flags & (LEXICON | PLACE) != 0)
        }
        // The full stop after an initial, a title or an abbreviation (`J.`, `Dr.`, `Sig.`),
        // not after a sentence's last word (`Friday. John`).
        Kind::Punct => {
            inside
                && k.word == *DOT
                && i > 0
                && t[i - 1].end - t[i - 1].start <= 4
                && t.get(i + 1).is_some_and(|n| n.kind == Kind::Word)
        }
        _ => false,
    }
}

static DOT: LazyLock<u64> = LazyLock::new(|| Fnv::new().str("."));

/// Number of feature templates.
pub(super) const NF: usize = 27;

/// The feature keys of token `i` given the two previous tags.
pub(super) fn features(t: &[Token], i: usize, p1: usize, p2: usize, out: &mut [u32; NF]) {
    const NONE: Token = Token {
        start: 0,
        end: 0,
        kind: Kind::Break,
        word: 0x5eed,
        shape: 0x5eed,
        prefix3: 0,
        suffix3: 0,
        suffix2: 0,
        flags: 1 << 15,
    };
    let at = |d: isize| -> &Token {
        let j = i as isize + d;
        if j < 0 {
            &NONE
        } else {
            t.get(j as usize).unwrap_or(&NONE)
        }
    };
    let (w0, wm1, wp1, wm2, wp2) = (at(0), at(-1), at(1), at(-2), at(2));
    let lex = |k: &Token| u64::from(k.flags);
    let tags = (p1 as u64) | ((p2 as u64) << 8);
    let line_start = u64::from(wm1.kind == Kind::Break || i == 0);
    let vals: [u64; NF] = [
        0,
        w0.word,
        wm1.word,
        wp1.word,
        wm2.word,
        wp2.word,
        w0.shape,
        mix(wm1.shape, w0.shape),
        mix(w0.shape, wp1.shape),
        w0.suffix3,
        w0.prefix3,
        lex(w0),
        lex(wm1),
        lex(wp1),
        p1 as u64,
        tags,
        mix(p1 as u64, w0.shape),
        mix(p1 as u64, lex(w0)),
        mix(wm1.word, w0.shape),
        mix(w0.shape, wp1.word),
        mix(line_start, w0.shape),
        mix(w0.word, p1 as u64),
        w0.suffix2,
        mix(wm1.word, wp1.word),
        mix(lex(w0), mix(lex(wm1), lex(wp1))),
        mix(lex(wp1), wp2.word),
        mix(wm2.word, wm1.word),
    ];
    for (f, (o, v)) in out.iter_mut().zip(vals).enumerate() {
        *o = key(f as u64, v);
    }
}
