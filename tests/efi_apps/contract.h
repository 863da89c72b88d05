/* SPDX-License-Identifier: MIT */
/*
 * What the contract checker's files share: the state read at entry, the
 * "CONTRACT <name>: PASS|FAIL <detail>" reporting, and the range checks.
 * The contract itself is docs/boot-protocol.md.
 */
#ifndef CONTRACT_H
#define CONTRACT_H

#include <efi.h>

#include "detail.h"
#include <efilib.h>

#include "ptwalk.h"

#define PAGE_SIZE 4096ull
#define PAGE_MASK (PAGE_SIZE - 1)

/* The MAIR bytes the contract promises (Arm ARM D17.2.97). */
#define ATTR_DEVICE_nGnRE 0x04
#define ATTR_DEVICE_nGnRnE 0x00
#define ATTR_NORMAL_WB 0xff
#define SH_INNER 3

/* SCTLR_ELx.WXN, the same at EL1 and at EL2 with E2H = 0. */
#define SCTLR_WXN (1ull << 19)

/* QEMU virt's first flash bank, where mmuon's code runs: [0, 64 MiB). The
 * second, the variable store, is a device (the "devices" check). */
#define FLASH_BASE 0x0ull
#define FLASH_SIZE 0x4000000ull

/* What a range must allow, beyond identity and Normal WB. */
enum perm {
	PERM_ANY, /* not checked */
	PERM_RX,  /* code: executable, read-only */
	PERM_RW,  /* data: writable, execute-never */
	PERM_RO,  /* read-only, execute-never */
	PERM_RWX, /* writable and executable (images without NX_COMPAT) */
};

/* The registers the contract is about, as found at entry. */
struct cpu_state {
	unsigned el;
	bool e2h; /* EL2 with HCR_EL2.E2H = 1: the EL1 register layouts */
	uint64_t daif, sctlr, tcr, mair, ttbr0, hcr;
	uint64_t sp; /* at efi_main, before anything else */
};

extern struct cpu_state cpu;
extern struct pt_regime regime;

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* Prints one CONTRACT line with the detail said so far, then forgets it. */
void report(const char *name, BOOLEAN ok);
/* say(), say_more(), why(), said(): see detail.h. */

/*
 * [start, end), rounded out to pages: identity-mapped, Normal WB, inner
 * shareable, with @perm; the MMU (AT) must agree with the walk. On
 * failure the detail says where and why.
 */
BOOLEAN range_ok(uint64_t start, uint64_t end, enum perm perm);

/* contract_mem.c: what is mapped, and how. */
void check_image(EFI_LOADED_IMAGE *li);
void check_flash(void);
void check_stack(void);
void check_mmio(void);
void check_allocate_pages(void);
void check_allocate_pool(void);
/*
 * AllocatePages(EfiLoaderCode): RW+XN for an NX_COMPAT image, RWX (and
 * code put there runs) for one without. The pages stay allocated until
 * free_code_allocation(), so that check_leaves() can tell them from any
 * other W+X mapping.
 */
void check_allocate_code(EFI_LOADED_IMAGE *li);
void free_code_allocation(void);
void check_leaves(void);
void check_ram(void);

#endif
