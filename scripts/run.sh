#!/usr/bin/env bash
# The main job: bessd controlling the built-in simulated site (bess-sim: pack and BMS on an SLCAN
# pseudo-terminal, inverter on Modbus TCP, house load and PV), shown live with `bessctl watch`
# until Ctrl-C. Installs what is missing and builds first. Options: see scripts/demo.sh --help.
set -euo pipefail
exec "$(dirname "$0")/demo.sh" "$@"
