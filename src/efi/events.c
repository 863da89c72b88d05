// SPDX-License-Identifier: MIT
/*
 * Events, timers and task priority levels (UEFI 2.10, section 7.1).
 *
 * mmuon runs with IRQs masked and never takes a timer interrupt, so
 * everything here is polled: efi_events_poll() reads the generic timer
 * (through efi_time_now_100ns()) and the console, and fires the timers
 * that are due. It runs from WaitForEvent, CheckEvent and Stall, which is
 * where a client that waits for time or input spends its time anyway.
 *
 * The TPL is a plain variable. A notification function queued by
 * SignalEvent runs at once if its TPL is above the current one, else when
 * RestoreTPL drops below it; queued functions run highest TPL first, and
 * in the order they were queued within a TPL (section 7.1, "Event, Timer,
 * and Task Priority Services").
 *
 * Open events are kept in one list, oldest first; a handle is only used
 * after it has been found in the list, so clients' stale or made-up
 * handles get EFI_INVALID_PARAMETER instead of a crash.
 */
#include <string.h>

#include <mmuon/efi_core.h>
#include <mmuon/timer.h>

struct efi_event {
	struct efi_event *next;
	UINT32 type;
	EFI_TPL notify_tpl;
	EFI_EVENT_NOTIFY notify_function;
	VOID *notify_context;
	bool in_group;
	EFI_GUID group;
	bool signaled;
	/* Notification queued, with its place in the queue. */
	bool notify_queued;
	UINT64 queue_order;
	/* Timer state, in efi_time_now_100ns() units. */
	bool timer_armed;
	bool timer_periodic;
	bool timer_firing; /* due in the current efi_events_poll() */
	UINT64 timer_due;
	UINT64 timer_period;
};

/* All open events, oldest first. In .bss, so runtime data. */
static struct efi_event *event_list;
static EFI_TPL current_tpl = TPL_APPLICATION;
static UINT64 queue_counter;
static bool before_exit_boot_services_signaled;
static bool exit_boot_services_signaled;

static const EFI_GUID exit_boot_services_group =
	EFI_EVENT_GROUP_EXIT_BOOT_SERVICES;
static const EFI_GUID before_exit_boot_services_group =
	EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES;
static const EFI_GUID virtual_address_change_group =
	EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;

static struct efi_event *find_event(EFI_EVENT handle)
{
	struct efi_event *e;

	if (!handle)
		return NULL;
	for (e = event_list; e; e = e->next)
		if (e == handle)
			return e;
	return NULL;
}

bool efi_event_is_valid(EFI_EVENT event)
{
	return find_event(event) != NULL;
}

/* ---- notification queue ---------------------------------------------- */

static void queue_notify(struct efi_event *e)
{
	if (e->notify_queued)
		return;
	e->notify_queued = true;
	e->queue_order = queue_counter++;
}

/* The queued notification to run first among those above level. */
static struct efi_event *next_queued_above(EFI_TPL level)
{
	struct efi_event *e, *best = NULL;

	for (e = event_list; e; e = e->next) {
		if (!e->notify_queued || e->notify_tpl <= level)
			continue;
		if (!best || e->notify_tpl > best->notify_tpl ||
		    (e->notify_tpl == best->notify_tpl &&
		     e->queue_order < best->queue_order))
			best = e;
	}
	return best;
}

/*
 * Runs one queued notification at its own TPL. The event may be closed by
 * its own notification function, so nothing touches it afterwards.
 */
static void run_notify(struct efi_event *e)
{
	EFI_EVENT_NOTIFY function = e->notify_function;
	VOID *context = e->notify_context;
	EFI_TPL saved = current_tpl;

	e->notify_queued = false;
	/*
	 * A signal-type event leaves the signaled state when its notification
	 * runs, so that the next SignalEvent queues it again (section 7.1,
	 * SignalEvent: an already signaled event is not queued twice).
	 */
	if (e->type & EVT_NOTIFY_SIGNAL)
		e->signaled = false;
	current_tpl = e->notify_tpl;
	function(e, context);
	current_tpl = saved;
}

