// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/events.c on the host: event creation rules, TPL
 * ordering of notifications, groups, CheckEvent/WaitForEvent, timers on a
 * fake clock and the ExitBootServices sequence. The allocator, the clock
 * and the console poll are stubs below.
 *
 * events.c keeps global state, so every test closes what it creates and
 * leaves the TPL at TPL_APPLICATION; the ExitBootServices test, which
 * cannot be undone, runs last.
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

#include <mmuon/efi_core.h>

/* ---- stubs ------------------------------------------------------------- */

static UINT64 fake_now;
static UINT64 poll_step; /* added to fake_now by every console poll */
static unsigned console_polls;

UINT64 efi_time_now_100ns(void)
{
	return fake_now;
}

void efi_console_poll(void)
{
	console_polls++;
	fake_now += poll_step;
}

void *efi_zalloc(UINTN size)
{
	return calloc(1, size);
}

void efi_free(void *p)
{
	free(p);
}

/* The events CloseEvent asked protocol_db.c to forget, newest last. */
static EFI_EVENT unregistered[4];
static unsigned unregister_calls;

void efi_protocol_notify_unregister(EFI_EVENT event)
{
	unregistered[unregister_calls++ % 4] = event;
}

EFI_STATUS EFIAPI efi_allocate_pool(EFI_MEMORY_TYPE type, UINTN size,
				    VOID **buffer)
{
	assert_int_equal(type, EfiRuntimeServicesData);
	*buffer = malloc(size);
	return *buffer ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

/* ---- a notification log ------------------------------------------------ */

#define LOG_MAX 32

static struct {
	int id[LOG_MAX];
	EFI_TPL tpl[LOG_MAX];
	unsigned n;
} log_;

static void log_reset(void)
{
	memset(&log_, 0, sizeof(log_));
}

/* Context: a pointer to an int id. Records the id and the TPL it ran at. */
static VOID EFIAPI log_notify(EFI_EVENT event, VOID *context)
{
	EFI_TPL tpl = efi_raise_tpl(TPL_HIGH_LEVEL);

	(void)event;
	efi_restore_tpl(tpl);
	assert_true(log_.n < LOG_MAX);
	log_.id[log_.n] = *(int *)context;
	log_.tpl[log_.n] = tpl;
	log_.n++;
}

static int ids[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static EFI_EVENT make(UINT32 type, EFI_TPL tpl, int id)
{
	EFI_EVENT e = NULL;

	assert_int_equal(efi_create_event(type, tpl, log_notify, &ids[id], &e),
			 EFI_SUCCESS);
	assert_non_null(e);
	return e;
}

static EFI_EVENT make_in_group(UINT32 type, EFI_TPL tpl, int id,
			       const EFI_GUID *group)
{
	EFI_EVENT e = NULL;

	assert_int_equal(
		efi_create_event_ex(type, tpl, log_notify, &ids[id], group, &e),
		EFI_SUCCESS);
	return e;
}

static const EFI_GUID group_a =
	EFI_GUID_INIT(0x2b3c4d5e, 0x1111, 0x4222, 0x83, 0x33, 0x44, 0x44, 0x55,
		      0x55, 0x66, 0x66);
static const EFI_GUID group_b =
	EFI_GUID_INIT(0x2b3c4d5e, 0x1111, 0x4222, 0x83, 0x33, 0x44, 0x44, 0x55,
		      0x55, 0x66, 0x67);

/* ---- tests ----------------------------------------------------------- */

static void test_create_validation(void **state)
{
	static const EFI_GUID ebs = EFI_EVENT_GROUP_EXIT_BOOT_SERVICES;
	EFI_EVENT e;

	(void)state;
	assert_int_equal(efi_create_event(0, 0, NULL, NULL, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_create_event(0x1, TPL_CALLBACK, log_notify, NULL, &e),
		EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL,
					  TPL_CALLBACK, log_notify, NULL, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, NULL,
					  NULL, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_APPLICATION,
					  log_notify, NULL, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_HIGH_LEVEL + 1,
					  log_notify, NULL, &e),
			 EFI_INVALID_PARAMETER);
	/* The special types are whole values... */
	assert_int_equal(
		efi_create_event(EVT_SIGNAL_EXIT_BOOT_SERVICES | EVT_TIMER,
				 TPL_CALLBACK, log_notify, NULL, &e),
		EFI_INVALID_PARAMETER);
	/* ...and not allowed together with a group. */
	assert_int_equal(efi_create_event_ex(EVT_SIGNAL_EXIT_BOOT_SERVICES,
					     TPL_CALLBACK, log_notify, NULL,
					     &ebs, &e),
			 EFI_INVALID_PARAMETER);

	/* Without a notify flag, TPL and function are ignored. */
	e = NULL;
	assert_int_equal(efi_create_event(EVT_TIMER, 0, NULL, NULL, &e),
			 EFI_SUCCESS);
	assert_true(efi_event_is_valid(e));
	unregister_calls = 0;
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
	assert_false(efi_event_is_valid(e));
	/* Its protocol notify registrations go with it. */
	assert_int_equal(unregister_calls, 1);
	assert_ptr_equal(unregistered[0], e);
	assert_int_equal(efi_close_event(e), EFI_INVALID_PARAMETER);
	assert_int_equal(unregister_calls, 1);
	assert_int_equal(efi_close_event(NULL), EFI_INVALID_PARAMETER);
	/* CreateEventEx with no group is CreateEvent. */
	assert_int_equal(efi_create_event_ex(EVT_NOTIFY_SIGNAL, TPL_NOTIFY,
					     log_notify, &ids[0], NULL, &e),
			 EFI_SUCCESS);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
}

static void test_signal_runs_at_once(void **state)
{
	EFI_EVENT e = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1);

	(void)state;
	log_reset();
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	assert_int_equal(log_.n, 1);
	assert_int_equal(log_.id[0], 1);
	assert_int_equal(log_.tpl[0], TPL_CALLBACK);
	/* Signaling again runs it again: the notification cleared it. */
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	assert_int_equal(log_.n, 2);
	assert_int_equal(efi_close_event(e), EFI_SUCCESS);
	assert_int_equal(efi_signal_event(e), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_signal_event(NULL), EFI_INVALID_PARAMETER);
}

static void test_tpl_ordering(void **state)
{
	EFI_EVENT cb1 = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1);
	EFI_EVENT cb2 = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 2);
	EFI_EVENT nt = make(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, 3);
	EFI_TPL old;

	(void)state;
	log_reset();
	old = efi_raise_tpl(TPL_HIGH_LEVEL);
	assert_int_equal(old, TPL_APPLICATION);
	/* Signaled in the order cb2, nt, cb1, cb2 again. */
	efi_signal_event(cb2);
	efi_signal_event(nt);
	efi_signal_event(cb1);
	efi_signal_event(cb2); /* already signaled: not queued twice */
	assert_int_equal(log_.n, 0);
	efi_restore_tpl(TPL_NOTIFY);
	assert_int_equal(log_.n, 0); /* TPL_NOTIFY is not above TPL_NOTIFY */
	efi_restore_tpl(TPL_CALLBACK);
	assert_int_equal(log_.n, 1);
	assert_int_equal(log_.id[0], 3);
	efi_restore_tpl(old);
	assert_int_equal(log_.n, 3);
	/* Same TPL: in the order they were signaled. */
	assert_int_equal(log_.id[1], 2);
	assert_int_equal(log_.id[2], 1);
	assert_int_equal(log_.tpl[1], TPL_CALLBACK);

	/* Raising to a lower TPL is ignored, as is restoring upwards. */
	old = efi_raise_tpl(TPL_NOTIFY);
	assert_int_equal(efi_raise_tpl(TPL_CALLBACK), TPL_NOTIFY);
	assert_int_equal(efi_raise_tpl(TPL_NOTIFY), TPL_NOTIFY);
	efi_restore_tpl(TPL_HIGH_LEVEL);
	assert_int_equal(efi_raise_tpl(TPL_NOTIFY), TPL_NOTIFY);
	efi_restore_tpl(old);
	assert_int_equal(efi_raise_tpl(TPL_APPLICATION), TPL_APPLICATION);

	efi_close_event(cb1);
	efi_close_event(cb2);
	efi_close_event(nt);
}

