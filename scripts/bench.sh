#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the variants (pristine base, series with validation
# off and on; ptrace mode is the "on" kernel booted with seccomp=off), UP
# and SMP, then run stub_bench in them interleaved, pinned to one host CPU
# and not. BENCH_ROUNDS (default 4: each variant once in each position),
# BENCH_SCALE (default 1) and BENCH_PINS (pinned,unpinned) set the effort.
# Results: results/bench/{bench.txt,bench.json,bench.png}.
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
make -s -C selftests/um/seccomp_stub TREE="$pristine" OUTPUT="$WORK/selftests"
scripts/make-guest-root.sh "$WORK/guest-bench" "$WORK"/selftests/stub_* >/dev/null

echo "bench: host $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" >&2
exec python3 scripts/bench.py --kernels "$WORK/build" --guest "$WORK/guest-bench" \
	--out "$RESULTS/bench" --rounds "${BENCH_ROUNDS:-4}" --scale "${BENCH_SCALE:-1}" \
	--pins "${BENCH_PINS:-pinned,unpinned}"
