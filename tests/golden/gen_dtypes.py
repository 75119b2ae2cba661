"""Golden cases for int64 and bool tensors, masks and conversions, recorded from PyTorch.

generate(emit, emit_string) records:
  dtypes/arange/<case>/out                        torch.arange; tests/tensor/dtypes_test.cpp
                                                  makes the same call in C++ per case name
  dtypes/to/<case>/{input,out}                    input.to(<dtype named by the case>)
  dtypes/compare/<op>/<case>/{a,b,out}            op in eq ne lt le gt ge; in case a_transposed
                                                  the test views a as a.T, in case scalar b is
                                                  a 0-dim float64 passed as a number (b.item())
  dtypes/arith/<op>/<case>/{a,b,out}              op in add sub mul div across dtypes; "scalar"
                                                  as above
  dtypes/where/<case>/{condition,a,b,out,grad_out,grad_a,grad_b} and .../grad_fn (a string);
                                                  in case scalar_b, b is a number (no grad_b);
                                                  in case a_transposed, a is viewed as a.T
  dtypes/masked_fill/<case>/{input,mask,value,out,grad_out,grad_input} and .../grad_fn; value
                                                  is 0-dim float64; in case input_transposed the
                                                  test views input as input.T; PyTorch got
                                                  mask.bool(), the test passes mask as recorded
  dtypes/to_grad/<case>/{input,out,grad_out,grad_input} and .../grad_fn
"""

import torch

INF = float("inf")


def _randn(seed, *shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=dtype)


def _randint(seed, low, high, *shape):
    torch.manual_seed(seed)
    return torch.randint(low, high, shape)


def _arange(emit):
    cases = {
        "end_int": torch.arange(5),
        "start_end_step_int": torch.arange(2, 11, 3),
        "negative_step_int": torch.arange(10, 0, -3),
        "empty_int": torch.arange(3, 3),
        "quarters": torch.arange(0.0, 1.0, 0.25),
        "tenths": torch.arange(0.1, 2.0, 0.1),
        "tenths_long": torch.arange(-3.3, 4.0, 0.1),
        "tenths_float64": torch.arange(-3.3, 4.0, 0.1, dtype=torch.float64),
        "odd_step": torch.arange(-7.77, 9.1, 0.0137),
        "float_end": torch.arange(2.5),
        "negative_step_float": torch.arange(1.0, -1.0, -0.3),
        "float64_explicit": torch.arange(0, 1, 0.1, dtype=torch.float64),
        "float32_from_ints": torch.arange(5, dtype=torch.float32),
    }
    for case, out in cases.items():
        emit(f"dtypes/arange/{case}/out", out)


def _conversions(emit):
    floats = torch.tensor([[-2.7, -0.5, -0.0], [0.0, 0.4, 2.7], [1e3, -1e3, 3.5]])
    ints = torch.tensor([[-3, 0, 7], [1, 0, -1]])
    bools = torch.tensor([True, False, True, True])
    cases = {
        "float32_to_int64": (floats, torch.int64),
        "float32_to_bool": (floats, torch.bool),
        "float64_to_float32": (_randn(1, 3, 4, dtype=torch.float64), torch.float32),
        "float32_to_float64": (_randn(2, 3, 4), torch.float64),
        "int64_to_float32": (ints, torch.float32),
        "int64_to_bool": (ints, torch.bool),
        "bool_to_int64": (bools, torch.int64),
        "bool_to_float64": (bools, torch.float64),
    }
    for case, (x, dtype) in cases.items():
        emit(f"dtypes/to/{case}/input", x)
        emit(f"dtypes/to/{case}/out", x.to(dtype))


