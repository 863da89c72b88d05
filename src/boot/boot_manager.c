// SPDX-License-Identifier: MIT
/*
 * The UEFI boot manager (UEFI 2.10, chapter 3): what runs once the
 * firmware is up. In order, as EDK2 does it on QEMU's virt machine:
 *
 *   1. QEMU's -kernel, when one is given (src/boot/linux.c); one that
 *      cannot be booted, or whose image returns, is listed like any
 *      other attempt;
 *   2. BootNext, once (the variable is deleted first);
 *   3. the Boot#### options of BootOrder; with QEMU's bootorder file
 *      (bootindex=), first the options and removable media of each
 *      device it lists, in its order, then the others -- none with
 *      -boot strict=on ("HALT");
 *   4. the removable-media file \EFI\BOOT\BOOTAA64.EFI on every
 *      filesystem.
 *
 * Short-form options (HD(...)/File(...), File(...)) are expanded against
 * the filesystems present; an option naming a device without a file boots
 * that device's removable-media file. Every attempt is recorded: when
 * nothing boots -- or every image returns -- the list of what was tried
 * and why it failed is printed and the machine powered off.
 */
#include <string.h>

#include <efi/protocol/simple_file_system.h>
#include <mmuon/boot.h>
#include <mmuon/boot_manager.h>
#include <mmuon/bootorder.h>
#include <mmuon/console.h>
#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_text.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/file_path.h>
#include <mmuon/fmt.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/load_option.h>
#include <mmuon/power.h>

#define REMOVABLE_FILE u"\\EFI\\BOOT\\BOOTAA64.EFI"
#define MAX_TRIED 24
#define MAX_OPTIONS 64
#define MAX_FILESYSTEMS 64
#define PATH_BUF 1024

struct attempt {
	char what[48];	/* "Boot0001 \"debian\"", "removable media" */
	char why[128];	/* "not found" */
	char path[200]; /* the device path, as text ("" if none) */
};

struct option {
	uint16_t number;
	void *var; /* the variable's contents, which lo points into */
	struct load_option lo;
	char description[48];
	bool done;
};

struct filesystem {
	EFI_HANDLE handle;
	const uint8_t *path;
	size_t path_size;
	bool done; /* its removable-media file was tried */
};

static struct {
	struct attempt tried[MAX_TRIED];
	unsigned tried_count, tried_more;
	struct option option[MAX_OPTIONS];
	unsigned option_count;
	struct filesystem fs[MAX_FILESYSTEMS];
	unsigned fs_count;
	struct bootorder order;
	uint8_t path[PATH_BUF];
} bm;

static EFI_GUID global_var = EFI_GLOBAL_VARIABLE;

/* ---- what was tried ------------------------------------------------------ */

