#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Seeds for fuzz_gpt, fuzz_mbr and fuzz_eltorito into OUTDIR/<target>/:
# small disks partitioned by sgdisk, fdisk and sfdisk, ISOs by xorriso
# (cut after their boot catalog). Each file is one block-size byte (0:
# 512, 2: 2048, 3: 4096; see partition_harness.h) and then the disk.
set -eu

OUT=${1:-build/fuzz/seeds}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$OUT/fuzz_gpt" "$OUT/fuzz_mbr" "$OUT/fuzz_eltorito"

seed() { # target, name, block-size byte (octal), image
	{ printf "\\$3"; cat "$4"; } >"$OUT/$1/$2"
}

# GPT: the smallest disk sgdisk accepts with room for two partitions.
truncate -s 48K "$tmp/gpt.img"
sgdisk -o -n 1:34:+4K -t 1:ef00 -n 3:0:0 -t 3:8300 "$tmp/gpt.img" >/dev/null
seed fuzz_gpt gpt-512 000 "$tmp/gpt.img"
truncate -s 128K "$tmp/gpt4k.img"
printf 'g\nn\n1\n6\n9\nt\n1\nn\n2\n10\n20\nw\n' |
	fdisk -b 4096 "$tmp/gpt4k.img" >/dev/null 2>&1
seed fuzz_gpt gpt-4096 003 "$tmp/gpt4k.img"

# MBR: primaries, an extended partition with two logical ones.
truncate -s 64K "$tmp/mbr.img"
printf 'label: dos\nlabel-id: 0x0badcafe\n%s\n%s\n%s\n%s\n%s\n' \
	"mbr.img1 : start=2, size=8, type=ef" \
	"mbr.img2 : start=10, size=80, type=5" \
	"mbr.img4 : start=100, size=20, type=83" \
	"mbr.img5 : start=12, size=10, type=83" \
	"mbr.img6 : start=30, size=10, type=83" | (cd "$tmp" && sfdisk -q mbr.img)
seed fuzz_mbr mbr-512 000 "$tmp/mbr.img"
seed fuzz_gpt mbr-512 000 "$tmp/mbr.img"

# El Torito: EFI only, and BIOS + EFI; the catalog is in the first 80 KiB.
mkdir -p "$tmp/root"
truncate -s 64K "$tmp/root/efi.img"
head -c 2048 /dev/zero >"$tmp/root/bios.bin"
xorriso -as mkisofs -quiet -o "$tmp/efi.iso" -e efi.img -no-emul-boot \
	"$tmp/root" 2>/dev/null
xorriso -as mkisofs -quiet -o "$tmp/both.iso" -b bios.bin -no-emul-boot \
	-boot-load-size 4 -eltorito-alt-boot -e efi.img -no-emul-boot \
	"$tmp/root" 2>/dev/null
for iso in efi both; do
	head -c 81920 "$tmp/$iso.iso" >"$tmp/$iso.cut"
	seed fuzz_eltorito "$iso-2048" 002 "$tmp/$iso.cut"
	seed fuzz_eltorito "$iso-512" 000 "$tmp/$iso.cut"
done
