#!/usr/bin/env bash
# Builds the .deb with packaging/build-deb.sh into OUTDIR and checks what it contains; unpacks it
# into OUTDIR/root for the tests of its binaries.
#   deb_build_test.sh SOURCE_DIR OUTDIR CMAKE_PROJECT_VERSION [ARCH]
# ARCH: a Debian architecture to cross-build for (tests/foreign); default this machine's.
set -euo pipefail
src=$1 out=$2 version=$3
arch=${4:-$(dpkg --print-architecture)}
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper; do
  command -v "${tool%%:*}" >/dev/null ||
    { echo "SKIP: ${tool%%:*} missing (apt-get install ${tool#*:}; scripts/install-deps.sh does)"; exit 77; }
done
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
rc=0
# Without debug information (-g stripped from dpkg-buildflags' defaults) and so without the
# -dbgsym package: what this test checks (the package's files, lintian, installing it, the service
# under systemd) is the same, and the compile, the suite's longest step, is shorter.
# packaging/build-deb.sh run by hand builds the release package, -dbgsym included.
DEB_CFLAGS_STRIP=-g DEB_CXXFLAGS_STRIP=-g DEB_BUILD_OPTIONS="noautodbgsym noopt ${DEB_BUILD_OPTIONS:-}" \
  BESSD_NO_INSTALL_DEPS=1 "$src/packaging/build-deb.sh" --arch "$arch" "$out" || rc=$?
if ((rc == 3)); then echo "SKIP: build dependencies missing (see above)"; exit 77; fi
((rc == 0)) || fail "packaging/build-deb.sh exited $rc"
deb=$out/bessd_${version}_$arch.deb
[[ -f "$deb" ]] || fail "no bessd_${version}_$arch.deb in $out"
echo "built $(basename "$deb") in $(($(date +%s) - start)) s"
[[ $(dpkg-deb -f "$deb" Architecture) == "$arch" ]] || fail "the package's Architecture is not $arch"
# No -Werror in the package build (BESSD_WERROR=OFF in debian/rules): ninja -v logs each command.
grep -q -- '-DBESSD_WERROR=OFF' "$out/build-$arch.log" || fail "the package build does not set BESSD_WERROR=OFF"
! grep -E '^\[[0-9]+/[0-9]+\] .* -c ' "$out/build-$arch.log" | grep -qE -- ' -Werror( |$)' ||
  fail "the package build compiles with -Werror"
# ... but no warning either: on another architecture the compiler sees code that CI's -Werror
# builds (amd64) never compiled that way (32-bit size_t and long on armhf).
warnings=$(grep -E '\.(c|cc|cpp|h|hpp)(:[0-9]+){1,2}: warning:' "$out/build-$arch.log" | sort -u || true)
[[ -z $warnings ]] || fail "the $arch package build warns:"$'\n'"$warnings"

[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "package version is not $version"
listing=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#')
for path in /usr/sbin/bessd /lib/systemd/system/bessd.service /usr/lib/sysusers.d/bessd.conf \
  /usr/lib/tmpfiles.d/bessd.conf /usr/libexec/bessd/bessd-site-configured /etc/bessd/bessd.json \
  /usr/share/bessd/bessd.example.json /usr/share/man/man8/bessd.8.gz \
  /usr/share/bessd/www/index.html /usr/share/bessd/www/app.js /usr/share/bessd/www/app.css \
  /usr/share/man/man5/bessd.json.5.gz\
  /lib/systemd/system/bessd.socket /usr/share/doc/bessd/examples/manage-link.conf \
  /usr/share/doc/bessd/examples/socket-tcp.conf /usr/share/doc/bessd/copyright; do
  grep -qx "$path" <<<"$listing" || fail "$path missing from the package"
done
grep -qE '^/usr/share/doc/bessd/operations.md(.gz)?$' <<<"$listing" || fail "operations.md missing"
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)
grep -qx /etc/bessd/bessd.json <<<"$conffiles" ||
  fail "/etc/bessd/bessd.json is not a conffile"
postinst=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst)
grep -q 'systemd-sysusers' <<<"$postinst" || fail "postinst does not create the user (sysusers)"
grep -q 'systemd-tmpfiles' <<<"$postinst" || fail "postinst does not run tmpfiles"
grep -q 'deb-systemd-helper enable' <<<"$postinst" || fail "postinst does not enable the unit"
grep -q 'try-restart' <<<"$postinst" || fail "postinst does not try-restart on upgrade"
! grep -qE 'deb-systemd-invoke (start|restart) ' <<<"$postinst" ||
  fail "postinst starts the service (it must not on a first install)"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libsystemd0 <<<"$depends" || fail "Depends lacks libsystemd0: $depends"
echo "Depends: $depends"
echo "package size: $(stat -c %s "$deb") bytes; Installed-Size: $(dpkg-deb -f "$deb" Installed-Size) KiB"
rm -rf "$out/root"
dpkg-deb -x "$deb" "$out/root"
