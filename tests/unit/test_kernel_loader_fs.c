// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/kernel_loader_fs.c over a fake fw_cfg: which
 * files the root lists and opens, reads at any position (straight from
 * the fw_cfg item at that offset), the info structures with their
 * BUFFER_TOO_SMALL sizes, and every way of writing refused. Allocations
 * are counted: every test closes what it opens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <efi/efi.h>
#include <efi/protocol/simple_file_system.h>
#include <mmuon/efi_core.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/kernel_loader_fs.h>

/* ---- fakes ------------------------------------------------------------ */

static uint8_t kernel[10000], cmdline[] = "console=ttyAMA0 quiet";
static uint32_t initrd_size; /* 0: no -initrd */
static bool dma_error;
static long live;
static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *installed_fs;
static const EFI_DEVICE_PATH_PROTOCOL *installed_path;

uint32_t fw_cfg_read_u32(uint16_t key)
{
	switch (key) {
	case FW_CFG_KERNEL_SIZE:
		return sizeof(kernel);
	case FW_CFG_INITRD_SIZE:
		return initrd_size;
	case FW_CFG_CMDLINE_SIZE:
		return sizeof(cmdline);
	}
	fail_msg("unexpected size key 0x%x", key);
	return 0;
}

int fw_cfg_read(uint16_t key, uint32_t offset, void *dst, uint32_t len)
{
	const uint8_t *src = key == FW_CFG_KERNEL_DATA	  ? kernel
			     : key == FW_CFG_CMDLINE_DATA ? cmdline
							  : NULL;
	size_t size =
		key == FW_CFG_KERNEL_DATA ? sizeof(kernel) : sizeof(cmdline);

	assert_non_null(src);
	assert_true((size_t)offset + len <= size);
	if (dma_error)
		return FW_CFG_DMA_ERROR;
	memcpy(dst, src + offset, len);
	return FW_CFG_OK;
}

void *efi_zalloc(UINTN size)
{
	live++;
	return calloc(1, size);
}

void efi_free(void *p)
{
	if (p)
		live--;
	free(p);
}

EFI_STATUS EFIAPI efi_install_multiple_protocol_interfaces(EFI_HANDLE *handle,
							   ...)
{
	static EFI_GUID dp = EFI_DEVICE_PATH_PROTOCOL_GUID;
	static EFI_GUID sfs = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	static int handle_storage;
	EFI_GUID *guid;
	va_list ap;

	va_start(ap, handle);
	while ((guid = va_arg(ap, EFI_GUID *))) {
		void *iface = va_arg(ap, void *);

		if (efi_guid_equal(guid, &dp))
			installed_path = iface;
		else if (efi_guid_equal(guid, &sfs))
			installed_fs = iface;
		else
			fail_msg("unexpected protocol");
	}
	va_end(ap);
	*handle = &handle_storage;
	return EFI_SUCCESS;
}

/* ---- helpers ----------------------------------------------------------- */

static EFI_GUID file_info = EFI_FILE_INFO_ID, fs_info = EFI_FILE_SYSTEM_INFO_ID,
		label = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

static EFI_FILE_PROTOCOL *open_root(void)
{
	EFI_HANDLE h = NULL;
	EFI_FILE_PROTOCOL *root = NULL;

	assert_int_equal(kernel_loader_fs_install(&h), EFI_SUCCESS);
	assert_int_equal(installed_fs->OpenVolume(installed_fs, &root),
			 EFI_SUCCESS);
	return root;
}

static EFI_FILE_PROTOCOL *open_file(EFI_FILE_PROTOCOL *from, const CHAR16 *name)
{
	EFI_FILE_PROTOCOL *f = NULL;

	assert_int_equal(
		from->Open(from, &f, (CHAR16 *)name, EFI_FILE_MODE_READ, 0),
		EFI_SUCCESS);
	return f;
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7 + 3);
	initrd_size = 0;
	dma_error = false;
	live = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(live, 0); /* every open was closed */
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void test_device_paths(void **state)
{
	static const EFI_GUID media = QEMU_KERNEL_LOADER_FS_MEDIA_GUID;
	const struct kernel_loader_file_path *k = &kernel_loader_fs_kernel_path;
	EFI_FILE_PROTOCOL *root = open_root();
	const EFI_VENDOR_DEVICE_PATH *v = (const void *)installed_path;

	(void)state;
	/* VenMedia(1428f772-b64a-441e-b8c3-9ebdd7f893c7)/End */
	assert_int_equal(v->Header.Type, MEDIA_DEVICE_PATH);
	assert_int_equal(v->Header.SubType, MEDIA_VENDOR_DP);
	assert_int_equal(efi_dp_node_length(&v->Header), 20);
	assert_memory_equal(&v->Guid, &media, sizeof(media));
	assert_true(efi_dp_is_end((const void *)(v + 1)));
	/* The same node, then File("kernel"), then End. */
	assert_memory_equal(&k->vendor, v, sizeof(*v));
	assert_int_equal(k->file.SubType, MEDIA_FILEPATH_DP);
	assert_int_equal(efi_dp_node_length(&k->file), 4 + 14);
	assert_memory_equal(k->name, u"kernel", 14);
	assert_true(efi_dp_is_end(&k->end));
	root->Close(root);
}

