// The backward graph of the book's SelfAttentionV2, printed as Graphviz DOT: every node that
// context_vecs.sum().backward() would run, from the root down to the parameters it reaches.
// `make graph` turns it into docs/images/self_attention_v2_graph.svg, the picture in
// docs/how-minigrad-works.md.
#include <minigrad/minigrad.h>

#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "minigrad/autograd/node.h"
#include "notebook.h"

namespace {

using mg::autograd::AutogradMeta;
using mg::autograd::Node;

// The name a node prints as in grad_fn=<...>, such as "MmBackward0". The one place this program
// reads it, so that it follows however Node comes to store its name.
std::string_view node_name(const Node& node) {
  return mg::autograd::op_name(node.kind);
}

// Walks the graph from `root` breadth first, as the engine discovers it, and prints each node
// once, each parameter once, and each edge from a node to the input it sends a gradient to,
// labelled with that input's shape.
void print_dot(const Node& root,
               const std::map<const AutogradMeta*, std::string>& parameter_names) {
  std::map<const void*, size_t> ids;  // nodes and leaf metas, numbered in the order first met
  auto id_of = [&ids](const void* key) {
    auto [it, inserted] = ids.try_emplace(key, ids.size());
    return std::pair{it->second, inserted};
  };
  std::cout << "digraph SelfAttentionV2 {\n"
            << "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", "
               "fillcolor=\"#f2f2f2\"];\n"
            << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::vector<const Node*> queue{&root};
  std::cout << "  n" << id_of(&root).first << " [label=\"" << node_name(root)
            << "\\n(context_vecs.sum())\", fillcolor=\"#ffe0b0\"];\n";
  for (size_t next = 0; next < queue.size(); ++next) {
    const Node& node = *queue[next];
    const size_t from = id_of(&node).first;
    for (const Node::Edge& edge : node.edges) {
      const void* input = edge.node ? static_cast<const void*>(edge.node.get()) : edge.leaf.get();
      const auto [to, first_seen] = id_of(input);
      if (first_seen && edge.node) {
        std::cout << "  n" << to << " [label=\"" << node_name(*edge.node) << "\"];\n";
        queue.push_back(edge.node.get());
      } else if (first_seen) {
        const auto name = parameter_names.find(edge.leaf.get());
        std::cout << "  n" << to << " [label=\""
                  << (name != parameter_names.end() ? name->second : "leaf")
                  << "\", shape=ellipse, fillcolor=\"#cfe8ff\"];\n";
      }
      std::cout << "  n" << from << " -> n" << to << " [label=\" " << edge.input_shape << "\"];\n";
    }
  }
  std::cout << "}\n";
}

}  // namespace

int main() {
  // The book's cell: torch.manual_seed(789); sa_v2 = SelfAttention_v2(d_in, d_out).
  const mg::Tensor inputs = notebook::journey_inputs();
  mg::manual_seed(789);
  mg::nn::SelfAttentionV2 sa_v2(inputs.size(1), 2);
  const mg::Tensor context_vecs = sa_v2(inputs);
  const mg::Tensor root = context_vecs.sum();

  std::map<const AutogradMeta*, std::string> parameter_names;
  for (const auto& [name, parameter] : sa_v2.named_parameters())
    parameter_names[mg::autograd::meta_of(parameter)] = name;
  // Drawn before any backward pass, which would free the edges it walks.
  print_dot(*mg::autograd::meta_of(root)->grad_fn(), parameter_names);
}
