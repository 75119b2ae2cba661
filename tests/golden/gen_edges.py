"""The edge-shape sweep: every public op over 0-dim, empty, size-1, transposed and expanded inputs
and every dim argument from -(rank + 1) to rank, forward then backward, as PyTorch answers it.
tests/autograd/edge_sweep_test.cpp replays each case through minigrad's op of the same name.

  edges/<n>              the case, a JSON object {"op", "inputs": [input], "args": {...}}
  edges/<n>/error        PyTorch's message where the forward raises, or the backward (writes into
                         overlapping elements: PyTorch 1.13 refuses some only in the backward)
  edges/<n>/out<i>       each output otherwise, and edges/<n>/requires_grad ("true"/"false")
  edges/<n>/grad<i>      after out0.backward(pattern(out0.shape, salt 7)), input i's gradient,
                         or edges/<n>/no_grad<i> ("none") where PyTorch leaves it None

An input is {"shape", "dtype", "layout", "values" (optional)}. Its base tensor holds pattern(base
shape, dtype, salt = its position) unless the case lists its values; a floating-point base is a
leaf that requires grad unless the input says "requires_grad": false. The layout makes the op's operand from the base: "contiguous" is the base
itself, "transposed" is base.transpose(-2, -1) of a base whose last two sizes are swapped,
"expanded" is base.expand(shape) of a base with size 1 in dim 0. In-place ops write into
base.clone() seen through the layout, so that a leaf is never written.
"""
import itertools
import json
import math

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
          "bool": torch.bool}
INF = float("inf")
END = 2**63 - 1  # x[start:] along a dim, as Tensor::slice's default end


def pattern(shape, dtype, salt):
    """Small exact numbers, negative and positive, the same in tests/autograd/edge_sweep_test.cpp."""
    count = math.prod(shape)
    codes = torch.tensor([(i * 5 + 3 * salt) % 13 for i in range(count)], dtype=torch.int64)
    if dtype == torch.bool:
        values = codes % 3 == 0
    elif dtype == torch.int64:
        values = codes - 6
    else:
        values = ((codes - 6).to(torch.float64) * 0.25).to(dtype)
    return values.reshape(shape)


def base_shape(spec):
    shape = list(spec["shape"])
    if spec["layout"] == "transposed":
        shape[-2], shape[-1] = shape[-1], shape[-2]
    elif spec["layout"] == "expanded":
        shape[0] = 1
    return shape


def make_base(spec, salt):
    dtype = DTYPES[spec["dtype"]]
    if "values" in spec:
        base = torch.tensor(spec["values"], dtype=dtype).reshape(base_shape(spec))
    else:
        base = pattern(base_shape(spec), dtype, salt)
    return base.requires_grad_(base.is_floating_point() and spec.get("requires_grad", True))


def through_layout(spec, base):
    if spec["layout"] == "transposed":
        return base.transpose(-2, -1)
    if spec["layout"] == "expanded":
        return base.expand(spec["shape"])
    return base


def sdpa_math(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """PyTorch 2.x's scaled_dot_product_attention by its math path (Debian's 1.13 has no SDPA)."""
    scale = 1.0 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if is_causal:
        visible = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
        scores = scores.masked_fill(~visible, -INF)
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, -INF) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    return torch.softmax(scores, -1) @ v


def dropout(x, p):
    torch.manual_seed(7)
    return torch.nn.functional.dropout(x, p, True)


def inplace(method):
    def run(target, *rest, **args):
        getattr(target, method)(*rest, **args)
        return target
    return run


