#!/usr/bin/env bash
# bessd.service under a real systemd (PID 1) in a QEMU VM (TCG: the host kernel cannot be used
# with KVM here, and the host's systemd is not PID 1). The VM boots a Debian kernel with a
# busybox initramfs that mounts the host's / read-only over 9p, puts an overlay with a tmpfs
# upper layer on it, and switch_roots into /lib/systemd/systemd; a unit then runs
# systemd_service_guest.sh, which installs the .deb and checks the service.
#   systemd_service_test.sh DEB_DIR WORK_DIR
# Runs in CI (CI=true) or with BESSD_RUN_VM_TESTS=1 (about 3 min under TCG: boot 35-95 s, each
# dpkg run 20-30 s); skipped on developer machines by default; BESSD_RUN_VM_TESTS=0 skips it. Kernel: BESSD_VM_KERNEL_DEB=path to a
# linux-image-*-amd64 .deb, else `apt-get download` into BESSD_VM_CACHE (default
# ~/.cache/bessd-vm, shared with run_vcan_test.sh).
# Exit 0 pass, 1 fail, 77 skip (with the reason).
set -euo pipefail
deb_dir=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

run_vm=${BESSD_RUN_VM_TESTS:-}
[[ -z $run_vm && ${CI:-} == true ]] && run_vm=1
[[ $run_vm == 1 ]] ||
  skip "the VM test boots a VM under TCG (about 3 min): run with BESSD_RUN_VM_TESTS=1 (CI=true does)"
for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static depmod:kmod modprobe:kmod \
  cpio:cpio; do
  command -v "${t%%:*}" >/dev/null || skip "${t%%:*} missing (apt-get install ${t#*:})"
done
busybox=$(command -v busybox)
ldd_out=$(LC_ALL=C ldd "$busybox" 2>&1 || true)
[[ $ldd_out == *"not a dynamic executable"* ]] ||
  skip "a static busybox is needed (apt-get install busybox-static)"
[[ -x /lib/systemd/systemd ]] || skip "systemd missing on the host root (apt-get install systemd)"
[[ -x /lib/systemd/systemd-udevd || -x /usr/lib/systemd/systemd-udevd ]] ||
  skip "udev missing: without it device units time out in the VM (apt-get install udev)"
deb=$(ls "$deb_dir"/bessd_*.deb 2>/dev/null | head -n 1)
[[ -n "$deb" ]] || skip "no bessd_*.deb in $deb_dir (packaging.deb_build did not produce one)"

mkdir -p "$work"
work=$(cd "$work" && pwd)
# Same kernel cache as tests/vm/run_vcan_test.sh: one download for both VM tests.
cache=${BESSD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bessd-vm}
mkdir -p "$cache"

# Kernel: a Debian linux-image package, unpacked (never installed on the host).
kdeb=${BESSD_VM_KERNEL_DEB:-}
if [[ -z $kdeb ]]; then
  for f in "$cache"/linux-image-*-amd64_*.deb; do
    [[ -f $f && $f != *unsigned* ]] && kdeb=$f && break
  done
fi
if [[ -z $kdeb ]]; then
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
  [[ -n $kpkg ]] || skip "cannot resolve linux-image-amd64 (run apt-get update) and BESSD_VM_KERNEL_DEB is unset"
  (cd "$cache" && apt-get download "$kpkg" >/dev/null 2>&1) || skip "apt-get download $kpkg failed"
  kdeb=$(ls "$cache"/"$kpkg"_*.deb | head -n 1)
fi
kroot=$work/kernel
if [[ ! -f $kroot/.done || $(cat "$kroot/.done") != "$kdeb" ]]; then
  rm -rf "$kroot"
  mkdir -p "$kroot"
  dpkg -x "$kdeb" "$kroot"
  echo "$kdeb" >"$kroot/.done"
fi
kver=$(ls "$kroot/lib/modules" | head -n 1)
[[ -f $kroot/lib/modules/$kver/modules.dep ]] || depmod -b "$kroot" "$kver"

