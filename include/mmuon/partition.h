/* SPDX-License-Identifier: MIT */
/*
 * Partition tables over a struct blockdev: GPT (UEFI 2.10 section 5.3),
 * MBR with extended partitions (5.2), El Torito boot catalogs (El Torito
 * 1.0). Pure logic (src/disk/), host-tested and fuzzed: the disk's bytes
 * are untrusted; a bad table gives a note and no partitions, never a read
 * outside the disk or a loop.
 *
 * What is found, and how it is numbered, follows EDK2's PartitionDxe, so
 * that the device paths built from it (HD(n,GPT|MBR,sig,start,size),
 * CDROM(entry,start,size)) match those an OS wrote into Boot#### entries
 * under EDK2:
 *   - GPT when LBA 0 holds a protective MBR (type 0xEE starting at LBA 1)
 *     and the primary or, failing its CRCs, the backup table is valid;
 *     HD number = entry index + 1, unused and bad entries skipped;
 *   - else El Torito, on media whose blocks divide 2048 bytes: each
 *     bootable catalog entry of the EFI platform (0xEF), numbered as EDK2
 *     counts bootable entries (the initial entry 0, the others from 1);
 *     all bootable entries if none is EFI's;
 *   - else an MBR: each used primary entry except 0xEE, numbered by its
 *     slot (1-4); then the logical partitions inside each extended one,
 *     numbered from 1 again and nested under it (parent).
 * Unlike EDK2, a damaged primary GPT is not rewritten from the backup:
 * firmware does not write to disks behind the user's back.
 */
#ifndef MMUON_PARTITION_H
#define MMUON_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

#include <mmuon/blockdev.h>

#define PARTITION_MAX 128
#define PARTITION_NOTES 512
#define PARTITION_NO_PARENT 0xff

enum partition_scheme {
	PARTITION_NONE,
	PARTITION_GPT,
	PARTITION_MBR,
	PARTITION_ELTORITO,
};

#define MBR_TYPE_EFI_SYSTEM 0xef
#define MBR_TYPE_GPT_PROTECTIVE 0xee

struct partition {
	enum partition_scheme scheme;
	uint32_t number;	/* HD(n,...) or CDROM(n,...) */
	uint64_t start;		/* in the disk's blocks, from its LBA 0 */
	uint64_t count;		/* blocks the partition's BlockIo spans */
	uint64_t path_start;	/* what the device path node says: */
	uint64_t path_size;	/* relative to the parent for El Torito too */
	uint8_t signature[16];	/* GPT: unique GUID; MBR: disk signature */
	uint8_t type_guid[16];	/* GPT */
	uint64_t attributes;	/* GPT */
	uint16_t name[36];	/* GPT, UTF-16LE */
	uint8_t mbr_record[16]; /* MBR: the table entry, as on disk */
	uint8_t mbr_type;	/* MBR: the OS indicator */
	uint8_t platform;	/* El Torito: 0xEF for EFI */
	bool extended;		/* MBR: a container of logical partitions */
	bool system;		/* an EFI system partition */
	uint8_t parent;		/* index of the extended partition, or none */
};

struct partition_table {
	enum partition_scheme scheme;
	unsigned count;
	struct partition part[PARTITION_MAX];
	/* Why a table was refused or an entry skipped, a line each. */
	char notes[PARTITION_NOTES];
	/* Work space: a volume descriptor and a catalog sector, or GPT
	 * entries -- the usual 128 of 128 bytes in one read. */
	uint8_t buf[16384] __attribute__((aligned(64)));
};

/*
 * Reads @dev's partition table into @t (zeroed first). Returns the number
 * of partitions, 0 if none; I/O errors end the scan with a note.
 */
unsigned partition_scan(struct blockdev *dev, struct partition_table *t);

/* The schemes, one by one (src/disk/gpt.c, eltorito.c, mbr.c). Each
 * returns true if it recognized the disk, even with no usable entry. */
bool gpt_scan(struct blockdev *dev, struct partition_table *t);
bool eltorito_scan(struct blockdev *dev, struct partition_table *t);
bool mbr_scan(struct blockdev *dev, struct partition_table *t);

/* A note in @t (src/disk/partition.c). */
void partition_note(struct partition_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a partition; NULL (with a note) once PARTITION_MAX are found. */
struct partition *partition_add(struct partition_table *t);

/* Little-endian fields of on-disk structures. */
static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

#endif
