#!/usr/bin/env bash
# lintian on the built .deb: errors and warnings fail (explained overrides live in
# packaging/debian/bessd.lintian-overrides); info and pedantic tags are printed.
#   deb_lintian_test.sh DEB_DIR
set -euo pipefail
out=$1
command -v lintian >/dev/null || { echo "SKIP: lintian missing (apt-get install lintian)"; exit 77; }
deb=$(ls "$out"/bessd_*.deb 2>/dev/null | head -n 1)
[[ -n "$deb" ]] || { echo "SKIP: no .deb in $out (packaging.deb_build did not produce one)"; exit 77; }
report=$(lintian --allow-root -E --pedantic --display-level '>=pedantic' --fail-on error,warning "$deb" 2>&1) && rc=0 || rc=$?
echo "${report:-lintian: no tags}"
((rc == 0)) || { echo "FAIL: lintian reported errors or warnings" >&2; exit 1; }
# An experimental tag, so it fails nothing above, but on a 32-bit architecture it means files
# over 2 GiB cannot be opened or measured (CMakeLists.txt sets _FILE_OFFSET_BITS=64).
if grep -q 'binary-file-built-without-LFS-support' <<<"$report"; then
  echo "FAIL: a program was built without large-file support" >&2
  exit 1
fi
echo "lintian: no errors, no warnings"
