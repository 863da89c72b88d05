// SPDX-License-Identifier: MIT
/*
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (src/efi/
 * simple_fs.c) as a client sees them, on a FAT16 image made by mkfs.fat
 * and mtools: the size-probing calls (BUFFER_TOO_SMALL with the size),
 * directory reads as systemd-boot does them, open modes, read-only
 * handles, SetInfo (rename, resize, attributes, times), volume info and
 * label, deleted handles, the *Ex calls; fsck.fat -n is clean afterwards.
 * The UEFI core around it (allocator, protocol database, events, clock)
 * is stubbed below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mmuon/efi_block.h>
#include <mmuon/efi_core.h>
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

void *efi_zalloc(UINTN size)
{
	return calloc(1, size);
}

void efi_free(void *p)
{
	free(p);
}

static EFI_HANDLE installed_handle;
static EFI_GUID installed_guid;
static void *installed;

EFI_STATUS EFIAPI efi_install_protocol_interface(EFI_HANDLE *handle,
						 EFI_GUID *protocol,
						 EFI_INTERFACE_TYPE type,
						 VOID *interface)
{
	(void)type;
	installed_handle = *handle;
	installed_guid = *protocol;
	installed = interface;
	return EFI_SUCCESS;
}

static unsigned signalled;

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event)
{
	assert_ptr_equal(event, (EFI_EVENT)0x1234);
	signalled++;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI get_time(EFI_TIME *t, EFI_TIME_CAPABILITIES *caps)
{
	(void)caps;
	*t = (EFI_TIME){.Year = 2025,
			.Month = 3,
			.Day = 4,
			.Hour = 5,
			.Minute = 6,
			.Second = 7};
	return EFI_SUCCESS;
}

EFI_RUNTIME_SERVICES efi_runtime_services = {.GetTime = get_time};

/* ---- the volume ------------------------------------------------------------- */

static uint8_t *image;
static size_t image_size;
static struct ram_blockdev ram;
static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;

static int group_setup(void **state)
{
	static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;

	(void)state;
	if (fat_images_setup())
		return -1;
	build_image("sfs.img", "-F 16 -n SFSVOL", 16384);
	image = load_file("sfs.img", &image_size);
	ram_blockdev_init(&ram, image, image_size, 512);
	if (efi_simple_fs_attach((EFI_HANDLE)0x5678, &ram.dev, "test") !=
		    EFI_SUCCESS ||
	    installed_handle != (EFI_HANDLE)0x5678 ||
	    !efi_guid_equal(&installed_guid, &sfs_guid))
		return -1;
	sfs = installed;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(image);
	fat_images_teardown();
	return 0;
}

static EFI_FILE_PROTOCOL *open_root(void)
{
	EFI_FILE_PROTOCOL *root = NULL;

	assert_int_equal(sfs->OpenVolume(sfs, &root), EFI_SUCCESS);
	assert_int_equal(root->Revision, EFI_FILE_PROTOCOL_REVISION2);
	return root;
}

static EFI_FILE_PROTOCOL *open_path(EFI_FILE_PROTOCOL *dir, const uint16_t *p,
				    UINT64 mode, UINT64 attr)
{
	EFI_FILE_PROTOCOL *f = NULL;

	assert_int_equal(dir->Open(dir, &f, (CHAR16 *)p, mode, attr),
			 EFI_SUCCESS);
	return f;
}

#define RD EFI_FILE_MODE_READ
#define RW (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE)
#define RWC (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE)

