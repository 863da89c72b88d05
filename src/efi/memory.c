// SPDX-License-Identifier: MIT
/*
 * Memory services (UEFI 2.10 section 7.2) on top of the pure memory map in
 * memmap.c, and the firmware's own allocations.
 *
 * What the map says about mmuon itself (docs/architecture.md, "Memory"):
 *   runtime code         EfiRuntimeServicesCode  (the RAM copy the runtime
 *                                                 services run from)
 *   runtime data, arena  EfiRuntimeServicesData  (their globals, the system
 *                                                 table, efi_zalloc_runtime)
 *   .data/.bss, stacks,  EfiBootServicesData     (the OS may reuse them once
 *   page tables                                   it runs on its own tables)
 *   boot code            EfiBootServicesCode     (decompressed from flash:
 *                                                 code_load.h)
 *   DTB                  EfiBootServicesData     (the stub copies it)
 *   PL031 RTC            EfiMemoryMappedIO       (GetTime/SetTime)
 * The flash is not in the map: nothing runs from it after ExitBootServices,
 * and it is a device (the DT gives it to the OS's flash driver), not RAM.
 *   variable flash       EfiMemoryMappedIO       (SetVariable; variables.c)
 * Runtime regions are 64 KiB aligned (UEFI 2.10 section 2.3.6).
 *
 * Pools: each AllocatePool gets whole pages with a small header in front,
 * so that FreePool can check what it is given before trusting it. Simple,
 * exact in the memory map, and cheap at the few dozen pools a boot makes.
 */
#include <string.h>

#include <mmuon/code_load.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/layout.h>
#include <mmuon/memmap.h>
#include <mmuon/mmu.h>
#include <mmuon/panic.h>
#include <mmuon/runtime.h>

#define SZ_64K 0x10000ull
#define POOL_MAGIC 0x6c6f6f506e6f756dull /* "muonPool" */

extern char __data_start[], __fw_ram_end[];

struct pool_header {
	uint64_t magic;
	uint64_t pages;
	uint64_t size;
	uint64_t type;
};

static struct memmap_entry map_storage[2 * MEMMAP_DEFAULT_CAPACITY];
static struct memmap map;
static uint8_t *runtime_arena = (uint8_t *)__rt_arena_start;

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void reserve(uint64_t start, uint64_t end, EFI_MEMORY_TYPE type,
		    uint64_t attr, const char *what)
{
	start &= ~(EFI_PAGE_SIZE - 1);
	end = align_up(end, EFI_PAGE_SIZE);
	if (memmap_add(&map, start, (end - start) >> EFI_PAGE_SHIFT, type,
		       attr) != EFI_SUCCESS)
		panic("cannot describe %s in the memory map", what);
}

/*
 * Pages for the page-table pool (mmu.c), in 64 KiB chunks from the top of
 * free RAM: EfiBootServicesData like the firmware's other tables (the OS
 * may reuse them once it runs on its own), described with memmap_add() so
 * that no FreePages can release them and no client is ever given them.
 */
static uint64_t page_table_pages(uint64_t pages)
{
	uint64_t slots = memmap_count_slots(&map, pages, SZ_64K, UINT64_MAX);
	EFI_PHYSICAL_ADDRESS addr;

	if (!slots ||
	    memmap_slot_address(&map, pages, SZ_64K, UINT64_MAX, slots - 1,
				&addr) != EFI_SUCCESS ||
	    memmap_add(&map, addr, pages, EfiBootServicesData,
		       MEMMAP_RAM_ATTR) != EFI_SUCCESS)
		return 0;
	return addr;
}

