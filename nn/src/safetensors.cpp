#include "minigrad/nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

#include "minigrad/autograd/grad_mode.h"
#include "minigrad/tensor/factory.h"

namespace mg::nn {

namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors holds little-endian values, which minigrad copies byte for byte");

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using nlohmann::json;

constexpr size_t kHeaderLengthBytes = 8;
// The reference implementation refuses larger headers.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

std::optional<Dtype> dtype_named(std::string_view safetensors_name) {
  for (const DtypeInfo& info : kDtypes)
    if (info.safetensors_name == safetensors_name) return info.dtype;
  return std::nullopt;
}

// The first byte of a contiguous tensor's elements.
char* bytes_of(const Tensor& tensor) {
  return static_cast<char*>(tensor.storage()->data()) +
         tensor.storage_offset() * element_size(tensor.dtype());
}

uint64_t nbytes_of(const Tensor& tensor) {
  return static_cast<uint64_t>(tensor.numel()) * element_size(tensor.dtype());
}

// One tensor of a file's header, with its byte range [begin, end) in the buffer.
struct Entry {
  std::string name;
  Dtype dtype;
  Shape shape;
  uint64_t begin, end;
};

bool is_size(const json& value) {
  return value.is_number_unsigned() &&
         value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

Entry parse_entry(const std::string& path, const std::string& name, const json& info) {
  const std::string tensor = str(path, ": tensor '", name, "'");
  check(info.is_object(), tensor, " is described by a JSON ", info.type_name(), ", not an object");
  const auto dtype_field = info.find("dtype");
  check(dtype_field != info.end() && dtype_field->is_string(), tensor, " has no \"dtype\" string");
  const std::string dtype_text = dtype_field->get<std::string>();
  const std::optional<Dtype> dtype = dtype_named(dtype_text);
  check(dtype.has_value(), tensor, " has dtype ", dtype_text,
        ", which minigrad does not hold (F32, F64, I64 or BOOL)");

  const auto shape_field = info.find("shape");
  check(shape_field != info.end() && shape_field->is_array() &&
            std::all_of(shape_field->begin(), shape_field->end(), is_size),
        tensor, " has no \"shape\" list of sizes");
  Entry entry{name, *dtype, shape_field->get<Shape>(), 0, 0};

  const auto offsets_field = info.find("data_offsets");
  check(offsets_field != info.end() && offsets_field->is_array() && offsets_field->size() == 2 &&
            std::all_of(offsets_field->begin(), offsets_field->end(), is_size),
        tensor, " has no \"data_offsets\" pair [begin, end]");
  entry.begin = (*offsets_field)[0].get<uint64_t>();
  entry.end = (*offsets_field)[1].get<uint64_t>();
  check(entry.begin <= entry.end, tensor, " has data_offsets [", entry.begin, ", ", entry.end,
        "] that end before they begin");

  uint64_t nbytes = element_size(entry.dtype);
  for (int64_t size : entry.shape)
    check(!__builtin_mul_overflow(nbytes, static_cast<uint64_t>(size), &nbytes), tensor,
          " has a shape ", entry.shape, " too large to address");
  check(entry.end - entry.begin == nbytes, tensor, " has data_offsets [", entry.begin, ", ",
        entry.end, "], ", entry.end - entry.begin, " bytes, but its shape ", entry.shape, " of ",
        dtype_text, " takes ", nbytes);
  return entry;
}

// The header's entries, sorted by offset and checked to tile the buffer of `buffer_size` bytes.
std::vector<Entry> parse_header(const std::string& path, std::string_view text,
                                uint64_t buffer_size,
                                std::map<std::string, std::string>* metadata) {
  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& error) {  // a syntax error, or a number too large to hold
    throw Error(str(path, ": the header is not valid JSON (", error.what(), ")"));
  }
  check(header.is_object(), path, ": the header is a JSON ", header.type_name(), ", not an object");

  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name != "__metadata__") {
      entries.push_back(parse_entry(path, name, info));
      continue;
    }
    check(info.is_object() && std::all_of(info.begin(), info.end(),
                                          [](const json& value) { return value.is_string(); }),
          path, ": \"__metadata__\" is not an object of strings");
    if (metadata) *metadata = info.get<std::map<std::string, std::string>>();
  }

  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  uint64_t covered = 0;
  for (const Entry& entry : entries) {
    check(entry.begin == covered, path, ": tensor '", entry.name, "' has data_offsets [",
          entry.begin, ", ", entry.end, "] but should begin at byte ", covered,
          ", where the tensor before it ends (the tensors tile the buffer, without gaps or "
          "overlaps)");
    covered = entry.end;
  }
  check(covered == buffer_size, path, ": the tensors cover ", covered,
        " bytes but the buffer after the header holds ", buffer_size,
        " (a truncated file, or bytes that belong to no tensor)");
  return entries;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  check(file.is_open(), path, ": cannot open the file for reading");
  std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  check(!file.bad(), path, ": reading the file failed");
  return bytes;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
  return text;
}

}  // namespace

