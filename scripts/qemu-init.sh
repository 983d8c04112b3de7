#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the initramfs that qemu-check.sh boots on a Debian host kernel
# under QEMU (see qemu-initramfs.sh for its layout). Runs every UML cell
# named in qcells= (kernel command line) on the hostfs root /guest, as
# boot.sh does natively, with the test qtest= (default qemu-suite: the
# suite at TCG speeds, see selftests/um/guest/qemu-suite), and prints
#   QEMU-CELL-START <cell>
#   QEMU-CELL-BEGIN <cell>
#   ...its UML console...
#   QEMU-CELL-END <cell> rc=<status of timeout+linux> secs=<wall time>
# for the host side to split; rc=137: the cell hung and was killed after
# qcelltimeout= seconds. START alone names the cell if QEMU never returns.
# Then powers off. (No UML boot parameter of the series' to pass: the
# hardened stub is on whenever it is built in and UML runs in seccomp mode.)
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# UML keeps its memory in a file under TMPDIR, which must be a tmpfs.
mkdir -p /dev/shm
mount -t tmpfs -o size=1400m tmpfs /dev/shm
echo 1 >/proc/sys/kernel/printk 2>/dev/null

echo "QEMU-HOST $(uname -r) $(uname -v)"
echo "QEMU-CPUS $(nproc)"
for cell in $(echo "${qcells:-up-on,smp-on,up-off,smp-off}" | tr , ' '); do
	cpus=
	case $cell in smp-*) cpus=ncpus=2 ;; esac
	log=/dev/shm/$cell.log
	tmp=$(mktemp -d /dev/shm/uml.XXXXXX)
	start=$(date +%s)
	echo "QEMU-CELL-START $cell"
	# No "quiet" (it silences the host-feature checks UML prints);
	# loglevel=4 keeps the UML console as quiet as boot.sh's.
	TMPDIR=$tmp timeout -s KILL "${qcelltimeout:-600}" "/uml/$cell/linux" mem=512M \
		rootfstype=hostfs hostfs=/guest rw init=/init con=null con0=fd:0,fd:1 \
		loglevel=4 seccomp=on $cpus umltest="${qtest:-qemu-suite}" STUB_HARDEN="${cell#*-}" \
		</dev/null >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	echo "QEMU-CELL-BEGIN $cell"
	cat "$log"
	echo
	echo "QEMU-CELL-END $cell rc=$rc secs=$secs"
	rm -rf "$tmp" "$log"
done
echo "QEMU-DONE"
poweroff -f
