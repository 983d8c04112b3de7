#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series on several HOST kernels: boot Debian's 6.1 (bookworm), 6.12
# (trixie) and newest 7.x (sid) kernels under QEMU (TCG, no KVM needed),
# run the UML cells {UP, SMP ncpus=2} x {hardened stub on, off} with the
# test suite inside each, and write TAP per (host kernel, cell) for umq
# report. The hardened stub (v3) needs nothing of the host beyond what
# seccomp mode needs (seccomp filters; UML checks that at boot), so there
# is no host feature to fake here; and it has no boot parameter (no stall
# bound to set: the stall kill's timing is fixed).
#
#   qemu-check.sh [--kernels 6.1,6.12,7] [--results DIR] [--timeout S]
#                 [--cell-timeout S] [--cells up-on,smp-on,up-off,smp-off]
#                 [--kernel CELL=PATH]... [--guest ROOT]
#
# --kernels       host kernels (qemu-host-kernel.sh: fetched once, cached in
#                 ~/.cache/uml-seccomp/hostkernels)
# --results DIR   default results/qemu; per host kernel K and cell C:
#                 qemu-K-C.tap (the suite's nested TAP, "# HANG: <case>"
#                 appended when it hung), qemu-K-C.log (its UML console),
#                 qemu-K.console (all of QEMU's serial console); and
#                 qemu-host-features.tap (per host: UML's seccomp check,
#                 and the hardened stub's boot line in the on cells),
#                 qemu-summary.txt (the table printed at the end)
# --timeout S     host-side limit for one QEMU run (default: cells x
#                 cell timeout + 300); a hang is a named failure
# --cell-timeout  in-guest limit for one UML cell (default 600)
# --kernel C=PATH the UML kernel of cell C (default $WORK/build/C/linux)
# --guest ROOT    a guest root with the test programs (default: one made
#                 from $WORK/selftests, built there if missing: stub_attack,
#                 stub_regress, stub_forge, stub_stale)
#
# Exit status 0 if every case passed (or was skipped), 1 otherwise.
set -uo pipefail

die() { echo "qemu-check: $*" >&2; exit 1; }
say() { echo "qemu-check: $*" >&2; }

here=$(cd "$(dirname "$0")/.." && pwd)
: "${WORK:=$HOME/.cache/uml-seccomp/work}"
kernels=6.1,6.12,7 results=$here/results/qemu timeout= cell_timeout=600
cells=up-on,smp-on,up-off,smp-off guest=
declare -A kpath=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) kernels=${2:?}; shift 2 ;;
	--results) results=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--cell-timeout) cell_timeout=${2:?}; shift 2 ;;
	--cells) cells=${2:?}; shift 2 ;;
	--kernel) kpath[${2%%=*}]=${2#*=}; shift 2 ;;
	--guest) guest=${2:?}; shift 2 ;;
	-h|--help) sed -n '3,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
