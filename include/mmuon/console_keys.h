/* SPDX-License-Identifier: MIT */
/*
 * The pure half of the EFI serial console (src/efi/console.c): turning the
 * bytes a VT100/xterm terminal sends into EFI keys, and UCS-2 output into
 * what a 7-bit terminal can show. No hardware access: host-tested.
 *
 * Keys: printable ASCII and UTF-8 (BMP only) become UnicodeChar; Enter
 * (CR, LF or CR LF) becomes CHAR_CARRIAGE_RETURN; DEL becomes
 * CHAR_BACKSPACE; other control bytes pass through. Escape sequences for
 * arrows, Home/End, Insert/Delete, PgUp/PgDn and F1-F12 become ScanCodes
 * (CSI and SS3 forms of xterm, VT220 and the Linux console, with xterm's
 * modifier parameter reported as shift state). ESC alone is ambiguous
 * until the line stays quiet: the caller calls key_decoder_flush() after a
 * pause, which turns a lone ESC into SCAN_ESC.
 */
#ifndef MMUON_CONSOLE_KEYS_H
#define MMUON_CONSOLE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <efi/efi.h>

struct console_key {
	EFI_INPUT_KEY key;
	/* EFI_SHIFT_STATE_VALID | EFI_*_PRESSED when known, else 0. */
	UINT32 shift_state;
};

/* Longest escape sequence kept; longer ones are dropped as unknown. */
#define KEY_DECODER_SEQ_MAX 16
/* Most keys one call of key_decoder_feed() or _flush() can produce. */
#define KEY_DECODER_OUT_MAX (KEY_DECODER_SEQ_MAX + 1)

struct key_decoder {
	UINT8 seq[KEY_DECODER_SEQ_MAX]; /* escape sequence so far, ESC first */
	UINT8 seq_len;
	UINT8 utf8_missing; /* continuation bytes still expected */
	UINT8 utf8_len;	    /* bytes of the current UTF-8 character */
	UINT32 utf8_value;
	bool last_was_cr; /* to fold CR LF into one Enter */
};

void key_decoder_reset(struct key_decoder *d);

/*
 * Feeds one byte from the terminal; stores the keys it completes in out
 * (room for KEY_DECODER_OUT_MAX) and returns their number.
 */
size_t key_decoder_feed(struct key_decoder *d, UINT8 byte,
			struct console_key *out);

/* True while a sequence or character is incomplete. */
bool key_decoder_pending(const struct key_decoder *d);

/*
 * The terminal went quiet: takes what is pending literally (a lone ESC is
 * the Esc key, ESC '[' is Esc then '['; a cut UTF-8 character is '?').
 * Returns the number of keys stored in out.
 */
size_t key_decoder_flush(struct key_decoder *d, struct console_key *out);

/*
 * What a 7-bit terminal shows for a UCS-2 code unit: itself for printable
 * ASCII and the control characters OutputString interprets (BS, TAB, LF,
 * CR), an ASCII approximation for the box-drawing, block, arrow and
 * triangle characters of section 12.4, 0 for anything it cannot show.
 */
char console_glyph(CHAR16 c);

#endif
