#!/usr/bin/python3
"""The attention workloads of minigrad_bench, in PyTorch: the same modules (the book's chapter-3
classes, from tests/golden/gen_nn.py), inputs and steps, timed as Google Benchmark times
minigrad's: one untimed warm-up call, then calls until at least a second has passed, reporting
the mean wall time of one.

  /usr/bin/python3 bench/torch_attention.py       # this side alone
  /usr/bin/python3 bench/compare_attention.py     # both sides in alternating rounds
"""
import pathlib
import sys
import time

import torch

# The book's chapter-3 classes, as the golden data's generator writes them.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden"))
from gen_nn import MultiHeadAttention, SelfAttention_v2  # noqa: E402


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


# minigrad_bench's names, each with the same work in PyTorch.
WORKLOADS = {
    "BM_TinySelfAttentionV2FwdBwd": tiny_self_attention_fwd_bwd,
    "BM_CausalMHAFwdBwd/8/128": lambda: causal_mha(8, 128, backward=True),
    "BM_CausalMHAFwdBwd/1/1024": lambda: causal_mha(1, 1024, backward=True),
    "BM_CausalMHAFwd/8/128": lambda: causal_mha(8, 128, backward=False),
    "BM_CausalMHAFwd/1/1024": lambda: causal_mha(1, 1024, backward=False),
}


def seconds_per_call(step, min_seconds=1.0):
    step()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        step()
        calls += 1
    return elapsed / calls


def run():
    """{workload name: seconds per call}"""
    return {name: seconds_per_call(make()) for name, make in WORKLOADS.items()}


if __name__ == "__main__":
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for name, seconds in run().items():
        print(f"{name:32} {seconds * 1e3:10.3f} ms")
