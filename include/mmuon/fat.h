/* SPDX-License-Identifier: MIT */
/*
 * FAT12, FAT16 and FAT32 with long file names, over a block device
 * (blockdev.h). Pure logic: no UEFI types, no allocation, no printing, so
 * it runs in the firmware (src/efi/simple_fs.c wraps it as
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL) and in host tests on RAM disks.
 *
 * The caller owns the memory: a struct fat_volume per mounted volume and a
 * struct fat_file per open file or directory. Names are UCS-2 (uint16_t),
 * NUL-terminated, as UEFI's CHAR16. Paths use '\' (or '/') separators,
 * "." and ".."; a leading separator starts at the root.
 *
 * Data moves straight between the device and the caller's buffer for every
 * whole device block (a contiguous cluster run is one device read), so a
 * large file read into an aligned buffer costs no CPU copy: the block
 * driver's DMA writes it where it is to stay. Only partial blocks and the
 * metadata (FAT, directories) go through the volume's small cache.
 *
 * Consistency: every call that changes the volume writes its metadata back
 * before it returns (the FAT, all its copies, the directory entry, FAT32's
 * FSInfo), so the volume on the device is consistent between calls;
 * fat_flush() also flushes the device's own write cache.
 *
 * Bad volumes (cluster-chain loops, clusters out of range, directory
 * cycles, sizes that disagree with chains, an empty device) give
 * FAT_ERR_CORRUPT and a reason in vol->error, never a hang: every walk is
 * bounded by the volume's cluster count or FAT's 65,536-entry directory
 * limit.
 */
#ifndef MMUON_FAT_H
#define MMUON_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmuon/blockdev.h>

enum fat_status {
	FAT_OK = 0,
	FAT_ERR_NOT_FOUND = -1,	      /* no such file or directory */
	FAT_ERR_NOT_FAT = -2,	      /* not a FAT volume (or empty) */
	FAT_ERR_CORRUPT = -3,	      /* inconsistent volume (vol->error) */
	FAT_ERR_IO = -4,	      /* the device failed */
	FAT_ERR_WRITE_PROTECTED = -5, /* read-only device */
	FAT_ERR_ACCESS_DENIED = -6,   /* read-only file, open mode, root */
	FAT_ERR_INVALID = -7,	      /* bad name, mode or argument */
	FAT_ERR_FULL = -8,	      /* no free cluster or root entry */
	FAT_ERR_EXISTS = -9,	      /* target name taken */
	FAT_ERR_NOT_EMPTY = -10,      /* directory to delete has entries */
	FAT_ERR_NOT_DIR = -11,	      /* path goes through a file */
	FAT_ERR_IS_DIR = -12,	      /* file operation on a directory */
	FAT_ERR_NO_MEDIA = -13,	      /* device without media */
	FAT_ERR_UNSUPPORTED = -14,    /* e.g. device blocks > 4 KiB */
	FAT_ERR_DELETED = -15,	      /* the file was deleted by a handle */
};

/* Directory entry attributes; the same bits as EFI_FILE_*. */
#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LFN 0x0f

/* Longest long name, in UCS-2 code units (NUL excluded). */
#define FAT_NAME_MAX 255
/* Volume label: 11 characters. */
#define FAT_LABEL_MAX 11

/* Metadata cache: FAT_CACHE_SLOTS chunks of FAT_CACHE_CHUNK bytes. */
#define FAT_CACHE_CHUNK 4096
#define FAT_CACHE_SLOTS 6

/* fat_open() modes (a subset of EFI_FILE_MODE_*'s meaning). */
#define FAT_OPEN_WRITE 0x1
#define FAT_OPEN_CREATE 0x2

/* A date and time as FAT keeps them (2-second steps; created: 10 ms). */
struct fat_time {
	uint16_t year; /* 1980 .. 2107 */
	uint8_t month, day, hour, minute, second;
	uint8_t centisecond; /* creation time only */
};

struct fat_entry_info {
	uint16_t name[FAT_NAME_MAX + 1]; /* "" for the root */
	uint64_t size;			 /* bytes; 0 for directories */
	uint64_t physical_size;		 /* whole clusters in the chain */
	uint8_t attr;			 /* FAT_ATTR_* */
	struct fat_time created, accessed, modified;
};

struct fat_volume_info {
	uint64_t volume_size; /* bytes in the data clusters */
	uint64_t free_size;   /* bytes in free clusters */
	uint32_t cluster_size;
	bool read_only;
	uint8_t fat_bits; /* 12, 16 or 32 */
};

struct fat_cache_slot {
	uint64_t chunk; /* device byte offset / FAT_CACHE_CHUNK */
	uint32_t age;	/* last use, for LRU */
	bool valid, dirty;
};

struct fat_file;

struct fat_volume {
	struct blockdev *dev;
	/* Where the current time comes from (NULL: 1980-01-01 00:00). */
	void (*clock)(void *ctx, struct fat_time *now);
	void *clock_ctx;
	/* The last FAT_ERR_CORRUPT's reason, a static string. */
	const char *error;

	/* Geometry, from the boot sector. */
	uint8_t fat_bits;
	uint32_t sector_size;
	uint32_t cluster_size;
	uint32_t cluster_count; /* valid clusters: 2 .. cluster_count + 1 */
	uint64_t fat_offset;	/* byte offset of the first FAT */
	uint64_t fat_bytes;	/* size of one FAT */
	uint8_t fat_copies;	/* FATs written on every change */
	uint8_t fat_active;	/* FAT read (FAT32 with mirroring off) */
	uint64_t root_offset;	/* FAT12/16: fixed root directory */
	uint32_t root_entries;
	uint32_t root_cluster; /* FAT32 */
	uint64_t data_offset;  /* byte offset of cluster 2 */
	uint64_t volume_bytes; /* the whole volume, per the boot sector */
	uint32_t fsinfo_sector;
	uint32_t backup_boot_sector;

