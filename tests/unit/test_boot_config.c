// SPDX-License-Identifier: MIT
/*
 * The boot manager's pure parts: EFI_LOAD_OPTION parsing and building
 * (load_option.c), short-form device paths (devpath_expand.c) and QEMU's
 * bootorder file (bootorder.c), the latter on the exact bytes QEMU 10.0
 * wrote for arm64 virt with the devices named in each case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <mmuon/bootorder.h>
#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_text.h>
#include <mmuon/devpath_util.h>
#include <mmuon/load_option.h>

#define U(s) ((const uint16_t *)u##s)
#define END 0x7f, 0xff, 0x04, 0x00

/* PciRoot(0x0)/Pci(0x1,0x0), as EDK2 writes a virtio disk. */
#define PCIROOT 0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0
#define PCI_1_0 0x01, 0x01, 0x06, 0x00, 0x00, 0x01

/* HD(1,GPT,<guid>,0x800,0x32000) */
#define HD_GPT(g)                                                              \
	0x04, 0x01, 0x2a, 0x00, 1, 0, 0, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0,      \
		0x00, 0x20, 0x03, 0, 0, 0, 0, 0, g, 2, 2
#define GUID_A                                                                 \
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,      \
		0xcc, 0xdd, 0xee, 0xff, 0x00
#define GUID_B                                                                 \
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,      \
		0xcc, 0xdd, 0xee, 0xff, 0x01
/* HD(n,MBR,0x12345678,start,size) */
#define HD_MBR(n, start)                                                       \
	0x04, 0x01, 0x2a, 0x00, n, 0, 0, 0, start, 0, 0, 0, 0, 0, 0, 0, 0,     \
		0x10, 0, 0, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0, \
		0, 0, 0, 0, 0, 0, 0, 1, 1

/* File("\EFI\BOOT\BOOTAA64.EFI") = 4 + 23 * 2 bytes. */
#define FILE_BOOT                                                              \
	0x04, 0x04, 0x32, 0x00, '\\', 0, 'E', 0, 'F', 0, 'I', 0, '\\', 0, 'B', \
		0, 'O', 0, 'O', 0, 'T', 0, '\\', 0, 'B', 0, 'O', 0, 'O', 0,    \
		'T', 0, 'A', 0, 'A', 0, '6', 0, '4', 0, '.', 0, 'E', 0, 'F',   \
		0, 'I', 0, 0, 0

static const uint8_t disk_path[] = {PCIROOT, PCI_1_0, END};
static const uint8_t esp_path[] = {PCIROOT, PCI_1_0, HD_GPT(GUID_A), END};
static const uint8_t short_hd[] = {HD_GPT(GUID_A), FILE_BOOT, END};
static const uint8_t short_hd_b[] = {HD_GPT(GUID_B), FILE_BOOT, END};
static const uint8_t full_file[] = {PCIROOT, PCI_1_0, HD_GPT(GUID_A), FILE_BOOT,
				    END};

/* Copy into an exactly sized heap buffer so ASan sees any overrun. */
static uint8_t *dup_at(const void *p, size_t n, size_t shift)
{
	uint8_t *b = malloc(n + shift);

	memcpy(b + shift, p, n);
	return b;
}

/* ---- load options ------------------------------------------------------------ */

