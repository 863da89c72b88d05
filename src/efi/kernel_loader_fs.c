// SPDX-License-Identifier: MIT
/*
 * QEMU's -kernel, -initrd and -append as a read-only filesystem, the way
 * EDK2's QemuKernelLoaderFsDxe offers them: a handle whose device path is
 * VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/End, carrying an
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL (UEFI 2.10 section 13.4) whose root
 * directory holds "kernel", "initrd" and "cmdline" -- those QEMU was
 * given; the command line as fw_cfg holds it, NUL included.
 *
 * The -kernel image is the file "kernel" on it (its loaded image's
 * DeviceHandle and FilePath say so): systemd-boot recognises a direct
 * boot by this device path, and systemd-stub needs a device to look at.
 *
 * Reads go by fw_cfg DMA straight into the caller's buffer, from the
 * file position: nothing is staged in memory, nothing copied by the CPU.
 * Everything that would write answers EFI_WRITE_PROTECTED.
 */
#include <string.h>

#include <efi/protocol/simple_file_system.h>
#include <mmuon/efi_core.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/kernel_loader_fs.h>
#include <mmuon/ucs2.h>

struct blob {
	const CHAR16 *name;
	uint16_t size_key, data_key;
	uint32_t size; /* 0: QEMU was not given it */
};

static struct blob blobs[] = {
	{u"kernel", FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA, 0},
	{u"initrd", FW_CFG_INITRD_SIZE, FW_CFG_INITRD_DATA, 0},
	{u"cmdline", FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA, 0},
};
#define NBLOBS (sizeof(blobs) / sizeof(blobs[0]))

static const CHAR16 volume_label[] = u"QEMU kernel loader";

/* An open file or directory: what EFI_FILE_PROTOCOL's This points to. */
struct open_file {
	EFI_FILE_PROTOCOL protocol; /* first: This is the open_file */
	const struct blob *blob;    /* NULL for the root directory */
	UINT64 position; /* a file's byte offset; the root's next entry */
};

#define FS_VENDOR_NODE                                                         \
	{                                                                      \
		.Header = {MEDIA_DEVICE_PATH,                                  \
			   MEDIA_VENDOR_DP,                                    \
			   {sizeof(EFI_VENDOR_DEVICE_PATH), 0}},               \
		.Guid = QEMU_KERNEL_LOADER_FS_MEDIA_GUID,                      \
	}
#define END_NODE                                                               \
	{                                                                      \
		END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,          \
		{                                                              \
			sizeof(EFI_DEVICE_PATH_PROTOCOL), 0                    \
		}                                                              \
	}

static const struct kernel_loader_fs_path fs_path = {
	.vendor = FS_VENDOR_NODE,
	.end = END_NODE,
};

const struct kernel_loader_file_path kernel_loader_fs_kernel_path = {
	.vendor = FS_VENDOR_NODE,
	.file = {MEDIA_DEVICE_PATH,
		 MEDIA_FILEPATH_DP,
		 {sizeof(EFI_DEVICE_PATH_PROTOCOL) + sizeof(u"kernel"), 0}},
	.name = u"kernel",
	.end = END_NODE,
};

static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID volume_label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

static size_t name_bytes(const CHAR16 *s)
{
	return (strlen16(s) + 1) * sizeof(CHAR16);
}

static struct open_file *open_of(EFI_FILE_PROTOCOL *this)
{
	return (struct open_file *)this;
}

static EFI_STATUS EFIAPI file_open(EFI_FILE_PROTOCOL *this,
				   EFI_FILE_PROTOCOL **new_handle,
				   CHAR16 *file_name, UINT64 open_mode,
				   UINT64 attributes);
static EFI_STATUS EFIAPI file_close(EFI_FILE_PROTOCOL *this);
static EFI_STATUS EFIAPI file_delete(EFI_FILE_PROTOCOL *this);
static EFI_STATUS EFIAPI file_read(EFI_FILE_PROTOCOL *this, UINTN *buffer_size,
				   VOID *buffer);
static EFI_STATUS EFIAPI file_write(EFI_FILE_PROTOCOL *this, UINTN *buffer_size,
				    VOID *buffer);
static EFI_STATUS EFIAPI file_get_position(EFI_FILE_PROTOCOL *this,
					   UINT64 *position);
static EFI_STATUS EFIAPI file_set_position(EFI_FILE_PROTOCOL *this,
					   UINT64 position);
static EFI_STATUS EFIAPI file_get_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN *buffer_size, VOID *buffer);
static EFI_STATUS EFIAPI file_set_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN buffer_size, VOID *buffer);
static EFI_STATUS EFIAPI file_flush(EFI_FILE_PROTOCOL *this);

