//! Writing an output file (a report, a page, a model, a downloaded artifact): always through
//! [`assay_data::atomic::write_atomic`], so that a crash, a kill or a full disk leaves the old
//! file or the new one, never half of one.

use std::path::Path;

/// The format of a command's report on standard output, the same in every command: `text`, a
/// readable summary (`table` is accepted too, as the name some commands used), or `json`, the
/// typed report (`assay_core::reports`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable summary.
    #[value(alias = "table")]
    Text,
    /// The typed report as JSON.
    Json,
}

/// Replaces `path` with `bytes` atomically; an error names the file and what failed.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    assay_data::atomic::write_atomic(path, bytes.as_ref())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The refusal to write a secret over the existing file `path` (given with `flag`).
pub fn secret_file_exists(path: &Path, flag: &str) -> String {
    format!(
        "{flag} {}: the file exists; a secret is never written over a file (remove it first if you mean to)",
        path.display()
    )
}

/// Writes `secret` and a newline to a new file at `path`, readable by its owner only (mode
/// 0600 from creation, so it is never readable by others even for a moment); an existing file
/// is never overwritten. `flag` names the option in messages.
pub fn write_private(path: &Path, secret: &str, flag: &str) -> Result<(), String> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => secret_file_exists(path, flag),
        _ => format!("{flag} {}: {e}", path.display()),
    })?;
    writeln!(f, "{secret}")
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{flag} {}: {e}", path.display()))
}

/// `x` to `digits` significant digits, rounded up (towards +∞): the form an upper bound takes
/// in text output, where more digits would claim a precision the bound does not have and
/// rounding down would understate it (an ε, or the noise a target ε needs). JSON keeps every
/// digit.
pub fn up_to_sig(x: f64, digits: i32) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0);
    let scale = 10f64.powi(digits - 1 - magnitude);
    let rounded = (x * scale).ceil() / scale;
    // ceil on a value already at `digits` digits must not add one in the last place.
    let exact = format!("{:.*}", decimals as usize, x);
    if exact.parse::<f64>().is_ok_and(|e| e == x) {
        return exact;
    }
    format!("{:.*}", decimals as usize, rounded)
}

#[cfg(test)]
mod tests {
    use super::up_to_sig;

    #[test]
    fn four_significant_digits_rounded_up() {
        assert_eq!(up_to_sig(1.7117701662428981, 4), "1.712");
        assert_eq!(up_to_sig(0.12341, 4), "0.1235");
        assert_eq!(up_to_sig(8.0, 4), "8.000");
        assert_eq!(up_to_sig(1234.5, 4), "1235");
        assert_eq!(up_to_sig(1.5, 4), "1.500");
        assert_eq!(up_to_sig(0.000123456, 4), "0.0001235");
    }
}
