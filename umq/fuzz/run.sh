#!/usr/bin/env bash
# umq/fuzz/run.sh TARGET SECONDS [LIBFUZZER_FLAG...]
#
# Builds TARGET (fuzz_patch_parser or fuzz_apply) with the `fuzz` preset if
# needed, runs it for SECONDS (-max_total_time) on its work corpus plus the
# committed seeds (corpus/TARGET, read only), and prints one line:
#   fuzz TARGET: N executions, N crashes, N new corpus entries
# Exit 0: no crash; 1: a crash, leak, timeout or OOM (inputs saved as
# artifacts, named on stderr with how to reproduce); 2: usage or build error.
# Environment: UMQ_FUZZ_BUILD_DIR (default <repo>/build/umq-fuzz),
# UMQ_FUZZ_TIMEOUT (seconds per input, default 10), UMQ_FUZZ_RSS_MB (2048).
# Work corpus, artifacts and the log: $UMQ_FUZZ_BUILD_DIR/fuzz-work/TARGET/.
set -uo pipefail

usage() {
  echo "usage: $0 TARGET SECONDS [LIBFUZZER_FLAG...]  (TARGET: fuzz_patch_parser | fuzz_apply)" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
target=$1 secs=$2
shift 2
case $target in fuzz_patch_parser | fuzz_apply) ;; *) usage ;; esac
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
root=$(dirname "$src")
build=${UMQ_FUZZ_BUILD_DIR:-$root/build/umq-fuzz}
work=$build/fuzz-work/$target
seeds=$here/corpus/$target

if [[ ! -f $build/build.ninja ]]; then
  if ! cmake -S "$src" --preset fuzz -B "$build" >"$build.configure.log" 2>&1; then
    cat "$build.configure.log" >&2
    echo "fuzz $target: configuring $build failed" >&2
    exit 2
  fi
fi
if ! build_log=$(cmake --build "$build" --target "$target" -j2 2>&1); then
  printf '%s\n' "$build_log" >&2
  echo "fuzz $target: build failed" >&2
  exit 2
fi

mkdir -p "$work/corpus" "$work/artifacts"
count() { find "$1" -maxdepth 1 -type f | wc -l; }
corpus_before=$(count "$work/corpus")
find "$work/artifacts" -maxdepth 1 -type f | sort >"$work/artifacts.before"
log=$work/last.log

"$build/$target" -max_total_time="$secs" -timeout="${UMQ_FUZZ_TIMEOUT:-10}" \
  -rss_limit_mb="${UMQ_FUZZ_RSS_MB:-2048}" -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [[ -z $execs ]]; then  # no final stats (killed): the last status line
  execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
fi
new_artifacts=$(find "$work/artifacts" -maxdepth 1 -type f | sort | comm -13 "$work/artifacts.before" -)
crashes=$(printf '%s' "$new_artifacts" | grep -c . || true)
if [[ $rc -ne 0 && $crashes -eq 0 ]]; then crashes=1; fi
corpus_new=$(( $(count "$work/corpus") - corpus_before ))

echo "fuzz $target: ${execs:-0} executions, $crashes crashes, $corpus_new new corpus entries"
if [[ $crashes -ne 0 ]]; then
  {
    echo "fuzz $target: libFuzzer exited $rc; log: $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz oracle violated|.*runtime error)' "$log" | head -n 10
    for a in $new_artifacts; do
      echo "  artifact: $a"
      echo "  reproduce: $build/$target $a"
    done
  } >&2
  exit 1
fi
exit 0
