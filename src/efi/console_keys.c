// SPDX-License-Identifier: MIT
/*
 * Terminal bytes to EFI keys and UCS-2 to terminal glyphs: see
 * include/mmuon/console_keys.h. The sequences are those documented in
 * xterm's "ctlseqs" (PC-style function keys), the VT220 editing keypad
 * and the Linux console's F1-F5; ScanCodes from UEFI 2.10 table 12-2.
 */
#include <mmuon/console_keys.h>

#define ESC 0x1b
#define DEL 0x7f

void key_decoder_reset(struct key_decoder *d)
{
	d->seq_len = 0;
	d->utf8_missing = 0;
	d->utf8_len = 0;
	d->utf8_value = 0;
	d->last_was_cr = false;
}

bool key_decoder_pending(const struct key_decoder *d)
{
	return d->seq_len || d->utf8_missing;
}

static size_t emit(struct console_key *out, UINT16 scan, CHAR16 unicode,
		   UINT32 shift_state)
{
	out->key.ScanCode = scan;
	out->key.UnicodeChar = unicode;
	out->shift_state = shift_state;
	return 1;
}

/* ---- escape sequences --------------------------------------------------- */

/*
 * xterm's modifier parameter is 1 + a bit mask: 1 shift, 2 alt, 4 ctrl,
 * 8 meta. The terminal does not say which side, so "left" is reported.
 */
static UINT32 modifier_shift_state(unsigned param)
{
	unsigned bits;
	UINT32 state = EFI_SHIFT_STATE_VALID;

	if (param < 2 || param > 16)
		return 0;
	bits = param - 1;
	if (bits & 1)
		state |= EFI_LEFT_SHIFT_PRESSED;
	if (bits & 2)
		state |= EFI_LEFT_ALT_PRESSED;
	if (bits & 4)
		state |= EFI_LEFT_CONTROL_PRESSED;
	if (bits & 8)
		state |= EFI_LEFT_LOGO_PRESSED;
	return state;
}

/* CSI n ~ (VT220 editing keypad and function keys) */
static UINT16 tilde_scan_code(unsigned n)
{
	switch (n) {
	case 1:
	case 7:
		return SCAN_HOME;
	case 2:
		return SCAN_INSERT;
	case 3:
		return SCAN_DELETE;
	case 4:
	case 8:
		return SCAN_END;
	case 5:
		return SCAN_PAGE_UP;
	case 6:
		return SCAN_PAGE_DOWN;
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
		return SCAN_F1 + (n - 11);
	case 17:
	case 18:
	case 19:
	case 20:
	case 21:
		return SCAN_F6 + (n - 17);
	case 23:
		return SCAN_F11;
	case 24:
		return SCAN_F12;
	default:
		return SCAN_NULL;
	}
}

/* The final letter of CSI or SS3 cursor and PF keys. */
static UINT16 letter_scan_code(UINT8 final)
{
	switch (final) {
	case 'A':
		return SCAN_UP;
	case 'B':
		return SCAN_DOWN;
	case 'C':
		return SCAN_RIGHT;
	case 'D':
		return SCAN_LEFT;
	case 'H':
		return SCAN_HOME;
	case 'F':
		return SCAN_END;
	case 'P':
		return SCAN_F1;
	case 'Q':
		return SCAN_F2;
	case 'R':
		return SCAN_F3;
	case 'S':
		return SCAN_F4;
	default:
		return SCAN_NULL;
	}
}

/*
 * Up to two numeric parameters "a;b" between the introducer and the final
 * byte. Returns false for anything else (private markers like '?'), which
 * makes the sequence unknown.
 */
static bool parse_params(const UINT8 *p, size_t len, unsigned param[2],
			 unsigned *count)
{
	size_t i;

	param[0] = param[1] = 0;
	*count = 0;
	for (i = 0; i < len; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			if (*count == 0)
				*count = 1;
			if (param[*count - 1] < 1000)
				param[*count - 1] =
					param[*count - 1] * 10 + (p[i] - '0');
		} else if (p[i] == ';' && *count < 2) {
			*count = *count ? *count + 1 : 2;
		} else {
			return false;
		}
	}
	return true;
}

/* SS3 keypad keys in application mode: ESC O p..y are the digits. */
static CHAR16 keypad_char(UINT8 final)
{
	static const char operators[] = "*+,-./";

	if (final >= 'p' && final <= 'y')
		return '0' + (final - 'p');
	if (final >= 'j' && final <= 'o')
		return (CHAR16)operators[final - 'j'];
	if (final == 'M')
		return CHAR_CARRIAGE_RETURN;
	if (final == 'X')
		return '=';
	return 0;
}

