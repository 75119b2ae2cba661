#pragma once

#include <cstdint>
#include <cstring>

namespace mg::kernels::vec {
namespace {
// y = fn(x) a Vec at a time; the tail goes through a zero-padded Vec. Internal to each of
// vec_math.cpp and vec_math_avx2.cpp, so that its AVX2 and its baseline builds stay apart.
template <typename Vec, typename T, typename Fn>
[[gnu::always_inline]] inline void map_vectors(Fn fn, const T* x, T* y, int64_t n) {
  constexpr int64_t lanes = sizeof(Vec) / sizeof(T);
  Vec v;
  int64_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    std::memcpy(&v, x + i, sizeof v);
    v = fn(v);
    std::memcpy(y + i, &v, sizeof v);
  }
  if (i == n) return;
  T tail[lanes] = {};
  std::memcpy(tail, x + i, sizeof(T) * static_cast<size_t>(n - i));
  std::memcpy(&v, tail, sizeof v);
  v = fn(v);
  std::memcpy(y + i, &v, sizeof(T) * static_cast<size_t>(n - i));
}
}  // namespace

}  // namespace mg::kernels::vec
