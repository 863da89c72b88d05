// SPDX-License-Identifier: MIT
/*
 * The protocol database (UEFI 2.10 section 7.3) with private protocols on
 * handles of our own: install, reinstall, uninstall, searches,
 * OpenProtocol/CloseProtocol, ProtocolsPerHandle, protocol notifications,
 * the all-or-nothing InstallMultipleProtocolInterfaces; and the bad
 * handles, GUIDs and events the services must refuse without crashing,
 * and InstallConfigurationTable (its entries in the system table, 4.6).
 */
#include "services.h"

#define GUID_MMUON(n)                                                          \
	{                                                                      \
		0x6d6d756f, 0x7072, 0x6f74,                                    \
		{                                                              \
			0x6f, 0x63, 0x6f, 0x6c, 0x00, 0x00, 0x00, (n)          \
		}                                                              \
	}

static EFI_GUID guid_p = GUID_MMUON(1), guid_q = GUID_MMUON(2);
static EFI_GUID guid_r = GUID_MMUON(3), guid_r2 = GUID_MMUON(4);
static EFI_GUID guid_s = GUID_MMUON(5), guid_t = GUID_MMUON(6);
static EFI_GUID guid_u = GUID_MMUON(7), guid_unknown = GUID_MMUON(0xee);
static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;

/* Interfaces: only their addresses matter. */
static UINT64 if_a, if_b, if_c, if_q, if_r, if_s, if_t, if_u, if_x;

static BOOLEAN guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return !CompareMem((void *)a, (void *)b, sizeof(*a));
}

/* The handles LocateHandleBuffer(ByProtocol) finds, freeing its buffer. */
static EFI_STATUS handles_with(EFI_GUID *guid, UINTN *n, EFI_HANDLE *first)
{
	EFI_HANDLE *buf = NULL;
	EFI_STATUS s;

	*n = 0;
	*first = NULL;
	s = BS->LocateHandleBuffer(ByProtocol, guid, NULL, n, &buf);
	if (s == EFI_SUCCESS) {
		*first = *n ? buf[0] : NULL;
		BS->FreePool(buf);
	}
	return s;
}

static BOOLEAN interface_is(EFI_HANDLE h, EFI_GUID *guid, void *want,
			    const CHAR16 *what)
{
	void *got = NULL;
	EFI_STATUS s = BS->HandleProtocol(h, guid, &got);

	if (s || got != want)
		return why(
			L"%s: HandleProtocol %r, interface 0x%lx, want 0x%lx",
			what, s, (UINTN)got, (UINTN)want);
	return TRUE;
}

/* ---- the life of a private protocol -------------------------------------- */

static EFI_HANDLE h_main;

static BOOLEAN install(void)
{
	EFI_STATUS s, dup;

	h_main = NULL;
	s = BS->InstallProtocolInterface(&h_main, &guid_p, EFI_NATIVE_INTERFACE,
					 &if_a);
	if (!status_is(s, EFI_SUCCESS, L"InstallProtocolInterface(new handle)"))
		return FALSE;
	if (!h_main)
		return why(L"InstallProtocolInterface: no handle made");
	if (!interface_is(h_main, &guid_p, &if_a, L"after install"))
		return FALSE;
	dup = BS->InstallProtocolInterface(&h_main, &guid_p,
					   EFI_NATIVE_INTERFACE, &if_c);
	s = BS->InstallProtocolInterface(&h_main, &guid_q, EFI_NATIVE_INTERFACE,
					 &if_q);
	say(L"new handle 0x%lx; P again on it: %r; Q on it: %r", (UINTN)h_main,
	    dup, s);
	return dup == EFI_INVALID_PARAMETER && s == EFI_SUCCESS &&
	       interface_is(h_main, &guid_p, &if_a, L"after a refused install");
}

