#include "charlm.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <map>
#include <numbers>
#include <numeric>
#include <sstream>

namespace charlm {

mg::nn::GPTConfig gpt_config(const Config& config, int64_t vocab_size) {
  return {.vocab_size = vocab_size,
          .context_length = config.context_length,
          .emb_dim = config.emb_dim,
          .n_heads = config.n_heads,
          .n_layers = config.n_layers,
          .drop_rate = config.drop_rate,
          .qkv_bias = false};
}

double learning_rate(const Config& config, int64_t step) {
  if (step <= config.warmup)
    return config.lr * static_cast<double>(step) / static_cast<double>(config.warmup);
  const int64_t decay_steps = std::max<int64_t>(1, config.steps - config.warmup);
  const double progress =
      std::min(1.0, static_cast<double>(step - config.warmup) / static_cast<double>(decay_steps));
  const double min_lr = config.lr / 10;
  return min_lr + (config.lr - min_lr) * 0.5 * (1 + std::cos(std::numbers::pi * progress));
}

Vocabulary::Vocabulary(std::string chars) : chars_(std::move(chars)), id_of_(256, -1) {
  for (size_t i = 0; i < chars_.size(); ++i) {
    int64_t& id = id_of_[static_cast<unsigned char>(chars_[i])];
    mg::check(id == -1, "Vocabulary: character ", static_cast<int>(chars_[i]), " appears twice");
    id = static_cast<int64_t>(i);
  }
}

Vocabulary Vocabulary::of(const std::string& text) {
  std::vector<bool> seen(256, false);
  for (const char c : text) seen[static_cast<unsigned char>(c)] = true;
  std::string chars;
  for (int byte = 0; byte < 256; ++byte)
    if (seen[static_cast<size_t>(byte)]) chars.push_back(static_cast<char>(byte));
  return Vocabulary(std::move(chars));
}

std::vector<int64_t> Vocabulary::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int64_t id = id_of_[static_cast<unsigned char>(text[i])];
    mg::check(id != -1, "Vocabulary: character ", static_cast<int>(text[i]), " at offset ", i,
              " is not in the vocabulary of ", size(), " characters");
    ids.push_back(id);
  }
  return ids;
}

std::string Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::string text;
  text.reserve(ids.size());
  for (const int64_t id : ids) {
    mg::check(id >= 0 && id < size(), "Vocabulary: token id ", id, " is outside [0, ", size(), ")");
    text.push_back(chars_[static_cast<size_t>(id)]);
  }
  return text;
}

