// SPDX-License-Identifier: MIT
/*
 * The image's own device: QEMU's kernel-loader filesystem, as EDK2's
 * QemuKernelLoaderFsDxe offers it and systemd-boot/-stub look for it. The
 * app is QEMU's -kernel, so its loaded image must say DeviceHandle = a
 * handle with device path VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/End
 * and FilePath = File("kernel"); on that handle, a read-only
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL whose root lists "kernel" (this very
 * file: its headers are the ones at ImageBase), "cmdline" when there is
 * an -append (the same text as LoadOptions), "initrd" when there is one.
 */
#include "services.h"

#define QEMU_KERNEL_LOADER_FS_MEDIA_GUID                                       \
	{                                                                      \
		0x1428f772, 0xb64a, 0x441e,                                    \
		{                                                              \
			0xb8, 0xc3, 0x9e, 0xbd, 0xd7, 0xf8, 0x93, 0xc7         \
		}                                                              \
	}

static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static EFI_GUID fs_media_guid = QEMU_KERNEL_LOADER_FS_MEDIA_GUID;

static EFI_FILE_HANDLE root;

static UINT16 node_length(const EFI_DEVICE_PATH *n)
{
	return (UINT16)(n->Length[0] | n->Length[1] << 8);
}

static BOOLEAN is_end(const EFI_DEVICE_PATH *n)
{
	return n->Type == 0x7f && n->SubType == 0xff && node_length(n) == 4;
}

/* VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/End, exactly. */
static BOOLEAN device_path_ok(EFI_HANDLE device)
{
	EFI_DEVICE_PATH *dp = NULL;
	VENDOR_DEVICE_PATH *v;

	if (!device)
		return why(L"DeviceHandle is NULL");
	if (BS->HandleProtocol(device, &dp_guid, (void **)&dp) || !dp)
		return why(L"no device path on DeviceHandle");
	v = (VENDOR_DEVICE_PATH *)dp;
	if (dp->Type != MEDIA_DEVICE_PATH || dp->SubType != MEDIA_VENDOR_DP ||
	    node_length(dp) != sizeof(*v) ||
	    CompareMem(&v->Guid, &fs_media_guid, sizeof(EFI_GUID)) ||
	    !is_end((EFI_DEVICE_PATH *)(v + 1)))
		return why(L"DeviceHandle's device path is %d/%d (length %d), "
			   L"not VenMedia(1428f772-...)/End",
			   dp->Type, dp->SubType, node_length(dp));
	return TRUE;
}

/* File("kernel")/End. */
static BOOLEAN file_path_ok(EFI_DEVICE_PATH *fp)
{
	FILEPATH_DEVICE_PATH *f = (FILEPATH_DEVICE_PATH *)fp;

	if (!fp || fp->Type != MEDIA_DEVICE_PATH ||
	    fp->SubType != MEDIA_FILEPATH_DP ||
	    node_length(fp) != 4 + sizeof(L"kernel") ||
	    StrCmp(f->PathName, L"kernel") ||
	    !is_end((EFI_DEVICE_PATH *)((UINT8 *)fp + node_length(fp))))
		return why(L"FilePath is not File(\"kernel\")/End");
	return TRUE;
}

static void check_device(void)
{
	EFI_FILE_IO_INTERFACE *fs = NULL;
	EFI_STATUS s;
	BOOLEAN ok = device_path_ok(self_image->DeviceHandle) &&
		     file_path_ok(self_image->FilePath);

	if (ok) {
		s = BS->HandleProtocol(self_image->DeviceHandle, &fs_guid,
				       (void **)&fs);
		if (s == EFI_SUCCESS)
			s = fs->OpenVolume(fs, &root);
		ok = status_is(s, EFI_SUCCESS, L"SimpleFileSystem OpenVolume");
	}
	if (ok)
		say(L"DeviceHandle VenMedia(QEMU kernel loader)/End with "
		    L"SimpleFileSystem, FilePath File(\"kernel\")");
	report("loaderfs.device", ok);
}

static EFI_FILE_INFO *info_of(EFI_FILE_HANDLE f, EFI_GUID *type)
{
	static UINT8 buf[512];
	UINTN n = 0;

	if (f->GetInfo(f, type, &n, NULL) != EFI_BUFFER_TOO_SMALL ||
	    n > sizeof(buf) || f->GetInfo(f, type, &n, buf))
		return NULL;
	return (EFI_FILE_INFO *)buf;
}

/* The file "kernel" is this app: its headers are at ImageBase. */
static BOOLEAN kernel_file_ok(void)
{
	static UINT8 head[4096];
	EFI_FILE_HANDLE f = NULL;
	EFI_FILE_INFO *info;
	UINTN n = sizeof(head);
	UINT64 size, pos = 1;
	EFI_STATUS s;

	s = root->Open(root, &f, L"\\kernel", EFI_FILE_MODE_READ, 0);
	if (!status_is(s, EFI_SUCCESS, L"Open(\\kernel)"))
		return FALSE;
	info = info_of(f, &GenericFileInfo);
	size = info ? info->FileSize : 0;
	s = f->Read(f, &n, head);
	if (s || n != sizeof(head) ||
	    CompareMem(head, self_image->ImageBase, 512))
		return why(L"Read %r, %ld bytes: not the headers at ImageBase",
			   s, n);
	f->SetPosition(f, ~0ull);
	f->GetPosition(f, &pos);
	n = 1;
	s = f->Read(f, &n, head);
	f->Close(f);
	if (!info || pos != size || s || n)
		return why(L"size %ld, end position %ld, Read at the end %r "
			   L"(%ld bytes)",
			   size, pos, s, n);
	say(L"kernel: %ld bytes, read-only, its first 4 KiB are the image's "
	    L"headers; ",
	    size);
	return TRUE;
}

