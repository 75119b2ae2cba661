#!/usr/bin/python3
"""minigrad_bench's workloads in PyTorch (Python), under the same names.

The same modules (the book's chapter-3 and chapter-4 classes, from tests/golden/gen_nn.py and
gen_gpt.py), shapes, optimizer and steps as minigrad_bench's, timed as Google Benchmark times
minigrad's: one untimed warm-up call, then calls until at least --min-time seconds have passed,
reporting the mean wall time of one.

  /usr/bin/python3 bench/torch_workloads.py [--threads N] [--filter REGEX] [--json]
  make bench-compare     # every side in alternating rounds, one table (bench/compare.py)
"""
import argparse
import json
import pathlib
import re
import sys
import time

import torch
from torch.nn import functional as F

REPO = pathlib.Path(__file__).resolve().parent.parent
# The book's classes, as the golden data's generators write them.
sys.path.insert(0, str(REPO / "tests" / "golden"))
from gen_gpt import GPTModel  # noqa: E402
from gen_nn import MultiHeadAttention, SelfAttention_v2  # noqa: E402

# train_charlm's default run: charlm::Config{} (examples/charlm.h) on the default corpus, as
# BM_TrainStepTinyGPT (bench/train_bench.cpp) times it.
CHARLM_CORPUS = REPO / "examples" / "data" / "genesis.txt"
CHARLM_CONFIG = dict(batch_size=16, context_length=64, emb_dim=128, n_heads=4, n_layers=4,
                     drop_rate=0.0, lr=3e-3, weight_decay=0.1, clip=1.0, seed=1337)


def tiny_self_attention_fwd_bwd():
    torch.manual_seed(314159)
    sa_v2, inputs = SelfAttention_v2(3, 2), torch.rand(6, 3)
    return lambda: sa_v2(inputs).sum().backward()


def causal_mha(batch, num_tokens, backward):
    torch.manual_seed(0)
    mha = MultiHeadAttention(768, 768, num_tokens, 0.0, 12)
    x = torch.randn(batch, num_tokens, 768, requires_grad=backward)
    if backward:
        return lambda: mha(x).sum().backward()

    def forward():
        with torch.no_grad():
            mha(x)
    return forward


def causal_sdpa(batch, heads, num_tokens, head_dim):
    """BM_SDPA's causal attention on [B, H, T, D] inputs, forward, sum, backward, by the explicit
    ops (PyTorch 1.13 has no scaled_dot_product_attention): the [B, H, T, T] scores and weights
    are made, as the book's modules make them."""
    torch.manual_seed(0)
    query, key, value = (torch.randn(batch, heads, num_tokens, head_dim, requires_grad=True)
                         for _ in range(3))
    hidden = torch.triu(torch.ones(num_tokens, num_tokens, dtype=torch.bool), 1)

    def step():
        attn_scores = query @ key.transpose(-2, -1) / head_dim ** 0.5
        attn_weights = torch.softmax(attn_scores.masked_fill(hidden, float("-inf")), -1)
        (attn_weights @ value).sum().backward()
    return step


def charlm_vocab_size():
    """The characters of the corpus, each once (charlm::Vocabulary::of)."""
    return len(set(CHARLM_CORPUS.read_bytes()))


def train_step_tiny_gpt():
    """charlm::Trainer::step: forward, cross_entropy, backward, clip_grad_norm_, AdamW, zero_grad
    (to None, as minigrad's), then the loss and accuracy it returns."""
    c = CHARLM_CONFIG
    text = CHARLM_CORPUS.read_bytes()
    vocab = sorted(set(text))
    id_of = {byte: i for i, byte in enumerate(vocab)}
    ids = torch.tensor([id_of[byte] for byte in text])
    torch.manual_seed(c["seed"])
    model = GPTModel(dict(vocab_size=len(vocab), context_length=c["context_length"],
                          emb_dim=c["emb_dim"], n_heads=c["n_heads"], n_layers=c["n_layers"],
                          drop_rate=c["drop_rate"], qkv_bias=False))
    optimizer = torch.optim.AdamW(model.parameters(), lr=c["lr"], weight_decay=c["weight_decay"])
    # batch_size random windows of context_length + 1 tokens of the training part, the first 90%
    # (charlm::random_batch; which windows does not change the time).
    train = ids[:len(ids) - int(len(ids) * 0.1)]
    offsets = torch.randint(len(train) - c["context_length"], (c["batch_size"], 1))
    windows = train[offsets + torch.arange(c["context_length"] + 1)]
    inputs, targets = windows[:, :-1], windows[:, 1:]

    def step():
        logits = model(inputs)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), c["clip"])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item(), (logits.argmax(-1) == targets).double().mean().item()
    return step


