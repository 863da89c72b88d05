#!/usr/bin/env bash
# Download and unpack the arm64 pieces mmuon builds with and boots, from
# Debian's archive with apt-get download, into $MMUON_CACHE/arm64 (default
# ~/.cache/mmuon/arm64). Each piece is fetched once.
#
#   libfdt       libfdt.a and headers from libfdt-dev:arm64 (linked into mmuon)
#   busybox      busybox-static:arm64 (the README's boot shell)
#   gnu-efi      gnu-efi:arm64 (crt0, linker script, libefi/libgnuefi for
#                the EFI test applications in tests/efi_apps)
#   grub         grub-efi-arm64-bin:arm64 (its monolithic grubaa64.efi is
#                a real EFI client; not in "all": tests/boot/test_grub.py
#                fetches it on first use)
#   kernel-6.1   bookworm's cloud kernel (6.1)
#   kernel-new   bookworm-backports' cloud kernel (>= 6.3)
#   all          everything above
#
# Kernels land in $MMUON_CACHE/arm64/vmlinuz-6.1 and vmlinuz-new, their
# efivarfs module in modules-6.1/ and modules-new/ (Debian's
# arm64 vmlinuz is an uncompressed PE/COFF Image).
set -euo pipefail

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
CACHE=${MMUON_CACHE:-$HOME/.cache/mmuon}/arm64
mkdir -p "$CACHE"
cd "$CACHE"

download() { # package[=version] -> prints the .deb's file name
	local dir
	dir=$(mktemp -d "$CACHE/dl.XXXXXX")
	# apt's sandbox user must be able to write where it downloads.
	chmod 0777 "$dir"
	(cd "$dir" && apt-get download -qq "$1" >/dev/null 2>&1) ||
		(cd "$dir" && apt-get download "$1")
	ls "$dir"/*.deb
}

unpack() { # package target-dir
	[ -d "$2" ] && return 0
	local deb
	deb=$(download "$1")
	dpkg-deb -x "$deb" "$2.tmp"
	rm -rf "$(dirname "$deb")"
	mv "$2.tmp" "$2"
}

# Newest version of a metapackage in a suite, and the kernel it depends on.
kernel_package() { # suite-or-empty
	local ver
	if [ -n "$1" ]; then
		ver=$(apt-cache policy linux-image-cloud-arm64:arm64 |
			awk -v s="$1/" '/^ +(\*\*\* )?[0-9]/ && NF <= 3 { v = $1 == "***" ? $2 : $1 }
				index($0, s) && v != "" { print v; exit }')
	else
		ver=$(apt-cache policy linux-image-cloud-arm64:arm64 | awk '/Candidate:/ { print $2 }')
	fi
	[ -n "$ver" ] || { echo "fetch-arm64: no cloud kernel in ${1:-default}" >&2; exit 1; }
	apt-cache show "linux-image-cloud-arm64:arm64=$ver" |
		sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -n1
}

# The kernel, and the modules the test init loads from the initramfs
# (efivarfs, for reading EFI variables; tools/mkinitramfs.sh packs
# modules-*/ as /lib/modules/), uncompressed.
KERNEL_MODULES="fs/efivarfs/efivarfs"

fetch_kernel() { # name suite-or-empty
	[ -f "vmlinuz-$1" ] && [ -d "modules-$1" ] && return 0
	local pkg dir m
	pkg=$(kernel_package "$2")
	unpack "$pkg:arm64" "pkg-$pkg"
	rm -rf "modules-$1.tmp"
	for dir in "pkg-$pkg"/lib/modules/*; do
		mkdir -p "modules-$1.tmp/${dir##*/}"
		for m in $KERNEL_MODULES; do
			if [ -f "$dir/kernel/$m.ko.xz" ]; then
				xz -dc "$dir/kernel/$m.ko.xz" >"modules-$1.tmp/${dir##*/}/${m##*/}.ko"
			else
				cp "$dir/kernel/$m.ko" "modules-$1.tmp/${dir##*/}/"
			fi
		done
	done
	cp "pkg-$pkg"/boot/vmlinuz-* "vmlinuz-$1.tmp"
	echo "$pkg" >"vmlinuz-$1.package"
	rm -rf "modules-$1"
	mv "modules-$1.tmp" "modules-$1"
	mv "vmlinuz-$1.tmp" "vmlinuz-$1"
	rm -rf "pkg-$pkg"
}

for what in "${@:-all}"; do
	case $what in
	libfdt) unpack libfdt-dev:arm64 libfdt ;;
	busybox) unpack busybox-static:arm64 busybox ;;
	gnu-efi) unpack gnu-efi:arm64 gnu-efi ;;
	grub) unpack grub-efi-arm64-bin:arm64 grub ;;
	kernel-6.1) fetch_kernel 6.1 "" ;;
	kernel-new) fetch_kernel new bookworm-backports ;;
	all) "$SELF" libfdt busybox gnu-efi kernel-6.1 kernel-new ;;
	*) echo "fetch-arm64: unknown piece $what" >&2; exit 2 ;;
	esac
done
