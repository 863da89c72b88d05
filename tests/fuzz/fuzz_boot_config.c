// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for what the boot manager reads from variables and
 * from QEMU: EFI_LOAD_OPTION (src/boot/load_option.c) with the short-form
 * device path helpers (src/boot/devpath_expand.c), and the bootorder
 * fw_cfg file (src/boot/bootorder.c).
 *
 * Input: byte 0 even: the rest is a load option (a Boot#### variable's
 * contents); odd: the rest is a bootorder file. Each lives in a heap
 * buffer of exactly its size, so any read past it is an ASan report.
 *
 * Checked besides the sanitizers: a parsed option's parts tile the
 * variable exactly and its first path is valid within the list (and
 * turns into text of the same length whatever the buffer); building
 * an option from the parsed parts and parsing it again gives the same
 * parts; descriptions convert to the same length whatever the buffer;
 * file names fit what they were given; an HD node matches the path it
 * starts; bootorder entries stay within their limits and give valid
 * device paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/bootorder.h>
#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_text.h>
#include <mmuon/devpath_util.h>
#include <mmuon/load_option.h>

#include "check.h"

static void check_path(const uint8_t *path, size_t size)
{
	static uint8_t joined[0x10000 + 64];
	uint16_t name[300];
	size_t off, n, after;

	static char text[4096];
	size_t t;

	CHECK(devpath_size(path, size) == size);
	devpath_form_name(devpath_form(path));
	t = devpath_to_text(path, size, text, 64);
	CHECK(strlen(text) == (t < 64 ? t : 63));
	CHECK(devpath_to_text(path, size, text, sizeof(text)) == t);
	off = devpath_file_part(path);
	CHECK(off == SIZE_MAX || off <= size - DEVPATH_HDR_SIZE);
	if (off != SIZE_MAX) {
		n = devpath_file_name(path + off, name, 300);
		CHECK(n < 300);
		if (n)
			CHECK(name[n] == 0);
		n = devpath_file_name(path + off, name, 7);
		CHECK(n < 7);
	}
	if (devpath_form(path) == DEVPATH_FORM_HD &&
	    devpath_node_length(path) == DEVPATH_HD_SIZE &&
	    (path[41] == 1 || path[41] == 2)) {
		CHECK(devpath_hd_match(path, path, size, &after));
		CHECK(after == DEVPATH_HD_SIZE);
		n = devpath_concat(path, size, path + after, size - after,
				   joined, sizeof(joined));
		CHECK(n == 2 * size - after - DEVPATH_HDR_SIZE);
		CHECK(devpath_size(joined, n) == n);
	}
}

static void fuzz_option(const uint8_t *data, size_t size)
{
	static uint8_t rebuilt[0x20000];
	struct load_option opt, again;
	char desc[1024], tiny[4];
	size_t n, m;

	if (load_option_parse(data, size, &opt) != LOAD_OPTION_OK)
		return;
	CHECK(LOAD_OPTION_HEADER + (opt.description_len + 1) * 2 +
		      opt.file_path_list_size + opt.optional_size ==
	      size);
	CHECK(opt.file_path_size <= opt.file_path_list_size);
	CHECK(opt.optional_data + opt.optional_size == data + size);
	check_path(opt.file_path, opt.file_path_size);

	n = load_option_description(&opt, desc, sizeof(desc));
	CHECK(load_option_description(&opt, tiny, sizeof(tiny)) == n);
	CHECK(strlen(tiny) < sizeof(tiny));
	CHECK(load_option_description(&opt, NULL, 0) == n);
	if (n >= sizeof(desc))
		return;
	CHECK(strlen(desc) == n);
	m = load_option_build(rebuilt, sizeof(rebuilt), opt.attributes, desc,
			      opt.file_path, opt.file_path_size,
			      opt.optional_data, opt.optional_size);
	if (!m)
		return;
	CHECK(load_option_parse(rebuilt, m, &again) == LOAD_OPTION_OK);
	CHECK(again.attributes == opt.attributes);
	CHECK(again.file_path_size == opt.file_path_size);
	CHECK(!memcmp(again.file_path, opt.file_path, opt.file_path_size));
	CHECK(again.optional_size == opt.optional_size);
	CHECK(!opt.optional_size ||
	      !memcmp(again.optional_data, opt.optional_data,
		      opt.optional_size));
}

static void fuzz_bootorder(const uint8_t *data, size_t size)
{
	static struct bootorder bo;
	uint8_t path[BOOTORDER_PATH_MAX];
	size_t n;

	bootorder_parse((const char *)data, size, &bo);
	CHECK(bo.count <= BOOTORDER_MAX);
	for (unsigned i = 0; i < bo.count; i++) {
		const struct bootorder_entry *e = &bo.entry[i];

		CHECK(strlen(e->text) < BOOTORDER_TEXT);
		CHECK(e->pci_depth <= BOOTORDER_PCI_DEPTH);
		for (unsigned k = 0; k < e->pci_depth; k++)
			CHECK(e->pci[k].device < 32 && e->pci[k].function < 8);
		if (e->bus == BOOTORDER_BUS_NONE)
			CHECK(e->kind == BOOTORDER_OTHER);
		n = bootorder_device_path(e, path);
		CHECK(n <= BOOTORDER_PATH_MAX);
		CHECK(!n == (e->bus == BOOTORDER_BUS_NONE));
		if (n)
			CHECK(devpath_size(path, n) == n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		fuzz_bootorder(copy, size - 1);
	else
		fuzz_option(copy, size - 1);
	free(copy);
	return 0;
}
