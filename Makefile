# The two set-up commands: `make demo` and `make test`. Each installs what is missing first.
.PHONY: deps test test-asan bench bench-compare demo format clean

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

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
