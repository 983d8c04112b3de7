#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Get a pristine Linux tree to apply the series to, extracted once into a
# cache directory and reused. Prints the tree's path on stdout.
#
#   fetch-base.sh [--tree PATH] [--cache DIR]
#
# --tree PATH   use this tree (a git checkout or a plain directory) as is;
#               only checked to be a Linux tree
# default       Debian's linux-source-7.3 (trixie-backports), else
#               linux-source-7.2 (sid)
#
# The packages come through a private apt configuration (own sources
# list, lists, cache and an empty dpkg status), `apt-get download` and
# `dpkg-deb -x`: nothing is installed and the system's apt sources and
# what other packages resolve to stay as they are.
set -euo pipefail

die() { echo "fetch-base: $*" >&2; exit 1; }
say() { echo "fetch-base: $*" >&2; }

tree= cache=${UMLSEC_CACHE:-${CACHE:-$HOME/.cache/uml-seccomp}}
while [ $# -gt 0 ]; do
	case $1 in
	--tree) tree=${2:?--tree needs a path}; shift 2 ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	*) die "unknown argument '$1' (usage: fetch-base.sh [--tree PATH] [--cache DIR])" ;;
	esac
done

is_linux_tree() { [ -f "$1/Makefile" ] && [ -f "$1/arch/um/Kconfig" ] && [ -f "$1/scripts/kconfig/merge_config.sh" ]; }

if [ -n "$tree" ]; then
	is_linux_tree "$tree" || die "$tree: not a Linux source tree (no Makefile, arch/um/Kconfig or scripts/kconfig/merge_config.sh)"
	realpath "$tree"
	exit 0
fi

mkdir -p "$cache"
# A finished extraction leaves a stamp naming the tree; reuse it.
for stamp in "$cache"/linux-*.done; do
	[ -e "$stamp" ] || continue
	dir=$(cat "$stamp")
	if is_linux_tree "$dir"; then
		say "reusing $dir"
		echo "$dir"
		exit 0
	fi
done

apt_dir=$cache/apt
# shellcheck source=apt-private.sh
. "$(dirname "$0")/apt-private.sh"
key=/usr/share/keyrings/debian-archive-keyring.gpg
apt_private "$apt_dir" \
	"deb [signed-by=$key] http://deb.debian.org/debian trixie-backports main" \
	"deb [signed-by=$key] http://deb.debian.org/debian sid main"

say "updating the private package lists (trixie-backports, sid)"
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update of the private lists failed (network?)"

deb=
for pkg in linux-source-7.3 linux-source-7.2; do
	if (cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" -qq download "$pkg" >&2 2>/dev/null); then
		deb=$(ls -t "$apt_dir"/archives/"${pkg}"_*.deb | head -1)
		break
	fi
	say "$pkg not available, trying the next"
done
[ -n "$deb" ] || die "neither linux-source-7.3 (trixie-backports) nor linux-source-7.2 (sid) could be downloaded; give a tree with --tree PATH"
say "downloaded $(basename "$deb")"

work=$(mktemp -d "$cache/extract.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/deb"
tarball=$(ls "$work"/deb/usr/src/linux-source-*.tar.* | head -1)
[ -f "$tarball" ] || die "$deb holds no linux-source tarball"
say "extracting $(basename "$tarball")"
tar -xf "$tarball" -C "$work"
src=$(ls -d "$work"/linux-source-*/ | head -1)
is_linux_tree "$src" || die "$tarball did not unpack to a Linux tree"

version=$(make -s -C "$src" kernelversion 2>/dev/null) || die "cannot read the kernel version of $src"
dest=$cache/linux-$version
rm -rf "$dest"
mv "$src" "$dest"
echo "$dest" >"$cache/linux-$version.done"
say "pristine Linux $version in $dest"
echo "$dest"
