// SPDX-License-Identifier: MIT
/*
 * The boot manager's policy (src/boot/boot_manager.c) on the host: which
 * image it loads, in which order, with which LoadOptions, and what it
 * lists when nothing boots. The protocol database is the real one
 * (filesystems are handles with a device path and SimpleFileSystem); the
 * files, variables, fw_cfg, LoadImage/StartImage and the power-off are
 * stubs below that record what the boot manager asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>
#include <unistd.h>

#include <efi/protocol/simple_file_system.h>
#include <mmuon/boot.h>
#include <mmuon/boot_manager.h>
#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_text.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/file_path.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/load_option.h>
#include <mmuon/power.h>

#define U(s) ((const uint16_t *)u##s)

/* ---- the world the boot manager sees ----------------------------------------- */

/* How a run ended: the OS took over, -kernel, or the power-off. */
enum outcome {
	RUNNING,
	BOOTED,
	LINUX,
	POWER_OFF
};
static jmp_buf ended;

/* A file on a fake filesystem: its content decides what happens. */
struct fake_file {
	const uint16_t *name;
	const char *content; /* "boot:X" boots, "ret:X" returns, other: no PE */
};

struct fake_fs {
	EFI_HANDLE handle;
	uint8_t path[128];
	size_t path_size;
	const struct fake_file *files;
};

#define MAX_FS 4
static struct fake_fs fs[MAX_FS];
static unsigned fs_count;
static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL dummy_sfs;

/* What the boot manager did. */
static char loaded[16][256]; /* device path text of each LoadImage */
static unsigned load_count;
static char booted[64];		 /* content of the image that took over */
static const void *last_options; /* LoadOptions at StartImage */
static uint32_t last_options_size;
static unsigned ready_to_boot;

/* Variables (EFI_GLOBAL_VARIABLE only). */
struct var {
	uint16_t name[32];
	uint8_t data[512];
	size_t size;
	uint32_t attributes;
	bool set;
};
static struct var vars[16];

/* fw_cfg */
static uint32_t kernel_size;
static const char *bootorder_blob;

/* ---- stubs ------------------------------------------------------------------- */

void *efi_zalloc(UINTN size)
{
	return calloc(1, size);
}

void efi_free(void *p)
{
	free(p);
}

EFI_STATUS EFIAPI efi_allocate_pool(EFI_MEMORY_TYPE type, UINTN size,
				    VOID **buffer)
{
	(void)type;
	*buffer = malloc(size ? size : 1);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_free_pool(VOID *buffer)
{
	free(buffer);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event)
{
	(void)event;
	return EFI_SUCCESS;
}

EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL new_tpl)
{
	(void)new_tpl;
	return TPL_APPLICATION;
}

VOID EFIAPI efi_restore_tpl(EFI_TPL old_tpl)
{
	(void)old_tpl;
}

static EFI_HANDLE fw_handle = (EFI_HANDLE)0xf00;

EFI_HANDLE efi_firmware_handle(void)
{
	return fw_handle;
}

void efi_events_signal_group(const EFI_GUID *group)
{
	static const EFI_GUID rtb = EFI_EVENT_GROUP_READY_TO_BOOT;

	assert_true(efi_guid_equal(group, &rtb));
	ready_to_boot++;
}

static unsigned placements;

void linux_kernel_placement(void)
{
	placements++;
}

/* Why QEMU's -kernel (kernel_size bytes) cannot be booted; NULL: it boots. */
static const char *kernel_fails;

void boot_linux(const struct platform *p, char *why, size_t size)
{
	(void)p;
	if (!kernel_size) {
		snprintf(why, size, "no kernel given (or it is empty)");
		return;
	}
	if (kernel_fails) {
		snprintf(why, size, "%s", kernel_fails);
		return;
	}
	longjmp(ended, LINUX);
}

__attribute__((noreturn)) void power_off(void)
{
	longjmp(ended, POWER_OFF);
}

