/* SPDX-License-Identifier: MIT */
/*
 * PE/COFF parsing and base relocation for AArch64 EFI images (PE32+).
 *
 * Pure logic: no hardware, no allocation, no globals. pe_parse() reads only
 * the headers, so it can run on the first few KiB of a file that fw_cfg has
 * not finished (or even started) transferring; it tells the loader where
 * each section goes and whether the whole file can simply be DMA'd to the
 * image base ("in place"), which is the case for Linux's arm64 Image.
 *
 * All multi-byte fields are read byte by byte (little-endian), so the
 * buffer needs no alignment.
 */
#ifndef MMUON_PE_H
#define MMUON_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for every EFI image we know, UKIs included; more is rejected. */
#define PE_MAX_SECTIONS 32

/*
 * Reading this many bytes of the file is enough for pe_parse() on images
 * from the usual tools (Linux, gnu-efi, U-Boot, lld, binutils, EDK2): their
 * section table ends well within 4 KiB, even when SizeOfHeaders is larger
 * (64 KiB for Linux). If it does not, pe_parse() says PE_ERR_TRUNCATED and
 * pe_image.bad_value holds the number of bytes it needs.
 */
#define PE_HEADER_PROBE_SIZE 4096

/* IMAGE_SUBSYSTEM_* accepted by pe_parse(). */
#define PE_SUBSYSTEM_EFI_APPLICATION 10
#define PE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER 11
#define PE_SUBSYSTEM_EFI_RUNTIME_DRIVER 12

/* IMAGE_FILE_* (COFF header characteristics) we look at. */
#define PE_FILE_RELOCS_STRIPPED 0x0001

/* IMAGE_DLLCHARACTERISTICS_* we report. */
#define PE_DLL_NX_COMPAT 0x0100

/* IMAGE_SCN_* (section characteristics). */
#define PE_SCN_CNT_CODE 0x00000020
#define PE_SCN_MEM_EXECUTE 0x20000000
#define PE_SCN_MEM_READ 0x40000000
#define PE_SCN_MEM_WRITE 0x80000000

/* Permission bits returned by pe_section_perms(). */
#define PE_PERM_R 1
#define PE_PERM_W 2
#define PE_PERM_X 4

enum pe_status {
	PE_OK = 0,
	PE_ERR_TRUNCATED,   /* headers go past the buffer given */
	PE_ERR_ELF,	    /* an ELF file (e.g. vmlinux), not PE/COFF */
	PE_ERR_BARE_IMAGE,  /* arm64 Image without the EFI stub */
	PE_ERR_NO_MZ,	    /* no 'MZ' DOS header */
	PE_ERR_LFANEW,	    /* e_lfanew misaligned or out of bounds */
	PE_ERR_NO_PE_SIG,   /* no 'PE\0\0' at e_lfanew */
	PE_ERR_MACHINE,	    /* machine type is not 0xAA64 */
	PE_ERR_PE32,	    /* 32-bit optional header (0x10b) */
	PE_ERR_OPT_MAGIC,   /* neither PE32 nor PE32+ magic */
	PE_ERR_OPT_SIZE,    /* SizeOfOptionalHeader too small */
	PE_ERR_DATA_DIRS,   /* NumberOfRvaAndSizes > 16 or not in header */
	PE_ERR_NO_SECTIONS, /* NumberOfSections == 0 */
	PE_ERR_TOO_MANY_SECTIONS, /* NumberOfSections > PE_MAX_SECTIONS */
	PE_ERR_FILE_ALIGN,    /* FileAlignment not a power of two 512..64K */
	PE_ERR_SECTION_ALIGN, /* see pe_parse() for the alignment rules */
	PE_ERR_HEADERS_SIZE,  /* SizeOfHeaders vs. section table/file/image */
	PE_ERR_IMAGE_SIZE,    /* SizeOfImage zero or below SizeOfHeaders */
	PE_ERR_SUBSYSTEM,     /* not an EFI application or driver */
	PE_ERR_SECTION_RANGE, /* section goes past SizeOfImage */
	PE_ERR_SECTION_VA_ALIGN, /* section RVA not SectionAlignment-aligned */
	PE_ERR_SECTION_OVERLAP,	 /* sections unsorted/overlapping/in headers */
	PE_ERR_SECTION_FILE,	 /* section's raw data past the end of file */
	PE_ERR_ENTRY,		 /* entry point not inside a section */
	PE_ERR_RELOC_DIR,	 /* relocation directory outside the image */
	PE_ERR_RELOC_BLOCK,	 /* malformed relocation block header */
	PE_ERR_RELOC_TARGET,	 /* relocation patches outside image/onto dir */
	PE_ERR_RELOC_TYPE,	 /* relocation type other than DIR64/ABSOLUTE */
	PE_ERR_COUNT
};

