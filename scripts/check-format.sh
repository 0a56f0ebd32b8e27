#!/usr/bin/env bash
# Fails when a C++ file is not clang-formatted (.clang-format at the root). The files go to
# clang-format in batches, one batch per core (one process per file took a minute of CI's time);
# clang-format names every file it would change.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.cc' |
  grep -v '^build/' | while IFS= read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done || true)
((${#files[@]})) || { echo "check-format: no C++ files"; exit 0; }
# --dry-run prints "FILE:LINE:COL: error: code should be clang-formatted" for each difference.
report=$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 40 -P "$(nproc)" clang-format --dry-run --Werror 2>&1 >/dev/null || true)
mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error: code should be clang-formatted' <<<"$report" |
  cut -d: -f1 | sort -u)
if ((${#bad[@]})); then
  echo "check-format: not clang-formatted (run: clang-format -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
if grep -q 'error' <<<"$report"; then
  echo "check-format: clang-format failed:" >&2
  printf '%s\n' "$report" | head -n 20 >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
