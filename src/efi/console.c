// SPDX-License-Identifier: MIT
/*
 * The EFI console on the PL011 (UEFI 2.10, chapter 12): simple text output
 * (ConOut and StdErr), simple text input and simple text input ex (ConIn),
 * all on one handle with a vendor hardware device path.
 *
 * The terminal on the other end is assumed to be a VT100/xterm: output
 * uses ANSI sequences for colours, clearing and cursor moves, and input
 * escape sequences are decoded into EFI keys by console_keys.c. The
 * display is a fixed 80x25 (mode 0); nothing is known about the real
 * terminal size, and mode 1 (80x50) is not offered.
 *
 * Input is polled: efi_console_poll(), run by every efi_events_poll(),
 * moves bytes from the UART FIFO through the decoder into a key buffer,
 * and stops when the buffer is full, so that the UART's own flow control
 * holds the rest instead of keys being lost.
 */
#include <mmuon/console.h>
#include <mmuon/console_keys.h>
#include <mmuon/efi_core.h>
#include <mmuon/panic.h>
#include <mmuon/pl011.h>

#define CONSOLE_COLUMNS 80
#define CONSOLE_ROWS 25
#define DEFAULT_ATTRIBUTE EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)

/* A pause after which a lone ESC is the Esc key, in 100 ns units. */
#define ESC_TIMEOUT_100NS (20 * 10000)

#define KEY_BUFFER_SIZE 64
#define KEY_NOTIFY_MAX 16
#define KEY_NOTIFY_QUEUE_SIZE 16

/* VenHw(4ab0342a-ab02-4080-85ef-8121d313e5e1): mmuon's serial console. */
#define MMUON_CONSOLE_DEVICE_GUID                                              \
	EFI_GUID_INIT(0x4ab0342a, 0xab02, 0x4080, 0x85, 0xef, 0x81, 0x21,      \
		      0xd3, 0x13, 0xe5, 0xe1)

static const struct __attribute__((packed)) {
	EFI_VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH_PROTOCOL end;
} console_device_path = {
	.vendor =
		{
			.Header = {HARDWARE_DEVICE_PATH,
				   HW_VENDOR_DP,
				   {sizeof(EFI_VENDOR_DEVICE_PATH), 0}},
			.Guid = MMUON_CONSOLE_DEVICE_GUID,
		},
	.end = {END_DEVICE_PATH_TYPE,
		END_ENTIRE_DEVICE_PATH_SUBTYPE,
		{sizeof(EFI_DEVICE_PATH_PROTOCOL), 0}},
};

/* ---- output -------------------------------------------------------------- */

static SIMPLE_TEXT_OUTPUT_MODE output_mode = {
	.MaxMode = 1,
	.Mode = 0,
	.Attribute = DEFAULT_ATTRIBUTE,
	.CursorColumn = 0,
	.CursorRow = 0,
	.CursorVisible = TRUE,
};

/*
 * Straight to the UART, not through console_putc(): that one turns "\n"
 * into "\r\n" for the firmware's printf, while EFI clients already send
 * "\r\n" and a lone LF means "down one line" (section 12.4.3).
 */
static void put_char(char c)
{
	uintptr_t base = console_uart_base();

	if (base)
		pl011_putc(base, c);
}

static void put_string(const char *s)
{
	while (*s)
		put_char(*s++);
}

static void put_decimal(unsigned v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_char(digits[--n]);
}

/* Tracks the cursor as the terminal moves it, for Mode->Cursor*. */
static void advance_cursor(char c)
{
	switch (c) {
	case '\r':
		output_mode.CursorColumn = 0;
		return;
	case '\n':
		if (output_mode.CursorRow < CONSOLE_ROWS - 1)
			output_mode.CursorRow++;
		return;
	case '\b':
		if (output_mode.CursorColumn > 0)
			output_mode.CursorColumn--;
		return;
	case '\t':
		output_mode.CursorColumn = (output_mode.CursorColumn + 8) & ~7;
		break;
	default:
		output_mode.CursorColumn++;
		break;
	}
	if (output_mode.CursorColumn >= CONSOLE_COLUMNS) {
		output_mode.CursorColumn = 0;
		if (output_mode.CursorRow < CONSOLE_ROWS - 1)
			output_mode.CursorRow++;
	}
}

