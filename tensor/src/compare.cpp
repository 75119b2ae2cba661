// Comparisons, each a name for one CompareOp of kernels::compare; numbers become wrapped scalars.
#include "minigrad/tensor/compare.h"

#include "minigrad/tensor/elementwise.h"

namespace mg {

using kernels::CompareOp;

#define MG_COMPARISON(name, op, symbol)                            \
  Tensor name(const Tensor& a, const Tensor& b) {                  \
    return kernels::compare(op, a, b);                             \
  }                                                                \
  Tensor name(const Tensor& a, double b) {                         \
    return kernels::compare(op, a, kernels::wrapped_scalar(b, a)); \
  }                                                                \
  Tensor operator symbol(const Tensor& a, const Tensor& b) {       \
    return name(a, b);                                             \
  }                                                                \
  Tensor operator symbol(const Tensor& a, double b) {              \
    return name(a, b);                                             \
  }                                                                \
  Tensor Tensor::name(const Tensor& other) const {                 \
    return mg::name(*this, other);                                 \
  }                                                                \
  Tensor Tensor::name(double other) const {                        \
    return mg::name(*this, other);                                 \
  }

MG_COMPARISON(eq, CompareOp::Eq, ==)
MG_COMPARISON(ne, CompareOp::Ne, !=)
MG_COMPARISON(lt, CompareOp::Lt, <)
MG_COMPARISON(le, CompareOp::Le, <=)
MG_COMPARISON(gt, CompareOp::Gt, >)
MG_COMPARISON(ge, CompareOp::Ge, >=)

#undef MG_COMPARISON

}  // namespace mg
