# The two set-up commands: `make demo` and `make test`. Each installs what is missing first.
.PHONY: deps test test-asan bench demo format clean

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
