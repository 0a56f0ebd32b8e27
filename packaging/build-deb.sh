#!/usr/bin/env bash
# Builds the bessd .deb from this source tree: bessd_<version>_<arch>.deb (+ -dbgsym .ddeb,
# .buildinfo, .changes) in OUTDIR (default build/deb). Uses debhelper over the CMake install
# rules; the build happens in a scratch copy, so the work tree and its build/ stay untouched.
#   packaging/build-deb.sh [OUTDIR]
# Build dependencies: installed first by scripts/install-deps.sh (quick when present), unless
# BESSD_NO_INSTALL_DEPS=1 (the ctest test sets it: it skips instead).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${BESSD_NO_INSTALL_DEPS:-} != 1 ]]; then "$src/scripts/install-deps.sh"; fi
out=${1:-$src/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cmake_version=$(sed -n 's/^project(bessd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
deb_version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
if [[ "${deb_version#*:}" != "$cmake_version" && "${deb_version#*:}" != "$cmake_version"-* ]]; then
  echo "build-deb: packaging/debian/changelog has $deb_version, CMakeLists.txt has $cmake_version:" \
    "add a changelog entry (dch -v $cmake_version)" >&2
  exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/bessd-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tree="$scratch/bessd-$cmake_version"
mkdir -p "$tree"
# The files git knows (committed or not, minus ignored ones); a plain copy without git.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -xf - -C "$tree"
else
  tar -C "$src" --exclude=./build --exclude='./build-*' -cf - . | tar -xf - -C "$tree"
fi
cp -r "$src/packaging/debian" "$tree/debian"

cd "$tree"
if ! dpkg-checkbuilddeps 2>"$scratch/builddeps"; then
  cat "$scratch/builddeps" >&2
  echo "build-deb: missing build dependencies: run scripts/install-deps.sh" >&2
  exit 3
fi
jobs=${BESSD_DEB_JOBS:-$(nproc)}
DEB_BUILD_OPTIONS="parallel=$jobs nocheck ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -b -us -uc >"$scratch/build.log" 2>&1 || {
  tail -n 60 "$scratch/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed (last 60 lines above)" >&2
  exit 1
}
cp "$scratch/build.log" "$out/build.log"
for f in "$scratch"/*.deb "$scratch"/*.ddeb "$scratch"/*.buildinfo "$scratch"/*.changes; do
  [ -e "$f" ] && cp "$f" "$out/"
done
ls "$out"/bessd_"$cmake_version"*.deb
