"""Golden onnxruntime outputs of two small PyTorch models exported to ONNX.

Builds, with torch.manual_seed(0), an MLP (6 -> 16 ReLU -> 8 Tanh -> 1 Sigmoid) and a small CNN
for 1x8x8 images (Conv 3x3 -> ReLU -> MaxPool 2 -> Conv 3x3 -> BatchNorm in eval mode with
running statistics from one seeded training-mode pass -> ReLU -> Flatten -> Linear(128, 3) ->
Softmax), exports them with the TorchScript exporter (`torch.onnx.export(..., dynamo=False)`,
opset 17, input "x" and output "y" with a dynamic batch axis) to models/onnx/torch_{mlp,cnn}.onnx,
runs onnxruntime's CPU provider on seeded float32 inputs (64 MLP rows, 16 images) and writes
golden/torch_onnx.json (inputs and outputs as flat row-major lists, float32 values as floats).
The default eval-mode export folds the BatchNorm into the preceding Conv, so the CNN is also
exported with `training=torch.onnx.TrainingMode.PRESERVE` to models/onnx/torch_cnn_bn.onnx, which
keeps a BatchNormalization node (key "cnn_bn", same input).

Versions: Python 3.11.7, torch 2.15.0 (CPU use only), onnx 1.23.2, onnxruntime 1.32.0,
numpy 2.4.6 (also stored in the JSON file).

    /work/venv/bin/python tests/reference/torch_onnx_golden.py
"""

import json
import pathlib
import platform
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent
MODELS = HERE / "models" / "onnx"
GOLDEN = HERE / "golden"


def mlp():
    return nn.Sequential(
        nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid(),
    )


def cnn():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 3), nn.Softmax(dim=1),
    )
    # Non-trivial running statistics: one training-mode pass (momentum 1, so the running mean and
    # variance are exactly that batch's), on shifted and scaled inputs, then a random affine part.
    bn = model[4]
    bn.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(torch.randn(32, 1, 8, 8) * 2.0 + 0.5)
        bn.weight.copy_(torch.rand(8) + 0.5)
        bn.bias.copy_(torch.randn(8) * 0.1)
    bn.momentum = 0.1
    return model.eval()


def export(model, example, path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example,), str(path), input_names=["x"], output_names=["y"],
            dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=17, dynamo=False,
            **kwargs,
        )
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


def ops(path):
    model = onnx.load(str(path))
    return sorted({(n.domain or "ai.onnx", n.op_type) for n in model.graph.node})


def run_case(name, model, x, **kwargs):
    path = MODELS / f"torch_{name}.onnx"
    export(model, x[:2], path, **kwargs)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (y,) = sess.run(["y"], {"x": x.numpy()})
    with torch.no_grad():
        y_torch = model(x).numpy()
    diff = float(np.max(np.abs(y.astype(np.float64) - y_torch)))
    print(f"{name}: {path.name} {path.stat().st_size} bytes, input {list(x.shape)}, output "
          f"{list(y.shape)} {y.dtype}, max |onnxruntime - torch| = {diff:.3e}")
    print(f"  ops: {ops(path)}")
    return {
        "file": f"models/onnx/{path.name}",
        "ops": [list(o) for o in ops(path)],
        "max_abs_diff_vs_torch": diff,
        "input_shape": list(x.shape),
        "input": [float(v) for v in x.numpy().reshape(-1)],
        "output_shape": list(y.shape),
        "output": [float(v) for v in y.reshape(-1)],
    }


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    GOLDEN.mkdir(exist_ok=True)
    torch.manual_seed(0)
    m = mlp().eval()
    c = cnn()
    x_mlp = torch.randn(64, 6) * 2.0
    x_cnn = torch.randn(16, 1, 8, 8)
    out = {
        "versions": {
            "python": platform.python_version(), "torch": torch.__version__,
            "onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__,
        },
        "exporter": "torch.onnx.export(dynamo=False), opset 17, dynamic batch axis",
        "mlp": run_case("mlp", m, x_mlp),
        "cnn": run_case("cnn", c, x_cnn),
        # The default (eval) export folds BatchNorm into the second Conv; TrainingMode.PRESERVE
        # on the eval-mode model keeps a BatchNormalization node (training_mode=0).
        "cnn_bn": run_case("cnn_bn", c, x_cnn, training=torch.onnx.TrainingMode.PRESERVE),
    }
    (GOLDEN / "torch_onnx.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
