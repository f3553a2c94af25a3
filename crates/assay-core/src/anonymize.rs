//! Anonymizing a table: its quasi-identifiers generalized with Mondrian (LeFevre et al. 2006)
//! or the optimal full-domain lattice search with suppression (`assay_anonymity::lattice`),
//! the anonymized table written atomically (a temporary file beside the output, re-measured
//! with `assay_anonymity`'s measurement code, then renamed: an output that fails the
//! requirements is never written), and, when asked, the utility of the release measured as the
//! test accuracy of a logistic regression trained on the original and on the anonymized
//! records ([`utility`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;

use assay_anonymity::hierarchy::Hierarchies;
use assay_anonymity::lattice::LatticeResult;
use assay_anonymity::mondrian::{Criteria, Generalization, SensitiveCodes};
use assay_anonymity::Partition;
use assay_data::atomic::{AtomicFile, FileError};
use assay_data::sink::{self, TableWriter, WriteError};
use assay_data::source::{self, ColumnRequest, ReadOptions};
use assay_data::{DataError, Format};
use assay_model::learners::{LogisticRegression, Matrix};

pub use crate::reports::anonymize::Utility;

/// The anonymization algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Algorithm {
    /// Mondrian multidimensional partitioning: median cuts, no suppression.
    Mondrian,
    /// Optimal full-domain generalization over the hierarchy lattice, with suppression.
    Lattice,
}

impl Algorithm {
    /// Its name (`mondrian`, `lattice`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Mondrian => "mondrian",
            Algorithm::Lattice => "lattice",
        }
    }
}

/// What to anonymize and how.
#[derive(Clone, Debug)]
pub struct AnonymizeOptions {
    /// Quasi-identifier columns (the columns generalized).
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attribute columns (needed for l and t; measured in the outcome).
    pub sensitive: Vec<String>,
    /// The requirements: k, and optionally distinct l and t (Earth Mover's Distance).
    pub criteria: Criteria,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The hierarchies file (one hierarchy per quasi-identifier for the lattice search;
    /// Mondrian uses the trees of categorical columns).
    pub hierarchies: Option<PathBuf>,
    /// Largest share of records the lattice search may suppress.
    pub suppression_limit: f64,
    /// The column whose prediction measures the utility of the release.
    pub utility: Option<String>,
    /// Columns left out of the release.
    pub drop: Vec<String>,
    /// Columns written unchanged although they identify a person directly: the user's explicit
    /// decision (recorded in the outcome).
    pub keep_identifiers: Vec<String>,
}

/// A column that identifies a person by itself, found among the columns an anonymization would
/// write unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct Identifier {
    /// The column.
    pub column: String,
    /// Its entity type (`PERSON`, `RECORD_ID`, ...).
    pub entity_type: String,
    /// Why, in words ("a surname, by its name").
    pub why: String,
}

