#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan+UBSan, no tests, no benchmarks) and
# runs each for a fixed time. The same script serves CI (scripts/test.sh: 20 s per target) and long runs.
#
#   scripts/fuzz.sh [--time SECONDS] [--jobs N] [--corpus-dir DIR] [target ...]
#
#   --time SECONDS   fuzzing time per target (default 30)
#   --jobs N         targets fuzzed at the same time (default 1); each is one process
#   --corpus-dir DIR keep and grow the corpora in DIR/<target> across runs (long runs); without
#                    it each target starts from a fresh copy of its seeds in build/fuzz/corpus/
#   target ...       fuzz_* names (default: every tests/fuzz/fuzz_*.cpp)
#
# The repository's seeds (tests/fuzz/corpus/<target>/) are never written to. With --corpus-dir
# they are read as a second corpus, so new seeds reach an old corpus too. A crash, leak, timeout
# (-timeout=10) or out-of-memory (-rss_limit_mb=2048) stops that target and leaves the input in
# build/fuzz/artifacts/<target>/; reproduce it with
#   build/fuzz/tests/fuzz/<target> build/fuzz/artifacts/<target>/crash-...
# and, once fixed, add it to tests/fuzz/corpus/<target>/ as a regression seed. A target's full
# libFuzzer output is in build/fuzz/logs/<target>.log; tests/fuzz/<target>.dict, when present,
# is passed as its dictionary.
#
# Output: one line per target,
#   fuzz <target>: <runs> runs in <s> s, cov <N>, corpus <N>, OK|FAILED (<artifact>)
# then "<N> passed, <N> failed". Exit status 1 when any target failed.
#
# Long run (overnight, two cores, corpora kept in the home directory):
#   scripts/fuzz.sh --time 3600 --jobs 2 --corpus-dir ~/bessd-corpus
# An interesting input from such a run goes into tests/fuzz/corpus/<target>/ by hand (keep the
# seeds few and small; `<target> -merge=1 NEW_DIR OLD_DIR` picks the ones that add coverage).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

seconds=30
jobs=1
corpus_dir=""
targets=()
while (($#)); do
  case $1 in
    --time) seconds=${2:?--time needs seconds}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --corpus-dir) corpus_dir=${2:?--corpus-dir needs a directory}; shift 2 ;;
    -h | --help) usage 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --time must be a positive integer" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs must be a positive integer" >&2; exit 2; }

all_targets=()
for src in tests/fuzz/fuzz_*.cpp; do all_targets+=("$(basename "$src" .cpp)"); done
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  [[ -f tests/fuzz/$t.cpp ]] || { echo "fuzz.sh: no such target: $t (have: ${all_targets[*]})" >&2; exit 2; }
done
if [[ -n $corpus_dir ]]; then
  mkdir -p "$corpus_dir"
  corpus_dir=$(cd "$corpus_dir" && pwd)
fi

build=$root/build/fuzz
mkdir -p "$build/logs"
start=$SECONDS
if ! { cmake --preset fuzz &&
  cmake --build "$build" -j "${BESSD_FUZZ_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"; } \
  >"$build/logs/build.log" 2>&1; then
  tail -n 40 "$build/logs/build.log" >&2
  echo "fuzz.sh: the build failed (whole log: $build/logs/build.log)" >&2
  exit 1
fi
echo "fuzz: configure + build $((SECONDS - start)) s"

# Leaks are bugs too; UBSan already stops at the first report (-fno-sanitize-recover=all).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Fuzzes one target; writes its summary line to logs/<target>.result and prints it.
run_target() {
  local t=$1 work artifacts log began status line
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  local seeds=()
  if [[ -n $corpus_dir ]]; then
    work=$corpus_dir/$t
    mkdir -p "$work"
    [[ -d tests/fuzz/corpus/$t ]] && seeds=("$root/tests/fuzz/corpus/$t")
  else
    work=$build/corpus/$t
    rm -rf "$work"
    mkdir -p "$work"
    [[ -d tests/fuzz/corpus/$t ]] && cp -R "tests/fuzz/corpus/$t/." "$work/"
  fi
  mkdir -p "$artifacts"
  # -print_funcs=0: symbolising every newly covered function costs most of a short run.
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -print_funcs=0 -artifact_prefix="$artifacts/")
  [[ -f tests/fuzz/$t.dict ]] && args+=(-dict="$root/tests/fuzz/$t.dict")
  began=$SECONDS
  status=0
  "$build/tests/fuzz/$t" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1 || status=$?
  local took=$((SECONDS - began))
  local runs cov corp artifact
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$({ grep -oE 'cov: [0-9]+' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
  corp=$({ grep -oE 'corp: [0-9]+' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  line="fuzz $t: ${runs:-?} runs in $took s, cov ${cov:-?}, corpus ${corp:-?}, "
  if ((status == 0)) && [[ -z $artifact ]]; then
    line+="OK"
  else
    line+="FAILED (${artifact:-exit status $status, see $log})"
  fi
  echo "$line" >"$build/logs/$t.result"
  echo "$line"
}

for t in "${targets[@]}"; do rm -f "$build/logs/$t.result"; done
running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait || true

passed=0
failed=0
for t in "${targets[@]}"; do
  if grep -q ', OK$' "$build/logs/$t.result" 2>/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))
