//! Reading CSV, Parquet and Arrow IPC through one interface, with projection
//! and the CSV options.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use assay_data::csv::{CsvOptions, TextType};
use assay_data::source::{column_names, ColumnRequest};
use assay_data::{open, DataError, Format, ReadOptions};

fn req(name: &str, t: TextType) -> ColumnRequest {
    ColumnRequest {
        name: name.into(),
        text_as: t,
        role: "test".into(),
    }
}

fn sample() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Utf8, false),
        Field::new("s", DataType::Float64, false),
        Field::new("other", DataType::Utf8, false),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["a", "b", "a"])) as ArrayRef,
            Arc::new(Float64Array::from(vec![0.5, 1.5, 2.5])),
            Arc::new(StringArray::from(vec!["x", "y", "z"])),
        ],
    )
    .unwrap()
}

#[test]
fn csv_trims_blanks_and_reads_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.data");
    std::fs::write(&p, "a, 1.5, x\nb, 2, ?\n").unwrap();
    let opts = ReadOptions {
        csv: CsvOptions {
            has_header: false,
            columns: Some(vec!["g".into(), "s".into(), "o".into()]),
            null_values: vec!["".into(), "?".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let batches: Vec<RecordBatch> = open(
        &p,
        &opts,
        Some(&[req("s", TextType::Float64), req("o", TextType::Utf8)]),
    )
    .unwrap()
    .map(|b| b.unwrap())
    .collect();
    let b = &batches[0];
    assert_eq!(b.num_columns(), 2);
    let s = b.column(0).as_primitive::<Float64Type>();
    assert_eq!(s.values(), &[1.5, 2.0]);
    let o = b.column(1).as_string::<i32>();
    assert_eq!(o.value(0), "x");
    assert!(o.is_null(1), "'?' is missing with --na-values ?");
}

#[test]
fn csv_semicolon_quotes_and_duplicate_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    std::fs::write(&p, "x;x;y\n\"a;b\";1;2\n").unwrap();
    let opts = ReadOptions {
        csv: CsvOptions {
            delimiter: b';',
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(column_names(&p, &opts).unwrap(), vec!["x", "x.1", "y"]);
    let b = open(&p, &opts, None).unwrap().next().unwrap().unwrap();
    assert_eq!(b.column(0).as_string::<i32>().value(0), "a;b");
}

#[test]
fn csv_bad_number_names_column_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    std::fs::write(&p, "s\n1\n2\nabc\n").unwrap();
    let err = open(
        &p,
        &ReadOptions::default(),
        Some(&[req("s", TextType::Float64)]),
    )
    .unwrap()
    .find_map(|b| b.err())
    .unwrap();
    let msg = err.to_string();
    assert!(matches!(err, DataError::BadValue { row: 3, .. }), "{msg}");
    assert!(
        msg.contains("d.csv") && msg.contains("'s'") && msg.contains("'abc'"),
        "{msg}"
    );
}

#[test]
fn csv_small_batches_stream() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    let mut text = String::from("g\n");
    for i in 0..1000 {
        text.push_str(&format!("{}\n", i % 7));
    }
    std::fs::write(&p, text).unwrap();
    let opts = ReadOptions {
        batch_size: 64,
        ..Default::default()
    };
    let sizes: Vec<usize> = open(&p, &opts, None)
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .collect();
    assert_eq!(sizes.len(), 16);
    assert_eq!(sizes.iter().sum::<usize>(), 1000);
}

#[test]
fn parquet_and_ipc_read_with_projection() {
    let dir = tempfile::tempdir().unwrap();
    let batch = sample();
    let pq = dir.path().join("d.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let ipc = dir.path().join("d.arrow");
    let mut w = arrow_ipc::writer::FileWriter::try_new(
        std::fs::File::create(&ipc).unwrap(),
        &batch.schema(),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    let stream_path = dir.path().join("d.bin");
    let mut w = arrow_ipc::writer::StreamWriter::try_new(
        std::fs::File::create(&stream_path).unwrap(),
        &batch.schema(),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    assert_eq!(Format::detect(&stream_path).unwrap(), Format::Ipc);
    for p in [&pq, &ipc, &stream_path] {
        let b: Vec<RecordBatch> = open(
            p,
            &ReadOptions::default(),
            Some(&[req("s", TextType::Float64), req("g", TextType::Utf8)]),
        )
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
        assert_eq!(b[0].num_columns(), 2, "{}", p.display());
        assert_eq!(b[0].schema().field(0).name(), "g");
        assert_eq!(
            b[0].column(1).as_primitive::<Float64Type>().values(),
            &[0.5, 1.5, 2.5]
        );
        let err = open(
            p,
            &ReadOptions::default(),
            Some(&[req("nope", TextType::Utf8)]),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("'nope'") && err.to_string().contains("g, s, other"),
            "{err}"
        );
    }
}

#[test]
fn unreadable_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.parquet");
    std::fs::write(&p, "PAR1garbage").unwrap();
    let e = open(&p, &ReadOptions::default(), None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("bad.parquet") && e.contains("Parquet"), "{e}");
    let missing = dir.path().join("none.csv");
    let e = open(&missing, &ReadOptions::default(), None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("none.csv"), "{e}");
}