/// Why an anonymization was refused or failed. Messages name files, columns and options;
/// a front end maps the variants about its own arguments to its flags.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// k is below 1.
    #[error("k must be at least 1")]
    KTooSmall,
    /// k is above the number of records.
    #[error("k = {k} is larger than the table ({records} records)")]
    KTooLarge {
        /// The k asked for.
        k: u64,
        /// Records in the table.
        records: usize,
    },
    /// l is below 1.
    #[error("l must be at least 1")]
    LTooSmall,
    /// t is outside [0, 1].
    #[error("t must be in [0, 1], got {0}")]
    TOutOfRange(f64),
    /// l or t was asked for without sensitive attributes.
    #[error("l-diversity and t-closeness need sensitive attribute columns")]
    NeedsSensitive,
    /// The suppression limit is outside [0, 1].
    #[error("the suppression limit must be in [0, 1], got {0}")]
    SuppressionOutOfRange(f64),
    /// A suppression limit was given to Mondrian, which suppresses nothing.
    #[error("a suppression limit applies to the lattice search (Mondrian suppresses nothing)")]
    SuppressionWithMondrian,
    /// A column name is empty.
    #[error("empty column name among the quasi-identifiers or sensitive attributes")]
    EmptyColumnName,
    /// A column is named twice among the quasi-identifiers and sensitive attributes.
    #[error("column '{0}' is named more than once")]
    ColumnTwice(String),
    /// The lattice search needs a hierarchy for a quasi-identifier that has none.
    #[error("{}", match .file { Some(p) => format!("{}: no hierarchy for quasi-identifier '{column}' (the lattice search needs one per quasi-identifier)", p.display()), None => format!("the lattice search needs a hierarchies file with a hierarchy for each quasi-identifier ('{column}' has none)") })]
    MissingHierarchy {
        /// The quasi-identifier.
        column: String,
        /// The hierarchies file, if one was given.
        file: Option<PathBuf>,
    },
    /// A named column is not in the table.
    #[error("{}: no {role} column named '{column}' (columns: {})", path.display(), columns.join(", "))]
    NoColumn {
        /// The table.
        path: PathBuf,
        /// The column's role.
        role: &'static str,
        /// The column asked for.
        column: String,
        /// The table's columns.
        columns: Vec<String>,
    },
    /// A column that needs a value in every row has a missing cell.
    #[error("{}: column '{column}', row {row}: missing value ({role} columns need every value)", path.display())]
    MissingValue {
        /// The table.
        path: PathBuf,
        /// The column.
        column: String,
        /// The 1-based row.
        row: u64,
        /// The column's role.
        role: &'static str,
    },
    /// The table has no rows.
    #[error("{}: the table has no rows", .0.display())]
    NoRows(PathBuf),
    /// Columns that identify a person directly would be written unchanged.
    #[error("{}: {} would be written unchanged but identif{} a person directly: {}; drop, mask or explicitly keep {}", path.display(), if identifiers.len() == 1 { "one column" } else { "these columns" }, if identifiers.len() == 1 { "ies" } else { "y" }, identifiers.iter().map(|i| format!("{} ({}: {})", i.column, i.entity_type, i.why)).collect::<Vec<_>>().join(", "), if identifiers.len() == 1 { "it" } else { "them" })]
    DirectIdentifiers {
        /// The table.
        path: PathBuf,
        /// The columns.
        identifiers: Vec<Identifier>,
    },
    /// A column to drop or keep is also a quasi-identifier or sensitive attribute.
    #[error("column '{column}' is a {role}; it cannot also be {what}")]
    ColumnRoleClash {
        /// The column.
        column: String,
        /// Its role (quasi-identifier, sensitive attribute).
        role: &'static str,
        /// What else it was asked to be ("dropped", "kept as an identifier").
        what: &'static str,
    },
    /// The utility label is a quasi-identifier.
    #[error("the utility label '{0}' is a quasi-identifier")]
    UtilityLabelIsQuasiIdentifier(String),
    /// The utility label has fewer than two values among the released records.
    #[error("the utility label '{0}' has fewer than two values")]
    UtilityOneClass(String),
    /// Too few released records to split into training and test sets.
    #[error("too few records to split into training and test sets for the utility")]
    UtilityTooFewRecords,
    /// The utility model could not be fitted.
    #[error("the utility model: {0}")]
    UtilityModel(String),
    /// The table could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The hierarchies, the algorithm or the measurement failed.
    #[error("{0}")]
    Anonymity(String),
    /// The output could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The output could not be put in place.
    #[error(transparent)]
    File(#[from] FileError),
    /// The written table does not meet the requirements (a bug; nothing was written).
    #[error("internal error: the anonymized table measures k = {k}, l = {l:?}, t = {t:?}, short of the requirements; nothing was written")]
    ShortOfRequirements {
        /// k measured.
        k: u64,
        /// Distinct l measured.
        l: Option<u64>,
        /// t measured.
        t: Option<f64>,
    },
}

fn anonymity(e: impl ToString) -> Error {
    Error::Anonymity(e.to_string())
}

/// A table held in memory as text, column by column.
#[derive(Clone, Debug)]
pub struct TextTable {
    /// Column names.
    pub names: Vec<String>,
    /// Cells per column (missing cells are empty).
    pub columns: Vec<Vec<String>>,
    /// Per column, the first 1-based row with a missing cell.
    pub first_missing: Vec<Option<u64>>,
}

impl TextTable {
    /// Rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }
}

