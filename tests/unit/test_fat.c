// SPDX-License-Identifier: MIT
/*
 * The FAT driver against volumes made by the field's own tools: mkfs.fat
 * builds FAT12, FAT16 and FAT32 images, mtools fills them (long names,
 * nested directories), the driver reads and changes them on a RAM block
 * device (512-, 2048- and 4096-byte blocks), and then fsck.fat -n must
 * find nothing and mtools must read back what the driver wrote. Broken
 * volumes (chain loops, clusters out of range, directory cycles, empty
 * devices) must give errors, never a hang or a crash.
 *
 * A missing mkfs.fat, mtools or fsck.fat fails the tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/fat.h>
#include <mmuon/payload_copy.h>

#include "../../src/fs/fat/fat_internal.h"
#include "fat_images.h"
#include "ram_blockdev.h"

/* ---- the images --------------------------------------------------------- */

/* An image built by group_setup(), on a device of @block_size blocks. */
struct image {
	const char *name;
	uint8_t fat_bits;
	uint32_t block_size;
};

static const struct image fat12 = {"f12.img", 12, 512};
static const struct image fat16 = {"f16.img", 16, 512};
static const struct image fat32 = {"f32.img", 32, 512};
/* 512-byte sectors on a CD's 2048-byte blocks (El Torito images). */
static const struct image fat16_cd = {"f16.img", 16, 2048};
static const struct image fat16_4k = {"f16s4k.img", 16, 4096};
static const struct image fat32_4k = {"f32.img", 32, 4096};

static int group_setup(void **state)
{
	(void)state;
	if (fat_images_setup())
		return -1;
	/* FAT32 needs 65,525 clusters for mtools: 40 MB of 512-byte ones. */
	build_image("f12.img", "-F 12 -n FAT12VOL", 4096);
	build_image("f16.img", "-F 16", 16384);
	build_image("f32.img", "-F 32 -s 1", 40000);
	build_image("f16s4k.img", "-F 16 -S 4096", 65536);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fat_images_teardown();
	return 0;
}

/* A mounted copy of an image on a RAM block device. */
struct fixture {
	const struct image *img;
	uint8_t *data;
	size_t size;
	struct ram_blockdev ram;
	struct fat_volume *vol;
	struct fat_file root;
	char work[64]; /* the file the image is saved to for the tools */
};

static void fixed_clock(void *ctx, struct fat_time *t)
{
	(void)ctx;
	*t = (struct fat_time){2024, 5, 17, 13, 45, 31, 50};
}

static struct fixture *fx_open(const struct image *img)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->img = img;
	fx->data = load_file(img->name, &fx->size);
	snprintf(fx->work, sizeof(fx->work), "work-%s", img->name);
	ram_blockdev_init(&fx->ram, fx->data, fx->size, img->block_size);
	fx->vol = calloc(1, sizeof(*fx->vol));
	assert_int_equal(fat_mount(fx->vol, &fx->ram.dev), FAT_OK);
	fx->vol->clock = fixed_clock;
	assert_int_equal(fx->vol->fat_bits, img->fat_bits);
	assert_int_equal(fat_open_root(fx->vol, &fx->root), FAT_OK);
	return fx;
}

/* Saves the image for fsck.fat and mtools. */
static void fx_save(struct fixture *fx)
{
	write_host_file(fx->work, fx->data, fx->size);
}

static void fx_close(struct fixture *fx)
{
	fat_close(&fx->root);
	assert_null(fx->vol->open_files);
	free(fx->vol);
	free(fx->data);
	free(fx);
}

/* Remounts after the image was changed behind the driver's back. */
static void remount(struct fixture *fx)
{
	fat_close(&fx->root);
	assert_int_equal(fat_mount(fx->vol, &fx->ram.dev), FAT_OK);
	assert_int_equal(fat_open_root(fx->vol, &fx->root), FAT_OK);
}

/* mtools reads @path of the saved image as @data. */
static void mtools_has(struct fixture *fx, const char *path,
		       const uint8_t *data, size_t size)
{
	size_t n;
	uint8_t *got;

	assert_int_equal(sh("cd %s && rm -f got && mcopy -n -i %s '::/%s' got",
			    tmpdir, fx->work, path),
			 0);
	got = load_file("got", &n);
	assert_int_equal(n, size);
	assert_memory_equal(got, data, size);
	free(got);
}

static void read_whole(struct fat_file *f, uint8_t *buf, size_t size)
{
	size_t n = size + 1;

	assert_int_equal(fat_set_position(f, 0), FAT_OK);
	assert_int_equal(fat_read(f, buf, &n), FAT_OK);
	assert_int_equal(n, size);
}

/* ---- reading -------------------------------------------------------------- */

