#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make soak`: the SMP kernel with validation (ncpus=2) runs mixed churn
# (selftests/um/guest/soak) for SOAK_MINUTES (default 10) while the host's
# cores are oversubscribed 4 times with busy loops. Every minute the host
# samples the UML processes: the main one (VmRSS, threads, open fds), its
# helper processes and the stubs (separate host processes, named
# uml-userspace). At the end: no denial, no kill, no data mismatch in the
# guest; the last minute's RSS at most 10% above the 2nd minute's; the fd
# count stable. Summary, "N passed, N failed"; TAP in results/soak.tap.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
: "${SOAK_MINUTES:=10}" "${SOAK_LOAD:=4}"
tree=${TREE:-${UMLSEC_CACHE:-${CACHE:-$HOME/.cache/uml-seccomp}}/linux-7.3.4}
kernel=${SOAK_KERNEL:-$WORK/build/smp-on/linux}
[ -x "$kernel" ] || { echo "soak: no kernel at $kernel (make check builds it, or set SOAK_KERNEL)" >&2; exit 1; }
dir=$WORK/soak
log=$RESULTS/soak.log tap=$RESULTS/soak.tap
mkdir -p "$dir" "$RESULTS"

make -s -C "$here/selftests/um/seccomp_stub" TREE="$tree" OUTPUT="$dir/bin" >&2 ||
	{ echo "soak: the test programs do not build" >&2; exit 1; }
"$here/scripts/make-guest-root.sh" "$dir/guest" "$dir"/bin/stub_regress >/dev/null || exit 1

