/* SPDX-License-Identifier: MIT */
/*
 * EFI_LOAD_OPTION (UEFI 2.10, section 3.1.3), the contents of Boot####,
 * Driver#### and SysPrep#### variables:
 *
 *   UINT32   Attributes
 *   UINT16   FilePathListLength            bytes of FilePathList
 *   CHAR16   Description[]                 NUL-terminated
 *   EFI_DEVICE_PATH FilePathList[]         first: what to load
 *   UINT8    OptionalData[]                the rest: the image's LoadOptions
 *
 * The bytes come from variables an OS (or anyone with runtime access)
 * wrote: every field is checked against the variable's size before use,
 * and nothing is assumed aligned. Pure logic, host-tested and fuzzed.
 */
#ifndef MMUON_LOAD_OPTION_H
#define MMUON_LOAD_OPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOAD_OPTION_ACTIVE 0x00000001u
#define LOAD_OPTION_FORCE_RECONNECT 0x00000002u
#define LOAD_OPTION_HIDDEN 0x00000008u
#define LOAD_OPTION_CATEGORY 0x00001f00u
#define LOAD_OPTION_CATEGORY_BOOT 0x00000000u
#define LOAD_OPTION_CATEGORY_APP 0x00000100u

/* Attributes, FilePathListLength, and the shortest Description (a NUL). */
#define LOAD_OPTION_HEADER 6
#define LOAD_OPTION_MIN_SIZE (LOAD_OPTION_HEADER + 2)

enum load_option_status {
	LOAD_OPTION_OK = 0,
	LOAD_OPTION_TOO_SHORT,	    /* not even the fixed fields */
	LOAD_OPTION_NO_DESCRIPTION, /* Description runs to the end */
	LOAD_OPTION_NO_PATH,	    /* FilePathListLength is 0 */
	LOAD_OPTION_PATH_OVERFLOW,  /* the list runs past the variable */
	LOAD_OPTION_BAD_PATH,	    /* the first path is malformed */
};

/* A parsed option; the pointers point into the variable's bytes. */
struct load_option {
	uint32_t attributes;
	const uint8_t *description; /* UCS-2, little-endian, maybe unaligned */
	size_t description_len;	    /* code units, NUL excluded */
	const uint8_t *file_path;   /* the first device path, End included */
	size_t file_path_size;
	size_t file_path_list_size; /* FilePathListLength */
	const uint8_t *optional_data;
	size_t optional_size;
};

/* Parses and checks @size bytes of a load option. */
enum load_option_status load_option_parse(const void *data, size_t size,
					  struct load_option *opt);

/* A short English phrase for a status. */
const char *load_option_strerror(enum load_option_status st);

/*
 * The description as UTF-8 for messages (NUL-terminated, cut to @size);
 * returns the bytes the whole of it needs.
 */
size_t load_option_description(const struct load_option *opt, char *out,
			       size_t size);

/*
 * Writes a load option into @buf: the description (UTF-8, converted to
 * UCS-2), one device path (End included), optional data. Returns its
 * size, or 0 if @buf is too small or the path does not fit a UINT16.
 */
size_t load_option_build(void *buf, size_t size, uint32_t attributes,
			 const char *description, const void *path,
			 size_t path_size, const void *optional,
			 size_t optional_size);

/*
 * Whether @name is @prefix followed by exactly four upper-case hex digits
 * ("Boot0001", as UEFI 3.1.1 spells them); *@number gets their value.
 */
bool load_option_var_name(const uint16_t *name, const char *prefix,
			  uint16_t *number);

/* "Boot" + number as the variable name (9 code units, NUL included). */
void load_option_make_name(const char *prefix, uint16_t number,
			   uint16_t name[16]);

#endif
