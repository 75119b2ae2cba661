#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace mg {

// A reference-counted buffer that tensors view, 64-byte aligned unless it is inline (below). Views
// of one storage share its version counter: every in-place write bumps it, so autograd can tell
// when a tensor it saved for backward was modified afterwards. A buffer of at most kInlineBytes
// lives inside the Storage itself, so that a tiny tensor (a [6, 3] float32 is 72 bytes) costs one
// allocation, not two (except under AddressSanitizer, so that it still sees a read past the end). A
// freed buffer of 1 MiB or more is kept (up to 1 GiB in all) for the next one of its size, so that
// a training loop does not ask the kernel for fresh pages every step; one of 1 KiB or less is kept
// too (a bounded number per 64-byte size class), so that small tensors skip malloc.
class Storage {
 public:
  static constexpr size_t kInlineBytes = 256;

  explicit Storage(size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_;
  size_t nbytes_;
  uint64_t version_ = 0;
  // malloc's alignment, not 64: an over-aligned Storage would take glibc's slow aligned path.
  alignas(std::max_align_t) unsigned char inline_bytes_[kInlineBytes];
};

namespace detail {
// Storage's allocator for blocks of any size, 64-byte aligned; small ones are recycled per thread
// and big ones across a training loop's steps (storage.cpp).
void* allocate_block(size_t nbytes);
void release_block(void* block, size_t nbytes);

template <typename T>
struct BlockAllocator {
  using value_type = T;
  BlockAllocator() = default;
  template <typename U>
  BlockAllocator(const BlockAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(allocate_block(n * sizeof(T))); }
  void deallocate(T* block, size_t n) { release_block(block, n * sizeof(T)); }
  friend bool operator==(const BlockAllocator&, const BlockAllocator&) { return true; }
};
}  // namespace detail

// std::make_shared from recycled blocks: the tensors and graph nodes of small ops come and go by
// the thousand per training step, and glibc's malloc and free of each cost more than their math.
template <typename T, typename... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(detail::BlockAllocator<T>(), std::forward<Args>(args)...);
}

// A std::vector of the same blocks, for the short lists each op and backward pass makes.
template <typename T>
using PooledVector = std::vector<T, detail::BlockAllocator<T>>;

}  // namespace mg
