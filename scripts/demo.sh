#!/usr/bin/env bash
# The demo: a simulated home (bess-sim: pack, BMS on an SLCAN pty, inverter on Modbus TCP,
# house load, PV) controlled by bessd on config/demo.json, shown with `bessctl watch` until
# Ctrl-C; then both stop cleanly. Works from a fresh clone on Debian 12 (installs what is
# missing, builds the release preset). State, logs and sockets go to a fresh run directory.
#
#   scripts/demo.sh                    # interactive
#   scripts/demo.sh --duration 30      # run 30 s, print `bessctl status`, exit (CI smoke test)
#   options: --time-scale X (simulated seconds per second, default 10), --port N (Modbus TCP,
#            default 15020), --api-port N (the dashboard and TCP API on 127.0.0.1, default 8470),
#            --no-dashboard (Unix socket only), --preset NAME (CMake preset, default release),
#            --no-install, --no-build, --keep (keep the run directory),
#            --then CMD (run CMD instead of `bessctl watch` once bessd answers; it sees
#            BESSD_DEMO_URL, BESSD_DEMO_READ_TOKEN, BESSD_DEMO_CONTROL_TOKEN, BESSD_DEMO_DIR,
#            BESSD_DEMO_PID: bessd's process id)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

duration=""
time_scale=10
port=15020
api_port=8470
dashboard=1
then_cmd=""
install=1
build=1
keep=0
preset=release
while (($#)); do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --time-scale) time_scale="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --api-port) api_port="$2"; shift 2 ;;
    --no-dashboard) dashboard=0; shift ;;
    --then) then_cmd="$2"; shift 2 ;;
    --preset) preset="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

if ((install)); then ./scripts/install-deps.sh; fi
bin="$root/build/$preset/src/bin"
if ((build)); then
  [[ -f "build/$preset/build.ninja" ]] || cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)" --target bessd bessctl bess-sim
fi

run_dir=$(mktemp -d /tmp/bessd-demo.XXXXXX)
sim_pid=""
bessd_pid=""
cleanup() {
  trap - EXIT INT TERM
  # bessd first: it commands the inverter to its safe state before it exits.
  if [[ -n "$bessd_pid" ]] && kill -0 "$bessd_pid" 2>/dev/null; then
    kill -TERM "$bessd_pid" 2>/dev/null || true
    wait "$bessd_pid" 2>/dev/null || true
  fi
  if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  if ((keep)); then
    echo "demo: logs and database kept in $run_dir" >&2
  else
    rm -rf "$run_dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.1 s, bounded.
wait_for() {
  local what="$1" limit="$2"
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "demo: $what not ready after ${limit} s" >&2
      return 1
    fi
    sleep 0.1
  done
}

config="$run_dir/bessd.json"
sed -e "s#/tmp/bessd-demo#$run_dir#g" -e "s#\"profile_dir\": \"profiles\"#\"profile_dir\": \"$root/config/profiles\"#" \
  -e "s#\"port\": 15020#\"port\": $port#" config/demo.json >"$config"
# The dashboard on loopback, with one read and one control token (docs/dashboard.md).
read_token=$(openssl rand -hex 16)
control_token=$(openssl rand -hex 16)
if ((dashboard)); then
  printf 'owner    read     %s\ninstaller control %s\n' "$read_token" "$control_token" >"$run_dir/tokens"
  chmod 0640 "$run_dir/tokens"
  tcp="\"tcp\": { \"enabled\": true, \"address\": \"127.0.0.1\", \"port\": $api_port, \"token_file\": \"$run_dir/tokens\" },"
  tcp+=" \"dashboard\": { \"enabled\": true, \"www_dir\": \"$root/www\" }"
  sed -i "s#\"tcp\": { \"enabled\": false, \"address\": \"127.0.0.1\", \"port\": 8470 }#$tcp#" "$config"
  grep -q '"dashboard"' "$config" || { echo "demo: could not enable the dashboard in $config" >&2; exit 1; }
fi

"$bin/bess-sim/bess-sim" --profile victron_ess --modbus-port "$port" \
  --slcan-link "$run_dir/slcan" --control "$run_dir/sim.sock" \
  --fire-alarm-file "$run_dir/fire-alarm" --ready-file "$run_dir/sim.ready" \
  --time-scale "$time_scale" --start-hour 7 --soc 60 --capacity-ah 200 \
  </dev/null >"$run_dir/sim.log" 2>&1 &
sim_pid=$!
sim_ready() { [[ -f "$run_dir/sim.ready" ]] || ! kill -0 "$sim_pid" 2>/dev/null; }
if ! wait_for "bess-sim" 10 sim_ready || [[ ! -f "$run_dir/sim.ready" ]]; then
  echo "demo: bess-sim did not start (is port $port free? try --port N):" >&2
  cat "$run_dir/sim.log" >&2
  exit 1
fi

"$bin/bessd/bessd" --config "$config" </dev/null >"$run_dir/bessd.log" 2>&1 &
bessd_pid=$!
bessctl=("$bin/bessctl/bessctl" --socket "$run_dir/api.sock")
api_ready() { "${bessctl[@]}" status || ! kill -0 "$bessd_pid" 2>/dev/null; }
if ! wait_for "bessd's API" 20 api_ready || ! kill -0 "$bessd_pid" 2>/dev/null; then
  echo "demo: bessd did not start:" >&2
  tail -n 40 "$run_dir/bessd.log" >&2
  exit 1
fi

echo "demo: bess-sim and bessd running (run directory $run_dir)"
echo "demo: scenarios: echo 'over-temp on' | socat - UNIX-CONNECT:$run_dir/sim.sock"
url="http://127.0.0.1:$api_port/"
if ((dashboard)); then
  echo "demo: dashboard $url  read token: $read_token  (control token in $run_dir/tokens)"
fi
if [[ -n "$then_cmd" ]]; then
  BESSD_DEMO_URL="$url" BESSD_DEMO_READ_TOKEN="$read_token" BESSD_DEMO_CONTROL_TOKEN="$control_token" \
    BESSD_DEMO_DIR="$run_dir" BESSD_DEMO_PID="$bessd_pid" bash -c "$then_cmd"
elif [[ -n "$duration" ]]; then
  end=$((SECONDS + duration))
  while ((SECONDS < end)); do
    kill -0 "$bessd_pid" 2>/dev/null || { echo "demo: bessd exited" >&2; tail -n 40 "$run_dir/bessd.log" >&2; exit 1; }
    sleep 1
  done
  "${bessctl[@]}" status
  echo "sim: $(echo status | socat - "UNIX-CONNECT:$run_dir/sim.sock")"
else
  "${bessctl[@]}" watch || true
fi
