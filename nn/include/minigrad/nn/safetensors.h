#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "minigrad/nn/module.h"
#include "minigrad/tensor/tensor.h"

// Checkpoints in Hugging Face's safetensors format, which PyTorch, numpy and the safetensors
// libraries read: an 8-byte little-endian header length N, N bytes of JSON naming each tensor's
// dtype (F32, F64, I64 or BOOL here), shape and [begin, end) byte range in the buffer that
// follows, then that buffer of row-major little-endian values.
namespace mg::nn {

// Writes `tensors` (any layout; non-contiguous ones in row-major order) in the given order, with
// optional string metadata under "__metadata__". Throws mg::Error naming the path when it cannot
// be written or a name is repeated.
void save_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::string& path,
                      const std::map<std::string, std::string>& metadata = {});

// Reads every tensor of a file, in buffer order, and its metadata when asked. The file is checked
// as the reference implementation checks it (a header of at most 100 MB, byte ranges that tile
// the buffer exactly and match each shape and dtype); anything else is an mg::Error naming the
// file and the problem, never a read out of bounds.
std::vector<std::pair<std::string, Tensor>> load_safetensors(
    const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

// Writes module.state_dict(): the names torch's state_dict() gives, so the file loads into the
// PyTorch module with load_state_dict.
void save_safetensors(Module& module, const std::string& path);

// As load_state_dict(strict=True): the file must hold exactly the module's state_dict() names,
// each with the module's shape and dtype. The values are copied into the module's own tensors, so
// an optimizer holding them keeps working; on any error nothing is copied.
void load_safetensors(Module& module, const std::string& path);

}  // namespace mg::nn
