//! `assay anonymize`: generalizes a table's quasi-identifiers with Mondrian (LeFevre et al.
//! 2006) or the optimal full-domain lattice search with suppression (`assay_anonymity::lattice`),
//! writes the anonymized table atomically (a temporary file in the output directory, re-measured
//! with `assay_anonymity`'s measurement code, then renamed; an output that fails the
//! requirements is never written), and reports the achieved k, l and t, the information loss
//! and the time.

mod render;
mod utility;

use assay_data::bounds::parse_finite;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;
use clap::{Args, ValueEnum};

use assay_anonymity::hierarchy::Hierarchies;
use assay_anonymity::mondrian::{Criteria, Generalization, SensitiveCodes};
use assay_data::atomic::AtomicFile;
use assay_data::sink::{self, TableWriter};
use assay_data::source::{self, ColumnRequest, ReadOptions};

use crate::input::InputArgs;

/// The anonymization algorithm.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Algorithm {
    /// Mondrian multidimensional partitioning: median cuts, no suppression.
    Mondrian,
    /// Optimal full-domain generalization over the hierarchy lattice, with suppression.
    Lattice,
}

/// Output format of the report on standard output.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AnonymizeFormat {
    /// A readable summary.
    Text,
    /// The `assay.anonymize/1` JSON document.
    Json,
}

