// SPDX-License-Identifier: MIT
/*
 * Events, timers and task priority levels (UEFI 2.10 section 7.1), and
 * Stall (7.5.2), checked against the generic timer read directly.
 *
 * Times are only bounded from below by what the spec promises (a timer
 * set for 200 ms does not fire earlier) and from above by a generous
 * limit that only catches a timer that never fires or a hang: TCG is
 * slow and shared, so nothing here measures speed.
 */
#include "services.h"

#define MS_100NS(ms) ((UINT64)(ms)*10000)
/* Beyond this a wait is taken to be hung, whatever TCG's speed. */
#define HANG_US 5000000ull

/*
 * What a notification function saw: how often it ran, at which TPL and
 * in which place among all notifications the last time; signal_on makes
 * an EVT_NOTIFY_WAIT function signal its event on that call.
 */
struct notified {
	UINTN calls;
	EFI_TPL tpl;
	UINTN order;
	UINTN signal_on;
};

static UINTN notify_sequence;

static EFI_TPL current_tpl(void)
{
	EFI_TPL tpl = BS->RaiseTPL(TPL_HIGH_LEVEL);

	BS->RestoreTPL(tpl);
	return tpl;
}

static VOID EFIAPI count_notify(EFI_EVENT event, VOID *context)
{
	struct notified *n = context;

	n->calls++;
	n->tpl = current_tpl();
	n->order = ++notify_sequence;
	if (n->signal_on && n->calls == n->signal_on)
		BS->SignalEvent(event);
}

static BOOLEAN create(UINT32 type, EFI_TPL tpl, struct notified *n,
		      EFI_EVENT *ev)
{
	EFI_STATUS s =
		BS->CreateEvent(type, tpl, n ? count_notify : NULL, n, ev);

	if (s)
		return why(L"CreateEvent(type 0x%x, TPL %ld): %r", type, tpl,
			   s);
	return TRUE;
}

/* ---- timers -------------------------------------------------------------- */

static BOOLEAN timer_relative(void)
{
	EFI_EVENT ev;
	UINTN index = 99;
	UINT64 t0, us;
	EFI_STATUS s;

	if (!create(EVT_TIMER, 0, NULL, &ev))
		return FALSE;
	t0 = now_us();
	s = BS->SetTimer(ev, TimerRelative, MS_100NS(200));
	if (s == EFI_SUCCESS)
		s = BS->WaitForEvent(1, &ev, &index);
	us = now_us() - t0;
	BS->CloseEvent(ev);
	if (!status_is(s, EFI_SUCCESS, L"SetTimer(Relative 200 ms)+Wait"))
		return FALSE;
	say(L"200 ms timer: WaitForEvent returned after %ld us, index %ld", us,
	    index);
	return index == 0 && us >= 200000 && us < HANG_US;
}

/* Five WaitForEvent()s on a 20 ms periodic timer take 100 ms at least. */
static BOOLEAN timer_periodic(void)
{
	EFI_EVENT ev;
	UINTN index, i;
	UINT64 t0, us;
	EFI_STATUS s;

	if (!create(EVT_TIMER, 0, NULL, &ev))
		return FALSE;
	t0 = now_us();
	s = BS->SetTimer(ev, TimerPeriodic, MS_100NS(20));
	for (i = 0; s == EFI_SUCCESS && i < 5; i++)
		s = BS->WaitForEvent(1, &ev, &index);
	us = now_us() - t0;
	if (!status_is(s, EFI_SUCCESS, L"SetTimer(Periodic 20 ms)+Wait")) {
		BS->CloseEvent(ev);
		return FALSE;
	}
	/* Cancelled, it must stay quiet. */
	BS->SetTimer(ev, TimerCancel, 0);
	BS->Stall(60000);
	s = BS->CheckEvent(ev);
	BS->CloseEvent(ev);
	say(L"5 periods of 20 ms in %ld us; CheckEvent 60 ms after "
	    L"TimerCancel: %r",
	    us, s);
	return us >= 100000 && us < HANG_US && s == EFI_NOT_READY;
}

