/* SPDX-License-Identifier: MIT */
/*
 * A software walker for the live stage 1 translation tables: VMSAv8-64,
 * 4 KiB granule, TTBR0 of the EL1&0 regime, of the EL2 regime
 * (HCR_EL2.E2H = 0) or of the EL2&0 regime (E2H = 1, whose descriptors have
 * the EL1 format) (Arm ARM D8.2, D8.3, D8.4). It decodes what the tables
 * say, hierarchical permissions included, so that the checker can compare
 * it with the contract and with the MMU's own answer (AT).
 */
#ifndef CONTRACT_PTWALK_H
#define CONTRACT_PTWALK_H

#include <stdbool.h>
#include <stdint.h>

struct pt_regime {
	unsigned el;	      /* 1: EL1&0 (TTBR0_EL1); 2: EL2 or EL2&0 */
	bool e2h;	      /* EL2&0 (HCR_EL2.E2H = 1): EL1-format entries */
	uint64_t root;	      /* TTBR0 base address */
	unsigned va_bits;     /* 64 - T0SZ */
	unsigned start_level; /* where the walk starts, from va_bits */
	bool hpd;	      /* TCR.HPD(0): table permission bits ignored */
	uint64_t mair;
};

/* What one table entry says about the addresses it covers. */
struct pt_leaf {
	unsigned level; /* of the leaf, or of the invalid entry */
	uint64_t base;	/* first VA the entry covers */
	uint64_t size;	/* bytes it covers */
	uint64_t desc;	/* the descriptor (0 when none was read) */
	uint64_t entry; /* where the descriptor is (lookups only) */
	uint64_t oa;	/* output address of base */
	uint8_t attr;	/* the MAIR byte AttrIndx selects */
	unsigned sh;	/* SH[1:0] */
	bool write;	/* writable at the regime's EL, hierarchy applied */
	bool exec;	/* executable at the regime's EL, hierarchy applied */
};

enum pt_status {
	PT_MAPPED,
	PT_UNMAPPED,	 /* an invalid entry: level/base/size say which */
	PT_OUT_OF_RANGE, /* VA beyond the input range (T0SZ) */
	PT_BAD_DESC,	 /* a block where the architecture allows none */
	PT_BAD_TABLE,	 /* a next-level table not readable 1:1 (base) */
};

struct pt_stats {
	uint64_t leaves[4]; /* valid blocks/pages per level */
	uint64_t tables;    /* tables visited, the root included */
	uint64_t bad;	    /* unreadable tables and reserved encodings */
	uint64_t first_bad; /* address of the first one */
};

typedef void pt_leaf_fn(void *ctx, const struct pt_leaf *leaf);

/* Fills @r's derived fields (start level) from el, root, va_bits. */
void pt_regime_init(struct pt_regime *r);

/* The entry that translates @va; @leaf is filled for every status. */
enum pt_status pt_lookup(const struct pt_regime *r, uint64_t va,
			 struct pt_leaf *leaf);

/* Calls @fn for every valid block or page, in VA order. */
void pt_for_each_leaf(const struct pt_regime *r, pt_leaf_fn *fn, void *ctx,
		      struct pt_stats *stats);

const char *pt_status_str(enum pt_status status);

#endif
