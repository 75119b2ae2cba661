// softmax, log_softmax and their backwards, in the arithmetic of PyTorch 1.13's CPU kernels (AVX2
// build): aten/src/ATen/native/cpu/SoftMaxKernel.cpp's last-dim and other-dim kernels (the
// other-dim backwards' order, sums from 0 per column, was found from PyTorch's bits, not its
// source).
// Every kernel works on contiguous data seen as [outer, dim_size, inner].
//
// PyTorch's vector loops take exp and log from SLEEF (Sleef_expf8_u10 / Sleef_expd4_u10,
// Sleef_logf8_u10 / Sleef_logd4_u10, within one ulp), its scalar loops from std::exp; so do these
// loops, with SLEEF's exp and log written out below (the logs checked equal to torch.log's vector
// loop on 2^16 floats and doubles).
// Every sum, max and product comes in PyTorch's order, fused where its build fuses them, so the
// results match PyTorch's bits (checked on the golden cases; glibc's exp is assumed to be the
// one PyTorch's scalar loops called).
#include "minigrad/tensor/softmax.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"
#include "strided_loop.h"

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

// A number as an unevaluated sum hi + lo, |lo| below an ulp of hi: SLEEF's double-float and
// double-double arithmetic, for its logs below.
template <typename T>
struct TwoSum {
  T hi, lo;
};

// a + b exactly, for any a and b (dfadd2_vf2_vf_vf).
template <typename T>
TwoSum<T> two_sum(T a, T b) {
  const T sum = a + b, b_part = sum - a;
  return {sum, (a - (sum - b_part)) + (b - b_part)};
}
// x + y for |x| >= |y| (dfadd_vf2_vf2_vf2).
template <typename T>
TwoSum<T> add(TwoSum<T> x, TwoSum<T> y) {
  const T sum = x.hi + y.hi;
  return {sum, (((x.hi - sum) + y.hi) + x.lo) + y.lo};
}
// x + y for |x| >= |y| (dfadd_vf2_vf2_vf).
template <typename T>
TwoSum<T> add(TwoSum<T> x, T y) {
  const T sum = x.hi + y;
  return {sum, ((x.hi - sum) + y) + x.lo};
}
// x * y (dfmul_vf2_vf2_vf, fused).
template <typename T>
TwoSum<T> mul(TwoSum<T> x, T y) {
  const T product = x.hi * y;
  return {product, std::fma(x.lo, y, std::fma(x.hi, y, -product))};
}
// n / d (dfdiv_vf2_vf2_vf2, fused).
template <typename T>
TwoSum<T> div(TwoSum<T> n, TwoSum<T> d) {
  const T reciprocal = 1 / d.hi;
  const T quotient = n.hi * reciprocal;
  const T quotient_error = std::fma(reciprocal, n.hi, -quotient);
  const T reciprocal_error = std::fma(-d.lo, reciprocal, std::fma(-d.hi, reciprocal, T(1)));
  return {quotient,
          std::fma(quotient, reciprocal_error, std::fma(n.lo, reciprocal, quotient_error))};
}

// SLEEF 3's xlogf_u1 and xlog_u1 as their AVX2 builds compute them: d = m 2^e with m in
// [0.75, 1.5), log d = e ln 2 + 2 atanh(x) with x = (m - 1) / (m + 1), atanh from an odd
// polynomial, the sum carried as hi + lo. `Bits` is T's integer twin, `exponent_shift` its
// mantissa width.
template <typename T, typename Bits, int exponent_shift, typename Polynomial>
T sleef_log(T d, TwoSum<T> ln2, Polynomial polynomial) {
  constexpr Bits exponent_mask = (Bits(1) << (sizeof(T) * 8 - 1 - exponent_shift)) - 1;
  constexpr Bits bias = exponent_mask >> 1;
  const bool subnormal = d < std::numeric_limits<T>::min();
  if (subnormal) d *= T(18446744073709551616.0);  // 2^64
  Bits e = ((std::bit_cast<Bits>(d * T(1.0 / 0.75)) >> exponent_shift) & exponent_mask) - bias;
  const T m = std::bit_cast<T>(std::bit_cast<Bits>(d) - (e << exponent_shift));
  if (subnormal) e -= 64;
  const TwoSum<T> x = div(two_sum(T(-1), m), two_sum(T(1), m));
  const T x2 = x.hi * x.hi;
  TwoSum<T> sum = mul(ln2, static_cast<T>(e));
  sum = add(sum, TwoSum<T>{x.hi * 2, x.lo * 2});
  sum = add(sum, x2 * x.hi * polynomial(x2));
  if (std::isnan(d) || d < 0) return std::numeric_limits<T>::quiet_NaN();
  if (d == 0) return -std::numeric_limits<T>::infinity();
  if (std::isinf(d)) return d;
  return sum.hi + sum.lo;
}

float sleef_logf(float d) {
  return sleef_log<float, int32_t, 23>(d, {0.69314718246459960938f, -1.904654323148236017e-09f},
                                       [](float x2) {
                                         float t = 0.3027294874f;
                                         t = std::fma(t, x2, 0.3996108174f);
                                         return std::fma(t, x2, 0.6666694880f);
                                       });
}

double sleef_logd(double d) {
  return sleef_log<double, int64_t, 52>(
      d, {0.693147180559945286226764, 2.319046813846299558417771e-17}, [](double x2) {
        // POLY7 in x2, Estrin-style
        const double x4 = x2 * x2, x8 = x4 * x4;
        auto poly2 = [&](double c1, double c0) { return std::fma(x2, c1, c0); };
        return std::fma(x8,
                        std::fma(x4, 0.1532076988502701353,
                                 poly2(0.1525629051003428716, 0.1818605932937785996)),
                        std::fma(x4, poly2(0.2222214519839380009, 0.2857142932794299317),
                                 poly2(0.3999999999635251990, 0.6666666666667333541)));
      });
}

