// SPDX-License-Identifier: MIT
/*
 * The RAM translation tables: built from the DT with the flash tables
 * still live, then switched to without turning the MMU off (see
 * mmu_switch.S for the rule that makes the switch safe).
 *
 *   flash [0, 64 MiB)    read-only, executable: the firmware's code
 *   flash [64, 128 MiB)  Device-nGnRnE, read/write, execute-never: the
 *                        variable bank (src/efi/variables.c), runtime
 *                        MMIO, EFI_MEMORY_UC in the memory map
 *   RAM (every DT range) read/write, execute-never, except the guard page
 *                        below the boot stack, which stays unmapped, and
 *   runtime code         read-only, executable: the runtime services'
 *                        code, decompressed from flash (code_load())
 *   boot code            read-only, executable: the code that does not
 *                        run from flash, decompressed (code_load())
 *   UART, fw_cfg         Device-nGnRE, read/write, execute-never
 *   RTC                  Device-nGnRnE (the memory map's EFI_MEMORY_UC),
 *                        read/write, execute-never
 *
 * Nothing is writable and executable. Code loaded into RAM later gets its
 * permissions through mmu_map(), with break-before-make.
 *
 * The tables come from a pool: a static region in the firmware's RAM
 * (.pgtables, enough for what mmu_init() builds), then chunks of free RAM
 * the memory map gives up for good once it exists (mmu_pool_grow_from()).
 * Tables that pgtable.c folds back into blocks return to a free list and
 * are reused, so the pool follows what the mappings need; it never
 * shrinks. Every pool page is mapped PG_TABLES: the range around it never
 * folds into a block, so the entries mapping live tables are never broken
 * while the CPU writes them.
 */
#include <string.h>

#include <mmuon/code_load.h>
#include <mmuon/layout.h>
#include <mmuon/mmu.h>
#include <mmuon/panic.h>
#include <mmuon/runtime.h>
#include <mmuon/sysreg.h>

extern char __stack_guard[], __pgtable_pool[], __pgtable_pool_end[];
extern char __fw_ram_end[];

void mmu_switch_el1(uint64_t ttbr);
void mmu_switch_el2(uint64_t ttbr);
void mmu_switch_el3(uint64_t ttbr);
void mmu_break_entry_el1(uint64_t *entry);
void mmu_break_entry_el2(uint64_t *entry);
void mmu_break_entry_el3(uint64_t *entry);
void mmu_publish(void);

/* Pages added at a time, and what must be free before any change: room
 * for the change itself and for mapping the next chunk. */
#define POOL_CHUNK_PAGES 16
#define POOL_RESERVE (2 * PGTABLE_MAP_MAX_TABLES)

static char *pool_next = __pgtable_pool; /* static pages not yet used */
static uint64_t *free_tables;		 /* linked through their word 0 */
static uint64_t free_count;
static uint64_t (*take_pages)(uint64_t pages);
static struct mmu_pool_stats stats;
static struct pgtable tables;
static unsigned current_el;

static uint64_t pool_available(void)
{
	return free_count +
	       (uint64_t)(__pgtable_pool_end - pool_next) / PAGE_SIZE;
}

static uint64_t *alloc_table(void *ctx)
{
	uint64_t *t = free_tables;

	(void)ctx;
	if (t) {
		free_tables = (uint64_t *)(uintptr_t)t[0];
		free_count--;
	} else if (pool_next < __pgtable_pool_end) {
		t = (uint64_t *)pool_next;
		pool_next += PAGE_SIZE;
	} else {
		return NULL;
	}
	memset(t, 0, PAGE_SIZE);
	if (++stats.in_use > stats.peak)
		stats.peak = stats.in_use;
	return t;
}

static void push_free(uint64_t *table)
{
	table[0] = (uint64_t)(uintptr_t)free_tables;
	free_tables = table;
	free_count++;
}

/* pgtable.c gives a table back only once no walk can reach it. */
static void free_table(void *ctx, uint64_t *table)
{
	(void)ctx;
	push_free(table);
	stats.in_use--;
}

