/* SPDX-License-Identifier: MIT */
/*
 * What the files of services_check.efi share: the reporting, the clock,
 * memory map snapshots, and one entry point per group of checks.
 *
 * Each check prints one line
 *
 *     SERVICES <name>: PASS|FAIL <detail>
 *
 * where the detail says what was measured, or for a failure the first
 * thing that went wrong: the service, its input, what the spec wants and
 * what came back.
 */
#ifndef SERVICES_H
#define SERVICES_H

#include <efi.h>

#include "detail.h"
#include <efilib.h>

#define PAGE_SIZE 4096ull
#define PAGE_MASK (PAGE_SIZE - 1)
#define SZ_64K 0x10000ull

/*
 * UEFI 2.10 memory types past the ones gnu-efi 3.0.15 knows, and the
 * range AllocatePages/AllocatePool must refuse (section 7.2).
 */
#define MEM_PERSISTENT 14
#define MEM_UNACCEPTED 15
#define MEM_MAX_TYPE 16
#define MEM_OEM_FIRST 0x70000000u
#define MEM_OS_FIRST 0x80000000u

extern EFI_HANDLE self;
extern EFI_LOADED_IMAGE *self_image;

/* ---- reporting (services_check.c) ---------------------------------------- */

/* Prints one SERVICES line with the detail said so far, then forgets it. */
void report(const char *name, BOOLEAN ok);
/* say(), say_more(), why(), said(): see detail.h. */
/* A line of its own, not a check (prompts, notes). */
void out(const CHAR16 *fmt, ...);
/*
 * Whether @got is @want; if not, the detail becomes
 * "<what>: <got> (0x..), want <want>".
 */
BOOLEAN status_is(EFI_STATUS got, EFI_STATUS want, const CHAR16 *what);

/*
 * fn(args) through canary_call(): whether x18 and the callee-saved
 * registers came back as they were; the detail gets "<what> <status>; ".
 */
BOOLEAN call_preserves(const CHAR16 *what, void *fn, const UINT64 args[5],
		       EFI_STATUS *status);

/* ---- time: the generic timer, read directly ------------------------------ */

/* Microseconds since an arbitrary start, from CNTVCT_EL0 and CNTFRQ_EL0. */
UINT64 now_us(void);

/* ---- memory map snapshots (services_memory.c) ---------------------------- */

struct memmap {
	UINT8 *buf; /* from AllocatePool */
	UINTN cap;  /* bytes in buf */
	UINTN size, key, desc_size;
	UINT32 version;
};

#define MEMMAP_FOR_EACH(m, d)                                                  \
	for (d = (EFI_MEMORY_DESCRIPTOR *)(m)->buf;                            \
	     (UINT8 *)d < (m)->buf + (m)->size;                                \
	     d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)d + (m)->desc_size))

/*
 * GetMemoryMap into a fresh pool buffer, growing it as asked: what a
 * loader does. memmap_free() frees it.
 */
EFI_STATUS memmap_get(struct memmap *m);
void memmap_free(struct memmap *m);
/*
 * The map now, in a buffer allocated once by memmap_scratch_init(): a
 * look at the map that does not itself allocate, so that it cannot land
 * in (or change the key of) what a check is looking at. NULL on failure.
 */
void memmap_scratch_init(void);
const struct memmap *memmap_now(void);
/* The descriptor holding @addr, or NULL. */
EFI_MEMORY_DESCRIPTOR *memmap_find(const struct memmap *m,
				   EFI_PHYSICAL_ADDRESS addr);
/* The type of the page holding @addr (or ~0 if the map has no such page). */
UINT32 memmap_type_at(EFI_PHYSICAL_ADDRESS addr);

/* ---- the child image (services_image.c) ----------------------------------- */

/* LoadImage of the embedded child.efi from its buffer, parent us. */
EFI_STATUS load_child(EFI_HANDLE *h);
/* The loaded image protocol on @h, or NULL. */
EFI_LOADED_IMAGE *loaded_image(EFI_HANDLE h);

/* ---- the groups of checks ------------------------------------------------ */

void check_events(void);       /* services_events.c */
void check_memory(void);       /* services_memory.c */
void check_memattr(void);      /* services_memattr.c */
void check_bad_pointers(void); /* services_memory.c, services_protocols.c */
void check_bad_handles(void);  /* services_protocols.c */
void check_images(void);       /* services_image.c */
void check_loader_fs(void);    /* services_loader_fs.c */
void check_protocols(void);    /* services_protocols.c */
void check_runtime(void);      /* services_runtime.c */
void check_misc(void);	       /* services_runtime.c */
void check_keys(void);	       /* services_keys.c */
/* Last: it would end boot services if mmuon took a stale key. */
void check_exit_boot_services_stale_key(void);

/*
 * services_asm.S: calls fn(args[0], ..., args[4]) with x18, x19-x28 and
 * d8-d15 set to known values, and stores in *changed a bit per register
 * that the call did not preserve (bits 0-9 x19-x28, bits 10-17 d8-d15,
 * bit 18 x18). For StartImage, whose return after an Exit() from deep
 * inside the child must restore what AAPCS64 says a callee preserves, and
 * for the services, which must not touch x18 (UEFI 2.10 section 2.3.6.4).
 */
#define CHANGED_CALLEE_SAVED 0x3ffffull
#define CHANGED_X18 (1ull << 18)
UINT64 canary_call(void *fn, const UINT64 args[5], UINT64 *changed);

#endif