static void test_open_names(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f = NULL, *g = NULL;

	(void)state;
	/* Leading backslashes, "" and "." are the root. */
	f = open_file(root, u"\\\\kernel");
	g = open_file(root, u".");
	g->Close(g);
	g = open_file(root, u"\\");
	g->Close(g);
	/* Exact names only, and no initrd without -initrd. */
	assert_int_equal(root->Open(root, &g, u"Kernel", EFI_FILE_MODE_READ, 0),
			 EFI_NOT_FOUND);
	assert_int_equal(root->Open(root, &g, u"initrd", EFI_FILE_MODE_READ, 0),
			 EFI_NOT_FOUND);
	assert_int_equal(
		root->Open(root, &g, u"kernel\\x", EFI_FILE_MODE_READ, 0),
		EFI_NOT_FOUND);
	/* From a file: nothing relative, absolute names from the root. */
	assert_int_equal(f->Open(f, &g, u"cmdline", EFI_FILE_MODE_READ, 0),
			 EFI_NOT_FOUND);
	g = open_file(f, u"\\cmdline");
	g->Close(g);
	/* Bad arguments. */
	assert_int_equal(
		root->Open(root, NULL, u"kernel", EFI_FILE_MODE_READ, 0),
		EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &g, NULL, EFI_FILE_MODE_READ, 0),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(root->Open(root, &g, u"kernel", 0, 0),
			 EFI_INVALID_PARAMETER);
	f->Close(f);
	root->Close(root);

	/* With -initrd, it is there. */
	initrd_size = 4096;
	root = open_root();
	f = open_file(root, u"initrd");
	f->Close(f);
	root->Close(root);
}

static void test_read_positions(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f = open_file(root, u"kernel");
	uint8_t buf[4096];
	UINTN n = 100;
	UINT64 pos;

	(void)state;
	assert_int_equal(f->Read(f, &n, buf), EFI_SUCCESS);
	assert_int_equal(n, 100);
	assert_memory_equal(buf, kernel, 100);
	/* From where the last read stopped, and from any SetPosition. */
	n = 50;
	assert_int_equal(f->Read(f, &n, buf), EFI_SUCCESS);
	assert_memory_equal(buf, kernel + 100, 50);
	assert_int_equal(f->SetPosition(f, 9990), EFI_SUCCESS);
	n = sizeof(buf);
	assert_int_equal(f->Read(f, &n, buf), EFI_SUCCESS);
	assert_int_equal(n, 10); /* short at the end */
	assert_memory_equal(buf, kernel + 9990, 10);
	assert_int_equal(f->GetPosition(f, &pos), EFI_SUCCESS);
	assert_int_equal(pos, sizeof(kernel));
	/* At the end: 0 bytes; past it: DEVICE_ERROR (section 13.5.5). */
	n = 1;
	assert_int_equal(f->Read(f, &n, buf), EFI_SUCCESS);
	assert_int_equal(n, 0);
	assert_int_equal(f->SetPosition(f, ~0ull), EFI_SUCCESS);
	assert_int_equal(f->GetPosition(f, &pos), EFI_SUCCESS);
	assert_int_equal(pos, sizeof(kernel));
	assert_int_equal(f->SetPosition(f, sizeof(kernel) + 1), EFI_SUCCESS);
	n = 1;
	assert_int_equal(f->Read(f, &n, buf), EFI_DEVICE_ERROR);
	/* A DMA error is a DEVICE_ERROR, and the position stays. */
	f->SetPosition(f, 0);
	dma_error = true;
	n = 10;
	assert_int_equal(f->Read(f, &n, buf), EFI_DEVICE_ERROR);
	f->GetPosition(f, &pos);
	assert_int_equal(pos, 0);
	dma_error = false;
	/* A NULL buffer with bytes to read. */
	n = 10;
	assert_int_equal(f->Read(f, &n, NULL), EFI_INVALID_PARAMETER);
	f->Close(f);
	root->Close(root);
}

