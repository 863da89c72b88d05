/* SPDX-License-Identifier: MIT */
/*
 * The UEFI variable store (UEFI 2.10, section 8.2) behind GetVariable,
 * GetNextVariableName, SetVariable and QueryVariableInfo.
 *
 * mmuon has no flash it may write, so the store lives in RAM only: a
 * fixed-size arena (EfiRuntimeServicesData, reserved once at boot, because
 * SetVariable at runtime may not allocate) holding packed records. Variables
 * with EFI_VARIABLE_NON_VOLATILE are accepted -- the OS and shells set them
 * -- but they do not survive a reset; GetVariable reports the attribute as
 * it was set.
 *
 * Pure logic, no global state: the caller passes whether ExitBootServices
 * has happened (`runtime`), which hides variables without
 * EFI_VARIABLE_RUNTIME_ACCESS and makes volatile ones read-only, as the spec
 * requires. Safe to call at runtime: it touches only the store and the
 * caller's buffers.
 */
#ifndef MMUON_VARSTORE_H
#define MMUON_VARSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <efi/runtime_services.h>
#include <efi/status.h>
#include <efi/types.h>

struct varstore {
	uint8_t *base; /* 8-byte aligned */
	size_t size;
	size_t used; /* records are packed from base, no holes */
};

/*
 * The attributes SetVariable takes (EFI_VARIABLE_APPEND_WRITE is an
 * operation, never stored). Authenticated variables and hardware error
 * records are not supported: EFI_UNSUPPORTED.
 */
#define VARSTORE_ATTRIBUTES                                                    \
	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |         \
	 EFI_VARIABLE_RUNTIME_ACCESS)

/* Per record overhead: vendor GUID, attributes, sizes; records are padded
 * to 8 bytes. */
#define VARSTORE_RECORD_HEADER 32

/* Starts an empty store in `size` bytes at `arena` (8-byte aligned). */
void varstore_init(struct varstore *vs, void *arena, size_t size);

/* GetVariable. *attributes (optional) is set on success and on
 * EFI_BUFFER_TOO_SMALL. */
EFI_STATUS varstore_get(const struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 *attributes,
			UINTN *data_size, VOID *data, bool runtime);

/* GetNextVariableName: an empty name starts the walk. */
EFI_STATUS varstore_get_next(const struct varstore *vs, UINTN *name_size,
			     CHAR16 *name, EFI_GUID *vendor, bool runtime);

/* SetVariable: create, replace, append (EFI_VARIABLE_APPEND_WRITE) or
 * delete (size 0, or no access attributes). */
EFI_STATUS varstore_set(struct varstore *vs, const CHAR16 *name,
			const EFI_GUID *vendor, UINT32 attributes,
			UINTN data_size, const VOID *data, bool runtime);

/*
 * QueryVariableInfo: the arena size, the bytes still free, and the largest
 * name + data one variable can have (the arena less one record header).
 * Every kind of variable shares the one arena, so the numbers do not depend
 * on the attributes beyond their validation.
 */
EFI_STATUS varstore_query(const struct varstore *vs, UINT32 attributes,
			  UINT64 *max_storage, UINT64 *remaining,
			  UINT64 *max_variable, bool runtime);

#endif