# Each op as PyTorch runs it; the C++ test holds the same table by the same names.
OPS = {
    "neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "gelu": lambda x, approximate: torch.nn.functional.gelu(x, approximate=approximate),
    "pow": lambda x, exponent: torch.pow(x, exponent),
    "add_scalar": lambda x, other: x + other, "mul_scalar": lambda x, other: x * other,
    "rsub_scalar": lambda x, other: other - x, "rdiv_scalar": lambda x, other: other / x,
    "clone": torch.clone, "contiguous": lambda x: x.contiguous(),
    "to": lambda x, dtype: x.to(DTYPES[dtype]),
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "eq": torch.eq, "lt": torch.lt, "ge": torch.ge,
    "matmul": torch.matmul, "dot": torch.dot,
    "linear": torch.nn.functional.linear,
    "sum": lambda x, **args: x.sum(**args), "mean": lambda x, **args: x.mean(**args),
    "var": lambda x, **args: x.var(**args),
    "max": lambda x, **args: x.max(**args), "min": lambda x, **args: x.min(**args),
    "argmax": lambda x, **args: x.argmax(**args), "argmin": lambda x, **args: x.argmin(**args),
    "softmax": torch.softmax, "log_softmax": torch.log_softmax,
    "masked_softmax": lambda x, mask: torch.softmax(x.masked_fill(mask, -INF), -1),
    "view": lambda x, shape: x.view(shape), "reshape": lambda x, shape: x.reshape(shape),
    "transpose": torch.transpose, "permute": lambda x, dims: x.permute(dims),
    "unsqueeze": torch.unsqueeze, "squeeze": lambda x, **args: x.squeeze(**args),
    "flatten": torch.flatten, "expand": lambda x, shape: x.expand(shape),
    "select": torch.select, "narrow": torch.narrow,
    "slice": lambda x, dim, start, end, step: torch.ops.aten.slice(x, dim, start, end, step),
    "triu": torch.triu, "tril": torch.tril,
    "cat": lambda *xs, dim: torch.cat(xs, dim), "stack": lambda *xs, dim: torch.stack(xs, dim),
    "where": torch.where, "masked_fill": lambda x, mask, value: x.masked_fill(mask, value),
    "dropout": dropout,
    "embedding": lambda weight, indices: torch.nn.functional.embedding(indices, weight),
    "cross_entropy": lambda logits, targets: torch.nn.functional.cross_entropy(
        logits.flatten(0, -2) if logits.dim() == 3 else logits,
        targets.flatten() if logits.dim() == 3 else targets),
    "layer_norm": lambda x, *affine, normalized_shape: torch.nn.functional.layer_norm(
        x, normalized_shape, *affine),
    "sdpa": sdpa_math,
    "add_": inplace("add_"), "sub_": inplace("sub_"), "mul_": inplace("mul_"),
    "div_": inplace("div_"), "copy_": inplace("copy_"), "fill_": inplace("fill_"),
    "masked_fill_": inplace("masked_fill_"),
}
INPLACE = {"add_", "sub_", "mul_", "div_", "copy_", "fill_", "masked_fill_"}


def spec(shape, dtype="float32", layout="contiguous", values=None, requires_grad=True):
    result = {"shape": list(shape), "dtype": dtype, "layout": layout}
    if values is not None:
        result["values"] = values
    if not requires_grad:
        result["requires_grad"] = False
    return result


# The shapes of the issue, each contiguous, plus [2, 3] as a transposed and an expanded view.
EDGE_SHAPES = [[], [0], [1], [3], [0, 3], [3, 0], [2, 0, 3], [2, 1, 3], [2, 3]]


def edge_inputs(dtype="float32"):
    inputs = [spec(shape, dtype) for shape in EDGE_SHAPES]
    inputs += [spec([2, 3], dtype, "transposed"), spec([2, 3], dtype, "expanded"),
               spec([2, 1, 3], dtype, "expanded")]
    return inputs


def dims_of(x):
    rank = len(x["shape"])
    return range(-(rank + 1), rank + 1)


