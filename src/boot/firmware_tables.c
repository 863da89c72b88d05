// SPDX-License-Identifier: MIT
/*
 * What the OS is told about the machine: ACPI or the device tree, and
 * SMBIOS. The policy is EDK2's (ArmVirtPkg PlatformHasAcpiDtDxe):
 *
 *   - QEMU offers ACPI (etc/table-loader exists: -M virt, acpi=auto|on):
 *     the OS gets ACPI and no DT, so Linux boots in ACPI mode (it uses
 *     ACPI only when its DT is a stub: arch/arm64/kernel/acpi.c);
 *   - -M virt,acpi=off, or -fw_cfg name=opt/mmuon/acpi,string=off, or a
 *     table-loader script mmuon refuses: the OS gets QEMU's DT.
 *
 * mmuon itself always runs on the DT. SMBIOS is given in both cases.
 *
 * Test hook: -fw_cfg name=opt/mmuon/table-loader,file=SCRIPT runs SCRIPT
 * instead of QEMU's etc/table-loader (which -fw_cfg cannot replace), so
 * the boot tests can feed the interpreter bad scripts.
 *
 * Blobs are DMA'd by fw_cfg straight to their final pages, below 4 GiB,
 * as EfiACPIReclaimMemory, or EfiACPIMemoryNVS when QEMU keeps writing
 * into them (the target of a WRITE_POINTER). The SMBIOS table is
 * EfiRuntimeServicesData, as the UEFI specification asks (section 4.6).
 */
#include <string.h>

#include <mmuon/acpi.h>
#include <mmuon/boot.h>
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/smbios.h>
#include <mmuon/table_loader.h>

#define TABLE_LOADER_FILE "etc/table-loader"
#define OPT_ACPI "opt/mmuon/acpi"
#define OPT_TABLE_LOADER "opt/mmuon/table-loader"
#define BELOW_4G 0xffffffffull

extern char __image_end[];

/* A whole fw_cfg file in pool memory (NUL-terminated); NULL if absent. */
static void *read_file(const char *name, uint32_t max, uint32_t *size)
{
	uint16_t key;
	uint8_t *buf;

	if (fw_cfg_find_file(name, &key, size) != FW_CFG_OK)
		return NULL;
	if (*size > max) {
		printf("mmuon: fw_cfg file %s: %u bytes, more than %u\n", name,
		       *size, max);
		return NULL;
	}
	buf = efi_zalloc(*size + 1);
	if (!buf) {
		printf("mmuon: no memory for fw_cfg file %s\n", name);
		return NULL;
	}
	if (fw_cfg_read(key, 0, buf, *size)) {
		printf("mmuon: fw_cfg DMA error reading %s\n", name);
		efi_free(buf);
		return NULL;
	}
	return buf;
}

/* ---- the table loader's access to fw_cfg and memory ---------------------- */

static bool io_find(void *ctx, const char *name, uint32_t *size)
{
	uint16_t key;

	(void)ctx;
	return fw_cfg_find_file(name, &key, size) == FW_CFG_OK;
}

static void *io_load(void *ctx, const char *name, uint32_t size, uint32_t align,
		     enum table_memory type, uint64_t *address)
{
	UINTN pages = EFI_SIZE_TO_PAGES(size);
	EFI_PHYSICAL_ADDRESS base = BELOW_4G;
	uint32_t found;
	uint16_t key;
	uint8_t *blob;

	(void)ctx;
	(void)align; /* pages are 4 KiB aligned, the most a script may ask */
	if (fw_cfg_find_file(name, &key, &found) != FW_CFG_OK ||
	    found != size ||
	    efi_allocate_pages(AllocateMaxAddress,
			       type == TABLE_MEMORY_NVS ? EfiACPIMemoryNVS
							: EfiACPIReclaimMemory,
			       pages, &base) != EFI_SUCCESS)
		return NULL;
	blob = (uint8_t *)(uintptr_t)base;
	if (fw_cfg_read(key, 0, blob, size)) {
		efi_free_pages(base, pages);
		return NULL;
	}
	/* The rest of the last page goes to the OS too: no stale data. */
	memset(blob + size, 0, pages * EFI_PAGE_SIZE - size);
	*address = base;
	return blob;
}

static void io_release(void *ctx, void *blob, uint32_t size)
{
	(void)ctx;
	efi_free_pages((uintptr_t)blob, EFI_SIZE_TO_PAGES(size));
}

static bool io_write(void *ctx, const char *name, uint32_t offset,
		     const void *data, uint32_t len)
{
	uint32_t size;
	uint16_t key;

	(void)ctx;
	return fw_cfg_find_file(name, &key, &size) == FW_CFG_OK &&
	       fw_cfg_write(key, offset, data, len) == FW_CFG_OK;
}

static const struct table_loader_io fw_cfg_io = {
	.find = io_find,
	.load = io_load,
	.release = io_release,
	.write = io_write,
};

/* ---- ACPI ------------------------------------------------------------------ */

