//! Tests of the synthetic hiring data set: determinism, schema, value ranges,
//! agreement between the Arrow, CSV and Parquet outputs, and the bias story
//! the example exists to tell.

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::RecordBatch;
use arrow_schema::DataType;
use assay_data::synthetic::{
    hiring_batches, hiring_schema, write_hiring_csv, write_hiring_parquet, HiringConfig,
};

/// One row, as owned values, for comparing outputs.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: i64,
    gender: String,
    race: String,
    age: i64,
    education: String,
    years_experience: f64,
    career_gap_years: f64,
    score: f64,
    shortlisted: i64,
    qualified: i64,
    hired: i64,
}

fn rows_of(batches: impl IntoIterator<Item = RecordBatch>) -> Vec<Row> {
    let mut out = Vec::new();
    for b in batches {
        let int = |i: usize| b.column(i).as_primitive::<Int64Type>().clone();
        let float = |i: usize| b.column(i).as_primitive::<Float64Type>().clone();
        let text = |i: usize| b.column(i).as_string::<i32>().clone();
        let (id, gender, race, age, education) = (int(0), text(1), text(2), int(3), text(4));
        let (exp, gap, score, short, qual) = (float(5), float(6), float(7), int(8), int(9));
        let hired = int(10);
        for r in 0..b.num_rows() {
            out.push(Row {
                id: id.value(r),
                gender: gender.value(r).to_string(),
                race: race.value(r).to_string(),
                age: age.value(r),
                education: education.value(r).to_string(),
                years_experience: exp.value(r),
                career_gap_years: gap.value(r),
                score: score.value(r),
                shortlisted: short.value(r),
                qualified: qual.value(r),
                hired: hired.value(r),
            });
        }
    }
    out
}

fn generate(rows: usize, seed: u64, batch_size: usize) -> Vec<Row> {
    rows_of(hiring_batches(&HiringConfig { rows, seed }, batch_size))
}

#[test]
fn default_config() {
    let cfg = HiringConfig::default();
    assert_eq!(cfg.rows, 5000);
    assert_eq!(cfg.seed, 42);
}

#[test]
fn same_seed_gives_identical_batches() {
    let cfg = HiringConfig {
        rows: 2500,
        seed: 7,
    };
    let a: Vec<RecordBatch> = hiring_batches(&cfg, 1000).collect();
    let b: Vec<RecordBatch> = hiring_batches(&cfg, 1000).collect();
    assert_eq!(a.len(), 3);
    assert_eq!(
        a.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    assert_eq!(a, b);
}

#[test]
fn different_seeds_differ() {
    assert_ne!(generate(200, 1, 100), generate(200, 2, 100));
}

#[test]
fn batch_size_does_not_change_the_data() {
    let reference = generate(3001, 42, 3001);
    assert_eq!(reference.len(), 3001);
    for batch_size in [0, 1, 7, 256, 1000, 5000] {
        assert_eq!(
            generate(3001, 42, batch_size),
            reference,
            "batch_size {batch_size}"
        );
    }
    // A prefix of a longer run is the shorter run.
    assert_eq!(generate(1000, 42, 333), reference[..1000]);
}

#[test]
fn zero_rows_gives_no_batches() {
    assert_eq!(
        hiring_batches(&HiringConfig { rows: 0, seed: 1 }, 10).count(),
        0
    );
}

#[test]
fn schema_is_as_documented() {
    let schema = hiring_schema();
    let got: Vec<(&str, &DataType)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type()))
        .collect();
    assert_eq!(
        got,
        [
            ("applicant_id", &DataType::Int64),
            ("gender", &DataType::Utf8),
            ("race", &DataType::Utf8),
            ("age", &DataType::Int64),
            ("education", &DataType::Utf8),
            ("years_experience", &DataType::Float64),
            ("career_gap_years", &DataType::Float64),
            ("score", &DataType::Float64),
            ("shortlisted", &DataType::Int64),
            ("qualified", &DataType::Int64),
            ("hired", &DataType::Int64),
        ]
    );
    for batch in hiring_batches(&HiringConfig { rows: 10, seed: 3 }, 4) {
        assert_eq!(batch.schema(), schema);
    }
}