static BOOLEAN locate(void)
{
	UINTN n, size = 0, all = 0, i;
	EFI_HANDLE first, *buf = NULL;
	BOOLEAN self_seen = FALSE, main_seen = FALSE;
	EFI_STATUS s;

	s = handles_with(&guid_p, &n, &first);
	if (s || n != 1 || first != h_main)
		return why(L"LocateHandleBuffer(ByProtocol P): %r, %ld handles",
			   s, n);
	s = BS->LocateHandle(ByProtocol, &guid_p, NULL, &size, NULL);
	if (s != EFI_BUFFER_TOO_SMALL || size != sizeof(EFI_HANDLE))
		return why(L"LocateHandle(ByProtocol P, size 0): %r, size %ld",
			   s, size);
	s = BS->LocateHandleBuffer(AllHandles, NULL, NULL, &all, &buf);
	if (s)
		return why(L"LocateHandleBuffer(AllHandles): %r", s);
	for (i = 0; i < all; i++) {
		self_seen |= buf[i] == self;
		main_seen |= buf[i] == h_main;
	}
	BS->FreePool(buf);
	say(L"ByProtocol: 1 handle, ours; size query %ld bytes; AllHandles: "
	    L"%ld, ours %a, our image %a",
	    size, all, main_seen ? "in" : "missing",
	    self_seen ? "in" : "missing");
	return self_seen && main_seen;
}

static BOOLEAN reinstall(void)
{
	EFI_STATUS s, wrong;

	s = BS->ReinstallProtocolInterface(h_main, &guid_p, &if_a, &if_b);
	if (!status_is(s, EFI_SUCCESS, L"ReinstallProtocolInterface(a -> b)"))
		return FALSE;
	if (!interface_is(h_main, &guid_p, &if_b, L"after reinstall"))
		return FALSE;
	wrong = BS->ReinstallProtocolInterface(h_main, &guid_p, &if_a, &if_c);
	say(L"a -> b: SUCCESS, HandleProtocol gives b; with a stale old "
	    L"interface: %r",
	    wrong);
	return wrong == EFI_NOT_FOUND;
}

/* The entry of OpenProtocolInformation for agent/controller, or NULL. */
static UINT32 open_count(EFI_HANDLE agent, EFI_HANDLE controller,
			 UINT32 attributes)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e = NULL;
	UINTN n = 0, i;
	UINT32 count = 0;

	if (BS->OpenProtocolInformation(h_main, &guid_p, &e, &n))
		return ~0u;
	for (i = 0; i < n; i++)
		if (e[i].AgentHandle == agent &&
		    e[i].ControllerHandle == controller &&
		    e[i].Attributes == attributes)
			count += e[i].OpenCount;
	BS->FreePool(e);
	return count;
}

