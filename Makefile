# The two commands a fresh machine needs (see README.md):
#   make run    build and start the main job
#   make test   install what the tests need, build, and run every test
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: deps run test test-swift bench clean

# System packages the build needs: the LZ4 headers (liblz4-dev) and pkg-config.
deps:
	@if [ ! -f /usr/include/lz4.h ] || [ ! -f /usr/include/zlib.h ] || ! command -v pkg-config >/dev/null; then \
		echo "installing liblz4-dev, zlib1g-dev and pkg-config"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq liblz4-dev zlib1g-dev pkg-config; \
	fi

run: deps
	$(SWIFT) build -c release --product strata-bench
	.build/release/strata-bench --num 200000

test: deps test-swift

test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product strata-bench
	.build/release/strata-bench

clean:
	rm -rf .build
