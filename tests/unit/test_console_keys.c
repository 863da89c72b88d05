// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/console_keys.c: what xterm, VT220 and the Linux
 * console send for each key, ESC alone and followed by text, Enter in its
 * CR/LF/CR LF forms, UTF-8 input, sequences cut or unknown, and the ASCII
 * glyphs of OutputString.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/console_keys.h>

#define MAX_KEYS 64

static struct console_key keys[MAX_KEYS];
static size_t nkeys;

/* Feeds a whole string, then (if asked) a quiet-line flush. */
static void feed(const char *bytes, bool flush)
{
	struct key_decoder d;
	struct console_key out[KEY_DECODER_OUT_MAX];
	size_t i, n;

	key_decoder_reset(&d);
	nkeys = 0;
	for (; *bytes; bytes++) {
		n = key_decoder_feed(&d, (UINT8)*bytes, out);
		assert_true(n <= KEY_DECODER_OUT_MAX);
		for (i = 0; i < n; i++) {
			assert_true(nkeys < MAX_KEYS);
			keys[nkeys++] = out[i];
		}
	}
	if (flush) {
		n = key_decoder_flush(&d, out);
		for (i = 0; i < n; i++)
			keys[nkeys++] = out[i];
		assert_false(key_decoder_pending(&d));
	}
}

static void expect_scan(const char *bytes, UINT16 scan, UINT32 shift)
{
	feed(bytes, false);
	assert_int_equal(nkeys, 1);
	assert_int_equal(keys[0].key.ScanCode, scan);
	assert_int_equal(keys[0].key.UnicodeChar, 0);
	assert_int_equal(keys[0].shift_state, shift);
}

static void expect_char(size_t i, CHAR16 c)
{
	assert_true(i < nkeys);
	assert_int_equal(keys[i].key.ScanCode, SCAN_NULL);
	assert_int_equal(keys[i].key.UnicodeChar, c);
}

static void test_cursor_and_editing_keys(void **state)
{
	(void)state;
	expect_scan("\033[A", SCAN_UP, 0);
	expect_scan("\033[B", SCAN_DOWN, 0);
	expect_scan("\033[C", SCAN_RIGHT, 0);
	expect_scan("\033[D", SCAN_LEFT, 0);
	/* Application cursor mode */
	expect_scan("\033OA", SCAN_UP, 0);
	expect_scan("\033OD", SCAN_LEFT, 0);
	expect_scan("\033[H", SCAN_HOME, 0);
	expect_scan("\033[F", SCAN_END, 0);
	expect_scan("\033OH", SCAN_HOME, 0);
	expect_scan("\033OF", SCAN_END, 0);
	expect_scan("\033[1~", SCAN_HOME, 0);
	expect_scan("\033[7~", SCAN_HOME, 0);
	expect_scan("\033[4~", SCAN_END, 0);
	expect_scan("\033[8~", SCAN_END, 0);
	expect_scan("\033[2~", SCAN_INSERT, 0);
	expect_scan("\033[3~", SCAN_DELETE, 0);
	expect_scan("\033[5~", SCAN_PAGE_UP, 0);
	expect_scan("\033[6~", SCAN_PAGE_DOWN, 0);
}

static void test_function_keys(void **state)
{
	static const char *const xterm[12] = {
		"\033OP",   "\033OQ",	"\033OR",   "\033OS",
		"\033[15~", "\033[17~", "\033[18~", "\033[19~",
		"\033[20~", "\033[21~", "\033[23~", "\033[24~",
	};
	static const char *const vt220[4] = {"\033[11~", "\033[12~", "\033[13~",
					     "\033[14~"};
	static const char *const linux_console[5] = {
		"\033[[A", "\033[[B", "\033[[C", "\033[[D", "\033[[E"};
	int i;

	(void)state;
	for (i = 0; i < 12; i++)
		expect_scan(xterm[i], SCAN_F1 + i, 0);
	for (i = 0; i < 4; i++)
		expect_scan(vt220[i], SCAN_F1 + i, 0);
	for (i = 0; i < 5; i++)
		expect_scan(linux_console[i], SCAN_F1 + i, 0);
	assert_int_equal(SCAN_F10, 0x14);
	assert_int_equal(SCAN_F12, 0x16);
}

