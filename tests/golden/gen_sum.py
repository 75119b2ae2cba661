"""Golden cases for the summation kernels (tensor/src/sum_kernel.cpp), recorded from PyTorch.

generate(emit) records, for each case named <case>:
  emit("sum.<case>.input", tensor)     the input, always contiguous (a view's case name says
                                       which view of it PyTorch summed)
  emit("sum.<case>.expected", tensor)  PyTorch's result

Cases (<dtype> is float32 or float64, <dist> rand or randn):
  all.<dist>.<dtype>.n<n>         x.sum() of a 1-D x (n = 100003 only for rand float32 and
                                  randn float64, to keep the file small)
  notebook.attn_scores_2, notebook.attn_weights_2_tmp
                                  the seed notebook's scores and scores / scores.sum()
  all.negative_zero               [-0., -0.].sum() is +0
  lastdim.<dtype>.<R>x<C>         x.sum(-1)
  dim0.<dtype>.<N>x<W>            x.sum(0)
  middle.<dtype>.<A>x<N>x<B>      x.sum(1)
  batch_time.<dtype>.<B>x<T>x<C>  x.sum((0, 1)), a [B, T, C] gradient summed to [C]
  outer_dims.<dtype>.<A>x<B>x<C>  x.sum((0, 2))
  transpose_all.<dtype>.<R>x<C>   x.T.sum()
  transpose_dim0.<dtype>.<R>x<C>  x.T.sum(0)
  transpose_dim1.<dtype>.<R>x<C>  x.T.sum(1)
  column.<dtype>.<R>x<C>          x[:, 0].sum()
  prefix_columns<k>.<dtype>.<R>x<C>    x[:, :k].sum()
  even_dim0.<dtype>.<R>x<C>, even_dim1.<dtype>.<R>x<C>   x[::2, ::2].sum(0) and .sum(1)
  mean_all.<dtype>.n<n>, mean_dim0.<dtype>.<N>x<W>, mean_lastdim.<dtype>.<R>x<C>

Every input comes from a fixed seed or literal values, and sums run on one thread (PyTorch
splits large sums across threads, which changes their bits), so the file is reproducible.
"""

import torch

from notebook_inputs import inputs_and_attn_scores_2

DTYPES = {"float32": torch.float32, "float64": torch.float64}
LENGTHS = list(range(1, 41)) + [63, 64, 65, 100, 127, 128, 129, 1000, 4097, 100003]
LONGEST, LONGEST_KINDS = 100003, {("rand", "float32"), ("randn", "float64")}


def _seeded(seed, make):
    torch.manual_seed(seed)
    return make()


def _shape_name(shape):
    return "x".join(str(size) for size in shape)


def _notebook_attention():
    # The seed notebook: attention scores of query x[1] against every input row.
    _, attn_scores_2 = inputs_and_attn_scores_2()
    attn_weights_2_tmp = attn_scores_2 / attn_scores_2.sum()
    assert repr(attn_weights_2_tmp.sum().item()) == "1.0000001192092896"
    return attn_scores_2, attn_weights_2_tmp


def generate(emit):
    torch.set_num_threads(1)

    def record(case, x, result):
        emit(f"sum.{case}.input", x.contiguous())
        emit(f"sum.{case}.expected", result)

    for seed_offset, (dtype_name, dtype) in enumerate(DTYPES.items()):
        for dist, draw in (("rand", torch.rand), ("randn", torch.randn)):
            for n in LENGTHS:
                if n == LONGEST and (dist, dtype_name) not in LONGEST_KINDS:
                    continue  # keeps the file small
                seed = 1000 * n + 10 * seed_offset + (dist == "randn")
                x = _seeded(seed, lambda: draw(n, dtype=dtype))
                record(f"all.{dist}.{dtype_name}.n{n}", x, x.sum())

    for name, x in zip(("attn_scores_2", "attn_weights_2_tmp"), _notebook_attention()):
        record(f"notebook.{name}", x, x.sum())
    negative_zero = torch.tensor([-0.0, -0.0])
    record("all.negative_zero", negative_zero, negative_zero.sum())

    def randn(seed, shape, dtype):
        return _seeded(seed, lambda: torch.randn(*shape, dtype=dtype))

    for dtype_name, dtype in DTYPES.items():
        def cases(kind, shapes, reduce):
            for index, shape in enumerate(shapes):
                x = randn(index, shape, dtype)
                record(f"{kind}.{dtype_name}.{_shape_name(shape)}", x, reduce(x))

        matrices = [(3, 6), (4, 17), (5, 100), (2, 1000), (7, 3), (9, 8), (6, 33), (40, 70)]
        cases("lastdim", matrices, lambda x: x.sum(-1))
        cases("dim0", [(5, 3), (17, 8), (100, 33), (6, 40), (129, 7), (64, 1),
                       (3, 100), (33, 4), (20, 5), (65, 36), (300, 40)], lambda x: x.sum(0))
        cases("middle", [(2, 17, 40), (3, 100, 5), (4, 9, 1), (2, 6, 3), (2, 129, 9)],
              lambda x: x.sum(1))
        cases("batch_time", [(2, 6, 8), (2, 5, 3), (3, 40, 48), (4, 7, 40)],
              lambda x: x.sum((0, 1)))
        cases("outer_dims", [(3, 4, 10), (5, 2, 3)], lambda x: x.sum((0, 2)))
        cases("transpose_all", matrices, lambda x: x.T.sum())
        cases("transpose_dim0", matrices, lambda x: x.T.sum(0))
        cases("transpose_dim1", matrices, lambda x: x.T.sum(1))
        cases("column", [(100, 3), (7, 5), (2, 9)], lambda x: x[:, 0].sum())
        cases("prefix_columns3", [(5, 10), (4, 7)], lambda x: x[:, :3].sum())
        cases("prefix_columns20", [(7, 40), (3, 100)], lambda x: x[:, :20].sum())
        cases("even_dim0", [(10, 20), (40, 90), (8, 6)], lambda x: x[::2, ::2].sum(0))
        cases("even_dim1", [(10, 20), (40, 90), (8, 6)], lambda x: x[::2, ::2].sum(1))
        cases("mean_all", [(6,), (17,), (100,), (1000,)], lambda x: x.mean())
        cases("mean_dim0", [(37, 29), (5, 100)], lambda x: x.mean(0))
        cases("mean_lastdim", [(37, 29), (5, 100)], lambda x: x.mean(-1))
