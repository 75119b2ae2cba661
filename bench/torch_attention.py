#!/usr/bin/python3
"""The attention workloads of minigrad_bench in PyTorch, for a side-by-side comparison:
  ./build/release/bench/minigrad_bench --benchmark_filter='Attention|MHA'; /usr/bin/python3 bench/torch_attention.py
The module is the book's chapter-3 MultiHeadAttention (dropout 0), timed as minigrad_bench times
it: forward + sum + backward with the input requiring grad, and forward alone under no_grad."""
import time, torch
import torch.nn as nn
class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.d_out=d_out; self.num_heads=num_heads; self.head_dim=d_out//num_heads
        self.W_query=nn.Linear(d_in,d_out,bias=qkv_bias); self.W_key=nn.Linear(d_in,d_out,bias=qkv_bias); self.W_value=nn.Linear(d_in,d_out,bias=qkv_bias)
        self.out_proj=nn.Linear(d_out,d_out); self.dropout=nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))
    def forward(self, x):
        b,T,_=x.shape
        k=self.W_key(x).view(b,T,self.num_heads,self.head_dim).transpose(1,2)
        q=self.W_query(x).view(b,T,self.num_heads,self.head_dim).transpose(1,2)
        v=self.W_value(x).view(b,T,self.num_heads,self.head_dim).transpose(1,2)
        s=q@k.transpose(2,3)
        s.masked_fill_(self.mask.bool()[:T,:T], -torch.inf)
        w=torch.softmax(s/k.shape[-1]**0.5, dim=-1); w=self.dropout(w)
        c=(w@v).transpose(1,2).contiguous().view(b,T,self.d_out)
        return self.out_proj(c)
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
# The tiny SelfAttentionV2 of the notebooks: 6 tokens of width 3, d_out 2.
class SelfAttentionV2(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.W_query=nn.Linear(d_in,d_out,bias=False); self.W_key=nn.Linear(d_in,d_out,bias=False); self.W_value=nn.Linear(d_in,d_out,bias=False)
    def forward(self, x):
        k=self.W_key(x); q=self.W_query(x); v=self.W_value(x)
        return torch.softmax(q@k.T/k.shape[-1]**0.5, dim=-1)@v
torch.manual_seed(314159); sa=SelfAttentionV2(3,2); inputs=torch.rand(6,3)
n=20000; t=time.perf_counter()
for _ in range(n): sa(inputs).sum().backward()
print("TinySelfAttentionV2FwdBwd %.1f us"%((time.perf_counter()-t)/n*1e6))
for B,T in [(8,128),(1,1024)]:
    torch.manual_seed(0); m=MultiHeadAttention(768,768,T,0.0,12); x=torch.randn(B,T,768,requires_grad=True)
    for _ in range(2): m(x).sum().backward()
    n=5; t=time.perf_counter()
    for _ in range(n): m(x).sum().backward()
    fb=(time.perf_counter()-t)/n
    with torch.no_grad():
        for _ in range(2): m(x)
        t=time.perf_counter()
        for _ in range(n): m(x)
        f=(time.perf_counter()-t)/n
    print(B,T,"fwdbwd %.1f ms fwd %.1f ms"%(fb*1e3,f*1e3))
