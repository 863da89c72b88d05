// SPDX-License-Identifier: MIT
/*
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (UEFI 2.10,
 * sections 13.4 and 13.5) on a FAT volume (src/fs/fat/): a thin adapter
 * that checks the client's arguments, translates names and times, and
 * maps the FAT driver's results to EFI status codes. The *Ex functions
 * complete at once and signal the token's event.
 *
 * Where the spec leaves room, EDK2's FAT driver (what clients were tested
 * against) decides: a directory read returns "." and ".." in
 * subdirectories, renames through SetInfo take a path relative to the
 * file's directory, an existing name is EFI_ACCESS_DENIED.
 */
#include <string.h>

#include <efi/protocol/simple_file_system.h>
#include <mmuon/console.h>
#include <mmuon/efi_block.h>
#include <mmuon/efi_core.h>
#include <mmuon/fat.h>
#include <mmuon/fmt.h>
#include <mmuon/simple_fs.h>
#include <mmuon/time_convert.h>
#include <mmuon/ucs2.h>

struct sfs_volume {
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL sfs;
	EFI_HANDLE handle;
	char name[48]; /* for messages: "virtio 00:01.0 partition 1" */
	bool corruption_reported;
	struct fat_volume fat;
};

struct sfs_file {
	EFI_FILE_PROTOCOL proto; /* first: This is the handle */
	struct sfs_volume *vol;
	struct fat_file file;
};

static const EFI_FILE_PROTOCOL file_protocol;

static EFI_STATUS efi_status(int st)
{
	switch (st) {
	case FAT_OK:
		return EFI_SUCCESS;
	case FAT_ERR_NOT_FOUND:
	case FAT_ERR_NOT_DIR:
		return EFI_NOT_FOUND;
	case FAT_ERR_NOT_FAT:
	case FAT_ERR_UNSUPPORTED:
	case FAT_ERR_IS_DIR:
		return EFI_UNSUPPORTED;
	case FAT_ERR_CORRUPT:
		return EFI_VOLUME_CORRUPTED;
	case FAT_ERR_WRITE_PROTECTED:
		return EFI_WRITE_PROTECTED;
	case FAT_ERR_ACCESS_DENIED:
	case FAT_ERR_EXISTS:
	case FAT_ERR_NOT_EMPTY:
		return EFI_ACCESS_DENIED;
	case FAT_ERR_INVALID:
		return EFI_INVALID_PARAMETER;
	case FAT_ERR_FULL:
		return EFI_VOLUME_FULL;
	case FAT_ERR_NO_MEDIA:
		return EFI_NO_MEDIA;
	default: /* FAT_ERR_IO, FAT_ERR_DELETED (the spec's words for both) */
		return EFI_DEVICE_ERROR;
	}
}

/*
 * The EFI status of a FAT result on @vol; the first corruption found on a
 * volume is also named on the console (the reason, e.g. "cluster chain
 * loops"): the caller only learns EFI_VOLUME_CORRUPTED.
 */
static EFI_STATUS status_of(struct sfs_volume *vol, int st)
{
	if (st == FAT_ERR_CORRUPT && !vol->corruption_reported) {
		vol->corruption_reported = true;
		printf("mmuon: %s: FAT volume corrupted: %s\n", vol->name,
		       vol->fat.error);
	}
	return efi_status(st);
}

/* ---- times ------------------------------------------------------------ */

static void to_efi_time(const struct fat_time *t, EFI_TIME *e)
{
	*e = (EFI_TIME){
		.Year = t->year,
		.Month = t->month,
		.Day = t->day,
		.Hour = t->hour,
		.Minute = t->minute,
		.Second = t->second,
		.Nanosecond = (UINT32)t->centisecond * 10000000u,
		.TimeZone = EFI_UNSPECIFIED_TIMEZONE,
	};
}

static void to_fat_time(const EFI_TIME *e, struct fat_time *t)
{
	*t = (struct fat_time){
		.year = e->Year,
		.month = e->Month,
		.day = e->Day,
		.hour = e->Hour,
		.minute = e->Minute,
		.second = e->Second,
		.centisecond = (uint8_t)(e->Nanosecond / 10000000u),
	};
}

/* The wall clock, for the times new and written files get. */
static void fat_clock(void *ctx, struct fat_time *now)
{
	EFI_TIME t;

	(void)ctx;
	if (efi_runtime_services.GetTime(&t, NULL) == EFI_SUCCESS &&
	    t.Year >= 1980 && t.Year <= 2107)
		to_fat_time(&t, now);
}

