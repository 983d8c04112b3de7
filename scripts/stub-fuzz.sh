#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the SMP and the UP kernel with validation and run the stub-gadget
# fuzzer (selftests/um/seccomp_stub/stub_fuzz.c) in each, one after the
# other; write results/stub-fuzz-<cell>.tap.
#
#   stub-fuzz.sh [CELL...]          (default: smp-on up-on)
#
# FUZZ_CALLS (default 10000) calls per run; FUZZ_SEED (default: random,
# printed) seeds both runs. Replay one run in a guest: stub_fuzz SEED CALLS.
# Kernels: $WORK/build/CELL/linux, as make check builds them.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
: "${FUZZ_CALLS:=10000}" "${FUZZ_SEED:=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
cells=("$@")
[ ${#cells[@]} -gt 0 ] || cells=(smp-on up-on)
tree=${TREE:-$HOME/.cache/uml-seccomp/linux-7.3.4}
dir=$WORK/stub-fuzz
mkdir -p "$dir" "$RESULTS"

echo "stub-fuzz: seed $FUZZ_SEED, $FUZZ_CALLS calls per run" >&2
make -s -C "$here/selftests/um/seccomp_stub" TREE="$tree" OUTPUT="$dir/bin" >&2 ||
	{ echo "stub-fuzz: the test programs do not build" >&2; exit 1; }
"$here/scripts/make-guest-root.sh" "$dir/guest" "$dir"/bin/stub_* >/dev/null || exit 1

failed=0
for cell in "${cells[@]}"; do
	kernel=$WORK/build/$cell/linux
	[ -x "$kernel" ] || { echo "stub-fuzz: no kernel at $kernel (make check builds it)" >&2; exit 1; }
	cpus=1; [ "${cell%%-*}" = smp ] && cpus=2
	log=$RESULTS/stub-fuzz-$cell.log tap=$RESULTS/stub-fuzz-$cell.tap
	start=$(date +%s)
	"$here/scripts/boot.sh" --timeout $((300 + FUZZ_CALLS / 10)) --cpus $cpus \
		"$kernel" "$dir/guest" "$log" umltest=fuzz STUB_HARDEN=on \
		FUZZ_SEED="$FUZZ_SEED" FUZZ_CALLS="$FUZZ_CALLS"
	rc=$?
	{
		echo "TAP version 13"
		echo "# stub-fuzz $cell: seed $FUZZ_SEED, $FUZZ_CALLS calls, kernel $kernel ($(date -r "$kernel" '+%F %T'), $(sha1sum <"$kernel" | cut -c1-12))"
		sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep '^# ' | grep -v '^# [0-9]* passed'
		n=0 pass=0
		while read -r line; do
			n=$((n + 1))
			case $line in
			ok*) pass=$((pass + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
			*) echo "not ok $n ${line#not ok [0-9]* }" ;;
			esac
		done < <(sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep -E '^(not )?ok [0-9]+ ')
		[ $n -gt 0 ] || { n=1; echo "not ok 1 stub_fuzz_ran # no TAP in $log"; }
		n=$((n + 1))
		if [ $rc = 0 ]; then
			pass=$((pass + 1))
			echo "ok $n the_guest_ends_normally # end marker seen, $(grep -o 'UMLTEST-END.*' "$log")"
		else
			echo "not ok $n the_guest_ends_normally # boot.sh said $rc ($(grep '^# HANG' "$log"))"
		fi
		echo "1..$n"
		echo "# $pass passed, $((n - pass)) failed"
	} >"$tap"
	grep -q '^not ok' "$tap" && failed=$((failed + 1))
	echo "== $cell ($(( $(date +%s) - start )) s): $tap" >&2
	grep -E '^# (summary|kills|kernel log|heartbeat|MISMATCH|NOT-EPERM|[0-9]+ calls the)|^(not )?ok|passed' "$tap" >&2
done
[ $failed = 0 ]