#[test]
fn values_are_in_range() {
    let rows = generate(20_000, 42, 4096);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.id, i as i64 + 1);
        assert!(["Female", "Male", "Non-binary"].contains(&r.gender.as_str()));
        assert!(["White", "Black", "Hispanic", "Asian"].contains(&r.race.as_str()));
        assert!((21..=65).contains(&r.age), "age {}", r.age);
        assert!(["High school", "Bachelor", "Master", "PhD"].contains(&r.education.as_str()));
        assert!(r.years_experience >= 0.0 && r.years_experience <= (r.age - 18) as f64);
        assert!(r.career_gap_years >= 0.0);
        assert!((0.0..=1.0).contains(&r.score), "score {}", r.score);
        assert_eq!(r.shortlisted, i64::from(r.score >= 0.5));
        assert!(r.qualified == 0 || r.qualified == 1);
    }
    // Experience grows with age.
    let mean_exp = |lo: i64, hi: i64| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| (lo..=hi).contains(&r.age))
            .map(|r| r.years_experience)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean_exp(21, 30) + 10.0 < mean_exp(50, 65));
    // Category shares are roughly as documented.
    let share =
        |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / rows.len() as f64;
    assert!((share(&|r| r.gender == "Non-binary") - 0.02).abs() < 0.01);
    assert!((share(&|r| r.race == "White") - 0.60).abs() < 0.02);
    assert!((share(&|r| r.race == "Black") - 0.13).abs() < 0.02);
    assert!((share(&|r| r.race == "Hispanic") - 0.18).abs() < 0.02);
    assert!((share(&|r| r.race == "Asian") - 0.09).abs() < 0.02);
}

/// (rows, selection rate, qualified rate, true-positive rate) per key.
fn rates_by<K: Ord>(rows: &[Row], key: impl Fn(&Row) -> K) -> BTreeMap<K, (usize, f64, f64, f64)> {
    let mut acc: BTreeMap<K, [usize; 4]> = BTreeMap::new();
    for r in rows {
        let a = acc.entry(key(r)).or_default();
        a[0] += 1;
        a[1] += r.shortlisted as usize;
        a[2] += r.qualified as usize;
        a[3] += (r.shortlisted * r.qualified) as usize;
    }
    acc.into_iter()
        .map(|(k, [n, sel, qual, tp])| {
            let tpr = if qual == 0 {
                f64::NAN
            } else {
                tp as f64 / qual as f64
            };
            (k, (n, sel as f64 / n as f64, qual as f64 / n as f64, tpr))
        })
        .collect()
}