/* A periodic timer with a notification function, which Stall lets run. */
static BOOLEAN timer_periodic_notify(void)
{
	struct notified n = {0};
	EFI_EVENT ev;
	UINT64 t0, us;
	EFI_STATUS s;

	if (!create(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, &n, &ev))
		return FALSE;
	t0 = now_us();
	s = BS->SetTimer(ev, TimerPeriodic, MS_100NS(10));
	while (s == EFI_SUCCESS && n.calls < 5 && now_us() - t0 < HANG_US)
		BS->Stall(1000);
	us = now_us() - t0;
	BS->SetTimer(ev, TimerCancel, 0);
	BS->CloseEvent(ev);
	if (!status_is(s, EFI_SUCCESS, L"SetTimer(Periodic 10 ms)"))
		return FALSE;
	say(L"10 ms periodic timer: %ld notifications at TPL %ld in %ld us",
	    n.calls, n.tpl, us);
	return n.calls >= 5 && n.tpl == TPL_CALLBACK && us >= 50000;
}

static BOOLEAN check_event(void)
{
	EFI_STATUS before, after, again;
	EFI_EVENT ev;

	if (!create(EVT_TIMER, 0, NULL, &ev))
		return FALSE;
	BS->SetTimer(ev, TimerRelative, MS_100NS(50));
	before = BS->CheckEvent(ev);
	BS->Stall(100000);
	after = BS->CheckEvent(ev);
	again = BS->CheckEvent(ev);
	BS->CloseEvent(ev);
	say(L"50 ms timer: CheckEvent before %r, after 100 ms %r, then %r",
	    before, after, again);
	/* CheckEvent clears the signaled state it reports (7.1). */
	return before == EFI_NOT_READY && after == EFI_SUCCESS &&
	       again == EFI_NOT_READY;
}

/* Once closed, a timer that was armed must not call anything back. */
static BOOLEAN close_event(void)
{
	struct notified n = {0};
	EFI_EVENT ev;
	EFI_STATUS s;

	if (!create(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, &n, &ev))
		return FALSE;
	BS->SetTimer(ev, TimerRelative, MS_100NS(10));
	s = BS->CloseEvent(ev);
	BS->Stall(50000);
	say(L"CloseEvent of an armed 10 ms timer: %r; notifications in the "
	    L"50 ms after: %ld",
	    s, n.calls);
	return s == EFI_SUCCESS && n.calls == 0;
}

static BOOLEAN stall(void)
{
	UINT64 t0 = now_us(), us;
	EFI_STATUS s = BS->Stall(100000);

	us = now_us() - t0;
	say(L"Stall(100000): %r after %ld us", s, us);
	return s == EFI_SUCCESS && us >= 100000 && us < HANG_US;
}

/* ---- signalling and TPLs ------------------------------------------------- */

/*
 * Section 7.1: a notification whose TPL is above the caller's runs at
 * once, at its own TPL; below it, it waits for RestoreTPL; the queued
 * ones run highest TPL first; an event already signaled is not queued
 * again.
 */
static BOOLEAN notify_tpl(void)
{
	struct notified cb = {0}, nt = {0};
	EFI_EVENT ecb, ent;
	UINTN at_once, while_raised;
	EFI_TPL old;

	if (!create(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, &cb, &ecb) ||
	    !create(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, &nt, &ent))
		return FALSE;
	BS->SignalEvent(ecb);
	at_once = cb.calls;

	old = BS->RaiseTPL(TPL_HIGH_LEVEL);
	BS->SignalEvent(ecb);
	BS->SignalEvent(ecb);
	BS->SignalEvent(ent);
	while_raised = cb.calls - at_once + nt.calls;
	BS->RestoreTPL(old);
	BS->CloseEvent(ecb);
	BS->CloseEvent(ent);

	say(L"signal at TPL %ld: ran at once %ld (at TPL %ld); at HIGH_LEVEL: "
	    L"%ld ran before RestoreTPL; after: CALLBACK x%ld (order %ld) "
	    L"NOTIFY x%ld (order %ld, TPL %ld)",
	    old, at_once, cb.tpl, while_raised, cb.calls - at_once, cb.order,
	    nt.calls, nt.order, nt.tpl);
	return old == TPL_APPLICATION && at_once == 1 && while_raised == 0 &&
	       cb.calls == 2 && nt.calls == 1 && nt.order < cb.order &&
	       cb.tpl == TPL_CALLBACK && nt.tpl == TPL_NOTIFY;
}

