// SPDX-License-Identifier: MIT
/*
 * Keyboard input on the serial console (UEFI 2.10 sections 12.2, 12.3):
 * WaitForKey(Ex) with WaitForEvent, ReadKeyStroke(Ex), key notification.
 *
 * For each key the app prints "SERVICES-INPUT <tag>" and waits; the test
 * (tests/boot/test_efi_services.py) types the bytes a VT100/xterm
 * terminal sends for it on QEMU's stdin. Every wait is bounded by a timer
 * event, so a key that never arrives fails the check instead of hanging.
 */
#include "services.h"

#define KEY_TIMEOUT_100NS (10ull * 10000000) /* 10 s */

static EFI_GUID text_in_ex_guid = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID;
static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *con_in_ex;

/* Prompts (unless @tag is NULL), then waits for @key_event or the
 * timeout. */
static BOOLEAN wait_key(const CHAR16 *tag, EFI_EVENT key_event)
{
	EFI_EVENT evs[2] = {key_event, NULL};
	UINTN index = 99;
	EFI_STATUS s;

	if (BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &evs[1]))
		return why(L"CreateEvent(timer) failed");
	BS->SetTimer(evs[1], TimerRelative, KEY_TIMEOUT_100NS);
	if (tag)
		out(L"SERVICES-INPUT %s", tag);
	s = BS->WaitForEvent(2, evs, &index);
	BS->CloseEvent(evs[1]);
	if (s || index != 0)
		return why(L"WaitForEvent(WaitForKey, 10 s timer): %r, index "
			   L"%ld (1: no key came)",
			   s, index);
	return TRUE;
}

static BOOLEAN read_key(EFI_INPUT_KEY *key)
{
	EFI_STATUS s = ST->ConIn->ReadKeyStroke(ST->ConIn, key);

	return status_is(s, EFI_SUCCESS, L"ReadKeyStroke after WaitForKey");
}

/* Nothing typed yet: nothing to read, the event not signalled. */
static BOOLEAN none_pending(void)
{
	EFI_INPUT_KEY key;
	EFI_KEY_DATA data;
	EFI_STATUS s, ex, check;

	s = ST->ConIn->ReadKeyStroke(ST->ConIn, &key);
	ex = con_in_ex->ReadKeyStrokeEx(con_in_ex, &data);
	check = BS->CheckEvent(ST->ConIn->WaitForKey);
	say(L"ReadKeyStroke %r, ReadKeyStrokeEx %r, CheckEvent(WaitForKey) %r",
	    s, ex, check);
	return s == EFI_NOT_READY && ex == EFI_NOT_READY &&
	       check == EFI_NOT_READY;
}

/* One key through WaitForKey/ReadKeyStroke; nothing left behind it. */
static BOOLEAN simple_key(const CHAR16 *tag, UINT16 scan, CHAR16 unicode)
{
	EFI_INPUT_KEY key, extra;
	EFI_STATUS left;

	if (!wait_key(tag, ST->ConIn->WaitForKey) || !read_key(&key))
		return FALSE;
	left = ST->ConIn->ReadKeyStroke(ST->ConIn, &extra);
	say(L"ScanCode 0x%02x UnicodeChar 0x%04x (want 0x%02x 0x%04x); then "
	    L"%r",
	    key.ScanCode, key.UnicodeChar, scan, unicode, left);
	if (left == EFI_SUCCESS)
		say_more(L" (ScanCode 0x%02x UnicodeChar 0x%04x)",
			 extra.ScanCode, extra.UnicodeChar);
	return key.ScanCode == scan && key.UnicodeChar == unicode &&
	       left == EFI_NOT_READY;
}

/* Several keys in one burst come out one by one, in order. */
static BOOLEAN sequence(void)
{
	static const CHAR16 want[] = L"xyz";
	EFI_INPUT_KEY key;
	CHAR16 got[4] = {0};
	UINTN i;

	if (!wait_key(L"key-xyz", ST->ConIn->WaitForKey))
		return FALSE;
	for (i = 0; i < 3; i++) {
		/* The rest may trail the first byte: wait for each. */
		if (i && !wait_key(NULL, ST->ConIn->WaitForKey))
			return FALSE;
		if (!read_key(&key))
			return FALSE;
		got[i] = key.UnicodeChar;
	}
	say(L"read \"%s\", want \"%s\"", got, want);
	return !StrCmp(got, (CHAR16 *)want);
}

