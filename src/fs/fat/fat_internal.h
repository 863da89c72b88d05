/* SPDX-License-Identifier: MIT */
/*
 * What the files of the FAT driver share: byte-addressed device access
 * through the metadata cache (volume.c), the FAT and cluster allocation
 * (volume.c), directory entries and long names (dir.c), names and times
 * (name.c). Layouts from Microsoft's "FAT: General Overview of On-Disk
 * Format" (FAT32 File System Specification, 1.03).
 */
#ifndef MMUON_FS_FAT_INTERNAL_H
#define MMUON_FS_FAT_INTERNAL_H

#include <mmuon/fat.h>

/* ---- on-disk layout ------------------------------------------------- */
#define DIRENT_SIZE 32
#define DIR_MAX_ENTRIES 65536 /* FAT's limit: 2 MiB of entries */

/* Short directory entry fields */
#define DE_NAME 0 /* 11 bytes, space padded 8.3 */
#define DE_ATTR 11
#define DE_NTRES 12 /* case of the 8.3 name (Windows NT, Linux, mtools) */
#define DE_CRT_TENTH 13
#define DE_CRT_TIME 14
#define DE_CRT_DATE 16
#define DE_ACC_DATE 18
#define DE_CLUS_HI 20
#define DE_WRT_TIME 22
#define DE_WRT_DATE 24
#define DE_CLUS_LO 26
#define DE_SIZE 28

#define NTRES_LOWER_BASE 0x08
#define NTRES_LOWER_EXT 0x10

#define DE_FREE 0xe5	 /* deleted entry */
#define DE_END 0x00	 /* this and all later entries are free */
#define DE_KANJI_E5 0x05 /* a first byte of 0xe5 stored as 0x05 */

/* Long-name entry fields */
#define LFN_ORD 0
#define LFN_NAME1 1 /* 5 UCS-2 characters */
#define LFN_CHKSUM 13
#define LFN_NAME2 14 /* 6 */
#define LFN_NAME3 28 /* 2 */
#define LFN_LAST 0x40
#define LFN_CHARS 13
#define LFN_MAX_ENTRIES 20 /* 20 * 13 >= 255 */

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* ---- volume.c: device bytes through the cache ---------------------------- */
/* Reads or writes device bytes; whole aligned blocks go straight to @buf. */
int fat_dev_read(struct fat_volume *vol, uint64_t off, uint64_t len, void *buf);
/* The same for file data: what is copied from the cache is counted. */
int fat_dev_read_payload(struct fat_volume *vol, uint64_t off, uint64_t len,
			 void *buf);
/* @buf NULL writes zeros. */
int fat_dev_write(struct fat_volume *vol, uint64_t off, uint64_t len,
		  const void *buf);
/*
 * A pointer to the cached byte at device offset @off; valid up to the end
 * of its FAT_CACHE_CHUNK and until the next cache call. Mark changes with
 * fat_cache_dirty().
 */
int fat_cache_ptr(struct fat_volume *vol, uint64_t off, uint8_t **p);
void fat_cache_dirty(struct fat_volume *vol, uint64_t off);
/* Writes back the cache and FSInfo (no device flush). */
int fat_commit(struct fat_volume *vol);
/* Records a corruption: sets vol->error, returns FAT_ERR_CORRUPT. */
int fat_corrupt(struct fat_volume *vol, const char *why);

/* ---- volume.c: the FAT ---------------------------------------------------- */
static inline bool fat_cluster_valid(const struct fat_volume *vol, uint32_t c)
{
	return c >= 2 && c - 2 < vol->cluster_count;
}

static inline uint64_t fat_cluster_offset(const struct fat_volume *vol,
					  uint32_t c)
{
	return vol->data_offset + (uint64_t)(c - 2) * vol->cluster_size;
}

/* Clusters needed for @bytes. */
static inline uint64_t fat_clusters_for(const struct fat_volume *vol,
					uint64_t bytes)
{
	return (bytes + vol->cluster_size - 1) / vol->cluster_size;
}

/*
 * The cluster after @c in its chain: *@next = 0 at the end of the chain;
 * FAT_ERR_CORRUPT if the entry is free, bad or out of range.
 */
int fat_chain_next(struct fat_volume *vol, uint32_t c, uint32_t *next);
/*
 * Cluster number @index of the chain starting at @first, walking on from
 * the cursor (*@cur_index, *@cur) when it is not past @index; the cursor
 * is left on the result. FAT_ERR_NOT_FOUND if the chain is shorter (the
 * cursor is then on its last cluster).
 */
int fat_chain_seek(struct fat_volume *vol, uint32_t first, uint32_t index,
		   uint32_t *cur_index, uint32_t *cur);
/*
 * Clusters in the chain from @first (checked: ends within the volume's
 * cluster count, every link in range).
 */
