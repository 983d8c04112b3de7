#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Get a Debian host kernel image for qemu-check.sh, downloaded and
# extracted once into a cache and reused. Prints "VMLINUZ VERSION PACKAGE".
#
#   qemu-host-kernel.sh [--cache DIR] KERNEL
#
# KERNEL  6.1   bookworm's linux-image-6.1.0-N-amd64 (/boot/vmlinuz-*)
#         6.12  trixie's linux-image-6.12.N+deb13-amd64
#         7     the newest 7.x of sid (the image sits in linux-binary-*,
#               /usr/lib/modules/VER/vmlinuz)
#
# Like fetch-base.sh, the packages come through a private apt configuration
# per suite (own sources list, lists, cache and an empty dpkg status),
# `apt-get download` and `dpkg-deb -x`: nothing is installed and the
# system's apt sources stay as they are.
set -euo pipefail

die() { echo "qemu-host-kernel: $*" >&2; exit 1; }
say() { echo "qemu-host-kernel: $*" >&2; }

cache=${CACHE:-$HOME/.cache/uml-seccomp}/hostkernels
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# = 1 ] || die "usage: qemu-host-kernel.sh [--cache DIR] 6.1|6.12|7"
want=$1

mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
key=/usr/share/keyrings/debian-archive-keyring.gpg
case $want in
6.1) suite=bookworm; lines=("$mirror bookworm main" "$mirror bookworm-updates main" "$security bookworm-security main") ;;
6.12) suite=trixie; lines=("$mirror trixie main" "$mirror trixie-updates main" "$security trixie-security main") ;;
7) suite=sid; lines=("$mirror sid main") ;;
*) die "no Debian suite known for host kernel '$want' (6.1, 6.12, 7)" ;;
esac

mkdir -p "$cache"
stamp=$cache/$want.done
if [ -s "$stamp" ]; then
	read -r vmlinuz version pkg <"$stamp"
	if [ -f "$vmlinuz" ]; then
		echo "$vmlinuz $version $pkg"
		exit 0
	fi
fi

apt_dir=$cache/apt-$suite
# shellcheck source=apt-private.sh
. "$(dirname "$0")/apt-private.sh"
apt_private "$apt_dir" "${lines[@]/#/deb [signed-by=$key] }"
say "updating the private package lists ($suite)"
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update of the private $suite lists failed (network?)"

# The flavour amd64 of the wanted series: what linux-image-amd64 points to,
# else the highest version of that series the lists hold.
re="^linux-image-${want//./\\.}[.-][0-9][0-9.+a-z-]*-amd64\$"
pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-/ {print $2}' | grep -E "$re" | head -1 || true)
if [ -z "$pkg" ]; then
	pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image- | grep -E "$re" | grep -v -e -cloud- -e -rt- |
		sort -V | tail -1 || true)
fi
[ -n "$pkg" ] || die "no linux-image-$want*-amd64 in $suite"
say "host kernel $want: $pkg ($suite)"

# The image is in the package itself or, in newer suites, in a linux-binary-*
# package it depends on.
dest=$cache/$pkg
rm -rf "$dest"
mkdir -p "$dest"
extract() {
	local p=$1 deb
	(cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" -qq download "$p" >&2) || die "cannot download $p"
	deb=$(ls -t "$apt_dir/archives/${p}"_*.deb | head -1)
	dpkg-deb -x "$deb" "$dest"
	rm -f "$deb"
}
find_image() { find "$dest/boot" "$dest/usr/lib/modules" -maxdepth 2 -name "vmlinuz*" -type f 2>/dev/null | head -1 || true; }
extract "$pkg"
vmlinuz=$(find_image)
if [ -z "$vmlinuz" ]; then
	for dep in $(apt-cache "${apt_opts[@]}" depends "$pkg" | awk '/Depends: linux-binary-/ {print $2}' |
		grep -v unsigned); do
		extract "$dep"
	done
	vmlinuz=$(find_image)
fi
[ -n "$vmlinuz" ] || die "$pkg (and its linux-binary-*) hold no vmlinuz"
case $vmlinuz in
*/boot/vmlinuz-*) version=${vmlinuz##*/vmlinuz-} ;;
*) version=$(basename "$(dirname "$vmlinuz")") ;;
esac
# Modules, System.map and the rest are not needed: the initramfs has none.
find "$dest" -type f ! -path "$vmlinuz" -delete
echo "$vmlinuz $version $pkg" >"$stamp"
say "host kernel $want: $version in $vmlinuz"
echo "$vmlinuz $version $pkg"