int fw_cfg_find_file(const char *name, uint16_t *key, uint32_t *size)
{
	assert_string_equal(name, "bootorder");
	if (!bootorder_blob)
		return FW_CFG_NOT_FOUND;
	*key = 0x20;
	*size = (uint32_t)strlen(bootorder_blob) + 1;
	return FW_CFG_OK;
}

int fw_cfg_read(uint16_t key, uint32_t offset, void *dst, uint32_t len)
{
	assert_int_equal(key, 0x20);
	memcpy(dst, bootorder_blob + offset, len);
	return FW_CFG_OK;
}

static struct var *find_var(const CHAR16 *name)
{
	for (unsigned i = 0; i < 16; i++) {
		size_t n = 0;

		while (name[n] && n < 31 && vars[i].name[n] == name[n])
			n++;
		if (vars[i].set && !name[n] && !vars[i].name[n])
			return &vars[i];
	}
	return NULL;
}

static EFI_STATUS EFIAPI get_variable(CHAR16 *name, EFI_GUID *guid,
				      UINT32 *attributes, UINTN *size,
				      VOID *data)
{
	static const EFI_GUID global = EFI_GLOBAL_VARIABLE;
	struct var *v = find_var(name);

	assert_true(efi_guid_equal(guid, &global));
	if (!v)
		return EFI_NOT_FOUND;
	if (attributes)
		*attributes = v->attributes;
	if (*size < v->size) {
		*size = v->size;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = v->size;
	memcpy(data, v->data, v->size);
	return EFI_SUCCESS;
}

static void put_var(const uint16_t *name, const void *data, size_t size,
		    uint32_t attributes)
{
	struct var *v = find_var(name);

	if (!v)
		for (v = vars; v->set; v++)
			;
	if (!size) {
		v->set = false;
		return;
	}
	memset(v, 0, sizeof(*v));
	for (size_t n = 0; name[n]; n++)
		v->name[n] = name[n];
	memcpy(v->data, data, size);
	v->size = size;
	v->attributes = attributes;
	v->set = true;
}

static EFI_STATUS EFIAPI set_variable(CHAR16 *name, EFI_GUID *guid,
				      UINT32 attributes, UINTN size, VOID *data)
{
	(void)guid;
	if (!size && !find_var(name))
		return EFI_NOT_FOUND;
	put_var(name, data, size, attributes);
	return EFI_SUCCESS;
}

EFI_RUNTIME_SERVICES efi_runtime_services = {
	.GetVariable = get_variable,
	.SetVariable = set_variable,
};

/* The fake filesystem and file a path names. */
static const struct fake_file *lookup(EFI_DEVICE_PATH_PROTOCOL *path,
				      EFI_HANDLE *device)
{
	EFI_DEVICE_PATH_PROTOCOL *rest = path;
	uint16_t name[128];

	if (efi_locate_device_path(
		    &(EFI_GUID)EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID, &rest,
		    device) != EFI_SUCCESS ||
	    devpath_file_part(rest) != 0 || !devpath_file_name(rest, name, 128))
		return NULL;
	for (unsigned i = 0; i < fs_count; i++) {
		if (fs[i].handle != *device)
			continue;
		for (const struct fake_file *f = fs[i].files; f && f->name;
		     f++) {
			size_t n = 0;

			while (f->name[n] && f->name[n] == name[n])
				n++;
			if (!f->name[n] && !name[n])
				return f;
		}
	}
	return NULL;
}

EFI_STATUS efi_file_source_open(EFI_DEVICE_PATH_PROTOCOL *path,
				struct efi_file_source *src)
{
	memset(src, 0, sizeof(*src));
	return lookup(path, &src->device) ? EFI_SUCCESS : EFI_NOT_FOUND;
}

void efi_file_source_close(struct efi_file_source *src)
{
	(void)src;
}

static EFI_LOADED_IMAGE_PROTOCOL image_li;
static char image_content[64];

/* LoadImage(TRUE, firmware, file path, NULL, 0): reads the fake file. */
EFI_STATUS EFIAPI efi_load_image(BOOLEAN boot_policy, EFI_HANDLE parent,
				 EFI_DEVICE_PATH_PROTOCOL *device_path,
				 VOID *source, UINTN size,
				 EFI_HANDLE *image_handle)
{
	const struct fake_file *f;
	EFI_HANDLE dev;

	assert_true(boot_policy);
	assert_ptr_equal(parent, fw_handle);
	assert_null(source);
	assert_int_equal(size, 0);
	assert_true(load_count < 16);
	devpath_to_text(device_path, DEVPATH_MAX_SIZE, loaded[load_count++],
			sizeof(loaded[0]));
	f = lookup(device_path, &dev);
	if (!f)
		return EFI_NOT_FOUND;
	source = (void *)f->content;
	if (strncmp(source, "boot:", 5) && strncmp(source, "ret:", 4))
		return EFI_LOAD_ERROR;
	memset(&image_li, 0, sizeof(image_li));
	snprintf(image_content, sizeof(image_content), "%s", (char *)source);
	*image_handle = (EFI_HANDLE)&image_li;
	return EFI_SUCCESS;
}

EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE image)
{
	assert_ptr_equal(image, &image_li);
	return &image_li;
}

