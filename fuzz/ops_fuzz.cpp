// libFuzzer target: an op-sequence interpreter. The bytes decode to a short program: a random
// input (rank 0 to 3, sizes 0 to 4, any dtype, maybe requiring grad, maybe transposed or
// expanded), then up to 8 ops with random dims, operands, dtypes, views and in-place writes,
// then a backward from the sum when the result has a graph. Every op must give a tensor or throw
// mg::Error; a crash, a sanitizer report or any other exception is a finding.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <minigrad/minigrad.h>

namespace {

mg::Shape random_shape(FuzzedDataProvider& input) {
  mg::Shape shape(input.ConsumeIntegralInRange<size_t>(0, 3));
  for (int64_t& size : shape) size = input.ConsumeIntegralInRange<int64_t>(0, 4);
  return shape;
}

mg::Dtype random_dtype(FuzzedDataProvider& input) {
  return input.PickValueInArray({mg::kFloat32, mg::kFloat64, mg::kInt64, mg::kBool});
}

// Values from the bytes, in [-4, 4), then the dtype, a layout, and grad for a float leaf.
mg::Tensor random_tensor(FuzzedDataProvider& input) {
  const mg::Shape shape = random_shape(input);
  std::vector<double> values(static_cast<size_t>(mg::numel(shape)));
  for (double& value : values) value = input.ConsumeFloatingPointInRange<double>(-4.0, 4.0);
  mg::Tensor t = mg::from_vector(values, shape, mg::kFloat64).to(random_dtype(input));
  if (is_floating_point(t.dtype()) && input.ConsumeBool()) t.requires_grad_();
  switch (input.ConsumeIntegralInRange<int>(0, 2)) {
    case 1:
      if (t.dim() >= 2) return t.transpose(0, -1);
      break;
    case 2: {
      mg::Shape twice{2};
      twice.insert(twice.end(), t.shape().begin(), t.shape().end());
      return t.unsqueeze(0).expand(twice);
    }
  }
  return t;
}

int64_t random_dim(FuzzedDataProvider& input) {
  return input.ConsumeIntegralInRange<int64_t>(-4, 3);
}

using Op = std::function<mg::Tensor(FuzzedDataProvider&, mg::Tensor&)>;

const std::vector<Op>& ops() {
  static const std::vector<Op> table{
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::exp(x); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::log(x); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::tanh(x); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::relu(x); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::gelu(x, "tanh"); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return -x; },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x + random_tensor(in); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x * random_tensor(in); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x / random_tensor(in); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return mg::matmul(x, random_tensor(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::where(random_tensor(in), x, random_tensor(in));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.sum(random_dim(in), in.ConsumeBool()); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.mean(random_dim(in), in.ConsumeBool());
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::var(x, {random_dim(in)}, in.ConsumeBool(), in.ConsumeBool());
      },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::sum(x); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return mg::max(x); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return std::get<0>(mg::max(x, random_dim(in))); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::argmin(x, random_dim(in), in.ConsumeBool());
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return mg::softmax(x, random_dim(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return mg::log_softmax(x, random_dim(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::masked_softmax(x, random_tensor(in), 2.0);
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.transpose(random_dim(in), random_dim(in));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.unsqueeze(random_dim(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.squeeze(random_dim(in)); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return x.reshape({-1}); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.view(random_shape(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.expand(random_shape(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.select(random_dim(in), in.ConsumeIntegralInRange<int64_t>(-3, 3));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.slice(random_dim(in), in.ConsumeIntegralInRange<int64_t>(-5, 5),
                       in.ConsumeIntegralInRange<int64_t>(-5, 5),
                       in.ConsumeIntegralInRange<int64_t>(-1, 3));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::flatten(x, random_dim(in), random_dim(in));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.triu(in.ConsumeIntegralInRange<int64_t>(-3, 3));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::cat({x, random_tensor(in)}, random_dim(in));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::stack({x, random_tensor(in)}, random_dim(in));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.to(random_dtype(in)); },
      [](FuzzedDataProvider&, mg::Tensor& x) { return x.contiguous().clone(); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::dropout(x, in.ConsumeFloatingPointInRange(0.0, 1.0));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.masked_fill(random_tensor(in), -1.5); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return mg::scaled_dot_product_attention(x, random_tensor(in), random_tensor(in), {}, 0.0,
                                                in.ConsumeBool());
      },
      // In place, with and without grad mode.
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x += random_tensor(in); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x *= random_tensor(in); },
      [](FuzzedDataProvider& in, mg::Tensor& x) { return x.copy_(random_tensor(in)); },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        return x.masked_fill_(random_tensor(in), in.ConsumeFloatingPointInRange(-2.0, 2.0));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        const mg::NoGradGuard no_grad;
        return x.fill_(in.ConsumeFloatingPointInRange(-2.0, 2.0));
      },
      [](FuzzedDataProvider& in, mg::Tensor& x) {
        mg::Tensor row = x.select(random_dim(in), 0);
        row += 1.0;  // a write through a view into x's storage
        return x;
      },
  };
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  try {
    mg::Tensor x = random_tensor(input);
    const int steps = input.ConsumeIntegralInRange<int>(1, 8);
    for (int step = 0; step < steps && input.remaining_bytes() > 0; ++step)
      x = ops()[input.ConsumeIntegralInRange<size_t>(0, ops().size() - 1)](input, x);
    if (x.requires_grad()) {
      const mg::Tensor loss = x.to(mg::kFloat64).sum();
      loss.backward();
    }
  } catch (const mg::Error&) {
  }
  return 0;
}