def cases():
    floats = edge_inputs()
    every_dtype = floats + edge_inputs("int64") + edge_inputs("bool")
    for name in ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "clone",
                 "contiguous"]:
        for x in every_dtype:
            yield name, [x], {}
    for x in floats:
        for approximate in ["none", "tanh"]:
            yield "gelu", [x], {"approximate": approximate}
        for exponent in [2.0, 0.5, -1.0, 0.0]:
            yield "pow", [x], {"exponent": exponent}
    for name in ["add_scalar", "mul_scalar", "rsub_scalar", "rdiv_scalar"]:
        for x in every_dtype:
            yield name, [x], {"other": 2.5}
    for x in every_dtype:
        for dtype in DTYPES:
            yield "to", [x], {"dtype": dtype}

    for name in ["add", "sub", "mul", "div", "eq", "lt"]:
        for a, b in itertools.product(floats, repeat=2):
            yield name, [a, b], {}
    for name in ["add", "mul", "div", "ge"]:
        for dtype_a, dtype_b in itertools.product(["float32", "int64", "bool"], repeat=2):
            for shape_a, shape_b in [([2, 3], [3]), ([], [0]), ([2, 1, 3], [2, 3])]:
                yield name, [spec(shape_a, dtype_a), spec(shape_b, dtype_b)], {}
    for a, b in itertools.product(floats, repeat=2):
        yield "matmul", [a, b], {}
    for a, b in itertools.product(floats[:4], repeat=2):
        yield "dot", [a, b], {}
    for x in floats:
        for weight in [spec([2, 3]), spec([0, 3]), spec([2, 0]), spec([4, 3], layout="transposed")]:
            yield "linear", [x, weight], {}
            yield "linear", [x, weight, spec(weight["shape"][:1])], {}

    for x in floats + edge_inputs("int64")[:9] + edge_inputs("bool")[:9]:
        yield "sum", [x], {}
        for name in ["mean", "var", "max", "min", "argmax", "argmin"]:
            yield name, [x], {}
        for dim in dims_of(x):
            for keepdim in [False, True]:
                for name in ["sum", "mean", "max", "min", "argmax", "argmin"]:
                    yield name, [x], {"dim": dim, "keepdim": keepdim}
                for unbiased in [False, True]:
                    yield "var", [x], {"dim": dim, "unbiased": unbiased, "keepdim": keepdim}
            yield "softmax", [x], {"dim": dim}
            yield "log_softmax", [x], {"dim": dim}
        rank = len(x["shape"])
        for dims in [[0, -1], [0, 1], [-1, 0, 1], [0, 0]] if rank >= 2 else [[0, -1]]:
            yield "sum", [x], {"dim": dims}
            yield "mean", [x], {"dim": dims, "keepdim": True}
    for x in floats:
        masks = [spec([], "bool"), spec(x["shape"], "bool"), spec(x["shape"][-1:], "bool"),
                 spec([4], "bool")]
        for mask in masks:
            yield "masked_softmax", [x, mask], {}
            yield "masked_fill", [x, mask], {"value": -1.5}
            yield "where", [mask, x, spec([3])], {}
            yield "masked_fill_", [x, mask], {"value": 2.0}

    for x in floats + edge_inputs("int64")[:9]:
        rank = len(x["shape"])
        dims = dims_of(x)
        for dim0, dim1 in itertools.product(dims, repeat=2):
            yield "transpose", [x], {"dim0": dim0, "dim1": dim1}
        for dims_list in list(itertools.permutations(range(rank))) + [[0] * rank, [0] * (rank + 1)]:
            yield "permute", [x], {"dims": list(dims_list)}
        for dim in range(-(rank + 2), rank + 2):
            yield "unsqueeze", [x], {"dim": dim}
        yield "squeeze", [x], {}
        for dim in dims:
            yield "squeeze", [x], {"dim": dim}
        for start, end in itertools.product(dims, repeat=2):
            yield "flatten", [x], {"start_dim": start, "end_dim": end}
        for dim in dims:
            size = x["shape"][dim] if -rank <= dim < rank else 1
            for index in sorted({-size - 1, -1, 0, 1, size}):
                yield "select", [x], {"dim": dim, "index": index}
            for start, length in [(0, 0), (0, size), (1, size - 1), (size, 0), (-1, 1), (0, size + 1)]:
                yield "narrow", [x], {"dim": dim, "start": start, "length": length}
            yield "cat", [x, x], {"dim": dim}
            for start, end, step in [(0, END, 1), (1, 3, 1), (-2, END, 1), (0, 100, 2), (5, 1, 1),
                                     (-100, 2, 1), (0, 3, 0), (0, 3, -1)]:
                yield "slice", [x], {"dim": dim, "start": start, "end": end, "step": step}
        for dim in range(-(rank + 2), rank + 2):
            yield "stack", [x, x], {"dim": dim}
        for shape in [[-1], [3, -1], [-1, 0], [0], [1, -1, 1], [-1, -1], [6], []]:
            yield "view", [x], {"shape": shape}
            yield "reshape", [x], {"shape": shape}
        for shape in [[2, 3], [-1, 3], [2, 1, 3], [2, -1, -1], [3], [0, 3], [-1]]:
            yield "expand", [x], {"shape": shape}
        for diagonal in [-1, 0, 1, 5]:
            yield "triu", [x], {"diagonal": diagonal}
            yield "tril", [x], {"diagonal": diagonal}
    for a, b in itertools.product(floats, repeat=2):
        yield "cat", [a, b], {"dim": 0}

    for name in ["add_", "sub_", "mul_", "div_", "copy_"]:
        for a, b in itertools.product(floats, repeat=2):
            yield name, [a, b], {}
        for dtype_a, dtype_b in itertools.product(["float32", "int64", "bool"], repeat=2):
            yield name, [spec([2, 3], dtype_a), spec([3], dtype_b)], {}
    for x in every_dtype:
        yield "fill_", [x], {"value": 2.5}

    for x in floats:
        for p in [0.0, 0.5, 1.0]:
            yield "dropout", [x], {"p": p}
    for indices in [[], [0], [3], [2, 3], [2, 0]]:
        for weight in [spec([5, 2]), spec([5, 0]), spec([2, 5], layout="transposed")]:
            count = math.prod(indices)
            yield "embedding", [weight, spec(indices, "int64", values=[i % 5 for i in range(count)])], {}
    for weight in [spec([5, 2]), spec([0, 2]), spec([5])]:
        yield "embedding", [weight, spec([2], "int64", values=[4, 5])], {}
        yield "embedding", [weight, spec([2], "int64", values=[0, -1])], {}
    for logits_shape, target_shape, targets in [
            ([3, 4], [3], [0, 3, 1]), ([3, 4], [3], [0, -100, 1]), ([1, 1], [1], [0]),
            ([0, 4], [0], []), ([3, 4], [3], [-100, -100, -100]), ([3, 4], [3], [0, 4, 1]),
            ([3, 4], [2], [0, 1]), ([2, 2, 3], [2, 2], [0, 2, 1, -100]), ([2, 0, 3], [2, 0], []),
            ([4], [], [1]), ([3, 4], [3, 1], [0, 1, 2])]:
        for layout in ["contiguous", "transposed"] if len(logits_shape) == 2 else ["contiguous"]:
            yield "cross_entropy", [spec(logits_shape, layout=layout),
                                    spec(target_shape, "int64", values=targets)], {}
    for x in floats:
        for normalized_shape in [x["shape"][-1:], x["shape"][-2:], [4], []]:
            yield "layer_norm", [x], {"normalized_shape": normalized_shape}
            yield "layer_norm", [x, spec(normalized_shape), spec(normalized_shape)], \
                {"normalized_shape": normalized_shape}
    for batch, t_q, t_k, e, ev in itertools.product([[], [2], [2, 0]], [0, 1, 3], [0, 1, 3],
                                                    [1, 2], [1, 2]):
        q, k, v = spec(batch + [t_q, e]), spec(batch + [t_k, e]), spec(batch + [t_k, ev])
        yield "sdpa", [q, k, v], {}
        yield "sdpa", [q, k, v], {"is_causal": True}
        # minigrad's mask gets no gradient, as the flash kernel of PyTorch 2.x gives none.
        yield "sdpa", [q, k, v, spec([t_q, t_k], requires_grad=False)], {"scale": 0.5}
        yield "sdpa", [q, k, v, spec([t_k], "bool", values=[True] * t_k)], {}
    yield "sdpa", [spec([3, 2]), spec([3, 1]), spec([3, 2])], {}
    yield "sdpa", [spec([3, 2]), spec([3, 2]), spec([4, 2])], {}


