"""Golden data for nn/src/safetensors.cpp: the book's MultiHeadAttention (gen_nn.py), seeded,
saved as data/mha.safetensors through safetensors_numpy.py, with its output for a fixed input.
The C++ test builds the module from another seed, loads the file and must give this output.

generate(emit, emit_string, path) also records torch's state_dict() names, in order, for the two
modules that nest others.
"""
import torch

import gen_nn
import safetensors_numpy

# MultiHeadAttention's arguments but dropout (0), in the book's order.
CONFIG = dict(d_in=4, d_out=6, context_length=6, num_heads=2, qkv_bias=True)
SEED = 123


def generate(emit, emit_string, path):
    names_config = gen_nn.case("", 0, (), 3, 4, context_length=6, num_heads=2, qkv_bias=True)
    for kind in ["MultiHeadAttention", "MultiHeadAttentionWrapper"]:
        module = gen_nn.KINDS[kind](names_config)
        emit_string(f"checkpoint/state_dict/{kind}", gen_nn.described(module.state_dict().items()))

    emit_string("checkpoint/config", " ".join(str(int(value)) for value in CONFIG.values()))
    torch.manual_seed(SEED)
    module = gen_nn.MultiHeadAttention(dropout=0.0, **CONFIG)
    state_dict = module.state_dict()
    safetensors_numpy.save(path, {name: tensor.numpy() for name, tensor in state_dict.items()},
                           {"format": "pt"})
    for name, tensor in state_dict.items():
        emit(f"checkpoint/state_dict/{name}", tensor)
    x = torch.rand(2, 5, CONFIG["d_in"])
    emit("checkpoint/input", x)
    with torch.no_grad():
        emit("checkpoint/out", module(x))