static BOOLEAN open_close(void)
{
	void *i1 = NULL, *i2 = NULL;
	UINT32 twice, after;
	EFI_STATUS s[7];

	s[0] = BS->OpenProtocol(h_main, &guid_p, &i1, self, NULL,
				EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	BS->OpenProtocol(h_main, &guid_p, &i1, self, NULL,
			 EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	twice = open_count(self, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	s[1] = BS->CloseProtocol(h_main, &guid_p, self, NULL);
	after = open_count(self, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	s[2] = BS->CloseProtocol(h_main, &guid_p, self, NULL);
	s[3] = BS->OpenProtocol(h_main, &guid_unknown, NULL, self, NULL,
				EFI_OPEN_PROTOCOL_TEST_PROTOCOL);
	/* BY_DRIVER: a second open by the same agent is ALREADY_STARTED and
	 * the interface still returned; the protocol cannot go meanwhile. */
	s[4] = BS->OpenProtocol(h_main, &guid_p, &i2, self, h_main,
				EFI_OPEN_PROTOCOL_BY_DRIVER);
	s[5] = BS->OpenProtocol(h_main, &guid_p, &i2, self, h_main,
				EFI_OPEN_PROTOCOL_BY_DRIVER);
	s[6] = BS->UninstallProtocolInterface(h_main, &guid_p, &if_b);
	BS->CloseProtocol(h_main, &guid_p, self, h_main);
	say(L"GET_PROTOCOL %r (x2: OpenCount %d), Close %r (then %d), again "
	    L"%r; TEST_PROTOCOL unknown %r; BY_DRIVER %r, again %r; "
	    L"Uninstall while BY_DRIVER %r",
	    s[0], twice, s[1], after, s[2], s[3], s[4], s[5], s[6]);
	return s[0] == EFI_SUCCESS && i1 == &if_b && twice == 2 &&
	       s[1] == EFI_SUCCESS && after == 0 && s[2] == EFI_NOT_FOUND &&
	       s[3] == EFI_UNSUPPORTED && s[4] == EFI_SUCCESS &&
	       s[5] == EFI_ALREADY_STARTED && i2 == &if_b &&
	       s[6] == EFI_ACCESS_DENIED;
}

static BOOLEAN per_handle(void)
{
	EFI_GUID **guids = NULL;
	UINTN n = 0, i;
	BOOLEAN p = FALSE, q = FALSE, li = FALSE;
	EFI_STATUS s;

	s = BS->ProtocolsPerHandle(h_main, &guids, &n);
	if (!status_is(s, EFI_SUCCESS, L"ProtocolsPerHandle(ours)"))
		return FALSE;
	for (i = 0; i < n; i++) {
		p |= guid_eq(guids[i], &guid_p);
		q |= guid_eq(guids[i], &guid_q);
	}
	BS->FreePool(guids);
	if (n != 2 || !p || !q)
		return why(L"ProtocolsPerHandle(ours): %ld GUIDs, P %d Q %d", n,
			   p, q);
	s = BS->ProtocolsPerHandle(self, &guids, &n);
	if (!status_is(s, EFI_SUCCESS, L"ProtocolsPerHandle(image)"))
		return FALSE;
	for (i = 0; i < n; i++)
		li |= guid_eq(guids[i], &li_guid);
	BS->FreePool(guids);
	say(L"ours: P and Q; our image handle: %ld protocols, loaded image "
	    L"%a",
	    n, li ? "among them" : "missing");
	return li;
}

static BOOLEAN uninstall(void)
{
	UINTN n;
	EFI_HANDLE first;
	EFI_STATUS s, again, gone, last;
	void *i;

	s = BS->UninstallProtocolInterface(h_main, &guid_p, &if_b);
	if (!status_is(s, EFI_SUCCESS, L"UninstallProtocolInterface(P)"))
		return FALSE;
	again = BS->UninstallProtocolInterface(h_main, &guid_p, &if_b);
	gone = handles_with(&guid_p, &n, &first);
	if (!interface_is(h_main, &guid_q, &if_q, L"Q after P's uninstall"))
		return FALSE;
	last = BS->UninstallProtocolInterface(h_main, &guid_q, &if_q);
	/* Its last protocol gone, the handle is gone too (7.3.3). */
	s = BS->HandleProtocol(h_main, &guid_q, &i);
	say(L"P: SUCCESS, again %r, ByProtocol P %r; Q %r; then "
	    L"HandleProtocol on the handle %r",
	    again, gone, last, s);
	return again == EFI_NOT_FOUND && gone == EFI_NOT_FOUND &&
	       last == EFI_SUCCESS && s == EFI_INVALID_PARAMETER;
}

/* ---- notifications ------------------------------------------------------- */

static VOID EFIAPI count_notify(EFI_EVENT event, VOID *context)
{
	(void)event;
	(*(UINTN *)context)++;
}

/* Section 7.3.8/7.3.9: the event fires on installs, and LocateHandle
 * ByRegisterNotify hands out each new handle once. */
static BOOLEAN notify(void)
{
	EFI_HANDLE h1 = NULL, h2 = NULL, found[2];
	UINTN calls = 0, size;
	EFI_STATUS before, first, next, s;
	EFI_EVENT ev;
	void *reg = NULL, *i = NULL;

	if (BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify,
			    &calls, &ev))
		return why(L"CreateEvent failed");
	s = BS->RegisterProtocolNotify(&guid_r, ev, &reg);
	if (!status_is(s, EFI_SUCCESS, L"RegisterProtocolNotify")) {
		BS->CloseEvent(ev);
		return FALSE;
	}
	size = sizeof(found);
	before = BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, found);
	BS->InstallProtocolInterface(&h1, &guid_r, EFI_NATIVE_INTERFACE, &if_r);
	size = sizeof(found);
	first = BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, found);
	size = sizeof(found);
	next = BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, found + 1);
	BS->InstallProtocolInterface(&h2, &guid_r, EFI_NATIVE_INTERFACE, &if_x);
	s = BS->LocateProtocol(&guid_r, reg, &i);
	BS->UninstallProtocolInterface(h1, &guid_r, &if_r);
	BS->UninstallProtocolInterface(h2, &guid_r, &if_x);
	BS->CloseEvent(ev);
	say(L"before any install %r; 2 installs notified %ld times; "
	    L"ByRegisterNotify: %r (%a), then %r; LocateProtocol(reg) after "
	    L"the 2nd: %r (%a)",
	    before, calls, first, found[0] == h1 ? "the new handle" : "wrong",
	    next, s, i == &if_x ? "its interface" : "wrong");
	return before == EFI_NOT_FOUND && calls == 2 && first == EFI_SUCCESS &&
	       found[0] == h1 && next == EFI_NOT_FOUND && s == EFI_SUCCESS &&
	       i == &if_x;
}