	/* Allocation state. */
	uint32_t free_count; /* UINT32_MAX until counted */
	uint32_t next_free;  /* where to search first */
	bool fsinfo_valid;   /* FAT32 with a well-formed FSInfo */
	bool fsinfo_dirty;

	struct fat_file *open_files; /* to keep handles of one file in step */

	uint32_t cache_clock;
	struct fat_cache_slot slot[FAT_CACHE_SLOTS];
	uint8_t cache[FAT_CACHE_SLOTS][FAT_CACHE_CHUNK]
		__attribute__((aligned(64)));
};

/*
 * An open file or directory. The directory entry that describes it is
 * identified by its parent's first cluster (0: the FAT12/16 root) and its
 * index there; the root directory has none. Open handles are linked into
 * their volume: do not copy or free one before fat_close().
 */
struct fat_file {
	struct fat_volume *vol;
	struct fat_file *next_open;
	uint32_t first_cluster; /* 0: empty file, or FAT12/16 root */
	uint32_t size;		/* files only */
	uint8_t attr;
	bool is_root;
	bool writable;
	bool deleted;
	bool modified; /* written through this handle: flush on close */
	uint32_t parent_cluster; /* parent directory's first cluster */
	uint32_t entry_index;	 /* short entry in the parent */
	uint32_t first_entry;	 /* first long-name entry (= entry_index) */
	uint64_t position;	 /* bytes, or for directories entries */
	/* Chain cursor: cluster number cursor_index of the chain is cursor. */
	uint32_t cursor_index, cursor;
	uint16_t name[FAT_NAME_MAX + 1];
};

/*
 * Reads and checks the boot sector of @dev. FAT_ERR_NOT_FAT if it is not
 * a FAT volume (or has no blocks), FAT_ERR_NO_MEDIA without media.
 */
int fat_mount(struct fat_volume *vol, struct blockdev *dev);

/* Writes back everything and flushes the device. */
int fat_flush(struct fat_volume *vol);

/* Sizes and free space (counting free clusters once). */
int fat_volume_info(struct fat_volume *vol, struct fat_volume_info *info);

/* The label, trailing spaces removed ("" if none); @label holds 12. */
int fat_get_label(struct fat_volume *vol, uint16_t *label);
/* Sets the label in the root directory and the boot sector(s). */
int fat_set_label(struct fat_volume *vol, const uint16_t *label);

int fat_open_root(struct fat_volume *vol, struct fat_file *root);

/*
 * Opens @path relative to @dir (or from the root if it starts with a
 * separator). With FAT_OPEN_CREATE a missing last component is created,
 * as a directory if @create_attr has FAT_ATTR_DIRECTORY. FAT_OPEN_WRITE
 * on a read-only file is FAT_ERR_ACCESS_DENIED, on a read-only device
 * FAT_ERR_WRITE_PROTECTED.
 */
int fat_open(struct fat_file *dir, const uint16_t *path, unsigned mode,
	     uint8_t create_attr, struct fat_file *out);

/* Closes a handle (writes back what it changed). Never fails. */
void fat_close(struct fat_file *file);

/* Reads up to *@len bytes at the position; *@len is what was read. */
int fat_read(struct fat_file *file, void *buf, size_t *len);

/*
 * The next entry of a directory ("." and ".." included, the volume label
 * and deleted entries not); FAT_ERR_NOT_FOUND after the last one. With
 * @peek the position stays (to size a caller's buffer first).
 */
int fat_readdir(struct fat_file *dir, struct fat_entry_info *info, bool peek);

/*
 * Writes *@len bytes at the position, growing the file (a gap left by a
 * position past the end reads as zeros). On FAT_ERR_FULL *@len is what
 * was written.
 */
int fat_write(struct fat_file *file, const void *buf, size_t *len);

/*
 * Files: any position (UINT64_MAX: the end); past the end is allowed.
 * Directories: only 0, which restarts fat_readdir().
 */
int fat_set_position(struct fat_file *file, uint64_t position);
uint64_t fat_get_position(const struct fat_file *file);

int fat_get_info(struct fat_file *file, struct fat_entry_info *info);

/* Truncates (freeing clusters) or extends with zeros. Files only. */
int fat_set_size(struct fat_file *file, uint64_t size);

/*
 * Renames or moves: @new_name is a name in the same directory, or a path
 * (from the root if it starts with a separator, else from the parent).
 */
int fat_rename(struct fat_file *file, const uint16_t *new_name);

/*
 * Sets the attributes (not FAT_ATTR_DIRECTORY/VOLUME_ID; also through a
 * read-only handle, as UEFI's SetInfo allows) and the times.
 */
int fat_set_attr(struct fat_file *file, uint8_t attr);
int fat_set_times(struct fat_file *file, const struct fat_time *created,
		  const struct fat_time *accessed,
		  const struct fat_time *modified);

/*
 * Deletes the file or the empty directory and closes the handle (also on
 * failure, as EFI_FILE_PROTOCOL.Delete does).
 */
int fat_delete(struct fat_file *file);

/*
 * Where the byte at @offset of @file lies on the device, and how many
 * bytes from there are contiguous on the device (up to the end of the
 * file). For loaders that place a file with their own block reads.
 */
int fat_file_extent(struct fat_file *file, uint64_t offset,
		    uint64_t *device_offset, uint64_t *contiguous);

/* Compares UCS-2 names as FAT does: ASCII and Latin-1 letters fold. */
bool fat_name_equal(const uint16_t *a, size_t alen, const uint16_t *b,
		    size_t blen);

#endif