/*
 * Before a change: a chunk of free RAM for the pool if it runs low. The
 * chunk is marked PG_TABLES first (with tables from the reserve), and the
 * new entries published (DSB, ISB) before its pages are written through
 * them to join the free list.
 */
static void pool_refill(void)
{
	uint64_t base, i;

	while (take_pages && pool_available() < POOL_RESERVE) {
		base = take_pages(POOL_CHUNK_PAGES);
		if (!base ||
		    pgtable_map(&tables, base, POOL_CHUNK_PAGES * PAGE_SIZE,
				PG_WRITE | PG_TABLES))
			return;
		mmu_publish();
		for (i = 0; i < POOL_CHUNK_PAGES; i++)
			push_free(
				(uint64_t *)(uintptr_t)(base + i * PAGE_SIZE));
		stats.tables += POOL_CHUNK_PAGES;
		stats.grown += POOL_CHUNK_PAGES;
	}
}

static void break_entry(void *ctx, uint64_t *entry, uint64_t va, uint64_t size)
{
	(void)ctx;
	(void)va;
	(void)size;
	if (current_el == 1)
		mmu_break_entry_el1(entry);
	else if (current_el == 2)
		mmu_break_entry_el2(entry);
	else
		mmu_break_entry_el3(entry);
}

/* The CPU's physical address size, as the reset path put it in TCR.IPS. */
static unsigned pa_bits(void)
{
	static const unsigned bits[TCR_PS_48 + 1] = {32, 36, 40, 42, 44, 48};
	uint64_t parange;

	asm("mrs %0, id_aa64mmfr0_el1" : "=r"(parange));
	parange &= 0xf;
	return bits[parange < TCR_PS_48 ? parange : TCR_PS_48];
}

/*
 * What the DT describes must lie where the tables can map it 1:1: below
 * 2^MMUON_VA_BITS, and below the CPU's physical address size (an output
 * address above it is an address size fault). QEMU never makes RAM the
 * PA cannot reach, and none above 16 TiB in practice; another VMM's DT
 * may. A clear stop rather than a fault later.
 */
static void check_addressable(uint64_t start, uint64_t end, const char *what)
{
	unsigned pa = pa_bits();

	if (end < start || end > 1ull << MMUON_VA_BITS)
		panic("%s [0x%llx, 0x%llx) reaches above %llu GiB: mmuon's "
		      "page tables map %u-bit addresses (TCR.T0SZ = %u)",
		      what, (unsigned long long)start, (unsigned long long)end,
		      (1ull << MMUON_VA_BITS) >> 30, MMUON_VA_BITS, TCR_T0SZ);
	if (end > 1ull << pa)
		panic("%s [0x%llx, 0x%llx) reaches above %llu GiB, beyond "
		      "this CPU's %u-bit physical addresses "
		      "(ID_AA64MMFR0_EL1.PARange)",
		      what, (unsigned long long)start, (unsigned long long)end,
		      (1ull << pa) >> 30, pa);
}

static void map_or_panic(uint64_t base, uint64_t size, unsigned flags,
			 const char *what)
{
	uint64_t start = base & ~(PAGE_SIZE - 1);
	uint64_t end = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int rc;

	check_addressable(start, end, what);
	rc = pgtable_map(&tables, start, end - start, flags);
	if (rc)
		panic("cannot map %s [0x%llx, 0x%llx): error %d", what,
		      (unsigned long long)start, (unsigned long long)end, rc);
}

/* RAM, less the stack guard page wherever it falls. */
static void map_ram(const struct mem_range *r)
{
	uint64_t guard = (uintptr_t)__stack_guard, end = r->base + r->size;

	if (guard >= r->base && guard < end) {
		if (guard > r->base)
			map_or_panic(r->base, guard - r->base, PG_WRITE, "RAM");
		if (end > guard + PAGE_SIZE)
			map_or_panic(guard + PAGE_SIZE, end - guard - PAGE_SIZE,
				     PG_WRITE, "RAM");
	} else {
		map_or_panic(r->base, r->size, PG_WRITE, "RAM");
	}
}

/*
 * mmuon's stack and data have been in use since reset: the RAM the DT
 * describes must include them, or the new tables would unmap them.
 */
