#!/usr/bin/python3
"""Writes tests/golden/data/*.txt from PyTorch, the reference minigrad is tested against.

Run with Debian's PyTorch (apt-get install python3-torch): /usr/bin/python3 tests/golden/make_golden.py
The C++ tests read the committed output and never need Python. Record format, one a line:
  tensor <key> <float32|float64|int64|bool> <shape "2,3", or "-" for 0-dim> <values: repr(float)
         each, or the integer (0 and 1 for bool) for int64 and bool>
  string <key> <JSON string>
"""
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_autograd  # noqa: E402
import gen_checkpoint  # noqa: E402
import gen_dtypes  # noqa: E402
import gen_edges  # noqa: E402
import gen_elementwise  # noqa: E402
import gen_gpt  # noqa: E402
import gen_hostile  # noqa: E402
import gen_matmul  # noqa: E402
import gen_nn  # noqa: E402
import gen_nn_ops  # noqa: E402
import gen_optim  # noqa: E402
import gen_print  # noqa: E402
import gen_random  # noqa: E402
import gen_reduce  # noqa: E402
import gen_sum  # noqa: E402
import gen_unary  # noqa: E402


class GoldenFile:
    def __init__(self, name):
        self.path = HERE / "data" / name
        self.lines = []

    def emit(self, key, tensor):
        tensor = tensor.detach()
        dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
                 torch.bool: "bool"}[tensor.dtype]
        shape = ",".join(str(size) for size in tensor.shape) if tensor.dim() else "-"
        number = repr if tensor.is_floating_point() else str
        convert = float if tensor.is_floating_point() else int
        values = " ".join(number(convert(v)) for v in tensor.reshape(-1).tolist())
        self.lines.append(f"tensor {key} {dtype} {shape} {values}".rstrip())

    def emit_string(self, key, text):
        encoded = json.dumps(text)
        assert text.isascii() and "\\u" not in encoded and "\\t" not in encoded, key
        self.lines.append(f"string {key} {encoded}")

    def write(self):
        self.path.parent.mkdir(exist_ok=True)
        self.path.write_text("\n".join(self.lines) + "\n")
        print(f"wrote {self.path.relative_to(HERE.parent.parent)} ({len(self.lines)} records)")


# Each golden file and the module that fills it.
GENERATORS = {
    "autograd.txt": lambda file: gen_autograd.generate(file.emit, file.emit_string),
    "random.txt": lambda file: gen_random.generate(file.emit),
    "print.txt": lambda file: gen_print.generate(file.emit, file.emit_string),
    "sum.txt": lambda file: gen_sum.generate(file.emit),
    "elementwise.txt": lambda file: gen_elementwise.generate(file.emit),
    "matmul.txt": lambda file: gen_matmul.generate(file.emit),
    "reduce.txt": lambda file: gen_reduce.generate(file.emit, file.emit_string),
    "hostile.txt": lambda file: gen_hostile.generate(file.emit),
    "edges.txt": lambda file: gen_edges.generate(file.emit, file.emit_string),
    "dtypes.txt": lambda file: gen_dtypes.generate(file.emit, file.emit_string),
    "unary.txt": lambda file: gen_unary.generate(file.emit, file.emit_string),
    "nn.txt": lambda file: gen_nn.generate(file.emit, file.emit_string),
    "gpt.txt": lambda file: gen_gpt.generate(file.emit, file.emit_string),
    "nn_ops.txt": lambda file: gen_nn_ops.generate(file.emit, file.emit_string),
    "optim.txt": lambda file: gen_optim.generate(file.emit, file.emit_string),
    "checkpoint.txt": lambda file: gen_checkpoint.generate(file.emit, file.emit_string,
                                                           HERE / "data" / "mha.safetensors"),
}


def main():
    torch.set_num_threads(1)
    for name, generate in GENERATORS.items():
        golden_file = GoldenFile(name)
        generate(golden_file)
        golden_file.write()


if __name__ == "__main__":
    main()
