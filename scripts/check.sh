#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every stage writes TAP into $RESULTS, then `umq report`
# prints the table (cell x case), writes combined TAP and JUnit XML, and
# ends with "N passed, N failed".
#
# Environment (set by the Makefile): WORK (build cache), RESULTS, JOBS,
# STAGES (default: all of them, in order).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}" "${JOBS:=$(nproc)}"
: "${STAGES:=tool bench e2e series kernels kunit matrix qemu fuzz}"
export WORK RESULTS JOBS
mkdir -p "$WORK" "$RESULTS"
umq_check=$here/build/umq-check/umq
frag=$here/Kconfig.fragments
timings=()

stage_start=0
stage() { echo "== $1" >&2; stage_start=$(date +%s); stage_name=$1; }
stage_end() { timings+=("$(printf '%-10s %5ss' "$stage_name" $(( $(date +%s) - stage_start )))"); }
want() { [[ " $STAGES " == *" $1 "* ]]; }

# A TAP file with one line per command run: name and exit status.
tap_lines=() tap_file=
tap_begin() { tap_file=$1; tap_lines=(); }
tap_add() { tap_lines+=("$1|$2"); }
tap_end() {
	{
		echo "TAP version 13"
		echo "1..${#tap_lines[@]}"
		local i=0 l
		for l in "${tap_lines[@]}"; do
			i=$((i + 1))
			if [ "${l#*|}" = 0 ]; then echo "ok $i ${l%|*}"; else echo "not ok $i ${l%|*}"; fi
		done
	} >"$tap_file"
}

pristine=$("$here/scripts/fetch-base.sh") || exit 1

if want tool; then
	stage tool
	cmake -S umq --preset check >/dev/null &&
		cmake --build build/umq-check -j"$JOBS" 2>&1 | tail -3 >&2
	if [ -x "$umq_check" ]; then
		ctest --test-dir build/umq-check -j"$JOBS" --output-junit "$RESULTS/umq-unit.xml" \
			>"$RESULTS/umq-unit.log" 2>&1
		python3 - "$RESULTS/umq-unit.xml" >"$RESULTS/umq-unit.tap" <<'EOF'
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter('testcase')
cases = list(cases)
print("TAP version 13")
print(f"1..{len(cases)}")
for i, c in enumerate(cases, 1):
    bad = c.find('failure') is not None or c.find('error') is not None
    skip = c.find('skipped') is not None
    name = c.get('name')
    print(("not ok" if bad else "ok") + f" {i} {name}" + (" # SKIP" if skip else ""))
EOF
		tail -3 "$RESULTS/umq-unit.log" >&2
	else
		printf 'TAP version 13\n1..1\nnot ok 1 umq builds with -Werror and ASan/UBSan\n' >"$RESULTS/umq-unit.tap"
	fi
	stage_end
fi
umq=$umq_check
[ -x "$umq" ] || umq=$here/build/umq/umq

# bench.py's statistics, load guard and plot (no kernel needed)
if want bench; then
	stage bench
	python3 - "$here/scripts" >"$RESULTS/bench-unit.tap" 2>"$RESULTS/bench-unit.log" <<'EOF'
import sys, unittest
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
tests = []
def flat(s):
    for t in s:
        flat(t) if isinstance(t, unittest.TestSuite) else tests.append(t)
flat(unittest.defaultTestLoader.discover(sys.argv[1], pattern="bench_test.py"))
print("TAP version 13")
print(f"1..{len(tests)}")
for i, t in enumerate(tests, 1):
    r = unittest.TestResult()
    t.run(r)
    bad = r.failures + r.errors
    for _, tb in bad:
        print(tb, file=sys.stderr)
    skip = f" # SKIP {r.skipped[0][1]}" if r.skipped else ""
    print(("not ok" if bad else "ok") + f" {i} bench.py: {t.id().split('.', 1)[1]}{skip}")
EOF
	grep -cE '^ok' "$RESULTS/bench-unit.tap" | sed 's/$/ bench.py tests passed/' >&2
	stage_end
fi

