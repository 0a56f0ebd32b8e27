#!/usr/bin/env bash
# The version has one source, project(bessd VERSION ...) in CMakeLists.txt: the built bessd
# prints it and the Debian changelog's upstream part must equal it.
#   version_check.sh SOURCE_DIR BESSD_BIN CMAKE_PROJECT_VERSION
set -euo pipefail
src=$1 bessd_bin=$2 cmake_version=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dpkg-parsechangelog >/dev/null || { echo "SKIP: dpkg-parsechangelog missing (apt-get install dpkg-dev)"; exit 77; }

printed=$("$bessd_bin" --version)
[[ $printed == "bessd $cmake_version" ]] || fail "bessd --version printed '$printed', want 'bessd $cmake_version'"
deb_version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
upstream=${deb_version#*:}
upstream=${upstream%-*}
[[ $upstream == "$cmake_version" ]] ||
  fail "packaging/debian/changelog is at $deb_version but CMakeLists.txt at $cmake_version: add a changelog entry"
echo "version $cmake_version: bessd --version and debian/changelog ($deb_version) agree"
