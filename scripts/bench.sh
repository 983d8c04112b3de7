#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the variants (pristine base, series with the option
# off and on; ptrace mode is the "on" kernel booted with seccomp=off), UP
# and SMP, then run stub_bench in paired rounds (every variant once a
# round, the order rotated, plus the A/A control: the "off" kernel again
# under a second name), pinned to one host CPU, with the load guard (see
# scripts/bench.py).
#   BENCH_ROUNDS  rounds (default 15; 5 with BENCH_QUICK=1)
#   BENCH_SCALE   samples per boot, a multiplier (default 1)
#   BENCH_PINS    pinned (default), or pinned,unpinned
#   BENCH_QUICK=1 fewer rounds: wide intervals, and the output says so
#   BENCH_POLICY  batch (default): UML under SCHED_BATCH, so a woken host
#                 thread never preempts the one that woke it; or normal
#                 (SCHED_OTHER), where a woken vCPU may preempt a vCPU that
#                 holds a lock it needs (see README)
#   BENCH_COMPARE an earlier bench.json: this run is its repeat (see bench.py)
#   BENCH_ARGS    more bench.py options (e.g. --keep-busy --max-repeats 3)
# Results: results/bench/{bench.txt,bench.json,bench.gp,bench.png}.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
umq=$here/build/umq/umq
frag=$here/Kconfig.fragments

pristine=$(scripts/fetch-base.sh)
tree=$(scripts/prepare-tree.sh "$umq" "$pristine" "$WORK/tree" 2>/dev/null)
for cpu in up smp; do
	scripts/build-kernel.sh "$pristine" "$WORK/build/$cpu-pristine" "$frag/base.config" "$frag/$cpu.config" >&2
	for v in on off; do
		scripts/build-kernel.sh "$tree" "$WORK/build/$cpu-$v" "$frag/base.config" "$frag/$cpu.config" "$frag/harden-$v.config" >&2
	done
done
# -B: $WORK is shared by every checkout, and a binary another one built
# can be newer than this checkout's source
make -s -B -C selftests/um/seccomp_stub TREE="$pristine" OUTPUT="$WORK/selftests"
scripts/make-guest-root.sh "$WORK/guest-bench" "$WORK"/selftests/stub_* >/dev/null

echo "bench: host $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" >&2
args=(--kernels "$WORK/build" --guest "$WORK/guest-bench" --out "$RESULTS/bench"
      --scale "${BENCH_SCALE:-1}" --pins "${BENCH_PINS:-pinned}")
[ -n "${BENCH_ROUNDS:-}" ] && args+=(--rounds "$BENCH_ROUNDS")
[ "${BENCH_QUICK:-0}" = 1 ] && args+=(--quick)
[ -n "${BENCH_COMPARE:-}" ] && args+=(--compare "$BENCH_COMPARE")
[ -n "${BENCH_POLICY:-}" ] && args+=(--policy "$BENCH_POLICY")
# shellcheck disable=SC2206 # BENCH_ARGS is split into options on purpose
args+=(${BENCH_ARGS:-})
exec python3 scripts/bench.py "${args[@]}"
