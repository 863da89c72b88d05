// SPDX-License-Identifier: MIT
/*
 * Files and directories as handles: path lookup, create, read, write,
 * size, rename, attributes, times, delete.
 *
 * A file's data is a cluster chain; each handle keeps a cursor into it so
 * that sequential access walks the FAT once. Reads and writes go run by
 * run: clusters that follow each other on the volume are one device
 * transfer, straight to or from the caller's buffer (fat_dev_read/write).
 *
 * Invariants the writers keep, so that fsck.fat finds nothing: a file of
 * size S owns exactly ceil(S / cluster size) clusters (an empty file none),
 * directories have "." and "..", every change of the FAT is made in each
 * copy, FSInfo's free count follows.
 */
#include <string.h>

#include "fat_internal.h"

/* FAT sizes are 32-bit. */
#define FAT_FILE_MAX 0xffffffffULL

/* Deepest directory nesting walked when looking for a cycle. */
#define FAT_DEPTH_MAX 4096

static uint32_t root_first(const struct fat_volume *vol)
{
	return vol->fat_bits == 32 ? vol->root_cluster : 0;
}

/* A directory's first cluster from an entry (0 in ".." means the root). */
static uint32_t dir_first(const struct fat_volume *vol, uint32_t c)
{
	return c ? c : root_first(vol);
}

static bool is_sep(uint16_t c)
{
	return c == '\\' || c == '/';
}

static bool is_dir(const struct fat_file *f)
{
	return f->attr & FAT_ATTR_DIRECTORY;
}

static bool same_entry(const struct fat_file *a, const struct fat_file *b)
{
	return !a->is_root && !b->is_root &&
	       a->parent_cluster == b->parent_cluster &&
	       a->entry_index == b->entry_index;
}

static void open_link(struct fat_file *f)
{
	f->next_open = f->vol->open_files;
	f->vol->open_files = f;
}

static void open_unlink(struct fat_file *f)
{
	for (struct fat_file **p = &f->vol->open_files; *p;
	     p = &(*p)->next_open) {
		if (*p == f) {
			*p = f->next_open;
			break;
		}
	}
	f->next_open = NULL;
}

static void set_root(struct fat_volume *vol, struct fat_file *f)
{
	*f = (struct fat_file){
		.vol = vol,
		.first_cluster = root_first(vol),
		.attr = FAT_ATTR_DIRECTORY,
		.is_root = true,
		.cursor = root_first(vol),
	};
}

int fat_open_root(struct fat_volume *vol, struct fat_file *root)
{
	set_root(vol, root);
	open_link(root);
	return FAT_OK;
}

/* A handle for the entry @ent of directory @parent, its chain checked. */
static int file_from_entry(struct fat_volume *vol, uint32_t parent,
			   const struct fat_dirent *ent, struct fat_file *f)
{
	uint32_t first = fat_entry_cluster(vol, ent->raw), chain = 0;
	int st;

	*f = (struct fat_file){
		.vol = vol,
		.first_cluster = first,
		.size = get32(ent->raw + DE_SIZE),
		.attr = ent->raw[DE_ATTR] & 0x3f,
		.parent_cluster = parent,
		.entry_index = ent->index,
		.first_entry = ent->first_index,
		.cursor = first,
	};
	memcpy(f->name, ent->name, (ent->name_len + 1) * sizeof(*ent->name));
	if (is_dir(f)) {
		f->size = 0;
		if (first == root_first(vol) || first == parent || !first)
			return fat_corrupt(vol, "directory cycle");
		return fat_chain_length(vol, first, &chain);
	}
	if (first == 0)
		return f->size ? fat_corrupt(vol, "file without clusters")
			       : FAT_OK;
	st = fat_chain_length(vol, first, &chain);
	if (st)
		return st;
	if (chain < fat_clusters_for(vol, f->size))
		return fat_corrupt(vol, "file shorter than its size");
	return FAT_OK;
}

