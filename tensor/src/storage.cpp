#include "minigrad/tensor/storage.h"

#include <map>
#include <mutex>
#include <new>

namespace mg {

namespace {
// Cache-line alignment lets BLAS and the vectorised loops use aligned loads.
constexpr std::align_val_t kAlignment{64};

// glibc serves blocks above its mmap threshold (at most 32 MiB) with fresh pages from the kernel,
// which faults and zeroes each page on first touch: a 1024-token MultiHeadAttention spent more
// time there, on its 48 MiB score tensors, than in its matmuls. So freed big blocks wait here
// for the next request of the same size, the reuse a training loop's steps give, up to a bound.
// AddressSanitizer builds skip the cache, so that it still sees every use after free.
class BlockCache {
 public:
  static constexpr size_t kMinBytes = size_t{1} << 20;
  static constexpr size_t kMaxCachedBytes = size_t{1} << 30;

  void* allocate(size_t nbytes) {
    if (caches(nbytes)) {
      const std::lock_guard lock(mutex_);
      if (auto it = free_blocks_.find(nbytes); it != free_blocks_.end()) {
        void* block = it->second;
        free_blocks_.erase(it);
        cached_bytes_ -= nbytes;
        return block;
      }
    }
    return ::operator new(nbytes == 0 ? 1 : nbytes, kAlignment);
  }

  void release(void* block, size_t nbytes) {
    if (caches(nbytes)) {
      const std::lock_guard lock(mutex_);
      if (cached_bytes_ + nbytes <= kMaxCachedBytes) {
        free_blocks_.emplace(nbytes, block);
        cached_bytes_ += nbytes;
        return;
      }
    }
    ::operator delete(block, kAlignment);
  }

 private:
  static bool caches(size_t nbytes) {
#if defined(__SANITIZE_ADDRESS__)
    (void)nbytes;
    return false;
#else
    return nbytes >= kMinBytes;
#endif
  }

  std::mutex mutex_;
  std::multimap<size_t, void*> free_blocks_;  // by size in bytes
  size_t cached_bytes_ = 0;
};

// Never destroyed, so that a Storage freed during static destruction still finds it.
BlockCache& block_cache() {
  static auto* cache = new BlockCache;
  return *cache;
}

}  // namespace

Storage::Storage(size_t nbytes) : data_(block_cache().allocate(nbytes)), nbytes_(nbytes) {}

Storage::~Storage() {
  block_cache().release(data_, nbytes_);
}

}  // namespace mg
