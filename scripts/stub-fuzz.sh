#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the SMP and the UP kernel with validation and run the stub-gadget
# fuzzer (selftests/um/seccomp_stub/stub_fuzz.c) and the data-page fuzzer
# (stub_dpfuzz.c) in each, one boot after the other; write
# results/stub-fuzz-<cell>.tap and results/stub-dpfuzz-<cell>.tap.
#
#   stub-fuzz.sh [CELL...]          (default: smp-on up-on)
#
# FUZZ_CALLS (default 10000) calls per stub_fuzz run; DPFUZZ_ITERATIONS
# (default 10000) iterations per stub_dpfuzz run; FUZZ_SEED (default:
# random, printed) seeds every run (DPFUZZ_SEED, if set, the data-page
# ones). Replay one run in a guest: stub_fuzz SEED CALLS, stub_dpfuzz SEED
# ITERATIONS [FIRST] (or boot with umltest=dpfuzz DPFUZZ_SEED=...
# DPFUZZ_ITERATIONS=... DPFUZZ_FIRST=...). STUB_FUZZERS (default "fuzz
# dpfuzz") picks the fuzzers. A kernel panic, oops or BUG on the console
# is a failing TAP line (no_kernel_crash).
# Kernels: $WORK/build/CELL/linux, as make check builds them.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
: "${FUZZ_CALLS:=10000}" "${FUZZ_SEED:=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
: "${DPFUZZ_ITERATIONS:=10000}" "${DPFUZZ_SEED:=$FUZZ_SEED}" "${STUB_FUZZERS:=fuzz dpfuzz}"
cells=("$@")
[ ${#cells[@]} -gt 0 ] || cells=(smp-on up-on)
tree=${TREE:-${UMLSEC_CACHE:-${CACHE:-$HOME/.cache/uml-seccomp}}/linux-7.3.4}
dir=$WORK/stub-fuzz
mkdir -p "$dir" "$RESULTS"

echo "stub-fuzz: seed $FUZZ_SEED, $FUZZ_CALLS calls per stub_fuzz run; seed $DPFUZZ_SEED, $DPFUZZ_ITERATIONS iterations per stub_dpfuzz run" >&2
make -s -C "$here/selftests/um/seccomp_stub" TREE="$tree" OUTPUT="$dir/bin" >&2 ||
	{ echo "stub-fuzz: the test programs do not build" >&2; exit 1; }
"$here/scripts/make-guest-root.sh" "$dir/guest" "$dir"/bin/stub_* >/dev/null || exit 1

# The first console line that shows the kernel (or UML) crashed, if any.
crash_line() {
	grep -a -m1 -E 'Kernel panic|Oops|BUG:|Programming error|general protection fault|Segfault with no mm|Kernel mode (fault|signal)|Kernel tried to access user memory' "$1" |
		tr -d '\r#' | cut -c1-200
}

failed=0
for cell in "${cells[@]}"; do
	kernel=$WORK/build/$cell/linux
	[ -x "$kernel" ] || { echo "stub-fuzz: no kernel at $kernel (make check builds it)" >&2; exit 1; }
	cpus=1; [ "${cell%%-*}" = smp ] && cpus=2
	for fz in $STUB_FUZZERS; do
	case $fz in
	fuzz)
		name=stub-fuzz prog=stub_fuzz seed=$FUZZ_SEED count="$FUZZ_CALLS calls"
		timeout=$((300 + FUZZ_CALLS / 10))
		args=(umltest=fuzz FUZZ_SEED="$FUZZ_SEED" FUZZ_CALLS="$FUZZ_CALLS")
		;;
	dpfuzz)
		name=stub-dpfuzz prog=stub_dpfuzz seed=$DPFUZZ_SEED count="$DPFUZZ_ITERATIONS iterations"
		timeout=$((300 + DPFUZZ_ITERATIONS / 20))
		args=(umltest=dpfuzz DPFUZZ_SEED="$DPFUZZ_SEED" DPFUZZ_ITERATIONS="$DPFUZZ_ITERATIONS")
		;;
	*) echo "stub-fuzz: no fuzzer $fz (fuzz, dpfuzz)" >&2; exit 1 ;;
	esac
	log=$RESULTS/$name-$cell.log tap=$RESULTS/$name-$cell.tap
	start=$(date +%s)
	"$here/scripts/boot.sh" --timeout $timeout --cpus $cpus \
		"$kernel" "$dir/guest" "$log" STUB_HARDEN=on "${args[@]}"
	rc=$?
	{
		echo "TAP version 13"
		echo "# $name $cell: seed $seed, $count, kernel $kernel ($(date -r "$kernel" '+%F %T'), $(sha1sum <"$kernel" | cut -c1-12))"
		sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep '^# ' | grep -v '^# [0-9]* passed'
		n=0 pass=0
		while read -r line; do
			n=$((n + 1))
			case $line in
			ok*) pass=$((pass + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
			*) echo "not ok $n ${line#not ok [0-9]* }" ;;
			esac
		done < <(sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | tr -d '\r' | grep -E '^(not )?ok [0-9]+ ')
		[ $n -gt 0 ] || { n=1; echo "not ok 1 ${prog}_ran # no TAP in $log"; }
		n=$((n + 1))
		crash=$(crash_line "$log")
		if [ -z "$crash" ]; then
			pass=$((pass + 1))
			echo "ok $n no_kernel_crash"
		else
			echo "not ok $n no_kernel_crash # $crash"
		fi
		n=$((n + 1))
		if [ $rc = 0 ]; then
			pass=$((pass + 1))
			echo "ok $n the_guest_ends_normally # end marker seen, $(grep -o 'UMLTEST-END.*' "$log" | tr -d '\r')"
		else
			echo "not ok $n the_guest_ends_normally # boot.sh said $rc ($(grep '^# HANG' "$log"))"
		fi
		echo "1..$n"
		echo "# $pass passed, $((n - pass)) failed"
	} >"$tap"
	grep -q '^not ok' "$tap" && failed=$((failed + 1))
	echo "== $name $cell ($(( $(date +%s) - start )) s): $tap" >&2
	grep -E '^# (summary|counts|kills|kernel log|heartbeat|MISMATCH|NOT-EPERM|LEAK|WRONG|[0-9]+ calls the)|^(not )?ok|passed' "$tap" >&2
	done
done
[ $failed = 0 ]