// exp and log as PyTorch's vector loops take them.
float vector_exp(float x) {
  return sleef_expf(x);
}
double vector_exp(double x) {
  return sleef_exp(x);
}
float vector_log(float x) {
  return sleef_logf(x);
}
double vector_log(double x) {
  return sleef_logd(x);
}

// vec::maximum: nan if either is nan. Branch-free, so that the vectoriser makes it a select.
template <typename T>
T maximum(T a, T b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<T>::quiet_NaN() : a < b ? b : a;
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

// input and output are (outer, dim_size): one log_softmax per row; PyTorch's vec::map takes
// the log of the row sums.
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
    const T log_sum = vector_log(sum);
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
      const T log_sum = vector_log(sum);
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

// PyTorch runs these loops on AVX2 with FMA where the CPU has them, and so does minigrad: kernel()
// is compiled twice, everything it calls inlined (flatten), for AVX2 with FMA and for the
// baseline, and the CPU picks. Both give the same bits: every fused multiply-add is an explicit
// std::fma (softmax.cpp is built with -ffp-contract=off), and the vectoriser keeps the order of
// the lanes written out above.
template <typename Kernel>
[[gnu::flatten]] void on_baseline_cpu(const Kernel& kernel) {
  kernel();
}

#if defined(__x86_64__)
template <typename Kernel>
[[gnu::flatten, gnu::target("avx2,fma")]] void on_avx2_cpu(const Kernel& kernel) {
  kernel();
}

template <typename Kernel>
void on_best_cpu(const Kernel& kernel) {
  static const bool has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  has_avx2 ? on_avx2_cpu(kernel) : on_baseline_cpu(kernel);
}
#else
template <typename Kernel>
void on_best_cpu(const Kernel& kernel) {
  on_baseline_cpu(kernel);
}
#endif

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
  dispatch(input.dtype(), op, [&]<typename T>() {
    on_best_cpu([&] { forward(x.data_ptr<T>(), out.data_ptr<T>(), slices(input.shape(), d)); });
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
  dispatch(output.dtype(), op, [&]<typename T>() {
    on_best_cpu([&] {
      backward(dout.data_ptr<T>(), y.data_ptr<T>(), grad_in.data_ptr<T>(),
               slices(output.shape(), d));
    });
  });
  return grad_in;
}

void check_mask(const char* op, const Tensor& mask, const Shape& shape) {
  check(broadcasts_to(mask.shape(), shape), op, ": mask of shape ", mask.shape(),
        " cannot be broadcast to the input's shape ", shape);
}

// Calls row(r, masked_row) for each row r of the last dim of a tensor of `shape`, in order, where
// masked_row[i] != 0 says that element i of that row is masked out: mask (any dtype, nonzero is
// true) broadcast to `shape`. The mask's rows are made contiguous bools first (a copy of the size
// of the mask, not of `shape`), so that the kernels read them as plain arrays, of bytes, since
// GCC 12 does not vectorise loads of bool.
template <typename Row>
void for_each_masked_row(const Tensor& mask, const Shape& shape, Row row) {
  Shape widened = mask.dim() == 0 ? Shape{1} : mask.shape();
  widened.back() = shape.back();
  const Tensor mask_rows = contiguous(expand(to(mask, kBool), widened));
  const Tensor masked_out = expand(mask_rows, shape);
  const auto* masked_out_data = reinterpret_cast<const uint8_t*>(masked_out.data_ptr<bool>());
  int64_t r = 0;
  detail::for_each_row(
      masked_out.shape(), masked_out.strides(), 0,
      [&](int64_t offset, int64_t, int64_t) { row(r++, masked_out_data + offset); });
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

// PyTorch's three ops, masked_fill_(mask, -inf), then / divisor (a true division in float, as
// for a Python float), then softmax, in one pass per row, each row's arithmetic that of softmax.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor) {
  check_mask("masked_softmax", mask, input.shape());
  return along_dim("masked_softmax", input, -1, [&](const auto* x, auto* y, const Slices& s) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    // One row of masked and divided scores, apart from y: softmax's loops vectorise only when
    // their input and output do not overlap.
    std::vector<T> scaled_row(s.dim_size);
    for_each_masked_row(mask, input.shape(), [&](int64_t row, const uint8_t* masked) {
      const T* x_row = x + row * s.dim_size;
      for (int64_t i = 0; i < s.dim_size; ++i) {
        const T scaled = x_row[i] / static_cast<T>(divisor);
        scaled_row[i] = masked[i] != 0 ? -std::numeric_limits<T>::infinity() : scaled;
      }
      softmax_lastdim(scaled_row.data(), y + row * s.dim_size, 1, s.dim_size);
    });
  });
}

// PyTorch's three backwards in one pass per row: softmax's, then / divisor, then
// masked_fill(mask, 0).
Tensor masked_softmax_backward(const Tensor& grad_out, const Tensor& output, const Tensor& mask,
                               double divisor) {
  check_mask("masked_softmax_backward", mask, output.shape());
  return backward_along_dim(
      "masked_softmax_backward", grad_out, output, -1,
      [&](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
        using T = std::remove_pointer_t<decltype(dinp)>;
        for_each_masked_row(mask, output.shape(), [&](int64_t row, const uint8_t* masked) {
          const int64_t first = row * s.dim_size;
          softmax_backward_lastdim(dout + first, y + first, dinp + first, 1, s.dim_size);
          for (int64_t i = 0; i < s.dim_size; ++i) {
            const T scaled = dinp[first + i] / static_cast<T>(divisor);
            dinp[first + i] = masked[i] != 0 ? T(0) : scaled;
          }
        });
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
