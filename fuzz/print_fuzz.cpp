// libFuzzer target: the printer with random print options and random values (any bit pattern:
// NaN, infinities, huge, tiny and denormal numbers) in every dtype and small shapes. Printing
// must give a string or refuse the options with mg::Error.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <vector>

#include <minigrad/minigrad.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  mg::PrintOptions options;
  options.precision = input.ConsumeIntegralInRange<int>(-2, 20);
  options.threshold = input.ConsumeIntegralInRange<int64_t>(-1, 50);
  options.edgeitems = input.ConsumeIntegralInRange<int64_t>(-1, 5);
  options.linewidth = input.ConsumeIntegralInRange<int64_t>(-1, 200);
  const int sci = input.ConsumeIntegralInRange<int>(0, 2);
  if (sci < 2) options.sci_mode = sci == 1;
  const mg::Dtype dtype =
      input.PickValueInArray({mg::kFloat32, mg::kFloat64, mg::kInt64, mg::kBool});
  mg::Shape shape(input.ConsumeIntegralInRange<size_t>(0, 3));
  for (int64_t& dim_size : shape) dim_size = input.ConsumeIntegralInRange<int64_t>(0, 6);
  std::vector<double> values(static_cast<size_t>(mg::numel(shape)));
  for (double& value : values) {
    const uint64_t bits = input.ConsumeIntegral<uint64_t>();
    if (dtype == mg::kFloat32) {
      float single;
      const auto low = static_cast<uint32_t>(bits);
      std::memcpy(&single, &low, sizeof single);
      value = single;
    } else if (dtype == mg::kFloat64) {
      std::memcpy(&value, &bits, sizeof value);
    } else if (dtype == mg::kInt64) {
      value = static_cast<double>(static_cast<int64_t>(bits) >> (bits % 64));
    } else {
      value = static_cast<double>(bits & 1);
    }
  }
  try {
    mg::set_printoptions(options);
    std::ostringstream out;
    out << mg::from_vector(values, shape, mg::kFloat64).to(dtype);
    out << mg::from_vector(values, shape, mg::kFloat64).requires_grad_() * 2.0;
    (void)mg::format_python_float(values.empty() ? 0.0 : values.front());
  } catch (const mg::Error&) {
  }
  mg::set_printoptions(mg::PrintOptions{});
  return 0;
}
