#include "minigrad/tensor/storage.h"

#include <new>

namespace mg {

namespace {
// Cache-line alignment lets BLAS and the vectorised loops use aligned loads.
constexpr std::align_val_t kAlignment{64};
}  // namespace

Storage::Storage(size_t nbytes)
    : data_(::operator new(nbytes == 0 ? 1 : nbytes, kAlignment)), nbytes_(nbytes) {}

Storage::~Storage() {
  ::operator delete(data_, kAlignment);
}

}  // namespace mg
