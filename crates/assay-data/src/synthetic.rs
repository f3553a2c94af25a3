//! A seeded synthetic resume-screening data set: the example that ships with
//! assay (`assay example hiring`).
//!
//! Each row is one job applicant. The columns, in order:
//!
//! | column             | type    | meaning                                                      |
//! |--------------------|---------|--------------------------------------------------------------|
//! | `applicant_id`     | Int64   | 1, 2, …, n                                                   |
//! | `gender`           | Utf8    | `Female`, `Male` (about 49% each), `Non-binary` (about 2%)   |
//! | `race`             | Utf8    | `White` 60%, `Black` 13%, `Hispanic` 18%, `Asian` 9%         |
//! | `age`              | Int64   | 21 to 65                                                     |
//! | `education`        | Utf8    | `High school`, `Bachelor`, `Master`, `PhD`                   |
//! | `years_experience` | Float64 | ≥ 0, grows with age; one decimal                             |
//! | `career_gap_years` | Float64 | ≥ 0, time out of the workforce; one decimal                  |
//! | `score`            | Float64 | the screening model's probability, in \[0, 1\]; six decimals |
//! | `shortlisted`      | Int64   | 1 when `score >= 0.5`, else 0: the model's decision          |
//! | `qualified`        | Int64   | 1 when the applicant would in truth succeed in the job       |
//! | `hired`            | Int64   | 1 when the applicant was hired by the (human) process the model replaces |
//!
//! # The story
//!
//! The true outcome `qualified` depends **only** on years of experience and
//! education, plus noise. Gender and race have no effect on it, and neither do
//! career gaps: an applicant who took three years out to care for a child is
//! exactly as likely to be qualified as one with the same experience and
//! education who did not. Gender, race, age and education are drawn
//! independently, and experience depends only on age and education, so
//! qualification rates are the same in every gender and race group (up to
//! sampling noise).
//!
//! The screening model that produced `score` looks reasonable: its score is a
//! logistic function of the same experience and education signal, it shares
//! the noise that drives true qualification (so it ranks applicants well), and
//! for White men it is roughly calibrated. But it has learned three biases:
//!
//! * a penalty for every year of career gap. Gaps are common among women
//!   (about half of them have one) and rare among men (about 6%), so the gap
//!   is a **proxy** for gender: the model never sees gender, yet women are
//!   shortlisted much less often than men;
//! * a direct penalty for Black applicants;
//! * an extra **interaction** penalty for Black women, on top of the other two.
//!
//! So at equal qualification women and Black applicants are shortlisted less
//! often, and the group with both the lowest selection rate and the lowest
//! true-positive rate is the intersection Black × Female — a harm a
//! one-attribute-at-a-time audit understates. At the default 5,000 rows the
//! overall selection rate is about 0.35, the female/male disparate-impact
//! ratio is well below the four-fifths rule, and the Non-binary group is
//! deliberately small: some of its intersections with race have fewer than 30
//! rows, which exercises the minimum-group-size flag.
//!
//! The column `hired` is the historical record a team would train a new
//! screening model on: the human process that preceded the model. It judged
//! the same experience-and-education signal (with its own noise) but also
//! held career gaps against applicants, more mildly than the model does (0.2
//! per year), and judged women less consistently (more noise in their decisions).
//! A model trained to reproduce `hired` therefore learns the gap
//! and, through it, gender: the classic case (historical decisions teach a
//! model their bias) that `assay mitigate` is shown on in the example. Its
//! noise comes from a second generator, so adding it left every other column
//! of every seed unchanged.
//!
//! # Determinism and memory
//!
//! One [`ChaCha8Rng`] is seeded from [`HiringConfig::seed`] and rows are drawn
//! one after another in row order, so the data depend only on the seed and the
//! row count: not on the batch size, and not on the output format. Rows are
//! generated on demand, so any number of rows (10,000,000 or more) is produced
//! in bounded memory. Floating-point columns are rounded to the number of
//! decimals written to CSV before anything else uses them, so Arrow, Parquet
//! and CSV output hold identical values and `shortlisted` always agrees with
//! the `score` written out.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Exp1, StandardNormal};

/// How much of the hiring example to generate, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HiringConfig {
    /// Number of applicants (rows).
    pub rows: usize,
    /// Seed for the random number generator; the same seed and row count
    /// always give the same data.
    pub seed: u64,
}

