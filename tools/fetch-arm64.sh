#!/usr/bin/env bash
# Download and unpack the arm64 pieces mmuon builds with and boots, from
# Debian's archive with apt-get download, into $MMUON_CACHE/arm64 (default
# ~/.cache/mmuon/arm64). Each piece is fetched once.
#
#   libfdt       the source of libfdt, from a Debian source package pinned
#                in LIBFDT_SOURCE below, unpacked with Debian's patches into
#                libfdt-src/: the Makefile builds libfdt from it with the
#                firmware's own flags (the prebuilt libfdt.a of
#                libfdt-dev:arm64 has AdvSIMD code)
#   busybox      busybox-static:arm64 (the README's boot shell)
#   gnu-efi      gnu-efi:arm64 (crt0, linker script, libefi/libgnuefi for
#                the EFI test applications in tests/efi_apps)
#   grub-2.06    grub-efi-arm64-bin:arm64 (the arm64-efi modules) with the
#   grub-2.12    host's grub-common of the same version (grub-mkstandalone)
#                and libefivar1/libefiboot1 (which it links), from bookworm
#                and bookworm-backports: tests/boot/clients.py builds
#                standalone GRUB images from them (run it with
#                LD_LIBRARY_PATH=<dir>/usr/lib/<host multiarch triplet>)
#   systemd-252  systemd-boot-efi:arm64 (systemd-boot and the UKI stub),
#   systemd-254  from bookworm and bookworm-backports
#   shim         shim-signed:arm64 (shimaa64.efi.signed) and
#                shim-helpers-arm64-signed:arm64 (mmaa64.efi.signed,
#                fbaa64.efi.signed), bookworm
#   grub-signed  grub-efi-arm64-signed:arm64, bookworm: Debian's signed
#                grubaa64.efi (disks) and gcdaa64.efi (CDs)
#   d-i-netboot  debian-installer-12-netboot-arm64: the installer's
#                netboot tree (linux, initrd.gz, its grub.cfg)
#   kernel-6.1   bookworm's cloud kernel (6.1)
#   kernel-new   bookworm-backports' cloud kernel (>= 6.3)
#   all          everything above
#
# Kernels land in $MMUON_CACHE/arm64/vmlinuz-6.1 and vmlinuz-new, their
# modules the tests load in modules-6.1/ and modules-new/ (Debian's
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

# Pinned, so that the firmware's libfdt does not change with the archive.
# Debian's own dtc source (device-tree-compiler=1.6.1-4) would be the first
# choice, but the archive this project reaches serves its .dsc and not its
# tarballs (404). Trusted Firmware-A's source package carries dtc's
# libfdt, imported from upstream as lib/libfdt (headers in
# include/lib/libfdt; Debian patches none of it): the library as Arm's own
# firmware builds it.
LIBFDT_SOURCE=arm-trusted-firmware=2.8.0+dfsg-1