hogs=()
cleanup() { [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; }
trap cleanup EXIT
for _ in $(seq $((SOAK_LOAD * $(nproc)))); do
	sh -c 'while :; do :; done' &
	hogs+=($!)
done

echo "soak: $kernel, ncpus=2, $SOAK_MINUTES min, host load ${SOAK_LOAD}x$(nproc) busy loops" >&2
"$here/scripts/boot.sh" --timeout $((SOAK_MINUTES * 60 + 300)) --cpus 2 "$kernel" \
	"$dir/guest" "$log" umltest=soak STUB_HARDEN=on SOAK_MINUTES="$SOAK_MINUTES" &
boot=$!

children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
descendants() { local c; for c in $(children "$1"); do echo "$c"; descendants "$c"; done; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' /proc/"$1"/status 2>/dev/null; }
nfds() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }

# The main UML process: the kernel binary under boot.sh's timeout.
main=
for _ in $(seq 100); do
	for p in $(descendants $boot); do
		if [ "$(readlink /proc/"$p"/exe 2>/dev/null)" = "$(realpath "$kernel")" ] &&
		   [ "$(cat /proc/"$p"/comm 2>/dev/null)" != uml-userspace ]; then
			main=$p; break 2
		fi
	done
	sleep 0.1
done
[ -n "$main" ] || echo "soak: cannot find the UML process" >&2

# One look at the UML processes: "rss anon threads base perstub hostfs
# stubs stubrss stubfds helpers". The main process' fds are split into
# the stubs' (socket and seccomp listener, two per stub), the guest's open
# hostfs files, and the rest (base), which must not change.
root=$(realpath "$dir/guest")
look() {
	local rss anon thr base=0 per=0 hfs=0 sn=0 srss=0 sfds=0 hn=0 p t
	rss=$(kb "$main" VmRSS) anon=$(kb "$main" RssAnon) thr=$(kb "$main" Threads)
	[ -n "$rss" ] || return 1
	for p in /proc/"$main"/fd/*; do
		t=$(readlink "$p" 2>/dev/null) || continue
		case $t in
		socket:*|anon_inode:*notify*) per=$((per + 1)) ;;
		"$root"/*) hfs=$((hfs + 1)) ;;
		*) base=$((base + 1)) ;;
		esac
	done
	for p in $(descendants "$main"); do
		if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = uml-userspace ]; then
			sn=$((sn + 1)) srss=$((srss + $(kb "$p" VmRSS || echo 0))) sfds=$((sfds + $(nfds "$p")))
		else
			hn=$((hn + 1))
		fi
	done
	echo "$rss $anon $thr $base $per $hfs $sn $srss $sfds $hn"
}

# Per minute: the peak of VmRSS and RssAnon over looks every 5 s (the
# guest's working set comes and goes with the churn), the base fds, the
# most stub fds above two per live stub, and the last look.
samples=()
minute_max_rss=0 minute_max_anon=0 minute_base=0 minute_excess=-99
# The guest also holds still for 15 s before and after the churn
# ("SOAK-QUIET start/end"): the fds then, with the same few processes
# alive, must be the same.
quiet_start= quiet_end=
start=$(date +%s) minute=0
while kill -0 $boot 2>/dev/null; do
	sleep 5
	l=$(look) || continue
	if [ -z "$quiet_start" ] && grep -q '^SOAK-QUIET start' "$log"; then
		quiet_start=$(nfds "$main")
		echo "soak: quiet before the churn: $quiet_start fds ($l)" >&2
	fi
	if [ -z "$quiet_end" ] && grep -q '^SOAK-QUIET end' "$log"; then
		quiet_end=$(nfds "$main")
		echo "soak: quiet after the churn: $quiet_end fds ($l)" >&2
	fi
	read -r rss anon thr base per hfs sn srss sfds hn <<<"$l"
	[ "$rss" -gt $minute_max_rss ] && minute_max_rss=$rss
	[ "$anon" -gt $minute_max_anon ] && minute_max_anon=$anon
	[ "$base" -gt $minute_base ] && minute_base=$base
	[ $((per - 2 * sn)) -gt $minute_excess ] && minute_excess=$((per - 2 * sn))
	if [ $(( $(date +%s) - start )) -ge $(( (minute + 1) * 60 )) ] && [ $minute -lt "$SOAK_MINUTES" ]; then
		minute=$((minute + 1))
		samples+=("$minute $minute_max_rss $minute_max_anon $minute_base $minute_excess $thr $sn $srss $sfds $hn $per $hfs")
		printf 'soak minute %2d: uml %s: VmRSS peak %s kB (RssAnon peak %s kB), %s threads; fds: %s base, %s stub (%s stubs, %+d), %s hostfs; stubs: %s kB, %s fds; %s other children\n' \
			"$minute" "$main" "$minute_max_rss" "$minute_max_anon" "$thr" "$minute_base" \
			"$per" "$sn" "$minute_excess" "$hfs" "$srss" "$sfds" "$hn" >&2
		minute_max_rss=0 minute_max_anon=0 minute_base=0 minute_excess=-99
	fi
done
wait $boot
rc=$?
cleanup; hogs=()

result=$(grep -o 'SOAK-RESULT.*' "$log" | tail -1)
val() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$result"; }
n=0 pass=0
lines=()
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then pass=$((pass + 1)); lines+=("ok $n $1"); else lines+=("not ok $n $1"); fi
}
check "the guest runs ${SOAK_MINUTES} min and ends normally # boot.sh said $rc" \
	"$([ $rc = 0 ] && [ -n "$result" ]; echo $?)"
check "no stub call refused # denials=$(val denials)" "$([ "$(val denials)" = 0 ]; echo $?)"
check "no stub killed # kills=$(val kills)" "$([ "$(val kills)" = 0 ]; echo $?)"
check "no data mismatch, every regression round passes # mismatches=$(val mismatches), regress failures=$(val regress_failures) of $(val regress_rounds) rounds" \
	"$([ "$(val mismatches)" = 0 ] && [ "$(val regress_failures)" = 0 ] && [ "${result:+x}" ]; echo $?)"
if [ ${#samples[@]} -ge 3 ]; then
	read -r _ rss2 _ base2 _ <<<"${samples[1]}"
	read -r ml rssl _ basel _ <<<"${samples[-1]}"
	limit=$((rss2 * 110 / 100)) excess=0
	for s in "${samples[@]}"; do
		set -- $s
		[ "$5" -gt $excess ] && excess=$5
	done
	check "the UML process' RSS does not keep growing # peak VmRSS minute 2: $rss2 kB, minute $ml: $rssl kB (limit $limit)" \
		"$([ "$rssl" -le "$limit" ]; echo $?)"
	check "the UML process' fd count is stable # quiet before/after the churn: ${quiet_start:-?}/${quiet_end:-?} fds; base fds minute 2: $base2, minute $ml: $basel; stub fds above 2 per live stub: at most $excess" \
		"$([ -n "$quiet_start" ] && [ -n "$quiet_end" ] && [ "$quiet_end" -le "$quiet_start" ] && [ "$basel" -le "$base2" ]; echo $?)"
else
	check "the UML process' RSS does not keep growing # fewer than 3 samples" 1
	check "the UML process' fd count is stable # fewer than 3 samples" 1
fi
{
	echo "TAP version 13"
	echo "1..$n"
	echo "# soak: $SOAK_MINUTES min, $kernel, ncpus=2, host load ${SOAK_LOAD}x"
	echo "# $result"
	for s in "${samples[@]}"; do
		set -- $s
		echo "# minute $1: VmRSS peak $2 kB, RssAnon peak $3 kB, $6 threads; fds $4 base + ${11} stub ($7 stubs, excess $5) + ${12} hostfs; stubs $8 kB, $9 fds; ${10} other children"
	done
	grep '^# \(regress\|pipe\|file\|seq\|log\)' "$log" | head -20
	printf '%s\n' "${lines[@]}"
	echo "# $pass passed, $((n - pass)) failed"
} >"$tap"
grep -v '^# minute' "$tap" | tail -n +3 >&2
[ $pass = $n ]
