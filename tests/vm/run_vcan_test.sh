#!/usr/bin/env bash
# SocketCAN for real: boot a small VM with kernel CAN (the host kernel has none), create vcan0,
# and run the host-built CAN test binary inside it against vcan0.
#
#   tests/vm/run_vcan_test.sh <test-binary> [gtest filter]
#
# How: Debian's linux-image package is fetched with `apt-get download` and unpacked with
# `dpkg -x` (never installed on the host); `depmod -b` builds its modules.dep; an initramfs of
# busybox-static plus the can, can-raw, vcan and 9p modules (with their dependencies) boots
# under `qemu-system-x86_64 -accel tcg`, mounts the host's / read-only over 9p, and chroots into
# it to run the binary with BESSD_VCAN=vcan0 (and BESSD_VCAN_DOWN=vcan1, an interface left
# down). The guest prints "BESSD_VM_RESULT=<exit code>" on the console; this script exits with
# it. Exit 77 (ctest SKIP_RETURN_CODE) with a message when qemu, busybox-static, depmod or the
# kernel package are not available.
#
# Environment: BESSD_VM_CACHE (default ~/.cache/bessd-vm) keeps the kernel between runs;
# BESSD_VM_KERNEL_PKG picks the package (default: what linux-image-amd64 depends on);
# BESSD_VM_TIMEOUT (default 300 s) bounds the boot.
set -euo pipefail

skip() { echo "SKIP: $*" >&2; exit 77; }
die() { echo "ERROR: $*" >&2; exit 1; }

[[ $# -ge 1 ]] || die "usage: $0 <test-binary> [gtest-filter]"
binary=$(readlink -f "$1")
filter=${2:-'SocketCan*'}
[[ -x $binary ]] || die "test binary not found: $1"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
busybox=""
for b in /bin/busybox /usr/bin/busybox; do
  if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
[[ -n $busybox ]] || skip "no statically linked busybox (apt-get install busybox-static)"
depmod=$(command -v depmod || echo /sbin/depmod)
modprobe=$(command -v modprobe || echo /sbin/modprobe)
[[ -x $depmod && -x $modprobe ]] || skip "depmod/modprobe not found (apt-get install kmod)"

cache=${BESSD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bessd-vm}
mkdir -p "$cache"
pkg=${BESSD_VM_KERNEL_PKG:-}
if [[ -z $pkg ]]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  [[ -n $pkg ]] || skip "cannot resolve linux-image-amd64 with apt-cache (no Debian package lists?)"
fi
kroot="$cache/$pkg"
if [[ ! -d $kroot/lib/modules ]]; then
  deb=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -1 || true)
  if [[ -z $deb ]]; then
    echo "vm: downloading $pkg with apt-get download (once; cached in $cache)" >&2
    (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || skip "apt-get download $pkg failed (offline?)"
    deb=$(ls "$cache/${pkg}"_*.deb | head -1)
  fi
  rm -rf "$kroot.tmp" && mkdir -p "$kroot.tmp"
  dpkg -x "$deb" "$kroot.tmp"
  mv "$kroot.tmp" "$kroot"
fi
kver=$(ls "$kroot/lib/modules" | head -1)
vmlinuz="$kroot/boot/vmlinuz-$kver"
[[ -f $vmlinuz ]] || die "no kernel image in $kroot/boot"
[[ -f $kroot/lib/modules/$kver/modules.dep ]] || "$depmod" -b "$kroot" "$kver"

work=$(mktemp -d /tmp/bessd-vm.XXXXXX)
bindir=$(cd "$(dirname "$binary")" && pwd -P)
binary="$bindir/$(basename "$binary")"
bindir_in_tmp=""
extra_share=()
if [[ $bindir == /tmp/* ]]; then
  bindir_in_tmp=$bindir
  extra_share=(-virtfs "local,path=$bindir,mount_tag=bindir,security_model=none,readonly=on,multidevs=remap")
fi
trap 'rm -rf "$work"' EXIT
init="$work/initramfs"
mkdir -p "$init"/{bin,proc,sys,dev,host,lib/mods}
cp "$busybox" "$init/bin/busybox"
ln -s busybox "$init/bin/sh"

# Modules in load order (dependencies first), decompressed for busybox insmod.
: >"$init/modules.order"
for m in can can_raw vcan 9pnet_virtio 9p virtio_pci; do
  "$modprobe" -d "$kroot" -S "$kver" --show-depends "$m" 2>/dev/null | while read -r kind path _; do
    [[ $kind == insmod ]] || continue
    name=$(basename "$path")
    name=${name%.xz}
    name=${name%.zst}
    grep -qx "$name" "$init/modules.order" && continue
    case $path in
      *.xz) xz -dc "$path" >"$init/lib/mods/$name" ;;
      *.zst) zstd -qdc "$path" >"$init/lib/mods/$name" ;;
      *) cp "$path" "$init/lib/mods/$name" ;;
    esac
    echo "$name" >>"$init/modules.order"
  done
done
grep -q '^vcan.ko$' "$init/modules.order" || die "vcan module not found in $pkg"

cat >"$init/init" <<GUEST
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in \$(cat /modules.order); do
  insmod /lib/mods/\$m 2>/dev/null || echo "BESSD_VM: insmod \$m failed (built in?)"
done
ip link add dev vcan0 type vcan && ip link set vcan0 up
ip link add dev vcan1 type vcan
ip -details link show vcan0
if mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host; then
  mount -t proc proc /host/proc
  mount -t sysfs sys /host/sys
  mount -t devtmpfs dev /host/dev
  mount -t tmpfs tmp /host/tmp
  # A build tree under /tmp (a CI clone, say) is hidden by that tmpfs: share it again.
  if [ -n "$bindir_in_tmp" ]; then
    mkdir -p "/host$bindir_in_tmp" && mount -t 9p -o trans=virtio,version=9p2000.L,ro bindir "/host$bindir_in_tmp"
  fi
  chroot /host /usr/bin/env BESSD_VCAN=vcan0 BESSD_VCAN_DOWN=vcan1 \
    ASAN_OPTIONS=detect_leaks=1 "$binary" --gtest_filter='$filter' --gtest_color=no
  echo "BESSD_VM_RESULT=\$?"
else
  echo "BESSD_VM_RESULT=200 (9p mount of the host root failed)"
fi
poweroff -f
GUEST
chmod +x "$init/init"
(cd "$init" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

log="$work/console.log"
echo "vm: booting $pkg ($kver) under TCG, running $(basename "$binary") --gtest_filter=$filter" >&2
set +e
timeout "${BESSD_VM_TIMEOUT:-300}" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic \
  -no-reboot -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  "${extra_share[@]}" </dev/null >"$log" 2>&1
qemu_rc=$?
set -e
tr -d '\r' <"$log" | grep -v '^\s*$' | sed -n '/BESSD_VM\|\[==========\]\|\[  \|vcan0:/p' >&2 || true
result=$(tr -d '\r' <"$log" | sed -n 's/^BESSD_VM_RESULT=\([0-9]*\).*/\1/p' | tail -1)
if [[ -z $result ]]; then
  echo "---- console (last 40 lines) ----" >&2
  tail -40 "$log" >&2
  die "no BESSD_VM_RESULT marker on the console (qemu exit $qemu_rc)"
fi
echo "vm: test binary exited $result inside the VM" >&2
exit "$result"