static void tried(const char *what, const void *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records (and prints) an attempt that did not boot. */
static void tried(const char *what, const void *path, const char *fmt, ...)
{
	struct attempt *a;
	va_list ap;

	if (bm.tried_count == MAX_TRIED) {
		bm.tried_more++;
		return;
	}
	a = &bm.tried[bm.tried_count++];
	fmt_snprintf(a->what, sizeof(a->what), "%s", what);
	va_start(ap, fmt);
	fmt_vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	a->path[0] = 0;
	if (path)
		devpath_to_text(path, DEVPATH_MAX_SIZE, a->path,
				sizeof(a->path));
	printf("mmuon: boot: %s: %s%s%s%s\n", a->what, a->why, path ? " (" : "",
	       a->path, path ? ")" : "");
}

static const char *status_text(EFI_STATUS st)
{
	switch (st) {
	case EFI_NOT_FOUND:
		return "not found";
	case EFI_LOAD_ERROR:
		return "not a valid PE image";
	case EFI_UNSUPPORTED:
		return "not an image for this machine";
	case EFI_VOLUME_CORRUPTED:
		return "filesystem corrupted";
	case EFI_DEVICE_ERROR:
		return "device error";
	case EFI_OUT_OF_RESOURCES:
		return "out of memory";
	case EFI_SECURITY_VIOLATION:
		return "refused by security policy";
	case EFI_ACCESS_DENIED:
		return "access denied";
	case EFI_NO_MEDIA:
		return "no media";
	default:
		return "failed";
	}
}

/* ---- variables ----------------------------------------------------------- */

/* A global variable in pool memory, or NULL. */
static void *get_var(const CHAR16 *name, UINTN *size)
{
	void *buf = NULL;
	EFI_STATUS st;

	*size = 0;
	st = efi_runtime_services.GetVariable((CHAR16 *)name, &global_var, NULL,
					      size, NULL);
	if (st != EFI_BUFFER_TOO_SMALL ||
	    efi_allocate_pool(EfiBootServicesData, *size, &buf) != EFI_SUCCESS)
		return NULL;
	st = efi_runtime_services.GetVariable((CHAR16 *)name, &global_var, NULL,
					      size, buf);
	if (st != EFI_SUCCESS) {
		efi_free_pool(buf);
		return NULL;
	}
	return buf;
}

static void set_boot_current(const struct option *o)
{
	static CHAR16 name[] = u"BootCurrent";
	uint16_t number = o ? o->number : 0;

	efi_runtime_services.SetVariable(
		name, &global_var,
		EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
		o ? sizeof(number) : 0, o ? &number : NULL);
}

/* Boot#### as a parsed option; false (and recorded) if it is unusable. */
static bool read_option(uint16_t number, struct option *o)
{
	CHAR16 name[16];
	char label[16];
	enum load_option_status st;
	UINTN size;
	void *data;

	load_option_make_name("Boot", number, name);
	fmt_snprintf(label, sizeof(label), "Boot%04X", number);
	data = get_var(name, &size);
	if (!data) {
		tried(label, NULL, "in BootOrder, but no such variable");
		return false;
	}
	st = load_option_parse(data, size, &o->lo);
	if (st != LOAD_OPTION_OK) {
		tried(label, NULL, "invalid load option: %s",
		      load_option_strerror(st));
		efi_free_pool(data);
		return false;
	}
	/* Inactive options and applications are not booted (3.1.3). */
	if (!(o->lo.attributes & LOAD_OPTION_ACTIVE) ||
	    (o->lo.attributes & LOAD_OPTION_CATEGORY) !=
		    LOAD_OPTION_CATEGORY_BOOT) {
		efi_free_pool(data);
		return false;
	}
	o->number = number;
	o->var = data;
	load_option_description(&o->lo, o->description, sizeof(o->description));
	return true;
}

static void add_option(uint16_t number)
{
	for (unsigned i = 0; i < bm.option_count; i++)
		if (bm.option[i].number == number)
			return;
	if (bm.option_count < MAX_OPTIONS &&
	    read_option(number, &bm.option[bm.option_count]))
		bm.option_count++;
}

/* BootNext (deleted first: it is for one boot), then BootOrder. */
static void collect_options(void)
{
	static CHAR16 next_name[] = u"BootNext";
	static CHAR16 order_name[] = u"BootOrder";
	UINTN size;
	uint16_t *v;

	v = get_var(next_name, &size);
	if (v) {
		efi_runtime_services.SetVariable(next_name, &global_var, 0, 0,
						 NULL);
		if (size == sizeof(uint16_t))
			add_option(v[0]);
		efi_free_pool(v);
	}
	v = get_var(order_name, &size);
	if (v) {
		for (UINTN i = 0; i < size / sizeof(uint16_t); i++)
			add_option(v[i]);
		efi_free_pool(v);
	}
}

/* Every SimpleFileSystem with a device path, in handle order. */
static void collect_filesystems(void)
{
	EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	EFI_HANDLE *handles;
	UINTN count;
	void *path;

	if (efi_locate_handle_buffer(ByProtocol, &sfs_guid, NULL, &count,
				     &handles) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < count && bm.fs_count < MAX_FILESYSTEMS; i++) {
		struct filesystem *fs = &bm.fs[bm.fs_count];

		if (efi_handle_protocol(handles[i], &dp_guid, &path) !=
		    EFI_SUCCESS)
			continue;
		fs->path_size = devpath_size(path, DEVPATH_MAX_SIZE);
		if (!fs->path_size)
			continue;
		fs->handle = handles[i];
		fs->path = path;
		bm.fs_count++;
	}
	efi_free_pool(handles);
}

/* ---- booting one path ------------------------------------------------------ */

/*
 * Loads and starts the file @path names. Returns only if it did not boot
 * (or the image returned); the outcome is recorded under @what.
 */
static void boot_path(const char *what, const uint8_t *path,
		      const struct option *o)
{
	EFI_DEVICE_PATH_PROTOCOL *dp = (EFI_DEVICE_PATH_PROTOCOL *)path;
	EFI_LOADED_IMAGE_PROTOCOL *loaded;
	EFI_HANDLE image;
	EFI_STATUS st;
	char text[200];

	/* From the file itself: a kernel goes to its slot without a copy. */
	st = efi_load_image(TRUE, efi_firmware_handle(), dp, NULL, 0, &image);
	if (st != EFI_SUCCESS) {
		tried(what, path, "%s", status_text(st));
		return;
	}
	if (o && o->lo.optional_size) {
		loaded = efi_image_loaded(image);
		loaded->LoadOptions = (void *)o->lo.optional_data;
		loaded->LoadOptionsSize = (UINT32)o->lo.optional_size;
	}
	set_boot_current(o);
	devpath_to_text(path, DEVPATH_MAX_SIZE, text, sizeof(text));
	printf("mmuon: booting %s: %s\n", what, text);
	efi_events_signal_group(&(EFI_GUID)EFI_EVENT_GROUP_READY_TO_BOOT);
	st = efi_start_image(image, NULL, NULL);
	tried(what, path, "returned (status 0x%llx)", (unsigned long long)st);
}

/*
 * The removable-media file on filesystem @fs, for option @o (NULL: on
 * the manager's own account).
 */
static void boot_removable(struct filesystem *fs, const struct option *o,
			   const char *what)
{
	static const CHAR16 file[] = REMOVABLE_FILE;
	uint8_t node[64];
	size_t n = devpath_file_node(file, node, sizeof(node));

	fs->done = true;
	n = devpath_concat(fs->path, fs->path_size, node, n, bm.path,
			   sizeof(bm.path));
	if (!n) {
		tried(what, fs->path, "device path too long");
		return;
	}
	boot_path(what, bm.path, o);
}

/* Whether @path starts with the device path @prefix (NULL: anything). */
static bool under(const uint8_t *prefix, const void *path)
{
	return !prefix ||
	       devpath_is_prefix(prefix, path, DEVPATH_MAX_SIZE, NULL);
}

/*
 * Boots option @o, expanding short forms, on devices under @prefix only
 * (NULL: anywhere).
 */
static void boot_option(struct option *o, const uint8_t *prefix)
{
	const uint8_t *path = o->lo.file_path;
	size_t size = o->lo.file_path_size, after, n;
	enum devpath_form form = devpath_form(path);
	char what[48];
	bool any = false;

	fmt_snprintf(what, sizeof(what), "Boot%04X \"%s\"", o->number,
		     o->description);
	switch (form) {
	case DEVPATH_FORM_FULL:
		if (!under(prefix, path))
			return;
		o->done = true;
		if (devpath_file_part(path) != size - DEVPATH_HDR_SIZE) {
			boot_path(what, path, o);
			return;
		}
		/* A device: its filesystems' removable-media files. */
		for (unsigned i = 0; i < bm.fs_count; i++) {
			if (under(path, bm.fs[i].path)) {
				any = true;
				boot_removable(&bm.fs[i], o, what);
			}
		}
		break;
	case DEVPATH_FORM_HD:
		/* The partition with that signature, then the rest. */
		for (unsigned i = 0; i < bm.fs_count; i++) {
			struct filesystem *fs = &bm.fs[i];

			if (!devpath_hd_match(path, fs->path, fs->path_size,
					      &after) ||
			    !under(prefix, fs->path))
				continue;
			any = true;
			o->done = true;
			n = size - DEVPATH_HD_SIZE;
			if (after + n > sizeof(bm.path))
				continue;
			memcpy(bm.path, fs->path, after);
			memcpy(bm.path + after, path + DEVPATH_HD_SIZE, n);
			boot_path(what, bm.path, o);
		}
		break;
	case DEVPATH_FORM_FILE:
		/* Every filesystem, in order, that has the file. */
		for (unsigned i = 0; i < bm.fs_count; i++) {
			struct filesystem *fs = &bm.fs[i];
			struct efi_file_source src;

			if (!under(prefix, fs->path))
				continue;
			o->done = true;
			n = devpath_concat(fs->path, fs->path_size, path, size,
					   bm.path, sizeof(bm.path));
			if (!n || efi_file_source_open(
					  (EFI_DEVICE_PATH_PROTOCOL *)bm.path,
					  &src) != EFI_SUCCESS)
				continue;
			efi_file_source_close(&src);
			any = true;
			boot_path(what, bm.path, o);
		}
		break;
	default:
		if (prefix)
			return;
		o->done = true;
		tried(what, path, "%s, skipped", devpath_form_name(form));
		return;
	}
	if (!any && !prefix) {
		o->done = true;
		tried(what, path, "no such device or file");
	}
}

/* ---- the order ------------------------------------------------------------- */

static void read_bootorder(void)
{
	uint16_t key;
	uint32_t size;
	char *data;

	if (fw_cfg_find_file("bootorder", &key, &size) != FW_CFG_OK || !size)
		return;
	data = efi_zalloc(size + 1);
	if (!data)
		return;
	if (fw_cfg_read(key, 0, data, size) == FW_CFG_OK)
		bootorder_parse(data, size, &bm.order);
	efi_free(data);
}

/* The options and removable media of one bootindex= device. */
static void boot_device(const struct bootorder_entry *e)
{
	uint8_t prefix[BOOTORDER_PATH_MAX];
	unsigned before;

	if (e->kind == BOOTORDER_NET) {
		tried(e->text, NULL, "network boot is not offered, skipped");
		return;
	}
	if (!bootorder_device_path(e, prefix)) {
		tried(e->text, NULL, "not a device mmuon knows, skipped");
		return;
	}
	before = bm.tried_count + bm.tried_more;
	for (unsigned i = 0; i < bm.option_count; i++)
		if (!bm.option[i].done)
			boot_option(&bm.option[i], prefix);
	for (unsigned i = 0; i < bm.fs_count; i++)
		if (!bm.fs[i].done && under(prefix, bm.fs[i].path))
			boot_removable(&bm.fs[i], NULL, "removable media");
	if (bm.tried_count + bm.tried_more == before)
		tried(e->text, prefix,
		      "no boot option and no filesystem on it");
}

static __attribute__((noreturn)) void nothing_booted(void)
{
	printf("mmuon: nothing booted; tried, in order:\n");
	for (unsigned i = 0; i < bm.tried_count; i++) {
		const struct attempt *a = &bm.tried[i];

		printf("mmuon:   %u. %s: %s%s%s%s\n", i + 1, a->what, a->why,
		       a->path[0] ? " (" : "", a->path, a->path[0] ? ")" : "");
	}
	if (bm.tried_more)
		printf("mmuon:   ... and %u more\n", bm.tried_more);
	printf("mmuon: powering off\n");
	power_off();
}

void boot_manager_run(const struct platform *p)
{
	char why[sizeof(bm.tried[0].why)];

	/* Runs once in the firmware; the host tests run it again. */
	for (unsigned i = 0; i < bm.option_count; i++)
		efi_free_pool(bm.option[i].var);
	memset(&bm, 0, sizeof(bm));
	/* Kernels loaded from now on: random slots, counted, published. */
	linux_kernel_placement();
	/*
	 * Without fw_cfg (a DT that lost it) boot_linux() says so and stops:
	 * on QEMU's virt machine that is a broken DT, not a disk boot.
	 */
	boot_linux(p, why, sizeof(why));
	tried("QEMU -kernel", NULL, "%s", why);

	read_bootorder();
	collect_options();
	collect_filesystems();
	if (!bm.option_count)
		tried("boot options", NULL,
		      "none usable (BootOrder, BootNext)");

	for (unsigned i = 0; i < bm.order.count; i++)
		boot_device(&bm.order.entry[i]);
	if (bm.order.strict) {
		tried("QEMU -boot strict=on", NULL, "nothing else is tried");
		nothing_booted();
	}
	for (unsigned i = 0; i < bm.option_count; i++)
		if (!bm.option[i].done)
			boot_option(&bm.option[i], NULL);
	for (unsigned i = 0; i < bm.fs_count; i++)
		if (!bm.fs[i].done)
			boot_removable(&bm.fs[i], NULL, "removable media");
	if (!bm.fs_count)
		tried("removable media (\\EFI\\BOOT\\BOOTAA64.EFI)", NULL,
		      "no filesystem found");
	nothing_booted();
}