def _compare_cases():
    small = lambda seed, *shape: _randint(seed, -2, 3, *shape).float()  # noqa: E731 (ties)
    return {
        "same_shape": (small(3, 3, 4), small(4, 3, 4)),
        "broadcast": (small(5, 3, 4), small(6, 4)),
        "broadcast_3d": (small(7, 2, 1, 4), small(8, 3, 1)),
        "a_transposed": (small(9, 4, 3), small(10, 3, 4)),
        "int64_float32": (_randint(11, -2, 3, 2, 3), torch.tensor([-1.5, 0.0, 1.0])),
        "int64_int64": (_randint(12, -2, 3, 3, 4), _randint(13, -2, 3, 4)),
        "bool_bool": (torch.tensor([True, False, True, False]),
                      torch.tensor([True, True, False, False])),
        "float32_float64": (torch.tensor([0.1, 0.2, 0.3]),
                            torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)),
        "scalar": (small(14, 3, 4), torch.tensor(0.5, dtype=torch.float64)),
        "scalar_float32_rounding": (torch.tensor([0.1, 0.2]), torch.tensor(0.1, dtype=torch.float64)),
        "int64_scalar": (_randint(15, -2, 3, 5), torch.tensor(0.5, dtype=torch.float64)),
    }


def _python_scalar(case, b):
    return b.item() if case.startswith("scalar") or case.endswith("scalar") else b


def _comparisons(emit):
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        for case, (a, b) in _compare_cases().items():
            view = a.T if case == "a_transposed" else a
            out = getattr(torch, op)(view, _python_scalar(case, b))
            emit(f"dtypes/compare/{op}/{case}/a", a)
            emit(f"dtypes/compare/{op}/{case}/b", b)
            emit(f"dtypes/compare/{op}/{case}/out", out)


def _arithmetic(emit):
    ints_a, ints_b = _randint(16, -5, 6, 3, 4), _randint(17, 1, 6, 4)
    cases = {
        "int64_int64": (ints_a, ints_b),
        "int64_float32": (ints_a, _randn(18, 3, 4)),
        "float64_int64": (_randn(19, 4, dtype=torch.float64), ints_a),
        "bool_int64": (torch.tensor([[True], [False], [True]]), ints_b),
        "bool_bool": (torch.tensor([True, False, True, False]),
                      torch.tensor([True, True, False, False])),
        "bool_float32": (torch.tensor([True, False, True]), _randn(20, 3)),
        "int64_scalar": (ints_a, torch.tensor(2.5, dtype=torch.float64)),
        "bool_scalar": (torch.tensor([True, False]), torch.tensor(1.5, dtype=torch.float64)),
        "int64_zero_dim_float64": (ints_a, torch.tensor(2.5, dtype=torch.float64)),
        "int64_zero_dim_int64": (ints_a, torch.tensor(3)),
        "float32_zero_dim_int64": (_randn(21, 3), torch.tensor(3)),
        "bool_zero_dim_int64": (torch.tensor([True, False]), torch.tensor(3)),
    }
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op_name, op in ops.items():
        for case, (a, b) in cases.items():
            if op_name == "sub" and a.dtype == torch.bool:
                continue  # PyTorch refuses any bool operand; the C++ test checks the error
            out = op(a, _python_scalar(case, b))
            emit(f"dtypes/arith/{op_name}/{case}/a", a)
            emit(f"dtypes/arith/{op_name}/{case}/b", b)
            emit(f"dtypes/arith/{op_name}/{case}/out", out)


def _grad_fn_name(tensor):
    return type(tensor.grad_fn).__name__


def _where(emit, emit_string):
    cases = {
        "same_shape": (_randn(22, 3, 4) > 0, _randn(23, 3, 4), _randn(24, 3, 4)),
        "broadcast": (torch.tensor([[True], [False], [True]]), _randn(26, 4), _randn(27, 3, 4)),
        "float_condition": (_randint(28, 0, 2, 2, 3).float(), _randn(29, 2, 3), _randn(30, 3)),
        "mixed_dtypes": (_randn(31, 2, 3) > 0, _randn(32, 2, 3), _randn(33, 2, 3, dtype=torch.float64)),
        "a_transposed": (_randn(34, 3, 4) > 0, _randn(35, 4, 3), _randn(36, 3, 4)),
        "scalar_b": (_randn(37, 2, 3) > 0, _randn(38, 2, 3), torch.tensor(-1.5, dtype=torch.float64)),
    }
    for case, (condition, a, b) in cases.items():
        prefix = f"dtypes/where/{case}"
        a = a.clone().requires_grad_()
        b_arg = b.item() if case == "scalar_b" else b.clone().requires_grad_()
        out = torch.where(condition.bool(), a.T if case == "a_transposed" else a, b_arg)
        grad_out = _randn(39, *out.shape, dtype=out.dtype)
        out.backward(grad_out)
        emit(f"{prefix}/condition", condition)
        emit(f"{prefix}/a", a)
        emit(f"{prefix}/b", b)
        emit(f"{prefix}/out", out)
        emit(f"{prefix}/grad_out", grad_out)
        emit(f"{prefix}/grad_a", a.grad)
        if case != "scalar_b":
            emit(f"{prefix}/grad_b", b_arg.grad)
        emit_string(f"{prefix}/grad_fn", _grad_fn_name(out))


