// A character-level GPT, the book's chapter-4 GPTModel at a tiny size, trained on a text file:
// train and validation loss beside the unigram baseline, samples with temperature and top-k,
// safetensors checkpoints to resume from, and a JSON metrics file.
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "charlm.h"
#include "training.h"

namespace {

struct Options {
  charlm::Config config;
  std::string data = CHARLM_DEFAULT_DATA;
  double val_fraction = 0.1;
  int64_t eval_every = 100, eval_windows = 64, stop_after = 0;
  int64_t sample_every = 0, sample_length = 500, top_k = 10;
  double temperature = 0.8;
  std::string prompt, save, resume, metrics, loss_curve;
};

// The prompt's tokens: the given text, or else a newline (the start of a line) when the
// vocabulary has one, or else the first character of the training text.
std::vector<int64_t> prompt_ids(const Options& options, const charlm::Corpus& corpus) {
  if (!options.prompt.empty()) return corpus.vocab.encode(options.prompt);
  if (corpus.vocab.chars().find('\n') != std::string::npos) return corpus.vocab.encode("\n");
  return {corpus.train.front()};
}

std::string sample_text(charlm::Trainer& trainer, const Options& options,
                        const charlm::Corpus& corpus, int64_t step) {
  // Seeded by the step, so that a sample does not depend on the samples printed before it.
  std::mt19937_64 rng = charlm::step_rng(options.config.seed + 1, step);
  return corpus.vocab.decode(charlm::sample(trainer.model, prompt_ids(options, corpus),
                                            options.sample_length, options.temperature,
                                            options.top_k, rng));
}

int run(const Options& options_in) {
  Options options = options_in;
  charlm::Config& config = options.config;
  mg::check(config.steps > 0 && config.batch_size > 0 && config.warmup >= 0,
            "train_charlm: --steps and --batch must be positive and --warmup not negative");

  std::optional<charlm::Checkpoint> checkpoint;
  if (!options.resume.empty()) {
    checkpoint = charlm::read_checkpoint(options.resume);
    // The model's shape is the checkpoint's; the flags keep the training's (lr, steps, batch).
    config.context_length = checkpoint->config.context_length;
    config.emb_dim = checkpoint->config.emb_dim;
    config.n_heads = checkpoint->config.n_heads;
    config.n_layers = checkpoint->config.n_layers;
    config.drop_rate = checkpoint->config.drop_rate;
  }
  const charlm::Corpus corpus =
      charlm::load_corpus(options.data, options.val_fraction, config.context_length,
                          checkpoint ? std::optional(checkpoint->vocab) : std::nullopt);
  const int64_t vocab_size = corpus.vocab.size();
  const double unigram_loss = charlm::unigram_loss(corpus.train, corpus.val, vocab_size);

  charlm::Trainer trainer(config, vocab_size);
  int64_t start_step = 0;
  if (checkpoint) {
    charlm::load_checkpoint(trainer, options.resume);
    start_step = checkpoint->step;
  }
  int64_t parameters = 0;
  for (const mg::Tensor& p : trainer.model.parameters()) parameters += p.numel();

  std::cout << "corpus: " << options.data << ", " << corpus.train.size()
            << " characters for training, " << corpus.val.size() << " held out, " << vocab_size
            << " distinct\n"
            << "model: GPTModel, " << config.n_layers << " layers, " << config.n_heads
            << " heads, emb_dim " << config.emb_dim << ", context " << config.context_length << ", "
            << parameters << " parameters\n"
            << "unigram baseline (no context): " << unigram_loss << " nats per character\n";
  if (checkpoint)
    std::cout << "resumed from " << options.resume << " at step " << start_step << "\n";

  const int64_t end_step =
      options.stop_after > 0 ? std::min(config.steps, options.stop_after) : config.steps;
  std::vector<double> losses;
  double seconds = 0;
  if (end_step > start_step) {
    training::Progress progress(end_step - start_step);
    for (int64_t step = start_step + 1; step <= end_step; ++step) {
      std::mt19937_64 rng = charlm::step_rng(config.seed, step);
      const charlm::Batch batch =
          charlm::random_batch(corpus.train, config.batch_size, config.context_length, rng);
      mg::manual_seed(rng());  // the dropout masks
      const charlm::Scores scores = trainer.step(batch, charlm::learning_rate(config, step));
      losses.push_back(scores.loss);
      progress.update(step - start_step, scores.loss, scores.accuracy);
      const bool eval_now = options.eval_every > 0 && step % options.eval_every == 0;
      const bool sample_now = options.sample_every > 0 && step % options.sample_every == 0;
      if (step == end_step || (!eval_now && !sample_now)) continue;
      progress.finish();
      if (eval_now) {
        const charlm::Scores val =
            charlm::evaluate(trainer.model, corpus.val, config.context_length, config.batch_size,
                             options.eval_windows);
        std::cout << "step " << step << ": val loss " << val.loss << "\n";
      }
      if (sample_now)
        std::cout << "--- sample at step " << step << " ---\n"
                  << sample_text(trainer, options, corpus, step) << "\n---\n";
    }
    progress.finish();
    seconds = progress.elapsed_seconds();
  }

  const charlm::Scores train = charlm::evaluate(trainer.model, corpus.train, config.context_length,
                                                config.batch_size, options.eval_windows);
  const charlm::Scores val = charlm::evaluate(trainer.model, corpus.val, config.context_length,
                                              config.batch_size, options.eval_windows);
  std::cout << "step " << end_step << ": train loss " << train.loss << ", val loss " << val.loss
            << " (unigram baseline " << unigram_loss << "), val accuracy " << 100 * val.accuracy
            << "%\n";
  const std::string sample = sample_text(trainer, options, corpus, end_step);
  std::cout << "--- sample (temperature " << options.temperature << ", top-k " << options.top_k
            << ") ---\n"
            << sample << "\n---\n";

  if (!options.save.empty()) {
    charlm::save_checkpoint(trainer, {end_step, corpus.vocab, config}, options.save);
    std::cout << "saved " << options.save << " at step " << end_step << "\n";
  }
  if (!options.loss_curve.empty() && !losses.empty())
    training::write_loss_curve(options.loss_curve, losses);
  if (!options.metrics.empty()) {
    const auto steps_run = static_cast<double>(end_step - start_step);
    const double steps_per_second = seconds > 0 ? steps_run / seconds : 0.0;
    training::write_metrics(
        options.metrics,
        {{"steps", end_step},
         {"start_step", start_step},
         {"seconds", seconds},
         {"steps_per_second", steps_per_second},
         {"tokens_per_second",
          steps_per_second * static_cast<double>(config.batch_size * config.context_length)},
         {"final_loss", train.loss},
         {"val_loss", val.loss},
         {"unigram_loss", unigram_loss},
         {"train_accuracy", train.accuracy},
         {"val_accuracy", val.accuracy},
         {"parameters", parameters},
         {"vocab_size", vocab_size},
         {"config",
          {{"batch_size", config.batch_size},
           {"context_length", config.context_length},
           {"emb_dim", config.emb_dim},
           {"n_heads", config.n_heads},
           {"n_layers", config.n_layers},
           {"drop_rate", config.drop_rate},
           {"lr", config.lr},
           {"warmup", config.warmup},
           {"weight_decay", config.weight_decay},
           {"clip", config.clip},
           {"seed", config.seed}}},
         {"losses", losses},
         {"sample", sample}});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  charlm::Config& config = options.config;
  training::Flags flags(
      "train_charlm",
      "Trains a character-level GPT (the book's chapter-4 GPTModel) on a text file, reports train\n"
      "and validation loss beside the unigram baseline, and samples text from it.");
  flags.add("data", options.data, "the training text; the last --val-fraction is held out");
  flags.add("val-fraction", options.val_fraction, "the fraction of the text held out");
  flags.add("steps", config.steps, "the step to train to (a resumed run goes on from its step)");
  flags.add("stop-after", options.stop_after,
            "stop after this step (0: at --steps), the schedule still spanning --steps");
  flags.add("batch", config.batch_size, "windows per batch");
  flags.add("context", config.context_length, "characters per window (context_length)");
  flags.add("emb-dim", config.emb_dim, "embedding size");
  flags.add("heads", config.n_heads, "attention heads");
  flags.add("layers", config.n_layers, "transformer blocks");
  flags.add("dropout", config.drop_rate, "dropout rate");
  flags.add("lr", config.lr, "peak learning rate (AdamW)");
  flags.add("warmup", config.warmup, "steps of linear warmup before the cosine decay to lr/10");
  flags.add("weight-decay", config.weight_decay, "AdamW's decoupled weight decay");
  flags.add("clip", config.clip, "largest gradient norm (0: no clipping)");
  flags.add("seed", config.seed, "seed of the weights, batches, dropout and samples");
  flags.add("eval-every", options.eval_every, "print the validation loss every N steps (0: never)");
  flags.add("eval-windows", options.eval_windows, "windows the train and val losses average over");
  flags.add("sample-every", options.sample_every,
            "print a sample every N steps (0: at the end only)");
  flags.add("sample-length", options.sample_length, "characters to generate");
  flags.add("temperature", options.temperature, "sampling temperature (0: always the likeliest)");
  flags.add("top-k", options.top_k, "sample among the k likeliest characters (0: all)");
  flags.add("prompt", options.prompt, "text to continue (empty: a newline)");
  flags.add(
      "save", options.save,
      "write a safetensors checkpoint here at the end (AdamW's state beside it, in .optimizer)");
  flags.add("resume", options.resume,
            "go on from this checkpoint (its model shape and vocabulary)");
  flags.add("metrics", options.metrics, "write the metrics as JSON here");
  flags.add("loss-curve", options.loss_curve, "write a PNG of the training loss here");
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "train_charlm: " << e.what() << "\n";
    return 1;
  }
}
