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

#define STORE_SIZE ((uint32_t)VARS_AREA_SIZE * VARS_AREAS)

/* The store in RAM, from the runtime arena; smaller if it is short. */
static void init_volatile(void)
{
	size_t size;

	for (size = VOLATILE_STORE_SIZE; size >= VOLATILE_STORE_MIN_SIZE;
	     size /= 2) {
		void *arena = efi_zalloc_runtime(size);

		if (arena) {
			vars_init_volatile(efi_variables(), arena, size);
			return;
		}
	}
	/* An empty store: every GetVariable is EFI_NOT_FOUND, every
	 * SetVariable EFI_INVALID_PARAMETER (too large). */
	printf("mmuon: no runtime memory for variables\n");
	vars_init_volatile(efi_variables(), NULL, 0);
}

/* The one line that says why non-volatile variables will not persist. */
static void use_ram(const struct mem_range *b, const char *why)
{
	printf("mmuon: ");
	if (b)
		printf("variable bank at 0x%llx: ",
		       (unsigned long long)b->base);
	printf("%s: variables are kept in RAM and lost at reset\n", why);
	init_volatile();
}

/* The mirror of a flash store: whole 64 KiB units of
 * EfiRuntimeServicesData (SetVariable at runtime cannot allocate). */
static void *runtime_pages(size_t size)
{
	EFI_PHYSICAL_ADDRESS addr;

	if (efi_allocate_pages(AllocateAnyPages, EfiRuntimeServicesData,
			       EFI_SIZE_TO_PAGES(size), &addr) != EFI_SUCCESS)
		return NULL;
	return (void *)(uintptr_t)addr;
}

/* The bank that does not hold mmuon itself. */
static const struct mem_range *variable_bank(const struct platform *p)
{
	unsigned i;

	for (i = 0; i < p->flash_banks; i++)
		if (p->flash[i].base != FLASH_BASE &&
		    p->flash[i].size >= STORE_SIZE)
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

void efi_variables_init(const struct platform *p)
{
	const struct mem_range *b = variable_bank(p);
	struct cfi_flash *bank = efi_variable_bank();
	size_t arena_size = vars_arena_size(VARS_AREA_SIZE);
	struct vars_report report;
	char why[96];
	void *arena;
	int rc;

	if (!b) {
		use_ram(NULL, "no flash bank for variables in the DT");
		return;
	}
	/* Already so since reset on QEMU virt; another layout may differ. */
	if (mmu_map(b->base, STORE_SIZE, PG_DEVICE | PG_WRITE)) {
		use_ram(b, "cannot map it");
		return;
	}
	rc = cfi_flash_probe(bank, b->base, b->size, p->flash_bank_width);
	if (rc) {
		use_ram(b, probe_error(bank, rc, why, sizeof(why)));
		return;
	}
	cfi_flash_set_region(bank, 0, STORE_SIZE);
	arena = runtime_pages(arena_size);
	if (!arena) {
		use_ram(b, "no memory for the variable store");
		return;
	}

	rc = vars_mount(efi_variables(), arena, arena_size, &bank->flash,
			VARS_AREA_SIZE, VARS_AREAS, &report);
	if (rc) {
		efi_free_pages((uintptr_t)arena, EFI_SIZE_TO_PAGES(arena_size));
		fmt_snprintf(why, sizeof(why), "no variable store: %s",
			     flash_error(rc));
		use_ram(b, why);
		return;
	}
	say_mounted(b, &report);
	efi_memory_add_mmio(b->base, STORE_SIZE, "the variable store");
	hide_from_os(p);
}
