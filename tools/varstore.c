// SPDX-License-Identifier: MIT
/*
 * mmuon-varstore: the firmware's variable store code (src/vars/), built for
 * the host, on image files. It writes the NVRAM template and lets tests
 * look inside a VARS.fd after the guest ran (or was killed).
 *
 *   mmuon-varstore format IMAGE [--size BYTES]
 *       a new image (default 64 MiB, QEMU's flash bank) with an empty store
 *       at its start, the rest zeros (sparse) -- build/mmuon-vars.fd
 *   mmuon-varstore list IMAGE
 *       what a boot would find: one line of report, then one line per
 *       variable: NAME-GUID attributes=0xN size=N data=HEX
 *   mmuon-varstore check IMAGE
 *       as list, and exits 1 unless the store mounts without damage: what
 *       a store left by a power loss must satisfy (an interrupted write,
 *       or an update to finish, is allowed: mount deals with both)
 *   mmuon-varstore set IMAGE NAME GUID ATTRIBUTES HEXDATA
 *       writes a variable as the firmware would (test fixtures, seeds)
 *
 *   --area-size BYTES --areas N --erase-size BYTES (before the command)
 *       another geometry (default: the firmware's, 2 x 256 KiB)
 *
 * list and check never write the image.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmuon/ram_flash.h>
#include <mmuon/ucs2.h>
#include <mmuon/vars.h>

#define DEFAULT_IMAGE_SIZE (64u << 20)

static uint32_t area_size = VARS_AREA_SIZE, areas = VARS_AREAS;
static uint32_t erase_size = 256 * 1024;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mmuon-varstore: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v > 0xffffffffu)
		die("bad number %s", s);
	return v;
}

/* The store's part of the image: read, and written back by save(). */
struct image {
	const char *path;
	uint8_t *mem;
	uint32_t size;
	struct ram_flash rf;
	struct vars v;
	struct vars_report report;
	uint8_t *arena;
};

static void load(struct image *im, const char *path)
{
	FILE *f = fopen(path, "rb");

	im->path = path;
	/* Each area starts an erase block of its own. */
	im->size =
		(area_size + erase_size - 1) / erase_size * erase_size * areas;
	im->mem = malloc(im->size);
	if (!f)
		die("cannot open %s", path);
	if (fread(im->mem, 1, im->size, f) != im->size)
		die("%s is smaller than the store", path);
	fclose(f);
	ram_flash_init(&im->rf, im->mem, im->size, erase_size, 4);
}

static void save(struct image *im)
{
	FILE *f = fopen(im->path, "r+b");

	if (!f || fwrite(im->mem, 1, im->size, f) != im->size || fclose(f))
		die("cannot write %s", im->path);
}

static int mount(struct image *im)
{
	size_t size = vars_arena_size(area_size);

	im->arena = malloc(size);
	return vars_mount(&im->v, im->arena, size, &im->rf.flash, area_size,
			  areas, &im->report);
}

static const char *found_name(enum varlog_found found)
{
	switch (found) {
	case VARLOG_FOUND_STORE:
		return "store";
	case VARLOG_FOUND_BLANK:
		return "blank";
	case VARLOG_FOUND_ZEROS:
		return "zeros";
	default:
		return "foreign";
	}
}

static void print_guid(const EFI_GUID *g)
{
	int i;

	printf("%08x-%04x-%04x-%02x%02x-", g->Data1, g->Data2, g->Data3,
	       g->Data4[0], g->Data4[1]);
	for (i = 2; i < 8; i++)
		printf("%02x", g->Data4[i]);
}

static void parse_guid(const char *s, EFI_GUID *g)
{
	unsigned d[11];
	int i;

	if (strlen(s) != 36 ||
	    sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d[0], &d[1],
		   &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], &d[8], &d[9],
		   &d[10]) != 11)
		die("bad GUID %s", s);
	g->Data1 = d[0];
	g->Data2 = d[1];
	g->Data3 = d[2];
	for (i = 0; i < 8; i++)
		g->Data4[i] = d[3 + i];
}

static void print_report(const struct image *im, int err)
{
	const struct varlog_report *r = &im->report.log;

	printf("found=%s error=%d area=%u generation=%llu records=%u "
	       "incomplete=%u replaced=%u damaged=%u damaged_bytes=%u "
	       "formatted=%d reclaimed=%d live=%u capacity=%u\n",
	       found_name(r->found), err, r->area,
	       (unsigned long long)r->generation, r->records, r->incomplete,
	       r->replaced, r->damaged, r->damaged_bytes, im->report.formatted,
	       im->report.reclaimed, im->v.log.live,
	       area_size - VARLOG_AREA_HEADER);
}

