#!/usr/bin/python3
"""minigrad_bench's workloads beside the same work in PyTorch, measured in one run, as one markdown
table. Each round runs, one after the other, minigrad_bench (the Release build in build/release),
PyTorch in Python (bench/torch_workloads.py) at 1 and at 2 threads and, when it was built,
libtorch C++ (libtorch_bench) at 1 and at 2 threads, so that every side sees the same machine.
The table gives each side's median over the rounds, PyTorch at its faster thread count, and how
many times faster minigrad is. Absolute times move with the machine's load; compare the ratios.

  make bench-compare [COMPARE_ARGS="--rounds 1 --filter GELU"]    # builds Release first
  /usr/bin/python3 bench/compare.py [--rounds 3] [--filter REGEX] [--min-time 1]
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys

import torch_workloads

HERE = pathlib.Path(__file__).resolve().parent
BUILD = HERE.parent / "build" / "release" / "bench"
MINIGRAD_BENCH, LIBTORCH_BENCH = BUILD / "minigrad_bench", BUILD / "libtorch_bench"
TORCH_THREADS = (1, 2)
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def google_benchmark(binary, names, min_time, *flags):
    """({name: seconds per call}, the report's context) from one run of a Google Benchmark
    binary on the given workloads, by wall time."""
    name_filter = f"^({'|'.join(names)})(/real_time)?$"
    report = json.loads(subprocess.run(
        [binary, f"--benchmark_filter={name_filter}", "--benchmark_format=json",
         f"--benchmark_min_time={min_time}", *flags],
        check=True, capture_output=True, text=True).stdout)
    seconds = {run["name"].removesuffix("/real_time"):
               run["real_time"] * UNIT_SECONDS[run["time_unit"]] for run in report["benchmarks"]}
    return seconds, report["context"]


def python_side(names, min_time, threads):
    """({name: seconds per call}, torch's version) from bench/torch_workloads.py at threads."""
    report = json.loads(subprocess.run(
        [sys.executable, HERE / "torch_workloads.py", "--json", f"--threads={threads}",
         f"--filter=^({'|'.join(names)})$", f"--min-time={min_time}"],
        check=True, capture_output=True, text=True).stdout)
    assert report["torch_threads"] == threads, report
    return report["seconds"], report["torch_version"]


def openblas():
    """OpenBLAS's core type and default thread count, as this machine's library reports them (torch's
    thread count leaves OpenBLAS's alone)."""
    library = ctypes.CDLL(ctypes.util.find_library("openblas") or "libopenblas.so.0")
    library.openblas_get_corename.restype = ctypes.c_char_p
    return library.openblas_get_corename().decode(), library.openblas_get_num_threads()


def environment(variable):
    value = os.environ.get(variable)
    return f"{variable}={value}" if value is not None else f"{variable} unset"


def shown(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.1f} ms"


def fastest(timings, name):
    """(median seconds, thread count) of the faster thread count; None if no run measured it."""
    medians = [(statistics.median(runs[name]), threads)
               for threads, runs in timings.items() if runs.get(name)]
    return min(medians) if medians else None


def row(name, description, minigrad, sides):
    ours = statistics.median(minigrad[name]) if minigrad.get(name) else None
    cells = [f"`{name}` ({description})", shown(ours) if ours else "-"]
    for timings in sides:
        theirs = fastest(timings, name)
        if theirs is None:
            cells += ["-", "-"]
            continue
        seconds, threads = theirs
        cells.append(f"{shown(seconds)} ({threads} thread{'s' if threads > 1 else ''})")
        cells.append(f"**{seconds / ours:.2f}x**" if ours else "-")
    return "| " + " | ".join(cells) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--filter", default=".", help="a regex the workload names must match")
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="seconds each side spends on each workload per round")
    args = parser.parse_args()
    names = [name for name in torch_workloads.WORKLOADS if re.search(args.filter, name)]
    if not names:
        sys.exit(f"no workload matches {args.filter!r}: {', '.join(torch_workloads.WORKLOADS)}")
    if not MINIGRAD_BENCH.exists():
        sys.exit(f"{MINIGRAD_BENCH} is missing: run `make bench-compare`, which builds it")
    has_libtorch = LIBTORCH_BENCH.exists()

    def append(timings, seconds):
        for name, value in seconds.items():
            timings.setdefault(name, []).append(value)

    minigrad = {}
    python = {threads: {} for threads in TORCH_THREADS}
    libtorch = {threads: {} for threads in TORCH_THREADS} if has_libtorch else {}
    versions = {}
    for done in range(args.rounds):
        print(f"round {done + 1} of {args.rounds}", file=sys.stderr)
        append(minigrad, google_benchmark(MINIGRAD_BENCH, names, args.min_time)[0])
        for threads in TORCH_THREADS:
            seconds, versions["Python"] = python_side(names, args.min_time, threads)
            append(python[threads], seconds)
        for threads in libtorch:
            seconds, context = google_benchmark(LIBTORCH_BENCH, names, args.min_time,
                                                f"--torch_threads={threads}")
            versions["libtorch"] = context["torch_version"]
            append(libtorch[threads], seconds)

    corename, blas_threads = openblas()
    torch_versions = " and ".join(f"{side} {version}" for side, version in versions.items())
    print(f"{args.rounds} round(s), medians; torch {torch_versions} at "
          f"{' and '.join(map(str, TORCH_THREADS))} threads (the faster shown); OpenBLAS "
          f"{corename} core, {blas_threads} threads by default; "
          f"{environment('OPENBLAS_CORETYPE')}; {environment('OPENBLAS_NUM_THREADS')}; "
          f"{environment('MG_NUM_THREADS')}; {os.cpu_count()} cores\n")
    print("| workload | minigrad | PyTorch (Python) | minigrad faster by | libtorch (C++) "
          "| minigrad faster by |\n|---|---|---|---|---|---|")
    for name in names:
        print(row(name, torch_workloads.WORKLOADS[name][0], minigrad, [python, libtorch]))
    if not has_libtorch:
        print(f"\n{LIBTORCH_BENCH} was not built (it needs libtorch-dev): no C++ column.")


if __name__ == "__main__":
    main()
