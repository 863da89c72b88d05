/* SPDX-License-Identifier: MIT */
/*
 * FAT images for host tests, made by the field's own tools: mkfs.fat
 * builds the volume, mtools fills it with the tree below (long names,
 * nested directories, an empty file, a 1 MiB file written contiguously),
 * fsck.fat -n checks it afterwards. Everything lives in a temporary
 * directory (KEEP_FAT_TMP=1 keeps it). A missing tool fails the tests.
 *
 * Include after <cmocka.h>.
 */
#ifndef TESTS_FAT_IMAGES_H
#define TESTS_FAT_IMAGES_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <uchar.h>

/* A UCS-2 literal as the firmware's CHAR16 strings. */
#define U(s) ((const uint16_t *)u##s)

static char tmpdir[64];

static inline int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Deterministic file contents. */
static inline uint8_t pattern(unsigned seed, size_t off)
{
	return (uint8_t)(seed * 37 + off * 7 + (off >> 9) * 3 + (off >> 17));
}

static inline uint8_t *make_data(unsigned seed, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	for (size_t i = 0; i < size; i++)
		p[i] = pattern(seed, i);
	return p;
}

static inline void write_host_file(const char *name, const void *data,
				   size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
}

static inline uint8_t *load_file(const char *name, size_t *size)
{
	char path[256];
	uint8_t *p;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return p;
}

struct tree_file {
	const char *path; /* as mtools sees it */
	size_t size;
	unsigned seed;
};

static const struct tree_file tree[] = {
	{"EFI/BOOT/BOOTAA64.EFI", 70001, 1},
	{"EFI/Linux/uki-6.12.0-test.efi", 300000, 2},
	{"loader/loader.conf", 20, 3},
	{"loader/entries/debian.conf", 100, 4},
	{"loader/entries/Debian Long Name 6.12.conf", 4097, 5},
	{"loader/entries/UPPER.CONF", 0, 6},
	{"big.bin", 1 << 20, 7},
};
#define TREE_COUNT (sizeof(tree) / sizeof(tree[0]))

static inline void build_image(const char *name, const char *mkfs_args,
			       unsigned kib)
{
	char host[64];

	assert_int_equal(sh("mkfs.fat -C %s %s/%s %u >/dev/null", mkfs_args,
			    tmpdir, name, kib),
			 0);
	assert_int_equal(sh("cd %s && mmd -i %s ::/EFI ::/EFI/BOOT "
			    "::/EFI/Linux ::/loader ::/loader/entries",
			    tmpdir, name),
			 0);
	for (size_t i = 0; i < TREE_COUNT; i++) {
		uint8_t *d = make_data(tree[i].seed, tree[i].size);

		snprintf(host, sizeof(host), "src%zu", i);
		write_host_file(host, d, tree[i].size);
		free(d);
		assert_int_equal(sh("cd %s && mcopy -i %s %s '::/%s'", tmpdir,
				    name, host, tree[i].path),
				 0);
	}
}

/* fsck.fat -n finds nothing: exit 0 and only its banner and summary. */
static inline void fsck_clean(const char *name)
{
	size_t n, lines = 0;
	uint8_t *log;
	int st;

	st = sh("fsck.fat -n %s/%s >%s/fsck.log 2>&1", tmpdir, name, tmpdir);
	log = load_file("fsck.log", &n);
	for (size_t i = 0; i < n; i++)
		lines += log[i] == '\n';
	if (st != 0 || lines != 2)
		fprintf(stderr, "fsck.fat -n %s:\n%.*s", name, (int)n,
			(char *)log);
	free(log);
	assert_int_equal(st, 0);
	assert_int_equal(lines, 2);
}

/* UCS-2 path with '\' from a tree path. */
static inline void to_ucs2(const char *s, uint16_t *out, bool upper)
{
	size_t i = 0;

	for (; s[i]; i++) {
		char c = s[i] == '/' ? '\\' : s[i];

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		out[i] = (uint8_t)c;
	}
	out[i] = 0;
}

/* The temporary directory; -1 if a tool is missing. */
static inline int fat_images_setup(void)
{
	strcpy(tmpdir, "/tmp/mmuon-fat-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	if (sh("command -v mkfs.fat fsck.fat mcopy mmd mdir mlabel "
	       ">/dev/null") != 0) {
		fprintf(stderr, "mkfs.fat, fsck.fat and mtools are needed "
				"(tools/install-deps.sh)\n");
		return -1;
	}
	return 0;
}

static inline void fat_images_teardown(void)
{
	if (!getenv("KEEP_FAT_TMP"))
		sh("rm -rf %s", tmpdir);
}

#endif
