#!/usr/bin/env bash
# A foreign architecture's package, unpacked, under qemu-user: its programs are built for that
# architecture (ELF class, machine, float ABI and the loader of Debian's port), find their
# libraries among the architecture's multiarch ones, and run: bessd --version, bessctl and
# bess-sim --help, and --check-config on the package's own configuration file with the
# package's own profiles.
#   binaries_test.sh ROOT EMULATOR ARCH VERSION
set -euo pipefail
root=$1 emulator=$2 arch=$3 version=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -x $emulator ]] || { echo "SKIP: $emulator missing (scripts/install-deps.sh --cross $arch)"; exit 77; }
[[ -x $root/usr/sbin/bessd ]] || fail "no usr/sbin/bessd under $root (foreign.deb_build)"

case "$arch" in
  arm64) class=ELF64 machine=AArch64 loader=/lib/ld-linux-aarch64.so.1 ;;
  armhf) class=ELF32 machine=ARM loader=/lib/ld-linux-armhf.so.3 ;;
  *) fail "no expectations for architecture $arch" ;;
esac
for program in usr/sbin/bessd usr/bin/bessctl usr/bin/bess-sim; do
  header=$(readelf -h "$root/$program")
  grep -qE "Class: +$class\$" <<<"$header" || fail "$program is not $class: $header"
  grep -qE "Machine: +$machine\$" <<<"$header" || fail "$program is not $machine: $header"
  if [[ $arch == armhf ]]; then
    grep -q 'hard-float ABI' <<<"$header" || fail "$program is not hard-float: $header"
  fi
  readelf -l "$root/$program" | grep -qF "[Requesting program interpreter: $loader]" ||
    fail "$program does not use $loader"
  echo "$program: $class $machine, $(stat -c %s "$root/$program") bytes"
done

out=$("$emulator" "$root/usr/sbin/bessd" --version 2>&1) || fail "bessd --version: $out"
[[ $out == "bessd $version" ]] || fail "bessd --version printed '$out', expected 'bessd $version'"
for program in usr/bin/bessctl usr/bin/bess-sim; do
  out=$("$emulator" "$root/$program" --help 2>&1) || fail "$program --help: $out"
  grep -q 'Usage:' <<<"$out" || fail "$program --help printed no usage: $out"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The shipped file names the installed profile folder: point it at the unpacked one.
sed -E "s#\"profile_dir\" *: *\"[^\"]*\"#\"profile_dir\": \"$root/usr/share/bessd/profiles\"#" \
  "$root/etc/bessd/bessd.json" >"$work/bessd.json"
grep -q "$root/usr/share/bessd/profiles" "$work/bessd.json" ||
  fail "etc/bessd/bessd.json names no profile_dir to redirect"
out=$("$emulator" "$root/usr/sbin/bessd" --check-config "$work/bessd.json" 2>&1) ||
  fail "--check-config on the shipped etc/bessd/bessd.json: $out"
echo "$out"
echo "the $arch binaries run under $(basename "$emulator")"