/*
 * Runs every queued notification above level, re-scanning after each one
 * because a notification function may signal, create or close events.
 */
static void dispatch_notifies(EFI_TPL level)
{
	struct efi_event *e;

	while ((e = next_queued_above(level)))
		run_notify(e);
}

/* ---- task priority levels (section 7.1, RaiseTPL/RestoreTPL) ---------- */

EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL new_tpl)
{
	EFI_TPL old = current_tpl;

	/*
	 * Raising to a lower level, or above TPL_HIGH_LEVEL, is a caller bug
	 * whose result the spec leaves undefined: keep the current level so
	 * that queued notifications do not run where the caller thinks it is
	 * protected, and let the matching RestoreTPL put back what it gets.
	 */
	if (new_tpl >= old && new_tpl <= TPL_HIGH_LEVEL)
		current_tpl = new_tpl;
	return old;
}

VOID EFIAPI efi_restore_tpl(EFI_TPL old_tpl)
{
	/* Restoring to a higher level is undefined too: ignore it. */
	if (old_tpl > current_tpl)
		return;
	dispatch_notifies(old_tpl);
	current_tpl = old_tpl;
}

/* ---- creating and closing events -------------------------------------- */

static bool notify_tpl_valid(EFI_TPL tpl)
{
	/*
	 * Table 7-3 "TPL Restrictions": notification functions run above
	 * TPL_APPLICATION and at most at TPL_HIGH_LEVEL.
	 */
	return tpl > TPL_APPLICATION && tpl <= TPL_HIGH_LEVEL;
}

static bool event_type_valid(UINT32 type)
{
	const UINT32 known_bits =
		EVT_TIMER | EVT_RUNTIME | EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL;

	/* These two are whole values, not flags to combine with others. */
	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES ||
	    type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE)
		return true;
	if (type & ~known_bits)
		return false;
	/* "The EVT_NOTIFY_WAIT and EVT_NOTIFY_SIGNAL flags are exclusive." */
	return (type & (EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL)) !=
	       (EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL);
}

/*
 * Events that must outlive ExitBootServices (EVT_RUNTIME, which
 * EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE includes) live in runtime memory; the
 * others in boot services memory. Both are freed through efi_free().
 */
static struct efi_event *alloc_event(UINT32 type)
{
	void *p = NULL;

	if (!(type & EVT_RUNTIME))
		return efi_zalloc(sizeof(struct efi_event));
	if (efi_allocate_pool(EfiRuntimeServicesData, sizeof(struct efi_event),
			      &p) != EFI_SUCCESS)
		return NULL;
	return memset(p, 0, sizeof(struct efi_event));
}

static void append_event(struct efi_event *e)
{
	struct efi_event **link = &event_list;

	while (*link)
		link = &(*link)->next;
	*link = e;
}

static EFI_STATUS create_event(UINT32 type, EFI_TPL notify_tpl,
			       EFI_EVENT_NOTIFY notify_function,
			       const VOID *notify_context,
			       const EFI_GUID *group, EFI_EVENT *event)
{
	bool notifies = type & (EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL);
	struct efi_event *e;

	if (!event || !event_type_valid(type))
		return EFI_INVALID_PARAMETER;
	if (notifies && (!notify_function || !notify_tpl_valid(notify_tpl)))
		return EFI_INVALID_PARAMETER;

	/*
	 * The two special types are shorthands for membership in the
	 * matching group (section 7.1, CreateEventEx).
	 */
	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES)
		group = &exit_boot_services_group;
	else if (type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE)
		group = &virtual_address_change_group;

	e = alloc_event(type);
	if (!e)
		return EFI_OUT_OF_RESOURCES;
	e->type = type;
	/* Without a notify flag, TPL, function and context are ignored. */
	if (notifies) {
		e->notify_tpl = notify_tpl;
		e->notify_function = notify_function;
		e->notify_context = (VOID *)notify_context;
	}
	if (group) {
		e->in_group = true;
		e->group = *group;
	}
	append_event(e);
	*event = e;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL notify_tpl,
				   EFI_EVENT_NOTIFY notify_function,
				   VOID *notify_context, EFI_EVENT *event)
{
	return create_event(type, notify_tpl, notify_function, notify_context,
			    NULL, event);
}

