// SPDX-License-Identifier: MIT
/*
 * SCSI block devices (include/mmuon/scsi.h). Command formats from SPC-4
 * (INQUIRY, TEST UNIT READY, REPORT LUNS, MODE SENSE(6), sense data),
 * SBC-3 (READ CAPACITY(10/16), READ/WRITE(10/16), SYNCHRONIZE CACHE(10))
 * and MMC-6 (CD-ROMs answer the same READ(10) and READ CAPACITY(10), with
 * 2048-byte blocks). All fields big-endian. Pure logic over the
 * transport's exec().
 */
#include <string.h>

#include <mmuon/scsi.h>

#define OP_TEST_UNIT_READY 0x00
#define OP_INQUIRY 0x12
#define OP_MODE_SENSE_6 0x1a
#define OP_READ_CAPACITY_10 0x25
#define OP_READ_10 0x28
#define OP_WRITE_10 0x2a
#define OP_SYNCHRONIZE_CACHE_10 0x35
#define OP_READ_16 0x88
#define OP_WRITE_16 0x8a
#define OP_SERVICE_ACTION_IN_16 0x9e
#define SA_READ_CAPACITY_16 0x10
#define OP_REPORT_LUNS 0xa0

#define STATUS_GOOD 0x00
#define STATUS_CHECK_CONDITION 0x02

#define KEY_NOT_READY 0x2
#define KEY_UNIT_ATTENTION 0x6
#define KEY_DATA_PROTECT 0x7
#define ASC_MEDIUM_NOT_PRESENT 0x3a

#define INQUIRY_LEN 36
/* A unit attention (reset, medium change) is reported once per cause;
 * QEMU's devices start with one pending. */
#define RETRIES 3

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* Sense key, ASC and ASCQ, from fixed (0x70/71) or descriptor (0x72/73)
 * sense data; 0 if there is none. */
static void sense_codes(const struct scsi_cmd *c, uint8_t *key, uint8_t *asc)
{
	uint8_t code = c->sense_len ? c->sense[0] & 0x7f : 0;

	*key = *asc = 0;
	if ((code == 0x70 || code == 0x71) && c->sense_len >= 14) {
		*key = c->sense[2] & 0xf;
		*asc = c->sense[12];
	} else if ((code == 0x72 || code == 0x73) && c->sense_len >= 3) {
		*key = c->sense[1] & 0xf;
		*asc = c->sense[2];
	}
}

int scsi_sense_status(const struct scsi_cmd *c)
{
	uint8_t key, asc;

	sense_codes(c, &key, &asc);
	if (key == KEY_NOT_READY && asc == ASC_MEDIUM_NOT_PRESENT)
		return BLOCKDEV_ERR_NO_MEDIA;
	if (key == KEY_DATA_PROTECT)
		return BLOCKDEV_ERR_READ_ONLY;
	return BLOCKDEV_ERR_IO;
}

static bool unit_attention(const struct scsi_cmd *c)
{
	uint8_t key, asc;

	sense_codes(c, &key, &asc);
	return c->status == STATUS_CHECK_CONDITION && key == KEY_UNIT_ATTENTION;
}

/*
 * One command, retried after a unit attention; a blockdev status. A
 * residual (short transfer) on a read is an error: the caller's buffer
 * would hold stale bytes.
 */
static int run(const struct scsi_transport *t, uint16_t target, uint16_t lun,
	       struct scsi_cmd *c, bool exact)
{
	unsigned i;
	int rc;

	for (i = 0; i < RETRIES; i++) {
		c->status = 0;
		c->sense_len = 0;
		c->residual = 0;
		rc = t->exec(t->ctx, target, lun, c);
		if (rc == SCSI_TRANSPORT_TIMEOUT)
			return BLOCKDEV_ERR_TIMEOUT;
		if (rc != SCSI_TRANSPORT_OK)
			return BLOCKDEV_ERR_IO;
		if (c->status == STATUS_GOOD)
			return exact && c->residual ? BLOCKDEV_ERR_IO
						    : BLOCKDEV_OK;
		if (!unit_attention(c))
			return scsi_sense_status(c);
	}
	return BLOCKDEV_ERR_IO;
}