void save_safetensors(const NamedTensors& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> values;
  uint64_t end = 0;
  for (const auto& [name, tensor] : tensors) {
    check(tensor.defined(), path, ": tensor '", name, "' is undefined");
    check(name != "__metadata__", path,
          ": \"__metadata__\" names the file's metadata and cannot name a tensor");
    check(!header.contains(name), path, ": the name '", name, "' is given to two tensors");
    const Tensor value = tensor.detach().contiguous();
    const uint64_t begin = end;
    end += nbytes_of(value);
    header[name] = {{"dtype", dtype_info(value.dtype()).safetensors_name},
                    {"shape", value.shape()},
                    {"data_offsets", nlohmann::ordered_json::array({begin, end})}};
    values.push_back(value);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::type_error& error) {
    throw Error(str(path, ": a name or metadata string is not UTF-8 (", error.what(), ")"));
  }
  // As the reference writer does: spaces up to a multiple of 8, so the buffer starts aligned.
  text.resize((text.size() + 7) / 8 * 8, ' ');

  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  check(file.is_open(), path, ": cannot open the file for writing");
  const uint64_t header_length = text.size();
  file.write(reinterpret_cast<const char*>(&header_length), kHeaderLengthBytes);
  file.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const Tensor& value : values)
    if (value.numel() > 0)
      file.write(bytes_of(value), static_cast<std::streamsize>(nbytes_of(value)));
  file.close();
  check(!file.fail(), path, ": writing the file failed");
}

NamedTensors load_safetensors(const std::string& path,
                              std::map<std::string, std::string>* metadata) {
  const std::string bytes = read_file(path);
  check(bytes.size() >= kHeaderLengthBytes, path, ": the file holds ", bytes.size(),
        " bytes, too few for the 8-byte header length");
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), kHeaderLengthBytes);
  check(header_length <= kMaxHeaderBytes, path, ": the header length ", header_length,
        " is over the limit of ", kMaxHeaderBytes, " bytes");
  const uint64_t available = bytes.size() - kHeaderLengthBytes;
  check(header_length <= available, path, ": the header length ", header_length,
        " runs past the end of the file (", available, " bytes after the length)");
  const std::string_view text(bytes.data() + kHeaderLengthBytes, header_length);
  const char* buffer = text.data() + text.size();
  const std::vector<Entry> entries = parse_header(path, text, available - header_length, metadata);

  NamedTensors tensors;
  for (const Entry& entry : entries) {
    Tensor tensor = empty(entry.shape, entry.dtype);
    const char* source = buffer + entry.begin;
    const uint64_t nbytes = entry.end - entry.begin;
    if (entry.dtype == kBool) {
      const auto not_a_bool =
          std::find_if(source, source + nbytes, [](char byte) { return byte != 0 && byte != 1; });
      check(not_a_bool == source + nbytes, path, ": tensor '", entry.name,
            "' is BOOL but holds the byte ", static_cast<int>(static_cast<uint8_t>(*not_a_bool)),
            " (only 0 and 1 are booleans)");
    }
    if (nbytes > 0) std::memcpy(bytes_of(tensor), source, nbytes);
    tensors.emplace_back(entry.name, tensor);
  }
  return tensors;
}

void save_safetensors(Module& module, const std::string& path) {
  save_safetensors(module.state_dict(), path);
}

void load_safetensors(Module& module, const std::string& path) {
  const NamedTensors targets = module.state_dict();
  std::map<std::string, Tensor> sources;
  for (auto& [name, tensor] : load_safetensors(path)) sources.emplace(name, tensor);

  std::vector<std::string> missing, unexpected;
  std::set<std::string> target_names;
  for (const auto& [name, target] : targets) {
    target_names.insert(name);
    if (!sources.contains(name)) missing.push_back(name);
  }
  for (const auto& [name, source] : sources)
    if (!target_names.contains(name)) unexpected.push_back(name);
  check(missing.empty(), path, ": the module's ", quoted_list(missing),
        missing.size() == 1 ? " is" : " are", " not in the file");
  check(unexpected.empty(), path, ": the file's ", quoted_list(unexpected),
        unexpected.size() == 1 ? " is" : " are", " not in the module");

  for (const auto& [name, target] : targets) {
    const Tensor& source = sources.at(name);
    check(source.shape() == target.shape(), path, ": tensor '", name, "' has shape ",
          source.shape(), " in the file but ", target.shape(), " in the module");
    check(source.dtype() == target.dtype(), path, ": tensor '", name, "' has dtype ",
          dtype_info(source.dtype()).safetensors_name, " in the file but ",
          dtype_info(target.dtype()).safetensors_name, " in the module");
  }
  NoGradGuard no_grad;
  for (auto [name, target] : targets) target.copy_(sources.at(name));
}

}  // namespace mg::nn
