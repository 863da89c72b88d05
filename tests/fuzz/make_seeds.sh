#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Regenerate the seed corpora of the fuzz targets into OUTDIR (default
# build/fuzz/seeds); `tools/fuzz.sh merge` then minimizes them into
# tests/fuzz/corpus/<target>/, which is what is committed.
#
#   fuzz_pe:      the first 4 KiB of Debian's arm64 kernels (6.1, 6.12)
#                 from the cache, plus synthetic images (gen_seeds.py);
#                 GRUB's and systemd's EFI images: their first 4 KiB, and
#                 the relocation tables they ship, with the image they
#                 patch (reloc_seeds.py)
#   fuzz_dt:      QEMU virt DTBs (EL1, EL2, EL3, 2 CPUs + 5 GiB, NUMA)
#                 and the unit tests' trees, compacted by dtc, and one
#                 with the structure block last (craft_dt.py)
#   fuzz_devpath, fuzz_memmap: synthetic (gen_seeds.py)
#   fuzz_fat:     FAT12/16/32 volumes from mkfs.fat + mtools (fat_seeds.sh)
#   fuzz_boot_config: Boot#### contents and QEMU bootorder files
#                 (boot_config_seeds.py)
#   fuzz_vars:    variable stores written by the firmware's own code
#                 (build/host/mmuon-varstore) in the fuzz geometry: empty,
#                 a few variables, after reclaims, an update left half
#                 done; each also with the "fix the CRCs" byte after it
#   fuzz_gpt, fuzz_mbr, fuzz_eltorito: disks from sgdisk, fdisk, sfdisk
#                 and xorriso (partition_seeds.sh)
#   fuzz_table_loader, fuzz_smbios: QEMU's fw_cfg data captured in
#                 tests/unit/data/qemu/ (gen_tables_seeds.py)
set -eu

OUT=${1:-build/fuzz/seeds}
CACHE=${MMUON_CACHE:-$HOME/.cache/mmuon}
QEMU=${QEMU:-qemu-system-aarch64}
HERE=$(dirname "$0")

mkdir -p "$OUT/fuzz_pe" "$OUT/fuzz_dt"
/usr/bin/python3 "$HERE/gen_seeds.py" "$OUT"
/usr/bin/python3 "$HERE/gen_tables_seeds.py" "$OUT"

for k in vmlinuz-6.1 vmlinuz-new; do
	if [ -f "$CACHE/arm64/$k" ]; then
		head -c 4096 "$CACHE/arm64/$k" >"$OUT/fuzz_pe/$k-head"
	else
		echo "make_seeds: no $CACHE/arm64/$k (tools/fetch-arm64.sh)" >&2
	fi
done

/usr/bin/python3 "$HERE/reloc_seeds.py" "$OUT/fuzz_pe" \
	$(ls "$CACHE"/arm64/systemd-*/usr/lib/systemd/boot/efi/*aa64.efi* \
		"$CACHE"/arm64/grub-*/usr/lib/grub/arm64-efi/monolithic/grubaa64.efi \
		2>/dev/null)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump() { # name, QEMU arguments...
	name=$1
	shift
	$QEMU -nodefaults -display none -cpu max "$@" 2>/dev/null
	dtc -q -I dtb -O dtb -o "$OUT/fuzz_dt/$name.dtb" "$tmp/x.dtb"
}
dump virt -M virt,dumpdtb="$tmp/x.dtb" -m 1G
dump virt-el2 -M virt,virtualization=on,dumpdtb="$tmp/x.dtb" -m 1G
dump virt-el3 -M virt,secure=on,dumpdtb="$tmp/x.dtb" -m 1G
dump virt-smp2-5g -M virt,dumpdtb="$tmp/x.dtb" -m 5G -smp 2
dump virt-numa -M virt,dumpdtb="$tmp/x.dtb" -m 1G -smp 2 \
	-object memory-backend-ram,id=m0,size=512M \
	-object memory-backend-ram,id=m1,size=512M \
	-numa node,memdev=m0,cpus=0 -numa node,memdev=m1,cpus=1
# The layout that ends the blob inside a property (see craft_dt.py); the
# crashing variants are in tests/fuzz/crashes/fuzz_dt/ already.
/usr/bin/python3 "$HERE/craft_dt.py" "$tmp/crashes" "$OUT/fuzz_dt"
for dts in "$HERE"/../unit/data/*.dts; do
	dtc -q -I dts -O dtb -o "$OUT/fuzz_dt/unit-$(basename "$dts" .dts).dtb" \
		"$dts"
done
"$HERE/fat_seeds.sh" "$OUT"
/usr/bin/python3 "$HERE/boot_config_seeds.py" "$OUT"
# fuzz_vars: two 4 KiB areas, as tests/fuzz/fuzz_vars.c mounts them.
VS="build/host/mmuon-varstore --area-size 4096 --erase-size 4096"
GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c
V=$OUT/fuzz_vars
mkdir -p "$V"
make -s build/host/mmuon-varstore
$VS format "$V/empty" --size 8192
cp "$V/empty" "$V/few"
$VS set "$V/few" BootOrder $GUID 7 01000000
$VS set "$V/few" Boot0001 $GUID 7 0100000024004400650062006900610006000000
$VS set "$V/few" NvBootOnly $GUID 3 41424344
cp "$V/few" "$V/reclaimed"
i=0
while [ $i -lt 40 ]; do
	$VS set "$V/reclaimed" Counter $GUID 7 \
		"$(printf '%08x' $i)$(printf '61%.0s' $(seq 100))"
	i=$((i + 1))
done
# An update whose old record was never retired: the OBSOLETE bit of the
# first record (BootOrder, at 64) set back.
cp "$V/few" "$V/half-update"
$VS set "$V/half-update" BootOrder $GUID 7 02000100
printf '\376\377\377\377' | dd of="$V/half-update" bs=1 seek=64 conv=notrunc 2>/dev/null
for f in "$V"/*; do
	cp "$f" "$f-fixcrc"
	printf '\001' >>"$f-fixcrc"
done
"$HERE/partition_seeds.sh" "$OUT"
echo "make_seeds: seeds in $OUT"