/* Revision 1: the asynchronous *Ex functions are not offered. */
static EFI_STATUS EFIAPI file_open_ex(EFI_FILE_PROTOCOL *this,
				      EFI_FILE_PROTOCOL **new_handle,
				      CHAR16 *file_name, UINT64 open_mode,
				      UINT64 attributes,
				      EFI_FILE_IO_TOKEN *token)
{
	(void)this, (void)new_handle, (void)file_name, (void)open_mode;
	(void)attributes, (void)token;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI file_io_ex(EFI_FILE_PROTOCOL *this,
				    EFI_FILE_IO_TOKEN *token)
{
	(void)this, (void)token;
	return EFI_UNSUPPORTED;
}

static struct open_file *new_open_file(const struct blob *blob)
{
	struct open_file *f = efi_zalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->protocol = (EFI_FILE_PROTOCOL){
		.Revision = EFI_FILE_PROTOCOL_REVISION,
		.Open = file_open,
		.Close = file_close,
		.Delete = file_delete,
		.Read = file_read,
		.Write = file_write,
		.GetPosition = file_get_position,
		.SetPosition = file_set_position,
		.GetInfo = file_get_info,
		.SetInfo = file_set_info,
		.Flush = file_flush,
		.OpenEx = file_open_ex,
		.ReadEx = file_io_ex,
		.WriteEx = file_io_ex,
		.FlushEx = file_io_ex,
	};
	f->blob = blob;
	return f;
}

/*
 * Names are looked up in the root, as EDK2 does: leading backslashes are
 * skipped, "" and "." are the root itself, and there are no
 * subdirectories. Names compare exactly (not FAT's case-folding).
 */
static EFI_STATUS EFIAPI file_open(EFI_FILE_PROTOCOL *this,
				   EFI_FILE_PROTOCOL **new_handle,
				   CHAR16 *file_name, UINT64 open_mode,
				   UINT64 attributes)
{
	const struct blob *blob = NULL;
	bool absolute = false;
	struct open_file *f;

	(void)attributes;
	if (!this || !new_handle || !file_name)
		return EFI_INVALID_PARAMETER;
	if (open_mode != EFI_FILE_MODE_READ &&
	    open_mode != (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE) &&
	    open_mode != (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE |
			  EFI_FILE_MODE_CREATE))
		return EFI_INVALID_PARAMETER;
	if (open_mode != EFI_FILE_MODE_READ)
		return EFI_WRITE_PROTECTED;
	while (*file_name == u'\\') {
		file_name++;
		absolute = true;
	}
	/* Relative names from a file: files have nothing under them. */
	if (open_of(this)->blob && !absolute)
		return EFI_NOT_FOUND;
	if (*file_name && strcmp16(file_name, u".")) {
		for (size_t i = 0; i < NBLOBS && !blob; i++)
			if (blobs[i].size &&
			    !strcmp16(file_name, blobs[i].name))
				blob = &blobs[i];
		if (!blob)
			return EFI_NOT_FOUND;
	}
	f = new_open_file(blob);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	*new_handle = &f->protocol;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_close(EFI_FILE_PROTOCOL *this)
{
	if (!this)
		return EFI_INVALID_PARAMETER;
	efi_free(open_of(this));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_delete(EFI_FILE_PROTOCOL *this)
{
	if (!this)
		return EFI_INVALID_PARAMETER;
	efi_free(open_of(this));
	return EFI_WARN_DELETE_FAILURE; /* closed, not deleted */
}

/* EFI_FILE_INFO for a blob, or for the root (blob NULL). */
static EFI_STATUS file_info(const struct blob *blob, UINTN *buffer_size,
			    VOID *buffer)
{
	const CHAR16 *name = blob ? blob->name : u"";
	UINTN need = SIZE_OF_EFI_FILE_INFO + name_bytes(name);
	EFI_FILE_INFO *info = buffer;

	if (*buffer_size < need || !buffer) {
		*buffer_size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	memset(info, 0, SIZE_OF_EFI_FILE_INFO);
	info->Size = need;
	info->FileSize = info->PhysicalSize = blob ? blob->size : 0;
	info->Attribute = EFI_FILE_READ_ONLY;
	if (!blob)
		info->Attribute |= EFI_FILE_DIRECTORY;
	memcpy(info->FileName, name, name_bytes(name));
	*buffer_size = need;
	return EFI_SUCCESS;
}

/* The root lists the files QEMU was given, one EFI_FILE_INFO per Read. */
static EFI_STATUS read_dir(struct open_file *dir, UINTN *buffer_size,
			   VOID *buffer)
{
	EFI_STATUS status;

	while (dir->position < NBLOBS && !blobs[dir->position].size)
		dir->position++;
	if (dir->position >= NBLOBS) {
		*buffer_size = 0; /* no more entries */
		return EFI_SUCCESS;
	}
	status = file_info(&blobs[dir->position], buffer_size, buffer);
	if (status == EFI_SUCCESS)
		dir->position++;
	return status;
}

static EFI_STATUS EFIAPI file_read(EFI_FILE_PROTOCOL *this, UINTN *buffer_size,
				   VOID *buffer)
{
	struct open_file *f = open_of(this);
	UINT64 left;
	UINTN n;

	if (!this || !buffer_size)
		return EFI_INVALID_PARAMETER;
	if (!f->blob)
		return read_dir(f, buffer_size, buffer);
	if (f->position > f->blob->size)
		return EFI_DEVICE_ERROR; /* past the end (section 13.5.5) */
	left = f->blob->size - f->position;
	n = *buffer_size < left ? *buffer_size : (UINTN)left;
	if (n && !buffer)
		return EFI_INVALID_PARAMETER;
	if (n && fw_cfg_read(f->blob->data_key, (uint32_t)f->position, buffer,
			     (uint32_t)n))
		return EFI_DEVICE_ERROR;
	f->position += n;
	*buffer_size = n;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_write(EFI_FILE_PROTOCOL *this, UINTN *buffer_size,
				    VOID *buffer)
{
	(void)buffer;
	if (!this || !buffer_size)
		return EFI_INVALID_PARAMETER;
	return open_of(this)->blob ? EFI_WRITE_PROTECTED : EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI file_get_position(EFI_FILE_PROTOCOL *this,
					   UINT64 *position)
{
	if (!this || !position)
		return EFI_INVALID_PARAMETER;
	if (!open_of(this)->blob)
		return EFI_UNSUPPORTED;
	*position = open_of(this)->position;
	return EFI_SUCCESS;
}

/* Files: anywhere, ~0 meaning the end; the root: only back to 0. */
static EFI_STATUS EFIAPI file_set_position(EFI_FILE_PROTOCOL *this,
					   UINT64 position)
{
	struct open_file *f = open_of(this);

	if (!this)
		return EFI_INVALID_PARAMETER;
	if (!f->blob) {
		if (position)
			return EFI_UNSUPPORTED;
		f->position = 0;
		return EFI_SUCCESS;
	}
	f->position = position == ~0ull ? f->blob->size : position;
	return EFI_SUCCESS;
}

static UINT64 volume_size(void)
{
	UINT64 total = 0;

	for (size_t i = 0; i < NBLOBS; i++)
		total += blobs[i].size;
	return total;
}

static EFI_STATUS fs_info(UINTN *buffer_size, VOID *buffer)
{
	UINTN need = SIZE_OF_EFI_FILE_SYSTEM_INFO + sizeof(volume_label);
	EFI_FILE_SYSTEM_INFO *info = buffer;

	if (*buffer_size < need || !buffer) {
		*buffer_size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	memset(info, 0, SIZE_OF_EFI_FILE_SYSTEM_INFO);
	info->Size = need;
	info->ReadOnly = TRUE;
	info->VolumeSize = volume_size();
	info->FreeSpace = 0;
	info->BlockSize = 1;
	memcpy(info->VolumeLabel, volume_label, sizeof(volume_label));
	*buffer_size = need;
	return EFI_SUCCESS;
}

static EFI_STATUS label_info(UINTN *buffer_size, VOID *buffer)
{
	if (*buffer_size < sizeof(volume_label) || !buffer) {
		*buffer_size = sizeof(volume_label);
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(buffer, volume_label, sizeof(volume_label));
	*buffer_size = sizeof(volume_label);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_get_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN *buffer_size, VOID *buffer)
{
	if (!this || !type || !buffer_size)
		return EFI_INVALID_PARAMETER;
	if (efi_guid_equal(type, &file_info_guid))
		return file_info(open_of(this)->blob, buffer_size, buffer);
	if (efi_guid_equal(type, &fs_info_guid))
		return fs_info(buffer_size, buffer);
	if (efi_guid_equal(type, &volume_label_guid))
		return label_info(buffer_size, buffer);
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI file_set_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN buffer_size, VOID *buffer)
{
	(void)buffer_size;
	if (!this || !type || !buffer)
		return EFI_INVALID_PARAMETER;
	return EFI_WRITE_PROTECTED;
}

static EFI_STATUS EFIAPI file_flush(EFI_FILE_PROTOCOL *this)
{
	return this ? EFI_WRITE_PROTECTED : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *this,
				     EFI_FILE_PROTOCOL **root)
{
	struct open_file *f;

	if (!this || !root)
		return EFI_INVALID_PARAMETER;
	f = new_open_file(NULL);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	*root = &f->protocol;
	return EFI_SUCCESS;
}

static EFI_SIMPLE_FILE_SYSTEM_PROTOCOL simple_fs = {
	.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION,
	.OpenVolume = open_volume,
};

EFI_STATUS kernel_loader_fs_install(EFI_HANDLE *handle)
{
	for (size_t i = 0; i < NBLOBS; i++)
		blobs[i].size = fw_cfg_read_u32(blobs[i].size_key);
	return efi_install_multiple_protocol_interfaces(
		handle, &(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
		(void *)&fs_path,
		&(EFI_GUID)EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID, &simple_fs,
		NULL);
}
