//! Optimal full-domain generalization over the lattice of hierarchy levels, with a suppression
//! limit, in the spirit of ARX's Flash and of OLA (El Emam et al. 2009, "A globally optimal
//! k-anonymity method for the de-identification of health data", JAMIA 16(5)). A node is a
//! vector of one generalization level per quasi-identifier; every record is generalized at
//! those levels; classes that fail k (or distinct l, or t) are suppressed, and the node is
//! anonymous when at most `suppression_limit * n` records are. Suppressed records are not
//! released (they are dropped from the output, so that the output itself is anonymous).
//!
//! The search uses monotonicity (predictive tagging): with k and distinct l, if a node is
//! anonymous so is every successor (classes only merge, so suppression only shrinks), and if a
//! node is not, no predecessor is. t-closeness is monotone only without suppression (the EMD to
//! a fixed distribution is convex, so a merged class stays within t; with suppression the
//! released distribution moves), so with t and a positive limit every node is evaluated.
//!
//! The chosen node is the anonymous one with the least normalised certainty penalty
//! ([`crate::loss`], suppressed records costing 1), ties broken by the discernibility metric,
//! then the sum of levels, then the level vector. Without suppression both metrics are monotone,
//! so the successors of an anonymous node are not evaluated at all (the search goes bottom-up);
//! with suppression it goes top-down, skipping the predecessors of non-anonymous nodes.

use ahash::AHashMap;
use serde::{Deserialize, Serialize};

use crate::hierarchy::{ColumnLevels, Hierarchies};
use crate::loss;
use crate::mondrian::{
    check_criteria, AnonymizeError, Checker, Criteria, Generalization, SensitiveCodes,
};

/// The result of the lattice search.
#[derive(Debug, Clone)]
pub struct LatticeResult {
    /// The chosen level of each quasi-identifier.
    pub levels: Vec<usize>,
    /// The top level of each quasi-identifier's hierarchy.
    pub heights: Vec<usize>,
    /// The search's counts.
    pub search: SearchStats,
    /// The anonymized table.
    pub generalization: Generalization,
}

/// How much of the lattice was evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SearchStats {
    /// Nodes in the lattice.
    pub nodes: u64,
    /// Nodes whose classes were computed.
    pub evaluated: u64,
    /// Whether predictive tagging was used.
    pub pruned: bool,
}

/// One node's evaluation.
struct Eval {
    anonymous: bool,
    ncp: f64,
    discernibility: u64,
}

struct Lattice<'a> {
    records: usize,
    /// Per QI, the code of each record's value.
    value_code: Vec<Vec<u32>>,
    levels: Vec<ColumnLevels>,
    checker: Checker<'a>,
    max_suppressed: u64,
}

/// Classes of one node: the class of each record, sizes, and a representative record.
struct Classes {
    class_of: Vec<u32>,
    sizes: Vec<u64>,
    rep: Vec<usize>,
    suppressed: Vec<bool>,
}

