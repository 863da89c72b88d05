// SPDX-License-Identifier: MIT
/*
 * The variable service: a RAM varstore mirrored to the on-flash log. See
 * include/mmuon/vars.h.
 */
#include <mmuon/vars.h>

static bool is_nonvolatile(UINT32 attributes)
{
	return attributes & EFI_VARIABLE_NON_VOLATILE;
}

size_t vars_arena_size(uint32_t area_size)
{
	return (size_t)(area_size - VARLOG_AREA_HEADER) +
	       VARS_VOLATILE_INITIAL_BYTES;
}

/*
 * Non-volatile variables at the start of the arena, volatile ones in its
 * last `first` bytes, each with its class's limits.
 */
static void split_arena(struct vars *v, void *arena, size_t size, size_t first)
{
	struct varstore_limits limits = {
		.volatile_ = VARS_VOLATILE_BYTES,
		.max_variable = VARS_MAX_VARIABLE,
	};

	if (first > size)
		first = size;
	varstore_init(&v->store, arena, size - first);
	varstore_init(&v->volatiles, (uint8_t *)arena + size - first, first);
	varstore_set_limits(&v->volatiles, &limits);
	v->persistent = false;
	v->grow = NULL;
}

void vars_init_volatile(struct vars *v, void *arena, size_t size)
{
	size_t first = VARS_VOLATILE_INITIAL_BYTES;

	/* A short arena (the firmware's fallbacks): a quarter of it. */
	split_arena(v, arena, size, first < size / 4 ? first : size / 4);
}

/* ---- the live set, from RAM, for reclaim ---------------------------------- */

struct ram_source {
	struct vars *v;
	struct varstore_var *next;
};

static void source_rewind(void *ctx)
{
	struct ram_source *s = ctx;

	s->next = varstore_first(&s->v->store);
}

static bool source_next(void *ctx, struct varlog_entry *e, void **item)
{
	struct ram_source *s = ctx;
	struct varstore_var *var = s->next;

	if (!var)
		return false;
	s->next = varstore_next(&s->v->store, var);
	*e = (struct varlog_entry){
		.ref = varstore_var_ref(var),
		.vendor = varstore_var_vendor(var),
		.attributes = varstore_var_attributes(var),
		.name = varstore_var_name(var),
		.name_size = varstore_var_name_size(var),
		.data = {varstore_var_data(var)},
		.data_size = {varstore_var_data_size(var)},
	};
	*item = var;
	return true;
}

static void source_placed(void *ctx, void *item, uint32_t ref)
{
	(void)ctx;
	varstore_var_set_ref(item, ref);
}

static struct varlog_source ram_source(struct ram_source *s, struct vars *v)
{
	s->v = v;
	s->next = NULL;
	return (struct varlog_source){
		.rewind = source_rewind,
		.next = source_next,
		.placed = source_placed,
		.ctx = s,
	};
}

/* The log bytes non-volatile variables may take. */
static uint32_t log_limit(const struct vars *v, bool runtime)
{
	uint32_t capacity = varlog_capacity(&v->log);

	return runtime ? capacity - capacity / VARS_RUNTIME_RESERVE_SHARE
		       : capacity;
}

static size_t largest_variable(const struct varlog *log)
{
	uint32_t most = varlog_capacity(log) - VARLOG_RECORD_HEADER;

	return VARS_MAX_VARIABLE < most ? VARS_MAX_VARIABLE : most;
}

/* ---- mount ------------------------------------------------------------------ */

static enum varlog_verdict load(void *ctx, struct varlog *log,
				const struct varlog_record *rec,
				uint32_t *replaced)
{
	struct vars *v = ctx;
	CHAR16 *name;
	void *data;

	if (!is_nonvolatile(rec->attributes))
		return VARLOG_DAMAGED;
	if (!varstore_load_reserve(&v->store, rec->name_size, rec->data_size,
				   &name, &data))
		return VARLOG_NO_ROOM;
	if (varlog_read_body(log, rec, name, data)) {
		varstore_load_cancel(&v->store);
		return VARLOG_DAMAGED;
	}
	if (!varstore_load_commit(&v->store, &rec->vendor, rec->attributes,
				  rec->ref, replaced))
		return VARLOG_DAMAGED;
	return VARLOG_KEEP;
}

