//! `assay example`: seeded synthetic datasets that show what assay finds.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use assay_data::synthetic::{write_hiring_csv, write_hiring_parquet, HiringConfig};

use crate::counts;

/// Which example to write.
#[derive(Clone, Copy, ValueEnum)]
pub enum Example {
    /// Resume screening: a biased screening score (women and Black applicants are shortlisted less often at equal qualification; worst for Black women).
    Hiring,
}

/// Arguments of `assay example`.
#[derive(Args)]
pub struct ExampleArgs {
    /// The example.
    #[arg(value_enum)]
    example: Example,
    /// Output file; `.parquet` writes Parquet, anything else CSV.
    #[arg(long, short, default_value = "hiring.csv")]
    out: PathBuf,
    /// Number of rows.
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 5000)]
    rows: usize,
    /// Random seed (the same seed always gives the same file).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Runs `assay example`.
pub fn run(a: ExampleArgs) -> Result<ExitCode, String> {
    let cfg = HiringConfig {
        rows: a.rows,
        seed: a.seed,
    };
    match a.example {
        Example::Hiring => {
            let parquet = a
                .out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
            if parquet {
                write_hiring_parquet(&a.out, &cfg)
                    .map_err(|e| format!("{}: {e}", a.out.display()))?;
            } else {
                write_hiring_csv(&a.out, &cfg).map_err(|e| format!("{}: {e}", a.out.display()))?;
            }
        }
    }
    eprintln!("wrote {} rows to {}", a.rows, a.out.display());
    Ok(ExitCode::SUCCESS)
}
