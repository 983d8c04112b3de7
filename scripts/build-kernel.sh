#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one UML test kernel out of tree.
#
#   build-kernel.sh TREE OUTDIR FRAGMENT...
#
# Starts from arch/um's x86_64_defconfig, merges the fragments with the
# tree's own scripts/kconfig/merge_config.sh, checks that every option a
# fragment sets survived the merge, and builds `linux` with ccache.
# Progress goes to stderr, the full log to OUTDIR/build.log. Prints the
# path of the binary and the build time on success.
set -euo pipefail

die() { echo "build-kernel: $*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: build-kernel.sh TREE OUTDIR FRAGMENT..."
tree=$(realpath "$1"); out=$2; shift 2
[ -f "$tree/arch/um/Kconfig" ] || die "$tree: not a Linux tree (no arch/um/Kconfig)"
frags=()
for f in "$@"; do
	[ -f "$f" ] || die "$f: no such Kconfig fragment"
	frags+=("$(realpath "$f")")
done
set -- "${frags[@]}"
mkdir -p "$out"; out=$(realpath "$out")

jobs=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
mk=(make -C "$tree" ARCH=um O="$out" CC="$cc" HOSTCC="$cc" -j"$jobs")

start=$(date +%s)
{
	"${mk[@]}" -s x86_64_defconfig
	(cd "$out" && KCONFIG_CONFIG="$out/.config" \
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@")
	"${mk[@]}" -s olddefconfig
} >"$out/config.log" 2>&1 || { tail -20 "$out/config.log" >&2; die "configuring $out failed"; }

# merge_config.sh only warns when a value is dropped; a test kernel
# silently built without SMP or without the toggle would lie.
bad=0
for f in "$@"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) opt=${line%%=*}
			grep -q "^$opt=" "$out/.config" && { echo "  $f: $line not honoured" >&2; bad=1; } ;;
		CONFIG_*=*) grep -qxF "$line" "$out/.config" || { echo "  $f: $line not honoured" >&2; bad=1; } ;;
		esac
	done < <(grep -E '^CONFIG_' "$f")
done
[ $bad = 0 ] || die "configuration of $out does not match its fragments"

# Progress: one line per directory entered, overwritten in place on a tty.
"${mk[@]}" linux >"$out/build.log" 2>&1 &
pid=$!
tick=0
while kill -0 $pid 2>/dev/null; do
	sleep 1
	tick=$((tick + 1))
	[ $((tick % 30)) = 0 ] || continue
	n=$(grep -c '^  CC' "$out/build.log" || true)
	printf '  [%s] %4ss, %s objects compiled\n' "$(basename "$out")" "$(( $(date +%s) - start ))" "$n" >&2
done
if ! wait $pid; then
	grep -E 'error|Error' "$out/build.log" | head -20 >&2
	die "build of $out failed, see $out/build.log"
fi
if grep -E ': warning:' "$out/build.log" | grep -v '^/usr/' >"$out/warnings.log"; then
	echo "  [$(basename "$out")] $(wc -l <"$out/warnings.log") compiler warnings, see $out/warnings.log" >&2
fi
echo "$out/linux $(( $(date +%s) - start ))s"
