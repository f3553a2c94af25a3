//! One column of a record batch read as booleans, numbers or text, whatever Arrow type the
//! file gave it, and its cells read with the checks a role needs (a finite number, a present
//! value) and errors that name the file, column and row.
//!
//! Every reader of role columns (fairness accumulators, design matrices, explanations, DP
//! queries) goes through [`view`], so a CSV, Parquet or Arrow IPC file with text, booleans,
//! any integer or float width, or dictionary-encoded text is read the same everywhere.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, StringArray};
use arrow_schema::DataType;

use crate::DataError;

/// A column of one batch, normalised to one of three shapes.
pub enum ColumnView {
    /// Booleans.
    Bool(BooleanArray),
    /// Numbers (every integer and float type, cast to f64).
    Num(Float64Array),
    /// Text (Utf8, LargeUtf8, Utf8View and dictionary-encoded text, cast to Utf8).
    Text(StringArray),
}

/// Normalises `array` (from column `column` of `path`).
pub fn view(array: &ArrayRef, path: &Path, column: &str) -> Result<ColumnView, DataError> {
    let cast = |to: &DataType| {
        arrow_cast::cast(array, to).map_err(|e| DataError::BadColumn {
            path: path.to_path_buf(),
            column: column.to_string(),
            message: format!("cannot read {} values: {e}", array.data_type()),
        })
    };
    Ok(match array.data_type() {
        DataType::Boolean => ColumnView::Bool(array.as_boolean().clone()),
        DataType::Utf8 => ColumnView::Text(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            ColumnView::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone())
        }
        dt if dt.is_numeric() => ColumnView::Num(cast(&DataType::Float64)?.as_primitive().clone()),
        other => {
            return Err(DataError::BadColumn {
                path: path.to_path_buf(),
                column: column.to_string(),
                message: format!(
                    "unsupported column type {other}: expected text, a number or a boolean"
                ),
            })
        }
    })
}

/// The error for a missing cell of a column whose `role` ("feature", "label", ...) needs a
/// value in every row; `row` counts data rows from 1.
pub fn missing(path: &Path, column: &str, row: u64, role: &str) -> DataError {
    DataError::bad_value(
        path,
        column,
        row,
        format!("missing value; the {role} needs a value in every row"),
    )
}

impl ColumnView {
    /// Whether cell `i` is null.
    pub fn is_null(&self, i: usize) -> bool {
        match self {
            ColumnView::Text(a) => a.is_null(i),
            ColumnView::Num(a) => a.is_null(i),
            ColumnView::Bool(a) => a.is_null(i),
        }
    }

    /// Cell `i` as text (numbers in Rust's shortest round-trip form, booleans as
    /// `true`/`false`); `None` when it is null.
    pub fn text(&self, i: usize) -> Option<String> {
        match self {
            ColumnView::Text(a) => a.is_valid(i).then(|| a.value(i).to_string()),
            ColumnView::Num(a) => a.is_valid(i).then(|| a.value(i).to_string()),
            ColumnView::Bool(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        }
    }

    /// Cell `i` as a finite number; otherwise an error naming `path`, `column`, the data row
    /// `row` (from 1) and what the `role` expected.
    pub fn number(
        &self,
        i: usize,
        path: &Path,
        column: &str,
        row: u64,
        role: &str,
    ) -> Result<f64, DataError> {
        let bad = |message: String| DataError::bad_value(path, column, row, message);
        let x = match self {
            ColumnView::Num(a) if a.is_valid(i) => a.value(i),
            _ if self.is_null(i) => return Err(missing(path, column, row, role)),
            ColumnView::Text(a) => {
                return Err(bad(format!(
                    "expected a number for the {role}, found '{}'",
                    a.value(i)
                )))
            }
            _ => {
                return Err(bad(format!(
                    "expected a number for the {role}, found a boolean"
                )))
            }
        };
        if !x.is_finite() {
            return Err(bad(format!(
                "expected a finite number for the {role}, found {x}"
            )));
        }
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int8Type;
    use arrow_array::{DictionaryArray, Int32Array, Int8Array};

    use super::*;

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    #[test]
    fn every_integer_width_and_dictionary_text_is_read() {
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), None]));
        let v = view(&ints, p(), "a").unwrap();
        assert_eq!(v.number(0, p(), "a", 1, "feature").unwrap(), 3.0);
        assert!(v.is_null(1));
        assert_eq!(v.text(0).as_deref(), Some("3"));
        let dict: DictionaryArray<Int8Type> = vec!["x", "y", "x"].into_iter().collect();
        let dict: ArrayRef = Arc::new(dict);
        let v = view(&dict, p(), "d").unwrap();
        assert_eq!(v.text(2).as_deref(), Some("x"));
        let small: ArrayRef = Arc::new(Int8Array::from(vec![-1]));
        assert!(matches!(
            view(&small, p(), "s").unwrap(),
            ColumnView::Num(_)
        ));
    }

    #[test]
    fn cell_errors_name_file_column_row_and_role() {
        let text: ArrayRef = Arc::new(StringArray::from(vec![Some("abc"), None]));
        let v = view(&text, p(), "age").unwrap();
        let e = v
            .number(0, p(), "age", 7, "feature")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv") && e.contains("'age'") && e.contains("row 7"),
            "{e}"
        );
        assert!(
            e.contains("expected a number for the feature, found 'abc'"),
            "{e}"
        );
        let e = v.number(1, p(), "age", 8, "label").unwrap_err().to_string();
        assert!(
            e.contains("missing value; the label needs a value in every row"),
            "{e}"
        );
        let nan: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN]));
        let v = view(&nan, p(), "x").unwrap();
        let e = v.number(0, p(), "x", 1, "weight").unwrap_err().to_string();
        assert!(
            e.contains("expected a finite number for the weight, found NaN"),
            "{e}"
        );
    }

    #[test]
    fn unsupported_types_are_named() {
        let bin: ArrayRef = Arc::new(arrow_array::BinaryArray::from(vec![b"a".as_ref()]));
        let e = view(&bin, p(), "b").err().unwrap().to_string();
        assert!(e.contains("unsupported column type Binary"), "{e}");
    }
}
