#!/usr/bin/env bash
# Offline checks of the systemd files, runnable on a host where systemd is not PID 1.
#   unit_checks.sh verify|socket|security|sysusers-tmpfiles|site-configured SOURCE_DIR BESSD_BIN [MAX_EXPOSURE]
# Exit 0 pass, 1 fail, 77 skip (a tool is missing; the message says which).
set -euo pipefail
mode=$1 src=$2 bessd_bin=$3 max_exposure=${4:-2.5}
unit=$src/systemd/bessd.service
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || skip "$1 not installed (apt-get install $2)"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bessd-unit.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A copy of the unit whose programs exist on this host: the build tree's bessd and the source
# tree's condition script (verify checks that every Exec*= program is executable).
host_unit() {
  mkdir -p "$work/units"
  sed -e "s#/usr/sbin/bessd#$bessd_bin#" \
    -e "s#/usr/libexec/bessd/bessd-site-configured#$src/systemd/bessd-site-configured#" \
    -e "s#/usr/share/bessd/bessd.example.json#$src/config/bessd.example.json#" \
    "$unit" >"$work/units/bessd.service"
  cp "$src/systemd/bessd.socket" "$work/units/bessd.socket"
}

case $mode in
verify)
  need systemd-analyze systemd
  need man man-db
  host_unit
  # systemd-analyze verify exits 0 on many problems (typos, unknown keys): any output fails.
  # Documentation=man: pages are looked up in the source tree's docs/man.
  check() {
    local out
    out=$(MANPATH="$src/docs/man" SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=yes \
      "$work/units/bessd.socket" "$work/units/bessd.service" 2>&1) ||
      fail "systemd-analyze verify failed: $out"
    [[ -z "$out" ]] || fail "systemd-analyze verify $1 printed warnings:"$'\n'"$out"
    echo "systemd-analyze verify ($1): clean"
  }
  check "bessd.socket + bessd.service"
  # Same with the documented drop-ins: CAP_NET_ADMIN for manage_link, the TCP listener.
  mkdir -p "$work/units/bessd.service.d" "$work/units/bessd.socket.d"
  cp "$src/systemd/examples/manage-link.conf" "$work/units/bessd.service.d/"
  cp "$src/systemd/examples/socket-tcp.conf" "$work/units/bessd.socket.d/"
  check "+ manage-link.conf + socket-tcp.conf"
  ;;
socket)
  # Socket activation that survives `systemctl restart bessd` and upgrades: the socket is not
  # part of the service (no PartOf=/BindsTo=, the service does not Require= it), the service
  # pulls it in and starts after it, and the socket's directory outlives the service.
  sock=$src/systemd/bessd.socket
  grep -Eq '^(PartOf|BindsTo)=' "$sock" && fail "bessd.socket is tied to the service (PartOf/BindsTo)"
  grep -Eq '^(Requires|BindsTo|Requisite)=.*bessd\.socket' "$unit" &&
    fail "bessd.service requires bessd.socket: stopping the socket would stop the controller"
  grep -q '^Wants=bessd.socket' "$unit" || fail "bessd.service does not pull in bessd.socket"
  grep -q '^After=bessd.socket' "$unit" || fail "bessd.service does not start after bessd.socket"
  grep -q '^RuntimeDirectoryPreserve=yes' "$unit" ||
    fail "/run/bessd (and the socket file in it) would be removed when bessd stops"
  grep -q '^ListenStream=/run/bessd/api.sock' "$sock" || fail "bessd.socket does not hold the API socket"
  grep -q '^WantedBy=sockets.target' "$sock" || fail "bessd.socket is not started at boot"
  # The open-file limit is set on purpose (and explained in the unit).
  grep -Eq '^LimitNOFILE=[0-9]+$' "$unit" || fail "bessd.service sets no LimitNOFILE="
  echo "socket activation: bessd.socket independent of bessd.service; LimitNOFILE set"
  ;;
