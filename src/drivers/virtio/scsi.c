// SPDX-License-Identifier: MIT
/*
 * virtio-scsi (virtio 1.2 section 5.6) as a SCSI transport for
 * src/drivers/scsi/disk.c: one request queue (the first, index 2), polled.
 * A command is the request header and CDB (device reads), the data the
 * device reads for a write, the response header with sense (device
 * writes), the data the device writes for a read -- the caller's buffer
 * itself either way.
 *
 * The targets are scanned as EDK2's VirtioScsiDxe scans them, up to its
 * limits (PcdVirtioScsiMaxTargetLimit 31, PcdVirtioScsiMaxLunLimit 7, both
 * clipped to what the device says): a target that answers INQUIRY on LUN 0
 * with BAD_TARGET has nothing, and REPORT LUNS lists the others.
 */
#include <string.h>

#include <mmuon/dma.h>
#include <mmuon/fmt.h>
#include <mmuon/scsi.h>
#include <mmuon/virtio.h>

/* struct virtio_scsi_config */
#define CFG_MAX_SECTORS 8
#define CFG_SENSE_SIZE 20
#define CFG_CDB_SIZE 24
#define CFG_MAX_TARGET 30 /* le16 */
#define CFG_MAX_LUN 32	  /* le32 */

#define REQUEST_QUEUE 2
#define QUEUE_SIZE 16
#define CDB_SIZE 32    /* the default; the header is laid out for it */
#define SENSE_SIZE 96  /* likewise */
#define MAX_TARGETS 32 /* 0..31 */
#define MAX_LUNS 8     /* 0..7 */
#define REQUEST_TIMEOUT_US 30000000ull

#define VIRTIO_SCSI_S_OK 0
#define VIRTIO_SCSI_S_BAD_TARGET 3

struct virtio_scsi_req {
	uint8_t lun[8];
	uint64_t id;
	uint8_t task_attr;
	uint8_t prio;
	uint8_t crn;
	uint8_t cdb[CDB_SIZE];
} __attribute__((packed));

struct virtio_scsi_resp {
	uint32_t sense_len;
	uint32_t resid;
	uint16_t status_qualifier;
	uint8_t status;
	uint8_t response;
	uint8_t sense[SENSE_SIZE];
} __attribute__((packed));

struct virtio_scsi {
	struct virtio_dev vdev;
	struct virtqueue vq;
	struct scsi_transport t;
	struct virtio_scsi_req *req; /* DMA memory: req, resp, replies */
	struct virtio_scsi_resp *resp;
	uint8_t *reply;
	uint64_t next_id;
};

#define REPLY_SIZE 512 /* REPORT LUNS of up to 63 LUNs; INQUIRY etc. */

static int exec(void *ctx, uint16_t target, uint16_t lun, struct scsi_cmd *c)
{
	struct virtio_scsi *vs = ctx;
	struct virtio_scsi_req *rq = vs->req;
	struct virtq_buf bufs[4];
	unsigned n = 0;
	uint32_t written;
	int rc;

	memset(rq, 0, sizeof(*rq));
	/* Single-level LUN: 1, target, flat-space LUN (5.6.6.1). */
	rq->lun[0] = 1;
	rq->lun[1] = (uint8_t)target;
	rq->lun[2] = (uint8_t)(0x40 | lun >> 8);
	rq->lun[3] = (uint8_t)lun;
	rq->id = ++vs->next_id;
	memcpy(rq->cdb, c->cdb, c->cdb_len);
	memset(vs->resp, 0, sizeof(*vs->resp));
	bufs[n++] = (struct virtq_buf){rq, sizeof(*rq), false};
	if (c->len && c->to_device)
		bufs[n++] = (struct virtq_buf){c->data, c->len, false};
	bufs[n++] = (struct virtq_buf){vs->resp, sizeof(*vs->resp), true};
	if (c->len && !c->to_device)
		bufs[n++] = (struct virtq_buf){c->data, c->len, true};
	rc = virtqueue_exchange(&vs->vdev, &vs->vq, bufs, n, &written,
				REQUEST_TIMEOUT_US);
	if (rc == BLOCKDEV_ERR_TIMEOUT)
		return SCSI_TRANSPORT_TIMEOUT;
	if (rc || written < sizeof(*vs->resp) - SENSE_SIZE)
		return SCSI_TRANSPORT_ERROR;
	if (vs->resp->response == VIRTIO_SCSI_S_BAD_TARGET)
		return SCSI_TRANSPORT_NO_TARGET;
	if (vs->resp->response != VIRTIO_SCSI_S_OK)
		return SCSI_TRANSPORT_ERROR;
	c->status = vs->resp->status;
	c->residual = vs->resp->resid;
	c->sense_len = vs->resp->sense_len < SENSE_SIZE ? vs->resp->sense_len
							: SENSE_SIZE;
	memcpy(c->sense, vs->resp->sense, c->sense_len);
	return SCSI_TRANSPORT_OK;
}

