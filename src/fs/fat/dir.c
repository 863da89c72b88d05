// SPDX-License-Identifier: MIT
/*
 * Directories: 32-byte entries in the fixed FAT12/16 root or in a cluster
 * chain; a file's long name is stored in up to 20 entries before its short
 * entry, last part first, each with the short name's checksum. Long names
 * that do not check out are ignored (the short name stands), as on every
 * other FAT implementation.
 *
 * Every walk stops after FAT's 65,536 entries per directory, so a chain
 * that loops (or a corrupted directory) cannot keep it going.
 */
#include <string.h>

#include "fat_internal.h"

uint32_t fat_entry_cluster(const struct fat_volume *vol, const uint8_t *e)
{
	uint32_t c = get16(e + DE_CLUS_LO);

	if (vol->fat_bits == 32)
		c |= (uint32_t)get16(e + DE_CLUS_HI) << 16;
	return c;
}

void fat_entry_set_cluster(const struct fat_volume *vol, uint8_t *e, uint32_t c)
{
	put16(e + DE_CLUS_LO, (uint16_t)c);
	put16(e + DE_CLUS_HI, vol->fat_bits == 32 ? (uint16_t)(c >> 16) : 0);
}

int fat_dir_entry_offset(struct fat_volume *vol, struct fat_dir *d,
			 uint32_t index, uint64_t *off)
{
	uint32_t per_cluster = vol->cluster_size / DIRENT_SIZE;
	int st;

	if (index >= DIR_MAX_ENTRIES)
		return FAT_ERR_NOT_FOUND;
	if (d->first == 0) {
		if (index >= vol->root_entries)
			return FAT_ERR_NOT_FOUND;
		*off = vol->root_offset + (uint64_t)index * DIRENT_SIZE;
		return FAT_OK;
	}
	st = fat_chain_seek(vol, d->first, index / per_cluster, &d->cur_index,
			    &d->cur);
	if (st)
		return st;
	*off = fat_cluster_offset(vol, d->cur) +
	       (uint64_t)(index % per_cluster) * DIRENT_SIZE;
	return FAT_OK;
}

/* The entry at @index, to read or (with fat_cache_dirty) change. */
static int entry_ptr(struct fat_volume *vol, struct fat_dir *d, uint32_t index,
		     uint8_t **e, uint64_t *off)
{
	int st = fat_dir_entry_offset(vol, d, index, off);

	if (st)
		return st;
	return fat_cache_ptr(vol, *off, e);
}

static bool is_lfn(const uint8_t *e)
{
	return (e[DE_ATTR] & 0x3f) == FAT_ATTR_LFN;
}

/* The 13 characters of long-name entry @e, in entry order. */
static void lfn_chars(const uint8_t *e, uint16_t out[LFN_CHARS])
{
	for (int i = 0; i < 5; i++)
		out[i] = get16(e + LFN_NAME1 + 2 * i);
	for (int i = 0; i < 6; i++)
		out[5 + i] = get16(e + LFN_NAME2 + 2 * i);
	for (int i = 0; i < 2; i++)
		out[11 + i] = get16(e + LFN_NAME3 + 2 * i);
}

/* Length of an assembled long name of @parts entries; 0 if malformed. */
static size_t lfn_length(const uint16_t *name, unsigned parts)
{
	size_t n = 0, max = (size_t)parts * LFN_CHARS;

	while (n < max && name[n])
		n++;
	/* Every part but the last must be full. */
	if (n == 0 || n > FAT_NAME_MAX || n <= (size_t)(parts - 1) * LFN_CHARS)
		return 0;
	return n;
}

int fat_dir_next(struct fat_volume *vol, struct fat_dir *d, uint32_t *index,
		 struct fat_dirent *out)
{
	uint16_t lfn[LFN_MAX_ENTRIES * LFN_CHARS];
	unsigned expect = 0, parts = 0;
	uint32_t lfn_first = 0;
	uint8_t chk = 0, *e;
	uint64_t off;
	int st;

