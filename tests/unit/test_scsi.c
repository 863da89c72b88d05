// SPDX-License-Identifier: MIT
/*
 * Unit tests for the SCSI disk logic (src/drivers/scsi/disk.c) against a
 * simulated target that decodes the CDBs the way SBC-3/SPC-4 lay them out:
 * probing disks, CD-ROMs, empty drives, missing targets and LUNs; READ(10)
 * against READ(16) by LBA and count; READ CAPACITY(16) for large disks;
 * unit attentions retried; sense keys turned into blockdev statuses; a
 * short transfer refused; REPORT LUNS in both addressing methods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/scsi.h>

/* ---- the simulated target ---------------------------------------------- */

struct sim {
	uint8_t type; /* peripheral type, or 0xff: no LUN */
	bool no_target;
	bool removable;
	bool no_media;
	bool write_protect;
	uint64_t blocks; /* capacity */
	uint32_t block_size;
	unsigned unit_attentions;   /* pending */
	uint8_t fail_key, fail_asc; /* sense for the next read/write */
	bool short_read;
	uint8_t data[64 * 4096];
	/* what was asked */
	uint8_t last_op;
	uint64_t last_lba;
	uint32_t last_count;
	unsigned commands;
};

static struct sim sim;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void check_condition(struct scsi_cmd *c, uint8_t key, uint8_t asc)
{
	c->status = 2;
	memset(c->sense, 0, 18);
	c->sense[0] = 0x70;
	c->sense[2] = key;
	c->sense[7] = 10;
	c->sense[12] = asc;
	c->sense_len = 18;
}

static int sim_exec(void *ctx, uint16_t target, uint16_t lun,
		    struct scsi_cmd *c)
{
	uint8_t *d = c->data;
	uint64_t lba = 0;
	uint32_t count = 0;

	(void)ctx;
	(void)target;
	(void)lun;
	sim.commands++;
	sim.last_op = c->cdb[0];
	if (sim.no_target)
		return SCSI_TRANSPORT_NO_TARGET;
	c->status = 0;
	if (c->cdb[0] == 0x12) { /* INQUIRY */
		memset(d, 0, c->len);
		d[0] = sim.type == 0xff ? 0x7f : sim.type;
		d[1] = sim.removable ? 0x80 : 0;
		return SCSI_TRANSPORT_OK;
	}
	if (c->cdb[0] == 0xa0) { /* REPORT LUNS: 2, 1 (flat), 300 (flat) */
		memset(d, 0, c->len);
		put32(d, 3 * 8);
		d[8 + 1] = 2;
		d[16] = 0x40;
		d[17] = 1;
		d[24] = 0x40 | (300 >> 8);
		d[25] = 300 & 0xff;
		return SCSI_TRANSPORT_OK;
	}
	if (sim.unit_attentions) {
		sim.unit_attentions--;
		check_condition(c, 0x6, 0x29); /* power on or reset */
		return SCSI_TRANSPORT_OK;
	}
	if (sim.no_media && c->cdb[0] != 0x1a) {
		check_condition(c, 0x2, 0x3a);
		return SCSI_TRANSPORT_OK;
	}
	switch (c->cdb[0]) {
	case 0x00: /* TEST UNIT READY */
	case 0x35: /* SYNCHRONIZE CACHE */
		return SCSI_TRANSPORT_OK;
	case 0x1a: /* MODE SENSE(6) */
		memset(d, 0, c->len);
		d[2] = sim.write_protect ? 0x80 : 0;
		return SCSI_TRANSPORT_OK;
	case 0x25: /* READ CAPACITY(10) */
		put32(d, sim.blocks > 0xffffffffull
				 ? 0xffffffff
				 : (uint32_t)(sim.blocks - 1));
		put32(d + 4, sim.block_size);
		return SCSI_TRANSPORT_OK;
	case 0x9e: /* READ CAPACITY(16) */
		memset(d, 0, c->len);
		put32(d, (uint32_t)((sim.blocks - 1) >> 32));
		put32(d + 4, (uint32_t)(sim.blocks - 1));
		put32(d + 8, sim.block_size);
		d[13] = 3; /* 8 logical blocks per physical one */
		d[15] = 1; /* lowest aligned LBA 1 */
		return SCSI_TRANSPORT_OK;
	case 0x28:
	case 0x2a:
		lba = be32(c->cdb + 2);
		count = (uint32_t)c->cdb[7] << 8 | c->cdb[8];
		break;
	case 0x88:
	case 0x8a:
		lba = (uint64_t)be32(c->cdb + 2) << 32 | be32(c->cdb + 6);
		count = be32(c->cdb + 10);
		break;
	default:
		check_condition(c, 0x5, 0x20); /* invalid command */
		return SCSI_TRANSPORT_OK;
	}
	sim.last_lba = lba;
	sim.last_count = count;
	assert_int_equal(c->len, count * sim.block_size);
	if (sim.fail_key) {
		check_condition(c, sim.fail_key, sim.fail_asc);
		sim.fail_key = 0;
		return SCSI_TRANSPORT_OK;
	}
	if (c->cdb[0] == 0x28 || c->cdb[0] == 0x88) {
		uint64_t off = (lba % 64) * sim.block_size;

		assert_false(c->to_device);
		if (off + c->len <= sizeof(sim.data))
			memcpy(d, sim.data + off, c->len);
		if (sim.short_read)
			c->residual = sim.block_size;
	} else {
		assert_true(c->to_device);
	}
	return SCSI_TRANSPORT_OK;
}