#[test]
fn bias_pattern_holds() {
    let rows = generate(20_000, 42, 8192);
    let overall = rows.iter().filter(|r| r.shortlisted == 1).count() as f64 / rows.len() as f64;
    assert!(
        (0.3..=0.45).contains(&overall),
        "overall selection rate {overall}"
    );

    let by_gender = rates_by(&rows, |r| r.gender.clone());
    let (_, female_sel, female_qual, female_tpr) = by_gender["Female"];
    let (_, male_sel, male_qual, male_tpr) = by_gender["Male"];
    assert!(
        female_sel < male_sel,
        "female {female_sel} vs male {male_sel}"
    );
    let di = female_sel / male_sel;
    assert!((0.55..=0.8).contains(&di), "disparate impact ratio {di}");
    assert!(female_tpr < male_tpr);
    // The truth does not depend on gender.
    for (g, &(n, _, qual, _)) in &by_gender {
        if n >= 1000 {
            assert!((qual - male_qual).abs() <= 0.03, "{g}: qualified {qual}");
        }
    }
    assert!((female_qual - male_qual).abs() <= 0.03);

    // Black × Female has the lowest selection rate and the lowest TPR among
    // gender × race groups with at least 100 rows.
    let combos = rates_by(&rows, |r| (r.gender.clone(), r.race.clone()));
    let big: Vec<_> = combos.iter().filter(|(_, v)| v.0 >= 100).collect();
    let worst = |i: usize| {
        big.iter()
            .min_by(|a, b| {
                let (x, y) = if i == 1 {
                    (a.1 .1, b.1 .1)
                } else {
                    (a.1 .3, b.1 .3)
                };
                x.total_cmp(&y)
            })
            .map(|(k, _)| (k.0.as_str(), k.1.as_str()))
    };
    assert_eq!(worst(1), Some(("Female", "Black")), "lowest selection rate");
    assert_eq!(worst(3), Some(("Female", "Black")), "lowest TPR");

    // At the default 5,000 rows Black × Female is still the lowest selection
    // rate among groups of at least 30 rows, and some Non-binary group is
    // below 30 rows (the minimum-group-size flag's case).
    let cfg = HiringConfig::default();
    let small = rates_by(&generate(cfg.rows, cfg.seed, 5000), |r| {
        (r.gender.clone(), r.race.clone())
    });
    let lowest = small
        .iter()
        .filter(|(_, v)| v.0 >= 30)
        .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .map(|(k, _)| (k.0.as_str(), k.1.as_str()));
    assert_eq!(lowest, Some(("Female", "Black")));
    assert!(small.iter().any(|(k, v)| k.0 == "Non-binary" && v.0 < 30));
}

#[test]
fn csv_matches_batches() {
    let cfg = HiringConfig {
        rows: 1234,
        seed: 9,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hiring.csv");
    write_hiring_csv(&path, &cfg).unwrap();

    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let names: Vec<String> = hiring_schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(header, names);

    let expected = generate(cfg.rows, cfg.seed, 100);
    let mut n = 0;
    for (rec, want) in rdr.records().zip(&expected) {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), 11);
        // Fixed decimals: one for years, six for the score.
        assert_eq!(
            rec[5].split('.').nth(1).map(str::len),
            Some(1),
            "{}",
            &rec[5]
        );
        assert_eq!(
            rec[6].split('.').nth(1).map(str::len),
            Some(1),
            "{}",
            &rec[6]
        );
        assert_eq!(
            rec[7].split('.').nth(1).map(str::len),
            Some(6),
            "{}",
            &rec[7]
        );
        let got = Row {
            id: rec[0].parse().unwrap(),
            gender: rec[1].to_string(),
            race: rec[2].to_string(),
            age: rec[3].parse().unwrap(),
            education: rec[4].to_string(),
            years_experience: rec[5].parse().unwrap(),
            career_gap_years: rec[6].parse().unwrap(),
            score: rec[7].parse().unwrap(),
            shortlisted: rec[8].parse().unwrap(),
            qualified: rec[9].parse().unwrap(),
            hired: rec[10].parse().unwrap(),
        };
        // Values were rounded before writing, so they round-trip exactly.
        assert_eq!(&got, want);
        n += 1;
    }
    assert_eq!(n, cfg.rows);
}

#[test]
fn parquet_matches_batches() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let cfg = HiringConfig {
        rows: 1500,
        seed: 11,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hiring.parquet");
    write_hiring_parquet(&path, &cfg).unwrap();

    let file = std::fs::File::open(&path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .with_batch_size(400)
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(batches[0].schema().fields(), hiring_schema().fields());
    assert_eq!(rows_of(batches), generate(cfg.rows, cfg.seed, 1500));
}

#[test]
fn write_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/hiring.csv");
    let cfg = HiringConfig { rows: 3, seed: 1 };
    assert!(write_hiring_csv(&missing, &cfg).is_err());
    assert!(write_hiring_parquet(&missing, &cfg).is_err());
}