impl Default for HiringConfig {
    /// 5,000 rows from seed 42: the data set `assay example hiring` writes.
    fn default() -> Self {
        HiringConfig {
            rows: 5000,
            seed: 42,
        }
    }
}

/// Column names of the hiring data set, in schema order.
const COLUMNS: [&str; 11] = [
    "applicant_id",
    "gender",
    "race",
    "age",
    "education",
    "years_experience",
    "career_gap_years",
    "score",
    "shortlisted",
    "qualified",
    "hired",
];

/// Rows per batch used by [`write_hiring_parquet`].
const PARQUET_BATCH_ROWS: usize = 65_536;

/// The Arrow schema of the hiring data set: the columns listed in the
/// [module documentation](self), in that order, none nullable.
#[must_use]
pub fn hiring_schema() -> SchemaRef {
    let types = [
        DataType::Int64,
        DataType::Utf8,
        DataType::Utf8,
        DataType::Int64,
        DataType::Utf8,
        DataType::Float64,
        DataType::Float64,
        DataType::Float64,
        DataType::Int64,
        DataType::Int64,
        DataType::Int64,
    ];
    let fields: Vec<Field> = COLUMNS
        .iter()
        .zip(types)
        .map(|(name, ty)| Field::new(*name, ty, false))
        .collect();
    Arc::new(Schema::new(fields))
}

/// One generated applicant.
#[derive(Debug, Clone, Copy)]
struct Row {
    id: i64,
    gender: &'static str,
    race: &'static str,
    age: i64,
    education: &'static str,
    years_experience: f64,
    career_gap_years: f64,
    score: f64,
    shortlisted: bool,
    qualified: bool,
    hired: bool,
}

/// Draws rows one at a time, in row order, from a single seeded generator.
struct RowGen {
    rng: ChaCha8Rng,
    /// The noise of the historical `hired` decisions (a second stream, so that the other
    /// columns do not depend on it).
    history: ChaCha8Rng,
    next_id: i64,
    remaining: usize,
}

impl RowGen {
    fn new(cfg: &HiringConfig) -> Self {
        RowGen {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            history: ChaCha8Rng::seed_from_u64(cfg.seed ^ HISTORY_STREAM),
            next_id: 1,
            remaining: cfg.rows,
        }
    }
}

