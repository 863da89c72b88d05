// SPDX-License-Identifier: MIT
/*
 * Partition tables made by the field's own tools -- sgdisk (GPT), fdisk
 * (GPT with 4 KiB sectors), sfdisk (MBR with logical partitions), xorriso
 * (El Torito) -- read by src/disk/ from a RAM block device, and then broken
 * the ways disks break: a bad primary GPT header or entry array (the
 * backup must be used, with a note), both bad (no partitions, a note),
 * overlapping or out-of-range entries, a looping EBR chain, a bad boot
 * catalog checksum. Numbers, starts and sizes are checked against what
 * the tools were told and, for El Torito, what xorriso reports.
 *
 * A missing sgdisk, fdisk, sfdisk or xorriso fails the tests (tools/
 * install-deps.sh installs them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/crc32.h>
#include <mmuon/partition.h>

#include "ram_blockdev.h"

static char dir[] = "/tmp/mmuon-partition-XXXXXX";
static uint8_t scratch[4096];

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static uint8_t *load(const char *name, size_t *size)
{
	char path[256];
	FILE *f;
	uint8_t *data;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc(n);
	assert_int_equal(fread(data, 1, n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return data;
}

struct disk {
	uint8_t *data;
	size_t size;
	struct ram_blockdev ram;
	struct partition_table t;
};

static struct disk *open_disk(const char *name, uint32_t bs)
{
	struct disk *d = calloc(1, sizeof(*d));

	d->data = load(name, &d->size);
	ram_blockdev_init(&d->ram, d->data, d->size, bs);
	d->ram.dev.scratch = scratch;
	return d;
}

static void close_disk(struct disk *d)
{
	free(d->data);
	free(d);
}

static unsigned scan(struct disk *d)
{
	return partition_scan(&d->ram.dev, &d->t);
}

static void expect_part(const struct partition *p, enum partition_scheme s,
			uint32_t number, uint64_t start, uint64_t count)
{
	assert_int_equal(p->scheme, s);
	assert_int_equal(p->number, number);
	assert_int_equal(p->start, start);
	assert_int_equal(p->count, count);
	assert_int_equal(p->path_start, start);
}

/* ---- the images ---------------------------------------------------------- */

#define GUID1 "0F7D6F3A-5C1E-4B59-9B61-6E1D3C2B1A01"
#define GUID2 "0F7D6F3A-5C1E-4B59-9B61-6E1D3C2B1A02"
#define GUID4 "0F7D6F3A-5C1E-4B59-9B61-6E1D3C2B1A04"

static int make_images(void **state)
{
	(void)state;
	if (sh("command -v sgdisk fdisk sfdisk xorriso mkfs.fat >/dev/null")) {
		fprintf(stderr, "sgdisk, fdisk, sfdisk, xorriso and mkfs.fat "
				"are needed (tools/install-deps.sh)\n");
		return -1;
	}
	if (!mkdtemp(dir))
		return -1;
	/* GPT, 512-byte sectors: ESP, Linux data, entry 3 unused, 4 to the
	 * end. (Not sgdisk -q: gdisk 1.0.9 then writes nothing.) */
	if (sh("cd %s && truncate -s 4M gpt.img && sgdisk -o "
	       "-U 11111111-2222-3333-4444-555555555555 "
	       "-n 1:2048:+1M -t 1:ef00 -u 1:" GUID1 " "
	       "-n 2:0:+1M -t 2:8300 -u 2:" GUID2 " "
	       "-n 4:0:0 -t 4:8300 -u 4:" GUID4 " gpt.img >/dev/null",
	       dir))
		return -1;
	/* GPT on 4 KiB sectors (fdisk -b: sfdisk 2.38 has no sector size):
	 * an ESP at 256, a Linux partition after it. */
	if (sh("cd %s && truncate -s 8M gpt4k.img && printf 'g\\nn\\n1\\n256\\n"
	       "511\\nt\\n1\\nn\\n2\\n512\\n1023\\nw\\n' | "
	       "fdisk -b 4096 gpt4k.img >/dev/null 2>&1",
	       dir))
		return -1;
	/* MBR: an ESP, an extended partition with two logical ones, the
	 * third slot empty, a Linux partition in the fourth. */
	if (sh("cd %s && truncate -s 16M mbr.img && printf 'label: dos\\n"
	       "label-id: 0x12345678\\n"
	       "mbr.img1 : start=2048, size=2048, type=ef\\n"
	       "mbr.img2 : start=4096, size=16384, type=5\\n"
	       "mbr.img4 : start=24576, size=4096, type=83\\n"
	       "mbr.img5 : start=6144, size=4096, type=83\\n"
	       "mbr.img6 : start=12288, size=2048, type=83\\n' | "
	       "sfdisk -q mbr.img >/dev/null",
	       dir))
		return -1;
	/* ISOs: EFI only; BIOS then EFI (the EFI entry in a section). */
	if (sh("cd %s && mkdir -p root && echo hi >root/a.txt && "
	       "truncate -s 1M root/efi.img && mkfs.fat root/efi.img "
	       ">/dev/null "
	       "&& head -c 2048 /dev/zero >root/bios.bin && "
	       "xorriso -as mkisofs -quiet -o efi.iso -e efi.img -no-emul-boot "
	       "root 2>/dev/null && xorriso -as mkisofs -quiet -o both.iso "
	       "-b bios.bin -no-emul-boot -boot-load-size 4 -eltorito-alt-boot "
	       "-e efi.img -no-emul-boot root 2>/dev/null",
	       dir))
		return -1;
	return 0;
}

