// softmax, log_softmax and their backwards, in the arithmetic of PyTorch 1.13's CPU kernels (AVX2
// build): aten/src/ATen/native/cpu/SoftMaxKernel.cpp's last-dim and other-dim kernels (the
// other-dim backwards' order, sums from 0 per column, was found from PyTorch's bits, not its
// source).
// Every kernel works on contiguous data seen as [outer, dim_size, inner].
//
// PyTorch's vector loops take exp from SLEEF (Sleef_expf8_u10 / Sleef_expd4_u10, within one ulp
// of exp), its scalar loops from std::exp; so do these loops, with SLEEF's exp written out below.
// Every sum, max and product comes in PyTorch's order, fused where its build fuses them, so the
// results match PyTorch's bits (checked on the golden cases; glibc's exp is assumed to be the
// one PyTorch's scalar loops called).
#include "minigrad/tensor/softmax.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

// Elements per AVX2 vector: 8 floats or 4 doubles.
template <typename T>
constexpr int64_t kLanes = 32 / sizeof(T);

// 2^q as a float, for -126 <= q <= 127.
float pow2i_float(int32_t q) {
  return std::bit_cast<float>(static_cast<uint32_t>(q + 0x7f) << 23);
}

// SLEEF 3's xexpf as its AVX2 build computes it (vmla is a fused multiply-add): exp(d) = 2^q *
// e^s with q = rint(d / ln 2) and s = d - q ln 2 (ln 2 split in two for accuracy), e^s from a
// degree-7 polynomial.
float sleef_expf(float d) {
  if (std::isnan(d)) return d;
  if (d < -104.0f) return 0.0f;
  if (d > 100.0f) return std::numeric_limits<float>::infinity();
  const float log2e = 1.442695040888963407359924681001892137426645954152985934135449406931f;
  const float ln2_upper = 0.693145751953125f, ln2_lower = 1.428606765330187045e-06f;
  const int32_t q = static_cast<int32_t>(std::nearbyint(d * log2e));  // round half to even
  const float qf = static_cast<float>(q);
  float s = std::fma(qf, -ln2_upper, d);
  s = std::fma(qf, -ln2_lower, s);
  float u = 0.000198527617612853646278381f;
  u = std::fma(u, s, 0.00139304355252534151077271f);
  u = std::fma(u, s, 0.00833336077630519866943359f);
  u = std::fma(u, s, 0.0416664853692054748535156f);
  u = std::fma(u, s, 0.166666671633720397949219f);
  u = std::fma(u, s, 0.5f);
  u = 1.0f + std::fma(s * s, u, s);
  return u * pow2i_float(q >> 1) *
         pow2i_float(q - (q >> 1));  // vldexp2: two steps reach subnormals
}

// 2^q as a double, for -1022 <= q <= 1023.
double pow2i_double(int64_t q) {
  return std::bit_cast<double>(static_cast<uint64_t>(q + 0x3ff) << 52);
}

// SLEEF 3's xexp (double) as its AVX2 build computes it: the same reduction as sleef_expf, e^s
// from a degree-12 polynomial evaluated Estrin-style (POLY10), then three fused steps.
double sleef_exp(double d) {
  if (std::isnan(d)) return d;
  if (d < -1000.0) return 0.0;
  if (d > 709.78271114955742909217217426) return std::numeric_limits<double>::infinity();
  const double log2e = 1.442695040888963407359924681001892137426645954152985934135449406931;
  const double ln2_upper = .69314718055966295651160180568695068359375;
  const double ln2_lower = .28235290563031577122588448175013436025525412068e-12;
  const double qd = std::nearbyint(d * log2e);
  const int64_t q = static_cast<int64_t>(qd);
  double s = std::fma(qd, -ln2_upper, d);
  s = std::fma(qd, -ln2_lower, s);
  const double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
  auto poly2 = [&](double c1, double c0) { return std::fma(s, c1, c0); };
  auto poly4 = [&](double c3, double c2, double c1, double c0) {
    return std::fma(s2, poly2(c3, c2), poly2(c1, c0));
  };
  const double poly8 = std::fma(s4,
                                poly4(+0.2755762628169491192e-6, +0.2755723402025388239e-5,
                                      +0.2480158687479686264e-4, +0.1984126989855865850e-3),
                                poly4(+0.1388888888914497797e-2, +0.8333333333314938210e-2,
                                      +0.4166666666666602598e-1, +0.1666666666666669072e+0));
  double u = std::fma(s8, poly2(+0.2081276378237164457e-8, +0.2511210703042288022e-7), poly8);
  u = std::fma(u, s, 0.5);
  u = std::fma(u, s, 1.0);
  u = std::fma(u, s, 1.0);
  return u * pow2i_double(q >> 1) * pow2i_double(q - (q >> 1));
}

