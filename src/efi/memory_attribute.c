// SPDX-License-Identifier: MIT
/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10, section 37.7) on the live page
 * tables.
 *
 * The page tables are the truth: GetMemoryAttributes reads the descriptors
 * (RAM that nobody changed is read/write and execute-never, so it reports
 * EFI_MEMORY_XP), Set/ClearMemoryAttributes rewrite them through mmu_map()
 * with break-before-make, and record the change in the memory map with
 * efi_memory_set_attributes().
 *
 * Whose memory: a client may change only what it was given — pages from
 * AllocatePages/AllocatePool through the boot services table, and images
 * from LoadImage — of type EfiLoaderCode/Data or EfiBootServicesCode/Data.
 * Everything else the memory map describes is refused, as a whole, with
 * EFI_ACCESS_DENIED ("attributes ... controlled by system firmware", UEFI
 * 2.10 section 37.7): the firmware's code and runtime data, its stacks and
 * page tables, its own allocations (EfiBootServicesData too), MMIO, free
 * memory, and a client's runtime allocations (their permissions are the
 * memory attributes table's). Besides protecting the firmware, this keeps
 * break-before-make away from the code and tables doing it: changing the
 * block that holds them would unmap them mid-change. Ranges the map does
 * not describe are EFI_UNSUPPORTED.
 *
 * Attributes: EFI_MEMORY_RO is "no PG_WRITE", EFI_MEMORY_XP "no PG_EXEC".
 * EFI_MEMORY_RP would mean unmapping, which mmu_map() does not do: setting
 * it is EFI_UNSUPPORTED (clearing it from mapped pages is a no-op). Pages
 * that are not mapped at all (the stack guard page) read as RP | RO | XP and
 * cannot be changed.
 *
 * W^X: the firmware never makes memory writable and executable at once. A
 * change whose result would be RW+X anywhere in the range is refused, as a
 * whole, with EFI_UNSUPPORTED ("the bit mask of attributes is not supported
 * for the memory resource range"). So the order of calls matters: Linux's
 * stub first sets RO on its text and then clears XP on it (RO+X, allowed);
 * clearing XP first would ask for RW+X and fail.
 *
 * Cache maintenance for code written as data is the caller's duty, as in
 * every UEFI implementation (Linux cleans its image to the PoU before it
 * makes it executable); changing permissions does not load code.
 */
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/mmu.h>
#include <mmuon/sysreg.h>

#define SUPPORTED_ATTRIBUTES (EFI_MEMORY_RP | EFI_MEMORY_XP | EFI_MEMORY_RO)

/* A run of addresses that one descriptor (or one hole) translates. */
struct span {
	uint64_t start, end;
	bool mapped;
	unsigned flags; /* PG_*, when mapped */
};

static unsigned flags_of(uint64_t desc)
{
	const struct pte_format *f = mmu_tables()->format;
	unsigned attr_index = (desc >> 2) & 7;
	unsigned flags = 0;

	if (attr_index == MT_DEVICE_nGnRE)
		flags |= PG_DEVICE;
	else if (attr_index == MT_DEVICE_nGnRnE)
		flags |= PG_DEVICE | PG_DEVICE_UC;
	if ((desc & (f->ap_rw | f->ap_ro)) == f->ap_rw)
		flags |= PG_WRITE;
	if ((desc & f->xn) != f->xn)
		flags |= PG_EXEC;
	return flags;
}

/* The span starting at va, clipped to end. */
static struct span span_at(uint64_t va, uint64_t end)
{
	uint64_t block = PAGE_SIZE;
	uint64_t desc = pgtable_lookup(mmu_tables(), va, &block);
	uint64_t block_end = (va & ~(block - 1)) + block;
	struct span s = {
		.start = va,
		.end = block_end < end ? block_end : end,
		.mapped = desc != 0,
		.flags = desc ? flags_of(desc) : 0,
	};

	return s;
}

static UINT64 attributes_of(const struct span *s)
{
	UINT64 attributes = 0;

	if (!s->mapped)
		return EFI_MEMORY_RP | EFI_MEMORY_RO | EFI_MEMORY_XP;
	if (!(s->flags & PG_WRITE))
		attributes |= EFI_MEMORY_RO;
	if (!(s->flags & PG_EXEC))
		attributes |= EFI_MEMORY_XP;
	return attributes;
}

static bool range_is_valid(EFI_PHYSICAL_ADDRESS base, UINT64 length)
{
	return length && !(base & EFI_PAGE_MASK) && !(length & EFI_PAGE_MASK) &&
	       base + length > base;
}

/* The memory map must describe the whole range: we do not change what
 * is not memory we know. */
static bool range_is_described(EFI_PHYSICAL_ADDRESS base, UINT64 length)
{
	UINT64 ignored;

	return efi_memory_get_attributes(base, length, &ignored) !=
	       EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI get_memory_attributes(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *this, EFI_PHYSICAL_ADDRESS base,
	UINT64 length, UINT64 *attributes)
{
	uint64_t end = base + length, va;
	UINT64 common = 0;

	if (!this || !attributes || !range_is_valid(base, length))
		return EFI_INVALID_PARAMETER;
	if (!range_is_described(base, length))
		return EFI_UNSUPPORTED;
	for (va = base; va < end;) {
		struct span s = span_at(va, end);

		if (va == base)
			common = attributes_of(&s);
		else if (attributes_of(&s) != common)
			return EFI_NO_MAPPING; /* not one set of attributes */
		va = s.end;
	}
	*attributes = common;
	return EFI_SUCCESS;
}

static unsigned changed_flags(unsigned flags, UINT64 set, UINT64 clear)
{
	if (set & EFI_MEMORY_RO)
		flags &= ~PG_WRITE;
	if (set & EFI_MEMORY_XP)
		flags &= ~PG_EXEC;
	if (clear & EFI_MEMORY_RO)
		flags |= PG_WRITE;
	if (clear & EFI_MEMORY_XP)
		flags |= PG_EXEC;
	return flags;
}

/* Everything mapped, and no span would end up writable and executable. */
static EFI_STATUS check_change(uint64_t base, uint64_t end, UINT64 set,
			       UINT64 clear)
{
	uint64_t va;

	for (va = base; va < end;) {
		struct span s = span_at(va, end);
		unsigned flags;

		if (!s.mapped)
			return EFI_UNSUPPORTED;
		flags = changed_flags(s.flags, set, clear);
		if ((flags & PG_WRITE) && (flags & PG_EXEC))
			return EFI_UNSUPPORTED;
		va = s.end;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS map_run(uint64_t start, uint64_t end, unsigned flags)
{
	int rc = mmu_map(start, end - start, flags);

	if (rc == PG_ERR_NO_MEMORY)
		return EFI_OUT_OF_RESOURCES;
	return rc ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

/*
 * Remaps the spans whose flags change, merging neighbours that get the same
 * flags into one mmu_map() call (one break-before-make per run rather than
 * per block). Spans already right are left alone.
 */
static EFI_STATUS apply_change(uint64_t base, uint64_t end, UINT64 set,
			       UINT64 clear)
{
	uint64_t va, run_start = 0, run_end = 0;
	unsigned run_flags = 0;
	bool in_run = false;
	EFI_STATUS status;

	for (va = base; va < end;) {
		struct span s = span_at(va, end);
		unsigned flags = changed_flags(s.flags, set, clear);

		va = s.end;
		if (flags == s.flags)
			continue;
		if (in_run && run_end == s.start && flags == run_flags) {
			run_end = s.end;
			continue;
		}
		if (in_run) {
			status = map_run(run_start, run_end, run_flags);
			if (status != EFI_SUCCESS)
				return status;
		}
		in_run = true;
		run_start = s.start;
		run_end = s.end;
		run_flags = flags;
	}
	return in_run ? map_run(run_start, run_end, run_flags) : EFI_SUCCESS;
}

static EFI_STATUS change_attributes(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
				    EFI_PHYSICAL_ADDRESS base, UINT64 length,
				    UINT64 set, UINT64 clear)
{
	UINT64 attributes = set | clear;
	EFI_STATUS status;

	if (!this || !range_is_valid(base, length) || !attributes ||
	    (attributes & ~SUPPORTED_ATTRIBUTES))
		return EFI_INVALID_PARAMETER;
	if (!range_is_described(base, length))
		return EFI_UNSUPPORTED;
	if (!efi_memory_client_owns(base, length))
		return EFI_ACCESS_DENIED;
	if (set & EFI_MEMORY_RP)
		return EFI_UNSUPPORTED;
	status = check_change(base, base + length, set, clear);
	if (status != EFI_SUCCESS)
		return status;
	/* The map first: it fails atomically, the page tables may not. */
	status = efi_memory_set_attributes(base, length, set & ~EFI_MEMORY_RP,
					   clear & ~EFI_MEMORY_RP);
	if (status != EFI_SUCCESS)
		return status;
	return apply_change(base, base + length, set, clear);
}

static EFI_STATUS EFIAPI set_memory_attributes(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *this, EFI_PHYSICAL_ADDRESS base,
	UINT64 length, UINT64 attributes)
{
	return change_attributes(this, base, length, attributes, 0);
}

static EFI_STATUS EFIAPI clear_memory_attributes(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *this, EFI_PHYSICAL_ADDRESS base,
	UINT64 length, UINT64 attributes)
{
	return change_attributes(this, base, length, 0, attributes);
}

static EFI_MEMORY_ATTRIBUTE_PROTOCOL memory_attribute_protocol = {
	.GetMemoryAttributes = get_memory_attributes,
	.SetMemoryAttributes = set_memory_attributes,
	.ClearMemoryAttributes = clear_memory_attributes,
};

void efi_memory_attribute_install(void)
{
	EFI_HANDLE handle = NULL;
	EFI_STATUS status;

	status = efi_install_multiple_protocol_interfaces(
		&handle, &(EFI_GUID)EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID,
		&memory_attribute_protocol, NULL);
	if (status != EFI_SUCCESS)
		printf("mmuon: cannot install the memory attribute protocol: "
		       "0x%llx\n",
		       (unsigned long long)status);
}