/*
 * Decodes a complete sequence: seq[0] is ESC, seq[1] '[' or 'O', then
 * parameters, then the final byte. Unknown sequences produce nothing: a
 * key the firmware does not know is better dropped than typed as text.
 */
static size_t decode_sequence(const UINT8 *seq, size_t len,
			      struct console_key *out)
{
	UINT8 final = seq[len - 1];
	unsigned param[2], count;
	UINT32 shift = 0;
	UINT16 scan;

	/* Linux console F1-F5: ESC [ [ A..E */
	if (seq[1] == '[' && len == 4 && seq[2] == '[')
		return final >= 'A' && final <= 'E'
			       ? emit(out, SCAN_F1 + (final - 'A'), 0, 0)
			       : 0;
	if (!parse_params(seq + 2, len - 3, param, &count))
		return 0;
	/* The modifier is the second parameter (CSI) or the last (SS3). */
	if (count == 2)
		shift = modifier_shift_state(param[1]);
	else if (count == 1 && seq[1] == 'O')
		shift = modifier_shift_state(param[0]);

	if (seq[1] == 'O' && count == 0) {
		CHAR16 c = keypad_char(final);

		if (c)
			return emit(out, SCAN_NULL, c, 0);
	}
	if (seq[1] == '[' && final == '~') {
		scan = count ? tilde_scan_code(param[0]) : SCAN_NULL;
		return scan ? emit(out, scan, 0, shift) : 0;
	}
	if (seq[1] == '[' && final == 'Z')
		return emit(out, SCAN_NULL, CHAR_TAB,
			    EFI_SHIFT_STATE_VALID | EFI_LEFT_SHIFT_PRESSED);
	scan = letter_scan_code(final);
	return scan ? emit(out, scan, 0, shift) : 0;
}

static bool is_final_byte(UINT8 b)
{
	return b >= 0x40 && b <= 0x7e;
}

static size_t feed_ground(struct key_decoder *d, UINT8 byte,
			  struct console_key *out);

/* A byte after ESC, ESC [ or ESC O. */
static size_t feed_sequence(struct key_decoder *d, UINT8 byte,
			    struct console_key *out)
{
	size_t n;

	if (d->seq_len == 1) {
		if (byte == '[' || byte == 'O') {
			d->seq[d->seq_len++] = byte;
			return 0;
		}
		/* ESC then anything else: the Esc key, then that byte. */
		d->seq_len = 0;
		n = emit(out, SCAN_ESC, 0, 0);
		return n + feed_ground(d, byte, out + n);
	}
	/* The Linux console's ESC [ [ prefix; '[' is a final byte otherwise. */
	if (d->seq_len == 2 && d->seq[1] == '[' && byte == '[') {
		d->seq[d->seq_len++] = byte;
		return 0;
	}
	if (byte < 0x20 || byte == DEL) {
		/* A control byte cuts the sequence: drop it, keep the byte. */
		d->seq_len = 0;
		return feed_ground(d, byte, out);
	}
	if (d->seq_len == KEY_DECODER_SEQ_MAX) {
		/* Too long to be a key: wait for its end and drop it all. */
		if (is_final_byte(byte))
			d->seq_len = 0;
		return 0;
	}
	d->seq[d->seq_len++] = byte;
	if (!is_final_byte(byte))
		return 0;
	n = decode_sequence(d->seq, d->seq_len, out);
	d->seq_len = 0;
	return n;
}

/* ---- plain bytes and UTF-8 ---------------------------------------------- */

static size_t feed_utf8_continuation(struct key_decoder *d, UINT8 byte,
				     struct console_key *out)
{
	static const UINT32 min_value[] = {0, 0, 0x80, 0x800, 0x10000};
	UINT32 v;

	d->utf8_value = d->utf8_value << 6 | (byte & 0x3f);
	if (--d->utf8_missing)
		return 0;
	v = d->utf8_value;
	/* Overlong forms, surrogates and non-BMP have no UCS-2 key. */
	if (v < min_value[d->utf8_len] || (v >= 0xd800 && v <= 0xdfff) ||
	    v > 0xffff)
		return emit(out, SCAN_NULL, '?', 0);
	return emit(out, SCAN_NULL, (CHAR16)v, 0);
}

