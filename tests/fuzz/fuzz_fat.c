// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the FAT driver (src/fs/fat/).
 *
 * Input layout (tests/fuzz/fat_seeds.sh writes seeds in it):
 *   byte 0:    bits 0-1 block size (512, 2048, 4096, 512), bit 2 read-only
 *              device, bit 3 run the write pass
 *   bytes 1-2: device size in KiB, little-endian (capped at 4 MiB; at
 *              least the image given)
 *   then:      the image's first bytes; the rest of the device is zeros
 *              (seeds are mkfs.fat + mtools images with the trailing
 *              zeros cut off)
 *
 * The harness mounts the volume, walks the whole tree (readdir, open,
 * read in pieces, extents, info), and optionally creates, writes,
 * renames, resizes and deletes files and sets the label. Besides the
 * sanitizers, it checks what must hold on any volume, broken or not:
 * reads return no more than asked and move the position by what they
 * return, every handle is closed at the end, and a volume that mounted
 * still mounts after the writes (they never touch the BPB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/fat.h>

#include "../unit/ram_blockdev.h"
#include "check.h"

#define MAX_DEVICE (4u << 20)
#define MAX_DEPTH 6
#define MAX_ENTRIES 300
#define MAX_READ (4u << 20) /* bytes read per input, all files */

static uint8_t chunk[8192];
static size_t read_budget;
/*
 * Entries opened per input, all directories together: a volume whose
 * directories point at each other is a tree of 300^6 paths to a naive
 * walk (the driver answers each call quickly; the walk must stop).
 */
#define MAX_OPENS 2000
static unsigned open_budget;

static void read_file(struct fat_file *f)
{
	uint64_t off, contiguous, pos = 0;
	size_t n, want;

	for (;;) {
		want = 1 + (pos * 7919) % sizeof(chunk);
		if (want > read_budget)
			return;
		n = want;
		if (fat_read(f, chunk, &n) != FAT_OK)
			return;
		CHECK(n <= want);
		read_budget -= n;
		pos += n;
		CHECK(fat_get_position(f) == pos);
		if (!n)
			break;
	}
	if (fat_file_extent(f, 0, &off, &contiguous) == FAT_OK)
		CHECK(contiguous > 0);
	CHECK(fat_set_position(f, 12345) == FAT_OK);
	CHECK(fat_get_position(f) == 12345);
}

static void walk(struct fat_file *dir, unsigned depth)
{
	struct fat_entry_info info;
	struct fat_file f;

	for (unsigned i = 0; i < MAX_ENTRIES && open_budget; i++) {
		if (fat_readdir(dir, &info, false) != FAT_OK)
			break;
		if (info.name[0] == '.' &&
		    (!info.name[1] || (info.name[1] == '.' && !info.name[2])))
			continue;
		open_budget--;
		if (fat_open(dir, info.name, 0, 0, &f) != FAT_OK)
			continue;
		fat_get_info(&f, &info);
		if (info.attr & FAT_ATTR_DIRECTORY) {
			if (depth < MAX_DEPTH)
				walk(&f, depth + 1);
		} else {
			read_file(&f);
		}
		fat_close(&f);
	}
}

static void clock_fn(void *ctx, struct fat_time *t)
{
	(void)ctx;
	*t = (struct fat_time){2025, 1, 2, 3, 4, 5, 6};
}

static void write_pass(struct fat_file *root)
{
	static const uint16_t dir[] = u"\\fz dir";
	static const uint16_t file[] = u"\\fz dir\\A Long File Name.txt";
	static const uint16_t renamed[] = u"\\renamed.bin";
	static const uint16_t label[] = u"FUZZ";
	uint16_t name[32];
	struct fat_file d, f;
	size_t n;

	if (fat_open(root, dir, FAT_OPEN_WRITE | FAT_OPEN_CREATE,
		     FAT_ATTR_DIRECTORY, &d) == FAT_OK)
		fat_close(&d);
	if (fat_open(root, file, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f) ==
	    FAT_OK) {
		memset(chunk, 0xa5, sizeof(chunk));
		n = 5000;
		fat_write(&f, chunk, &n);
		CHECK(n <= 5000);
		fat_set_position(&f, 100);
		n = 100;
		if (fat_read(&f, chunk, &n) == FAT_OK)
			CHECK(n <= 100);
		fat_rename(&f, renamed);
		fat_set_size(&f, 20000);
		fat_set_attr(&f, FAT_ATTR_HIDDEN);
		fat_set_size(&f, 10);
		fat_close(&f);
	}
	for (int i = 0; i < 20; i++) {
		for (int k = 0; k < 20; k++)
			name[k] = (uint16_t)("Fuzz file number xx"[k]);
		name[17] = (uint16_t)('0' + i / 10);
		name[18] = (uint16_t)('0' + i % 10);
		name[19] = 0;
		if (fat_open(root, name, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0,
			     &f) != FAT_OK)
			continue;
		if (i % 3 == 0)
			fat_delete(&f);
		else
			fat_close(&f);
	}
	if (fat_open(root, renamed, FAT_OPEN_WRITE, 0, &f) == FAT_OK)
		fat_delete(&f);
	fat_set_label(root->vol, label);
	fat_flush(root->vol);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t block_sizes[] = {512, 2048, 4096, 512};
	static struct fat_volume vol;
	struct fat_volume_info vi;
	struct ram_blockdev ram;
	uint16_t label[FAT_LABEL_MAX + 1];
	struct fat_file root;
	size_t dev_size, image;
	uint8_t flags, *buf;

	if (size < 3)
		return 0;
	flags = data[0];
	dev_size = (size_t)(data[1] | data[2] << 8) * 1024;
	image = size - 3;
	if (dev_size < image)
		dev_size = image;
	if (dev_size > MAX_DEVICE)
		dev_size = MAX_DEVICE;
	if (image > dev_size)
		image = dev_size;
	buf = calloc(1, dev_size ? dev_size : 1);
	memcpy(buf, data + 3, image);
	ram_blockdev_init(&ram, buf, dev_size, block_sizes[flags & 3]);
	ram.dev.read_only = flags & 4;

	if (fat_mount(&vol, &ram.dev) == FAT_OK) {
		vol.clock = clock_fn;
		read_budget = MAX_READ;
		open_budget = MAX_OPENS;
		CHECK(fat_open_root(&vol, &root) == FAT_OK);
		walk(&root, 0);
		fat_get_label(&vol, label);
		fat_volume_info(&vol, &vi);
		if (flags & 8)
			write_pass(&root);
		fat_close(&root);
		CHECK(vol.open_files == NULL);
		if (flags & 8)
			CHECK(fat_mount(&vol, &ram.dev) == FAT_OK);
	}
	free(buf);
	return 0;
}
