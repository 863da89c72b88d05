/* SPDX-License-Identifier: MIT */
/*
 * What services_check.efi and the child image it embeds (child.efi) tell
 * each other. The parent passes a struct child_args as the child's
 * LoadOptions (set through the child's loaded image protocol before
 * StartImage); the child does what mode says and fills in what it saw.
 */
#ifndef CHILD_H
#define CHILD_H

#include <efi.h>

#define CHILD_MAGIC 0x646c6968436e756dull /* "munChild" */

enum child_mode {
	/* Exit() from three calls deep, with pool-allocated ExitData. */
	CHILD_EXIT_NESTED = 1,
	/* Return from efi_main, no Exit(). */
	CHILD_RETURN = 2,
};

/* Statuses no service returns by itself: an error and a warning. */
#define CHILD_EXIT_STATUS EFIERR(0x6d75)
#define CHILD_RETURN_STATUS ((EFI_STATUS)0x6d)
/* ExitData: this string, its NUL, then CHILD_EXIT_TRAILER's 8 bytes. */
#define CHILD_EXIT_STRING L"child: Exit() from depth 3"
#define CHILD_EXIT_TRAILER 0x0123456789abcdefull
#define CHILD_DEPTH 3

struct child_args {
	UINT64 magic;
	UINT32 mode;
	EFI_HANDLE parent; /* the parent's image handle */
	/* Filled in by the child. */
	UINT32 ran;
	UINT32 depth;	      /* how deep it got before Exit() */
	EFI_STATUS li_status; /* HandleProtocol(own handle, loaded image) */
	EFI_HANDLE li_parent;
	UINT64 li_base, li_size;
	UINT64 entry;		/* address of its efi_main */
	EFI_STATUS exit_parent; /* Exit(parent's handle) */
	EFI_STATUS exit_null;	/* Exit(NULL) */
	/* Exit() with garbage: a made-up handle, ExitData that is no pool,
	 * ExitDataSize larger than the pool. */
	EFI_STATUS exit_bogus_handle, exit_bogus_data, exit_oversized_data;
	UINT64 exit_data_size; /* what it gives Exit() */
};

#endif