static void test_load_option_roundtrip(void **state)
{
	static const uint8_t tag[16] = {0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f,
					0x59, 0x4d, 0x85, 0x0e, 0xe2, 0x1a,
					0x52, 0x2c, 0x59, 0xb2};
	uint8_t buf[256];
	struct load_option opt;
	char desc[64];
	size_t n;

	(void)state;
	n = load_option_build(buf, sizeof(buf), LOAD_OPTION_ACTIVE,
			      "UEFI Misc Device", disk_path, sizeof(disk_path),
			      tag, sizeof(tag));
	assert_int_equal(n, 6 + 17 * 2 + sizeof(disk_path) + 16);
	/* Parse from an odd address: nothing may assume alignment. */
	for (size_t shift = 0; shift < 2; shift++) {
		uint8_t *p = dup_at(buf, n, shift);

		assert_int_equal(load_option_parse(p + shift, n, &opt),
				 LOAD_OPTION_OK);
		assert_int_equal(opt.attributes, LOAD_OPTION_ACTIVE);
		assert_int_equal(opt.description_len, 16);
		assert_int_equal(opt.file_path_size, sizeof(disk_path));
		assert_int_equal(opt.file_path_list_size, sizeof(disk_path));
		assert_memory_equal(opt.file_path, disk_path,
				    sizeof(disk_path));
		assert_int_equal(opt.optional_size, 16);
		assert_memory_equal(opt.optional_data, tag, 16);
		assert_int_equal(
			load_option_description(&opt, desc, sizeof(desc)), 16);
		assert_string_equal(desc, "UEFI Misc Device");
		free(p);
	}
	/* A description cut to the caller's buffer, never mid-character. */
	n = load_option_build(buf, sizeof(buf), 0,
			      "d\xc3\xa9"
			      "but",
			      disk_path, sizeof(disk_path), NULL, 0);
	assert_int_equal(load_option_parse(buf, n, &opt), LOAD_OPTION_OK);
	assert_int_equal(load_option_description(&opt, desc, sizeof(desc)), 6);
	assert_string_equal(desc, "d\xc3\xa9"
				  "but");
	assert_int_equal(load_option_description(&opt, desc, 3), 6);
	assert_string_equal(desc, "d");
	assert_int_equal(opt.optional_size, 0);
	/* Too small a buffer. */
	assert_int_equal(load_option_build(buf, 20, 0, "x", disk_path,
					   sizeof(disk_path), NULL, 0),
			 0);
}

static void test_load_option_bad(void **state)
{
	uint8_t buf[128], *p;
	struct load_option opt;
	size_t n;

	(void)state;
	n = load_option_build(buf, sizeof(buf), 1, "ab", disk_path,
			      sizeof(disk_path), NULL, 0);
	for (size_t cut = 0; cut < n; cut++) {
		p = dup_at(buf, cut, 0);
		assert_int_not_equal(load_option_parse(p, cut, &opt),
				     LOAD_OPTION_OK);
		free(p);
	}
	assert_int_equal(load_option_parse(buf, 7, &opt),
			 LOAD_OPTION_TOO_SHORT);
	assert_int_equal(load_option_parse(buf, 10, &opt),
			 LOAD_OPTION_NO_DESCRIPTION);
	assert_int_equal(load_option_parse(buf, n - 1, &opt),
			 LOAD_OPTION_PATH_OVERFLOW);
	/* FilePathListLength 0. */
	buf[4] = buf[5] = 0;
	assert_int_equal(load_option_parse(buf, n, &opt), LOAD_OPTION_NO_PATH);
	/* A node of length 2 (would never advance). */
	buf[4] = (uint8_t)sizeof(disk_path);
	buf[6 + 6 + 2] = 2;
	assert_int_equal(load_option_parse(buf, n, &opt), LOAD_OPTION_BAD_PATH);
	/* No End inside the list. */
	buf[6 + 6 + 2] = 0x0c;
	buf[4] = (uint8_t)(sizeof(disk_path) - 4);
	assert_int_equal(load_option_parse(buf, n, &opt), LOAD_OPTION_BAD_PATH);
	assert_string_equal(load_option_strerror(LOAD_OPTION_BAD_PATH),
			    "malformed device path");
}

static void test_var_names(void **state)
{
	uint16_t name[16], num = 0;

	(void)state;
	assert_true(load_option_var_name(U("Boot0001"), "Boot", &num));
	assert_int_equal(num, 1);
	assert_true(load_option_var_name(U("BootABCD"), "Boot", &num));
	assert_int_equal(num, 0xabcd);
	assert_false(load_option_var_name(U("Bootabcd"), "Boot", &num));
	assert_false(load_option_var_name(U("Boot001"), "Boot", &num));
	assert_false(load_option_var_name(U("Boot00011"), "Boot", &num));
	assert_false(load_option_var_name(U("BootOrder"), "Boot", &num));
	assert_false(load_option_var_name(U("boot0001"), "Boot", &num));
	load_option_make_name("Boot", 0x2a, name);
	assert_memory_equal(name, U("Boot002A"), 9 * 2);
}

/* ---- device paths ------------------------------------------------------------ */