static int remove_images(void **state)
{
	(void)state;
	return sh("rm -rf %s", dir);
}

/* ---- GPT ------------------------------------------------------------------- */

static void test_gpt(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);
	static const uint8_t guid1[16] = {0x3a, 0x6f, 0x7d, 0x0f, 0x1e, 0x5c,
					  0x59, 0x4b, 0x9b, 0x61, 0x6e, 0x1d,
					  0x3c, 0x2b, 0x1a, 0x01};
	static const uint8_t esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8,
					0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0,
					0xc9, 0x3e, 0xc9, 0x3b};

	(void)state;
	assert_int_equal(scan(d), 3);
	assert_int_equal(d->t.scheme, PARTITION_GPT);
	assert_string_equal(d->t.notes, "");
	expect_part(&d->t.part[0], PARTITION_GPT, 1, 2048, 2048);
	expect_part(&d->t.part[1], PARTITION_GPT, 2, 4096, 2048);
	/* Entry 3 is unused: the next one keeps its number. */
	expect_part(&d->t.part[2], PARTITION_GPT, 4, 6144, 2015);
	assert_memory_equal(d->t.part[0].signature, guid1, 16);
	assert_memory_equal(d->t.part[0].type_guid, esp, 16);
	assert_true(d->t.part[0].system);
	assert_false(d->t.part[1].system);
	assert_int_equal(d->t.part[0].path_size, 2048);
	close_disk(d);
}

static void test_gpt_4k_sectors(void **state)
{
	struct disk *d = open_disk("gpt4k.img", 4096);

	(void)state;
	assert_int_equal(scan(d), 2);
	expect_part(&d->t.part[0], PARTITION_GPT, 1, 256, 256);
	expect_part(&d->t.part[1], PARTITION_GPT, 2, 512, 512);
	assert_true(d->t.part[0].system);
	close_disk(d);
	/* The same bytes read as 512-byte blocks hold no GPT at LBA 1. */
	d = open_disk("gpt4k.img", 512);
	scan(d);
	assert_int_not_equal(d->t.scheme, PARTITION_GPT);
	close_disk(d);
}

static void test_gpt_bad_primary_header_uses_backup(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	d->data[512 + 16] ^= 1; /* the header CRC */
	assert_int_equal(scan(d), 3);
	assert_non_null(
		strstr(d->t.notes, "primary header (LBA 1) has a bad CRC"));
	assert_non_null(
		strstr(d->t.notes, "using the backup header (LBA 8191)"));
	expect_part(&d->t.part[2], PARTITION_GPT, 4, 6144, 2015);
	close_disk(d);
}

