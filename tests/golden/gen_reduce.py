"""Golden cases for sum, mean, softmax and softmax_backward (tensor/src/reduce.cpp, softmax.cpp).

generate(emit) records, for each case <op>.<name> (op: reduce, softmax, softmax_backward):
  emit("<op>.<name>.input", x)          the input, always contiguous
  emit("<op>.<name>.transpose", t)      dims (d0, d1) the op's input is x.transpose(d0, d1) of,
                                        or empty for x itself
  emit("<op>.<name>.dims", d)           reduce: the dims reduced, empty for all of them;
                                        softmax: one dim
  emit("<op>.<name>.keepdim", k)        reduce: 1.0 or 0.0
  emit("reduce.<name>.sum"), emit("reduce.<name>.mean")   PyTorch's sum and mean
  emit("<op>.<name>.grad_out", g)       softmax_backward: the gradient of softmax's output
  emit("<op>.<name>.output", y)         softmax_backward: softmax's output, which backward takes
  emit("<op>.<name>.expected", r)       softmax, softmax_backward: PyTorch's result (backward:
                                        torch.autograd.grad of (softmax(x) * g).sum())
Plus notebook.inputs and notebook.attn_scores_2, the seed notebook's attention scores.

Then var, max/min and argmax/argmin (appended, so the records above stay as they were):
  emit("var.<name>.input"), emit("var.<name>.transpose")   as above
  emit("var.<name>.dims"), .keepdim, .unbiased (1.0 or 0.0)
  emit("var.<name>.var", v)             PyTorch's var
  emit("var.<name>.grad_out", g)        when PyTorch can differentiate it: a random gradient of
  emit("var.<name>.grad", r)            the output, and torch.autograd.grad((v * g).sum(), input)
  emit_string("var.<name>.grad_fn")     as printed: VarBackward0
  emit("select.<name>.input"), .transpose, .keepdim as above; .dim: one dim, or empty for the
                                        all-elements forms max(), min(), argmax(), argmin()
  emit("select.<name>.max_values"), .max_indices, .min_values, .min_indices, .argmax, .argmin
  emit("select.<name>.grad_out")        floating cases: a random gradient of the values, and
  emit("select.<name>.max_grad"), .min_grad   the gradient of the input through max / min
  emit_string("select.<name>.max_grad_fn"), .min_grad_fn

Inputs come from fixed seeds; everything runs on one thread, so the file is reproducible.
"""

import torch

from notebook_inputs import inputs_and_attn_scores_2

F32, F64 = torch.float32, torch.float64


def _randn(seed, shape, dtype):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=dtype)


