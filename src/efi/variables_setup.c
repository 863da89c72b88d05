// SPDX-License-Identifier: MIT
/*
 * Boot-time setup of the variable services (src/efi/variables.c): where
 * the store lives, and what the OS is told about it.
 */
#include <libfdt.h>

#include <mmuon/cfi_flash.h>
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_variables.h>
#include <mmuon/fmt.h>
#include <mmuon/layout.h>
#include <mmuon/mmu.h>

/* The store in RAM only: the size it always had. */
#define VOLATILE_STORE_SIZE (64 * 1024)
#define VOLATILE_STORE_MIN_SIZE (8 * 1024)

/*
 * The arena the variables live in, RAM store or mirror of a flash store:
 * the runtime arena's 64 KiB that mmuon has always kept for them (smaller
 * if the arena is short: then no flash store, which needs it whole).
 */
static void *arena;
static size_t arena_size;

static void get_arena(void)
{
	for (arena_size = VOLATILE_STORE_SIZE;
	     arena_size >= VOLATILE_STORE_MIN_SIZE; arena_size /= 2) {
		arena = efi_zalloc_runtime(arena_size);
		if (arena)
			return;
	}
	arena_size = 0;
}

/*
 * The volatile variables' full budget, the first time a SetVariable at
 * boot needs more than their first part of the arena (shim mirroring a
 * MokList with many enrolled hashes into MokListRT): runtime data, 64 KiB
 * aligned (UEFI 2.10 section 2.3.6), since the OS reads runtime-access ones
 * after ExitBootServices. Never once the loader's memory map is final: a
 * region allocated then would be RAM the OS believes free.
 */
static void *grow_volatile_store(size_t size)
{
	EFI_PHYSICAL_ADDRESS addr;

	if (efi_events_exit_boot_services_signaled() ||
	    efi_allocate_pages(AllocateAnyPages, EfiRuntimeServicesData,
			       EFI_SIZE_TO_PAGES(size), &addr) != EFI_SUCCESS)
		return NULL;
	efi_memattr_table_install(); /* it describes the new region too */
	printf("mmuon: volatile variables: more than %u KiB, moved to %u KiB "
	       "at 0x%llx\n",
	       VARS_VOLATILE_INITIAL_BYTES >> 10, (unsigned)(size >> 10),
	       (unsigned long long)addr);
	return (void *)(uintptr_t)addr;
}

/* The one line that says why non-volatile variables will not persist. */
static void use_ram(const struct mem_range *b, const char *why)
{
	printf("mmuon: ");
	if (b)
		printf("variable bank at 0x%llx: ",
		       (unsigned long long)b->base);
	printf("%s: variables are kept in RAM and lost at reset\n", why);
	/* Without an arena, an empty store: every GetVariable is
	 * EFI_NOT_FOUND, every SetVariable EFI_INVALID_PARAMETER. */
	vars_init_volatile(efi_variables(), arena, arena_size);
}

/* The bank that does not hold mmuon itself. */
static const struct mem_range *variable_bank(const struct platform *p)
{
	unsigned i;

	for (i = 0; i < p->flash_banks; i++)
		if (p->flash[i].base != FLASH_BASE)
			return &p->flash[i];
	return NULL;
}

/* So that the OS leaves the chips to the runtime services. */
static void hide_from_os(const struct platform *p)
{
	void *fdt = (void *)p->fdt;
	int node = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash");

	if (node < 0 || fdt_setprop_string(fdt, node, "status", "disabled"))
		printf("mmuon: cannot disable the DT's cfi-flash node: the OS "
		       "may drive the variable bank too\n");
}

static const char *probe_error(const struct cfi_flash *c, int err, char *buf,
			       size_t size)
{
	switch (err) {
	case CFI_ERR_BUS_WIDTH:
		fmt_snprintf(buf, size, "bank-width %u (4 supported)",
			     c->bank_width);
		break;
	case CFI_ERR_NO_QUERY:
		fmt_snprintf(buf, size, "no CFI flash (query read 0x%08x)",
			     c->query);
		break;
	case CFI_ERR_COMMAND_SET:
		fmt_snprintf(buf, size, "CFI command set %u, not Intel's",
			     c->command_set);
		break;
	case CFI_ERR_REGIONS:
		fmt_snprintf(buf, size, "%u erase regions (1 supported)",
			     c->erase_regions);
		break;
	default:
		fmt_snprintf(
			buf, size,
			"CFI says %u blocks of %u bytes, the DT %llu bytes",
			c->blocks, c->erase_size, (unsigned long long)c->size);
	}
	return buf;
}