static void test_read_tree(void **state)
{
	const struct image *img = *state;
	struct fixture *fx = fx_open(img);
	uint16_t path[128];
	struct fat_file f;

	for (size_t i = 0; i < TREE_COUNT; i++) {
		uint8_t *want = make_data(tree[i].seed, tree[i].size);
		uint8_t *got = malloc(tree[i].size + 1);
		size_t n, off;

		/* Lookup is case-insensitive: upper-case every other file. */
		to_ucs2(tree[i].path, path, i & 1);
		assert_int_equal(fat_open(&fx->root, path, 0, 0, &f), FAT_OK);
		read_whole(&f, got, tree[i].size);
		assert_memory_equal(got, want, tree[i].size);

		/* Odd-sized pieces across cluster and block boundaries. */
		assert_int_equal(fat_set_position(&f, 0), FAT_OK);
		for (off = 0;; off += n) {
			n = 1000;
			assert_int_equal(fat_read(&f, got + off, &n), FAT_OK);
			if (!n)
				break;
		}
		assert_int_equal(off, tree[i].size);
		assert_memory_equal(got, want, tree[i].size);
		assert_int_equal(fat_get_position(&f), tree[i].size);

		/* Seek into the middle. */
		if (tree[i].size > 5000) {
			assert_int_equal(fat_set_position(&f, 4321), FAT_OK);
			n = 777;
			assert_int_equal(fat_read(&f, got, &n), FAT_OK);
			assert_int_equal(n, 777);
			assert_memory_equal(got, want + 4321, 777);
		}
		/* Past the end reads nothing. */
		assert_int_equal(fat_set_position(&f, UINT64_MAX), FAT_OK);
		assert_int_equal(fat_get_position(&f), tree[i].size);
		n = 10;
		assert_int_equal(fat_read(&f, got, &n), FAT_OK);
		assert_int_equal(n, 0);
		fat_close(&f);
		free(want);
		free(got);
	}
	fx_close(fx);
}

static void test_paths(void **state)
{
	struct fixture *fx = fx_open(&fat32);
	struct fat_file dir, f, g;
	struct fat_entry_info info;

	(void)state;
	/* '/' separators, ".", "..", repeated separators. */
	assert_int_equal(fat_open(&fx->root,
				  U("/loader//entries/.././loader.conf"), 0, 0,
				  &f),
			 FAT_OK);
	assert_int_equal(fat_get_info(&f, &info), FAT_OK);
	assert_int_equal(info.size, 20);
	assert_memory_equal(info.name, U("loader.conf"), 12 * 2);
	/* A relative path from a directory, and an absolute one. */
	assert_int_equal(fat_open(&fx->root, U("LOADER\\ENTRIES"), 0, 0, &dir),
			 FAT_OK);
	assert_int_equal(fat_open(&dir, U("debian.conf"), 0, 0, &g), FAT_OK);
	fat_close(&g);
	assert_int_equal(
		fat_open(&dir, U("..\\..\\EFI\\BOOT\\bootaa64.efi"), 0, 0, &g),
		FAT_OK);
	fat_close(&g);
	assert_int_equal(fat_open(&dir, U("\\big.bin"), 0, 0, &g), FAT_OK);
	fat_close(&g);
	/* Not there, through a file, above the root. */
	assert_int_equal(fat_open(&dir, U("nothere.conf"), 0, 0, &g),
			 FAT_ERR_NOT_FOUND);
	assert_int_equal(fat_open(&fx->root, U("big.bin\\x"), 0, 0, &g),
			 FAT_ERR_NOT_FOUND);
	assert_int_equal(fat_open(&fx->root, U(".."), 0, 0, &g),
			 FAT_ERR_NOT_FOUND);
	assert_int_equal(fat_open(&fx->root, U("a*b"), 0, 0, &g),
			 FAT_ERR_NOT_FOUND);
	/* Trailing dots and spaces do not count (as on Windows, EDK2). */
	assert_int_equal(fat_open(&fx->root, U("big.bin. "), 0, 0, &g), FAT_OK);
	fat_close(&g);
	/* Reading a directory as a file, create without write. */
	size_t n = 4;
	uint8_t b[4];
	assert_int_equal(fat_read(&dir, b, &n), FAT_ERR_IS_DIR);
	assert_int_equal(fat_open(&fx->root, U("x"), FAT_OPEN_CREATE, 0, &g),
			 FAT_ERR_INVALID);
	fat_close(&dir);
	fat_close(&f);
	fx_close(fx);
}

static bool name_in(const uint16_t *name, const char *const *names,
		    size_t count, bool *seen)
{
	uint16_t want[128];

	for (size_t i = 0; i < count; i++) {
		to_ucs2(names[i], want, false);
		if (!memcmp(want, name, (strlen(names[i]) + 1) * 2)) {
			if (seen[i])
				return false;
			seen[i] = true;
			return true;
		}
	}
	return false;
}

static bool same_info(const struct fat_entry_info *a,
		      const struct fat_entry_info *b)
{
	size_t n = 0;

	while (a->name[n])
		n++;
	return !memcmp(a->name, b->name, (n + 1) * 2) && a->size == b->size &&
	       a->attr == b->attr &&
	       !memcmp(&a->modified, &b->modified, sizeof(a->modified));
}

