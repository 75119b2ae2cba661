#pragma once

// Reads the golden files that tests/golden/make_golden.py writes from PyTorch, one record a line:
//   tensor <key> <float32|float64|int64|bool> <shape "2,3", or "-" for 0-dim> <values, repr(float)
//          each, or integers (0 and 1 for bool)>
//   string <key> <JSON string; only \n, \" and \\ escapes>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "minigrad/tensor/dtype.h"
#include "minigrad/tensor/error.h"
#include "minigrad/tensor/factory.h"

namespace mg::test {

struct GoldenTensor {
  Dtype dtype;
  Shape shape;
  std::vector<double> values;
};

class Golden {
 public:
  // `name` is a file in tests/golden/data, e.g. "random.txt".
  explicit Golden(const std::string& name) {
    const std::string path = std::string(MG_GOLDEN_DIR) + "/" + name;
    std::ifstream file(path);
    check(file.good(), "golden: cannot open ", path);
    for (std::string line; std::getline(file, line);) parse(line);
  }

  const GoldenTensor& tensor(const std::string& key) const { return find(tensors_, key); }
  const std::string& string(const std::string& key) const { return find(strings_, key); }
  bool has_string(const std::string& key) const { return strings_.contains(key); }
  const std::map<std::string, GoldenTensor>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& strings() const { return strings_; }

  // The tensor record `key` as a tensor of its dtype and shape.
  Tensor load(const std::string& key) const {
    const GoldenTensor& record = tensor(key);
    return from_vector(record.values, record.shape, record.dtype);
  }
  // The names of the cases whose string records are keyed "<prefix><name><suffix>", in key order.
  std::vector<std::string> case_names(const std::string& prefix, const std::string& suffix) const {
    std::vector<std::string> names;
    for (const auto& [key, text] : strings_)
      if (key.size() > prefix.size() + suffix.size() && key.starts_with(prefix) &&
          key.ends_with(suffix))
        names.push_back(key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()));
    return names;
  }

 private:
  template <typename Value>
  static const Value& find(const std::map<std::string, Value>& records, const std::string& key) {
    const auto it = records.find(key);
    check(it != records.end(), "golden: no record ", key);
    return it->second;
  }

  static std::string decode_json_string(const std::string& json) {
    check(json.size() >= 2 && json.front() == '"' && json.back() == '"',
          "golden: not a JSON string: ", json);
    std::string text;
    for (size_t i = 1; i + 1 < json.size(); ++i) {
      if (json[i] != '\\') {
        text += json[i];
        continue;
      }
      const char escaped = json[++i];
      check(escaped == 'n' || escaped == '"' || escaped == '\\', "golden: unsupported escape \\",
            escaped);
      text += escaped == 'n' ? '\n' : escaped;
    }
    return text;
  }

  static Dtype dtype_named(const std::string& name) {
    for (Dtype dtype : {kFloat32, kFloat64, kInt64, kBool})
      if (dtype_name(dtype) == name) return dtype;
    throw Error("golden: unknown dtype " + name);
  }

  void parse(const std::string& line) {
    std::istringstream fields(line);
    std::string kind, key;
    fields >> kind >> key;
    if (kind == "string") {
      std::string json;
      std::getline(fields >> std::ws, json);
      strings_[key] = decode_json_string(json);
    } else if (kind == "tensor") {
      std::string dtype, shape, value;
      fields >> dtype >> shape;
      GoldenTensor tensor{dtype_named(dtype), {}, {}};
      std::istringstream sizes(shape == "-" ? "" : shape);
      for (std::string size; std::getline(sizes, size, ',');)
        tensor.shape.push_back(std::stoll(size));
      // strtod, unlike operator>>, reads "inf" and "nan".
      while (fields >> value) tensor.values.push_back(std::strtod(value.c_str(), nullptr));
      tensors_[key] = std::move(tensor);
    } else {
      check(line.empty(), "golden: unknown record: ", line);
    }
  }

  std::map<std::string, GoldenTensor> tensors_;
  std::map<std::string, std::string> strings_;
};

}  // namespace mg::test