def generate(emit, emit_string):
    torch.set_num_threads(1)

    def view(x, transpose):
        return x.transpose(*transpose) if transpose else x

    def spec(key, transpose):
        emit(f"{key}.transpose", torch.tensor(list(transpose), dtype=F64))

    # name, shape, dtype, transpose, dims (None: all), keepdim
    reductions = [
        ("all.f32.7x13", (7, 13), F32, (), None, False),
        ("all_keepdim.f32.7x13", (7, 13), F32, (), None, True),
        ("all.f32.1000", (1000,), F32, (), None, False),
        ("dim0.f32.37x29", (37, 29), F32, (), (0,), False),
        ("dim1.f32.37x29", (37, 29), F32, (), (1,), False),
        ("dim0.f32.3x100", (3, 100), F32, (), (0,), False),
        ("dim1.f32.100x3", (100, 3), F32, (), (1,), False),
        ("dims02.f32.4x5x6", (4, 5, 6), F32, (), (0, 2), False),
        ("dims12.f32.4x5x20", (4, 5, 20), F32, (), (1, 2), False),
        ("dims01.f32.4x5x20", (4, 5, 20), F32, (), (0, 1), False),
        ("dims012.f32.4x5x6", (4, 5, 6), F32, (), (0, 1, 2), False),
        ("negative.f32.4x5x6", (4, 5, 6), F32, (), (-1,), False),
        ("negative2.f32.4x5x6", (4, 5, 6), F32, (), (-3, -1), False),
        ("keepdim.f32.4x5x6", (4, 5, 6), F32, (), (1,), True),
        ("keepdim02.f32.4x5x20", (4, 5, 20), F32, (), (0, 2), True),
        ("size_one.f32.5x1x7", (5, 1, 7), F32, (), (1,), False),
        ("size_one_keepdim.f32.5x1x7", (5, 1, 7), F32, (), (1, 2), True),
        ("transpose_all.f32.29x37", (29, 37), F32, (0, 1), None, False),
        ("transpose_dim0.f32.29x37", (29, 37), F32, (0, 1), (0,), False),
        ("transpose_dim1.f32.29x37", (29, 37), F32, (0, 1), (1,), False),
        ("transpose02_dims01.f32.6x7x9", (6, 7, 9), F32, (0, 2), (0, 1), False),
        ("transpose12_dim2.f32.3x20x11", (3, 20, 11), F32, (1, 2), (2,), True),
        ("all.f64.7x13", (7, 13), F64, (), None, False),
        ("dim0.f64.37x29", (37, 29), F64, (), (0,), False),
        ("dim1.f64.37x29", (37, 29), F64, (), (1,), False),
        ("dims02.f64.4x5x6", (4, 5, 6), F64, (), (0, 2), True),
        ("transpose_dim0.f64.29x37", (29, 37), F64, (0, 1), (0,), False),
        ("empty_all.f32.0x3", (0, 3), F32, (), None, False),
        ("empty_dim0.f32.0x3", (0, 3), F32, (), (0,), False),
        ("empty_dim1.f32.0x3", (0, 3), F32, (), (1,), False),
        ("empty_dim0_keepdim.f64.0x3", (0, 3), F64, (), (0,), True),
    ]
    for seed, (name, shape, dtype, transpose, dims, keepdim) in enumerate(reductions):
        x = _randn(100 + seed, shape, dtype)
        key = f"reduce.{name}"
        emit(f"{key}.input", x)
        spec(key, transpose)
        emit(f"{key}.dims", torch.tensor(list(dims or ()), dtype=F64))
        emit(f"{key}.keepdim", torch.tensor(float(keepdim), dtype=F64))
        for op in ("sum", "mean"):
            reduce = getattr(view(x, transpose), op)
            result = reduce(dim=dims, keepdim=keepdim) if dims else reduce()
            if keepdim and not dims:
                result = result.reshape([1] * x.dim())
            emit(f"{key}.{op}", result)

    def causal(shape, dtype, seed):
        x = _randn(seed, shape, dtype)
        mask = torch.triu(torch.ones(shape[-2], shape[-1], dtype=torch.bool), diagonal=1)
        return x.masked_fill(mask, float("-inf"))

    def all_inf_row(shape, dtype, seed):
        x = _randn(seed, shape, dtype)
        x[1] = float("-inf")
        return x

    # name, input, transpose, dim
    softmaxes = [
        ("2d_dim0.f32.4x10", _randn(1, (4, 10), F32), (), 0),
        ("2d_dim1.f32.4x10", _randn(2, (4, 10), F32), (), 1),
        ("2d_dimm1.f32.6x33", _randn(3, (6, 33), F32), (), -1),
        ("2d_dim0.f32.5x3", _randn(4, (5, 3), F32), (), 0),
        ("3d_dim0.f32.2x3x17", _randn(5, (2, 3, 17), F32), (), 0),
        ("3d_dim1.f32.2x3x17", _randn(6, (2, 3, 17), F32), (), 1),
        ("3d_dim2.f32.2x3x17", _randn(7, (2, 3, 17), F32), (), 2),
        ("3d_dim1.f32.3x9x5", _randn(8, (3, 9, 5), F32), (), 1),
        ("3d_dim1.f32.2x5x20", _randn(9, (2, 5, 20), F32), (), 1),
        ("3d_dimm1.f32.2x4x1", _randn(10, (2, 4, 1), F32), (), -1),
        ("3d_dim1.f32.2x4x1", _randn(11, (2, 4, 1), F32), (), 1),
        ("large1000.f32.4x33", _randn(12, (4, 33), F32) * 1000, (), -1),
        ("large1000_dim0.f32.4x33", _randn(13, (4, 33), F32) * 1000, (), 0),
        ("large1e4.f32.5x7", _randn(14, (5, 7), F32) * 1e4, (), -1),
        ("causal.f32.6x6", causal((6, 6), F32, 15), (), -1),
        ("causal_dim0.f32.6x6", causal((6, 6), F32, 16), (), 0),
        ("causal.f32.2x12x12", causal((2, 12, 12), F32, 17), (), -1),
        ("transpose.f32.7x12", _randn(18, (7, 12), F32), (0, 1), -1),
        ("transpose_dim0.f32.7x12", _randn(19, (7, 12), F32), (0, 1), 0),
        ("2d_dim1.f64.4x10", _randn(20, (4, 10), F64), (), 1),
        ("2d_dim0.f64.9x7", _randn(21, (9, 7), F64), (), 0),
        ("3d_dim1.f64.2x5x6", _randn(22, (2, 5, 6), F64), (), 1),
        ("causal.f64.5x5", causal((5, 5), F64, 23), (), -1),
        ("notebook.attn_scores_2", inputs_and_attn_scores_2()[1], (), 0),
    ]
    nan_softmaxes = [
        ("all_inf_row.f32.3x5", all_inf_row((3, 5), F32, 30), (), -1),
        ("all_inf_row.f32.3x12", all_inf_row((3, 12), F32, 31), (), -1),
        ("all_inf_row_dim0.f32.3x5", all_inf_row((3, 5), F32, 32), (0, 1), 0),
        ("all_inf_column.f32.3x9", all_inf_row((3, 9), F32, 33).T.contiguous(), (), 0),
    ]
    for seed, (name, x, transpose, dim) in enumerate(softmaxes + nan_softmaxes):
        key = f"softmax.{name}"
        emit(f"{key}.input", x)
        spec(key, transpose)
        emit(f"{key}.dims", torch.tensor([float(dim)], dtype=F64))
        emit(f"{key}.expected", torch.softmax(view(x, transpose), dim))

    for seed, (name, x, transpose, dim) in enumerate(softmaxes):
        key = f"softmax_backward.{name}"
        x = view(x, transpose).contiguous().requires_grad_()
        output = torch.softmax(x, dim)
        grad_out = _randn(200 + seed, x.shape, x.dtype)
        (grad_in,) = torch.autograd.grad((output * grad_out).sum(), x)
        emit(f"{key}.grad_out", grad_out)
        emit(f"{key}.output", output)
        emit(f"{key}.dims", torch.tensor([float(dim)], dtype=F64))
        emit(f"{key}.expected", grad_in)

    inputs, attn_scores_2 = inputs_and_attn_scores_2()
    emit("notebook.inputs", inputs)
    emit("notebook.attn_scores_2", attn_scores_2)
    attn_weights_2 = torch.softmax(attn_scores_2, dim=0)
    assert attn_weights_2.sum().item() == 1.0, attn_weights_2.sum().item()
    emit("notebook.attn_weights_2", attn_weights_2)

    _generate_var(emit, emit_string, view, spec)
    _generate_select(emit, emit_string, view, spec)


