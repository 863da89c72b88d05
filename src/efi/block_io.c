// SPDX-License-Identifier: MIT
/*
 * EFI_BLOCK_IO_PROTOCOL (UEFI 2.10 section 13.9, revision 3 media) on
 * every disk the drivers find and on every partition of it, with the
 * device paths EDK2 would give them (src/efi/devpath_disk.c), and the
 * registry the layers above use to find them (include/mmuon/efi_block.h).
 *
 * The protocol functions check the request as the spec orders (media id,
 * media, buffer, size, range, alignment) and hand it to the block device
 * (src/disk/blockdev.c), which reads straight into the caller's buffer.
 */
#include <string.h>

#include <mmuon/console.h>
#include <mmuon/devpath_disk.h>
#include <mmuon/devpath_util.h>
#include <mmuon/dma.h>
#include <mmuon/efi_block.h>
#include <mmuon/efi_core.h>

static struct efi_block *first, *last;
static efi_block_watcher watchers[EFI_BLOCK_WATCHERS];
static unsigned nwatchers;

static const EFI_GUID block_io_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
static const EFI_GUID disk_io_guid = EFI_DISK_IO_PROTOCOL_GUID;
static const EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static const EFI_GUID partition_info_guid = EFI_PARTITION_INFO_PROTOCOL_GUID;
static const EFI_GUID esp_guid = EFI_PART_TYPE_EFI_SYSTEM_PART_GUID;

EFI_STATUS efi_block_status(int rc)
{
	switch (rc) {
	case BLOCKDEV_OK:
		return EFI_SUCCESS;
	case BLOCKDEV_ERR_RANGE:
		return EFI_INVALID_PARAMETER;
	case BLOCKDEV_ERR_READ_ONLY:
		return EFI_WRITE_PROTECTED;
	case BLOCKDEV_ERR_NO_MEDIA:
		return EFI_NO_MEDIA;
	case BLOCKDEV_ERR_NO_MEMORY:
		return EFI_OUT_OF_RESOURCES;
	default: /* I/O error, timeout */
		return EFI_DEVICE_ERROR;
	}
}

/* ---- the registry ------------------------------------------------------- */

int efi_block_watch(efi_block_watcher fn)
{
	struct efi_block *b;

	if (nwatchers == EFI_BLOCK_WATCHERS)
		return -1;
	watchers[nwatchers++] = fn;
	for (b = first; b; b = b->next)
		fn(b);
	return 0;
}

struct efi_block *efi_block_find(EFI_HANDLE handle)
{
	struct efi_block *b;

	for (b = first; b; b = b->next)
		if (b->handle == handle)
			return b;
	return NULL;
}

struct efi_block *efi_block_first(void)
{
	return first;
}

/* ---- EFI_BLOCK_IO_PROTOCOL ---------------------------------------------- */

static struct efi_block *from_block_io(EFI_BLOCK_IO_PROTOCOL *this)
{
	return (struct efi_block *)((char *)this -
				    offsetof(struct efi_block, block_io));
}