static void test_readdir(void **state)
{
	const struct image *img = *state;
	static const char *const entries[] = {".", "..", "debian.conf",
					      "Debian Long Name 6.12.conf",
					      "UPPER.CONF"};
	static const char *const root[] = {"EFI", "loader", "big.bin"};
	struct fixture *fx = fx_open(img);
	struct fat_entry_info info, peeked;
	bool seen[5] = {0}, rseen[3] = {0};
	struct fat_file dir;
	size_t count = 0;
	int st;

	assert_int_equal(
		fat_open(&fx->root, U("\\loader\\entries"), 0, 0, &dir),
		FAT_OK);
	for (;;) {
		st = fat_readdir(&dir, &peeked, true);
		if (st == FAT_ERR_NOT_FOUND)
			break;
		assert_int_equal(st, FAT_OK);
		assert_int_equal(fat_readdir(&dir, &info, false), FAT_OK);
		assert_true(same_info(&peeked, &info));
		assert_true(name_in(info.name, entries, 5, seen));
		if (info.name[0] == '.')
			assert_true(info.attr & FAT_ATTR_DIRECTORY);
		else
			assert_false(info.attr & FAT_ATTR_DIRECTORY);
		if (info.name[0] == 'D')
			assert_int_equal(info.size, 4097);
		count++;
	}
	assert_int_equal(count, 5);
	/* Again from the start. */
	assert_int_equal(fat_set_position(&dir, 0), FAT_OK);
	assert_int_equal(fat_readdir(&dir, &info, false), FAT_OK);
	assert_int_equal(fat_set_position(&dir, 3), FAT_ERR_UNSUPPORTED);
	fat_close(&dir);

	/* The root: no "." or "..", no volume label. */
	count = 0;
	while ((st = fat_readdir(&fx->root, &info, false)) == FAT_OK) {
		assert_true(name_in(info.name, root, 3, rseen));
		count++;
	}
	assert_int_equal(st, FAT_ERR_NOT_FOUND);
	assert_int_equal(count, 3);
	fx_close(fx);
}

static void test_volume_info_label(void **state)
{
	struct fixture *fx = fx_open(&fat12);
	struct fat_volume_info vi;
	uint16_t label[FAT_LABEL_MAX + 1];
	size_t n = 0;

	(void)state;
	assert_int_equal(fat_volume_info(fx->vol, &vi), FAT_OK);
	assert_int_equal(vi.fat_bits, 12);
	assert_true(vi.free_size > 0 && vi.free_size < vi.volume_size);
	assert_int_equal(fat_get_label(fx->vol, label), FAT_OK);
	assert_memory_equal(label, U("FAT12VOL"), 9 * 2);

	assert_int_equal(fat_set_label(fx->vol, U("new label")), FAT_OK);
	assert_int_equal(fat_get_label(fx->vol, label), FAT_OK);
	assert_memory_equal(label, U("NEW LABEL"), 10 * 2);
	assert_int_equal(fat_set_label(fx->vol, U("much too long")),
			 FAT_ERR_INVALID);
	assert_int_equal(fat_set_label(fx->vol, U("bad*")), FAT_ERR_INVALID);
	assert_int_equal(fat_flush(fx->vol), FAT_OK);
	fx_save(fx);
	fsck_clean(fx->work);
	assert_int_equal(sh("cd %s && mlabel -s -i %s :: | grep -q 'NEW LABEL'",
			    tmpdir, fx->work),
			 0);
	/* Removing it. */
	assert_int_equal(fat_set_label(fx->vol, U("")), FAT_OK);
	assert_int_equal(fat_get_label(fx->vol, label), FAT_OK);
	assert_int_equal(label[0], 0);
	fx_save(fx);
	fsck_clean(fx->work);
	(void)n;
	fx_close(fx);
}

/* FAT32: the label goes to a new root entry, boot sector and backup. */
static void test_label_fat32(void **state)
{
	struct fixture *fx = fx_open(&fat32);
	uint16_t label[FAT_LABEL_MAX + 1];

	(void)state;
	assert_int_equal(fat_get_label(fx->vol, label), FAT_OK);
	assert_int_equal(label[0], 0);
	assert_int_equal(fat_set_label(fx->vol, U("ESP")), FAT_OK);
	fx_save(fx);
	fsck_clean(fx->work);
	assert_int_equal(sh("cd %s && mlabel -s -i %s :: | grep -q ESP", tmpdir,
			    fx->work),
			 0);
	fx_close(fx);
}

/* ---- writing ---------------------------------------------------------------- */

static void write_all(struct fat_file *f, const void *data, size_t size)
{
	size_t n = size;

	assert_int_equal(fat_write(f, data, &n), FAT_OK);
	assert_int_equal(n, size);
}