static void test_forms(void **state)
{
	static const uint8_t usb_wwid[] = {3, 0x10, 10, 0, 0,  0,
					   0, 0,    0,	0, END};
	static const uint8_t usb_class[] = {3, 0x0f, 11, 0, 0, 0,
					    0, 0,    0,	 0, 0, END};
	static const uint8_t uri[] = {3, 0x18, 6, 0, 'h', 'x', END};
	static const uint8_t fv[] = {4, 7, 20, 0, 0, 0, 0, 0, 0, 0,  0,
				     0, 0, 0,  0, 0, 0, 0, 0, 0, END};
	static const uint8_t file_only[] = {FILE_BOOT, END};

	(void)state;
	assert_int_equal(devpath_form(disk_path), DEVPATH_FORM_FULL);
	assert_int_equal(devpath_form(short_hd), DEVPATH_FORM_HD);
	assert_int_equal(devpath_form(file_only), DEVPATH_FORM_FILE);
	assert_int_equal(devpath_form(usb_wwid), DEVPATH_FORM_USB_WWID);
	assert_int_equal(devpath_form(usb_class), DEVPATH_FORM_USB_CLASS);
	assert_int_equal(devpath_form(uri), DEVPATH_FORM_URI);
	assert_int_equal(devpath_form(fv), DEVPATH_FORM_FV);
	assert_non_null(strstr(devpath_form_name(DEVPATH_FORM_URI), "HTTP"));
}

static void test_hd_match(void **state)
{
	static const uint8_t mbr1[] = {PCIROOT, PCI_1_0, HD_MBR(1, 0x08), END};
	static const uint8_t mbr2[] = {PCIROOT, PCI_1_0, HD_MBR(2, 0x18), END};
	static const uint8_t short_mbr2[] = {HD_MBR(2, 0x18), FILE_BOOT, END};
	uint8_t full[256];
	size_t after = 0, n;

	(void)state;
	assert_true(
		devpath_hd_match(short_hd, esp_path, sizeof(esp_path), &after));
	assert_int_equal(after, sizeof(esp_path) - 4);
	assert_false(devpath_hd_match(short_hd_b, esp_path, sizeof(esp_path),
				      &after));
	assert_false(devpath_hd_match(short_hd, disk_path, sizeof(disk_path),
				      &after));
	/* MBR: the disk signature is not enough, the partition must be it. */
	assert_false(devpath_hd_match(short_mbr2, mbr1, sizeof(mbr1), &after));
	assert_true(devpath_hd_match(short_mbr2, mbr2, sizeof(mbr2), &after));

	/* Expansion: the partition's path, then what followed HD. */
	n = devpath_concat(
		esp_path, sizeof(esp_path), short_hd + DEVPATH_HD_SIZE,
		sizeof(short_hd) - DEVPATH_HD_SIZE, full, sizeof(full));
	assert_int_equal(n, sizeof(full_file));
	assert_memory_equal(full, full_file, sizeof(full_file));
	assert_int_equal(devpath_concat(esp_path, sizeof(esp_path), short_hd,
					sizeof(short_hd), full, 40),
			 0);
}

static void test_file_part(void **state)
{
	/* File("\EFI") / File("debian\grubaa64.efi"), as some tools split. */
	static const uint8_t split[] = {
		PCIROOT, 4, 4, 14, 0, '\\', 0, 'E',  0, 'F', 0, 'I', 0, 0,
		0,	 4, 4, 12, 0, 'a',  0, '\\', 0, 'b', 0, 0,   0, END};
	static const uint8_t mixed[] = {PCIROOT, FILE_BOOT, PCI_1_0, END};
	static const uint8_t unterminated[] = {4, 4, 8, 0, 'a', 0, 'b', 0, END};
	uint16_t name[64];
	size_t off;

	(void)state;
	off = devpath_file_part(full_file);
	assert_int_equal(off, sizeof(esp_path) - 4);
	assert_int_equal(devpath_file_name(full_file + off, name, 64), 22);
	assert_memory_equal(name, U("\\EFI\\BOOT\\BOOTAA64.EFI"), 23 * 2);
	assert_int_equal(devpath_file_name(full_file + off, name, 22), 0);
	assert_int_equal(devpath_file_part(disk_path), sizeof(disk_path) - 4);
	assert_int_equal(devpath_file_name(disk_path + 18, name, 64), 0);
	off = devpath_file_part(split);
	assert_int_equal(off, 12);
	assert_int_equal(devpath_file_name(split + off, name, 64), 8);
	assert_memory_equal(name, U("\\EFI\\a\\b"), 9 * 2);
	assert_int_equal(devpath_file_part(mixed), SIZE_MAX);
	assert_int_equal(devpath_file_name(unterminated, name, 64), 0);

	/* Building one. */
	uint8_t node[64];
	assert_int_equal(devpath_file_node(U("\\EFI\\BOOT\\BOOTAA64.EFI"), node,
					   sizeof(node)),
			 sizeof(full_file) - sizeof(esp_path) + 4);
	assert_memory_equal(node, full_file + sizeof(esp_path) - 4,
			    sizeof(full_file) - sizeof(esp_path) + 4);
	assert_int_equal(
		devpath_file_node(U("\\EFI\\BOOT\\BOOTAA64.EFI"), node, 20), 0);
}