static void cmd_init(struct scsi_cmd *c, uint8_t op, unsigned cdb_len,
		     void *data, uint32_t len, bool to_device)
{
	memset(c, 0, sizeof(*c));
	c->cdb[0] = op;
	c->cdb_len = (uint8_t)cdb_len;
	c->data = data;
	c->len = len;
	c->to_device = to_device;
}

/* ---- reading and writing ------------------------------------------------- */

static struct scsi_disk *disk_of(struct blockdev *dev)
{
	return (struct scsi_disk *)dev;
}

/* READ/WRITE(10) when LBA and count fit, else (16). */
static int transfer(struct blockdev *dev, bool write, uint64_t lba,
		    uint64_t count, uint8_t *buf)
{
	struct scsi_disk *d = disk_of(dev);
	uint32_t per = d->t->max_bytes / dev->block_size;
	struct scsi_cmd c;
	int rc;

	if (!per || per > 0xffff)
		per = 0xffff; /* READ(10)'s limit; (16) only for far LBAs */
	while (count) {
		uint32_t n = count < per ? (uint32_t)count : per;
		uint32_t bytes = n * dev->block_size;

		if (lba + n <= 0x100000000ull && n <= 0xffff) {
			cmd_init(&c, write ? OP_WRITE_10 : OP_READ_10, 10, buf,
				 bytes, write);
			put_be32(c.cdb + 2, (uint32_t)lba);
			put_be16(c.cdb + 7, (uint16_t)n);
		} else {
			cmd_init(&c, write ? OP_WRITE_16 : OP_READ_16, 16, buf,
				 bytes, write);
			put_be64(c.cdb + 2, lba);
			put_be32(c.cdb + 10, n);
		}
		rc = run(d->t, d->target, d->lun, &c, true);
		if (rc)
			return rc;
		lba += n;
		count -= n;
		buf += bytes;
	}
	return BLOCKDEV_OK;
}

static int disk_read(struct blockdev *dev, uint64_t lba, uint64_t count,
		     void *buf)
{
	return transfer(dev, false, lba, count, buf);
}

static int disk_write(struct blockdev *dev, uint64_t lba, uint64_t count,
		      const void *buf)
{
	return transfer(dev, true, lba, count, (uint8_t *)buf);
}

static int disk_flush(struct blockdev *dev)
{
	struct scsi_disk *d = disk_of(dev);
	struct scsi_cmd c;

	cmd_init(&c, OP_SYNCHRONIZE_CACHE_10, 10, NULL, 0, false);
	return run(d->t, d->target, d->lun, &c, false);
}

static const struct blockdev_ops scsi_disk_ops = {
	.read = disk_read,
	.write = disk_write,
	.flush = disk_flush,
};

/* ---- probing ----------------------------------------------------------------- */

/* READ CAPACITY(10), and (16) when the disk is too large for it. */
static int read_capacity(struct scsi_disk *d)
{
	struct blockdev *dev = &d->dev;
	uint8_t *r = d->reply;
	struct scsi_cmd c;
	uint64_t last;
	uint32_t bs;
	int rc;

	cmd_init(&c, OP_READ_CAPACITY_10, 10, r, 8, false);
	rc = run(d->t, d->target, d->lun, &c, true);
	if (rc)
		return rc;
	last = get_be32(r);
	bs = get_be32(r + 4);
	dev->blocks_per_physical = 1;
	if (last == 0xffffffff) {
		cmd_init(&c, OP_SERVICE_ACTION_IN_16, 16, r, 32, false);
		c.cdb[1] = SA_READ_CAPACITY_16;
		put_be32(c.cdb + 10, 32);
		rc = run(d->t, d->target, d->lun, &c, false);
		if (rc)
			return rc;
		last = get_be64(r);
		bs = get_be32(r + 8);
		if ((r[13] & 0xf) < 16)
			dev->blocks_per_physical = 1u << (r[13] & 0xf);
		dev->lowest_aligned_lba = ((r[14] & 0x3f) << 8 | r[15]) %
					  dev->blocks_per_physical;
	}
	/* Block sizes a BlockIo client can use: powers of two. */
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)) || last == UINT64_MAX)
		return BLOCKDEV_ERR_IO;
	dev->block_size = bs;
	dev->block_count = last + 1;
	return BLOCKDEV_OK;
}

