// SPDX-License-Identifier: MIT
/*
 * Files named by device paths (src/efi/file_path.c) over the real
 * protocol database (protocol_db.c) and SimpleFileSystem on a FAT image
 * from mkfs.fat + mtools: the partition handle carries the device path
 * EDK2 gives an ESP on a virtio disk, the paths are those Boot####
 * options and systemd-boot hand to LoadImage. LoadFile2/LoadFile
 * providers stand in for the kernel loader's and GRUB's. Allocation,
 * TPLs and events are stubs below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_block.h>
#include <mmuon/efi_core.h>
#include <mmuon/file_path.h>
#include <mmuon/simple_fs.h>

#include "fat_images.h"
#include "ram_blockdev.h"

/* ---- stubs ----------------------------------------------------------------- */

/* Block devices come from the storage drivers: none here. */
int efi_block_watch(efi_block_watcher fn)
{
	(void)fn;
	return 0;
}

static long live_pools;

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
	assert_int_equal(type, EfiBootServicesData);
	*buffer = malloc(size);
	live_pools++;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_free_pool(VOID *buffer)
{
	live_pools--;
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

EFI_HANDLE efi_firmware_handle(void)
{
	return NULL;
}

static EFI_STATUS EFIAPI get_time(EFI_TIME *t, EFI_TIME_CAPABILITIES *caps)
{
	(void)t;
	(void)caps;
	return EFI_UNSUPPORTED;
}

EFI_RUNTIME_SERVICES efi_runtime_services = {.GetTime = get_time};

/* ---- paths ------------------------------------------------------------------- */

#define END 0x7f, 0xff, 0x04, 0x00
#define PCIROOT 0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0
#define PCI_1_0 0x01, 0x01, 0x06, 0x00, 0x00, 0x01
#define HD_GPT                                                                 \
	0x04, 0x01, 0x2a, 0x00, 1, 0, 0, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0,      \
		0x00, 0x20, 0x03, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,    \
		10, 11, 12, 13, 14, 15, 16, 2, 2

static const uint8_t disk_path[] = {PCIROOT, PCI_1_0, END};
static const uint8_t esp_path[] = {PCIROOT, PCI_1_0, HD_GPT, END};
/* VenMedia(<test GUID>) for a LoadFile2 provider. */
static const uint8_t lf2_path[] = {0x04, 0x03, 0x14, 0x00, 0xaa, 0xbb, 0xcc,
				   0xdd, 0xee, 0xff, 1,	   2,	 3,    4,
				   5,	 6,    7,    8,	   9,	 10,   END};

static uint8_t *image;
static size_t image_size;
static struct ram_blockdev ram;
static EFI_HANDLE esp, lf_handle;

/* @prefix + File(@name) + End, in a static buffer. */
static EFI_DEVICE_PATH_PROTOCOL *
file_path(const uint8_t *prefix, size_t prefix_size, const uint16_t *name)
{
	static uint8_t buf[1024];
	uint8_t node[600];
	size_t n = devpath_file_node(name, node, sizeof(node));

	assert_true(n > 0);
	assert_int_not_equal(
		devpath_concat(prefix, prefix_size, node, n, buf, sizeof(buf)),
		0);
	return (EFI_DEVICE_PATH_PROTOCOL *)buf;
}

/* A LoadFile(2) provider serving "from-load-file" for any path. */
static BOOLEAN last_policy;

static EFI_STATUS EFIAPI serve_file(EFI_LOAD_FILE_PROTOCOL *this,
				    EFI_DEVICE_PATH_PROTOCOL *path,
				    BOOLEAN boot_policy, UINTN *size, VOID *buf)
{
	static const char data[] = "from-load-file";

	(void)this;
	(void)path;
	last_policy = boot_policy;
	if (!buf || *size < sizeof(data)) {
		*size = sizeof(data);
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(buf, data, sizeof(data));
	*size = sizeof(data);
	return EFI_SUCCESS;
}

static EFI_LOAD_FILE_PROTOCOL lf = {serve_file};

static int group_setup(void **state)
{
	(void)state;
	if (fat_images_setup())
		return -1;
	build_image("fp.img", "-F 32 -s 1", 40000);
	image = load_file("fp.img", &image_size);
	ram_blockdev_init(&ram, image, image_size, 512);
	/* The ESP: its device path, then SimpleFileSystem on the handle. */
	if (efi_install_protocol_interface(
		    &esp, &(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
		    EFI_NATIVE_INTERFACE, (void *)esp_path) != EFI_SUCCESS ||
	    efi_simple_fs_attach(esp, &ram.dev, "esp") != EFI_SUCCESS)
		return -1;
	if (efi_install_multiple_protocol_interfaces(
		    &lf_handle, &(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
		    lf2_path, &(EFI_GUID)EFI_LOAD_FILE2_PROTOCOL_GUID, &lf,
		    &(EFI_GUID)EFI_LOAD_FILE_PROTOCOL_GUID, &lf,
		    NULL) != EFI_SUCCESS)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(image);
	fat_images_teardown();
	return 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_read_file(void **state)
{
	uint8_t *want = make_data(1, 70001);
	EFI_HANDLE device = NULL;
	void *buf = NULL;
	UINTN size = 0;

	(void)state;
	assert_int_equal(
		efi_file_path_read(TRUE,
				   file_path(esp_path, sizeof(esp_path),
					     U("\\EFI\\BOOT\\"
					       "bootaa64.efi")),
				   &buf, &size, &device),
		EFI_SUCCESS);
	assert_int_equal(size, 70001);
	assert_memory_equal(buf, want, 70001);
	assert_ptr_equal(device, esp);
	efi_free_pool(buf);
	/* An empty file. */
	assert_int_equal(
		efi_file_path_read(FALSE,
				   file_path(esp_path, sizeof(esp_path),
					     U("\\loader\\entries\\"
					       "UPPER.CONF")),
				   &buf, &size, NULL),
		EFI_SUCCESS);
	assert_int_equal(size, 0);
	efi_free_pool(buf);
	assert_int_equal(live_pools, 0);
	free(want);
}

/* File("\EFI") + File("BOOT\BOOTAA64.EFI"): nodes join with '\'. */
static void test_split_nodes(void **state)
{
	uint8_t path[256], a[64], b[64];
	size_t na = devpath_file_node(U("\\EFI"), a, sizeof(a));
	size_t nb = devpath_file_node(U("BOOT\\BOOTAA64.EFI"), b, sizeof(b));
	size_t n = devpath_concat(esp_path, sizeof(esp_path), a, na, path,
				  sizeof(path));
	void *buf;
	UINTN size;

	(void)state;
	n = devpath_concat(path, n, b, nb, path, sizeof(path));
	assert_int_equal(efi_file_path_read(FALSE,
					    (EFI_DEVICE_PATH_PROTOCOL *)path,
					    &buf, &size, NULL),
			 EFI_SUCCESS);
	assert_int_equal(size, 70001);
	efi_free_pool(buf);
}

static void test_source_pieces(void **state)
{
	uint8_t *want = make_data(7, 1 << 20), *dst = malloc(8192);
	struct efi_file_source src;

	(void)state;
	assert_int_equal(
		efi_file_source_open(
			file_path(esp_path, sizeof(esp_path), U("\\big.bin")),
			&src),
		EFI_SUCCESS);
	assert_int_equal(src.size, 1 << 20);
	assert_ptr_equal(src.device, esp);
	assert_int_equal(efi_file_source_read(&src, 4096 * 3 + 17, dst, 8192),
			 EFI_SUCCESS);
	assert_memory_equal(dst, want + 4096 * 3 + 17, 8192);
	assert_int_equal(efi_file_source_read(&src, (1 << 20) - 10, dst, 11),
			 EFI_END_OF_FILE);
	efi_file_source_close(&src);
	free(dst);
	free(want);
}

static void test_not_found(void **state)
{
	static const uint8_t other_disk[] = {PCIROOT, 0x01, 0x01, 0x06,
					     0x00,    0x00, 0x02, END};
	uint8_t bad[sizeof(esp_path)];
	struct efi_file_source src;
	void *buf;
	UINTN size;

	(void)state;
	/* No such file; the device without a file; a directory. */
	assert_int_equal(
		efi_file_path_read(FALSE,
				   file_path(esp_path, sizeof(esp_path),
					     U("\\nothere.efi")),
				   &buf, &size, NULL),
		EFI_NOT_FOUND);
	assert_int_equal(
		efi_file_path_read(FALSE, (EFI_DEVICE_PATH_PROTOCOL *)esp_path,
				   &buf, &size, NULL),
		EFI_NOT_FOUND);
	assert_int_equal(
		efi_file_path_read(
			FALSE,
			file_path(esp_path, sizeof(esp_path), U("\\EFI\\BOOT")),
			&buf, &size, NULL),
		EFI_UNSUPPORTED);
	/* Another disk, the disk above the ESP: no filesystem there. */
	assert_int_equal(
		efi_file_path_read(FALSE,
				   file_path(other_disk, sizeof(other_disk),
					     U("\\EFI\\BOOT\\"
					       "BOOTAA64.EFI")),
				   &buf, &size, NULL),
		EFI_NOT_FOUND);
	assert_int_equal(
		efi_file_source_open(
			file_path(disk_path, sizeof(disk_path), U("\\x")),
			&src),
		EFI_NOT_FOUND);
	/* A malformed path. */
	memcpy(bad, esp_path, sizeof(bad));
	bad[sizeof(bad) - 2] = 0;
	assert_int_equal(efi_file_path_read(FALSE,
					    (EFI_DEVICE_PATH_PROTOCOL *)bad,
					    &buf, &size, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(live_pools, 0);
}

/* Without a filesystem: LoadFile2 (not with BootPolicy), then LoadFile. */
static void test_load_file(void **state)
{
	EFI_HANDLE device = NULL;
	void *buf;
	UINTN size;

	(void)state;
	assert_int_equal(
		efi_file_path_read(FALSE, (EFI_DEVICE_PATH_PROTOCOL *)lf2_path,
				   &buf, &size, &device),
		EFI_SUCCESS);
	assert_int_equal(size, 15);
	assert_string_equal(buf, "from-load-file");
	assert_ptr_equal(device, lf_handle);
	assert_false(last_policy);
	efi_free_pool(buf);
	assert_int_equal(
		efi_file_path_read(TRUE, (EFI_DEVICE_PATH_PROTOCOL *)lf2_path,
				   &buf, &size, &device),
		EFI_SUCCESS);
	assert_true(last_policy); /* through LoadFile: the policy passed on */
	efi_free_pool(buf);
	assert_int_equal(live_pools, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_split_nodes),
		cmocka_unit_test(test_source_pieces),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
