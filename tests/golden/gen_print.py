"""Golden cases for tensor printing (tensor/src/print.cpp), recorded from PyTorch itself.

generate(emit, emit_string) records, for each case named <case>:
  emit("print.<case>.input", tensor)            the values to print (detached)
  emit_string("print.<case>.expected", text)    repr(tensor) as PyTorch prints it
  emit_string("print.<case>.suffix", text)      only when PyTorch adds grad_fn= / requires_grad=
  emit_string("print.<case>.options", text)     only for non-default print options, as
                                                "precision=2 sci_mode=True" (set_printoptions)
and for Python's float repr (what print(f"{t.item()}") shows):
  emit("python_float.<case>.input", tensor)     a 0-dim tensor
  emit_string("python_float.<case>.expected", repr(tensor.item()))

Every input comes from a fixed seed or literal values, so the file is reproducible.
"""

import contextlib

import torch

DEFAULT_OPTIONS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


def _check_ascii(text):
    # The C++ test's minimal JSON reader handles only \n, \" and \\ escapes.
    for char in text:
        assert char == "\n" or " " <= char <= "~", f"unexpected character {char!r} in {text!r}"


@contextlib.contextmanager
def _print_options(options):
    torch.set_printoptions(**{**DEFAULT_OPTIONS, **options})
    try:
        yield
    finally:
        torch.set_printoptions(**DEFAULT_OPTIONS)


def _autograd_suffix(tensor):
    # The suffix torch/_tensor_str.py appends for autograd; format_tensor takes it from the caller.
    if tensor.grad_fn is not None:
        name = type(tensor.grad_fn).__name__
        if name == "CppFunction":
            name = tensor.grad_fn.name().rsplit("::", 1)[-1]
        return f"grad_fn=<{name}>"
    if tensor.requires_grad:
        return "requires_grad=True"
    return None


def _seeded(seed, make):
    torch.manual_seed(seed)
    return make()


