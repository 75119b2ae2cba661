// One optimizer step of train_charlm's default run (charlm::Config{} on the default corpus):
// forward, cross_entropy, backward, gradient clipping, AdamW's update, zero_grad, through the
// same charlm::Trainer::step the example calls. items/s are tokens per second (batch_size *
// context_length per step); steps/s is the same rate in steps. Rates use wall time, since
// OpenBLAS runs its own threads.
#include <benchmark/benchmark.h>

#include "charlm.h"

namespace {

void BM_TrainStepTinyGPT(benchmark::State& state) {
  const charlm::Config config;
  const charlm::Corpus corpus =
      charlm::load_corpus(CHARLM_DEFAULT_DATA, 0.1, config.context_length);
  charlm::Trainer trainer(config, corpus.vocab.size());
  std::mt19937_64 rng = charlm::step_rng(config.seed, 1);
  const charlm::Batch batch =
      charlm::random_batch(corpus.train, config.batch_size, config.context_length, rng);
  trainer.step(batch, config.lr);  // warm-up: the first step also makes AdamW's state
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(batch, config.lr));
  state.SetItemsProcessed(state.iterations() * config.batch_size * config.context_length);
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_TrainStepTinyGPT)->UseRealTime()->Unit(benchmark::kMillisecond);