void efi_memory_init(const struct platform *p)
{
	unsigned i;

	memmap_init(&map, map_storage, MEMMAP_DEFAULT_CAPACITY);
	for (i = 0; i < p->ram_count; i++) {
		uint64_t start = align_up(p->ram[i].base, EFI_PAGE_SIZE);
		uint64_t end = (p->ram[i].base + p->ram[i].size) &
			       ~(EFI_PAGE_SIZE - 1);

		if (end > start)
			memmap_add_ram(&map, start,
				       (end - start) >> EFI_PAGE_SHIFT);
	}
	reserve((uintptr_t)__rt_code_start, (uintptr_t)__rt_code_region_end,
		EfiRuntimeServicesCode, MEMMAP_RAM_ATTR, "runtime code");
	reserve((uintptr_t)__rt_data_start, (uintptr_t)__rt_data_region_end,
		EfiRuntimeServicesData, MEMMAP_RAM_ATTR, "runtime data");
	reserve((uintptr_t)__data_start, (uintptr_t)__boot_start,
		EfiBootServicesData, MEMMAP_RAM_ATTR, "firmware data");
	reserve((uintptr_t)__boot_start, (uintptr_t)__fw_ram_end,
		EfiBootServicesCode, MEMMAP_RAM_ATTR, "firmware boot code");
	reserve((uintptr_t)p->fdt, (uintptr_t)p->fdt + p->fdt_size,
		EfiBootServicesData, MEMMAP_RAM_ATTR, "the DTB");
	if (p->rtc.size)
		reserve(p->rtc.base & ~(SZ_64K - 1),
			align_up(p->rtc.base + p->rtc.size, SZ_64K),
			EfiMemoryMappedIO, EFI_MEMORY_UC, "the RTC");
	mmu_pool_grow_from(page_table_pages);
}

void efi_memory_add_mmio(uint64_t base, uint64_t size, const char *what)
{
	reserve(base & ~(SZ_64K - 1), align_up(base + size, SZ_64K),
		EfiMemoryMappedIO, EFI_MEMORY_UC, what);
}

/*
 * UEFI 2.10 section 2.3.6 (AArch64): memory the OS must keep mapped for the
 * firmware — runtime code and data, reserved, ACPI NVS — comes in whole,
 * aligned 64 KiB units, so that an OS with 64 KiB pages can map it with
 * its own attributes.
 */
static bool runtime_granular(EFI_MEMORY_TYPE type)
{
	return type == EfiRuntimeServicesCode ||
	       type == EfiRuntimeServicesData ||
	       type == EfiReservedMemoryType || type == EfiACPIMemoryNVS;
}

/* The pages an allocation of `pages` pages of this type really takes. */
static uint64_t allocation_pages(EFI_MEMORY_TYPE type, uint64_t pages)
{
	if (!runtime_granular(type) || !pages)
		return pages;
	return align_up(pages, SZ_64K >> EFI_PAGE_SHIFT);
}

EFI_STATUS EFIAPI efi_allocate_pages(EFI_ALLOCATE_TYPE type,
				     EFI_MEMORY_TYPE memory_type, UINTN pages,
				     EFI_PHYSICAL_ADDRESS *memory)
{
	uint64_t align = 0;
	EFI_STATUS status;

	if (efi_boot_services_exited())
		return EFI_UNSUPPORTED;
	if (runtime_granular(memory_type) && pages) {
		if (type == AllocateAddress && memory &&
		    (*memory & (SZ_64K - 1)))
			return EFI_INVALID_PARAMETER;
		pages = allocation_pages(memory_type, pages);
		align = SZ_64K;
	}
	status = memmap_allocate(&map, type, memory_type, pages, align, memory);
	if (status == EFI_SUCCESS && memory_type == EfiLoaderCode &&
	    efi_image_map_loader_code(*memory, pages) != EFI_SUCCESS) {
		efi_free_pages(*memory, pages); /* back to RW+XN, and free */
		return EFI_OUT_OF_RESOURCES;
	}
	return status;
}

/*
 * Pages about to be freed become plain RAM again in the live tables:
 * read/write and execute-never, whatever a client (SetMemoryAttributes),
 * the image loader or a W^X exception made of them. This happens while the
 * memory map still calls them allocated, so that nothing (a pool header, a
 * page table) can be put in them before they are writable; and only once
 * the map has said they may be freed, so that a bad FreePages changes no
 * permissions. Should the tables lack room for the change, nothing is
 * freed.
 */