static void create_write(struct fixture *fx, const uint16_t *path,
			 const void *data, size_t size)
{
	struct fat_file f;

	assert_int_equal(fat_open(&fx->root, path,
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
			 FAT_OK);
	write_all(&f, data, size);
	fat_close(&f);
}

static void test_write(void **state)
{
	const struct image *img = *state;
	struct fixture *fx = fx_open(img);
	uint8_t *a = make_data(11, 10000), *b = make_data(12, 200000);
	uint8_t *z = calloc(1, 10010), *m = make_data(14, 1 << 20);
	struct fat_file f, g, dir;
	struct fat_entry_info info;
	uint16_t path[64];
	char mpath[64];
	size_t n;

	/* New directory, long-named file in it, a lower-case 8.3 file. */
	assert_int_equal(fat_open(&fx->root, U("\\new dir"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &dir),
			 FAT_OK);
	fat_close(&dir);
	create_write(fx, U("\\new dir\\A file with a long name.txt"), a, 10000);
	create_write(fx, U("\\short.txt"), "abc", 3);
	create_write(fx, U("\\Mixed.Txt"), "mixed", 5);
	/* Names that share a basis get ~N tails; the directory grows. */
	assert_int_equal(fat_open(&fx->root, U("\\many"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &dir),
			 FAT_OK);
	for (int i = 0; i < 40; i++) {
		char name[64];

		snprintf(name, sizeof(name), "Long name number %02d.data", i);
		to_ucs2(name, path, false);
		assert_int_equal(fat_open(&dir, path,
					  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0,
					  &f),
				 FAT_OK);
		write_all(&f, b + i, 100 + (size_t)i);
		fat_close(&f);
	}
	fat_close(&dir);

	/* Overwrite the middle of a file, and append to another. */
	assert_int_equal(fat_open(&fx->root, U("\\EFI\\BOOT\\BOOTAA64.EFI"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_set_position(&f, 1000), FAT_OK);
	write_all(&f, b, 50000);
	fat_close(&f);
	assert_int_equal(fat_open(&fx->root,
				  U("\\loader\\entries\\Debian Long Name "
				    "6.12.conf"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_set_position(&f, UINT64_MAX), FAT_OK);
	write_all(&f, b, 200000);
	fat_close(&f);

	/* A write past the end leaves zeros before it. */
	assert_int_equal(fat_open(&fx->root, U("gap.bin"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_set_position(&f, 10000), FAT_OK);
	write_all(&f, "0123456789", 10);
	memcpy(z + 10000, "0123456789", 10);
	fat_close(&f);

	/* Truncate, extend with zeros. */
	assert_int_equal(
		fat_open(&fx->root, U("big.bin"), FAT_OPEN_WRITE, 0, &f),
		FAT_OK);
	assert_int_equal(fat_set_size(&f, 5000), FAT_OK);
	fat_close(&f);
	assert_int_equal(fat_open(&fx->root, U("\\loader\\entries\\UPPER.CONF"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_set_size(&f, 3000), FAT_OK);
	fat_close(&f);

	/* Renames: in place, to another directory, a directory moved. */
	assert_int_equal(
		fat_open(&fx->root, U("short.txt"), FAT_OPEN_WRITE, 0, &f),
		FAT_OK);
	assert_int_equal(fat_rename(&f, U("renamed file.txt")), FAT_OK);
	assert_int_equal(fat_get_info(&f, &info), FAT_OK);
	assert_memory_equal(info.name, U("renamed file.txt"), 17 * 2);
	fat_close(&f);
	assert_int_equal(fat_open(&fx->root,
				  U("new dir\\a file with a long name.TXT"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_rename(&f, U("\\moved.txt")), FAT_OK);
	fat_close(&f);
	assert_int_equal(fat_open(&fx->root, U("many"), FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_rename(&f, U("new dir\\many2")), FAT_OK);
	/* Not into itself, not onto an existing name. */
	assert_int_equal(fat_rename(&f, U("\\new dir\\many2\\x")),
			 FAT_ERR_ACCESS_DENIED);
	assert_int_equal(fat_rename(&f, U("\\big.bin")), FAT_ERR_EXISTS);
	fat_close(&f);
	/* Case-only rename of the same file. */
	assert_int_equal(
		fat_open(&fx->root, U("mixed.txt"), FAT_OPEN_WRITE, 0, &f),
		FAT_OK);
	assert_int_equal(fat_rename(&f, U("MIXED.TXT")), FAT_OK);
	fat_close(&f);

	/* Deletes: a file, an empty directory; not a full one. */
	assert_int_equal(fat_open(&fx->root,
				  U("\\loader\\entries\\debian.conf"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_delete(&f), FAT_OK);
	assert_int_equal(fat_open(&fx->root, U("\\loader\\entries"),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	assert_int_equal(fat_delete(&f), FAT_ERR_NOT_EMPTY);
	assert_int_equal(fat_open(&fx->root, U("\\empty"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &f),
			 FAT_OK);
	assert_int_equal(fat_delete(&f), FAT_OK);
	assert_int_equal(fat_open(&fx->root, U("\\empty"), 0, 0, &f),
			 FAT_ERR_NOT_FOUND);
	/* A delete through a read-only handle is refused. */
	assert_int_equal(fat_open(&fx->root, U("gap.bin"), 0, 0, &f), FAT_OK);
	assert_int_equal(fat_delete(&f), FAT_ERR_ACCESS_DENIED);

	/* A big file in many writes, each a different size. */
	assert_int_equal(fat_open(&fx->root, U("\\EFI\\Linux\\written.efi"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
			 FAT_OK);
	for (size_t off = 0, step = 1; off < (1 << 20); off += n, step += 997) {
		n = step;
		if (n > (1u << 20) - off)
			n = (1u << 20) - off;
		write_all(&f, m + off, n);
	}
	fat_close(&f);

	assert_null(fx->vol->open_files->next_open); /* only the root */
	assert_int_equal(fat_flush(fx->vol), FAT_OK);
	fx_save(fx);
	fsck_clean(fx->work);

	/* mtools reads back what was written. */
	mtools_has(fx, "moved.txt", a, 10000);
	mtools_has(fx, "renamed file.txt", (const uint8_t *)"abc", 3);
	mtools_has(fx, "gap.bin", z, 10010);
	mtools_has(fx, "EFI/Linux/written.efi", m, 1 << 20);
	{
		uint8_t *boot = make_data(1, 70001);
		uint8_t *ent = malloc(4097 + 200000);
		uint8_t *big = make_data(7, 5000), *zero = calloc(1, 3000);

		memcpy(boot + 1000, b, 50000);
		mtools_has(fx, "EFI/BOOT/BOOTAA64.EFI", boot, 70001);
		uint8_t *old = make_data(5, 4097);

		memcpy(ent, old, 4097);
		free(old);
		memcpy(ent + 4097, b, 200000);
		mtools_has(fx, "loader/entries/Debian Long Name 6.12.conf", ent,
			   4097 + 200000);
		mtools_has(fx, "big.bin", big, 5000);
		mtools_has(fx, "loader/entries/UPPER.CONF", zero, 3000);
		free(boot);
		free(ent);
		free(big);
		free(zero);
	}
	for (int i = 0; i < 40; i += 13) {
		snprintf(mpath, sizeof(mpath),
			 "new dir/many2/Long name number %02d.data", i);
		mtools_has(fx, mpath, b + i, 100 + (size_t)i);
	}
	assert_int_equal(sh("cd %s && mdir -b -i %s '::/new dir/many2' | "
			    "grep -c 'Long name number' | grep -qx 40",
			    tmpdir, fx->work),
			 0);
	/* mtools sees the case of the 8.3 names made here. */
	assert_int_equal(
		sh("cd %s && mdir -b -i %s :: | grep -q '^::/MIXED.TXT$'",
		   tmpdir, fx->work),
		0);
	(void)g;
	free(a);
	free(b);
	free(z);
	free(m);
	fx_close(fx);
}

static void test_full_volume(void **state)
{
	struct fixture *fx = fx_open(&fat12);
	struct fat_volume_info vi;
	uint8_t *chunk = make_data(21, 65536);
	struct fat_file f;
	size_t total = 0, n;
	int st;

	(void)state;
	assert_int_equal(fat_open(&fx->root, U("fill.bin"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
			 FAT_OK);
	do {
		n = 65536;
		st = fat_write(&f, chunk, &n);
		total += n;
	} while (st == FAT_OK);
	assert_int_equal(st, FAT_ERR_FULL);
	assert_true(n < 65536);
	assert_int_equal(fat_volume_info(fx->vol, &vi), FAT_OK);
	assert_int_equal(vi.free_size, 0);
	fat_close(&f);
	/* No room for a directory's cluster either. */
	assert_int_equal(fat_open(&fx->root, U("d"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &f),
			 FAT_ERR_FULL);
	fx_save(fx);
	fsck_clean(fx->work);
	assert_int_equal(sh("cd %s && mdir -i %s ::/fill.bin | grep -q '%zu'",
			    tmpdir, fx->work, total),
			 0);
	free(chunk);
	fx_close(fx);
}

/*
 * FSInfo claiming no free cluster (stale) does not stop a write, and the
 * count written back is the true one (fsck.fat checks it).
 */
static void test_fsinfo_stale(void **state)
{
	struct fixture *fx = fx_open(&fat32);
	uint64_t fsi = (uint64_t)fx->vol->fsinfo_sector * 512;
	struct fat_volume_info vi;

	(void)state;
	assert_true(fx->vol->fsinfo_valid);
	put32(fx->data + fsi + 488, 0);
	remount(fx);
	assert_int_equal(fx->vol->free_count, 0);
	create_write(fx, U("\\after-stale-fsinfo"), "data", 4);
	assert_int_equal(fat_volume_info(fx->vol, &vi), FAT_OK);
	assert_true(vi.free_size > 0);
	assert_int_equal(fat_flush(fx->vol), FAT_OK);
	assert_int_equal(get32(fx->data + fsi + 488), fx->vol->free_count);
	fx_save(fx);
	fsck_clean(fx->work);
	fx_close(fx);
}

/* The fixed FAT12/16 root directory has a fixed number of entries. */
static void test_root_full(void **state)
{
	struct fixture *fx = fx_open(&fat12);
	uint16_t path[32];
	struct fat_file f;
	int st = FAT_OK, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "file %d", i);
		to_ucs2(name, path, false);
		st = fat_open(&fx->root, path, FAT_OPEN_WRITE | FAT_OPEN_CREATE,
			      0, &f);
		if (st)
			break;
		fat_close(&f);
	}
	assert_int_equal(st, FAT_ERR_FULL);
	assert_true(i > 100 && (uint32_t)i < fx->vol->root_entries);
	fx_save(fx);
	fsck_clean(fx->work);
	fx_close(fx);
}

static void test_two_handles(void **state)
{
	struct fixture *fx = fx_open(&fat16);
	struct fat_file a, b;
	uint8_t buf[8];
	size_t n;

	(void)state;
	assert_int_equal(fat_open(&fx->root, U("two"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &a),
			 FAT_OK);
	assert_int_equal(fat_open(&fx->root, U("TWO"), 0, 0, &b), FAT_OK);
	write_all(&a, "hello", 5);
	n = sizeof(buf);
	assert_int_equal(fat_read(&b, buf, &n), FAT_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(fat_rename(&a, U("three")), FAT_OK);
	struct fat_entry_info info;
	assert_int_equal(fat_get_info(&b, &info), FAT_OK);
	assert_memory_equal(info.name, U("three"), 6 * 2);
	assert_int_equal(fat_delete(&a), FAT_OK);
	n = sizeof(buf);
	assert_int_equal(fat_read(&b, buf, &n), FAT_ERR_DELETED);
	fat_close(&b);
	fx_save(fx);
	fsck_clean(fx->work);
	fx_close(fx);
}

static void test_read_only_device(void **state)
{
	struct fixture *fx = fx_open(&fat16);
	struct fat_file f;
	size_t n = 1;

	(void)state;
	fx->ram.dev.read_only = true;
	assert_int_equal(
		fat_open(&fx->root, U("big.bin"), FAT_OPEN_WRITE, 0, &f),
		FAT_ERR_WRITE_PROTECTED);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	assert_int_equal(fat_write(&f, "x", &n), FAT_ERR_WRITE_PROTECTED);
	assert_int_equal(fat_set_label(fx->vol, U("X")),
			 FAT_ERR_WRITE_PROTECTED);
	fat_close(&f);
	assert_int_equal(fx->ram.writes, 0);
	fx_close(fx);
}

/*
 * Zero copy: a file whose clusters follow each other is read by one
 * device request straight into the caller's buffer.
 */
static void test_zero_copy(void **state)
{
	struct fixture *fx = fx_open(&fat32);
	uint8_t *want = make_data(7, 1 << 20), *buf = NULL;
	uint64_t dev_off, contiguous, copied;
	struct fat_file f;
	size_t n = 1 << 20;

	(void)state;
	assert_int_equal(posix_memalign((void **)&buf, 4096, 1 << 20), 0);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	assert_int_equal(fat_file_extent(&f, 0, &dev_off, &contiguous), FAT_OK);
	assert_int_equal(contiguous, 1 << 20);
	assert_int_equal(dev_off % 512, 0);
	assert_memory_equal(fx->data + dev_off, want, 1 << 20);
	fx->ram.watch = buf;
	fx->ram.watch_len = 1 << 20;
	copied = payload_copied_bytes();
	assert_int_equal(fat_read(&f, buf, &n), FAT_OK);
	assert_int_equal(fx->ram.watch_bytes, 1 << 20);
	assert_int_equal(fx->ram.watch_reads, 1);
	assert_memory_equal(buf, want, 1 << 20);
	assert_int_equal(payload_copied_bytes(), copied);
	fat_close(&f);
	/* A file that ends inside a block: its last 369 bytes are copied
	 * from the cache, and counted. */
	assert_int_equal(
		fat_open(&fx->root, U("EFI\\BOOT\\BOOTAA64.EFI"), 0, 0, &f),
		FAT_OK);
	n = 70001;
	copied = payload_copied_bytes();
	assert_int_equal(fat_read(&f, buf, &n), FAT_OK);
	assert_int_equal(n, 70001);
	assert_int_equal(payload_copied_bytes() - copied, 70001 % 512);
	fat_close(&f);
	free(buf);
	free(want);
	fx_close(fx);
}

/* ---- bad input --------------------------------------------------------------- */

static void test_not_fat(void **state)
{
	struct fat_volume *vol = calloc(1, sizeof(*vol));
	struct ram_blockdev ram;
	uint8_t *zeros = calloc(1, 1 << 20);
	uint8_t *img;
	size_t size;

	(void)state;
	/* A 0-byte device, one of zeros, no media, odd block sizes. */
	ram_blockdev_init(&ram, zeros, 0, 512);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NOT_FAT);
	ram_blockdev_init(&ram, zeros, 100, 512);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NOT_FAT);
	ram_blockdev_init(&ram, zeros, 1 << 20, 512);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NOT_FAT);
	ram.dev.media_present = false;
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NO_MEDIA);
	ram_blockdev_init(&ram, zeros, 1 << 20, 8192);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_UNSUPPORTED);
	ram_blockdev_init(&ram, zeros, 1 << 20, 1000);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_UNSUPPORTED);

	/* Boot sector fields out of range. */
	img = load_file("f16.img", &size);
	ram_blockdev_init(&ram, img, size, 512);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_OK);
	put16(img + 11, 100); /* bytes per sector */
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NOT_FAT);
	put16(img + 11, 512);
	img[13] = 3; /* sectors per cluster */
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_NOT_FAT);
	img[13] = 4;
	put16(img + 22, 1); /* a FAT of one sector */
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_CORRUPT);
	free(img);

	/* The device is shorter than the volume (a cut-off image). */
	img = load_file("f32.img", &size);
	ram_blockdev_init(&ram, img, size / 2, 512);
	assert_int_equal(fat_mount(vol, &ram.dev), FAT_ERR_CORRUPT);
	assert_non_null(vol->error);
	free(img);
	free(zeros);
	free(vol);
}

/* Device offset of a file's directory entry. */
static uint64_t entry_offset(struct fat_volume *vol, struct fat_file *f)
{
	struct fat_dir d;
	uint64_t off;

	fat_dir_init(&d, f->parent_cluster);
	assert_int_equal(fat_dir_entry_offset(vol, &d, f->entry_index, &off),
			 FAT_OK);
	return off;
}

/* Sets FAT entry @c in every copy, in the image's bytes. */
static void poke_fat(struct fixture *fx, uint32_t c, uint32_t v)
{
	struct fat_volume *vol = fx->vol;

	for (unsigned k = 0; k < vol->fat_copies; k++) {
		uint8_t *p = fx->data + vol->fat_offset + k * vol->fat_bytes;

		if (vol->fat_bits == 32) {
			put32(p + 4 * c, v);
		} else if (vol->fat_bits == 16) {
			put16(p + 2 * c, (uint16_t)v);
		} else {
			p += c + c / 2;
			if (c & 1)
				put16(p, (uint16_t)((get16(p) & 0x000f) |
						    (v << 4)));
			else
				put16(p, (uint16_t)((get16(p) & 0xf000) |
						    (v & 0xfff)));
		}
	}
}

static void test_bad_chains(void **state)
{
	const struct image *img = *state;
	struct fixture *fx = fx_open(img);
	struct fat_file f;
	uint32_t first, second;
	uint64_t off;
	uint8_t *buf = malloc(1 << 20);
	size_t n;

	(void)state;
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	first = f.first_cluster;
	off = entry_offset(fx->vol, &f);
	fat_close(&f);
	second = first + 1; /* mcopy wrote it contiguously */

	static const struct {
		uint32_t value;
		const char *what;
	} bad[] = {
		{0, "free"},
		{1, "reserved"},
		{0xfffffff7, "bad"},
		{0x0ffffff0, "out of range"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = bad[i].value;

		if (fx->vol->fat_bits == 16)
			v = v == 0x0ffffff0 ? 0xfff0 : v & 0xffff;
		if (fx->vol->fat_bits == 12)
			v = v == 0x0ffffff0 ? 0xff0 : v & 0xfff;
		if (v == 0xfff0 || v == 0xff0 || v == 0x0ffffff0)
			assert_true(v > fx->vol->cluster_count + 1);
		poke_fat(fx, second, v);
		remount(fx);
		assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f),
				 FAT_ERR_CORRUPT);
		assert_non_null(fx->vol->error);
	}
	/* A loop back to the first cluster. */
	poke_fat(fx, second, first);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f),
			 FAT_ERR_CORRUPT);
	assert_string_equal(fx->vol->error, "cluster chain loops");
	poke_fat(fx, second, second + 1);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	fat_close(&f);

	/* The size says more than the chain holds. */
	put32(fx->data + off + DE_SIZE, (1 << 20) + fx->vol->cluster_size);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f),
			 FAT_ERR_CORRUPT);
	/* ... or than the volume. */
	put32(fx->data + off + DE_SIZE, 0xffffffff);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f),
			 FAT_ERR_CORRUPT);
	/* A first cluster out of range. */
	put32(fx->data + off + DE_SIZE, 1 << 20);
	put16(fx->data + off + DE_CLUS_LO, 1);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f),
			 FAT_ERR_CORRUPT);
	/* A device error is an error too. */
	put16(fx->data + off + DE_CLUS_LO, (uint16_t)first);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	fx->ram.fail = true;
	fx->ram.fail_lba = (fat_cluster_offset(fx->vol, first) +
			    3 * fx->vol->cluster_size) /
			   fx->ram.dev.block_size;
	n = 1 << 20;
	assert_int_equal(fat_read(&f, buf, &n), FAT_ERR_IO);
	fx->ram.fail = false;
	fat_close(&f);
	free(buf);
	fx_close(fx);
}

static void test_dir_cycles(void **state)
{
	struct fixture *fx = fx_open(&fat32);
	struct fat_entry_info info;
	struct fat_file a, b, c, f;
	uint64_t off;
	int st, count;

	(void)state;
	/* \a\b\c, then c made to point at a: a cycle three deep. */
	assert_int_equal(fat_open(&fx->root, U("a"),
				  FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &a),
			 FAT_OK);
	assert_int_equal(fat_open(&a, U("b"), FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &b),
			 FAT_OK);
	assert_int_equal(fat_open(&b, U("c"), FAT_OPEN_WRITE | FAT_OPEN_CREATE,
				  FAT_ATTR_DIRECTORY, &c),
			 FAT_OK);
	off = entry_offset(fx->vol, &c);
	fat_close(&c);
	fat_close(&b);
	assert_int_equal(fat_flush(fx->vol), FAT_OK);
	fat_entry_set_cluster(fx->vol, fx->data + off, a.first_cluster);
	fat_close(&a);
	remount(fx);
	/* Walking round it is finite; moving a into it is refused. */
	assert_int_equal(fat_open(&fx->root, U("a\\b\\c\\b\\c\\b\\c\\..\\.."),
				  FAT_OPEN_WRITE, 0, &f),
			 FAT_OK);
	fat_close(&f);
	assert_int_equal(fat_open(&fx->root, U("a"), FAT_OPEN_WRITE, 0, &a),
			 FAT_OK);
	assert_int_equal(fat_rename(&a, U("\\a\\b\\c\\x")),
			 FAT_ERR_ACCESS_DENIED);
	fat_close(&a);

	/* A directory that contains itself, one that is the root. */
	assert_int_equal(fat_open(&fx->root, U("a\\b"), 0, 0, &b), FAT_OK);
	off = entry_offset(fx->vol, &b);
	fat_close(&b);
	assert_int_equal(fat_open(&fx->root, U("a"), 0, 0, &a), FAT_OK);
	fat_entry_set_cluster(fx->vol, fx->data + off, a.first_cluster);
	fat_close(&a);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("a\\b"), 0, 0, &b),
			 FAT_ERR_CORRUPT);
	fat_entry_set_cluster(fx->vol, fx->data + off, fx->vol->root_cluster);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("a\\b"), 0, 0, &b),
			 FAT_ERR_CORRUPT);

	/* A directory chain that loops: opening it fails... */
	assert_int_equal(fat_open(&fx->root, U("a"), 0, 0, &a), FAT_OK);
	poke_fat(fx, a.first_cluster, a.first_cluster);
	fat_close(&a);
	remount(fx);
	assert_int_equal(fat_open(&fx->root, U("a"), 0, 0, &a),
			 FAT_ERR_CORRUPT);
	/* ... and a root directory that loops and never ends still does. */
	poke_fat(fx, fx->vol->root_cluster, fx->vol->root_cluster);
	{
		uint8_t *root =
			fx->data +
			fat_cluster_offset(fx->vol, fx->vol->root_cluster);

		for (uint32_t i = 0; i < fx->vol->cluster_size; i += 32)
			if (root[i] == DE_END)
				memcpy(root + i, root, 32);
	}
	remount(fx);
	count = 0;
	while ((st = fat_readdir(&fx->root, &info, false)) == FAT_OK)
		count++;
	assert_true(st == FAT_ERR_NOT_FOUND || st == FAT_ERR_CORRUPT);
	assert_true(count <= 65536);
	fx_close(fx);
}

/* The checker itself catches a broken image (so fsck_clean can fail). */
static void test_fsck_catches(void **state)
{
	struct fixture *fx = fx_open(&fat16);
	struct fat_file f;
	uint64_t off;

	(void)state;
	assert_int_equal(fat_open(&fx->root, U("big.bin"), 0, 0, &f), FAT_OK);
	off = entry_offset(fx->vol, &f);
	fat_close(&f);
	put32(fx->data + off + DE_SIZE, 100);
	fx_save(fx);
	assert_int_not_equal(
		sh("fsck.fat -n %s/%s >/dev/null 2>&1", tmpdir, fx->work), 0);
	fx_close(fx);
}

/* ---- names ------------------------------------------------------------------ */

static void test_names(void **state)
{
	uint8_t sn[11], ntres, e[32] = {0};
	uint16_t out[13];
	size_t len;

	(void)state;
	len = 7;
	assert_true(fat_name_valid(U("abc. . "), &len));
	assert_int_equal(len, 3);
	len = 3;
	assert_false(fat_name_valid(U("a:b"), &len));
	len = 2;
	assert_false(fat_name_valid(U(" ."), &len));

	assert_true(fat_name_is_short(U("readme.txt"), 10, sn, &ntres));
	assert_memory_equal(sn, "README  TXT", 11);
	assert_int_equal(ntres, NTRES_LOWER_BASE | NTRES_LOWER_EXT);
	assert_false(fat_name_is_short(U("ReadMe.txt"), 10, sn, &ntres));
	assert_false(fat_name_is_short(U("a.b.c"), 5, sn, &ntres));
	assert_false(fat_name_is_short(U("toolongname"), 11, sn, &ntres));
	assert_false(fat_name_is_short(U("a b"), 3, sn, &ntres));

	fat_short_name_basis(U("Long name number 07.data"), 24, 1, sn);
	assert_memory_equal(sn, "LONGNA~1DAT", 11);
	fat_short_name_basis(U("Long name number 07.data"), 24, 12, sn);
	assert_memory_equal(sn, "LONGN~12DAT", 11);
	fat_short_name_basis(U(".bashrc"), 7, 1, sn);
	assert_memory_equal(sn, "BASHRC~1   ", 11);
	fat_short_name_basis(U("caf\u00e9+x.tar.gz"), 13, 123456, sn);
	assert_memory_equal(sn, "C~123456GZ ", 11);

	memcpy(e, "README  TXT", 11);
	e[DE_NTRES] = NTRES_LOWER_EXT;
	assert_int_equal(fat_short_name_format(e, out), 10);
	assert_memory_equal(out, U("README.txt"), 10 * 2);
	assert_true(fat_name_equal(U("caf\u00e9"), 4, U("CAF\u00c9"), 4));
	/* The checksum of the FAT specification's example name. */
	assert_int_equal(fat_lfn_checksum((const uint8_t *)"README  TXT"),
			 0x73);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat12),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat16),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat32),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat16_cd),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat16_4k),
		cmocka_unit_test_prestate(test_read_tree, (void *)&fat32_4k),
		cmocka_unit_test(test_paths),
		cmocka_unit_test_prestate(test_readdir, (void *)&fat12),
		cmocka_unit_test_prestate(test_readdir, (void *)&fat32),
		cmocka_unit_test(test_volume_info_label),
		cmocka_unit_test(test_label_fat32),
		cmocka_unit_test_prestate(test_write, (void *)&fat12),
		cmocka_unit_test_prestate(test_write, (void *)&fat16),
		cmocka_unit_test_prestate(test_write, (void *)&fat32),
		cmocka_unit_test_prestate(test_write, (void *)&fat16_cd),
		cmocka_unit_test_prestate(test_write, (void *)&fat16_4k),
		cmocka_unit_test(test_full_volume),
		cmocka_unit_test(test_root_full),
		cmocka_unit_test(test_fsinfo_stale),
		cmocka_unit_test(test_two_handles),
		cmocka_unit_test(test_read_only_device),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_not_fat),
		cmocka_unit_test_prestate(test_bad_chains, (void *)&fat12),
		cmocka_unit_test_prestate(test_bad_chains, (void *)&fat16),
		cmocka_unit_test_prestate(test_bad_chains, (void *)&fat32),
		cmocka_unit_test(test_dir_cycles),
		cmocka_unit_test(test_fsck_catches),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
