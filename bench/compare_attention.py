#!/usr/bin/python3
"""minigrad_bench's attention workloads beside the same work in PyTorch, measured in one run:
rounds alternate between the two sides so that both see the same machine, and the table gives
the median of the rounds. Build first with `make bench` (Release).

  /usr/bin/python3 bench/compare_attention.py [--rounds 3]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess

import torch_attention

BENCH = pathlib.Path(__file__).resolve().parent.parent / "build/release/bench/minigrad_bench"
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def minigrad_round():
    """{workload name: seconds per call} from one minigrad_bench run."""
    report = json.loads(subprocess.run(
        [BENCH, "--benchmark_filter=Attention|MHA", "--benchmark_format=json",
         "--benchmark_min_time=1"], check=True, capture_output=True, text=True).stdout)
    return {run["name"].removesuffix("/real_time"): run["real_time"] * UNIT_SECONDS[run["time_unit"]]
            for run in report["benchmarks"]}


def shown(seconds):
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    minigrad, pytorch = [], []
    for _ in range(rounds):
        minigrad.append(minigrad_round())
        pytorch.append(torch_attention.run())
    print(f"{rounds} rounds, medians; torch {torch_attention.torch.__version__} with "
          f"{torch_attention.torch.get_num_threads()} thread(s); "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}\n")
    print("| workload | minigrad | PyTorch | minigrad faster by |\n|---|---|---|---|")
    for name in torch_attention.WORKLOADS:
        ours = statistics.median(r[name] for r in minigrad)
        theirs = statistics.median(r[name] for r in pytorch)
        print(f"| `{name}` | {shown(ours)} | {shown(theirs)} | {theirs / ours:.2f}x |")


if __name__ == "__main__":
    main()