EFI_STATUS EFIAPI efi_start_image(EFI_HANDLE image, UINTN *exit_data_size,
				  CHAR16 **exit_data)
{
	(void)exit_data_size;
	(void)exit_data;
	assert_ptr_equal(image, &image_li);
	last_options = image_li.LoadOptions;
	last_options_size = image_li.LoadOptionsSize;
	if (!strncmp(image_content, "ret:", 4))
		return EFI_ABORTED;
	snprintf(booted, sizeof(booted), "%s", image_content);
	longjmp(ended, BOOTED);
}

/* ---- building the world ------------------------------------------------------- */

#define END 0x7f, 0xff, 0x04, 0x00
#define PCIROOT 0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0
#define PCI(d) 0x01, 0x01, 0x06, 0x00, 0x00, d
#define HD_GPT(g)                                                              \
	0x04, 0x01, 0x2a, 0x00, 1, 0, 0, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0,      \
		0x00, 0x20, 0x03, 0, 0, 0, 0, 0, g, 2, 3, 4, 5, 6, 7, 8, 9,    \
		10, 11, 12, 13, 14, 15, 16, 2, 2

/* Two virtio disks at 00:01.0 and 00:02.0, an ESP on each. */
static const uint8_t esp1[] = {PCIROOT, PCI(1), HD_GPT(0xa1), END};
static const uint8_t esp2[] = {PCIROOT, PCI(2), HD_GPT(0xa2), END};
static const uint8_t disk2[] = {PCIROOT, PCI(2), END};

static const char *const qemu_disk1 = "/pci@ffffffffffffffff/scsi@1/disk@0,0";
static const char *const qemu_disk2 = "/pci@ffffffffffffffff/scsi@2/disk@0,0";

static void add_fs(const uint8_t *path, size_t size,
		   const struct fake_file *files)
{
	struct fake_fs *f = &fs[fs_count++];

	memcpy(f->path, path, size);
	f->path_size = size;
	f->files = files;
	f->handle = NULL;
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&f->handle, &(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
			f->path,
			&(EFI_GUID)EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID,
			&dummy_sfs, NULL),
		EFI_SUCCESS);
}

/* Boot####: @path (End included) and optional data. */
static void add_option(uint16_t number, uint32_t attributes, const char *desc,
		       const void *path, size_t path_size, const char *optional)
{
	uint8_t buf[512];
	uint16_t name[16];
	size_t n;

	n = load_option_build(buf, sizeof(buf), attributes, desc, path,
			      path_size, optional,
			      optional ? strlen(optional) + 1 : 0);
	assert_true(n > 0);
	load_option_make_name("Boot", number, name);
	put_var(name, buf, n, 7);
}

static void set_boot_order(const uint16_t *order, size_t count)
{
	put_var(U("BootOrder"), order, count * 2, 7);
}

/* @prefix + File(@file) + End into @out. */
static size_t with_file(const uint8_t *prefix, size_t prefix_size,
			const uint16_t *file, uint8_t *out)
{
	uint8_t node[256];
	size_t n = devpath_file_node(file, node, sizeof(node));

	return devpath_concat(prefix, prefix_size, node, n, out, 512);
}