static void test_text(void **state)
{
	static const uint8_t mmio[] = {
		0x01, 0x04, 0x1c, 0x00, BOOTORDER_VIRTIO_MMIO_GUID,
		0x00, 0x3e, 0x00, 0x0a, 0x00,
		0x00, 0x00, 0x00, 0x03, 0x02,
		8,    0,    1,	  0,	2,
		0,    0x04, 0x02, 24,	0,
		1,    0,    0,	  0,	0x6c,
		0,    0,    0,	  0,	0,
		0,    0,    0xc0, 0x02, 0,
		0,    0,    0,	  0,	0,
		0x05, 0x05, 4,	  0,	END};
	static const uint8_t mbr[] = {PCIROOT, PCI_1_0, HD_MBR(2, 0x18), END};
	/* Vendor nodes too short for their GUID (fuzz_boot_config found the
	 * GUID read past the node). */
	static const uint8_t short_vendor[] = {
		0x01, 0x04, 0x08, 0x00, 1, 2, 3, 4, /* VenHw, 8 bytes */
		0x04, 0x03, 0x04, 0x00,		    /* VenMedia, 4 bytes */
		END};
	char out[256];
	size_t n;

	(void)state;
	n = devpath_to_text(full_file, sizeof(full_file), out, sizeof(out));
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, "PciRoot(0x0)/Pci(0x1,0x0)/HD(1,GPT,44332211-"
				 "6655-8877-99AA-BBCCDDEEFF00,0x800,0x32000)"
				 "/\\EFI\\BOOT\\BOOTAA64.EFI");
	devpath_to_text(mmio, sizeof(mmio), out, sizeof(out));
	assert_string_equal(out, "VenHw(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,"
				 "003E000A00000000)/Scsi(0x1,0x2)/"
				 "CDROM(0x1,0x6c,0x2c0)/Path(5,5)");
	devpath_to_text(mbr, sizeof(mbr), out, sizeof(out));
	assert_string_equal(out, "PciRoot(0x0)/Pci(0x1,0x0)/"
				 "HD(2,MBR,0x12345678,0x18,0x1000)");
	devpath_to_text(short_vendor, sizeof(short_vendor), out, sizeof(out));
	assert_string_equal(out, "Path(1,4)/Path(4,3)");
	/* Cut, but the length of the whole. */
	assert_int_equal(devpath_to_text(disk_path, sizeof(disk_path), out, 8),
			 25);
	assert_string_equal(out, "PciRoot");
	assert_int_equal(devpath_to_text(disk_path, 10, out, sizeof(out)), 16);
	assert_string_equal(out, "<malformed path>");
}

/* ---- QEMU's bootorder ----------------------------------------------------------- */

/* Verbatim from QEMU 10.0.2 (-M virt), with the devices in the comment. */
static const char qemu_bootorder[] =
	/* virtio-scsi-pci 00:01.0: scsi-cd id 1 bootindex=1, scsi-hd bootindex=2 */
	"/pci@ffffffffffffffff/scsi@1/channel@0/disk@1,0\n"
	"/pci@ffffffffffffffff/scsi@1/channel@0/disk@0,0\n"
	/* virtio-blk-pci behind a pcie-root-port at 00:03.1 */
	"/pci@ffffffffffffffff/pci-bridge@3,1/scsi@0/channel@0/disk@0,0\n"
	/* virtio-blk-pci at 00:05.0, then virtio-net-pci at 00:01.0 */
	"/pci@ffffffffffffffff/scsi@5/disk@0,0\n"
	"/pci@ffffffffffffffff/ethernet@1/ethernet-phy@0\n"
	/* two virtio-blk-device, virtio-scsi-device */
	"/virtio-mmio@000000000a003c00/disk@0,0\n"
	"/virtio-mmio@000000000a003e00/channel@0/disk@0,0\n"
	/* virtio-scsi-pci at 00:1f.3, scsi-hd scsi-id=200 lun=16383 */
	"/pci@ffffffffffffffff/scsi@1f,3/channel@0/disk@c8,3fff\n"
	"HALT";

