//! `assay`: responsible-AI checks for models that decide about people.
//!
//! Exit codes: 0 ok, 1 a policy check failed, 2 usage or input error.

mod example_cmd;
mod fairness_cmd;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// assay audits machine-learning models that make decisions about people.
///
/// Start with the shipped example:
///
///   assay example hiring --out hiring.csv
///
///   assay fairness hiring.csv --label qualified --prediction shortlisted --score score --sensitive gender,race --html report.html
///
/// Exit codes: 0 ok, 1 a policy check failed, 2 usage or input error.
#[derive(Parser)]
#[command(name = "assay", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Is the model biased, against whom, and how sure are we? Metrics by group, disparities with intervals, a bias scan and a policy gate.
    Fairness(Box<fairness_cmd::FairnessArgs>),
    /// Write a seeded synthetic example dataset.
    Example(example_cmd::ExampleArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fairness(args) => fairness_cmd::run(*args),
        Command::Example(args) => example_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
