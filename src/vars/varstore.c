// SPDX-License-Identifier: MIT
/*
 * The variable store in RAM (UEFI 2.10, section 8.2): see
 * include/mmuon/varstore.h for what it promises.
 *
 * Layout: records packed from the start of the arena, each a struct
 * var_record, the name (UCS-2 with its NUL), the data, and padding to 8
 * bytes. Deleting or resizing a record moves the ones after it, so the store
 * never fragments and the order of GetNextVariableName is creation order.
 * Every change is planned (checked for room) before it touches anything: a
 * failed SetVariable leaves the store as it was.
 *
 * The arena is not cleared at init (that would cost more than everything
 * else a boot does with variables): what lies past `used` is whatever the
 * RAM held, never read. Records are written whole, padding included, and
 * the bytes a deleted or shrunk record gave back are zeroed, so no value
 * outlives its variable.
 */
#include <string.h>

#include <mmuon/ucs2.h>
#include <mmuon/varstore.h>

struct var_record {
	EFI_GUID vendor;
	UINT32 attributes;
	UINT32 name_size; /* bytes, NUL included */
	UINT32 data_size;
	UINT32 ref; /* the persistence layer's */
		    /* CHAR16 name[]; UINT8 data[]; padding */
};

_Static_assert(sizeof(struct var_record) == VARSTORE_RECORD_HEADER,
	       "record header");

/* Attributes of authenticated variables and hardware error records. */
#define UNSUPPORTED_ATTRIBUTES                                                 \
	(EFI_VARIABLE_HARDWARE_ERROR_RECORD |                                  \
	 EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS |                             \
	 EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS |                  \
	 EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS)