/* Moves @f (a directory, not linked) to its parent directory. */
static int goto_parent(struct fat_volume *vol, struct fat_file *f)
{
	static const uint16_t dotdot[] = {'.', '.'};
	struct fat_dirent ent;
	struct fat_dir d;
	uint32_t grand, index = 0;
	int st;

	if (f->is_root)
		return FAT_ERR_NOT_FOUND;
	if (f->parent_cluster == root_first(vol)) {
		set_root(vol, f);
		return FAT_OK;
	}
	/* The parent's ".." names the grandparent, where the parent's
	 * own entry is. */
	st = fat_dir_lookup(vol, f->parent_cluster, dotdot, 2, &ent);
	if (st == FAT_ERR_NOT_FOUND)
		return fat_corrupt(vol, "directory without \"..\"");
	if (st)
		return st;
	grand = dir_first(vol, fat_entry_cluster(vol, ent.raw));
	fat_dir_init(&d, grand);
	for (;;) {
		st = fat_dir_next(vol, &d, &index, &ent);
		if (st == FAT_ERR_NOT_FOUND)
			return fat_corrupt(vol, "directory not in its parent");
		if (st)
			return st;
		if ((ent.raw[DE_ATTR] & FAT_ATTR_DIRECTORY) &&
		    ent.raw[0] != '.' &&
		    fat_entry_cluster(vol, ent.raw) == f->parent_cluster)
			return file_from_entry(vol, grand, &ent, f);
	}
}

/* Fields of a new entry: attributes, and now as all three times. */
static void new_entry(struct fat_volume *vol, uint8_t attr, uint8_t *raw)
{
	struct fat_time now;
	uint16_t date, time;

	fat_now(vol, &now);
	fat_time_encode(&now, &date, &time);
	memset(raw, 0, DIRENT_SIZE);
	raw[DE_ATTR] = attr;
	raw[DE_CRT_TENTH] = (uint8_t)(now.second % 2 * 100 + now.centisecond);
	put16(raw + DE_CRT_TIME, time);
	put16(raw + DE_CRT_DATE, date);
	put16(raw + DE_ACC_DATE, date);
	put16(raw + DE_WRT_TIME, time);
	put16(raw + DE_WRT_DATE, date);
}

static int create_entry(struct fat_volume *vol, struct fat_file *dir,
			const uint16_t *name, size_t len, uint8_t attr,
			struct fat_file *out)
{
	uint8_t raw[DIRENT_SIZE];
	struct fat_dirent ent;
	uint32_t c = 0;
	int st;