impl Iterator for RowGen {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let row = draw_row(&mut self.rng, &mut self.history, self.next_id);
        self.next_id += 1;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// XOR-ed into the seed to seed the generator of the `hired` column's noise.
const HISTORY_STREAM: u64 = 0x6869_7265_645f_7631; // "hired_v1"

/// Career-gap penalty per year of the historical hiring process (the model's is 0.55).
const HISTORY_GAP_PENALTY: f64 = 0.2;

/// Standard deviation of the historical reviewers' own noise for men and non-binary
/// applicants, and for women (judged less consistently).
const HISTORY_NOISE: f64 = 0.4;
const HISTORY_NOISE_WOMEN: f64 = 1.3;

/// The logistic function as the generator has always computed it. Not
/// `assay_numerics::sigmoid` (which takes `e^x / (1 + e^x)` for negative `x`): the two can
/// differ in the last bit, and these bits define the seeded example data, so every example
/// output would change.
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Rounds `x` to a multiple of `1 / scale` (`scale` a power of ten), so that
/// the value equals what parsing its fixed-decimal text gives back.
fn quantise(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// Draws one applicant. The order of the draws is part of the data set's
/// definition: changing it changes every seed's output.
fn draw_row(rng: &mut ChaCha8Rng, history: &mut ChaCha8Rng, id: i64) -> Row {
    // Demographics, drawn independently of each other.
    let u: f64 = rng.random();
    let gender = if u < 0.02 {
        "Non-binary"
    } else if u < 0.51 {
        "Female"
    } else {
        "Male"
    };
    let u: f64 = rng.random();
    let race = if u < 0.60 {
        "White"
    } else if u < 0.73 {
        "Black"
    } else if u < 0.91 {
        "Hispanic"
    } else {
        "Asian"
    };
    let age: i64 = rng.random_range(21..=65);
    let u: f64 = rng.random();
    // (name, age at which full-time work usually starts, effect on the truth)
    let (education, start_age, edu_effect) = if u < 0.25 {
        ("High school", 18.0, 0.0)
    } else if u < 0.70 {
        ("Bachelor", 22.0, 0.6)
    } else if u < 0.92 {
        ("Master", 24.0, 1.0)
    } else {
        ("PhD", 28.0, 1.3)
    };

    // Experience: a share of the years since education ended, plus noise.
    // It depends on age and education only, never on gender or race.
    let potential = (age as f64 - start_age).max(0.0);
    let share = 0.6 + 0.4 * rng.random::<f64>();
    let wobble: f64 = rng.sample(StandardNormal);
    let years_experience = quantise((potential * share + wobble).clamp(0.0, potential), 10.0);

    // Career gap: time out of the workforce. Common for women, rare for men.
    // It is not subtracted from experience and has no effect on the truth.
    let gap_chance = match gender {
        "Female" => 0.50,
        "Male" => 0.06,
        _ => 0.25,
    };
    let has_gap = rng.random::<f64>() < gap_chance;
    let length = 0.5 + 2.5 * rng.sample::<f64, _>(Exp1);
    let room = (age as f64 - 18.0 - years_experience).max(0.0);
    let career_gap_years = if has_gap {
        quantise(length.min(8.0).min(room), 10.0)
    } else {
        0.0
    };

    // The truth: experience and education plus noise, nothing else.
    let merit = -2.65 + 0.12 * years_experience.min(25.0) + edu_effect;
    let shared: f64 = rng.sample(StandardNormal);
    let qualified = rng.random::<f64>() < sigmoid(merit + 0.8 * shared);

    // The biased model: the same signal and shared noise, its own noise, and
    // penalties for career gaps, for Black applicants, and for Black women.
    let own: f64 = rng.sample(StandardNormal);
    let black = race == "Black";
    let black_woman = black && gender == "Female";
    let logit = merit + 0.8 * shared + 0.5 * own
        - 0.55 * career_gap_years
        - if black { 0.5 } else { 0.0 }
        - if black_woman { 0.5 } else { 0.0 };
    let score = quantise(sigmoid(logit), 1e6);

    // The historical human decision: the same signal and shared noise, its own noise (from
    // the second stream), and a milder career-gap penalty.
    let own_history: f64 = history.sample(StandardNormal);
    // Reviewers judged women less consistently: more noise in their decisions.
    let noise = if gender == "Female" {
        HISTORY_NOISE_WOMEN
    } else {
        HISTORY_NOISE
    };
    let hired =
        merit + 0.8 * shared + noise * own_history - HISTORY_GAP_PENALTY * career_gap_years > 0.0;

    Row {
        id,
        gender,
        race,
        age,
        education,
        years_experience,
        career_gap_years,
        score,
        shortlisted: score >= 0.5,
        qualified,
        hired,
    }
}

/// Streams [`HiringConfig::rows`] rows of the hiring example as Arrow record
/// batches of `batch_size` rows (the last one may be shorter; a `batch_size`
/// of 0 is treated as 1), with the schema [`hiring_schema`].
///
/// Rows are generated as the iterator is advanced, so memory use is bounded by
/// one batch whatever the row count. The concatenated rows are the same for
/// every `batch_size`, and the same as [`write_hiring_csv`] and
/// [`write_hiring_parquet`] write for the same configuration.
pub fn hiring_batches(
    cfg: &HiringConfig,
    batch_size: usize,
) -> impl Iterator<Item = RecordBatch> + Send + 'static {
    HiringBatches {
        rows: RowGen::new(cfg),
        batch_size: batch_size.max(1),
        schema: hiring_schema(),
    }
}

/// The iterator behind [`hiring_batches`].
struct HiringBatches {
    rows: RowGen,
    batch_size: usize,
    schema: SchemaRef,
}

impl Iterator for HiringBatches {
    type Item = RecordBatch;