int fat_chain_length(struct fat_volume *vol, uint32_t first, uint32_t *len);
/* A free cluster, marked end of chain; searched from @hint. */
int fat_alloc_cluster(struct fat_volume *vol, uint32_t hint, uint32_t *c);
/* Links @c to @next (0: end of chain). */
int fat_link(struct fat_volume *vol, uint32_t c, uint32_t next);
/* Frees the chain from @first. */
int fat_free_chain(struct fat_volume *vol, uint32_t first);
/* The cluster in which a directory's ".." points to @c (0 for the root). */
static inline uint32_t fat_dotdot_cluster(const struct fat_volume *vol,
					  uint32_t c)
{
	return c == vol->root_cluster ? 0 : c;
}

/* ---- name.c: names and times ------------------------------------------------ */
uint16_t fat_upcase(uint16_t c);
/* Formats an 8.3 entry name ("NAME.EXT", NTRES case applied). */
size_t fat_short_name_format(const uint8_t *entry, uint16_t out[13]);
uint8_t fat_lfn_checksum(const uint8_t name[11]);
/*
 * Checks a name of *@len code units and trims trailing spaces and dots
 * (as Windows and EDK2 do) from *@len. False if it is then empty, too long
 * or has a character FAT forbids.
 */
bool fat_name_valid(const uint16_t *name, size_t *len);
/*
 * The 8.3 form of a valid name when it is one: *@ntres gets the case
 * flags. False if the name needs a long-name entry.
 */
bool fat_name_is_short(const uint16_t *name, size_t len, uint8_t out[11],
		       uint8_t *ntres);
/*
 * The basis of a generated short name (uppercase, invalid characters as
 * '_'), and with @tail > 0 the numeric tail "~N" in its base.
 */
void fat_short_name_basis(const uint16_t *name, size_t len, uint32_t tail,
			  uint8_t out[11]);
void fat_time_encode(const struct fat_time *t, uint16_t *date, uint16_t *time);
void fat_time_decode(uint16_t date, uint16_t time, struct fat_time *t);
void fat_now(struct fat_volume *vol, struct fat_time *t);

/* ---- dir.c: directory entries ------------------------------------------- */
/* A directory being walked: its first cluster (0: FAT12/16 root). */
struct fat_dir {
	uint32_t first;
	uint32_t cur_index, cur;
};

/* One entry as fat_dir_next() found it. */
struct fat_dirent {
	uint8_t raw[DIRENT_SIZE];	 /* the short entry */
	uint32_t index;			 /* of the short entry */
	uint32_t first_index;		 /* of its first long-name entry */
	uint16_t name[FAT_NAME_MAX + 1]; /* long name, else the short one */
	size_t name_len;
	uint16_t short_name[13];
	size_t short_len;
};

static inline void fat_dir_init(struct fat_dir *d, uint32_t first)
{
	d->first = first;
	d->cur_index = 0;
	d->cur = first;
}

/* The first cluster an entry points to (high half on FAT32 only). */
uint32_t fat_entry_cluster(const struct fat_volume *vol, const uint8_t *e);
void fat_entry_set_cluster(const struct fat_volume *vol, uint8_t *e,
			   uint32_t c);
/* Device offset of entry @index; FAT_ERR_NOT_FOUND past the end. */
int fat_dir_entry_offset(struct fat_volume *vol, struct fat_dir *d,
			 uint32_t index, uint64_t *off);
/*
 * The next live entry at or after *@index (not the volume label);
 * FAT_ERR_NOT_FOUND at the end. *@index moves past it.
 */
int fat_dir_next(struct fat_volume *vol, struct fat_dir *d, uint32_t *index,
		 struct fat_dirent *out);
/* Looks @name (length @len) up, case-insensitively, long or short name. */
int fat_dir_lookup(struct fat_volume *vol, uint32_t dir_first,
		   const uint16_t *name, size_t len, struct fat_dirent *out);
/*
 * Adds an entry named @name for the short entry @raw (its name field is
 * filled in here) to the directory; the result in *@out.
 */
int fat_dir_add(struct fat_volume *vol, uint32_t dir_first,
		const uint16_t *name, size_t len, const uint8_t *raw,
		struct fat_dirent *out);
/* Marks entries first_index .. index deleted. */
int fat_dir_remove(struct fat_volume *vol, uint32_t dir_first,
		   uint32_t first_index, uint32_t index);
/* Whether a directory has entries other than "." and "..". */
int fat_dir_is_empty(struct fat_volume *vol, uint32_t dir_first, bool *empty);
/* Fills a new directory's first cluster: zeros, ".", "..". */
int fat_dir_init_cluster(struct fat_volume *vol, uint32_t c, uint32_t parent,
			 const uint8_t *raw);

#endif