/*
 * UEFI 2.10 section 7.1 CloseEvent: "If Event was registered with
 * RegisterProtocolNotify() then CloseEvent() will remove the
 * corresponding registration." Else a later event that happens to get
 * the closed one's address is signalled for a protocol it never asked
 * about (and a pool page is the natural next home of a new event).
 */
static BOOLEAN notify_closed_event(void)
{
	UINTN calls1 = 0, calls2 = 0;
	EFI_EVENT ev1, ev2;
	EFI_HANDLE h = NULL;
	void *reg;

	if (BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify,
			    &calls1, &ev1) ||
	    BS->RegisterProtocolNotify(&guid_r2, ev1, &reg) ||
	    BS->CloseEvent(ev1) ||
	    BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify,
			    &calls2, &ev2))
		return why(L"CreateEvent/RegisterProtocolNotify/CloseEvent "
			   L"failed");
	BS->InstallProtocolInterface(&h, &guid_r2, EFI_NATIVE_INTERFACE, &if_r);
	BS->UninstallProtocolInterface(h, &guid_r2, &if_r);
	BS->CloseEvent(ev2);
	say(L"event registered for R2, closed; a new event (%a address) is "
	    L"notified %ld times when R2 is installed, want 0",
	    ev2 == ev1 ? "at the closed one's" : "at another", calls2);
	return calls1 == 0 && calls2 == 0;
}

/* ---- all or nothing ------------------------------------------------------ */

static BOOLEAN install_multiple_rollback(void)
{
	EFI_HANDLE h = NULL, first, con = ST->ConsoleInHandle, hq = NULL;
	EFI_DEVICE_PATH *dp = NULL, *copy;
	EFI_STATUS dup, s_s, s_t, on_old, u, dpdup;
	UINTN n, size;
	BOOLEAN made;

	/* S twice in one call: the first S and T must be rolled back. */
	dup = BS->InstallMultipleProtocolInterfaces(
		&h, &guid_s, &if_s, &guid_t, &if_t, &guid_s, &if_x, NULL);
	made = h != NULL;
	s_s = handles_with(&guid_s, &n, &first);
	s_t = handles_with(&guid_t, &n, &first);
	/* On an existing handle: U goes with the failed Q. */
	BS->InstallProtocolInterface(&hq, &guid_q, EFI_NATIVE_INTERFACE, &if_q);
	on_old = BS->InstallMultipleProtocolInterfaces(&hq, &guid_u, &if_u,
						       &guid_q, &if_x, NULL);
	u = BS->HandleProtocol(hq, &guid_u, (void **)&first);
	BS->UninstallProtocolInterface(hq, &guid_q, &if_q);
	/* A device path already in the database (section 7.3.16). */
	BS->HandleProtocol(con, &dp_guid, (void **)&dp);
	size = dp ? DevicePathSize(dp) : 0;
	copy = size ? AllocatePool(size) : NULL;
	if (copy)
		CopyMem(copy, dp, size);
	h = NULL;
	dpdup = copy ? BS->InstallMultipleProtocolInterfaces(&h, &dp_guid, copy,
							     NULL)
		     : EFI_ABORTED;
	if (copy && dpdup == EFI_SUCCESS)
		BS->UninstallProtocolInterface(h, &dp_guid, copy);
	FreePool(copy);
	say(L"S,T,S on a new handle: %r, handle %a, then ByProtocol S %r, T "
	    L"%r; U,Q on a handle with Q: %r, then U %r; the console's "
	    L"device path again: %r",
	    dup, made ? "made" : "not made", s_s, s_t, on_old, u, dpdup);
	return EFI_ERROR(dup) && !made && s_s == EFI_NOT_FOUND &&
	       s_t == EFI_NOT_FOUND && EFI_ERROR(on_old) &&
	       u == EFI_UNSUPPORTED && dpdup == EFI_ALREADY_STARTED;
}