// exp as PyTorch's vector loops take it.
float vector_exp(float x) {
  return sleef_expf(x);
}
double vector_exp(double x) {
  return sleef_exp(x);
}

// vec::maximum: nan if either is nan.
template <typename T>
T maximum(T a, T b) {
  if (std::isnan(a)) return a;
  if (std::isnan(b)) return b;
  return a < b ? b : a;
}

// vec::reduce_all (and map2_reduce_all) over value(0), ..., value(size - 1), size >= 1: lane k
// of a vector accumulator combines elements k, k + lanes, ...; the lanes then combine as a tree
// for float (functional_base.h's AVX2 shuffles) and in order for double. Fewer elements than a
// vector combine in order.
// `accumulate(acc, i)` folds element i >= lanes into a lane, combine(acc, value(i)) by default.
template <typename T, typename Value, typename Combine, typename Accumulate>
T reduce_all(int64_t size, Value value, Combine combine, Accumulate accumulate) {
  constexpr int64_t lanes = kLanes<T>;
  if (size < lanes) {
    T acc = value(0);
    for (int64_t i = 1; i < size; ++i) acc = combine(acc, value(i));
    return acc;
  }
  T acc[lanes];
  for (int64_t k = 0; k < lanes; ++k) acc[k] = value(k);
  int64_t d = lanes;
  for (; d < size - size % lanes; d += lanes)
    for (int64_t k = 0; k < lanes; ++k) acc[k] = accumulate(acc[k], d + k);
  for (int64_t k = 0; d + k < size; ++k) acc[k] = accumulate(acc[k], d + k);
  if constexpr (lanes == 8) {  // halves, then pairs, then neighbours
    const T lane0 = combine(combine(acc[0], acc[4]), combine(acc[2], acc[6]));
    const T lane1 = combine(combine(acc[1], acc[5]), combine(acc[3], acc[7]));
    return combine(lane0, lane1);
  } else {
    T total = acc[0];
    for (int64_t k = 1; k < lanes; ++k) total = combine(total, acc[k]);
    return total;
  }
}

template <typename T, typename Value, typename Combine>
T reduce_all(int64_t size, Value value, Combine combine) {
  return reduce_all<T>(size, value, combine,
                       [&](T acc, int64_t i) { return combine(acc, value(i)); });
}

// input and output are (outer, dim_size): one softmax per row.
template <typename T>
void softmax_lastdim(const T* input, T* output, int64_t outer, int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* x = input + row * dim_size;
    T* y = output + row * dim_size;
    const T maxval = reduce_all<T>(
        dim_size, [&](int64_t i) { return x[i]; }, maximum<T>);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = vector_exp(x[i] - maxval);
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return y[i]; }, [](T a, T b) { return a + b; });
    const T scale = T(1) / sum;  // PyTorch multiplies by the reciprocal
    for (int64_t i = 0; i < dim_size; ++i) y[i] *= scale;
  }
}

// input and output are (outer, dim_size, inner): one softmax per (outer, inner) column, each a
// lane of PyTorch's vector loop, except the last inner % lanes columns of each outer, which its
// scalar tail loop does (std::max, which lets a later nan through, for vec::maximum).
template <typename T>
void softmax_dim(const T* input, T* output, int64_t outer, int64_t dim_size, int64_t inner) {
  const int64_t vector_columns = inner - inner % kLanes<T>;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t column = 0; column < inner; ++column) {
      const T* x = input + o * dim_size * inner + column;
      T* y = output + o * dim_size * inner + column;
      const bool vector_lane = column < vector_columns;
      // pass 1: the max over the dim
      T maxval = x[0];
      for (int64_t d = 1; d < dim_size; ++d)
        maxval = vector_lane ? maximum(maxval, x[d * inner]) : std::max(maxval, x[d * inner]);
      // pass 2: exp(x - max) and its sum, from 0
      T sum = 0;
      for (int64_t d = 0; d < dim_size; ++d) {
        const T shifted = x[d * inner] - maxval;
        y[d * inner] = vector_lane ? vector_exp(shifted) : std::exp(shifted);
        sum += y[d * inner];
      }
      // pass 3: normalise; a true division here
      for (int64_t d = 0; d < dim_size; ++d) y[d * inner] /= sum;
    }
  }
}