static void test_modifiers(void **state)
{
	const UINT32 v = EFI_SHIFT_STATE_VALID;

	(void)state;
	expect_scan("\033[1;5A", SCAN_UP, v | EFI_LEFT_CONTROL_PRESSED);
	expect_scan("\033[1;2D", SCAN_LEFT, v | EFI_LEFT_SHIFT_PRESSED);
	expect_scan("\033[3;3~", SCAN_DELETE, v | EFI_LEFT_ALT_PRESSED);
	expect_scan("\033[1;2P", SCAN_F1, v | EFI_LEFT_SHIFT_PRESSED);
	expect_scan("\033[15;6~", SCAN_F5,
		    v | EFI_LEFT_SHIFT_PRESSED | EFI_LEFT_CONTROL_PRESSED);
	expect_scan("\033O5P", SCAN_F1, v | EFI_LEFT_CONTROL_PRESSED);
	expect_scan("\033[1;9C", SCAN_RIGHT, v | EFI_LEFT_LOGO_PRESSED);
	/* Shift-Tab */
	feed("\033[Z", false);
	assert_int_equal(nkeys, 1);
	expect_char(0, CHAR_TAB);
	assert_int_equal(keys[0].shift_state, v | EFI_LEFT_SHIFT_PRESSED);
}

static void test_escape_alone(void **state)
{
	(void)state;
	/* Pending until the line goes quiet. */
	feed("\033", false);
	assert_int_equal(nkeys, 0);
	feed("\033", true);
	assert_int_equal(nkeys, 1);
	assert_int_equal(keys[0].key.ScanCode, SCAN_ESC);

	/* ESC then a letter: Esc, then the letter. */
	feed("\033x", false);
	assert_int_equal(nkeys, 2);
	assert_int_equal(keys[0].key.ScanCode, SCAN_ESC);
	expect_char(1, 'x');

	/* ESC ESC [A: Esc, then Up. */
	feed("\033\033[A", false);
	assert_int_equal(nkeys, 2);
	assert_int_equal(keys[0].key.ScanCode, SCAN_ESC);
	assert_int_equal(keys[1].key.ScanCode, SCAN_UP);

	/* A cut sequence flushed: Esc, then its bytes as typed. */
	feed("\033[", true);
	assert_int_equal(nkeys, 2);
	assert_int_equal(keys[0].key.ScanCode, SCAN_ESC);
	expect_char(1, '[');
}

static void test_unknown_sequences(void **state)
{
	(void)state;
	/* Unknown final byte, unknown number, private marker: dropped. */
	feed("\033[Ja\033[99~b\033[?1hc", false);
	assert_int_equal(nkeys, 3);
	expect_char(0, 'a');
	expect_char(1, 'b');
	expect_char(2, 'c');
	/* Longer than the buffer: dropped up to its final byte. */
	feed("\033[1;2;3;4;5;6;7;8;9;10Ad", false);
	assert_int_equal(nkeys, 1);
	expect_char(0, 'd');
	/* A control byte cuts a sequence and is kept. */
	feed("\033[1\r", false);
	assert_int_equal(nkeys, 1);
	expect_char(0, CHAR_CARRIAGE_RETURN);
}

static void test_plain_bytes(void **state)
{
	(void)state;
	feed("Hi 1\t\b", false);
	assert_int_equal(nkeys, 6);
	expect_char(0, 'H');
	expect_char(3, '1');
	expect_char(4, CHAR_TAB);
	expect_char(5, CHAR_BACKSPACE);
	/* DEL is what Backspace sends. */
	feed("\x7f", false);
	expect_char(0, CHAR_BACKSPACE);
	/* Ctrl-C passes through; NUL is dropped. */
	feed("\x03", false);
	expect_char(0, 0x03);
	feed("\x01\x00", false);
	assert_int_equal(nkeys, 1);
}

