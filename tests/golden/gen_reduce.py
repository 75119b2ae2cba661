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

Inputs come from fixed seeds; everything runs on one thread, so the file is reproducible.
"""

import torch

from notebook_inputs import inputs_and_attn_scores_2

F32, F64 = torch.float32, torch.float64


def _randn(seed, shape, dtype):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=dtype)


def generate(emit):
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
