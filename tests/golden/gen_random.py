"""Golden tensors for minigrad's PyTorch-compatible random numbers (tensor/src/random.cpp).

generate(emit) calls emit(key, tensor) once per golden tensor; keys read
random/<op>/seed<seed>/<dtype>/<shape, e.g. 3x2>[/<detail>].
Run under PyTorch 1.13 without MKL (Debian's python3-torch): Dropout then draws one
uniform double per element, the stream minigrad's bernoulli_keep_mask_default mirrors.
"""

import torch

SEEDS = [0, 7, 123, 314159, 2**32 + 5]  # 2**32 + 5 draws like 5: only the low 32 bits count
SIZES = [1, 5, 15, 16, 17, 31, 32, 33, 100, 1000]  # randn switches paths at 16 elements
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def shape_name(shape):
    return "x".join(str(d) for d in shape)


def generate(emit):
    # rand: uniform_(0, 1), one draw per float32 element, two per float64 element. One seed at
    # every size, the others at a few.
    for name, dtype in DTYPES.items():
        for seed in SEEDS:
            sizes = SIZES if seed == 314159 else [1, 5, 17]
            for shape in [(3, 2)] + [(n,) for n in sizes]:
                torch.manual_seed(seed)
                rand = torch.rand(shape, dtype=dtype)
                emit(f"random/rand/seed{seed}/{name}/{shape_name(shape)}", rand)

    # randn: Box-Muller per element below 16 elements, blocks of 16 (re-drawn tail) from 16 on.
    for name, dtype in DTYPES.items():
        for seed in [0, 7]:
            for n in SIZES:
                torch.manual_seed(seed)
                emit(f"random/randn/seed{seed}/{name}/{n}", torch.randn(n, dtype=dtype))

    # uniform_(from, to) and normal_(mean, std) on both normal paths.
    for name, dtype in DTYPES.items():
        for low, high in [(-2.5, 3.0), (0.1, 0.2)]:
            torch.manual_seed(123)
            tensor = torch.empty(4, 5, dtype=dtype).uniform_(low, high)
            emit(f"random/uniform/seed123/{name}/4x5/from{low}_to{high}", tensor)
        for mean, std in [(0.0, 0.02), (3.0, 2.5)]:
            for n in [7, 37]:
                torch.manual_seed(123)
                tensor = torch.empty(n, dtype=dtype).normal_(mean, std)
                emit(f"random/normal/seed123/{name}/{n}/mean{mean}_std{std}", tensor)

    # normal_ on a non-contiguous tensor takes the per-element path whatever its size, in memory
    # order: the transposed view of a 2x100 buffer fills the buffer row by row.
    for name, dtype in DTYPES.items():
        for seed in [0, 7]:
            torch.manual_seed(seed)
            buffer = torch.empty(2, 100, dtype=dtype)
            buffer.t().normal_()
            emit(f"random/normal_serial/seed{seed}/{name}/2x100", buffer)

    # Consecutive randn calls after one seed: the serial path caches its second Box-Muller
    # sample across calls; the 16-block path neither reads nor clears that cache.
    for name, dtype in DTYPES.items():
        torch.manual_seed(7)
        for call, n in enumerate([5, 5, 3, 20, 1]):
            emit(f"random/randn_calls/seed7/{name}/{n}/call{call}", torch.randn(n, dtype=dtype))

    # nn.Linear(4, 3): weight then bias, both uniform_(-1/sqrt(4), 1/sqrt(4)).
    torch.manual_seed(7)
    linear = torch.nn.Linear(4, 3)
    emit("random/linear/seed7/float32/3x4/weight", linear.weight.detach())
    emit("random/linear/seed7/float32/3/bias", linear.bias.detach())

    # Dropout in training mode on ones: kept elements read 1/(1-p), dropped ones 0.
    assert not torch.backends.mkl.is_available(), "golden dropout needs PyTorch without MKL"
    for seed in [7, 0, 314159]:
        for p in [0.25, 0.5, 0.1, 0.9]:
            for shape in [(8,), (6, 6)]:
                torch.manual_seed(seed)
                dropped = torch.nn.Dropout(p)(torch.ones(shape))
                emit(f"random/dropout/seed{seed}/float32/{shape_name(shape)}/p{p}", dropped)

    # The dropout op on random inputs of both dtypes, its gradient for grad_out = ones (the
    # noise), and the next rand(3), which shows the generator stayed in step.
    for dtype, name in [(torch.float32, "float32"), (torch.float64, "float64")]:
        torch.manual_seed(11)
        x = torch.randn(4, 5, dtype=dtype).requires_grad_()
        out = torch.nn.functional.dropout(x, 0.3, training=True)
        after = torch.rand(3)
        out.backward(torch.ones_like(out))
        emit(f"random/dropout_op/{name}/input", x.detach())
        emit(f"random/dropout_op/{name}/out", out.detach())
        emit(f"random/dropout_op/{name}/grad", x.grad)
        emit(f"random/dropout_op/{name}/rand_after", after)
    # Cases that draw nothing: the rand(3) after them is the first of the seed.
    for case, (shape, p, training) in {
        "p0": ((3, 4), 0.0, True),
        "p1": ((3, 4), 1.0, True),
        "eval": ((3, 4), 0.5, False),
        "empty": ((0, 4), 0.5, True),
    }.items():
        torch.manual_seed(5)
        out = torch.nn.functional.dropout(torch.ones(shape), p, training=training)
        emit(f"random/dropout_op/no_draw/{case}/out", out)
        emit(f"random/dropout_op/no_draw/{case}/rand_after", torch.rand(3))
