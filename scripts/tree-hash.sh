# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by check-umq-e2e.sh and interrupt-check.sh once $queue is set.
# quick_hash DIR: a hash of every path and type under DIR, and of the bytes
# of the files the series in $queue touches (the rest are hard links to the
# pristine base that nobody writes). Quicker than hashing the whole tree,
# for loops that check it again and again.
touched=$(grep -h '^+++ b/\|^--- a/' "$queue"/0*.patch | sed 's|^[-+]* [ab]/||' | sort -u)
quick_hash() {
	(
		cd "$1" || exit 1
		find . -printf '%y %m %p\n' | LC_ALL=C sort
		for f in $touched; do [ -e "$f" ] && sha1sum "$f"; done
	) | sha1sum | cut -d' ' -f1
}