/* MODE SENSE(6), all pages: byte 2 bit 7 of the header is WP. */
static bool write_protected(struct scsi_disk *d)
{
	struct scsi_cmd c;

	cmd_init(&c, OP_MODE_SENSE_6, 6, d->reply, 4, false);
	c.cdb[2] = 0x3f;
	c.cdb[4] = 4;
	return !run(d->t, d->target, d->lun, &c, false) && d->reply[2] & 0x80;
}

enum scsi_probe scsi_disk_probe(struct scsi_disk *d, uint16_t target,
				uint16_t lun)
{
	struct blockdev *dev = &d->dev;
	uint8_t *r = d->reply;
	struct scsi_cmd c;
	int rc;

	d->target = target;
	d->lun = lun;
	memset(r, 0, 64);
	cmd_init(&c, OP_INQUIRY, 6, r, INQUIRY_LEN, false);
	c.cdb[4] = INQUIRY_LEN;
	c.status = 0;
	rc = d->t->exec(d->t->ctx, target, lun, &c);
	if (rc == SCSI_TRANSPORT_NO_TARGET)
		return SCSI_PROBE_NO_TARGET;
	if (rc != SCSI_TRANSPORT_OK || c.status != STATUS_GOOD)
		return SCSI_PROBE_ERROR;
	/* Peripheral qualifier 0: a device is connected to this LUN. */
	if (r[0] >> 5)
		return SCSI_PROBE_NOTHING;
	d->type = r[0] & 0x1f;
	if (d->type != SCSI_TYPE_DISK && d->type != SCSI_TYPE_CDROM &&
	    d->type != SCSI_TYPE_OPTICAL && d->type != SCSI_TYPE_RBC)
		return SCSI_PROBE_NOTHING;

	dev->ops = &scsi_disk_ops;
	dev->io_align = 1;
	dev->removable = r[1] & 0x80;
	dev->read_only = d->type == SCSI_TYPE_CDROM;
	dev->media_present = true;
	dev->blocks_per_physical = 1;
	cmd_init(&c, OP_TEST_UNIT_READY, 6, NULL, 0, false);
	rc = run(d->t, target, lun, &c, false);
	if (!rc)
		rc = read_capacity(d);
	if (rc == BLOCKDEV_ERR_NO_MEDIA) {
		dev->media_present = false;
		dev->block_count = 0;
		dev->block_size =
			d->type == SCSI_TYPE_CDROM ? 2048 : dev->block_size;
		if (!dev->block_size)
			dev->block_size = 512;
		return SCSI_PROBE_DISK;
	}
	if (rc)
		return SCSI_PROBE_ERROR;
	if (d->type != SCSI_TYPE_CDROM)
		dev->read_only = write_protected(d);
	return SCSI_PROBE_DISK;
}

int scsi_report_luns(const struct scsi_transport *t, uint16_t target,
		     uint8_t *buf, uint32_t buf_len, uint16_t *luns,
		     unsigned max)
{
	struct scsi_cmd c;
	uint32_t list, i;
	unsigned n = 0;

	cmd_init(&c, OP_REPORT_LUNS, 12, buf, buf_len, false);
	put_be32(c.cdb + 6, buf_len);
	if (run(t, target, 0, &c, false) || buf_len < 8)
		return -1;
	list = get_be32(buf);
	for (i = 8; i + 8 <= buf_len && i < 8 + list && n < max; i += 8) {
		const uint8_t *e = buf + i;

		/* Peripheral (00b, bus 0) or flat (01b) addressing. */
		if (e[0] >> 6 == 0 && !(e[0] & 0x3f))
			luns[n++] = e[1];
		else if (e[0] >> 6 == 1)
			luns[n++] = (uint16_t)((e[0] & 0x3f) << 8 | e[1]);
	}
	return (int)n;
}
