//! `assay pii mask` and `assay pii decrypt`.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use rayon::prelude::*;

use assay_data::sink::{self, TableWriter};
use assay_data::Format as DataFormat;
use assay_pii::operators::{decrypt_text, Masked, Masker, Operator};

use super::columns::classify;
use super::io::{display_name, open_bytes, read_text, AtomicOut, LineReader};
use super::{analyzer, load_keys, DecryptArgs, MaskArgs, MaskFormat};

fn parse_operators(specs: &[String]) -> Result<(HashMap<String, Operator>, Operator), String> {
    let known = assay_pii::column_names::column_entities();
    let mut ops = HashMap::new();
    let mut default = Operator::Replace(None);
    for s in specs {
        let (t, op) = s
            .split_once('=')
            .ok_or_else(|| format!("--operator {s}: expected TYPE=OP[:ARG], e.g. US_SSN=mask:4"))?;
        let op = Operator::parse(op).map_err(|e| format!("--operator {s}: {e}"))?;
        if t == "*" {
            default = op;
        } else if known.contains(&t) {
            ops.insert(t.to_string(), op);
        } else {
            return Err(format!(
                "--operator {s}: unknown entity type `{t}`; known: {}",
                known.join(", ")
            ));
        }
    }
    Ok((ops, default))
}

pub fn run(a: MaskArgs) -> Result<ExitCode, String> {
    let analyzer = analyzer(&a.detect)?;
    let (ops, default) = parse_operators(&a.operators)?;
    let masker = Masker::new(ops, default, load_keys(&a.key)?).map_err(|e| e.to_string())?;
    if a.detect.columns {
        return mask_csv(&a, &analyzer, &masker);
    }
    if a.id_column.is_some() {
        return Err(
            "--id-column is for CSV input with --columns; use --person-id for text".to_string(),
        );
    }
    if masker.shifts_dates() && a.person_id.is_none() {
        return Err(
            "date_shift needs --person-id (text input) or --columns with --id-column (CSV input)"
                .to_string(),
        );
    }
    let mut reader = LineReader::open(&a.input)?;
    let mut out = AtomicOut::create(&a.out)?;
    let w = |e: std::io::Error| format!("--out {}: {e}", a.out.display());
    let person = a.person_id.as_deref();
    let mut whole = String::new();
    let mut items = Vec::new();
    let mut out_chars = 0usize;
    loop {
        let chunk = reader.next_chunk()?;
        if chunk.is_empty() {
            break;
        }
        let masked: Vec<Result<Masked, String>> = chunk
            .par_iter()
            .map(|l| {
                masker
                    .mask(&l.text, &analyzer.analyze(&l.text), person)
                    .map_err(|e| format!("{} line {}: {e}", display_name(&a.input), l.number))
            })
            .collect();
        for (l, m) in chunk.iter().zip(masked) {
            let m = m?;
            match a.format {
                MaskFormat::Text => {
                    out.write_all(m.text.as_bytes()).map_err(w)?;
                    out.write_all(l.terminator.as_bytes()).map_err(w)?;
                }
                MaskFormat::Presidio => {
                    for mut it in m.items {
                        it.start += out_chars;
                        it.end += out_chars;
                        items.push(it);
                    }
                    out_chars += m.text.chars().count() + l.terminator.len();
                    whole.push_str(&m.text);
                    whole.push_str(l.terminator);
                }
            }
        }
    }
    if a.format == MaskFormat::Presidio {
        let doc = Masked { text: whole, items };
        serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())?;
        out.write_all(b"\n").map_err(w)?;
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

fn mask_csv(
    a: &MaskArgs,
    analyzer: &assay_pii::Analyzer,
    masker: &Masker,
) -> Result<ExitCode, String> {
    if a.input.as_os_str() == "-" {
        return Err(
            "--columns reads the CSV twice (sample, then mask); give a file, not stdin".to_string(),
        );
    }
    if a.format != MaskFormat::Text {
        return Err("--format presidio is for text input; --columns writes CSV".to_string());
    }
    let name = display_name(&a.input);
    let (headers, classes) = classify(&a.input, analyzer, a.detect.sample, a.detect.min_share)?;
    let id_col = match &a.id_column {
        Some(c) => Some(
            headers
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| format!("--id-column {c}: no such column in {name}"))?,
        ),
        None => None,
    };
    if masker.shifts_dates() && id_col.is_none() {
        return Err(
            "date_shift on a CSV needs --id-column (the column holding each row's person id)"
                .to_string(),
        );
    }
    let masked_cols: Vec<(usize, String)> = classes
        .iter()
        .enumerate()
        .filter_map(|(j, c)| c.entity_type.clone().map(|t| (j, t)))
        .collect();
    for line in super::columns::mask_plan(&classes, a.detect.min_share) {
        eprintln!("{line}");
    }
    let mut out = AtomicOut::create(&a.out)?;
    {
        let mut rdr = csv::ReaderBuilder::new().from_reader(open_bytes(&a.input)?);
        let mut table = TableWriter::to_stream(
            Box::new(&mut out),
            &a.out.display().to_string(),
            DataFormat::Csv,
            sink::text_schema(&headers),
        )
        .map_err(|e| e.to_string())?;
        let mut row: Vec<String> = Vec::with_capacity(headers.len());
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| format!("{name}: {e}"))?;
            row.clear();
            row.extend(rec.iter().map(str::to_string));
            let person = id_col.map(|k| row[k].clone());
            for (j, t) in &masked_cols {
                if row[*j].is_empty() {
                    continue;
                }
                let entity: &'static str = assay_pii::column_names::column_entities()
                    .into_iter()
                    .find(|e| e == t)
                    .unwrap_or("PII");
                let op = masker.op_for(entity);
                row[*j] = masker
                    .apply(op, entity, &row[*j], person.as_deref())
                    .map_err(|e| format!("{name} row {}: {e}", i + 1))?;
            }
            table
                .write_text_row(row.iter().map(|c| Some(c.as_str())))
                .map_err(|e| e.to_string())?;
        }
        table.finish().map_err(|e| e.to_string())?;
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_decrypt(a: DecryptArgs) -> Result<ExitCode, String> {
    let keys = load_keys(&a.key)?
        .ok_or("assay pii decrypt needs a key: --key-file, --key-env or ASSAY_PII_KEY")?;
    let text = read_text(&a.input)?;
    let plain =
        decrypt_text(&text, &keys).map_err(|e| format!("{}: {e}", display_name(&a.input)))?;
    let mut out = AtomicOut::create(&a.out)?;
    out.write_all(plain.as_bytes())
        .map_err(|e| format!("--out {}: {e}", a.out.display()))?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}