/* GetInfo the way clients do it: ask the size, allocate, ask again. */
static void *get_info(EFI_FILE_PROTOCOL *f, const EFI_GUID *type)
{
	UINTN size = 0;
	void *buf;

	assert_int_equal(f->GetInfo(f, (EFI_GUID *)type, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	buf = malloc(size);
	assert_int_equal(f->GetInfo(f, (EFI_GUID *)type, &size, buf),
			 EFI_SUCCESS);
	return buf;
}

static const EFI_GUID file_info_id = EFI_FILE_INFO_ID;
static const EFI_GUID fs_info_id = EFI_FILE_SYSTEM_INFO_ID;
static const EFI_GUID label_id = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

/* ---- tests ------------------------------------------------------------------- */

/* systemd-boot's readdir: a buffer that may be too small, grown on demand. */
static void test_read_directory(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *dir;
	UINTN size, cap = SIZE_OF_EFI_FILE_INFO + 8;
	EFI_FILE_INFO *info = malloc(cap);
	unsigned count = 0, too_small = 0;
	bool long_name = false;
	EFI_STATUS st;
	UINT64 pos;

	(void)state;
	dir = open_path(root, U("\\LOADER\\entries"), RD, 0);
	for (;;) {
		size = cap;
		st = dir->Read(dir, &size, info);
		if (st == EFI_BUFFER_TOO_SMALL) {
			assert_true(size > cap);
			cap = size;
			info = realloc(info, cap);
			too_small++;
			continue;
		}
		assert_int_equal(st, EFI_SUCCESS);
		if (!size)
			break;
		assert_int_equal(info->Size, size);
		count++;
		if (size == SIZE_OF_EFI_FILE_INFO + 27 * 2 &&
		    !memcmp(info->FileName, U("Debian Long Name 6.12.conf"),
			    27 * 2)) {
			long_name = true;
			assert_int_equal(info->FileSize, 4097);
			assert_int_equal(info->Attribute, EFI_FILE_ARCHIVE);
		}
	}
	assert_true(too_small >= 1);
	assert_true(long_name);
	assert_int_equal(count, 5); /* ".", "..", three files */
	/* Directories have no position, only a restart. */
	assert_int_equal(dir->GetPosition(dir, &pos), EFI_UNSUPPORTED);
	assert_int_equal(dir->SetPosition(dir, 1), EFI_UNSUPPORTED);
	assert_int_equal(dir->SetPosition(dir, 0), EFI_SUCCESS);
	size = cap;
	assert_int_equal(dir->Read(dir, &size, info), EFI_SUCCESS);
	assert_true(size > 0);
	size = 8;
	assert_int_equal(dir->Write(dir, &size, info), EFI_UNSUPPORTED);
	assert_int_equal(dir->Close(dir), EFI_SUCCESS);
	free(info);
	assert_int_equal(root->Close(root), EFI_SUCCESS);
}

static void test_read_file_and_info(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f;
	uint8_t *want = make_data(1, 70001), *buf = malloc(80000);
	EFI_FILE_SYSTEM_INFO *fsi;
	EFI_FILE_INFO *info;
	UINTN size = 80000;
	CHAR16 *label;
	UINT64 pos;

	(void)state;
	f = open_path(root, U("efi\\boot\\bootaa64.efi"), RD, 0);
	assert_int_equal(f->Read(f, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 70001);
	assert_memory_equal(buf, want, 70001);
	assert_int_equal(f->GetPosition(f, &pos), EFI_SUCCESS);
	assert_int_equal(pos, 70001);
	size = 10;
	assert_int_equal(f->Read(f, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 0);
	size = 10;
	assert_int_equal(f->Read(f, &size, NULL), EFI_INVALID_PARAMETER);
	/* Past the end is an error, at the end is not (13.5.5). */
	assert_int_equal(f->SetPosition(f, 70002), EFI_SUCCESS);
	size = 10;
	assert_int_equal(f->Read(f, &size, buf), EFI_DEVICE_ERROR);

	info = get_info(f, &file_info_id);
	assert_int_equal(info->Size, SIZE_OF_EFI_FILE_INFO + 13 * 2);
	assert_int_equal(info->FileSize, 70001);
	assert_true(info->PhysicalSize >= 70001);
	assert_memory_equal(info->FileName, U("BOOTAA64.EFI"), 13 * 2);
	assert_true(info->ModificationTime.Year >= 2020);
	free(info);

	fsi = get_info(f, &fs_info_id);
	assert_memory_equal(fsi->VolumeLabel, U("SFSVOL"), 7 * 2);
	assert_int_equal(fsi->Size, SIZE_OF_EFI_FILE_SYSTEM_INFO + 7 * 2);
	assert_false(fsi->ReadOnly);
	assert_true(fsi->FreeSpace > 0 && fsi->FreeSpace < fsi->VolumeSize);
	assert_int_equal(fsi->BlockSize % 512, 0);
	free(fsi);
	label = get_info(f, &label_id);
	assert_memory_equal(label, U("SFSVOL"), 7 * 2);
	free(label);
	/* The root's info: a directory with an empty name. */
	info = get_info(root, &file_info_id);
	assert_int_equal(info->Attribute, EFI_FILE_DIRECTORY);
	assert_int_equal(info->FileName[0], 0);
	free(info);

	size = 100;
	assert_int_equal(f->GetInfo(f, &(EFI_GUID){0}, &size, buf),
			 EFI_UNSUPPORTED);
	assert_int_equal(f->Close(f), EFI_SUCCESS);
	assert_int_equal(root->Close(root), EFI_SUCCESS);
	free(want);
	free(buf);
}

static void test_open_modes(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f, *g;
	UINTN size = 3;

	(void)state;
	assert_int_equal(root->Open(root, &f, (CHAR16 *)U("big.bin"),
				    EFI_FILE_MODE_WRITE, 0),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &f, (CHAR16 *)U("x"),
				    EFI_FILE_MODE_READ | EFI_FILE_MODE_CREATE,
				    0),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &f, (CHAR16 *)U("x"), RWC, 0x40),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &f, NULL, RD, 0),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, NULL, (CHAR16 *)U("x"), RD, 0),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &f, (CHAR16 *)U("nothere"), RD, 0),
			 EFI_NOT_FOUND);
	assert_int_equal(root->Open(root, &f, (CHAR16 *)U("a:b"), RWC, 0),
			 EFI_INVALID_PARAMETER);

	/* Through a read-only handle: no write, no flush. */
	f = open_path(root, U("big.bin"), RD, 0);
	assert_int_equal(f->Write(f, &size, "abc"), EFI_ACCESS_DENIED);
	assert_int_equal(f->Flush(f), EFI_ACCESS_DENIED);
	f->Close(f);

	/* A file created read-only is writable through its creating handle
	 * only. */
	f = open_path(root, U("ro.txt"), RWC, EFI_FILE_READ_ONLY);
	assert_int_equal(f->Write(f, &size, "abc"), EFI_SUCCESS);
	assert_int_equal(f->Flush(f), EFI_SUCCESS);
	assert_int_equal(root->Open(root, &g, (CHAR16 *)U("ro.txt"), RW, 0),
			 EFI_ACCESS_DENIED);
	f->Close(f);
	root->Close(root);
}

