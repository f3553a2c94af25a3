//! `assay log verify`: checks the governance database's hash-chained audit log
//! (`assay_govern::audit`), optionally against an exported signed checkpoint
//! (`assay_govern::checkpoint`). Exit 0 when the chain (and checkpoint) verify, 1 when they do
//! not (naming the first entry that does not verify), 2 on usage or input errors (no such
//! database, unreadable or malformed checkpoint file).

pub mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use assay_govern::audit::{self, to_hex, ChainReport};
use assay_govern::checkpoint::{self, Checkpoint};
use assay_govern::db::Db;
use clap::{Args, Subcommand};

/// `assay log` subcommands.
#[derive(Subcommand)]
pub enum LogCommand {
    /// Verify the audit log's hash chain, and against an exported signed checkpoint (--checkpoint) to detect truncation and rewrites; names the first entry that does not verify.
    Verify(VerifyArgs),
    /// Print the Ed25519 public key (64 hex digits) of a checkpoint signing key file (the file
    /// `assay serve --checkpoint-key` writes): what auditors pass to `assay log verify
    /// --public-key`. The private key itself is never printed.
    PublicKey(PublicKeyArgs),
}

/// Arguments of `assay log public-key`.
#[derive(Args)]
pub struct PublicKeyArgs {
    /// The checkpoint signing key file (the Ed25519 seed as 64 hex digits).
    #[arg(long)]
    pub key: PathBuf,
}

/// Arguments of `assay log verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The governance database: a SQLite file path or a postgres:// URL.
    #[arg(long)]
    pub db: String,
    /// An exported checkpoint (assay.checkpoint/1 JSON) the log must extend.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// With --checkpoint: the Ed25519 public key (64 hex digits) the checkpoint must be signed
    /// with; without it the checkpoint's own key is used (integrity only, not origin).
    #[arg(long, requires = "checkpoint")]
    pub public_key: Option<String>,
}

/// Runs an `assay log` subcommand.
pub fn run(cmd: LogCommand) -> Result<ExitCode, String> {
    match cmd {
        LogCommand::Verify(a) => verify(a),
        LogCommand::PublicKey(a) => public_key(a),
    }
}

fn public_key(a: PublicKeyArgs) -> Result<ExitCode, String> {
    let text =
        std::fs::read_to_string(&a.key).map_err(|e| format!("--key {}: {e}", a.key.display()))?;
    // The key's text is never repeated in an error (it is a secret).
    let key = checkpoint::parse_signing_key(&text)
        .map_err(|e| format!("--key {}: {e}", a.key.display()))?;
    let public: String = key
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    outln!("{public}");
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, String> {
    let cp = match &a.checkpoint {
        None => None,
        Some(path) => Some(Checkpoint::read_file(path).map_err(|e| e.to_string())?),
    };
    // The key's text is never repeated in the message: a private key pasted here by mistake
    // must not end up in the terminal, shell history excepted, or in CI logs.
    let trusted = match (&a.public_key, &cp) {
        (Some(text), Some(cp)) => Some(
            checkpoint::parse_trusted_key(text, cp).map_err(|e| format!("--public-key: {e}"))?,
        ),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let db = Db::open_existing(&a.db).await.map_err(|e| e.to_string())?;
        let report = match &cp {
            None => audit::verify(&db).await.map_err(|e| e.to_string())?,
            Some(cp) => {
                if let Err(e) = cp.verify_signature(trusted.as_ref()) {
                    outln!("audit log does NOT verify: {e}");
                    return Ok(ExitCode::from(1));
                }
                checkpoint::verify_against(&db, cp, trusted.as_ref())
                    .await
                    .map_err(|e| e.to_string())?
            }
        };
        db.close().await;
        Ok(print_report(&report, cp.as_ref()))
    })
}

fn print_report(report: &ChainReport, cp: Option<&Checkpoint>) -> ExitCode {
    match &report.problem {
        Some(p) => {
            outln!(
                "audit log does NOT verify: first bad entry is seq {}: {} ({} entries before it verified)",
                p.seq, p.kind, report.verified
            );
            ExitCode::from(1)
        }
        None => {
            let head = match report.head {
                Some((seq, hash)) => format!("head seq {seq}, hash {}", to_hex(&hash)),
                None => "empty log".to_string(),
            };
            let against = match cp {
                Some(cp) => format!("; extends the checkpoint at seq {}", cp.seq),
                None => String::new(),
            };
            outln!(
                "audit log verifies: {} entries, {head}{against}",
                report.verified
            );
            ExitCode::SUCCESS
        }
    }
}
