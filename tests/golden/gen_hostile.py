"""Golden data for hostile inputs that PyTorch answers with a result rather than an error: NaN,
infinity and empty tensors through the ops. tests/autograd/hostile_input_test.cpp holds the same
case table and the error cases.

  hostile/<case>/out       the result
  hostile/<case>/grad      for cases with a leaf: its gradient for grad_out = ones
"""
import torch

INF = float("inf")
NAN = float("nan")


def _leaf(values):
    return torch.tensor(values).requires_grad_()


# name -> function returning (out, leaf or None). The leaf's gradient is taken for ones.
CASES = {
    "softmax_all_neg_inf_row": lambda: (torch.softmax(torch.tensor([[-INF, -INF], [0.0, 1.0]]), -1), None),
    "softmax_some_neg_inf": lambda: (lambda x: (torch.softmax(x, -1) * torch.tensor([1.0, 2.0, 3.0]), x))(
        _leaf([-INF, 0.5, 1.0])),
    "softmax_large": lambda: (lambda x: (torch.softmax(x, 0) * torch.tensor([1.0, 2.0, 3.0]), x))(
        _leaf([1e4, -1e4, 0.0])),
    "softmax_nan": lambda: (torch.softmax(torch.tensor([NAN, 1.0]), 0), None),
    "zero_by_zero": lambda: (torch.tensor([0.0, 1.0, -1.0]) / torch.tensor(0.0), None),
    "div_grad_at_zero": lambda: (lambda x: (1.0 / x, x))(_leaf([0.0, 2.0])),
    "inf_minus_inf": lambda: (torch.tensor([INF]) - torch.tensor([INF]), None),
    "exp_overflow": lambda: (torch.exp(torch.tensor([100.0, -1000.0, INF, -INF])), None),
    "nan_through_matmul": lambda: (torch.tensor([[NAN, 1.0]]) @ torch.ones(2, 2), None),
    "matmul_empty_inner": lambda: (torch.ones(2, 0) @ torch.ones(0, 3), None),
    "matmul_empty_rows": lambda: (torch.ones(0, 3) @ torch.ones(3, 2), None),
    "sum_empty": lambda: (torch.ones(0, 3).sum(), None),
    "sum_empty_dim": lambda: (torch.ones(0, 3).sum(0), None),
    "mean_empty": lambda: (torch.ones(0).mean(), None),
    "mean_empty_dim": lambda: (torch.ones(0, 3).mean(0), None),
    "cat_with_empty": lambda: (torch.cat([torch.ones(0, 3), torch.full((2, 3), 2.0)]), None),
    "dropout_empty": lambda: (torch.nn.functional.dropout(torch.ones(0, 4), 0.5), None),
    "masked_fill_all_then_softmax": lambda: (
        torch.softmax(torch.ones(2, 2).masked_fill(torch.tensor([[True, True], [False, True]]), -INF), -1),
        None),
    "log_zero_and_negative": lambda: (torch.log(torch.tensor([0.0, -1.0, INF])), None),
    "sqrt_negative": lambda: (lambda x: (torch.sqrt(x), x))(_leaf([-1.0, 0.0, 4.0])),
    "log_softmax_all_neg_inf_row": lambda: (
        torch.log_softmax(torch.tensor([[-INF, -INF], [-INF, 1.0]]), -1), None),
    "var_of_one_element": lambda: (torch.tensor([3.0]).var(), None),
    "max_with_nan": lambda: (torch.tensor([1.0, NAN, 3.0]).max(), None),
    "slice_past_the_end": lambda: (torch.arange(5.0)[3:100], None),
    "slice_empty": lambda: (torch.arange(5.0)[4:2], None),
    # A 0-dim tensor takes dim 0 or -1 in a reduction, as the list of its one (absent) dim.
    "sum_0d_dim0": lambda: (lambda x: (x.sum(0), x))(_leaf(2.0)),
    "mean_0d_dim_minus1": lambda: (lambda x: (x.mean(-1), x))(_leaf(2.0)),
    "var_0d_dim0_biased": lambda: (lambda x: (torch.var(x, 0, unbiased=False), x))(
        torch.tensor(2.0, dtype=torch.float64).requires_grad_()),
    # What int64 cannot hold becomes the x86-64 conversion's INT64_MIN, as in PyTorch here.
    "float_to_int64_out_of_range": lambda: (
        torch.tensor([NAN, INF, -INF, 1e19, -1e19, 2.5, -2.5]).to(torch.int64), None),
    # int64 overflow wraps around (two's complement), as PyTorch's arithmetic does here.
    "int64_add_wraps": lambda: (torch.tensor([-2**63, 2**62]) + torch.tensor([-2**63, 2**62]), None),
    "int64_mul_wraps": lambda: (torch.tensor([-2**63, 2**62]) * torch.tensor(4), None),
    # minigrad's masked_softmax(x, mask) is softmax(x.masked_fill(mask, -inf), -1).
    "masked_softmax_0d": lambda: (
        torch.softmax(torch.tensor(2.0).masked_fill(torch.tensor(False), -INF), -1), None),
}


def generate(emit):
    for name, case in CASES.items():
        out, leaf = case()
        emit(f"hostile/{name}/out", out)
        if leaf is not None:
            out.backward(torch.ones_like(out))
            emit(f"hostile/{name}/grad", leaf.grad)