static BOOLEAN uninstall_multiple_rollback(void)
{
	EFI_HANDLE h = NULL;
	EFI_STATUS in, bad, good, after;
	void *i;

	in = BS->InstallMultipleProtocolInterfaces(&h, &guid_s, &if_s, &guid_t,
						   &if_t, NULL);
	if (!status_is(in, EFI_SUCCESS, L"InstallMultipleProtocolInterfaces"))
		return FALSE;
	bad = BS->UninstallMultipleProtocolInterfaces(h, &guid_s, &if_s,
						      &guid_t, &if_x, NULL);
	if (!interface_is(h, &guid_s, &if_s, L"S after a failed uninstall"))
		return FALSE;
	good = BS->UninstallMultipleProtocolInterfaces(h, &guid_s, &if_s,
						       &guid_t, &if_t, NULL);
	after = BS->HandleProtocol(h, &guid_s, &i);
	say(L"S,T installed; uninstall S + wrong T: %r, S kept; uninstall "
	    L"both: %r, handle then %r",
	    bad, good, after);
	return bad == EFI_INVALID_PARAMETER && good == EFI_SUCCESS &&
	       after == EFI_INVALID_PARAMETER;
}

void check_protocols(void)
{
	BOOLEAN installed = install();

	report("protocol.install", installed);
	if (installed) {
		report("protocol.locate", locate());
		report("protocol.reinstall", reinstall());
		report("protocol.open-close", open_close());
		report("protocol.per-handle", per_handle());
		report("protocol.uninstall", uninstall());
	}
	report("protocol.notify", notify());
	report("protocol.notify-closed-event", notify_closed_event());
	report("protocol.install-multiple-rollback",
	       install_multiple_rollback());
	report("protocol.uninstall-multiple-rollback",
	       uninstall_multiple_rollback());
}

/* ---- bad handles, GUIDs, events ------------------------------------------ */

