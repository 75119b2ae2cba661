#include "minigrad/tensor/storage.h"

#include <array>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace mg {

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

// Cache-line alignment lets BLAS and the vectorised loops use aligned loads.
constexpr std::align_val_t kAlignment{64};

// Freed blocks wait here for the next request of their size, in two kinds:
// - Big ones. glibc serves blocks above its mmap threshold (at most 32 MiB) with fresh pages from
//   the kernel, which faults and zeroes each page on first touch: a 1024-token MultiHeadAttention
//   spent more time there, on its 48 MiB score tensors, than in its matmuls. A training loop's
//   steps reuse them, up to a bound.
// - Small ones, up to 1 KiB, that do not fit inside a Storage ([16, 16] float32 is 1 KiB): glibc's
//   aligned allocation and free of one cost more than such an op's math. They are kept by size
//   class, 64 bytes apart, a bounded number per class.
// AddressSanitizer builds skip the cache, so that it still sees every use after free (and keep
// no buffer inline, so that it sees every read past the end).
class BlockCache {
 public:
  static constexpr size_t kMinBytes = size_t{1} << 20;
  static constexpr size_t kMaxCachedBytes = size_t{1} << 30;
  static constexpr size_t kSmallStep = 64, kSmallMaxBytes = 1024, kSmallMaxBlocks = 256;

  void* allocate(size_t nbytes) {
    if (caches_small(nbytes)) {
      const std::lock_guard lock(mutex_);
      std::vector<void*>& blocks = small_blocks_[small_class(nbytes)];
      if (blocks.empty()) return ::operator new(small_class_bytes(nbytes), kAlignment);
      void* block = blocks.back();
      blocks.pop_back();
      return block;
    }
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
    if (caches_small(nbytes)) {
      const std::lock_guard lock(mutex_);
      std::vector<void*>& blocks = small_blocks_[small_class(nbytes)];
      if (blocks.size() < kSmallMaxBlocks) return blocks.push_back(block);
    } else if (caches(nbytes)) {
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
  static bool caches(size_t nbytes) { return !kAddressSanitizer && nbytes >= kMinBytes; }
  static bool caches_small(size_t nbytes) { return !kAddressSanitizer && nbytes <= kSmallMaxBytes; }
  // Class c holds blocks of (c + 1) * kSmallStep bytes, for requests of up to that many.
  static size_t small_class(size_t nbytes) { return nbytes == 0 ? 0 : (nbytes - 1) / kSmallStep; }
  static size_t small_class_bytes(size_t nbytes) { return (small_class(nbytes) + 1) * kSmallStep; }

  std::mutex mutex_;
  std::multimap<size_t, void*> free_blocks_;  // by size in bytes
  size_t cached_bytes_ = 0;
  std::array<std::vector<void*>, kSmallMaxBytes / kSmallStep> small_blocks_;  // by size class
};

// Never destroyed, so that a Storage freed during static destruction still finds it.
BlockCache& block_cache() {
  static auto* cache = new BlockCache;
  return *cache;
}

}  // namespace

namespace {
bool fits_inline(size_t nbytes) {
  return !kAddressSanitizer && nbytes <= Storage::kInlineBytes;
}
}  // namespace

Storage::Storage(size_t nbytes)
    : data_(fits_inline(nbytes) ? inline_bytes_ : block_cache().allocate(nbytes)),
      nbytes_(nbytes) {}

Storage::~Storage() {
  if (data_ != inline_bytes_) block_cache().release(data_, nbytes_);
}

}  // namespace mg