static void test_groups(void **state)
{
	EFI_EVENT a1 =
		make_in_group(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1, &group_a);
	EFI_EVENT a2 =
		make_in_group(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, 2, &group_a);
	EFI_EVENT a3 = make_in_group(0, 0, 3, &group_a);
	EFI_EVENT b =
		make_in_group(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 4, &group_b);

	(void)state;
	log_reset();
	assert_int_equal(efi_signal_event(a1), EFI_SUCCESS);
	assert_int_equal(log_.n, 2);
	assert_int_equal(log_.id[0], 2); /* TPL_NOTIFY first */
	assert_int_equal(log_.id[1], 1);
	/* The plain member was signaled too. */
	assert_int_equal(efi_check_event(a3), EFI_SUCCESS);
	assert_int_equal(efi_check_event(a3), EFI_NOT_READY);
	/* Signaling through the plain member signals the others. */
	efi_signal_event(a3);
	assert_int_equal(log_.n, 4);
	/* By GUID, as ExitBootServices and SetVirtualAddressMap do. */
	efi_events_signal_group(&group_b);
	assert_int_equal(log_.n, 5);
	assert_int_equal(log_.id[4], 4);
	efi_events_signal_group(NULL);

	efi_close_event(a1);
	efi_close_event(a2);
	efi_close_event(a3);
	efi_close_event(b);
}

