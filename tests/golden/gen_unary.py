"""Golden cases for the elementwise math ops and log_softmax (tensor/src/elementwise.cpp,
softmax.cpp; autograd/src/elementwise.cpp, softmax.cpp), recorded from PyTorch.

generate(emit, emit_string) records:
  unary/input/<case>                 the inputs, always contiguous; the test views the case
                                     "transposed" ([33, 5] here) as its .T
  unary/<op>/<case>                  PyTorch's <op> of that input, for each op of KERNEL_OPS
  unary_grad/<op>/<case>/{input,out,grad_out,grad}
                                     the op on a leaf (viewed as .T in the case "transposed"),
                                     its output, a random grad_out (ones for "edge") and the
                                     leaf's gradient, for each op of AUTOGRAD_OPS
  unary_grad/<op>/grad_fn            the grad_fn name PyTorch prints
  <softmax|log_softmax>/<case>/{input,dim,out,grad_out,grad}
                                     the op along dim (the test views cases named transposed_*
                                     as .T), its output, and the gradient for grad_out
  log_softmax/grad_fn                "LogSoftmaxBackward0"

Cases of KERNEL_OPS: float32 and float64 [5, 33] uniform in [-2, 4), transposed, and the edge
values EDGE in both dtypes (edge_float32, edge_float64).
"""

import torch
import torch.nn.functional as F

EDGE = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 1e-30, 100.0, -100.0, 1e4, -1e4,
        float("inf"), float("-inf"), float("nan")]

POW_EXPONENTS = [0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 1.5, -2.5]

AUTOGRAD_OPS = {
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    **{f"pow_{exponent!r}": (lambda e: lambda x: x.pow(e))(exponent) for exponent in POW_EXPONENTS},
    "gelu_none": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
}
KERNEL_OPS = {"sign": torch.sign, **AUTOGRAD_OPS}


def _uniform(seed, *shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.rand(*shape, dtype=dtype) * 6 - 2


def _randn(seed, *shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=dtype)


def _kernel_cases(emit):
    inputs = {
        "float32": _uniform(1, 5, 33),
        "float64": _uniform(2, 5, 33, dtype=torch.float64),
        "transposed": _uniform(3, 33, 5),
        "edge_float32": torch.tensor(EDGE, dtype=torch.float32),
        "edge_float64": torch.tensor(EDGE, dtype=torch.float64),
    }
    for case, x in inputs.items():
        emit(f"unary/input/{case}", x)
    for op_name, op in KERNEL_OPS.items():
        for case, x in inputs.items():
            emit(f"unary/{op_name}/{case}", op(x.T if case == "transposed" else x))


def _autograd_cases(emit, emit_string):
    for index, (op_name, op) in enumerate(AUTOGRAD_OPS.items()):
        inputs = {
            "float64": _uniform(100 + index, 3, 4, dtype=torch.float64),
            "transposed": _uniform(200 + index, 4, 3),
            "edge": torch.tensor(EDGE, dtype=torch.float64),
        }
        for case, x in inputs.items():
            leaf = x.clone().requires_grad_()
            out = op(leaf.T if case == "transposed" else leaf)
            torch.manual_seed(300 + index)
            grad_out = torch.ones_like(out) if case == "edge" else torch.randn_like(out)
            out.backward(grad_out)
            prefix = f"unary_grad/{op_name}/{case}"
            emit(f"{prefix}/input", x)
            emit(f"{prefix}/out", out)
            emit(f"{prefix}/grad_out", grad_out)
            emit(f"{prefix}/grad", leaf.grad)
        emit_string(f"unary_grad/{op_name}/grad_fn", out.grad_fn.name())


def _rows_with_inf(seed, *shape, dtype=torch.float32):
    x = _randn(seed, *shape, dtype=dtype)
    x[0, 1] = x[0, 3] = x[-1, 0] = float("-inf")
    return x


def _all_inf_row(seed, *shape, dtype=torch.float32):
    x = _randn(seed, *shape, dtype=dtype)
    x[1] = float("-inf")
    return x


def _large(seed, *shape, dtype=torch.float32):
    return _randn(seed, *shape, dtype=dtype).sign() * 1e4 + _randn(seed + 1, *shape, dtype=dtype)


def _softmax_cases(emit, emit_string):
    f64 = torch.float64
    cases = {
        "last_f32": (_randn(400, 3, 5), -1),
        "last_long_f32": (_randn(401, 4, 37), -1),
        "last_f64": (_randn(402, 3, 7, dtype=f64), 1),
        "last_long_f64": (_randn(403, 2, 11, dtype=f64), -1),
        "dim0_3d_f32": (_randn(404, 4, 3, 5), 0),
        "dim1_3d_f32": (_randn(405, 2, 6, 9), 1),
        "dim1_3d_f64": (_randn(406, 2, 6, 9, dtype=f64), -2),
        "transposed_f32": (_randn(407, 5, 3), -1),
        "large_f32": (_large(408, 3, 12), -1),
        "large_dim0_f64": (_large(410, 5, 4, dtype=f64), 0),
        "some_inf_f32": (_rows_with_inf(412, 3, 10), -1),
        "some_inf_dim0_f64": (_rows_with_inf(413, 3, 4, dtype=f64).T.contiguous(), 0),
        "all_inf_f32": (_all_inf_row(414, 3, 5), -1),
        "all_inf_long_f32": (_all_inf_row(415, 3, 12), -1),
        "all_inf_dim0_f64": (_all_inf_row(416, 3, 4, dtype=f64).T.contiguous(), 0),
    }
    for op_name, op in {"softmax": torch.softmax, "log_softmax": torch.log_softmax}.items():
        for index, (case, (x, dim)) in enumerate(cases.items()):
            leaf = x.clone().requires_grad_()
            out = op(leaf.T if case.startswith("transposed") else leaf, dim)
            torch.manual_seed(500 + index)
            grad_out = torch.randn_like(out)
            (grad,) = torch.autograd.grad(out, leaf, grad_out)
            prefix = f"{op_name}/{case}"
            emit(f"{prefix}/input", x)
            emit(f"{prefix}/dim", torch.tensor(float(dim)))
            emit(f"{prefix}/out", out)
            emit(f"{prefix}/grad_out", grad_out)
            emit(f"{prefix}/grad", grad)
        emit_string(f"{op_name}/grad_fn", out.grad_fn.name())


def generate(emit, emit_string):
    _kernel_cases(emit)
    _autograd_cases(emit, emit_string)
    _softmax_cases(emit, emit_string)
