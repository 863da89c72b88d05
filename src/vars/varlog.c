// SPDX-License-Identifier: MIT
/*
 * The on-flash variable log: see include/mmuon/varlog.h for the interface
 * and docs/variable-store.md for the format and the power-loss argument.
 *
 * In short: the store is a few areas of whole erase blocks. One area is
 * active (committed, highest generation); it holds an area header and then
 * records appended one after the other. A record is written in three steps
 * -- header, body, then the COMPLETE bit of its state word -- and retired by
 * programming its OBSOLETE bit; an update appends the new record before it
 * retires the old one. When the active area is full (or damaged), reclaim
 * erases the next area, writes the live set into it and commits it by
 * programming one bit of its header. Mount picks the committed area with
 * the highest generation and replays its complete, non-obsolete records.
 *
 * Every program is read back ("program-verify"): a write over bits that are
 * not erased -- left by a power loss, or by anything else -- is caught when
 * it happens, and the write is redone by reclaim into a freshly erased area.
 * The state words are the exception: whether their bit took is decided by
 * reading it back, since that is what the next mount will see.
 */
#include <string.h>

#include <mmuon/crc32.h>
#include <mmuon/varlog.h>

#define AREA_MAGIC 0x3153566du	 /* "mVS1" */
#define RECORD_MAGIC 0x3152566du /* "mVR1" */
#define FORMAT_VERSION 1

/* State words: erased is all 1s; each step programs one more bit to 0. */
#define STATE_ERASED 0xffffffffu
#define AREA_COMMITTED 0xfffffffeu
#define RECORD_COMPLETE 0xfffffffeu
#define RECORD_OBSOLETE 0xfffffffcu

/* All fields little-endian; the reserved ones are left erased (all 1s). */
struct area_header {
	uint32_t state;
	uint32_t magic;
	uint32_t version;
	uint32_t header_size; /* VARLOG_AREA_HEADER: where records start */
	uint32_t area_size;
	uint32_t areas;
	uint64_t generation; /* 1 for a new store, +1 at each reclaim */
	uint32_t reserved[7];
	uint32_t crc; /* CRC-32 of magic .. reserved */
};

struct record_header {
	uint32_t state;
	uint32_t magic;
	uint32_t attributes;
	uint32_t name_size; /* bytes, UCS-2 with its NUL */
	uint32_t data_size;
	uint32_t body_crc; /* CRC-32 of the name then the data */
	EFI_GUID vendor;
	uint32_t reserved;
	uint32_t crc; /* CRC-32 of magic .. reserved */
};

_Static_assert(sizeof(struct area_header) == VARLOG_AREA_HEADER, "area");
_Static_assert(sizeof(struct record_header) == VARLOG_RECORD_HEADER, "record");

/* Programs are staged in this much stack; verification reads back in
 * pieces of VERIFY_CHUNK. Both bound the stack at runtime. */
#define WRITER_CHUNK 256
#define VERIFY_CHUNK 64

static uint32_t align8(uint32_t n)
{
	return (n + 7) & ~7u;
}

uint32_t varlog_record_size(uint32_t name_size, uint32_t data_size)
{
	return align8(VARLOG_RECORD_HEADER + name_size + data_size);
}

uint32_t varlog_capacity(const struct varlog *log)
{
	return log->area_size - VARLOG_AREA_HEADER;
}

/* Each area starts an erase block; it may use only part of it. */
static uint32_t area_stride(const struct varlog *log)
{
	uint32_t block = log->flash->erase_size;

	return (log->area_size + block - 1) / block * block;
}

static uint32_t area_base(const struct varlog *log, unsigned area)
{
	return area * area_stride(log);
}

static bool all_bytes(const void *p, uint32_t n, uint8_t value)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++ != value)
			return false;
	return true;
}

static uint32_t area_crc(const struct area_header *h)
{
	return crc32_calc(&h->magic,
			  offsetof(struct area_header, crc) -
				  offsetof(struct area_header, magic));
}

static uint32_t record_crc(const struct record_header *h)
{
	return crc32_calc(&h->magic,
			  offsetof(struct record_header, crc) -
				  offsetof(struct record_header, magic));
}

/* ---- writing ------------------------------------------------------------ */

/* Reads back what was programmed. */
static int verify(const struct flash *f, uint32_t offset, const void *buf,
		  uint32_t len)
{
	const uint8_t *want = buf;
	uint8_t got[VERIFY_CHUNK];

	while (len) {
		uint32_t n = len < sizeof(got) ? len : sizeof(got);
		int err = flash_read(f, offset, got, n);

		if (err)
			return err;
		if (memcmp(got, want, n))
			return FLASH_ERR_PROGRAM;
		offset += n;
		want += n;
		len -= n;
	}
	return 0;
}

