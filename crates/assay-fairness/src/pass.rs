//! The single streaming pass of an assessment: reading (on its own thread)
//! and accumulating group statistics and the bias scan, and the columns the
//! pass asks the data layer for.

use assay_data::{BatchStream, ColumnRoles};

use crate::accumulate::{Accumulator, GroupTable, PassOptions};
use crate::assess::{AssessOptions, FairnessError};
use crate::scan::{BiasScan, ScanAccumulator};

/// Reads the stream once (reading and accumulating run on two threads).
pub(crate) fn pass(
    stream: BatchStream,
    opts: &AssessOptions,
) -> Result<(GroupTable, Option<BiasScan>), FairnessError> {
    let path = stream.path().to_path_buf();
    let mut acc = Accumulator::new(PassOptions {
        roles: opts.roles.clone(),
        drop_invalid: opts.drop_invalid,
        path: path.clone(),
    });
    let roles = &opts.roles;
    let role_cols: Vec<&String> = std::iter::once(&roles.label)
        .chain(roles.prediction.iter())
        .chain(roles.score.iter())
        .chain(roles.weight.iter())
        .chain(roles.sensitive.iter())
        .chain(roles.outcomes.iter())
        .collect();
    let mut scan = opts.scan.then(|| {
        let cols: Vec<String> = stream
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| !role_cols.contains(&n))
            .collect();
        ScanAccumulator::new(cols, roles.sensitive.clone())
    });
    std::thread::scope(|s| -> Result<(), FairnessError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        s.spawn(move || {
            for b in stream {
                if tx.send(b).is_err() {
                    break;
                }
            }
        });
        for b in rx {
            let b = b?;
            acc.update(&b)?;
            if let Some(sc) = scan.as_mut() {
                sc.update(&b, acc.last_codes(), Some(acc.last_valid()))
                    .map_err(|m| {
                        FairnessError::Input(format!("{}: bias scan: {m}", path.display()))
                    })?;
            }
        }
        Ok(())
    })?;
    let values = acc.feature_values();
    let scan = scan.map(|s| s.finish(&values));
    Ok((acc.finish(), scan))
}

/// The columns an assessment reads, and how CSV text is decoded for each:
/// scores, weights and binned sensitive features as numbers, the rest as text.
pub fn column_requests(roles: &ColumnRoles) -> Vec<assay_data::source::ColumnRequest> {
    use assay_data::csv::TextType;
    use assay_data::source::ColumnRequest;
    let req = |name: &str, text_as: TextType, role: &str| ColumnRequest {
        name: name.to_string(),
        text_as,
        role: role.to_string(),
    };
    let mut v = vec![req(&roles.label, TextType::Utf8, "label")];
    if let Some(p) = &roles.prediction {
        v.push(req(p, TextType::Utf8, "prediction"));
    }
    if let Some(s) = &roles.score {
        v.push(req(s, TextType::Float64, "score"));
    }
    if let Some(w) = &roles.weight {
        v.push(req(w, TextType::Float64, "weight"));
    }
    for s in &roles.sensitive {
        let t = if roles.binning(s).is_some() {
            TextType::Float64
        } else {
            TextType::Utf8
        };
        v.push(req(s, t, "sensitive feature"));
    }
    v
}