# Initramfs: static busybox, the modules for virtio 9p, overlay and (for later CAN tests) vcan.
initrd_dir=$work/initrd
rm -rf "$initrd_dir"
mkdir -p "$initrd_dir"/{bin,dev,proc,sys,lower,upper,newroot,modules}
cp "$busybox" "$initrd_dir/bin/busybox"
order=()
for m in virtio_pci 9pnet_virtio 9p overlay can can_raw vcan; do
  while read -r _ path _; do
    [[ -n $path ]] || continue
    name=$(basename "$path")
    [[ " ${order[*]} " == *" $name "* ]] && continue
    cp "$path" "$initrd_dir/modules/$name"
    order+=("$name")
  done < <(modprobe -d "$kroot" -S "$kver" --show-depends "$m" | grep '^insmod')
done
printf '%s\n' "${order[@]}" >"$initrd_dir/modules/order"

cat >"$initrd_dir/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in \$(cat /modules/order); do insmod /modules/\$m || echo "vm-init: insmod \$m failed"; done
echo "vm-init: modules loaded, mounting the host root"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /lower || exec sh
mount -t tmpfs -o size=512m tmpfs /upper
mkdir -p /upper/data /upper/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot || exec sh
mkdir -p /newroot/mnt/bessd-vmtest
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 testshare /newroot/mnt/bessd-vmtest
# Fixes for booting a container image's root under systemd: it is not a
# container, package scripts may start services, the kernel's modules are ours.
rm -f /newroot/.dockerenv /newroot/usr/sbin/policy-rc.d
# No man-db index rebuild after each dpkg run (slow under TCG, irrelevant here).
rm -f /newroot/var/lib/man-db/auto-update
# The host's /tmp (build trees) is large and slow over 9p: the guest gets fresh ones.
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=1777 tmpfs /newroot/var/tmp
mkdir -p /newroot/lib/modules
ln -sfn $kroot/lib/modules/$kver /newroot/lib/modules/$kver
# Units of the host image that only slow the boot down.
for u in nginx.service postgresql.service apt-daily.timer apt-daily-upgrade.timer man-db.timer \
  e2scrub_all.timer e2scrub_reap.service dpkg-db-backup.timer fstrim.timer \
  systemd-timesyncd.service getty@tty1.service systemd-tmpfiles-setup.service \\
  systemd-tmpfiles-clean.timer; do
  ln -sf /dev/null /newroot/etc/systemd/system/\$u
done
cat >/newroot/etc/systemd/system/bessd-vmtest.service <<UNIT
[Unit]
Description=bessd VM test
[Service]
Type=simple
ExecStart=/bin/bash /mnt/bessd-vmtest/guest.sh /mnt/bessd-vmtest
StandardOutput=journal+console
StandardError=journal+console
UNIT
mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/bessd-vmtest.service /newroot/etc/systemd/system/multi-user.target.wants/
echo "vm-init: switch_root into systemd"
exec switch_root /newroot /lib/systemd/systemd
INIT
chmod +x "$initrd_dir/init"
(cd "$initrd_dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

share=$work/share
rm -rf "$share"
mkdir -p "$share"
cp "$deb" "$share/bessd.deb"
cp "$here/systemd_service_guest.sh" "$share/guest.sh"
cp "$here/watchdog-test.conf" "$share/"

echo "booting $kver under TCG (log: $work/console.log)"
start=$(date +%s)
rc=0
timeout "${BESSD_VM_TIMEOUT_S:-600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 2 \
  -kernel "$kroot/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 rdinit=/init panic=-1 loglevel=4 systemd.show_status=error" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$share,mount_tag=testshare,security_model=none,multidevs=remap" \
  -display none -serial "file:$work/console.log" -no-reboot -nic none || rc=$?
elapsed=$(($(date +%s) - start))
grep '^vmtest:' "$work/console.log" || true
[[ -f $share/guest.log ]] && cp "$share/guest.log" "$work/guest.log"
if ((rc == 124)); then
  tail -n 40 "$work/console.log"
  fail "VM timed out after ${BESSD_VM_TIMEOUT_S:-600} s (console: $work/console.log)"
fi
[[ -f $share/result ]] || {
  tail -n 40 "$work/console.log"
  fail "the VM produced no result (qemu exit $rc; console: $work/console.log)"
}
result=$(cat "$share/result")
echo "VM run: ${elapsed} s, result: $result"
[[ $result == PASS ]] || { tail -n 60 "$work/guest.log" 2>/dev/null; fail "$result"; }
