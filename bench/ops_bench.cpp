// Single ops where the time is not in a matmul: the overhead of tiny ops (checks, allocation,
// recording the graph, the backward pass) and GELU's vector math on 2^20 elements, in
// bench/twin_workloads.h, which libtorch_bench runs too. bench/compare.py runs every side.
#include <minigrad/minigrad.h>

namespace lib = mg;

#include "twin_workloads.h"
