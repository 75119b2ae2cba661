// A small GPT (mg::nn::GPTModel) learns to reverse sequences of random tokens: it reads
// "a b c d SEP" and continues "d c b a". Trained with cross-entropy on the answer positions only,
// evaluated by greedy decoding on held-out sequences; writes a loss curve and the attention
// pattern of one held-out example, where each answer position looks back at its mirror image:
// an anti-diagonal.
#include <minigrad/minigrad.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "training.h"

namespace {

// Sequences of `length` tokens from 0..vocab-1, then SEP = vocab, then the tokens reversed.
struct Task {
  int64_t vocab, length;

  int64_t sep() const { return vocab; }
  int64_t num_tokens() const { return vocab + 1; }
  int64_t width() const { return 2 * length + 1; }
  int64_t context_length() const { return 2 * length; }  // the model never sees the last token

  // Tokens first to last of one sequence, "3 17 SEP 17 3".
  std::string text(std::span<const int64_t> tokens) const {
    std::string text;
    for (const int64_t token : tokens) {
      if (!text.empty()) text += ' ';
      text += token == sep() ? "SEP" : std::to_string(token);
    }
    return text;
  }

  // count whole sequences [count, width()], each token drawn as random() % vocab.
  std::vector<int64_t> sample(int64_t count, mg::Generator& gen) const {
    std::vector<int64_t> sequences;
    sequences.reserve(static_cast<size_t>(count * width()));
    for (int64_t n = 0; n < count; ++n) {
      const size_t start = sequences.size();
      for (int64_t i = 0; i < length; ++i) sequences.push_back(gen.random() % vocab);
      sequences.push_back(sep());
      for (int64_t i = length - 1; i >= 0; --i)
        sequences.push_back(sequences[start + static_cast<size_t>(i)]);
    }
    return sequences;
  }
};

constexpr int64_t kIgnoreIndex = -100;

// Inputs are each sequence but its last token, targets each but its first, so that position t
// predicts token t + 1; only the answer's targets count (the prompt's random tokens cannot be
// predicted), the others are ignore_index.
std::pair<mg::Tensor, mg::Tensor> inputs_and_targets(const Task& task,
                                                     const std::vector<int64_t>& sequences) {
  const int64_t T = task.context_length(), width = task.width();
  const auto count = static_cast<int64_t>(sequences.size()) / width;
  std::vector<int64_t> inputs, targets;
  for (int64_t n = 0; n < count; ++n)
    for (int64_t t = 0; t < T; ++t) {
      inputs.push_back(sequences[static_cast<size_t>(n * width + t)]);
      targets.push_back(t >= task.length ? sequences[static_cast<size_t>(n * width + t + 1)]
                                         : kIgnoreIndex);
    }
  return {mg::from_vector(inputs, {count, T}), mg::from_vector(targets, {count, T})};
}

// The fraction of sequences whose every counted target is the logits' argmax. With the model's
// own predictions fed back (greedy decoding) the answer would be the same, since every input it
// would see is then the true one.
double exact_match(const mg::Tensor& logits, const mg::Tensor& targets) {
  const std::vector<int64_t> predicted = logits.argmax(-1).to_vector<int64_t>();
  const std::vector<int64_t> wanted = targets.to_vector<int64_t>();
  const int64_t count = targets.size(0), T = targets.size(1);
  int64_t right = 0;
  for (int64_t n = 0; n < count; ++n) {
    bool all_right = true;
    for (int64_t t = n * T; t < (n + 1) * T; ++t) {
      const auto i = static_cast<size_t>(t);
      all_right &= wanted[i] == kIgnoreIndex || predicted[i] == wanted[i];
    }
    right += all_right;
  }
  return static_cast<double>(right) / static_cast<double>(count);
}

// Greedy decoding: each sequence's prompt (its tokens and SEP), then `length` times the most
// likely next token. Returns the completed sequences, laid out as `sequences`.
std::vector<int64_t> greedy_decode(const mg::nn::GPTModel& model, const Task& task,
                                   const std::vector<int64_t>& sequences) {
  const mg::NoGradGuard no_grad;
  const int64_t width = task.width();
  const auto count = static_cast<int64_t>(sequences.size()) / width;
  std::vector<int64_t> tokens;
  for (int64_t n = 0; n < count; ++n)
    tokens.insert(tokens.end(), sequences.begin() + n * width,
                  sequences.begin() + n * width + task.length + 1);
  for (int64_t t = task.length + 1; t < width; ++t) {
    const mg::Tensor logits = model(mg::from_vector(tokens, {count, t}));
    const std::vector<int64_t> next = logits.select(1, t - 1).argmax(-1).to_vector<int64_t>();
    std::vector<int64_t> longer;
    for (int64_t n = 0; n < count; ++n) {
      longer.insert(longer.end(), tokens.begin() + n * t, tokens.begin() + (n + 1) * t);
      longer.push_back(next[static_cast<size_t>(n)]);
    }
    tokens = std::move(longer);
  }
  return tokens;
}

// The fraction of sequences decoded exactly right.
double sequence_exact_match(const Task& task, const std::vector<int64_t>& decoded,
                            const std::vector<int64_t>& sequences) {
  const int64_t width = task.width();
  const auto count = static_cast<int64_t>(sequences.size()) / width;
  int64_t right = 0;
  for (int64_t n = 0; n < count; ++n)
    right += std::equal(decoded.begin() + n * width, decoded.begin() + (n + 1) * width,
                        sequences.begin() + n * width);
  return static_cast<double>(right) / static_cast<double>(count);
}

// Every block's attention weights for one sequence of token ids [T]: [n_layers, n_heads, T, T].
// The blocks' own forward, stopped at each attention to ask for its weights.
mg::Tensor attention_maps(const mg::nn::GPTModel& model, const mg::Tensor& ids) {
  const mg::NoGradGuard no_grad;
  mg::Tensor x = model.drop_emb(model.tok_emb(ids) + model.pos_emb(mg::arange(ids.size(0))));
  std::vector<mg::Tensor> maps;
  for (const mg::nn::TransformerBlock& block : model.trf_blocks) {
    maps.push_back(block.att.attention_weights(block.norm1(x)));
    x = block(x);
  }
  return mg::stack(maps);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t steps = 300, batch = 32, length = 12, vocab = 20, emb_dim = 64, heads = 2, layers = 1;
  int64_t seed = 1, val_size = 500;
  double lr = 3e-3, dropout = 0.0, weight_decay = 0.01;
  std::string out_dir = ".", metrics_path, save_path;
  training::Flags flags(
      "train_reverse",
      "Trains a small GPT to reverse sequences of random tokens: it reads\n"
      "\"a b c d SEP\" and writes \"d c b a\". Prints its progress, the exact-match\n"
      "accuracy of greedy decoding on held-out sequences, and writes a loss curve\n"
      "and the attention weights of one held-out example as PNG images.");
  flags.add("steps", steps, "training steps");
  flags.add("batch", batch, "sequences per step");
  flags.add("lr", lr, "peak learning rate of AdamW (linear warm-up, cosine decay)");
  flags.add("weight-decay", weight_decay, "AdamW's decoupled weight decay");
  flags.add("seed", seed, "seed of the weights, the dropout and the data");
  flags.add("length", length, "tokens to reverse per sequence");
  flags.add("vocab", vocab, "distinct tokens (SEP comes on top)");
  flags.add("emb-dim", emb_dim, "model size: embedding dimension");
  flags.add("heads", heads, "attention heads per layer (must divide emb-dim)");
  flags.add("layers", layers, "transformer blocks");
  flags.add("dropout", dropout, "dropout rate");
  flags.add("val-size", val_size, "held-out sequences for the final accuracy");
  flags.add("out-dir", out_dir, "directory for the PNG images");
  flags.add("metrics", metrics_path, "write a JSON summary here (none when empty)");
  flags.add("save", save_path, "write the trained model here as safetensors (none when empty)");
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;

  try {
    mg::check(steps > 0 && batch > 0 && length > 0 && val_size > 0 && vocab > 1,
              "train_reverse: --steps (", steps, "), --batch (", batch, "), --length (", length,
              ") and --val-size (", val_size, ") must be positive and --vocab (", vocab,
              ") at least 2");
    const Task task{vocab, length};
    mg::manual_seed(static_cast<uint64_t>(seed));
    mg::nn::GPTModel model({.vocab_size = task.num_tokens(),
                            .context_length = task.context_length(),
                            .emb_dim = emb_dim,
                            .n_heads = heads,
                            .n_layers = layers,
                            .drop_rate = dropout});
    mg::optim::AdamW optimizer(model.parameters(), {.lr = lr, .weight_decay = weight_decay});
    // Training and held-out data from their own streams: the model's dropout draws from the
    // global generator and does not shift them. Of vocab^length prompts (20^12 by default), the
    // held-out ones are practically never among those trained on.
    mg::Generator train_gen(static_cast<uint64_t>(seed) + 1);
    mg::Generator val_gen(static_cast<uint64_t>(seed) + 2);
    const std::vector<int64_t> val_sequences = task.sample(val_size, val_gen);

    std::cout << "train_reverse: reversing " << length << " tokens of " << vocab << " with a "
              << layers << "-layer, " << heads << "-head GPT (emb_dim " << emb_dim << "), " << steps
              << " steps of " << batch << " sequences (acc: exact match on the training batch)\n";
    const int64_t warmup = std::max<int64_t>(1, steps / 20);
    std::vector<double> losses;
    training::Progress progress(steps);
    for (int64_t step = 1; step <= steps; ++step) {
      const double decay =
          0.5 * (1 + std::cos(std::numbers::pi * static_cast<double>(step - warmup) /
                              static_cast<double>(std::max<int64_t>(1, steps - warmup))));
      optimizer.lr = lr * (step <= warmup ? static_cast<double>(step) / warmup : decay);
      const auto [inputs, targets] = inputs_and_targets(task, task.sample(batch, train_gen));
      optimizer.zero_grad();
      const mg::Tensor logits = model(inputs);
      const mg::Tensor loss = mg::cross_entropy(logits, targets, kIgnoreIndex);
      loss.backward();
      mg::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
      optimizer.step();
      losses.push_back(loss.item());
      progress.update(step, losses.back(), exact_match(logits.detach(), targets));
    }
    progress.finish();
    const double train_seconds = progress.elapsed_seconds();

    model.eval();
    const std::vector<int64_t> decoded = greedy_decode(model, task, val_sequences);
    const double val_exact_match = sequence_exact_match(task, decoded, val_sequences);
    const double seconds = progress.elapsed_seconds();
    std::cout << "held-out exact match (greedy decoding, " << val_size
              << " sequences): " << std::fixed << std::setprecision(2) << 100 * val_exact_match
              << "%  in " << std::setprecision(1) << seconds << " s\n";
    const auto example = val_sequences.begin(), answer = example + length + 1;
    std::cout << "for example:       " << task.text({example, answer}) << " -> "
              << task.text({decoded.begin() + length + 1, decoded.begin() + task.width()}) << "\n";

    std::filesystem::create_directories(out_dir);
    const std::string loss_png =
        (std::filesystem::path(out_dir) / "train_reverse_loss.png").string();
    const std::string attention_png =
        (std::filesystem::path(out_dir) / "train_reverse_attention.png").string();
    training::write_loss_curve(loss_png, losses);
    // The model reads all but the last token of the example.
    const std::vector<int64_t> inputs(example, example + task.context_length());
    std::vector<std::string> labels;
    for (const int64_t token : inputs) labels.push_back(task.text({&token, 1}));
    training::write_heatmaps(
        attention_png, attention_maps(model, mg::from_vector(inputs, {task.context_length()})), 20,
        1.0, labels);
    std::cout << "loss curve:        " << loss_png << "\nattention weights: " << attention_png
              << " (that example; a row is a query position, a column a key)\n";

    if (!save_path.empty()) {
      mg::nn::save_safetensors(model, save_path);
      std::cout << "model:             " << save_path << "\n";
    }
    if (!metrics_path.empty()) {
      training::write_metrics(metrics_path, {{"example", "train_reverse"},
                                             {"seed", seed},
                                             {"steps", steps},
                                             {"seconds", seconds},
                                             {"train_seconds", train_seconds},
                                             {"final_loss", losses.back()},
                                             {"val_exact_match", val_exact_match},
                                             {"val_size", val_size}});
      std::cout << "metrics:           " << metrics_path << "\n";
    }
  } catch (const mg::Error& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