/* opt/mmuon/acpi=off asks for the DT even though QEMU offers ACPI. */
static bool acpi_forced_off(void)
{
	uint32_t size;
	char *value = read_file(OPT_ACPI, 16, &size);
	bool off;

	if (!value)
		return false;
	off = !strncmp(value, "off", 3);
	if (!off && strncmp(value, "on", 2) && strncmp(value, "auto", 4))
		printf("mmuon: %s: \"%s\" is not off, on or auto; ignored\n",
		       OPT_ACPI, value);
	efi_free(value);
	return off;
}

/* The script to run: the test hook's, else QEMU's; NULL if none. */
static void *read_script(uint32_t *size)
{
	uint32_t max = TABLE_LOADER_MAX_ENTRIES * TABLE_LOADER_ENTRY_SIZE;
	void *script = read_file(OPT_TABLE_LOADER, max, size);

	if (script) {
		printf("mmuon: ACPI: running %s instead of %s (test hook)\n",
		       OPT_TABLE_LOADER, TABLE_LOADER_FILE);
		return script;
	}
	return read_file(TABLE_LOADER_FILE, max, size);
}

/* Runs the table loader and installs the RSDP; false: give the DT. */
static bool install_acpi(void)
{
	static struct table_loader tl; /* large: not on the boot stack */
	struct acpi_summary summary;
	uint32_t size;
	void *script;
	bool ok = false;

	if (!fw_cfg_present())
		return false;
	if (acpi_forced_off()) {
		printf("mmuon: ACPI off (%s): the OS gets the DT\n", OPT_ACPI);
		return false;
	}
	script = read_script(&size);
	if (!script) {
		printf("mmuon: no ACPI from QEMU (acpi=off): the OS gets the "
		       "DT\n");
		return false;
	}
	if (table_loader_run(&tl, &fw_cfg_io, script, size)) {
		printf("mmuon: ACPI table loader: %s; the OS gets the DT "
		       "instead\n",
		       tl.error);
	} else if (acpi_check(&tl, &summary)) {
		printf("mmuon: ACPI tables refused: %s; the OS gets the DT "
		       "instead\n",
		       summary.error);
		table_loader_undo(&tl);
	} else if (efi_install_configuration_table(
			   &(EFI_GUID)EFI_ACPI_20_TABLE_GUID,
			   (void *)(uintptr_t)summary.rsdp) != EFI_SUCCESS) {
		printf("mmuon: no room for the ACPI configuration table; the "
		       "OS gets the DT instead\n");
		table_loader_undo(&tl);
	} else {
		printf("mmuon: ACPI: RSDP at 0x%llx, %u tables: %s\n",
		       (unsigned long long)summary.rsdp, summary.tables,
		       summary.signatures);
		ok = true;
	}
	efi_free(script);
	return ok;
}

/* ---- SMBIOS ---------------------------------------------------------------- */

/* Runtime memory for the SMBIOS table: the runtime arena, else pages. */
static void *alloc_runtime(size_t size)
{
	EFI_PHYSICAL_ADDRESS base;
	void *p = efi_zalloc_runtime(size);

	if (p)
		return p;
	if (efi_allocate_pages(AllocateAnyPages, EfiRuntimeServicesData,
			       EFI_SIZE_TO_PAGES(size), &base) != EFI_SUCCESS)
		return NULL;
	memset((void *)(uintptr_t)base, 0, size);
	return (void *)(uintptr_t)base;
}

static void install_smbios(bool acpi)
{
	const struct smbios_bios_info bios = {
		.vendor = "mmuon",
		.version = MMUON_VERSION,
		.release_date = MMUON_DATE,
		.rom_size = (uint32_t)(uintptr_t)__image_end,
		.acpi = acpi,
	};
	uint32_t anchor_size = 0, tables_size = 0;
	uint8_t *anchor, *tables, *out = NULL;
	struct smbios_result r;

	if (!fw_cfg_present())
		return;
	anchor = read_file(SMBIOS_ANCHOR_FILE, 64, &anchor_size);
	tables = read_file(SMBIOS_TABLES_FILE, UINT16_MAX * 16, &tables_size);
	if (!anchor || !tables)
		printf("mmuon: no SMBIOS from QEMU\n");
	else if (smbios_merge(anchor, anchor_size, tables, tables_size, &bios,
			      NULL, 0, 0, &r))
		printf("mmuon: SMBIOS from QEMU refused: %s\n", r.error);
	else if (!(out = alloc_runtime(r.size)))
		printf("mmuon: no memory for SMBIOS (%zu bytes)\n", r.size);
	else if (smbios_merge(anchor, anchor_size, tables, tables_size, &bios,
			      out, r.size, (uintptr_t)out, &r) ||
		 efi_install_configuration_table(&(EFI_GUID)SMBIOS3_TABLE_GUID,
						 out) != EFI_SUCCESS)
		printf("mmuon: SMBIOS left out\n");
	else
		printf("mmuon: SMBIOS 3: %u structures at 0x%llx%s\n",
		       r.structures,
		       (unsigned long long)(uintptr_t)out + r.table_offset,
		       r.added_type0 ? ", type 0 added"
				     : ", the user's type 0 kept");
	efi_free(anchor);
	efi_free(tables);
}

void firmware_tables_install(const struct platform *p)
{
	bool acpi = install_acpi();

	if (!acpi)
		efi_install_configuration_table(&(EFI_GUID)EFI_DTB_TABLE_GUID,
						(void *)p->fdt);
	install_smbios(acpi);
}
