// SPDX-License-Identifier: MIT
/*
 * Packing BARs and bridge windows into an address range. BAR sizes are
 * powers of two and each BAR is aligned to its size, so placing the
 * largest alignments first leaves no gap between them; bridge windows
 * (multiples of 1 MiB or 4 KiB, aligned to their largest child) may leave
 * one, which the alignment step absorbs. Pure logic, host-tested.
 */
#include <mmuon/pci.h>

/* Insertion sort, largest alignment first, then largest size: a bus has
 * a few dozen resources at most. Stable, so the order is deterministic. */
static void sort_by_alignment(struct pci_resource *res, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct pci_resource r = res[i];

		for (j = i; j > 0 && (res[j - 1].align < r.align ||
				      (res[j - 1].align == r.align &&
				       res[j - 1].size < r.size));
		     j--)
			res[j] = res[j - 1];
		res[j] = r;
	}
}

uint64_t pci_pack(struct pci_resource *res, size_t n, uint64_t base)
{
	uint64_t at = base;
	size_t i;

	sort_by_alignment(res, n);
	for (i = 0; i < n; i++) {
		uint64_t a = res[i].align ? res[i].align : 1;

		if (at > UINT64_MAX - (a - 1))
			return UINT64_MAX;
		at = (at + a - 1) & ~(a - 1);
		res[i].addr = at;
		if (res[i].size > UINT64_MAX - at)
			return UINT64_MAX;
		at += res[i].size;
	}
	return at;
}
