/* SPDX-License-Identifier: MIT */
/*
 * The EFI memory map and page allocator: pure logic on a caller-owned
 * struct memmap, no hardware access, no hidden state.
 *
 * The map is a sorted list of non-overlapping page ranges, each with an EFI
 * memory type and attributes; neighbours that are identical are always
 * merged. Holes (addresses with no entry) are allowed: they are not memory.
 *
 * Every modification is atomic: the new list is built in a second array and
 * swapped in only when complete, so an operation that would need more than
 * `capacity` entries fails with EFI_OUT_OF_RESOURCES and leaves the map as it
 * was. Every successful modification changes the map key.
 *
 * Attribute policy (see MEMMAP_RAM_ATTR): RAM carries the cacheability
 * capabilities UC|WC|WT|WB; allocated pages keep the capabilities of the RAM
 * they came from. Runtime types (runtime code/data, MMIO, MMIO port space)
 * always carry EFI_MEMORY_RUNTIME; other types get it only when asked.
 */
#ifndef MMUON_MEMMAP_H
#define MMUON_MEMMAP_H

#include <efi/memory.h>
#include <efi/status.h>
#include <efi/types.h>

/*
 * Entries a firmware map needs: a handful of RAM banks and reservations,
 * plus one or two per allocation the OS loader makes.
 */
#define MEMMAP_DEFAULT_CAPACITY 128

/*
 * What RAM can be mapped as. On arm64 any normal memory page can take any
 * MAIR memory type, so RAM advertises all four cacheability capabilities
 * (as EDK2 does for arm64 RAM). Linux treats a range as usable RAM only if
 * EFI_MEMORY_WB is present; UCE and WP have no arm64 meaning.
 */
#define MEMMAP_RAM_ATTR                                                        \
	(EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)

/*
 * The stride of the descriptors GetMemoryMap returns: the struct size rounded
 * up to 8 bytes (that is, 40). Clients must use the DescriptorSize they are
 * given; we report exactly the stride we write.
 */
#define MEMMAP_DESC_SIZE ((sizeof(EFI_MEMORY_DESCRIPTOR) + 7) & ~(size_t)7)

/*
 * GetMemoryMap's answer to a too-small buffer includes room for this many
 * more descriptors than the map has now: the caller will allocate its buffer
 * from the pool, and one allocation can split a free range in the middle
 * (+2 entries). Four allow for the pool needing two fresh page runs.
 */
#define MEMMAP_GETMAP_SLACK 4

struct memmap_entry {
	EFI_PHYSICAL_ADDRESS start; /* page aligned */
	uint64_t pages;		    /* never 0 */
	uint64_t attr;
	EFI_MEMORY_TYPE type;
	/*
	 * Made by memmap_allocate(), so memmap_free() may release it. Ranges
	 * added by memmap_add() (reserved memory, the firmware itself) are
	 * not: freeing them would hand them to the OS as RAM.
	 */
	bool allocated;
	/*
	 * Handed to a client (by AllocatePages, AllocatePool or LoadImage),
	 * so its permissions are the client's to change; everything else,
	 * the firmware's own allocations included, is not. See
	 * memmap_give().
	 */
	bool client;
};

struct memmap {
	struct memmap_entry *entries; /* sorted by start, merged */
	struct memmap_entry *spare;   /* where the next version is built */
	size_t count;
	size_t capacity; /* of each of the two arrays */
	uint64_t key;	 /* changes on every modification */
};

/*
 * Start an empty map. `storage` holds 2 * capacity entries: the map and the
 * array each modification is built in.
 */
void memmap_init(struct memmap *map, struct memmap_entry *storage,
		 size_t capacity);

/*
 * Describe [start, start + pages pages) as `type`, replacing whatever the
 * range was before, holes included. For platform setup: add RAM banks first,
 * then reservations and the firmware's own memory on top. Rounding a byte
 * range to pages (inwards for RAM, outwards for reservations) is the
 * caller's policy. EFI_INVALID_PARAMETER for an unaligned start, no pages or
 * a range past 2^64; EFI_OUT_OF_RESOURCES when the map is full.
 */
EFI_STATUS memmap_add(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		      uint64_t pages, EFI_MEMORY_TYPE type, uint64_t attr);

static inline EFI_STATUS
memmap_add_ram(struct memmap *map, EFI_PHYSICAL_ADDRESS start, uint64_t pages)
{
	return memmap_add(map, start, pages, EfiConventionalMemory,
			  MEMMAP_RAM_ATTR);
}

/*
 * AllocatePages. `how` and `*addr` as in UEFI: AllocateAnyPages takes the
 * highest suitable free range; AllocateMaxAddress the highest whose last
 * byte is <= *addr; AllocateAddress exactly *addr, every page of which must
 * be free conventional memory (else EFI_NOT_FOUND). `align` is a power of
 * two in bytes (0 or anything up to EFI_PAGE_SIZE means page alignment).
 * Errors: EFI_INVALID_PARAMETER (bad how, a type UEFI does not allow,
 * pages == 0, NULL addr, bad align), EFI_OUT_OF_RESOURCES (no room, or the
 * map is full), EFI_NOT_FOUND (AllocateAddress).
 */