static int setup(void **state)
{
	(void)state;
	fs_count = 0;
	load_count = 0;
	booted[0] = 0;
	last_options = NULL;
	last_options_size = 0;
	ready_to_boot = 0;
	memset(vars, 0, sizeof(vars));
	kernel_size = 0;
	kernel_fails = NULL;
	bootorder_blob = NULL;
	placements = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < fs_count; i++)
		efi_handle_delete(fs[i].handle);
	return 0;
}

/* What the boot manager printed during the last run(). */
static char console[8192];

static enum outcome run(void)
{
	static const struct platform platform = {.fw_cfg = {.size = 0x18}};
	static FILE *capture;
	static int saved;
	volatile int r;
	size_t n;

	fflush(stdout);
	capture = tmpfile();
	saved = dup(1);
	dup2(fileno(capture), 1);
	r = setjmp(ended);
	if (!r)
		boot_manager_run(&platform);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(capture);
	n = fread(console, 1, sizeof(console) - 1, capture);
	console[n] = 0;
	fclose(capture);
	fputs(console, stdout);
	return (enum outcome)r;
}

static void printed(const char *line)
{
	if (!strstr(console, line))
		fail_msg("not printed: %s", line);
}

/* ---- the cases ---------------------------------------------------------------- */

static const struct fake_file good_boot[] = {
	{U("\\EFI\\BOOT\\BOOTAA64.EFI"), "boot:fallback-1"}, {NULL, NULL}};
static const struct fake_file good_boot2[] = {
	{U("\\EFI\\BOOT\\BOOTAA64.EFI"), "boot:fallback-2"},
	{U("\\EFI\\debian\\shimaa64.efi"), "boot:debian"},
	{NULL, NULL}};
static const struct fake_file not_pe[] = {
	{U("\\EFI\\BOOT\\BOOTAA64.EFI"), "MZ garbage"}, {NULL, NULL}};
static const struct fake_file returns[] = {
	{U("\\EFI\\BOOT\\BOOTAA64.EFI"), "ret:shell"}, {NULL, NULL}};

static void test_kernel_first(void **state)
{
	(void)state;
	kernel_size = 1234;
	add_fs(esp1, sizeof(esp1), good_boot);
	assert_int_equal(run(), LINUX);
	assert_int_equal(load_count, 0);
	assert_int_equal(placements, 1);
}

/*
 * A -kernel that cannot be booted is one boot option that failed, as in
 * EDK2: it is said, the disks boot, and when nothing does it heads the list.
 */
static void test_kernel_falls_through(void **state)
{
	(void)state;
	kernel_size = 1234;
	kernel_fails = "not a bootable EFI image: not a PE/COFF image (no MZ "
		       "header) (0x0)";
	add_fs(esp1, sizeof(esp1), good_boot);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-1");
	printed("mmuon: boot: QEMU -kernel: not a bootable EFI image: not a "
		"PE/COFF image (no MZ header) (0x0)\n");
	assert_int_equal(placements, 1);
}

static void test_kernel_fails_nothing_else(void **state)
{
	(void)state;
	kernel_size = 1234;
	kernel_fails = "the kernel's EFI stub returned with status "
		       "0x8000000000000001";
	assert_int_equal(run(), POWER_OFF);
	printed("mmuon: nothing booted; tried, in order:\n"
		"mmuon:   1. QEMU -kernel: the kernel's EFI stub returned with "
		"status 0x8000000000000001\n"
		"mmuon:   2. boot options: none usable (BootOrder, "
		"BootNext)\n");
}

static void test_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(), POWER_OFF);
	assert_int_equal(load_count, 0);
	printed("mmuon: nothing booted; tried, in order:\n"
		"mmuon:   1. QEMU -kernel: no kernel given (or it is empty)\n"
		"mmuon:   2. boot options: none usable (BootOrder, BootNext)\n"
		"mmuon:   3. removable media (\\EFI\\BOOT\\BOOTAA64.EFI): no "
		"filesystem found\n"
		"mmuon: powering off\n");
}

