#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, check style and purity rules, build
# and test the dev preset, then build and test again under ASan+UBSan. The last line printed is
# ctest's summary of the sanitizer run.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
jobs=$(nproc)
# The whole suite includes the QEMU tests (SocketCAN on vcan, the service under systemd) and, as
# root, installing, removing and purging the .deb on this machine. Opt out with
# BESSD_RUN_VM_TESTS=0 / BESSD_ALLOW_HOST_INSTALL=0.
export BESSD_RUN_VM_TESTS=${BESSD_RUN_VM_TESTS:-1}
if [[ $(id -u) -eq 0 ]]; then export BESSD_ALLOW_HOST_INSTALL=${BESSD_ALLOW_HOST_INSTALL:-1}; fi

./scripts/check-format.sh
./scripts/check-purity.sh

log_dir=build/test-logs
mkdir -p "$log_dir"
status=0
summaries=()
for preset in dev asan; do
  echo "== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$log_dir/$preset.log" || status=1
  grep -q 'tests passed' "$log_dir/$preset.log" || status=1
  summaries+=("$preset: $(grep -E '% tests passed' "$log_dir/$preset.log" | tail -n 1)")
done
echo "== summary"
printf '%s\n' "${summaries[@]:0:${#summaries[@]}-1}"
# The closing line is ctest's own summary line of the last (sanitizer) run.
grep -E '% tests passed' "$log_dir/asan.log" | tail -n 1
exit $status
