# The two commands a fresh machine needs (see README.md):
#   make run    build and start the main job (strata-server on ./strata-data, port 8000)
#   make test   install what the tests need, build, and run every test
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: deps pydeps run test test-swift test-conformance bench clean

# System packages the build needs: the LZ4 headers (liblz4-dev) and pkg-config.
deps:
	@if [ ! -f /usr/include/lz4.h ] || [ ! -f /usr/include/zlib.h ] || ! command -v pkg-config >/dev/null; then \
		echo "installing liblz4-dev, zlib1g-dev and pkg-config"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq liblz4-dev zlib1g-dev pkg-config; \
	fi

# Python clients for the black-box conformance tests (boto3, pytest, the AWS CLI).
pydeps:
	@(python3 -c "import boto3, botocore, pytest" 2>/dev/null && command -v aws >/dev/null) || python3 -m pip install -q boto3 pytest awscli

# The main job: the DynamoDB-compatible server on ./strata-data, at http://127.0.0.1:8000.
run: deps
	$(SWIFT) build -c release --product strata-server
	.build/release/strata-server --data-dir ./strata-data --port 8000

test: deps pydeps test-swift test-conformance

test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-conformance:
	python3 -m pytest Tests/Conformance -q

bench: deps
	$(SWIFT) build -c release --product strata-bench
	.build/release/strata-bench

clean:
	rm -rf .build