static void test_set_info(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f, *ro, *g;
	EFI_FILE_INFO *info, *again;
	uint8_t buf[SIZE_OF_EFI_FILE_INFO + 64];
	UINTN size = 5;

	(void)state;
	f = open_path(root, U("\\setinfo.txt"), RWC, 0);
	assert_int_equal(f->Write(f, &size, "hello"), EFI_SUCCESS);
	again = get_info(f, &file_info_id);

	/* Rename into a directory by path, grow, make hidden, set times. */
	memcpy(buf, again, SIZE_OF_EFI_FILE_INFO);
	free(again);
	info = (EFI_FILE_INFO *)buf;
	memcpy(info->FileName, U("loader\\Renamed.TXT"), 19 * 2);
	info->Size = SIZE_OF_EFI_FILE_INFO + 19 * 2;
	info->FileSize = 10000;
	info->Attribute = EFI_FILE_ARCHIVE | EFI_FILE_HIDDEN;
	info->ModificationTime = (EFI_TIME){.Year = 2001,
					    .Month = 2,
					    .Day = 3,
					    .Hour = 4,
					    .Minute = 5,
					    .Second = 6};
	memset(&info->CreateTime, 0, sizeof(EFI_TIME));
	assert_int_equal(
		f->SetInfo(f, (EFI_GUID *)&file_info_id, info->Size, info),
		EFI_SUCCESS);
	again = get_info(f, &file_info_id);
	assert_memory_equal(again->FileName, U("Renamed.TXT"), 12 * 2);
	assert_int_equal(again->FileSize, 10000);
	assert_int_equal(again->Attribute, EFI_FILE_ARCHIVE | EFI_FILE_HIDDEN);
	assert_int_equal(again->ModificationTime.Year, 2001);
	assert_int_equal(again->ModificationTime.Second, 6);
	free(again);
	g = open_path(root, U("\\loader\\renamed.txt"), RD, 0);
	g->Close(g);

	/* Bad buffers, a directory bit, a name taken. */
	assert_int_equal(f->SetInfo(f, (EFI_GUID *)&file_info_id, 10, info),
			 EFI_BAD_BUFFER_SIZE);
	info->Size = sizeof(buf) + 2;
	assert_int_equal(
		f->SetInfo(f, (EFI_GUID *)&file_info_id, sizeof(buf), info),
		EFI_BAD_BUFFER_SIZE);
	info->Size = SIZE_OF_EFI_FILE_INFO + 19 * 2;
	info->Attribute |= EFI_FILE_DIRECTORY;
	assert_int_equal(
		f->SetInfo(f, (EFI_GUID *)&file_info_id, info->Size, info),
		EFI_ACCESS_DENIED);
	info->Attribute &= ~EFI_FILE_DIRECTORY;
	memcpy(info->FileName, U("loader.conf"), 12 * 2);
	assert_int_equal(
		f->SetInfo(f, (EFI_GUID *)&file_info_id, info->Size, info),
		EFI_ACCESS_DENIED);
	info->ModificationTime.Month = 13;
	memcpy(info->FileName, U("Renamed.TXT"), 12 * 2);
	assert_int_equal(
		f->SetInfo(f, (EFI_GUID *)&file_info_id, info->Size, info),
		EFI_INVALID_PARAMETER);
	f->Close(f);

	/* A read-only handle may change attributes, nothing else. */
	ro = open_path(root, U("\\loader\\renamed.txt"), RD, 0);
	again = get_info(ro, &file_info_id);
	again->Attribute = EFI_FILE_ARCHIVE;
	assert_int_equal(
		ro->SetInfo(ro, (EFI_GUID *)&file_info_id, again->Size, again),
		EFI_SUCCESS);
	again->FileSize = 1;
	assert_int_equal(
		ro->SetInfo(ro, (EFI_GUID *)&file_info_id, again->Size, again),
		EFI_ACCESS_DENIED);
	free(again);
	ro->Close(ro);

	/* The root cannot be renamed. */
	again = get_info(root, &file_info_id);
	memcpy(buf, again, SIZE_OF_EFI_FILE_INFO);
	free(again);
	info = (EFI_FILE_INFO *)buf;
	memcpy(info->FileName, U("x"), 2 * 2);
	info->Size = SIZE_OF_EFI_FILE_INFO + 4;
	assert_int_equal(root->SetInfo(root, (EFI_GUID *)&file_info_id,
				       info->Size, info),
			 EFI_ACCESS_DENIED);

	/* The label, through both information types. */
	assert_int_equal(
		root->SetInfo(root, (EFI_GUID *)&label_id, 8, (void *)U("NEW")),
		EFI_SUCCESS);
	{
		CHAR16 *l = get_info(root, &label_id);

		assert_memory_equal(l, U("NEW"), 4 * 2);
		free(l);
	}
	assert_int_equal(
		root->SetInfo(root, (EFI_GUID *)&label_id, 4, (void *)U("NEW")),
		EFI_BAD_BUFFER_SIZE);
	root->Close(root);
}

