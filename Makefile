# The front door. `make test` and `make demo` work from a fresh clone on Debian 12.
PRESET ?= release
BUILD  := build/$(PRESET)
HUDDLE := $(BUILD)/apps/huddle/huddle

.PHONY: all deps configure build test test-asan test-tsan fuzz fuzz-smoke demo bench python \
        screenshots format format-check clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja: | deps
	cmake --preset $(PRESET)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build --preset $(PRESET)

test: build
	scripts/with_postgres.sh ctest --preset $(PRESET)

test-asan:
	$(MAKE) test PRESET=asan

# ThreadSanitizer over the proxy's tests (request path, engine-in-proxy, upstream server): the
# tests labelled `tsan`. Only their binary is built; a reported race fails the test.
test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan --target proxy_test
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $$TSAN_OPTIONS" ctest --preset tsan

# libFuzzer targets (tests/fuzz): `make fuzz` runs each for FUZZ_SECONDS (default 600 s),
# `make fuzz-smoke` for a fixed number of inputs as CI does.
fuzz: deps
	scripts/fuzz_smoke.sh --long

fuzz-smoke: deps
	scripts/fuzz_smoke.sh

demo: build
	$(HUDDLE) demo

bench: build
	scripts/run_benchmarks.sh $(BUILD)

# Installs the Python modules huddle and huddle_cluster into the site-packages of the interpreter
# CMake found (Debian's /usr/bin/python3 by default; see docs/python.md).
python: build
	cmake --install $(BUILD) --component python

# Runs the dashboard's browser tests and keeps their screenshots in docs/images.
screenshots: build
	SCREENSHOTS=$(CURDIR)/docs/images tests/web/run.sh $(HUDDLE)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
