#!/usr/bin/env bash
# Builds the bessd .deb from this source tree: bessd_<version>_<arch>.deb (+ -dbgsym .deb,
# .buildinfo, .changes) in OUTDIR (default build/deb). Uses debhelper over the CMake install
# rules; the build happens in a scratch copy, so the work tree and its build/ stay untouched.
#   packaging/build-deb.sh [--arch ARCH]... [--all] [OUTDIR]
# --arch: a Debian architecture to build for (repeatable; default: this machine's). A foreign one
# (arm64, armhf on an amd64 machine) is cross-built with Debian's cross compiler and multiarch
# libraries (dpkg-buildpackage -a). --all: amd64, arm64 and armhf, the architectures bessd ships
# for (docs/operations.md "Boards and architectures").
# Build dependencies: installed first by scripts/install-deps.sh (quick when present; --cross ARCH
# for a foreign architecture), unless BESSD_NO_INSTALL_DEPS=1 (the ctest tests set it: they skip
# instead).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
native=$(dpkg --print-architecture)
arches=()
out=""
while (($#)); do
  case "$1" in
    --arch) [[ $# -ge 2 ]] || { echo "build-deb: --arch needs an architecture" >&2; exit 2; }
            arches+=("$2"); shift 2 ;;
    --all) arches+=(amd64 arm64 armhf); shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-deb: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [[ -z $out ]] || { echo "build-deb: one OUTDIR only" >&2; exit 2; }
       out=$1; shift ;;
  esac
done
((${#arches[@]})) || arches=("$native")
for arch in "${arches[@]}"; do
  case "$arch" in
    "$native") ;;
    arm64|armhf)
      [[ $native == amd64 ]] || { echo "build-deb: cross builds for $arch need an amd64 machine" >&2; exit 2; } ;;
    *) echo "build-deb: architecture '$arch' is not one bessd builds for (amd64, arm64, armhf)" >&2
       exit 2 ;;
  esac
done
if [[ ${BESSD_NO_INSTALL_DEPS:-} != 1 ]]; then
  "$src/scripts/install-deps.sh"
  for arch in "${arches[@]}"; do
    [[ $arch == "$native" ]] || "$src/scripts/install-deps.sh" --cross "$arch"
  done
fi
out=${out:-$src/build/deb}
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

build_one() {  # arch: builds in a fresh copy of the tree under $scratch/<arch>
  local arch=$1 dir="$scratch/$1" tree
  tree="$dir/bessd-$cmake_version"
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

  local host=() compilers=()
  if [[ $arch != "$native" ]]; then
    host=(-a "$arch")
    # The cross compilers by name: debhelper hands them to CMake, and dpkg-architecture no longer
    # warns that CC is the machine's own compiler.
    local triplet
    triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)
    compilers=(CC="$triplet-gcc" CXX="$triplet-g++")
  fi
  if ! (cd "$tree" && dpkg-checkbuilddeps "${host[@]}" 2>"$dir/builddeps"); then
    cat "$dir/builddeps" >&2
    echo "build-deb: missing build dependencies for $arch: run scripts/install-deps.sh" \
      "$([[ $arch == "$native" ]] || echo "--cross $arch")" >&2
    exit 3
  fi
  local jobs=${BESSD_DEB_JOBS:-$(nproc)}
  (cd "$tree" && env "${compilers[@]}" DEB_BUILD_OPTIONS="parallel=$jobs nocheck ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage "${host[@]}" -b -us -uc >"$dir/build.log" 2>&1) || {
    tail -n 60 "$dir/build.log" >&2
    echo "build-deb: dpkg-buildpackage for $arch failed (last 60 lines above)" >&2
    exit 1
  }
  cp "$dir/build.log" "$out/build-$arch.log"
  for f in "$dir"/*.deb "$dir"/*.ddeb "$dir"/*.buildinfo "$dir"/*.changes; do
    [ -e "$f" ] && cp "$f" "$out/"
  done
  ls "$out"/bessd_"$cmake_version"*_"$arch".deb
}
for arch in "${arches[@]}"; do build_one "$arch"; done