static EFI_STATUS EFIAPI
con_out_output_string(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, CHAR16 *string)
{
	EFI_STATUS status = EFI_SUCCESS;

	(void)this;
	if (!string)
		return EFI_INVALID_PARAMETER;
	for (; *string; string++) {
		char c = console_glyph(*string);

		/* Shown as '?', reported as a warning (section 12.4.3). */
		if (!c) {
			c = '?';
			status = EFI_WARN_UNKNOWN_GLYPH;
		}
		put_char(c);
		advance_cursor(c);
	}
	return status;
}

static EFI_STATUS EFIAPI
con_out_test_string(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, CHAR16 *string)
{
	(void)this;
	if (!string)
		return EFI_INVALID_PARAMETER;
	for (; *string; string++)
		if (!console_glyph(*string))
			return EFI_UNSUPPORTED;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI
con_out_query_mode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, UINTN mode_number,
		   UINTN *columns, UINTN *rows)
{
	(void)this;
	if (!columns || !rows)
		return EFI_INVALID_PARAMETER;
	if (mode_number >= (UINTN)output_mode.MaxMode)
		return EFI_UNSUPPORTED;
	*columns = CONSOLE_COLUMNS;
	*rows = CONSOLE_ROWS;
	return EFI_SUCCESS;
}

/*
 * SGR for an EFI attribute. EFI colour numbers order blue, green, red as
 * bits 0-2; ANSI orders red, green, blue. The default attribute maps to
 * the terminal's own default colours rather than forcing a black
 * background on terminals with a light theme.
 */
static void emit_attribute(UINTN attribute)
{
	static const char efi_to_ansi[8] = {0, 4, 2, 6, 1, 5, 3, 7};
	unsigned fg = attribute & 0x07, bg = (attribute >> 4) & 0x07;

	if (attribute == DEFAULT_ATTRIBUTE) {
		put_string("\033[0m");
		return;
	}
	put_string("\033[0;");
	if (attribute & EFI_BRIGHT)
		put_string("1;");
	put_char('3');
	put_char((char)('0' + efi_to_ansi[fg]));
	put_string(";4");
	put_char((char)('0' + efi_to_ansi[bg]));
	put_char('m');
}