/* EVT_NOTIFY_WAIT: the function runs while the event is waited on. */
static BOOLEAN wait_notify(void)
{
	struct notified n = {.signal_on = 3};
	UINTN index = 99;
	EFI_EVENT ev;
	EFI_STATUS s;

	if (!create(EVT_NOTIFY_WAIT, TPL_CALLBACK, &n, &ev))
		return FALSE;
	s = BS->WaitForEvent(1, &ev, &index);
	BS->CloseEvent(ev);
	say(L"WaitForEvent on EVT_NOTIFY_WAIT signalled by its 3rd "
	    L"notification: %r index %ld after %ld calls at TPL %ld",
	    s, index, n.calls, n.tpl);
	return s == EFI_SUCCESS && index == 0 && n.calls == 3 &&
	       n.tpl == TPL_CALLBACK;
}

/* Section 7.1 WaitForEvent/CheckEvent: what they must refuse. */
static BOOLEAN wait_refusals(void)
{
	struct notified n = {0};
	EFI_EVENT evs[2];
	UINTN index = 99;
	EFI_STATUS s;
	EFI_TPL old;

	if (!create(EVT_TIMER, 0, NULL, &evs[0]) ||
	    !create(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, &n, &evs[1]))
		return FALSE;
	s = BS->WaitForEvent(2, evs, &index);
	if (!status_is(s, EFI_INVALID_PARAMETER,
		       L"WaitForEvent({timer, EVT_NOTIFY_SIGNAL})"))
		goto out;
	if (index != 1) {
		why(L"WaitForEvent: Index %ld, want 1 (the EVT_NOTIFY_SIGNAL "
		    L"event)",
		    index);
		s = EFI_ABORTED;
		goto out;
	}
	s = BS->CheckEvent(evs[1]);
	if (!status_is(s, EFI_INVALID_PARAMETER,
		       L"CheckEvent(EVT_NOTIFY_SIGNAL)")) {
		s = EFI_ABORTED;
		goto out;
	}
	BS->SetTimer(evs[0], TimerRelative, 0);
	old = BS->RaiseTPL(TPL_CALLBACK);
	s = BS->WaitForEvent(1, evs, &index);
	BS->RestoreTPL(old);
	if (!status_is(s, EFI_UNSUPPORTED, L"WaitForEvent at TPL_CALLBACK")) {
		s = EFI_ABORTED;
		goto out;
	}
	say(L"EVT_NOTIFY_SIGNAL in WaitForEvent: INVALID_PARAMETER, index 1; "
	    L"in CheckEvent: INVALID_PARAMETER; WaitForEvent above "
	    L"TPL_APPLICATION: UNSUPPORTED");
	s = EFI_SUCCESS;
out:
	BS->CloseEvent(evs[0]);
	BS->CloseEvent(evs[1]);
	return s == EFI_SUCCESS;
}

