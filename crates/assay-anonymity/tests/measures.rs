//! Hand-computed cases for every measure, independent of the reference data sets.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use assay_anonymity::{
    k_anonymity, l_diversity, measure, t_closeness, AnonymityError, Partition, PartitionBuilder,
};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let schema = Schema::new(
        cols.iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(Arc::new(schema), cols.into_iter().map(|(_, a)| a).collect()).unwrap()
}

fn partition(batches: &[RecordBatch], qi: &[&str], sa: &[&str]) -> Partition {
    let mut b = PartitionBuilder::new(Path::new("t.csv"), &s(qi), &s(sa)).unwrap();
    for x in batches {
        b.add_batch(x).unwrap();
    }
    b.finish().unwrap()
}

fn text(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

/// Two classes: zip "1" (4 records, disease a,a,b,c) and zip "2" (2 records, b,b).
fn toy() -> RecordBatch {
    batch(vec![
        ("zip", text(&["1", "1", "2", "1", "2", "1"])),
        ("disease", text(&["a", "a", "b", "b", "b", "c"])),
        ("salary", Arc::new(Int64Array::from(vec![3, 3, 5, 4, 5, 5]))),
    ])
}

#[test]
fn toy_table_by_hand() {
    let p = partition(&[toy()], &["zip"], &["disease"]);
    assert_eq!(p.records, 6);
    assert_eq!(p.classes(), 2);
    assert_eq!(k_anonymity::k_anonymity(&p), 2);
    assert_eq!(l_diversity::l_diversity(&p).unwrap(), 1);
    // Table: a 2/6, b 3/6, c 1/6. Class 1: a 1/2, b 1/4, c 1/4; class 2: b 1.
    // Equal-distance EMD: class 1: (|1/2-1/3| + |1/4-1/2| + |1/4-1/6|)/2 = 1/4;
    // class 2: (1/3 + 1/2 + 1/6)/2 = 1/2.
    let t = t_closeness::t_closeness(&p).unwrap();
    assert!((t - 0.5).abs() < 1e-15, "{t}");
    let m = measure(&p).unwrap();
    // delta: class 2, b: ln(1 / (1/2)) = ln 2; class 1, a: ln(1/2 / 1/3) = ln 1.5, b: ln 2.
    assert!((m.delta - std::f64::consts::LN_2).abs() < 1e-15);
    // basic beta: class 2: (1 - 1/2)/(1/2) = 1; class 1: a (1/2-1/3)/(1/3) = 0.5, c 0.5.
    assert!((m.beta_basic - 1.0).abs() < 1e-15);
    assert_eq!(m.recursive_c, None);
    assert_eq!(m.risk.classes, 2);
    assert_eq!(m.risk.uniques, 0.0);
    assert!((m.risk.prosecutor_max - 0.5).abs() < 1e-15);
    assert!((m.risk.records_at_max_risk - 2.0 / 6.0).abs() < 1e-15);
    assert!((m.risk.prosecutor_avg - 2.0 / 6.0).abs() < 1e-15);
}

#[test]
fn ordered_distance_for_numeric_attribute() {
    // salary 3,3,4,5 in zip 1 and 5,5 in zip 2; values 3 < 4 < 5, m = 3.
    let p = partition(&[toy()], &["zip"], &["salary"]);
    assert!(p.sensitive[0].numeric);
    // Table p = (2/6, 1/6, 3/6). Zip 2: q = (0, 0, 1): r = (-1/3, -1/6, 1/2),
    // cumulative (-1/3, -1/2, 0): EMD = (1/3 + 1/2) / 2 = 5/12.
    let t = t_closeness::t_closeness(&p).unwrap();
    assert!((t - 5.0 / 12.0).abs() < 1e-15, "{t}");
}

#[test]
fn batches_and_numeric_spellings_do_not_change_classes() {
    // "1" and "1.0" are the same number: one class, as pandas reads them.
    let a = batch(vec![
        ("age", text(&["1", "1.0", "2"])),
        ("y", text(&["x", "y", "x"])),
    ]);
    let b = batch(vec![("age", text(&["2.0"])), ("y", text(&["y"]))]);
    let p = partition(&[a, b], &["age"], &["y"]);
    assert_eq!(p.class_sizes.len(), 2);
    assert_eq!(k_anonymity::k_anonymity(&p), 2);
    assert_eq!(l_diversity::l_diversity(&p).unwrap(), 2);
    // Two uniform binary classes: e ** ln 2 is 1.9999999999999998 in f64, so pycanon's
    // int() (and assay's) gives 1, where the definition gives 2.
    assert_eq!(l_diversity::entropy_l_diversity(&p).unwrap(), 1);
    // Float columns from Parquet/IPC group by value too.
    let c = batch(vec![
        (
            "age",
            Arc::new(Float64Array::from(vec![1.0, 1.0, 2.0])) as ArrayRef,
        ),
        ("y", text(&["x", "y", "x"])),
    ]);
    assert_eq!(partition(&[c], &["age"], &["y"]).class_sizes, vec![2, 1]);
}

#[test]
fn recursive_c_l_pycanon_and_definition() {
    // One class with counts a:6, b:3, c:1 and one with a:2, b:2, c:2; l = 3.
    let mut y = vec!["a"; 6];
    y.extend(["b"; 3]);
    y.push("c");
    y.extend(["a", "a", "b", "b", "c", "c"]);
    let mut q = vec!["1"; 10];
    q.extend(["2"; 6]);
    let p = partition(
        &[batch(vec![("q", text(&q)), ("y", text(&y))])],
        &["q"],
        &["y"],
    );
    // pycanon sorts ascending: class 1: r = (1, 3, 6), floor(1/6 + 1) = 1; class 2:
    // floor(2/2 + 1) = 2.
    let (c, l) = l_diversity::recursive_c_l_diversity_pycanon(&p).unwrap();
    assert_eq!((c, l), (Some(2), 3));
    // The definition sorts descending: class 1: 6 < c * 1 needs c = 7; class 2: 2 < c * 2, c = 2.
    assert_eq!(l_diversity::recursive_c(&p, 3).unwrap(), Some(7));
    // l = 2: class 1: 6 < c (3 + 1), c = 2; class 2: 2 < c * 4, c = 1.
    assert_eq!(l_diversity::recursive_c(&p, 2).unwrap(), Some(2));
    assert_eq!(l_diversity::recursive_c(&p, 4).unwrap(), None);
    // Entropy: class 2 is uniform over 3 (e ** ln 3 = 2.9999999999999996 in f64: 2), class 1
    // has lower entropy: H = -(0.6 ln 0.6 + 0.3 ln 0.3 + 0.1 ln 0.1) = 0.898, e ** H = 2.455.
    assert_eq!(l_diversity::entropy_l_diversity(&p).unwrap(), 2);
}

#[test]
fn errors_name_file_and_column() {
    let e = PartitionBuilder::new(Path::new("t.csv"), &[], &s(&["y"]))
        .err()
        .unwrap();
    assert!(matches!(e, AnonymityError::NoQuasiIdentifiers { .. }));
    let e = PartitionBuilder::new(Path::new("t.csv"), &s(&["a", "b"]), &s(&["a"]))
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "t.csv: column 'a' is named more than once (quasi-identifiers and sensitive attributes must be distinct columns)"
    );
    let mut b = PartitionBuilder::new(Path::new("t.csv"), &s(&["q"]), &s(&["y"])).unwrap();
    let x = batch(vec![
        ("q", text(&["1", "2"])),
        (
            "y",
            Arc::new(StringArray::from(vec![Some("a"), None])) as ArrayRef,
        ),
    ]);
    let e = b.add_batch(&x).err().unwrap();
    assert_eq!(
        e.to_string(),
        "t.csv: column 'y', row 2: missing value (anonymity measures need every quasi-identifier and sensitive value; fill or drop the row)"
    );
    let b = PartitionBuilder::new(Path::new("t.csv"), &s(&["q"]), &s(&["y"])).unwrap();
    assert!(matches!(b.finish(), Err(AnonymityError::EmptyTable { .. })));
    let p = partition(&[toy()], &["zip"], &[]);
    assert!(matches!(
        measure(&p),
        Err(AnonymityError::NoSensitiveAttributes { .. })
    ));
    assert_eq!(k_anonymity::k_anonymity(&p), 2);
}