def _tensor_cases():
    """(name, tensor, options) for every repr case."""
    inf, nan = float("inf"), float("nan")
    f64 = torch.float64
    cases = []

    def add(name, tensor, **options):
        cases.append((name, tensor, options))

    # 0-dim
    add("scalar_fixed", torch.tensor(1.5010))
    add("scalar_int", torch.tensor(1.0))
    add("scalar_one_plus_ulp", torch.tensor(1.0000001192092896))  # seed 000: tensor(1.0000)
    add("scalar_negative", torch.tensor(-3.25))
    add("scalar_zero", torch.tensor(0.0))
    add("scalar_negative_zero", torch.tensor(-0.0))
    add("scalar_nan", torch.tensor(nan))
    add("scalar_inf", torch.tensor(inf))
    add("scalar_negative_inf", torch.tensor(-inf))
    add("scalar_large", torch.tensor(1.5e9))
    add("scalar_tiny", torch.tensor(3e-5))
    add("scalar_float64", torch.tensor(2.718281828, dtype=f64))
    add("scalar_sum_grad_fn", _seeded(1, lambda: torch.rand(3, 4, requires_grad=True).sum()))

    # 1-D
    add("vector_rand", _seeded(2, lambda: torch.rand(6)))
    add("vector_ints", torch.arange(10.0))
    add("vector_negatives", _seeded(3, lambda: -torch.rand(5)))
    add("vector_mixed_signs", _seeded(4, lambda: torch.randn(8)))
    add("vector_negative_zero_fixed", torch.tensor([-0.0, 0.5, 0.25]))
    add("vector_negative_zero_ints", torch.tensor([-0.0, 1.0, 2.0]))
    add("vector_zeros", torch.zeros(4))
    add("vector_large_sci", _seeded(5, lambda: torch.randn(5) * 1e9))
    add("vector_tiny_sci", _seeded(6, lambda: torch.rand(5) * 1e-5))
    add("vector_wide_range_sci", torch.tensor([1e-3, 2.0, -0.5]))
    add("vector_int_wide_range_sci", torch.tensor([1.0, 5000.0, -3.0]))
    add("vector_int_above_1e8", torch.tensor([2.0, 3e8]))
    add("vector_big_ints_sci", torch.tensor([123456.0, -7.0, 99999.0]))
    add("vector_big_ints", torch.tensor([123456.0, -700.0, 99999.0]))
    add("vector_nan_inf_fixed", torch.tensor([1.5, nan, inf, -inf, -2.25]))
    add("vector_nan_inf_ints", torch.tensor([1.0, nan, inf, -inf, 0.0]))
    add("vector_nan_inf_sci", torch.tensor([1e-6, nan, -inf, 3.0]))
    add("vector_only_nonfinite", torch.tensor([nan, inf, -inf]))
    add("vector_float32_rounding", torch.tensor([0.00015, 0.1]))  # float32: 0.0002
    add("vector_float64_rounding", torch.tensor([0.00015, 0.1], dtype=f64))  # 0.0001
    add("vector_float32_tenths", torch.tensor([0.1, 0.2, 0.3]))
    add("vector_float64_tenths", torch.tensor([0.1, 0.2, 0.3], dtype=f64))
    add("vector_wraps", _seeded(7, lambda: torch.randn(30)))
    add("vector_ints_wrap", torch.arange(40.0))
    add("vector_sci_wraps", _seeded(8, lambda: torch.randn(20) * 1e10))
    add("vector_at_threshold", _seeded(9, lambda: torch.rand(1000) + 0.5))
    add("vector_summarised", _seeded(10, lambda: torch.randn(1001)))
    add("vector_summarised_ints", torch.arange(2000.0))
    add("vector_requires_grad_wraps", _seeded(11, lambda: torch.randn(13, requires_grad=True)))
    # PyTorch counts the last line 2 characters longer than it is: this 79-character line wraps.
    add("vector_suffix_wraps_early", _seeded(30, lambda: torch.rand(6, requires_grad=True) * 2))
    add("vector_suffix_fits", _seeded(31, lambda: torch.rand(5, requires_grad=True) * 2))

    # 2-D
    add("matrix_rand", _seeded(12, lambda: torch.rand(6, 3)))
    add("matrix_mixed_signs", _seeded(13, lambda: torch.randn(4, 5)))
    add("matrix_tril_ones", torch.tril(torch.ones(6, 6)))  # seed 001 cell 23
    add("matrix_causal_mask", _causal_mask_scores())  # seed 001 cell 26
    add("matrix_softmax_grad_fn", _softmax_weights())  # seed 001 cell 22
    add("matrix_mm_grad_fn",
        _seeded(14, lambda: torch.rand(6, 3) @ torch.rand(3, 2, requires_grad=True)))
    add("matrix_wide_rows", _seeded(15, lambda: torch.randn(3, 20)))
    add("matrix_summarised", _seeded(16, lambda: torch.randn(40, 40)))
    add("matrix_summarised_columns", _seeded(17, lambda: torch.randn(2, 600)))
    add("matrix_summarised_rows", _seeded(18, lambda: torch.randn(600, 2)))
    add("matrix_float64", _seeded(19, lambda: torch.randn(3, 3, dtype=f64)))
    add("matrix_float64_grad_fn",
        _seeded(20, lambda: torch.randn(6, 6, dtype=f64, requires_grad=True).softmax(-1)))
    add("matrix_requires_grad", _seeded(21, lambda: torch.rand(2, 3, requires_grad=True)))

    # 3-D and 4-D
    add("tensor3d", _seeded(22, lambda: torch.randn(2, 3, 4)))
    add("tensor3d_cat_grad_fn", _two_heads())  # seed 001 cell 32
    add("tensor3d_summarised", _seeded(23, lambda: torch.randn(10, 10, 12)))
    add("tensor3d_wide_rows", _seeded(24, lambda: torch.randn(2, 2, 15)))
    add("tensor4d", _seeded(25, lambda: torch.randn(2, 2, 2, 3)))
    add("tensor4d_summarised", _seeded(26, lambda: torch.rand(8, 8, 4, 5)))

    # empty
    add("empty_1d", torch.zeros(0))
    add("empty_2d", torch.zeros(0, 3))
    add("empty_3d", torch.zeros(2, 0, 3))
    add("empty_float64", torch.zeros(0, dtype=f64))
    add("empty_2d_float64", torch.zeros(4, 0, dtype=f64))
    add("empty_requires_grad", torch.zeros(3, 0, requires_grad=True))

    # print options
    add("options_precision_2", _seeded(27, lambda: torch.randn(4)), precision=2)
    add("options_sci_mode_on", _seeded(28, lambda: torch.rand(2, 3)), sci_mode=True)
    add("options_sci_mode_off", torch.tensor([1e-6, 12345.678]), sci_mode=False)
    add("options_sci_mode_off_ints", torch.tensor([1.0, 1e9]), sci_mode=False)
    add("options_sci_mode_on_zeros", torch.zeros(3), sci_mode=True)
    add("options_linewidth_40", _seeded(29, lambda: torch.randn(3, 8)), linewidth=40)
    add("options_threshold_edgeitems", torch.arange(50.0).reshape(5, 10),
        threshold=10, edgeitems=2)
    add("options_precision_6_float64", torch.tensor([3.14159265358979, 1.0], dtype=f64),
        precision=6)

    # int64 and bool: Python's str of each value, right-aligned; no dtype suffix unless empty
    add("int64_vector", torch.tensor([1, 0, 3]))
    add("int64_matrix_aligned", torch.tensor([[1, -2], [10, 3]]))
    add("int64_scalar", torch.tensor(-5))
    add("int64_arange_wraps", torch.arange(0, 40000, 1000))
    add("int64_summarised", torch.arange(2000))
    add("int64_large", torch.tensor([123456789012, -3]))
    add("int64_empty", torch.zeros(0, dtype=torch.int64))
    add("int64_empty_2d", torch.zeros(2, 0, dtype=torch.int64))
    add("int64_options_ignored", torch.tensor([1, 100000]), precision=2, sci_mode=True)
    add("bool_vector", torch.tensor([True, False, True]))
    add("bool_all_true", torch.tensor([True, True]))
    add("bool_scalar", torch.tensor(False))
    add("bool_matrix_mask", torch.triu(torch.ones(4, 4), diagonal=1).bool())
    add("bool_wraps", _seeded(32, lambda: torch.randn(20) > 0))
    add("bool_summarised", _seeded(33, lambda: torch.randn(1001) > 0))
    add("bool_empty", torch.zeros(0, dtype=torch.bool))
    return cases