int vars_mount(struct vars *v, void *arena, size_t arena_size,
	       const struct flash *flash, uint32_t area_size, unsigned areas,
	       struct vars_report *report)
{
	struct varstore_limits limits;
	struct ram_source s;
	struct varlog_source source = ram_source(&s, v);
	int err;

	*report = (struct vars_report){0};
	split_arena(v, arena, arena_size, VARS_VOLATILE_INITIAL_BYTES);
	if (arena_size < vars_arena_size(area_size))
		return VARLOG_ERR_GEOMETRY;
	err = varlog_mount(&v->log, flash, area_size, areas, load, v,
			   &report->log);
	if (err)
		return err;
	/* Loading took whatever it found; quotas hold from now on. */
	limits = (struct varstore_limits){
		.nonvolatile = v->store.size,
		.max_variable = largest_variable(&v->log),
	};
	varstore_set_limits(&v->store, &limits);
	switch (report->log.found) {
	case VARLOG_FOUND_ZEROS:
	case VARLOG_FOUND_BLANK:
	case VARLOG_FOUND_FOREIGN:
		err = varlog_format(&v->log);
		if (err)
			return err;
		report->formatted = true;
		break;
	case VARLOG_FOUND_STORE:
		/* Rewrite what was valid into a clean area. Should that fail,
		 * the store still reads; the next write tries again. */
		if (v->log.dirty) {
			report->repair_error = varlog_reclaim(&v->log, &source);
			report->reclaimed = !report->repair_error;
		}
		break;
	}
	v->persistent = true;
	return 0;
}

/* ---- the services ------------------------------------------------------------- */

/* Whether the volatile variables may still move to their full budget. */
static bool can_grow(const struct vars *v, bool runtime)
{
	return !runtime && v->grow && v->volatiles.size < VARS_VOLATILE_BYTES;
}

static bool grow_volatiles(struct vars *v, bool runtime)
{
	void *arena;

	if (!can_grow(v, runtime))
		return false;
	arena = v->grow(VARS_VOLATILE_BYTES);
	if (!arena)
		return false;
	varstore_move(&v->volatiles, arena, VARS_VOLATILE_BYTES);
	return true;
}

/*
 * The store that holds the variable of that name and vendor, else the
 * store of its class: a SetVariable that changes the class of a variable
 * is then refused by the store that has it, as in one store.
 */
static struct varstore *store_of(struct vars *v, const CHAR16 *name,
				 const EFI_GUID *vendor, UINT32 attributes)
{
	if (varstore_contains(&v->store, name, vendor))
		return &v->store;
	if (varstore_contains(&v->volatiles, name, vendor))
		return &v->volatiles;
	return is_nonvolatile(attributes) ? &v->store : &v->volatiles;
}

EFI_STATUS vars_get(const struct vars *v, const CHAR16 *name,
		    const EFI_GUID *vendor, UINT32 *attributes,
		    UINTN *data_size, VOID *data, bool runtime)
{
	EFI_STATUS status = varstore_get(&v->store, name, vendor, attributes,
					 data_size, data, runtime);

	if (status != EFI_NOT_FOUND)
		return status;
	return varstore_get(&v->volatiles, name, vendor, attributes, data_size,
			    data, runtime);
}

/* The non-volatile variables, then the volatile ones. */
EFI_STATUS vars_get_next(const struct vars *v, UINTN *name_size, CHAR16 *name,
			 EFI_GUID *vendor, bool runtime)
{
	EFI_STATUS status =
		varstore_get_next(&v->store, name_size, name, vendor, runtime);

	if (status == EFI_NOT_FOUND) /* past the last non-volatile one */
		return varstore_get_first(&v->volatiles, name_size, name,
					  vendor, runtime);
	if (status == EFI_INVALID_PARAMETER) /* not a non-volatile name */
		return varstore_get_next(&v->volatiles, name_size, name, vendor,
					 runtime);
	return status;
}