/* Where a section lives in memory and in the file. */
struct pe_section {
	char name[8];	      /* as in the file: NUL-padded, maybe not ended */
	uint32_t rva;	      /* VirtualAddress, SectionAlignment-aligned */
	uint32_t mem_size;    /* bytes in memory (VirtualSize) */
	uint32_t file_offset; /* PointerToRawData */
	/*
	 * Bytes to copy from file_offset to rva: min(SizeOfRawData,
	 * mem_size). The rest, [rva + file_size, rva + mem_size), is zero
	 * (BSS) and is the loader's to clear.
	 */
	uint32_t file_size;
	uint32_t characteristics; /* IMAGE_SCN_* */
};

struct pe_base_reloc_dir {
	uint32_t rva;  /* 0 with size 0: no relocations */
	uint32_t size; /* bytes */
};

struct pe_image {
	uint64_t image_base;	    /* preferred load address (ImageBase) */
	uint32_t image_size;	    /* SizeOfImage: memory to reserve */
	uint32_t headers_size;	    /* SizeOfHeaders: file [0, n) at RVA 0 */
	uint32_t section_alignment; /* >= 4096 allows per-section mappings */
	uint32_t file_alignment;
	uint32_t entry_rva;	  /* AddressOfEntryPoint, inside a section */
	uint16_t subsystem;	  /* PE_SUBSYSTEM_* */
	uint16_t characteristics; /* COFF header IMAGE_FILE_* */
	uint16_t dll_characteristics; /* IMAGE_DLLCHARACTERISTICS_* */
	/*
	 * True if every section's file offset equals its RVA (so the image
	 * never needs more than image_size bytes of the file): then DMA'ing
	 * the first load_size bytes of the file to the image base loads it,
	 * and only each section's BSS tail is left to zero -- after the DMA,
	 * since file bytes (padding, other data) may land there.
	 */
	bool in_place;
	/*
	 * Bytes at the start of the file that the image uses (headers and
	 * all section data); anything after (e.g. the Authenticode
	 * certificate table) is not needed to run it.
	 */
	uint32_t load_size;
	struct pe_base_reloc_dir reloc; /* base relocation data directory */
	/* Non-empty sections, by ascending RVA (empty ones are skipped). */
	uint32_t num_sections;
	struct pe_section sections[PE_MAX_SECTIONS];
	/*
	 * On failure, the offending value (machine type, alignment, size,
	 * RVA, ...) so the caller can print it next to pe_strerror().
	 */
	uint64_t bad_value;
};

/*
 * Validate the headers of a PE32+ AArch64 EFI image and describe it.
 *
 * Alignment rules (those of the PE/COFF spec, nothing stricter, so that
 * images from gnu-efi, U-Boot, lld and binutils all load): FileAlignment is
 * a power of two from 512 to 64 KiB; SectionAlignment is a power of two no
 * smaller than FileAlignment and, when smaller than the 4 KiB page, equal
 * to it. Every section's RVA is a multiple of SectionAlignment. Only with
 * section_alignment >= 4096 can the loader give each section its own
 * permissions; below that it has to map the image RWX.
 *
 * Sections with neither memory nor file data (e.g. the placeholder ".reloc"
 * of gnu-efi/U-Boot headers, at RVA 0) are skipped; all others must be
 * sorted, must not overlap each other or the headers, and must lie inside
 * SizeOfImage. A VirtualSize of 0 means SizeOfRawData, as in EDK2.
 *
 * @buf/@buf_len: the first bytes of the file (at least up to the end of
 * the section table), @file_size: the size of the whole file
 * (section data is checked against it, not against @buf_len).
 * Fills @img, which is meaningful only on PE_OK (but for bad_value).
 */
enum pe_status pe_parse(const void *buf, size_t buf_len, uint64_t file_size,
			struct pe_image *img);

/*
 * Apply the base relocations of an image loaded at @image (@image_size
 * bytes of memory, normally pe_image.image_size), adding @delta = actual
 * base - ImageBase (modulo 2^64) to every DIR64 target. Only
 * IMAGE_REL_BASED_DIR64 and ABSOLUTE (padding) entries are accepted, and
 * no target may lie outside the image or on the table itself. The whole
 * table is validated before the first write, so on error the image is
 * untouched; with @delta 0 it is only validated. @dir is normally
 * &pe_image.reloc; a size of 0 means nothing to do.
 */
enum pe_status pe_relocate(void *image, uint64_t image_size, uint64_t delta,
			   const struct pe_base_reloc_dir *dir);

/*
 * Whether the file starts with the arm64 Linux Image header (magic
 * "ARM\x64" at offset 0x38): a kernel, with or without its EFI stub.
 */
bool pe_is_arm64_linux(const void *buf, size_t len);

/*
 * Once the headers and each section's file data are at their place in
 * @image (pe_image.image_size bytes), zero everything else: the gaps
 * between them and each section's tail past its file data (BSS), up to
 * SizeOfImage. Returns the number of bytes zeroed.
 */
uint64_t pe_zero_uncovered(void *image, const struct pe_image *pe);

/* PE_PERM_* for a section's characteristics (no R/W/X flag set: R). */
unsigned int pe_section_perms(uint32_t characteristics);

/* A human-readable message for @status; never NULL. */
const char *pe_strerror(enum pe_status status);

#endif