def _causal_mask_scores():
    # Like seed 001 cell 26: small scores with the upper triangle masked to -inf.
    torch.manual_seed(314159)
    queries = torch.randn(6, 2, requires_grad=True) * 0.2
    keys = torch.randn(6, 2) * 0.2
    attn_scores = queries @ keys.T
    mask = torch.triu(torch.ones(6, 6), diagonal=1)
    return attn_scores.masked_fill(mask.bool(), -torch.inf)


def _softmax_weights():
    # Like seed 001 cell 22: a 6x6 softmax whose grad_fn no longer fits on the last line.
    torch.manual_seed(314159)
    attn_scores = torch.randn(6, 6, requires_grad=True) * 0.1
    return torch.softmax(attn_scores, dim=-1)


def _two_heads():
    # Like seed 001 cell 32: two (2, 6, 2) heads concatenated on the last dim.
    torch.manual_seed(314159)
    heads = [torch.randn(2, 6, 2, requires_grad=True) * 0.3 for _ in range(2)]
    return torch.cat(heads, dim=-1)


def _python_float_cases():
    f64 = torch.float64
    return [
        ("one", torch.tensor(1.0)),
        ("one_plus_ulp_float32", torch.tensor(1.0000001192092896)),  # seed 001 cell 3
        ("tenth_float32", torch.tensor(0.1)),
        ("tenth_float64", torch.tensor(0.1, dtype=f64)),
        ("third_float32", torch.tensor(1.0) / 3),
        ("negative_zero", torch.tensor(-0.0)),
        ("ten_thousandth", torch.tensor(1e-4, dtype=f64)),
        ("hundred_thousandth", torch.tensor(1e-5, dtype=f64)),
        ("small_float32", torch.tensor(2.5e-7)),
        ("sixteen_digits", torch.tensor(1234567890123456.0, dtype=f64)),
        ("ten_to_16", torch.tensor(1e16, dtype=f64)),
        ("ten_to_22", torch.tensor(1e22, dtype=f64)),
        ("large_float32", torch.tensor(3e38)),
        ("max_float64", torch.tensor(1.7976931348623157e308, dtype=f64)),
        ("min_subnormal", torch.tensor(5e-324, dtype=f64)),
        ("negative_mixed", torch.tensor(-123.456, dtype=f64)),
        ("pi_float32", torch.tensor(3.141592653589793)),
        ("nan", torch.tensor(float("nan"))),
        ("inf", torch.tensor(float("inf"))),
        ("negative_inf", torch.tensor(float("-inf"))),
    ]


def generate(emit, emit_string):
    def record_string(key, text):
        _check_ascii(text)
        emit_string(key, text)

    for name, tensor, options in _tensor_cases():
        with _print_options(options):
            expected = repr(tensor)
        emit(f"print.{name}.input", tensor.detach())
        record_string(f"print.{name}.expected", expected)
        suffix = _autograd_suffix(tensor)
        if suffix is not None:
            record_string(f"print.{name}.suffix", suffix)
        if options:
            record_string(f"print.{name}.options", " ".join(f"{k}={v}" for k, v in options.items()))

    for name, tensor in _python_float_cases():
        emit(f"python_float.{name}.input", tensor)
        record_string(f"python_float.{name}.expected", repr(tensor.item()))