security)
  need systemd-analyze systemd
  host_unit
  score() {
    local out
    out=$(systemd-analyze security --offline=true --no-pager "$work/units/bessd.service" 2>&1) ||
      fail "systemd-analyze security failed: $out"
    sed -n 's/.*Overall exposure level for bessd.service: \([0-9.]*\).*/\1/p' <<<"$out"
  }
  base=$(score)
  [[ -n "$base" ]] || fail "no exposure score in systemd-analyze security's output"
  echo "exposure (systemd-analyze security --offline=true bessd.service): $base (max $max_exposure)"
  awk -v s="$base" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' ||
    fail "exposure $base is above $max_exposure"
  # The shipped unit grants no capability ("manage_link" defaults to false).
  # (Output captured first: grep -q closing the pipe early would fail the pipeline.)
  report=$(systemd-analyze security --offline=true --no-pager "$work/units/bessd.service" 2>&1 || true)
  grep -q 'CAP_NET_ADMIN.*Service has no network configuration privileges' <<<"$report" ||
    fail "the shipped unit keeps CAP_NET_ADMIN although manage_link defaults to false"
  mkdir -p "$work/units/bessd.service.d"
  cp "$src/systemd/examples/manage-link.conf" "$work/units/bessd.service.d/"
  with=$(score)
  echo "exposure with manage-link.conf: $with"
  report=$(systemd-analyze security --offline=true --no-pager "$work/units/bessd.service" 2>&1 || true)
  grep -q 'CAP_NET_ADMIN.*Service has network configuration privileges' <<<"$report" ||
    fail "manage-link.conf does not grant CAP_NET_ADMIN"
  ;;
sysusers-tmpfiles)
  need systemd-sysusers systemd
  need systemd-tmpfiles systemd
  root=$work/root
  mkdir -p "$root/etc" "$root/var/lib" "$root/usr/sbin"
  # A minimal root: sysusers needs the base groups to exist to allocate a system uid.
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\ndialout:x:20:\n' >"$root/etc/group"
  systemd-sysusers --root="$root" "$src/systemd/sysusers.d/bessd.conf"
  entry=$(grep '^bessd:' "$root/etc/passwd") || fail "sysusers created no user bessd"
  IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
  grep -q "^bessd:x:$gid:" "$root/etc/group" || fail "no group bessd with gid $gid"
  ((uid > 0 && uid < 1000)) || fail "bessd uid $uid is not a system uid"
  [[ $home == /var/lib/bessd && $shell == /usr/sbin/nologin ]] ||
    fail "bessd home/shell are $home/$shell"
  echo "sysusers: $entry"
  systemd-tmpfiles --root="$root" --create "$src/systemd/tmpfiles.d/bessd.conf"
  stat_line=$(stat -c '%a %u %g' "$root/var/lib/bessd") || fail "tmpfiles created no /var/lib/bessd"
  [[ $stat_line == "750 $uid $gid" ]] || fail "/var/lib/bessd is '$stat_line', want '750 $uid $gid'"
  echo "tmpfiles: /var/lib/bessd $stat_line"
  stat_line=$(stat -c '%a %u %g' "$root/run/bessd") || fail "tmpfiles created no /run/bessd"
  [[ $stat_line == "751 $uid $gid" ]] || fail "/run/bessd is '$stat_line', want '751 $uid $gid'"
  echo "tmpfiles: /run/bessd $stat_line"
  ;;
site-configured)
  script=$src/systemd/bessd-site-configured
  example=$src/config/bessd.example.json
  cp "$example" "$work/bessd.json"
  if "$script" "$work/bessd.json" "$example" 2>"$work/err"; then
    fail "the unedited example was accepted as a configured site"
  fi
  grep -q "still the shipped example" "$work/err" || fail "no explanation: $(cat "$work/err")"
  printf '// site: %s\n' "test" >>"$work/bessd.json"
  "$script" "$work/bessd.json" "$example" || fail "an edited configuration was refused"
  "$script" "$work/missing.json" "$example" || fail "a missing file must be left to bessd (exit 78)"
  echo "bessd-site-configured: example refused, edited file and missing file passed on"
  ;;
*) fail "unknown mode $mode" ;;
esac
