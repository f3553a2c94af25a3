//! Anonymization: Mondrian and the lattice search, their outputs re-measured with the
//! measurement code (k, distinct l, t), and the pruned lattice search against a brute-force
//! scan of every node.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use assay_anonymity::hierarchy::Hierarchies;
use assay_anonymity::lattice::lattice;
use assay_anonymity::mondrian::{
    mondrian, AnonymizeError, Criteria, Generalization, SensitiveCodes,
};
use assay_anonymity::{k_anonymity, l_diversity, t_closeness, PartitionBuilder};

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

struct Table {
    age: Vec<String>,
    zip: Vec<String>,
    job: Vec<String>,
    disease: Vec<String>,
}

const JOBS: [&str; 6] = ["nurse", "doctor", "clerk", "teacher", "lawyer", "driver"];
const DISEASES: [&str; 4] = ["flu", "cancer", "hiv", "cold"];

fn table(n: usize, seed: u64) -> Table {
    let mut g = Lcg(seed);
    let mut t = Table {
        age: vec![],
        zip: vec![],
        job: vec![],
        disease: vec![],
    };
    for _ in 0..n {
        t.age.push((18 + g.below(60)).to_string());
        t.zip.push(format!("130{}{}", g.below(4), g.below(10)));
        t.job.push(JOBS[g.below(6) as usize].to_string());
        t.disease.push(DISEASES[g.below(4) as usize].to_string());
    }
    t
}

const HIERARCHIES: &str = r#"
[age]
type = "intervals"
widths = [5, 10, 20]

[zip]
type = "truncate"
drop = [1, 2]

[job]
type = "tree"
levels = [{ nurse = "health", doctor = "health", clerk = "office", lawyer = "office", teacher = "education", driver = "transport" },
          { health = "professional", office = "professional", education = "professional", transport = "manual" }]
"#;

/// Re-measures the released records of `g`: (k, distinct l, t) of the disease.
fn remeasure(g: &Generalization, t: &Table) -> (u64, u64, f64) {
    let rows: Vec<usize> = (0..t.age.len())
        .filter(|&r| g.class_of[r].is_some())
        .collect();
    let qi: Vec<ArrayRef> = (0..3)
        .map(|q| {
            Arc::new(StringArray::from_iter_values(
                rows.iter()
                    .map(|&r| g.labels[g.class_of[r].unwrap() as usize][q].clone()),
            )) as ArrayRef
        })
        .collect();
    let sa: ArrayRef = Arc::new(StringArray::from_iter_values(
        rows.iter().map(|&r| t.disease[r].clone()),
    ));
    let names = ["age", "zip", "job", "disease"];
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema, qi.into_iter().chain([sa]).collect()).unwrap();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut b = PartitionBuilder::new(Path::new("mem"), &s(&names[..3]), &s(&names[3..])).unwrap();
    b.add_batch(&batch).unwrap();
    let p = b.finish().unwrap();
    assert_eq!(p.classes() as u64, g.loss.classes);
    (
        k_anonymity::k_anonymity(&p),
        l_diversity::l_diversity(&p).unwrap(),
        t_closeness::t_closeness(&p).unwrap(),
    )
}

fn qi(t: &Table) -> Vec<(&str, &[String])> {
    vec![
        ("age", &t.age[..]),
        ("zip", &t.zip[..]),
        ("job", &t.job[..]),
    ]
}

#[test]
fn mondrian_meets_k_l_t_on_remeasure() {
    let t = table(3000, 7);
    let sens = vec![SensitiveCodes::new("disease", &t.disease)];
    let h = Hierarchies::from_toml(HIERARCHIES, Path::new("h.toml")).unwrap();
    for (k, l, tt) in [
        (2, None, None),
        (5, None, None),
        (25, Some(3), None),
        (10, Some(2), Some(0.15)),
        (4, None, Some(0.1)),
    ] {
        for hier in [None, Some(&h)] {
            let c = Criteria { k, l, t: tt };
            let g = mondrian(&qi(&t), &sens, c, hier).unwrap();
            let (mk, ml, mt) = remeasure(&g, &t);
            assert!(mk >= k, "k {mk} < {k}");
            if let Some(l) = l {
                assert!(ml >= l, "l {ml} < {l}");
            }
            if let Some(tt) = tt {
                assert!(mt <= tt + 1e-12, "t {mt} > {tt}");
            }
            assert_eq!(g.loss.suppressed, 0);
            assert!(g.loss.ncp > 0.0 && g.loss.ncp < 1.0);
            // Mondrian cuts: far more classes than one, each at most 2k - 1 + ties when only k binds.
            assert!(g.loss.classes > 1);
        }
    }
}