static void test_bootorder_qemu(void **state)
{
	struct bootorder *bo = malloc(sizeof(*bo));
	const struct bootorder_entry *e = bo->entry;

	(void)state;
	bootorder_parse(qemu_bootorder, sizeof(qemu_bootorder), bo);
	assert_int_equal(bo->count, 8);
	assert_true(bo->strict);
	assert_int_equal(bo->dropped, 0);

	assert_int_equal(e[0].bus, BOOTORDER_BUS_PCI);
	assert_int_equal(e[0].kind, BOOTORDER_SCSI);
	assert_int_equal(e[0].pci_depth, 1);
	assert_int_equal(e[0].pci[0].device, 1);
	assert_int_equal(e[0].scsi_target, 1);
	assert_int_equal(e[0].scsi_lun, 0);
	assert_string_equal(e[0].text,
			    "/pci@ffffffffffffffff/scsi@1/channel@0/disk@1,0");

	assert_int_equal(e[2].kind, BOOTORDER_SCSI);
	assert_int_equal(e[2].pci_depth, 2);
	assert_int_equal(e[2].pci[0].device, 3);
	assert_int_equal(e[2].pci[0].function, 1);
	assert_int_equal(e[2].pci[1].device, 0);

	assert_int_equal(e[3].kind, BOOTORDER_DISK);
	assert_int_equal(e[3].pci_depth, 1);
	assert_int_equal(e[3].pci[0].device, 5);

	assert_int_equal(e[4].kind, BOOTORDER_NET);
	assert_int_equal(e[4].bus, BOOTORDER_BUS_PCI);

	assert_int_equal(e[5].bus, BOOTORDER_BUS_MMIO);
	assert_int_equal(e[5].kind, BOOTORDER_DISK);
	assert_int_equal(e[5].mmio_base, 0xa003c00);
	assert_int_equal(e[6].kind, BOOTORDER_SCSI);
	assert_int_equal(e[6].mmio_base, 0xa003e00);

	assert_int_equal(e[7].pci[0].device, 0x1f);
	assert_int_equal(e[7].pci[0].function, 3);
	assert_int_equal(e[7].scsi_target, 0xc8);
	assert_int_equal(e[7].scsi_lun, 0x3fff);
	free(bo);
}

/* The device paths EDK2 (ArmVirtQemu) gives the same devices. */
static void test_bootorder_paths(void **state)
{
	static const uint8_t scsi_cd[] = {PCIROOT, PCI_1_0, 0x03, 0x02, 8,  0,
					  1,	   0,	    0,	  0,	END};
	static const uint8_t behind_port[] = {
		PCIROOT, 0x01, 0x01, 0x06, 0x00, 0x01, 0x03, 0x01,
		0x01,	 0x06, 0x00, 0x00, 0x00, 0x03, 0x02, 8,
		0,	 0,    0,    0,	   0,	 END};
	static const uint8_t blk[] = {PCIROOT, 0x01, 0x01, 0x06,
				      0x00,    0x00, 0x05, END};
	static const uint8_t mmio[] = {
		0x01, 0x04, 0x1c, 0x00, BOOTORDER_VIRTIO_MMIO_GUID,
		0x00, 0x3c, 0x00, 0x0a, 0x00,
		0x00, 0x00, 0x00, END};
	static const uint8_t big_scsi[] = {
		PCIROOT, 0x01, 0x01, 0x06, 0x00, 0x03, 0x1f, 0x03,
		0x02,	 8,    0,    0xc8, 0,	 0xff, 0x3f, END};
	struct bootorder *bo = malloc(sizeof(*bo));
	uint8_t path[BOOTORDER_PATH_MAX];

	(void)state;
	bootorder_parse(qemu_bootorder, sizeof(qemu_bootorder), bo);
	assert_int_equal(bootorder_device_path(&bo->entry[0], path),
			 sizeof(scsi_cd));
	assert_memory_equal(path, scsi_cd, sizeof(scsi_cd));
	assert_int_equal(bootorder_device_path(&bo->entry[2], path),
			 sizeof(behind_port));
	assert_memory_equal(path, behind_port, sizeof(behind_port));
	assert_int_equal(bootorder_device_path(&bo->entry[3], path),
			 sizeof(blk));
	assert_memory_equal(path, blk, sizeof(blk));
	assert_int_equal(bootorder_device_path(&bo->entry[5], path),
			 sizeof(mmio));
	assert_memory_equal(path, mmio, sizeof(mmio));
	assert_int_equal(bootorder_device_path(&bo->entry[7], path),
			 sizeof(big_scsi));
	assert_memory_equal(path, big_scsi, sizeof(big_scsi));
	/* Every path is valid, and a disk's partitions start with it. */
	for (unsigned i = 0; i < bo->count; i++) {
		size_t n = bootorder_device_path(&bo->entry[i], path);

		assert_int_equal(devpath_size(path, sizeof(path)), n);
	}
	assert_true(devpath_is_prefix(blk,
				      (const uint8_t[]){PCIROOT, 0x01, 0x01,
							0x06, 0x00, 0x00, 0x05,
							HD_GPT(GUID_A), END},
				      256, NULL));
	bootorder_parse("/rom@genroms/x", 14, bo);
	assert_int_equal(bootorder_device_path(&bo->entry[0], path), 0);
	free(bo);
}

