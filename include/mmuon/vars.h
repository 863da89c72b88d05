/* SPDX-License-Identifier: MIT */
/*
 * The UEFI variable service behind the runtime services: a varstore in RAM
 * (include/mmuon/varstore.h) that holds every variable, and, when a flash
 * bank holds one, the on-flash log (include/mmuon/varlog.h) that keeps the
 * non-volatile ones across resets and power loss.
 *
 * Reads are served from RAM. A change to a non-volatile variable is planned
 * in RAM, written to flash, and only then applied in RAM: if the flash
 * write fails, SetVariable fails and nothing changed.
 *
 * Quotas (QueryVariableInfo reports them):
 *   - non-volatile variables share the log's capacity (one area less its
 *     header, in flash record bytes); after ExitBootServices the OS may not
 *     use the last 1/VARS_RUNTIME_RESERVE_SHARE of it, so the firmware can
 *     always write its own variables at the next boot;
 *   - volatile variables share VARS_VOLATILE_BYTES of RAM;
 *   - one variable's name + data is at most VARS_MAX_VARIABLE bytes.
 * Without a flash store (vars_init_volatile) non-volatile variables take
 * the arena less the volatile variables' first part, and do not persist.
 *
 * Volatile variables are a store of their own. It starts in the last
 * VARS_VOLATILE_INITIAL_BYTES of the arena, which costs no RAM beyond what
 * mmuon always kept; the first SetVariable at boot that needs more room
 * moves it to VARS_VOLATILE_BYTES of RAM from `grow` (the firmware's
 * runtime data pages, src/efi/variables_setup.c). QueryVariableInfo
 * reports the whole budget from the start: clients size their variables by
 * it (shim 16.1 splits MokListXRT into one variable per signature when
 * Remaining is short, and then fills the store).
 *
 * Pure logic, host-tested (tests/unit/test_vars.c cuts the power at every
 * flash step); runs at runtime: no allocation, bounded stack.
 */
#ifndef MMUON_VARS_H
#define MMUON_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include <mmuon/flash.h>
#include <mmuon/varlog.h>
#include <mmuon/varstore.h>

/*
 * The store on QEMU's variable bank: two areas, each using 48 KiB of its
 * 256 KiB erase block. The RAM that mirrors it, plus the first 16 KiB of
 * volatile variables, is the 64 KiB mmuon always kept for variables: a
 * flash store costs no RAM after ExitBootServices beyond that. Volatile
 * variables may take 64 KiB (one runtime allocation unit) when clients
 * need it.
 */
#define VARS_AREA_SIZE (48 * 1024)
#define VARS_AREAS 2
#define VARS_VOLATILE_INITIAL_BYTES (16 * 1024)
#define VARS_VOLATILE_BYTES (64 * 1024)
#define VARS_MAX_VARIABLE (32 * 1024)
/* After ExitBootServices, 1/16th of the log (3 KiB) stays for the firmware. */
#define VARS_RUNTIME_RESERVE_SHARE 16

struct vars {
	struct varstore store;	   /* non-volatile variables */
	struct varstore volatiles; /* the others */
	struct varlog log;
	bool persistent; /* non-volatile variables go to the log */
	/*
	 * Zeroed or not, `size` bytes of RAM the OS keeps (runtime data),
	 * or NULL. Called only before ExitBootServices (vars_set with
	 * runtime false), when boot code is still there to call; NULL
	 * after vars_init_volatile() and vars_mount().
	 */
	void *(*grow)(size_t size);
};

/* What mounting the flash store found and did, for one console line. */
struct vars_report {
	struct varlog_report log;
	bool formatted;	  /* a new store was written */
	bool reclaimed;	  /* damage was cleaned up */
	int repair_error; /* the flash error that stopped a format or reclaim */
};

/* RAM a flash store with areas of this size needs (its mirror, plus the
 * volatile variables' first part). */
size_t vars_arena_size(uint32_t area_size);

/* No flash store: every variable in `size` bytes of RAM (split as above;
 * non-volatile ones do not persist). */
void vars_init_volatile(struct vars *v, void *arena, size_t size);

/*
 * Mounts the store on `flash` (areas of area_size, vars_arena_size() bytes
 * of arena): loads what is valid, reclaims if anything was damaged,
 * formats a blank, zeroed or foreign bank. Returns 0 when the store is in
 * use (v->persistent), else a varlog or flash error, and then v is not
 * initialized.
 */
int vars_mount(struct vars *v, void *arena, size_t arena_size,
	       const struct flash *flash, uint32_t area_size, unsigned areas,
	       struct vars_report *report);

EFI_STATUS vars_get(const struct vars *v, const CHAR16 *name,
		    const EFI_GUID *vendor, UINT32 *attributes,
		    UINTN *data_size, VOID *data, bool runtime);
EFI_STATUS vars_get_next(const struct vars *v, UINTN *name_size, CHAR16 *name,
			 EFI_GUID *vendor, bool runtime);
/* EFI_DEVICE_ERROR if the flash failed (nothing changed in RAM). */
EFI_STATUS vars_set(struct vars *v, const CHAR16 *name, const EFI_GUID *vendor,
		    UINT32 attributes, UINTN data_size, const VOID *data,
		    bool runtime);
EFI_STATUS vars_query(const struct vars *v, UINT32 attributes,
		      UINT64 *max_storage, UINT64 *remaining,
		      UINT64 *max_variable, bool runtime);

#endif
