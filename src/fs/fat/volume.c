// SPDX-License-Identifier: MIT
/*
 * A FAT volume: the boot sector, byte-addressed device access through a
 * small metadata cache, the FAT (all copies kept equal) and cluster
 * allocation, FAT32's FSInfo, the volume label.
 *
 * The device is reached through its checked entry points (blockdev_read()
 * and friends: range and media checks, a bounce only for a buffer the
 * device cannot DMA to).
 *
 * The cache holds FAT_CACHE_CHUNK-byte, chunk-aligned pieces of the device
 * (whole device blocks: blocks are at most a chunk and both are powers of
 * two). It serves the FAT, directories and partial blocks of file data.
 * Whole blocks of file data bypass it; before they do, cached chunks that
 * overlap them are written back (reads) or written back and dropped
 * (writes), so device and cache never disagree. File data that does go
 * through the cache (partial blocks) reaches the caller by payload_copy(),
 * so the boot statistics count it.
 */
#include <string.h>

#include <mmuon/payload_copy.h>

#include "fat_internal.h"

int fat_corrupt(struct fat_volume *vol, const char *why)
{
	vol->error = why;
	return FAT_ERR_CORRUPT;
}

static int dev_status(int st)
{
	switch (st) {
	case BLOCKDEV_OK:
		return FAT_OK;
	case BLOCKDEV_ERR_READ_ONLY:
		return FAT_ERR_WRITE_PROTECTED;
	case BLOCKDEV_ERR_NO_MEDIA:
		return FAT_ERR_NO_MEDIA;
	default:
		return FAT_ERR_IO;
	}
}

static uint64_t dev_bytes(const struct fat_volume *vol)
{
	return vol->dev->block_count * vol->dev->block_size;
}

/* ---- the cache ------------------------------------------------------------- */

/* Device blocks of chunk @chunk that exist (the last chunk may be short). */
static uint64_t chunk_blocks(const struct fat_volume *vol, uint64_t chunk,
			     uint64_t *lba)
{
	uint32_t per_chunk = FAT_CACHE_CHUNK / vol->dev->block_size;

	*lba = chunk * per_chunk;
	if (*lba >= vol->dev->block_count)
		return 0;
	if (vol->dev->block_count - *lba < per_chunk)
		return vol->dev->block_count - *lba;
	return per_chunk;
}

static int slot_write_back(struct fat_volume *vol, unsigned i)
{
	struct fat_cache_slot *s = &vol->slot[i];
	uint64_t lba, n;
	int st;

	if (!s->valid || !s->dirty)
		return FAT_OK;
	n = chunk_blocks(vol, s->chunk, &lba);
	st = dev_status(blockdev_write(vol->dev, lba, n, vol->cache[i]));
	if (st == FAT_OK)
		s->dirty = false;
	return st;
}

/*
 * The slot holding @chunk, loaded from the device unless @overwrite (the
 * caller replaces the whole chunk).
 */
static int cache_slot(struct fat_volume *vol, uint64_t chunk, bool overwrite,
		      unsigned *out)
{
	unsigned i, victim = 0;
	uint64_t lba, n;
	int st;

	for (i = 0; i < FAT_CACHE_SLOTS; i++) {
		if (vol->slot[i].valid && vol->slot[i].chunk == chunk) {
			vol->slot[i].age = ++vol->cache_clock;
			*out = i;
			return FAT_OK;
		}
	}
	for (i = 0; i < FAT_CACHE_SLOTS; i++) {
		if (!vol->slot[i].valid) {
			victim = i;
			break;
		}
		if (vol->slot[i].age < vol->slot[victim].age)
			victim = i;
	}
	st = slot_write_back(vol, victim);
	if (st)
		return st;
	vol->slot[victim].valid = false;
	n = chunk_blocks(vol, chunk, &lba);
	if (!n)
		return FAT_ERR_IO;
	if (overwrite) {
		memset(vol->cache[victim], 0, FAT_CACHE_CHUNK);
	} else {
		st = dev_status(
			blockdev_read(vol->dev, lba, n, vol->cache[victim]));
		if (st)
			return st;
		if (n * vol->dev->block_size < FAT_CACHE_CHUNK)
			memset(vol->cache[victim] + n * vol->dev->block_size, 0,
			       FAT_CACHE_CHUNK - n * vol->dev->block_size);
	}
	vol->slot[victim] = (struct fat_cache_slot){
		.chunk = chunk,
		.age = ++vol->cache_clock,
		.valid = true,
	};
	*out = victim;
	return FAT_OK;
}

