"""`.npy` files written by NumPy itself, and their values, for assay-data's reader
(crates/assay-data/tests/npy_reference.rs).

Setup: /work/venv/bin/pip install numpy
Run:   /work/venv/bin/python tests/reference/npy_reference.py
Writes tests/reference/golden/npy/*.npy and tests/reference/golden/npy/values.json.
"""

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "golden" / "npy"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20261208)
arrays = {
    "f4_images": rng.random((3, 2, 4), dtype=np.float32),
    "f8_fortran": np.asfortranarray(rng.standard_normal((3, 5))),
    "u1_pixels": rng.integers(0, 256, (2, 3, 3), dtype=np.uint8),
    "i8_labels": rng.integers(-5, 10, 7).astype(np.int64),
    "i2_big_endian": rng.integers(-300, 300, 6).astype(">i2"),
    "bool_mask": rng.random(5) < 0.5,
    "scalar": np.float64(3.25),
}
values = {}
for name, a in arrays.items():
    np.save(OUT / f"{name}.npy", a)
    values[name] = {"shape": list(np.shape(a)), "dtype": np.asarray(a).dtype.str,
                    "values": [float(x) for x in np.asarray(a).ravel(order="C")]}
# A version-2 header (NumPy writes one when asked, or for headers over 65,535 bytes).
with open(OUT / "v2_f4.npy", "wb") as f:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.lib.format.write_array(f, a, version=(2, 0))
    values["v2_f4"] = {"shape": [2, 3], "dtype": "<f4", "values": [float(x) for x in a.ravel()]}
(OUT / "values.json").write_text(json.dumps({"numpy": np.__version__, "arrays": values}, indent=1) + "\n")
print(np.__version__, len(values))
