"""Golden data for nn/optim.h and nn/clip_grad.h: PyTorch 1.13's SGD, Adam and AdamW on their
single-tensor CPU path (foreach=False), and torch.nn.utils.clip_grad_norm_.

generate(emit, emit_string) records optim/seed, optim/input (x [2, 4]) and, per case
optim/<case>/...:
  config  "<optimizer> <dtype> lr momentum dampening weight_decay nesterov beta1 beta2 eps amsgrad"
  init/<name>, step<k>/<name>  the parameters before the first step and after step k (0 to 4).
The parameters are an nn.Linear(4, 3) (weight, bias, from manual_seed(SEED)) and two free tensors
of shape [3]: `shift`, in the loss from the start, and `late`, which joins it at step LATE_FROM, so
its gradient is None (and its step skipped, its state not yet made) before. The loss at step k is
  sum((linear(x) + shift + (late if k >= LATE_FROM else 0))^2)
and the gradients are dropped (zero_grad(set_to_none=True)) before each backward. Case
`adam_lr_schedule` halves lr before step HALVE_LR_AT. float64 cases run the same on
model.double(), the free tensors and x
converted from the float32 ones.

clip/<case>/... : clip_grad_norm_(max_norm, norm_type) on the gradients of step 0's loss,
its returned total norm and the clipped gradients.
"""
import math

import torch
from torch import nn

SEED = 123
STEPS = 5
LATE_FROM = 2
HALVE_LR_AT = 3
NAMES = ["weight", "bias", "shift", "late"]

# name: (optimizer, dtype, keyword arguments)
CASES = {
    "sgd": ("SGD", torch.float32, dict(lr=0.1)),
    "sgd_momentum_dampening": ("SGD", torch.float32, dict(lr=0.05, momentum=0.9, dampening=0.25)),
    "sgd_nesterov": ("SGD", torch.float32, dict(lr=0.05, momentum=0.8, nesterov=True)),
    "sgd_weight_decay": ("SGD", torch.float32, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    "sgd_float64": ("SGD", torch.float64, dict(lr=0.05, momentum=0.9, nesterov=True,
                                               weight_decay=0.01)),
    "adam": ("Adam", torch.float32, dict()),
    "adam_weight_decay": ("Adam", torch.float32, dict(lr=0.01, weight_decay=0.1)),
    "adam_amsgrad": ("Adam", torch.float32, dict(lr=0.05, betas=(0.8, 0.9), amsgrad=True)),
    "adam_lr_schedule": ("Adam", torch.float32, dict(lr=0.02)),
    "adam_float64": ("Adam", torch.float64, dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    "adamw": ("AdamW", torch.float32, dict()),
    "adamw_amsgrad": ("AdamW", torch.float32, dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
}

# name: (max_norm, norm_type)
CLIP_CASES = {
    "norm2_clipped": (1.0, 2.0),
    "norm2_unclipped": (100.0, 2.0),
    "inf_clipped": (0.5, math.inf),
    "inf_unclipped": (100.0, math.inf),
    "norm3_clipped": (1.0, 3.0),
}


def make_parameters(dtype):
    """Drawn in float32, then converted: the float64 cases start from the float32 values."""
    torch.manual_seed(SEED)
    linear = nn.Linear(4, 3).to(dtype)
    shift = torch.randn(3).to(dtype).requires_grad_()
    late = torch.randn(3).to(dtype).requires_grad_()
    x = torch.randn(2, 4).to(dtype)
    return linear, shift, late, x


def loss_at(step, linear, shift, late, x):
    out = linear(x) + shift
    if step >= LATE_FROM:
        out = out + late
    return (out * out).sum()


def config(kind, dtype, kwargs):
    defaults = dict(SGD=dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
                    Adam=dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                              amsgrad=False),
                    AdamW=dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                               amsgrad=False))[kind]
    c = dict(defaults, **kwargs)
    betas = c.get("betas", (0.0, 0.0))
    fields = [kind, {torch.float32: "float32", torch.float64: "float64"}[dtype], c["lr"],
              c.get("momentum", 0.0), c.get("dampening", 0.0), c["weight_decay"],
              int(c.get("nesterov", False)), betas[0], betas[1], c.get("eps", 0.0),
              int(c.get("amsgrad", False))]
    return " ".join(repr(f) if isinstance(f, float) else str(f) for f in fields)


def generate(emit, emit_string):
    _, _, _, x = make_parameters(torch.float32)
    emit_string("optim/seed", str(SEED))
    emit("optim/input", x)
    for case, (kind, dtype, kwargs) in CASES.items():
        prefix = f"optim/{case}"
        linear, shift, late, x = make_parameters(dtype)
        params = [linear.weight, linear.bias, shift, late]
        emit_string(f"{prefix}/config", config(kind, dtype, kwargs))
        for name, p in zip(NAMES, params):
            emit(f"{prefix}/init/{name}", p)
        optimizer = getattr(torch.optim, kind)(params, foreach=False, **kwargs)
        for step in range(STEPS):
            if case == "adam_lr_schedule" and step == HALVE_LR_AT:
                optimizer.param_groups[0]["lr"] *= 0.5
            optimizer.zero_grad(set_to_none=True)
            loss_at(step, linear, shift, late, x).backward()
            optimizer.step()
            for name, p in zip(NAMES, params):
                emit(f"{prefix}/step{step}/{name}", p)

    for case, (max_norm, norm_type) in CLIP_CASES.items():
        prefix = f"clip/{case}"
        linear, shift, late, x = make_parameters(torch.float32)
        params = [linear.weight, linear.bias, shift, late]
        loss_at(0, linear, shift, late, x).backward()
        total_norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        emit_string(f"{prefix}/config", f"{max_norm!r} {norm_type!r}")
        emit(f"{prefix}/total_norm", total_norm)
        for name, p in zip(NAMES[:3], params):
            emit(f"{prefix}/grad/{name}", p.grad)
