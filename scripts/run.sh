#!/usr/bin/env bash
# The main job: install dependencies, build, and run bessd on the example configuration
# (state and API socket under ./build/run so no root is needed). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bessd

run_dir="$PWD/build/run"
mkdir -p "$run_dir"
config="$run_dir/bessd.json"
sed -e "s#/var/lib/bessd/bessd.db#$run_dir/bessd.db#" -e "s#/run/bessd/api.sock#$run_dir/api.sock#" -e "s#/usr/share/bessd/profiles#$PWD/config/profiles#" \
  config/bessd.example.json >"$config"
exec ./build/release/src/bin/bessd/bessd --config "$config" "$@"
