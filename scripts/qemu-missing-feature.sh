#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A host that lacks what stub validation needs, simulated natively (no
# QEMU): every Debian host kernel has it (seccomp listeners with
# TSYNC_ESRCH: 5.7, pidfd_getfd(): 5.6), so an LD_PRELOAD shim
# (qemu-no-pidfd-getfd.c, built here) makes UML's pidfd_getfd() fail with
# ENOSYS. Checks what the series promises: seccomp=auto falls back to
# ptrace userspace (UP) and says what is missing, seccomp=on stops with an
# error naming it (non-zero exit, no hang), seccomp_harden=off boots in
# SECCOMP mode. Writes TAP to OUT.
#
#   qemu-missing-feature.sh UP_KERNEL SMP_KERNEL ROOT OUT [--timeout S]
#
# The kernels are the validation-on cells (up-on, smp-on), ROOT a guest
# root from make-guest-root.sh; the console logs go beside OUT, into
# OUT-without-.tap.logs/.
set -uo pipefail

[ $# -ge 4 ] || { echo "usage: qemu-missing-feature.sh UP_KERNEL SMP_KERNEL ROOT OUT [--timeout S]" >&2; exit 1; }
up=$1 smp=$2 root=$3 out=$4; shift 4
timeout=180
[ "${1:-}" = --timeout ] && timeout=$2
here=$(cd "$(dirname "$0")" && pwd)
logs=${out%.tap}.logs
rm -rf "$logs"
mkdir -p "$logs"
tmp=$(mktemp -d /dev/shm/umlsec-nofeat.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

lines=()
check() { lines+=("$1|$2"); }  # CASE NAME, 0 for ok
shim=$tmp/no-pidfd-getfd.so
gcc -shared -fPIC -O2 -Wall -Wextra -o "$shim" "$here/qemu-no-pidfd-getfd.c" -ldl 2>"$logs/shim.log"
check "the LD_PRELOAD shim that fails pidfd_getfd() with ENOSYS builds" $?

# boot NAME KERNEL [SHIM] ARG...: the console in $logs/NAME.log, the exit
# status in $rc (137: killed after $timeout s).
boot() {
	local name=$1 kernel=$2 preload=$3 mem
	shift 3
	mem=$(mktemp -d "$tmp/mem.XXXXXX")
	# No "quiet": it silences what UML says about the host's features.
	TMPDIR=$mem LD_PRELOAD=$preload timeout -s KILL "$timeout" "$kernel" mem=512M \
		rootfstype=hostfs hostfs="$(realpath "$root")" rw init=/init con=null \
		con0=fd:0,fd:1 loglevel=4 "$@" </dev/null >"$logs/$name.log" 2>&1
	rc=$?
	rm -rf "$mem"
}
has() { grep -qF -- "$2" "$logs/$1.log"; }
ran_ok() { has "$1" "UMLTEST-END" && grep -q '^ok 1 stub_regress' "$logs/$1.log"; }
missing="missing pidfd_getfd()"

# Control: the same boot without the shim validates.
boot control "$up" "" seccomp=on umltest=suite SUITE_PROGS=stub_regress
has control "Checking that the host supports stub validation...OK"
check "control, no shim, seccomp=on UP: the host passes the validation probe" $?

boot auto-up "$up" "$shim" seccomp=auto umltest=suite SUITE_PROGS=stub_regress
has auto-up "$missing" && has auto-up "Falling back to ptrace userspace"
check "seccomp=auto UP: says '$missing (Linux 5.6)' and falls back to ptrace userspace" $?
has auto-up "Checking syscall emulation for ptrace...OK" && ran_ok auto-up
check "seccomp=auto UP: the guest runs stub_regress in ptrace mode (exit $rc)" $?

boot on-up "$up" "$shim" seccomp=on umltest=suite
[ $rc != 0 ] && [ $rc != 137 ] && has on-up "$missing" &&
	has on-up "SECCOMP with stub validation needs pidfd_getfd()" && ! has on-up UMLTEST-BEGIN
check "seccomp=on UP: stops with an error naming pidfd_getfd() (exit $rc, no hang, no guest)" $?

boot on-smp "$smp" "$shim" seccomp=on ncpus=2 umltest=suite
[ $rc != 0 ] && [ $rc != 137 ] && has on-smp "SECCOMP with stub validation needs pidfd_getfd()" &&
	! has on-smp UMLTEST-BEGIN
check "seccomp=on SMP: stops with an error naming pidfd_getfd() (exit $rc, no hang, no guest)" $?

boot auto-smp "$smp" "$shim" seccomp=auto ncpus=2 umltest=suite
[ $rc != 0 ] && [ $rc != 137 ] && has auto-smp "$missing" &&
	has auto-smp "SMP is not supported with PTRACE userspace" && ! has auto-smp UMLTEST-BEGIN
check "seccomp=auto SMP: names what is missing, stops as SMP needs SECCOMP (exit $rc, no hang)" $?

boot off-up "$up" "$shim" seccomp=on seccomp_harden=off umltest=suite SUITE_PROGS=stub_regress
has off-up "Stub validation disabled (seccomp_harden=off)" &&
	has off-up "Checking that seccomp filters can be installed...OK" &&
	! has off-up "Checking syscall emulation for ptrace" && ! has off-up "$missing"
check "seccomp_harden=off seccomp=on UP: boots in SECCOMP mode without the probe" $?
ran_ok off-up
check "seccomp_harden=off seccomp=on UP: the guest runs stub_regress (exit $rc)" $?

boot off-smp "$smp" "$shim" seccomp=on ncpus=2 seccomp_harden=off umltest=suite SUITE_PROGS=stub_regress
has off-smp "Stub validation disabled (seccomp_harden=off)" && ran_ok off-smp
check "seccomp_harden=off seccomp=on SMP: boots in SECCOMP mode and runs stub_regress (exit $rc)" $?

{
	echo "TAP version 13"
	echo "1..${#lines[@]}"
	i=0
	for l in "${lines[@]}"; do
		i=$((i + 1))
		if [ "${l##*|}" = 0 ]; then echo "ok $i ${l%|*}"; else echo "not ok $i ${l%|*}"; fi
	done
	for l in auto-up on-up on-smp auto-smp; do
		grep -hE "missing|needs|Falling back|not supported" "$logs/$l.log" | sed "s/^/# $l: /"
	done
} >"$out"
! grep -q '^not ok' "$out"
