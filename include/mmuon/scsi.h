/* SPDX-License-Identifier: MIT */
/*
 * SCSI disks and CD-ROMs over any transport that can carry a command
 * (virtio-scsi here): probing a LUN (INQUIRY, TEST UNIT READY, READ
 * CAPACITY(10/16), MODE SENSE for write protection) and reading, writing
 * and flushing it (READ/WRITE(10/16), SYNCHRONIZE CACHE(10)), each a
 * struct blockdev. Sense data become blockdev statuses: no medium
 * (NOT READY, 3A) -> BLOCKDEV_ERR_NO_MEDIA, DATA PROTECT ->
 * BLOCKDEV_ERR_READ_ONLY, a unit attention is retried, the rest ->
 * BLOCKDEV_ERR_IO. Pure logic over the transport's exec(): host-tested
 * with a simulated target (SPC-4, SBC-3, MMC-6 for the formats).
 */
#ifndef MMUON_SCSI_H
#define MMUON_SCSI_H

#include <stdbool.h>
#include <stdint.h>

#include <mmuon/blockdev.h>

#define SCSI_SENSE_MAX 96

/* What the transport reports for one command. */
enum scsi_transport_status {
	SCSI_TRANSPORT_OK = 0,	  /* the target answered; see status */
	SCSI_TRANSPORT_NO_TARGET, /* nothing there */
	SCSI_TRANSPORT_ERROR,	  /* reset, aborted, failed */
	SCSI_TRANSPORT_TIMEOUT,	  /* no answer */
};

struct scsi_cmd {
	uint8_t cdb[16];
	uint8_t cdb_len;
	void *data; /* DMA straight to/from here */
	uint32_t len;
	bool to_device;
	/* Results */
	uint8_t status; /* SAM status: 0 GOOD, 2 CHECK CONDITION */
	uint8_t sense[SCSI_SENSE_MAX];
	uint32_t sense_len;
	uint32_t residual;
};

struct scsi_transport {
	/* Carries @cmd to (target, lun); an enum scsi_transport_status. */
	int (*exec)(void *ctx, uint16_t target, uint16_t lun,
		    struct scsi_cmd *cmd);
	void *ctx;
	uint32_t max_bytes; /* per command; 0: none said */
};

/* Peripheral device types (SPC-4 table 49). */
#define SCSI_TYPE_DISK 0x00
#define SCSI_TYPE_CDROM 0x05
#define SCSI_TYPE_OPTICAL 0x07
#define SCSI_TYPE_RBC 0x0e

struct scsi_disk {
	struct blockdev dev;
	const struct scsi_transport *t;
	uint16_t target, lun;
	uint8_t type;
	/* A DMA-able buffer of 64 bytes for the small replies. */
	uint8_t *reply;
};

/* What probing a LUN found. */
enum scsi_probe {
	SCSI_PROBE_DISK = 0,  /* a disk or CD-ROM, dev filled in */
	SCSI_PROBE_NOTHING,   /* no device at this LUN, or a kind not served */
	SCSI_PROBE_NO_TARGET, /* no target at all: skip its other LUNs */
	SCSI_PROBE_ERROR,     /* the target did not answer sensibly */
};

/*
 * Probes (target, lun) and, if it holds a disk or CD-ROM, fills @d (whose
 * t and reply must be set) with a working blockdev: its block size, count
 * (0 and media_present false for an empty drive), read-only, removable.
 */
enum scsi_probe scsi_disk_probe(struct scsi_disk *d, uint16_t target,
				uint16_t lun);

/*
 * REPORT LUNS on (target, 0): the LUNs it has (flat or peripheral
 * addressing, as virtio-scsi uses), at most @max; -1 if the command
 * failed.
 */
int scsi_report_luns(const struct scsi_transport *t, uint16_t target,
		     uint8_t *buf, uint32_t buf_len, uint16_t *luns,
		     unsigned max);

/* The blockdev status for a failed command (sense key and codes). */
int scsi_sense_status(const struct scsi_cmd *cmd);

#endif
