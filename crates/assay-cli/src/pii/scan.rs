//! `assay pii scan`.

use std::io::{self, Write};
use std::process::ExitCode;

use assay_core::reports::pii::{PiiFinding, PresidioFinding};
use rayon::prelude::*;

use super::io::LineReader;
use super::{analyzer, columns, ScanArgs, ScanFormat};

pub fn run(a: ScanArgs) -> Result<ExitCode, String> {
    let analyzer = analyzer(&a.detect)?;
    if a.detect.columns {
        return columns::scan(&a, &analyzer);
    }
    let mut reader = LineReader::open(&a.input)?;
    let mut out = io::BufWriter::new(crate::stdout::lock());
    let w = |e: io::Error| format!("stdout: {e}");
    let mut first = true;
    if a.format != ScanFormat::Text {
        out.write_all(b"[").map_err(w)?;
    }
    let mut total = 0usize;
    loop {
        let chunk = reader.next_chunk()?;
        if chunk.is_empty() {
            break;
        }
        let found: Vec<Vec<assay_pii::Finding>> = chunk
            .par_iter()
            .map(|l| analyzer.analyze(&l.text))
            .collect();
        for (l, fs) in chunk.iter().zip(found) {
            for f in fs {
                total += 1;
                let value = &l.text[f.start..f.end];
                match a.format {
                    ScanFormat::Text => writeln!(
                        out,
                        "{}:{} {} {:.2} {} {}",
                        l.number,
                        f.char_start + 1,
                        f.entity_type,
                        f.score,
                        f.rule,
                        value
                    )
                    .map_err(w)?,
                    ScanFormat::Json | ScanFormat::Presidio => {
                        let v = if a.format == ScanFormat::Json {
                            serde_json::to_string(&PiiFinding {
                                entity_type: f.entity_type.into(),
                                start: l.byte_offset + f.start,
                                end: l.byte_offset + f.end,
                                char_start: l.char_offset + f.char_start,
                                char_end: l.char_offset + f.char_end,
                                line: l.number,
                                score: f.score,
                                rule: f.rule.into(),
                                context_word: f.context_word.map(Into::into),
                                text: value.into(),
                            })
                        } else {
                            serde_json::to_string(&PresidioFinding {
                                entity_type: f.entity_type.into(),
                                start: l.char_offset + f.char_start,
                                end: l.char_offset + f.char_end,
                                score: f.score,
                            })
                        }
                        .map_err(|e| e.to_string())?;
                        let sep = if first { "\n" } else { ",\n" };
                        first = false;
                        write!(out, "{sep}{v}").map_err(w)?;
                    }
                }
            }
        }
    }
    if a.format != ScanFormat::Text {
        out.write_all(b"\n]\n").map_err(w)?;
    }
    out.flush().map_err(w)?;
    if a.format == ScanFormat::Text && total == 0 {
        eprintln!("no personal data found");
    }
    Ok(ExitCode::SUCCESS)
}