# apt-get source needs a deb-src entry: tools/install-deps.sh adds one.
source_package() { # package=version target-dir
	[ -d "$2" ] && return 0
	local dir
	dir=$(mktemp -d "$CACHE/src.XXXXXX")
	chmod 0777 "$dir"
	(cd "$dir" && apt-get source -qq --download-only "$1") || {
		rm -rf "$dir"
		exit 1
	}
	# apt checked the files against the archive's signed index (gpgv's
	# "no public key" for the uploader's .dsc signature is noise here);
	# dpkg-source checks their sums again and applies Debian's patches.
	if ! out=$(dpkg-source --no-copy -x "$dir"/*.dsc "$2.tmp" 2>&1); then
		echo "$out" >&2
		rm -rf "$dir" "$2.tmp"
		exit 1
	fi
	rm -rf "$dir"
	mv "$2.tmp" "$2"
}

unpack() { # package target-dir
	[ -d "$2" ] && return 0
	local deb
	deb=$(download "$1")
	dpkg-deb -x "$deb" "$2.tmp"
	rm -rf "$(dirname "$deb")"
	mv "$2.tmp" "$2"
}

# Packages into one tree: the first names a version the others must match.
# VERSION holds the first one's version, PACKAGES each package and version.
unpack_matching() { # target-dir arm64-package[/suite] host-package...
	[ -d "$1" ] && return 0
	local target=$1 first=$2 deb ver p
	shift 2
	rm -rf "$target.tmp"
	deb=$(download "$first")
	ver=$(dpkg-deb -f "$deb" Version)
	dpkg-deb -x "$deb" "$target.tmp"
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$target.tmp/PACKAGES"
	rm -rf "$(dirname "$deb")"
	for p in "$@"; do
		deb=$(download "${p//@VERSION@/$ver}")
		dpkg-deb -x "$deb" "$target.tmp"
		dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$target.tmp/PACKAGES"
		rm -rf "$(dirname "$deb")"
	done
	echo "$ver" >"$target.tmp/VERSION"
	mv "$target.tmp" "$target"
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
# (efivarfs, for reading EFI variables; the disk drivers, for
# mmuon.disks=N; tools/mkinitramfs.sh packs modules-*/ as /lib/modules/),
# uncompressed. A module a kernel has built in is not in its package:
# skipped (6.1 builds the virtio core as modules, 6.12 builds it in).
KERNEL_MODULES="fs/efivarfs/efivarfs drivers/scsi/scsi_common
	drivers/scsi/scsi_mod drivers/cdrom/cdrom drivers/scsi/sd_mod
	drivers/scsi/sr_mod drivers/virtio/virtio drivers/virtio/virtio_ring
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev
	drivers/virtio/virtio_pci drivers/scsi/virtio_scsi
	drivers/block/virtio_blk drivers/virtio/virtio_mmio"

have_modules() { # name: unpacked for this list of modules
	[ "$(cat "modules-$1/.list" 2>/dev/null)" = "$(echo $KERNEL_MODULES)" ]
}

fetch_kernel() { # name suite-or-empty
	[ -f "vmlinuz-$1" ] && have_modules "$1" && return 0
	local pkg dir m
	pkg=$(kernel_package "$2")
	unpack "$pkg:arm64" "pkg-$pkg"
	rm -rf "modules-$1.tmp"
	for dir in "pkg-$pkg"/lib/modules/*; do
		mkdir -p "modules-$1.tmp/${dir##*/}"
		for m in $KERNEL_MODULES; do
			if [ -f "$dir/kernel/$m.ko.xz" ]; then
				xz -dc "$dir/kernel/$m.ko.xz" >"modules-$1.tmp/${dir##*/}/${m##*/}.ko"
			elif [ -f "$dir/kernel/$m.ko" ]; then
				cp "$dir/kernel/$m.ko" "modules-$1.tmp/${dir##*/}/"
			fi
		done
	done
	echo $KERNEL_MODULES >"modules-$1.tmp/.list"
	cp "pkg-$pkg"/boot/vmlinuz-* "vmlinuz-$1.tmp"
	echo "$pkg" >"vmlinuz-$1.package"
	rm -rf "modules-$1"
	mv "modules-$1.tmp" "modules-$1"
	mv "vmlinuz-$1.tmp" "vmlinuz-$1"
	rm -rf "pkg-$pkg"
}

for what in "${@:-all}"; do
	case $what in
	libfdt) source_package "$LIBFDT_SOURCE" libfdt-src ;;
	busybox) unpack busybox-static:arm64 busybox ;;
	gnu-efi) unpack gnu-efi:arm64 gnu-efi ;;
	grub-2.06)
		unpack_matching grub-2.06 grub-efi-arm64-bin:arm64/bookworm \
			grub-common=@VERSION@ libefivar1 libefiboot1 ;;
	grub-2.12)
		unpack_matching grub-2.12 grub-efi-arm64-bin:arm64/bookworm-backports \
			grub-common=@VERSION@ libefivar1 libefiboot1 ;;
	systemd-252) unpack_matching systemd-252 systemd-boot-efi:arm64/bookworm ;;
	systemd-254) unpack_matching systemd-254 systemd-boot-efi:arm64/bookworm-backports ;;
	shim) unpack_matching shim shim-signed:arm64/bookworm \
		shim-helpers-arm64-signed:arm64/bookworm ;;
	grub-signed) unpack_matching grub-signed grub-efi-arm64-signed:arm64/bookworm ;;
	d-i-netboot) unpack_matching d-i-netboot debian-installer-12-netboot-arm64/bookworm ;;
	kernel-6.1) fetch_kernel 6.1 "" ;;
	kernel-new) fetch_kernel new bookworm-backports ;;
	all) "$SELF" libfdt busybox gnu-efi kernel-6.1 kernel-new \
		grub-2.06 grub-2.12 systemd-252 systemd-254 shim grub-signed d-i-netboot ;;
	*) echo "fetch-arm64: unknown piece $what" >&2; exit 2 ;;
	esac
done