def _masked_fill(emit, emit_string):
    torch.manual_seed(40)
    attn_scores = torch.randn(2, 4, 4)
    causal = torch.triu(torch.ones(4, 4), diagonal=1)
    cases = {
        "bool_mask_neg_inf": (_randn(41, 2, 3), _randn(42, 2, 3) > 0, -INF),
        "triu_float_mask": (_randn(43, 6, 6), torch.triu(torch.ones(6, 6), diagonal=1), -INF),
        "broadcast_batch": (attn_scores, causal.bool(), -INF),
        "row_mask": (_randn(44, 2, 3), torch.tensor([True, False, True]), 0.5),
        "input_transposed": (_randn(45, 3, 2), _randn(46, 2, 3) > 0, -2.0),
        "float64": (_randn(47, 2, 3, dtype=torch.float64), _randn(48, 3) > 0, 1e-3),
    }
    for case, (x, mask, value) in cases.items():
        prefix = f"dtypes/masked_fill/{case}"
        x = x.clone().requires_grad_()
        out = (x.T if case == "input_transposed" else x).masked_fill(mask.bool(), value)
        grad_out = _randn(49, *out.shape, dtype=out.dtype)
        out.backward(grad_out)
        emit(f"{prefix}/input", x)
        emit(f"{prefix}/mask", mask)
        emit(f"{prefix}/value", torch.tensor(value, dtype=torch.float64))
        emit(f"{prefix}/out", out)
        emit(f"{prefix}/grad_out", grad_out)
        emit(f"{prefix}/grad_input", x.grad)
        emit_string(f"{prefix}/grad_fn", _grad_fn_name(out))

    # An int64 input: no gradient, the value converted to int64.
    ints = _randint(50, -5, 6, 2, 3)
    mask = torch.tensor([[True, False, False], [False, True, True]])
    emit("dtypes/masked_fill/int64/input", ints)
    emit("dtypes/masked_fill/int64/mask", mask)
    emit("dtypes/masked_fill/int64/value", torch.tensor(7.0, dtype=torch.float64))
    emit("dtypes/masked_fill/int64/out", ints.masked_fill(mask, 7))


def _to_grad(emit, emit_string):
    cases = {
        "float32_to_float64": (_randn(51, 2, 3), torch.float64),
        "float64_to_float32": (_randn(52, 2, 3, dtype=torch.float64), torch.float32),
    }
    for case, (x, dtype) in cases.items():
        prefix = f"dtypes/to_grad/{case}"
        x = x.clone().requires_grad_()
        out = x.to(dtype)
        grad_out = _randn(53, 2, 3, dtype=dtype)
        out.backward(grad_out)
        emit(f"{prefix}/input", x)
        emit(f"{prefix}/out", out)
        emit(f"{prefix}/grad_out", grad_out)
        emit(f"{prefix}/grad_input", x.grad)
        emit_string(f"{prefix}/grad_fn", _grad_fn_name(out))


def generate(emit, emit_string):
    _arange(emit)
    _conversions(emit)
    _comparisons(emit)
    _arithmetic(emit)
    _where(emit, emit_string)
    _masked_fill(emit, emit_string)
    _to_grad(emit, emit_string)
