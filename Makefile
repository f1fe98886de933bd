# Thin wrapper over CMake for the two commands of README's quick start.
#   make run   install what is missing, build Release, start rrtc on its embedded default
#   make test  install what is missing, build with ASan+UBSan (clang), run the whole suite, then
#              build the threaded tests with ThreadSanitizer (build/tsan) and run them
JOBS ?= $(shell nproc)
RUN_DIR := build/release
TEST_DIR := build/test
TSAN_DIR := build/tsan
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
CLANG := -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++

.PHONY: run test deps test-deps release build-test build-tsan test-tsan bench loadgen soak fuzz clean

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
	cmake -S . -B $(TEST_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CLANG) \
	  -DRRTC_SANITIZE=ON -DRRTC_BUILD_FUZZ=ON -DRRTC_BUILD_BENCH=ON
	cmake --build $(TEST_DIR) -j $(JOBS)

# The threaded tests only (RRTC_TSAN_TESTS in cmake/RrtcTargets.cmake), with ThreadSanitizer.
build-tsan: test-deps
	cmake -S . -B $(TSAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CLANG) \
	  -DRRTC_TSAN=ON -DRRTC_BUILD_BENCH=OFF -DRRTC_BUILD_FUZZ=OFF
	cmake --build $(TSAN_DIR) -j $(JOBS) --target rrtc_tsan_tests

test-tsan: build-tsan
	cd $(TSAN_DIR) && ctest -L tsan --output-on-failure -j $(JOBS) --timeout 600

# The whole suite, then the ThreadSanitizer run, which runs even when the first failed; the
# exit status is non-zero when either did.
# What failed, and why the browser specs did (or passed only on a second run), is printed again
# at the very end (scripts/test-failures.sh).
test: build-test
	@status=0; \
	rm -f $(TEST_DIR)/Testing/Temporary/LastTestsFailed.log $(TSAN_DIR)/Testing/Temporary/LastTestsFailed.log \
	  tests/e2e/artifacts/failures.txt tests/e2e/artifacts/flaky.txt; \
	(cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600) || status=1; \
	$(MAKE) --no-print-directory test-tsan || status=1; \
	scripts/test-failures.sh $(TEST_DIR) $(TSAN_DIR); \
	exit $$status

# Builds every benchmark (Release) and runs the Google Benchmark suites; BENCH_ARGS go to each,
# e.g. make bench BENCH_ARGS=--benchmark_filter=Forward
BENCH_SUITES := rtp/bench_rtp sdp/bench_sdp dtls/bench_dtls_srtp forward/bench_forward forward/bench_down_track \
                speakers/bench_speakers bwe/bench_bwe loop/bench_loop
bench: deps
	cmake -S . -B build/bench $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DRRTC_BUILD_TESTS=OFF
	cmake --build build/bench -j $(JOBS)
	@for suite in $(BENCH_SUITES); do echo "== $$suite"; build/bench/bench/$$suite $(BENCH_ARGS) || exit 1; done

# The load generator's scenarios against a Release rrtc pinned to one core (bench/README.md).
loadgen:
	scripts/loadgen-run.sh $(ARGS)

# Churn soak (tests/soak/soak.py) of a Release rrtc for SOAK_SECONDS (default 600): clients
# join, publish and leave or are killed; RSS, fds, threads and UDP ports must stay flat. The
# samples go to build/soak/samples.txt.
SOAK_SECONDS ?= 600
soak: deps
	cmake -S . -B build/bench $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DRRTC_BUILD_TESTS=OFF
	cmake --build build/bench -j $(JOBS) --target rrtc rrtc-loadgen
	/usr/bin/python3 tests/soak/soak.py --rrtc build/bench/rrtc \
	  --loadgen build/bench/bench/loadgen/rrtc-loadgen --seconds $(SOAK_SECONDS) \
	  --out build/soak/samples.txt

clean:
	rm -rf build