EFI_STATUS EFIAPI efi_create_event_ex(UINT32 type, EFI_TPL notify_tpl,
				      EFI_EVENT_NOTIFY notify_function,
				      const VOID *notify_context,
				      const EFI_GUID *event_group,
				      EFI_EVENT *event)
{
	/*
	 * With a group, the two special types are not allowed: the group
	 * GUID says what they would (section 7.1, CreateEventEx).
	 */
	if (event_group && (type == EVT_SIGNAL_EXIT_BOOT_SERVICES ||
			    type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE))
		return EFI_INVALID_PARAMETER;
	return create_event(type, notify_tpl, notify_function, notify_context,
			    event_group, event);
}

EFI_STATUS EFIAPI efi_close_event(EFI_EVENT event)
{
	struct efi_event **link;

	if (!event)
		return EFI_INVALID_PARAMETER;
	for (link = &event_list; *link; link = &(*link)->next) {
		if (*link == event) {
			struct efi_event *e = *link;

			*link = e->next;
			/*
			 * Section 7.1: closing an event removes its
			 * RegisterProtocolNotify registrations, which
			 * would otherwise signal whatever event is made
			 * next at this address.
			 */
			efi_protocol_notify_unregister(e);
			efi_free(e);
			return EFI_SUCCESS;
		}
	}
	return EFI_INVALID_PARAMETER;
}

/* ---- signaling -------------------------------------------------------- */

static void signal_one(struct efi_event *e)
{
	/* "If Event is already in the signaled state, ... EFI_SUCCESS." */
	if (e->signaled)
		return;
	e->signaled = true;
	if (e->type & EVT_NOTIFY_SIGNAL)
		queue_notify(e);
}

static void signal_group_members(const EFI_GUID *group)
{
	struct efi_event *e;

	for (e = event_list; e; e = e->next)
		if (e->in_group && efi_guid_equal(&e->group, group))
			signal_one(e);
}

/* Signals e, or its whole group, and runs what the TPL allows. */
static void signal_event(struct efi_event *e)
{
	if (e->in_group)
		signal_group_members(&e->group);
	else
		signal_one(e);
	dispatch_notifies(current_tpl);
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event)
{
	struct efi_event *e = find_event(event);

	if (!e)
		return EFI_INVALID_PARAMETER;
	signal_event(e);
	return EFI_SUCCESS;
}

void efi_events_signal_group(const EFI_GUID *group)
{
	if (!group)
		return;
	signal_group_members(group);
	dispatch_notifies(current_tpl);
}

/* ---- timers (section 7.1, SetTimer) ----------------------------------- */

