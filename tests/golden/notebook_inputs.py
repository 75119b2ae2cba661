"""The seed notebooks' toy inputs ("Your journey starts with one step") and the attention scores
of query 2 against every input, computed as the notebooks compute them."""
import torch


def inputs_and_attn_scores_2():
    inputs = torch.tensor([[0.43, 0.15, 0.89], [0.55, 0.87, 0.66], [0.57, 0.85, 0.64],
                           [0.22, 0.58, 0.33], [0.77, 0.25, 0.10], [0.05, 0.80, 0.55]])
    query = inputs[1]
    attn_scores_2 = torch.empty(inputs.shape[0])
    for i, x_i in enumerate(inputs):
        attn_scores_2[i] = torch.dot(x_i, query)
    return inputs, attn_scores_2