def op_overhead(recording):
    """a * b + a on [6, 3]: NoGrad (no input requires grad), Forward (both do, so the graph is
    recorded) or ForwardBackward (then backward with a ones gradient, accumulating)."""
    torch.manual_seed(0)
    a, b = torch.rand(6, 3), torch.rand(6, 3)
    if recording != "NoGrad":
        a.requires_grad_()
        b.requires_grad_()
    grad_out = torch.ones(6, 3)
    if recording == "ForwardBackward":
        return lambda: (a * b + a).backward(grad_out)
    return lambda: a * b + a


def gelu_forward_backward(approximate, numel=1 << 20):
    """F.gelu (PyTorch's fused kernel; the book's GELU class composes six ops) forward and
    backward, the gradient accumulating into x.grad."""
    torch.manual_seed(0)
    x = torch.randn(numel, requires_grad=True)
    grad_out = torch.randn(numel)
    return lambda: F.gelu(x, approximate=approximate).backward(grad_out)


# minigrad_bench's names, each with what it is and a maker of the same work in PyTorch.
WORKLOADS = {
    "BM_TinySelfAttentionV2FwdBwd": (
        "SelfAttention_v2(3, 2) on 6 x 3, forward, sum, backward", tiny_self_attention_fwd_bwd),
    "BM_CausalMHAFwdBwd/8/128": (
        "MultiHeadAttention(768, 768, 128, 0.0, 12) on 8 x 128 x 768, forward, sum, backward",
        lambda: causal_mha(8, 128, backward=True)),
    "BM_CausalMHAFwdBwd/1/1024": ("the same on 1 x 1024 x 768",
                                  lambda: causal_mha(1, 1024, backward=True)),
    "BM_CausalMHAFwd/8/128": ("8 x 128, forward without a graph",
                              lambda: causal_mha(8, 128, backward=False)),
    "BM_CausalMHAFwd/1/1024": ("1 x 1024, forward without a graph",
                               lambda: causal_mha(1, 1024, backward=False)),
    "BM_SDPA/1/12/1024/64": (
        "scaled_dot_product_attention alone, causal, [1, 12, 1024, 64], forward, sum, backward "
        "(PyTorch: the explicit ops)", lambda: causal_sdpa(1, 12, 1024, 64)),
    "BM_SDPA/8/12/128/64": ("the same on [8, 12, 128, 64]", lambda: causal_sdpa(8, 12, 128, 64)),
    "BM_SDPA/1/12/2048/64": ("the same on [1, 12, 2048, 64]",
                             lambda: causal_sdpa(1, 12, 2048, 64)),
    "BM_SDPA/1/12/4096/64": ("the same on [1, 12, 4096, 64]",
                             lambda: causal_sdpa(1, 12, 4096, 64)),
    "BM_TrainStepTinyGPT": (
        "one step of train_charlm's default GPTModel: {n_layers} layers, {n_heads} heads, emb "
        "{emb_dim}, context {context_length}, batch {batch_size}, vocab {vocab}, AdamW, clip "
        "{clip}".format(**CHARLM_CONFIG, vocab=charlm_vocab_size()), train_step_tiny_gpt),
    "BM_OpOverhead/NoGrad": ("a * b + a on [6, 3], no grad", lambda: op_overhead("NoGrad")),
    "BM_OpOverhead/Forward": ("the same, recording the graph", lambda: op_overhead("Forward")),
    "BM_OpOverhead/ForwardBackward": ("the same, then backward with ones",
                                      lambda: op_overhead("ForwardBackward")),
    "BM_GELU/1048576": ("tanh GELU on 2^20 floats, forward and backward",
                        lambda: gelu_forward_backward("tanh")),
    "BM_GELUExact/1048576": ("the same, exact (erf) GELU", lambda: gelu_forward_backward("none")),
}


def seconds_per_call(step, min_seconds):
    step()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        step()
        calls += 1
    return elapsed / calls


def peak_rss_mb():
    """This process's peak resident memory in MB: VmHWM, getrusage's max RSS for this program
    alone (ru_maxrss would also keep the peak of the process that started it)."""
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(name_filter=".", min_seconds=1.0):
    """{workload name: seconds per call} for the workloads whose name name_filter matches."""
    return {name: seconds_per_call(make(), min_seconds)
            for name, (_, make) in WORKLOADS.items() if re.search(name_filter, name)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--filter", default=".", help="a regex the workload names must match")
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds per workload")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    seconds = run(args.filter, args.min_time)
    if args.json:
        print(json.dumps({"torch_version": torch.__version__,
                          "torch_threads": torch.get_num_threads(), "seconds": seconds,
                          "peak_rss_mb": peak_rss_mb()}))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for name, s in seconds.items():
        print(f"{name:32} {s * 1e3:10.3f} ms")


if __name__ == "__main__":
    main()