static EFI_STATUS make_plain_ram(EFI_PHYSICAL_ADDRESS start, uint64_t pages)
{
	EFI_STATUS status = memmap_check_free(&map, start, pages);
	int rc;

	if (status != EFI_SUCCESS)
		return status;
	rc = mmu_map(start, pages << EFI_PAGE_SHIFT, PG_WRITE);
	if (rc == PG_ERR_NO_MEMORY)
		return EFI_OUT_OF_RESOURCES;
	return rc ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_free_pages(EFI_PHYSICAL_ADDRESS memory, UINTN pages)
{
	const struct memmap_entry *e = memmap_lookup(&map, memory);
	EFI_STATUS status;

	/* Freed as allocated: whole 64 KiB units for the runtime types. */
	if (e && e->allocated)
		pages = allocation_pages(e->type, pages);
	status = make_plain_ram(memory, pages);
	if (status != EFI_SUCCESS)
		return status;
	return memmap_free(&map, memory, pages);
}

/*
 * What a client allocates is the client's: it may change the permissions
 * of those pages (EFI_MEMORY_ATTRIBUTE_PROTOCOL), and of nothing else.
 * The firmware's own allocations, made through the functions above, stay
 * the firmware's.
 */
EFI_STATUS efi_memory_give(EFI_PHYSICAL_ADDRESS base, uint64_t pages)
{
	return memmap_give(&map, base, pages);
}

/* Types whose permissions a client may change (UEFI 2.10 leaves the
 * runtime types' to the firmware and the memory attributes table). */
static bool client_may_protect(EFI_MEMORY_TYPE type)
{
	return type == EfiLoaderCode || type == EfiLoaderData ||
	       type == EfiBootServicesCode || type == EfiBootServicesData;
}

bool efi_memory_client_owns(EFI_PHYSICAL_ADDRESS base, UINT64 size)
{
	EFI_PHYSICAL_ADDRESS end = base + size;

	while (base < end) {
		const struct memmap_entry *e = memmap_lookup(&map, base);

		if (!e || !e->client || !client_may_protect(e->type))
			return false;
		base = e->start + (e->pages << EFI_PAGE_SHIFT);
	}
	return true;
}

EFI_STATUS EFIAPI efi_client_allocate_pages(EFI_ALLOCATE_TYPE type,
					    EFI_MEMORY_TYPE memory_type,
					    UINTN pages,
					    EFI_PHYSICAL_ADDRESS *memory)
{
	EFI_STATUS status =
		efi_allocate_pages(type, memory_type, pages, memory);

	if (status != EFI_SUCCESS)
		return status;
	pages = allocation_pages(memory_type, pages);
	status = efi_memory_give(*memory, pages);
	if (status != EFI_SUCCESS) /* back, and plain RAM again */
		efi_free_pages(*memory, pages);
	return status;
}

EFI_STATUS EFIAPI efi_get_memory_map(UINTN *map_size,
				     EFI_MEMORY_DESCRIPTOR *buffer,
				     UINTN *map_key, UINTN *descriptor_size,
				     UINT32 *descriptor_version)
{
	if (!map_size)
		return EFI_INVALID_PARAMETER;
	return memmap_get(&map, map_size, buffer, map_key, descriptor_size,
			  descriptor_version);
}

UINTN efi_memory_map_key(void)
{
	return memmap_key(&map);
}

EFI_STATUS EFIAPI efi_allocate_pool(EFI_MEMORY_TYPE pool_type, UINTN size,
				    VOID **buffer)
{
	uint64_t pages;
	EFI_PHYSICAL_ADDRESS base;
	struct pool_header *h;
	EFI_STATUS status;

	if (!buffer || pool_type == EfiConventionalMemory ||
	    pool_type == EfiPersistentMemory ||
	    pool_type == EfiUnacceptedMemoryType)
		return EFI_INVALID_PARAMETER;
	if (size > UINT64_MAX - sizeof(*h) - EFI_PAGE_SIZE)
		return EFI_OUT_OF_RESOURCES;
	pages = EFI_SIZE_TO_PAGES(size + sizeof(*h));
	status = efi_allocate_pages(AllocateAnyPages, pool_type, pages, &base);
	if (status != EFI_SUCCESS)
		return status;
	h = (struct pool_header *)(uintptr_t)base;
	*h = (struct pool_header){POOL_MAGIC, pages, size, pool_type};
	*buffer = h + 1;
	return EFI_SUCCESS;
}

/* Only a pointer we handed out: right offset in an allocated page run. */
static struct pool_header *pool_header_of(const void *buffer)
{
	uintptr_t base = (uintptr_t)buffer - sizeof(struct pool_header);
	const struct memmap_entry *e;
	struct pool_header *h;

	if (!buffer || base & (EFI_PAGE_SIZE - 1))
		return NULL;
	e = memmap_lookup(&map, base);
	if (!e || !e->allocated)
		return NULL;
	h = (struct pool_header *)base;
	return h->magic == POOL_MAGIC ? h : NULL;
}

bool efi_pool_holds(const void *buffer, UINTN size)
{
	const struct pool_header *h = pool_header_of(buffer);

	return h && h->size >= size;
}

EFI_STATUS EFIAPI efi_free_pool(VOID *buffer)
{
	struct pool_header *h = pool_header_of(buffer);
	uint64_t pages;
	EFI_STATUS status;

	if (!h)
		return EFI_INVALID_PARAMETER;
	pages = h->pages;
	/* The client may have made the header's page read-only. */
	status = make_plain_ram((uintptr_t)h, pages);
	if (status != EFI_SUCCESS)
		return status;
	h->magic = 0; /* a second FreePool of it is caught */
	return memmap_free(&map, (uintptr_t)h, pages);
}

EFI_STATUS EFIAPI efi_client_allocate_pool(EFI_MEMORY_TYPE pool_type,
					   UINTN size, VOID **buffer)
{
	EFI_STATUS status = efi_allocate_pool(pool_type, size, buffer);
	struct pool_header *h;

	if (status != EFI_SUCCESS)
		return status;
	h = (struct pool_header *)*buffer - 1;
	status = efi_memory_give((uintptr_t)h, h->pages);
	if (status != EFI_SUCCESS)
		efi_free_pool(*buffer);
	return status;
}

void *efi_zalloc(UINTN size)
{
	void *p;

	if (efi_allocate_pool(EfiBootServicesData, size, &p) != EFI_SUCCESS)
		return NULL;
	return memset(p, 0, size);
}

/*
 * Runtime allocations are few and permanent: a bump arena at the end of
 * the runtime data region, no free.
 */
void *efi_zalloc_runtime(UINTN size)
{
	uint8_t *p = runtime_arena;

	size = align_up(size, 16);
	if (size > (UINTN)((uint8_t *)__rt_arena_end - runtime_arena))
		return NULL;
	runtime_arena += size;
	return memset(p, 0, size);
}

void efi_free(void *p)
{
	if (p)
		efi_free_pool(p);
}

EFI_STATUS efi_memory_set_attributes(EFI_PHYSICAL_ADDRESS base, UINT64 size,
				     UINT64 set, UINT64 clear)
{
	return memmap_set_attributes(&map, base, size >> EFI_PAGE_SHIFT, set,
				     clear);
}

EFI_STATUS efi_memory_get_attributes(EFI_PHYSICAL_ADDRESS base, UINT64 size,
				     UINT64 *attributes)
{
	return memmap_get_attributes(
		&map, base, size >> EFI_PAGE_SHIFT,
		EFI_MEMORY_RO | EFI_MEMORY_XP | EFI_MEMORY_RP, attributes);
}

EFI_STATUS efi_allocate_random(EFI_MEMORY_TYPE type, uint64_t pages,
			       uint64_t align, uint64_t random,
			       EFI_PHYSICAL_ADDRESS *addr)
{
	return memmap_allocate_random(&map, type, pages, align, UINT64_MAX,
				      random, addr);
}

EFI_STATUS efi_allocate_lowest(EFI_MEMORY_TYPE type, uint64_t pages,
			       uint64_t align, EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_STATUS status =
		memmap_slot_address(&map, pages, align, UINT64_MAX, 0, addr);

	if (status != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	return memmap_allocate(&map, AllocateAddress, type, pages, 0, addr);
}

EFI_STATUS efi_allocate_aligned(EFI_MEMORY_TYPE type, uint64_t pages,
				uint64_t align, EFI_PHYSICAL_ADDRESS *addr)
{
	return memmap_allocate(&map, AllocateAnyPages, type, pages, align,
			       addr);
}