def _randn_of_shape(seed, shape, dtype):
    """_randn for any shape, 0-dim included."""
    return _randn(seed, tuple(shape) or (1,), dtype).reshape(shape)


def _small_integers(seed, shape, dtype):
    """Values from {0, 1, 2}: many ties."""
    torch.manual_seed(seed)
    return torch.randint(0, 3, shape).to(dtype)


def _with_nans(seed, shape, dtype):
    """Row 1 all NaN, and one NaN in row 2 after a larger value."""
    x = _randn(seed, shape, dtype)
    x[1] = float("nan")
    x[2, 0] = 10.0
    x[2, -2] = float("nan")
    return x


def _record_grad(emit, emit_string, key, output, inputs, seed):
    grad_out = _randn_of_shape(seed, output.shape, output.dtype)
    (grad,) = torch.autograd.grad((output * grad_out).sum(), inputs)
    emit(f"{key}.grad_out", grad_out)
    emit(f"{key}.grad", grad)
    emit_string(f"{key}.grad_fn", type(output.grad_fn).__name__)


def _generate_var(emit, emit_string, view, spec):
    # name, input, transpose, dims (None: all), unbiased, keepdim
    variances = [
        ("all.f32.7x13", _randn(300, (7, 13), F32), (), None, True, False),
        ("all_biased.f32.7x13", _randn(301, (7, 13), F32), (), None, False, False),
        ("all_keepdim.f64.4x5", _randn(302, (4, 5), F64), (), None, True, True),
        ("all_transpose.f32.13x7", _randn(303, (13, 7), F32), (0, 1), None, True, False),
        ("dim0.f32.37x29", _randn(304, (37, 29), F32), (), (0,), True, False),
        ("dim1.f32.37x29", _randn(305, (37, 29), F32), (), (1,), True, False),
        ("dim1_biased_keepdim.f32.6x9", _randn(306, (6, 9), F32), (), (1,), False, True),
        ("dims02.f32.4x5x6", _randn(307, (4, 5, 6), F32), (), (0, 2), True, False),
        ("negative_keepdim.f64.4x5x6", _randn(308, (4, 5, 6), F64), (), (-1, -3), True, True),
        ("transpose_dim0.f32.29x37", _randn(309, (29, 37), F32), (0, 1), (0,), True, False),
        ("transpose02_dims01.f64.6x7x9", _randn(310, (6, 7, 9), F64), (0, 2), (0, 1), True, False),
        ("3d_dim1.f32.3x20x11", _randn(311, (3, 20, 11), F32), (), (1,), True, False),
        ("one_output_dim1.f32.1x9", _randn(312, (1, 9), F32), (), (1,), True, False),
        ("offset1000_dim1.f32.5x40", _randn(313, (5, 40), F32) * 0.1 + 1000, (), (1,), True, False),
        ("offset1000_all.f32.5x40", _randn(314, (5, 40), F32) * 0.1 + 1000, (), None, True, False),
        ("ties_dim0.f32.6x5", _small_integers(315, (6, 5), F32), (), (0,), True, False),
        ("single_dim0.f32.1", _randn(316, (1,), F32), (), (0,), True, False),
        ("single_biased.f32.1", _randn(317, (1,), F32), (), None, False, False),
        ("single.f64.1", _randn(318, (1,), F64), (), None, True, False),
        ("single_rows_dim1.f32.3x1", _randn(319, (3, 1), F32), (), (1,), True, False),
        ("empty_dim0.f32.0x3", _randn(320, (0, 3), F32), (), (0,), True, False),
        ("empty_dim1.f32.0x3", _randn(321, (0, 3), F32), (), (1,), True, False),
    ]
    for seed, (name, x, transpose, dims, unbiased, keepdim) in enumerate(variances):
        key = f"var.{name}"
        emit(f"{key}.input", x)
        spec(key, transpose)
        emit(f"{key}.dims", torch.tensor(list(dims or ()), dtype=F64))
        emit(f"{key}.keepdim", torch.tensor(float(keepdim), dtype=F64))
        emit(f"{key}.unbiased", torch.tensor(float(unbiased), dtype=F64))
        x_view = view(x.clone().requires_grad_(), transpose)
        every_dim = list(range(x.dim()))
        if dims or keepdim:  # all dims listed: keepdim for the all-elements form
            result = x_view.var(dim=list(dims or every_dim), unbiased=unbiased, keepdim=keepdim)
        else:
            result = x_view.var(unbiased=unbiased)
        emit(f"{key}.var", result)
        if x.numel() > 0 and not name.startswith("single."):  # 1.13's backward fails there
            _record_grad(emit, emit_string, key, result, x_view, 400 + seed)


