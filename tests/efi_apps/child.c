// SPDX-License-Identifier: MIT
/*
 * child.efi: the image services_check.efi loads from a buffer and starts
 * (it is embedded in the parent by child_blob.S). It finds its orders in
 * its LoadOptions (struct child_args, child.h), records what its own
 * loaded image protocol says, and either returns from efi_main or calls
 * Exit() from a nested function after trying Exit() with handles that are
 * not its own.
 *
 * No gnu-efi library calls: the child must stay small, and touches only
 * what it is given.
 */
#include "child.h"

static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;

/* A pool buffer holding the string, its NUL and an 8-byte trailer. */
static CHAR16 *make_exit_data(EFI_BOOT_SERVICES *bs, UINTN *size)
{
	static const CHAR16 text[] = CHILD_EXIT_STRING;
	UINT64 trailer = CHILD_EXIT_TRAILER;
	UINT8 *p;

	*size = sizeof(text) + sizeof(trailer);
	if (bs->AllocatePool(EfiBootServicesData, *size, (void **)&p)) {
		*size = 0;
		return NULL;
	}
	bs->CopyMem(p, (void *)text, sizeof(text));
	bs->CopyMem(p + sizeof(text), &trailer, sizeof(trailer));
	return (CHAR16 *)p;
}

/*
 * Leaves garbage in every register a callee must preserve: StartImage's
 * return after Exit() must restore the parent's own values (AAPCS64),
 * and the parent checks them.
 */
static void clobber_callee_saved(void)
{
	asm volatile("mov x19, #0xbad\n\tmov x20, x19\n\tmov x21, x19\n\t"
		     "mov x22, x19\n\tmov x23, x19\n\tmov x24, x19\n\t"
		     "mov x25, x19\n\tmov x26, x19\n\tmov x27, x19\n\t"
		     "mov x28, x19\n\tfmov d8, x19\n\tfmov d9, x19\n\t"
		     "fmov d10, x19\n\tfmov d11, x19\n\tfmov d12, x19\n\t"
		     "fmov d13, x19\n\tfmov d14, x19\n\tfmov d15, x19"
		     :
		     :
		     : "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
		       "x27", "x28", "d8", "d9", "d10", "d11", "d12", "d13",
		       "d14", "d15");
}

static __attribute__((noinline)) EFI_STATUS nested_exit(EFI_HANDLE image,
							EFI_BOOT_SERVICES *bs,
							struct child_args *a,
							UINT32 depth)
{
	CHAR16 *data;

	a->depth = depth;
	if (depth < CHILD_DEPTH)
		return nested_exit(image, bs, a, depth + 1) + 1;
	/* Section 7.4.5: only the running image may Exit(). */
	a->exit_parent = bs->Exit(a->parent, EFI_SUCCESS, 0, NULL);
	a->exit_null = bs->Exit(NULL, EFI_SUCCESS, 0, NULL);
	a->exit_bogus_handle = bs->Exit((EFI_HANDLE)0x6d756f6e6d756f6eull,
					EFI_SUCCESS, 0, NULL);
	/* Its own handle, but ExitData on the stack: not from AllocatePool. */
	a->exit_bogus_data = bs->Exit(image, CHILD_EXIT_STATUS,
				      sizeof(a->magic), (CHAR16 *)&a->magic);
	data = make_exit_data(bs, &a->exit_data_size);
	a->exit_oversized_data = bs->Exit(image, CHILD_EXIT_STATUS,
					  a->exit_data_size + 4096, data);
	clobber_callee_saved();
	bs->Exit(image, CHILD_EXIT_STATUS, a->exit_data_size, data);
	return EFI_LOAD_ERROR; /* Exit() returned: the parent sees this */
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE *li = NULL;
	struct child_args *a;

	if (bs->HandleProtocol(image, &li_guid, (void **)&li) || !li)
		return EFI_NOT_FOUND;
	a = li->LoadOptions;
	if (li->LoadOptionsSize != sizeof(*a) || !a || a->magic != CHILD_MAGIC)
		return EFI_INVALID_PARAMETER;
	a->ran++;
	a->li_status = EFI_SUCCESS;
	a->li_parent = li->ParentHandle;
	a->li_base = (UINTN)li->ImageBase;
	a->li_size = li->ImageSize;
	a->entry = (UINTN)efi_main;
	if (a->mode == CHILD_EXIT_NESTED)
		return nested_exit(image, bs, a, 1);
	return CHILD_RETURN_STATUS;
}