static void test_bootorder_bad(void **state)
{
	static const char *const bad[] = {
		"pci@ffffffffffffffff/scsi@1/disk@0,0", /* not from the root */
		"/pci@ffffffffffffffff",		/* no device */
		"/pci@ffffffffffffffff/scsi@20/disk@0,0",  /* slot > 31 */
		"/pci@ffffffffffffffff/scsi@1,8/disk@0,0", /* function > 7 */
		"/pci@ffffffffffffffff/scsi@1/channel@1/disk@0,0",
		"/pci@ffffffffffffffff/scsi@1/channel@0/disk@10000,0",
		"/pci@ffffffffffffffff/scsi@1/channel@0/disk@0",
		"/pci@ffffffffffffffff/scsi@1x/disk@0,0",
		"/pci@ffffffffffffffff/scsi@/disk@0,0",
		"/pci@ffffffffffffffff/@1/disk@0,0",
		"/pci@ffffffffffffffff/scsi@1/disk@0,0/more",
		"/pci@ffffffffffffffff/scsi@11111111111111111/disk@0,0",
		"/virtio-mmio/disk@0,0",
		"/rom@genroms/linuxboot_dma.bin",
		"/pci@ffffffffffffffff/pci-bridge@1/pci-bridge@1/pci-bridge@1/"
		"pci-bridge@1/pci-bridge@1/pci-bridge@1/pci-bridge@1/"
		"pci-bridge@1/scsi@0/disk@0,0", /* 9 deep */
	};
	struct bootorder *bo = malloc(sizeof(*bo));
	char many[64 * 40];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bootorder_parse(bad[i], strlen(bad[i]), bo);
		assert_int_equal(bo->count, 1);
		assert_int_equal(bo->entry[0].bus, BOOTORDER_BUS_NONE);
		assert_int_equal(bo->entry[0].kind, BOOTORDER_OTHER);
		assert_false(bo->strict);
	}
	/* The text is cut, not overrun. */
	assert_int_equal(strlen(bo->entry[0].text), BOOTORDER_TEXT - 1);
	/* Empty, empty lines, what follows the NUL, too many lines. */
	bootorder_parse("", 0, bo);
	assert_int_equal(bo->count, 0);
	bootorder_parse("\n\n", 2, bo);
	assert_int_equal(bo->count, 0);
	bootorder_parse("/virtio-mmio@a003e00/disk@0,0\0HALT", 34, bo);
	assert_int_equal(bo->count, 1);
	assert_false(bo->strict);
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(many + n, "/virtio-mmio@%x/disk@0,0\n",
				     0xa000000 + i * 0x200);
	bootorder_parse(many, n, bo);
	assert_int_equal(bo->count, BOOTORDER_MAX);
	assert_int_equal(bo->dropped, 40 - BOOTORDER_MAX);
	assert_int_equal(bo->entry[31].mmio_base, 0xa000000 + 31 * 0x200);
	free(bo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_option_roundtrip),
		cmocka_unit_test(test_load_option_bad),
		cmocka_unit_test(test_var_names),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_hd_match),
		cmocka_unit_test(test_file_part),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_bootorder_qemu),
		cmocka_unit_test(test_bootorder_paths),
		cmocka_unit_test(test_bootorder_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