static int program_verify(const struct flash *f, uint32_t offset,
			  const void *buf, uint32_t len)
{
	int err = flash_program(f, offset, buf, len);

	return err ? err : verify(f, offset, buf, len);
}

/*
 * Programs a state word and says whether it now reads `value`: that, not
 * the device's status, is what the next mount will go by.
 */
static int set_state(const struct flash *f, uint32_t offset, uint32_t value)
{
	uint32_t now;
	int err = flash_program(f, offset, &value, sizeof(value));
	int read = flash_read(f, offset, &now, sizeof(now));

	if (read)
		return read;
	if (now == value)
		return 0;
	return err ? err : FLASH_ERR_PROGRAM;
}

/* A stream of bytes programmed in chunks, each verified. */
struct writer {
	const struct flash *flash;
	uint32_t offset; /* of buf[0] */
	uint32_t fill;
	int err;
	uint8_t buf[WRITER_CHUNK];
};

static void writer_flush(struct writer *w)
{
	uint32_t n = w->fill;

	if (!n || w->err)
		return;
	/* Pad the last partial word with 1s: programming them is a no-op. */
	while (n % w->flash->program_align)
		w->buf[n++] = 0xff;
	w->err = program_verify(w->flash, w->offset, w->buf, n);
	w->offset += n;
	w->fill = 0;
}

static void writer_put(struct writer *w, const void *data, uint32_t len)
{
	const uint8_t *p = data;

	while (len && !w->err) {
		uint32_t n = sizeof(w->buf) - w->fill;

		if (n > len)
			n = len;
		if (p)
			memcpy(w->buf + w->fill, p, n);
		else /* padding: left erased */
			memset(w->buf + w->fill, 0xff, n);
		w->fill += n;
		len -= n;
		if (p)
			p += n;
		if (w->fill == sizeof(w->buf))
			writer_flush(w);
	}
}

static uint32_t entry_data_size(const struct varlog_entry *e)
{
	return e->data_size[0] + e->data_size[1];
}

static uint32_t entry_size(const struct varlog_entry *e)
{
	return varlog_record_size(e->name_size, entry_data_size(e));
}

static void make_record_header(struct record_header *h,
			       const struct varlog_entry *e, uint32_t state)
{
	uint32_t crc = crc32_update(0, e->name, e->name_size);

	crc = crc32_update(crc, e->data[0], e->data_size[0]);
	crc = crc32_update(crc, e->data[1], e->data_size[1]);
	*h = (struct record_header){
		.state = state,
		.magic = RECORD_MAGIC,
		.attributes = e->attributes,
		.name_size = e->name_size,
		.data_size = entry_data_size(e),
		.body_crc = crc,
		.vendor = *e->vendor,
		.reserved = 0xffffffffu,
	};
	h->crc = record_crc(h);
}

/* Name, data and the padding to 8 bytes. */
static void writer_put_body(struct writer *w, const struct varlog_entry *e)
{
	uint32_t body = e->name_size + entry_data_size(e);

	writer_put(w, e->name, e->name_size);
	writer_put(w, e->data[0], e->data_size[0]);
	writer_put(w, e->data[1], e->data_size[1]);
	writer_put(w, NULL,
		   align8(VARLOG_RECORD_HEADER + body) - VARLOG_RECORD_HEADER -
			   body);
}

static int write_area_header(const struct varlog *log, unsigned area,
			     uint64_t generation)
{
	struct area_header h;

	memset(&h, 0xff, sizeof(h));
	h.magic = AREA_MAGIC;
	h.version = FORMAT_VERSION;
	h.header_size = VARLOG_AREA_HEADER;
	h.area_size = log->area_size;
	h.areas = log->areas;
	h.generation = generation;
	h.crc = area_crc(&h);
	return program_verify(log->flash, area_base(log, area), &h, sizeof(h));
}

