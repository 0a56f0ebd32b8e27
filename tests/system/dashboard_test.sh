#!/usr/bin/env bash
# The dashboard in a real browser: the demo's simulated site (scripts/demo.sh, with the build of
# this preset) and headless chromium driven by dashboard_browser_test.py. Screenshots and the
# measured page weight and render times go to BINARY_DIR/test-artifacts/dashboard.
#   dashboard_test.sh SOURCE_DIR BINARY_DIR
set -euo pipefail
root=$1
binary_dir=$2
python=/usr/bin/python3  # Debian's, with python3-selenium
for need in /usr/bin/chromium /usr/bin/chromedriver; do
  [[ -x $need ]] || { echo "dashboard test: $need missing (scripts/install-deps.sh --tests)" >&2; exit 1; }
done
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
modbus_port=$(free_port)
api_port=$(free_port)
artifacts=$binary_dir/test-artifacts/dashboard
mkdir -p "$artifacts"
test_cmd="$python '$root/tests/system/dashboard_browser_test.py' --url \"\$BESSD_DEMO_URL\""
test_cmd+=" --read-token \"\$BESSD_DEMO_READ_TOKEN\" --control-token \"\$BESSD_DEMO_CONTROL_TOKEN\""
test_cmd+=" --api-token \"\$BESSD_DEMO_CONTROL_TOKEN\" --screenshots '$artifacts'"
exec "$root/scripts/demo.sh" --no-install --no-build --preset "$(basename "$binary_dir")" \
  --port "$modbus_port" --api-port "$api_port" --time-scale 60 --then "$test_cmd"