/* ReadKeyStrokeEx: a modified key reports its shift state. */
static BOOLEAN ex_modifier(void)
{
	const UINT32 want = EFI_SHIFT_STATE_VALID | EFI_LEFT_CONTROL_PRESSED;
	EFI_KEY_DATA d = {0};
	EFI_STATUS s;

	if (!wait_key(L"key-ctrl-right", con_in_ex->WaitForKeyEx))
		return FALSE;
	s = con_in_ex->ReadKeyStrokeEx(con_in_ex, &d);
	say(L"ReadKeyStrokeEx %r: ScanCode 0x%02x UnicodeChar 0x%04x "
	    L"KeyShiftState 0x%x (want 0x03, 0, 0x%x)",
	    s, d.Key.ScanCode, d.Key.UnicodeChar, d.KeyState.KeyShiftState,
	    want);
	return s == EFI_SUCCESS && d.Key.ScanCode == SCAN_RIGHT &&
	       !d.Key.UnicodeChar && d.KeyState.KeyShiftState == want;
}

static UINTN notified;
static EFI_KEY_DATA notified_key;

static EFI_STATUS EFIAPI key_notify(EFI_KEY_DATA *key)
{
	notified++;
	notified_key = *key;
	return EFI_SUCCESS;
}

/* Section 12.2.5 RegisterKeyNotify: called for the registered key only. */
static BOOLEAN notify(void)
{
	EFI_KEY_DATA want = {.Key = {.UnicodeChar = 'n'}}, d;
	EFI_STATUS s, un, again;
	VOID *handle = NULL;

	s = con_in_ex->RegisterKeyNotify(con_in_ex, &want, key_notify, &handle);
	if (!status_is(s, EFI_SUCCESS, L"RegisterKeyNotify('n')"))
		return FALSE;
	if (!wait_key(L"key-m-n", con_in_ex->WaitForKeyEx))
		return FALSE;
	/* "m" first: it must not call the function. */
	con_in_ex->ReadKeyStrokeEx(con_in_ex, &d);
	if (d.Key.UnicodeChar == 'm' &&
	    !wait_key(NULL, con_in_ex->WaitForKeyEx))
		return FALSE;
	s = con_in_ex->ReadKeyStrokeEx(con_in_ex, &d);
	un = con_in_ex->UnregisterKeyNotify(con_in_ex, handle);
	again = con_in_ex->UnregisterKeyNotify(con_in_ex, handle);
	say(L"'m' then 'n': function called %ld time(s), with 0x%04x; the key "
	    L"still read: %r 0x%04x; Unregister %r, again %r",
	    notified, notified_key.Key.UnicodeChar, s, d.Key.UnicodeChar, un,
	    again);
	return notified == 1 && notified_key.Key.UnicodeChar == 'n' &&
	       s == EFI_SUCCESS && d.Key.UnicodeChar == 'n' &&
	       un == EFI_SUCCESS && again == EFI_INVALID_PARAMETER;
}

void check_keys(void)
{
	EFI_STATUS s = BS->HandleProtocol(ST->ConsoleInHandle, &text_in_ex_guid,
					  (void **)&con_in_ex);

	if (!status_is(s, EFI_SUCCESS,
		       L"HandleProtocol(ConsoleInHandle, SimpleTextInputEx)")) {
		report("keys.text-input-ex", FALSE);
		return;
	}
	report("keys.none-pending", none_pending());
	report("keys.char", simple_key(L"key-a", SCAN_NULL, 'a'));
	report("keys.up", simple_key(L"key-up", SCAN_UP, 0));
	report("keys.esc", simple_key(L"key-esc", SCAN_ESC, 0));
	report("keys.sequence", sequence());
	report("keys.ex-modifier", ex_modifier());
	report("keys.notify", notify());
}
