//! Where a table comes from: one data file read with [`ReadOptions`], and optionally a second
//! file, row-aligned with it, that holds the model's outputs (predictions, scores). Every
//! workflow that reads a table opens it through [`TableInput::open`], so the columns a
//! request names are taken from whichever of the two files has them, the same way in every
//! front end.

use std::path::{Path, PathBuf};

use assay_data::csv::{CsvOptions, TextType};
use assay_data::source::{self, ColumnRequest};
use assay_data::zip::ZipStreams;
use assay_data::{BatchStream, DataError, ReadOptions};

/// How to read input tables.
#[derive(Debug, Clone, Default)]
pub struct TableInput {
    /// How the data file is read (format, CSV dialect, batch size).
    pub options: ReadOptions,
    /// A second file, row-aligned with the data, holding prediction or score columns. It
    /// always has its own header and its format is told from the file.
    pub predictions: Option<PathBuf>,
}

impl TableInput {
    /// Reads with `options` and no predictions file.
    pub fn new(options: ReadOptions) -> TableInput {
        TableInput {
            options,
            predictions: None,
        }
    }

    /// Opens `data` (joined column-wise with the predictions file, if any) as one stream of
    /// the requested `columns`; with `all_columns`, every column of the data file too (the
    /// columns not requested are read as text).
    pub fn open(
        &self,
        data: &Path,
        columns: &[ColumnRequest],
        all_columns: bool,
    ) -> Result<BatchStream, DataError> {
        let opts = &self.options;
        let Some(pred_path) = &self.predictions else {
            let cols = (!all_columns).then_some(columns);
            return source::open(data, opts, cols);
        };
        // Split the requested columns between the two files by name.
        let pred_names = source::column_names(
            pred_path,
            &ReadOptions {
                csv: CsvOptions::default(),
                ..opts.clone()
            },
        )?;
        let (in_pred, in_data): (Vec<ColumnRequest>, Vec<ColumnRequest>) = columns
            .iter()
            .cloned()
            .partition(|c| pred_names.contains(&c.name));
        let left = if all_columns {
            let keep: Vec<ColumnRequest> = source::column_names(data, opts)?
                .into_iter()
                .filter(|n| !pred_names.contains(n))
                .map(|n| {
                    in_data
                        .iter()
                        .find(|c| c.name == n)
                        .cloned()
                        .unwrap_or(ColumnRequest {
                            name: n,
                            text_as: TextType::Utf8,
                            role: "column".into(),
                        })
                })
                .collect();
            source::open(data, opts, Some(&keep))?
        } else {
            source::open(data, opts, Some(&in_data))?
        };
        // The predictions file always has its own header.
        let popts = ReadOptions {
            csv: CsvOptions {
                has_header: true,
                columns: None,
                ..opts.csv.clone()
            },
            format: None,
            ..opts.clone()
        };
        let right = source::open(pred_path, &popts, Some(&in_pred))?;
        Ok(ZipStreams::new(left, right)?.into_stream())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str) -> ColumnRequest {
        ColumnRequest {
            name: name.into(),
            text_as: TextType::Utf8,
            role: "column".into(),
        }
    }

    #[test]
    fn columns_come_from_the_file_that_has_them() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let preds = dir.path().join("p.csv");
        std::fs::write(&data, "a,b\n1,x\n2,y\n").unwrap();
        std::fs::write(&preds, "score\n0.1\n0.9\n").unwrap();
        let input = TableInput {
            options: ReadOptions::default(),
            predictions: Some(preds),
        };
        let batches: Vec<_> = input
            .open(&data, &[request("b"), request("score")], false)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let names: Vec<String> = batches[0]
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["b", "score"]);
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
        let all: Vec<_> = input
            .open(&data, &[request("score")], true)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(all[0].num_columns(), 3);
    }

    #[test]
    fn files_of_different_lengths_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let preds = dir.path().join("p.csv");
        std::fs::write(&data, "a\n1\n2\n3\n").unwrap();
        std::fs::write(&preds, "score\n0.1\n").unwrap();
        let input = TableInput {
            options: ReadOptions::default(),
            predictions: Some(preds),
        };
        let result: Result<Vec<_>, _> = input
            .open(&data, &[request("a"), request("score")], false)
            .and_then(|s| s.collect());
        assert!(result.is_err());
    }
}