static uint8_t reply[64];
static struct scsi_transport transport = {.exec = sim_exec, .max_bytes = 0};
static struct scsi_disk disk;

static int setup(void **state)
{
	size_t i;

	(void)state;
	memset(&sim, 0, sizeof(sim));
	sim.blocks = 1000;
	sim.block_size = 512;
	for (i = 0; i < sizeof(sim.data); i++)
		sim.data[i] = (uint8_t)(i * 13);
	memset(&disk, 0, sizeof(disk));
	disk.t = &transport;
	disk.reply = reply;
	transport.max_bytes = 0;
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_disk(void **state)
{
	uint8_t buf[4 * 512];

	(void)state;
	sim.unit_attentions = 1; /* as QEMU's disks start */
	assert_int_equal(scsi_disk_probe(&disk, 0, 1), SCSI_PROBE_DISK);
	assert_int_equal(disk.dev.block_size, 512);
	assert_int_equal(disk.dev.block_count, 1000);
	assert_true(disk.dev.media_present);
	assert_false(disk.dev.read_only);
	assert_false(disk.dev.removable);
	assert_int_equal(disk.dev.ops->read(&disk.dev, 5, 4, buf), 0);
	assert_int_equal(sim.last_op, 0x28);
	assert_int_equal(sim.last_lba, 5);
	assert_int_equal(sim.last_count, 4);
	assert_memory_equal(buf, sim.data + 5 * 512, sizeof(buf));
	assert_int_equal(disk.dev.ops->write(&disk.dev, 7, 1, buf), 0);
	assert_int_equal(sim.last_op, 0x2a);
	assert_int_equal(disk.dev.ops->flush(&disk.dev), 0);
	assert_int_equal(sim.last_op, 0x35);
}

static void test_write_protected_disk(void **state)
{
	(void)state;
	sim.write_protect = true;
	assert_int_equal(scsi_disk_probe(&disk, 0, 0), SCSI_PROBE_DISK);
	assert_true(disk.dev.read_only);
}

static void test_cdrom(void **state)
{
	(void)state;
	sim.type = 0x05;
	sim.removable = true;
	sim.block_size = 2048;
	sim.blocks = 300;
	assert_int_equal(scsi_disk_probe(&disk, 1, 0), SCSI_PROBE_DISK);
	assert_int_equal(disk.dev.block_size, 2048);
	assert_int_equal(disk.dev.block_count, 300);
	assert_true(disk.dev.read_only);
	assert_true(disk.dev.removable);
}

static void test_empty_drive(void **state)
{
	uint8_t buf[2048];

	(void)state;
	sim.type = 0x05;
	sim.no_media = true;
	assert_int_equal(scsi_disk_probe(&disk, 1, 0), SCSI_PROBE_DISK);
	assert_false(disk.dev.media_present);
	assert_int_equal(disk.dev.block_count, 0);
	assert_int_equal(disk.dev.block_size, 2048);
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 1, buf),
			 BLOCKDEV_ERR_NO_MEDIA);
}

static void test_nothing_there(void **state)
{
	(void)state;
	sim.no_target = true;
	assert_int_equal(scsi_disk_probe(&disk, 9, 0), SCSI_PROBE_NO_TARGET);
	sim.no_target = false;
	sim.type = 0xff; /* qualifier 3: no LUN */
	assert_int_equal(scsi_disk_probe(&disk, 0, 5), SCSI_PROBE_NOTHING);
	sim.type = 0x01; /* a tape */
	assert_int_equal(scsi_disk_probe(&disk, 0, 5), SCSI_PROBE_NOTHING);
}

