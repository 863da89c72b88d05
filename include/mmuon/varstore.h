/* SPDX-License-Identifier: MIT */
/*
 * The UEFI variable store in RAM (UEFI 2.10, section 8.2): the semantics of
 * GetVariable, GetNextVariableName, SetVariable and QueryVariableInfo over
 * a fixed-size arena of packed records.
 *
 * Every variable lives here, volatile or not. When a flash bank holds the
 * persistent store (src/vars/vars.c), this arena is its mirror: GetVariable
 * never reads flash, and each non-volatile change is first written to flash
 * and then applied here. For that, SetVariable is split in two: plan
 * (validate, decide, check room; changes nothing) and apply (cannot fail).
 * Each record carries an opaque 32-bit reference for the persistence layer
 * (where the variable's record is on flash).
 *
 * Without a flash store, the arena is all there is: variables with
 * EFI_VARIABLE_NON_VOLATILE are accepted but do not survive a reset;
 * GetVariable reports the attribute as it was set.
 *
 * Pure logic, no global state: the caller passes whether ExitBootServices
 * has happened (`runtime`), which hides variables without
 * EFI_VARIABLE_RUNTIME_ACCESS and makes volatile ones read-only, as the spec
 * requires. Safe to call at runtime: it touches only the store and the
 * caller's buffers.
 */
#ifndef MMUON_VARSTORE_H
#define MMUON_VARSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <efi/runtime_services.h>
#include <efi/status.h>
#include <efi/types.h>

/*
 * Room is counted per class: non-volatile and volatile variables each have
 * a budget of arena bytes (whole records), so that one class cannot starve
 * the other. max_variable bounds one variable's name + data.
 */
struct varstore_limits {
	size_t nonvolatile; /* bytes of records with EFI_VARIABLE_NON_VOLATILE */
	size_t volatile_;   /* bytes of the others */
	size_t max_variable;
};

struct varstore {
	uint8_t *base; /* 8-byte aligned */
	size_t size;
	size_t used;	/* records are packed from base, no holes */
	size_t used_nv; /* of which non-volatile records */
	size_t loading; /* bytes reserved by varstore_load_reserve() */
	struct varstore_limits limits;
};

/* One variable of the store (a record in the arena). */
struct varstore_var;

/*
 * The attributes SetVariable takes (EFI_VARIABLE_APPEND_WRITE is an
 * operation, never stored). Authenticated variables and hardware error
 * records are not supported: EFI_UNSUPPORTED.
 */
#define VARSTORE_ATTRIBUTES                                                    \
	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |         \
	 EFI_VARIABLE_RUNTIME_ACCESS)

/* Per record overhead: vendor GUID, attributes, sizes, reference; records
 * are padded to 8 bytes. */
#define VARSTORE_RECORD_HEADER 32

/* Arena bytes one variable takes. */
size_t varstore_record_size(size_t name_size, size_t data_size);

/*
 * Starts an empty store in `size` bytes at `arena` (trimmed to 8-byte
 * alignment; the arena is not cleared, see varstore.c). Both
 * classes may use the whole arena, and a variable may be as large as the
 * arena less one record header, until varstore_set_limits() says otherwise.
 */
void varstore_init(struct varstore *vs, void *arena, size_t size);
void varstore_set_limits(struct varstore *vs,
			 const struct varstore_limits *limits);
/*
 * Moves the variables to `size` bytes at `arena` (at least what they use),
 * keeping the limits, and zeroes what they took in the old arena.
 */
void varstore_move(struct varstore *vs, void *arena, size_t size);

/* Whether a variable of that name and vendor exists, visible or not. */
bool varstore_contains(const struct varstore *vs, const CHAR16 *name,
		       const EFI_GUID *vendor);

/* GetVariable. *attributes (optional) is set on success and on
 * EFI_BUFFER_TOO_SMALL. */
EFI_STATUS varstore_get(const struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 *attributes,
			UINTN *data_size, VOID *data, bool runtime);

/* GetNextVariableName: an empty name starts the walk. */
EFI_STATUS varstore_get_next(const struct varstore *vs, UINTN *name_size,
			     CHAR16 *name, EFI_GUID *vendor, bool runtime);