	for (uint32_t i = *index;; i++) {
		st = entry_ptr(vol, d, i, &e, &off);
		if (st == FAT_OK && e[0] == DE_END)
			st = FAT_ERR_NOT_FOUND;
		if (st) {
			*index = i;
			return st;
		}
		if (e[0] == DE_FREE) {
			expect = 0;
			continue;
		}
		if (is_lfn(e)) {
			unsigned ord = e[LFN_ORD] & (uint8_t)~LFN_LAST;

			if ((e[LFN_ORD] & LFN_LAST) && ord >= 1 &&
			    ord <= LFN_MAX_ENTRIES) {
				parts = ord;
				chk = e[LFN_CHKSUM];
				lfn_first = i;
			} else if (!(expect > 1 && ord == expect - 1 &&
				     e[LFN_CHKSUM] == chk)) {
				expect = 0;
				continue;
			}
			expect = ord;
			lfn_chars(e, lfn + (ord - 1) * LFN_CHARS);
			continue;
		}
		if (e[DE_ATTR] & FAT_ATTR_VOLUME_ID) {
			expect = 0;
			continue;
		}
		memcpy(out->raw, e, DIRENT_SIZE);
		out->index = i;
		out->short_len = fat_short_name_format(e, out->short_name);
		out->name_len = 0;
		if (expect == 1 && fat_lfn_checksum(e) == chk)
			out->name_len = lfn_length(lfn, parts);
		if (out->name_len) {
			memcpy(out->name, lfn, out->name_len * sizeof(*lfn));
			out->first_index = lfn_first;
		} else {
			out->name_len = out->short_len;
			memcpy(out->name, out->short_name,
			       out->short_len * sizeof(*lfn));
			out->first_index = i;
		}
		out->name[out->name_len] = 0;
		*index = i + 1;
		return FAT_OK;
	}
}

int fat_dir_lookup(struct fat_volume *vol, uint32_t dir_first,
		   const uint16_t *name, size_t len, struct fat_dirent *out)
{
	struct fat_dir d;
	uint32_t index = 0;
	int st;

	fat_dir_init(&d, dir_first);
	for (;;) {
		st = fat_dir_next(vol, &d, &index, out);
		if (st)
			return st;
		if (fat_name_equal(name, len, out->name, out->name_len) ||
		    fat_name_equal(name, len, out->short_name, out->short_len))
			return FAT_OK;
	}
}

/* Whether an entry of the directory has the 8.3 name @sn. */
static int short_name_taken(struct fat_volume *vol, uint32_t dir_first,
			    const uint8_t sn[11], bool *taken)
{
	struct fat_dir d;
	uint8_t *e;
	uint64_t off;
	int st;

	fat_dir_init(&d, dir_first);
	for (uint32_t i = 0;; i++) {
		st = entry_ptr(vol, &d, i, &e, &off);
		if (st == FAT_ERR_NOT_FOUND || (st == FAT_OK && e[0] == DE_END))
			break;
		if (st)
			return st;
		if (e[0] != DE_FREE && !is_lfn(e) && !memcmp(e, sn, 11)) {
			*taken = true;
			return FAT_OK;
		}
	}
	*taken = false;
	return FAT_OK;
}

/* Tails ~1 .. ~N tried before the directory counts as full of look-alikes. */
#define SHORT_NAME_TAILS 9999

/* The 8.3 name that goes with long name @name: unique in the directory. */
static int make_short_name(struct fat_volume *vol, uint32_t dir_first,
			   const uint16_t *name, size_t len, uint8_t sn[11])
{
	uint16_t formatted[13];
	uint8_t probe[DIRENT_SIZE] = {0};
	bool taken;
	size_t n;
	int st;

	/* A name that only differs from its basis in case keeps it. */
	fat_short_name_basis(name, len, 0, probe);
	n = fat_short_name_format(probe, formatted);
	if (fat_name_equal(formatted, n, name, len)) {
		st = short_name_taken(vol, dir_first, probe, &taken);
		if (st)
			return st;
		if (!taken) {
			memcpy(sn, probe, 11);
			return FAT_OK;
		}
	}
	for (uint32_t tail = 1; tail <= SHORT_NAME_TAILS; tail++) {
		fat_short_name_basis(name, len, tail, sn);
		st = short_name_taken(vol, dir_first, sn, &taken);
		if (st)
			return st;
		if (!taken)
			return FAT_OK;
	}
	return FAT_ERR_FULL;
}