#[test]
fn mondrian_hand_example() {
    // Ages 1..=8, k = 2: median cuts give [1-2], [3-4], [5-6], [7-8].
    let age: Vec<String> = (1..=8).map(|a| a.to_string()).collect();
    let g = mondrian(
        &[("age", &age[..])],
        &[],
        Criteria {
            k: 2,
            l: None,
            t: None,
        },
        None,
    )
    .unwrap();
    let mut labels: Vec<String> = g.labels.iter().map(|l| l[0].clone()).collect();
    labels.sort();
    assert_eq!(labels, ["[1-2]", "[3-4]", "[5-6]", "[7-8]"]);
    assert_eq!(g.loss.discernibility, 16);
    assert_eq!(g.loss.average_class_size, 1.0);
    // Every record's range has width 1 over a column range of 7.
    assert!((g.loss.ncp - 1.0 / 7.0).abs() < 1e-15);
    // k = 3: [1-4] and [5-8].
    let g = mondrian(
        &[("age", &age[..])],
        &[],
        Criteria {
            k: 3,
            l: None,
            t: None,
        },
        None,
    )
    .unwrap();
    assert_eq!(g.loss.classes, 2);
    // Categorical values without a tree: sets of the code range.
    let sex: Vec<String> = ["f", "m", "f", "m"].iter().map(|s| s.to_string()).collect();
    let g = mondrian(
        &[("sex", &sex[..])],
        &[],
        Criteria {
            k: 3,
            l: None,
            t: None,
        },
        None,
    )
    .unwrap();
    assert_eq!(g.labels, [["*"]]);
}

#[test]
fn bad_k_and_unsatisfiable() {
    let t = table(50, 1);
    let sens = vec![SensitiveCodes::new("disease", &t.disease)];
    for k in [0, 51] {
        let e = mondrian(
            &qi(&t),
            &sens,
            Criteria {
                k,
                l: None,
                t: None,
            },
            None,
        )
        .unwrap_err();
        assert!(matches!(e, AnonymizeError::InvalidK { .. }), "{e}");
    }
    let e = mondrian(
        &qi(&t),
        &sens,
        Criteria {
            k: 2,
            l: Some(5),
            t: None,
        },
        None,
    )
    .unwrap_err();
    assert!(matches!(e, AnonymizeError::Unsatisfiable(_)), "{e}");
    let e = lattice(
        &qi(&t),
        &sens,
        Criteria {
            k: 2,
            l: None,
            t: None,
        },
        None,
        0.0,
        true,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("no hierarchy for quasi-identifier 'age'"),
        "{e}"
    );
    let h = Hierarchies::from_toml(HIERARCHIES, Path::new("h.toml")).unwrap();
    let mut bad = table(50, 1);
    bad.job[3] = "pilot".into();
    let e = lattice(
        &qi(&bad),
        &sens,
        Criteria {
            k: 2,
            l: None,
            t: None,
        },
        Some(&h),
        0.0,
        true,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("h.toml") && msg.contains("'job'") && msg.contains("'pilot'"),
        "{msg}"
    );
}

#[test]
fn lattice_pruned_equals_brute_force() {
    let h = Hierarchies::from_toml(HIERARCHIES, Path::new("h.toml")).unwrap();
    for seed in [3, 11] {
        let t = table(400, seed);
        let sens = vec![SensitiveCodes::new("disease", &t.disease)];
        for (k, l, tt, limit) in [
            (2, None, None, 0.0),
            (5, None, None, 0.0),
            (10, None, None, 0.05),
            (5, Some(2), None, 0.02),
            (3, Some(3), None, 0.0),
            (4, None, Some(0.2), 0.0),
            (4, None, Some(0.2), 0.05),
        ] {
            let c = Criteria { k, l, t: tt };
            let fast = lattice(&qi(&t), &sens, c, Some(&h), limit, true).unwrap();
            let brute = lattice(&qi(&t), &sens, c, Some(&h), limit, false).unwrap();
            assert_eq!(fast.levels, brute.levels, "{c:?} limit {limit}");
            assert_eq!(fast.generalization.loss, brute.generalization.loss);
            assert_eq!(brute.search.evaluated, brute.search.nodes);
            assert_eq!(fast.heights, [4, 3, 3]);
            let (mk, ml, mt) = remeasure(&fast.generalization, &t);
            assert!(mk >= k);
            if let Some(l) = l {
                assert!(ml >= l);
            }
            if let Some(tt) = tt {
                assert!(mt <= tt + 1e-12, "t {mt}");
            }
            assert!(fast.generalization.loss.suppressed as f64 <= limit * 400.0);
            if fast.search.pruned && limit == 0.0 {
                assert!(
                    fast.search.evaluated < fast.search.nodes,
                    "{:?}",
                    fast.search
                );
            }
        }
    }
}