/* The walk's first variable, whatever *name holds. */
EFI_STATUS varstore_get_first(const struct varstore *vs, UINTN *name_size,
			      CHAR16 *name, EFI_GUID *vendor, bool runtime);

/* ---- SetVariable -------------------------------------------------------- */

enum varstore_change_kind {
	VARSTORE_NOTHING, /* appending no data to a variable: success */
	VARSTORE_DELETE,
	VARSTORE_WRITE, /* create, replace or append */
};

/*
 * What a SetVariable will do, decided by varstore_plan(). For a write, the
 * variable's new data is the first `keep` bytes of the existing variable's
 * data followed by `data_size` bytes at `data` (keep is 0 unless
 * appending).
 */
struct varstore_change {
	enum varstore_change_kind kind;
	struct varstore_var *existing; /* NULL when creating */
	const CHAR16 *name;
	size_t name_size; /* bytes, NUL included */
	const EFI_GUID *vendor;
	UINT32 attributes; /* as stored */
	size_t keep;
	const void *data;
	size_t data_size;
};

/*
 * SetVariable's checks, without changing anything: arguments, attributes,
 * runtime rules, and room in the arena for the class. On EFI_SUCCESS,
 * `change` says what to do and varstore_apply() will not fail.
 */
EFI_STATUS varstore_plan(const struct varstore *vs, const CHAR16 *name,
			 const EFI_GUID *vendor, UINT32 attributes,
			 UINTN data_size, const VOID *data, bool runtime,
			 struct varstore_change *change);

/* Carries out a planned change; `ref` is stored with a written variable.
 * Nothing else may change the store between plan and apply. */
void varstore_apply(struct varstore *vs, const struct varstore_change *change,
		    uint32_t ref);

/* SetVariable: plan and apply (create, replace, append with
 * EFI_VARIABLE_APPEND_WRITE, or delete: size 0 or no access attributes). */
EFI_STATUS varstore_set(struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 attributes,
			UINTN data_size, const VOID *data, bool runtime);

/*
 * QueryVariableInfo: for the class the attributes name (non-volatile or
 * volatile), its budget, the bytes of it still free, and the largest name +
 * data one variable can have.
 */
EFI_STATUS varstore_query(const struct varstore *vs, UINT32 attributes,
			  UINT64 *max_storage, UINT64 *remaining,
			  UINT64 *max_variable, bool runtime);

/* ---- for the persistence layer ------------------------------------------ */

/* Walks the variables in store order; NULL at the end. */
struct varstore_var *varstore_first(const struct varstore *vs);
struct varstore_var *varstore_next(const struct varstore *vs,
				   const struct varstore_var *v);

const CHAR16 *varstore_var_name(const struct varstore_var *v);
size_t varstore_var_name_size(const struct varstore_var *v);
const EFI_GUID *varstore_var_vendor(const struct varstore_var *v);
UINT32 varstore_var_attributes(const struct varstore_var *v);
const void *varstore_var_data(const struct varstore_var *v);
size_t varstore_var_data_size(const struct varstore_var *v);
uint32_t varstore_var_ref(const struct varstore_var *v);
void varstore_var_set_ref(struct varstore_var *v, uint32_t ref);

/*
 * Loading a variable from flash at boot, in steps, so that the name and
 * data are read straight into the arena: varstore_load_reserve() says
 * where they go (false if the record does not fit), then either
 * varstore_load_commit() makes the record part of the store, or
 * varstore_load_cancel() forgets it (its data did not check out).
 * commit refuses (false, record forgotten) a name that is not a
 * NUL-terminated UCS-2 string of exactly name_size bytes, or attributes
 * SetVariable would not store. A variable of the same name and vendor
 * already loaded is replaced, since the later record on flash is the newer:
 * its reference goes to *replaced_ref, which is otherwise left alone.
 */
bool varstore_load_reserve(struct varstore *vs, size_t name_size,
			   size_t data_size, CHAR16 **name, void **data);
bool varstore_load_commit(struct varstore *vs, const EFI_GUID *vendor,
			  UINT32 attributes, uint32_t ref,
			  uint32_t *replaced_ref);
void varstore_load_cancel(struct varstore *vs);

#endif
