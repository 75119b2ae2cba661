# The two set-up commands: `make demo` and `make test`. Each installs what is missing first.
.PHONY: deps test test-asan fuzz bench bench-compare demo graph format clean

deps:
	@scripts/install-deps.sh

test: deps
	cmake --preset dev
	cmake --build --preset dev
	ctest --preset dev

test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# Each libFuzzer target (fuzz/) for FUZZ_SECONDS, from the committed seeds in fuzz/corpus/<target>
# and what earlier runs found (build/fuzz/corpus/<target>); a crash or sanitizer report stops it.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = safetensors_fuzz print_fuzz ops_fuzz
fuzz:
	@scripts/install-deps.sh clang
	cmake --preset fuzz
	cmake --build --preset fuzz
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$target && \
	  build/fuzz/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 \
	    -print_final_stats=1 build/fuzz/corpus/$$target fuzz/corpus/$$target || exit 1; \
	done

bench: deps
	cmake --preset release
	cmake --build --preset release
	./build/release/bench/minigrad_bench

# minigrad_bench beside PyTorch (Python, and libtorch C++ when libtorch-dev is there): one table.
# COMPARE_ARGS="--rounds 1 --filter GELU --min-time 0.2" for a quick run.
bench-compare: deps
	cmake --preset release -DMINIGRAD_BENCH_LIBTORCH=ON
	cmake --build --preset release
	/usr/bin/python3 bench/compare.py $(COMPARE_ARGS)

demo: deps
	cmake --preset release
	cmake --build --preset release
	./build/release/examples/simplified_attention
	./build/release/examples/attention_walkthrough
	./build/release/examples/train_reverse --out-dir build/demo

# The picture of SelfAttentionV2's backward graph in docs/how-minigrad-works.md, drawn by Graphviz
# from the DOT that examples/draw_graph prints (dev build, as make test builds it).
graph:
	@scripts/install-deps.sh graphviz
	cmake --preset dev
	cmake --build --preset dev --target draw_graph
	./build/dev/examples/draw_graph > build/dev/self_attention_v2_graph.dot
	dot -Tsvg build/dev/self_attention_v2_graph.dot -o docs/images/self_attention_v2_graph.svg

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
