// SPDX-License-Identifier: MIT
/*
 * Reading the file a device path names (see file_path.h). The path comes
 * from a client or a Boot#### variable: it is validated before use, and
 * the File() nodes' names are checked for their NUL (devpath_expand.c).
 */
#include <string.h>

#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>
#include <mmuon/file_path.h>

static EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID load_file_guid = EFI_LOAD_FILE_PROTOCOL_GUID;
static EFI_GUID load_file2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;

/* Size and type of an open file. */
static EFI_STATUS file_size(EFI_FILE_PROTOCOL *f, UINT64 *size, bool *dir)
{
	UINTN n = 0;
	EFI_FILE_INFO *info;
	EFI_STATUS status;

	status = f->GetInfo(f, &file_info_guid, &n, NULL);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_DEVICE_ERROR : status;
	info = efi_zalloc(n);
	if (!info)
		return EFI_OUT_OF_RESOURCES;
	status = f->GetInfo(f, &file_info_guid, &n, info);
	if (status == EFI_SUCCESS) {
		*size = info->FileSize;
		*dir = info->Attribute & EFI_FILE_DIRECTORY;
	}
	efi_free(info);
	return status;
}

EFI_STATUS efi_file_source_open(EFI_DEVICE_PATH_PROTOCOL *path,
				struct efi_file_source *src)
{
	EFI_DEVICE_PATH_PROTOCOL *rest = path;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
	CHAR16 *name;
	EFI_STATUS status;
	size_t off;
	bool dir = false;

	memset(src, 0, sizeof(*src));
	if (!path || !devpath_size(path, DEVPATH_MAX_SIZE))
		return EFI_INVALID_PARAMETER;
	status = efi_locate_device_path(&sfs_guid, &rest, &src->device);
	if (status != EFI_SUCCESS)
		return EFI_NOT_FOUND;
	/* After the filesystem's own path: File() nodes, then End. */
	off = devpath_file_part(rest);
	if (off)
		return EFI_UNSUPPORTED;
	name = efi_zalloc(FILE_PATH_NAME_MAX * sizeof(CHAR16));
	if (!name)
		return EFI_OUT_OF_RESOURCES;
	if (!devpath_file_name(rest, name, FILE_PATH_NAME_MAX)) {
		efi_free(name);
		return EFI_NOT_FOUND; /* the device itself, or a bad name */
	}
	status = efi_handle_protocol(src->device, &sfs_guid, (void **)&sfs);
	if (status == EFI_SUCCESS)
		status = sfs->OpenVolume(sfs, &src->root);
	if (status == EFI_SUCCESS)
		status = src->root->Open(src->root, &src->file, name,
					 EFI_FILE_MODE_READ, 0);
	efi_free(name);
	if (status == EFI_SUCCESS)
		status = file_size(src->file, &src->size, &dir);
	if (status == EFI_SUCCESS && dir)
		status = EFI_UNSUPPORTED;
	if (status != EFI_SUCCESS)
		efi_file_source_close(src);
	return status;
}

EFI_STATUS efi_file_source_read(struct efi_file_source *src, UINT64 offset,
				void *dst, UINTN len)
{
	UINTN n = len;
	EFI_STATUS status;

	if (offset > src->size || len > src->size - offset)
		return EFI_END_OF_FILE;
	status = src->file->SetPosition(src->file, offset);
	if (status == EFI_SUCCESS)
		status = src->file->Read(src->file, &n, dst);
	if (status == EFI_SUCCESS && n != len)
		status = EFI_DEVICE_ERROR;
	return status;
}

void efi_file_source_close(struct efi_file_source *src)
{
	if (src->file)
		src->file->Close(src->file);
	if (src->root)
		src->root->Close(src->root);
	src->file = src->root = NULL;
}

/* Through EFI_LOAD_FILE(2)_PROTOCOL: ask the size, then the data. */
static EFI_STATUS read_load_file(EFI_GUID *protocol, BOOLEAN boot_policy,
				 EFI_DEVICE_PATH_PROTOCOL *path, void **buffer,
				 UINTN *size, EFI_HANDLE *device)
{
	EFI_DEVICE_PATH_PROTOCOL *rest = path;
	EFI_LOAD_FILE_PROTOCOL *lf;
	EFI_HANDLE handle;
	EFI_STATUS status;
	UINTN n = 0;
	void *buf;

	if (efi_locate_device_path(protocol, &rest, &handle) != EFI_SUCCESS ||
	    efi_handle_protocol(handle, protocol, (void **)&lf) != EFI_SUCCESS)
		return EFI_NOT_FOUND;
	status = lf->LoadFile(lf, rest, boot_policy, &n, NULL);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_NOT_FOUND : status;
	status = efi_allocate_pool(EfiBootServicesData, n ? n : 1, &buf);
	if (status != EFI_SUCCESS)
		return status;
	status = lf->LoadFile(lf, rest, boot_policy, &n, buf);
	if (status != EFI_SUCCESS) {
		efi_free_pool(buf);
		return status;
	}
	*buffer = buf;
	*size = n;
	if (device)
		*device = handle;
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_path_read(BOOLEAN boot_policy,
			      EFI_DEVICE_PATH_PROTOCOL *path, void **buffer,
			      UINTN *size, EFI_HANDLE *device)
{
	struct efi_file_source src;
	EFI_STATUS status;
	void *buf;

	if (!path || !buffer || !size || !devpath_size(path, DEVPATH_MAX_SIZE))
		return EFI_INVALID_PARAMETER;
	status = efi_file_source_open(path, &src);
	if (status == EFI_SUCCESS) {
		if (src.size > (UINTN)-1 / 2)
			status = EFI_OUT_OF_RESOURCES;
		else
			status = efi_allocate_pool(EfiBootServicesData,
						   src.size ? src.size : 1,
						   &buf);
		if (status == EFI_SUCCESS) {
			status = efi_file_source_read(&src, 0, buf, src.size);
			if (status == EFI_SUCCESS) {
				*buffer = buf;
				*size = src.size;
				if (device)
					*device = src.device;
			} else {
				efi_free_pool(buf);
			}
		}
		efi_file_source_close(&src);
		return status;
	}
	if (status != EFI_NOT_FOUND)
		return status;
	/* No filesystem on the path: a LoadFile2, then LoadFile, provider. */
	if (!boot_policy) {
		status = read_load_file(&load_file2_guid, FALSE, path, buffer,
					size, device);
		if (status != EFI_NOT_FOUND)
			return status;
	}
	return read_load_file(&load_file_guid, boot_policy, path, buffer, size,
			      device);
}
