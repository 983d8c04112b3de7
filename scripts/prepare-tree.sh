#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a working tree with the series (and the overlay) applied.
#
#   prepare-tree.sh UMQ PRISTINE DEST [--upto N] [--no-overlay]
#
# DEST is a hard-link copy of PRISTINE (cheap; umq writes new files and
# renames them, so the pristine copy is never written through a link),
# then `umq apply` and `umq overlay`, then `umq verify` and `umq status`.
set -euo pipefail

die() { echo "prepare-tree: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: prepare-tree.sh UMQ PRISTINE DEST [--upto N] [--no-overlay]"
umq=$(realpath "$1") pristine=$2 dest=$3; shift 3
upto= overlay=1
while [ $# -gt 0 ]; do
	case $1 in
	--upto) upto=$2; shift 2 ;;
	--no-overlay) overlay=0; shift ;;
	*) die "unknown option $1" ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
q=(--queue "$here/patches" --overlay "$here/arch-um-overlay")

"$umq" status --tree "$pristine" "${q[@]}" >/dev/null ||
	die "$pristine is not a pristine base for this series: $("$umq" status --tree "$pristine" "${q[@]}" 2>&1 | head -3)"

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -al "$pristine" "$dest"
"$umq" apply --tree "$dest" "${q[@]}" ${upto:+--upto "$upto"} >&2
if [ $overlay = 1 ] && [ -z "$upto" ]; then
	"$umq" overlay --tree "$dest" "${q[@]}" >&2
fi
"$umq" status --tree "$dest" "${q[@]}" >&2
echo "$dest"
