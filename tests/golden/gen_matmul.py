"""Golden cases for the matmul and dot kernels (tensor/src/matmul.cpp), recorded from PyTorch.

generate(emit) records, for each case named <label>.<a_view>.<b_view>.<dtype>:
  emit("matmul.<case>.a", tensor)         a's base tensor, contiguous
  emit("matmul.<case>.b", tensor)         b's base tensor, contiguous
  emit("matmul.<case>.expected", tensor)  torch.matmul(a_view(a), b_view(b))
(label "dot_..." cases record torch.dot instead). The views, applied to a base tensor x:
  plain     x
  T         x.transpose(-2, -1)             a column-major matrix: BLAS reads it with Trans
  sel1      x.select(1, 1)                  rows further apart than their length
  sellast   x.select(-1, 0)                 neither row- nor column-major: copied before BLAS
  even      x[..., ::2]                     every other column: copied before BLAS
Labels give the base shapes, e.g. "batched_2x1x3x4_5x4x2". Inputs come from fixed seeds and
the products run on one thread, so the file is reproducible.
"""

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}

VIEWS = {
    "plain": lambda x: x,
    "T": lambda x: x.transpose(-2, -1),
    "sel1": lambda x: x.select(1, 1),
    "sellast": lambda x: x.select(-1, 0),
    "even": lambda x: x[..., ::2],
}

# (kind, a base shape, a view, b base shape, b view)
CASES = [
    # 1-D @ 1-D and dot
    ("dot", (5,), "plain", (5,), "plain"),
    ("dot", (1,), "plain", (1,), "plain"),
    ("dot", (0,), "plain", (0,), "plain"),
    ("dot", (4, 3), "sellast", (8,), "even"),  # strided vectors
    ("vecvec", (7,), "plain", (7,), "plain"),
    ("vecvec", (0,), "plain", (0,), "plain"),
    ("vecvec", (3, 5), "sellast", (3,), "plain"),
    # 2-D @ 2-D
    ("mm", (6, 3), "plain", (3, 4), "plain"),
    ("mm", (1, 1), "plain", (1, 1), "plain"),
    ("mm", (17, 33), "plain", (33, 9), "plain"),
    ("mm", (3, 6), "T", (3, 4), "plain"),  # a.T @ b
    ("mm", (6, 3), "plain", (4, 3), "T"),  # a @ b.T
    ("mm", (3, 6), "T", (4, 3), "T"),  # a.T @ b.T
    ("mm", (1, 5), "T", (1, 7), "plain"),  # [5, 1] @ [1, 7]
    ("mm", (5, 1), "T", (7, 5), "T"),  # [1, 5] @ [5, 7]
    ("mm", (4, 3, 5), "sel1", (5, 2), "plain"),  # row stride 15
    ("mm", (3, 4, 5), "sellast", (4, 6), "plain"),  # strides [20, 5]: copied
    ("mm", (3, 8), "even", (4, 5), "plain"),  # strides [8, 2]: copied
    ("mm", (3, 4), "plain", (4, 10), "even"),  # b copied
    ("mm", (6, 3), "plain", (3, 5, 2), "sellast"),  # b strides [10, 2]: copied
    # 1-D @ 2-D and 2-D @ 1-D
    ("vecmat", (4,), "plain", (4, 3), "plain"),
    ("vecmat", (4,), "plain", (3, 4), "T"),
    ("vecmat", (4, 3), "sellast", (4, 5), "plain"),
    ("vecmat", (1,), "plain", (1, 6), "plain"),
    ("matvec", (3, 4), "plain", (4,), "plain"),
    ("matvec", (4, 3), "T", (4,), "plain"),
    ("matvec", (3, 4), "plain", (4, 2), "sellast"),
    ("matvec", (5, 8), "even", (4,), "plain"),
    # batched
    ("batched", (2, 3, 4), "plain", (4, 5), "plain"),  # folds into one gemm
    ("batched", (4, 16, 32), "plain", (32, 24), "plain"),
    ("batched", (2, 3, 4), "plain", (1, 4, 5), "plain"),
    ("batched", (2, 3, 4), "plain", (2, 4, 5), "plain"),
    ("batched", (4,), "plain", (2, 4, 5), "plain"),
    ("batched", (2, 3, 4), "plain", (4,), "plain"),
    ("batched", (2, 1, 3, 4), "plain", (5, 4, 2), "plain"),
    ("batched", (3, 4), "plain", (2, 4, 5), "plain"),
    ("batched", (2, 4, 3), "T", (4, 5), "plain"),
    ("batched", (2, 4, 3), "T", (2, 5, 4), "T"),
    ("batched", (2, 3, 4), "plain", (2, 5, 4), "T"),
    ("batched", (2, 4, 3, 5), "sel1", (5, 2), "plain"),  # a's batches not evenly spaced
    ("batched", (3, 2, 4, 5), "sel1", (3, 5, 6), "plain"),
    ("batched", (2, 3, 8), "even", (2, 4, 3), "plain"),
    ("batched", (2, 1, 3, 4), "plain", (1, 5, 4, 2), "plain"),
    # empty dims
    ("empty", (0, 3), "plain", (3, 4), "plain"),
    ("empty", (3, 0), "plain", (0, 4), "plain"),  # k == 0: zeros
    ("empty", (3, 4), "plain", (4, 0), "plain"),
    ("empty", (2, 0, 3), "plain", (3, 4), "plain"),
    ("empty", (0, 2, 3), "plain", (3, 4), "plain"),
    ("empty", (2, 3, 0), "plain", (0, 4), "plain"),
    ("empty", (3, 0), "plain", (0,), "plain"),
    ("empty", (0,), "plain", (0, 4), "plain"),
]


def _shape_name(shape):
    return "x".join(str(size) for size in shape)


def generate(emit):
    torch.set_num_threads(1)
    for index, (kind, a_shape, a_view, b_shape, b_view) in enumerate(CASES):
        for dtype_name, dtype in DTYPES.items():
            torch.manual_seed(index)
            a = torch.randn(*a_shape, dtype=dtype)
            b = torch.randn(*b_shape, dtype=dtype)
            op = torch.dot if kind == "dot" else torch.matmul
            expected = op(VIEWS[a_view](a), VIEWS[b_view](b))
            case = f"{kind}_{_shape_name(a_shape)}_{_shape_name(b_shape)}.{a_view}.{b_view}.{dtype_name}"
            emit(f"matmul.{case}.a", a)
            emit(f"matmul.{case}.b", b)
            emit(f"matmul.{case}.expected", expected)
