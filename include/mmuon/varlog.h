/* SPDX-License-Identifier: MIT */
/*
 * The on-flash variable log: append-only records in one of a few areas
 * (each the start of its own erase blocks), state bits programmed 1 -> 0,
 * CRCs, reclaim into a spare area, recovery at mount.
 * docs/variable-store.md describes the format and argues why a power loss at any instant leaves a store that mounts to a
 * consistent state; tests/unit/test_varlog.c cuts the power at every step.
 *
 * Pure logic over a struct flash (include/mmuon/flash.h). It knows records,
 * not UEFI semantics: what a record means, and which records are live, is
 * the caller's (src/vars/vars.c keeps the live set in a varstore).
 * No allocation, bounded stack: runs at runtime, after ExitBootServices.
 */
#ifndef MMUON_VARLOG_H
#define MMUON_VARLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <efi/types.h>
#include <mmuon/flash.h>

/* Bytes before the first record of an area, and per record before its
 * name. Records are padded to 8 bytes. */
#define VARLOG_AREA_HEADER 64
#define VARLOG_RECORD_HEADER 48

/* varlog errors besides the flash's own (enum flash_error). */
enum varlog_error {
	VARLOG_ERR_NO_SPACE = -100, /* the live records would not fit */
	VARLOG_ERR_CORRUPT = -101,  /* a record did not check out */
	VARLOG_ERR_GEOMETRY = -102, /* areas do not fit the flash's blocks */
};

struct varlog {
	const struct flash *flash;
	uint32_t area_size; /* bytes used of each area's erase block(s) */
	unsigned areas;	    /* at least 2: one active, the others spare */
	unsigned active;
	uint64_t generation; /* of the active area */
	uint32_t tail;	     /* offset in the active area of the free space */
	uint32_t live;	     /* bytes of live records */
	bool dirty; /* damage seen or a write failed: reclaim before appending */
};

/* What mount found in the areas' headers. */
enum varlog_found {
	VARLOG_FOUND_STORE,   /* a committed area: mounted */
	VARLOG_FOUND_BLANK,   /* erased (all 1s): format it */
	VARLOG_FOUND_ZEROS,   /* all 0s: an empty VARS file (Debian's EDK2
				 template is one), or QEMU's bank with no file
				 behind it: format it */
	VARLOG_FOUND_FOREIGN, /* something else: format it (and say so) */
};

/* What mount saw on the way, for one line on the console. */
struct varlog_report {
	enum varlog_found found;
	unsigned area;		/* the active one */
	uint64_t generation;	/* its generation */
	unsigned records;	/* live records loaded */
	unsigned incomplete;	/* writes a power loss interrupted */
	unsigned replaced;	/* updates a power loss left half done */
	unsigned damaged;	/* records (or runs of bytes) that failed */
	uint32_t damaged_bytes; /* how many bytes those took */
};

/* A live record found at mount, handed to the caller. */
struct varlog_record {
	uint32_t ref; /* where it is: give it back to varlog_read_body() and
			 varlog_replace() */
	EFI_GUID vendor;
	uint32_t attributes;
	uint32_t name_size;
	uint32_t data_size;
};

/* The caller's answer for a record it was handed. */
enum varlog_verdict {
	VARLOG_KEEP,	/* loaded; *replaced is set if it replaced another */
	VARLOG_DAMAGED, /* its body did not check out, or it makes no sense */
	VARLOG_NO_ROOM, /* the caller had nowhere to put it */
};

/*
 * Takes a live record at mount. To get the name and data it calls
 * varlog_read_body(); if the record replaces an older live record of the
 * same variable it returns that one's ref in *replaced (else leaves it 0).
 */
typedef enum varlog_verdict (*varlog_load_fn)(void *ctx, struct varlog *log,
					      const struct varlog_record *rec,
					      uint32_t *replaced);

/* A record to write: name, and data in up to two pieces (an append writes
 * the old data followed by the new). ref: where it is now (0: nowhere). */
struct varlog_entry {
	uint32_t ref;
	const EFI_GUID *vendor;
	uint32_t attributes;
	const void *name;
	uint32_t name_size;
	const void *data[2];
	uint32_t data_size[2];
};

/*
 * The live set as it is on flash, for reclaim, which writes it into a fresh
 * area. next() yields the records one by one (false at the end) with an
 * item of the caller's; once the new area is committed, the walk runs again
 * from rewind() and placed() tells the caller each item's new ref.
 */
struct varlog_source {
	void (*rewind)(void *ctx);
	bool (*next)(void *ctx, struct varlog_entry *entry, void **item);
	void (*placed)(void *ctx, void *item, uint32_t ref);
	void *ctx;
};

/* Flash bytes a record takes, and what an area holds. */
uint32_t varlog_record_size(uint32_t name_size, uint32_t data_size);
uint32_t varlog_capacity(const struct varlog *log);

/*
 * Reads the area headers and, if one holds a store, recovers it: hands each
 * live record to load() in log order, finishes an update a power loss
 * interrupted, and sets log->dirty if anything was damaged (the caller then
 * reclaims, which rewrites only what was valid). Returns 0 (see
 * report->found) or a flash error; reads only, unless an interrupted update
 * is to be finished.
 */
int varlog_mount(struct varlog *log, const struct flash *flash,
		 uint32_t area_size, unsigned areas, varlog_load_fn load,
		 void *ctx, struct varlog_report *report);

/* Reads a record's name and data and checks them against its CRC: 0,
 * VARLOG_ERR_CORRUPT or a flash error. */
int varlog_read_body(const struct varlog *log, const struct varlog_record *rec,
		     void *name, void *data);

/* Erases every area and starts an empty store in the first one. */
int varlog_format(struct varlog *log);

/*
 * Replaces the record at old_ref (0: none) by entry (NULL: delete), so that
 * after a power loss at any point the log holds one or the other. Appends
 * when the record fits after the tail; else, or if the append fails,
 * reclaims: writes the live set from `source` less old_ref's record, then
 * entry, into a fresh area. The new record's ref goes to *ref. Returns 0,
 * VARLOG_ERR_NO_SPACE (nothing written) or a flash error (the log is as
 * before, or already holds the new record).
 */
int varlog_replace(struct varlog *log, const struct varlog_entry *entry,
		   uint32_t old_ref, const struct varlog_source *source,
		   uint32_t *ref);

/* Writes the live set into the next area and makes it the active one:
 * what recovers from damage (log->dirty). */
int varlog_reclaim(struct varlog *log, const struct varlog_source *source);

#endif
