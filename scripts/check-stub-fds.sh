#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the stub processes of a running UML guest hold, seen from the host.
#
#   check-stub-fds.sh [--harden on|off] [--cpus N] [--timeout S]
#                     [--kernel-arg ARG]... KERNEL ROOT OUT
#   check-stub-fds.sh [--harden on|off] --inspect PID[,PID...] OUT
#
# Boots KERNEL on the guest root ROOT (scripts/make-guest-root.sh, with
# stub_attack in it) with a guest program that holds still ("stub_attack
# hold"), then looks at every stub process (comm uml-userspace, a child
# of the UML kernel process) in /proc while it runs, and writes TAP to OUT
# (the console log goes to OUT with .log for .tap).
#
# --harden on (default; a kernel built with CONFIG_UML_SECCOMP_HARDEN):
#   two threads per stub. The guest thread (the one waiting on the
#   signal stack in the stub's second data page) holds no open fd; the
#   other, the executor, holds exactly the control socket and the
#   physical-memory file (the file the stub's code page is mapped from).
# --harden off (upstream): one thread, holding only fd 0, the socket.
# Finding no stub process fails. Each fd is shown as readlink sees it.
# --inspect: no boot, check these stub processes of a UML already running.
set -uo pipefail

usage="usage: check-stub-fds.sh [--harden on|off] [--cpus N] [--timeout S] [--kernel-arg ARG]... KERNEL ROOT OUT | [--harden on|off] --inspect PID[,PID...] OUT"
die() { echo "check-stub-fds: $*" >&2; exit 1; }
harden=on cpus=1 timeout=120 hold=8 kargs=() pos=() inspect=
while [ $# -gt 0 ]; do
	case $1 in
	--inspect) inspect=${2:-}; shift 2 ;;
	--harden) harden=${2:-}; shift 2 ;;
	--cpus) cpus=${2:-}; shift 2 ;;
	--timeout) timeout=${2:-}; shift 2 ;;
	--kernel-arg) kargs+=("${2:-}"); shift 2 ;;
	-*) die "unknown option $1 ($usage)" ;;
	*) pos+=("$1"); shift ;;
	esac