/* The spec's checks, in its order, shared by read and write. */
static EFI_STATUS check(EFI_BLOCK_IO_PROTOCOL *this, UINT32 media_id,
			EFI_LBA lba, UINTN size, VOID *buffer)
{
	const EFI_BLOCK_IO_MEDIA *m;

	if (!this)
		return EFI_INVALID_PARAMETER;
	m = this->Media;
	if (media_id != m->MediaId)
		return EFI_MEDIA_CHANGED;
	if (!m->MediaPresent)
		return EFI_NO_MEDIA;
	if (!buffer)
		return EFI_INVALID_PARAMETER;
	if (size % m->BlockSize)
		return EFI_BAD_BUFFER_SIZE;
	if (lba > m->LastBlock || size / m->BlockSize > m->LastBlock - lba + 1)
		return EFI_INVALID_PARAMETER;
	if (m->IoAlign > 1 && (uintptr_t)buffer % m->IoAlign)
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI read_blocks(EFI_BLOCK_IO_PROTOCOL *this,
				     UINT32 media_id, EFI_LBA lba, UINTN size,
				     VOID *buffer)
{
	EFI_STATUS s = check(this, media_id, lba, size, buffer);
	struct efi_block *b;

	if (s || !size)
		return s;
	b = from_block_io(this);
	return efi_block_status(blockdev_read(
		b->dev, lba, size / this->Media->BlockSize, buffer));
}

static EFI_STATUS EFIAPI write_blocks(EFI_BLOCK_IO_PROTOCOL *this,
				      UINT32 media_id, EFI_LBA lba, UINTN size,
				      VOID *buffer)
{
	EFI_STATUS s = check(this, media_id, lba, size, buffer);
	struct efi_block *b;

	if (s)
		return s;
	if (this->Media->ReadOnly)
		return EFI_WRITE_PROTECTED;
	if (!size)
		return EFI_SUCCESS;
	b = from_block_io(this);
	return efi_block_status(blockdev_write(
		b->dev, lba, size / this->Media->BlockSize, buffer));
}

static EFI_STATUS EFIAPI flush_blocks(EFI_BLOCK_IO_PROTOCOL *this)
{
	if (!this)
		return EFI_INVALID_PARAMETER;
	if (!this->Media->MediaPresent)
		return EFI_NO_MEDIA;
	return efi_block_status(blockdev_flush(from_block_io(this)->dev));
}

/* Polled devices have nothing to reset that a request would not. */
static EFI_STATUS EFIAPI reset_device(EFI_BLOCK_IO_PROTOCOL *this,
				      BOOLEAN extended_verification)
{
	(void)extended_verification;
	return this ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

/* ---- installing ----------------------------------------------------------- */

static void fill_media(struct efi_block *b)
{
	const struct blockdev *d = b->dev;
	EFI_BLOCK_IO_MEDIA *m = &b->media;

	m->MediaId = 0;
	m->RemovableMedia = d->removable;
	m->MediaPresent = d->media_present && d->block_count;
	m->LogicalPartition = b->partition != NULL;
	m->ReadOnly = d->read_only;
	/* The drivers write through (virtio-blk flushes after writes). */
	m->WriteCaching = FALSE;
	m->BlockSize = d->block_size;
	m->IoAlign = d->io_align > 1 ? d->io_align : 0;
	m->LastBlock = d->block_count ? d->block_count - 1 : 0;
	m->LowestAlignedLba = d->lowest_aligned_lba;
	m->LogicalBlocksPerPhysicalBlock =
		d->blocks_per_physical ? d->blocks_per_physical : 1;
	m->OptimalTransferLengthGranularity = d->optimal_transfer_blocks;
}

/* The protocols every disk and partition handle carries; then the
 * watchers hear of it. */
static EFI_STATUS install(struct efi_block *b)
{
	EFI_STATUS s;

	fill_media(b);
	b->block_io.Revision = EFI_BLOCK_IO_PROTOCOL_REVISION3;
	b->block_io.Media = &b->media;
	b->block_io.Reset = reset_device;
	b->block_io.ReadBlocks = read_blocks;
	b->block_io.WriteBlocks = write_blocks;
	b->block_io.FlushBlocks = flush_blocks;
	efi_disk_io_init(b);
	s = efi_install_multiple_protocol_interfaces(
		&b->handle, &device_path_guid, b->device_path, &block_io_guid,
		&b->block_io, &disk_io_guid, &b->disk_io, NULL);
	if (s)
		return s;
	if (last)
		last->next = b;
	else
		first = b;
	last = b;
	return EFI_SUCCESS;
}

static void announce(struct efi_block *b)
{
	unsigned i;

	for (i = 0; i < nwatchers; i++)
		watchers[i](b);
}

/* An efi_block with room for its device path behind it: one allocation. */
static struct efi_block *new_block(size_t path_size)
{
	struct efi_block *b = efi_zalloc(sizeof(*b) + path_size);

	if (b)
		b->device_path = (EFI_DEVICE_PATH_PROTOCOL *)(b + 1);
	return b;
}

/* EFI_PARTITION_INFO_PROTOCOL: the entry as the table had it. */
static void fill_partition_info(struct efi_block *b)
{
	const struct partition *p = b->partition;
	EFI_PARTITION_INFO_PROTOCOL *info = &b->partition_info;
	EFI_PARTITION_ENTRY *g = &info->Info.Gpt;

	info->Revision = EFI_PARTITION_INFO_PROTOCOL_REVISION;
	/* EDK2 marks GPT and MBR system partitions, not El Torito images. */
	info->System = p->system && p->scheme != PARTITION_ELTORITO;
	if (p->scheme == PARTITION_GPT) {
		info->Type = PARTITION_TYPE_GPT;
		memcpy(&g->PartitionTypeGUID, p->type_guid, 16);
		memcpy(&g->UniquePartitionGUID, p->signature, 16);
		g->StartingLBA = p->start;
		g->EndingLBA = p->start + p->count - 1;
		g->Attributes = p->attributes;
		memcpy(g->PartitionName, p->name, sizeof(p->name));
	} else if (p->scheme == PARTITION_MBR) {
		info->Type = PARTITION_TYPE_MBR;
		memcpy(&info->Info.Mbr, p->mbr_record, 16);
	} else {
		info->Type = PARTITION_TYPE_OTHER;
	}
}

static struct efi_block *add_partition(struct efi_block *disk,
				       struct efi_block *parent,
				       const struct partition *p)
{
	uint8_t node[DEVPATH_PARTITION_NODE_MAX];
	size_t parent_size =
		devpath_size(parent->device_path, DEVPATH_MAX_SIZE);
	size_t node_size = devpath_partition_node(p, node);
	struct efi_block *b =
		node_size ? new_block(parent_size + node_size) : NULL;
	EFI_GUID type;

	if (!b || !devpath_append(parent->device_path, parent_size, node,
				  b->device_path, parent_size + node_size))
		goto fail;
	b->part = *p;
	b->partition = &b->part;
	b->parent = parent;
	blockdev_slice_init(&b->slice, disk->dev, p->start, p->count);
	b->dev = &b->slice.dev;
	if (install(b))
		goto fail;
	fill_partition_info(b);
	efi_install_protocol_interface(
		&b->handle, (EFI_GUID *)&partition_info_guid,
		EFI_NATIVE_INTERFACE, &b->partition_info);
	/* EDK2: the GPT type GUID, or the ESP's for MBR type 0xEF. */
	if (p->scheme == PARTITION_GPT)
		memcpy(&type, p->type_guid, sizeof(type));
	else
		type = esp_guid;
	if (p->scheme == PARTITION_GPT ||
	    (p->scheme == PARTITION_MBR && p->system))
		efi_install_protocol_interface(&b->handle, &type,
					       EFI_NATIVE_INTERFACE, NULL);
	announce(b);
	return b;
fail:
	printf("mmuon: %s: partition %u not installed\n", disk->dev->name,
	       p->number);
	efi_free(b);
	return NULL;
}

static void print_notes(const char *disk, const char *notes)
{
	while (*notes) {
		const char *nl = notes;

		while (*nl && *nl != '\n')
			nl++;
		printf("mmuon: %s: %.*s\n", disk, (int)(nl - notes), notes);
		notes = *nl ? nl + 1 : nl;
	}
}

static void add_partitions(struct efi_block *disk)
{
	/* One table for every disk, kept: an allocation is not free. */
	static struct partition_table *t;
	struct efi_block *made[PARTITION_MAX];
	unsigned i;

	if (!t)
		t = efi_zalloc(sizeof(*t));
	if (!t)
		return;
	partition_scan(disk->dev, t);
	print_notes(disk->dev->name, t->notes);
	if (t->count)
		printf("mmuon: %s: %s, %u partition%s\n", disk->dev->name,
		       t->scheme == PARTITION_GPT   ? "GPT"
		       : t->scheme == PARTITION_MBR ? "MBR"
						    : "El Torito",
		       t->count, t->count == 1 ? "" : "s");
	for (i = 0; i < t->count; i++) {
		const struct partition *p = &t->part[i];
		struct efi_block *parent = p->parent < i && made[p->parent]
						   ? made[p->parent]
						   : disk;

		made[i] = add_partition(disk, parent, p);
	}
}

static EFI_STATUS install_disk(struct efi_block *b, struct blockdev *dev,
			       const void *path, size_t size)
{
	memcpy(b->device_path, path, size);
	b->dev = dev;
	return install(b);
}

struct efi_block *efi_block_add_disk(struct blockdev *dev)
{
	uint8_t path[DEVPATH_DISK_MAX];
	size_t size = devpath_disk(&dev->location, path, sizeof(path));
	struct efi_block *b;

	if (!dev->scratch)
		dev->scratch = dma_alloc(dev->block_size);
	b = size ? new_block(size) : NULL;
	if (!b || !dev->scratch || install_disk(b, dev, path, size)) {
		printf("mmuon: %s: not installed\n", dev->name);
		efi_free(b);
		return NULL;
	}
	announce(b);
	add_partitions(b);
	return b;
}
