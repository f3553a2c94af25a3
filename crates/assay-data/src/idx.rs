//! IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database",
//! yann.lecun.com/exdb/mnist): a magic number of two zero bytes, a type code (0x08 unsigned
//! byte, 0x09 signed byte, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64) and the number of
//! dimensions, then each dimension as a big-endian u32, then the values in row-major order,
//! big-endian. Files compressed with gzip (Debian's `dataset-fashion-mnist` ships
//! `*.gz`) are read through `flate2`, told by their magic bytes, not their name.
//!
//! [`read_image_set`] pairs an images file (n × rows × columns bytes) with a labels file (n
//! bytes) into [`ImageSet`]: pixels scaled to [0, 1] as `f32`, labels as class indices.
//! Hand-written: the format is a dozen lines, and the crates that read it fetch the data
//! from the network.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// The largest number of values an IDX file may declare (2³² bytes of pixels at most): a
/// corrupt header must not make the reader allocate without bound.
const MAX_VALUES: usize = 1 << 32;

/// The values of an IDX file, in their stored type.
#[derive(Clone, Debug, PartialEq)]
pub enum IdxData {
    U8(Vec<u8>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// An IDX array: its dimensions and its values in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    pub dims: Vec<usize>,
    pub data: IdxData,
}

/// Images with their labels: `n` images of `channels × height × width` pixels in [0, 1],
/// row-major per image, and one class index per image.
#[derive(Clone, Debug)]
pub struct ImageSet {
    pub pixels: Vec<f32>,
    pub n: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub labels: Vec<usize>,
}

fn unreadable(path: &Path, message: String) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        format: "IDX",
        message,
    }
}