static bool ram_holds_firmware(const struct platform *p)
{
	uint64_t end = (uintptr_t)__fw_ram_end;
	unsigned i;

	for (i = 0; i < p->ram_count; i++)
		if (p->ram[i].base <= FW_RAM_BASE &&
		    end <= p->ram[i].base + p->ram[i].size)
			return true;
	return false;
}

void mmu_init(const struct platform *p, unsigned el, bool e2h)
{
	unsigned i;

	current_el = el;
	/* EL2 with E2H = 1 (reset.S) reads EL1-format descriptors. */
	tables.format = el == 1 || e2h ? &pte_format_el1 : &pte_format_el2;
	tables.va_bits = MMUON_VA_BITS; /* the TCR's, as the flash tables */
	tables.alloc_table = alloc_table;
	tables.free_table = free_table;
	tables.root = alloc_table(NULL);
	stats.tables =
		(uint64_t)(__pgtable_pool_end - __pgtable_pool) / PAGE_SIZE;

	/* The flash tables' flash blocks, but for their permission bits: see
	 * mmu_switch.S. */
	map_or_panic(FLASH_BASE, FLASH_BANK_SIZE, PG_EXEC, "flash");
	/* Runtime MMIO: EFI_MEMORY_UC in the memory map (efi_memory_add_mmio) */
	map_or_panic(FLASH_BASE + FLASH_BANK_SIZE, FLASH_SIZE - FLASH_BANK_SIZE,
		     PG_DEVICE_UC | PG_WRITE, "variable flash");
	for (i = 0; i < p->ram_count; i++)
		map_ram(&p->ram[i]);
	if (!ram_holds_firmware(p))
		panic("the DT's RAM does not hold mmuon's own RAM at 0x%x",
		      FW_RAM_BASE);
	map_or_panic((uintptr_t)__pgtable_pool,
		     __pgtable_pool_end - __pgtable_pool, PG_WRITE | PG_TABLES,
		     "page tables");
	/*
	 * The runtime and boot code, loaded while the flash tables map them
	 * read/write, execute-never; executable only from the switch below,
	 * which replaces that mapping under the break-before-make rule of
	 * mmu_switch.S.
	 */
	code_load();
	map_or_panic((uintptr_t)__rt_code_start,
		     __rt_code_region_end - __rt_code_start, PG_EXEC,
		     "runtime code");
	map_or_panic((uintptr_t)__boot_start, __boot_end - __boot_start,
		     PG_EXEC, "boot code");
	map_or_panic(p->uart.base, p->uart.size, PG_DEVICE | PG_WRITE, "UART");
	/* The memory map gives the RTC to the OS as EFI_MEMORY_UC. */
	if (p->rtc.size)
		map_or_panic(p->rtc.base, p->rtc.size, PG_DEVICE_UC | PG_WRITE,
			     "RTC");
	if (p->fw_cfg.size)
		map_or_panic(p->fw_cfg.base, p->fw_cfg.size,
			     PG_DEVICE | PG_WRITE, "fw_cfg");
	if (p->poweroff_gpio.size)
		map_or_panic(p->poweroff_gpio.base, p->poweroff_gpio.size,
			     PG_DEVICE | PG_WRITE, "power-off GPIO");

	if (el == 1)
		mmu_switch_el1((uintptr_t)tables.root);
	else if (el == 2)
		mmu_switch_el2((uintptr_t)tables.root);
	else
		mmu_switch_el3((uintptr_t)tables.root);
	/* From now on, changes are to live tables. */
	tables.break_entry = break_entry;
}

int mmu_map(uint64_t pa, uint64_t size, unsigned flags)
{
	int rc;

	pool_refill();
	rc = pgtable_map(&tables, pa, size, flags);
	mmu_publish();
	return rc;
}

void mmu_pool_grow_from(uint64_t (*take)(uint64_t pages))
{
	take_pages = take;
}

const struct mmu_pool_stats *mmu_pool_stats(void)
{
	return &stats;
}

const struct pgtable *mmu_tables(void)
{
	return &tables;
}