int fat_cache_ptr(struct fat_volume *vol, uint64_t off, uint8_t **p)
{
	unsigned i;
	int st;

	if (off >= dev_bytes(vol))
		return FAT_ERR_IO;
	st = cache_slot(vol, off / FAT_CACHE_CHUNK, false, &i);
	if (st)
		return st;
	*p = vol->cache[i] + off % FAT_CACHE_CHUNK;
	return FAT_OK;
}

void fat_cache_dirty(struct fat_volume *vol, uint64_t off)
{
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (vol->slot[i].valid &&
		    vol->slot[i].chunk == off / FAT_CACHE_CHUNK)
			vol->slot[i].dirty = true;
}

/*
 * Before direct I/O on [off, off + len): write back the chunks that
 * overlap it, and for a write drop them too.
 */
static int cache_sync_range(struct fat_volume *vol, uint64_t off, uint64_t len,
			    bool drop)
{
	uint64_t first = off / FAT_CACHE_CHUNK;
	uint64_t last = (off + len - 1) / FAT_CACHE_CHUNK;
	int st;

	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++) {
		struct fat_cache_slot *s = &vol->slot[i];

		if (!s->valid || s->chunk < first || s->chunk > last)
			continue;
		st = slot_write_back(vol, i);
		if (st)
			return st;
		if (drop)
			s->valid = false;
	}
	return FAT_OK;
}

static bool block_aligned(const struct fat_volume *vol, uint64_t off,
			  uint64_t len)
{
	return off % vol->dev->block_size == 0 && len >= vol->dev->block_size;
}

/* @payload: file data a client asked for, whose copies are counted. */
static int dev_read(struct fat_volume *vol, uint64_t off, uint64_t len,
		    void *buf, bool payload)
{
	uint8_t *dst = buf, *p;
	uint32_t bs = vol->dev->block_size;
	uint64_t n;
	int st;

	if (off > dev_bytes(vol) || len > dev_bytes(vol) - off)
		return FAT_ERR_IO;
	while (len) {
		if (block_aligned(vol, off, len)) {
			/* Straight into the caller's buffer: zero copy. */
			n = len / bs * bs;
			st = cache_sync_range(vol, off, n, false);
			if (st)
				return st;
			st = dev_status(
				blockdev_read(vol->dev, off / bs, n / bs, dst));
			if (st)
				return st;
		} else {
			n = FAT_CACHE_CHUNK - off % FAT_CACHE_CHUNK;
			if (n > len)
				n = len;
			/* Stop at a block boundary so the rest can go direct. */
			if (off % bs && n > bs - off % bs)
				n = bs - off % bs;
			st = fat_cache_ptr(vol, off, &p);
			if (st)
				return st;
			if (payload)
				payload_copy(dst, p, n);
			else
				memcpy(dst, p, n);
		}
		dst += n;
		off += n;
		len -= n;
	}
	return FAT_OK;
}

int fat_dev_read(struct fat_volume *vol, uint64_t off, uint64_t len, void *buf)
{
	return dev_read(vol, off, len, buf, false);
}

int fat_dev_read_payload(struct fat_volume *vol, uint64_t off, uint64_t len,
			 void *buf)
{
	return dev_read(vol, off, len, buf, true);
}

