#!/bin/sh
# PDQ throughput: our Swift PDQ vs PyPI pdqhash (and the reference C++ when THREATEXCHANGE
# names a ThreatExchange checkout), measured in the same run; ratio = swift hashes/s ÷ peer's.
set -e
cd "$(dirname "$0")/.."
swift build -c release --product PDQBench
exec python3 scripts/pdq_peer_bench.py ${THREATEXCHANGE:+--threatexchange "$THREATEXCHANGE"}
