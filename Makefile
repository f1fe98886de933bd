# Thin wrapper over CMake for the two commands of README's quick start.
#   make run   install what is missing, build Release, start rrtc on its embedded default
#   make test  install what is missing, build with ASan+UBSan (clang), run the whole suite
JOBS ?= $(shell nproc)
RUN_DIR := build/release
TEST_DIR := build/test
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: run test deps test-deps release build-test bench loadgen fuzz clean

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

release: deps
	cmake -S . -B $(RUN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DRRTC_BUILD_TESTS=OFF -DRRTC_BUILD_BENCH=OFF
	cmake --build $(RUN_DIR) -j $(JOBS) --target rrtc

run: release
	./$(RUN_DIR)/rrtc $(ARGS)

build-test: test-deps
	cmake -S . -B $(TEST_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DRRTC_SANITIZE=ON -DRRTC_BUILD_FUZZ=ON -DRRTC_BUILD_BENCH=ON
	cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Builds every benchmark (Release) and runs the Google Benchmark suites; BENCH_ARGS go to each,
# e.g. make bench BENCH_ARGS=--benchmark_filter=Forward
BENCH_SUITES := rtp/bench_rtp sdp/bench_sdp dtls/bench_dtls_srtp forward/bench_forward
bench: deps
	cmake -S . -B build/bench $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DRRTC_BUILD_TESTS=OFF
	cmake --build build/bench -j $(JOBS)
	@for suite in $(BENCH_SUITES); do echo "== $$suite"; build/bench/bench/$$suite $(BENCH_ARGS) || exit 1; done

# The load generator's scenarios against a Release rrtc pinned to one core (bench/README.md).
loadgen:
	scripts/loadgen-run.sh $(ARGS)

clean:
	rm -rf build
