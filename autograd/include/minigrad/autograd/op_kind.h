#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

// Every kind of node an op records, named as PyTorch prints its grad_fn (a trailing digit is the
// overload PyTorch records it for): one index of the differentiable ops, as ggml's enum ggml_op.
namespace mg::autograd {

// clang-format off
enum class OpKind : uint8_t {
  // elementwise.cpp; RsubBackward1 is scalar - tensor, and MulBackward0 also scalar / tensor,
  // which PyTorch multiplies by the reciprocal
  AddBackward0, SubBackward0, RsubBackward1, MulBackward0, DivBackward0, NegBackward0,
  ExpBackward0, LogBackward0, SqrtBackward0, PowBackward0, AbsBackward0, TanhBackward0,
  SigmoidBackward0, ReluBackward0, GeluBackward0,
  // reduce.cpp: Sum and Mean 0 reduce all elements, Max and Min 0 reduce along a dim
  SumBackward0, SumBackward1, MeanBackward0, MeanBackward1, VarBackward0, MaxBackward0,
  MaxBackward1, MinBackward0, MinBackward1,
  // matmul.cpp and linear.cpp, by the operands' ranks
  DotBackward0, MmBackward0, MvBackward0, SqueezeBackward3, UnsafeViewBackward0, AddmmBackward0,
  // shape.cpp
  ViewBackward0, TransposeBackward0, PermuteBackward0, UnsqueezeBackward0, SqueezeBackward0,
  SqueezeBackward1, ExpandBackward0, SelectBackward0, SliceBackward0, TriuBackward0,
  TrilBackward0, CloneBackward0,
  // join.cpp, convert.cpp
  StackBackward0, CatBackward0, ToCopyBackward0,
  // masks.cpp, softmax.cpp
  WhereBackward0, MaskedFillBackward0, SoftmaxBackward0, LogSoftmaxBackward0,
  // nn ops: layer_norm.cpp, embedding.cpp, loss.cpp, attention.cpp
  NativeLayerNormBackward0, EmbeddingBackward0, NllLossBackward0,
  ScaledDotProductFlashAttentionForCpuBackward0,
  // views and writes: node.cpp, inplace.cpp
  AsStridedBackward0, CopySlices, CopyBackwards, FillBackward2,
  kCount  // not a kind: the number of kinds
};

// The names, in the enum's order, a line for each of its groups.
inline constexpr const char* kOpNames[] = {
    "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0", "NegBackward0",
    "ExpBackward0", "LogBackward0", "SqrtBackward0", "PowBackward0", "AbsBackward0",
    "TanhBackward0", "SigmoidBackward0", "ReluBackward0", "GeluBackward0",
    "SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1", "VarBackward0",
    "MaxBackward0", "MaxBackward1", "MinBackward0", "MinBackward1",
    "DotBackward0", "MmBackward0", "MvBackward0", "SqueezeBackward3", "UnsafeViewBackward0",
    "AddmmBackward0",
    "ViewBackward0", "TransposeBackward0", "PermuteBackward0", "UnsqueezeBackward0",
    "SqueezeBackward0", "SqueezeBackward1", "ExpandBackward0", "SelectBackward0", "SliceBackward0",
    "TriuBackward0", "TrilBackward0", "CloneBackward0",
    "StackBackward0", "CatBackward0", "ToCopyBackward0",
    "WhereBackward0", "MaskedFillBackward0", "SoftmaxBackward0", "LogSoftmaxBackward0",
    "NativeLayerNormBackward0", "EmbeddingBackward0", "NllLossBackward0",
    "ScaledDotProductFlashAttentionForCpuBackward0",
    "AsStridedBackward0", "CopySlices", "CopyBackwards", "FillBackward2",
};
// clang-format on
static_assert(std::size(kOpNames) == static_cast<size_t>(OpKind::kCount),
              "kOpNames needs one name per OpKind");

constexpr const char* op_name(OpKind kind) {
  return kOpNames[static_cast<size_t>(kind)];
}

}  // namespace mg::autograd
