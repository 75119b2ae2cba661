// Tensor printing that mirrors PyTorch 1.13's torch/_tensor_str.py, so that our output can be
// diffed against a notebook's. The steps are PyTorch's:
//   1. pick the elements that will be shown (all, or the edges of each long dim when the tensor
//      has more than `threshold` elements);
//   2. choose one format for all of them (fixed, integer "1." or scientific) and its width;
//   3. print nested brackets, wrapping rows of numbers at `linewidth`;
//   4. append the suffixes (size, dtype, grad_fn, ...), wrapping a suffix that would overflow.
#include "minigrad/tensor/print.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "minigrad/tensor/error.h"
#include "minigrad/tensor/tensor.h"

namespace mg {
namespace {

PrintOptions& global_print_options() {
  static PrintOptions options;
  return options;
}

// Python's "{:.<precision>f}" and "{:.<precision>e}". glibc's printf rounds exactly as Python
// does and writes "inf"/"-inf" the same way; only NaN differs: Python never shows its sign.
std::string printf_double(const char* format, int precision, double value) {
  if (std::isnan(value)) return "nan";
  const int length = std::snprintf(nullptr, 0, format, precision, value);
  std::string text(static_cast<size_t>(length) + 1, '\0');
  std::snprintf(text.data(), text.size(), format, precision, value);
  text.pop_back();  // the '\0' snprintf wrote
  return text;
}
std::string fixed(double value, int precision) {
  return printf_double("%.*f", precision, value);
}
std::string scientific(double value, int precision) {
  return printf_double("%.*e", precision, value);
}

std::string pad_left(const std::string& text, size_t width) {
  if (text.size() >= width) return text;
  return std::string(width - text.size(), ' ') + text;
}

// Chooses one format for all shown elements of a tensor, as PyTorch's _Formatter does:
// - int64 and bool tensors print each value as Python does ("-2", "True"), padded to the
//   widest; the rest is for floating point:
// - int mode when every nonzero finite value is an integer: "1.", "-3.", "nan";
// - scientific when the nonzero finite magnitudes span more than 1000x, exceed 1e8, or (outside
//   int mode) go below 1e-4: "1.0000e+08";
// - fixed otherwise: "0.3884".
// Zeros, inf and nan take no part in the choice nor in the width, so they may print wider.
class ElementFormatter {
 public:
  ElementFormatter(const std::vector<double>& shown_values, Dtype dtype,
                   const PrintOptions& options)
      : dtype_(dtype), precision_(options.precision) {
    if (!is_floating_point(dtype)) {
      for (double value : shown_values) max_width_ = std::max(max_width_, text(value).size());
      return;
    }
    std::vector<double> nonzero_finite;
    for (double value : shown_values)
      if (std::isfinite(value) && value != 0) nonzero_finite.push_back(value);
    // With nothing to measure PyTorch stops here, before the sci_mode option is applied.
    if (nonzero_finite.empty()) return;

    double min_abs = std::abs(nonzero_finite[0]);
    double max_abs = min_abs;
    for (double value : nonzero_finite) {
      min_abs = std::min(min_abs, std::abs(value));
      max_abs = std::max(max_abs, std::abs(value));
      if (value != std::ceil(value)) int_mode_ = false;
    }
    const bool wide_range = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : wide_range || min_abs < 1.0e-4;

    for (double value : nonzero_finite) max_width_ = std::max(max_width_, text(value).size());
    if (options.sci_mode) sci_mode_ = *options.sci_mode;
  }

  size_t width() const { return max_width_; }
  std::string format(double value) const { return pad_left(text(value), max_width_); }

 private:
  // One element in the chosen format, unpadded; an int or a bool as Python's str() writes it.
  std::string text(double value) const {
    if (dtype_ == kBool) return value != 0 ? "True" : "False";
    if (!is_floating_point(dtype_)) return std::to_string(static_cast<int64_t>(value));
    if (sci_mode_) return scientific(value, precision_);
    if (int_mode_) return fixed(value, 0) + (std::isfinite(value) ? "." : "");
    return fixed(value, precision_);
  }

