#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, check style and purity rules, build
# and test the dev preset, then build and test again under ASan+UBSan. The last line printed is
# ctest's summary of the sanitizer run.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
jobs=$(nproc)

./scripts/check-format.sh
./scripts/check-purity.sh

cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs"

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"
