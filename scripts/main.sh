#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make`: fetch the base tree, apply the series, build the SMP and UP
# kernels with the hardened stub, boot the SMP one with the test suite and
# print a short report. Every line of the report comes from something this
# run produced (the tree, the kernels, the guest's own kernel log, the
# suite's TAP); a line whose source is missing says so instead of failing.
# Exit status: that of the suite (0 when it passed), 1 if a step failed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
umq=$here/build/umq/umq
frag=$here/Kconfig.fragments
start=$(date +%s)
# A step that fails says which one it was; its own error is just above.
step=
trap 'rc=$?; [ $rc = 0 ] || [ -z "$step" ] || echo "make: FAILED (exit $rc) at step: $step" >&2' EXIT
say() { step=$1; echo "== $1" >&2; }

say "base tree"
pristine=$(scripts/fetch-base.sh)
say "series"
tree=$(scripts/prepare-tree.sh "$umq" "$pristine" "$WORK/tree")
say "kernels (logs: $WORK/build/{smp-on,up-on}/build.log)"
smp=$(scripts/build-kernel.sh "$tree" "$WORK/build/smp-on" "$frag/base.config" "$frag/smp.config" "$frag/harden-on.config")
up=$(scripts/build-kernel.sh "$tree" "$WORK/build/up-on" "$frag/base.config" "$frag/up.config" "$frag/harden-on.config")
say "guest"
# -B: $WORK is shared by every checkout, and a binary another one built
# can be newer than this checkout's source
make -s -B -C selftests/um/seccomp_stub TREE="$pristine" OUTPUT="$WORK/selftests"
scripts/make-guest-root.sh "$WORK/guest" "$WORK"/selftests/stub_* >/dev/null
say "boot (SMP, ncpus=2, seccomp=on, hardened stub)"
out=$RESULTS/main
rm -rf "$out"
scripts/run-cell.sh smp-on "$WORK/build/smp-on/linux" "$WORK/guest" "$out" --cpus 2 --harden on

# --- the report: nothing below may stop the script -------------------------
set +e
step=
log=$out/smp-on.log tap=$out/smp-on.tap

# "v3" from the cover letter's "[PATCH v3 0/7]", if there is one.
series_version() {
	local cover
	cover=$(ls patches/0000-*.patch 2>/dev/null | head -1)
	[ -n "$cover" ] || return 0
	sed -n 's/^Subject: \[PATCH \(v[0-9][0-9]*\) 0\/.*/\1/p' "$cover" | head -1
}
kernel_line() {  # PATH-AND-TIME LABEL
	local bin=${1%% *} took=${1##* }
	if [ -f "$bin" ]; then
		echo "$bin ($2, $(stat -c %s "$bin" | numfmt --to=iec), built in $took)"
	else
		echo "$2: missing ($bin)"
	fi
}
# The guest's own kernel log, printed by the suite before its first test
# (selftests/um/guest/suite): "# kernel: uml-stub: ...". A console option
# such as `quiet` does not hide these; an older kernel may print none.
host_lines() {
	local lines
	lines=$(sed -n 's/^# kernel: uml-stub: *//p' "$tap" 2>/dev/null)
	if [ -n "$lines" ]; then
		printf '%s\n' "$lines" | sed '2,$s/^/         /'
	elif grep -q '^# kernel:' "$tap" 2>/dev/null || grep -q '^# selftests:' "$tap" 2>/dev/null; then
		echo "hardened stub: not reported by this kernel (no \"uml-stub:\" line in its log)"
	else
		echo "hardened stub: unknown (the suite did not run; see $log)"
	fi
}
latency_line() {
	local ms
	ms=$(sed -n 's/^[# ]*kill latency: *\([0-9][0-9]*\) ms.*/\1/p' "$tap" 2>/dev/null)
	if [ -z "$ms" ]; then
		echo "SIGALRM kill latency not measured (no \"kill latency\" line in the suite's output)"
		return
	fi
	local n first min max
	n=$(wc -l <<<"$ms") first=$(head -1 <<<"$ms")
	min=$(sort -n <<<"$ms" | head -1) max=$(sort -n <<<"$ms" | tail -1)
	if [ "$n" = 1 ]; then
		echo "SIGALRM kill latency $first ms (a stub blocking SIGALRM, killed by the kernel)"
	else
		echo "SIGALRM kill latency $first ms (one attacker); $n kills in all, $min..$max ms"
	fi
}

version=$(series_version)
patches=$(grep -cvE '^\s*(#|$)' patches/series)
base=$(make -s -C "$pristine" kernelversion 2>/dev/null) || base="? ($pristine)"
state=$("$umq" status --tree "$tree" --queue patches 2>/dev/null | head -1)
suite=$("$umq" report --results "$out" 2>/dev/null)
suite_rc=$?
[ -f "$tap" ] || suite_rc=1
closing=$(tail -1 <<<"$suite")
[ -n "$closing" ] || closing="no result (no TAP in $out)"

echo
echo "Series:  $patches patches${version:+ ($version)} on Linux $base, ${state:-tree state unknown}"
echo "Kernels: $(kernel_line "$smp" SMP)"
echo "         $(kernel_line "$up" UP)"
echo "Host:    Linux $(uname -r); $(host_lines)"
echo "Suite:   $closing (SMP guest, ncpus=2, hardened stub)"
echo "Kill:    $(latency_line)"
echo "Logs:    $log (console), $tap (TAP), $out/report/junit.xml,"
echo "         $WORK/build/{smp-on,up-on}/build.log"
echo "Took $(( $(date +%s) - start ))s."
exit $suite_rc
