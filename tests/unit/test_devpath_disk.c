// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/devpath_disk.c: the bytes of disk and partition
 * device paths, node by node, as UEFI 2.10 section 10.3 lays them out and
 * EDK2 fills them (PciRoot = ACPI PNP0A03 UID 0; Pci(dev,fn) stores the
 * function first; HD's MBR/GPT and signature types; CDROM).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/devpath_disk.h>
#include <mmuon/devpath_util.h>

static const uint8_t pci_root[] = {0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41,
				   0x03, 0x0a, 0x00, 0x00, 0x00, 0x00};
static const uint8_t end[] = {0x7f, 0xff, 0x04, 0x00};

static void test_pci_disk(void **state)
{
	struct blockdev_location loc = {
		.bus = BLOCKDEV_BUS_PCI, .pci_depth = 1, .pci = {{2, 0}}};
	uint8_t buf[DEVPATH_DISK_MAX];
	static const uint8_t want[] = {0x01, 0x01, 0x06, 0x00, 0x00, 0x02};

	(void)state;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)), 12 + 6 + 4);
	assert_memory_equal(buf, pci_root, 12);
	assert_memory_equal(buf + 12, want, 6);
	assert_memory_equal(buf + 18, end, 4);
	assert_int_equal(devpath_size(buf, sizeof(buf)), 22);
	/* Too small a buffer: nothing. */
	assert_int_equal(devpath_disk(&loc, buf, 21), 0);
}

static void test_behind_root_port_and_scsi(void **state)
{
	struct blockdev_location loc = {.bus = BLOCKDEV_BUS_PCI,
					.pci_depth = 2,
					.pci = {{3, 1}, {0, 0}},
					.scsi = true,
					.scsi_target = 2,
					.scsi_lun = 0x101};
	static const uint8_t want[] = {
		0x01, 0x01, 0x06, 0x00, 0x01, 0x03, /* Pci(0x3,0x1) */
		0x01, 0x01, 0x06, 0x00, 0x00, 0x00, /* Pci(0x0,0x0) */
		0x03, 0x02, 0x08, 0x00, 0x02, 0x00,
		0x01, 0x01, /* Scsi(2,257) */
		0x7f, 0xff, 0x04, 0x00,
	};
	uint8_t buf[DEVPATH_DISK_MAX];

	(void)state;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)),
			 12 + sizeof(want));
	assert_memory_equal(buf + 12, want, sizeof(want));
}

static void test_virtio_mmio(void **state)
{
	struct blockdev_location loc = {.bus = BLOCKDEV_BUS_MMIO,
					.mmio_base = 0x0a003e00};
	static const uint8_t want[] = {
		0x01, 0x04, 0x1c, 0x00, 0x9e, 0xca, 0x7d, 0x83,
		0x74, 0xe8, 0x82, 0x4d, 0xb2, 0x9a, 0x23, 0xfe,
		0x0e, 0x23, 0xd1, 0xe2, 0x00, 0x3e, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0x04, 0x00,
	};
	uint8_t buf[DEVPATH_DISK_MAX];

	(void)state;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_nothing(void **state)
{
	struct blockdev_location loc = {.bus = BLOCKDEV_BUS_NONE};
	uint8_t buf[DEVPATH_DISK_MAX];

	(void)state;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)), 0);
	loc.bus = BLOCKDEV_BUS_PCI;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)), 0);
	loc.pci_depth = BLOCKDEV_MAX_PCI_DEPTH + 1;
	assert_int_equal(devpath_disk(&loc, buf, sizeof(buf)), 0);
}

static void test_partition_nodes(void **state)
{
	struct partition gpt = {.scheme = PARTITION_GPT,
				.number = 1,
				.path_start = 0x800,
				.path_size = 0x32000,
				.signature = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					      12, 13, 14, 15, 16}};
	struct partition mbr = {.scheme = PARTITION_MBR,
				.number = 5,
				.path_start = 63,
				.path_size = 1000,
				.signature = {0x78, 0x56, 0x34, 0x12}};
	struct partition cd = {.scheme = PARTITION_ELTORITO,
			       .number = 1,
			       .path_start = 0x23,
			       .path_size = 0x800};
	static const uint8_t want_gpt[42] = {
		0x04, 0x01, 0x2a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 1,	  2,	3,
		4,    5,    6,	  7,	8,    9,    10,	  11,	12,
		13,   14,   15,	  16,	0x02, 0x02,
	};
	static const uint8_t want_cd[24] = {
		0x04, 0x02, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x23, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	uint8_t node[DEVPATH_PARTITION_NODE_MAX];

	(void)state;
	assert_int_equal(devpath_partition_node(&gpt, node), 42);
	assert_memory_equal(node, want_gpt, 42);
	assert_int_equal(devpath_partition_node(&mbr, node), 42);
	assert_int_equal(node[4], 5);
	assert_memory_equal(node + 24,
			    "\x78\x56\x34\x12\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(node[40], 1); /* MBR_TYPE_PCAT */
	assert_int_equal(node[41], 1); /* SIGNATURE_TYPE_MBR */
	assert_int_equal(devpath_partition_node(&cd, node), 24);
	assert_memory_equal(node, want_cd, 24);
	cd.scheme = PARTITION_NONE;
	assert_int_equal(devpath_partition_node(&cd, node), 0);
}

static void test_append(void **state)
{
	struct blockdev_location loc = {
		.bus = BLOCKDEV_BUS_PCI, .pci_depth = 1, .pci = {{2, 0}}};
	struct partition cd = {.scheme = PARTITION_ELTORITO, .number = 0};
	uint8_t disk[DEVPATH_DISK_MAX], node[DEVPATH_PARTITION_NODE_MAX];
	uint8_t out[64];
	size_t n = devpath_disk(&loc, disk, sizeof(disk));

	(void)state;
	devpath_partition_node(&cd, node);
	assert_int_equal(devpath_append(disk, n, node, out, sizeof(out)),
			 n + 24);
	assert_memory_equal(out, disk, n - 4);
	assert_memory_equal(out + n - 4, node, 24);
	assert_memory_equal(out + n + 20, end, 4);
	assert_int_equal(devpath_size(out, sizeof(out)), n + 24);
	assert_int_equal(devpath_append(disk, n, node, out, n + 23), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_disk),
		cmocka_unit_test(test_behind_root_port_and_scsi),
		cmocka_unit_test(test_virtio_mmio),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_partition_nodes),
		cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
