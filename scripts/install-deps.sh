#!/usr/bin/env bash
# Installs bessd's build and test dependencies from Debian 12 packages. Idempotent and quick
# when everything is present (one dpkg-query, no apt-get call). `--tests` adds the browser the
# dashboard's tests drive; `--print` lists the packages instead.
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
if [[ "${1:-}" == "--tests" ]]; then PACKAGES+=("${BROWSER_TEST_PACKAGES[@]}"); shift; fi
if [[ "${1:-}" == "--print" ]]; then printf '%s\n' "${PACKAGES[@]}"; exit 0; fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