static void print_variables(const struct image *im)
{
	CHAR16 name[4096] = {0};
	static uint8_t data[VARS_MAX_VARIABLE * 2];
	char utf8[3 * 4096];
	EFI_GUID guid;

	for (;;) {
		UINTN name_size = sizeof(name), size = sizeof(data), i;
		UINT32 attributes;

		if (vars_get_next(&im->v, &name_size, name, &guid, false) !=
		    EFI_SUCCESS)
			return;
		vars_get(&im->v, name, &guid, &attributes, &size, data, false);
		ucs2_to_utf8(utf8, sizeof(utf8), name, strlen16(name));
		printf("%s-", utf8);
		print_guid(&guid);
		printf(" attributes=0x%x size=%llu data=", attributes,
		       (unsigned long long)size);
		for (i = 0; i < size; i++)
			printf("%02x", data[i]);
		putchar('\n');
	}
}

/*
 * The store's region erased and formatted, the rest of the bank zeros: it
 * is never used, and zeros keep the file (and every VM's copy of it)
 * sparse.
 */
static int cmd_format(const char *path, uint32_t size)
{
	struct image im = {.path = path};
	uint32_t store =
		(area_size + erase_size - 1) / erase_size * erase_size * areas;
	uint8_t *erased = malloc(store);
	FILE *f = fopen(path, "wb");

	if (size < store)
		die("image smaller than the store: %s", path);
	memset(erased, 0xff, store);
	if (!f || fwrite(erased, 1, store, f) != store ||
	    ftruncate(fileno(f), size) || fclose(f))
		die("cannot write %s", path);
	load(&im, path);
	if (mount(&im) || !im.report.formatted)
		die("cannot format %s", path);
	save(&im);
	return 0;
}

static int cmd_list(const char *path, bool strict)
{
	struct image im;
	int err;

	load(&im, path);
	/* On a copy: whatever mount repairs stays in memory. */
	err = mount(&im);
	print_report(&im, err);
	if (!err)
		print_variables(&im);
	if (!strict)
		return err ? 1 : 0;
	return err || im.report.log.found != VARLOG_FOUND_STORE ||
	       im.report.log.damaged;
}

static int cmd_set(char **argv)
{
	struct image im;
	CHAR16 name[1024];
	EFI_GUID guid;
	size_t len = strlen(argv[4]) / 2, i;
	uint8_t *data = malloc(len + 1);
	EFI_STATUS status;

	if (utf8_to_ucs2(name, 1024, argv[1], strlen(argv[1])) >= 1024)
		die("name too long: %s", argv[1]);
	parse_guid(argv[2], &guid);
	if (strlen(argv[4]) % 2 ||
	    strspn(argv[4], "0123456789abcdefABCDEF") != strlen(argv[4]))
		die("bad hex data %s", argv[4]);
	for (i = 0; i < len; i++)
		sscanf(argv[4] + 2 * i, "%2hhx", &data[i]);
	load(&im, argv[0]);
	if (mount(&im) || !im.v.persistent)
		die("no store in %s", argv[0]);
	status =
		vars_set(&im.v, name, &guid, number(argv[3]), len, data, false);
	if (status != EFI_SUCCESS) {
		fprintf(stderr, "mmuon-varstore: SetVariable: 0x%llx\n",
			(unsigned long long)status);
		return 1;
	}
	save(&im);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mmuon-varstore [--area-size N] [--areas N] "
		"[--erase-size N]\n"
		"         format IMAGE [--size BYTES] | list IMAGE | check "
		"IMAGE |\n"
		"         set IMAGE NAME GUID ATTRIBUTES HEXDATA\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--area-size"))
			area_size = number(argv[i + 1]);
		else if (!strcmp(argv[i], "--areas"))
			areas = number(argv[i + 1]);
		else if (!strcmp(argv[i], "--erase-size"))
			erase_size = number(argv[i + 1]);
		else
			usage();
	}
	if (argc - i == 2 && !strcmp(argv[i], "format"))
		return cmd_format(argv[i + 1], DEFAULT_IMAGE_SIZE);
	if (argc - i == 4 && !strcmp(argv[i], "format") &&
	    !strcmp(argv[i + 2], "--size"))
		return cmd_format(argv[i + 1], number(argv[i + 3]));
	if (argc - i == 2 && !strcmp(argv[i], "list"))
		return cmd_list(argv[i + 1], false);
	if (argc - i == 2 && !strcmp(argv[i], "check"))
		return cmd_list(argv[i + 1], true);
	if (argc - i == 6 && !strcmp(argv[i], "set"))
		return cmd_set(argv + i + 1);
	usage();
	return 2;
}
