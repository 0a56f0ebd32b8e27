#!/usr/bin/env bash
# The tests of another architecture's build on this amd64 machine, under qemu-user
# (tests/foreign/CMakeLists.txt): its package cross-built, lintian, its binaries' offline checks
# and a short run of the simulated site with its bessd; the pure components' unit tests
# cross-compiled. CI runs it for arm64 (scripts/test.sh); run it for armhf before a release.
#   scripts/test-foreign.sh arm64|armhf [--native-built]
# Installs what it needs (scripts/install-deps.sh --cross ARCH), builds the native simulator
# and test program it runs the foreign daemon with (build/dev), then configures, builds and tests
# the preset foreign-ARCH (build/foreign-ARCH). Ends with ctest's summary.
# --native-built: the dependencies and build/dev's bess-sim and system_foreign_daemon are there
# already (scripts/test.sh runs this beside the dev lane's tests, which must not see build/dev
# reconfigured under them, nor a dpkg run).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-}
case "$arch" in
  arm64|armhf) ;;
  *) echo "usage: $0 arm64|armhf [--native-built]" >&2; exit 2 ;;
esac
native_built=0
case "${2:-}" in
  --native-built) native_built=1 ;;
  "") ;;
  *) echo "usage: $0 arm64|armhf [--native-built]" >&2; exit 2 ;;
esac
jobs=$(nproc)

if ((!native_built)); then
  ./scripts/install-deps.sh --tests
  ./scripts/install-deps.sh --cross "$arch"
  cmake --preset dev >/dev/null
  cmake --build --preset dev -j "$jobs" --target bess-sim system_foreign_daemon
fi
cmake --preset "foreign-$arch" >/dev/null
cmake --build --preset "foreign-$arch" -j "$jobs"
# Two tests per core, as scripts/test.sh: the package's cross compile runs as one of them.
ctest --preset "foreign-$arch" -j $((jobs * 2))