int fat_dev_write(struct fat_volume *vol, uint64_t off, uint64_t len,
		  const void *buf)
{
	const uint8_t *src = buf;
	uint32_t bs = vol->dev->block_size;
	uint64_t n;
	unsigned i;
	int st;

	if (vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	if (off > dev_bytes(vol) || len > dev_bytes(vol) - off)
		return FAT_ERR_IO;
	while (len) {
		if (src && block_aligned(vol, off, len)) {
			n = len / bs * bs;
			st = cache_sync_range(vol, off, n, true);
			if (st)
				return st;
			st = dev_status(blockdev_write(vol->dev, off / bs,
						       n / bs, src));
			if (st)
				return st;
		} else {
			bool whole = off % FAT_CACHE_CHUNK == 0 &&
				     len >= FAT_CACHE_CHUNK;

			n = FAT_CACHE_CHUNK - off % FAT_CACHE_CHUNK;
			if (n > len)
				n = len;
			if (src && off % bs && n > bs - off % bs)
				n = bs - off % bs;
			st = cache_slot(vol, off / FAT_CACHE_CHUNK, whole, &i);
			if (st)
				return st;
			if (src)
				memcpy(vol->cache[i] + off % FAT_CACHE_CHUNK,
				       src, n);
			else
				memset(vol->cache[i] + off % FAT_CACHE_CHUNK, 0,
				       n);
			vol->slot[i].dirty = true;
		}
		if (src)
			src += n;
		off += n;
		len -= n;
	}
	return FAT_OK;
}

/* ---- the FAT ---------------------------------------------------------------- */

static uint32_t fat_eoc_min(const struct fat_volume *vol)
{
	return vol->fat_bits == 12   ? 0xff8
	       : vol->fat_bits == 16 ? 0xfff8
				     : 0x0ffffff8;
}

static uint32_t fat_eoc(const struct fat_volume *vol)
{
	return vol->fat_bits == 12   ? 0xfff
	       : vol->fat_bits == 16 ? 0xffff
				     : 0x0fffffff;
}

/* Byte offset of entry @c in FAT copy @copy. */
static uint64_t fat_entry_offset(const struct fat_volume *vol, unsigned copy,
				 uint32_t c)
{
	uint64_t at = vol->fat_offset + copy * vol->fat_bytes;

	switch (vol->fat_bits) {
	case 12:
		return at + c + c / 2;
	case 16:
		return at + (uint64_t)c * 2;
	default:
		return at + (uint64_t)c * 4;
	}
}

static int fat_byte(struct fat_volume *vol, uint64_t off, uint8_t **p)
{
	return fat_cache_ptr(vol, off, p);
}

static int fat_get(struct fat_volume *vol, uint32_t c, uint32_t *value)
{
	uint64_t off = fat_entry_offset(vol, vol->fat_active, c);
	uint8_t *p, lo;
	int st;

	if (vol->fat_bits != 12) {
		/* 2- or 4-byte aligned: never across a chunk. */
		st = fat_byte(vol, off, &p);
		if (st)
			return st;
		*value = vol->fat_bits == 16 ? get16(p) : get32(p) & 0x0fffffff;
		return FAT_OK;
	}
	/* FAT12: 12 bits at a half-byte offset, maybe across two chunks. */
	st = fat_byte(vol, off, &p);
	if (st)
		return st;
	lo = *p;
	st = fat_byte(vol, off + 1, &p);
	if (st)
		return st;
	*value = (uint32_t)(lo | *p << 8);
	*value = c & 1 ? *value >> 4 : *value & 0xfff;
	return FAT_OK;
}

static int fat_put(struct fat_volume *vol, uint32_t c, uint32_t value)
{
	uint8_t *p;
	int st;

	if (vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	for (unsigned copy = 0; copy < vol->fat_copies; copy++) {
		/* With FAT32 mirroring off only the active FAT is kept. */
		unsigned fat = vol->fat_copies == 1 ? vol->fat_active : copy;
		uint64_t off = fat_entry_offset(vol, fat, c);

		st = fat_byte(vol, off, &p);
		if (st)
			return st;
		switch (vol->fat_bits) {
		case 12:
			if (c & 1) {
				*p = (uint8_t)((*p & 0x0f) | (value << 4));
				fat_cache_dirty(vol, off);
				st = fat_byte(vol, off + 1, &p);
				if (st)
					return st;
				*p = (uint8_t)(value >> 4);
			} else {
				*p = (uint8_t)value;
				fat_cache_dirty(vol, off);
				st = fat_byte(vol, off + 1, &p);
				if (st)
					return st;
				*p = (uint8_t)((*p & 0xf0) |
					       ((value >> 8) & 0x0f));
			}
			fat_cache_dirty(vol, off + 1);
			continue;
		case 16:
			put16(p, (uint16_t)value);
			break;
		default:
			/* The top four bits are reserved: keep them. */
			put32(p,
			      (get32(p) & 0xf0000000) | (value & 0x0fffffff));
			break;
		}
		fat_cache_dirty(vol, off);
	}
	return FAT_OK;
}

int fat_chain_next(struct fat_volume *vol, uint32_t c, uint32_t *next)
{
	uint32_t v;
	int st;

	if (!fat_cluster_valid(vol, c))
		return fat_corrupt(vol, "cluster number out of range");
	st = fat_get(vol, c, &v);
	if (st)
		return st;
	if (v >= fat_eoc_min(vol)) {
		*next = 0;
		return FAT_OK;
	}
	if (v == 0)
		return fat_corrupt(vol,
				   "cluster chain runs into a free cluster");
	if (v == fat_eoc_min(vol) - 1)
		return fat_corrupt(vol,
				   "cluster chain runs into a bad cluster");
	if (!fat_cluster_valid(vol, v))
		return fat_corrupt(vol, "cluster chain leaves the volume");
	*next = v;
	return FAT_OK;
}

int fat_chain_seek(struct fat_volume *vol, uint32_t first, uint32_t index,
		   uint32_t *cur_index, uint32_t *cur)
{
	uint32_t i = 0, c = first, next;
	int st;

	if (*cur_index <= index && fat_cluster_valid(vol, *cur)) {
		i = *cur_index;
		c = *cur;
	}
	if (!fat_cluster_valid(vol, c))
		return fat_corrupt(vol, "cluster number out of range");
	while (i < index) {
		st = fat_chain_next(vol, c, &next);
		if (st)
			return st;
		if (!next)
			break;
		/* No chain has more clusters than the volume: a loop does. */
		if (i + 1 >= vol->cluster_count)
			return fat_corrupt(vol, "cluster chain loops");
		c = next;
		i++;
	}
	/* On NOT_FOUND the cursor is on the last cluster (to append). */
	*cur_index = i;
	*cur = c;
	return i == index ? FAT_OK : FAT_ERR_NOT_FOUND;
}

int fat_chain_length(struct fat_volume *vol, uint32_t first, uint32_t *len)
{
	uint32_t n = 0, c = first;
	int st;

	while (c) {
		if (n == vol->cluster_count)
			return fat_corrupt(vol, "cluster chain loops");
		st = fat_chain_next(vol, c, &c);
		if (st)
			return st;
		n++;
	}
	*len = n;
	return FAT_OK;
}

static int fat_count_free(struct fat_volume *vol)
{
	uint32_t n = 0, v;
	int st;

	if (vol->free_count != UINT32_MAX)
		return FAT_OK;
	for (uint32_t c = 2; c - 2 < vol->cluster_count; c++) {
		st = fat_get(vol, c, &v);
		if (st)
			return st;
		n += v == 0;
	}
	vol->free_count = n;
	return FAT_OK;
}

int fat_alloc_cluster(struct fat_volume *vol, uint32_t hint, uint32_t *out)
{
	uint32_t c, v;
	int st;

	if (!fat_cluster_valid(vol, hint))
		hint = fat_cluster_valid(vol, vol->next_free) ? vol->next_free
							      : 2;
	c = hint;
	for (uint32_t tried = 0; tried < vol->cluster_count; tried++) {
		st = fat_get(vol, c, &v);
		if (st)
			return st;
		if (v == 0) {
			/* A free cluster where FSInfo counted none: count. */
			if (vol->free_count == 0) {
				vol->free_count = UINT32_MAX;
				st = fat_count_free(vol);
				if (st)
					return st;
			}
			st = fat_put(vol, c, fat_eoc(vol));
			if (st)
				return st;
			if (vol->free_count != UINT32_MAX)
				vol->free_count--;
			vol->next_free = c + 1;
			vol->fsinfo_dirty = true;
			*out = c;
			return FAT_OK;
		}
		c = c - 2 + 1 < vol->cluster_count ? c + 1 : 2;
	}
	vol->free_count = 0;
	return FAT_ERR_FULL;
}

int fat_link(struct fat_volume *vol, uint32_t c, uint32_t next)
{
	return fat_put(vol, c, next ? next : fat_eoc(vol));
}

int fat_free_chain(struct fat_volume *vol, uint32_t first)
{
	uint32_t c = first, next, n = 0;
	int st;

	while (c) {
		if (n++ == vol->cluster_count)
			return fat_corrupt(vol, "cluster chain loops");
		st = fat_chain_next(vol, c, &next);
		if (st)
			return st;
		st = fat_put(vol, c, 0);
		if (st)
			return st;
		if (vol->free_count != UINT32_MAX)
			vol->free_count++;
		if (c < vol->next_free)
			vol->next_free = c;
		vol->fsinfo_dirty = true;
		c = next;
	}
	return FAT_OK;
}

/* ---- FSInfo, commit, flush ------------------------------------------------ */

#define FSINFO_LEAD 0x41615252
#define FSINFO_STRUCT 0x61417272
#define FSINFO_TRAIL 0xaa550000
#define FSI_LEAD_SIG 0
#define FSI_STRUC_SIG 484
#define FSI_FREE_COUNT 488
#define FSI_NXT_FREE 492
#define FSI_TRAIL_SIG 508

static int fsinfo_load(struct fat_volume *vol)
{
	uint8_t fsi[512];
	uint32_t free, next;
	int st;

	if (vol->fat_bits != 32 || vol->fsinfo_sector == 0 ||
	    vol->fsinfo_sector == 0xffff ||
	    (uint64_t)vol->fsinfo_sector * vol->sector_size + 512 >
		    vol->fat_offset)
		return FAT_OK;
	st = fat_dev_read(vol, (uint64_t)vol->fsinfo_sector * vol->sector_size,
			  sizeof(fsi), fsi);
	if (st)
		return st;
	if (get32(fsi + FSI_LEAD_SIG) != FSINFO_LEAD ||
	    get32(fsi + FSI_STRUC_SIG) != FSINFO_STRUCT ||
	    get32(fsi + FSI_TRAIL_SIG) != FSINFO_TRAIL)
		return FAT_OK;
	vol->fsinfo_valid = true;
	free = get32(fsi + FSI_FREE_COUNT);
	next = get32(fsi + FSI_NXT_FREE);
	/* Hints only: a free count the volume cannot hold is recounted. */
	if (free <= vol->cluster_count)
		vol->free_count = free;
	if (fat_cluster_valid(vol, next))
		vol->next_free = next;
	return FAT_OK;
}

static int fsinfo_store(struct fat_volume *vol)
{
	uint64_t off = (uint64_t)vol->fsinfo_sector * vol->sector_size;
	uint8_t buf[8];

	if (!vol->fsinfo_valid || !vol->fsinfo_dirty)
		return FAT_OK;
	put32(buf, vol->free_count);
	put32(buf + 4, fat_cluster_valid(vol, vol->next_free) ? vol->next_free
							      : 0xffffffff);
	vol->fsinfo_dirty = false;
	return fat_dev_write(vol, off + FSI_FREE_COUNT, sizeof(buf), buf);
}

int fat_commit(struct fat_volume *vol)
{
	int st = fsinfo_store(vol);

	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++) {
		int s = slot_write_back(vol, i);

		if (!st)
			st = s;
	}
	return st;
}

int fat_flush(struct fat_volume *vol)
{
	int st;

	if (vol->dev->read_only)
		return FAT_OK;
	st = fat_commit(vol);
	if (st)
		return st;
	return dev_status(blockdev_flush(vol->dev));
}

/* ---- mount ----------------------------------------------------------------- */

/* Boot sector (BPB) fields */
#define BPB_BYTS_PER_SEC 11
#define BPB_SEC_PER_CLUS 13
#define BPB_RSVD_SEC_CNT 14
#define BPB_NUM_FATS 16
#define BPB_ROOT_ENT_CNT 17
#define BPB_TOT_SEC16 19
#define BPB_MEDIA 21
#define BPB_FAT_SZ16 22
#define BPB_TOT_SEC32 32
#define BPB_FAT_SZ32 36
#define BPB_EXT_FLAGS 40
#define BPB_FS_VER 42
#define BPB_ROOT_CLUS 44
#define BPB_FS_INFO 48
#define BPB_BK_BOOT_SEC 50
/* Extended boot signature 0x29 says the serial and label fields exist. */
#define BS16_BOOT_SIG 38
#define BS16_VOL_LAB 43
#define BS32_BOOT_SIG 66
#define BS32_VOL_LAB 71
#define BS_EXT_SIG 0x29

static bool power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int parse_boot_sector(struct fat_volume *vol, const uint8_t *bs)
{
	uint32_t bps = get16(bs + BPB_BYTS_PER_SEC);
	uint32_t spc = bs[BPB_SEC_PER_CLUS];
	uint32_t reserved = get16(bs + BPB_RSVD_SEC_CNT);
	uint32_t fats = bs[BPB_NUM_FATS];
	uint32_t root_entries = get16(bs + BPB_ROOT_ENT_CNT);
	uint64_t total = get16(bs + BPB_TOT_SEC16);
	uint64_t fat_size = get16(bs + BPB_FAT_SZ16);
	uint64_t root_sectors, data_sector, clusters, fat_entries;

	if (bs[0] != 0xeb && bs[0] != 0xe9)
		return FAT_ERR_NOT_FAT;
	if (bps < 512 || bps > 4096 || !power_of_two(bps) ||
	    !power_of_two(spc) || spc > 128 || reserved == 0 || fats == 0 ||
	    (bs[BPB_MEDIA] != 0xf0 && bs[BPB_MEDIA] < 0xf8))
		return FAT_ERR_NOT_FAT;
	if (!total)
		total = get32(bs + BPB_TOT_SEC32);
	if (fat_size) {
		vol->fat_bits = 16; /* or 12: decided by the cluster count */
	} else {
		fat_size = get32(bs + BPB_FAT_SZ32);
		vol->fat_bits = 32;
		if (root_entries || get16(bs + BPB_FS_VER))
			return FAT_ERR_NOT_FAT;
	}
	if (!fat_size || !total)
		return FAT_ERR_NOT_FAT;
	root_sectors = ((uint64_t)root_entries * DIRENT_SIZE + bps - 1) / bps;
	data_sector = reserved + fats * fat_size + root_sectors;
	if (data_sector >= total)
		return FAT_ERR_NOT_FAT;
	clusters = (total - data_sector) / spc;
	if (vol->fat_bits == 16) {
		if (clusters < 4085)
			vol->fat_bits = 12;
		else if (clusters >= 65525)
			return FAT_ERR_NOT_FAT;
		if (!root_entries)
			return FAT_ERR_NOT_FAT;
	}
	if (clusters == 0 || clusters > 0x0ffffff5)
		return FAT_ERR_NOT_FAT;
	/* The FAT must have an entry for every cluster (and the two first). */
	fat_entries = fat_size * bps * 8 / vol->fat_bits;
	if (fat_entries < clusters + 2)
		return fat_corrupt(vol, "FAT too small for the volume");

	vol->sector_size = bps;
	vol->cluster_size = bps * spc;
	vol->cluster_count = (uint32_t)clusters;
	vol->fat_offset = (uint64_t)reserved * bps;
	vol->fat_bytes = fat_size * bps;
	vol->fat_copies = (uint8_t)fats;
	vol->fat_active = 0;
	vol->root_offset = vol->fat_offset + fats * vol->fat_bytes;
	vol->root_entries = root_entries;
	vol->data_offset = data_sector * bps;
	vol->volume_bytes = total * bps;
	if (vol->fat_bits == 32) {
		uint16_t ext = get16(bs + BPB_EXT_FLAGS);

		/* Bit 7: mirroring off, only FAT number (bits 0-3) is used. */
		if (ext & 0x80) {
			vol->fat_active = ext & 0x0f;
			vol->fat_copies = 1;
			if (vol->fat_active >= fats)
				return fat_corrupt(vol, "active FAT missing");
		}
		vol->root_cluster = get32(bs + BPB_ROOT_CLUS);
		if (!fat_cluster_valid(vol, vol->root_cluster))
			return fat_corrupt(vol, "root cluster out of range");
		vol->fsinfo_sector = get16(bs + BPB_FS_INFO);
		vol->backup_boot_sector = get16(bs + BPB_BK_BOOT_SEC);
	}
	return FAT_OK;
}

int fat_mount(struct fat_volume *vol, struct blockdev *dev)
{
	uint8_t bs[512];
	int st;

	*vol = (struct fat_volume){
		.dev = dev,
		.free_count = UINT32_MAX,
	};
	if (!dev->media_present)
		return FAT_ERR_NO_MEDIA;
	if (!power_of_two(dev->block_size) || dev->block_size < 512 ||
	    dev->block_size > FAT_CACHE_CHUNK)
		return FAT_ERR_UNSUPPORTED;
	if (dev->block_count < 512 / dev->block_size + 1 &&
	    dev->block_count * dev->block_size < 512)
		return FAT_ERR_NOT_FAT;
	st = fat_dev_read(vol, 0, sizeof(bs), bs);
	if (st)
		return st;
	st = parse_boot_sector(vol, bs);
	if (st)
		return st;
	if (vol->volume_bytes > dev_bytes(vol))
		return fat_corrupt(vol, "volume larger than its device");
	vol->next_free = 2;
	return fsinfo_load(vol);
}

int fat_volume_info(struct fat_volume *vol, struct fat_volume_info *info)
{
	int st = fat_count_free(vol);

	if (st)
		return st;
	*info = (struct fat_volume_info){
		.volume_size = (uint64_t)vol->cluster_count * vol->cluster_size,
		.free_size = (uint64_t)vol->free_count * vol->cluster_size,
		.cluster_size = vol->cluster_size,
		.read_only = vol->dev->read_only,
		.fat_bits = vol->fat_bits,
	};
	return FAT_OK;
}

/* ---- the volume label ----------------------------------------------------- */

static const uint8_t no_name[11] = "NO NAME    ";

/* The root directory's volume-label entry, if there is one. */
static int find_label_entry(struct fat_volume *vol, struct fat_dir *d,
			    uint32_t *index, uint64_t *off)
{
	uint8_t *e;
	int st;

	fat_dir_init(d, vol->fat_bits == 32 ? vol->root_cluster : 0);
	for (uint32_t i = 0; i < DIR_MAX_ENTRIES; i++) {
		st = fat_dir_entry_offset(vol, d, i, off);
		if (st)
			return st;
		st = fat_cache_ptr(vol, *off, &e);
		if (st)
			return st;
		if (e[0] == DE_END)
			return FAT_ERR_NOT_FOUND;
		if (e[0] != DE_FREE && (e[DE_ATTR] & 0x3f) != FAT_ATTR_LFN &&
		    (e[DE_ATTR] & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIRECTORY)) ==
			    FAT_ATTR_VOLUME_ID) {
			*index = i;
			return FAT_OK;
		}
	}
	return FAT_ERR_NOT_FOUND;
}

