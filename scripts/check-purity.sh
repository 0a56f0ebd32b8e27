#!/usr/bin/env bash
# Architecture rule 1 (docs/architecture.md "Rules the build and the tests enforce"): the decision logic has no I/O and no clock of
# its own. Fails when a pure component includes Asio, sockets, sqlite3, libmodbus, spdlog or
# systemd or libmosquitto, or reads a clock with ::now(). Pure: common, core, energy, config,
# compliance, limits, control, mqtt (topics and payloads; the broker link is elsewhere), the
# protocol codecs (can/codec, bms/protocols, inverter/registers) and the inverter's planning.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

pure_dirs=()
for comp in common core energy config compliance limits control mqtt; do
  for base in src include/bessd; do
    [[ -d "$base/$comp" ]] && pure_dirs+=("$base/$comp")
  done
done
for d in src/can/codec include/bessd/can/codec src/bms/protocols include/bessd/bms/protocols \
  src/inverter/registers include/bessd/inverter/registers src/inverter/planning \
  include/bessd/inverter/planning; do
  [[ -d "$d" ]] && pure_dirs+=("$d")
done

forbidden='#[[:space:]]*include[[:space:]]*[<"](boost/asio|boost/beast|asio|sqlite3|modbus|spdlog|systemd/|sys/socket|netinet/|linux/can|libsocketcan|mosquitto)'
status=0
if ((${#pure_dirs[@]})); then
  if grep -rnE "$forbidden" "${pure_dirs[@]}"; then
    echo "check-purity: a pure component includes an I/O or logging header (above)" >&2
    status=1
  fi
  # The production clock lives in src/common/system_clock.cpp, the only allowed ::now().
  if grep -rnE '::now[[:space:]]*\(' "${pure_dirs[@]}" | grep -v '^src/common/system_clock.cpp:'; then
    echo "check-purity: a pure component reads a clock (above); take a TimePoint or Clock& instead" >&2
    status=1
  fi
fi
[[ $status -eq 0 ]] && echo "check-purity: ${#pure_dirs[@]} pure folders clean"
exit $status
