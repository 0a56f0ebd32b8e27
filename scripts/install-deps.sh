#!/usr/bin/env bash
# Installs bessd's build and test dependencies from Debian 12 packages. Idempotent and quick
# when everything is present (one dpkg-query, no apt-get call). `--tests` adds the browser the
# dashboard's tests drive; `--print` lists the packages instead. `--cross ARCH` (arm64, armhf)
# installs instead what building and testing for that architecture needs on an amd64 machine:
# Debian's cross compiler, the libraries for ARCH beside the machine's own (multiarch, after
# `dpkg --add-architecture`) and qemu-user-static to run its programs (docs/operations.md).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev clang-format clang-tidy lld
  libboost-dev libsocketcan-dev libmodbus-dev libsqlite3-dev sqlite3 libspdlog-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev libsystemd-dev libbenchmark-dev
  libmosquitto-dev mosquitto mosquitto-clients openssl faketime libhowardhinnant-date-dev tzdata
  python3 python3-jsonschema python3-prometheus-client socat iproute2 procps curl
  debhelper dpkg-dev fakeroot lintian man-db systemd udev
  qemu-system-x86 busybox-static kmod cpio
  zlib1g-dev libjs-dygraphs
)
# The dashboard's browser tests only (about 300 MB): not installed for the demo.
BROWSER_TEST_PACKAGES=(chromium chromium-driver python3-selenium)
# The libraries bessd and its unit tests link, for a foreign architecture (Multi-Arch: same, so
# they install beside the amd64 ones); the header-only JSON and CLI11 packages serve every
# architecture as they are.
CROSS_LIBRARIES=(
  libboost-dev libsocketcan-dev libmodbus-dev libmosquitto-dev libsqlite3-dev libspdlog-dev
  libsystemd-dev zlib1g-dev libhowardhinnant-date-dev libgtest-dev libgmock-dev pkg-config
)
cross=""
if [[ "${1:-}" == "--cross" ]]; then
  cross=${2:-}
  case "$cross" in
    arm64|armhf) ;;
    *) echo "install-deps: --cross needs arm64 or armhf, not '${cross}'" >&2; exit 2 ;;
  esac
  [[ $(dpkg --print-architecture) == amd64 ]] ||
    { echo "install-deps: cross builds need an amd64 machine" >&2; exit 2; }
  PACKAGES=(crossbuild-essential-"$cross" qemu-user-static "${CROSS_LIBRARIES[@]/%/:$cross}")
  shift 2
fi
if [[ "${1:-}" == "--tests" ]]; then PACKAGES+=("${BROWSER_TEST_PACKAGES[@]}"); shift; fi
if [[ "${1:-}" == "--print" ]]; then printf '%s\n' "${PACKAGES[@]}"; exit 0; fi

# Installed for the right architecture: once the libraries of a foreign one are installed too
# (--cross), dpkg-query answers for both copies of a name without one.
native=$(dpkg --print-architecture)
missing=()
for p in "${PACKAGES[@]}"; do
  arch=$native
  [[ $p == *:* ]] && arch=${p##*:}
  dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$p" 2>/dev/null |
    grep -qE "^($arch|all) installed$" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [[ -n $cross ]] && ! dpkg --print-foreign-architectures | grep -qx "$cross"; then
  $SUDO dpkg --add-architecture "$cross"
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
