// SPDX-License-Identifier: MIT
/*
 * EFI_DISK_IO_PROTOCOL (UEFI 2.10 section 13.7): byte-addressed reads and
 * writes on a disk or partition handle. The whole blocks of a request go
 * straight to or from the caller's buffer; only partial blocks at either
 * end pass through the device's scratch block (src/disk/blockdev.c).
 */
#include <mmuon/efi_block.h>

static struct efi_block *from_disk_io(EFI_DISK_IO_PROTOCOL *this)
{
	return (struct efi_block *)((char *)this -
				    offsetof(struct efi_block, disk_io));
}

static EFI_STATUS check(EFI_DISK_IO_PROTOCOL *this, UINT32 media_id, UINTN size,
			VOID *buffer)
{
	const EFI_BLOCK_IO_MEDIA *m;

	if (!this)
		return EFI_INVALID_PARAMETER;
	m = &from_disk_io(this)->media;
	if (media_id != m->MediaId)
		return EFI_MEDIA_CHANGED;
	if (!m->MediaPresent)
		return EFI_NO_MEDIA;
	if (!buffer && size)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI read_disk(EFI_DISK_IO_PROTOCOL *this, UINT32 media_id,
				   UINT64 offset, UINTN size, VOID *buffer)
{
	EFI_STATUS s = check(this, media_id, size, buffer);

	if (s)
		return s;
	return efi_block_status(blockdev_read_bytes(from_disk_io(this)->dev,
						    offset, size, buffer));
}

static EFI_STATUS EFIAPI write_disk(EFI_DISK_IO_PROTOCOL *this, UINT32 media_id,
				    UINT64 offset, UINTN size, VOID *buffer)
{
	EFI_STATUS s = check(this, media_id, size, buffer);

	if (s)
		return s;
	if (from_disk_io(this)->media.ReadOnly)
		return EFI_WRITE_PROTECTED;
	return efi_block_status(blockdev_write_bytes(from_disk_io(this)->dev,
						     offset, size, buffer));
}

void efi_disk_io_init(struct efi_block *b)
{
	b->disk_io.Revision = EFI_DISK_IO_PROTOCOL_REVISION;
	b->disk_io.ReadDisk = read_disk;
	b->disk_io.WriteDisk = write_disk;
}