static void test_delete(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f, *g, *d;
	uint8_t b[4];
	UINTN size = 4;

	(void)state;
	f = open_path(root, U("doomed"), RWC, 0);
	g = open_path(root, U("DOOMED"), RD, 0);
	assert_int_equal(f->Delete(f), EFI_SUCCESS);
	assert_int_equal(g->Read(g, &size, b), EFI_DEVICE_ERROR);
	assert_int_equal(g->Close(g), EFI_SUCCESS);
	/* A directory with entries stays; the handle is closed anyway. */
	d = open_path(root, U("loader"), RW, 0);
	assert_int_equal(d->Delete(d), EFI_WARN_DELETE_FAILURE);
	/* So does one deleted through a read-only handle. */
	d = open_path(root, U("big.bin"), RD, 0);
	assert_int_equal(d->Delete(d), EFI_WARN_DELETE_FAILURE);
	d = open_path(root, U("big.bin"), RD, 0);
	d->Close(d);
	root->Close(root);
}

static void test_ex_calls(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f = NULL;
	EFI_FILE_IO_TOKEN token = {.Event = (EFI_EVENT)0x1234};
	uint8_t b[16];

	(void)state;
	signalled = 0;
	assert_int_equal(
		root->OpenEx(root, &f, (CHAR16 *)U("ex.bin"), RWC, 0, &token),
		EFI_SUCCESS);
	assert_int_equal(token.Status, EFI_SUCCESS);
	assert_non_null(f);
	token.Buffer = "0123456789";
	token.BufferSize = 10;
	assert_int_equal(f->WriteEx(f, &token), EFI_SUCCESS);
	assert_int_equal(token.Status, EFI_SUCCESS);
	assert_int_equal(f->FlushEx(f, &token), EFI_SUCCESS);
	assert_int_equal(f->SetPosition(f, 2), EFI_SUCCESS);
	token.Buffer = b;
	token.BufferSize = sizeof(b);
	assert_int_equal(f->ReadEx(f, &token), EFI_SUCCESS);
	assert_int_equal(token.BufferSize, 8);
	assert_memory_equal(b, "23456789", 8);
	assert_int_equal(signalled, 4);
	assert_int_equal(f->ReadEx(f, NULL), EFI_INVALID_PARAMETER);
	f->Close(f);
	root->Close(root);
}