static const char *flash_error(int err)
{
	switch (err) {
	case FLASH_ERR_TIMEOUT:
		return "timeout";
	case FLASH_ERR_PROGRAM:
		return "program error";
	case FLASH_ERR_ERASE:
		return "erase error";
	case FLASH_ERR_LOCKED:
		return "block locked (read-only drive?)";
	default:
		return "error";
	}
}

static void say_mounted(const struct mem_range *b, const struct vars_report *r)
{
	static const char *const found[] = {
		[VARLOG_FOUND_BLANK] = "blank flash",
		[VARLOG_FOUND_FOREIGN] = "not a mmuon store",
		/* The same bytes either way: say both. */
		[VARLOG_FOUND_ZEROS] = "all zeros (an empty VARS file, or no "
				       "-drive if=pflash,unit=1: then QEMU "
				       "keeps it only until it exits)",
	};

	printf("mmuon: variables on flash at 0x%llx",
	       (unsigned long long)b->base);
	if (r->formatted)
		printf(": %s, formatted a new store\n", found[r->log.found]);
	else
		printf(", generation %llu: %u variables\n",
		       (unsigned long long)r->log.generation, r->log.records);
	if (r->log.incomplete || r->log.replaced)
		printf("mmuon: variables: %u interrupted writes ignored, %u "
		       "interrupted updates finished\n",
		       r->log.incomplete, r->log.replaced);
	if (r->log.damaged)
		printf("mmuon: variables: %u damaged records (%u bytes) "
		       "dropped, the rest %s\n",
		       r->log.damaged, r->log.damaged_bytes,
		       r->reclaimed ? "rewritten" : "kept");
	if (r->repair_error)
		printf("mmuon: variables: cannot rewrite the store: %s\n",
		       flash_error(r->repair_error));
}

/* The store: on the variable bank if there is a usable one, else in RAM. */
static void set_up_store(const struct platform *p)
{
	const struct mem_range *b = variable_bank(p);
	struct cfi_flash *bank = efi_variable_bank();
	struct vars_report report;
	uint32_t store;
	char why[96];
	int rc;

	if (!b) {
		use_ram(NULL, "no flash bank for variables in the DT");
		return;
	}
	/* Already so since reset on QEMU virt; another layout may differ. */
	if (mmu_map(b->base, b->size, PG_DEVICE_UC | PG_WRITE)) {
		use_ram(b, "cannot map it");
		return;
	}
	rc = cfi_flash_probe(bank, b->base, b->size, p->flash_bank_width);
	if (rc) {
		use_ram(b, probe_error(bank, rc, why, sizeof(why)));
		return;
	}
	/* Each area in its own erase block(s). */
	store = VARS_AREAS * ((VARS_AREA_SIZE + bank->erase_size - 1) /
			      bank->erase_size * bank->erase_size);
	if (store > b->size || arena_size < vars_arena_size(VARS_AREA_SIZE)) {
		use_ram(b, store > b->size
				   ? "too small"
				   : "no memory for the variable store");
		return;
	}
	cfi_flash_set_region(bank, 0, store);
	rc = vars_mount(efi_variables(), arena, arena_size, &bank->flash,
			VARS_AREA_SIZE, VARS_AREAS, &report);
	if (rc) {
		fmt_snprintf(why, sizeof(why), "no variable store: %s",
			     flash_error(rc));
		use_ram(b, why);
		return;
	}
	say_mounted(b, &report);
	efi_memory_add_mmio(b->base, store, "the variable store");
	hide_from_os(p);
}

void efi_variables_init(const struct platform *p)
{
	get_arena();
	set_up_store(p);
	efi_variables()->grow = grow_volatile_store;
}
