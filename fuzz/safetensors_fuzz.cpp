// libFuzzer target: the safetensors loader on arbitrary bytes (header length, header JSON,
// offsets, dtypes, shapes, truncation). Each input must load or be refused with mg::Error, both
// as a list of tensors and strictly into a module; a crash, a sanitizer report or any other
// exception is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>

#include <minigrad/minigrad.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The loader reads files: one per fuzzing process, rewritten for every input.
  static const std::string path =
      "/tmp/minigrad_safetensors_fuzz_" + std::to_string(getpid()) + ".safetensors";
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    std::map<std::string, std::string> metadata;
    for (const auto& [name, tensor] : mg::nn::load_safetensors(path, &metadata))
      (void)tensor.sum().item();  // every loaded element is read
  } catch (const mg::Error&) {
  }
  try {
    mg::nn::Linear linear(2, 3);  // state dict: weight [3, 2], bias [3]
    mg::nn::load_safetensors(linear, path);
  } catch (const mg::Error&) {
  }
  return 0;
}