static void test_listing(void **state)
{
	EFI_FILE_PROTOCOL *root;
	uint8_t buf[256];
	EFI_FILE_INFO *e = (EFI_FILE_INFO *)buf;
	UINTN n = 10;
	UINT64 pos;

	(void)state;
	initrd_size = 777;
	root = open_root();
	/* Too small: the size needed, and the entry is not skipped. */
	assert_int_equal(root->Read(root, &n, buf), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(n, SIZE_OF_EFI_FILE_INFO + sizeof(u"kernel"));
	n = sizeof(buf);
	assert_int_equal(root->Read(root, &n, buf), EFI_SUCCESS);
	assert_memory_equal(e->FileName, u"kernel", sizeof(u"kernel"));
	assert_int_equal(e->FileSize, sizeof(kernel));
	assert_int_equal(e->Attribute, EFI_FILE_READ_ONLY);
	n = sizeof(buf);
	assert_int_equal(root->Read(root, &n, buf), EFI_SUCCESS);
	assert_memory_equal(e->FileName, u"initrd", sizeof(u"initrd"));
	assert_int_equal(e->FileSize, 777);
	n = sizeof(buf);
	assert_int_equal(root->Read(root, &n, buf), EFI_SUCCESS);
	assert_memory_equal(e->FileName, u"cmdline", sizeof(u"cmdline"));
	assert_int_equal(e->FileSize, sizeof(cmdline));
	n = sizeof(buf);
	assert_int_equal(root->Read(root, &n, buf), EFI_SUCCESS);
	assert_int_equal(n, 0); /* the end */
	/* Only back to the start; no byte positions in a directory. */
	assert_int_equal(root->SetPosition(root, 1), EFI_UNSUPPORTED);
	assert_int_equal(root->GetPosition(root, &pos), EFI_UNSUPPORTED);
	assert_int_equal(root->SetPosition(root, 0), EFI_SUCCESS);
	n = sizeof(buf);
	assert_int_equal(root->Read(root, &n, buf), EFI_SUCCESS);
	assert_memory_equal(e->FileName, u"kernel", sizeof(u"kernel"));
	root->Close(root);
}

static void test_info(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f = open_file(root, u"cmdline");
	uint8_t buf[256];
	EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;
	EFI_FILE_SYSTEM_INFO *si = (EFI_FILE_SYSTEM_INFO *)buf;
	EFI_GUID other = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	UINTN n = 0;

	(void)state;
	assert_int_equal(f->GetInfo(f, &file_info, &n, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(n, SIZE_OF_EFI_FILE_INFO + sizeof(u"cmdline"));
	assert_int_equal(f->GetInfo(f, &file_info, &n, buf), EFI_SUCCESS);
	assert_int_equal(fi->Size, n);
	assert_int_equal(fi->FileSize, sizeof(cmdline));
	n = sizeof(buf);
	assert_int_equal(root->GetInfo(root, &file_info, &n, buf), EFI_SUCCESS);
	assert_int_equal(fi->Attribute,
			 EFI_FILE_DIRECTORY | EFI_FILE_READ_ONLY);
	assert_int_equal(fi->FileName[0], 0);
	n = sizeof(buf);
	assert_int_equal(f->GetInfo(f, &fs_info, &n, buf), EFI_SUCCESS);
	assert_true(si->ReadOnly);
	assert_int_equal(si->VolumeSize, sizeof(kernel) + sizeof(cmdline));
	assert_int_equal(si->FreeSpace, 0);
	assert_int_equal(si->Size, n);
	n = 2;
	assert_int_equal(f->GetInfo(f, &label, &n, buf), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(f->GetInfo(f, &label, &n, buf), EFI_SUCCESS);
	assert_int_equal(n, sizeof(u"QEMU kernel loader"));
	assert_int_equal(f->GetInfo(f, &other, &n, buf), EFI_UNSUPPORTED);
	f->Close(f);
	root->Close(root);
}

static void test_read_only(void **state)
{
	EFI_FILE_PROTOCOL *root = open_root(), *f = open_file(root, u"kernel");
	EFI_FILE_PROTOCOL *g = NULL;
	uint8_t byte = 0;
	UINTN n = 1;

	(void)state;
	assert_int_equal(root->Open(root, &g, u"kernel",
				    EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE,
				    0),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(root->Open(root, &g, u"new",
				    EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE |
					    EFI_FILE_MODE_CREATE,
				    0),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(f->Write(f, &n, &byte), EFI_WRITE_PROTECTED);
	assert_int_equal(root->Write(root, &n, &byte), EFI_UNSUPPORTED);
	assert_int_equal(f->SetInfo(f, &file_info, 1, &byte),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(f->Flush(f), EFI_WRITE_PROTECTED);
	assert_int_equal(f->OpenEx(f, &g, u"x", EFI_FILE_MODE_READ, 0, NULL),
			 EFI_UNSUPPORTED);
	assert_int_equal(f->Revision, EFI_FILE_PROTOCOL_REVISION);
	/* Delete only closes. */
	assert_int_equal(f->Delete(f), EFI_WARN_DELETE_FAILURE);
	root->Close(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_paths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_positions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
