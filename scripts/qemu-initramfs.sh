#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the initramfs (newc cpio, gzip) that qemu-check.sh boots on a host
# kernel under QEMU:
#   /init             scripts/qemu-init.sh
#   /bin/busybox      Debian's static busybox (applets linked at boot)
#   /uml/CELL/linux   the UML kernels, with the libraries ldd names for them
#                     (libc, ld.so) and libgcc_s (glibc loads it for
#                     pthread cancellation)
#   /guest            the guest root (make-guest-root.sh), UML's hostfs root
#
#   qemu-initramfs.sh OUT GUEST CELL=KERNEL...
set -euo pipefail

die() { echo "qemu-initramfs: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: qemu-initramfs.sh OUT GUEST CELL=KERNEL..."
out=$1 guest=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
# (no grep -q, no awk exit: an early exit gives ldconfig or file a SIGPIPE,
# which pipefail and set -e turn into a silent failure, now and then)
file -L "$busybox" | grep "statically linked" >/dev/null || die "$busybox is not static (install busybox-static)"
[ -x "$guest/init" ] || die "$guest: no guest root (no /init)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/qemu-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,uml}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 755 "$here/qemu-init.sh" "$stage/init"
mknod -m 600 "$stage/dev/console" c 5 1
mknod -m 666 "$stage/dev/null" c 1 3

libs=()
for spec in "$@"; do
	cell=${spec%%=*} kernel=${spec#*=}
	[ -x "$kernel" ] || die "$kernel: no UML kernel for $cell"
	mkdir -p "$stage/uml/$cell"
	cp "$kernel" "$stage/uml/$cell/linux"
	while read -r lib; do libs+=("$lib"); done < <(ldd "$kernel" | grep -oE '/[^ ]+')
done
gcc_s=$(ldconfig -p | awk '/libgcc_s\.so\.1 .*x86-64/ && !n++ {print $NF}')
[ -n "$gcc_s" ] && libs+=("$gcc_s")
for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

cp -a "$guest" "$stage/guest"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
