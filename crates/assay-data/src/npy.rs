//! NumPy `.npy` arrays (the format of `numpy.save`, NEP 1: "A simple file format for NumPy
//! arrays"): the magic `\x93NUMPY`, a major and minor version, the header's length (2 bytes
//! little-endian in version 1, 4 bytes in versions 2 and 3), and the header, a Python dict
//! literal with `descr` (the dtype: byte order `<`, `>`, `|` or `=`, kind and size), `shape`
//! and `fortran_order`, followed by the values.
//!
//! Read: booleans, signed and unsigned integers of 1 to 8 bytes and floats of 4 and 8 bytes,
//! either byte order, C or Fortran order (returned in C order); values as `f64`, which holds
//! every supported value exactly except 64-bit integers beyond 2⁵³, which are an error.
//! Hand-written: the header is a dozen fields, and the crates that read it bring an n-dim array
//! library the rest of assay does not use.

use std::path::Path;

use crate::error::{DataError, Result};

/// An array read from a `.npy` file: its shape, its dtype as written (`<f4`) and its values in
/// C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub dtype: String,
    pub values: Vec<f64>,
}

fn bad(path: &Path, message: String) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        format: "NumPy .npy",
        message,
    }
}

/// Reads a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let b = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_npy(path, &b)
}

/// The value of `key` in the header's dict literal, as written (`'<f4'`, `(2, 3)`, `False`).
fn field<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else if let Some(r) = rest.strip_prefix('\'') {
        r.find('\'')? + 2
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim())
}

/// Parses the bytes of a `.npy` file; `path` names it in errors.
pub fn parse_npy(path: &Path, b: &[u8]) -> Result<NpyArray> {
    if !b.starts_with(b"\x93NUMPY") || b.len() < 10 {
        return Err(bad(path, "not a .npy file: no \\x93NUMPY magic".into()));
    }
    let (len, start) = match b[6] {
        1 => (usize::from(u16::from_le_bytes([b[8], b[9]])), 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(bad(path, format!("format version {v}; expected 1, 2 or 3"))),
    };
    let header = b
        .get(start..start + len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| {
            bad(
                path,
                format!("header of {len} bytes is cut short or not text"),
            )
        })?;
    let descr = field(header, "descr")
        .and_then(|d| d.strip_prefix('\'')?.strip_suffix('\''))
        .ok_or_else(|| bad(path, format!("no 'descr' in header {header:?}")))?;
    let fortran = match field(header, "fortran_order") {
        Some("True") => true,
        Some("False") => false,
        _ => {
            return Err(bad(
                path,
                format!("no 'fortran_order' in header {header:?}"),
            ))
        }
    };
    let shape_text = field(header, "shape")
        .and_then(|s| s.strip_prefix('(')?.strip_suffix(')'))
        .ok_or_else(|| bad(path, format!("no 'shape' in header {header:?}")))?;
    let shape: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            bad(
                path,
                format!("shape ({shape_text}) is not a tuple of sizes"),
            )
        })?;
    let (order, kind, size) = {
        let mut c = descr.chars();
        let order = c.next().unwrap_or('?');
        let kind = c.next().unwrap_or('?');
        let size: usize = c.as_str().parse().unwrap_or(0);
        (order, kind, size)
    };
    let supported = matches!(
        (kind, size),
        ('b', 1) | ('u' | 'i', 1 | 2 | 4 | 8) | ('f', 4 | 8)
    );
    if !matches!(order, '<' | '>' | '|' | '=') || !supported {
        return Err(bad(
            path,
            format!("dtype '{descr}'; expected bool, integers or float32/float64"),
        ));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&c| c <= 1 << 32)
        .ok_or_else(|| bad(path, format!("shape {shape:?} is too large")))?;
    let body = &b[start + len..];
    if body.len() != count * size {
        return Err(bad(
            path,
            format!(
                "shape {shape:?} of '{descr}' needs {} bytes of values, the file has {}",
                count * size,
                body.len()
            ),
        ));
    }
    let big = order == '>';
    let mut values = Vec::with_capacity(count);
    for (i, c) in body.chunks_exact(size).enumerate() {
        let mut w = [0u8; 8];
        if big {
            for (k, &x) in c.iter().rev().enumerate() {
                w[k] = x;
            }
        } else {
            w[..size].copy_from_slice(c);
        }
        let u = u64::from_le_bytes(w);
        let v = match (kind, size) {
            ('f', 4) => f64::from(f32::from_bits(u as u32)),
            ('f', _) => f64::from_bits(u),
            ('u' | 'b', _) => {
                if u > 1 << 53 {
                    return Err(bad(
                        path,
                        format!("value {i}: {u} does not fit a float exactly"),
                    ));
                }
                u as f64
            }
            _ => {
                // Sign-extend from `size` bytes.
                let shift = 64 - 8 * size as u32;
                let s = ((u << shift) as i64) >> shift;
                if s.unsigned_abs() > 1 << 53 {
                    return Err(bad(
                        path,
                        format!("value {i}: {s} does not fit a float exactly"),
                    ));
                }
                s as f64
            }
        };
        values.push(v);
    }
    if fortran && shape.len() > 1 {
        values = fortran_to_c(&values, &shape);
    }
    Ok(NpyArray {
        shape,
        dtype: descr.to_string(),
        values,
    })
}

