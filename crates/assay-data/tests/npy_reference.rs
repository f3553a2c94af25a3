//! `.npy` files written by NumPy (`tests/reference/npy_reference.py`: float32, Fortran-order
//! float64, uint8, int64, big-endian int16, bool, a 0-d scalar, a version-2 header) read
//! back exactly, in C order.

use std::path::PathBuf;

use assay_data::npy::read_npy;
use serde_json::Value;

#[test]
fn reads_what_numpy_writes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/golden/npy");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("values.json")).unwrap()).unwrap();
    let arrays = want["arrays"].as_object().unwrap();
    assert_eq!(arrays.len(), 8);
    for (name, w) in arrays {
        let a = read_npy(&dir.join(format!("{name}.npy"))).unwrap();
        let shape: Vec<usize> = w["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(a.shape, shape, "{name}");
        assert_eq!(a.dtype, w["dtype"].as_str().unwrap(), "{name}");
        let values: Vec<f64> = w["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(a.values, values, "{name}");
    }
}
