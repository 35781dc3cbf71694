# gort — a thin front door over CMake. `make run` and `make test` install
# what is missing (tools/deps.sh), build, and run.
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build build-arm64 run test test-native test-arm64 conformance \
        conformance-table test-asan test-tsan xref bench difftest docs docs-test clean

all: build

deps:
	@tools/deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j$(JOBS)

build-arm64: deps
	@cmake -S . -B build-arm64 $(CMAKE_FLAGS) -DCMAKE_TOOLCHAIN_FILE=arch/arm64/toolchain.cmake >/dev/null
	@cmake --build build-arm64 -j$(JOBS)

# The guided demo, traced (GORT_TRACE): build/trace.json opens in Perfetto
# or chrome://tracing; tools/schedviz makes it one HTML page.
run: build
	@GORT_TRACE=build/trace.json ./build/tools/tour/tour
	@python3 tools/schedviz/schedviz.py build/trace.json -o build/trace.html --title "gort tour: execution trace" >/dev/null
	@echo
	@echo "execution trace: $(CURDIR)/build/trace.json (Perfetto, chrome://tracing)"
	@echo "timeline:        $(CURDIR)/build/trace.html"
	@/usr/bin/python3 tools/reader/reader.py --out build/site >/dev/null
	@echo "side-by-side reader (proc.go beside proc.cpp, ...): $(CURDIR)/build/site/index.html"

# Everything: the suite natively, the same suite cross-built for arm64 and run
# under qemu-aarch64.
test: test-native test-arm64

test-native: build
	@ctest --test-dir build --output-on-failure --repeat until-pass:2

test-arm64: build-arm64
	@ctest --test-dir build-arm64 --output-on-failure --repeat until-pass:2

# The ports of Go's tests: the totals per Go file (ported / not applicable /
# not yet ported, docs/conformance.md), then the [conformance] cases and the
# check that the table is current.
conformance: build
	@tools/conformance/conformance.py --totals
	@./build/tests/gort_test "[conformance]"
	@tools/conformance/conformance.py --check

# docs/conformance.md, regenerated from Go 1.19's tests and gort's TEST_CASEs.
# The conformance test fails until it is regenerated and committed.
conformance-table:
	@tools/conformance/conformance.py

# SANITIZER_CTEST_FLAGS: extra ctest flags (.ci/run gives the same retry
# make test's suites get).
SANITIZER_CTEST_FLAGS ?=
test-asan: deps
	@cmake -S . -B build-asan $(CMAKE_FLAGS) -DGORT_SANITIZE=address >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@ctest --test-dir build-asan --output-on-failure $(SANITIZER_CTEST_FLAGS)

test-tsan: deps
	@cmake -S . -B build-tsan $(CMAKE_FLAGS) -DGORT_SANITIZE=thread >/dev/null
	@cmake --build build-tsan -j$(JOBS)
	@ctest --test-dir build-tsan --output-on-failure $(SANITIZER_CTEST_FLAGS)

# The differential against Go 1.19 (tools/difftest, docs/17-difftest.md):
# SEEDS generated programs run under Go and under gort at GOMAXPROCS=1,
# output and goroutine events compared; the share identical, and the first
# mismatches minimised. Not part of `make test` (ctest runs a slice).
SEEDS ?= 1000
difftest: build
	@/usr/bin/python3 tools/difftest/difftest.py --build build --seeds 0:$(SEEDS) --quiet --minimise 10

# Go 1.19's runtime benchmarks, gort's ports (tools/bench, Release -O2)
# beside Go's originals, alternating in one run; not part of `make test`.
# BENCHTIME=1s by default (Go's -test.benchtime).
BENCHTIME ?= 1s
# goroutines in the million scenario (0 skips it; 1M needs ~8 GiB free).
MILLION ?= 1000000
# more compare.py flags, e.g. BENCH_ARGS="--no-scenarios --runtime
# BenchmarkCreateGoroutines,BenchmarkPingPongHog" (tools/bench/compare.py --help).
BENCH_ARGS ?=
bench: deps
	@tools/deps.sh --bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
	  "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" -DGORT_BUILD_TESTS=OFF -DGORT_BUILD_BENCH=ON -DGORT_BENCH_BOOST=ON >/dev/null
	@cmake --build build-bench -j$(JOBS) --target gort_bench
	@tools/bench/compare.py --build build-bench --benchtime $(BENCHTIME) --million $(MILLION) --markdown build-bench/results.md $(BENCH_ARGS)

# docs/xref.md, the gort -> Go 1.19 cross-reference, from the origin lines.
# The goxref test fails until it is regenerated and committed.
xref:
	@tools/goxref/goxref.py

# The side-by-side reader: Go 1.19's runtime beside gort's port, one static
# page per file pair, offline from file:// (tools/reader, docs/README.md).
docs: deps
	@/usr/bin/python3 tools/reader/reader.py --out build/site

# The reader in headless Chromium (installs Chromium and playwright-core
# first): pairs level, links resolve, no console errors, a screenshot.
docs-test: docs
	@tools/deps.sh --browser
	@tools/reader/browser_test.sh build/site

clean:
	rm -rf build build-arm64 build-asan build-tsan build-bench
