# The two commands a new user needs: `make run` and `make test`. Both set up what is missing.
SWIFT_FLAGS := -Xcxx -O2

.PHONY: setup build release run test test-swift test-cli test-faults test-fuzz bench clean

setup:
	scripts/setup.sh

build: setup
	swift build $(SWIFT_FLAGS)

release: setup
	swift build -c release $(SWIFT_FLAGS)

## Set up, build and start the service on ./demo-data (SQLite), port 8080.
run: release
	scripts/run-demo.sh

## Set up, build and run every test: the Swift suites, then the CLI auditor round-trip.
test: setup test-swift test-cli test-faults test-fuzz

test-swift:
	swift build --build-tests $(SWIFT_FLAGS)
	swift test --skip-build $(SWIFT_FLAGS)

test-cli:
	swift build $(SWIFT_FLAGS)
	scripts/test-cli.sh .build/debug/cameo

## kill -9 the server under load (3 times) and prove nothing acknowledged was lost.
test-faults:
	swift build $(SWIFT_FLAGS)
	python3 scripts/fault_crash.py .build/debug/cameo --kills 3

## schemathesis against /openapi.json for every role (bounded examples per operation).
test-fuzz:
	swift build $(SWIFT_FLAGS)
	scripts/fuzz-api.sh .build/debug/cameo 10

bench: release
	.build/release/cameo bench ledger

clean:
	rm -rf .build
