"""Golden data for the differentiable ops: PyTorch's output, its grad_fn name, and the gradient of
every input for a random grad_out. tests/autograd/ops_golden_test.cpp holds the same case table."""
import torch

def scores_by_loop(query, inputs):
    # The notebooks' loop, as a user ports it with autograd on.
    attn_scores = torch.empty(inputs.shape[0])
    for i, x_i in enumerate(inputs):
        attn_scores[i] = torch.dot(x_i, query)
    return attn_scores


def add_into_row(a, w):
    out = a * 1.0
    out[1] += w
    return out


def mul_into_transposed_view(a, w):
    out = a.clone()
    out.T[0] *= w
    return out


def read_view_after_write(a, w):
    out = a.clone()
    row = out[0]
    out[0] = w * 2.0  # through another view of the same elements
    return row * 3.0


def view_of_rewritten_base(a, w):
    out = a.clone()
    row = out[1]
    out += w
    return row


def copy_broadcast_into_batch_column(a, w):
    out = a.clone()
    out.select(1, 1).copy_(w)
    return out


def copy_whole(a, w):
    out = a * 2.0
    out.copy_(w)
    return out + a


def fill_row(a):
    out = a * 3.0
    out[0].fill_(2.0)
    return out


def expanded_view_of_rewritten_base(a, w):
    out = a.clone()
    expanded = out.unsqueeze(0).expand(2, 3, 4)
    out += w
    return expanded


def causal_masked_fill_(attn_scores):
    # The chapter's MultiHeadAttention masks its scores in place.
    masked = attn_scores * 1.0
    masked.masked_fill_(torch.triu(torch.ones(4, 4), diagonal=1).bool(), -torch.inf)
    return torch.softmax(masked, -1)


def masked_fill_into_row(a):
    out = a * 2.0
    out[1].masked_fill_(torch.tensor([True, False, True, False]), 0.5)
    return out


