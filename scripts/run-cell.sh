#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one cell of the test matrix and write its TAP.
#
#   run-cell.sh CELL KERNEL ROOT OUTDIR [--cpus N] [--harden on|off]
#               [--test suite|wedge] [--host-load K] [--timeout S]
#               [--progs "PROGRAM..."] [--kernel-arg ARG]...
#               [--boots "PROG[:CASE[,CASE...]] ..."]
#
# suite: the attack and no-regression programs; OUTDIR/CELL.tap.
# wedge: the SIGALRM-blocking attack alone, for kernels without
#        validation, where it is expected to hang the guest: reported as
#        XFAIL ("vulnerable, as expected"), never as a pass or a failure.
# --boots: one boot per word instead (the guest's cases script), each
#        running those harness cases of PROG (all of them without
#        ":CASE"): for cases that can panic an unfixed kernel, which would
#        take every case after them down too. One TAP line per boot, the
#        program's TAP nested below it; --timeout is per boot.
# --host-load K runs K busy loops per host CPU beside the guest.
#
# Every boot's console is checked: a kernel panic, an oops, a BUG, UML's
# "Programming error" or a crash of the UML process itself is a failing
# TAP line (console_shows_no_kernel_crash, or the boot's own line), with
# the console line that shows it.
set -uo pipefail

[ $# -ge 4 ] || { echo "usage: run-cell.sh CELL KERNEL ROOT OUTDIR [options]" >&2; exit 1; }
cell=$1 kernel=$2 root=$3 out=$4; shift 4
cpus=1 harden=on test=suite load=0 timeout=300 progs= kargs=() boots=
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus=$2 ;;
	--harden) harden=$2 ;;
	--test) test=$2 ;;
	--host-load) load=$2 ;;
	--timeout) timeout=$2 ;;
	--progs) progs=${2// /,} ;;	# UML splits its command line at spaces
	--kernel-arg)
		case $2 in *" "*) echo "run-cell: --kernel-arg '$2': UML splits its command line at spaces" >&2; exit 1 ;; esac
		kargs+=("$2") ;;
	--boots) boots=$2 test=boots ;;
	*) echo "run-cell: unknown option $1" >&2; exit 1 ;;
	esac
	shift 2
done
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
log=$out/$cell.log tap=$out/$cell.tap