#define ACCESS_ATTRIBUTES                                                      \
	(EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

/* The public handle of a record is the record itself. */
struct varstore_var;
#define to_record(v) ((struct var_record *)(v))
#define to_var(r) ((struct varstore_var *)(r))

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Callers have checked that the sizes fit the arena, so no overflow. */
size_t varstore_record_size(size_t name_size, size_t data_size)
{
	return align8(sizeof(struct var_record) + name_size + data_size);
}

static size_t record_size_of(const struct var_record *r)
{
	return varstore_record_size(r->name_size, r->data_size);
}

static CHAR16 *record_name(const struct var_record *r)
{
	return (CHAR16 *)(r + 1);
}

static UINT8 *record_data(const struct var_record *r)
{
	return (UINT8 *)(r + 1) + r->name_size;
}

/* No stale bytes between records. */
static void zero_padding(struct var_record *r)
{
	uint8_t *end = record_data(r) + r->data_size;

	memset(end, 0, (uint8_t *)r + record_size_of(r) - end);
}

static bool is_nonvolatile(UINT32 attributes)
{
	return attributes & EFI_VARIABLE_NON_VOLATILE;
}

static struct var_record *record_at(const struct varstore *vs, size_t offset)
{
	return offset < vs->used ? (struct var_record *)(vs->base + offset)
				 : NULL;
}

static size_t offset_of(const struct varstore *vs, const struct var_record *r)
{
	return (const uint8_t *)r - vs->base;
}

static struct var_record *next_record(const struct varstore *vs,
				      const struct var_record *r)
{
	return record_at(vs, offset_of(vs, r) + record_size_of(r));
}

/* UEFI 2.10 8.2: after ExitBootServices only runtime variables exist. */
static bool is_visible(const struct var_record *r, bool runtime)
{
	return !runtime || (r->attributes & EFI_VARIABLE_RUNTIME_ACCESS);
}

/* Names compare as exact code units: variable names are case sensitive.
 * `limit` ends the search (a record being loaded is not yet in it). */
static struct var_record *find_before(const struct varstore *vs, size_t limit,
				      const CHAR16 *name, size_t name_size,
				      const EFI_GUID *vendor)
{
	struct var_record *r;

	for (r = record_at(vs, 0); r && offset_of(vs, r) < limit;
	     r = next_record(vs, r))
		if (r->name_size == name_size &&
		    efi_guid_equal(&r->vendor, vendor) &&
		    !memcmp(record_name(r), name, name_size))
			return r;
	return NULL;
}

static struct var_record *find(const struct varstore *vs, const CHAR16 *name,
			       size_t name_size, const EFI_GUID *vendor)
{
	return find_before(vs, vs->used, name, name_size, vendor);
}

static size_t name_size_of(const CHAR16 *name)
{
	return (strlen16(name) + 1) * sizeof(CHAR16);
}

void varstore_init(struct varstore *vs, void *arena, size_t size)
{
	uintptr_t start = (uintptr_t)arena, aligned = align8(start);

	if (size < aligned - start)
		size = 0;
	else
		size = (size - (aligned - start)) & ~(size_t)7;
	vs->base = (uint8_t *)aligned;
	vs->size = size;
	vs->used = 0;
	vs->used_nv = 0;
	vs->loading = 0;
	vs->limits.nonvolatile = size;
	vs->limits.volatile_ = size;
	vs->limits.max_variable = size > VARSTORE_RECORD_HEADER
					  ? size - VARSTORE_RECORD_HEADER
					  : 0;
}

void varstore_move(struct varstore *vs, void *arena, size_t size)
{
	struct varstore moved = *vs;

	varstore_init(&moved, arena, size);
	memcpy(moved.base, vs->base, vs->used);
	memset(vs->base, 0, vs->used); /* no copy of a value stays behind */
	vs->base = moved.base;
	vs->size = moved.size;
}

bool varstore_contains(const struct varstore *vs, const CHAR16 *name,
		       const EFI_GUID *vendor)
{
	return name && vendor && find(vs, name, name_size_of(name), vendor);
}

void varstore_set_limits(struct varstore *vs,
			 const struct varstore_limits *limits)
{
	vs->limits = *limits;
}

EFI_STATUS varstore_get(const struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 *attributes,
			UINTN *data_size, VOID *data, bool runtime)
{
	const struct var_record *r;

	if (!name || !vendor || !data_size)
		return EFI_INVALID_PARAMETER;
	r = find(vs, name, name_size_of(name), vendor);
	if (!r || !is_visible(r, runtime))
		return EFI_NOT_FOUND;
	/* UEFI 2.10: Attributes is returned with EFI_BUFFER_TOO_SMALL too. */
	if (attributes)
		*attributes = r->attributes;
	if (*data_size < r->data_size) {
		*data_size = r->data_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!data)
		return EFI_INVALID_PARAMETER;
	memcpy(data, record_data(r), r->data_size);
	*data_size = r->data_size;
	return EFI_SUCCESS;
}

static struct var_record *first_visible(const struct varstore *vs,
					struct var_record *r, bool runtime)
{
	while (r && !is_visible(r, runtime))
		r = next_record(vs, r);
	return r;
}

/* GetNextVariableName's answer: r's name and vendor, or the end. */
static EFI_STATUS name_of(const struct var_record *r, UINTN *name_size,
			  CHAR16 *name, EFI_GUID *vendor)
{
	if (!r)
		return EFI_NOT_FOUND;
	if (*name_size < r->name_size) {
		*name_size = r->name_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(name, record_name(r), r->name_size);
	*vendor = r->vendor;
	*name_size = r->name_size;
	return EFI_SUCCESS;
}

EFI_STATUS varstore_get_next(const struct varstore *vs, UINTN *name_size,
			     CHAR16 *name, EFI_GUID *vendor, bool runtime)
{
	struct var_record *r;
	size_t max_units, len;

	if (!name_size || !name || !vendor)
		return EFI_INVALID_PARAMETER;
	/* UEFI 2.10: the input name must end within *VariableNameSize. */
	max_units = *name_size / sizeof(CHAR16);
	len = strnlen16(name, max_units);
	if (len == max_units)
		return EFI_INVALID_PARAMETER;

	if (len == 0)
		return varstore_get_first(vs, name_size, name, vendor, runtime);
	r = find(vs, name, (len + 1) * sizeof(CHAR16), vendor);
	/* Not the name and GUID of a variable: invalid, not "end". */
	if (!r || !is_visible(r, runtime))
		return EFI_INVALID_PARAMETER;
	return name_of(first_visible(vs, next_record(vs, r), runtime),
		       name_size, name, vendor);
}

EFI_STATUS varstore_get_first(const struct varstore *vs, UINTN *name_size,
			      CHAR16 *name, EFI_GUID *vendor, bool runtime)
{
	if (!name_size || !name || !vendor)
		return EFI_INVALID_PARAMETER;
	return name_of(first_visible(vs, record_at(vs, 0), runtime), name_size,
		       name, vendor);
}

/* Moves the records after r so that r takes new_size bytes. */
static void resize_record(struct varstore *vs, struct var_record *r,
			  size_t new_size)
{
	size_t start = offset_of(vs, r), old_size = record_size_of(r);
	size_t tail = vs->used - start - old_size;

	if (is_nonvolatile(r->attributes))
		vs->used_nv = vs->used_nv - old_size + new_size;
	memmove(vs->base + start + new_size, vs->base + start + old_size, tail);
	if (new_size < old_size) /* leave no old data behind */
		memset(vs->base + vs->used - (old_size - new_size), 0,
		       old_size - new_size);
	vs->used = vs->used - old_size + new_size;
}

static void delete_record(struct varstore *vs, struct var_record *r)
{
	resize_record(vs, r, 0);
}

/* The class budget and bytes used by the class of `attributes`. */
static size_t class_limit(const struct varstore *vs, UINT32 attributes)
{
	return is_nonvolatile(attributes) ? vs->limits.nonvolatile
					  : vs->limits.volatile_;
}

static size_t class_used(const struct varstore *vs, UINT32 attributes)
{
	return is_nonvolatile(attributes) ? vs->used_nv
					  : vs->used - vs->used_nv;
}

/* Free bytes for the class: its budget, and the arena itself. */
static size_t class_free(const struct varstore *vs, UINT32 attributes)
{
	size_t limit = class_limit(vs, attributes);
	size_t used = class_used(vs, attributes);
	size_t class_room = limit > used ? limit - used : 0;
	size_t arena_room = vs->size - vs->used;

	return class_room < arena_room ? class_room : arena_room;
}

/* A variable this large could never be stored. */
static bool too_large(const struct varstore *vs, UINT32 attributes,
		      size_t name_size, UINTN data_size)
{
	return data_size > vs->limits.max_variable ||
	       name_size + data_size > vs->limits.max_variable ||
	       varstore_record_size(name_size, data_size) >
		       class_limit(vs, attributes);
}

/*
 * UEFI 2.10 8.2.3: "Once ExitBootServices() is performed, only variables
 * that have EFI_VARIABLE_RUNTIME_ACCESS and EFI_VARIABLE_NON_VOLATILE set
 * can be set with SetVariable(). Variables that have runtime access but
 * that are not nonvolatile are read-only data variables."
 */
static EFI_STATUS check_runtime_set(const struct var_record *r,
				    UINT32 attributes, bool deleting)
{
	if (r && !(r->attributes & EFI_VARIABLE_RUNTIME_ACCESS))
		return deleting ? EFI_NOT_FOUND : EFI_INVALID_PARAMETER;
	if (r && !(r->attributes & EFI_VARIABLE_NON_VOLATILE))
		return EFI_WRITE_PROTECTED;
	if (!r && !deleting &&
	    (attributes &
	     (EFI_VARIABLE_RUNTIME_ACCESS | EFI_VARIABLE_NON_VOLATILE)) !=
		    (EFI_VARIABLE_RUNTIME_ACCESS | EFI_VARIABLE_NON_VOLATILE))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

static EFI_STATUS check_set_arguments(const CHAR16 *name,
				      const EFI_GUID *vendor, UINT32 attributes,
				      UINTN data_size, const VOID *data)
{
	if (!name || !vendor || !name[0] || (data_size && !data))
		return EFI_INVALID_PARAMETER;
	if (attributes & UNSUPPORTED_ATTRIBUTES)
		return EFI_UNSUPPORTED;
	if (attributes & ~(VARSTORE_ATTRIBUTES | EFI_VARIABLE_APPEND_WRITE))
		return EFI_INVALID_PARAMETER;
	/* Runtime access without boot service access is meaningless. */
	if ((attributes & ACCESS_ATTRIBUTES) == EFI_VARIABLE_RUNTIME_ACCESS)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

/* Sizes and room for a write of `keep` + `data_size` bytes. */
static EFI_STATUS check_write_room(const struct varstore *vs,
				   const struct varstore_change *c)
{
	const struct var_record *r = to_record(c->existing);
	size_t total = c->keep + c->data_size;
	size_t old_size = r ? record_size_of(r) : 0, new_size;

	if (total < c->keep ||
	    too_large(vs, c->attributes, c->name_size, total))
		return EFI_INVALID_PARAMETER;
	new_size = varstore_record_size(c->name_size, total);
	if (new_size > old_size &&
	    new_size - old_size > class_free(vs, c->attributes))
		return EFI_OUT_OF_RESOURCES;
	return EFI_SUCCESS;
}

EFI_STATUS varstore_plan(const struct varstore *vs, const CHAR16 *name,
			 const EFI_GUID *vendor, UINT32 attributes,
			 UINTN data_size, const VOID *data, bool runtime,
			 struct varstore_change *c)
{
	bool append = attributes & EFI_VARIABLE_APPEND_WRITE;
	UINT32 stored = attributes & ~EFI_VARIABLE_APPEND_WRITE;
	struct var_record *r;
	bool deleting;
	EFI_STATUS status;

	status = check_set_arguments(name, vendor, attributes, data_size, data);
	if (status != EFI_SUCCESS)
		return status;
	/* No access attributes, or no data without APPEND_WRITE: delete. */
	deleting = !(stored & ACCESS_ATTRIBUTES) || (!append && !data_size);

	*c = (struct varstore_change){
		.name = name,
		.name_size = name_size_of(name),
		.vendor = vendor,
		.attributes = stored,
		.data = data,
		.data_size = data_size,
	};
	r = find(vs, name, c->name_size, vendor);
	c->existing = to_var(r);
	if (runtime) {
		status = check_runtime_set(r, stored, deleting);
		if (status != EFI_SUCCESS)
			return status;
	}

	if (deleting) {
		if (!r)
			return EFI_NOT_FOUND;
		/* Attributes 0 deletes anything; others must match. */
		if (stored && stored != r->attributes)
			return EFI_INVALID_PARAMETER;
		c->kind = VARSTORE_DELETE;
		c->attributes = r->attributes;
		c->data_size = 0;
		return EFI_SUCCESS;
	}
	/* Rewriting with other attributes is refused, APPEND_WRITE aside. */
	if (r && stored != r->attributes)
		return EFI_INVALID_PARAMETER;
	if (!data_size) { /* appending nothing */
		c->kind = VARSTORE_NOTHING;
		return r ? EFI_SUCCESS : EFI_NOT_FOUND;
	}
	c->kind = VARSTORE_WRITE;
	c->keep = r && append ? r->data_size : 0;
	return check_write_room(vs, c);
}

static void create(struct varstore *vs, const struct varstore_change *c,
		   uint32_t ref)
{
	struct var_record *r = (struct var_record *)(vs->base + vs->used);
	size_t size = varstore_record_size(c->name_size, c->data_size);

	r->vendor = *c->vendor;
	r->attributes = c->attributes;
	r->name_size = c->name_size;
	r->data_size = c->data_size;
	r->ref = ref;
	memcpy(record_name(r), c->name, c->name_size);
	memcpy(record_data(r), c->data, c->data_size);
	zero_padding(r);
	vs->used += size;
	if (is_nonvolatile(c->attributes))
		vs->used_nv += size;
}

/* Replaces the data (append: adds to it) of an existing variable. */
static void update(struct varstore *vs, struct var_record *r,
		   const struct varstore_change *c, uint32_t ref)
{
	size_t total = c->keep + c->data_size;
	size_t new_size = varstore_record_size(r->name_size, total);

	resize_record(vs, r, new_size);
	r->data_size = total;
	r->ref = ref;
	memcpy(record_data(r) + c->keep, c->data, c->data_size);
	zero_padding(r);
}

void varstore_apply(struct varstore *vs, const struct varstore_change *c,
		    uint32_t ref)
{
	struct var_record *r = to_record(c->existing);

	if (c->kind == VARSTORE_DELETE)
		delete_record(vs, r);
	else if (c->kind == VARSTORE_WRITE && r)
		update(vs, r, c, ref);
	else if (c->kind == VARSTORE_WRITE)
		create(vs, c, ref);
}

EFI_STATUS varstore_set(struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 attributes,
			UINTN data_size, const VOID *data, bool runtime)
{
	struct varstore_change change;
	EFI_STATUS status = varstore_plan(vs, name, vendor, attributes,
					  data_size, data, runtime, &change);

	if (status == EFI_SUCCESS)
		varstore_apply(vs, &change, 0);
	return status;
}

EFI_STATUS varstore_query(const struct varstore *vs, UINT32 attributes,
			  UINT64 *max_storage, UINT64 *remaining,
			  UINT64 *max_variable, bool runtime)
{
	UINT32 kind = attributes & ~EFI_VARIABLE_APPEND_WRITE;
	size_t limit = class_limit(vs, kind), largest;
	bool settable = true;

	if (!max_storage || !remaining || !max_variable)
		return EFI_INVALID_PARAMETER;
	if (kind & UNSUPPORTED_ATTRIBUTES)
		return EFI_UNSUPPORTED;
	/* Every variable has boot service access; nothing else exists. */
	if ((kind & ~VARSTORE_ATTRIBUTES) ||
	    !(kind & EFI_VARIABLE_BOOTSERVICE_ACCESS))
		return EFI_INVALID_PARAMETER;
	if (runtime) {
		if (!(kind & EFI_VARIABLE_RUNTIME_ACCESS))
			return EFI_INVALID_PARAMETER;
		/* Volatile variables are read-only at runtime: no room. */
		settable = is_nonvolatile(kind);
	}

	largest = limit > VARSTORE_RECORD_HEADER
			  ? limit - VARSTORE_RECORD_HEADER
			  : 0;
	if (largest > vs->limits.max_variable)
		largest = vs->limits.max_variable;
	*max_storage = limit;
	*remaining = settable ? class_free(vs, kind) : 0;
	*max_variable = settable ? largest : 0;
	return EFI_SUCCESS;
}

/* ---- for the persistence layer ------------------------------------------ */

struct varstore_var *varstore_first(const struct varstore *vs)
{
	return to_var(record_at(vs, 0));
}

struct varstore_var *varstore_next(const struct varstore *vs,
				   const struct varstore_var *v)
{
	return to_var(next_record(vs, to_record(v)));
}

const CHAR16 *varstore_var_name(const struct varstore_var *v)
{
	return record_name(to_record(v));
}

size_t varstore_var_name_size(const struct varstore_var *v)
{
	return to_record(v)->name_size;
}

const EFI_GUID *varstore_var_vendor(const struct varstore_var *v)
{
	return &to_record(v)->vendor;
}

UINT32 varstore_var_attributes(const struct varstore_var *v)
{
	return to_record(v)->attributes;
}

const void *varstore_var_data(const struct varstore_var *v)
{
	return record_data(to_record(v));
}

size_t varstore_var_data_size(const struct varstore_var *v)
{
	return to_record(v)->data_size;
}

uint32_t varstore_var_ref(const struct varstore_var *v)
{
	return to_record(v)->ref;
}

void varstore_var_set_ref(struct varstore_var *v, uint32_t ref)
{
	to_record(v)->ref = ref;
}

bool varstore_load_reserve(struct varstore *vs, size_t name_size,
			   size_t data_size, CHAR16 **name, void **data)
{
	struct var_record *r = (struct var_record *)(vs->base + vs->used);
	size_t room = vs->size - vs->used;

	if (name_size > room || data_size > room ||
	    varstore_record_size(name_size, data_size) > room)
		return false;
	r->name_size = name_size;
	r->data_size = data_size;
	*name = record_name(r);
	*data = record_data(r);
	vs->loading = varstore_record_size(name_size, data_size);
	return true;
}

void varstore_load_cancel(struct varstore *vs)
{
	memset(vs->base + vs->used, 0, vs->loading);
	vs->loading = 0;
}

/* A name of exactly name_size bytes: one NUL, at the end, and not empty. */
static bool name_is_valid(const CHAR16 *name, size_t name_size)
{
	size_t units = name_size / sizeof(CHAR16);

	return name_size % sizeof(CHAR16) == 0 && units >= 2 &&
	       strnlen16(name, units) == units - 1;
}

bool varstore_load_commit(struct varstore *vs, const EFI_GUID *vendor,
			  UINT32 attributes, uint32_t ref,
			  uint32_t *replaced_ref)
{
	struct var_record *r = (struct var_record *)(vs->base + vs->used);
	struct var_record *older;
	size_t size = vs->loading;

	if (!name_is_valid(record_name(r), r->name_size) ||
	    (attributes & ~VARSTORE_ATTRIBUTES) ||
	    !(attributes & EFI_VARIABLE_BOOTSERVICE_ACCESS) || !r->data_size) {
		varstore_load_cancel(vs);
		return false;
	}
	r->vendor = *vendor;
	r->attributes = attributes;
	r->ref = ref;
	zero_padding(r);
	vs->used += size;
	if (is_nonvolatile(attributes))
		vs->used_nv += size;
	vs->loading = 0;

	older = find_before(vs, offset_of(vs, r), record_name(r), r->name_size,
			    vendor);
	if (older) {
		*replaced_ref = older->ref;
		delete_record(vs, older);
	}
	return true;
}
