#pragma once

// The pieces of train_charlm, a character-level GPT, that BM_TrainStepTinyGPT
// (bench/train_bench.cpp) shares with it: the default run's configuration, the vocabulary and
// corpus, batches, one training step, evaluation and sampling.
#include <minigrad/minigrad.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace charlm {

// The default run, on the default corpus: in Release on two cores, about 6 steps per second
// (a minute and a bit) when the machine is otherwise idle, two minutes when it is busy; its
// validation loss ends near 1.70 nats per character against the unigram baseline's 3.00.
struct Config {
  int64_t steps = 400;
  int64_t batch_size = 16;
  int64_t context_length = 64;
  int64_t emb_dim = 128;
  int64_t n_heads = 4;
  int64_t n_layers = 4;
  double drop_rate = 0.0;  // a model this small underfits in a minute and needs no dropout
  double lr = 3e-3;        // the peak learning rate, after warmup
  int64_t warmup = 30;     // steps of linear warmup; then cosine decay to lr / 10 at `steps`
  double weight_decay = 0.1;
  double clip = 1.0;  // the largest gradient norm; 0 turns clipping off
  int64_t seed = 1337;
};

// The GPTModel of a config over a vocabulary of vocab_size characters, without qkv bias.
mg::nn::GPTConfig gpt_config(const Config& config, int64_t vocab_size);

// The learning rate of step (1-based): lr * step / warmup during the warmup, then a cosine from
// lr down to lr / 10 at config.steps.
double learning_rate(const Config& config, int64_t step);

// The characters of a text, each once, in byte order; a character's token id is its index.
class Vocabulary {
 public:
  explicit Vocabulary(std::string chars);  // chars must be distinct
  static Vocabulary of(const std::string& text);

  int64_t size() const { return static_cast<int64_t>(chars_.size()); }
  const std::string& chars() const { return chars_; }
  // Throws mg::Error naming the first character outside the vocabulary.
  std::vector<int64_t> encode(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  std::string chars_;
  std::vector<int64_t> id_of_;  // by byte value; -1 outside the vocabulary
};

// A text file as token ids: the first (1 - val_fraction) of it for training, the rest held out
// for validation.
struct Corpus {
  Vocabulary vocab;
  std::vector<int64_t> train, val;
};

// Reads path and encodes it with vocab, or with its own characters when vocab is not given.
// Throws mg::Error naming the file when it cannot be read, holds a character outside vocab, or is
// too short for both parts to hold a window of context_length + 1 characters.
Corpus load_corpus(const std::string& path, double val_fraction, int64_t context_length,
                   const std::optional<Vocabulary>& vocab = {});

// inputs [B, T] and targets [B, T], int64: each row is a window of T + 1 tokens, the targets
// being the inputs shifted one to the left.
struct Batch {
  mg::Tensor inputs, targets;
};

// batch_size windows at uniformly random offsets of ids, drawn from rng.
Batch random_batch(const std::vector<int64_t>& ids, int64_t batch_size, int64_t context_length,
                   std::mt19937_64& rng);

// The generator of a training step's randomness: seeded by (seed, step) alone, so that a run
// resumed at any step draws the batches and dropout masks the uninterrupted run drew.
std::mt19937_64 step_rng(int64_t seed, int64_t step);

struct Scores {
  double loss, accuracy;  // the batch's mean cross-entropy (nats) and next-character accuracy
};

// The model and its optimizer.
class Trainer {
 public:
  Trainer(const Config& config, int64_t vocab_size);

  // One optimizer step at learning rate lr: forward, cross_entropy, backward, gradient clipping,
  // AdamW's update, zero_grad.
  Scores step(const Batch& batch, double lr);

  mg::nn::GPTModel model;
  mg::optim::AdamW optimizer;

 private:
  double clip_;
};

// The mean cross-entropy and accuracy, in eval mode and without a graph, over up to max_windows
// non-overlapping windows of ids (evenly spread when there are more), batch_size at a time. The
// model is left in training mode.
Scores evaluate(mg::nn::GPTModel& model, const std::vector<int64_t>& ids, int64_t context_length,
                int64_t batch_size, int64_t max_windows);

// The baseline without context: the cross-entropy of ids under the character frequencies of
// train, add-one smoothed so that a character never seen in training costs a finite amount.
double unigram_loss(const std::vector<int64_t>& train, const std::vector<int64_t>& ids,
                    int64_t vocab_size);

// prompt (not empty) continued by length tokens, each drawn from softmax(logits / temperature)
// over the top_k most likely (all of them when top_k is 0), the model seeing the last
// context_length tokens; temperature 0 takes the most likely token. In eval mode, without a graph.
std::vector<int64_t> sample(mg::nn::GPTModel& model, std::vector<int64_t> prompt, int64_t length,
                            double temperature, int64_t top_k, std::mt19937_64& rng);

// A checkpoint: the model's state_dict() in safetensors (a file PyTorch's GPTModel loads as it
// is), with metadata giving the step reached, the vocabulary and the model's shape, so that
// --resume needs nothing else; and beside it, in optimizer_path(path), AdamW's state, so that a
// resumed run goes on exactly as one that never stopped.
struct Checkpoint {
  int64_t step;
  Vocabulary vocab;
  Config config;  // only the model's shape: context_length, emb_dim, n_heads, n_layers, drop_rate
};

std::string optimizer_path(const std::string& path);
void save_checkpoint(Trainer& trainer, const Checkpoint& checkpoint, const std::string& path);
// Loads the model's and the optimizer's state from a checkpoint read_checkpoint() accepted.
void load_checkpoint(Trainer& trainer, const std::string& path);
// The metadata of a checkpoint file, checked; mg::Error naming the file when it is not one.
Checkpoint read_checkpoint(const std::string& path);

}  // namespace charlm
