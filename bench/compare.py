#!/usr/bin/python3
"""minigrad_bench beside PyTorch on the same workloads, in one run, as one markdown table.

Each round runs minigrad_bench (the Release build in build/release), PyTorch in Python
(bench/torch_workloads.py) at 1 and at 2 threads and, when it was built, libtorch C++
(libtorch_bench) at 1 and at 2 threads, one after the other (in reverse order every other round),
so that every side sees the same machine. The table gives each side's median over the rounds,
PyTorch at its faster thread count, and how many times faster minigrad is. Absolute times move
with the machine's load; compare the ratios.

  make bench-compare [COMPARE_ARGS="--rounds 1 --filter GELU --min-time 0.2"]  # builds Release
  /usr/bin/python3 bench/compare.py [--rounds 3] [--filter REGEX] [--min-time 1]
                                    [--baseline OLD/minigrad_bench]

--baseline adds a column for an older minigrad_bench (a copy of one built before a change), so
that a before-and-after ratio comes from the same alternating run.
"""
import argparse
import ctypes
import ctypes.util
import functools
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
# The sides beside minigrad's, with their column headings: PyTorch's, and an older minigrad_bench
# when --baseline names one.
PYTORCH_COLUMNS = [("Python", "PyTorch (Python)"), ("C++", "libtorch (C++)")]
BASELINE_COLUMN = ("baseline", "minigrad --baseline")
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def json_output(command):
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def google_benchmark(binary, names, min_time, *flags):
    """({name: seconds per call}, the report's context) from one run of a Google Benchmark
    binary on the named workloads, by wall time; ({}, None) when it has none of them."""
    listed = subprocess.run([binary, "--benchmark_list_tests"], check=True, capture_output=True,
                            text=True).stdout.split()
    if not any(test.removesuffix("/real_time") in names for test in listed):
        return {}, None
    report = json_output([binary, f"--benchmark_filter=^({'|'.join(names)})(/real_time)?$",
                          "--benchmark_format=json", f"--benchmark_min_time={min_time}", *flags])
    seconds = {run["name"].removesuffix("/real_time"):
               run["real_time"] * UNIT_SECONDS[run["time_unit"]] for run in report["benchmarks"]}
    return seconds, report["context"]


def minigrad_side(names, min_time, binary=MINIGRAD_BENCH):
    return google_benchmark(binary, names, min_time)[0], None


def python_side(names, min_time, threads):
    """({name: seconds per call}, torch's version) from bench/torch_workloads.py."""
    report = json_output([sys.executable, HERE / "torch_workloads.py", "--json",
                          f"--threads={threads}", f"--filter=^({'|'.join(names)})$",
                          f"--min-time={min_time}"])
    assert report["torch_threads"] == threads, report
    return report["seconds"], report["torch_version"]


def libtorch_side(names, min_time, threads):
    seconds, context = google_benchmark(LIBTORCH_BENCH, names, min_time,
                                        f"--torch_threads={threads}")
    if context is None:
        return {}, None
    assert context["torch_threads"] == str(threads), context
    return seconds, context["torch_version"]


def sides(baseline):
    """(side, torch threads or None, run) in the order of a round, where run(names, min_time)
    gives ({name: seconds per call}, the side's torch version)."""
    found = [("minigrad", None, minigrad_side)]
    if baseline:
        found.append(("baseline", None, functools.partial(minigrad_side, binary=baseline)))
    found += [("Python", threads, functools.partial(python_side, threads=threads))
              for threads in TORCH_THREADS]
    if LIBTORCH_BENCH.exists():
        found += [("C++", threads, functools.partial(libtorch_side, threads=threads))
                  for threads in TORCH_THREADS]
    return found


def openblas():
    """OpenBLAS's core type and default thread count, as this machine's library picks them
    (torch's thread count leaves OpenBLAS's alone)."""
    library = ctypes.CDLL(ctypes.util.find_library("openblas") or "libopenblas.so.0")
    library.openblas_get_corename.restype = ctypes.c_char_p
    return library.openblas_get_corename().decode(), library.openblas_get_num_threads()


def environment(variable):
    value = os.environ.get(variable)
    return f"{variable}={value}" if value is not None else f"{variable} unset"


def shown(seconds):
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


def row(name, timings, columns):
    """A table row: minigrad's median, then for each other side its median (PyTorch's at its
    faster thread count) and minigrad's speed-up over it ("-" where it did not run the
    workload)."""
    if name not in timings[("minigrad", None)]:
        sys.exit(f"{MINIGRAD_BENCH} has no {name}: is the Release build out of date?")
    ours = statistics.median(timings[("minigrad", None)][name])
    cells = [f"`{name}` ({torch_workloads.WORKLOADS[name][0]})", shown(ours)]
    for side, _ in columns:
        medians = [(statistics.median(runs[name]), threads)
                   for (each, threads), runs in timings.items() if each == side and name in runs]
        if not medians:
            cells += ["-", "-"]
            continue
        theirs, threads = min(medians)
        on_threads = f" ({threads} thread{'s' if threads > 1 else ''})" if threads else ""
        cells += [shown(theirs) + on_threads, f"**{theirs / ours:.2f}x**"]
    return "| " + " | ".join(cells) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--filter", default=".", help="a regex the workload names must match")
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="seconds each side spends on each workload per round")
    parser.add_argument("--baseline", type=pathlib.Path,
                        help="an older minigrad_bench to run beside, as one more column")
    args = parser.parse_args()
    names = [name for name in torch_workloads.WORKLOADS if re.search(args.filter, name)]
    if not names:
        sys.exit(f"no workload matches {args.filter!r}: {', '.join(torch_workloads.WORKLOADS)}")
    if not MINIGRAD_BENCH.exists():
        sys.exit(f"{MINIGRAD_BENCH} is missing: `make bench-compare` builds it")

    order = sides(args.baseline)
    timings = {(side, threads): {} for side, threads, _ in order}  # {name: [seconds per round]}
    versions = {}
    for done in range(args.rounds):
        print(f"round {done + 1} of {args.rounds}", file=sys.stderr)
        for side, threads, run in order if done % 2 == 0 else reversed(order):
            seconds, version = run(names, args.min_time)
            if version is not None or side in ("minigrad", "baseline"):
                versions[side] = version
            for name, value in seconds.items():
                timings[(side, threads)].setdefault(name, []).append(value)

    corename, blas_threads = openblas()
    columns = [column for column in PYTORCH_COLUMNS + [BASELINE_COLUMN] if column[0] in versions]
    torch_versions = ", ".join(f"{versions[side]} ({side})" for side, _ in PYTORCH_COLUMNS
                               if side in versions)
    print(f"{args.rounds} round(s), medians; PyTorch {torch_versions} at "
          f"{' and '.join(map(str, TORCH_THREADS))} threads, the faster shown; OpenBLAS "
          f"{corename}, {blas_threads} threads by default; {environment('OPENBLAS_CORETYPE')}; "
          f"{environment('OPENBLAS_NUM_THREADS')}; {environment('MG_NUM_THREADS')}; "
          f"{os.cpu_count()} cores\n")
    headings = ["workload", "minigrad"]
    for _, heading in columns:
        headings += [heading, "minigrad faster by"]
    print("| " + " | ".join(headings) + " |\n" + "|---" * len(headings) + "|")
    for name in names:
        print(row(name, timings, columns))
    if not LIBTORCH_BENCH.exists():
        print(f"\nNo C++ column: {LIBTORCH_BENCH} was not built (`make bench-compare` builds it "
              "when libtorch-dev is installed).")


if __name__ == "__main__":
    main()