static size_t start_utf8(struct key_decoder *d, UINT8 byte,
			 struct console_key *out)
{
	if (byte >= 0xc2 && byte <= 0xdf) {
		d->utf8_len = 2;
		d->utf8_value = byte & 0x1f;
	} else if (byte >= 0xe0 && byte <= 0xef) {
		d->utf8_len = 3;
		d->utf8_value = byte & 0x0f;
	} else if (byte >= 0xf0 && byte <= 0xf4) {
		d->utf8_len = 4;
		d->utf8_value = byte & 0x07;
	} else {
		/* A stray continuation byte or an invalid lead byte. */
		return emit(out, SCAN_NULL, '?', 0);
	}
	d->utf8_missing = d->utf8_len - 1;
	return 0;
}

static size_t feed_ground(struct key_decoder *d, UINT8 byte,
			  struct console_key *out)
{
	bool after_cr = d->last_was_cr;

	d->last_was_cr = byte == '\r';
	if (byte == ESC) {
		d->seq[0] = ESC;
		d->seq_len = 1;
		return 0;
	}
	if (byte >= 0x80)
		return start_utf8(d, byte, out);
	switch (byte) {
	case '\r':
		return emit(out, SCAN_NULL, CHAR_CARRIAGE_RETURN, 0);
	case '\n':
		/* Enter is CR; a terminal in cooked mode sends CR LF or LF. */
		return after_cr ? 0
				: emit(out, SCAN_NULL, CHAR_CARRIAGE_RETURN, 0);
	case DEL:
		/* What the Backspace key sends on most terminals. */
		return emit(out, SCAN_NULL, CHAR_BACKSPACE, 0);
	case 0:
		/* Ctrl-@ or line noise: {0, 0} would read as "no key". */
		return 0;
	default:
		return emit(out, SCAN_NULL, byte, 0);
	}
}

size_t key_decoder_feed(struct key_decoder *d, UINT8 byte,
			struct console_key *out)
{
	size_t n = 0;

	if (d->utf8_missing) {
		if ((byte & 0xc0) == 0x80)
			return feed_utf8_continuation(d, byte, out);
		/* Cut short: '?' for the broken character, then the byte. */
		d->utf8_missing = 0;
		n = emit(out, SCAN_NULL, '?', 0);
	}
	if (d->seq_len)
		return n + feed_sequence(d, byte, out + n);
	return n + feed_ground(d, byte, out + n);
}

size_t key_decoder_flush(struct key_decoder *d, struct console_key *out)
{
	size_t i, n = 0;

	if (d->utf8_missing) {
		d->utf8_missing = 0;
		n += emit(out + n, SCAN_NULL, '?', 0);
	}
	if (d->seq_len) {
		n += emit(out + n, SCAN_ESC, 0, 0);
		for (i = 1; i < d->seq_len; i++)
			n += emit(out + n, SCAN_NULL, d->seq[i], 0);
		d->seq_len = 0;
	}
	return n;
}

/* ---- output glyphs ------------------------------------------------------ */

static char box_drawing_glyph(CHAR16 c)
{
	switch (c) {
	case 0x2500: /* light, heavy, double and dashed horizontals */
	case 0x2501:
	case 0x2504:
	case 0x2505:
	case 0x2508:
	case 0x2509:
	case 0x254c:
	case 0x254d:
	case 0x2550:
		return '-';
	case 0x2502: /* and verticals */
	case 0x2503:
	case 0x2506:
	case 0x2507:
	case 0x250a:
	case 0x250b:
	case 0x254e:
	case 0x254f:
	case 0x2551:
		return '|';
	default:
		return '+'; /* corners, tees and crosses */
	}
}

char console_glyph(CHAR16 c)
{
	if (c >= 0x20 && c < 0x7f)
		return (char)c;
	switch (c) {
	case CHAR_BACKSPACE:
	case CHAR_TAB:
	case CHAR_LINEFEED:
	case CHAR_CARRIAGE_RETURN:
		return (char)c;
	case 0x00a0: /* no-break space */
		return ' ';
	case ARROW_LEFT:
	case GEOMETRICSHAPE_LEFT_TRIANGLE:
		return '<';
	case ARROW_RIGHT:
	case GEOMETRICSHAPE_RIGHT_TRIANGLE:
		return '>';
	case ARROW_UP:
	case GEOMETRICSHAPE_UP_TRIANGLE:
		return '^';
	case ARROW_DOWN:
	case GEOMETRICSHAPE_DOWN_TRIANGLE:
		return 'v';
	}
	if (c >= 0x2500 && c <= 0x257f)
		return box_drawing_glyph(c);
	if (c >= 0x2580 && c <= 0x259f)
		return '#'; /* block elements and shades */
	return 0;
}
