"""Golden data for nn/: the attention modules of chapter 3 of "Build a Large Language Model (From
Scratch)", as the book writes them, against minigrad's mirrors in nn/src/attention.cpp.

generate(emit, emit_string) records, per module kind, its named_parameters and named_buffers
("<name> <shape>" lines), and per parity case nn/<case>/...: the config (kind and constructor
arguments, the seed, the forward seed), the initial parameters, the input, the output, a random
grad_out and the gradients of the input and of every parameter.
Run under PyTorch 1.13 without MKL (Debian's python3-torch): dropout draws the NonMkl stream.
"""
import torch
from torch import nn


# --- The book's classes (chapter 3, attention.py) ---

class SelfAttention_v1(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.W_query = nn.Parameter(torch.rand(d_in, d_out))
        self.W_key = nn.Parameter(torch.rand(d_in, d_out))
        self.W_value = nn.Parameter(torch.rand(d_in, d_out))

    def forward(self, x):
        keys = x @ self.W_key
        queries = x @ self.W_query
        values = x @ self.W_value
        attn_scores = queries @ keys.T
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        context_vec = attn_weights @ values
        return context_vec


class SelfAttention_v2(nn.Module):
    def __init__(self, d_in, d_out, qkv_bias=False):
        super().__init__()
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

    def forward(self, x):
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.T
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        context_vec = attn_weights @ values
        return context_vec


class CausalAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, qkv_bias=False):
        super().__init__()
        self.d_out = d_out
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('mask', torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.transpose(1, 2)
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        context_vec = attn_weights @ values
        return context_vec


class MultiHeadAttentionWrapper(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.heads = nn.ModuleList(
            [CausalAttention(d_in, d_out, context_length, dropout, qkv_bias)
             for _ in range(num_heads)]
        )

    def forward(self, x):
        return torch.cat([head(x) for head in self.heads], dim=-1)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert (d_out % num_heads == 0), "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('mask', torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        keys = keys.view(b, num_tokens, self.num_heads, self.head_dim)
        values = values.view(b, num_tokens, self.num_heads, self.head_dim)
        queries = queries.view(b, num_tokens, self.num_heads, self.head_dim)
        keys = keys.transpose(1, 2)
        queries = queries.transpose(1, 2)
        values = values.transpose(1, 2)
        attn_scores = queries @ keys.transpose(2, 3)
        mask_bool = self.mask.bool()[:num_tokens, :num_tokens]
        attn_scores.masked_fill_(mask_bool, -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        context_vec = (attn_weights @ values).transpose(1, 2)
        context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
        context_vec = self.out_proj(context_vec)
        return context_vec


# --- Cases; the C++ test builds each from its config string ---

# kind -> (class, constructor arguments from the case's fields)
KINDS = {
    "SelfAttentionV1": lambda c: SelfAttention_v1(c["d_in"], c["d_out"]),
    "SelfAttentionV2": lambda c: SelfAttention_v2(c["d_in"], c["d_out"], c["qkv_bias"]),
    "CausalAttention": lambda c: CausalAttention(c["d_in"], c["d_out"], c["context_length"],
                                                 c["dropout"], c["qkv_bias"]),
    "MultiHeadAttentionWrapper": lambda c: MultiHeadAttentionWrapper(
        c["d_in"], c["d_out"], c["context_length"], c["dropout"], c["num_heads"], c["qkv_bias"]),
    "MultiHeadAttention": lambda c: MultiHeadAttention(
        c["d_in"], c["d_out"], c["context_length"], c["dropout"], c["num_heads"], c["qkv_bias"]),
}

FIELDS = ["kind", "seed", "forward_seed", "d_in", "d_out", "context_length", "dropout",
          "num_heads", "qkv_bias", "input_shape"]


def case(kind, seed, input_shape, d_in, d_out, context_length=0, dropout=0.0, num_heads=1,
         qkv_bias=False, forward_seed=0):
    return dict(kind=kind, seed=seed, forward_seed=forward_seed, d_in=d_in, d_out=d_out,
                context_length=context_length, dropout=dropout, num_heads=num_heads,
                qkv_bias=qkv_bias, input_shape=input_shape)


CASES = {
    "v1_notebook": case("SelfAttentionV1", 123, (6, 3), 3, 2),
    "v1_wide": case("SelfAttentionV1", 7, (5, 4), 4, 6),
    "v2_notebook": case("SelfAttentionV2", 789, (6, 3), 3, 2),
    "v2_bias": case("SelfAttentionV2", 0, (7, 5), 5, 3, qkv_bias=True),
    "causal_batch": case("CausalAttention", 123, (2, 6, 3), 3, 2, context_length=6),
    "causal_short_bias": case("CausalAttention", 5, (3, 4, 5), 5, 4, context_length=9,
                              qkv_bias=True),
    "wrapper_two_heads": case("MultiHeadAttentionWrapper", 123, (2, 6, 3), 3, 2,
                              context_length=6, num_heads=2),
    "wrapper_bias": case("MultiHeadAttentionWrapper", 11, (1, 5, 4), 4, 3, context_length=8,
                         num_heads=3, qkv_bias=True),
    "mha_two_heads": case("MultiHeadAttention", 123, (2, 6, 3), 3, 2, context_length=6,
                          num_heads=2),
    "mha_bias": case("MultiHeadAttention", 42, (3, 7, 6), 6, 12, context_length=10, num_heads=4,
                     qkv_bias=True),
    "mha_one_token": case("MultiHeadAttention", 3, (2, 1, 4), 4, 6, context_length=4,
                          num_heads=3),
    # Training-mode dropout on the attention weights: the NonMkl stream, seeded before forward.
    "mha_dropout": case("MultiHeadAttention", 9, (2, 5, 4), 4, 8, context_length=5,
                        dropout=0.5, num_heads=2, forward_seed=314159),
    "causal_dropout": case("CausalAttention", 9, (2, 5, 4), 4, 3, context_length=6,
                           dropout=0.25, forward_seed=7),
}


def config_string(c):
    def field(value):
        if isinstance(value, tuple):
            return ",".join(str(size) for size in value)
        return str(int(value)) if isinstance(value, bool) else str(value)
    return " ".join(field(c[name]) for name in FIELDS)


def described(named_tensors):
    return "\n".join(f"{name} {','.join(str(s) for s in t.shape)}" for name, t in named_tensors)


def generate(emit, emit_string):
    # The node F.linear records, by input rank and bias.
    for bias in [True, False]:
        linear = nn.Linear(3, 2, bias=bias)
        for shape in [(3,), (4, 3), (2, 4, 3), (2, 2, 4, 3)]:
            name = type(linear(torch.rand(shape)).grad_fn).__name__
            emit_string(f"nn/linear_grad_fn/{len(shape)}d/bias{int(bias)}", name)

    # Every kind's names, shapes and order, on the notebook's configuration (qkv_bias on, so the
    # biases are listed too).
    names_config = case("", 0, (), 3, 4, context_length=6, num_heads=2, qkv_bias=True)
    for kind, build in KINDS.items():
        module = build(names_config)
        emit_string(f"nn/names/{kind}/parameters", described(module.named_parameters()))
        emit_string(f"nn/names/{kind}/buffers", described(module.named_buffers()))

    for name, c in CASES.items():
        prefix = f"nn/{name}"
        emit_string(f"{prefix}/config", config_string(c))
        torch.manual_seed(c["seed"])
        module = KINDS[c["kind"]](c)
        for param_name, param in module.named_parameters():
            emit(f"{prefix}/param/{param_name}", param)
        x = torch.rand(c["input_shape"]).requires_grad_()
        emit(f"{prefix}/input", x)
        torch.manual_seed(c["forward_seed"])
        out = module(x)
        emit(f"{prefix}/out", out)
        grad_out = torch.randn(out.shape)
        emit(f"{prefix}/grad_out", grad_out)
        out.backward(grad_out)
        emit(f"{prefix}/grad/input", x.grad)
        for param_name, param in module.named_parameters():
            emit(f"{prefix}/grad/{param_name}", param.grad)