/// Reads every column of `path` as text.
pub fn read_text_table(path: &Path, opts: &ReadOptions) -> Result<TextTable, DataError> {
    let names = source::column_names(path, opts)?;
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
    for batch in source::open(path, opts, Some(&requests))? {
        let batch = batch?;
        // One map per batch: looking each name up by a scan of the schema was quadratic in
        // the number of columns (issue #15).
        let schema = batch.schema();
        let fields: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let at = source::name_index(&fields);
        for (j, name) in names.iter().enumerate() {
            let col = at
                .get(name.as_str())
                .map(|&i| batch.column(i))
                .ok_or_else(|| DataError::BadColumn {
                    path: path.to_path_buf(),
                    column: name.clone(),
                    message: "no such column".into(),
                })?;
            let text = match col.data_type() {
                DataType::Utf8 => col.clone(),
                t => arrow_cast::cast(col, &DataType::Utf8).map_err(|e| DataError::BadColumn {
                    path: path.to_path_buf(),
                    column: name.clone(),
                    message: format!("cannot read {t} as text: {e}"),
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

/// What an anonymization achieved.
#[derive(Clone, Debug)]
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
    pub lattice: Option<LatticeResult>,
    /// The re-measured output: k.
    pub measured_k: u64,
    /// Distinct l of the output (none without sensitive attributes).
    pub measured_l: Option<u64>,
    /// t of the output (none without sensitive attributes).
    pub measured_t: Option<f64>,
    /// Seconds in the algorithm.
    pub algorithm_seconds: f64,
    /// Test accuracy on the original and the anonymized table, when asked for.
    pub utility: Option<Utility>,
    /// Columns left out of the release.
    pub dropped: Vec<String>,
    /// Direct identifiers written unchanged because the user kept them explicitly.
    pub kept_identifiers: Vec<Identifier>,
    /// What the release still discloses (l = 1, a large t).
    pub warnings: Vec<String>,
    /// Seconds in the whole run (reading, anonymizing, writing, re-measuring).
    pub total_seconds: f64,
}

/// Checks the options alone, before the table is read.
fn check(o: &AnonymizeOptions) -> Result<(), Error> {
    let c = &o.criteria;
    if c.k < 1 {
        return Err(Error::KTooSmall);
    }
    if c.l == Some(0) {
        return Err(Error::LTooSmall);
    }
    if let Some(t) = c.t {
        if !(0.0..=1.0).contains(&t) {
            return Err(Error::TOutOfRange(t));
        }
    }
    if (c.l.is_some() || c.t.is_some()) && o.sensitive.is_empty() {
        return Err(Error::NeedsSensitive);
    }
    if !(0.0..=1.0).contains(&o.suppression_limit) {
        return Err(Error::SuppressionOutOfRange(o.suppression_limit));
    }
    if o.algorithm == Algorithm::Mondrian && o.suppression_limit > 0.0 {
        return Err(Error::SuppressionWithMondrian);
    }
    let all: Vec<&String> = o.quasi_identifiers.iter().chain(&o.sensitive).collect();
    for (i, c) in all.iter().enumerate() {
        if c.trim().is_empty() {
            return Err(Error::EmptyColumnName);
        }
        if all[..i].contains(c) {
            return Err(Error::ColumnTwice(c.to_string()));
        }
    }
    Ok(())
}

fn column_index(
    t: &TextTable,
    name: &str,
    path: &Path,
    role: &'static str,
) -> Result<usize, Error> {
    let j = t
        .names
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| Error::NoColumn {
            path: path.to_path_buf(),
            role,
            column: name.to_string(),
            columns: t.names.clone(),
        })?;
    if let Some(row) = t.first_missing[j] {
        return Err(Error::MissingValue {
            path: path.to_path_buf(),
            column: name.to_string(),
            row,
            role,
        });
    }
    Ok(j)
}

/// Anonymizes `data` (read with `read`) into `out` (the format of its extension), and
/// measures what the written table achieves.
pub fn anonymize(
    data: &Path,
    read: &ReadOptions,
    out: &Path,
    o: &AnonymizeOptions,
) -> Result<Outcome, Error> {
    let start = Instant::now();
    check(o)?;
    let hierarchies = o
        .hierarchies
        .as_deref()
        .map(Hierarchies::from_path)
        .transpose()
        .map_err(anonymity)?;
    if o.algorithm == Algorithm::Lattice {
        for q in &o.quasi_identifiers {
            if hierarchies.as_ref().and_then(|h| h.get(q)).is_none() {
                return Err(Error::MissingHierarchy {
                    column: q.clone(),
                    file: o.hierarchies.clone(),
                });
            }
        }
    }
    let mut table = read_text_table(data, read)?;
    drop_columns(&mut table, data, o)?;
    let records = table.rows();
    if records == 0 {
        return Err(Error::NoRows(data.to_path_buf()));
    }
    if o.criteria.k > records as u64 {
        return Err(Error::KTooLarge {
            k: o.criteria.k,
            records,
        });
    }
    let qi_idx: Vec<usize> = o
        .quasi_identifiers
        .iter()
        .map(|q| column_index(&table, q, data, "quasi-identifier"))
        .collect::<Result<_, _>>()?;
    let sa_idx: Vec<usize> = o
        .sensitive
        .iter()
        .map(|s| column_index(&table, s, data, "sensitive"))
        .collect::<Result<_, _>>()?;
    if let Some(label) = &o.utility {
        let j = column_index(&table, label, data, "utility label")?;
        if qi_idx.contains(&j) {
            return Err(Error::UtilityLabelIsQuasiIdentifier(label.clone()));
        }
    }
    let kept_identifiers = identifiers(&table, data, o, &qi_idx, &sa_idx)?;
    let qi: Vec<(&str, &[String])> = qi_idx
        .iter()
        .map(|&j| (table.names[j].as_str(), &table.columns[j][..]))
        .collect();
    let t0 = Instant::now();
    let sensitive: Vec<SensitiveCodes> = sa_idx
        .iter()
        .map(|&j| SensitiveCodes::new(&table.names[j], &table.columns[j]))
        .collect();
    let (generalization, lattice) = match o.algorithm {
        Algorithm::Mondrian => (
            assay_anonymity::mondrian::mondrian(&qi, &sensitive, o.criteria, hierarchies.as_ref())
                .map_err(anonymity)?,
            None,
        ),
        Algorithm::Lattice => {
            let r = assay_anonymity::lattice::lattice(
                &qi,
                &sensitive,
                o.criteria,
                hierarchies.as_ref(),
                o.suppression_limit,
                true,
            )
            .map_err(anonymity)?;
            (r.generalization.clone(), Some(r))
        }
    };
    let algorithm_seconds = t0.elapsed().as_secs_f64();
    // Dropped without commit (any early return), the temporary file is removed.
    let tmp = write_release(out, &table, &qi_idx, &generalization)?;
    let (measured_k, measured_l, measured_t) = measure(
        tmp.temp_path(),
        sink::format_for(out),
        &o.quasi_identifiers,
        &o.sensitive,
    )?;
    let c = &o.criteria;
    let fails = measured_k < c.k
        || c.l.is_some_and(|l| measured_l.unwrap_or(0) < l)
        || c.t
            .is_some_and(|t| measured_t.unwrap_or(f64::INFINITY) > t + 1e-12);
    if fails {
        return Err(Error::ShortOfRequirements {
            k: measured_k,
            l: measured_l,
            t: measured_t,
        });
    }
    tmp.commit()?;
    let warnings = warnings(
        &o.sensitive,
        &table,
        &sa_idx,
        &generalization,
        measured_l,
        measured_t,
    );
    let utility = o
        .utility
        .as_deref()
        .map(|label| utility(&table, label, &qi_idx, &generalization))
        .transpose()?;
    Ok(Outcome {
        criteria: o.criteria,
        algorithm: o.algorithm,
        records,
        generalization,
        lattice,
        measured_k,
        measured_l,
        measured_t,
        algorithm_seconds,
        utility,
        dropped: o.drop.clone(),
        kept_identifiers,
        warnings,
        total_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Removes the columns of `o.drop` from the table (each must exist and be neither a
/// quasi-identifier nor a sensitive attribute).
fn drop_columns(table: &mut TextTable, data: &Path, o: &AnonymizeOptions) -> Result<(), Error> {
    for (list, what) in [
        (&o.drop, "dropped"),
        (&o.keep_identifiers, "kept as an identifier"),
    ] {
        for c in list {
            let role = if o.quasi_identifiers.contains(c) {
                Some("quasi-identifier")
            } else if o.sensitive.contains(c) {
                Some("sensitive attribute")
            } else {
                None
            };
            if let Some(role) = role {
                return Err(Error::ColumnRoleClash {
                    column: c.clone(),
                    role,
                    what,
                });
            }
            if !table.names.contains(c) {
                return Err(Error::NoColumn {
                    path: data.to_path_buf(),
                    role: if what == "dropped" {
                        "dropped"
                    } else {
                        "kept identifier"
                    },
                    column: c.clone(),
                    columns: table.names.clone(),
                });
            }
        }
    }
    let keep: Vec<bool> = table.names.iter().map(|n| !o.drop.contains(n)).collect();
    let mut k = keep.iter();
    table.names.retain(|_| *k.next().unwrap());
    let mut k = keep.iter();
    table.columns.retain(|_| *k.next().unwrap());
    let mut k = keep.iter();
    table.first_missing.retain(|_| *k.next().unwrap());
    Ok(())
}

/// Rows sampled per column to look for direct identifiers.
pub const IDENTIFIER_SAMPLE: usize = 1000;

/// Classifies every column the release would write unchanged (neither quasi-identifier nor
/// sensitive) with the PII column scan ([`crate::pii_columns::classify_column`], minimum share
/// 0.5, the first [`IDENTIFIER_SAMPLE`] rows) and refuses direct identifiers the user did not
/// explicitly keep; returns the kept ones.
fn identifiers(
    table: &TextTable,
    data: &Path,
    o: &AnonymizeOptions,
    qi_idx: &[usize],
    sa_idx: &[usize],
) -> Result<Vec<Identifier>, Error> {
    use rayon::prelude::*;
    let analyzer =
        assay_pii::Analyzer::new(assay_pii::AnalyzerConfig::default()).map_err(Error::Anonymity)?;
    let found: Vec<Identifier> = (0..table.names.len())
        .into_par_iter()
        .filter(|j| !qi_idx.contains(j) && !sa_idx.contains(j))
        .filter_map(|j| {
            let cells = table.columns[j]
                .iter()
                .take(IDENTIFIER_SAMPLE)
                .map(String::as_str);
            let c = crate::pii_columns::classify_column(&analyzer, &table.names[j], cells, 0.5);
            let entity_type = c.entity_type.clone()?;
            c.direct_identifier.then(|| Identifier {
                column: c.column.clone(),
                why: match (&c.name_says, c.decided_by.as_deref()) {
                    (Some(m), Some("name")) => format!("{m}, by its name"),
                    (Some(m), _) => format!("{m}, by its name and cells"),
                    (None, _) => format!("in {:.0} % of sampled cells", 100.0 * c.share),
                },
                entity_type,
            })
        })
        .collect();
    let (kept, refused): (Vec<Identifier>, Vec<Identifier>) = found
        .into_iter()
        .partition(|i| o.keep_identifiers.contains(&i.column));
    if !refused.is_empty() {
        return Err(Error::DirectIdentifiers {
            path: data.to_path_buf(),
            identifiers: refused,
        });
    }
    Ok(kept)
}

/// t above which a release is warned about: the distribution of a sensitive attribute in some
/// equivalence class is far from the whole table's (Li, Li and Venkatasubramanian 2007 use
/// t = 0.15 and 0.2).
pub const LARGE_T: f64 = 0.2;

/// Warnings about what the release still discloses: an equivalence class with one value of a
/// sensitive attribute (distinct l = 1: the homogeneity attack of Machanavajjhala et al. 2007),
/// and t above [`LARGE_T`].
fn warnings(
    sensitive: &[String],
    table: &TextTable,
    sa_idx: &[usize],
    g: &Generalization,
    l: Option<u64>,
    t: Option<f64>,
) -> Vec<String> {
    let mut w = Vec::new();
    if l == Some(1) {
        // Which attributes have a one-valued class, and how many records those classes hold.
        for (name, &j) in sensitive.iter().zip(sa_idx) {
            let mut first: Vec<Option<&str>> = vec![None; g.labels.len()];
            let mut mixed = vec![false; g.labels.len()];
            let mut size = vec![0usize; g.labels.len()];
            for (r, c) in g.class_of.iter().enumerate() {
                let Some(c) = c else { continue };
                let c = *c as usize;
                size[c] += 1;
                let v = table.columns[j][r].as_str();
                match first[c] {
                    None => first[c] = Some(v),
                    Some(f) if f != v => mixed[c] = true,
                    _ => {}
                }
            }
            let uniform: Vec<usize> = (0..size.len())
                .filter(|&c| size[c] > 0 && !mixed[c])
                .collect();
            if !uniform.is_empty() {
                let records: usize = uniform.iter().map(|&c| size[c]).sum();
                w.push(format!(
                    "l = 1 for '{name}': {} of {} equivalence classes ({records} records) hold a single value of it, so anyone who knows a person's quasi-identifiers learns their {name} (ask for l of 2 or more)",
                    uniform.len(),
                    size.iter().filter(|&&n| n > 0).count()
                ));
            }
        }
    }
    if let Some(t) = t.filter(|&t| t > LARGE_T) {
        w.push(format!(
            "t = {t:.3}: in some equivalence class a sensitive attribute's distribution is far from the whole table's (above {LARGE_T}); what the class reveals about it may disclose it (ask for t of {LARGE_T} or less)"
        ));
    }
    w
}

/// Writes the released records (suppressed ones left out, quasi-identifiers replaced by their
/// class's generalized values) to a temporary file beside `out`, to be measured and then
/// committed.
fn write_release(
    out: &Path,
    table: &TextTable,
    qi_idx: &[usize],
    g: &Generalization,
) -> Result<AtomicFile, Error> {
    let mut w = TableWriter::create(out, sink::format_for(out), sink::text_schema(&table.names))?;
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
        }))?;
    }
    Ok(w.into_file()?.expect("a file target gives its file back"))
}

/// k, distinct l and t of a written table, by `assay_anonymity`'s measurement code.
fn measure(
    path: &Path,
    format: Format,
    qi: &[String],
    sa: &[String],
) -> Result<(u64, Option<u64>, Option<f64>), Error> {
    let opts = ReadOptions {
        format: Some(format),
        ..Default::default()
    };
    let p = Partition::from_path(path, &opts, qi, sa).map_err(anonymity)?;
    let k = assay_anonymity::k_anonymity::k_anonymity(&p);
    if sa.is_empty() {
        return Ok((k, None, None));
    }
    let l = assay_anonymity::l_diversity::l_diversity(&p).map_err(anonymity)?;
    let t = assay_anonymity::t_closeness::t_closeness(&p).map_err(anonymity)?;
    Ok((k, Some(l), Some(t)))
}

/// One feature column encoded: training rows, test rows, width.
type Block = (Vec<f64>, Vec<f64>, usize);

/// Encodes the feature columns for the training and test rows: numeric columns (every value a
/// number) standardised with the training mean and population standard deviation, the others
/// one-hot over the training categories (an unseen category is all zeros).
fn encode(cols: &[Vec<&str>], train: &[usize], test: &[usize]) -> (Vec<f64>, Vec<f64>, usize) {
    let mut blocks: Vec<Block> = Vec::new();
    for col in cols {
        let numbers: Option<Vec<f64>> = col
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        match numbers {
            Some(x) => {
                let n = train.len().max(1) as f64;
                let mean = train.iter().map(|&r| x[r]).sum::<f64>() / n;
                let var = train.iter().map(|&r| (x[r] - mean).powi(2)).sum::<f64>() / n;
                let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
                let f = |rows: &[usize]| rows.iter().map(|&r| (x[r] - mean) / sd).collect();
                blocks.push((f(train), f(test), 1));
            }
            None => {
                let mut cats: Vec<&str> = train.iter().map(|&r| col[r]).collect();
                cats.sort_unstable();
                cats.dedup();
                let d = cats.len();
                let f = |rows: &[usize]| {
                    let mut v = vec![0.0; rows.len() * d];
                    for (i, &r) in rows.iter().enumerate() {
                        if let Ok(j) = cats.binary_search(&col[r]) {
                            v[i * d + j] = 1.0;
                        }
                    }
                    v
                };
                blocks.push((f(train), f(test), d));
            }
        }
    }
    let d: usize = blocks.iter().map(|b| b.2).sum();
    let interleave = |rows: usize, pick: &dyn Fn(&Block) -> &Vec<f64>| {
        let mut x = Vec::with_capacity(rows * d);
        for i in 0..rows {
            for b in &blocks {
                x.extend_from_slice(&pick(b)[i * b.2..(i + 1) * b.2]);
            }
        }
        x
    };
    let xtr = interleave(train.len(), &|b| &b.0);
    let xte = interleave(test.len(), &|b| &b.1);
    (xtr, xte, d)
}

/// Test accuracy of assay's logistic regression (L2, C = 1, tolerance 1e-8) trained on `cols`.
fn accuracy(cols: &[Vec<&str>], y: &[f64], train: &[usize], test: &[usize]) -> Result<f64, Error> {
    let model = |e: assay_model::learners::LearnError| Error::UtilityModel(e.to_string());
    let (xtr, xte, d) = encode(cols, train, test);
    let ytr: Vec<f64> = train.iter().map(|&r| y[r]).collect();
    let learner = LogisticRegression {
        tol: 1e-8,
        ..Default::default()
    };
    let mtr = Matrix::with_rows(&xtr, train.len(), d).map_err(model)?;
    let fitted = learner.fit(&mtr, &ytr, None).map_err(model)?;
    let mte = Matrix::with_rows(&xte, test.len(), d).map_err(model)?;
    let pred = fitted.predict_class(&mte).map_err(model)?;
    let correct = pred
        .iter()
        .zip(test)
        .filter(|(&p, &r)| fitted.classes[p] == y[r])
        .count();
    Ok(correct as f64 / test.len().max(1) as f64)
}

/// The utility of a release: the test accuracy of assay's logistic regression predicting
/// `label` from every other column, trained on the original and on the anonymized released
/// records, on the same seeded 70/30 split of the released records. On the anonymized table
/// the quasi-identifiers are their generalized values, in training and in testing (the
/// released test records are anonymized too).
pub fn utility(
    table: &TextTable,
    label: &str,
    qi_idx: &[usize],
    g: &Generalization,
) -> Result<Utility, Error> {
    let li = table
        .names
        .iter()
        .position(|n| n == label)
        .ok_or_else(|| Error::NoColumn {
            path: PathBuf::new(),
            role: "utility label",
            column: label.to_string(),
            columns: table.names.clone(),
        })?;
    if qi_idx.contains(&li) {
        return Err(Error::UtilityLabelIsQuasiIdentifier(label.to_string()));
    }
    let released: Vec<usize> = (0..g.class_of.len())
        .filter(|&r| g.class_of[r].is_some())
        .collect();
    let mut classes: Vec<&str> = released
        .iter()
        .map(|&r| table.columns[li][r].as_str())
        .collect();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() < 2 {
        return Err(Error::UtilityOneClass(label.to_string()));
    }
    let mut y = vec![0.0; g.class_of.len()];
    for &r in &released {
        y[r] = classes
            .binary_search(&table.columns[li][r].as_str())
            .expect("class") as f64;
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for &r in &released {
        if assay_numerics::random::splitmix64(r as u64 ^ 0x5eed) % 10 < 3 {
            test.push(r);
        } else {
            train.push(r);
        }
    }
    if train.is_empty() || test.is_empty() {
        return Err(Error::UtilityTooFewRecords);
    }
    let features: Vec<usize> = (0..table.names.len()).filter(|&j| j != li).collect();
    let original: Vec<Vec<&str>> = features
        .iter()
        .map(|&j| table.columns[j].iter().map(String::as_str).collect())
        .collect();
    let anonymized: Vec<Vec<&str>> = features
        .iter()
        .map(|&j| match qi_idx.iter().position(|&q| q == j) {
            Some(q) => g
                .class_of
                .iter()
                .enumerate()
                .map(|(r, c)| match c {
                    Some(c) => g.labels[*c as usize][q].as_str(),
                    None => table.columns[j][r].as_str(),
                })
                .collect(),
            None => table.columns[j].iter().map(String::as_str).collect(),
        })
        .collect();
    Ok(Utility {
        label: label.to_string(),
        train_records: train.len(),
        test_records: test.len(),
        original_accuracy: accuracy(&original, &y, &train, &test)?,
        anonymized_accuracy: accuracy(&anonymized, &y, &train, &test)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 200 people: age, zip, a sensitive disease, and a label that follows age.
    fn people(dir: &Path) -> PathBuf {
        let mut text = String::from("age,zip,disease,old\n");
        for i in 0..200u64 {
            let age = 20 + (assay_numerics::random::splitmix64(i) % 50);
            let zip = 10_000 + (assay_numerics::random::splitmix64(i + 1000) % 40);
            let disease = ["flu", "cold", "none"][(i % 3) as usize];
            text.push_str(&format!("{age},{zip},{disease},{}\n", u8::from(age >= 45)));
        }
        let p = dir.join("people.csv");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn options(k: u64) -> AnonymizeOptions {
        AnonymizeOptions {
            quasi_identifiers: vec!["age".into(), "zip".into()],
            sensitive: vec!["disease".into()],
            criteria: Criteria {
                k,
                l: Some(2),
                t: None,
            },
            algorithm: Algorithm::Mondrian,
            hierarchies: None,
            drop: Vec::new(),
            keep_identifiers: Vec::new(),
            suppression_limit: 0.0,
            utility: None,
        }
    }

    #[test]
    fn mondrian_release_meets_k_and_l_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let data = people(dir.path());
        for name in ["anon.csv", "anon.parquet", "anon.arrow"] {
            let out = dir.path().join(name);
            let o = anonymize(&data, &ReadOptions::default(), &out, &options(5)).unwrap();
            assert_eq!(o.records, 200);
            assert!(
                o.measured_k >= 5 && o.measured_l >= Some(2),
                "{name}: {o:?}"
            );
            // Read back independently: every class of (age, zip) has at least 5 records.
            let p = Partition::from_path(
                &out,
                &ReadOptions::default(),
                &["age".into(), "zip".into()],
                &[],
            )
            .unwrap();
            assert_eq!(assay_anonymity::k_anonymity::k_anonymity(&p), o.measured_k);
        }
    }

    #[test]
    fn refusals_leave_the_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = people(dir.path());
        let out = dir.path().join("anon.csv");
        std::fs::write(&out, "old").unwrap();
        let run = |o: AnonymizeOptions| anonymize(&data, &ReadOptions::default(), &out, &o);
        assert!(matches!(run(options(0)), Err(Error::KTooSmall)));
        assert!(matches!(
            run(options(201)),
            Err(Error::KTooLarge {
                k: 201,
                records: 200
            })
        ));
        let mut no_sensitive = options(2);
        no_sensitive.sensitive.clear();
        assert!(matches!(run(no_sensitive), Err(Error::NeedsSensitive)));
        let mut lattice = options(2);
        lattice.algorithm = Algorithm::Lattice;
        assert!(matches!(
            run(lattice),
            Err(Error::MissingHierarchy { column, file: None }) if column == "age"
        ));
        let mut unknown = options(2);
        unknown.quasi_identifiers[1] = "postcode".into();
        let e = run(unknown).unwrap_err().to_string();
        assert!(
            e.contains("no quasi-identifier column named 'postcode'"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    }

    #[test]
    fn utility_compares_the_original_and_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let data = people(dir.path());
        let out = dir.path().join("anon.csv");
        let mut o = options(5);
        o.utility = Some("old".into());
        let u = anonymize(&data, &ReadOptions::default(), &out, &o)
            .unwrap()
            .utility
            .unwrap();
        assert_eq!(u.train_records + u.test_records, 200);
        // The label is a threshold on age: the original table predicts it almost perfectly;
        // the generalized ages (intervals, one-hot) still carry most of it.
        assert!(u.original_accuracy > 0.9, "{u:?}");
        assert!(u.anonymized_accuracy > 0.6, "{u:?}");
        let mut bad = options(5);
        bad.utility = Some("age".into());
        assert!(matches!(
            anonymize(&data, &ReadOptions::default(), &out, &bad),
            Err(Error::UtilityLabelIsQuasiIdentifier(_))
        ));
    }
}
