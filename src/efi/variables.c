// SPDX-License-Identifier: MIT
/*
 * The in-memory variable store (UEFI 2.10, section 8.2): see
 * include/mmuon/varstore.h for what it promises.
 *
 * Layout: records packed from the start of the arena, each a struct
 * var_record, the name (UCS-2 with its NUL), the data, and padding to 8
 * bytes. Deleting or resizing a record moves the ones after it, so the store
 * never fragments and the order of GetNextVariableName is creation order.
 * Every change checks for room before it touches anything: a failed
 * SetVariable leaves the store as it was.
 */
#include <string.h>

#include <mmuon/ucs2.h>
#include <mmuon/varstore.h>

struct var_record {
	EFI_GUID vendor;
	UINT32 attributes;
	UINT32 name_size; /* bytes, NUL included */
	UINT64 data_size;
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

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Callers have checked that the sizes fit the arena, so no overflow. */
static size_t record_size(size_t name_size, size_t data_size)
{
	return align8(sizeof(struct var_record) + name_size + data_size);
}

static size_t record_size_of(const struct var_record *r)
{
	return record_size(r->name_size, r->data_size);
}

static CHAR16 *record_name(const struct var_record *r)
{
	return (CHAR16 *)(r + 1);
}

static UINT8 *record_data(const struct var_record *r)
{
	return (UINT8 *)(r + 1) + r->name_size;
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

/* Names compare as exact code units: variable names are case sensitive. */
static struct var_record *find(const struct varstore *vs, const CHAR16 *name,
			       size_t name_size, const EFI_GUID *vendor)
{
	struct var_record *r;

	for (r = record_at(vs, 0); r; r = next_record(vs, r))
		if (r->name_size == name_size &&
		    efi_guid_equal(&r->vendor, vendor) &&
		    !memcmp(record_name(r), name, name_size))
			return r;
	return NULL;
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
	if (size)
		memset(vs->base, 0, size);
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

	if (len == 0) {
		r = first_visible(vs, record_at(vs, 0), runtime);
	} else {
		r = find(vs, name, (len + 1) * sizeof(CHAR16), vendor);
		/* Not the name and GUID of a variable: invalid, not "end". */
		if (!r || !is_visible(r, runtime))
			return EFI_INVALID_PARAMETER;
		r = first_visible(vs, next_record(vs, r), runtime);
	}
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

/* Moves the records after r so that r takes new_size bytes. */
static void resize_record(struct varstore *vs, struct var_record *r,
			  size_t new_size)
{
	size_t start = offset_of(vs, r), old_size = record_size_of(r);
	size_t tail = vs->used - start - old_size;

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

static bool fits(const struct varstore *vs, size_t free_needed)
{
	return free_needed <= vs->size - vs->used;
}

/* A whole variable this large could never be stored. */
static bool too_large(const struct varstore *vs, size_t name_size,
		      UINTN data_size)
{
	return data_size > vs->size ||
	       record_size(name_size, data_size) > vs->size;
}

static EFI_STATUS create(struct varstore *vs, const CHAR16 *name,
			 size_t name_size, const EFI_GUID *vendor,
			 UINT32 attributes, UINTN data_size, const VOID *data)
{
	struct var_record *r;
	size_t size;

	if (too_large(vs, name_size, data_size))
		return EFI_INVALID_PARAMETER;
	size = record_size(name_size, data_size);
	if (!fits(vs, size))
		return EFI_OUT_OF_RESOURCES;

	r = (struct var_record *)(vs->base + vs->used);
	r->vendor = *vendor;
	r->attributes = attributes;
	r->name_size = name_size;
	r->data_size = data_size;
	memcpy(record_name(r), name, name_size);
	memcpy(record_data(r), data, data_size);
	vs->used += size;
	return EFI_SUCCESS;
}

/* Replaces the data (append: adds to it) of an existing variable. */
static EFI_STATUS update(struct varstore *vs, struct var_record *r, bool append,
			 UINTN data_size, const VOID *data)
{
	size_t keep = append ? r->data_size : 0, old_size, new_size;
	UINTN total = keep + data_size;

	if (total < keep || too_large(vs, r->name_size, total))
		return EFI_INVALID_PARAMETER;
	old_size = record_size_of(r);
	new_size = record_size(r->name_size, total);
	if (new_size > old_size && !fits(vs, new_size - old_size))
		return EFI_OUT_OF_RESOURCES;

	resize_record(vs, r, new_size);
	r->data_size = total;
	memcpy(record_data(r) + keep, data, data_size);
	/* Zero the padding, so no stale bytes sit between records. */
	memset(record_data(r) + total, 0,
	       new_size - sizeof(*r) - r->name_size - total);
	return EFI_SUCCESS;
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

EFI_STATUS varstore_set(struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 attributes,
			UINTN data_size, const VOID *data, bool runtime)
{
	bool append = attributes & EFI_VARIABLE_APPEND_WRITE;
	UINT32 stored = attributes & ~EFI_VARIABLE_APPEND_WRITE;
	struct var_record *r;
	size_t name_size;
	bool deleting;
	EFI_STATUS status;

	status = check_set_arguments(name, vendor, attributes, data_size, data);
	if (status != EFI_SUCCESS)
		return status;
	/* No access attributes, or no data without APPEND_WRITE: delete. */
	deleting = !(stored & ACCESS_ATTRIBUTES) || (!append && !data_size);

	name_size = name_size_of(name);
	r = find(vs, name, name_size, vendor);
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
		delete_record(vs, r);
		return EFI_SUCCESS;
	}
	/* Rewriting with other attributes is refused, APPEND_WRITE aside. */
	if (r && stored != r->attributes)
		return EFI_INVALID_PARAMETER;
	if (!data_size) /* appending nothing */
		return r ? EFI_SUCCESS : EFI_NOT_FOUND;
	if (!r)
		return create(vs, name, name_size, vendor, stored, data_size,
			      data);
	return update(vs, r, append, data_size, data);
}

EFI_STATUS varstore_query(const struct varstore *vs, UINT32 attributes,
			  UINT64 *max_storage, UINT64 *remaining,
			  UINT64 *max_variable, bool runtime)
{
	UINT32 kind = attributes & ~EFI_VARIABLE_APPEND_WRITE;
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
		settable = kind & EFI_VARIABLE_NON_VOLATILE;
	}

	*max_storage = vs->size;
	*remaining = settable ? vs->size - vs->used : 0;
	*max_variable = settable && vs->size > VARSTORE_RECORD_HEADER
				? vs->size - VARSTORE_RECORD_HEADER
				: 0;
	return EFI_SUCCESS;
}
