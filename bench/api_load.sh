#!/usr/bin/env bash
# HTTP load: wrk against GET /v1/status of the API test server (real HttpServer + Router over the
# FakeFacade, single io thread like the daemon) and, in the same run, against nginx serving the
# same JSON as a static file on loopback (one worker: the same single-core budget). Prints both
# req/s, the ratio and the p99 latency. The defaults are the performance issue's method
# (wrk -t1 -c32); the document is the real status JSON (about 2.7 KB), not the issue's 0.5 KB
# example, so that both servers send the same bytes.
#
#   bench/api_load.sh [BUILD_DIR]        (default build/release; build/dev works too)
#   env: DURATION=10s CONNECTIONS=32 THREADS=1
# Needs wrk, nginx and curl (apt-get install wrk nginx-light curl).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
server_bin=$build/tests/unit/api/bessd_api_test_server
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "api_load: $tool not found (apt-get install wrk nginx-light curl)" >&2; exit 2; }
done
[[ -x $server_bin ]] || { echo "api_load: $server_bin missing: cmake --build $build --target bessd_api_test_server" >&2; exit 2; }

tmp=$(mktemp -d)
server_pid=""
nginx_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$tmp/token"
chmod 600 "$tmp/token"

# bessd API test server on a free loopback port.
"$server_bin" --socket "$tmp/api.sock" --tcp-port 0 --token-file "$tmp/token" \
  --max-connections 1024 >"$tmp/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^READY' "$tmp/server.out" 2>/dev/null && break
  sleep 0.05
done
api_port=$(awk '/^READY/ {print $2}' "$tmp/server.out")
[[ -n $api_port ]] || { echo "api_load: test server did not start:" >&2; cat "$tmp/server.out" >&2; exit 1; }

# nginx serving the same status JSON as a static file.
mkdir -p "$tmp/www"
curl -fsS --unix-socket "$tmp/api.sock" http://localhost/v1/status >"$tmp/www/status.json"
# nginx workers drop root privileges: the files must be readable by them.
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/status.json"
nginx_port=$(( (api_port % 20000) + 30000 ))
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { application/json json; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
  }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp" &
nginx_pid=$!
nginx_ready=0
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$nginx_port/status.json" >/dev/null 2>&1; then
    nginx_ready=1
    break
  fi
  sleep 0.05
done
if [[ $nginx_ready != 1 ]]; then
  echo "api_load: nginx does not serve status.json:" >&2
  curl -sS -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$nginx_port/status.json" >&2 || true
  cat "$tmp/nginx.err" >&2 || true
  exit 1
fi

run_wrk() {  # url [header] -> "req_per_s p99"
  local out
  if [[ $# -gt 1 ]]; then
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$2" "$1")
  else
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$1")
  fi
  echo "$out" >&2
  if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
    echo "api_load: $1 answered errors; figures are meaningless" >&2
    exit 1
  fi
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}

body_bytes=$(wc -c <"$tmp/www/status.json")
echo "== bessd API (GET /v1/status, $body_bytes bytes) ==" >&2
api_result=$(run_wrk "http://127.0.0.1:$api_port/v1/status" "Authorization: Bearer $token")
read -r api_rps api_p99 <<<"$api_result"
echo "== nginx static file (same JSON) ==" >&2
nginx_result=$(run_wrk "http://127.0.0.1:$nginx_port/status.json")
read -r nginx_rps nginx_p99 <<<"$nginx_result"

ratio=$(awk -v a="$api_rps" -v n="$nginx_rps" 'BEGIN { printf "%.2f", (n > 0 ? a / n : 0) }')
echo
echo "wrk -t$threads -c$connections -d$duration --latency, status JSON $body_bytes bytes"
printf '%-28s %12s req/s   p99 %s\n' "bessd GET /v1/status" "$api_rps" "$api_p99"
printf '%-28s %12s req/s   p99 %s\n' "nginx static status.json" "$nginx_rps" "$nginx_p99"
echo "ratio bessd/nginx: $ratio"