if want e2e; then
	stage e2e
	"$here/scripts/check-umq-e2e.sh" "$umq" "$pristine" "$WORK/e2e" >"$RESULTS/umq-e2e.tap"
	grep -E '^(not ok|# [0-9]+ passed)' "$RESULTS/umq-e2e.tap" >&2
	stage_end
fi

if want series; then
	stage series
	"$here/scripts/check-series.sh" "$pristine" >"$RESULTS/series.tap"
	grep -E '^not ok' "$RESULTS/series.tap" >&2
	stage_end
fi

tree=$WORK/tree
"$here/scripts/prepare-tree.sh" "$umq" "$pristine" "$tree" >/dev/null 2>"$WORK/prepare-tree.log" ||
	{ cat "$WORK/prepare-tree.log" >&2; echo "check: cannot prepare the tree" >&2; }

if want kernels || want matrix; then
	stage kernels
	tap_begin "$RESULTS/build.tap"
	for cell in smp-on up-on smp-off up-off; do
		cpu=${cell%-*} val=${cell#*-}
		"$here/scripts/build-kernel.sh" "$tree" "$WORK/build/$cell" "$frag/base.config" \
			"$frag/$cpu.config" "$frag/harden-$val.config" >"$WORK/build-$cell.out"
		rc=$?
		tail -1 "$WORK/build-$cell.out" >&2
		tap_add "the $cell kernel builds" $rc
	done
	# -B: $WORK is shared by every checkout (see main.sh)
	make -s -B -C selftests/um/seccomp_stub TREE="$pristine" OUTPUT="$WORK/selftests" >&2
	tap_add "the selftests build static" $?
	"$here/scripts/make-guest-root.sh" "$WORK/guest" "$WORK"/selftests/stub_* >/dev/null
	tap_add "the guest root is made" $?
	tap_end
	stage_end
fi

if want kunit; then
	stage kunit
	python3 "$tree/tools/testing/kunit/kunit.py" run --kunitconfig="$tree/arch/um/kernel/skas" \
		--build_dir="$WORK/kunit" --jobs "$JOBS" --make_options CC="ccache gcc" \
		--raw_output=kunit >"$RESULTS/kunit.raw" 2>"$WORK/kunit.err"
	sed -n '/KTAP version\|TAP version/,$p' "$RESULTS/kunit.raw" >"$RESULTS/kunit.tap"
	[ -s "$RESULTS/kunit.tap" ] || printf 'TAP version 13\n1..1\nnot ok 1 kunit.py run (see %s)\n' "$WORK/kunit.err" >"$RESULTS/kunit.tap"
	grep -E '^ *(not )?ok' "$RESULTS/kunit.tap" | tail -1 >&2
	stage_end
fi

if want matrix; then
	stage matrix
	for cell in smp-on up-on smp-off up-off; do
		cpus=1; [ "${cell%-*}" = smp ] && cpus=2
		# the data-page programs have cells of their own, below
		"$here/scripts/run-cell.sh" "$cell" "$WORK/build/$cell/linux" "$WORK/guest" "$RESULTS" \
			--cpus $cpus --harden "${cell#*-}" --progs "stub_attack stub_regress"
		if [ "${cell#*-}" = off ]; then
			"$here/scripts/run-cell.sh" "$cell-wedge" "$WORK/build/$cell/linux" "$WORK/guest" \
				"$RESULTS" --cpus $cpus --harden off --test wedge --timeout 20
		fi
	done
	# The stub data pages as hostile input (issue 14): stub_forge, one
	# boot per case (a case that panics an unfixed kernel takes no other
	# case down; a boot takes about a second), in every cell; the
	# data-page fuzzer's smoke (stub_dpfuzz; make fuzz runs 10,000
	# iterations a cell). No stale host mapping (issue 15): stub_stale,
	# with the option on only (with it off that is upstream behaviour).
	forge_boots=$("$WORK/selftests/stub_forge" -l 2>&1 | awk 'NR > 3 && NF { print "stub_forge:" $NF }')
	stale_boots=$("$WORK/selftests/stub_stale" -l 2>&1 | awk 'NR > 3 && NF { print "stub_stale:" $NF }')
	: "${DPFUZZ_SEED:=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
	echo "matrix: stub_dpfuzz seed $DPFUZZ_SEED (replay: DPFUZZ_SEED=$DPFUZZ_SEED)" >&2
	for cell in smp-on up-on smp-off up-off; do
		cpus=1; [ "${cell%-*}" = smp ] && cpus=2
		"$here/scripts/run-cell.sh" "$cell-forge" "$WORK/build/$cell/linux" "$WORK/guest" \
			"$RESULTS" --cpus $cpus --harden "${cell#*-}" --timeout 45 --boots "$forge_boots"
		if [ "${cell#*-}" = on ]; then
			"$here/scripts/run-cell.sh" "$cell-stale" "$WORK/build/$cell/linux" "$WORK/guest" \
				"$RESULTS" --cpus $cpus --harden on --timeout 75 --boots "$stale_boots"
		fi
		# The park path of the stale check needs a third vCPU (its
		# watcher's own); in the cells above it skips and says so.
		if [ "$cell" = smp-on ]; then
			"$here/scripts/run-cell.sh" smp3-on-park "$WORK/build/$cell/linux" "$WORK/guest" \
				"$RESULTS" --cpus 3 --harden on --timeout 75 \
				--boots stub_stale:a_parked_thread_is_not_released_with_what_a_sibling_unmapped
		fi
		"$here/scripts/run-cell.sh" "$cell-dpfuzz" "$WORK/build/$cell/linux" "$WORK/guest" \
			"$RESULTS" --cpus $cpus --harden "${cell#*-}" --test dpfuzz --timeout 120 \
			--kernel-arg DPFUZZ_SEED="$DPFUZZ_SEED" --kernel-arg DPFUZZ_ITERATIONS=2000
	done
	# What each stub thread holds, seen from the host: with the option on
	# the guest thread no fd, the executor the socket and physical memory;
	# with it off upstream's one thread and its socket.
	for cell in smp-on up-on smp-off up-off; do
		cpus=1; [ "${cell%-*}" = smp ] && cpus=2
		"$here/scripts/check-stub-fds.sh" --harden "${cell#*-}" --cpus $cpus \
			"$WORK/build/$cell/linux" "$WORK/guest" "$RESULTS/$cell-stub-fds.tap"
	done
	# The executor's code, disassembled: no stack, no store but the
	# hand-off (the option-on kernel; the checker's own test first).
	tap_begin "$RESULTS/executor-selftest.tap"
	"$here/scripts/check-executor.sh" --selftest >&2
	tap_add "check-executor.sh catches stack use, stray stores and a slot read after its ack in known-bad code" $?
	tap_end
	"$here/scripts/check-executor.sh" "$WORK/build/smp-on/linux" "$RESULTS/executor-asm.tap"
	# No false kill with the host's cores oversubscribed 4 times (the
	# stall kill has no knob: v3 has no boot parameter).
	"$here/scripts/run-cell.sh" smp-on-loaded "$WORK/build/smp-on/linux" "$WORK/guest" \
		"$RESULTS" --cpus 2 --harden on --host-load 4 --progs stub_regress
	stage_end
fi

if want qemu && [ -x "$here/scripts/qemu-check.sh" ]; then
	stage qemu
	"$here/scripts/qemu-check.sh" --kernels 6.1 --results "$RESULTS" >&2
	stage_end
fi

if want fuzz && [ -x "$here/umq/fuzz/run.sh" ]; then
	stage fuzz
	tap_begin "$RESULTS/fuzz.tap"
	for t in fuzz_patch_parser fuzz_apply; do
		"$here/umq/fuzz/run.sh" "$t" 20 >"$WORK/$t.log" 2>&1
		rc=$?
		grep '^fuzz ' "$WORK/$t.log" >&2
		tap_add "$t runs 20 s without a crash" $rc
	done
	tap_end
	stage_end
fi

echo "== stages" >&2
printf '  %s\n' "${timings[@]}" >&2
rm -rf "$RESULTS/report"
"$umq" report --results "$RESULTS"