/* CreateEvent's EFI_INVALID_PARAMETER cases, as section 7.1 lists them. */
static BOOLEAN create_refusals(void)
{
	static EFI_GUID group = {
		0x6d6d756f,
		0x6e67,
		0x7270,
		{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}};
	static const struct {
		UINT32 type;
		EFI_TPL tpl;
		BOOLEAN function;
		const CHAR16 *what;
	} bad[] = {
		{EVT_NOTIFY_SIGNAL | EVT_NOTIFY_WAIT, TPL_CALLBACK, TRUE,
		 L"SIGNAL|WAIT"},
		{EVT_NOTIFY_SIGNAL, TPL_CALLBACK, FALSE, L"no function"},
		{EVT_NOTIFY_WAIT, TPL_APPLICATION, TRUE, L"TPL_APPLICATION"},
		{EVT_NOTIFY_SIGNAL, 0x7fff, TRUE, L"TPL 0x7fff"},
		{0x00000001, 0, FALSE, L"unknown type bit 0"},
	};
	struct notified n = {0};
	EFI_EVENT ev = NULL;
	EFI_STATUS s;
	UINTN i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = BS->CreateEvent(bad[i].type, bad[i].tpl,
				    bad[i].function ? count_notify : NULL, &n,
				    &ev);
		if (s != EFI_INVALID_PARAMETER)
			return why(L"CreateEvent(%s, type 0x%x): %r, want "
				   L"INVALID_PARAMETER",
				   bad[i].what, bad[i].type, s);
	}
	s = BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, NULL);
	if (!status_is(s, EFI_INVALID_PARAMETER, L"CreateEvent(Event NULL)"))
		return FALSE;
	s = BS->CreateEventEx(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK,
			      count_notify, &n, &group, &ev);
	if (!status_is(s, EFI_INVALID_PARAMETER,
		       L"CreateEventEx(EVT_SIGNAL_EXIT_BOOT_SERVICES, group)"))
		return FALSE;
	say(L"%ld bad types/TPLs/functions, NULL Event, EBS type with a "
	    L"group: all INVALID_PARAMETER",
	    i);
	return TRUE;
}

/*
 * Section 7.1 CreateEventEx: signalling one event of a group signals
 * them all, and nothing outside the group.
 */
static BOOLEAN event_group(void)
{
	static EFI_GUID group = {
		0x6d6d756f,
		0x6e67,
		0x7270,
		{0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18}};
	static EFI_GUID other = {
		0x6d6d756f,
		0x6e67,
		0x7270,
		{0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}};
	struct notified a = {0}, b = {0}, outside = {0}, stranger = {0};
	EFI_EVENT ea, eb, eplain, eo, es;
	EFI_STATUS s, plain;

	if (BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, &a,
			      &group, &ea) ||
	    BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, count_notify, &b,
			      &group, &eb) ||
	    BS->CreateEventEx(0, 0, NULL, NULL, &group, &eplain) ||
	    BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify,
			      &stranger, &other, &es) ||
	    !create(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, &outside, &eo))
		return why(L"CreateEventEx failed");
	s = BS->SignalEvent(ea);
	plain = BS->CheckEvent(eplain);
	BS->CloseEvent(ea);
	BS->CloseEvent(eb);
	BS->CloseEvent(eplain);
	BS->CloseEvent(es);
	BS->CloseEvent(eo);
	say(L"SignalEvent(member a): %r; notified a x%ld, b x%ld, plain "
	    L"member CheckEvent %r; another group x%ld, no group x%ld",
	    s, a.calls, b.calls, plain, stranger.calls, outside.calls);
	return s == EFI_SUCCESS && a.calls == 1 && b.calls == 1 &&
	       plain == EFI_SUCCESS && stranger.calls == 0 &&
	       outside.calls == 0;
}

void check_events(void)
{
	report("event.timer-relative", timer_relative());
	report("event.timer-periodic", timer_periodic());
	report("event.timer-periodic-notify", timer_periodic_notify());
	report("event.check-event", check_event());
	report("event.close-event", close_event());
	report("event.stall", stall());
	report("event.notify-tpl", notify_tpl());
	report("event.wait-notify", wait_notify());
	report("event.wait-refusals", wait_refusals());
	report("event.create-refusals", create_refusals());
	report("event.group", event_group());
}