Corpus load_corpus(const std::string& path, double val_fraction, int64_t context_length,
                   const std::optional<Vocabulary>& vocab) {
  std::ifstream file(path, std::ios::binary);
  mg::check(file.good(), "load_corpus: cannot open ", path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  mg::check(!file.bad(), "load_corpus: cannot read ", path);
  mg::check(val_fraction > 0 && val_fraction < 1, "load_corpus: val_fraction (", val_fraction,
            ") must lie in (0, 1)");
  const auto val_size = static_cast<int64_t>(static_cast<double>(text.size()) * val_fraction);
  const int64_t train_size = static_cast<int64_t>(text.size()) - val_size;
  mg::check(std::min(train_size, val_size) > context_length, "load_corpus: ", path, " holds ",
            text.size(), " characters, too few for a training part and a held-out ", val_fraction,
            " of it each longer than context_length ", context_length);
  Corpus corpus{vocab.value_or(Vocabulary::of(text)), {}, {}};
  std::vector<int64_t> ids;
  try {
    ids = corpus.vocab.encode(text);
  } catch (const mg::Error& e) {
    throw mg::Error("load_corpus: " + path + ": " + e.what());
  }
  corpus.train.assign(ids.begin(), ids.begin() + train_size);
  corpus.val.assign(ids.begin() + train_size, ids.end());
  return corpus;
}

namespace {

// Rows [B, T] of inputs and targets from windows of T + 1 tokens of ids at the given offsets.
Batch windows(const std::vector<int64_t>& ids, const std::vector<int64_t>& offsets,
              int64_t context_length) {
  const auto batch_size = static_cast<int64_t>(offsets.size());
  std::vector<int64_t> inputs, targets;
  inputs.reserve(static_cast<size_t>(batch_size * context_length));
  targets.reserve(inputs.capacity());
  for (const int64_t offset : offsets) {
    const auto window = ids.begin() + offset;
    inputs.insert(inputs.end(), window, window + context_length);
    targets.insert(targets.end(), window + 1, window + context_length + 1);
  }
  return {mg::from_vector(inputs, {batch_size, context_length}),
          mg::from_vector(targets, {batch_size, context_length})};
}

// A uniform double in [0, 1) from the top 53 bits of one draw.
double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace

Batch random_batch(const std::vector<int64_t>& ids, int64_t batch_size, int64_t context_length,
                   std::mt19937_64& rng) {
  const auto num_offsets = static_cast<int64_t>(ids.size()) - context_length;
  mg::check(num_offsets > 0, "random_batch: ", ids.size(), " tokens hold no window of ",
            context_length + 1);
  std::vector<int64_t> offsets(static_cast<size_t>(batch_size));
  // The modulo's bias, at most num_offsets / 2^64, does not matter here; it keeps the draws the
  // same on every standard library, which std::uniform_int_distribution does not.
  for (int64_t& offset : offsets)
    offset = static_cast<int64_t>(rng() % static_cast<uint64_t>(num_offsets));
  return windows(ids, offsets, context_length);
}

std::mt19937_64 step_rng(int64_t seed, int64_t step) {
  const auto bits = static_cast<uint64_t>(seed);
  std::seed_seq seq{static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32),
                    static_cast<uint32_t>(step)};
  return std::mt19937_64(seq);
}

namespace {

// The model first, so that the optimizer is built on its parameters.
mg::nn::GPTModel seeded_model(const Config& config, int64_t vocab_size) {
  mg::manual_seed(static_cast<uint64_t>(config.seed));
  return mg::nn::GPTModel(gpt_config(config, vocab_size));
}

// The fraction of positions whose most likely next token is the target.
double accuracy(const mg::Tensor& logits, const mg::Tensor& targets) {
  return (logits.argmax(-1) == targets).to(mg::kFloat64).mean().item();
}

}  // namespace

Trainer::Trainer(const Config& config, int64_t vocab_size)
    : model(seeded_model(config, vocab_size)),
      optimizer(model.parameters(), {.lr = config.lr, .weight_decay = config.weight_decay}),
      clip_(config.clip) {}

Scores Trainer::step(const Batch& batch, double lr) {
  const mg::Tensor logits = model(batch.inputs);
  const mg::Tensor loss = mg::cross_entropy(logits, batch.targets);
  loss.backward();
  if (clip_ > 0) mg::nn::utils::clip_grad_norm_(optimizer.params(), clip_);
  optimizer.lr = lr;
  optimizer.step();
  optimizer.zero_grad();
  return {loss.item(), accuracy(logits, batch.targets)};
}

Scores evaluate(mg::nn::GPTModel& model, const std::vector<int64_t>& ids, int64_t context_length,
                int64_t batch_size, int64_t max_windows) {
  const int64_t available = (static_cast<int64_t>(ids.size()) - 1) / context_length;
  const int64_t count = std::min(available, max_windows);
  mg::check(count > 0, "evaluate: ", ids.size(), " tokens hold no window of ", context_length + 1);
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    offsets[static_cast<size_t>(i)] = i * available / count * context_length;

  model.eval();
  mg::NoGradGuard no_grad;
  double loss_sum = 0, accuracy_sum = 0;
  for (int64_t begin = 0; begin < count; begin += batch_size) {
    const int64_t end = std::min(count, begin + batch_size);
    const Batch batch = windows(
        ids, std::vector<int64_t>(offsets.begin() + begin, offsets.begin() + end), context_length);
    const mg::Tensor logits = model(batch.inputs);
    // Every window has context_length targets, so the mean of the batch means weigh them alike.
    const auto rows = static_cast<double>(end - begin);
    loss_sum += mg::cross_entropy(logits, batch.targets).item() * rows;
    accuracy_sum += accuracy(logits, batch.targets) * rows;
  }
  model.train();
  return {loss_sum / static_cast<double>(count), accuracy_sum / static_cast<double>(count)};
}

double unigram_loss(const std::vector<int64_t>& train, const std::vector<int64_t>& ids,
                    int64_t vocab_size) {
  std::vector<double> counts(static_cast<size_t>(vocab_size), 1.0);
  for (const int64_t id : train) counts[static_cast<size_t>(id)] += 1;
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double loss = 0;
  for (const int64_t id : ids) loss -= std::log(counts[static_cast<size_t>(id)] / total);
  return loss / static_cast<double>(ids.size());
}

std::vector<int64_t> sample(mg::nn::GPTModel& model, std::vector<int64_t> prompt, int64_t length,
                            double temperature, int64_t top_k, std::mt19937_64& rng) {
  mg::check(!prompt.empty(), "sample: the prompt must hold at least one token");
  mg::check(temperature >= 0, "sample: temperature (", temperature, ") must not be negative");
  mg::check(top_k >= 0, "sample: top_k (", top_k, ") must not be negative");
  const int64_t context_length = model.pos_emb.weight.size(0);
  model.eval();
  mg::NoGradGuard no_grad;
  std::vector<int64_t> ids = std::move(prompt);
  for (int64_t i = 0; i < length; ++i) {
    const auto seen = static_cast<int64_t>(ids.size());
    const auto first = ids.end() - std::min(seen, context_length);
    const std::vector<int64_t> context(first, ids.end());
    const mg::Tensor logits =
        model(mg::from_vector(context, {static_cast<int64_t>(context.size())}));
    const std::vector<float> last = logits[-1].to_vector<float>();

    // Candidates by decreasing logit; the top_k of them (all when top_k is 0) are kept.
    std::vector<int64_t> candidates(last.size());
    std::iota(candidates.begin(), candidates.end(), 0);
    const auto keep =
        top_k == 0 ? candidates.size() : std::min(candidates.size(), static_cast<size_t>(top_k));
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep),
                      candidates.end(), [&](int64_t a, int64_t b) {
                        return last[static_cast<size_t>(a)] > last[static_cast<size_t>(b)];
                      });
    candidates.resize(keep);
    if (temperature == 0) {
      ids.push_back(candidates.front());
      continue;
    }
    // softmax(logits / temperature) over the candidates, shifted by the largest for stability.
    const double max_logit = last[static_cast<size_t>(candidates.front())];
    std::vector<double> weights;
    for (const int64_t c : candidates)
      weights.push_back(std::exp((last[static_cast<size_t>(c)] - max_logit) / temperature));
    double u = uniform(rng) * std::accumulate(weights.begin(), weights.end(), 0.0);
    size_t chosen = 0;
    while (chosen + 1 < weights.size() && u >= weights[chosen]) u -= weights[chosen++];
    ids.push_back(candidates[chosen]);
  }
  model.train();
  return ids;
}

