#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the root directory of a test guest (booted with a hostfs root):
# Debian's static busybox, the static test programs and the guest's init
# and test scripts from selftests/um/guest.
#
#   make-guest-root.sh ROOT PROGRAM...
set -euo pipefail

die() { echo "make-guest-root: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: make-guest-root.sh ROOT PROGRAM..."
root=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || die "$busybox not found (Debian package busybox-static)"
file -L "$busybox" | grep "statically linked" >/dev/null || die "$busybox is not static (install busybox-static)"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,root,tests}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
for p in "$@"; do
	[ -x "$p" ] || die "$p: not an executable test program"
	cp "$p" "$root/bin/"
done
install -m 755 "$here/selftests/um/guest/init" "$root/init"
for t in "$here"/selftests/um/guest/*; do
	[ "$(basename "$t")" = init ] && continue
	install -m 755 "$t" "$root/tests/"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "$root"