impl Lattice<'_> {
    fn classes(&self, node: &[usize]) -> Classes {
        let mut index: AHashMap<u128, u32> = AHashMap::new();
        let mut class_of = Vec::with_capacity(self.records);
        let mut sizes: Vec<u64> = Vec::new();
        let mut rep = Vec::new();
        for r in 0..self.records {
            let mut key = 0u128;
            for (q, &l) in node.iter().enumerate() {
                let c = &self.levels[q];
                key = key * c.labels[l].len() as u128
                    + c.codes[l][self.value_code[q][r] as usize] as u128;
            }
            let next = sizes.len() as u32;
            let c = *index.entry(key).or_insert(next);
            if c == next {
                sizes.push(0);
                rep.push(r);
            }
            sizes[c as usize] += 1;
            class_of.push(c);
        }
        let crit = self.checker.criteria;
        let mut suppressed: Vec<bool> = sizes.iter().map(|&s| s < crit.k).collect();
        if crit.l.is_some() || crit.t.is_some() {
            let hists: Vec<Vec<u64>> = self
                .checker
                .sensitive
                .iter()
                .map(|s| {
                    let mut h = vec![0u64; sizes.len() * s.m];
                    for (r, &c) in class_of.iter().enumerate() {
                        h[c as usize * s.m + s.codes[r] as usize] += 1;
                    }
                    h
                })
                .collect();
            let hist = |s: usize, c: usize| {
                let m = self.checker.sensitive[s].m;
                &hists[s][c * m..(c + 1) * m]
            };
            if let Some(l) = crit.l {
                for (c, sup) in suppressed.iter_mut().enumerate() {
                    for s in 0..hists.len() {
                        if (hist(s, c).iter().filter(|&&x| x > 0).count() as u64) < l {
                            *sup = true;
                        }
                    }
                }
            }
            if let Some(t) = crit.t {
                // Fixed point: the released distribution changes as classes are suppressed.
                loop {
                    let mut changed = false;
                    for (s, sens) in self.checker.sensitive.iter().enumerate() {
                        let mut total = vec![0u64; sens.m];
                        for c in (0..sizes.len()).filter(|&c| !suppressed[c]) {
                            for (v, &x) in hist(s, c).iter().enumerate() {
                                total[v] += x;
                            }
                        }
                        let n: u64 = total.iter().sum();
                        if n == 0 {
                            break;
                        }
                        let p: Vec<f64> = total.iter().map(|&x| x as f64 / n as f64).collect();
                        for c in 0..sizes.len() {
                            if !suppressed[c]
                                && crate::mondrian::emd(sens.numeric, hist(s, c), sizes[c], &p) > t
                            {
                                suppressed[c] = true;
                                changed = true;
                            }
                        }
                    }
                    let gone: u64 = (0..sizes.len())
                        .filter(|&c| suppressed[c])
                        .map(|c| sizes[c])
                        .sum();
                    if !changed || gone > self.max_suppressed {
                        break;
                    }
                }
            }
        }
        Classes {
            class_of,
            sizes,
            rep,
            suppressed,
        }
    }

    fn class_penalty(&self, node: &[usize], r: usize) -> f64 {
        node.iter()
            .enumerate()
            .map(|(q, &l)| {
                let c = &self.levels[q];
                c.penalty[l][c.codes[l][self.value_code[q][r] as usize] as usize]
            })
            .sum()
    }

    fn evaluate(&self, node: &[usize]) -> Eval {
        let cl = self.classes(node);
        let mut gone = 0u64;
        let mut released = Vec::with_capacity(cl.sizes.len());
        let mut pen = 0.0;
        for c in 0..cl.sizes.len() {
            if cl.suppressed[c] {
                gone += cl.sizes[c];
            } else {
                released.push(cl.sizes[c]);
                pen += cl.sizes[c] as f64 * self.class_penalty(node, cl.rep[c]);
            }
        }
        Eval {
            anonymous: gone <= self.max_suppressed,
            ncp: loss::ncp(pen, gone, self.records as u64, node.len()),
            discernibility: loss::discernibility(&released, gone),
        }
    }

    fn generalization(&self, node: &[usize]) -> Generalization {
        let cl = self.classes(node);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); cl.sizes.len()];
        for (r, &c) in cl.class_of.iter().enumerate() {
            if !cl.suppressed[c as usize] {
                rows[c as usize].push(r);
            }
        }
        let groups = rows
            .into_iter()
            .enumerate()
            .filter(|(c, _)| !cl.suppressed[*c])
            .map(|(c, rows)| {
                let r = cl.rep[c];
                let labels = node
                    .iter()
                    .enumerate()
                    .map(|(q, &l)| {
                        let lv = &self.levels[q];
                        lv.labels[l][lv.codes[l][self.value_code[q][r] as usize] as usize].clone()
                    })
                    .collect();
                (labels, self.class_penalty(node, r), rows)
            });
        Generalization::from_groups(self.records, groups, self.checker.criteria.k, node.len())
    }
}

fn decode(mut i: usize, heights: &[usize], node: &mut [usize]) {
    for q in (0..heights.len()).rev() {
        node[q] = i % (heights[q] + 1);
        i /= heights[q] + 1;
    }
}

fn encode(node: &[usize], heights: &[usize]) -> usize {
    node.iter()
        .zip(heights)
        .fold(0, |i, (&l, &h)| i * (h + 1) + l)
}

/// Tags every node `>= node` (successors) or `<= node` (predecessors) with `tag` when untagged.
fn tag_box(node: &[usize], heights: &[usize], up: bool, tag: u8, tags: &mut [u8]) {
    let lo: Vec<usize> = if up {
        node.to_vec()
    } else {
        vec![0; node.len()]
    };
    let hi: Vec<usize> = if up { heights.to_vec() } else { node.to_vec() };
    let mut cur = lo.clone();
    loop {
        let i = encode(&cur, heights);
        if tags[i] == 0 {
            tags[i] = tag;
        }
        let mut q = cur.len();
        loop {
            if q == 0 {
                return;
            }
            q -= 1;
            if cur[q] < hi[q] {
                cur[q] += 1;
                break;
            }
            cur[q] = lo[q];
        }
    }
}