/* Appends a zeroed cluster to directory @d (cursor on its last cluster). */
static int extend_dir(struct fat_volume *vol, struct fat_dir *d)
{
	uint32_t c;
	int st;

	st = fat_alloc_cluster(vol, d->cur + 1, &c);
	if (st)
		return st;
	st = fat_dev_write(vol, fat_cluster_offset(vol, c), vol->cluster_size,
			   NULL);
	if (!st)
		st = fat_link(vol, d->cur, c);
	if (st)
		fat_free_chain(vol, c);
	return st;
}

/*
 * Index of the first run of @need free entries, extending the directory
 * when it has none. *@past_end tells whether the run reaches past the
 * end marker (entries there may hold anything).
 */
static int find_free_run(struct fat_volume *vol, struct fat_dir *d,
			 unsigned need, uint32_t *start, bool *past_end)
{
	uint32_t run = 0;
	bool ended = false;
	uint8_t *e;
	uint64_t off;
	int st;

	for (uint32_t i = 0; i < DIR_MAX_ENTRIES;) {
		st = entry_ptr(vol, d, i, &e, &off);
		if (st == FAT_ERR_NOT_FOUND && d->first) {
			st = extend_dir(vol, d);
			if (st)
				return st;
			continue;
		}
		if (st == FAT_ERR_NOT_FOUND)
			return FAT_ERR_FULL; /* the fixed root is full */
		if (st)
			return st;
		if (e[0] == DE_END)
			ended = true;
		if (ended || e[0] == DE_FREE) {
			if (run++ == 0)
				*start = i;
			if (run == need) {
				*past_end = ended;
				return FAT_OK;
			}
		} else {
			run = 0;
		}
		i++;
	}
	return FAT_ERR_FULL;
}

static int put_entry(struct fat_volume *vol, struct fat_dir *d, uint32_t index,
		     const uint8_t *raw)
{
	uint8_t *e;
	uint64_t off;
	int st = entry_ptr(vol, d, index, &e, &off);

	if (st)
		return st;
	memcpy(e, raw, DIRENT_SIZE);
	fat_cache_dirty(vol, off);
	return FAT_OK;
}

/* Long-name entry @ord (1-based) of @name. */
static void make_lfn_entry(const uint16_t *name, size_t len, unsigned ord,
			   bool last, uint8_t chk, uint8_t *e)
{
	uint16_t part[LFN_CHARS];

	for (unsigned i = 0; i < LFN_CHARS; i++) {
		size_t at = (size_t)(ord - 1) * LFN_CHARS + i;

		/* After the name: one NUL, then 0xffff padding. */
		part[i] = at < len ? name[at] : at == len ? 0 : 0xffff;
	}
	memset(e, 0, DIRENT_SIZE);
	e[LFN_ORD] = (uint8_t)(ord | (last ? LFN_LAST : 0));
	e[DE_ATTR] = FAT_ATTR_LFN;
	e[LFN_CHKSUM] = chk;
	for (int i = 0; i < 5; i++)
		put16(e + LFN_NAME1 + 2 * i, part[i]);
	for (int i = 0; i < 6; i++)
		put16(e + LFN_NAME2 + 2 * i, part[5 + i]);
	for (int i = 0; i < 2; i++)
		put16(e + LFN_NAME3 + 2 * i, part[11 + i]);
}

int fat_dir_add(struct fat_volume *vol, uint32_t dir_first,
		const uint16_t *name, size_t len, const uint8_t *raw,
		struct fat_dirent *out)
{
	uint8_t entry[DIRENT_SIZE], lfn[DIRENT_SIZE], ntres = 0;
	unsigned parts = 0;
	struct fat_dir d;
	uint32_t start;
	bool past_end;
	int st;

