#!/usr/bin/env bash
# Fails when a commit's subject is longer than 72 characters or is not followed by a blank line
# (CONTRIBUTING.md "Commits"). Checks the commits after 6535711, the last one before the rule
# was enforced; older history is left as it is. In a shallow clone without that commit, the
# commits present are checked.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly first_checked_after=6535711
if git cat-file -e "${first_checked_after}^{commit}" 2>/dev/null; then
  range="${first_checked_after}..HEAD"
else
  range=HEAD
fi
bad=0
count=0
while IFS= read -r -d '' record; do
  hash=${record%%$'\n'*}
  message=${record#*$'\n'}
  subject=${message%%$'\n'*}
  count=$((count + 1))
  if ((${#subject} > 72)); then
    echo "check-commits: ${hash:0:7}: subject has ${#subject} characters (at most 72): $subject" >&2
    bad=$((bad + 1))
  fi
  second=$(sed -n 2p <<<"$message")
  if [[ -n $second ]]; then
    echo "check-commits: ${hash:0:7}: the subject must be followed by a blank line" >&2
    bad=$((bad + 1))
  fi
done < <(git log -z --format='%H%n%B' "$range")
if ((bad)); then exit 1; fi
echo "check-commits: $count commits, subjects within 72 characters"