static void test_gpt_bad_primary_entries_uses_backup(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	d->data[2 * 512 + 40] ^= 0x10; /* entry 1's end, under the array CRC */
	assert_int_equal(scan(d), 3);
	assert_non_null(strstr(d->t.notes, "entries with a bad CRC"));
	expect_part(&d->t.part[0], PARTITION_GPT, 1, 2048, 2048);
	close_disk(d);
}

static void test_gpt_both_bad(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	d->data[512 + 16] ^= 1;
	d->data[d->size - 512 + 16] ^= 1;
	assert_int_equal(scan(d), 0);
	assert_non_null(strstr(d->t.notes, "backup header (LBA 8191) has a bad "
					   "CRC: no GPT partitions"));
	close_disk(d);
}

/* Rewrites the primary header's CRC after a change to it. */
static void reseal_header(uint8_t *hdr)
{
	uint32_t crc;

	memset(hdr + 16, 0, 4);
	crc = crc32_calc(hdr, 92);
	memcpy(hdr + 16, &crc, 4);
}

static void reseal_entries(uint8_t *data)
{
	uint32_t crc = crc32_calc(data + 1024, 128 * 128);

	memcpy(data + 512 + 88, &crc, 4);
	reseal_header(data + 512);
}

static void test_gpt_bad_entries_skipped(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);
	uint64_t v;

	(void)state;
	/* Entry 2 overlaps entry 1; entry 4 runs past the last usable LBA. */
	v = 3000;
	memcpy(d->data + 1024 + 128 + 32, &v, 8);
	v = 9000;
	memcpy(d->data + 1024 + 3 * 128 + 40, &v, 8);
	reseal_entries(d->data);
	assert_int_equal(scan(d), 0);
	assert_non_null(strstr(d->t.notes, "GPT entry 4 lies outside"));
	assert_non_null(strstr(d->t.notes, "GPT entry 1 overlaps another"));
	assert_non_null(strstr(d->t.notes, "GPT entry 2 overlaps another"));
	close_disk(d);
}

static void test_gpt_header_fields_checked(void **state)
{
	static const struct {
		unsigned off;
		uint32_t value;
		const char *why;
	} bad[] = {
		{12, 91, "bad header size"},
		{12, 513, "bad header size"},
		{24, 2, "names another LBA"},
		{84, 96, "bad entry size"},
		{84, 32768, "bad entry size"},
		{80, 0, "bad number of entries"},
		{80, 100000, "bad number of entries"},
		{72, 8190, "entries outside the disk"},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct disk *d = open_disk("gpt.img", 512);

		memcpy(d->data + 512 + bad[i].off, &bad[i].value, 4);
		reseal_header(d->data + 512);
		/* The backup still holds. */
		assert_int_equal(scan(d), 3);
		if (!strstr(d->t.notes, bad[i].why))
			fail_msg("field at %u = %u: notes \"%s\", want \"%s\"",
				 bad[i].off, bad[i].value, d->t.notes,
				 bad[i].why);
		close_disk(d);
	}
}

/* Without a protective MBR a GPT is not looked at (EDK2, Linux). */
static void test_gpt_needs_protective_mbr(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	d->data[446 + 4] = 0x83;
	scan(d);
	assert_int_not_equal(d->t.scheme, PARTITION_GPT);
	close_disk(d);
}

/* ---- MBR ------------------------------------------------------------------ */

static void test_mbr_with_logical_partitions(void **state)
{
	struct disk *d = open_disk("mbr.img", 512);
	const struct partition *p = d->t.part;

	(void)state;
	assert_int_equal(scan(d), 5);
	assert_int_equal(d->t.scheme, PARTITION_MBR);
	expect_part(&p[0], PARTITION_MBR, 1, 2048, 2048);
	assert_true(p[0].system);
	assert_int_equal(p[0].mbr_type, 0xef);
	assert_int_equal(p[0].signature[0], 0x78);
	assert_int_equal(p[0].signature[3], 0x12);
	expect_part(&p[1], PARTITION_MBR, 2, 4096, 16384);
	assert_true(p[1].extended);
	/* The fourth slot after an empty third: number 4 (EDK2 2022.11). */
	expect_part(&p[2], PARTITION_MBR, 4, 24576, 4096);
	assert_int_equal(p[2].parent, PARTITION_NO_PARENT);
	assert_int_equal(p[2].mbr_record[4], 0x83);
	/* Then the logical ones: numbered from 1 under the extended one. */
	expect_part(&p[3], PARTITION_MBR, 1, 6144, 4096);
	assert_int_equal(p[3].parent, 1);
	assert_int_equal(p[3].signature[0], 0);
	expect_part(&p[4], PARTITION_MBR, 2, 12288, 2048);
	assert_int_equal(p[4].parent, 1);
	close_disk(d);
}