/// Arguments of `assay anonymize`.
#[derive(Args)]
pub struct AnonymizeArgs {
    /// The table (CSV, Parquet or Arrow IPC).
    pub data: PathBuf,
    /// Quasi-identifier columns, comma-separated (the columns generalized).
    #[arg(long = "quasi-identifiers", value_delimiter = ',', required = true)]
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attribute columns, comma-separated (needed for --l and --t; measured in the
    /// report).
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// k-anonymity: at least k records per equivalence class.
    #[arg(long)]
    pub k: i64,
    /// Distinct l-diversity of every sensitive attribute.
    #[arg(long)]
    pub l: Option<i64>,
    /// t-closeness (Earth Mover's Distance) of every sensitive attribute.
    #[arg(long, value_parser = parse_finite)]
    pub t: Option<f64>,
    /// The algorithm.
    #[arg(long, value_enum, default_value = "mondrian")]
    pub algorithm: Algorithm,
    /// Generalization hierarchies (TOML; required for every quasi-identifier with --algorithm
    /// lattice; Mondrian uses the trees of categorical columns).
    #[arg(long)]
    pub hierarchies: Option<PathBuf>,
    /// Largest share of records the lattice search may suppress (not release).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0)]
    pub suppression_limit: f64,
    /// Where to write the anonymized table (`.parquet` Parquet, `.arrow` Arrow IPC, anything
    /// else CSV); the other columns are unchanged.
    #[arg(long)]
    pub out: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AnonymizeFormat,
    /// Also train assay's logistic regression to predict this column on the original and on
    /// the anonymized table (same seeded 70/30 split of the released records) and report both
    /// test accuracies.
    #[arg(long, value_name = "LABEL")]
    pub utility: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// A table held in memory as text, column by column.
pub struct TextTable {
    /// Column names.
    pub names: Vec<String>,
    /// Cells per column (missing cells are empty).
    pub columns: Vec<Vec<String>>,
    /// Per column, the first 1-based row with a missing cell.
    pub first_missing: Vec<Option<u64>>,
}

/// Reads every column of `path` as text.
pub fn read_text_table(path: &Path, opts: &ReadOptions) -> Result<TextTable, String> {
    let names = source::column_names(path, opts).map_err(|e| e.to_string())?;
    let requests: Vec<ColumnRequest> = names
        .iter()
        .map(|n| ColumnRequest {
            name: n.clone(),
            text_as: assay_data::csv::TextType::Utf8,
            role: "column".into(),
        })
        .collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut first_missing = vec![None; names.len()];
    let mut rows = 0u64;
    for batch in source::open(path, opts, Some(&requests)).map_err(|e| e.to_string())? {
        let batch = batch.map_err(|e| e.to_string())?;
        // One map per batch: looking each name up by a scan of the schema was quadratic in
        // the number of columns (issue #15).
        let schema = batch.schema();
        let fields: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let at = assay_data::source::name_index(&fields);
        for (j, name) in names.iter().enumerate() {
            let col = at
                .get(name.as_str())
                .map(|&i| batch.column(i))
                .ok_or_else(|| format!("{}: no column '{name}'", path.display()))?;
            let text = match col.data_type() {
                DataType::Utf8 => col.clone(),
                t => arrow_cast::cast(col, &DataType::Utf8).map_err(|e| {
                    format!(
                        "{}: column '{name}': cannot read {t} as text: {e}",
                        path.display()
                    )
                })?,
            };
            let s = text.as_string::<i32>();
            for i in 0..s.len() {
                if s.is_null(i) {
                    first_missing[j].get_or_insert(rows + i as u64 + 1);
                    columns[j].push(String::new());
                } else {
                    columns[j].push(s.value(i).to_string());
                }
            }
        }
        rows += batch.num_rows() as u64;
    }
    Ok(TextTable {
        names,
        columns,
        first_missing,
    })
}

/// What the run achieved, for the report.
pub struct Outcome {
    /// The criteria asked for.
    pub criteria: Criteria,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Records in the input.
    pub records: usize,
    /// The result.
    pub generalization: Generalization,
    /// Lattice: chosen levels, top levels and search counts.
    pub lattice: Option<assay_anonymity::lattice::LatticeResult>,
    /// The re-measured output: k, distinct l and t (None without sensitive attributes).
    pub measured_k: u64,
    /// Distinct l of the output.
    pub measured_l: Option<u64>,
    /// t of the output.
    pub measured_t: Option<f64>,
    /// Seconds in the algorithm.
    pub algorithm_seconds: f64,
    /// `--utility`: test accuracy on the original and the anonymized table.
    pub utility: Option<utility::Utility>,
    /// Seconds in the whole run (reading, anonymizing, writing, re-measuring).
    pub total_seconds: f64,
}

fn column_index(t: &TextTable, name: &str, path: &Path, role: &str) -> Result<usize, String> {
    let j = t.names.iter().position(|n| n == name).ok_or_else(|| {
        format!(
            "{}: no {role} column named '{name}' (columns: {})",
            path.display(),
            t.names.join(", ")
        )
    })?;
    if let Some(row) = t.first_missing[j] {
        return Err(format!(
            "{}: column '{name}', row {row}: missing value ({role} columns need every value)",
            path.display()
        ));
    }
    Ok(j)
}

/// Runs `assay anonymize`.
pub fn run(a: AnonymizeArgs) -> Result<ExitCode, String> {
    let start = Instant::now();
    if a.input.predictions.is_some() {
        return Err("assay anonymize reads one table; --predictions is not used".into());
    }
    if a.k < 1 {
        return Err(format!("--k {}: k must be at least 1", a.k));
    }
    if let Some(l) = a.l {
        if l < 1 {
            return Err(format!("--l {l}: l must be at least 1"));
        }
    }
    if let Some(t) = a.t {
        if !(0.0..=1.0).contains(&t) {
            return Err(format!("--t {t}: t must be in [0, 1]"));
        }
    }
    if (a.l.is_some() || a.t.is_some()) && a.sensitive.is_empty() {
        return Err("--l and --t need --sensitive".into());
    }
    if !(0.0..=1.0).contains(&a.suppression_limit) {
        return Err(format!(
            "--suppression-limit {}: must be in [0, 1]",
            a.suppression_limit
        ));
    }
    if a.algorithm == Algorithm::Mondrian && a.suppression_limit > 0.0 {
        return Err(
            "--suppression-limit applies to --algorithm lattice (Mondrian suppresses nothing)"
                .into(),
        );
    }
    let all: Vec<&String> = a.quasi_identifiers.iter().chain(&a.sensitive).collect();
    for (i, c) in all.iter().enumerate() {
        if c.trim().is_empty() {
            return Err("empty column name in --quasi-identifiers or --sensitive".into());
        }
        if all[..i].contains(c) {
            return Err(format!("column '{c}' is named more than once"));
        }
    }
    let hierarchies = a
        .hierarchies
        .as_deref()
        .map(Hierarchies::from_path)
        .transpose()
        .map_err(|e| e.to_string())?;
    if a.algorithm == Algorithm::Lattice {
        for q in &a.quasi_identifiers {
            if hierarchies.as_ref().and_then(|h| h.get(q)).is_none() {
                return Err(match &a.hierarchies {
                    Some(p) => format!("{}: no hierarchy for quasi-identifier '{q}' (--algorithm lattice needs one per quasi-identifier)", p.display()),
                    None => format!("--algorithm lattice needs --hierarchies FILE.toml with a hierarchy for each quasi-identifier ('{q}' has none)"),
                });
            }
        }
    }
    let opts = a.input.read_options()?;
    let table = read_text_table(&a.data, &opts)?;
    let records = table.columns.first().map_or(0, Vec::len);
    if records == 0 {
        return Err(format!("{}: the table has no rows", a.data.display()));
    }
    if a.k as u64 > records as u64 {
        return Err(format!(
            "--k {}: larger than the table ({records} records)",
            a.k
        ));
    }
    let qi_idx: Vec<usize> = a
        .quasi_identifiers
        .iter()
        .map(|q| column_index(&table, q, &a.data, "quasi-identifier"))
        .collect::<Result<_, _>>()?;
    let sa_idx: Vec<usize> = a
        .sensitive
        .iter()
        .map(|s| column_index(&table, s, &a.data, "sensitive"))
        .collect::<Result<_, _>>()?;
    if let Some(label) = &a.utility {
        let j = column_index(&table, label, &a.data, "--utility label")?;
        if qi_idx.contains(&j) {
            return Err(format!(
                "--utility: the label '{label}' is a quasi-identifier"
            ));
        }
    }
    let criteria = Criteria {
        k: a.k as u64,
        l: a.l.map(|l| l as u64),
        t: a.t,
    };
    let qi: Vec<(&str, &[String])> = qi_idx
        .iter()
        .map(|&j| (table.names[j].as_str(), &table.columns[j][..]))
        .collect();
    let t0 = Instant::now();
    let sensitive: Vec<SensitiveCodes> = sa_idx
        .iter()
        .map(|&j| SensitiveCodes::new(&table.names[j], &table.columns[j]))
        .collect();
    let (generalization, lattice) = match a.algorithm {
        Algorithm::Mondrian => (
            assay_anonymity::mondrian::mondrian(&qi, &sensitive, criteria, hierarchies.as_ref())
                .map_err(|e| e.to_string())?,
            None,
        ),
        Algorithm::Lattice => {
            let r = assay_anonymity::lattice::lattice(
                &qi,
                &sensitive,
                criteria,
                hierarchies.as_ref(),
                a.suppression_limit,
                true,
            )
            .map_err(|e| e.to_string())?;
            (r.generalization.clone(), Some(r))
        }
    };
    let algorithm_seconds = t0.elapsed().as_secs_f64();
    // Dropped without commit (any early return), the temporary file is removed.
    let tmp = write_atomic_start(&a.out, &table, &qi_idx, &generalization)?;
    let (measured_k, measured_l, measured_t) = measure_output(
        tmp.temp_path(),
        sink::format_for(&a.out),
        &a.quasi_identifiers,
        &a.sensitive,
    )?;
    let fails = measured_k < criteria.k
        || criteria.l.is_some_and(|l| measured_l.unwrap_or(0) < l)
        || criteria
            .t
            .is_some_and(|t| measured_t.unwrap_or(f64::INFINITY) > t + 1e-12);
    if fails {
        return Err(format!(
            "internal error: the anonymized table measures k = {measured_k}, l = {measured_l:?}, t = {measured_t:?}, short of the requirements; nothing was written"
        ));
    }
    tmp.commit().map_err(|e| e.to_string())?;
    let utility = a
        .utility
        .as_deref()
        .map(|label| utility::utility(&table, label, &qi_idx, &generalization))
        .transpose()?;
    let outcome = Outcome {
        criteria,
        algorithm: a.algorithm,
        records,
        generalization,
        lattice,
        measured_k,
        measured_l,
        measured_t,
        algorithm_seconds,
        utility,
        total_seconds: start.elapsed().as_secs_f64(),
    };
    let out = match a.format {
        AnonymizeFormat::Text => render::text(&a, &outcome),
        AnonymizeFormat::Json => render::json(&a, &outcome),
    };
    out!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Writes the anonymized table (in the format of `out`'s extension) to a temporary file
/// beside `out` (`assay_data::sink`), to be measured and then committed.
fn write_atomic_start(
    out: &Path,
    table: &TextTable,
    qi_idx: &[usize],
    g: &Generalization,
) -> Result<AtomicFile, String> {
    let mut w = TableWriter::create(out, sink::format_for(out), sink::text_schema(&table.names))
        .map_err(|e| e.to_string())?;
    let mut qi_of = vec![None; table.names.len()];
    for (q, &j) in qi_idx.iter().enumerate() {
        qi_of[j] = Some(q);
    }
    for (r, class) in g.class_of.iter().enumerate() {
        let Some(c) = class else { continue };
        let labels = &g.labels[*c as usize];
        w.write_text_row(table.columns.iter().enumerate().map(|(j, col)| {
            Some(match qi_of[j] {
                Some(q) => labels[q].as_str(),
                None => col[r].as_str(),
            })
        }))
        .map_err(|e| e.to_string())?;
    }
    let file = w.into_file().map_err(|e| e.to_string())?;
    Ok(file.expect("a file target gives its file back"))
}

type Measured = (u64, Option<u64>, Option<f64>);

/// k, distinct l and t of the written table, by `assay_anonymity`'s measurement code.
fn measure_output(
    path: &Path,
    format: assay_data::Format,
    qi: &[String],
    sa: &[String],
) -> Result<Measured, String> {
    let opts = ReadOptions {
        format: Some(format),
        ..Default::default()
    };
    let p =
        assay_anonymity::Partition::from_path(path, &opts, qi, sa).map_err(|e| e.to_string())?;
    let k = assay_anonymity::k_anonymity::k_anonymity(&p);
    if sa.is_empty() {
        return Ok((k, None, None));
    }
    let l = assay_anonymity::l_diversity::l_diversity(&p).map_err(|e| e.to_string())?;
    let t = assay_anonymity::t_closeness::t_closeness(&p).map_err(|e| e.to_string())?;
    Ok((k, Some(l), Some(t)))
}