/* ---- EFI_FILE_PROTOCOL ----------------------------------------------------- */

static struct sfs_file *file_of(EFI_FILE_PROTOCOL *this)
{
	return (struct sfs_file *)this;
}

static struct sfs_file *new_file(struct sfs_volume *vol)
{
	struct sfs_file *f = efi_zalloc(sizeof(*f));

	if (f) {
		f->proto = file_protocol;
		f->vol = vol;
	}
	return f;
}

static EFI_STATUS EFIAPI file_open(EFI_FILE_PROTOCOL *this,
				   EFI_FILE_PROTOCOL **new_handle, CHAR16 *name,
				   UINT64 mode, UINT64 attributes)
{
	struct sfs_file *dir = file_of(this), *f;
	unsigned fat_mode = 0;
	int st;

	if (!this || !new_handle || !name)
		return EFI_INVALID_PARAMETER;
	if (mode ==
	    (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE)) {
		if (attributes & ~EFI_FILE_VALID_ATTR)
			return EFI_INVALID_PARAMETER;
		fat_mode = FAT_OPEN_WRITE | FAT_OPEN_CREATE;
	} else if (mode == (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE)) {
		fat_mode = FAT_OPEN_WRITE;
	} else if (mode != EFI_FILE_MODE_READ) {
		return EFI_INVALID_PARAMETER;
	}
	f = new_file(dir->vol);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	st = fat_open(&dir->file, name, fat_mode, (uint8_t)attributes,
		      &f->file);
	if (st) {
		efi_free(f);
		return status_of(dir->vol, st);
	}
	*new_handle = &f->proto;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_close(EFI_FILE_PROTOCOL *this)
{
	if (!this)
		return EFI_INVALID_PARAMETER;
	fat_close(&file_of(this)->file);
	efi_free(this);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_delete(EFI_FILE_PROTOCOL *this)
{
	int st;

	if (!this)
		return EFI_INVALID_PARAMETER;
	/* The handle is closed either way. */
	st = fat_delete(&file_of(this)->file);
	efi_free(this);
	return st ? EFI_WARN_DELETE_FAILURE : EFI_SUCCESS;
}

static UINTN file_info_size(const struct fat_entry_info *info)
{
	return SIZE_OF_EFI_FILE_INFO + (strlen16(info->name) + 1) * 2;
}

static void fill_file_info(const struct fat_entry_info *info,
			   EFI_FILE_INFO *out)
{
	out->Size = file_info_size(info);
	out->FileSize = info->size;
	out->PhysicalSize = info->physical_size;
	to_efi_time(&info->created, &out->CreateTime);
	to_efi_time(&info->accessed, &out->LastAccessTime);
	to_efi_time(&info->modified, &out->ModificationTime);
	out->Attribute = info->attr & EFI_FILE_VALID_ATTR;
	memcpy(out->FileName, info->name, (strlen16(info->name) + 1) * 2);
}

/* A directory read: the next entry as EFI_FILE_INFO, or 0 bytes at the end. */
static EFI_STATUS read_dir(struct sfs_file *f, UINTN *size, VOID *buf)
{
	struct fat_entry_info info;
	int st = fat_readdir(&f->file, &info, true);

	if (st == FAT_ERR_NOT_FOUND) {
		*size = 0;
		return EFI_SUCCESS;
	}
	if (st)
		return status_of(f->vol, st);
	if (*size < file_info_size(&info)) {
		*size = file_info_size(&info);
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buf)
		return EFI_INVALID_PARAMETER;
	st = fat_readdir(&f->file, &info, false);
	if (st)
		return status_of(f->vol, st);
	fill_file_info(&info, buf);
	*size = file_info_size(&info);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_read(EFI_FILE_PROTOCOL *this, UINTN *size,
				   VOID *buf)
{
	struct sfs_file *f = file_of(this);
	size_t n;
	int st;

	if (!this || !size)
		return EFI_INVALID_PARAMETER;
	if (f->file.attr & FAT_ATTR_DIRECTORY)
		return read_dir(f, size, buf);
	if (*size && !buf)
		return EFI_INVALID_PARAMETER;
	/* At the end: 0 bytes; past it: an error (13.5.5, as EDK2). */
	if (fat_get_position(&f->file) > f->file.size)
		return EFI_DEVICE_ERROR;
	n = *size;
	st = fat_read(&f->file, buf, &n);
	*size = n;
	return status_of(f->vol, st);
}

static EFI_STATUS EFIAPI file_write(EFI_FILE_PROTOCOL *this, UINTN *size,
				    VOID *buf)
{
	struct sfs_file *f = file_of(this);
	size_t n;
	int st;

	if (!this || !size || (*size && !buf))
		return EFI_INVALID_PARAMETER;
	if (f->file.attr & FAT_ATTR_DIRECTORY)
		return EFI_UNSUPPORTED;
	n = *size;
	st = fat_write(&f->file, buf, &n);
	*size = n;
	return status_of(f->vol, st);
}

static EFI_STATUS EFIAPI file_get_position(EFI_FILE_PROTOCOL *this,
					   UINT64 *position)
{
	struct sfs_file *f = file_of(this);

	if (!this || !position)
		return EFI_INVALID_PARAMETER;
	if (f->file.attr & FAT_ATTR_DIRECTORY)
		return EFI_UNSUPPORTED;
	if (f->file.deleted)
		return EFI_DEVICE_ERROR;
	*position = fat_get_position(&f->file);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_set_position(EFI_FILE_PROTOCOL *this,
					   UINT64 position)
{
	if (!this)
		return EFI_INVALID_PARAMETER;
	return status_of(file_of(this)->vol,
			 fat_set_position(&file_of(this)->file, position));
}

/* Hands out a variable-size answer: BUFFER_TOO_SMALL with the size first. */
static EFI_STATUS give(UINTN *size, VOID *buf, UINTN need)
{
	if (*size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = need;
	return buf ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI file_get_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN *size, VOID *buf)
{
	static const EFI_GUID file_info = EFI_FILE_INFO_ID;
	static const EFI_GUID fs_info = EFI_FILE_SYSTEM_INFO_ID;
	static const EFI_GUID label_id = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;
	struct sfs_file *f = file_of(this);
	struct fat_volume_info vi;
	struct fat_entry_info info;
	uint16_t label[FAT_LABEL_MAX + 1];
	EFI_STATUS status;
	UINTN label_size;
	int st;

	if (!this || !type || !size)
		return EFI_INVALID_PARAMETER;
	if (efi_guid_equal(type, &file_info)) {
		st = fat_get_info(&f->file, &info);
		if (st)
			return status_of(f->vol, st);
		status = give(size, buf, file_info_size(&info));
		if (status == EFI_SUCCESS)
			fill_file_info(&info, buf);
		return status;
	}
	if (!efi_guid_equal(type, &fs_info) && !efi_guid_equal(type, &label_id))
		return EFI_UNSUPPORTED;
	st = fat_get_label(&f->vol->fat, label);
	if (st)
		return status_of(f->vol, st);
	label_size = (strlen16(label) + 1) * 2;
	if (efi_guid_equal(type, &label_id)) {
		status = give(size, buf, label_size);
		if (status == EFI_SUCCESS)
			memcpy(buf, label, label_size);
		return status;
	}
	st = fat_volume_info(&f->vol->fat, &vi);
	if (st)
		return status_of(f->vol, st);
	status = give(size, buf, SIZE_OF_EFI_FILE_SYSTEM_INFO + label_size);
	if (status == EFI_SUCCESS) {
		EFI_FILE_SYSTEM_INFO *out = buf;

		out->Size = SIZE_OF_EFI_FILE_SYSTEM_INFO + label_size;
		out->ReadOnly = vi.read_only;
		out->VolumeSize = vi.volume_size;
		out->FreeSpace = vi.free_size;
		out->BlockSize = vi.cluster_size;
		memcpy(out->VolumeLabel, label, label_size);
	}
	return status;
}

/* A NUL within @max code units of @s. */
static bool terminated(const CHAR16 *s, UINTN max)
{
	return strnlen16(s, max) < max;
}

static bool time_is_zero(const EFI_TIME *t)
{
	static const EFI_TIME zero;

	return !memcmp(t, &zero, sizeof(zero));
}

/* SetInfo(EFI_FILE_INFO): rename, resize, attributes, times, in that order. */
static EFI_STATUS set_file_info(struct sfs_file *f, UINTN size,
				const EFI_FILE_INFO *new)
{
	const EFI_TIME *times[3] = {&new->CreateTime, &new->LastAccessTime,
				    &new->ModificationTime};
	struct fat_time t[3];
	struct fat_entry_info cur;
	bool set_time = false;
	int st;

	if (size < SIZE_OF_EFI_FILE_INFO + 2 || new->Size > size ||
	    new->Size < SIZE_OF_EFI_FILE_INFO + 2 ||
	    !terminated(new->FileName, (new->Size - SIZE_OF_EFI_FILE_INFO) / 2))
		return EFI_BAD_BUFFER_SIZE;
	if (new->Attribute & ~EFI_FILE_VALID_ATTR)
		return EFI_INVALID_PARAMETER;
	st = fat_get_info(&f->file, &cur);
	if (st)
		return status_of(f->vol, st);
	/* A zero time means "leave it"; so does the time it has now. */
	for (int i = 0; i < 3; i++) {
		const struct fat_time *now[3] = {&cur.created, &cur.accessed,
						 &cur.modified};

		if (time_is_zero(times[i]))
			continue;
		if (!efi_time_is_valid(times[i]))
			return EFI_INVALID_PARAMETER;
		to_fat_time(times[i], &t[i]);
		if (memcmp(&t[i], now[i], sizeof(t[i])))
			set_time = true;
	}
	if ((new->Attribute ^ cur.attr) & EFI_FILE_DIRECTORY)
		return EFI_ACCESS_DENIED;
	if (f->file.is_root) {
		/* The root has no entry: nothing of it can change. */
		return new->FileName[0] || new->Attribute != cur.attr
			       ? EFI_ACCESS_DENIED
			       : EFI_SUCCESS;
	}
	/* Through a read-only handle only the attributes may change. */
	if (!f->file.writable &&
	    (strcmp16(new->FileName, cur.name) || set_time ||
	     (!(cur.attr & FAT_ATTR_DIRECTORY) && new->FileSize != cur.size)))
		return EFI_ACCESS_DENIED;
	if (strcmp16(new->FileName, cur.name)) {
		if (!new->FileName[0])
			return EFI_INVALID_PARAMETER;
		st = fat_rename(&f->file, new->FileName);
		if (st)
			return status_of(f->vol, st);
	}
	if (!(cur.attr & FAT_ATTR_DIRECTORY) && new->FileSize != cur.size) {
		st = fat_set_size(&f->file, new->FileSize);
		if (st)
			return status_of(f->vol, st);
	}
	if (new->Attribute != cur.attr) {
		st = fat_set_attr(&f->file, (uint8_t) new->Attribute);
		if (st)
			return status_of(f->vol, st);
	}
	if (set_time)
		st = fat_set_times(&f->file,
				   time_is_zero(times[0]) ? NULL : &t[0],
				   time_is_zero(times[1]) ? NULL : &t[1],
				   time_is_zero(times[2]) ? NULL : &t[2]);
	return status_of(f->vol, st);
}

static EFI_STATUS EFIAPI file_set_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type,
				       UINTN size, VOID *buf)
{
	static const EFI_GUID file_info = EFI_FILE_INFO_ID;
	static const EFI_GUID fs_info = EFI_FILE_SYSTEM_INFO_ID;
	static const EFI_GUID label_id = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;
	struct sfs_file *f = file_of(this);
	const CHAR16 *label;
	UINTN max;

	if (!this || !type || !buf)
		return EFI_INVALID_PARAMETER;
	if (efi_guid_equal(type, &file_info))
		return set_file_info(f, size, buf);
	if (efi_guid_equal(type, &fs_info)) {
		if (size < SIZE_OF_EFI_FILE_SYSTEM_INFO + 2)
			return EFI_BAD_BUFFER_SIZE;
		label = ((EFI_FILE_SYSTEM_INFO *)buf)->VolumeLabel;
		max = (size - SIZE_OF_EFI_FILE_SYSTEM_INFO) / 2;
	} else if (efi_guid_equal(type, &label_id)) {
		label = buf;
		max = size / 2;
	} else {
		return EFI_UNSUPPORTED;
	}
	if (!terminated(label, max))
		return EFI_BAD_BUFFER_SIZE;
	return status_of(f->vol, fat_set_label(&f->vol->fat, label));
}

static EFI_STATUS EFIAPI file_flush(EFI_FILE_PROTOCOL *this)
{
	struct sfs_file *f = file_of(this);

	if (!this)
		return EFI_INVALID_PARAMETER;
	if (f->file.deleted)
		return EFI_DEVICE_ERROR;
	if (!f->file.writable)
		return EFI_ACCESS_DENIED;
	return status_of(f->vol, fat_flush(&f->vol->fat));
}

/* The *Ex functions: done at once, then the token's event is signalled. */
static EFI_STATUS complete(EFI_FILE_IO_TOKEN *token, EFI_STATUS status)
{
	token->Status = status;
	if (token->Event)
		efi_signal_event(token->Event);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI file_open_ex(EFI_FILE_PROTOCOL *this,
				      EFI_FILE_PROTOCOL **new_handle,
				      CHAR16 *name, UINT64 mode,
				      UINT64 attributes,
				      EFI_FILE_IO_TOKEN *token)
{
	if (!token)
		return EFI_INVALID_PARAMETER;
	return complete(token,
			file_open(this, new_handle, name, mode, attributes));
}

static EFI_STATUS EFIAPI file_read_ex(EFI_FILE_PROTOCOL *this,
				      EFI_FILE_IO_TOKEN *token)
{
	if (!token)
		return EFI_INVALID_PARAMETER;
	return complete(token,
			file_read(this, &token->BufferSize, token->Buffer));
}

static EFI_STATUS EFIAPI file_write_ex(EFI_FILE_PROTOCOL *this,
				       EFI_FILE_IO_TOKEN *token)
{
	if (!token)
		return EFI_INVALID_PARAMETER;
	return complete(token,
			file_write(this, &token->BufferSize, token->Buffer));
}

static EFI_STATUS EFIAPI file_flush_ex(EFI_FILE_PROTOCOL *this,
				       EFI_FILE_IO_TOKEN *token)
{
	if (!token)
		return EFI_INVALID_PARAMETER;
	return complete(token, file_flush(this));
}

static const EFI_FILE_PROTOCOL file_protocol = {
	.Revision = EFI_FILE_PROTOCOL_REVISION2,
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
	.ReadEx = file_read_ex,
	.WriteEx = file_write_ex,
	.FlushEx = file_flush_ex,
};

/* ---- EFI_SIMPLE_FILE_SYSTEM_PROTOCOL ---------------------------------------- */

static EFI_STATUS EFIAPI open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *this,
				     EFI_FILE_PROTOCOL **root)
{
	struct sfs_volume *vol = (struct sfs_volume *)this;
	struct blockdev *dev;
	struct sfs_file *f;
	int st;

	if (!this || !root)
		return EFI_INVALID_PARAMETER;
	/* With nothing open, mount again: the medium may have changed. */
	if (!vol->fat.open_files) {
		dev = vol->fat.dev;
		st = fat_mount(&vol->fat, dev);
		vol->fat.clock = fat_clock;
		if (st)
			return status_of(vol, st);
	}
	f = new_file(vol);
	if (!f)
		return EFI_OUT_OF_RESOURCES;
	fat_open_root(&vol->fat, &f->file);
	*root = &f->proto;
	return EFI_SUCCESS;
}

EFI_STATUS efi_simple_fs_attach(EFI_HANDLE handle, struct blockdev *dev,
				const char *name)
{
	static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	struct sfs_volume *vol = efi_zalloc(sizeof(*vol));
	EFI_STATUS status;
	int st;

	if (!vol)
		return EFI_OUT_OF_RESOURCES;
	fmt_snprintf(vol->name, sizeof(vol->name), "%s", name);
	st = fat_mount(&vol->fat, dev);
	if (st) {
		status = status_of(vol, st);
		efi_free(vol);
		return status;
	}
	vol->fat.clock = fat_clock;
	vol->handle = handle;
	vol->sfs.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION;
	vol->sfs.OpenVolume = open_volume;
	status = efi_install_protocol_interface(
		&vol->handle, (EFI_GUID *)&sfs_guid, EFI_NATIVE_INTERFACE,
		&vol->sfs);
	if (status != EFI_SUCCESS)
		efi_free(vol);
	return status;
}

/* Each disk and partition the storage drivers install: FAT or not. */
static void attach_block(struct efi_block *blk)
{
	char name[48];

	if (blk->partition)
		fmt_snprintf(name, sizeof(name), "%s partition %u",
			     blk->dev->name, blk->partition->number);
	else
		fmt_snprintf(name, sizeof(name), "%s", blk->dev->name);
	efi_simple_fs_attach(blk->handle, blk->dev, name);
}

void efi_simple_fs_install(void)
{
	if (efi_block_watch(attach_block))
		printf("mmuon: no FAT filesystems: too many block watchers\n");
}