/// Reads the file whole, through gzip when it starts with gzip's magic bytes.
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let raw = std::fs::read(path).map_err(io)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| unreadable(path, format!("corrupt gzip stream: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Reads an IDX file (gzip-compressed or not).
pub fn read_idx(path: &Path) -> Result<IdxArray> {
    parse_idx(path, &read_bytes(path)?)
}

/// Parses the bytes of an IDX file; `path` names it in errors.
pub fn parse_idx(path: &Path, b: &[u8]) -> Result<IdxArray> {
    if b.len() < 4 || b[0] != 0 || b[1] != 0 {
        return Err(unreadable(
            path,
            "not an IDX file: expected two zero bytes, a type code and the number of dimensions"
                .into(),
        ));
    }
    let (code, ndim) = (b[2], usize::from(b[3]));
    let size = match code {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        _ => {
            return Err(unreadable(
                path,
                format!("type code 0x{code:02X}; expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E"),
            ))
        }
    };
    let header = 4 + 4 * ndim;
    if ndim == 0 || b.len() < header {
        return Err(unreadable(
            path,
            format!(
                "{ndim} dimensions declared, the file ends inside the header ({} bytes)",
                b.len()
            ),
        ));
    }
    let dims: Vec<usize> = (0..ndim)
        .map(|i| u32::from_be_bytes(b[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize)
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&c| c <= MAX_VALUES)
        .ok_or_else(|| unreadable(path, format!("dimensions {dims:?} are too large")))?;
    let body = &b[header..];
    if body.len() != count * size {
        return Err(unreadable(
            path,
            format!(
                "dimensions {dims:?} of {size}-byte values need {} bytes after the header, the file has {}",
                count * size,
                body.len()
            ),
        ));
    }
    let chunks = |n: usize| body.chunks_exact(n);
    let data = match code {
        0x08 => IdxData::U8(body.to_vec()),
        0x09 => IdxData::I8(body.iter().map(|&x| x as i8).collect()),
        0x0B => IdxData::I16(
            chunks(2)
                .map(|c| i16::from_be_bytes([c[0], c[1]]))
                .collect(),
        ),
        0x0C => IdxData::I32(
            chunks(4)
                .map(|c| i32::from_be_bytes(c.try_into().unwrap()))
                .collect(),
        ),
        0x0D => IdxData::F32(
            chunks(4)
                .map(|c| f32::from_be_bytes(c.try_into().unwrap()))
                .collect(),
        ),
        _ => IdxData::F64(
            chunks(8)
                .map(|c| f64::from_be_bytes(c.try_into().unwrap()))
                .collect(),
        ),
    };
    Ok(IdxArray { dims, data })
}

/// Pairs an IDX images file (unsigned bytes, n × height × width, or n × channels × height ×
/// width) with an IDX labels file (n unsigned bytes) below `num_classes`.
pub fn read_image_set(images: &Path, labels: &Path, num_classes: usize) -> Result<ImageSet> {
    let im = read_idx(images)?;
    let IdxData::U8(px) = im.data else {
        return Err(unreadable(
            images,
            "images must be unsigned bytes (type 0x08)".into(),
        ));
    };
    let (n, channels, height, width) = match im.dims[..] {
        [n, h, w] => (n, 1, h, w),
        [n, c, h, w] => (n, c, h, w),
        _ => {
            return Err(unreadable(
                images,
                format!(
                    "images of dimensions {:?}; expected n × height × width or n × channels × height × width",
                    im.dims
                ),
            ))
        }
    };
    let lb = read_idx(labels)?;
    let IdxData::U8(ls) = lb.data else {
        return Err(unreadable(
            labels,
            "labels must be unsigned bytes (type 0x08)".into(),
        ));
    };
    if lb.dims.len() != 1 || lb.dims[0] != n {
        return Err(unreadable(
            labels,
            format!(
                "labels of dimensions {:?}; expected one label for each of the {n} images of {}",
                lb.dims,
                images.display()
            ),
        ));
    }
    if let Some((i, &c)) = ls
        .iter()
        .enumerate()
        .find(|(_, &c)| usize::from(c) >= num_classes)
    {
        return Err(DataError::BadValue {
            path: labels.to_path_buf(),
            column: "label".into(),
            row: i as u64 + 1,
            message: format!("class {c}; expected a class below {num_classes}"),
        });
    }
    Ok(ImageSet {
        pixels: px.iter().map(|&p| f32::from(p) / 255.0).collect(),
        n,
        channels,
        height,
        width,
        labels: ls.iter().map(|&c| usize::from(c)).collect(),
    })
}

/// Where Debian's `dataset-fashion-mnist` installs Fashion-MNIST, or `$ASSAY_FASHION_MNIST_DIR`.
pub fn fashion_mnist_dir() -> PathBuf {
    std::env::var_os("ASSAY_FASHION_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/datasets/fashion-mnist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(code: u8, dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, code, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn parses_every_type_big_endian() {
        let p = Path::new("x.idx");
        let a = parse_idx(p, &idx(0x08, &[2, 3], &[0, 1, 2, 3, 4, 255])).unwrap();
        assert_eq!(a.dims, [2, 3]);
        assert_eq!(a.data, IdxData::U8(vec![0, 1, 2, 3, 4, 255]));
        let a = parse_idx(p, &idx(0x0B, &[2], &[0xff, 0xfe, 0x01, 0x00])).unwrap();
        assert_eq!(a.data, IdxData::I16(vec![-2, 256]));
        let a = parse_idx(p, &idx(0x0D, &[1], &1.5f32.to_be_bytes())).unwrap();
        assert_eq!(a.data, IdxData::F32(vec![1.5]));
        let a = parse_idx(p, &idx(0x0E, &[1], &(-2.25f64).to_be_bytes())).unwrap();
        assert_eq!(a.data, IdxData::F64(vec![-2.25]));
    }

    #[test]
    fn bad_files_name_what_was_expected() {
        let p = Path::new("bad.idx");
        let msg = |b: &[u8]| parse_idx(p, b).unwrap_err().to_string();
        assert!(msg(b"PK\x03\x04").contains("not an IDX file"));
        assert!(msg(&idx(0x07, &[1], &[0])).contains("type code 0x07"));
        let m = msg(&idx(0x08, &[2, 2], &[1, 2, 3]));
        assert!(m.contains("need 4 bytes") && m.contains("has 3"), "{m}");
        assert!(msg(&[0, 0, 8, 2, 0, 0]).contains("ends inside the header"));
        assert!(msg(&idx(0x08, &[u32::MAX, u32::MAX, 16], &[])).contains("too large"));
        assert!(msg(&idx(0x07, &[1], &[0])).starts_with("bad.idx: unreadable IDX file"));
    }

    #[test]
    fn image_sets_pair_images_with_labels_gzipped_or_not() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("img.idx.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&idx(0x08, &[2, 2, 2], &[0, 255, 51, 102, 1, 2, 3, 4]))
            .unwrap();
        std::fs::write(&images, gz.finish().unwrap()).unwrap();
        let labels = dir.path().join("lab.idx");
        std::fs::write(&labels, idx(0x08, &[2], &[3, 9])).unwrap();
        let s = read_image_set(&images, &labels, 10).unwrap();
        assert_eq!((s.n, s.channels, s.height, s.width), (2, 1, 2, 2));
        assert_eq!(&s.pixels[..4], &[0.0, 1.0, 0.2, 0.4]);
        assert_eq!(s.labels, [3, 9]);
        let e = read_image_set(&images, &labels, 5).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("class 9"), "{e}");
        std::fs::write(&labels, idx(0x08, &[3], &[0, 1, 2])).unwrap();
        let e = read_image_set(&images, &labels, 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("each of the 2 images"), "{e}");
    }
}
