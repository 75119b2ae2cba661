#pragma once

#include "minigrad/tensor/dropout.h"

namespace mg::test {

// Draws dropout masks from `stream` while alive, then restores the default MKL stream.
class StreamScope {
 public:
  explicit StreamScope(DropoutStream stream) { set_dropout_stream(stream); }
  ~StreamScope() { set_dropout_stream(DropoutStream::Mkl); }
  StreamScope(const StreamScope&) = delete;
  StreamScope& operator=(const StreamScope&) = delete;
};

}  // namespace mg::test