/*
 * "cmdline" holds the -append text LoadOptions has, NUL included; without
 * -append, LoadOptions is empty and QEMU's command line just the NUL.
 */
static BOOLEAN cmdline_file_ok(void)
{
	static CHAR8 text[4096];
	static const CHAR16 none[1] = {0};
	const CHAR16 *opt = self_image->LoadOptions;
	UINTN len = self_image->LoadOptionsSize / sizeof(CHAR16);
	EFI_FILE_HANDLE f = NULL;
	UINTN n = sizeof(text), i;
	EFI_STATUS s = root->Open(root, &f, L"cmdline", EFI_FILE_MODE_READ, 0);

	if (!len) {
		opt = none;
		len = 1;
	}
	if (!status_is(s, EFI_SUCCESS, L"Open(cmdline)"))
		return FALSE;
	s = f->Read(f, &n, text);
	f->Close(f);
	if (s || n != len)
		return why(L"Read(cmdline) %r: %ld bytes, LoadOptions has %ld "
			   L"characters",
			   s, n, len);
	for (i = 0; i < n; i++)
		if (text[i] != (CHAR8)opt[i])
			return why(L"cmdline differs from LoadOptions at %ld",
				   i);
	say_more(L"cmdline: %ld bytes = LoadOptions; ", n);
	return TRUE;
}

/* The root lists what QEMU was given, one EFI_FILE_INFO per Read. */
static BOOLEAN listing_ok(void)
{
	static UINT8 buf[256];
	EFI_FILE_INFO *e = (EFI_FILE_INFO *)buf;
	UINTN n, count = 0, small = 1;
	BOOLEAN kernel = FALSE;
	EFI_STATUS s;

	root->SetPosition(root, 0);
	s = root->Read(root, &small, buf);
	if (s != EFI_BUFFER_TOO_SMALL || small <= SIZE_OF_EFI_FILE_INFO)
		return why(L"Read(root, 1 byte) %r, size %ld", s, small);
	for (;;) {
		n = sizeof(buf);
		s = root->Read(root, &n, buf);
		if (s || !n)
			break;
		count++;
		kernel |= !StrCmp(e->FileName, L"kernel") &&
			  !(e->Attribute & EFI_FILE_DIRECTORY) &&
			  (e->Attribute & EFI_FILE_READ_ONLY);
		say_more(L"%s ", e->FileName);
	}
	if (s || !kernel)
		return why(L"listing: Read %r, %ld entries, kernel %a", s,
			   count, kernel ? "listed" : "missing");
	return TRUE;
}

static void check_read(void)
{
	BOOLEAN ok =
		root && kernel_file_ok() && cmdline_file_ok() && listing_ok();

	report("loaderfs.read", ok);
}

static void check_read_only(void)
{
	EFI_FILE_HANDLE f = NULL, g = NULL;
	EFI_FILE_SYSTEM_INFO *fsi;
	EFI_STATUS s[6];
	UINTN n = 1;
	UINT8 byte = 0;

	if (!root) {
		report("loaderfs.read-only", FALSE);
		return;
	}
	s[0] = root->Open(root, &g, L"kernel",
			  EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0);
	s[1] = root->Open(root, &g, L"nothing-here", EFI_FILE_MODE_READ, 0);
	root->Open(root, &f, L"kernel", EFI_FILE_MODE_READ, 0);
	s[2] = f ? f->Write(f, &n, &byte) : EFI_NOT_FOUND;
	s[3] = f ? f->Open(f, &g, L"kernel", EFI_FILE_MODE_READ, 0)
		 : EFI_NOT_FOUND;
	s[4] = f ? f->Delete(f) : EFI_NOT_FOUND; /* closes it */
	fsi = (EFI_FILE_SYSTEM_INFO *)info_of(root, &FileSystemInfo);
	s[5] = fsi ? EFI_SUCCESS : EFI_DEVICE_ERROR;
	say(L"Open(write) %r, Open(missing) %r, Write %r, Open(relative, "
	    L"from a file) %r, Delete %r; FileSystemInfo %r, ReadOnly %d, "
	    L"label \"%s\"",
	    s[0], s[1], s[2], s[3], s[4], s[5], fsi ? fsi->ReadOnly : 0,
	    fsi ? fsi->VolumeLabel : L"");
	report("loaderfs.read-only",
	       s[0] == EFI_WRITE_PROTECTED && s[1] == EFI_NOT_FOUND &&
		       s[2] == EFI_WRITE_PROTECTED && s[3] == EFI_NOT_FOUND &&
		       s[4] == EFI_WARN_DELETE_FAILURE && fsi && fsi->ReadOnly);
}

void check_loader_fs(void)
{
	check_device();
	check_read();
	check_read_only();
	if (root)
		root->Close(root);
	root = NULL;
}
