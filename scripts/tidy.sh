#!/usr/bin/env bash
# clang-tidy (.clang-tidy at the root) on the project's .cpp files changed since a base revision,
# with the compile database of the `tidy` configure preset (one file per unit, configure only:
# the only generated header, bessd/version.hpp, is written by configure_file). Fails (exit 1) on
# any warning in a project file; warnings from system and third-party headers are not shown
# (HeaderFilterRegex limits headers to include/bessd).
#   scripts/tidy.sh [--base REV | --all] [--jobs N] [--list] [FILE...]
# --base REV  the .cpp files that differ between REV and the work tree (committed or not), plus
#             the .cpp files named like a changed header (include/bessd/x/foo.hpp -> foo.cpp).
# --all       every .cpp file in the compile database (src, tests, bench: about an hour on one
#             core).
# FILE...     just these files.
# --list      print the files it would check, and stop.
# The default base is the first parent of the newest merge commit on HEAD's first-parent line:
# CI tests a clean clone whose tip is a submission, many commits (ending in a merge, or on top of
# one) after the previous submission. Comparing with HEAD~1 would check one commit of many;
# comparing with the first parent of that merge checks everything the submission brought (the
# merged branch, and any commits after the merge) and nothing older, so CI's cost follows the
# size of the submission (about 15 s per file per core), not of the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

base=""
all=0
list=0
jobs=$(nproc)
files=()
while (($#)); do
  case "$1" in
    --base) base=${2:?--base needs a revision}; shift 2 ;;
    --all) all=1; shift ;;
    --list) list=1; shift ;;
    --jobs | -j) jobs=${2:?--jobs needs a number}; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "usage: $0 [--base REV | --all] [--jobs N] [--list] [FILE...]" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done

command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy is missing: run scripts/install-deps.sh" >&2; exit 1; }
cmake --preset tidy >/dev/null
db=build/tidy/compile_commands.json
# The project's own files in the database, relative to the source tree, one per line.
db_files=$(python3 -c '
import json, os, sys
root = os.getcwd() + "/"
seen = set()
for e in json.load(open(sys.argv[1])):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(root) and f.endswith(".cpp") and f not in seen:
        seen.add(f)
        print(f[len(root):])
' "$db" | sort)

if ((${#files[@]})); then
  selected=$(printf '%s\n' "${files[@]}" | sed 's|^\./||')
elif ((all)); then
  selected=$db_files
else
  if [[ -z $base ]]; then
    merge=$(git rev-list --first-parent --merges -n 1 HEAD 2>/dev/null || true)
    if [[ -n $merge ]] && git rev-parse -q --verify "$merge^1" >/dev/null; then
      base=$merge^1
    elif git rev-parse -q --verify HEAD~1 >/dev/null; then
      base=HEAD~1  # no merge in this clone's history: the last commit
    else
      # A clone of depth 1 cannot say what changed; failing would make the suite's result depend
      # on how the checkout was made, so this lane says it checked nothing instead.
      echo "tidy: no history to compare with (a shallow clone): nothing checked;" \
        "fetch more history, or pass --base REV or --all" >&2
      exit 0
    fi
  fi
  changed=$(git diff --name-only --diff-filter=d "$base" -- 'src/*' 'include/*' 'tests/*' 'bench/*')
  # A changed header: the .cpp files of the same name (its implementation and its test) check it.
  stems=$(grep -E '\.(hpp|h)$' <<<"$changed" | sed -E 's|.*/||; s/\.(hpp|h)$//' | sort -u || true)
  selected=$(
    {
      grep -E '\.cpp$' <<<"$changed" || true
      for s in $stems; do grep -E "(^|/)${s}(_test)?\.cpp$" <<<"$db_files" || true; done
    } | sort -u
  )
  echo "tidy: files changed since $(git rev-parse --short "$base") ($base)"
fi
# Only files the database knows (a .cpp file that no target builds has no flags).
selected=$(comm -12 <(sort -u <<<"$selected") <(sort -u <<<"$db_files") || true)
if [[ -z $selected ]]; then
  echo "tidy: no .cpp files to check: passed"
  exit 0
fi
n=$(wc -l <<<"$selected")
if ((list)); then printf '%s\n' "$selected"; exit 0; fi
echo "tidy: clang-tidy on $n file(s), $jobs at a time"

out=$(mktemp -d "${TMPDIR:-/tmp}/bessd-tidy.XXXXXX")
trap 'rm -rf "$out"' EXIT
SECONDS=0
# One log per file; a warning in a shown (project) location makes clang-tidy exit non-zero.
tr '\n' '\0' <<<"$selected" | xargs -0 -P "$jobs" -I{} sh -c '
  log="$1/$(printf %s "$2" | tr / _).log"
  if ! clang-tidy -p build/tidy --quiet --warnings-as-errors="*" \
       --extra-arg=-Wno-unknown-warning-option "$2" >"$log" 2>&1; then
    mv "$log" "$log.failed"
  fi' sh "$out" {}
failed=$(find "$out" -name '*.failed' | wc -l)
if ((failed)); then
  # A header's warning comes once per file that includes it: show (and count) each one once,
  # with its notes, without clang-tidy's own tallies.
  cat "$out"/*.failed | awk -v count="$out/count" '
    /^[0-9]+ (warning|error)s? (and [0-9]+ errors? )?generated\.$/ { next }
    /^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing/ { next }
    /^[^ ]+:[0-9]+:[0-9]+: (warning|error): / { show = !($0 in seen); seen[$0] = 1; if (show) n++ }
    show { print }
    END { print n + 0 > count }'
  w=$(cat "$out/count")
  echo "tidy: $w warning(s) in project files, from $failed of $n file(s) ($SECONDS s): failed"
  exit 1
fi
echo "tidy: $n file(s) clean ($SECONDS s): passed"
