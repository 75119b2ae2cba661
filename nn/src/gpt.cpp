#include "minigrad/nn/gpt.h"

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"

namespace mg::nn {

namespace {

// Built one after another, so that each draws its weights after the one before, as the book's
// list comprehension does.
ModuleList<TransformerBlock> transformer_blocks(const GPTConfig& cfg) {
  check(cfg.n_layers >= 0, "GPTModel: n_layers (", cfg.n_layers, ") must not be negative");
  ModuleList<TransformerBlock> blocks;
  for (int64_t i = 0; i < cfg.n_layers; ++i) blocks.push_back(TransformerBlock(cfg));
  return blocks;
}

}  // namespace

FeedForward::FeedForward(const GPTConfig& cfg)
    : layers{Linear(cfg.emb_dim, 4 * cfg.emb_dim), GELU("tanh"),
             Linear(4 * cfg.emb_dim, cfg.emb_dim)} {}

Tensor FeedForward::forward(const Tensor& x) const {
  return layers(x);
}

void FeedForward::visit(Visitor& visitor) {
  visitor.module("layers", layers);
}

TransformerBlock::TransformerBlock(const GPTConfig& cfg)
    : att(cfg.emb_dim, cfg.emb_dim, cfg.context_length, cfg.drop_rate, cfg.n_heads, cfg.qkv_bias),
      ff(cfg),
      norm1(cfg.emb_dim),
      norm2(cfg.emb_dim),
      drop_shortcut(cfg.drop_rate) {}

Tensor TransformerBlock::forward(const Tensor& x) const {
  const Tensor attended = x + drop_shortcut(att(norm1(x)));
  return attended + drop_shortcut(ff(norm2(attended)));
}

void TransformerBlock::visit(Visitor& visitor) {
  visitor.module("att", att);
  visitor.module("ff", ff);
  visitor.module("norm1", norm1);
  visitor.module("norm2", norm2);
  visitor.module("drop_shortcut", drop_shortcut);
}

GPTModel::GPTModel(const GPTConfig& cfg)
    : tok_emb(cfg.vocab_size, cfg.emb_dim),
      pos_emb(cfg.context_length, cfg.emb_dim),
      drop_emb(cfg.drop_rate),
      trf_blocks(transformer_blocks(cfg)),
      final_norm(cfg.emb_dim),
      out_head(cfg.emb_dim, cfg.vocab_size, false) {}

Tensor GPTModel::forward(const Tensor& in_idx) const {
  check(in_idx.dim() == 1 || in_idx.dim() == 2,
        "GPTModel: expected token ids [T] or [B, T], got shape ", in_idx.shape());
  const int64_t seq_len = in_idx.size(-1), context_length = pos_emb.weight.size(0);
  check(seq_len <= context_length, "GPTModel: ", seq_len, " tokens exceed context_length ",
        context_length);
  const Tensor tok_embeds = tok_emb(in_idx);
  const Tensor pos_embeds = pos_emb(arange(seq_len));
  Tensor x = drop_emb(tok_embeds + pos_embeds);
  for (const TransformerBlock& block : trf_blocks) x = block(x);
  return out_head(final_norm(x));
}

void GPTModel::visit(Visitor& visitor) {
  visitor.module("tok_emb", tok_emb);
  visitor.module("pos_emb", pos_emb);
  visitor.module("drop_emb", drop_emb);
  visitor.module("trf_blocks", trf_blocks);
  visitor.module("final_norm", final_norm);
  visitor.module("out_head", out_head);
}

}  // namespace mg::nn