  Dtype dtype_;
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t max_width_ = 1;
};

// Prints the data part of a non-empty tensor: `[[0.3884, 0.8840],\n        [...]]`.
// values is row-major with the given shape; indent is the column of the outermost '['.
class TensorPrinter {
 public:
  TensorPrinter(const std::vector<double>& values, const Shape& shape, Dtype dtype,
                const PrintOptions& options)
      : values_(values),
        shape_(shape),
        strides_(contiguous_strides(shape)),
        options_(options),
        summarize_(static_cast<int64_t>(values.size()) > options.threshold),
        formatter_(shown_values(), dtype, options) {}

  std::string str(int64_t indent) const {
    if (shape_.empty()) return formatter_.format(values_[0]);
    return format_dim(0, 0, indent);
  }

 private:
  // A dim is cut when the tensor is summarised and the dim holds more than both ends together;
  // then only its first and last `edgeitems` indices are shown.
  bool is_cut(size_t dim) const { return summarize_ && shape_[dim] > 2 * options_.edgeitems; }
  std::vector<int64_t> shown_indices(size_t dim) const {
    const int64_t size = shape_[dim];
    std::vector<int64_t> indices;
    for (int64_t i = 0; i < size; ++i) {
      if (is_cut(dim) && i == options_.edgeitems) i = size - options_.edgeitems;
      indices.push_back(i);
    }
    return indices;
  }

  // The shown elements, for the formatter (initialised after strides_): it sees only those, as
  // in PyTorch's get_summarized_data.
  std::vector<double> shown_values() const {
    std::vector<double> shown;
    collect_shown(0, 0, shown);
    return shown;
  }
  void collect_shown(size_t dim, int64_t offset, std::vector<double>& shown) const {
    if (dim == shape_.size()) {
      shown.push_back(values_[offset]);
      return;
    }
    for (int64_t i : shown_indices(dim)) collect_shown(dim + 1, offset + i * strides_[dim], shown);
  }

  // Sub-tensors of `dim` are separated by "," plus one newline per dim they still have, and
  // each starts one column right of this dim's '['.
  std::string format_dim(size_t dim, int64_t offset, int64_t indent) const {
    if (dim + 1 == shape_.size()) return format_row(offset, indent);

    std::vector<std::string> parts;
    for (int64_t i : shown_indices(dim)) {
      if (is_cut(dim) && i == shape_[dim] - options_.edgeitems) parts.push_back("...");
      parts.push_back(format_dim(dim + 1, offset + i * strides_[dim], indent + 1));
    }
    const size_t dims_left = shape_.size() - dim - 1;
    const std::string separator =
        "," + std::string(dims_left, '\n') + std::string(static_cast<size_t>(indent) + 1, ' ');
    std::string text = "[";
    for (size_t i = 0; i < parts.size(); ++i) text += (i ? separator : "") + parts[i];
    return text + "]";
  }

  // The last dim: as many elements per line as fit in linewidth, counting each as the
  // formatter's width plus ", ". A cut row shows " ..." in place of its middle.
  std::string format_row(int64_t offset, int64_t indent) const {
    const size_t last = shape_.size() - 1;
    std::vector<std::string> items;
    for (int64_t i : shown_indices(last)) {
      if (is_cut(last) && i == shape_[last] - options_.edgeitems) items.push_back(" ...");
      items.push_back(formatter_.format(values_[offset + i * strides_[last]]));
    }
    const int64_t element_length = static_cast<int64_t>(formatter_.width()) + 2;
    const size_t per_line =
        static_cast<size_t>(std::max<int64_t>(1, (options_.linewidth - indent) / element_length));
    const std::string line_break = ",\n" + std::string(static_cast<size_t>(indent) + 1, ' ');
    std::string text = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) text += i % per_line == 0 ? line_break : ", ";
      text += items[i];
    }
    return text + "]";
  }

  const std::vector<double>& values_;
  const Shape& shape_;
  Shape strides_;
  const PrintOptions& options_;
  bool summarize_;
  ElementFormatter formatter_;
};

// Python's str() of a shape tuple: "(0, 3)". (A 1-tuple would need "(0,)", but PyTorch only
// prints the size of empty tensors that are not 1-D, and a 0-dim tensor is never empty.)
std::string shape_tuple(const Shape& shape) {
  std::string text = str(shape);  // "[0, 3]"
  text.front() = '(';
  text.back() = ')';
  return text;
}