# name -> (input shapes, function). Inputs are float32 leaves drawn with randn; a shape given as
# ("T", rows, cols) is a [cols, rows] leaf seen through .T (non-contiguous).
CASES = {
    "add_broadcast": ([(2, 3), (3,)], lambda a, b: a + b),
    "sub_column": ([(2, 1), ("T", 2, 3)], lambda a, b: a - b),
    "mul_transposed": ([("T", 3, 2), (3, 2)], lambda a, b: a * b),
    "div_3d": ([(2, 1, 3), (4, 1)], lambda a, b: a / (b * b + 1.0)),
    "scalar_left_sub": ([(3,)], lambda a: 2.0 - a),
    "scalar_left_div": ([(3,)], lambda a: 2.0 / (a * a + 1.0)),
    "scalar_right": ([(3,)], lambda a: (a + 1.5) * 3.0 / 2.0 - 0.5),
    "neg": ([(2, 3)], lambda a: -a),
    "exp": ([("T", 2, 3)], lambda a: a.exp()),
    "sum_all": ([(3, 4)], lambda a: a.sum()),
    "sum_dims_keepdim": ([(2, 3, 4)], lambda a: a.sum((0, -1), keepdim=True)),
    "sum_dim_transposed": ([("T", 3, 4)], lambda a: a.sum(1)),
    "mean_all": ([(3, 4)], lambda a: a.mean()),
    "mean_dim": ([(2, 3, 4)], lambda a: a.mean(-1)),
    "dot": ([(4,), (4,)], lambda a, b: a.dot(b)),
    "mm": ([(3, 4), ("T", 4, 2)], lambda a, b: a @ b),
    "mv": ([(3, 4), (4,)], lambda a, b: a @ b),
    "vm": ([(3,), (3, 2)], lambda a, b: a @ b),
    "batched_broadcast": ([(2, 1, 3, 4), (5, 4, 2)], lambda a, b: a @ b),
    "softmax_last": ([(3, 4)], lambda a: a.softmax(-1)),
    "softmax_dim0_3d": ([(2, 4, 3)], lambda a: torch.softmax(a, 0)),
    "stack_dim1": ([(2, 3), ("T", 2, 3)], lambda a, b: torch.stack([a, b, a], 1)),
    "view": ([(2, 6)], lambda a: a.view(3, 4)),
    "reshape_contiguous": ([(2, 6)], lambda a: a.reshape(4, 3)),
    "T": ([(2, 3)], lambda a: a.T),
    "transpose_3d": ([(2, 3, 4)], lambda a: a.transpose(0, 2)),
    "unsqueeze": ([(2, 3)], lambda a: a.unsqueeze(1)),
    "select": ([(3, 4)], lambda a: a[1]),
    "select_dim1": ([(3, 4)], lambda a: a.select(1, -1)),
    "contiguous": ([("T", 2, 3)], lambda a: a.contiguous()),
    "clone": ([(2, 3)], lambda a: a.clone()),
    "permute_3d": ([(2, 3, 4)], lambda a: a.permute(2, 0, 1)),
    "permute_transposed": ([("T", 3, 4)], lambda a: a.permute(-1, 0)),
    "slice_step": ([(5, 4)], lambda a: a[1:5:2]),
    "slice_clamped": ([(3, 6)], lambda a: a[:, -4:100]),
    "narrow_transposed": ([("T", 4, 3)], lambda a: a.narrow(1, -2, 2)),
    "squeeze_all": ([(2, 1, 3, 1)], lambda a: a.squeeze()),
    "squeeze_dim": ([(2, 1, 3)], lambda a: a.squeeze(1)),
    "expand": ([(3, 1)], lambda a: a.expand(2, 3, 4)),
    "expand_keep": ([(1, 4)], lambda a: a.expand(3, -1)),
    "flatten": ([(2, 3, 4)], lambda a: a.flatten()),
    "flatten_from_1": ([(2, 3, 4)], lambda a: a.flatten(1)),
    "cat_dim1": ([(2, 3), ("T", 2, 4)], lambda a, b: torch.cat([a, b, a], 1)),
    "triu": ([(4, 4)], lambda a: a.triu(1)),
    "tril_batch_transposed": ([("T", 3, 4)], lambda a: torch.tril(a, -1)),
    "sum_dim": ([(3, 4)], lambda a: a.sum(-1)),
    "mean_dim_keepdim": ([(3, 4)], lambda a: a.mean(0, keepdim=True)),
    # Writes into views and in-place ops, with autograd.
    "scores_by_loop": ([(3,), (4, 3)], scores_by_loop),
    "add_into_row": ([(3, 4), (4,)], add_into_row),
    "mul_into_transposed_view": ([(3, 4), (3,)], mul_into_transposed_view),
    "read_view_after_write": ([(3, 4), (4,)], read_view_after_write),
    "view_of_rewritten_base": ([(3, 4), ("T", 3, 4)], view_of_rewritten_base),
    "copy_broadcast_into_batch_column": ([(2, 3, 4), (4,)], copy_broadcast_into_batch_column),
    "copy_whole": ([(2, 3), (3,)], copy_whole),
    "fill_row": ([(2, 3)], fill_row),
    "expanded_view_of_rewritten_base": ([(3, 4), (4,)], expanded_view_of_rewritten_base),
    "causal_masked_fill_": ([(2, 4, 4)], causal_masked_fill_),
    "masked_fill_into_row": ([(3, 4)], masked_fill_into_row),
}


# grad_fn names that PyTorch 2.x, which the seed notebooks ran, prints differently from Debian's
# 1.13: reshape of a viewable tensor records a plain view since 2.0.
NAMES_IN_TORCH_2 = {"ReshapeAliasBackward0": "ViewBackward0"}


def make_input(shape):
    if shape[0] == "T":
        return torch.randn(shape[2], shape[1]).requires_grad_(), True
    return torch.randn(*shape).requires_grad_(), False


def generate(emit, emit_string):
    for index, (name, (shapes, fn)) in enumerate(CASES.items()):
        torch.manual_seed(1000 + index)
        leaves, views = [], []
        for shape in shapes:
            leaf, transposed = make_input(shape)
            leaves.append(leaf)
            views.append(leaf.T if transposed else leaf)
        out = fn(*views)
        grad_out = torch.randn(out.shape)
        out.backward(grad_out)
        prefix = f"autograd/{name}"
        for i, leaf in enumerate(leaves):
            emit(f"{prefix}/input{i}", leaf)
            emit(f"{prefix}/grad{i}", leaf.grad)
        emit(f"{prefix}/out", out)
        emit(f"{prefix}/grad_out", grad_out)
        name = type(out.grad_fn).__name__  # as printed: grad_fn=<CopySlices>
        emit_string(f"{prefix}/grad_fn", NAMES_IN_TORCH_2.get(name, name))