static int erase_area(const struct varlog *log, unsigned area)
{
	uint32_t offset;
	int err;

	for (offset = 0; offset < area_stride(log);
	     offset += log->flash->erase_size) {
		err = flash_erase(log->flash, area_base(log, area) + offset);
		if (err)
			return err;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static bool area_header_valid(const struct varlog *log,
			      const struct area_header *h)
{
	return h->magic == AREA_MAGIC && h->version == FORMAT_VERSION &&
	       h->header_size == VARLOG_AREA_HEADER &&
	       h->area_size == log->area_size && h->areas == log->areas &&
	       h->crc == area_crc(h);
}

/* A header that checks out and whose record lies inside the area. */
static bool record_header_valid(const struct varlog *log,
				const struct record_header *h, uint32_t offset)
{
	return h->magic == RECORD_MAGIC && h->crc == record_crc(h) &&
	       h->name_size >= 2 * sizeof(CHAR16) && h->name_size % 2 == 0 &&
	       h->data_size && h->name_size <= log->area_size &&
	       h->data_size <= log->area_size &&
	       varlog_record_size(h->name_size, h->data_size) <=
		       log->area_size - offset;
}

static int read_record_header(const struct varlog *log, uint32_t ref,
			      struct record_header *h)
{
	int err = flash_read(log->flash, ref, h, sizeof(*h));

	if (err)
		return err;
	return record_header_valid(log, h, ref % area_stride(log))
		       ? 0
		       : VARLOG_ERR_CORRUPT;
}

int varlog_read_body(const struct varlog *log, const struct varlog_record *rec,
		     void *name, void *data)
{
	struct record_header h;
	uint32_t crc;
	int err = read_record_header(log, rec->ref, &h);

	if (!err)
		err = flash_read(log->flash, rec->ref + VARLOG_RECORD_HEADER,
				 name, h.name_size);
	if (!err)
		err = flash_read(log->flash,
				 rec->ref + VARLOG_RECORD_HEADER + h.name_size,
				 data, h.data_size);
	if (err)
		return err;
	crc = crc32_update(0, name, h.name_size);
	crc = crc32_update(crc, data, h.data_size);
	return crc == h.body_crc ? 0 : VARLOG_ERR_CORRUPT;
}

/* ---- retiring a record --------------------------------------------------- */

/* Programs a live record's OBSOLETE bit; it leaves the live count. */
static int obsolete(struct varlog *log, uint32_t ref)
{
	struct record_header h;
	int err = read_record_header(log, ref, &h);

	if (!err && h.state != RECORD_COMPLETE)
		err = VARLOG_ERR_CORRUPT;
	if (!err)
		err = set_state(log->flash, ref, RECORD_OBSOLETE);
	if (!err)
		log->live -= varlog_record_size(h.name_size, h.data_size);
	return err;
}

/*
 * Retires a record that a newer one has replaced. Should the flash refuse,
 * the record stays live on flash but not in the live set: the log is dirty,
 * and reclaim (at the latest, the next mount's) drops it.
 */
static void retire(struct varlog *log, uint32_t ref, uint32_t size)
{
	if (obsolete(log, ref)) {
		log->dirty = true;
		log->live -= size;
	}
}

/* ---- mount ---------------------------------------------------------------- */

/*
 * After a header that does not check out, the next one that does, at an
 * 8-byte boundary; the area's end if there is none. Only damage leads here
 * (a power loss during a header write leaves erased bytes behind it), so
 * the cost of the walk is paid once, before the reclaim that cleans up.
 */
static uint32_t resync(const struct varlog *log, uint32_t base, uint32_t offset,
		       int *err)
{
	struct record_header h;

	for (; offset + VARLOG_RECORD_HEADER <= log->area_size; offset += 8) {
		*err = flash_read(log->flash, base + offset, &h, 8);
		if (*err)
			return offset;
		if (h.magic != RECORD_MAGIC)
			continue;
		*err = flash_read(log->flash, base + offset, &h, sizeof(h));
		if (*err)
			return offset;
		if (record_header_valid(log, &h, offset))
			return offset;
	}
	return log->area_size;
}

static void note_damage(struct varlog *log, struct varlog_report *report,
			uint32_t bytes)
{
	report->damaged++;
	report->damaged_bytes += bytes;
	log->dirty = true;
}

static int load_record(struct varlog *log, const struct record_header *h,
		       uint32_t ref, varlog_load_fn load, void *ctx,
		       struct varlog_report *report)
{
	struct varlog_record rec = {
		.ref = ref,
		.vendor = h->vendor,
		.attributes = h->attributes,
		.name_size = h->name_size,
		.data_size = h->data_size,
	};
	uint32_t size = varlog_record_size(h->name_size, h->data_size);
	uint32_t replaced = 0;

	struct record_header old;
	int err;

	switch (load(ctx, log, &rec, &replaced)) {
	case VARLOG_KEEP:
		report->records++;
		log->live += size;
		break;
	case VARLOG_DAMAGED:
	case VARLOG_NO_ROOM:
		note_damage(log, report, size);
		return 0;
	}
	/*
	 * An update appends the new record before it retires the old one: a
	 * power loss in between leaves both. The later one is the newer;
	 * finish the update.
	 */
	if (replaced) {
		err = read_record_header(log, replaced, &old);
		if (err)
			return err;
		report->replaced++;
		report->records--;
		retire(log, replaced,
		       varlog_record_size(old.name_size, old.data_size));
	}
	return 0;
}

static int scan(struct varlog *log, varlog_load_fn load, void *ctx,
		struct varlog_report *report)
{
	uint32_t base = area_base(log, log->active);
	uint32_t offset = VARLOG_AREA_HEADER;
	struct record_header h;
	int err;

	while (offset + VARLOG_RECORD_HEADER <= log->area_size) {
		err = flash_read(log->flash, base + offset, &h, sizeof(h));
		if (err)
			return err;
		if (all_bytes(&h, sizeof(h), 0xff))
			break; /* the free space */
		if (!record_header_valid(log, &h, offset)) {
			uint32_t next = resync(log, base, offset + 8, &err);

			if (err)
				return err;
			note_damage(log, report, next - offset);
			offset = next;
			continue;
		}
		switch (h.state) {
		case STATE_ERASED: /* the write never completed */
			report->incomplete++;
			break;
		case RECORD_OBSOLETE:
			break;
		case RECORD_COMPLETE:
			err = load_record(log, &h, base + offset, load, ctx,
					  report);
			if (err)
				return err;
			break;
		default:
			note_damage(
				log, report,
				varlog_record_size(h.name_size, h.data_size));
		}
		offset += varlog_record_size(h.name_size, h.data_size);
	}
	log->tail = offset;
	return 0;
}

static bool geometry_fits(const struct flash *flash, uint32_t area_size,
			  unsigned areas)
{
	uint32_t block = flash->erase_size;

	return areas >= 2 && block && !(block & (block - 1)) &&
	       area_size % 8 == 0 &&
	       area_size >= VARLOG_AREA_HEADER + 2 * VARLOG_RECORD_HEADER &&
	       area_size <= 1u << 30 &&
	       (area_size + block - 1) / block * block <= flash->size / areas &&
	       flash->program_align && flash->program_align <= 8 &&
	       WRITER_CHUNK % flash->program_align == 0;
}

int varlog_mount(struct varlog *log, const struct flash *flash,
		 uint32_t area_size, unsigned areas, varlog_load_fn load,
		 void *ctx, struct varlog_report *report)
{
	unsigned area, blank = 0, zeros = 0;
	struct area_header h;
	int best = -1, err;

	*log = (struct varlog){
		.flash = flash,
		.area_size = area_size,
		.areas = areas,
	};
	*report = (struct varlog_report){.found = VARLOG_FOUND_FOREIGN};
	if (!geometry_fits(flash, area_size, areas))
		return VARLOG_ERR_GEOMETRY;

	for (area = 0; area < areas; area++) {
		err = flash_read(flash, area_base(log, area), &h, sizeof(h));
		if (err)
			return err;
		if (area_header_valid(log, &h) && h.state == AREA_COMMITTED) {
			if (best < 0 || h.generation > log->generation) {
				best = area;
				log->generation = h.generation;
			}
		} else if (all_bytes(&h, sizeof(h), 0xff) ||
			   area_header_valid(log, &h)) {
			/* Erased, or a format or reclaim that never
			 * committed. */
			blank++;
		} else if (all_bytes(&h, sizeof(h), 0)) {
			zeros++;
		}
	}
	if (best < 0) {
		if (zeros == areas)
			report->found = VARLOG_FOUND_ZEROS;
		else if (blank == areas)
			report->found = VARLOG_FOUND_BLANK;
		return 0;
	}

	log->active = best;
	report->found = VARLOG_FOUND_STORE;
	report->area = best;
	report->generation = log->generation;
	return scan(log, load, ctx, report);
}

/* ---- format, append, reclaim ---------------------------------------------- */

int varlog_format(struct varlog *log)
{
	unsigned area = log->areas;
	int err;

	/* The first area last: until its header is committed, no area is. */
	while (area--) {
		err = erase_area(log, area);
		if (err)
			return err;
	}
	err = write_area_header(log, 0, 1);
	if (!err)
		err = set_state(log->flash, 0, AREA_COMMITTED);
	if (err)
		return err;
	log->active = 0;
	log->generation = 1;
	log->tail = VARLOG_AREA_HEADER;
	log->live = 0;
	log->dirty = false;
	return 0;
}

/*
 * Header, then body, then the COMPLETE bit, each finished before the next
 * starts: a power loss during the header leaves the body erased, so the
 * next mount finds either erased bytes or a header that fails its CRC;
 * during the body, a valid header whose state is still erased; during the
 * COMPLETE bit, either.
 */
static int append(struct varlog *log, const struct varlog_entry *e,
		  uint32_t *ref)
{
	uint32_t size = entry_size(e);
	uint32_t offset = area_base(log, log->active) + log->tail;
	struct record_header h;
	struct writer w = {.flash = log->flash,
			   .offset = offset + VARLOG_RECORD_HEADER};
	int err;

	make_record_header(&h, e, STATE_ERASED);
	/* Whatever happens now, these bytes are used. */
	log->tail += size;
	err = program_verify(log->flash, offset, &h, sizeof(h));
	if (!err) {
		writer_put_body(&w, e);
		writer_flush(&w);
		err = w.err;
	}
	if (!err)
		err = set_state(log->flash, offset, RECORD_COMPLETE);
	if (err) {
		log->dirty = true;
		return err;
	}
	log->live += size;
	*ref = offset;
	return 0;
}

/* Bytes the live set takes once old_ref is dropped and `entry` added. */
static uint64_t live_set_size(const struct varlog_source *source,
			      const struct varlog_entry *entry,
			      uint32_t old_ref)
{
	uint64_t total = entry ? entry_size(entry) : 0;
	struct varlog_entry e;
	void *item;

	source->rewind(source->ctx);
	while (source->next(source->ctx, &e, &item))
		if (!old_ref || e.ref != old_ref)
			total += entry_size(&e);
	return total;
}

/*
 * Erase the next area, write its header (state erased), the live set and
 * `entry`, then commit it: one bit of its header. Until that bit is
 * programmed the old area is the store; from then on, the new one, whose
 * generation is higher. The old area is left as it is: the next reclaim
 * erases it.
 */
static int reclaim(struct varlog *log, const struct varlog_source *source,
		   const struct varlog_entry *entry, uint32_t old_ref,
		   uint32_t *ref)
{
	unsigned target = (log->active + 1) % log->areas;
	uint32_t base = area_base(log, target), offset;
	uint64_t total = live_set_size(source, entry, old_ref);
	struct writer w = {.flash = log->flash,
			   .offset = base + VARLOG_AREA_HEADER};
	struct record_header h;
	struct varlog_entry e;
	void *item;
	int err;

	if (total > varlog_capacity(log))
		return VARLOG_ERR_NO_SPACE;

	err = erase_area(log, target);
	if (!err)
		err = write_area_header(log, target, log->generation + 1);
	if (err)
		return err;
	source->rewind(source->ctx);
	while (!w.err && source->next(source->ctx, &e, &item)) {
		if (old_ref && e.ref == old_ref)
			continue;
		make_record_header(&h, &e, RECORD_COMPLETE);
		writer_put(&w, &h, sizeof(h));
		writer_put_body(&w, &e);
	}
	if (entry) {
		make_record_header(&h, entry, RECORD_COMPLETE);
		writer_put(&w, &h, sizeof(h));
		writer_put_body(&w, entry);
	}
	writer_flush(&w);
	if (w.err)
		return w.err;
	err = set_state(log->flash, base, AREA_COMMITTED);
	if (err)
		return err;

	log->active = target;
	log->generation++;
	log->tail = VARLOG_AREA_HEADER + total;
	log->live = total;
	log->dirty = false;

	/* Where each record went: the same walk again. */
	offset = base + VARLOG_AREA_HEADER;
	source->rewind(source->ctx);
	while (source->next(source->ctx, &e, &item)) {
		if (old_ref && e.ref == old_ref)
			continue;
		source->placed(source->ctx, item, offset);
		offset += entry_size(&e);
	}
	if (ref)
		*ref = offset;
	return 0;
}

int varlog_reclaim(struct varlog *log, const struct varlog_source *source)
{
	return reclaim(log, source, NULL, 0, NULL);
}

int varlog_replace(struct varlog *log, const struct varlog_entry *entry,
		   uint32_t old_ref, const struct varlog_source *source,
		   uint32_t *ref)
{
	struct record_header old;
	uint32_t old_size = 0, new_size;
	int err;

	if (old_ref) {
		err = read_record_header(log, old_ref, &old);
		if (err)
			return err;
		old_size = varlog_record_size(old.name_size, old.data_size);
	}
	if (!entry)
		return obsolete(log, old_ref);

	new_size = entry_size(entry);
	if (log->live - old_size + new_size > varlog_capacity(log))
		return VARLOG_ERR_NO_SPACE;
	if (!log->dirty && new_size <= log->area_size - log->tail &&
	    !append(log, entry, ref)) {
		if (old_ref)
			retire(log, old_ref, old_size);
		return 0;
	}
	return reclaim(log, source, entry, old_ref, ref);
}