/* Last: everything written above left a clean volume. */
static void test_fsck(void **state)
{
	(void)state;
	write_host_file("sfs-after.img", image, image_size);
	fsck_clean("sfs-after.img");
}

static void test_attach_errors(void **state)
{
	struct ram_blockdev r;
	uint8_t *zeros = calloc(1, 65536), *img;
	size_t n;

	(void)state;
	installed = NULL;
	ram_blockdev_init(&r, zeros, 65536, 512);
	assert_int_equal(efi_simple_fs_attach(NULL, &r.dev, "zeros"),
			 EFI_UNSUPPORTED);
	ram_blockdev_init(&r, zeros, 0, 512);
	assert_int_equal(efi_simple_fs_attach(NULL, &r.dev, "empty"),
			 EFI_UNSUPPORTED);
	img = load_file("sfs.img", &n);
	ram_blockdev_init(&r, img, n / 2, 512);
	assert_int_equal(efi_simple_fs_attach(NULL, &r.dev, "cut"),
			 EFI_VOLUME_CORRUPTED);
	assert_null(installed);
	free(img);
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_directory),
		cmocka_unit_test(test_read_file_and_info),
		cmocka_unit_test(test_open_modes),
		cmocka_unit_test(test_set_info),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_ex_calls),
		cmocka_unit_test(test_fsck),
		cmocka_unit_test(test_attach_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
