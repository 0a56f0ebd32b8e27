#!/usr/bin/env bash
# Installs the built .deb on THIS machine with apt-get, checks it, then removes and purges it.
# It changes the system (a package, a system user), so it runs only as root and only when
# CI=true (a throwaway machine) or BESSD_ALLOW_HOST_INSTALL=1; anywhere else it skips.
#   deb_install_test.sh DEB_DIR CMAKE_PROJECT_VERSION
set -euo pipefail
out=$1 version=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || skip "needs root (installs the package on this machine)"
[[ ${CI:-} == true || ${BESSD_ALLOW_HOST_INSTALL:-} == 1 ]] ||
  skip "installs a package on this machine: set BESSD_ALLOW_HOST_INSTALL=1 (CI=true does)"
command -v apt-get >/dev/null || skip "apt-get missing"
deb=$(ls "$out"/bessd_"$version"_*.deb 2>/dev/null | head -n 1)
[[ -n "$deb" ]] || skip "no bessd_${version}_*.deb in $out (packaging.deb_build did not produce one)"
pre_status=$(dpkg-query -W -f='${db:Status-Status}' bessd 2>/dev/null || true)
if [[ -n $pre_status && $pre_status != not-installed ]]; then
  fail "a bessd package is already installed here: purge it first (apt-get purge bessd)"
fi
user_existed=0
getent passwd bessd >/dev/null && user_existed=1

export DEBIAN_FRONTEND=noninteractive
apt() { apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }
cleanup() {
  if dpkg-query -W bessd >/dev/null 2>&1; then apt purge bessd >/dev/null 2>&1 || true; fi
  if ((user_existed == 0)); then
    userdel bessd 2>/dev/null || true
    groupdel bessd 2>/dev/null || true
  fi
}
trap cleanup EXIT
status() { dpkg-query -W -f='${db:Status-Abbrev}' bessd 2>/dev/null | tr -d ' '; }

echo "== install $(basename "$deb")"
apt install "$deb" >/tmp/bessd-install.log 2>&1 || { cat /tmp/bessd-install.log; fail "apt-get install failed"; }
[[ $(status) == ii ]] || fail "package state is '$(status)' after install"
for f in /usr/sbin/bessd /lib/systemd/system/bessd.service /lib/systemd/system/bessd.socket \
  /usr/share/doc/bessd/examples/manage-link.conf /usr/share/doc/bessd/examples/socket-tcp.conf \
  /usr/lib/sysusers.d/bessd.conf \
  /usr/lib/tmpfiles.d/bessd.conf /usr/libexec/bessd/bessd-site-configured /etc/bessd/bessd.json \
  /usr/share/man/man8/bessd.8.gz /usr/share/man/man5/bessd.json.5.gz; do
  [[ -e $f ]] || fail "$f not installed"
done
entry=$(getent passwd bessd) || fail "no user bessd"
IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
((uid < 1000)) || fail "bessd is not a system user: uid $uid"
[[ $(getent group "$gid" | cut -d: -f1) == bessd ]] || fail "primary group of bessd is not bessd"
[[ $home == /var/lib/bessd && $shell == /usr/sbin/nologin ]] || fail "home/shell: $home $shell"
echo "user: $entry"
[[ $(stat -c '%U:%G %a' /var/lib/bessd) == "bessd:bessd 750" ]] ||
  fail "/var/lib/bessd is $(stat -c '%U:%G %a' /var/lib/bessd)"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' bessd)
grep -q '^ /etc/bessd/bessd.json ' <<<"$conffiles" ||
  fail "/etc/bessd/bessd.json is not a registered conffile"
[[ -L /etc/systemd/system/multi-user.target.wants/bessd.service ]] ||
  fail "bessd.service is not enabled (no multi-user.target.wants link)"
[[ -L /etc/systemd/system/sockets.target.wants/bessd.socket ]] ||
  fail "bessd.socket is not enabled (no sockets.target.wants link)"
[[ $(bessd --version) == "bessd $version" ]] || fail "bessd --version: $(bessd --version)"
bessd --check-config /etc/bessd/bessd.json || fail "the shipped configuration does not pass --check-config"
if /usr/libexec/bessd/bessd-site-configured /etc/bessd/bessd.json 2>/dev/null; then
  fail "the unit's ExecCondition accepts the unedited example"
fi
man -w bessd >/dev/null && man -w 5 bessd.json >/dev/null || fail "man pages not found by man"
echo "installed: files, user, conffile, enabled unit, --version, --check-config, man pages OK"

echo "== local edit survives a reinstall (conffile)"
printf '// site configured by the install test\n' >>/etc/bessd/bessd.json
apt install --reinstall "$deb" >/tmp/bessd-install.log 2>&1 || { cat /tmp/bessd-install.log; fail "reinstall failed"; }
grep -q 'configured by the install test' /etc/bessd/bessd.json || fail "reinstall overwrote the edited conffile"
/usr/libexec/bessd/bessd-site-configured /etc/bessd/bessd.json || fail "edited configuration refused"

echo "== remove keeps configuration and database"
printf 'not really sqlite\n' >/var/lib/bessd/bessd.db
apt remove bessd >/tmp/bessd-install.log 2>&1 || { cat /tmp/bessd-install.log; fail "apt-get remove failed"; }
[[ $(status) == rc ]] || fail "package state is '$(status)' after remove, want rc"
[[ ! -e /usr/sbin/bessd ]] || fail "/usr/sbin/bessd still there after remove"
[[ -f /var/lib/bessd/bessd.db ]] || fail "remove deleted the database"
[[ -f /etc/bessd/bessd.json ]] || fail "remove deleted the configuration"
getent passwd bessd >/dev/null || fail "remove deleted the user"

echo "== purge deletes configuration and database, keeps the user"
apt purge bessd >/tmp/bessd-install.log 2>&1 || { cat /tmp/bessd-install.log; fail "apt-get purge failed"; }
[[ -z $(status) || $(status) == un ]] || fail "package state is '$(status)' after purge"
[[ ! -e /var/lib/bessd ]] || fail "purge left /var/lib/bessd"
[[ ! -e /etc/bessd ]] || fail "purge left /etc/bessd: $(ls -A /etc/bessd)"
[[ ! -e /etc/systemd/system/multi-user.target.wants/bessd.service ]] || fail "purge left the enable link"
[[ ! -e /etc/systemd/system/sockets.target.wants/bessd.socket ]] || fail "purge left the socket's enable link"
getent passwd bessd >/dev/null || fail "purge deleted the system user (policy: it stays)"
echo "install, reinstall, remove, purge: OK"
