#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one cell of the test matrix and write its TAP.
#
#   run-cell.sh CELL KERNEL ROOT OUTDIR [--cpus N] [--harden on|off]
#               [--test suite|wedge] [--host-load K] [--timeout S]
#               [--progs PROGRAM] [--kernel-arg ARG]...
#
# suite: the attack and no-regression programs; OUTDIR/CELL.tap.
# wedge: the SIGALRM-blocking attack alone, for kernels without
#        validation, where it is expected to hang the guest: reported as
#        XFAIL ("vulnerable, as expected"), never as a pass or a failure.
# --host-load K runs K busy loops per host CPU beside the guest.
set -uo pipefail

[ $# -ge 4 ] || { echo "usage: run-cell.sh CELL KERNEL ROOT OUTDIR [options]" >&2; exit 1; }
cell=$1 kernel=$2 root=$3 out=$4; shift 4
cpus=1 harden=on test=suite load=0 timeout=300 progs= kargs=()
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus=$2 ;;
	--harden) harden=$2 ;;
	--test) test=$2 ;;
	--host-load) load=$2 ;;
	--timeout) timeout=$2 ;;
	--progs) progs=$2 ;;
	--kernel-arg) kargs+=("$2") ;;
	*) echo "run-cell: unknown option $1" >&2; exit 1 ;;
	esac
	shift 2
done
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
log=$out/$cell.log tap=$out/$cell.tap

hogs=()
if [ "$load" -gt 0 ]; then
	for _ in $(seq $((load * $(nproc)))); do
		sh -c 'while :; do :; done' &
		hogs+=($!)
	done
fi

start=$(date +%s.%N)
"$here/boot.sh" --timeout "$timeout" --cpus "$cpus" "$kernel" "$root" "$log" \
	umltest="$test" STUB_HARDEN="$harden" ${progs:+SUITE_PROGS="$progs"} "${kargs[@]}"
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
[ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null && wait "${hogs[@]}" 2>/dev/null

case $test in
wedge)
	{
		echo "TAP version 13"
		echo "1..1"
		if [ $rc = 2 ]; then
			echo "ok 1 sigreturn_blocking_sigalrm_wedges_a_kernel_without_validation # XFAIL vulnerable, as expected (guest hung, killed after ${timeout}s)"
		else
			echo "not ok 1 sigreturn_blocking_sigalrm_wedges_a_kernel_without_validation # expected the guest to hang, boot.sh said $rc"
		fi
	} >"$tap"
	;;
*)
	sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep -v '^UMLTEST-' >"$tap"
	grep '^# HANG:' "$log" >>"$tap"
	[ $rc = 1 ] && echo "# HANG: boot (the guest ended without its end marker, see $log)" >>"$tap"
	;;
esac
printf '%-14s %-6s %6.1fs  %s\n' "$cell" "$test" "$secs" \
	"$(case $rc in 0) echo ran;; 2) echo hung;; *) echo "ended badly";; esac)" >&2
exit 0