/* No options: the removable-media file, filesystem by filesystem. */
static void test_removable_media(void **state)
{
	(void)state;
	add_fs(esp1, sizeof(esp1), not_pe);
	add_fs(esp2, sizeof(esp2), good_boot2);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-2");
	assert_int_equal(load_count, 2);
	assert_non_null(strstr(loaded[0], "Pci(0x1,0x0)"));
	assert_non_null(strstr(loaded[0], "\\EFI\\BOOT\\BOOTAA64.EFI"));
	assert_non_null(strstr(loaded[1], "Pci(0x2,0x0)"));
	assert_null(last_options);
	assert_int_equal(ready_to_boot, 1);
	/* Kernels loaded from disk go to random slots, counted. */
	assert_int_equal(placements, 1);
	/* No option: no BootCurrent. */
	assert_null(find_var(U("BootCurrent")));
}

/* An image that returns is recorded; the next one is tried. */
static void test_image_returns(void **state)
{
	(void)state;
	add_fs(esp1, sizeof(esp1), returns);
	add_fs(esp2, sizeof(esp2), good_boot2);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-2");
	assert_int_equal(ready_to_boot, 2);
}

/* HD(GUID)/File short form with optional data, BootCurrent set. */
static void test_short_form_option(void **state)
{
	static const uint16_t order[] = {0x0003};
	uint8_t opt[256];
	size_t n;

	(void)state;
	add_fs(esp1, sizeof(esp1), good_boot);
	add_fs(esp2, sizeof(esp2), good_boot2);
	/* The HD node of esp2, then the file. */
	n = with_file(esp2 + 18, sizeof(esp2) - 18,
		      U("\\EFI\\debian\\shimaa64.efi"), opt);
	add_option(3, LOAD_OPTION_ACTIVE, "debian", opt, n, "grub args");
	set_boot_order(order, 1);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:debian");
	assert_int_equal(load_count, 1);
	assert_true(strncmp(loaded[0], "PciRoot(0x0)/Pci(0x2,0x0)/HD(1,GPT,",
			    35) == 0);
	assert_int_equal(last_options_size, 10);
	assert_string_equal(last_options, "grub args");
	struct var *cur = find_var(U("BootCurrent"));
	assert_non_null(cur);
	assert_int_equal(cur->size, 2);
	assert_int_equal(cur->data[0], 3);
	assert_int_equal(cur->attributes, 6); /* BS | RT, volatile */
}

/* BootNext first, once; options pointing nowhere or broken are skipped. */
static void test_boot_next_and_bad_options(void **state)
{
	static const uint16_t order[] = {0x0001, 0x0002, 0x0004, 0x0005};
	static const uint16_t next = 0x0006;
	static const uint8_t nowhere_hd[] = {HD_GPT(0xee), END};
	uint8_t opt[256];
	size_t n;

	(void)state;
	add_fs(esp1, sizeof(esp1), good_boot);
	add_fs(esp2, sizeof(esp2), good_boot2);
	n = with_file(nowhere_hd, sizeof(nowhere_hd), U("\\x.efi"), opt);
	add_option(1, LOAD_OPTION_ACTIVE, "nowhere", opt, n, NULL);
	put_var(U("Boot0002"), "\x01\x00\x00\x00\xff\xff", 6, 7); /* broken */
	/* Inactive, and an application: not booted. */
	n = with_file(esp2, sizeof(esp2), U("\\EFI\\debian\\shimaa64.efi"),
		      opt);
	add_option(4, 0, "inactive", opt, n, NULL);
	add_option(5, LOAD_OPTION_ACTIVE | LOAD_OPTION_CATEGORY_APP, "app", opt,
		   n, NULL);
	add_option(6, LOAD_OPTION_ACTIVE, "next", opt, n, NULL);
	set_boot_order(order, 4);
	put_var(U("BootNext"), &next, 2, 7);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:debian");
	assert_null(find_var(U("BootNext")));
	assert_int_equal(find_var(U("BootCurrent"))->data[0], 6);

	/* Without BootNext: the nowhere option and the broken one are
	 * recorded, then the removable media of esp1 boots. */
	load_count = 0;
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-1");
	assert_int_equal(load_count, 1);
	printed("mmuon: boot: Boot0002: invalid load option: shorter than a "
		"load option\n");
	printed("mmuon: boot: Boot0001 \"nowhere\": no such device or file "
		"(HD(1,GPT,040302EE-0605-0807-090A-0B0C0D0E0F10,0x800,0x32000)/"
		"\\x.efi)\n");
}