IFS=, read -ra hosts <<<"$kernels"
IFS=, read -ra cell_list <<<"$cells"
[ -n "$timeout" ] || timeout=$(( ${#cell_list[@]} * cell_timeout + 300 ))
[ "$cell_timeout" -le "$timeout" ] || cell_timeout=$timeout
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
mkdir -p "$results" "$WORK/qemu"
results=$(realpath "$results")

# The UML kernels of the cells; a missing one is a failed cell.
run_cells=()
for c in "${cell_list[@]}"; do
	[ -n "${kpath[$c]:-}" ] || kpath[$c]=$WORK/build/$c/linux
	if [ -x "${kpath[$c]}" ]; then
		run_cells+=("$c")
	else
		say "no UML kernel for $c (${kpath[$c]})"
	fi
done

# The guest root: the static test programs, busybox, the guest scripts.
suite_progs="stub_attack stub_regress stub_forge stub_stale"
if [ -z "$guest" ]; then
	progs=$WORK/selftests
	for p in $suite_progs; do
		[ -x "$progs/$p" ] || progs=$WORK/qemu/selftests
	done
	if [ "$progs" = "$WORK/qemu/selftests" ]; then
		tree=$("$here/scripts/fetch-base.sh") || die "no Linux tree for the selftests' harness"
		make -s -C "$here/selftests/um/seccomp_stub" TREE="$tree" OUTPUT="$progs" >&2 ||
			die "the selftests do not build"
	fi
	guest=$WORK/qemu/guest
	"$here/scripts/make-guest-root.sh" "$guest" $(printf "$progs/%s " $suite_progs) >/dev/null ||
		die "cannot make the guest root"
fi
[ -x "$guest/tests/qemu-suite" ] || die "$guest: no tests/qemu-suite (make it with make-guest-root.sh)"

# One initramfs for every host kernel.
initrd=$WORK/qemu/initrd.gz
if [ ${#run_cells[@]} -gt 0 ]; then
	specs=()
	for c in "${run_cells[@]}"; do specs+=("$c=${kpath[$c]}"); done
	"$here/scripts/qemu-initramfs.sh" "$initrd" "$guest" "${specs[@]}" >/dev/null ||
		die "cannot make the initramfs"
fi

# TAP for a cell that did not run: NAME REASON
not_run() {
	printf 'TAP version 13\n1..1\nnot ok 1 the cell ran (%s)\n' "$2" >"$1"
}

# pass/fail/skip of a suite TAP file (leaf cases; a failing program whose
# cases all passed, or a hang, counts once more as a failure)
tally() {
	awk '
		/^# ok / { if (/# SKIP/) s++; else p++; next }
		/^# not ok / { f++; nested_fail = 1; next }
		/^not ok / { if (!nested_fail) f++; nested_fail = 0; next }
		/^ok / { nested_fail = 0; next }
		/^# HANG:/ { f++; hang = 1 }
		END { printf "%d/%d/%d%s", p, f, s, hang ? " HANG" : "" }' "$1"
}

declare -A table=() features=() walls=() versions=()
feature_lines=()
worst=0
for k in "${hosts[@]}"; do
	start=$(date +%s)
	console=$results/qemu-$k.console
	rm -f "$results/qemu-$k-"*.tap "$results/qemu-$k-"*.log "$console"
	if ! read -r vmlinuz version pkg < <("$here/scripts/qemu-host-kernel.sh" "$k"); then
		for c in "${cell_list[@]}"; do
			not_run "$results/qemu-$k-$c.tap" "host kernel $k could not be fetched"
			table[$k,$c]="no host kernel"
		done
		feature_lines+=("1|host $k: the Debian kernel could be fetched")
		walls[$k]=$(( $(date +%s) - start ))
		worst=1
		continue
	fi
	versions[$k]=$version
	say "host $k ($version): ${run_cells[*]:-no cells} under QEMU (TCG), limit ${timeout}s"
	if [ ${#run_cells[@]} -gt 0 ]; then
		qcells=$(IFS=,; echo "${run_cells[*]}")
		# TCG in one thread: the two vCPUs still interleave, the other
		# host core stays free; -cpu max gives UML the XSAVE it needs.
		# (in a subshell: no "Killed" notice from bash on a timeout)
		qrc=$( (timeout -s KILL "$timeout" qemu-system-x86_64 -M q35 -accel tcg,thread=single \
			-cpu max -m 2G -smp 2 -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" \
			-append "console=ttyS0 quiet loglevel=1 panic=-1 qcells=$qcells qcelltimeout=$cell_timeout" \
			</dev/null 2>&1 | tr -d '\r' >"$console"; echo "${PIPESTATUS[0]}") 2>/dev/null)
	else
		: >"$console"
		qrc=0
	fi
	walls[$k]=$(( $(date +%s) - start ))

	for c in "${cell_list[@]}"; do
		tap=$results/qemu-$k-$c.tap log=$results/qemu-$k-$c.log
		if [ -z "${kpath[$c]:-}" ] || ! [ -x "${kpath[$c]}" ]; then
			not_run "$tap" "no UML kernel ${kpath[$c]}"
			table[$k,$c]="no kernel"
			continue
		fi
		if grep -q "^QEMU-CELL-END $c " "$console"; then
			sed -n "/^QEMU-CELL-BEGIN $c\$/,/^QEMU-CELL-END $c /p" "$console" | sed '1d;$d' >"$log"
			end=$(grep "^QEMU-CELL-END $c " "$console")
			rc=$(sed -n 's/.* rc=\([0-9]*\).*/\1/p' <<<"$end")
			secs=$(sed -n 's/.* secs=\([0-9]*\).*/\1/p' <<<"$end")
			sed -n '/^UMLTEST-BEGIN/,/^UMLTEST-END/p' "$log" | grep -v '^UMLTEST-' >"$tap"
			if [ "$rc" = 137 ]; then
				case=$(grep -oE 'RUN +[^ ]+' "$log" | tail -1 | awk '{print $2}')
				echo "# HANG: ${case:-boot} (no end after ${cell_timeout}s, host $k under QEMU)" >>"$tap"
			elif ! grep -q '^UMLTEST-END' "$log"; then
				echo "# HANG: boot (the guest ended without its end marker, exit $rc, see $log)" >>"$tap"
			fi
			table[$k,$c]="$(tally "$tap") ${secs}s"
		elif grep -q "^QEMU-CELL-START $c\$" "$console"; then
			# QEMU itself hung or died in this cell.
			: >"$log"
			if [ "$qrc" = 137 ]; then
				echo "# HANG: $c (QEMU on host $k killed after ${timeout}s during this cell)" >"$tap"
			else
				echo "# HANG: $c (QEMU on host $k ended during this cell, exit $qrc)" >"$tap"
			fi
			table[$k,$c]="HANG"
		else
			not_run "$tap" "QEMU on host $k ended before this cell (exit $qrc, see $console)"
			table[$k,$c]="not run"
		fi
	done

	# What UML found on this host: its seccomp check (all the hardened
	# stub needs), and the hardened stub's boot line in the on cells
	# (KERN_INFO: the suite prints it from the kernel log, "# kernel:").
	seccomp=$(grep -h "Checking that seccomp filters can be installed\.\.\." \
		"$results"/qemu-"$k"-*.log 2>/dev/null | sort -u | sed 's/.*installed\.\.\.//' | head -1)
	on_cells=0 on_lines=0
	for c in "${run_cells[@]}"; do
		[ "${c#*-}" = on ] || continue
		on_cells=$((on_cells + 1))
		grep -q '^# kernel: uml-stub: seccomp userspace, hardened stub: on' \
			"$results/qemu-$k-$c.tap" 2>/dev/null && on_lines=$((on_lines + 1))
	done
	features[$k]="seccomp ${seccomp:-?}, hardened stub line in $on_lines of $on_cells on cells"
	case $seccomp in
	OK*) feature_lines+=("0|host $k ($version): UML's seccomp check says ${seccomp}") ;;
	*) feature_lines+=("1|host $k ($version): UML's seccomp check says OK # ${seccomp:-no such line in the logs}") ;;
	esac
	if [ "$on_lines" = "$on_cells" ]; then
		feature_lines+=("0|host $k ($version): the hardened stub's boot line in each of the $on_cells on cells")
	else
		feature_lines+=("1|host $k ($version): the hardened stub's boot line in each on cell # in $on_lines of $on_cells")
	fi
	say "host $k: ${walls[$k]}s, ${features[$k]}"
done

{
	echo "TAP version 13"
	echo "1..${#feature_lines[@]}"
	i=0
	for l in "${feature_lines[@]}"; do
		i=$((i + 1))
		if [ "${l%%|*}" = 0 ]; then echo "ok $i ${l#*|}"; else echo "not ok $i ${l#*|}"; fi
	done
} >"$results/qemu-host-features.tap"

# The table: host kernel x {UP, SMP} x {on, off}, pass/fail/skip per cell.
{
	echo "UML series on host kernels under QEMU (cells: pass/fail/skip, wall time of the cell)"
	printf '%-26s' "host kernel"
	for c in "${cell_list[@]}"; do
		cpu=${c%-*}; printf '  %-16s' "${cpu^^} ${c#*-}"
	done
	printf '  %6s  %s\n' wall "features"
	for k in "${hosts[@]}"; do
		printf '%-26s' "$k (${versions[$k]:-?})"
		for c in "${cell_list[@]}"; do printf '  %-16s' "${table[$k,$c]:-?}"; done
		printf '  %5ss  %s\n' "${walls[$k]:-?}" "${features[$k]:-?}"
	done
} | tee "$results/qemu-summary.txt" >&2

for k in "${hosts[@]}"; do
	for c in "${cell_list[@]}"; do
		f=$results/qemu-$k-$c.tap
		grep -qE '^(not ok|# not ok|# HANG:)' "$f" && worst=1
	done
done
grep -q '^not ok' "$results/qemu-host-features.tap" && worst=1
exit $worst