#[test]
fn journalist_and_marketer_with_a_population() {
    let pop = batch(vec![(
        "zip",
        text(&["1", "1", "1", "1", "1", "1", "2", "2", "2", "2"]),
    )]);
    let population = partition(&[pop], &["zip"], &[]);
    let sample = partition(
        &[batch(vec![("zip", text(&["2", "1", "1.0"]))])],
        &["zip"],
        &[],
    );
    let r = assay_anonymity::risk::risk_with_population(&sample, &population).unwrap();
    // f = (2, 1), F = (6, 4), n = 3: highest journalist risk 1/4; sum f/F = 2/6 + 1/4 = 7/12;
    // marketer 7/36; average journalist max(J / sum F = 2/10, 7/36) = 0.2.
    assert_eq!(r.population, Some(10));
    assert!((r.journalist_max - 0.25).abs() < 1e-15);
    assert!((r.marketer - 7.0 / 36.0).abs() < 1e-15);
    assert!((r.journalist_avg - 0.2).abs() < 1e-15);
    assert!((r.prosecutor_max - 1.0).abs() < 1e-15);
    // Both columns are numeric, so "1.0" and "1" are one class. A class absent from the
    // population is an error.
    let other = partition(&[batch(vec![("zip", text(&["3"]))])], &["zip"], &[]);
    let e = assay_anonymity::risk::risk_with_population(&other, &population).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.csv: population table: no record with zip=3 of the sample t.csv; the population must contain the sample"
    );
}
