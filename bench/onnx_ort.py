"""The onnxruntime side of bench/onnx.sh: read the headerless Adult CSV with pandas, run the
skl2onnx pipeline with onnxruntime, write every input column plus score and prediction as
Parquet. Prints the seconds spent in session.run alone.

    python bench/onnx_ort.py DATA.csv MODEL.onnx OUT.parquet THREADS
"""

import sys
import time

import numpy as np
import onnxruntime as ort
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]


def main():
    data, model, out, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    df = pd.read_csv(data, header=None, names=COLUMNS, sep=",", skipinitialspace=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        col = df[i.name]
        if i.type == "tensor(string)":
            feeds[i.name] = col.astype(str).to_numpy(dtype=object).reshape(-1, 1)
        else:
            feeds[i.name] = col.to_numpy(dtype=np.float32).reshape(-1, 1)
    start = time.perf_counter()
    _, probs = sess.run(None, feeds)
    elapsed = time.perf_counter() - start
    score = np.array([p[1] for p in probs], dtype=np.float64)
    table = pa.Table.from_pandas(df.astype(str), preserve_index=False)
    table = table.append_column("score", pa.array(score))
    table = table.append_column("prediction", pa.array(np.where(score > 0.5, "1", "0")))
    pq.write_table(table, out)
    print(f"{elapsed:.3f}")


if __name__ == "__main__":
    main()
