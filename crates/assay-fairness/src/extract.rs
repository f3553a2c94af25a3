//! Turning the role columns of a record batch into plain per-row vectors
//! (labels, predictions, scores, weights) with the checks each role needs.
//! Any Arrow type a CSV, Parquet or IPC file can carry is accepted: text,
//! booleans, integers, floats, dictionary-encoded text.

use arrow_array::Array;

use assay_data::column::ColumnView;

/// The up-to-two distinct values seen in a binary column, to reject a third.
#[derive(Debug, Clone, Default)]
pub struct BinarySeen {
    values: Vec<String>,
}

impl BinarySeen {
    /// The distinct values seen so far (at most two).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Adds the values another reader of the same column saw; an error if
    /// together they make more than two.
    pub fn merge(&mut self, other: &BinarySeen) -> Result<(), String> {
        other.values.iter().try_for_each(|v| self.check_text(v))
    }

    #[inline]
    fn check_text(&mut self, v: &str) -> Result<(), String> {
        if self.values.iter().any(|x| x == v) {
            return Ok(());
        }
        if self.values.len() == 2 {
            return Err(format!(
                "expected a binary column, found a third value '{v}' (besides '{}' and '{}')",
                self.values[0], self.values[1]
            ));
        }
        self.values.push(v.to_string());
        Ok(())
    }

    #[inline]
    fn check_num(&mut self, v: f64) -> Result<(), String> {
        // Numbers are compared by value; format only when new.
        if self.values.iter().any(|x| x.parse::<f64>().ok() == Some(v)) {
            return Ok(());
        }
        self.check_text(&fmt_num(v))
    }
}

/// Formats a number the way it is displayed as a group or label value.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A problem with one cell (`row` is the index within the batch) or with the
/// whole column (`row` is `None`).
#[derive(Debug, Clone)]
pub struct CellError {
    /// Row within the batch, if the problem is one cell.
    pub row: Option<usize>,
    /// What was found and what was expected.
    pub message: String,
    /// The option that would make the cell readable (`positive`, `bins`), when one would.
    pub option: Option<&'static str>,
}

impl From<String> for CellError {
    fn from(message: String) -> Self {
        CellError {
            row: None,
            message,
            option: None,
        }
    }
}

impl CellError {
    /// The cell (or, without a row, the column) is fixed by `option`.
    pub fn needs(option: &'static str, row: Option<usize>, message: String) -> CellError {
        CellError {
            row,
            message,
            option: Some(option),
        }
    }
}

fn at(i: usize, message: String) -> CellError {
    CellError {
        row: Some(i),
        message,
        option: None,
    }
}

/// How the positive class is recognised in a binary column.
#[derive(Debug, Clone)]
pub struct PositiveSpec {
    /// The positive value named by the user, if any.
    pub value: Option<String>,
}

/// Reads a binary role column into `out` (true = positive). Rows that are
/// missing are reported through `invalid(row_in_batch, message)`, which
/// either records them (when invalid rows are dropped) or turns them into an error.
pub fn read_binary(
    col: &ColumnView,
    positive: &PositiveSpec,
    seen: &mut BinarySeen,
    out: &mut Vec<bool>,
    mut invalid: impl FnMut(usize, String) -> Result<(), CellError>,
) -> Result<(), CellError> {
    out.clear();
    match col {
        ColumnView::Bool(a) => {
            let pos = match positive.value.as_deref() {
                None => true,
                Some(p) => match p.to_ascii_lowercase().as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(CellError::needs(
                            "positive",
                            None,
                            format!(
                            "the positive value '{p}' is not a boolean, but the column is boolean"
                        ),
                        ))
                    }
                },
            };
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell".into())?;
                    out.push(false);
                } else {
                    out.push(a.value(i) == pos);
                }
            }
        }
        ColumnView::Num(a) => {
            let pos = match positive.value.as_deref() {
                None => None,
                Some(p) => Some(p.trim().parse::<f64>().map_err(|_| {
                    CellError::needs(
                        "positive",
                        None,
                        format!("the positive value '{p}' is not a number, but the column holds numbers"),
                    )
                })?),
            };
            for i in 0..a.len() {
                let v = a.value(i);
                if a.is_null(i) || v.is_nan() {
                    invalid(i, "empty or NaN cell".into())?;
                    out.push(false);
                    continue;
                }
                seen.check_num(v).map_err(|m| at(i, m))?;
                match pos {
                    Some(p) => out.push(v == p),
                    None => {
                        if v != 0.0 && v != 1.0 {
                            return Err(CellError::needs(
                                "positive",
                                Some(i),
                                format!(
                                    "value {} is not 0 or 1; name the positive value",
                                    fmt_num(v)
                                ),
                            ));
                        }
                        out.push(v == 1.0);
                    }
                }
            }
        }
        ColumnView::Text(a) => {
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell".into())?;
                    out.push(false);
                    continue;
                }
                let v = a.value(i);
                seen.check_text(v).map_err(|m| at(i, m))?;
                match positive.value.as_deref() {
                    Some(p) => out.push(v == p),
                    None => match v {
                        "1" | "1.0" => out.push(true),
                        "0" | "0.0" => out.push(false),
                        _ if v.eq_ignore_ascii_case("true") => out.push(true),
                        _ if v.eq_ignore_ascii_case("false") => out.push(false),
                        _ => {
                            return Err(CellError::needs(
                                "positive",
                                Some(i),
                                format!(
                                    "value '{v}' is not 0/1 or true/false; name the positive value"
                                ),
                            ))
                        }
                    },
                }
            }
        }
    }
    Ok(())
}

/// Reads a numeric role column (score or weight) into `out`; `check` returns
/// an error message for values the role does not accept.
pub fn read_number(
    col: &ColumnView,
    out: &mut Vec<f64>,
    check: impl Fn(f64) -> Option<&'static str>,
    mut invalid: impl FnMut(usize, String) -> Result<(), CellError>,
) -> Result<(), CellError> {
    out.clear();
    match col {
        ColumnView::Num(a) => {
            for i in 0..a.len() {
                let v = a.value(i);
                if a.is_null(i) {
                    invalid(i, "empty cell".into())?;
                    out.push(0.0);
                } else if let Some(msg) = check(v) {
                    invalid(i, format!("{msg}, found {v}"))?;
                    out.push(0.0);
                } else {
                    out.push(v);
                }
            }
            Ok(())
        }
        ColumnView::Text(a) => {
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell".into())?;
                    out.push(0.0);
                    continue;
                }
                match a.value(i).trim().parse::<f64>() {
                    Ok(v) if check(v).is_none() => out.push(v),
                    Ok(v) => {
                        invalid(i, format!("{}, found {v}", check(v).unwrap_or("")))?;
                        out.push(0.0);
                    }
                    Err(_) => {
                        invalid(i, format!("expected a number, found '{}'", a.value(i)))?;
                        out.push(0.0);
                    }
                }
            }
            Ok(())
        }
        ColumnView::Bool(_) => Err(CellError::from(
            "expected numbers, found a boolean column".to_string(),
        )),
    }
}
