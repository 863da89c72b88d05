// SPDX-License-Identifier: MIT
/*
 * EFI_LOAD_OPTION parsing and building (see load_option.h). The checks
 * follow what EDK2's boot manager refuses (a description without its NUL,
 * a path list past the variable's end, a first path that is not a valid
 * device path) so that an option one firmware accepts the other does too.
 */
#include <string.h>

#include <mmuon/devpath_util.h>
#include <mmuon/load_option.h>
#include <mmuon/ucs2.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

enum load_option_status load_option_parse(const void *data, size_t size,
					  struct load_option *opt)
{
	const uint8_t *p = data;
	size_t off = LOAD_OPTION_HEADER, list;

	memset(opt, 0, sizeof(*opt));
	if (size < LOAD_OPTION_MIN_SIZE)
		return LOAD_OPTION_TOO_SHORT;
	opt->attributes = (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
	list = get16(p + 4);
	opt->description = p + off;
	for (;; off += 2) {
		if (size - off < 2)
			return LOAD_OPTION_NO_DESCRIPTION;
		if (!get16(p + off))
			break;
		opt->description_len++;
	}
	off += 2;
	if (list == 0)
		return LOAD_OPTION_NO_PATH;
	if (list > size - off)
		return LOAD_OPTION_PATH_OVERFLOW;
	if (devpath_validate(p + off, list, &opt->file_path_size) != DEVPATH_OK)
		return LOAD_OPTION_BAD_PATH;
	opt->file_path = p + off;
	opt->file_path_list_size = list;
	off += list;
	opt->optional_data = p + off;
	opt->optional_size = size - off;
	return LOAD_OPTION_OK;
}

const char *load_option_strerror(enum load_option_status st)
{
	switch (st) {
	case LOAD_OPTION_OK:
		return "valid";
	case LOAD_OPTION_TOO_SHORT:
		return "shorter than a load option";
	case LOAD_OPTION_NO_DESCRIPTION:
		return "description not terminated";
	case LOAD_OPTION_NO_PATH:
		return "no device path";
	case LOAD_OPTION_PATH_OVERFLOW:
		return "device path list longer than the variable";
	case LOAD_OPTION_BAD_PATH:
		return "malformed device path";
	}
	return "?";
}

size_t load_option_description(const struct load_option *opt, char *out,
			       size_t size)
{
	size_t n = 0, written = 0;
	bool full = false;
	char c[3];

	for (size_t i = 0; i < opt->description_len; i++) {
		size_t k =
			ucs2_char_to_utf8(get16(opt->description + 2 * i), c);

		/* Never cut a character in two. */
		if (!full && written + k < size) {
			memcpy(out + written, c, k);
			written += k;
		} else {
			full = true;
		}
		n += k;
	}
	if (size)
		out[written] = 0;
	return n;
}

size_t load_option_build(void *buf, size_t size, uint32_t attributes,
			 const char *description, const void *path,
			 size_t path_size, const void *optional,
			 size_t optional_size)
{
	size_t units = utf8_to_ucs2(NULL, 0, description, strlen(description));
	size_t need = LOAD_OPTION_HEADER + (units + 1) * 2 + path_size +
		      optional_size;
	uint8_t *p = buf;
	uint16_t *desc;

	if (need > size || path_size > 0xffff)
		return 0;
	p[0] = (uint8_t)attributes;
	p[1] = (uint8_t)(attributes >> 8);
	p[2] = (uint8_t)(attributes >> 16);
	p[3] = (uint8_t)(attributes >> 24);
	p[4] = (uint8_t)path_size;
	p[5] = (uint8_t)(path_size >> 8);
	/* The description is at offset 6: 2-byte aligned if @buf is. */
	desc = (uint16_t *)(void *)(p + LOAD_OPTION_HEADER);
	utf8_to_ucs2(desc, units + 1, description, strlen(description));
	memcpy(p + LOAD_OPTION_HEADER + (units + 1) * 2, path, path_size);
	if (optional_size)
		memcpy(p + LOAD_OPTION_HEADER + (units + 1) * 2 + path_size,
		       optional, optional_size);
	return need;
}

static int hex_digit(uint16_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool load_option_var_name(const uint16_t *name, const char *prefix,
			  uint16_t *number)
{
	size_t n = strlen(prefix);
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		if (name[i] != (uint8_t)prefix[i])
			return false;
	for (size_t i = n; i < n + 4; i++) {
		int d = hex_digit(name[i]);

		if (d < 0)
			return false;
		v = v << 4 | (unsigned)d;
	}
	if (name[n + 4])
		return false;
	*number = (uint16_t)v;
	return true;
}

void load_option_make_name(const char *prefix, uint16_t number,
			   uint16_t name[16])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	while (prefix[n] && n < 11) {
		name[n] = (uint8_t)prefix[n];
		n++;
	}
	for (int shift = 12; shift >= 0; shift -= 4)
		name[n++] = (uint8_t)hex[(number >> shift) & 0xf];
	name[n] = 0;
}