namespace {

// The metadata value of key as a T, or an mg::Error naming the file.
template <typename T>
T metadata_number(const std::map<std::string, std::string>& metadata, const std::string& key,
                  const std::string& path) {
  const auto it = metadata.find(key);
  mg::check(it != metadata.end(), "read_checkpoint: ", path, " has no ", key, " in its metadata");
  const std::string& text = it->second;
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  mg::check(error == std::errc() && end == text.data() + text.size(), "read_checkpoint: ", path,
            ": ", key, " is \"", text, "\", not a number");
  return value;
}

}  // namespace

std::string optimizer_path(const std::string& path) {
  return path + ".optimizer";
}

void save_checkpoint(Trainer& trainer, const Checkpoint& checkpoint, const std::string& path) {
  const Config& config = checkpoint.config;
  // drop_rate as text that reads back to the same double.
  std::ostringstream drop_rate;
  drop_rate << std::setprecision(17) << config.drop_rate;
  mg::nn::save_safetensors(trainer.optimizer.state_dict(), optimizer_path(path));
  mg::nn::save_safetensors(trainer.model.state_dict(), path,
                           {{"format", "train_charlm"},
                            {"step", std::to_string(checkpoint.step)},
                            {"vocab", checkpoint.vocab.chars()},
                            {"context_length", std::to_string(config.context_length)},
                            {"emb_dim", std::to_string(config.emb_dim)},
                            {"n_heads", std::to_string(config.n_heads)},
                            {"n_layers", std::to_string(config.n_layers)},
                            {"drop_rate", drop_rate.str()}});
}

Checkpoint read_checkpoint(const std::string& path) {
  std::map<std::string, std::string> metadata;
  // This also reads the tensors, which the model's strict load reads again; they are small.
  mg::nn::load_safetensors(path, &metadata);
  const auto format = metadata.find("format");
  mg::check(format != metadata.end() && format->second == "train_charlm", "read_checkpoint: ", path,
            " is not a train_charlm checkpoint (no format \"train_charlm\" in its metadata)");
  const auto vocab = metadata.find("vocab");
  mg::check(vocab != metadata.end(), "read_checkpoint: ", path, " has no vocab in its metadata");
  Config config;
  config.context_length = metadata_number<int64_t>(metadata, "context_length", path);
  config.emb_dim = metadata_number<int64_t>(metadata, "emb_dim", path);
  config.n_heads = metadata_number<int64_t>(metadata, "n_heads", path);
  config.n_layers = metadata_number<int64_t>(metadata, "n_layers", path);
  config.drop_rate = metadata_number<double>(metadata, "drop_rate", path);
  return {metadata_number<int64_t>(metadata, "step", path), Vocabulary(vocab->second), config};
}

void load_checkpoint(Trainer& trainer, const std::string& path) {
  mg::nn::load_safetensors(trainer.model, path);
  trainer.optimizer.load_state_dict(mg::nn::load_safetensors(optimizer_path(path)));
}

}  // namespace charlm
