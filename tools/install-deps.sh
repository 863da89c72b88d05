#!/usr/bin/env bash
# Install everything mmuon needs to build, boot and test, from Debian's
# packages only. Idempotent: a second run does nothing but re-check.
#
# bookworm-backports (QEMU >= 9 for TCG plugins that read SCTLR, kernels
# >= 6.3) and bookworm's source packages (deb-src) are added by copying the
# URIs of the system's own Debian entry, so no archive host name is written
# into this project.
set -euo pipefail

[ "$(id -u)" = 0 ] || SUDO=sudo
SUDO=${SUDO:-}
STAMP=/var/lib/mmuon-deps.stamp
HERE=$(cd "$(dirname "$0")" && pwd)
WANT_VERSION=$(sha256sum "$0" | cut -c1-16)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT_VERSION" ]; then
	exit 0
fi

# The first deb822 stanza (or one-line entry) whose suite is the plain
# release: its URIs are the Debian mirror this machine already uses.
debian_uris() {
	local uris
	uris=$(awk '
		/^URIs:/ { u = $0; sub(/^URIs:[ \t]*/, "", u) }
		/^Suites:/ && / bookworm( |$)/ && u != "" { print u; exit }
		/^$/ { u = "" }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uris" ] && [ -f /etc/apt/sources.list ]; then
		uris=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uris" ] || { echo "install-deps: no Debian bookworm source found" >&2; exit 1; }
	echo "$uris"
}

add_source() { # file types suite
	[ -f "$1" ] && return 0
	local uris
	uris=$(debian_uris)
	$SUDO tee "$1" >/dev/null <<SRC
Types: $2
URIs: $uris
Suites: $3
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

add_source /etc/apt/sources.list.d/mmuon-backports.sources deb bookworm-backports
# Source packages (apt-get source): libfdt for the firmware is built from
# Debian's dtc source with the firmware's flags (tools/fetch-arm64.sh).
add_source /etc/apt/sources.list.d/mmuon-src.sources deb-src bookworm

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
fi

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross \
	libfdt-dev libcmocka-dev pkg-config \
	python3 python3-pytest cpio gzip xz-utils gdb-multiarch device-tree-compiler \
	clang-format ca-certificates \
	clang libclang-rt-14-dev libfuzzer-14-dev libglib2.0-dev gnuplot-nox \
	qemu-efi-aarch64 u-boot-qemu \
	dosfstools mtools dpkg-dev gdisk fdisk e2fsprogs xorriso lz4 \
	libdevmapper1.02.1 liblzma5 # grub-mkstandalone, unpacked by fetch-arm64.sh
# The Debian package (debian/, dpkg-buildpackage, lintian) and the libvirt
# test (tests/boot/test_libvirt.py starts libvirtd itself: no systemd).
$SUDO apt-get install -y -qq --no-install-recommends \
	debhelper dpkg-dev fakeroot lintian libvirt-daemon-system virtinst
# QEMU >= 9 from backports: its TCG plugin API can read system registers.
# virt-fw-vars (python3-virt-firmware) writes boot options into a copy of
# EDK2's AAVMF_VARS.fd for the disk-boot tests.
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	qemu-system-arm qemu-utils python3-virt-firmware

echo "$WANT_VERSION" | $SUDO tee "$STAMP" >/dev/null