	memcpy(entry, raw, DIRENT_SIZE);
	if (name) {
		entry[DE_NTRES] = 0;
		if (fat_name_is_short(name, len, entry, &ntres)) {
			entry[DE_NTRES] = ntres;
		} else {
			parts = (unsigned)((len + LFN_CHARS - 1) / LFN_CHARS);
			st = make_short_name(vol, dir_first, name, len, entry);
			if (st)
				return st;
		}
	}
	fat_dir_init(&d, dir_first);
	st = find_free_run(vol, &d, parts + 1, &start, &past_end);
	if (st)
		return st;
	for (unsigned k = 0; k < parts; k++) {
		make_lfn_entry(name, len, parts - k, k == 0,
			       fat_lfn_checksum(entry), lfn);
		st = put_entry(vol, &d, start + k, lfn);
		if (st)
			return st;
	}
	st = put_entry(vol, &d, start + parts, entry);
	if (st)
		return st;
	if (past_end) {
		/* Keep an end marker after the new entries. */
		uint8_t *e;
		uint64_t off;

		st = entry_ptr(vol, &d, start + parts + 1, &e, &off);
		if (st == FAT_OK && e[0] != DE_END) {
			memset(e, 0, DIRENT_SIZE);
			fat_cache_dirty(vol, off);
		} else if (st != FAT_ERR_NOT_FOUND && st) {
			return st;
		}
	}
	memcpy(out->raw, entry, DIRENT_SIZE);
	out->index = start + parts;
	out->first_index = start;
	out->short_len = fat_short_name_format(entry, out->short_name);
	if (name) {
		memcpy(out->name, name, len * sizeof(*name));
		out->name_len = len;
	} else {
		memcpy(out->name, out->short_name,
		       out->short_len * sizeof(*name));
		out->name_len = out->short_len;
	}
	out->name[out->name_len] = 0;
	return FAT_OK;
}

int fat_dir_remove(struct fat_volume *vol, uint32_t dir_first,
		   uint32_t first_index, uint32_t index)
{
	struct fat_dir d;
	uint8_t *e;
	uint64_t off;
	int st;

	fat_dir_init(&d, dir_first);
	for (uint32_t i = first_index; i <= index; i++) {
		st = entry_ptr(vol, &d, i, &e, &off);
		if (st)
			return st;
		e[0] = DE_FREE;
		fat_cache_dirty(vol, off);
	}
	return FAT_OK;
}

static bool is_dot_entry(const uint8_t *e)
{
	return !memcmp(e, ".          ", 11) || !memcmp(e, "..         ", 11);
}

int fat_dir_is_empty(struct fat_volume *vol, uint32_t dir_first, bool *empty)
{
	struct fat_dirent ent;
	struct fat_dir d;
	uint32_t index = 0;
	int st;

	fat_dir_init(&d, dir_first);
	for (;;) {
		st = fat_dir_next(vol, &d, &index, &ent);
		if (st == FAT_ERR_NOT_FOUND) {
			*empty = true;
			return FAT_OK;
		}
		if (st)
			return st;
		if (!is_dot_entry(ent.raw)) {
			*empty = false;
			return FAT_OK;
		}
	}
}

int fat_dir_init_cluster(struct fat_volume *vol, uint32_t c, uint32_t parent,
			 const uint8_t *raw)
{
	uint8_t dots[2 * DIRENT_SIZE];
	int st;

	st = fat_dev_write(vol, fat_cluster_offset(vol, c), vol->cluster_size,
			   NULL);
	if (st)
		return st;
	memcpy(dots, raw, DIRENT_SIZE);
	memcpy(dots, ".          ", 11);
	dots[DE_NTRES] = 0;
	dots[DE_ATTR] = FAT_ATTR_DIRECTORY;
	put32(dots + DE_SIZE, 0);
	fat_entry_set_cluster(vol, dots, c);
	memcpy(dots + DIRENT_SIZE, dots, DIRENT_SIZE);
	memcpy(dots + DIRENT_SIZE, "..         ", 11);
	fat_entry_set_cluster(vol, dots + DIRENT_SIZE,
			      fat_dotdot_cluster(vol, parent));
	return fat_dev_write(vol, fat_cluster_offset(vol, c), sizeof(dots),
			     dots);
}