/* An EBR whose link points back: followed once, then refused. */
static void test_mbr_ebr_loop(void **state)
{
	struct disk *d = open_disk("mbr.img", 512);
	uint8_t *second_ebr;
	uint32_t zero = 0;

	(void)state;
	/* The first EBR (LBA 4096) links to the second; point the second's
	 * link back at the first. */
	second_ebr =
		d->data +
		(4096 + get_le32(d->data + 4096 * 512 + 446 + 16 + 8)) * 512;
	second_ebr[446 + 16 + 4] = 0x05;
	memcpy(second_ebr + 446 + 16 + 8, &zero, 4);
	second_ebr[446 + 16 + 12] = 1;
	assert_int_equal(scan(d), 5);
	close_disk(d);
	d = open_disk("mbr.img", 512);
	second_ebr =
		d->data +
		(4096 + get_le32(d->data + 4096 * 512 + 446 + 16 + 8)) * 512;
	second_ebr[446 + 16 + 4] = 0x05;
	second_ebr[446 + 16 + 8] = 1; /* back to relative LBA 1 */
	second_ebr[446 + 16 + 12] = 1;
	assert_int_equal(scan(d), 5);
	assert_non_null(strstr(d->t.notes, "loops or runs back"));
	close_disk(d);
}

static void test_mbr_invalid(void **state)
{
	struct disk *d = open_disk("mbr.img", 512);

	(void)state;
	/* Overlapping primaries: not an MBR (EDK2's rule). */
	memcpy(d->data + 446 + 3 * 16 + 8, "\x00\x18\x00\x00", 4);
	assert_int_equal(scan(d), 0);
	close_disk(d);
	d = open_disk("mbr.img", 512);
	d->data[511] = 0;
	assert_int_equal(scan(d), 0);
	close_disk(d);
	/* A partition past the end of the disk. */
	d = open_disk("mbr.img", 512);
	memcpy(d->data + 446 + 12, "\x00\x00\x01\x00", 4);
	assert_int_equal(scan(d), 0);
	close_disk(d);
}

/* ---- El Torito -------------------------------------------------------------- */

/* xorriso's own word on the image: platform, load size, LBA of entry n. */
static void xorriso_entry(const char *iso, int n, char *platform,
			  unsigned *sectors, unsigned *lba)
{
	char cmd[512], line[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "xorriso -indev %s/%s -report_el_torito plain 2>/dev/null",
		 dir, iso);
	f = popen(cmd, "r");
	assert_non_null(f);
	*lba = 0;
	while (fgets(line, sizeof(line), f)) {
		int num;
		char pf[16], boot[4], emul[16], seg[16], hdpt[16];

		if (sscanf(line,
			   "El Torito boot img : %d %15s %3s %15s %15s %15s %u "
			   "%u",
			   &num, pf, boot, emul, seg, hdpt, sectors,
			   lba) == 8 &&
		    num == n) {
			strcpy(platform, pf);
			break;
		}
	}
	pclose(f);
	assert_int_not_equal(*lba, 0);
}

static void test_eltorito_efi_only(void **state)
{
	struct disk *d = open_disk("efi.iso", 2048);
	char platform[16];
	unsigned sectors, lba;

	(void)state;
	xorriso_entry("efi.iso", 1, platform, &sectors, &lba);
	assert_string_equal(platform, "UEFI");
	assert_int_equal(scan(d), 1);
	assert_int_equal(d->t.scheme, PARTITION_ELTORITO);
	/* The initial entry: number 0. EDK2 takes the no-emulation count in
	 * media blocks (2048 bytes), and so does the device path. */
	expect_part(&d->t.part[0], PARTITION_ELTORITO, 0, lba,
		    d->t.part[0].count);
	assert_int_equal(d->t.part[0].path_size, sectors);
	assert_int_equal(d->t.part[0].count,
			 d->ram.dev.block_count - lba < sectors
				 ? d->ram.dev.block_count - lba
				 : sectors);
	assert_int_equal(d->t.part[0].platform, 0xef);
	assert_true(d->t.part[0].system);
	close_disk(d);
}