static void test_large_disk_uses_16_byte_commands(void **state)
{
	uint8_t buf[2 * 4096];

	(void)state;
	sim.blocks = 0x200000000ull; /* 8 Gi blocks */
	sim.block_size = 4096;
	assert_int_equal(scsi_disk_probe(&disk, 0, 0), SCSI_PROBE_DISK);
	assert_int_equal(disk.dev.block_count, 0x200000000ull);
	assert_int_equal(disk.dev.block_size, 4096);
	assert_int_equal(disk.dev.blocks_per_physical, 8);
	assert_int_equal(disk.dev.lowest_aligned_lba, 1);
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0x100000000ull, 2, buf),
			 0);
	assert_int_equal(sim.last_op, 0x88);
	assert_int_equal(sim.last_lba, 0x100000000ull);
	/* Ending exactly at 2^32: READ(10) still reaches it. */
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0xfffffffeull, 2, buf),
			 0);
	assert_int_equal(sim.last_op, 0x28);
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0xffffffffull, 2, buf),
			 0);
	assert_int_equal(sim.last_op, 0x88);
}

static void test_transfers_are_cut(void **state)
{
	static uint8_t buf[20 * 512];

	(void)state;
	assert_int_equal(scsi_disk_probe(&disk, 0, 0), SCSI_PROBE_DISK);
	transport.max_bytes = 8 * 512;
	sim.commands = 0;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 20, buf), 0);
	assert_int_equal(sim.commands, 3);
	assert_int_equal(sim.last_lba, 16);
	assert_int_equal(sim.last_count, 4);
	assert_memory_equal(buf, sim.data, sizeof(buf));
}

static void test_sense_becomes_status(void **state)
{
	uint8_t buf[512];

	(void)state;
	assert_int_equal(scsi_disk_probe(&disk, 0, 0), SCSI_PROBE_DISK);
	sim.fail_key = 0x7; /* DATA PROTECT */
	assert_int_equal(disk.dev.ops->write(&disk.dev, 0, 1, buf),
			 BLOCKDEV_ERR_READ_ONLY);
	sim.fail_key = 0x3; /* MEDIUM ERROR, unrecovered read error */
	sim.fail_asc = 0x11;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 1, buf),
			 BLOCKDEV_ERR_IO);
	sim.fail_key = 0x2; /* NOT READY, medium not present */
	sim.fail_asc = 0x3a;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 1, buf),
			 BLOCKDEV_ERR_NO_MEDIA);
	/* A unit attention is retried; a stream of them is an error. */
	sim.unit_attentions = 1;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 1, buf), 0);
	sim.unit_attentions = 10;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 1, buf),
			 BLOCKDEV_ERR_IO);
}

static void test_descriptor_sense(void **state)
{
	struct scsi_cmd c = {.status = 2, .sense_len = 8};

	(void)state;
	c.sense[0] = 0x72;
	c.sense[1] = 0x7;
	assert_int_equal(scsi_sense_status(&c), BLOCKDEV_ERR_READ_ONLY);
	c.sense[1] = 0x2;
	c.sense[2] = 0x3a;
	assert_int_equal(scsi_sense_status(&c), BLOCKDEV_ERR_NO_MEDIA);
	c.sense_len = 0;
	assert_int_equal(scsi_sense_status(&c), BLOCKDEV_ERR_IO);
}

static void test_short_read_is_an_error(void **state)
{
	uint8_t buf[2 * 512];

	(void)state;
	assert_int_equal(scsi_disk_probe(&disk, 0, 0), SCSI_PROBE_DISK);
	sim.short_read = true;
	assert_int_equal(disk.dev.ops->read(&disk.dev, 0, 2, buf),
			 BLOCKDEV_ERR_IO);
}

static void test_report_luns(void **state)
{
	uint8_t buf[256];
	uint16_t luns[8];

	(void)state;
	assert_int_equal(
		scsi_report_luns(&transport, 0, buf, sizeof(buf), luns, 8), 3);
	assert_int_equal(luns[0], 2);
	assert_int_equal(luns[1], 1);
	assert_int_equal(luns[2], 300);
	assert_int_equal(
		scsi_report_luns(&transport, 0, buf, sizeof(buf), luns, 2), 2);
	sim.no_target = true;
	assert_int_equal(
		scsi_report_luns(&transport, 0, buf, sizeof(buf), luns, 8), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_disk),
		T(test_write_protected_disk),
		T(test_cdrom),
		T(test_empty_drive),
		T(test_nothing_there),
		T(test_large_disk_uses_16_byte_commands),
		T(test_transfers_are_cut),
		T(test_sense_becomes_status),
		T(test_descriptor_sense),
		T(test_short_read_is_an_error),
		T(test_report_luns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
