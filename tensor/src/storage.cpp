#include "minigrad/tensor/storage.h"

#include <array>
#include <map>
#include <mutex>
#include <new>

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
// - Big ones, from glibc's first mmap threshold, 128 KiB, up. glibc serves blocks above that
//   threshold (which grows to at most 32 MiB) with fresh pages from the kernel, and gives the top
//   of its heap back once that passes its trim threshold; either way the kernel faults and zeroes
//   each page on its next first touch. A 1024-token MultiHeadAttention spent more time there, on
//   its 48 MiB score tensors, than in its matmuls, and the toy GPT's training step took some 900
//   page faults for its 512 KiB activations while the floor here was 1 MiB. A training loop's
//   steps reuse them, up to a bound.
// - Small ones, up to 1 KiB: the data that does not fit inside a Storage ([16, 16] float32 is
//   1 KiB) and the objects each tensor and graph node is made of (make_pooled). glibc's allocation
//   and free of one cost more than a small op's math. They are kept by size class, 64 bytes apart,
//   a bounded number per class, per thread.
// AddressSanitizer builds skip the cache, so that it still sees every use after free (and keep
// no buffer inline, so that it sees every read past the end).

// Each thread's free small blocks, one list per size class, so that the common case takes no
// lock. A block freed on another thread than the one that made it joins that thread's lists.
class SmallBlocks {
 public:
  static constexpr size_t kStep = 64, kMaxBytes = 1024, kMaxBlocksPerClass = 512;
  static constexpr size_t kClasses = kMaxBytes / kStep;

  SmallBlocks() = default;
  SmallBlocks(const SmallBlocks&) = delete;
  SmallBlocks& operator=(const SmallBlocks&) = delete;
  ~SmallBlocks();

  // Class c holds blocks of (c + 1) * kStep bytes, for requests of up to that many.
  static size_t size_class(size_t nbytes) { return nbytes == 0 ? 0 : (nbytes - 1) / kStep; }
  static size_t class_bytes(size_t nbytes) { return (size_class(nbytes) + 1) * kStep; }

  void* take(size_t size_class) {
    FreeBlock* block = heads_[size_class];
    if (block == nullptr) return nullptr;
    heads_[size_class] = block->next;
    --counts_[size_class];
    return block;
  }
  bool keep(void* block, size_t size_class) {
    if (counts_[size_class] == kMaxBlocksPerClass) return false;
    heads_[size_class] = ::new (block) FreeBlock{heads_[size_class]};
    ++counts_[size_class];
    return true;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  std::array<FreeBlock*, kClasses> heads_{};
  std::array<size_t, kClasses> counts_{};
};

// Trivially destructible, so still readable while the thread's other thread_locals are destroyed:
// a tensor freed then (one held by a static) goes back to the heap.
thread_local bool small_blocks_destroyed = false;

SmallBlocks::~SmallBlocks() {
  small_blocks_destroyed = true;
  for (size_t size_class = 0; size_class < kClasses; ++size_class)
    while (void* block = take(size_class)) ::operator delete(block, kAlignment);
}

SmallBlocks* small_blocks() {
  if (small_blocks_destroyed) return nullptr;
  thread_local SmallBlocks blocks;
  return &blocks;
}

// The big ones, shared by all threads.
class BigBlocks {
 public:
  static constexpr size_t kMinBytes = size_t{1} << 17;
  static constexpr size_t kMaxCachedBytes = size_t{1} << 30;

  void* take(size_t nbytes) {
    const std::lock_guard lock(mutex_);
    auto it = free_blocks_.find(nbytes);
    if (it == free_blocks_.end()) return nullptr;
    void* block = it->second;
    free_blocks_.erase(it);
    cached_bytes_ -= nbytes;
    return block;
  }
  bool keep(void* block, size_t nbytes) {
    const std::lock_guard lock(mutex_);
    if (cached_bytes_ + nbytes > kMaxCachedBytes) return false;
    free_blocks_.emplace(nbytes, block);
    cached_bytes_ += nbytes;
    return true;
  }

 private:
  std::mutex mutex_;
  std::multimap<size_t, void*> free_blocks_;  // by size in bytes
  size_t cached_bytes_ = 0;
};

// Never destroyed, so that a Storage freed during static destruction still finds it.
BigBlocks& big_blocks() {
  static auto* blocks = new BigBlocks;
  return *blocks;
}

bool is_small(size_t nbytes) {
  return !kAddressSanitizer && nbytes <= SmallBlocks::kMaxBytes;
}
bool is_big(size_t nbytes) {
  return !kAddressSanitizer && nbytes >= BigBlocks::kMinBytes;
}
bool fits_inline(size_t nbytes) {
  return !kAddressSanitizer && nbytes <= Storage::kInlineBytes;
}

}  // namespace

void* detail::allocate_block(size_t nbytes) {
  if (is_small(nbytes)) {
    SmallBlocks* small = small_blocks();
    void* block = small ? small->take(SmallBlocks::size_class(nbytes)) : nullptr;
    return block ? block : ::operator new(SmallBlocks::class_bytes(nbytes), kAlignment);
  }
  void* block = is_big(nbytes) ? big_blocks().take(nbytes) : nullptr;
  return block ? block : ::operator new(nbytes == 0 ? 1 : nbytes, kAlignment);
}

void detail::release_block(void* block, size_t nbytes) {
  if (is_small(nbytes)) {
    SmallBlocks* small = small_blocks();
    if (small && small->keep(block, SmallBlocks::size_class(nbytes))) return;
  } else if (is_big(nbytes) && big_blocks().keep(block, nbytes)) {
    return;
  }
  ::operator delete(block, kAlignment);
}

Storage::Storage(size_t nbytes)
    : data_(fits_inline(nbytes) ? inline_bytes_ : detail::allocate_block(nbytes)),
      nbytes_(nbytes) {}

Storage::~Storage() {
  if (data_ != inline_bytes_) detail::release_block(data_, nbytes_);
}

}  // namespace mg
