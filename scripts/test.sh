#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, check style and purity rules, run
# clang-tidy on the changed .cpp files (scripts/tidy.sh, counted as one test), then
#   dev   build (GCC, -Werror) and run what only an unsanitized build can: the packaging and QEMU
#         tests, the benchmark smoke runs, the tests labelled "unsanitized" (target
#         unsanitized_lane);
#   asan  build and run every other test under AddressSanitizer + UBSan (clang),
#   tsan  the same under ThreadSanitizer (without the VM and packaging tests, and without the
#         pure components' unit tests: one thread, nothing for it to find; BESSD_PURE_UNIT_TESTS),
#   foreign-arm64  beside the dev lane's tests: the arm64 package cross-built and its binaries,
#         the simulated site with its bessd and the pure components' unit tests, all under
#         qemu-user (scripts/test-foreign.sh; armhf is the same script, run before a release),
#   fuzz  every libFuzzer target for BESSD_FUZZ_SECONDS (default 20) on the repository's seeds.
# The last line printed counts every test and fuzz target: "N passed, N failed".
#
# --quick: the developers' lane: style and purity checks, clang-tidy on the changed files, the dev
# build of what they need (target quick_tests), and the unit and integration tests only (no
# sanitizers, system, VM, packaging or fuzz runs). Not what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

./scripts/install-deps.sh --tests
# The arm64 cross compiler and libraries (the foreign-arm64 lane), before any test runs: a dpkg
# run later would contend with the .deb install test's.
if ((!quick)); then ./scripts/install-deps.sh --cross arm64; fi
jobs=$(nproc)
# Tests run two per core: most of them wait on a device's or a daemon's clock, not on the CPU
# (the dev tests used 1.65 cores at two per core on a 2-core machine; at one per core the
# machine sat half idle). Builds stay at one job per core.
test_jobs=$((jobs * 2))
# The whole suite includes the QEMU tests (SocketCAN on vcan, the service under systemd) and, as
# root, installing, removing and purging the .deb on this machine. Opt out with
# BESSD_RUN_VM_TESTS=0 / BESSD_ALLOW_HOST_INSTALL=0.
export BESSD_RUN_VM_TESTS=${BESSD_RUN_VM_TESTS:-1}
if [[ $(id -u) -eq 0 ]]; then export BESSD_ALLOW_HOST_INSTALL=${BESSD_ALLOW_HOST_INSTALL:-1}; fi

./scripts/check-format.sh
./scripts/check-purity.sh
./scripts/check-commits.sh

log_dir=build/test-logs
mkdir -p "$log_dir"
status=0
passed=0
failed=0
summaries=()
count() {  # log -> adds its ctest totals to passed/failed
  local line total bad
  line=$(grep -E '% tests passed, [0-9]+ tests failed out of [0-9]+' "$1" | tail -n 1 || true)
  if [[ -z $line ]]; then
    failed=$((failed + 1))  # no summary: the run itself broke
    return
  fi
  bad=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}
# What a failed test printed (its last run in ctest's log): why it failed, in CI's kept tail.
failure_tail() {  # preset name
  local log=build/$1/Testing/Temporary/LastTest.log
  [[ -f $log ]] || return 0
  awk -v name="$2" '
    $0 ~ ("Testing: " name "$") { inside = 1; out = ""; next }
    inside && /^<end of output>/ { inside = 0; last = out; next }
    inside && !/^Output:/ && !/^-+$/ { out = out $0 "\n" }
    END { printf "%s", last }' "$log" | grep -v '^$' >"$log.tail" || true
  # From the first failure a test or a sanitizer reported, else its last lines.
  if grep -qE 'Failure$|ERROR: |runtime error|WARNING: ThreadSanitizer' "$log.tail"; then
    grep -m 3 -A 8 -E 'Failure$|ERROR: |runtime error|WARNING: ThreadSanitizer' "$log.tail" | head -n 25
  else
    tail -n 15 "$log.tail"
  fi
  rm -f "$log.tail"
}
# clang-tidy on the .cpp files the submission changed (scripts/tidy.sh: its default base is the
# first parent of the newest merge), one check counted like a test: passed or failed.
echo "== tidy: clang-tidy on the changed files"
SECONDS=0
if ./scripts/tidy.sh --jobs "$jobs" 2>&1 | tee "$log_dir/tidy.log"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi
summaries+=("tidy ($SECONDS s): $(tail -n 1 "$log_dir/tidy.log")")