static int wait_notify_calls;

/* A wait-type notification that finds its condition on the third call. */
static VOID EFIAPI third_time_lucky(EFI_EVENT event, VOID *context)
{
	(void)context;
	if (++wait_notify_calls == 3)
		efi_signal_event(event);
}

static void test_check_event(void **state)
{
	EFI_EVENT plain = make(0, 0, 0);
	EFI_EVENT sig = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1);
	EFI_EVENT wait = NULL;

	(void)state;
	assert_int_equal(efi_check_event(plain), EFI_NOT_READY);
	efi_signal_event(plain);
	assert_int_equal(efi_check_event(plain), EFI_SUCCESS);
	assert_int_equal(efi_check_event(plain), EFI_NOT_READY);
	assert_int_equal(efi_check_event(sig), EFI_INVALID_PARAMETER);
	assert_int_equal(efi_check_event((EFI_EVENT)&ids[0]),
			 EFI_INVALID_PARAMETER);

	wait_notify_calls = 0;
	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_NOTIFY,
					  third_time_lucky, NULL, &wait),
			 EFI_SUCCESS);
	assert_int_equal(efi_check_event(wait), EFI_NOT_READY);
	assert_int_equal(efi_check_event(wait), EFI_NOT_READY);
	assert_int_equal(efi_check_event(wait), EFI_SUCCESS);
	assert_int_equal(wait_notify_calls, 3);
	/* At TPL_NOTIFY the notification waits for RestoreTPL. */
	{
		EFI_TPL old = efi_raise_tpl(TPL_NOTIFY);

		assert_int_equal(efi_check_event(wait), EFI_NOT_READY);
		assert_int_equal(wait_notify_calls, 3);
		efi_restore_tpl(old);
		assert_int_equal(wait_notify_calls, 4);
	}
	efi_close_event(plain);
	efi_close_event(sig);
	efi_close_event(wait);
}