static EFI_STATUS EFIAPI
con_out_set_attribute(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, UINTN attribute)
{
	(void)this;
	/* Foreground in bits 0-3, background in bits 4-6; nothing else. */
	if (attribute & ~(UINTN)0x7f)
		return EFI_UNSUPPORTED;
	if ((INT32)attribute != output_mode.Attribute)
		emit_attribute(attribute);
	output_mode.Attribute = (INT32)attribute;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI
con_out_clear_screen(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this)
{
	(void)this;
	/* Erased cells take the current background, as section 12.4.8 asks. */
	put_string("\033[2J\033[H");
	output_mode.CursorColumn = 0;
	output_mode.CursorRow = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI con_out_set_mode(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this,
					  UINTN mode_number)
{
	if (mode_number >= (UINTN)output_mode.MaxMode)
		return EFI_UNSUPPORTED;
	output_mode.Mode = (INT32)mode_number;
	return con_out_clear_screen(this);
}

static EFI_STATUS EFIAPI con_out_set_cursor_position(
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, UINTN column, UINTN row)
{
	(void)this;
	if (column >= CONSOLE_COLUMNS || row >= CONSOLE_ROWS)
		return EFI_UNSUPPORTED;
	put_string("\033[");
	put_decimal((unsigned)row + 1);
	put_char(';');
	put_decimal((unsigned)column + 1);
	put_char('H');
	output_mode.CursorColumn = (INT32)column;
	output_mode.CursorRow = (INT32)row;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI
con_out_enable_cursor(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, BOOLEAN visible)
{
	(void)this;
	put_string(visible ? "\033[?25h" : "\033[?25l");
	output_mode.CursorVisible = visible ? TRUE : FALSE;
	return EFI_SUCCESS;
}

/*
 * Reset (section 12.4.2): default attribute, screen cleared, cursor at
 * (0, 0). There is no device to verify, so ExtendedVerification changes
 * nothing.
 */
static EFI_STATUS EFIAPI con_out_reset(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this,
				       BOOLEAN extended_verification)
{
	(void)extended_verification;
	con_out_set_attribute(this, DEFAULT_ATTRIBUTE);
	return con_out_set_mode(this, 0);
}

static EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL con_out = {
	.Reset = con_out_reset,
	.OutputString = con_out_output_string,
	.TestString = con_out_test_string,
	.QueryMode = con_out_query_mode,
	.SetMode = con_out_set_mode,
	.SetAttribute = con_out_set_attribute,
	.ClearScreen = con_out_clear_screen,
	.SetCursorPosition = con_out_set_cursor_position,
	.EnableCursor = con_out_enable_cursor,
	.Mode = &output_mode,
};

/* ---- input buffer -------------------------------------------------------- */

static bool input_ready; /* efi_console_install() done */
static struct key_decoder decoder;
static UINT64 last_byte_time;
static EFI_KEY_TOGGLE_STATE toggle_state;

static struct console_key key_buffer[KEY_BUFFER_SIZE];
static unsigned key_head, key_count;

/* RegisterKeyNotify: a handle is the address of its slot. */
struct key_notify {
	bool used;
	EFI_KEY_DATA key;
	EFI_KEY_NOTIFY_FUNCTION function;
};

static struct key_notify key_notifies[KEY_NOTIFY_MAX];
static struct console_key notify_queue[KEY_NOTIFY_QUEUE_SIZE];
static unsigned notify_head, notify_count;
static EFI_EVENT key_notify_event;

static void fill_key_data(EFI_KEY_DATA *data, const struct console_key *k)
{
	data->Key = k->key;
	data->KeyState.KeyShiftState = k->shift_state;
	data->KeyState.KeyToggleState = toggle_state;
}

/*
 * Section 12.2.5: a registration matches on the key; its shift and toggle
 * states only count when marked valid.
 */
static bool key_notify_matches(const struct key_notify *n,
			       const struct console_key *k)
{
	const EFI_KEY_STATE *want = &n->key.KeyState;

	if (n->key.Key.ScanCode != k->key.ScanCode ||
	    n->key.Key.UnicodeChar != k->key.UnicodeChar)
		return false;
	if ((want->KeyShiftState & EFI_SHIFT_STATE_VALID) &&
	    want->KeyShiftState != k->shift_state)
		return false;
	if ((want->KeyToggleState & EFI_TOGGLE_STATE_VALID) &&
	    want->KeyToggleState != toggle_state)
		return false;
	return true;
}

static bool key_has_notify(const struct console_key *k)
{
	unsigned i;

	for (i = 0; i < KEY_NOTIFY_MAX; i++)
		if (key_notifies[i].used &&
		    key_notify_matches(&key_notifies[i], k))
			return true;
	return false;
}

/*
 * Key notification functions run from an event at TPL_CALLBACK, not from
 * inside the poll: the poll may run at any TPL, deep in another service.
 */
static VOID EFIAPI run_key_notifies(EFI_EVENT event, VOID *context)
{
	(void)event;
	(void)context;
	while (notify_count) {
		struct console_key k = notify_queue[notify_head];
		EFI_KEY_DATA data;
		unsigned i;

		notify_head = (notify_head + 1) % KEY_NOTIFY_QUEUE_SIZE;
		notify_count--;
		for (i = 0; i < KEY_NOTIFY_MAX; i++) {
			struct key_notify *n = &key_notifies[i];

			if (!n->used || !key_notify_matches(n, &k))
				continue;
			fill_key_data(&data, &k);
			n->function(&data);
		}
	}
}

static void push_key(const struct console_key *k)
{
	if (key_count < KEY_BUFFER_SIZE) {
		key_buffer[(key_head + key_count) % KEY_BUFFER_SIZE] = *k;
		key_count++;
	}
	if (key_has_notify(k) && notify_count < KEY_NOTIFY_QUEUE_SIZE) {
		notify_queue[(notify_head + notify_count) %
			     KEY_NOTIFY_QUEUE_SIZE] = *k;
		notify_count++;
		efi_signal_event(key_notify_event);
	}
}

static void push_keys(const struct console_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		push_key(&keys[i]);
}

static bool pop_key(struct console_key *k)
{
	if (!key_count)
		return false;
	*k = key_buffer[key_head];
	key_head = (key_head + 1) % KEY_BUFFER_SIZE;
	key_count--;
	return true;
}

void efi_console_poll(void)
{
	struct console_key keys[KEY_DECODER_OUT_MAX];
	uintptr_t base = console_uart_base();
	bool received = false;
	char c;
	UINT64 now;

	if (!input_ready || !base)
		return;
	/* Read only while any byte's keys are sure to fit. */
	while (KEY_BUFFER_SIZE - key_count >= KEY_DECODER_OUT_MAX &&
	       pl011_getc(base, &c)) {
		push_keys(keys, key_decoder_feed(&decoder, (UINT8)c, keys));
		received = true;
	}
	now = efi_time_now_100ns();
	if (received) {
		last_byte_time = now;
	} else if (key_decoder_pending(&decoder) &&
		   now - last_byte_time >= ESC_TIMEOUT_100NS &&
		   KEY_BUFFER_SIZE - key_count >= KEY_DECODER_OUT_MAX) {
		push_keys(keys, key_decoder_flush(&decoder, keys));
	}
}

/* Drops buffered keys and what the UART holds (Reset, section 12.3.2). */
static void input_reset(void)
{
	uintptr_t base = console_uart_base();
	unsigned i;
	char c;

	for (i = 0; base && i < 256 && pl011_getc(base, &c); i++)
		;
	key_decoder_reset(&decoder);
	key_head = key_count = 0;
}

/* ---- EFI_SIMPLE_TEXT_INPUT_PROTOCOL (section 12.3) ----------------------- */

static EFI_STATUS EFIAPI con_in_reset(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *this,
				      BOOLEAN extended_verification)
{
	(void)this;
	(void)extended_verification;
	input_reset();
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI
con_in_read_key_stroke(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *this, EFI_INPUT_KEY *key)
{
	struct console_key k;

	(void)this;
	if (!key)
		return EFI_INVALID_PARAMETER;
	efi_console_poll();
	if (!pop_key(&k))
		return EFI_NOT_READY;
	*key = k.key;
	return EFI_SUCCESS;
}

/* WaitForKey(Ex) notification: signal the event if a key is waiting. */
static VOID EFIAPI wait_for_key_notify(EFI_EVENT event, VOID *context)
{
	(void)context;
	efi_console_poll();
	if (key_count)
		efi_signal_event(event);
}

static EFI_SIMPLE_TEXT_INPUT_PROTOCOL con_in = {
	.Reset = con_in_reset,
	.ReadKeyStroke = con_in_read_key_stroke,
};

/* ---- EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL (section 12.2) -------------------- */

static EFI_STATUS EFIAPI con_in_ex_reset(
	EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this, BOOLEAN extended_verification)
{
	(void)this;
	(void)extended_verification;
	input_reset();
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI con_in_ex_read_key_stroke(
	EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this, EFI_KEY_DATA *key_data)
{
	struct console_key k;

	(void)this;
	if (!key_data)
		return EFI_INVALID_PARAMETER;
	efi_console_poll();
	if (!pop_key(&k))
		return EFI_NOT_READY;
	fill_key_data(key_data, &k);
	return EFI_SUCCESS;
}

/*
 * A serial line has no lock LEDs to set: the state is only remembered and
 * reported back in KeyToggleState.
 */
static EFI_STATUS EFIAPI
con_in_ex_set_state(EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this,
		    EFI_KEY_TOGGLE_STATE *key_toggle_state)
{
	(void)this;
	if (!key_toggle_state)
		return EFI_INVALID_PARAMETER;
	if (!(*key_toggle_state & EFI_TOGGLE_STATE_VALID))
		return EFI_UNSUPPORTED;
	toggle_state = *key_toggle_state;
	return EFI_SUCCESS;
}

static bool same_key_data(const EFI_KEY_DATA *a, const EFI_KEY_DATA *b)
{
	return a->Key.ScanCode == b->Key.ScanCode &&
	       a->Key.UnicodeChar == b->Key.UnicodeChar &&
	       a->KeyState.KeyShiftState == b->KeyState.KeyShiftState &&
	       a->KeyState.KeyToggleState == b->KeyState.KeyToggleState;
}

static EFI_STATUS EFIAPI con_in_ex_register_key_notify(
	EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this, EFI_KEY_DATA *key_data,
	EFI_KEY_NOTIFY_FUNCTION function, VOID **notify_handle)
{
	struct key_notify *free_slot = NULL;
	unsigned i;

	(void)this;
	if (!key_data || !function || !notify_handle)
		return EFI_INVALID_PARAMETER;
	for (i = 0; i < KEY_NOTIFY_MAX; i++) {
		struct key_notify *n = &key_notifies[i];

		/* The same registration twice gets the same handle. */
		if (n->used && n->function == function &&
		    same_key_data(&n->key, key_data)) {
			*notify_handle = n;
			return EFI_SUCCESS;
		}
		if (!n->used && !free_slot)
			free_slot = n;
	}
	if (!free_slot)
		return EFI_OUT_OF_RESOURCES;
	free_slot->used = true;
	free_slot->key = *key_data;
	free_slot->function = function;
	*notify_handle = free_slot;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI con_in_ex_unregister_key_notify(
	EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *this, VOID *notification_handle)
{
	unsigned i;

	(void)this;
	for (i = 0; i < KEY_NOTIFY_MAX; i++) {
		if (key_notifies[i].used &&
		    notification_handle == &key_notifies[i]) {
			key_notifies[i].used = false;
			return EFI_SUCCESS;
		}
	}
	return EFI_INVALID_PARAMETER;
}

static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL con_in_ex = {
	.Reset = con_in_ex_reset,
	.ReadKeyStrokeEx = con_in_ex_read_key_stroke,
	.SetState = con_in_ex_set_state,
	.RegisterKeyNotify = con_in_ex_register_key_notify,
	.UnregisterKeyNotify = con_in_ex_unregister_key_notify,
};

/* ---- installation --------------------------------------------------------- */

static EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID text_input_guid = EFI_SIMPLE_TEXT_INPUT_PROTOCOL_GUID;
static EFI_GUID text_input_ex_guid = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID;
static EFI_GUID text_output_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;

static void create_console_event(UINT32 type, EFI_TPL tpl,
				 EFI_EVENT_NOTIFY function, EFI_EVENT *event)
{
	EFI_STATUS status = efi_create_event(type, tpl, function, NULL, event);

	if (status != EFI_SUCCESS)
		panic("console: cannot create an event (status 0x%lx)",
		      (unsigned long)status);
}

void efi_console_install(void)
{
	EFI_SYSTEM_TABLE *st = efi_system_table();
	EFI_HANDLE handle = NULL;
	EFI_STATUS status;

	create_console_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, wait_for_key_notify,
			     &con_in.WaitForKey);
	create_console_event(EVT_NOTIFY_WAIT, TPL_NOTIFY, wait_for_key_notify,
			     &con_in_ex.WaitForKeyEx);
	create_console_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, run_key_notifies,
			     &key_notify_event);
	key_decoder_reset(&decoder);
	input_ready = true;

	status = efi_install_multiple_protocol_interfaces(
		&handle, &device_path_guid, (VOID *)&console_device_path,
		&text_input_guid, &con_in, &text_input_ex_guid, &con_in_ex,
		&text_output_guid, &con_out, NULL);
	if (status != EFI_SUCCESS)
		panic("console: cannot install the console protocols "
		      "(status 0x%lx)",
		      (unsigned long)status);

	st->ConsoleInHandle = handle;
	st->ConIn = &con_in;
	st->ConsoleOutHandle = handle;
	st->ConOut = &con_out;
	st->StandardErrorHandle = handle;
	st->StdErr = &con_out;
	efi_table_set_crc(&st->Hdr);
}