static uint64_t boot_label_offset(const struct fat_volume *vol,
				  const uint8_t *bs)
{
	if (vol->fat_bits == 32)
		return bs[BS32_BOOT_SIG] == BS_EXT_SIG ? BS32_VOL_LAB : 0;
	return bs[BS16_BOOT_SIG] == BS_EXT_SIG ? BS16_VOL_LAB : 0;
}

int fat_get_label(struct fat_volume *vol, uint16_t *label)
{
	uint8_t raw[11], bs[512], *e;
	struct fat_dir d;
	uint32_t index;
	uint64_t off;
	size_t n = 11;
	int st;

	st = find_label_entry(vol, &d, &index, &off);
	if (st == FAT_OK) {
		st = fat_cache_ptr(vol, off, &e);
		if (st)
			return st;
		memcpy(raw, e, 11);
	} else if (st == FAT_ERR_NOT_FOUND) {
		st = fat_dev_read(vol, 0, sizeof(bs), bs);
		if (st)
			return st;
		if (!boot_label_offset(vol, bs) ||
		    !memcmp(bs + boot_label_offset(vol, bs), no_name, 11))
			memset(raw, ' ', 11);
		else
			memcpy(raw, bs + boot_label_offset(vol, bs), 11);
	} else {
		return st;
	}
	while (n && raw[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		label[i] = raw[i];
	label[n] = 0;
	return FAT_OK;
}

/* Label characters: those of short names, and spaces inside. */
static bool label_char_ok(uint16_t c)
{
	static const char bad[] = "\"*+,./:;<=>?[\\]|";

	if (c < 0x20 || c > 0x7e)
		return false;
	for (const char *b = bad; *b; b++)
		if (c == (uint16_t)*b)
			return false;
	return true;
}

static int write_boot_label(struct fat_volume *vol, const uint8_t raw[11])
{
	uint8_t bs[512];
	uint64_t at;
	int st;

	st = fat_dev_read(vol, 0, sizeof(bs), bs);
	if (st)
		return st;
	at = boot_label_offset(vol, bs);
	if (!at)
		return FAT_OK;
	st = fat_dev_write(vol, at, 11, raw);
	/* fsck.fat compares the FAT32 boot sector with its backup. */
	if (!st && vol->fat_bits == 32 && vol->backup_boot_sector &&
	    vol->backup_boot_sector != 0xffff &&
	    (uint64_t)vol->backup_boot_sector * vol->sector_size + 512 <=
		    vol->fat_offset)
		st = fat_dev_write(vol,
				   (uint64_t)vol->backup_boot_sector *
						   vol->sector_size +
					   at,
				   11, raw);
	return st;
}

int fat_set_label(struct fat_volume *vol, const uint16_t *label)
{
	uint8_t raw[11], entry[DIRENT_SIZE] = {0}, *e;
	struct fat_dirent added;
	struct fat_time now;
	struct fat_dir d;
	uint16_t date, time;
	uint32_t index;
	uint64_t off;
	size_t n = 0;
	int st;

	if (vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	memset(raw, ' ', sizeof(raw));
	for (; label[n]; n++) {
		if (n == FAT_LABEL_MAX || !label_char_ok(label[n]))
			return FAT_ERR_INVALID;
		raw[n] = (uint8_t)fat_upcase(label[n]);
	}
	if (n && raw[0] == ' ')
		return FAT_ERR_INVALID;
	fat_now(vol, &now);
	fat_time_encode(&now, &date, &time);

	st = find_label_entry(vol, &d, &index, &off);
	if (st == FAT_OK) {
		st = fat_cache_ptr(vol, off, &e);
		if (st)
			return st;
		if (n) {
			memcpy(e, raw, 11);
			put16(e + DE_WRT_DATE, date);
			put16(e + DE_WRT_TIME, time);
		} else {
			e[0] = DE_FREE;
		}
		fat_cache_dirty(vol, off);
	} else if (st == FAT_ERR_NOT_FOUND && n) {
		/* A label entry has an 8.3 "name" but no long name. */
		entry[DE_ATTR] = FAT_ATTR_VOLUME_ID;
		put16(entry + DE_WRT_DATE, date);
		put16(entry + DE_WRT_TIME, time);
		memcpy(entry, raw, 11);
		st = fat_dir_add(vol, d.first, NULL, 0, entry, &added);
		if (st)
			return st;
	} else if (st != FAT_ERR_NOT_FOUND) {
		return st;
	}
	st = write_boot_label(vol, n ? raw : no_name);
	if (st)
		return st;
	return fat_commit(vol);
}
