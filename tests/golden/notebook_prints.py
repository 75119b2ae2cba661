#!/usr/bin/python3
"""Writes data/notebook_prints.txt: the text the seed notebooks printed, which the simplified
attention example must print too. The strings are copied by hand from the notebooks' outputs
(seeds 000, 002, 004, and the first six tensors of 003), and the cells of seed 001 that tests check
so far; nothing here is computed."""
import json
import pathlib

PRINTS = {
    "seed000/attn_scores_2": "tensor([0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865])",
    "seed000/attn_weights_2_tmp": "Attention weights: tensor([0.1455, 0.2278, 0.2249, 0.1285, 0.1077, 0.1656])",
    "seed000/attn_weights_2_tmp_sum": "Sum: tensor(1.0000)",
    "seed000/attn_weights_2": "Attention weights: tensor([0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581])",
    "seed000/attn_weights_2_sum": "Sum: tensor(1.)",
    "seed000/context_vec_2": "tensor([0.4419, 0.6515, 0.5683])",
    "seed004/attn_scores": (
        "tensor([[0.9995, 0.9544, 0.9422, 0.4753, 0.4576, 0.6310],\n"
        "        [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865],\n"
        "        [0.9422, 1.4754, 1.4570, 0.8296, 0.7154, 1.0605],\n"
        "        [0.4753, 0.8434, 0.8296, 0.4937, 0.3474, 0.6565],\n"
        "        [0.4576, 0.7070, 0.7154, 0.3474, 0.6654, 0.2935],\n"
        "        [0.6310, 1.0865, 1.0605, 0.6565, 0.2935, 0.9450]])"),
    "seed004/attn_weights": (
        "tensor([[0.2098, 0.2006, 0.1981, 0.1242, 0.1220, 0.1452],\n"
        "        [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],\n"
        "        [0.1390, 0.2369, 0.2326, 0.1242, 0.1108, 0.1565],\n"
        "        [0.1435, 0.2074, 0.2046, 0.1462, 0.1263, 0.1720],\n"
        "        [0.1526, 0.1958, 0.1975, 0.1367, 0.1879, 0.1295],\n"
        "        [0.1385, 0.2184, 0.2128, 0.1420, 0.0988, 0.1896]])"),
    "seed004/all_context_vec": (
        "tensor([[0.4421, 0.5931, 0.5790],\n"
        "        [0.4419, 0.6515, 0.5683],\n"
        "        [0.4431, 0.6496, 0.5671],\n"
        "        [0.4304, 0.6298, 0.5510],\n"
        "        [0.4671, 0.5910, 0.5266],\n"
        "        [0.4177, 0.6503, 0.5645]])"),
    "seed002/attn_scores_1_normalised": "tensor([0.2241, 0.2140, 0.2113, 0.1066, 0.1026, 0.1415])",
    "seed002/attn_scores_1_softmax": "tensor([0.1763, 0.1745, 0.1740, 0.1567, 0.1561, 0.1623])",
    "seed002/context_vec_1": "tensor([0.4338, 0.5860, 0.5401])",
    "seed003/attn_scores_2": "tensor([0.9422, 1.4754, 1.4570, 0.8296, 0.7154, 1.0605])",
    "seed003/attn_weights_2": "tensor([0.1390, 0.2369, 0.2326, 0.1242, 0.1108, 0.1565])",
    "seed003/context_vector_2": "tensor([0.4431, 0.6496, 0.5671])",
    "seed001/dropout_ones": (
        "tensor([[0., 0., 0., 2., 2., 0.],\n"
        "        [2., 2., 2., 0., 2., 2.],\n"
        "        [2., 0., 2., 0., 2., 0.],\n"
        "        [2., 2., 2., 2., 2., 2.],\n"
        "        [2., 2., 2., 2., 2., 2.],\n"
        "        [0., 0., 2., 2., 2., 0.]])"),
}
# Seed 002's and 003's matrices are the same text as seed 004's above.

if __name__ == "__main__":
    path = pathlib.Path(__file__).resolve().parent / "data" / "notebook_prints.txt"
    path.write_text("".join(f"string {key} {json.dumps(text)}\n" for key, text in PRINTS.items()))
    print(f"wrote {path.name} ({len(PRINTS)} records)")
