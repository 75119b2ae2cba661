"""Golden data for the GPT building blocks of chapter 4 of "Build a Large Language Model (From
Scratch)": the ops embedding, cross_entropy and layer_norm (tests/autograd/nn_ops_test.cpp) and the
modules Embedding, LayerNorm, GELU and Sequential (tests/nn/layers_test.cpp).

Per op case nn_ops/<case>/...: the inputs, the output, the grad_fn name, a random grad_out and the
gradient of every floating-point input. Per module case nn_ops/module/<case>/...: the initial
parameters for a seed, an input, the output and the gradient of every parameter.
"""
import torch
import torch.nn.functional as F
from torch import nn


def op_cases():
    torch.manual_seed(2024)
    weight = torch.randn(6, 3, dtype=torch.float32)
    return {
        # Repeated ids, so the weight's gradient rows accumulate; row 5 is never used.
        "embedding_2d": ("embedding", [weight, torch.tensor([[0, 2, 4], [2, 2, 1]])]),
        "embedding_1d": ("embedding", [weight, torch.tensor([3, 3, 0, 4])]),
        "cross_entropy_2d": ("cross_entropy", [torch.randn(4, 5) * 3, torch.tensor([1, 0, 4, 2])]),
        # The GPT convention: logits [B, T, C], targets [B, T]; one target ignored (-100).
        "cross_entropy_3d": ("cross_entropy",
                             [torch.randn(2, 3, 5), torch.tensor([[4, 0, -100], [1, 1, 3]])]),
        "cross_entropy_ignore_index_2": ("cross_entropy",
                                         [torch.randn(3, 4), torch.tensor([2, 3, 2]), 2]),
        "cross_entropy_all_ignored": ("cross_entropy",
                                      [torch.randn(2, 3), torch.tensor([-100, -100])]),
        "layer_norm_last_dim": ("layer_norm",
                                [torch.randn(2, 3, 4) * 2 + 1, [4], torch.randn(4),
                                 torch.randn(4)]),
        "layer_norm_two_dims": ("layer_norm",
                                [torch.randn(2, 3, 4), [3, 4], torch.randn(3, 4),
                                 torch.randn(3, 4)]),
        "layer_norm_no_affine": ("layer_norm", [torch.randn(5, 6), [6], None, None]),
        "layer_norm_eps": ("layer_norm", [torch.randn(3, 4) * 1e-3, [4], torch.randn(4),
                                          torch.randn(4), 1e-2]),
    }


def run_op(kind, args):
    if kind == "embedding":
        return F.embedding(args[1], args[0])
    if kind == "cross_entropy":
        logits, targets = args[0], args[1]
        ignore_index = args[2] if len(args) > 2 else -100
        return F.cross_entropy(logits.flatten(0, -2), targets.flatten(), ignore_index=ignore_index)
    x, normalized_shape, weight, bias = args[:4]
    eps = args[4] if len(args) > 4 else 1e-5
    return F.layer_norm(x, normalized_shape, weight, bias, eps)


def emit_op_cases(emit, emit_string):
    for name, (kind, args) in op_cases().items():
        prefix = f"nn_ops/{name}"
        leaves = [a.clone().requires_grad_() if isinstance(a, torch.Tensor) and a.is_floating_point()
                  else a for a in args]
        for i, a in enumerate(leaves):
            if isinstance(a, torch.Tensor):
                emit(f"{prefix}/input{i}", a)
        out = run_op(kind, leaves)
        emit(f"{prefix}/out", out)
        emit_string(f"{prefix}/grad_fn", type(out.grad_fn).__name__)
        grad_out = torch.randn(out.shape)
        emit(f"{prefix}/grad_out", grad_out)
        out.backward(grad_out)
        for i, a in enumerate(leaves):
            if isinstance(a, torch.Tensor) and a.requires_grad:
                emit(f"{prefix}/grad{i}", a.grad)


def emit_module_cases(emit):
    # Initial weights for a seed: a small table (serial normal_ path) and a large one.
    for num, dim in [(3, 2), (10, 4)]:
        torch.manual_seed(123)
        emit(f"nn_ops/module/embedding_{num}x{dim}/weight", nn.Embedding(num, dim).weight)

    # Sequential(Linear, GELU("tanh"), Linear), the book's FeedForward, forward and backward.
    torch.manual_seed(7)
    ff = nn.Sequential(nn.Linear(4, 16), nn.GELU(approximate="tanh"), nn.Linear(16, 4))
    x = torch.randn(2, 3, 4).requires_grad_()
    out = ff(x)
    grad_out = torch.randn(out.shape)
    out.backward(grad_out)
    prefix = "nn_ops/module/feed_forward"
    for param_name, param in ff.named_parameters():
        emit(f"{prefix}/param/{param_name}", param)
        emit(f"{prefix}/grad/{param_name}", param.grad)
    for key, value in [("input", x), ("out", out), ("grad_out", grad_out), ("grad/input", x.grad)]:
        emit(f"{prefix}/{key}", value)

    # A tiny language model: token and position embeddings, LayerNorm, exact GELU, an output head,
    # and the loss over [B, T] targets.
    torch.manual_seed(11)
    tok_emb = nn.Embedding(10, 8)
    pos_emb = nn.Embedding(4, 8)
    final_norm = nn.LayerNorm(8)
    out_head = nn.Sequential(nn.GELU(), nn.Linear(8, 10, bias=False))
    in_idx = torch.randint(0, 10, (2, 4))
    targets = torch.randint(0, 10, (2, 4))
    x = tok_emb(in_idx) + pos_emb(torch.arange(4))
    logits = out_head(final_norm(x))
    loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
    loss.backward()
    prefix = "nn_ops/module/tiny_lm"
    emit(f"{prefix}/in_idx", in_idx)
    emit(f"{prefix}/targets", targets)
    emit(f"{prefix}/logits", logits)
    emit(f"{prefix}/loss", loss)
    for module_name, module in [("tok_emb", tok_emb), ("pos_emb", pos_emb),
                                ("final_norm", final_norm), ("out_head", out_head)]:
        for param_name, param in module.named_parameters():
            emit(f"{prefix}/param/{module_name}.{param_name}", param)
            emit(f"{prefix}/grad/{module_name}.{param_name}", param.grad)


def generate(emit, emit_string):
    emit_op_cases(emit, emit_string)
    emit_module_cases(emit)
