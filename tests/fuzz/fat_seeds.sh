#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Seeds for fuzz_fat in OUTDIR (default build/fuzz/seeds/fuzz_fat): FAT12,
# FAT16 and FAT32 volumes made by mkfs.fat and filled by mtools (long
# names, nested directories, an empty file), in the harness's layout:
# a flags byte, the device size in KiB (16-bit little-endian), then the
# image with its trailing zeros cut off.
set -eu

OUT=${1:-build/fuzz/seeds}/fuzz_fat
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1

fill() { # image
	mmd -i "$1" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
	printf 'MZ-not-really-a-PE' >"$tmp/boot"
	printf 'title Debian\nlinux /vmlinuz\n' >"$tmp/entry"
	head -c 3000 /dev/zero | tr '\0' 'k' >"$tmp/kernel"
	: >"$tmp/empty"
	mcopy -i "$1" "$tmp/boot" ::/EFI/BOOT/BOOTAA64.EFI
	mcopy -i "$1" "$tmp/entry" "::/loader/entries/Debian GNU Linux.conf"
	mcopy -i "$1" "$tmp/entry" ::/loader/entries/b.conf
	mcopy -i "$1" "$tmp/kernel" ::/vmlinuz
	mcopy -i "$1" "$tmp/empty" ::/EMPTY
}

seed() { # name, flags, image
	kib=$(($(stat -c %s "$3") / 1024))
	python3 - "$OUT/$1" "$2" "$kib" "$3" <<'PY'
import sys
out, flags, kib, img = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = open(img, 'rb').read().rstrip(b'\0')
open(out, 'wb').write(bytes([flags, kib & 0xff, kib >> 8]) + data)
PY
}

mkfs.fat -C -F 12 -f 1 -r 32 -n SEED12 "$tmp/f12.img" 64 >/dev/null
fill "$tmp/f12.img"
seed fat12 0 "$tmp/f12.img"
seed fat12-write 8 "$tmp/f12.img"
seed fat12-cd-write 9 "$tmp/f12.img"
seed fat12-ro-write 12 "$tmp/f12.img"

mkfs.fat -C -F 12 -S 4096 -f 2 "$tmp/f12s4k.img" 256 >/dev/null
fill "$tmp/f12s4k.img"
seed fat12-4k-write 10 "$tmp/f12s4k.img"

mkfs.fat -C -F 16 -f 2 -r 64 -s 1 "$tmp/f16.img" 2200 >/dev/null
fill "$tmp/f16.img"
seed fat16-write 8 "$tmp/f16.img"

# mtools wants 65,525 clusters for FAT32; mmuon does not: an empty one.
mkfs.fat -C -F 32 -f 2 -s 1 -n SEED32 "$tmp/f32.img" 1024 >/dev/null 2>&1
seed fat32-write 8 "$tmp/f32.img"
