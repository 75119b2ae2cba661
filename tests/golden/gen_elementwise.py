"""Golden cases for the elementwise kernels (tensor/src/elementwise.cpp; sum_to in broadcast.cpp),
recorded from PyTorch.

generate(emit) records, for each binary op <op> in add, sub, mul, div and case <case>:
  emit("elementwise/<op>/<case>/a", a)      the operands as the test must build them: always
  emit("elementwise/<op>/<case>/b", b)      contiguous; in a case named a_transposed the test
                                            views `a` as a.T (PyTorch computed with that view)
  emit("elementwise/<op>/<case>/out", out)  PyTorch's a <op> b
In-place cases record "elementwise/<op>_/<case>/{self,other,out}" (out: self after self.<op>_),
unary cases "elementwise/<op>/<case>/{input,out}" for neg and exp, and broadcasting's backward
"elementwise/sum_to/<case>/{grad,out}" (out: grad summed to out's shape).

Cases:
  same_shape, float64     [3, 4] op [3, 4]
  bcast_row, bcast_col    [3, 4] op [4], [3, 4] op [3, 1]
  scalar_b, scalar_a      [3, 4] op 0-dim, 0-dim op [3, 4]
  bcast_3d                [2, 1, 4] op [3, 1] -> [2, 3, 4]: both sides broadcast
  a_transposed            [4, 3].T op [3, 4]: a non-contiguous operand
  long                    [7, 129] op [129]: rows longer than a vector, with a remainder
  mixed                   float32 [3, 4] op float64 [3, 4] -> float64
  mixed_scalar            float32 [3, 4] op 0-dim float64 -> float32 (the scalar rounded first)
  empty                   [0, 3] op [3]
"""

import torch


def _randn(seed, *shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=dtype)


def _binary_cases():
    f64 = torch.float64
    return {
        "same_shape": (_randn(1, 3, 4), _randn(2, 3, 4)),
        "float64": (_randn(3, 3, 4, dtype=f64), _randn(4, 3, 4, dtype=f64)),
        "bcast_row": (_randn(5, 3, 4), _randn(6, 4)),
        "bcast_col": (_randn(7, 3, 4), _randn(8, 3, 1)),
        "scalar_b": (_randn(9, 3, 4), torch.tensor(0.7)),
        "scalar_a": (torch.tensor(-1.3), _randn(10, 3, 4)),
        "bcast_3d": (_randn(11, 2, 1, 4), _randn(12, 3, 1)),
        "a_transposed": (_randn(13, 4, 3), _randn(14, 3, 4)),
        "long": (_randn(15, 7, 129), _randn(16, 129)),
        "mixed": (_randn(17, 3, 4), _randn(18, 3, 4, dtype=f64)),
        "mixed_scalar": (_randn(19, 3, 4), torch.tensor(0.1, dtype=f64)),
        "empty": (torch.empty(0, 3), _randn(20, 3)),
    }


def generate(emit):
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op_name, op in ops.items():
        for case, (a, b) in _binary_cases().items():
            view = a.T if case == "a_transposed" else a
            out = op(view, b)
            emit(f"elementwise/{op_name}/{case}/a", a)
            emit(f"elementwise/{op_name}/{case}/b", b)
            emit(f"elementwise/{op_name}/{case}/out", out)

    # In place: self keeps its dtype; a float64 other is applied in float64, then rounded.
    inplace = {
        "bcast_row": (_randn(21, 3, 4), _randn(22, 4)),
        "mixed": (_randn(23, 3, 4), _randn(24, 3, 4, dtype=torch.float64)),
        "mixed_scalar": (_randn(25, 3, 4), torch.tensor(0.1, dtype=torch.float64)),
    }
    for op_name in ops:
        for case, (self, other) in inplace.items():
            out = getattr(self.clone(), op_name + "_")(other)
            emit(f"elementwise/{op_name}_/{case}/self", self)
            emit(f"elementwise/{op_name}_/{case}/other", other)
            emit(f"elementwise/{op_name}_/{case}/out", out)

    unary = {
        "float32": _randn(26, 5, 33),
        "float64": _randn(27, 5, 33, dtype=torch.float64),
    }
    for op_name in ("neg", "exp"):
        for case, x in unary.items():
            emit(f"elementwise/{op_name}/{case}/input", x)
            emit(f"elementwise/{op_name}/{case}/out", getattr(torch, op_name)(x))

    sum_to = {
        "leading": (_randn(28, 2, 3, 4), (3, 4)),
        "ones": (_randn(29, 2, 3, 4), (2, 1, 4)),
        "both": (_randn(30, 5, 3, 4, dtype=torch.float64), (3, 1)),
        "to_scalar": (_randn(31, 3, 4), ()),
    }
    for case, (grad, shape) in sum_to.items():
        lead = grad.dim() - len(shape)
        dims = tuple(range(lead)) + tuple(lead + d for d, size in enumerate(shape) if size == 1)
        out = grad.sum(dims, keepdim=True).reshape(shape) if dims else grad
        emit(f"elementwise/sum_to/{case}/grad", grad)
        emit(f"elementwise/sum_to/{case}/out", out)
