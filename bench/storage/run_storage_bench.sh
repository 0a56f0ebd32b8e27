#!/usr/bin/env bash
# Builds the release preset and runs the storage benchmarks. The simulated year is generated on
# first run into $BESSD_BENCH_YEAR_DB (default /tmp/bessd-year.db); delete "<db>.done" or pass
# --regenerate to build it again.
set -euo pipefail
cd "$(dirname "$0")/../.."
db="${BESSD_BENCH_YEAR_DB:-/tmp/bessd-year.db}"
if [[ "${1:-}" == "--regenerate" ]]; then rm -f "$db" "$db.done" "$db-wal" "$db-shm"; shift; fi
cmake --preset release >/dev/null
cmake --build build/release --target storage_bench -j2
BESSD_BENCH_YEAR_DB="$db" build/release/bench/storage_bench "$@"
echo "database: $db ($(du -h "$db" | cut -f1))"
