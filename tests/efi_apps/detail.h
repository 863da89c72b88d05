/* SPDX-License-Identifier: MIT */
/*
 * The detail line both test apps build up before each report(): one
 * buffer and its printf-style helpers (UEFI Print format), shared by
 * contract_check and services_check.
 */
#ifndef EFI_APPS_DETAIL_H
#define EFI_APPS_DETAIL_H

#include <efi.h>

#define DETAIL_LEN 384

extern CHAR16 detail[DETAIL_LEN];

/* Sets (say) or extends (say_more) the detail of the next report(). */
void say(const CHAR16 *fmt, ...);
void say_more(const CHAR16 *fmt, ...);
/* say(), returning FALSE: for the reason a check failed. */
BOOLEAN why(const CHAR16 *fmt, ...);
/* The detail said so far. */
const CHAR16 *said(void);

#endif