EFI_STATUS memmap_allocate(struct memmap *map, EFI_ALLOCATE_TYPE how,
			   EFI_MEMORY_TYPE type, uint64_t pages, uint64_t align,
			   EFI_PHYSICAL_ADDRESS *addr);

/*
 * FreePages of any page-granular part of what memmap_allocate() gave out,
 * possibly spanning adjacent allocations of the same type. EFI_NOT_FOUND if
 * any page was not allocated, or the range mixes memory types (as EDK2, a
 * free must lie within allocations of one type); EFI_INVALID_PARAMETER for
 * an unaligned start or pages == 0. Freed pages lose EFI_MEMORY_RUNTIME and
 * the RP/XP/RO protections.
 */
EFI_STATUS memmap_free(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		       uint64_t pages);

/* What memmap_free() would answer, without freeing: for a caller that must
 * prepare the pages (their page tables) before they are free. */
EFI_STATUS memmap_check_free(const struct memmap *map,
			     EFI_PHYSICAL_ADDRESS start, uint64_t pages);

/*
 * Randomized placement: the number of `align`-aligned addresses where
 * `pages` pages of free conventional memory fit with their last byte at or
 * below `max`, counted over all free memory; and the index-th of them in
 * ascending order (EFI_NOT_FOUND past the end). Allocate the chosen one with
 * AllocateAddress.
 */
uint64_t memmap_count_slots(const struct memmap *map, uint64_t pages,
			    uint64_t align, EFI_PHYSICAL_ADDRESS max);
EFI_STATUS memmap_slot_address(const struct memmap *map, uint64_t pages,
			       uint64_t align, EFI_PHYSICAL_ADDRESS max,
			       uint64_t index, EFI_PHYSICAL_ADDRESS *addr);

/*
 * Allocate at the slot that `random` (64 uniformly random bits) selects,
 * slot index = (slots * random) >> 64, so no slot is favoured by more than
 * slots / 2^64. EFI_OUT_OF_RESOURCES when there is no slot.
 */
EFI_STATUS memmap_allocate_random(struct memmap *map, EFI_MEMORY_TYPE type,
				  uint64_t pages, uint64_t align,
				  EFI_PHYSICAL_ADDRESS max, uint64_t random,
				  EFI_PHYSICAL_ADDRESS *addr);

/*
 * Marks an allocation (every page allocated, of one type) as the client's:
 * memmap_allocate() makes the firmware's. EFI_NOT_FOUND otherwise,
 * EFI_INVALID_PARAMETER for a bad range, EFI_OUT_OF_RESOURCES when the map
 * is full (the mark can split an entry). Freeing the pages ends it.
 */
EFI_STATUS memmap_give(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		       uint64_t pages);

/*
 * For the memory attribute protocol: on every page of the range,
 * attr = (attr & ~clear) | set, splitting entries at the range's ends. The
 * range must be fully described (else EFI_NOT_FOUND); EFI_MEMORY_RUNTIME
 * follows the type and cannot be changed here (EFI_INVALID_PARAMETER).
 * Which bits a protocol accepts is the protocol's business.
 */
EFI_STATUS memmap_set_attributes(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
				 uint64_t pages, uint64_t set, uint64_t clear);

/*
 * The attribute bits in `mask` common to the whole range: EFI_NOT_FOUND if
 * the range is not fully described, EFI_NO_MAPPING if they differ within it.
 */
EFI_STATUS memmap_get_attributes(const struct memmap *map,
				 EFI_PHYSICAL_ADDRESS start, uint64_t pages,
				 uint64_t mask, uint64_t *attr);

/* The entry containing `addr`, or NULL. Valid until the next change. */
const struct memmap_entry *memmap_lookup(const struct memmap *map,
					 EFI_PHYSICAL_ADDRESS addr);

/*
 * GetMemoryMap. Writes the map as EFI_MEMORY_DESCRIPTORs (VirtualStart 0,
 * stride MEMMAP_DESC_SIZE), merging neighbours that differ only in who made
 * them. *desc_size and *desc_version are set whenever non-NULL, also on
 * EFI_BUFFER_TOO_SMALL, because Linux's stub sizes its buffer from the first
 * call's descriptor size. A buffer too small gets EFI_BUFFER_TOO_SMALL and
 * *size = the size needed plus MEMMAP_GETMAP_SLACK descriptors. On success
 * *size is the bytes written and *key the map key.
 */
EFI_STATUS memmap_get(const struct memmap *map, UINTN *size,
		      EFI_MEMORY_DESCRIPTOR *buf, UINTN *key, UINTN *desc_size,
		      UINT32 *desc_version);

static inline uint64_t memmap_key(const struct memmap *map)
{
	return map->key;
}

#endif