/* A File() short form boots on the filesystem that has the file. */
static void test_file_only_option(void **state)
{
	static const uint16_t order[] = {0x0007};
	uint8_t opt[256];
	size_t n;

	(void)state;
	add_fs(esp1, sizeof(esp1), not_pe);
	add_fs(esp2, sizeof(esp2), good_boot2);
	n = devpath_file_node(U("\\EFI\\debian\\shimaa64.efi"), opt,
			      sizeof(opt));
	add_option(7, LOAD_OPTION_ACTIVE, "file", opt, n, NULL);
	set_boot_order(order, 1);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:debian");
	assert_int_equal(load_count, 1);
}

/* EDK2's auto-created kind: a disk, no file: its removable media. */
static void test_device_option(void **state)
{
	static const uint16_t order[] = {0x0008};

	(void)state;
	add_fs(esp1, sizeof(esp1), good_boot);
	add_fs(esp2, sizeof(esp2), good_boot2);
	add_option(8, LOAD_OPTION_ACTIVE, "UEFI Misc Device 2", disk2,
		   sizeof(disk2), NULL);
	set_boot_order(order, 1);
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-2");
	assert_int_equal(find_var(U("BootCurrent"))->data[0], 8);
}

/* QEMU's bootindex= order beats handle order and BootOrder. */
static void test_qemu_bootorder(void **state)
{
	static char blob[128];
	static const uint16_t order[] = {0x0009};
	uint8_t opt[256];
	size_t n;

	(void)state;
	add_fs(esp1, sizeof(esp1), good_boot);
	add_fs(esp2, sizeof(esp2), good_boot2);
	n = with_file(esp1, sizeof(esp1), U("\\EFI\\BOOT\\BOOTAA64.EFI"), opt);
	add_option(9, LOAD_OPTION_ACTIVE, "disk 1", opt, n, NULL);
	set_boot_order(order, 1);
	snprintf(blob, sizeof(blob), "%s\n%s", qemu_disk2, qemu_disk1);
	bootorder_blob = blob;
	assert_int_equal(run(), BOOTED);
	assert_string_equal(booted, "boot:fallback-2");
	assert_int_equal(load_count, 1);
}

/* strict=on: an unlisted device is never tried. */
static void test_qemu_strict(void **state)
{
	static char blob[128];

	(void)state;
	add_fs(esp1, sizeof(esp1), not_pe);
	add_fs(esp2, sizeof(esp2), good_boot2);
	snprintf(blob, sizeof(blob),
		 "/pci@ffffffffffffffff/ethernet@3/ethernet-phy@0\n%s\nHALT",
		 qemu_disk1);
	bootorder_blob = blob;
	assert_int_equal(run(), POWER_OFF);
	assert_int_equal(load_count, 1);
	assert_non_null(strstr(loaded[0], "Pci(0x1,0x0)"));
	printed("mmuon:   3. /pci@ffffffffffffffff/ethernet@3/ethernet-phy@0: "
		"network boot is not offered, skipped\n"
		"mmuon:   4. removable media: not a valid PE image "
		"(PciRoot(0x0)/Pci(0x1,0x0)/HD(1,GPT,040302A1-0605-0807-090A-"
		"0B0C0D0E0F10,0x800,0x32000)/\\EFI\\BOOT\\BOOTAA64.EFI)\n"
		"mmuon:   5. QEMU -boot strict=on: nothing else is tried\n"
		"mmuon: powering off\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_falls_through,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_fails_nothing_else,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removable_media, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_image_returns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_short_form_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_boot_next_and_bad_options,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_only_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_qemu_bootorder, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_qemu_strict, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
