#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

// Both cores for minigrad's own kernels: a small pool of threads that sleep when idle (after
// watching 50 us for the next job), and parallel_for over fixed chunks of an index range.
namespace mg {

// The threads minigrad's own kernels and its matrix products use. The default is MG_NUM_THREADS
// when it is set (a whole number >= 1, else mg::Error), otherwise the hardware's thread count.
// OpenBLAS is held at one thread (openblas_set_num_threads(1), whatever OPENBLAS_NUM_THREADS
// says): large products run as parts of one-thread OpenBLAS calls on minigrad's threads. Not to
// be called from inside a parallel_for.
void set_num_threads(int num_threads);  // >= 1, else mg::Error
int get_num_threads();

// ATen's grain: below this many elements a kernel runs serially.
inline constexpr int64_t kGrainSize = 32768;

// The grain of a loop whose every index costs `elements` elements of work: kGrainSize in all.
inline int64_t grain_for(int64_t elements) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, elements));
}

namespace detail {
// Calls chunk(context, k) once for every k in [0, chunks), on the pool's threads and the
// caller's, and returns when all have returned; the first exception a chunk throws is rethrown
// here. Inside a chunk, or while another thread's parallel_for holds the pool, runs k = 0, 1, ...
// in order on the calling thread.
void run_chunks(int64_t chunks, void (*chunk)(const void* context, int64_t k), const void* context);
}  // namespace detail

// Calls fn(chunk_begin, chunk_end) over [begin, end). Chunk boundaries depend only on begin, end
// and grain_size, never on the thread count, so a reduction that sums per chunk and then adds
// the chunk results in order (parallel_reduce) gives the same bits at any thread count. One call
// fn(begin, end) when end - begin <= grain_size.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain_size, const F& fn) {
  const int64_t grain = std::max<int64_t>(grain_size, 1);
  if (end - begin <= grain) {
    fn(begin, end);
    return;
  }
  struct Chunks {
    int64_t begin, end, grain;
    const F& fn;
  } chunks{begin, end, grain, fn};
  detail::run_chunks((end - begin - 1) / grain + 1,
                     [](const void* context, int64_t k) {
                       const Chunks& c = *static_cast<const Chunks*>(context);
                       const int64_t chunk_begin = c.begin + k * c.grain;
                       c.fn(chunk_begin, std::min(c.end, chunk_begin + c.grain));
                     },
                     &chunks);
}

// Calls fn(i, chunk_begin, chunk_end) over [0, sizes[i]) for every i, in the chunks of kGrainSize
// elements that parallel_for cuts each range into, all in one parallel_for: the many small
// tensors of a model's parameters run beside each other instead of one after another.
template <typename F>
void parallel_for_each(const std::vector<int64_t>& sizes, const F& fn) {
  struct Chunk {
    size_t range;
    int64_t begin, end;
  };
  std::vector<Chunk> chunks;
  for (size_t i = 0; i < sizes.size(); ++i)
    for (int64_t begin = 0; begin < sizes[i]; begin += kGrainSize)
      chunks.push_back({i, begin, std::min(sizes[i], begin + kGrainSize)});
  parallel_for(0, static_cast<int64_t>(chunks.size()), 1, [&](int64_t first, int64_t last) {
    for (int64_t k = first; k < last; ++k) {
      const Chunk& chunk = chunks[static_cast<size_t>(k)];
      fn(chunk.range, chunk.begin, chunk.end);
    }
  });
}

// Reduces [0, n) as ATen's parallel_reduce adds its chunks: chunk_result(begin, end) of every
// chunk of kGrainSize elements, in parallel, then init = combine(init, result) over the chunks in
// order. The chunks do not depend on the thread count, so neither do the result's bits.
template <typename T, typename ChunkResult, typename Combine>
T parallel_reduce(int64_t n, T init, const ChunkResult& chunk_result, const Combine& combine) {
  if (n <= kGrainSize) return combine(init, chunk_result(0, n));
  std::vector<T> results(static_cast<size_t>((n - 1) / kGrainSize + 1));
  parallel_for(0, n, kGrainSize, [&](int64_t begin, int64_t end) {
    results[static_cast<size_t>(begin / kGrainSize)] = chunk_result(begin, end);
  });
  for (const T& result : results) init = combine(init, result);
  return init;
}

// parallel_reduce over several ranges at once: chunk_result(i, begin, end) of every chunk that
// parallel_for_each hands out, in parallel, then init = combine(init, result) over range 0's
// chunks in order, then range 1's, and so on: the bits of one parallel_reduce per range in turn
// (an empty range adds nothing), at any thread count.
template <typename T, typename ChunkResult, typename Combine>
T parallel_reduce_each(const std::vector<int64_t>& sizes, T init, const ChunkResult& chunk_result,
                       const Combine& combine) {
  std::vector<std::vector<T>> results(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i)
    results[i].resize(static_cast<size_t>((sizes[i] + kGrainSize - 1) / kGrainSize));
  parallel_for_each(sizes, [&](size_t i, int64_t begin, int64_t end) {
    results[i][static_cast<size_t>(begin / kGrainSize)] = chunk_result(i, begin, end);
  });
  for (const std::vector<T>& range_results : results)
    for (const T& result : range_results) init = combine(init, result);
  return init;
}

}  // namespace mg
