#!/usr/bin/python3
"""minigrad_bench beside PyTorch on the same workloads, in one run, as one markdown table.

Each round runs minigrad_bench (the Release build in build/release), PyTorch in Python
(bench/torch_workloads.py) at 1 and at 2 threads and, when it was built, libtorch C++
(libtorch_bench) at 1 and at 2 threads, one after the other (in reverse order every other round),
so that every side sees the same machine. The table gives each side's median over the rounds,
PyTorch at its faster thread count, and how many times faster minigrad is; for the workloads with
a FLOP count, minigrad's time over its floor (the FLOPs at the rate BM_RawSgemm/1024 reached in
the same round). Absolute times move with the machine's load; compare the ratios. Then the peak
memory of the largest attention workloads, each alone in its own process.

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
    """({name: seconds per call}, the report's context, {name: {counter: value}}) from one run of
    a Google Benchmark binary on the named workloads, by wall time; ({}, None, {}) when it has
    none of them."""
    listed = subprocess.run([binary, "--benchmark_list_tests"], check=True, capture_output=True,
                            text=True).stdout.split()
    if not any(test.removesuffix("/real_time") in names for test in listed):
        return {}, None, {}
    report = json_output([binary, f"--benchmark_filter=^({'|'.join(names)})(/real_time)?$",
                          "--benchmark_format=json", f"--benchmark_min_time={min_time}", *flags])
    seconds, counters = {}, {}
    for run in report["benchmarks"]:
        name = run["name"].removesuffix("/real_time")
        seconds[name] = run["real_time"] * UNIT_SECONDS[run["time_unit"]]
        counters[name] = {key: value for key, value in run.items()
                          if key in ("GFLOP/s", "peak_rss_MB")}
    return seconds, report["context"], counters


# minigrad's workloads with a GFLOP/s counter are measured against the rate of this one in the
# same round: their FLOP floor is their FLOP count at the rate OpenBLAS reaches on a plain
# 1024 x 1024 x 1024 sgemm.
RAW_SGEMM = "BM_RawSgemm/1024"
# Per round, {workload: minigrad's time over its FLOP floor}.
FLOOR_RATIOS = {}


def minigrad_side(names, min_time, binary=MINIGRAD_BENCH):
    seconds, _, counters = google_benchmark(binary, names + [RAW_SGEMM], min_time)
    if binary == MINIGRAD_BENCH and RAW_SGEMM in counters:
        rate = counters[RAW_SGEMM]["GFLOP/s"]
        for name, counter in counters.items():
            if name != RAW_SGEMM and "GFLOP/s" in counter:
                # time / (flop / rate), where flop = the workload's rate * its time
                FLOOR_RATIOS.setdefault(name, []).append(rate / counter["GFLOP/s"])
    seconds.pop(RAW_SGEMM, None)
    return seconds, None


def python_side(names, min_time, threads):
    """({name: seconds per call}, torch's version) from bench/torch_workloads.py."""
    report = json_output([sys.executable, HERE / "torch_workloads.py", "--json",
                          f"--threads={threads}", f"--filter=^({'|'.join(names)})$",
                          f"--min-time={min_time}"])
    assert report["torch_threads"] == threads, report
    return report["seconds"], report["torch_version"]


def libtorch_side(names, min_time, threads):
    seconds, context, _ = google_benchmark(LIBTORCH_BENCH, names, min_time,
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
    ratios = FLOOR_RATIOS.get(name)
    cells += [f"{statistics.median(ratios):.2f}x" if ratios else "-"]
    return "| " + " | ".join(cells) + " |"


# The workloads whose peak memory is shown, each run alone in its own process.
MEMORY_WORKLOADS = ["BM_CausalMHAFwdBwd/1/1024", "BM_SDPA/1/12/1024/64", "BM_SDPA/1/12/2048/64",
                    "BM_SDPA/1/12/4096/64"]


def peak_memory(names):
    """Rows of each memory workload's peak resident memory (VmHWM, the max RSS of the program
    alone) in a process that runs it alone: minigrad_bench's, libtorch_bench's at 1 thread when
    it was built, and PyTorch's in Python at 1 thread."""
    rows = []
    for name in [name for name in MEMORY_WORKLOADS if name in names]:
        ours = google_benchmark(MINIGRAD_BENCH, [name], 0.1)[2][name]["peak_rss_MB"]
        cells = [f"`{name}`", f"{ours:.0f} MB"]
        if LIBTORCH_BENCH.exists():
            cpp = google_benchmark(LIBTORCH_BENCH, [name], 0.1, "--torch_threads=1")[2]
            cells += [f"{cpp[name]['peak_rss_MB']:.0f} MB",
                      f"**{ours / cpp[name]['peak_rss_MB']:.2f}**"] if name in cpp else ["-", "-"]
        report = json_output([sys.executable, HERE / "torch_workloads.py", "--json",
                              "--threads=1", f"--filter=^{re.escape(name)}$", "--min-time=0.1"])
        cells += [f"{report['peak_rss_mb']:.0f} MB"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


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
    headings += [f"minigrad over its FLOP floor (at `{RAW_SGEMM}`'s rate)"]
    print("| " + " | ".join(headings) + " |\n" + "|---" * len(headings) + "|")
    for name in names:
        print(row(name, timings, columns))
    memory = peak_memory(names)
    if memory:
        cpp = (["libtorch (C++)", "minigrad / libtorch"] if LIBTORCH_BENCH.exists() else [])
        headings = ["workload", "minigrad"] + cpp + ["PyTorch (Python)"]
        print("\nPeak resident memory of a process running one workload alone (VmHWM, its max "
              "RSS; libtorch and PyTorch at 1 thread):\n\n| " + " | ".join(headings) + " |\n" +
              "|---" * len(headings) + "|")
        print("\n".join(memory))
    if not LIBTORCH_BENCH.exists():
        print(f"\nNo C++ column: {LIBTORCH_BENCH} was not built (`make bench-compare` builds it "
              "when libtorch-dev is installed).")


if __name__ == "__main__":
    main()
