#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a UML kernel on a hostfs root, run one test of the guest root
# (umltest=NAME, see selftests/um/guest/init) and collect the console.
#
#   boot.sh [--timeout S] [--cpus N] [--mem M] [--pin CPUS] KERNEL ROOT LOG [ARG...]
#
# ARGs go to the kernel command line (NAME=VALUE ones reach the guest's
# init as environment). Exit status: 0 if the test ran to its end marker,
# 2 if the guest hung (killed after S seconds; the log ends with
# "# HANG: <last case started>"), 1 if it ended some other way.
set -uo pipefail

timeout=120 cpus=1 mem=512M pin=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--pin) pin=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 3 ] || { echo "usage: boot.sh [--timeout S] [--cpus N] [--mem M] [--pin CPUS] KERNEL ROOT LOG [ARG...]" >&2; exit 1; }
kernel=$1 root=$2 log=$3; shift 3
[ -x "$kernel" ] || { echo "boot: $kernel: no such kernel" >&2; exit 1; }
[ -x "$root/init" ] || { echo "boot: $root: no guest root (no /init)" >&2; exit 1; }

# UML keeps its memory in a file under TMPDIR, which must be a tmpfs.
tmp=$(mktemp -d /dev/shm/umlsec.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

args=(mem="$mem" rootfstype=hostfs hostfs="$(realpath "$root")" rw init=/init
      con=null con0=fd:0,fd:1 quiet seccomp=on)
[ "$cpus" -gt 1 ] && args+=(ncpus="$cpus")
runner=()
[ -n "$pin" ] && runner=(taskset -c "$pin")
# A PID namespace of its own: a kill(-1) from a broken kernel (a stub pid
# that went -1) reaches only this guest, never the host's processes.
if unshare --pid --fork --kill-child true 2>/dev/null; then
	runner=(unshare --pid --fork --kill-child "${runner[@]}")
fi

TMPDIR=$tmp timeout -s KILL "$timeout" "${runner[@]}" "$kernel" "${args[@]}" "$@" \
	</dev/null >"$log" 2>&1
rc=$?

if grep -q '^UMLTEST-END' "$log"; then
	exit 0
fi
if [ $rc = 137 ]; then
	case=$(grep -oE 'RUN +[^ ]+' "$log" | tail -1 | awk '{print $2}')
	echo "# HANG: ${case:-boot} (no end after ${timeout}s)" >>"$log"
	exit 2
fi
exit 1
