#!/usr/bin/python3
"""Loads a checkpoint minigrad wrote (tests/nn/checkpoint_writer.cpp) into the book's
MultiHeadAttention in PyTorch, strictly, and checks that it gives minigrad's output for
minigrad's input.

Usage: check_checkpoint.py <directory holding mha.safetensors and io.safetensors>
Exits 0 when the outputs agree, 1 when they do not, 77 (the CTest's SKIP_RETURN_CODE) when torch
cannot be imported.
"""
import pathlib
import sys

SKIP = 77


def main():
    try:
        import numpy as np
        import torch
    except ImportError as error:
        print(f"skipped: {error}")
        return SKIP
    import gen_nn
    import safetensors_numpy

    directory = pathlib.Path(sys.argv[1])
    state_dict, _ = safetensors_numpy.load(directory / "mha.safetensors")
    io, config = safetensors_numpy.load(directory / "io.safetensors")
    module = gen_nn.MultiHeadAttention(int(config["d_in"]), int(config["d_out"]),
                                       int(config["context_length"]), 0.0,
                                       int(config["num_heads"]), config["qkv_bias"] == "1")
    module.load_state_dict({name: torch.from_numpy(array) for name, array in state_dict.items()},
                           strict=True)
    with torch.no_grad():
        out = module(torch.from_numpy(io["input"])).numpy()
    expected = io["output"]
    if out.shape != expected.shape:
        print(f"PyTorch's output has shape {out.shape}, minigrad's {expected.shape}")
        return 1
    print(f"largest difference from minigrad's output: {np.abs(out - expected).max():.3g}")
    return 0 if np.allclose(out, expected, rtol=1e-4, atol=1e-5) else 1


if __name__ == "__main__":
    sys.exit(main())