// PyTorch's AVX2 kernels are compiled with -mfma, and GCC fuses their vector `acc + x * y` into
// one fused multiply-add, rounding once: the backward's sums below do the same with std::fma.

// grad_out, output and grad_in are (outer, dim_size). Forward: y = softmax(x) over each row.
template <typename T>
void softmax_backward_lastdim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                              int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* dout = grad_out + row * dim_size;
    const T* y = output + row * dim_size;
    T* dinp = grad_in + row * dim_size;
    // sum = sum_i dout_i * y_i: vec::map2_reduce_all, lanes as in the forward's sum. The first
    // vector of products and the short rows are products rounded on their own; the rest fuse.
    const int64_t lanes = kLanes<T>;
    T sum;
    if (dim_size < lanes) {
      sum = dout[0] * y[0];
      for (int64_t i = 1; i < dim_size; ++i) sum += dout[i] * y[i];
    } else {
      sum = reduce_all<T>(
          dim_size, [&](int64_t i) { return dout[i] * y[i]; }, [](T a, T b) { return a + b; },
          [&](T acc, int64_t i) { return std::fma(dout[i], y[i], acc); });
    }
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = (dout[i] - sum) * y[i];
  }
}

// grad_out, output and grad_in are (outer, dim_size, inner). Each (outer, inner) column sums
// dout * y from 0 in order, fused, then dinp = y * (dout - sum).
template <typename T>
void softmax_backward_dim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                          int64_t dim_size, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t column = 0; column < inner; ++column) {
      const int64_t first = o * dim_size * inner + column;
      const T* dout = grad_out + first;
      const T* y = output + first;
      T* dinp = grad_in + first;
      T sum = 0;
      for (int64_t d = 0; d < dim_size; ++d) sum = std::fma(dout[d * inner], y[d * inner], sum);
      for (int64_t d = 0; d < dim_size; ++d)
        dinp[d * inner] = y[d * inner] * (dout[d * inner] - sum);
    }
  }
}

// input and output are (outer, dim_size): one log_softmax per row, as softmax_lastdim but for
// the log of the sum (std::log, where PyTorch takes SLEEF's log).
template <typename T>
void log_softmax_lastdim(const T* input, T* output, int64_t outer, int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* x = input + row * dim_size;
    T* y = output + row * dim_size;
    const T maxval = reduce_all<T>(
        dim_size, [&](int64_t i) { return x[i]; }, maximum<T>);
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return vector_exp(x[i] - maxval); },
        [](T a, T b) { return a + b; });
    const T log_sum = std::log(sum);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval - log_sum;
  }
}

// input and output are (outer, dim_size, inner): one log_softmax per (outer, inner) column, as
// softmax_dim.
template <typename T>
void log_softmax_dim(const T* input, T* output, int64_t outer, int64_t dim_size, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t column = 0; column < inner; ++column) {
      const T* x = input + o * dim_size * inner + column;
      T* y = output + o * dim_size * inner + column;
      T maxval = x[0];
      for (int64_t d = 1; d < dim_size; ++d) maxval = maximum(maxval, x[d * inner]);
      T sum = 0;
      for (int64_t d = 0; d < dim_size; ++d) sum += vector_exp(x[d * inner] - maxval);
      const T log_sum = std::log(sum);
      for (int64_t d = 0; d < dim_size; ++d) y[d * inner] = x[d * inner] - maxval - log_sum;
    }
  }
}

// grad_out, output and grad_in are (outer, dim_size). Forward: y = log_softmax(x) over each row.
template <typename T>
void log_softmax_backward_lastdim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                                  int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* dout = grad_out + row * dim_size;
    const T* y = output + row * dim_size;
    T* dinp = grad_in + row * dim_size;
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return dout[i]; }, [](T a, T b) { return a + b; });
    // dinp = dout - exp(y) * sum, fused
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = std::fma(-vector_exp(y[i]), sum, dout[i]);
  }
}