def run(op, inputs, args):
    bases = [make_base(x, salt) for salt, x in enumerate(inputs)]
    if op in INPLACE:
        operands = [through_layout(inputs[0], bases[0].clone())]
        operands += [through_layout(x, base) for x, base in zip(inputs[1:], bases[1:])]
    else:
        operands = [through_layout(x, base) for x, base in zip(inputs, bases)]
    outputs = OPS[op](*operands, **args)
    return bases, list(outputs) if isinstance(outputs, tuple) else [outputs]


def ascii_line(error):
    line = str(error).split("\n")[0][:200].replace("\t", " ")
    return line.encode("ascii", "replace").decode()


def generate(emit, emit_string):
    torch.set_default_dtype(torch.float32)
    count = 0
    for n, (op, inputs, args) in enumerate(cases()):
        key = f"edges/{n:05d}"
        emit_string(key, json.dumps({"op": op, "inputs": inputs, "args": args}, sort_keys=True))
        count += 1
        try:
            bases, outputs = run(op, inputs, args)
        except (RuntimeError, IndexError, ValueError, TypeError) as error:
            emit_string(f"{key}/error", ascii_line(error))
            continue
        for i, out in enumerate(outputs):
            emit(f"{key}/out{i}", out)
        out = outputs[0]
        emit_string(f"{key}/requires_grad", "true" if out.requires_grad else "false")
        if not out.requires_grad:
            continue
        if op == "var" and args.get("unbiased", True) and bases[0].numel() == 1 and \
                (bases[0].dim() == 0 or "dim" not in args):
            # The gradient of an unbiased variance of one element is 2 / 0 * (x - mean) = inf * 0.
            # PyTorch 1.13 answers inf for these (or raises, for var() of [1]), but NaN along the
            # dim of a [1]; minigrad's NaN throughout is tested against the latter.
            emit_string(f"{key}/backward_skipped", "PyTorch 1.13's var backward of one element")
            continue
        try:
            out.backward(pattern(out.shape, out.dtype, 7))
        except RuntimeError as error:
            emit_string(f"{key}/error", ascii_line(error))
            continue
        for i, base in enumerate(bases):
            if not base.requires_grad:
                continue
            if base.grad is None:
                emit_string(f"{key}/no_grad{i}", "none")
            else:
                emit(f"{key}/grad{i}", base.grad)
    print(f"edge sweep: {count} cases")