static void test_eltorito_bios_and_efi(void **state)
{
	struct disk *d = open_disk("both.iso", 2048);
	char platform[16];
	unsigned sectors, lba;

	(void)state;
	xorriso_entry("both.iso", 2, platform, &sectors, &lba);
	assert_string_equal(platform, "UEFI");
	/* Only the EFI entry, numbered as EDK2 numbers it: the second. */
	assert_int_equal(scan(d), 1);
	expect_part(&d->t.part[0], PARTITION_ELTORITO, 1, lba,
		    d->t.part[0].count);
	close_disk(d);
	/* The ISO copied to a disk with 512-byte blocks. */
	d = open_disk("both.iso", 512);
	assert_int_equal(scan(d), 1);
	assert_int_equal(d->t.scheme, PARTITION_ELTORITO);
	expect_part(&d->t.part[0], PARTITION_ELTORITO, 1, lba * 4,
		    d->t.part[0].count);
	assert_int_equal(d->t.part[0].path_size, (uint64_t)sectors * 4);
	close_disk(d);
}

static void test_eltorito_bad_catalog(void **state)
{
	struct disk *d = open_disk("efi.iso", 2048);
	uint32_t catalog;

	(void)state;
	/* The boot record volume descriptor follows the primary one. */
	catalog = get_le32(d->data + 17 * 2048 + 71);
	d->data[catalog * 2048 + 28] ^= 1; /* the checksum */
	assert_int_equal(scan(d), 0);
	assert_non_null(strstr(d->t.notes, "is not valid"));
	close_disk(d);
	/* A catalog pointer past the end of the medium. */
	d = open_disk("efi.iso", 2048);
	memcpy(d->data + 17 * 2048 + 71, "\xff\xff\xff\x00", 4);
	assert_int_equal(scan(d), 0);
	close_disk(d);
}

/* ---- nothing, or no media ---------------------------------------------------- */

static void test_blank_and_absent(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	memset(d->data, 0, d->size);
	assert_int_equal(scan(d), 0);
	assert_int_equal(d->t.scheme, PARTITION_NONE);
	assert_string_equal(d->t.notes, "");
	d->ram.dev.media_present = false;
	assert_int_equal(scan(d), 0);
	d->ram.dev.media_present = true;
	d->ram.dev.block_count = 1;
	assert_int_equal(scan(d), 0);
	close_disk(d);
}

static void test_read_errors_end_the_scan(void **state)
{
	struct disk *d = open_disk("gpt.img", 512);

	(void)state;
	d->ram.fail = true;
	d->ram.fail_lba = 2;	      /* the primary entry array */
	assert_int_equal(scan(d), 3); /* from the backup */
	assert_non_null(strstr(d->t.notes, "entries that cannot be read"));
	d->ram.fail_lba = 0;
	assert_int_equal(scan(d), 0);
	close_disk(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_gpt_4k_sectors),
		cmocka_unit_test(test_gpt_bad_primary_header_uses_backup),
		cmocka_unit_test(test_gpt_bad_primary_entries_uses_backup),
		cmocka_unit_test(test_gpt_both_bad),
		cmocka_unit_test(test_gpt_bad_entries_skipped),
		cmocka_unit_test(test_gpt_header_fields_checked),
		cmocka_unit_test(test_gpt_needs_protective_mbr),
		cmocka_unit_test(test_mbr_with_logical_partitions),
		cmocka_unit_test(test_mbr_ebr_loop),
		cmocka_unit_test(test_mbr_invalid),
		cmocka_unit_test(test_eltorito_efi_only),
		cmocka_unit_test(test_eltorito_bios_and_efi),
		cmocka_unit_test(test_eltorito_bad_catalog),
		cmocka_unit_test(test_blank_and_absent),
		cmocka_unit_test(test_read_errors_end_the_scan),
	};

	return cmocka_run_group_tests(tests, make_images, remove_images);
}
