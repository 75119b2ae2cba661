"""Golden data for nn/gpt.h: the GPT of chapter 4 of "Build a Large Language Model (From Scratch)",
as the book writes it (its chapter-3 MultiHeadAttention imported from gen_nn.py), against
minigrad's mirror in nn/src/gpt.cpp.

generate(emit, emit_string) records per case gpt/<case>/...: the config, the names and shapes of
named_parameters and of state_dict in order, every initial state_dict tensor, a batch of token ids
and of targets [B, T], the logits, the loss F.cross_entropy(logits.flatten(0, 1),
targets.flatten()) and the gradient of every parameter. The book's LayerNorm calls its parameters
scale and shift; the names written here are torch.nn.LayerNorm's, weight and bias, as minigrad's.
Run under PyTorch 1.13 without MKL (Debian's python3-torch): dropout draws the NonMkl stream.
"""
import torch
from torch import nn
from torch.nn import functional as F

from gen_nn import MultiHeadAttention


# --- The book's classes (chapter 4, gpt.py) ---

class LayerNorm(nn.Module):
    def __init__(self, emb_dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        norm_x = (x - mean) / torch.sqrt(var + self.eps)
        return self.scale * norm_x + self.shift


class GELU(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(
            torch.sqrt(torch.tensor(2.0 / torch.pi)) *
            (x + 0.044715 * torch.pow(x, 3))
        ))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]),
            GELU(),
            nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"]),
        )

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.att = MultiHeadAttention(
            d_in=cfg["emb_dim"],
            d_out=cfg["emb_dim"],
            context_length=cfg["context_length"],
            num_heads=cfg["n_heads"],
            dropout=cfg["drop_rate"],
            qkv_bias=cfg["qkv_bias"])
        self.ff = FeedForward(cfg)
        self.norm1 = LayerNorm(cfg["emb_dim"])
        self.norm2 = LayerNorm(cfg["emb_dim"])
        self.drop_shortcut = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        x = self.att(x)
        x = self.drop_shortcut(x)
        x = x + shortcut

        shortcut = x
        x = self.norm2(x)
        x = self.ff(x)
        x = self.drop_shortcut(x)
        x = x + shortcut
        return x


class GPTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop_emb = nn.Dropout(cfg["drop_rate"])

        self.trf_blocks = nn.Sequential(
            *[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])

        self.final_norm = LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(
            cfg["emb_dim"], cfg["vocab_size"], bias=False
        )

    def forward(self, in_idx):
        batch_size, seq_len = in_idx.shape
        tok_embeds = self.tok_emb(in_idx)
        pos_embeds = self.pos_emb(torch.arange(seq_len, device=in_idx.device))
        x = tok_embeds + pos_embeds
        x = self.drop_emb(x)
        x = self.trf_blocks(x)
        x = self.final_norm(x)
        logits = self.out_head(x)
        return logits


# --- Cases; the C++ test builds each from its config string ---

FIELDS = ["seed", "forward_seed", "vocab_size", "context_length", "emb_dim", "n_heads", "n_layers",
          "drop_rate", "qkv_bias", "batch_size", "num_tokens"]


def case(seed, vocab_size, context_length, emb_dim, n_heads, n_layers, batch_size, num_tokens,
         drop_rate=0.0, qkv_bias=False, forward_seed=0):
    return dict(seed=seed, forward_seed=forward_seed, vocab_size=vocab_size,
                context_length=context_length, emb_dim=emb_dim, n_heads=n_heads,
                n_layers=n_layers, drop_rate=drop_rate, qkv_bias=qkv_bias,
                batch_size=batch_size, num_tokens=num_tokens)


CASES = {
    "two_layers": case(123, 11, 8, 12, 3, 2, batch_size=2, num_tokens=8),
    "qkv_bias_short": case(7, 13, 10, 8, 2, 3, batch_size=2, num_tokens=5, qkv_bias=True),
    # Training-mode dropout after the embeddings, on the attention weights and on both shortcuts:
    # the NonMkl stream, seeded before forward.
    "dropout": case(5, 11, 8, 12, 3, 2, batch_size=2, num_tokens=7, drop_rate=0.25,
                    forward_seed=2718),
}


def config_string(c):
    return " ".join(str(int(c[name])) if isinstance(c[name], bool) else str(c[name])
                    for name in FIELDS)


# The book's LayerNorm parameter names and torch.nn.LayerNorm's, which minigrad's LayerNorm uses.
LAYER_NORM_NAMES = {"scale": "weight", "shift": "bias"}


def minigrad_name(name):
    *path, last = name.split(".")
    return ".".join(path + [LAYER_NORM_NAMES.get(last, last)])


def described(named_tensors):
    return "\n".join(f"{minigrad_name(name)} {','.join(str(s) for s in t.shape)}"
                     for name, t in named_tensors)


def generate(emit, emit_string):
    for name, c in CASES.items():
        prefix = f"gpt/{name}"
        emit_string(f"{prefix}/config", config_string(c))
        torch.manual_seed(c["seed"])
        model = GPTModel(c)
        emit_string(f"{prefix}/names/parameters", described(model.named_parameters()))
        emit_string(f"{prefix}/names/state_dict", described(model.state_dict().items()))
        for tensor_name, tensor in model.state_dict().items():
            emit(f"{prefix}/init/{minigrad_name(tensor_name)}", tensor)
        ids_shape = (c["batch_size"], c["num_tokens"])
        in_idx = torch.randint(0, c["vocab_size"], ids_shape)
        targets = torch.randint(0, c["vocab_size"], ids_shape)
        emit(f"{prefix}/in_idx", in_idx)
        emit(f"{prefix}/targets", targets)
        torch.manual_seed(c["forward_seed"])
        logits = model(in_idx)
        emit(f"{prefix}/logits", logits)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        emit(f"{prefix}/loss", loss)
        loss.backward()
        for param_name, param in model.named_parameters():
            emit(f"{prefix}/grad/{minigrad_name(param_name)}", param.grad)