// Appends ", suffix" for each suffix, or ",\n<indent spaces>suffix" when it would pass
// linewidth, then the closing ')'.
std::string add_suffixes(std::string text, const std::vector<std::string>& suffixes, int64_t indent,
                         int64_t linewidth) {
  // PyTorch counts the last line as two characters longer than it is; we keep its arithmetic.
  const size_t last_newline = text.rfind('\n');
  const int64_t last_line_start = last_newline == std::string::npos ? 0 : last_newline + 1;
  int64_t last_line_length = static_cast<int64_t>(text.size()) - last_line_start + 2;
  for (const std::string& suffix : suffixes) {
    const int64_t suffix_length = static_cast<int64_t>(suffix.size());
    if (last_line_length + suffix_length + 2 > linewidth) {
      text += ",\n" + std::string(static_cast<size_t>(indent), ' ') + suffix;
      last_line_length = indent + suffix_length;
    } else {
      text += ", " + suffix;
      last_line_length += suffix_length + 2;
    }
  }
  return text + ")";
}

}  // namespace

const PrintOptions& print_options() {
  return global_print_options();
}

void set_printoptions(const PrintOptions& options) {
  check(options.precision >= 0 && options.precision <= 100, "set_printoptions: precision ",
        options.precision, " is outside [0, 100]");
  check(options.threshold >= 0, "set_printoptions: threshold ", options.threshold, " is negative");
  check(options.edgeitems >= 1, "set_printoptions: edgeitems ", options.edgeitems,
        " must be at least 1");
  global_print_options() = options;
}

std::string format_tensor(const std::vector<double>& values, const Shape& shape, Dtype dtype,
                          const std::vector<std::string>& suffixes) {
  for (int64_t size : shape)
    check(size >= 0, "format_tensor: shape ", shape, " has a negative size");
  const int64_t numel = mg::numel(shape);
  check(numel == static_cast<int64_t>(values.size()), "format_tensor: shape ", shape, " holds ",
        numel, " elements but ", values.size(), " values were given");

  const PrintOptions& options = print_options();
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> all_suffixes;
  std::string data;
  if (numel == 0) {
    data = "[]";
    if (shape.size() != 1) all_suffixes.push_back("size=" + shape_tuple(shape));
  } else if (dtype == Dtype::Float32) {
    std::vector<double> as_float(values.begin(), values.end());
    for (double& value : as_float) value = static_cast<float>(value);
    data = TensorPrinter(as_float, shape, dtype, options).str(indent);
  } else {
    data = TensorPrinter(values, shape, dtype, options).str(indent);
  }
  // int64 and bool are default dtypes too, except in an empty tensor, which shows no values.
  if (dtype == kFloat64 || (numel == 0 && dtype != kFloat32))
    all_suffixes.push_back("dtype=torch." + std::string(dtype_name(dtype)));
  all_suffixes.insert(all_suffixes.end(), suffixes.begin(), suffixes.end());
  return add_suffixes(prefix + data, all_suffixes, indent, options.linewidth);
}

std::string format_python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";

  // Shortest round-trip digits, as "d.ddde±x"; Python then lays them out in its own way.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
    if (c != '.') digits += c;
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());

  // Python writes 1e-05 and 1e+16 in exponent form, 0.0001 and 1000000000000000.0 in full.
  std::string out = negative ? "-" : "";
  const int point = exponent + 1;  // digits before the decimal point
  const int digit_count = static_cast<int>(digits.size());
  if (point <= -4 || point > 16) {
    out += digits.substr(0, 1);
    if (digit_count > 1) out += "." + digits.substr(1);
    char exponent_text[8];
    std::snprintf(exponent_text, sizeof exponent_text, "e%+03d", exponent);
    return out + exponent_text;
  }
  if (point <= 0) return out + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (point >= digit_count)
    return out + digits + std::string(static_cast<size_t>(point - digit_count), '0') + ".0";
  return out + digits.substr(0, static_cast<size_t>(point)) + "." +
         digits.substr(static_cast<size_t>(point));
}

}  // namespace mg