/* One LUN: a blockdev of its own if it holds a disk or a CD-ROM. */
static enum scsi_probe add_lun(struct virtio_scsi *vs, uint16_t target,
			       uint16_t lun, blockdev_found_fn found, void *ctx)
{
	struct scsi_disk *d = drv_zalloc(sizeof(*d));
	enum scsi_probe p;

	if (!d)
		return SCSI_PROBE_ERROR;
	d->t = &vs->t;
	d->reply = dma_alloc(64);
	p = d->reply ? scsi_disk_probe(d, target, lun) : SCSI_PROBE_ERROR;
	if (p != SCSI_PROBE_DISK) {
		dma_free(d->reply, 64);
		drv_free(d);
		return p;
	}
	fmt_snprintf(d->dev.name, sizeof(d->dev.name), "%s %u:%u",
		     vs->vdev.name, target, lun);
	d->dev.location = vs->vdev.location;
	d->dev.location.scsi = true;
	d->dev.location.scsi_target = target;
	d->dev.location.scsi_lun = lun;
	d->dev.priv = d;
	found(&d->dev, ctx);
	return p;
}

static void scan_target(struct virtio_scsi *vs, uint16_t target,
			uint32_t max_lun, blockdev_found_fn found, void *ctx)
{
	uint16_t luns[MAX_LUNS];
	int n, i;

	if (add_lun(vs, target, 0, found, ctx) == SCSI_PROBE_NO_TARGET)
		return;
	n = scsi_report_luns(&vs->t, target, vs->reply, REPLY_SIZE, luns,
			     MAX_LUNS);
	for (i = 0; i < n; i++)
		if (luns[i] && luns[i] <= max_lun)
			add_lun(vs, target, luns[i], found, ctx);
}

int virtio_scsi_attach(struct virtio_dev *template, blockdev_found_fn found,
		       void *ctx)
{
	struct virtio_scsi *vs = drv_zalloc(sizeof(*vs));
	const struct virtio_transport *tr = template->transport;
	uint8_t *dma =
		dma_alloc(sizeof(*vs->req) + sizeof(*vs->resp) + REPLY_SIZE);
	uint32_t max_target, max_lun, t;

	if (!vs || !dma) {
		drv_free(vs);
		dma_free(dma,
			 sizeof(*vs->req) + sizeof(*vs->resp) + REPLY_SIZE);
		return -1;
	}
	vs->vdev = *template;
	vs->req = (struct virtio_scsi_req *)dma;
	vs->resp = (struct virtio_scsi_resp *)(dma + sizeof(*vs->req));
	vs->reply = dma + sizeof(*vs->req) + sizeof(*vs->resp);
	/* From here on vs stays allocated even on failure: the device is
	 * reset through it at shutdown (virtio_shutdown_all). */
	if (virtio_start(&vs->vdev, 0))
		return -1;
	/* Headers laid out for the default CDB and sense sizes. */
	if (tr->read_config(&vs->vdev, CFG_CDB_SIZE, 4) != CDB_SIZE ||
	    tr->read_config(&vs->vdev, CFG_SENSE_SIZE, 4) != SENSE_SIZE)
		return -1;
	if (virtqueue_init(&vs->vdev, &vs->vq, REQUEST_QUEUE, QUEUE_SIZE))
		return -1;
	virtio_ready(&vs->vdev);
	vs->t.exec = exec;
	vs->t.ctx = vs;
	/* max_sectors counts 512-byte sectors; at most 32 MiB a command. */
	t = tr->read_config(&vs->vdev, CFG_MAX_SECTORS, 4);
	vs->t.max_bytes = t && t < (32u << 20) / 512 ? t * 512 : 32u << 20;
	max_target = tr->read_config(&vs->vdev, CFG_MAX_TARGET, 2);
	max_lun = tr->read_config(&vs->vdev, CFG_MAX_LUN, 4);
	if (max_target >= MAX_TARGETS)
		max_target = MAX_TARGETS - 1;
	if (max_lun >= MAX_LUNS)
		max_lun = MAX_LUNS - 1;
	for (t = 0; t <= max_target; t++)
		scan_target(vs, (uint16_t)t, max_lun, found, ctx);
	return 0;
}