/// Searches the generalization lattice of `qi` (each with a hierarchy in `hierarchies`) for
/// the anonymous node of least loss; `prune = false` evaluates every node (the brute-force
/// reference the pruned search is tested against).
pub fn lattice(
    qi: &[(&str, &[String])],
    sensitive: &[SensitiveCodes],
    criteria: Criteria,
    hierarchies: Option<&Hierarchies>,
    suppression_limit: f64,
    prune: bool,
) -> Result<LatticeResult, AnonymizeError> {
    let records = qi.first().map_or(0, |c| c.1.len());
    if qi.is_empty() {
        return Err(AnonymizeError::Invalid("no quasi-identifiers".into()));
    }
    if qi.iter().any(|c| c.1.len() != records) || sensitive.iter().any(|s| s.codes.len() != records)
    {
        return Err(AnonymizeError::Invalid(
            "columns of different lengths".into(),
        ));
    }
    if (criteria.l.is_some() || criteria.t.is_some()) && sensitive.is_empty() {
        return Err(AnonymizeError::Invalid(
            "l and t need a sensitive attribute".into(),
        ));
    }
    if !(0.0..=1.0).contains(&suppression_limit) {
        return Err(AnonymizeError::Invalid(format!(
            "suppression limit {suppression_limit} is not in [0, 1]"
        )));
    }
    check_criteria(&criteria, records)?;
    let mut value_code = Vec::new();
    let mut levels = Vec::new();
    for &(name, values) in qi {
        let h = hierarchies.and_then(|h| h.get(name)).ok_or_else(|| {
            AnonymizeError::MissingHierarchy {
                column: name.to_string(),
                path: hierarchies.map(|h| h.path.clone()),
            }
        })?;
        let mut index: AHashMap<&str, u32> = AHashMap::new();
        let mut distinct: Vec<String> = Vec::new();
        let codes = values
            .iter()
            .map(|v| {
                *index.entry(v.as_str()).or_insert_with(|| {
                    distinct.push(v.clone());
                    distinct.len() as u32 - 1
                })
            })
            .collect();
        levels.push(ColumnLevels::new(
            h,
            &hierarchies.expect("some").path,
            name,
            &distinct,
        )?);
        value_code.push(codes);
    }
    // Class keys are mixed-radix numbers of the generalized codes; level 0 has the most.
    let combos = levels.iter().try_fold(1u128, |acc, l| {
        acc.checked_mul(l.labels[0].len().max(1) as u128)
    });
    if combos.is_none() {
        return Err(AnonymizeError::Invalid(
            "too many distinct combinations of quasi-identifier values for the lattice search (over 2^128)".into(),
        ));
    }
    let heights: Vec<usize> = levels.iter().map(|l| l.labels.len() - 1).collect();
    let nodes: u128 = heights.iter().map(|&h| h as u128 + 1).product();
    if nodes > 100_000 {
        return Err(AnonymizeError::LatticeTooLarge(nodes));
    }
    let nodes = nodes as usize;
    let lat = Lattice {
        records,
        value_code,
        levels,
        checker: Checker::new(criteria, sensitive, records),
        max_suppressed: (suppression_limit * records as f64 + 1e-9).floor() as u64,
    };
    let no_suppression = lat.max_suppressed == 0;
    let monotone = criteria.t.is_none() || no_suppression;
    let pruned = prune && monotone;
    let mut order: Vec<usize> = (0..nodes).collect();
    let mut node = vec![0usize; heights.len()];
    let height_of = |i: usize, node: &mut [usize]| {
        decode(i, &heights, node);
        node.iter().sum::<usize>()
    };
    order.sort_by_key(|&i| (height_of(i, &mut node), i));
    if pruned && !no_suppression {
        order.reverse();
    }
    let mut tags = vec![0u8; nodes]; // 1 anonymous, 2 not
    let mut best: Option<(f64, u64, usize, Vec<usize>)> = None;
    let mut evaluated = 0u64;
    // Progress counts every node of the lattice, evaluated or pruned.
    let step = assay_progress::step("generalization lattice nodes", Some(nodes as u64));
    for &i in &order {
        step.tick();
        decode(i, &heights, &mut node);
        if pruned && (tags[i] == 2 || (tags[i] == 1 && no_suppression)) {
            continue;
        }
        let e = lat.evaluate(&node);
        evaluated += 1;
        if e.anonymous {
            let key = (
                e.ncp,
                e.discernibility,
                node.iter().sum::<usize>(),
                node.clone(),
            );
            let better = match &best {
                None => true,
                Some(b) => (key.0, key.1, key.2)
                    .partial_cmp(&(b.0, b.1, b.2))
                    .expect("no NaN")
                    .then_with(|| key.3.cmp(&b.3))
                    .is_lt(),
            };
            if better {
                best = Some(key);
            }
            if pruned {
                tag_box(&node, &heights, true, 1, &mut tags);
            }
        } else if pruned {
            tag_box(&node, &heights, false, 2, &mut tags);
        }
    }
    let Some((_, _, _, levels_chosen)) = best else {
        return Err(AnonymizeError::Unsatisfiable(format!(
            "no generalization in the lattice meets the requirements with at most {} suppressed records",
            lat.max_suppressed
        )));
    };
    let generalization = lat.generalization(&levels_chosen);
    Ok(LatticeResult {
        levels: levels_chosen,
        heights,
        search: SearchStats {
            nodes: nodes as u64,
            evaluated,
            pruned,
        },
        generalization,
    })
}