def _generate_select(emit, emit_string, view, spec):
    I64 = torch.int64
    # name, input, transpose, dim (None: all elements), keepdim
    selections = [
        ("all.f32.7x13", _randn(500, (7, 13), F32), (), None, False),
        ("all.f64.5x6", _randn(501, (5, 6), F64), (), None, False),
        ("all_ties.f32.4x5", _small_integers(502, (4, 5), F32), (), None, False),
        ("all_transpose_ties.f64.6x7", _small_integers(503, (6, 7), F64), (0, 1), None, False),
        ("all_nan.f32.4x6", _with_nans(504, (4, 6), F32), (), None, False),
        ("all.i64.4x6", _small_integers(505, (4, 6), I64) * 7 - 5, (), None, False),
        ("dim0.f32.7x13", _randn(506, (7, 13), F32), (), 0, False),
        ("dim1.f32.7x13", _randn(507, (7, 13), F32), (), 1, False),
        ("dim1_keepdim.f64.7x13", _randn(508, (7, 13), F64), (), 1, True),
        ("dim0_ties.f32.6x5", _small_integers(509, (6, 5), F32), (), 0, False),
        ("negative_ties_keepdim.f32.6x5", _small_integers(510, (6, 5), F32), (), -1, True),
        ("transpose_dim0.f32.9x5", _randn(511, (9, 5), F32), (0, 1), 0, False),
        ("transpose_dim1_keepdim.f64.9x5", _randn(512, (9, 5), F64), (0, 1), 1, True),
        ("3d_dim1.f32.3x4x5", _randn(513, (3, 4, 5), F32), (), 1, False),
        ("3d_negative.f64.3x4x5", _randn(514, (3, 4, 5), F64), (), -1, False),
        ("3d_dim0_keepdim.f32.3x4x5", _randn(515, (3, 4, 5), F32), (), 0, True),
        ("3d_transpose02_dim1.f32.4x3x5", _randn(516, (4, 3, 5), F32), (0, 2), 1, False),
        ("3d_transpose02_ties_dim0.f32.4x3x5", _small_integers(517, (4, 3, 5), F32), (0, 2), 0,
         False),
        ("nan_rows_dim1.f32.4x6", _with_nans(518, (4, 6), F32), (), 1, False),
        ("nan_rows_dim0.f64.4x6", _with_nans(519, (4, 6), F64), (), 0, False),
        ("dim1.i64.4x6", _small_integers(520, (4, 6), I64) * 7 - 5, (), 1, False),
        ("size_one_dim1.f32.5x1", _randn(521, (5, 1), F32), (), 1, False),
        ("scalar_dim0.f32", _randn_of_shape(522, (), F32), (), 0, False),
        ("empty_kept_dim0.f32.3x0", _randn(523, (3, 0), F32), (), 0, False),
    ]
    for seed, (name, x, transpose, dim, keepdim) in enumerate(selections):
        key = f"select.{name}"
        emit(f"{key}.input", x)
        spec(key, transpose)
        emit(f"{key}.dim", torch.tensor([] if dim is None else [float(dim)], dtype=F64))
        emit(f"{key}.keepdim", torch.tensor(float(keepdim), dtype=F64))
        floating = x.is_floating_point()
        x_view = view(x.clone().requires_grad_() if floating else x, transpose)
        for op in ("max", "min"):
            if dim is None:
                values, indices = getattr(x_view, op)(), getattr(x_view, f"arg{op}")()
            else:
                values, indices = getattr(x_view, op)(dim, keepdim)
            emit(f"{key}.{op}_values", values)
            emit(f"{key}.{op}_indices", indices)
            if floating and x.numel() > 0:
                grad_out = _randn_of_shape(600 + 2 * seed, values.shape, values.dtype)
                if op == "max":
                    emit(f"{key}.grad_out", grad_out)
                (grad,) = torch.autograd.grad((values * grad_out).sum(), x_view)
                emit(f"{key}.{op}_grad", grad)
                emit_string(f"{key}.{op}_grad_fn", type(values.grad_fn).__name__)
        argmax = x_view.argmax() if dim is None else x_view.argmax(dim, keepdim)
        argmin = x_view.argmin() if dim is None else x_view.argmin(dim, keepdim)
        emit(f"{key}.argmax", argmax)
        emit(f"{key}.argmin", argmin)