static void test_enter(void **state)
{
	(void)state;
	feed("a\rb\nc\r\nd\n\n", false);
	assert_int_equal(nkeys, 9);
	expect_char(0, 'a');
	expect_char(1, CHAR_CARRIAGE_RETURN);
	expect_char(2, 'b');
	expect_char(3, CHAR_CARRIAGE_RETURN);
	expect_char(4, 'c');
	expect_char(5, CHAR_CARRIAGE_RETURN); /* CR LF is one Enter */
	expect_char(6, 'd');
	expect_char(7, CHAR_CARRIAGE_RETURN);
	expect_char(8, CHAR_CARRIAGE_RETURN); /* LF LF is two Enters */
}

static void test_utf8(void **state)
{
	(void)state;
	/* é, €, then a 4-byte character UCS-2 cannot hold */
	feed("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", false);
	assert_int_equal(nkeys, 3);
	expect_char(0, 0x00e9);
	expect_char(1, 0x20ac);
	expect_char(2, '?');
	/* Overlong, surrogate, stray continuation, invalid lead */
	feed("\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\x80\xff", false);
	assert_int_equal(nkeys, 6);
	expect_char(0, '?'); /* 0xc0: invalid lead byte */
	expect_char(1, '?'); /* 0xaf: stray continuation */
	expect_char(2, '?'); /* overlong 3-byte form */
	expect_char(3, '?'); /* surrogate */
	expect_char(4, '?'); /* 0x80: stray continuation */
	expect_char(5, '?'); /* 0xff: invalid lead byte */
	/* A cut character, then ASCII: '?' then the letter. */
	feed("\xe2\x82z", false);
	assert_int_equal(nkeys, 2);
	expect_char(0, '?');
	expect_char(1, 'z');
	/* A cut character at a pause: '?' */
	feed("\xc3", true);
	assert_int_equal(nkeys, 1);
	expect_char(0, '?');
}

static void test_keypad(void **state)
{
	(void)state;
	feed("\033Op\033Oy\033Ok\033OM", false);
	assert_int_equal(nkeys, 4);
	expect_char(0, '0');
	expect_char(1, '9');
	expect_char(2, '+');
	expect_char(3, CHAR_CARRIAGE_RETURN);
}

static void test_glyphs(void **state)
{
	(void)state;
	assert_int_equal(console_glyph('A'), 'A');
	assert_int_equal(console_glyph(' '), ' ');
	assert_int_equal(console_glyph('~'), '~');
	assert_int_equal(console_glyph('\r'), '\r');
	assert_int_equal(console_glyph('\n'), '\n');
	assert_int_equal(console_glyph(CHAR_BACKSPACE), '\b');
	assert_int_equal(console_glyph(0x1b), 0); /* no raw ESC to the tty */
	assert_int_equal(console_glyph(0x7f), 0);
	assert_int_equal(console_glyph(0), 0);
	assert_int_equal(console_glyph(BOXDRAW_HORIZONTAL), '-');
	assert_int_equal(console_glyph(BOXDRAW_DOUBLE_VERTICAL), '|');
	assert_int_equal(console_glyph(0x250c), '+'); /* down and right */
	assert_int_equal(console_glyph(0x256c), '+'); /* double cross */
	assert_int_equal(console_glyph(BLOCKELEMENT_LIGHT_SHADE), '#');
	assert_int_equal(console_glyph(ARROW_UP), '^');
	assert_int_equal(console_glyph(GEOMETRICSHAPE_RIGHT_TRIANGLE), '>');
	assert_int_equal(console_glyph(0x00e9), 0);
	assert_int_equal(console_glyph(0x4e2d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_and_editing_keys),
		cmocka_unit_test(test_function_keys),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_escape_alone),
		cmocka_unit_test(test_unknown_sequences),
		cmocka_unit_test(test_plain_bytes),
		cmocka_unit_test(test_enter),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_keypad),
		cmocka_unit_test(test_glyphs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
