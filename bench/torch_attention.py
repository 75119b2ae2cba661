#!/usr/bin/python3
"""The attention workloads of minigrad_bench, in PyTorch: the same modules (the book's chapter-3
classes), inputs and steps, timed as Google Benchmark times minigrad's: one untimed warm-up call,
then calls until at least a second has passed, reporting the mean wall time of one.

  /usr/bin/python3 bench/torch_attention.py       # this side alone
  /usr/bin/python3 bench/compare_attention.py     # both sides in alternating rounds
"""
import time

import torch
import torch.nn as nn


class SelfAttentionV2(nn.Module):
    def __init__(self, d_in, d_out, qkv_bias=False):
        super().__init__()
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

    def forward(self, x):
        keys, queries, values = self.W_key(x), self.W_query(x), self.W_value(x)
        attn_weights = torch.softmax(queries @ keys.T / keys.shape[-1] ** 0.5, dim=-1)
        return attn_weights @ values


class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, _ = x.shape
        split_heads = lambda t: t.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        keys, queries, values = split_heads(self.W_key(x)), split_heads(self.W_query(x)), split_heads(self.W_value(x))
        attn_scores = queries @ keys.transpose(2, 3)
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = self.dropout(torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1))
        context_vec = (attn_weights @ values).transpose(1, 2).contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)


def tiny_self_attention_fwd_bwd():
    torch.manual_seed(314159)
    sa_v2, inputs = SelfAttentionV2(3, 2), torch.rand(6, 3)
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