static void test_timers(void **state)
{
	EFI_EVENT plain = make(0, 0, 0);
	EFI_EVENT t = make(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1);
	EFI_EVENT p = NULL;

	(void)state;
	assert_int_equal(efi_create_event(EVT_TIMER, 0, NULL, NULL, &p),
			 EFI_SUCCESS);
	fake_now = 1000;
	poll_step = 0;
	log_reset();
	assert_int_equal(efi_set_timer(plain, TimerRelative, 1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_set_timer(t, (EFI_TIMER_DELAY)7, 1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_set_timer(NULL, TimerCancel, 0),
			 EFI_INVALID_PARAMETER);

	/* Relative: fires once, when due. */
	assert_int_equal(efi_set_timer(t, TimerRelative, 100), EFI_SUCCESS);
	fake_now = 1099;
	efi_events_poll();
	assert_int_equal(log_.n, 0);
	fake_now = 1100;
	efi_events_poll();
	assert_int_equal(log_.n, 1);
	fake_now = 5000;
	efi_events_poll();
	assert_int_equal(log_.n, 1);

	/* Cancel. */
	assert_int_equal(efi_set_timer(t, TimerRelative, 10), EFI_SUCCESS);
	assert_int_equal(efi_set_timer(t, TimerCancel, 0), EFI_SUCCESS);
	fake_now = 6000;
	efi_events_poll();
	assert_int_equal(log_.n, 1);

	/* Relative 0: the next poll. */
	assert_int_equal(efi_set_timer(t, TimerRelative, 0), EFI_SUCCESS);
	efi_events_poll();
	assert_int_equal(log_.n, 2);

	/* Periodic: keeps its rhythm; a missed stretch fires once. */
	fake_now = 10000;
	assert_int_equal(efi_set_timer(p, TimerPeriodic, 10), EFI_SUCCESS);
	fake_now = 10010;
	assert_int_equal(efi_check_event(p), EFI_SUCCESS);
	fake_now = 10015;
	assert_int_equal(efi_check_event(p), EFI_NOT_READY);
	fake_now = 10020;
	assert_int_equal(efi_check_event(p), EFI_SUCCESS);
	fake_now = 10500;
	assert_int_equal(efi_check_event(p), EFI_SUCCESS);
	assert_int_equal(efi_check_event(p), EFI_NOT_READY);
	fake_now = 10510;
	assert_int_equal(efi_check_event(p), EFI_SUCCESS);

	/* Periodic 0: every poll, once per poll. */
	log_reset();
	assert_int_equal(efi_set_timer(t, TimerPeriodic, 0), EFI_SUCCESS);
	efi_events_poll();
	fake_now++;
	efi_events_poll();
	fake_now++;
	efi_events_poll();
	assert_int_equal(log_.n, 3);
	assert_int_equal(efi_set_timer(t, TimerCancel, 0), EFI_SUCCESS);

	/* The console is polled too. */
	console_polls = 0;
	efi_events_poll();
	assert_int_equal(console_polls, 1);

	efi_close_event(plain);
	efi_close_event(t);
	efi_close_event(p);
}

static EFI_EVENT rearming_timer;
static int rearm_count;

static VOID EFIAPI rearm_notify(EFI_EVENT event, VOID *context)
{
	(void)context;
	rearm_count++;
	assert_int_equal(efi_set_timer(event, TimerRelative, 0), EFI_SUCCESS);
}

/* A notification re-arming its timer with 0 must not loop in one poll. */
static void test_timer_rearm_in_notify(void **state)
{
	(void)state;
	fake_now = 20000;
	poll_step = 0;
	assert_int_equal(efi_create_event(EVT_TIMER | EVT_NOTIFY_SIGNAL,
					  TPL_CALLBACK, rearm_notify, NULL,
					  &rearming_timer),
			 EFI_SUCCESS);
	rearm_count = 0;
	efi_set_timer(rearming_timer, TimerRelative, 0);
	efi_events_poll();
	assert_int_equal(rearm_count, 1);
	efi_events_poll();
	assert_int_equal(rearm_count, 2);
	efi_close_event(rearming_timer);
}

static VOID EFIAPI close_self(EFI_EVENT event, VOID *context)
{
	(void)context;
	assert_int_equal(efi_close_event(event), EFI_SUCCESS);
}

/* Closing an event from its own notification (ASan checks the rest). */
static void test_close_in_notify(void **state)
{
	EFI_EVENT e = NULL, w = NULL;

	(void)state;
	assert_int_equal(efi_create_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK,
					  close_self, NULL, &e),
			 EFI_SUCCESS);
	assert_int_equal(efi_signal_event(e), EFI_SUCCESS);
	assert_false(efi_event_is_valid(e));

	assert_int_equal(efi_create_event(EVT_NOTIFY_WAIT, TPL_CALLBACK,
					  close_self, NULL, &w),
			 EFI_SUCCESS);
	assert_int_equal(efi_check_event(w), EFI_NOT_READY);
	assert_false(efi_event_is_valid(w));
}

static void test_wait_for_event(void **state)
{
	EFI_EVENT plain = make(0, 0, 0);
	EFI_EVENT sig = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 1);
	EFI_EVENT timer = make(EVT_TIMER, 0, 2);
	EFI_EVENT list[2];
	UINTN index = 99;
	EFI_TPL old;

	(void)state;
	list[0] = plain;
	list[1] = timer;
	assert_int_equal(efi_wait_for_event(0, list, &index),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_wait_for_event(2, NULL, &index),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_wait_for_event(2, list, NULL),
			 EFI_INVALID_PARAMETER);
	old = efi_raise_tpl(TPL_CALLBACK);
	assert_int_equal(efi_wait_for_event(2, list, &index), EFI_UNSUPPORTED);
	efi_restore_tpl(old);

	/* The timer fires as (fake) time passes with each poll. */
	fake_now = 30000;
	poll_step = 7;
	assert_int_equal(efi_set_timer(timer, TimerRelative, 100), EFI_SUCCESS);
	assert_int_equal(efi_wait_for_event(2, list, &index), EFI_SUCCESS);
	assert_int_equal(index, 1);
	assert_true(fake_now >= 30100);
	/* The wait cleared the signaled state. */
	assert_int_equal(efi_check_event(timer), EFI_NOT_READY);

	/* An already signaled event is found at once. */
	efi_signal_event(plain);
	assert_int_equal(efi_wait_for_event(2, list, &index), EFI_SUCCESS);
	assert_int_equal(index, 0);

	/* A signal-type event is refused, with its index. */
	list[1] = sig;
	assert_int_equal(efi_wait_for_event(2, list, &index),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(index, 1);
	poll_step = 0;

	efi_close_event(plain);
	efi_close_event(sig);
	efi_close_event(timer);
}

/* Runs last: ExitBootServices cannot be undone. */
static void test_exit_boot_services(void **state)
{
	static const EFI_GUID before =
		EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES;
	static const EFI_GUID ebs = EFI_EVENT_GROUP_EXIT_BOOT_SERVICES;
	static const EFI_GUID vac = EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE;
	EFI_EVENT by_type = make(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_NOTIFY, 1);
	EFI_EVENT by_group =
		make_in_group(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 2, &ebs);
	EFI_EVENT before_ebs =
		make_in_group(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 3, &before);
	EFI_EVENT vac_event =
		make(EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, TPL_NOTIFY, 4);
	EFI_EVENT other = make(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, 5);

	(void)state;
	log_reset();
	efi_events_before_exit_boot_services();
	assert_int_equal(log_.n, 1);
	assert_int_equal(log_.id[0], 3);
	/* Once per boot, even if ExitBootServices is retried. */
	efi_events_before_exit_boot_services();
	assert_int_equal(log_.n, 1);

	efi_events_exit_boot_services();
	assert_int_equal(log_.n, 3);
	assert_int_equal(log_.id[1], 1); /* TPL_NOTIFY first */
	assert_int_equal(log_.id[2], 2);
	efi_events_exit_boot_services();
	assert_int_equal(log_.n, 3);

	/* Only runtime events are left. */
	assert_false(efi_event_is_valid(by_type));
	assert_false(efi_event_is_valid(other));
	assert_true(efi_event_is_valid(vac_event));
	efi_events_signal_group(&vac);
	assert_int_equal(log_.n, 4);
	assert_int_equal(log_.id[3], 4);

	/* Unlinked, not freed (the allocator is gone): free them here. */
	free(by_type);
	free(by_group);
	free(before_ebs);
	free(other);
	assert_int_equal(efi_close_event(vac_event), EFI_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_validation),
		cmocka_unit_test(test_signal_runs_at_once),
		cmocka_unit_test(test_tpl_ordering),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_check_event),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_timer_rearm_in_notify),
		cmocka_unit_test(test_close_in_notify),
		cmocka_unit_test(test_wait_for_event),
		cmocka_unit_test(test_exit_boot_services),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