	if (vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	if (!fat_name_valid(name, &len))
		return FAT_ERR_INVALID;
	attr &= FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM |
		FAT_ATTR_ARCHIVE | FAT_ATTR_DIRECTORY;
	if (!(attr & FAT_ATTR_DIRECTORY))
		attr |= FAT_ATTR_ARCHIVE;
	new_entry(vol, attr, raw);
	if (attr & FAT_ATTR_DIRECTORY) {
		st = fat_alloc_cluster(vol, 0, &c);
		if (st)
			return st;
		fat_entry_set_cluster(vol, raw, c);
		st = fat_dir_init_cluster(vol, c, dir->first_cluster, raw);
		if (st)
			goto fail;
	}
	st = fat_dir_add(vol, dir->first_cluster, name, len, raw, &ent);
	if (st)
		goto fail;
	st = fat_commit(vol);
	if (st)
		return st;
	return file_from_entry(vol, dir->first_cluster, &ent, out);
fail:
	if (c)
		fat_free_chain(vol, c);
	fat_commit(vol);
	return st;
}

/*
 * Walks @path from @cur (which it updates). With @created non-NULL, a
 * missing last component is created with @attr (and *@created set). With
 * @last non-NULL the last component is not looked up: *@last and
 * *@last_len return it (for rename).
 */
static int walk(struct fat_volume *vol, struct fat_file *cur,
		const uint16_t *path, bool *created, uint8_t attr,
		const uint16_t **last, size_t *last_len)
{
	bool create = created != NULL;

	struct fat_dirent ent;
	const uint16_t *p = path;
	size_t len;
	int st;

	if (is_sep(*p))
		set_root(vol, cur);
	if (last)
		*last = NULL;
	for (;;) {
		while (is_sep(*p))
			p++;
		if (!*p)
			return FAT_OK;
		for (len = 0; p[len] && !is_sep(p[len]); len++)
			;
		if (!is_dir(cur))
			return FAT_ERR_NOT_FOUND; /* a path through a file */
		if (last) {
			const uint16_t *q = p + len;

			while (is_sep(*q))
				q++;
			if (!*q) {
				*last = p;
				*last_len = len;
				return FAT_OK;
			}
		}
		if (len == 1 && p[0] == '.') {
			st = FAT_OK;
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			st = goto_parent(vol, cur);
		} else {
			size_t n = len;

			if (!fat_name_valid(p, &n))
				return create ? FAT_ERR_INVALID
					      : FAT_ERR_NOT_FOUND;
			st = fat_dir_lookup(vol, cur->first_cluster, p, n,
					    &ent);
			if (st == FAT_OK) {
				st = file_from_entry(vol, cur->first_cluster,
						     &ent, cur);
			} else if (st == FAT_ERR_NOT_FOUND && create) {
				const uint16_t *q = p + len;

				while (is_sep(*q))
					q++;
				if (!*q)
					st = create_entry(vol, cur, p, n, attr,
							  cur);
				if (!*q && !st)
					*created = true;
			}
		}
		if (st)
			return st;
		p += len;
	}
}

int fat_open(struct fat_file *dir, const uint16_t *path, unsigned mode,
	     uint8_t create_attr, struct fat_file *out)
{
	struct fat_volume *vol = dir->vol;
	struct fat_file cur = *dir;
	bool created = false;
	int st;

	if (dir->deleted)
		return FAT_ERR_DELETED;
	if ((mode & FAT_OPEN_CREATE) && !(mode & FAT_OPEN_WRITE))
		return FAT_ERR_INVALID;
	if ((mode & FAT_OPEN_WRITE) && vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	cur.next_open = NULL;
	cur.position = 0;
	cur.writable = cur.deleted = cur.modified = false;
	st = walk(vol, &cur, path, mode & FAT_OPEN_CREATE ? &created : NULL,
		  create_attr, NULL, NULL);
	if (st)
		return st;
	/* A file just created read-only is still opened for writing. */
	if ((mode & FAT_OPEN_WRITE) && (cur.attr & FAT_ATTR_READ_ONLY) &&
	    !created)
		return FAT_ERR_ACCESS_DENIED;
	cur.cursor_index = 0;
	cur.cursor = cur.first_cluster;
	cur.writable = mode & FAT_OPEN_WRITE;
	/* What create wrote reaches the medium at close at the latest. */
	cur.modified = mode & FAT_OPEN_CREATE;
	*out = cur;
	open_link(out);
	return FAT_OK;
}

void fat_close(struct fat_file *f)
{
	open_unlink(f);
	if (f->modified)
		fat_flush(f->vol);
}

/* ---- data ------------------------------------------------------------------- */

/*
 * The run of contiguous clusters holding file byte @pos, at most @want
 * bytes of it: its device offset and length. Moves the cursor along.
 */
static int file_run(struct fat_file *f, uint64_t pos, uint64_t want,
		    uint64_t *dev_off, uint64_t *len)
{
	struct fat_volume *vol = f->vol;
	uint32_t cs = vol->cluster_size, co = (uint32_t)(pos % cs), next;
	uint64_t run = cs - co;
	uint32_t start;
	int st;

	st = fat_chain_seek(vol, f->first_cluster, (uint32_t)(pos / cs),
			    &f->cursor_index, &f->cursor);
	if (st == FAT_ERR_NOT_FOUND)
		return fat_corrupt(vol, "file shorter than its size");
	if (st)
		return st;
	start = f->cursor;
	while (run < want) {
		st = fat_chain_next(vol, f->cursor, &next);
		if (st)
			return st;
		if (next != f->cursor + 1)
			break;
		f->cursor = next;
		f->cursor_index++;
		run += cs;
	}
	*dev_off = fat_cluster_offset(vol, start) + co;
	*len = run < want ? run : want;
	return FAT_OK;
}

/* Moves @len bytes between the file at @pos and @buf (NULL: zeros). */
static int file_io(struct fat_file *f, uint64_t pos, uint64_t len, void *buf,
		   bool write)
{
	uint8_t *p = buf;
	uint64_t off, n;
	int st;

	while (len) {
		st = file_run(f, pos, len, &off, &n);
		if (st)
			return st;
		st = write ? fat_dev_write(f->vol, off, n, p)
			   : fat_dev_read_payload(f->vol, off, n, p);
		if (st)
			return st;
		if (p)
			p += n;
		pos += n;
		len -= n;
	}
	return FAT_OK;
}

int fat_read(struct fat_file *f, void *buf, size_t *len)
{
	uint64_t n;
	int st;

	if (f->deleted)
		return FAT_ERR_DELETED;
	if (is_dir(f))
		return FAT_ERR_IS_DIR;
	if (f->position >= f->size) {
		*len = 0;
		return FAT_OK;
	}
	n = f->size - f->position;
	if (n > *len)
		n = *len;
	st = file_io(f, f->position, n, buf, false);
	if (st) {
		*len = 0;
		return st;
	}
	f->position += n;
	*len = n;
	return FAT_OK;
}

int fat_file_extent(struct fat_file *f, uint64_t offset,
		    uint64_t *device_offset, uint64_t *contiguous)
{
	if (f->deleted)
		return FAT_ERR_DELETED;
	if (is_dir(f))
		return FAT_ERR_IS_DIR;
	if (offset >= f->size)
		return FAT_ERR_INVALID;
	return file_run(f, offset, f->size - offset, device_offset, contiguous);
}

/* Keeps the other handles of the same file in step with @f. */
static void sync_handles(struct fat_file *f)
{
	for (struct fat_file *o = f->vol->open_files; o; o = o->next_open) {
		if (o == f || !same_entry(o, f))
			continue;
		o->first_cluster = f->first_cluster;
		o->size = f->size;
		o->attr = f->attr;
		o->cursor_index = 0;
		o->cursor = f->first_cluster;
	}
}

/* Writes the handle's cluster, size and attributes into its entry. */
static int update_entry(struct fat_file *f, bool touch)
{
	struct fat_volume *vol = f->vol;
	struct fat_dir d;
	struct fat_time now;
	uint16_t date, time;
	uint8_t *e;
	uint64_t off;
	int st;

	if (f->is_root)
		return FAT_OK;
	fat_dir_init(&d, f->parent_cluster);
	st = fat_dir_entry_offset(vol, &d, f->entry_index, &off);
	if (!st)
		st = fat_cache_ptr(vol, off, &e);
	if (st)
		return st;
	fat_entry_set_cluster(vol, e, f->first_cluster);
	put32(e + DE_SIZE, is_dir(f) ? 0 : f->size);
	if (touch) {
		fat_now(vol, &now);
		fat_time_encode(&now, &date, &time);
		put16(e + DE_WRT_DATE, date);
		put16(e + DE_WRT_TIME, time);
		put16(e + DE_ACC_DATE, date);
		if (!is_dir(f))
			f->attr |= FAT_ATTR_ARCHIVE;
	}
	e[DE_ATTR] = f->attr;
	fat_cache_dirty(vol, off);
	sync_handles(f);
	return FAT_OK;
}

/* Makes the chain at least @need clusters long; *@have: its length. */
static int grow_chain(struct fat_file *f, uint64_t need, uint64_t *have)
{
	struct fat_volume *vol = f->vol;
	uint32_t last, next, c;
	int st;

	*have = 0;
	if (!need)
		return FAT_OK;
	if (!f->first_cluster) {
		st = fat_alloc_cluster(vol, 0, &c);
		if (st)
			return st;
		f->first_cluster = f->cursor = c;
		f->cursor_index = 0;
	}
	/* Start from the last cluster the size accounts for. */
	*have = fat_clusters_for(vol, f->size);
	if (*have == 0)
		*have = 1;
	st = fat_chain_seek(vol, f->first_cluster, (uint32_t)(*have - 1),
			    &f->cursor_index, &f->cursor);
	if (st == FAT_ERR_NOT_FOUND)
		return fat_corrupt(vol, "file shorter than its size");
	if (st)
		return st;
	last = f->cursor;
	while (*have < need) {
		st = fat_chain_next(vol, last, &next);
		if (st)
			return st;
		if (!next) {
			st = fat_alloc_cluster(vol, last + 1, &next);
			if (st)
				return st;
			st = fat_link(vol, last, next);
			if (st)
				return st;
		}
		last = next;
		++*have;
	}
	return FAT_OK;
}

/* Cuts the chain to @keep clusters, freeing the rest. */
static int trim_chain(struct fat_file *f, uint64_t keep)
{
	struct fat_volume *vol = f->vol;
	uint32_t idx = f->cursor_index, c = f->cursor, next;
	int st;

	if (!f->first_cluster)
		return FAT_OK;
	if (!keep) {
		c = f->first_cluster;
		f->first_cluster = f->cursor = 0;
		f->cursor_index = 0;
		return fat_free_chain(vol, c);
	}
	st = fat_chain_seek(vol, f->first_cluster, (uint32_t)(keep - 1), &idx,
			    &c);
	if (st == FAT_ERR_NOT_FOUND)
		return FAT_OK; /* already shorter */
	if (st)
		return st;
	/* The cursor must not stay on a cluster about to be freed. */
	if (f->cursor_index >= keep) {
		f->cursor_index = idx;
		f->cursor = c;
	}
	st = fat_chain_next(vol, c, &next);
	if (st || !next)
		return st;
	st = fat_link(vol, c, 0);
	if (st)
		return st;
	return fat_free_chain(vol, next);
}

static int check_writable(struct fat_file *f)
{
	if (f->deleted)
		return FAT_ERR_DELETED;
	if (f->vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	if (!f->writable)
		return FAT_ERR_ACCESS_DENIED;
	return FAT_OK;
}

/*
 * Resizes to @size: frees clusters past it, or adds zeroed ones. On
 * FAT_ERR_FULL the file is unchanged.
 */
static int resize(struct fat_file *f, uint64_t size)
{
	struct fat_volume *vol = f->vol;
	uint64_t have, old = f->size;
	int st;

	if (size > FAT_FILE_MAX)
		return FAT_ERR_FULL;
	if (size <= old) {
		st = trim_chain(f, fat_clusters_for(vol, size));
		f->size = (uint32_t)size;
		return st;
	}
	st = grow_chain(f, fat_clusters_for(vol, size), &have);
	if (st) {
		trim_chain(f, fat_clusters_for(vol, old));
		return st;
	}
	/* The slack after the old end may hold anything. */
	st = file_io(f, old, size - old, NULL, true);
	if (st)
		return st;
	f->size = (uint32_t)size;
	return FAT_OK;
}

int fat_set_size(struct fat_file *f, uint64_t size)
{
	int st = check_writable(f), cst;

	if (st)
		return st;
	if (is_dir(f))
		return FAT_ERR_IS_DIR;
	f->modified = true;
	st = resize(f, size);
	if (!st)
		st = update_entry(f, true);
	else
		update_entry(f, false);
	cst = fat_commit(f->vol);
	return st ? st : cst;
}

int fat_write(struct fat_file *f, const void *buf, size_t *len)
{
	struct fat_volume *vol = f->vol;
	uint64_t pos = f->position, want = *len, have = 0, end;
	bool full = false;
	int st, cst;

	st = check_writable(f);
	if (!st && is_dir(f))
		st = FAT_ERR_IS_DIR;
	if (st) {
		*len = 0;
		return st;
	}
	if (!want)
		return FAT_OK;
	f->modified = true;
	if (pos >= FAT_FILE_MAX) {
		*len = 0;
		return FAT_ERR_FULL;
	}
	if (want > FAT_FILE_MAX - pos) {
		want = FAT_FILE_MAX - pos;
		full = true;
	}
	/* A position past the end: the gap reads as zeros. */
	if (pos > f->size) {
		st = resize(f, pos);
		if (st)
			goto out;
	}
	end = pos + want;
	st = grow_chain(f, fat_clusters_for(vol, end), &have);
	if (st == FAT_ERR_FULL) {
		/* Write what fits. */
		full = true;
		if (have * vol->cluster_size < end)
			end = have * vol->cluster_size;
		if (end < pos)
			end = pos;
		want = end - pos;
	} else if (st) {
		goto out;
	}
	st = file_io(f, pos, want, (void *)buf, true);
	if (st)
		goto out;
	if (end > f->size)
		f->size = (uint32_t)end;
	f->position = end;
out:
	/* Keep the chain exactly as long as the size. */
	trim_chain(f, fat_clusters_for(vol, f->size));
	*len = st ? 0 : want;
	cst = update_entry(f, true);
	if (!cst)
		cst = fat_commit(vol);
	if (st)
		return st;
	return cst ? cst : full ? FAT_ERR_FULL : FAT_OK;
}

int fat_set_position(struct fat_file *f, uint64_t position)
{
	if (f->deleted)
		return FAT_ERR_DELETED;
	if (is_dir(f)) {
		if (position)
			return FAT_ERR_UNSUPPORTED;
		f->position = 0;
		return FAT_OK;
	}
	f->position = position == UINT64_MAX ? f->size : position;
	return FAT_OK;
}

uint64_t fat_get_position(const struct fat_file *f)
{
	return f->position;
}

/* ---- information ---------------------------------------------------------- */

/*
 * Clusters of a directory's chain, as its size. Counted up to FAT's
 * largest directory (65,536 entries), so that listing a corrupted
 * directory full of looping subdirectories stays cheap; 0 on errors.
 */
static uint32_t dir_clusters(struct fat_volume *vol, uint32_t first)
{
	uint32_t max = (uint32_t)fat_clusters_for(
		vol, (uint64_t)DIR_MAX_ENTRIES * DIRENT_SIZE);
	uint32_t n = 0, c = first;

	if (!first) /* the fixed root */
		return (uint32_t)fat_clusters_for(
			vol, (uint64_t)vol->root_entries * DIRENT_SIZE);
	while (c && n < max) {
		if (fat_chain_next(vol, c, &c) != FAT_OK)
			return 0;
		n++;
	}
	return n;
}

static void entry_info(struct fat_volume *vol, const uint8_t *raw,
		       struct fat_entry_info *info)
{
	uint8_t tenth = raw[DE_CRT_TENTH];

	info->attr = raw[DE_ATTR] & 0x3f;
	fat_time_decode(get16(raw + DE_CRT_DATE), get16(raw + DE_CRT_TIME),
			&info->created);
	if (tenth < 200) {
		info->created.second =
			(uint8_t)(info->created.second + tenth / 100);
		info->created.centisecond = tenth % 100;
	}
	fat_time_decode(get16(raw + DE_ACC_DATE), 0, &info->accessed);
	fat_time_decode(get16(raw + DE_WRT_DATE), get16(raw + DE_WRT_TIME),
			&info->modified);
	if (info->attr & FAT_ATTR_DIRECTORY) {
		/* A directory's size is its chain (as EDK2 reports it). */
		uint32_t first = dir_first(vol, fat_entry_cluster(vol, raw));

		info->size =
			(uint64_t)dir_clusters(vol, first) * vol->cluster_size;
		info->physical_size = info->size;
	} else {
		info->size = get32(raw + DE_SIZE);
		info->physical_size =
			fat_clusters_for(vol, info->size) * vol->cluster_size;
	}
}

int fat_readdir(struct fat_file *dir, struct fat_entry_info *info, bool peek)
{
	struct fat_volume *vol = dir->vol;
	struct fat_dirent ent;
	struct fat_dir d;
	uint32_t index;
	int st;

	if (dir->deleted)
		return FAT_ERR_DELETED;
	if (!is_dir(dir))
		return FAT_ERR_NOT_DIR;
	if (dir->position >= DIR_MAX_ENTRIES)
		return FAT_ERR_NOT_FOUND;
	index = (uint32_t)dir->position;
	/* A directory handle's cursor walks its chain. */
	d = (struct fat_dir){dir->first_cluster, dir->cursor_index,
			     dir->cursor};
	st = fat_dir_next(vol, &d, &index, &ent);
	dir->cursor_index = d.cur_index;
	dir->cursor = d.cur;
	if (st)
		return st;
	entry_info(vol, ent.raw, info);
	memcpy(info->name, ent.name, (ent.name_len + 1) * sizeof(*ent.name));
	if (!peek)
		dir->position = index;
	return FAT_OK;
}

/* A copy of the handle's directory entry. */
static int read_entry(struct fat_file *f, uint8_t raw[DIRENT_SIZE])
{
	struct fat_dir d;
	uint8_t *e;
	uint64_t off;
	int st;

	fat_dir_init(&d, f->parent_cluster);
	st = fat_dir_entry_offset(f->vol, &d, f->entry_index, &off);
	if (!st)
		st = fat_cache_ptr(f->vol, off, &e);
	if (!st)
		memcpy(raw, e, DIRENT_SIZE);
	return st;
}

int fat_get_info(struct fat_file *f, struct fat_entry_info *info)
{
	uint8_t raw[DIRENT_SIZE];
	int st;

	if (f->deleted)
		return FAT_ERR_DELETED;
	if (f->is_root) {
		memset(raw, 0, sizeof(raw));
		raw[DE_ATTR] = FAT_ATTR_DIRECTORY;
	} else {
		st = read_entry(f, raw);
		if (st)
			return st;
	}
	entry_info(f->vol, raw, info);
	memcpy(info->name, f->name, sizeof(info->name));
	return FAT_OK;
}

int fat_set_attr(struct fat_file *f, uint8_t attr)
{
	int st;

	/* Allowed through a read-only handle too (UEFI's SetInfo rule). */
	if (f->deleted)
		return FAT_ERR_DELETED;
	if (f->vol->dev->read_only)
		return FAT_ERR_WRITE_PROTECTED;
	if (f->is_root || (attr & FAT_ATTR_VOLUME_ID) ||
	    (attr & FAT_ATTR_DIRECTORY) != (f->attr & FAT_ATTR_DIRECTORY))
		return FAT_ERR_ACCESS_DENIED;
	f->attr = (f->attr & FAT_ATTR_DIRECTORY) |
		  (attr & (FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN |
			   FAT_ATTR_SYSTEM | FAT_ATTR_ARCHIVE));
	f->modified = true;
	st = update_entry(f, false);
	return st ? st : fat_commit(f->vol);
}

int fat_set_times(struct fat_file *f, const struct fat_time *created,
		  const struct fat_time *accessed,
		  const struct fat_time *modified)
{
	struct fat_dir d;
	uint16_t date, time;
	uint8_t *e;
	uint64_t off;
	int st = check_writable(f);

	if (st)
		return st;
	if (f->is_root)
		return FAT_ERR_ACCESS_DENIED;
	fat_dir_init(&d, f->parent_cluster);
	st = fat_dir_entry_offset(f->vol, &d, f->entry_index, &off);
	if (!st)
		st = fat_cache_ptr(f->vol, off, &e);
	if (st)
		return st;
	if (created) {
		fat_time_encode(created, &date, &time);
		put16(e + DE_CRT_DATE, date);
		put16(e + DE_CRT_TIME, time);
		e[DE_CRT_TENTH] = (uint8_t)(created->second % 2 * 100 +
					    created->centisecond % 100);
	}
	if (accessed) {
		fat_time_encode(accessed, &date, &time);
		put16(e + DE_ACC_DATE, date);
	}
	if (modified) {
		fat_time_encode(modified, &date, &time);
		put16(e + DE_WRT_DATE, date);
		put16(e + DE_WRT_TIME, time);
	}
	fat_cache_dirty(f->vol, off);
	f->modified = true;
	return fat_commit(f->vol);
}

/* ---- rename and delete ----------------------------------------------------- */

/* Whether directory @dir is @f or lies inside it. */
static int inside(struct fat_volume *vol, const struct fat_file *dir,
		  const struct fat_file *f, bool *result)
{
	struct fat_file t = *dir;
	int st;

	for (int depth = 0; depth < FAT_DEPTH_MAX; depth++) {
		if (t.first_cluster == f->first_cluster) {
			*result = true;
			return FAT_OK;
		}
		if (t.is_root) {
			*result = false;
			return FAT_OK;
		}
		st = goto_parent(vol, &t);
		if (st)
			return st;
	}
	return fat_corrupt(vol, "directory cycle");
}

static void move_handle(struct fat_file *o, uint32_t parent,
			const struct fat_dirent *ent)
{
	o->parent_cluster = parent;
	o->entry_index = ent->index;
	o->first_entry = ent->first_index;
	memcpy(o->name, ent->name, (ent->name_len + 1) * sizeof(*ent->name));
}

int fat_rename(struct fat_file *f, const uint16_t *new_name)
{
	struct fat_volume *vol = f->vol;
	uint32_t old_parent = f->parent_cluster, old_index = f->entry_index;
	uint8_t raw[DIRENT_SIZE], *e;
	struct fat_dirent ent;
	struct fat_file target;
	const uint16_t *name;
	size_t len;
	uint64_t off;
	bool loop = false;
	int st;

	st = check_writable(f);
	if (st)
		return st;
	if (f->is_root)
		return FAT_ERR_ACCESS_DENIED;
	/* Paths are relative to the file's directory. */
	target = *f;
	st = goto_parent(vol, &target);
	if (st)
		return st;
	st = walk(vol, &target, new_name, NULL, 0, &name, &len);
	if (st == FAT_ERR_NOT_FOUND)
		return FAT_ERR_NOT_FOUND;
	if (st)
		return st;
	if (!name || !fat_name_valid(name, &len) ||
	    (len <= 2 && name[0] == '.' && (len == 1 || name[1] == '.')))
		return FAT_ERR_INVALID;
	if (!is_dir(&target))
		return FAT_ERR_NOT_FOUND;
	st = fat_dir_lookup(vol, target.first_cluster, name, len, &ent);
	if (st == FAT_OK &&
	    !(target.first_cluster == old_parent && ent.index == old_index))
		return FAT_ERR_EXISTS;
	if (st && st != FAT_ERR_NOT_FOUND)
		return st;
	if (is_dir(f) && target.first_cluster != old_parent) {
		st = inside(vol, &target, f, &loop);
		if (st)
			return st;
		if (loop)
			return FAT_ERR_ACCESS_DENIED;
	}
	st = read_entry(f, raw);
	if (st)
		return st;
	f->modified = true;
	st = fat_dir_add(vol, target.first_cluster, name, len, raw, &ent);
	if (!st)
		st = fat_dir_remove(vol, old_parent, f->first_entry,
				    f->entry_index);
	if (!st && is_dir(f) && target.first_cluster != old_parent) {
		/* Its ".." now names the new parent. */
		struct fat_dir d;

		fat_dir_init(&d, f->first_cluster);
		st = fat_dir_entry_offset(vol, &d, 1, &off);
		if (!st)
			st = fat_cache_ptr(vol, off, &e);
		if (!st && !memcmp(e, "..         ", 11)) {
			fat_entry_set_cluster(
				vol, e,
				fat_dotdot_cluster(vol, target.first_cluster));
			fat_cache_dirty(vol, off);
		}
	}
	if (st) {
		fat_commit(vol);
		return st;
	}
	/* Every handle of the file follows it. */
	for (struct fat_file *o = vol->open_files; o; o = o->next_open)
		if (o != f && !o->is_root && o->parent_cluster == old_parent &&
		    o->entry_index == old_index)
			move_handle(o, target.first_cluster, &ent);
	move_handle(f, target.first_cluster, &ent);
	return fat_commit(vol);
}

int fat_delete(struct fat_file *f)
{
	struct fat_volume *vol = f->vol;
	bool empty = true;
	int st = check_writable(f);

	if (!st && f->is_root)
		st = FAT_ERR_ACCESS_DENIED;
	if (!st && is_dir(f))
		st = fat_dir_is_empty(vol, f->first_cluster, &empty);
	if (!st && !empty)
		st = FAT_ERR_NOT_EMPTY;
	if (!st)
		st = fat_dir_remove(vol, f->parent_cluster, f->first_entry,
				    f->entry_index);
	if (!st && f->first_cluster)
		st = fat_free_chain(vol, f->first_cluster);
	if (!st) {
		for (struct fat_file *o = vol->open_files; o; o = o->next_open)
			if (same_entry(o, f))
				o->deleted = true;
		f->modified = true;
	}
	if (f->modified) {
		int fst = fat_flush(vol);

		if (!st)
			st = fst;
	}
	open_unlink(f);
	return st;
}