hogs=()
stop_hogs() {
	[ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null && wait "${hogs[@]}" 2>/dev/null
	hogs=()
	return 0
}
# An interrupted run must not leave its busy loops burning the host.
trap stop_hogs EXIT
trap 'exit 130' INT TERM
if [ "$load" -gt 0 ]; then
	for _ in $(seq $((load * $(nproc)))); do
		sh -c 'while :; do :; done' &
		hogs+=($!)
	done
fi

# The first console line that shows the kernel (or UML) crashed, if any.
crash_line() {
	grep -a -m1 -E 'Kernel panic|Oops|BUG:|Programming error|general protection fault|Segfault with no mm|Kernel mode (fault|signal)|Kernel tried to access user memory' "$1" |
		tr -d '\r' | cut -c1-200
}

# A TAP-safe one-line reason
tap_reason() { tr -d '\r#' | tr '\n' ' ' | cut -c1-200; }

# boot.sh LOG ARGS..., ended early once its console shows a crash: a
# panicked UML does not always exit (as PID 1 of its namespace it ignores
# its own abort()) and would wait for the timeout. boot.sh runs it under
# timeout(1), in a process group of timeout's own: that group is killed.
# The exit status is boot.sh's (137 from timeout's death, then).
boot_watched() {
	local blog=$1 pid c
	shift
	"$here/boot.sh" "$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.5
		if [ -f "$blog" ] && [ -n "$(crash_line "$blog")" ]; then
			sleep 2	# the rest of the panic message
			for c in $(ps -o pid= --ppid "$pid"); do
				kill -KILL -- "-$c" 2>/dev/null || kill -KILL "$c" 2>/dev/null
			done
			break
		fi
	done
	wait "$pid"
}

start=$(date +%s.%N)
rc=0
case $test in
boots)
	n=0 bad=0
	for b in $boots; do n=$((n + 1)); done
	{
		echo "TAP version 13"
		echo "1..$n"
	} >"$tap"
	: >"$log"
	i=0
	for b in $boots; do
		i=$((i + 1))
		prog=${b%%:*} cases=
		[ "$prog" != "$b" ] && cases=${b#*:}
		name="$prog${cases:+:$cases}"
		blog=$out/$cell.boot$i.log
		boot_watched "$blog" --timeout "$timeout" --cpus "$cpus" "$kernel" "$root" "$blog" \
			umltest=cases CASE_PROG="$prog" ${cases:+CASES="$cases"} STUB_HARDEN="$harden" \
			"${kargs[@]}"
		brc=$?
		{ echo "=== boot $i: $name (boot.sh said $brc)"; cat "$blog"; } >>"$log"
		body=$(sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$blog" | grep -v '^UMLTEST-' | tr -d '\r')
		{
			echo "# selftests: um/seccomp_stub: $name"
			printf '%s\n' "$body" | grep '^# ' | grep -v '^# selftests: '
		} >>"$tap"
		crash=$(crash_line "$blog")
		line=$(printf '%s\n' "$body" | grep -E '^(not )?ok 1 ' | tail -1)
		if [ -n "$crash" ]; then
			# the case that was running gets the crash as its result
			running=$(printf '%s\n' "$body" | awk '
				/^# # +RUN / { r = $4 } /^# (not )?ok [0-9]+ / { r = ""; n++ }
				END { if (r != "") print n + 1, r }')
			# not printed yet (buffered): the only case asked for
			if [ -z "$running" ] && [ -n "$cases" ] && [ "${cases#*,}" = "$cases" ] &&
			   ! printf '%s\n' "$body" | grep -E '^# (not )?ok [0-9]+ ' >/dev/null; then
				running="1 $cases"
			fi
			[ -n "$running" ] && echo "# not ok $running # the kernel crashed: $(printf '%s' "$crash" | tap_reason)" >>"$tap"
			echo "not ok $i $name # the kernel crashed: $(printf '%s' "$crash" | tap_reason)" >>"$tap"
		elif [ $brc = 2 ]; then
			echo "not ok $i $name # TIMEOUT the guest hung, killed after ${timeout}s ($(grep '^# HANG' "$blog" | tap_reason))" >>"$tap"
		elif [ -z "$line" ] || [ $brc != 0 ]; then
			echo "not ok $i $name # the guest ended without its result (boot.sh said $brc; last console line: $(grep -av '^$' "$blog" | tail -1 | tap_reason))" >>"$tap"
		else
			# the guest's line, numbered here, with the name and directive
			ok=ok; [ "${line#not }" != "$line" ] && ok="not ok"
			dir=; [ "${line#* # }" != "$line" ] && dir=" # ${line#* # }"
			echo "$ok $i $name$dir" >>"$tap"
		fi
		grep -q "^not ok $i " "$tap" && bad=$((bad + 1))
	done
	rc=0
	[ $bad -gt 0 ] && rc=3
	;;
*)
	boot_watched "$log" --timeout "$timeout" --cpus "$cpus" "$kernel" "$root" "$log" \
		umltest="$test" STUB_HARDEN="$harden" ${progs:+SUITE_PROGS="$progs"} "${kargs[@]}"
	rc=$?
	;;
esac
secs=$(echo "$(date +%s.%N) - $start" | bc)
stop_hogs

# One more top-level result: the console shows no crash. The guest's
# plan ("1..N", the first unindented one) counts it.
add_console_line() {
	local crash n
	crash=$(crash_line "$log")
	n=$(grep -m1 -E '^1\.\.[0-9]+$' "$tap" | cut -c4-)
	if [ -z "$n" ]; then
		{ echo "TAP version 13"; cat "$tap"; } >"$tap.tmp" && mv "$tap.tmp" "$tap"
		n=0
	fi
	n=$((n + 1))
	sed -i "0,/^1\.\.[0-9]*$/s//1..$n/" "$tap"
	grep -q -E '^1\.\.[0-9]+$' "$tap" || sed -i "1a 1..$n" "$tap"
	if [ -n "$crash" ]; then
		echo "not ok $n console_shows_no_kernel_crash # $(printf '%s' "$crash" | tap_reason)" >>"$tap"
	else
		echo "ok $n console_shows_no_kernel_crash" >>"$tap"
	fi
}

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
	add_console_line
	;;
boots)
	;;
*)
	sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep -v '^UMLTEST-' | tr -d '\r' >"$tap"
	grep '^# HANG:' "$log" >>"$tap"
	[ $rc = 1 ] && echo "# HANG: boot (the guest ended without its end marker, see $log)" >>"$tap"
	add_console_line
	;;
esac
status=$(case $rc in 0) echo ran;; 2) echo hung;; 3) echo "ran, failures";; *) echo "ended badly";; esac)
[ "$test" != boots ] && [ -n "$(crash_line "$log")" ] && status="the kernel crashed"
printf '%-14s %-6s %6.1fs  %s\n' "$cell" "$test" "$secs" "$status" >&2
exit 0