static BOOLEAN handle_protocol_refusals(void)
{
	UINT64 not_a_handle[4] = {0};
	EFI_STATUS s[6];
	void *i;

	s[0] = BS->HandleProtocol(NULL, &li_guid, &i);
	s[1] = BS->HandleProtocol((EFI_HANDLE)not_a_handle, &li_guid, &i);
	s[2] = BS->HandleProtocol((EFI_HANDLE)0x7000000000ull, &li_guid, &i);
	s[3] = BS->HandleProtocol(self, NULL, &i);
	s[4] = BS->HandleProtocol(self, &li_guid, NULL);
	s[5] = BS->HandleProtocol(self, &guid_unknown, &i);
	say(L"HandleProtocol(NULL) %r, (stack address) %r, (unmapped) %r, "
	    L"(GUID NULL) %r, (Interface NULL) %r, (unknown GUID) %r",
	    s[0], s[1], s[2], s[3], s[4], s[5]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER && s[3] == EFI_INVALID_PARAMETER &&
	       s[4] == EFI_INVALID_PARAMETER && s[5] == EFI_UNSUPPORTED;
}

static BOOLEAN event_refusals(void)
{
	UINT64 not_an_event[8] = {0};
	EFI_EVENT bogus = (EFI_EVENT)not_an_event;
	EFI_STATUS s[5];

	s[0] = BS->CloseEvent(bogus);
	s[1] = BS->CloseEvent((EFI_EVENT)0x7000000000ull);
	s[2] = BS->SignalEvent(bogus);
	s[3] = BS->CheckEvent(bogus);
	s[4] = BS->SetTimer(bogus, TimerRelative, 1);
	say(L"CloseEvent(stack address) %r, (unmapped) %r; SignalEvent %r, "
	    L"CheckEvent %r, SetTimer %r",
	    s[0], s[1], s[2], s[3], s[4]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER && s[3] == EFI_INVALID_PARAMETER &&
	       s[4] == EFI_INVALID_PARAMETER;
}

static BOOLEAN locate_refusals(void)
{
	void *i = &i, *reg = NULL;
	UINTN size = 64;
	EFI_HANDLE buf[8];
	EFI_STATUS s[4];

	s[0] = BS->LocateProtocol(&guid_unknown, NULL, &i);
	s[1] = BS->LocateHandle(ByProtocol, NULL, NULL, &size, buf);
	size = sizeof(buf);
	s[2] = BS->LocateHandle(ByRegisterNotify, NULL, NULL, &size, buf);
	size = sizeof(buf);
	s[3] = BS->LocateHandle(ByProtocol, &guid_unknown, reg, &size, buf);
	say(L"LocateProtocol(unknown) %r (Interface 0x%lx); LocateHandle "
	    L"(ByProtocol, NULL) %r, (ByRegisterNotify, NULL key) %r, "
	    L"(ByProtocol, unknown) %r",
	    s[0], (UINTN)i, s[1], s[2], s[3]);
	return s[0] == EFI_NOT_FOUND && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER && s[3] == EFI_NOT_FOUND;
}

static EFI_CONFIGURATION_TABLE *config_table(EFI_GUID *guid)
{
	UINTN i;

	for (i = 0; i < ST->NumberOfTableEntries; i++)
		if (guid_eq(&ST->ConfigurationTable[i].VendorGuid, guid))
			return &ST->ConfigurationTable[i];
	return NULL;
}

static BOOLEAN system_table_crc_ok(void)
{
	UINT32 stored = ST->Hdr.CRC32, crc = 0;

	ST->Hdr.CRC32 = 0;
	BS->CalculateCrc32(ST, ST->Hdr.HeaderSize, &crc);
	ST->Hdr.CRC32 = stored;
	return crc == stored;
}

/* InstallConfigurationTable: add, replace, remove, and the CRC. */
static BOOLEAN config_tables(void)
{
	static UINT64 table1, table2;
	EFI_CONFIGURATION_TABLE *e;
	UINTN n0 = ST->NumberOfTableEntries;
	EFI_STATUS s[5];
	BOOLEAN added, replaced, crc;

	s[0] = BS->InstallConfigurationTable(NULL, &table1);
	s[1] = BS->InstallConfigurationTable(&guid_u, &table1);
	e = config_table(&guid_u);
	added = e && e->VendorTable == &table1 &&
		ST->NumberOfTableEntries == n0 + 1;
	s[2] = BS->InstallConfigurationTable(&guid_u, &table2);
	e = config_table(&guid_u);
	replaced = e && e->VendorTable == &table2 &&
		   ST->NumberOfTableEntries == n0 + 1;
	crc = system_table_crc_ok();
	s[3] = BS->InstallConfigurationTable(&guid_u, NULL);
	s[4] = BS->InstallConfigurationTable(&guid_u, NULL);
	say(L"GUID NULL %r; add %r (%a), replace %r (%a, CRC %a), remove %r "
	    L"(%a), remove again %r",
	    s[0], s[1], added ? "listed" : "NOT listed", s[2],
	    replaced ? "listed" : "NOT listed", crc ? "updated" : "STALE", s[3],
	    config_table(&guid_u) ? "still there" : "gone", s[4]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_SUCCESS && added &&
	       s[2] == EFI_SUCCESS && replaced && crc && s[3] == EFI_SUCCESS &&
	       !config_table(&guid_u) && ST->NumberOfTableEntries == n0 &&
	       s[4] == EFI_NOT_FOUND;
}

void check_bad_handles(void)
{
	report("bad.handle-protocol", handle_protocol_refusals());
	report("bad.events", event_refusals());
	report("bad.locate", locate_refusals());
	report("bad.config-table", config_tables());
}