    fn next(&mut self) -> Option<RecordBatch> {
        let n = self.batch_size.min(self.rows.remaining);
        if n == 0 {
            return None;
        }
        let mut id = Int64Builder::with_capacity(n);
        let mut gender = StringBuilder::with_capacity(n, n * 6);
        let mut race = StringBuilder::with_capacity(n, n * 6);
        let mut age = Int64Builder::with_capacity(n);
        let mut education = StringBuilder::with_capacity(n, n * 8);
        let mut experience = Float64Builder::with_capacity(n);
        let mut gap = Float64Builder::with_capacity(n);
        let mut score = Float64Builder::with_capacity(n);
        let mut shortlisted = Int64Builder::with_capacity(n);
        let mut qualified = Int64Builder::with_capacity(n);
        let mut hired = Int64Builder::with_capacity(n);
        for row in self.rows.by_ref().take(n) {
            id.append_value(row.id);
            gender.append_value(row.gender);
            race.append_value(row.race);
            age.append_value(row.age);
            education.append_value(row.education);
            experience.append_value(row.years_experience);
            gap.append_value(row.career_gap_years);
            score.append_value(row.score);
            shortlisted.append_value(i64::from(row.shortlisted));
            qualified.append_value(i64::from(row.qualified));
            hired.append_value(i64::from(row.hired));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(gender.finish()),
            Arc::new(race.finish()),
            Arc::new(age.finish()),
            Arc::new(education.finish()),
            Arc::new(experience.finish()),
            Arc::new(gap.finish()),
            Arc::new(score.finish()),
            Arc::new(shortlisted.finish()),
            Arc::new(qualified.finish()),
            Arc::new(hired.finish()),
        ];
        // The columns are built above to match the schema exactly, with equal
        // lengths and no nulls, so this cannot fail.
        Some(
            RecordBatch::try_new(self.schema.clone(), columns)
                .expect("hiring columns match hiring_schema"),
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let batches = self.rows.remaining.div_ceil(self.batch_size);
        (batches, Some(batches))
    }
}

/// Appends the decimal text of `v` to `buf`.
fn push_uint(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Appends a non-negative value with exactly `decimals` digits after the
/// point (`scale` is `10^decimals`, at most `10^19`). The text parses back to
/// the same `f64` when the value was rounded with [`quantise`] at that scale.
fn push_fixed(buf: &mut Vec<u8>, x: f64, decimals: usize, scale: u64) {
    let units = (x * scale as f64).round() as u64;
    push_uint(buf, units / scale);
    buf.push(b'.');
    let mut frac = units % scale;
    let mut digits = [b'0'; 19];
    for d in digits[..decimals].iter_mut().rev() {
        *d = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    buf.extend_from_slice(&digits[..decimals]);
}

/// Writes [`HiringConfig::rows`] rows of the hiring example to `path` as CSV
/// with a header line: the same rows as [`hiring_batches`] yields, with
/// `years_experience` and `career_gap_years` written with one decimal and
/// `score` with six (the values are already rounded to those places, so
/// nothing is lost). Creates or truncates the file.
///
/// Writing is buffered and streams row by row, so memory use does not grow
/// with the row count; 10,000,000 rows take a few seconds.
///
/// # Errors
///
/// Any error creating or writing the file.
pub fn write_hiring_csv(path: &Path, cfg: &HiringConfig) -> io::Result<()> {
    let file = File::create(path)?;
    let mut wtr = ::csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(file);
    wtr.write_record(COLUMNS)?;
    let mut buf: Vec<u8> = Vec::with_capacity(24);
    for row in RowGen::new(cfg) {
        buf.clear();
        push_uint(&mut buf, row.id as u64);
        wtr.write_field(&buf)?;
        wtr.write_field(row.gender)?;
        wtr.write_field(row.race)?;
        buf.clear();
        push_uint(&mut buf, row.age as u64);
        wtr.write_field(&buf)?;
        wtr.write_field(row.education)?;
        buf.clear();
        push_fixed(&mut buf, row.years_experience, 1, 10);
        wtr.write_field(&buf)?;
        buf.clear();
        push_fixed(&mut buf, row.career_gap_years, 1, 10);
        wtr.write_field(&buf)?;
        buf.clear();
        push_fixed(&mut buf, row.score, 6, 1_000_000);
        wtr.write_field(&buf)?;
        wtr.write_field(if row.shortlisted { "1" } else { "0" })?;
        wtr.write_field(if row.qualified { "1" } else { "0" })?;
        wtr.write_field(if row.hired { "1" } else { "0" })?;
        wtr.write_record(None::<&[u8]>)?;
    }
    wtr.flush()?;
    Ok(())
}

/// Writes [`HiringConfig::rows`] rows of the hiring example to `path` as a
/// Snappy-compressed Parquet file with the schema [`hiring_schema`]: the same
/// rows as [`hiring_batches`] yields. Creates or truncates the file. Memory
/// use is bounded by the writer's row-group buffer, not the row count.
///
/// # Errors
///
/// Any error creating the file, or encoding or writing Parquet.
pub fn write_hiring_parquet(path: &Path, cfg: &HiringConfig) -> Result<(), ParquetError> {
    let file = File::create(path)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(file, hiring_schema(), Some(props))?;
    for batch in hiring_batches(cfg, PARQUET_BATCH_ROWS) {
        writer.write(&batch)?;
    }
    writer.close()?;
    Ok(())
}
