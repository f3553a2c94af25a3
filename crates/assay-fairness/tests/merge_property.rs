//! Property: per-group statistics over any split of the input into batches,
//! accumulated separately and merged, equal those over the whole input.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use assay_data::ColumnRoles;
use assay_fairness::accumulate::{Accumulator, GroupTable, PassOptions};
use proptest::prelude::*;

fn batch(rows: &[(bool, bool, f64, f64, u8, u8)]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("y", DataType::Utf8, true),
        Field::new("p", DataType::Utf8, true),
        Field::new("s", DataType::Float64, true),
        Field::new("w", DataType::Float64, true),
        Field::new("a", DataType::Utf8, true),
        Field::new("b", DataType::Utf8, true),
    ]));
    let names = ["x", "y", "z", "longer value"];
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| {
            if r.0 {
                "1"
            } else {
                "0"
            }
        }))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| {
            if r.1 {
                "1"
            } else {
                "0"
            }
        }))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.3))),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| names[r.4 as usize % 4]),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| names[r.5 as usize % 3]),
        )),
    ];
    RecordBatch::try_new(schema, cols).unwrap()
}

fn accumulator() -> Accumulator {
    Accumulator::new(PassOptions {
        roles: ColumnRoles {
            label: "y".into(),
            prediction: Some("p".into()),
            score: Some("s".into()),
            weight: Some("w".into()),
            sensitive: vec!["a".into(), "b".into()],
            ..Default::default()
        },
        drop_invalid: false,
        path: PathBuf::from("generated"),
    })
}

fn assert_same(x: &GroupTable, y: &GroupTable) {
    assert_eq!(x.features, y.features);
    assert_eq!(x.values, y.values);
    assert_eq!(x.rows, y.rows);
    assert_eq!(x.groups.len(), y.groups.len());
    for ((ca, sa), (cb, sb)) in x.groups.iter().zip(&y.groups) {
        assert_eq!(ca, cb);
        for (p, q) in sa.cells.iter().zip(&sb.cells) {
            assert_eq!(p.n, q.n);
            assert!((p.w - q.w).abs() <= 1e-9 * p.w.abs().max(1.0));
            assert!((p.w2 - q.w2).abs() <= 1e-9 * p.w2.abs().max(1.0));
        }
        let (a, b) = (sa.scores.as_ref().unwrap(), sb.scores.as_ref().unwrap());
        assert!((a.brier - b.brier).abs() <= 1e-9 * a.brier.abs().max(1.0));
        for (p, q) in a.ece.iter().zip(&b.ece) {
            for k in 0..3 {
                assert!((p[k] - q[k]).abs() <= 1e-9 * p[k].abs().max(1.0));
            }
        }
        for (la, lb) in a.by_label.iter().zip(&b.by_label) {
            let mut pa: Vec<(f64, f64)> = la.s.iter().copied().zip(la.w.iter().copied()).collect();
            let mut pb: Vec<(f64, f64)> = lb.s.iter().copied().zip(lb.w.iter().copied()).collect();
            pa.sort_by(|p, q| p.partial_cmp(q).unwrap());
            pb.sort_by(|p, q| p.partial_cmp(q).unwrap());
            assert_eq!(pa, pb);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn split_and_merge_equals_whole(
        rows in prop::collection::vec((any::<bool>(), any::<bool>(), 0.0f64..1.0, 0.1f64..5.0, 0u8..4, 0u8..3), 1..300),
        cuts in prop::collection::vec(0usize..300, 0..6),
    ) {
        let whole = {
            let mut acc = accumulator();
            acc.update(&batch(&rows)).unwrap();
            acc.finish()
        };
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (rows.len() + 1)).collect();
        cuts.push(0);
        cuts.push(rows.len());
        cuts.sort_unstable();
        cuts.dedup();
        // Independent accumulators per piece, merged in reverse order.
        let mut parts: Vec<Accumulator> = cuts
            .windows(2)
            .map(|w| {
                let mut acc = accumulator();
                acc.update(&batch(&rows[w[0]..w[1]])).unwrap();
                acc
            })
            .collect();
        let mut merged = parts.pop().unwrap();
        while let Some(p) = parts.pop() {
            merged.merge(p).unwrap();
        }
        assert_same(&whole, &merged.finish());
        // One accumulator fed the pieces as successive batches.
        let mut seq = accumulator();
        for w in cuts.windows(2) {
            seq.update(&batch(&rows[w[0]..w[1]])).unwrap();
        }
        assert_same(&whole, &seq.finish());
    }
}

#[test]
fn merging_a_third_label_value_is_an_error() {
    let text_batch = |labels: &[&str]| {
        let schema = Arc::new(Schema::new(vec![
            Field::new("y", DataType::Utf8, false),
            Field::new("p", DataType::Utf8, false),
            Field::new("a", DataType::Utf8, false),
        ]));
        let n = labels.len();
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from_iter_values(labels.iter().copied())) as ArrayRef,
                Arc::new(StringArray::from_iter_values(std::iter::repeat_n("yes", n))),
                Arc::new(StringArray::from_iter_values(std::iter::repeat_n("g", n))),
            ],
        )
        .unwrap()
    };
    let new = || {
        Accumulator::new(PassOptions {
            roles: ColumnRoles {
                label: "y".into(),
                prediction: Some("p".into()),
                sensitive: vec!["a".into()],
                positive: Some("yes".into()),
                ..Default::default()
            },
            drop_invalid: false,
            path: PathBuf::from("generated"),
        })
    };
    let mut a = new();
    a.update(&text_batch(&["yes", "no"])).unwrap();
    let mut b = new();
    b.update(&text_batch(&["maybe"])).unwrap();
    let err = a.merge(b).unwrap_err().to_string();
    assert!(err.contains("'y'") && err.contains("maybe"), "{err}");
}