done
case $harden in on|off) ;; *) die "--harden: '$harden', expected on or off" ;; esac
if [ -n "$inspect" ]; then
	[ ${#pos[@]} = 1 ] || die "$usage"
	[[ $inspect =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--inspect: '$inspect' is not a list of pids"
	kernel="(running, --inspect)" out=${pos[0]}
else
	[ ${#pos[@]} = 3 ] || die "$usage"
	kernel=${pos[0]} root=${pos[1]} out=${pos[2]}
	[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "--cpus: '$cpus' is not a number of CPUs"
	[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: '$timeout' is not a number of seconds"
	[ -x "$kernel" ] || die "$kernel: no such kernel"
	[ -x "$root/bin/stub_attack" ] || die "$root: no bin/stub_attack in the guest root (scripts/make-guest-root.sh ROOT .../stub_*)"
	[ -x "$root/tests/suite" ] || die "$root: no tests/suite in the guest root"
	kernel_exe=$(realpath "$kernel")
fi
mkdir -p "$(dirname "$out")" || die "$out: cannot make its directory"
here=$(cd "$(dirname "$0")" && pwd)
log=${out%.tap}.log
[ "$log" = "$out" ] && log=$out.log

tap=() n=0 pass=0 fail=0 rows=()
result() {	# ok|not-ok NAME [COMMENT]
	local line
	if [ "$1" = ok ]; then pass=$((pass + 1)); line="ok"; else fail=$((fail + 1)); line="not ok"; fi
	n=$((n + 1))
	line="$line $n $2${3:+ # $3}"
	tap+=("$line")
	echo "$line" >&2
}
note() { tap+=("# $*"); echo "# $*" >&2; }
finish() {
	{
		echo "TAP version 13"
		echo "# check-stub-fds: harden $harden, $cpus CPU(s), kernel $kernel"
		printf '%s\n' "${tap[@]}"
		echo "1..$n"
		echo "# $pass passed, $fail failed"
	} >"$out"
	if [ ${#rows[@]} -gt 0 ]; then
		printf '%-8s %-8s %-9s %s\n' stub thread role fds >&2
		printf '%s\n' "${rows[@]}" >&2
	fi
	echo "check-stub-fds: $pass passed, $fail failed (TAP: $out)" >&2
	[ "$fail" = 0 ]
	exit
}

# --- each stub ---------------------------------------------------------------

# The stub's layout from its maps: the highest one-page r-x mapping right
# below a two-page rw mapping of the same file. Sets code and data (hex)
# and physmem: that file as "device:inode", the device encoded as stat -L
# %d prints it (glibc's makedev of the major:minor maps shows in hex).
stub_layout() {	# PID
	code= data= physmem=
	local prev_end= prev_perm= prev_dev= prev_ino= prev_start= s e perm dev ino
	while read -r range perm _ dev ino _; do
		s=${range%-*} e=${range#*-}
		if [ -n "$prev_start" ] && [ "$prev_end" = "$s" ] &&
		   [ "${prev_perm:0:3}" = r-x ] && [ "${perm:0:3}" = rw- ] &&
		   [ $((16#$prev_end - 16#$prev_start)) = 4096 ] &&
		   [ $((16#$e - 16#$s)) = 8192 ] && [ "$dev" = "$prev_dev" ] &&
		   [ "$ino" = "$prev_ino" ] && [ "$ino" != 0 ]; then
			code=$prev_start data=$s
			local ma=$((16#${dev%:*})) mi=$((16#${dev#*:}))
			physmem=$(( ((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) |
				    ((mi & 0xffffff00) << 12) | (mi & 0xff) )):$ino
		fi
		prev_start=$s prev_end=$e prev_perm=$perm prev_dev=$dev prev_ino=$ino
	done <"/proc/$1/maps"
	[ -n "$code" ]
}

# "N -> target" for each fd of a thread, one a line
thread_fds() {	# PID TID
	local f
	for f in /proc/"$1"/task/"$2"/fd/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		echo "${f##*/} -> $(readlink "$f")"
	done
}

# The role of thread TID of stub PID: guest (its stack pointer is on the
# signal stack, the stub's second data page), other, or unknown (running).
thread_role() {	# PID TID
	local line sp i
	for i in $(seq 20); do
		line=$(cat "/proc/$1/task/$2/syscall" 2>/dev/null)
		case $line in running|"") sleep 0.1; continue ;; esac
		set -- $line
		[ $# -ge 3 ] || { echo unknown; return; }
		sp=${*: -2:1}
		if (( sp >= 16#$data + 4096 && sp < 16#$data + 8192 )); then
			echo guest
		else
			echo other
		fi
		return
	done
	echo unknown
}

fds_of() { thread_fds "$@" | paste -sd, -; }
row() { rows+=("$(printf '%-8s %-8s %-9s %s' "$1" "$2" "$3" "${4:-none}")"); }

check_stub() {	# PID
	local p=$1 t r fds guest= executor= others=() roles= sockets=0 mem=0 other= f target
	local tids
	[ -d "/proc/$p" ] || { result not-ok "stub_${p}_is_still_there" "it ended while we looked"; return; }
	if ! stub_layout "$p"; then
		result not-ok "stub_${p}_layout_is_found" "no r-x page under two rw pages of one file in /proc/$p/maps"
		return
	fi
	tids=($(ls "/proc/$p/task"))
	note "stub $p: code at 0x$code, data at 0x$data, physical memory file $physmem, threads ${tids[*]}"
	for t in "${tids[@]}"; do
		note "  thread $t: $(cat "/proc/$p/task/$t/syscall" 2>/dev/null), $(grep SigBlk "/proc/$p/task/$t/status" 2>/dev/null | tr -s '\t' ' ')"
		while read -r l; do [ -n "$l" ] && note "    fd $l"; done < <(thread_fds "$p" "$t")
	done

	if [ "$harden" = off ]; then
		fds=$(fds_of "$p" "${tids[0]}")
		row "$p" "${tids[0]}" stub "$fds"
		if [ ${#tids[@]} = 1 ]; then
			result ok "stub_${p}_has_one_thread" "upstream"
		else
			result not-ok "stub_${p}_has_one_thread" "${#tids[@]} threads: ${tids[*]}"
		fi
		if [[ $fds =~ ^0\ -\>\ socket:\[[0-9]+\]$ ]]; then
			result ok "stub_${p}_holds_only_its_socket" "$fds"
		else
			result not-ok "stub_${p}_holds_only_its_socket" "fds: ${fds:-none}"
		fi
		return
	fi

	for t in "${tids[@]}"; do
		r=$(thread_role "$p" "$t")
		roles+=" $t:$r"
		case $r in
		guest) [ -z "$guest" ] && guest=$t || guest=several ;;
		*) others+=("$t") ;;
		esac
	done
	[ ${#others[@]} = 1 ] && [ "$(thread_role "$p" "${others[0]}")" = other ] &&
		executor=${others[0]}
	if [ ${#tids[@]} = 2 ] && [ -n "$guest" ] && [ "$guest" != several ] && [ -n "$executor" ]; then
		result ok "stub_${p}_has_a_guest_thread_and_an_executor" "guest $guest, executor $executor"
	else
		result not-ok "stub_${p}_has_a_guest_thread_and_an_executor" "${#tids[@]} thread(s), by the stack pointer (on the signal stack 0x$data+4096..8192: guest):$roles"
	fi

	if [ -n "$guest" ] && [ "$guest" != several ]; then
		fds=$(fds_of "$p" "$guest")
		row "$p" "$guest" guest "$fds"
		if [ -z "$fds" ]; then
			result ok "stub_${p}_guest_thread_holds_no_fd" "thread $guest"
		else
			result not-ok "stub_${p}_guest_thread_holds_no_fd" "thread $guest: $fds"
		fi
	fi
	[ -n "$executor" ] || return
	fds=$(fds_of "$p" "$executor")
	row "$p" "$executor" executor "$fds"
	for f in /proc/"$p"/task/"$executor"/fd/*; do
		[ -L "$f" ] || continue
		target=$(readlink "$f")
		if [[ $target =~ ^socket:\[[0-9]+\]$ ]]; then
			sockets=$((sockets + 1))
		elif [ "$(stat -L -c '%d:%i' "$f" 2>/dev/null)" = "$physmem" ]; then
			mem=$((mem + 1))
		else
			other+=" ${f##*/} -> $target"
		fi
	done
	if [ $sockets = 1 ] && [ $mem = 1 ] && [ -z "$other" ]; then
		result ok "stub_${p}_executor_holds_only_the_socket_and_physical_memory" "$fds"
	else
		result not-ok "stub_${p}_executor_holds_only_the_socket_and_physical_memory" "$sockets socket(s), $mem physical-memory fd(s), others:${other:- none}"
	fi
}

if [ -n "$inspect" ]; then
	for p in ${inspect//,/ }; do
		check_stub "$p"
	done
	finish
fi

# --- boot, and wait for the guest to hold still ----------------------------
# In a PID namespace of its own: a kernel that signals pid -1 (a stub's
# pid after it died, unchecked) reaches only its own processes.
rm -f "$log"
unshare --pid --fork --kill-child "$here/boot.sh" --timeout "$timeout" \
	--cpus "$cpus" "$kernel" "$root" "$log" \
	umltest=suite SUITE_PROGS=stub_attack SUITE_ARGS=hold STUB_HOLD_S=$hold \
	STUB_HARDEN="$harden" "${kargs[@]}" &
boot=$!
ready=
for _ in $(seq $((timeout * 4))); do
	ready=$(grep -m1 -o 'STUB-HOLD ready: pid [0-9]*' "$log" 2>/dev/null)
	[ -n "$ready" ] && break
	kill -0 "$boot" 2>/dev/null || break
	sleep 0.25
done

# The UML kernel process: the process under boot.sh running KERNEL whose
# parent does not (helper processes of the kernel are its children).
kernel_pid=
descendants() {	# PID: its descendants, depth first
	local c
	for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
if [ -n "$ready" ]; then
	for p in $(descendants "$boot"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$kernel_exe" ] || continue
		pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		[ "$(readlink "/proc/$pp/exe" 2>/dev/null)" = "$kernel_exe" ] && continue
		kernel_pid=$p
		break
	done
fi
if [ -n "$ready" ] && [ -n "$kernel_pid" ]; then
	result ok the_guest_holds_still "${ready#STUB-HOLD ready: }, UML kernel host pid $kernel_pid"
else
	result not-ok the_guest_holds_still "no 'STUB-HOLD ready' in $log or no kernel process (${ready:-no marker})"
	wait "$boot"
	finish
fi

stubs=()
for p in $(pgrep -P "$kernel_pid"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = uml-userspace ] && stubs+=("$p")
done
if [ ${#stubs[@]} -gt 0 ]; then
	result ok stub_processes_found "${#stubs[@]}: ${stubs[*]}"
else
	result not-ok stub_processes_found "no uml-userspace child of $kernel_pid"
fi

for p in "${stubs[@]}"; do
	check_stub "$p"
done

wait "$boot"
rc=$?
if [ $rc = 0 ]; then
	result ok the_guest_ends_normally "$(grep -o 'UMLTEST-END.*' "$log")"
else
	result not-ok the_guest_ends_normally "boot.sh said $rc ($(grep '^# HANG' "$log"))"
fi
finish