presets=(dev asan tsan)
ctest_filter=()
build_target=()
if ((quick)); then
  presets=(dev)
  ctest_filter=(-L 'unit|integration')
  build_target=(--target quick_tests)  # only what those labels run (tests/CMakeLists.txt)
fi
# The full run's dev lane tests only what the sanitizer lanes cannot: the unit and system tests
# run under both sanitizers already. It builds only what those tests run (target
# unsanitized_lane, CMakeLists.txt): the test programs are compiled with -Werror by the sanitizer
# lanes, and the daemon by this lane and the .deb build.
unsanitized_only=(-L '^(packaging|vm|bench|unsanitized)$')
record() {  # preset: adds its ctest totals and failures to the summary
  local preset=$1 seconds=$2
  grep -q '% tests passed' "$log_dir/$preset.log" || status=1
  count "$log_dir/$preset.log"
  summaries+=("$preset ($seconds s): $(grep -E '% tests passed' "$log_dir/$preset.log" | tail -n 1)")
  # Name the failures in the summary too: CI keeps only the tail of a long log.
  local failed_list=build/$preset/Testing/Temporary/LastTestsFailed.log
  if [[ -s $failed_list ]] && ! grep -q '100% tests passed' "$log_dir/$preset.log"; then
    while IFS=: read -r _ name; do
      summaries+=("  $preset failed: $name")
      while IFS= read -r line; do summaries+=("    | $line"); done < <(failure_tail "$preset" "$name")
    done <"$failed_list"
  fi
}
# The arm64 lane (scripts/test-foreign.sh) runs beside the dev lane's tests, which leave a core
# mostly idle: after the .deb build, the VM test boots and drives a QEMU guest on one core for
# minutes. It uses the dev lane's bess-sim and system_foreign_daemon, built just before.
foreign_pid=""
foreign_seconds_file=$log_dir/foreign-arm64.seconds
start_foreign_lane() {
  echo "== foreign-arm64: cross build and tests under qemu-user, beside the dev lane's tests"
  (
    SECONDS=0
    rc=0
    ./scripts/test-foreign.sh arm64 --native-built >"$log_dir/foreign-arm64.log" 2>&1 || rc=$?
    echo "$SECONDS" >"$foreign_seconds_file"
    exit $rc
  ) &
  foreign_pid=$!
}
finish_foreign_lane() {
  wait "$foreign_pid" || status=1
  foreign_pid=""
  echo "== foreign-arm64: its output"
  cat "$log_dir/foreign-arm64.log"
  record foreign-arm64 "$(cat "$foreign_seconds_file" 2>/dev/null || echo '?')"
}
for preset in "${presets[@]}"; do
  echo "== $preset: configure, build, test"
  SECONDS=0
  filter=("${ctest_filter[@]}")
  target=("${build_target[@]}")
  if ((!quick)) && [[ $preset == dev ]]; then
    filter=("${unsanitized_only[@]}")
    target=(--target unsanitized_lane)
  fi
  cmake --preset "$preset" >/dev/null
  if cmake --build --preset "$preset" -j "$jobs" "${target[@]}"; then
    if ((!quick)) && [[ $preset == dev ]]; then start_foreign_lane; fi
    ctest --preset "$preset" -j "$test_jobs" "${filter[@]}" 2>&1 | tee "$log_dir/$preset.log" || status=1
  else
    echo "$preset: build failed" | tee "$log_dir/$preset.log"
    status=1
  fi
  record "$preset" "$SECONDS"
  if [[ -n $foreign_pid ]]; then finish_foreign_lane; fi
done

if ((quick)); then
  echo "== summary (quick lane)"
  printf '%s\n' "${summaries[@]}"
  ((failed == 0)) || status=1
  echo "$passed passed, $failed failed"
  exit $status
fi

echo "== fuzz: every target for ${BESSD_FUZZ_SECONDS:-20} s"
SECONDS=0
./scripts/fuzz.sh --time "${BESSD_FUZZ_SECONDS:-20}" --jobs "$jobs" 2>&1 | tee "$log_dir/fuzz.log" || status=1
fuzz_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log_dir/fuzz.log" | tail -n 1 || true)
if [[ -n $fuzz_line ]]; then
  passed=$((passed + $(cut -d' ' -f1 <<<"$fuzz_line")))
  failed=$((failed + $(cut -d' ' -f3 <<<"$fuzz_line")))
else
  failed=$((failed + 1))
  status=1
fi
summaries+=("fuzz ($SECONDS s): ${fuzz_line:-no summary}")

echo "== summary"
printf '%s\n' "${summaries[@]}"
((failed == 0)) || status=1
echo "$passed passed, $failed failed"
exit $status
