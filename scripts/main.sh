#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make`: fetch the base tree, apply the series, build the SMP and UP
# kernels with validation, boot the SMP one with the test suite and print
# a short report.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
umq=$here/build/umq/umq
frag=$here/Kconfig.fragments
start=$(date +%s)

echo "== base tree" >&2
pristine=$(scripts/fetch-base.sh)
echo "== series" >&2
tree=$(scripts/prepare-tree.sh "$umq" "$pristine" "$WORK/tree")
echo "== kernels" >&2
smp=$(scripts/build-kernel.sh "$tree" "$WORK/build/smp-on" "$frag/base.config" "$frag/smp.config" "$frag/harden-on.config")
up=$(scripts/build-kernel.sh "$tree" "$WORK/build/up-on" "$frag/base.config" "$frag/up.config" "$frag/harden-on.config")
echo "== guest" >&2
make -s -C selftests/um/seccomp_stub TREE="$pristine" OUTPUT="$WORK/selftests"
scripts/make-guest-root.sh "$WORK/guest" "$WORK"/selftests/stub_* >/dev/null
echo "== boot (SMP, ncpus=2, seccomp=on, validation on)" >&2
out=$RESULTS/main
rm -rf "$out"
scripts/run-cell.sh smp-on "$WORK/build/smp-on/linux" "$WORK/guest" "$out" --cpus 2 --harden on

echo
echo "Series:  $(grep -cvE '^\s*(#|$)' patches/series) patches on Linux $(make -s -C "$pristine" kernelversion), $("$umq" status --tree "$tree" --queue patches | head -1)"
echo "Kernels: ${smp%% *} (SMP, $(stat -c %s "${smp%% *}" | numfmt --to=iec)), ${up%% *} (UP)"
grep -h 'stub validation' "$out/smp-on.log" | sed 's/^/Host:    /' | head -1
grep -h 'kill latency' "$out/smp-on.tap" | sed 's/^[# ]*/Attack:  SIGALRM-blocking stub, /' | head -1
"$umq" report --results "$out" | tail -3
echo "Took $(( $(date +%s) - start ))s. Full console log: $out/smp-on.log"
