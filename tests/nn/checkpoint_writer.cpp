// Writes what tests/golden/check_checkpoint.py loads into PyTorch: a seeded MultiHeadAttention's
// checkpoint, <directory>/mha.safetensors, and <directory>/io.safetensors holding an input, the
// module's output for it, and the constructor arguments as metadata.
#include <minigrad/minigrad.h>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: checkpoint_writer <directory>\n";
    return 2;
  }
  const std::string directory = argv[1];
  const int64_t d_in = 6, d_out = 8, context_length = 7, num_heads = 4;
  mg::manual_seed(2024);
  mg::nn::MultiHeadAttention mha(d_in, d_out, context_length, 0.0, num_heads, /*qkv_bias=*/true);
  const mg::Tensor x = mg::rand({3, 5, d_in});
  mg::Tensor out;
  {
    mg::NoGradGuard no_grad;
    out = mha(x);
  }
  try {
    mg::nn::save_safetensors(mha, directory + "/mha.safetensors");
    mg::nn::save_safetensors({{"input", x}, {"output", out}}, directory + "/io.safetensors",
                             {{"d_in", std::to_string(d_in)},
                              {"d_out", std::to_string(d_out)},
                              {"context_length", std::to_string(context_length)},
                              {"num_heads", std::to_string(num_heads)},
                              {"qkv_bias", "1"}});
  } catch (const mg::Error& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