static EFI_STATUS status_of(int err)
{
	return err == VARLOG_ERR_NO_SPACE ? EFI_OUT_OF_RESOURCES
					  : EFI_DEVICE_ERROR;
}

/* The flash half of a non-volatile change. */
static EFI_STATUS write_log(struct vars *v, const struct varstore_change *c,
			    bool runtime, uint32_t *ref)
{
	const struct varstore_var *old = c->existing;
	uint32_t old_ref = old ? varstore_var_ref(old) : 0;
	uint32_t old_size = 0, new_size;
	struct varlog_entry entry;
	struct ram_source s;
	struct varlog_source source = ram_source(&s, v);
	int err;

	if (c->kind == VARSTORE_DELETE) {
		err = varlog_replace(&v->log, NULL, old_ref, &source, NULL);
		return err ? status_of(err) : EFI_SUCCESS;
	}
	if (old)
		old_size = varlog_record_size(varstore_var_name_size(old),
					      varstore_var_data_size(old));
	new_size = varlog_record_size(c->name_size, c->keep + c->data_size);
	/* Growing past the quota is refused; shrinking is always allowed. */
	if (new_size > old_size &&
	    (uint64_t)v->log.live - old_size + new_size > log_limit(v, runtime))
		return EFI_OUT_OF_RESOURCES;

	entry = (struct varlog_entry){
		.vendor = c->vendor,
		.attributes = c->attributes,
		.name = c->name,
		.name_size = c->name_size,
		.data = {old ? varstore_var_data(old) : NULL, c->data},
		.data_size = {c->keep, c->data_size},
	};
	err = varlog_replace(&v->log, &entry, old_ref, &source, ref);
	return err ? status_of(err) : EFI_SUCCESS;
}

EFI_STATUS vars_set(struct vars *v, const CHAR16 *name, const EFI_GUID *vendor,
		    UINT32 attributes, UINTN data_size, const VOID *data,
		    bool runtime)
{
	struct varstore *store = store_of(v, name, vendor, attributes);
	struct varstore_change change;
	uint32_t ref = 0;
	EFI_STATUS status;

	status = varstore_plan(store, name, vendor, attributes, data_size, data,
			       runtime, &change);
	if (status == EFI_OUT_OF_RESOURCES && store == &v->volatiles &&
	    grow_volatiles(v, runtime))
		status = varstore_plan(store, name, vendor, attributes,
				       data_size, data, runtime, &change);
	if (status != EFI_SUCCESS || change.kind == VARSTORE_NOTHING)
		return status;
	if (v->persistent && store == &v->store) {
		status = write_log(v, &change, runtime, &ref);
		if (status != EFI_SUCCESS)
			return status;
	}
	varstore_apply(store, &change, ref);
	return EFI_SUCCESS;
}

EFI_STATUS vars_query(const struct vars *v, UINT32 attributes,
		      UINT64 *max_storage, UINT64 *remaining,
		      UINT64 *max_variable, bool runtime)
{
	const struct varstore *store =
		is_nonvolatile(attributes) ? &v->store : &v->volatiles;
	EFI_STATUS status = varstore_query(store, attributes, max_storage,
					   remaining, max_variable, runtime);
	uint32_t capacity, limit;

	if (status != EFI_SUCCESS)
		return status;
	if (!is_nonvolatile(attributes)) {
		/* What they may take once moved, not the room left here. */
		if (can_grow(v, runtime))
			*remaining = *max_storage - v->volatiles.used;
		return status;
	}
	if (!v->persistent)
		return status;
	/* Non-volatile variables: what the log holds, in its own bytes. */
	capacity = varlog_capacity(&v->log);
	limit = log_limit(v, runtime);
	*max_storage = capacity;
	*remaining = v->log.live < limit ? limit - v->log.live : 0;
	*max_variable = largest_variable(&v->log);
	return EFI_SUCCESS;
}
