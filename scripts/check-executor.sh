#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A machine-checked property of the hardened stub's trusted code: the
# executor (stub_executor .. stub_executor_end in the stub code page of a
# `linux` built with CONFIG_UML_SECCOMP_HARDEN) shares its address space
# with guest code, so it must use no stack and store nothing but the
# hand-off to the guest thread's resume word; and once it has written a
# batch's number to the kernel's socket, the kernel may fill that slot
# again, so it must not read the slot after that. Disassemble it and fail on
#   - push, pop, call, ret, enter, leave, or any operand naming %rsp/%rbp
#     (or their 32/16/8-bit parts),
#   - any instruction that writes memory, but one `movl $0x1,DISP(%r12)`
#     (r12 holds the batch page; the resume word is in the data pages
#     below it, so DISP is negative),
#   - a memory operand off %rbx (the slot) after the write() syscall in
#     program order (the loop's head, where rbx is set to the next slot,
#     comes before it).
#
#   check-executor.sh LINUX [TAP]          check a kernel, TAP to stdout/TAP
#   check-executor.sh --selftest           the checker on known-bad code
set -uo pipefail

# Read objdump -d lines on stdin; print one reason per violation.
violations() {
	awk '
	/^ *[0-9a-f]+:\t/ {
		sub(/^ *[0-9a-f]+:\t/, "")
		sub(/[ \t]*#.*$/, "")
		n = split($0, f, /[ \t]+/)
		op = f[1]; args = $0; sub(/^[^ \t]+[ \t]*/, "", args)
		insns++
		if (acked && args ~ /\(%rbx[,)]/)
			print "slot read after its acknowledgement: " $0
		if (op == "syscall" && nr == "$0x1")
			acked = 1
		if (op == "mov" && args ~ /,%eax$/)
			nr = args; sub(/,%eax$/, "", nr)
		if (op ~ /^(push|pop|call|ret|enter|leave|iret|lcall|lret)/)
			print "stack use: " $0
		else if (args ~ /%(rsp|esp|sp|spl|rbp|ebp|bp|bpl)([^a-z0-9]|$)/)
			print "stack register: " $0
		else if (args ~ /\)$/ && op !~ /^(cmp|test|lea|nop|bt|j|prefetch)/) {
			if (op == "movl" && args ~ /^\$0x1,-0x[0-9a-f]+\(%r12\)$/)
				stores++
			else
				print "store: " $0
		} else if (op ~ /^((movs|stos|cmps|scas|lods)[bwlq]?|xchg.*|cmpxchg.*|xadd.*|rep.*)$/)
			print "string or exchange op: " $0
	}
	END {
		if (insns == 0) print "no instructions between the symbols"
		if (stores != 1) print "expected exactly one hand-off store, found " stores + 0
	}'
}

if [ "${1:-}" = --selftest ]; then
	fail=0
	good=$'  10:\tmov    0x0(%r12),%eax\n  14:\tmovl   $0x1,-0xff0(%r12)\n  18:\tsyscall'
	for bad in $'  10:\tpush   %rbx' $'  10:\trep stos %rax,%es:(%rdi)' $'  10:\tmov    %rax,0x8(%rsp)' $'  10:\tmov    %eax,0x4(%r12)' \
		   $'  10:\tcall   *%rax' $'  10:\tmov    0x10(%rbp),%rax' $'  10:\tmovl   $0x2,-0xff0(%r12)' \
		   $'  10:\tmov    $0x1,%eax\n  15:\tsyscall\n  17:\ttestl  $0x2,0x4(%rbx)'; do
		if [ -z "$(printf '%s\n%s\n' "$good" "$bad" | violations)" ]; then
			echo "selftest: not caught: $bad"; fail=1
		fi
	done
	[ -z "$(printf '%s\n' "$good" | violations)" ] || { echo "selftest: good code refused"; fail=1; }
	[ -n "$(printf '' | violations)" ] || { echo "selftest: empty code accepted"; fail=1; }
	[ $fail = 0 ] && echo "selftest: ok"
	exit $fail
fi

[ $# -ge 1 ] || { echo "usage: check-executor.sh LINUX [TAP] | --selftest" >&2; exit 2; }
linux=$1 tap=${2:-/dev/stdout}
name="the executor uses no stack, stores only the hand-off and reads no slot it acknowledged"
emit() { printf 'TAP version 13\n1..1\n%s 1 %s\n' "$1" "$name" >"$tap"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /' >>"$tap"; }

[ -f "$linux" ] || { emit "not ok" "$linux: no such kernel"; exit 1; }
start=$(nm "$linux" | awk '$3 == "stub_executor" { print $1 }')
end=$(nm "$linux" | awk '$3 == "stub_executor_end" { print $1 }')
if [ -z "$start" ] || [ -z "$end" ]; then
	emit "not ok" "$linux has no stub_executor..stub_executor_end (built without CONFIG_UML_SECCOMP_HARDEN?)"
	exit 1
fi
dis=$(objdump -d --no-show-raw-insn --start-address=0x$start --stop-address=0x$end "$linux")
bad=$(printf '%s\n' "$dis" | violations)
count=$(printf '%s\n' "$dis" | grep -cE '^ *[0-9a-f]+:'$'\t')
if [ -n "$bad" ]; then
	emit "not ok" "$bad"
	exit 1
fi
emit "ok" "$count instructions checked (0x$start..0x$end)"
