//! Interval indexes that keep overlap resolution linear-logarithmic in the number of findings
//! (issue #15, finding 7: comparing each finding with every kept one was quadratic, 20 s for
//! 50,000 findings on one line).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// Byte spans kept by a greedy "first come, first kept unless it overlaps" rule, which by
/// construction never overlap each other (the overlap test is [`crate::Finding::overlaps`]:
/// `a.start < b.end && b.start < a.end`).
#[derive(Debug, Default)]
pub struct DisjointSpans {
    /// Kept non-empty spans, start → end; disjoint, so ends rise with starts and only the span
    /// starting last before a candidate's end can overlap it.
    nonempty: BTreeMap<usize, usize>,
    /// Positions of kept empty spans, which overlap a span strictly around them.
    empty: BTreeSet<usize>,
}

impl DisjointSpans {
    /// Whether `start..end` overlaps a kept span; `O(log n)`.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.nonempty
            .range(..end)
            .next_back()
            .is_some_and(|(_, &e)| start < e)
            || (start < end
                && self
                    .empty
                    .range((Bound::Excluded(start), Bound::Excluded(end)))
                    .next()
                    .is_some())
    }

    /// Keeps `start..end` if it overlaps no kept span; returns whether it was kept.
    pub fn insert_if_free(&mut self, start: usize, end: usize) -> bool {
        if self.overlaps(start, end) {
            return false;
        }
        if start < end {
            self.nonempty.insert(start, end);
        } else {
            self.empty.insert(start);
        }
        true
    }
}

/// Spans (possibly overlapping) sorted by start with the running maximum of their ends, to ask
/// in `O(log n)` how far right any span starting before a position reaches.
#[derive(Debug)]
pub struct ReachIndex {
    starts: Vec<usize>,
    /// `max_end[i]`: the largest end among the first `i + 1` spans.
    max_end: Vec<usize>,
}

impl ReachIndex {
    /// The index of `spans` (`(start, end)` pairs, any order).
    pub fn new(mut spans: Vec<(usize, usize)>) -> Self {
        spans.sort_unstable();
        let mut max = 0;
        let max_end = spans
            .iter()
            .map(|&(_, e)| {
                max = max.max(e);
                max
            })
            .collect();
        ReachIndex {
            starts: spans.iter().map(|&(s, _)| s).collect(),
            max_end,
        }
    }

    /// The largest end among spans starting before `pos` (with `inclusive`, at or before), or
    /// `None` when there are none.
    pub fn reach(&self, pos: usize, inclusive: bool) -> Option<usize> {
        let k = self
            .starts
            .partition_point(|&s| s < pos || (inclusive && s == pos));
        k.checked_sub(1).map(|i| self.max_end[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_and_reach() {
        let mut d = DisjointSpans::default();
        assert!(d.insert_if_free(5, 10));
        assert!(!d.insert_if_free(9, 12));
        assert!(d.insert_if_free(10, 12));
        assert!(d.insert_if_free(2, 2));
        assert!(!d.insert_if_free(0, 4));
        assert!(d.insert_if_free(0, 2));
        assert!(!d.insert_if_free(7, 7));
        let r = ReachIndex::new(vec![(4, 9), (0, 3), (4, 5)]);
        assert_eq!(r.reach(0, false), None);
        assert_eq!(r.reach(0, true), Some(3));
        assert_eq!(r.reach(4, false), Some(3));
        assert_eq!(r.reach(4, true), Some(9));
    }
}