/// Reorders column-major values into row-major order.
fn fortran_to_c(values: &[f64], shape: &[usize]) -> Vec<f64> {
    let n = shape.len();
    // Strides of the Fortran layout: the first index varies fastest.
    let mut fstride = vec![1usize; n];
    for k in 1..n {
        fstride[k] = fstride[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(values.len());
    let mut idx = vec![0usize; n];
    for _ in 0..values.len() {
        out.push(values[idx.iter().zip(&fstride).map(|(i, s)| i * s).sum::<usize>()]);
        // Next index in C order: the last index varies fastest.
        for k in (0..n).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1 `.npy` file as `numpy.save` writes it (header padded to 64 bytes).
    fn npy(descr: &str, fortran: bool, shape: &str, body: &[u8]) -> Vec<u8> {
        let mut h = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn dtypes_orders_and_layouts() {
        let p = Path::new("a.npy");
        let f32s: Vec<u8> = [1.5f32, -2.0, 0.25]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = parse_npy(p, &npy("<f4", false, "(3,)", &f32s)).unwrap();
        assert_eq!(
            (a.shape.clone(), a.values.clone()),
            (vec![3], vec![1.5, -2.0, 0.25])
        );
        let a = parse_npy(p, &npy(">i2", false, "(2,)", &[0xff, 0xfe, 0x01, 0x00])).unwrap();
        assert_eq!(a.values, [-2.0, 256.0]);
        let a = parse_npy(p, &npy("|u1", false, "(2, 2)", &[0, 1, 2, 255])).unwrap();
        assert_eq!(a.values, [0.0, 1.0, 2.0, 255.0]);
        // Fortran order: the column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6.
        let a = parse_npy(p, &npy("|i1", true, "(2, 3)", &[1, 4, 2, 5, 3, 6])).unwrap();
        assert_eq!(a.values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let a = parse_npy(p, &npy("<f8", false, "()", &7.0f64.to_le_bytes())).unwrap();
        assert_eq!((a.shape.len(), a.values), (0, vec![7.0]));
    }

    #[test]
    fn bad_files_name_what_was_expected() {
        let p = Path::new("bad.npy");
        let msg = |b: &[u8]| parse_npy(p, b).unwrap_err().to_string();
        assert!(msg(b"PK\x03\x04 zip").contains("no \\x93NUMPY magic"));
        assert!(msg(&npy("<c16", false, "(1,)", &[0; 16])).contains("dtype '<c16'"));
        let m = msg(&npy("<f4", false, "(2, 2)", &[0; 12]));
        assert!(m.contains("needs 16 bytes") && m.contains("has 12"), "{m}");
        assert!(msg(&npy("<f4", false, "(a,)", &[])).contains("not a tuple of sizes"));
        assert!(msg(&npy("<u8", false, "(1,)", &u64::MAX.to_le_bytes())).contains("does not fit"));
        assert!(
            msg(b"\x93NUMPY\x01\x00\xff\xff{").starts_with("bad.npy: unreadable NumPy .npy file")
        );
    }
}