static UINT64 add_saturated(UINT64 a, UINT64 b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

EFI_STATUS EFIAPI efi_set_timer(EFI_EVENT event, EFI_TIMER_DELAY type,
				UINT64 trigger_time)
{
	struct efi_event *e = find_event(event);

	if (!e || !(e->type & EVT_TIMER))
		return EFI_INVALID_PARAMETER;
	switch (type) {
	case TimerCancel:
		e->timer_armed = false;
		return EFI_SUCCESS;
	case TimerPeriodic:
	case TimerRelative:
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	/*
	 * Trigger times are in 100 ns units. A relative 0 fires on the next
	 * "tick", which here is the next poll; a periodic 0 on every poll.
	 */
	e->timer_armed = true;
	e->timer_periodic = type == TimerPeriodic;
	e->timer_period = trigger_time;
	e->timer_firing = false;
	e->timer_due = add_saturated(efi_time_now_100ns(), trigger_time);
	return EFI_SUCCESS;
}

/*
 * The next due time of a periodic timer that fired at now. A timer that
 * fell behind (a long Stall at high TPL, a slow client) fires once and
 * then keeps its rhythm from now, rather than firing once per missed
 * period in a burst. A period of 0 means every poll.
 */
static UINT64 next_period(const struct efi_event *e, UINT64 now)
{
	UINT64 due = add_saturated(e->timer_due, e->timer_period);

	if (due <= now)
		due = add_saturated(now, e->timer_period);
	return due > now ? due : now + 1;
}

/*
 * First marks the timers that are due, then signals them one by one. The
 * marking bounds the work: a notification function that re-arms a timer
 * with a zero delay gets it fired on the next poll, not in a loop here.
 */
static void fire_due_timers(UINT64 now)
{
	struct efi_event *e;

	for (e = event_list; e; e = e->next) {
		if (!e->timer_armed || e->timer_due > now)
			continue;
		e->timer_firing = true;
		if (e->timer_periodic)
			e->timer_due = next_period(e, now);
		else
			e->timer_armed = false;
	}
	for (;;) {
		for (e = event_list; e && !e->timer_firing; e = e->next)
			;
		if (!e)
			break;
		e->timer_firing = false;
		signal_event(e);
	}
}

void efi_events_poll(void)
{
	efi_console_poll();
	fire_due_timers(efi_time_now_100ns());
}

/* ---- waiting (section 7.1, CheckEvent/WaitForEvent) ------------------- */

/*
 * CheckEvent without the poll. For a wait-type event that is not
 * signaled, its notification function is queued (and runs at once if the
 * TPL allows): that function is what looks for the condition, e.g. a key
 * in the UART FIFO, and signals the event.
 */
static EFI_STATUS check_event(EFI_EVENT event)
{
	struct efi_event *e = find_event(event);

	if (!e || (e->type & EVT_NOTIFY_SIGNAL))
		return EFI_INVALID_PARAMETER;
	if (!e->signaled && (e->type & EVT_NOTIFY_WAIT)) {
		queue_notify(e);
		dispatch_notifies(current_tpl);
		/* The notification may have closed the event. */
		e = find_event(event);
		if (!e)
			return EFI_NOT_READY;
	}
	if (!e->signaled)
		return EFI_NOT_READY;
	e->signaled = false;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_check_event(EFI_EVENT event)
{
	/* Timers and keys only move when polled: let a spinning client see
	 * them. */
	efi_events_poll();
	return check_event(event);
}

EFI_STATUS EFIAPI efi_wait_for_event(UINTN number_of_events, EFI_EVENT *event,
				     UINTN *index)
{
	UINTN i;

	if (!number_of_events || !event || !index)
		return EFI_INVALID_PARAMETER;
	if (current_tpl != TPL_APPLICATION)
		return EFI_UNSUPPORTED;
	for (;;) {
		efi_events_poll();
		for (i = 0; i < number_of_events; i++) {
			EFI_STATUS status = check_event(event[i]);

			/* Success, or a bad event whose index is reported. */
			if (status != EFI_NOT_READY) {
				*index = i;
				return status;
			}
		}
		cpu_relax();
	}
}

/* ---- ExitBootServices (section 7.4.6) --------------------------------- */

void efi_events_before_exit_boot_services(void)
{
	if (before_exit_boot_services_signaled)
		return;
	before_exit_boot_services_signaled = true;
	efi_events_signal_group(&before_exit_boot_services_group);
}

/*
 * After ExitBootServices the boot services memory belongs to the OS, so
 * the list must not lead into it any more: only runtime events stay (for
 * SetVirtualAddressMap), unlinked from the others without freeing them,
 * since the allocator is gone too. Their timers stop: "timers only
 * function during boot services time".
 */
static void forget_boot_time_events(void)
{
	struct efi_event **link = &event_list;

	while (*link) {
		struct efi_event *e = *link;

		if (e->type & EVT_RUNTIME) {
			e->timer_armed = false;
			e->timer_firing = false;
			link = &e->next;
		} else {
			*link = e->next;
		}
	}
}

bool efi_events_exit_boot_services_signaled(void)
{
	return exit_boot_services_signaled;
}

void efi_events_exit_boot_services(void)
{
	if (exit_boot_services_signaled)
		return;
	exit_boot_services_signaled = true;
	efi_events_before_exit_boot_services();
	signal_group_members(&exit_boot_services_group);
	/*
	 * These notifications must run even if the loader called
	 * ExitBootServices at a raised TPL: there is no later chance.
	 */
	dispatch_notifies(TPL_APPLICATION);
	forget_boot_time_events();
}
