/* SPDX-License-Identifier: MIT */
/*
 * Building stage 1 translation tables: 4 KiB granule, 39- to 48-bit VA,
 * walks starting at level 1 (39 bits) or level 0 (more); mmuon's own are
 * MMUON_VA_BITS (see TCR in include/mmuon/sysreg.h). Pure logic: the
 * caller supplies zeroed tables and, for live tables, a hook that performs
 * the "break" of break-before-make. Host-testable.
 */
#ifndef MMUON_PGTABLE_H
#define MMUON_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull

/* What a range is: memory type and permissions. Writable and executable
 * together is refused (W^X), unless PG_LEGACY_WX says it is wanted. */
#define PG_DEVICE (1u << 0) /* Device-nGnRE; else Normal write-back */
#define PG_WRITE (1u << 1)
#define PG_EXEC (1u << 2)
/*
 * Pages that hold live translation tables (with PG_WRITE). They are marked
 * in a software bit of their descriptors, so a table mapping one of them
 * is never uniform and never folded into a block: the entries that map
 * the tables themselves are never broken, not even for a moment.
 */
#define PG_TABLES (1u << 3)
/*
 * With PG_WRITE | PG_EXEC: map it writable and executable anyway. Only for
 * the code of EFI images built without NX_COMPAT, which need it (see
 * src/efi/image.c); nothing else asks for it.
 */
#define PG_LEGACY_WX (1u << 4)
/*
 * Device-nGnRnE instead of PG_DEVICE: what EFI_MEMORY_UC means on AArch64
 * (UEFI 2.10 section 2.3.6.1), for MMIO the memory map describes as UC, so
 * that the firmware and an OS mapping it from the map use one memory type.
 */
#define PG_DEVICE_UC (1u << 5)

/* How a translation regime encodes permissions (see include/mmuon/pte.h). */
struct pte_format {
	uint64_t ap_rw;
	uint64_t ap_ro;
	uint64_t xn;	 /* execute-never, for everything not PG_EXEC */
	uint64_t xn_el0; /* on every mapping: nothing runs at EL0 */
};

extern const struct pte_format pte_format_el1; /* EL1&0 regime */
extern const struct pte_format pte_format_el2; /* EL2 (E2H = 0) and EL3 */

struct pgtable {
	uint64_t *root; /* level 1 table (va_bits 39), else level 0 */
	/* Input address size, 64 - TCR.T0SZ: 39 to 48. Mapped addresses must
	 * lie below 2^va_bits (the map is 1:1). */
	unsigned va_bits;
	const struct pte_format *format;
	/* Returns a zeroed, 4 KiB-aligned table, or NULL. */
	uint64_t *(*alloc_table)(void *ctx);
	/*
	 * Takes back a table that no entry points to any more, after the
	 * break-before-make that unlinked it (NULL: tables are not reused).
	 */
	void (*free_table)(void *ctx, uint64_t *table);
	/*
	 * Live tables only (NULL while building tables not yet in use): make
	 * *entry invalid and invalidate every TLB entry it may have produced
	 * for [va, va + size), before it is replaced by an entry of another
	 * size or output (Arm ARM D8.16.1, break-before-make).
	 */
	void (*break_entry)(void *ctx, uint64_t *entry, uint64_t va,
			    uint64_t size);
	void *ctx;
};

/*
 * A range needs new tables only where it covers a level 1 or level 2
 * entry in part: at its start and at its end, one level 2 and one level 3
 * table each; with a level 0 root, also a level 1 table under each level 0
 * entry it reaches that has none yet (there are no level 0 blocks): two
 * for a range within 512 GiB.
 */
#define PGTABLE_MAP_MAX_TABLES 6

enum pg_error {
	PG_OK = 0,
	PG_ERR_WX = -1,	       /* writable and executable, not PG_LEGACY_WX */
	PG_ERR_ALIGN = -2,     /* not page aligned */
	PG_ERR_RANGE = -3,     /* outside the VA space */
	PG_ERR_NO_MEMORY = -4, /* alloc_table failed */
};

/* Identity-maps [pa, pa + size) with the given PG_* flags, replacing what
 * was mapped there, splitting blocks where needed and folding tables that
 * become uniform back into blocks. At most PGTABLE_MAP_MAX_TABLES new
 * tables are needed. */
int pgtable_map(struct pgtable *pt, uint64_t pa, uint64_t size, unsigned flags);

/* 2^va_bits: the first address the tables cannot map. */
uint64_t pgtable_va_limit(const struct pgtable *pt);

/* The descriptor translating va (0 if none) and the size it maps. */
uint64_t pgtable_lookup(const struct pgtable *pt, uint64_t va,
			uint64_t *block_size);

/* The descriptor bits a mapping with these flags gets (no address). */
uint64_t pgtable_leaf_attrs(const struct pte_format *format, unsigned flags);

#endif
