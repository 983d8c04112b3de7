#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interrupt `umq apply` at random moments and check that the tree is never
# left in between.
#
#   interrupt-check.sh [N]          (default 100 runs)
#
# On a hard-link copy of the pristine base (see check-umq-e2e.sh), N times:
# `umq apply`, slowed down between journaled file writes
# (UMQ_TEST_STEP_DELAY_MS, default 40), is killed with SIGKILL after a
# random time within its length; then `umq recover` (status only
# reports the interrupted run) must leave the tree pristine or fully
# applied, never in between (hash of every path and type plus the bytes
# of every file the series touches); `umq apply` must
# then apply it fully and `umq unapply --downto 0` give back the pristine
# hash for the next run. INTERRUPT_SEED makes the kill times repeatable.
# Counts (pristine, applied, between) and "N passed, N failed"; TAP in
# results/interrupt.tap.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
: "${UMQ_TEST_STEP_DELAY_MS:=40}" "${INTERRUPT_SEED:=$$}"
runs=${1:-100}
umq=$(realpath "${UMQ:-$here/build/umq/umq}")
[ -x "$umq" ] || { echo "interrupt-check: no umq at $umq (make umq)" >&2; exit 1; }
pristine=$("$here/scripts/fetch-base.sh") || exit 1
work=$WORK/interrupt tree=$WORK/interrupt/tree tap=$RESULTS/interrupt.tap
mkdir -p "$work" "$RESULTS"
# A snapshot of the queue: the series may be edited while this runs.
queue=$work/queue overlay=$work/overlay
rm -rf "$queue" "$overlay"
cp -r "$here/patches" "$queue" && cp -r "$here/arch-um-overlay" "$overlay" || exit 1
q=(--queue "$queue" --overlay "$overlay")
RANDOM=$INTERRUPT_SEED

# quick_hash DIR (scripts/tree-hash.sh)
. "$here/scripts/tree-hash.sh"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

rm -rf "$tree"
cp -al "$pristine" "$tree"
pristine_hash=$(quick_hash "$tree")
t0=$(now_ms)
UMQ_TEST_STEP_DELAY_MS=$UMQ_TEST_STEP_DELAY_MS "$umq" apply --tree "$tree" "${q[@]}" >"$work/apply.log" 2>&1 ||
	{ echo "interrupt-check: apply fails without interruption, see $work/apply.log" >&2; exit 1; }
span=$(( $(now_ms) - t0 ))
applied_hash=$(quick_hash "$tree")
"$umq" unapply --tree "$tree" "${q[@]}" --downto 0 >"$work/unapply.log" 2>&1
[ "$(quick_hash "$tree")" = "$pristine_hash" ] ||
	{ echo "interrupt-check: unapply does not give back the pristine tree" >&2; exit 1; }
echo "interrupt-check: $runs runs, a slowed apply takes $span ms, kill times seeded with $INTERRUPT_SEED" >&2

state_of() {
	case $1 in
	"$pristine_hash") echo pristine ;;
	"$applied_hash") echo applied ;;
	*) echo between ;;
	esac
}

n_pristine=0 n_applied=0 n_between=0 passed=0 failed=0 lines=()
for i in $(seq "$runs"); do
	delay=$(( (RANDOM * 32768 + RANDOM) % (span + span / 10 + 1) ))
	UMQ_TEST_STEP_DELAY_MS=$UMQ_TEST_STEP_DELAY_MS "$umq" apply --tree "$tree" "${q[@]}" \
		>"$work/run.log" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL $pid 2>/dev/null && killed=1 || killed=0
	wait $pid 2>/dev/null
	# status only reports an interrupted run; recover rolls it back or forward
	"$umq" status --tree "$tree" "${q[@]}" >"$work/status-$i.log" 2>&1
	"$umq" recover --tree "$tree" >>"$work/status-$i.log" 2>&1
	state=$(state_of "$(quick_hash "$tree")")
	"$umq" apply --tree "$tree" "${q[@]}" >"$work/reapply-$i.log" 2>&1
	reapply=$(state_of "$(quick_hash "$tree")")
	"$umq" unapply --tree "$tree" "${q[@]}" --downto 0 >"$work/reset-$i.log" 2>&1
	reset=$(state_of "$(quick_hash "$tree")")
	case $state in
	pristine) n_pristine=$((n_pristine + 1)) ;;
	applied) n_applied=$((n_applied + 1)) ;;
	*) n_between=$((n_between + 1)) ;;
	esac
	what="kill after $delay ms$([ $killed = 0 ] && echo ' (apply had ended)'): after recover $state, after apply $reapply, after unapply $reset"
	if [ "$state" != between ] && [ "$reapply" = applied ] && [ "$reset" = pristine ]; then
		passed=$((passed + 1)); lines+=("ok $i $what")
		rm -f "$work/status-$i.log" "$work/reapply-$i.log" "$work/reset-$i.log"
	else
		failed=$((failed + 1)); lines+=("not ok $i $what # logs: $work/*-$i.log")
		[ "$reset" = pristine ] || { rm -rf "$tree"; cp -al "$pristine" "$tree"; }
	fi
	[ $((i % 10)) = 0 ] && echo "interrupt-check: $i/$runs runs, $passed passed, $failed failed (pristine $n_pristine, applied $n_applied, between $n_between)" >&2
done

{
	echo "TAP version 13"
	echo "1..$runs"
	echo "# umq apply killed at random moments (seed $INTERRUPT_SEED, slowed apply $span ms, step delay ${UMQ_TEST_STEP_DELAY_MS} ms)"
	echo "# queue: $(cd "$queue" && cat series 0*.patch | sha1sum | cut -c1-12) (patches/ as of the start)"
	printf '%s\n' "${lines[@]}"
	echo "# after umq recover: pristine $n_pristine, applied $n_applied, between $n_between"
	echo "# $passed passed, $failed failed"
} >"$tap"
grep -E '^not ok|^# after|passed' "$tap" >&2
[ $failed = 0 ]