// grad_out, output and grad_in are (outer, dim_size, inner). Each (outer, inner) column sums
// dout from 0 in order, then dinp = dout - exp(y) * sum, fused.
template <typename T>
void log_softmax_backward_dim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                              int64_t dim_size, int64_t inner) {
  const int64_t vector_columns = inner - inner % kLanes<T>;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t column = 0; column < inner; ++column) {
      const int64_t first = o * dim_size * inner + column;
      const T* dout = grad_out + first;
      const T* y = output + first;
      T* dinp = grad_in + first;
      const bool vector_lane = column < vector_columns;
      T sum = 0;
      for (int64_t d = 0; d < dim_size; ++d) sum += dout[d * inner];
      for (int64_t d = 0; d < dim_size; ++d) {
        const T exp_y = vector_lane ? vector_exp(y[d * inner]) : std::exp(y[d * inner]);
        dinp[d * inner] = std::fma(-exp_y, sum, dout[d * inner]);
      }
    }
  }
}

// The sizes of [outer, dim_size, inner] for softmax over `dim`.
struct Slices {
  int64_t outer = 1, dim_size = 1, inner = 1;
  bool last_dim = false;  // PyTorch's last-dim kernel
};

Slices slices(const Shape& shape, int64_t dim) {
  Slices s;
  const int64_t ndim = static_cast<int64_t>(shape.size());
  for (int64_t d = 0; d < ndim; ++d) {
    if (d < dim) s.outer *= shape[d];
    if (d == dim) s.dim_size = shape[d];
    if (d > dim) s.inner *= shape[d];
  }
  s.last_dim = ndim > 0 && dim == ndim - 1;
  return s;
}

// forward(x, y, slices) over contiguous data of input's dtype T, x the input, y the new output.
template <typename Forward>
Tensor along_dim(const char* op, const Tensor& input, int64_t dim, Forward forward) {
  const int64_t d = normalize_dim(dim, input.dim(), op);
  const Tensor x = contiguous(input);
  Tensor out = empty(input.shape(), input.dtype());
  if (input.numel() == 0) return out;
  dispatch(input.dtype(), [&]<typename T>() {
    forward(x.data_ptr<T>(), out.data_ptr<T>(), slices(input.shape(), d));
  });
  return out;
}

// backward(dout, y, dinp, slices) over contiguous data: the gradient grad_in from grad_out and
// the forward's output.
template <typename Backward>
Tensor backward_along_dim(const char* op, const Tensor& grad_out, const Tensor& output, int64_t dim,
                          Backward backward) {
  check(grad_out.shape() == output.shape(), op, ": grad_out has shape ", grad_out.shape(),
        " but the output has shape ", output.shape());
  check(grad_out.dtype() == output.dtype(), op, ": grad_out is ", dtype_name(grad_out.dtype()),
        " but the output is ", dtype_name(output.dtype()));
  const int64_t d = normalize_dim(dim, output.dim(), op);
  const Tensor dout = contiguous(grad_out);
  const Tensor y = contiguous(output);
  Tensor grad_in = empty(output.shape(), output.dtype());
  if (output.numel() == 0) return grad_in;
  dispatch(output.dtype(), [&]<typename T>() {
    backward(dout.data_ptr<T>(), y.data_ptr<T>(), grad_in.data_ptr<T>(), slices(output.shape(), d));
  });
  return grad_in;
}

}  // namespace

Tensor softmax(const Tensor& input, int64_t dim) {
  return along_dim("softmax", input, dim, [](const auto* x, auto* y, const Slices& s) {
    if (s.last_dim)
      softmax_lastdim(x, y, s.outer, s.dim_size);
    else
      softmax_dim(x, y, s.outer, s.dim_size, s.inner);
  });
}

Tensor softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  return backward_along_dim("softmax_backward", grad_out, output, dim,
                            [](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
                              if (s.last_dim)
                                softmax_backward_lastdim(dout, y, dinp, s.outer, s.dim_size);
                              else
                                softmax_backward_dim(dout, y, dinp, s.outer, s.dim_size, s.inner);
                            });
}

Tensor log_softmax(const Tensor& input, int64_t dim) {
  return along_dim("log_softmax", input, dim, [](const auto* x, auto* y, const Slices& s) {
    if (s.last_dim)
      log_softmax_lastdim(x, y, s.outer, s.dim_size);
    else
      log_softmax_dim(x, y, s.outer, s.dim_size, s.inner);
  });
}

Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  return backward_along_dim("log_softmax_backward", grad_out, output, dim,
                            [](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
                              if (s.last_dim)
                                log_softmax_backward_lastdim(dout, y, dinp, s.outer, s.dim_size);
                              else
                                log_softmax_backward_dim(dout, y, dinp, s.outer, s.dim_size,
                                                         s.inner);
                            });
}

}  // namespace mg::kernels
