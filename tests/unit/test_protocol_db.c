// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/protocol_db.c: install/reinstall/uninstall (single
 * and multiple, with their rollbacks), handle validation, OpenProtocol in
 * every attribute mode, CloseProtocol, OpenProtocolInformation,
 * ProtocolsPerHandle, LocateHandle(Buffer) in all search types, protocol
 * notifications, LocateProtocol and LocateDevicePath (including the Linux
 * initrd VenMedia path). The allocators, events and TPL are stubs that
 * count, so every test also checks that nothing leaks.
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

#include <efi/efi.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>

/* ---- stubs -------------------------------------------------------------- */

static long live_zallocs;  /* efi_zalloc minus efi_free */
static long live_pools;	   /* efi_allocate_pool minus efi_free_pool */
static int zalloc_fail_in; /* fail the n-th next efi_zalloc; 0: never */
static bool pool_fail;	   /* efi_allocate_pool fails */
static EFI_TPL tpl = TPL_APPLICATION;
static EFI_HANDLE fw_handle; /* efi_firmware_handle() */

#define MAX_SIGNALS 16
static EFI_EVENT signals[MAX_SIGNALS];
static int nsignals;

void *efi_zalloc(UINTN size)
{
	if (zalloc_fail_in && !--zalloc_fail_in)
		return NULL;
	live_zallocs++;
	return calloc(1, size);
}

void efi_free(void *p)
{
	if (p)
		live_zallocs--;
	free(p);
}

EFI_STATUS EFIAPI efi_allocate_pool(EFI_MEMORY_TYPE type, UINTN size,
				    VOID **buffer)
{
	assert_int_equal(type, EfiBootServicesData);
	assert_true(size > 0);
	if (pool_fail)
		return EFI_OUT_OF_RESOURCES;
	*buffer = malloc(size);
	live_pools++;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_free_pool(VOID *buffer)
{
	live_pools--;
	free(buffer);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event)
{
	/* Signalled with notifications held off (database consistent). */
	assert_int_equal(tpl, TPL_NOTIFY);
	assert_true(nsignals < MAX_SIGNALS);
	signals[nsignals++] = event;
	return EFI_SUCCESS;
}

EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL new_tpl)
{
	EFI_TPL old = tpl;

	assert_true(new_tpl >= tpl);
	tpl = new_tpl;
	return old;
}

VOID EFIAPI efi_restore_tpl(EFI_TPL old_tpl)
{
	assert_true(old_tpl <= tpl);
	tpl = old_tpl;
}

EFI_HANDLE efi_firmware_handle(void)
{
	return fw_handle;
}

/* ---- helpers ------------------------------------------------------------ */

static EFI_GUID guid_a = EFI_GUID_INIT(0x11111111, 0x2222, 0x3333, 0x44, 0x55,
				       0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb);
static EFI_GUID guid_b = EFI_GUID_INIT(0xa1111111, 0x2222, 0x3333, 0x44, 0x55,
				       0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb);
static EFI_GUID guid_c = EFI_GUID_INIT(0xb1111111, 0x2222, 0x3333, 0x44, 0x55,
				       0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb);
static EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID lf2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;

static int iface_a, iface_b, iface_c, iface_d; /* distinct addresses */
static int event1, event2;		       /* fake EFI_EVENTs */

static EFI_HANDLE new_handle(EFI_GUID *guid, VOID *iface)
{
	EFI_HANDLE h = NULL;

	assert_int_equal(efi_install_protocol_interface(
				 &h, guid, EFI_NATIVE_INTERFACE, iface),
			 EFI_SUCCESS);
	assert_non_null(h);
	return h;
}

static UINTN count_handles(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *guid)
{
	UINTN size = 0;
	EFI_STATUS st = efi_locate_handle(type, guid, NULL, &size, NULL);

	if (st == EFI_NOT_FOUND)
		return 0;
	assert_int_equal(st, EFI_BUFFER_TOO_SMALL);
	return size / sizeof(EFI_HANDLE);
}

static UINTN open_count(EFI_HANDLE h, EFI_GUID *guid, UINT32 *total)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n;

	assert_int_equal(efi_open_protocol_information(h, guid, &e, &n),
			 EFI_SUCCESS);
	if (total) {
		*total = 0;
		for (UINTN i = 0; i < n; i++)
			*total += e[i].OpenCount;
	}
	efi_free_pool(e);
	return n;
}

static int setup(void **state)
{
	(void)state;
	nsignals = 0;
	zalloc_fail_in = 0;
	pool_fail = false;
	fw_handle = NULL;
	return 0;
}

/* Empty the database and check that every allocation came back. */
static int teardown(void **state)
{
	EFI_HANDLE *hs;
	UINTN n;

	(void)state;
	zalloc_fail_in = 0;
	pool_fail = false;
	if (efi_locate_handle_buffer(AllHandles, NULL, NULL, &n, &hs) ==
	    EFI_SUCCESS) {
		for (UINTN i = 0; i < n; i++)
			efi_handle_delete(hs[i]);
		efi_free_pool(hs);
	}
	efi_protocol_notify_unregister(&event1);
	efi_protocol_notify_unregister(&event2);
	assert_int_equal(count_handles(AllHandles, NULL), 0);
	assert_int_equal(live_zallocs, 0);
	assert_int_equal(live_pools, 0);
	assert_int_equal(tpl, TPL_APPLICATION);
	return 0;
}

/* ---- install, HandleProtocol, uninstall ------------------------------- */

static void test_install_and_handle_protocol(void **state)
{
	EFI_HANDLE h = NULL, h2;
	VOID *iface = &iface_d;
	int not_a_handle;

	(void)state;
	assert_false(efi_handle_is_valid(NULL));
	assert_false(efi_handle_is_valid(&not_a_handle));
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_a, EFI_NATIVE_INTERFACE, &iface_a),
			 EFI_SUCCESS);
	assert_true(efi_handle_is_valid(h));
	/* A second protocol on the same handle, with a NULL interface. */
	h2 = h;
	assert_int_equal(efi_install_protocol_interface(
				 &h2, &guid_b, EFI_NATIVE_INTERFACE, NULL),
			 EFI_SUCCESS);
	assert_ptr_equal(h2, h);

	assert_int_equal(efi_handle_protocol(h, &guid_a, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_a);
	iface = &iface_d;
	assert_int_equal(efi_handle_protocol(h, &guid_b, &iface), EFI_SUCCESS);
	assert_null(iface);
	iface = &iface_d;
	assert_int_equal(efi_handle_protocol(h, &guid_c, &iface),
			 EFI_UNSUPPORTED);
	assert_null(iface);

	assert_int_equal(efi_handle_protocol(NULL, &guid_a, &iface),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(&not_a_handle, &guid_a, &iface),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(h, NULL, &iface),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_handle_protocol(h, &guid_a, NULL),
			 EFI_INVALID_PARAMETER);

	/* The GUID was copied: the caller's may change or go away. */
	EFI_GUID tmp = guid_c;
	EFI_HANDLE h3 = new_handle(&tmp, &iface_c);

	memset(&tmp, 0, sizeof(tmp));
	assert_int_equal(efi_handle_protocol(h3, &guid_c, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_c);
}

static void test_install_errors(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface_a), other = NULL;
	int not_a_handle;
	EFI_HANDLE bogus = &not_a_handle;

	(void)state;
	assert_int_equal(efi_install_protocol_interface(
				 NULL, &guid_a, EFI_NATIVE_INTERFACE, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_install_protocol_interface(
				 &other, NULL, EFI_NATIVE_INTERFACE, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_install_protocol_interface(
				 &other, &guid_a, (EFI_INTERFACE_TYPE)1, NULL),
			 EFI_INVALID_PARAMETER);
	assert_null(other);
	assert_int_equal(efi_install_protocol_interface(
				 &bogus, &guid_a, EFI_NATIVE_INTERFACE, NULL),
			 EFI_INVALID_PARAMETER);
	/* One instance per protocol per handle, whatever the interface. */
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_a, EFI_NATIVE_INTERFACE, &iface_b),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(count_handles(AllHandles, NULL), 1);
}

static void test_install_out_of_memory(void **state)
{
	EFI_HANDLE h = NULL, existing = new_handle(&guid_a, &iface_a);

	(void)state;
	/* The handle itself cannot be allocated. */
	zalloc_fail_in = 1;
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_a, EFI_NATIVE_INTERFACE, NULL),
			 EFI_OUT_OF_RESOURCES);
	/* The handle can, the protocol cannot: the handle goes again. */
	zalloc_fail_in = 2;
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_a, EFI_NATIVE_INTERFACE, NULL),
			 EFI_OUT_OF_RESOURCES);
	assert_null(h);
	zalloc_fail_in = 1;
	assert_int_equal(efi_install_protocol_interface(&existing, &guid_b,
							EFI_NATIVE_INTERFACE,
							NULL),
			 EFI_OUT_OF_RESOURCES);
	assert_true(efi_handle_is_valid(existing));
	assert_int_equal(count_handles(AllHandles, NULL), 1);
	assert_int_equal(count_handles(ByProtocol, &guid_b), 0);
}

static void test_uninstall(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	int not_a_handle;

	(void)state;
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_b, EFI_NATIVE_INTERFACE, &iface_b),
			 EFI_SUCCESS);
	assert_int_equal(
		efi_uninstall_protocol_interface(NULL, &guid_a, &iface_a),
		EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_protocol_interface(&not_a_handle,
							  &guid_a, &iface_a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_protocol_interface(h, NULL, &iface_a),
			 EFI_INVALID_PARAMETER);
	/* The interface must match as well as the GUID. */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_b),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_c, &iface_a),
			 EFI_NOT_FOUND);

	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_SUCCESS);
	assert_true(efi_handle_is_valid(h));
	assert_int_equal(count_handles(ByProtocol, &guid_a), 0);
	/* The last protocol takes the handle with it. */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, &iface_b),
			 EFI_SUCCESS);
	assert_false(efi_handle_is_valid(h));
	assert_int_equal(count_handles(AllHandles, NULL), 0);
}

static void test_uninstall_open_protocol(void **state)
{
	EFI_HANDLE agent = new_handle(&guid_c, &iface_c);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	VOID *iface;

	(void)state;
	/* GET_PROTOCOL and BY_HANDLE opens do not stop an uninstall... */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &iface), EFI_SUCCESS);
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_b, EFI_NATIVE_INTERFACE, &iface_b),
			 EFI_SUCCESS);
	/* ...but BY_DRIVER does: there is no DisconnectController. */
	assert_int_equal(efi_open_protocol(h, &guid_b, &iface, agent, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, &iface_b),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(h, &guid_b, agent, h), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_b, &iface_b),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_SUCCESS);
	assert_false(efi_handle_is_valid(h));
	/* EXCLUSIVE and BY_CHILD_CONTROLLER hold an interface too. */
	h = new_handle(&guid_a, &iface_a);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, NULL),
			 EFI_SUCCESS);
	assert_int_equal(
		efi_open_protocol(h, &guid_a, &iface, agent, agent,
				  EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
		EFI_SUCCESS);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_ACCESS_DENIED);
}

static void test_reinstall(void **state)
{
	EFI_HANDLE agent = new_handle(&guid_c, &iface_c);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	VOID *reg, *iface;
	EFI_HANDLE found;
	UINTN size = sizeof(found);
	int not_a_handle;

	(void)state;
	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, &reg),
			 EFI_SUCCESS);
	assert_int_equal(efi_reinstall_protocol_interface(NULL, &guid_a,
							  &iface_a, &iface_b),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_reinstall_protocol_interface(
				 &not_a_handle, &guid_a, &iface_a, &iface_b),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_reinstall_protocol_interface(h, NULL, &iface_a, &iface_b),
		EFI_INVALID_PARAMETER);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface_c,
							  &iface_b),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_b, &iface_a,
							  &iface_b),
			 EFI_NOT_FOUND);
	assert_int_equal(nsignals, 0);

	/* A GET_PROTOCOL open is closed by the reinstall. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface_a,
							  &iface_b),
			 EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, NULL), 0);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_b);
	/* A reinstall notifies, and counts as a new instance. */
	assert_int_equal(nsignals, 1);
	assert_ptr_equal(signals[0], &event1);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, &found),
		EFI_SUCCESS);
	assert_ptr_equal(found, h);

	/* Same interface again is fine. */
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface_b,
							  &iface_b),
			 EFI_SUCCESS);
	assert_int_equal(nsignals, 2);

	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_reinstall_protocol_interface(h, &guid_a, &iface_b,
							  &iface_a),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_handle_protocol(h, &guid_a, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_b);
	assert_int_equal(nsignals, 2);
}

/* ---- notifications ------------------------------------------------------ */

static void test_register_protocol_notify(void **state)
{
	EFI_HANDLE before = new_handle(&guid_a, &iface_a), h1, h2, found[2];
	VOID *reg, *reg2, *iface;
	UINTN size;

	(void)state;
	assert_int_equal(efi_register_protocol_notify(NULL, &event1, &reg),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_register_protocol_notify(&guid_a, NULL, &reg),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, NULL),
			 EFI_INVALID_PARAMETER);
	zalloc_fail_in = 1;
	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, &reg),
			 EFI_OUT_OF_RESOURCES);

	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, &reg),
			 EFI_SUCCESS);
	assert_int_equal(efi_register_protocol_notify(&guid_b, &event2, &reg2),
			 EFI_SUCCESS);
	/* Nothing new yet: what was there before does not count. */
	size = sizeof(found);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, found),
		EFI_NOT_FOUND);

	h1 = new_handle(&guid_a, &iface_b);
	assert_int_equal(nsignals, 1);
	assert_ptr_equal(signals[0], &event1);
	h2 = new_handle(&guid_c, &iface_c); /* nobody waits for C */
	assert_int_equal(nsignals, 1);
	assert_int_equal(efi_install_protocol_interface(
				 &h2, &guid_a, EFI_NATIVE_INTERFACE, &iface_c),
			 EFI_SUCCESS);
	assert_int_equal(nsignals, 2);
	assert_ptr_equal(signals[1], &event1);

	/* Parameter errors. */
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, NULL, &size, found),
		EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle(ByRegisterNotify, NULL, &event1,
					   &size, found),
			 EFI_INVALID_PARAMETER);

	/* Too small a buffer does not use up the handle. */
	size = 0;
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, NULL),
		EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	/* One handle per call, oldest first, however big the buffer. */
	size = sizeof(found);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, &guid_c, reg, &size, found),
		EFI_SUCCESS);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	assert_ptr_equal(found[0], h1);
	size = sizeof(found);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, found),
		EFI_SUCCESS);
	assert_ptr_equal(found[0], h2);
	size = sizeof(found);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, found),
		EFI_NOT_FOUND);
	(void)before;

	/* LocateProtocol with a registration walks the same way. */
	(void)new_handle(&guid_b, &iface_a);
	(void)new_handle(&guid_b, &iface_b);
	assert_int_equal(nsignals, 4);
	assert_int_equal(efi_locate_protocol(&guid_a, reg2, &iface),
			 EFI_NOT_FOUND); /* registration is for B */
	assert_int_equal(efi_locate_protocol(&guid_b, &event2, &iface),
			 EFI_NOT_FOUND); /* not a registration */
	assert_int_equal(efi_locate_protocol(&guid_b, reg2, &iface),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_a);
	assert_int_equal(efi_locate_protocol(&guid_b, reg2, &iface),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_b);
	assert_int_equal(efi_locate_protocol(&guid_b, reg2, &iface),
			 EFI_NOT_FOUND);
	assert_null(iface);
}

static void test_notify_uninstalled_and_unregistered(void **state)
{
	EFI_HANDLE h, found;
	UINTN size = sizeof(found);
	VOID *reg;

	(void)state;
	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, &reg),
			 EFI_SUCCESS);
	h = new_handle(&guid_a, &iface_a);
	assert_int_equal(nsignals, 1);
	/* Gone before the notification function looked: nothing new. */
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_SUCCESS);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, &found),
		EFI_NOT_FOUND);
	/* CloseEvent drops the registration. */
	efi_protocol_notify_unregister(&event1);
	(void)new_handle(&guid_a, &iface_a);
	assert_int_equal(nsignals, 1);
	assert_int_equal(
		efi_locate_handle(ByRegisterNotify, NULL, reg, &size, &found),
		EFI_INVALID_PARAMETER);
}

/* ---- searches ----------------------------------------------------------- */

static void test_locate_handle(void **state)
{
	EFI_HANDLE h1 = new_handle(&guid_a, &iface_a);
	EFI_HANDLE h2 = new_handle(&guid_b, &iface_b);
	EFI_HANDLE h3 = new_handle(&guid_a, &iface_c);
	EFI_HANDLE buf[4];
	UINTN size;

	(void)state;
	size = 0;
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	size = 2 * sizeof(EFI_HANDLE);
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, &size, buf),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	size = sizeof(buf);
	/* AllHandles ignores Protocol; handles come in creation order. */
	assert_int_equal(
		efi_locate_handle(AllHandles, &guid_c, NULL, &size, buf),
		EFI_SUCCESS);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h2);
	assert_ptr_equal(buf[2], h3);

	size = sizeof(buf);
	assert_int_equal(
		efi_locate_handle(ByProtocol, &guid_a, NULL, &size, buf),
		EFI_SUCCESS);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h3);
	size = sizeof(buf);
	assert_int_equal(
		efi_locate_handle(ByProtocol, &guid_c, NULL, &size, buf),
		EFI_NOT_FOUND);

	assert_int_equal(efi_locate_handle(ByProtocol, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, NULL, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_handle((EFI_LOCATE_SEARCH_TYPE)7, NULL,
					   NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	/* Big enough a size but no buffer. */
	size = sizeof(buf);
	assert_int_equal(efi_locate_handle(AllHandles, NULL, NULL, &size, NULL),
			 EFI_INVALID_PARAMETER);
}

static void test_locate_handle_buffer(void **state)
{
	EFI_HANDLE h1 = new_handle(&guid_a, &iface_a), *buf;
	EFI_HANDLE h2 = new_handle(&guid_a, &iface_b);
	UINTN n;

	(void)state;
	(void)new_handle(&guid_b, &iface_b);
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, &guid_a, NULL, &n, &buf),
		EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h2);
	efi_free_pool(buf);
	assert_int_equal(
		efi_locate_handle_buffer(AllHandles, NULL, NULL, &n, &buf),
		EFI_SUCCESS);
	assert_int_equal(n, 3);
	efi_free_pool(buf);

	buf = (EFI_HANDLE *)&n;
	n = 5;
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, &guid_c, NULL, &n, &buf),
		EFI_NOT_FOUND);
	assert_null(buf);
	assert_int_equal(n, 0);
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, NULL, NULL, &n, &buf),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, &guid_a, NULL, NULL, &buf),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, &guid_a, NULL, &n, NULL),
		EFI_INVALID_PARAMETER);
	pool_fail = true;
	assert_int_equal(
		efi_locate_handle_buffer(ByProtocol, &guid_a, NULL, &n, &buf),
		EFI_OUT_OF_RESOURCES);
	assert_null(buf);
	pool_fail = false;

	/* ByRegisterNotify: one handle at a time here too. */
	VOID *reg;

	assert_int_equal(efi_register_protocol_notify(&guid_c, &event1, &reg),
			 EFI_SUCCESS);
	EFI_HANDLE h3 = new_handle(&guid_c, &iface_c);

	assert_int_equal(
		efi_locate_handle_buffer(ByRegisterNotify, NULL, reg, &n, &buf),
		EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(buf[0], h3);
	efi_free_pool(buf);
	assert_int_equal(
		efi_locate_handle_buffer(ByRegisterNotify, NULL, reg, &n, &buf),
		EFI_NOT_FOUND);
}

static void test_locate_protocol(void **state)
{
	VOID *iface = &iface_d;

	(void)state;
	assert_int_equal(efi_locate_protocol(&guid_a, NULL, &iface),
			 EFI_NOT_FOUND);
	assert_null(iface);
	(void)new_handle(&guid_b, &iface_b);
	(void)new_handle(&guid_a, &iface_a);
	(void)new_handle(&guid_a, &iface_c);
	assert_int_equal(efi_locate_protocol(&guid_a, NULL, &iface),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_a);
	assert_int_equal(efi_locate_protocol(&guid_a, NULL, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_protocol(NULL, NULL, &iface),
			 EFI_INVALID_PARAMETER);
}

static void test_protocols_per_handle(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	EFI_GUID **guids;
	UINTN n;
	int not_a_handle;

	(void)state;
	assert_int_equal(efi_install_protocol_interface(
				 &h, &guid_c, EFI_NATIVE_INTERFACE, &iface_c),
			 EFI_SUCCESS);
	assert_int_equal(efi_protocols_per_handle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_memory_equal(guids[0], &guid_a, sizeof(EFI_GUID));
	assert_memory_equal(guids[1], &guid_c, sizeof(EFI_GUID));
	efi_free_pool(guids);

	assert_int_equal(efi_protocols_per_handle(NULL, &guids, &n),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(&not_a_handle, &guids, &n),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(h, NULL, &n),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_protocols_per_handle(h, &guids, NULL),
			 EFI_INVALID_PARAMETER);
	pool_fail = true;
	assert_int_equal(efi_protocols_per_handle(h, &guids, &n),
			 EFI_OUT_OF_RESOURCES);
}

/* ---- OpenProtocol, CloseProtocol, OpenProtocolInformation --------------- */

static void test_open_protocol_parameters(void **state)
{
	EFI_HANDLE agent = new_handle(&guid_c, &iface_c);
	EFI_HANDLE ctrl = new_handle(&guid_c, &iface_d);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	VOID *iface = &iface_d;
	int not_a_handle;
	EFI_HANDLE bogus = &not_a_handle;

	(void)state;
	assert_int_equal(efi_open_protocol(h, NULL, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_INVALID_PARAMETER);
	assert_null(iface);
	assert_int_equal(efi_open_protocol(h, &guid_a, NULL, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(NULL, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(bogus, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_INVALID_PARAMETER);
	/* Illegal attribute values. */
	static const UINT32 bad[] = {
		0,
		EFI_OPEN_PROTOCOL_GET_PROTOCOL |
			EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL,
		EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER |
			EFI_OPEN_PROTOCOL_EXCLUSIVE,
		EFI_OPEN_PROTOCOL_TEST_PROTOCOL | EFI_OPEN_PROTOCOL_EXCLUSIVE,
		0x40,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent,
						   ctrl, bad[i]),
				 EFI_INVALID_PARAMETER);
	/* Agent and controller checks per attribute. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, bogus, ctrl,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, bogus,
					   EFI_OPEN_PROTOCOL_BY_DRIVER |
						   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, NULL, ctrl,
					   EFI_OPEN_PROTOCOL_BY_DRIVER |
						   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, NULL, NULL,
					   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_open_protocol(h, &guid_a, &iface, bogus, ctrl,
				  EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_open_protocol(h, &guid_a, &iface, agent, NULL,
				  EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		efi_open_protocol(h, &guid_a, &iface, agent, h,
				  EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
		EFI_INVALID_PARAMETER);
	/* GET/BY_HANDLE/TEST ask nothing of the agent. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, bogus, bogus,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_a);
	assert_int_equal(efi_open_protocol(h, &guid_b, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_UNSUPPORTED);
	assert_null(iface);
	assert_int_equal(open_count(h, &guid_a, NULL), 1);
	zalloc_fail_in = 1;
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_OUT_OF_RESOURCES);
	assert_null(iface);
	assert_int_equal(open_count(h, &guid_a, NULL), 1);
}

static void test_open_protocol_modes(void **state)
{
	EFI_HANDLE drv1 = new_handle(&guid_c, &iface_c);
	EFI_HANDLE drv2 = new_handle(&guid_c, &iface_d);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	EFI_HANDLE child = new_handle(&guid_b, &iface_b);
	VOID *iface;
	UINT32 total;

	(void)state;
	/* TEST_PROTOCOL records nothing and leaves Interface alone. */
	iface = &iface_d;
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, NULL,
					   EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_d);
	assert_int_equal(efi_open_protocol(h, &guid_a, NULL, drv1, NULL,
					   EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_b, NULL, drv1, NULL,
					   EFI_OPEN_PROTOCOL_TEST_PROTOCOL),
			 EFI_UNSUPPORTED);
	assert_int_equal(open_count(h, &guid_a, NULL), 0);

	/* The same open twice counts up one record. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			efi_open_protocol(h, &guid_a, &iface, drv1, NULL,
					  EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, &total), 1);
	assert_int_equal(total, 2);

	/* BY_DRIVER: once per protocol; the holder is told ALREADY_STARTED. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_a);
	iface = NULL;
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ALREADY_STARTED);
	assert_ptr_equal(iface, &iface_a);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ACCESS_DENIED);
	assert_null(iface);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER |
						   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, NULL,
					   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_ACCESS_DENIED);
	/* GET_PROTOCOL and BY_CHILD_CONTROLLER still work meanwhile. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(
		efi_open_protocol(h, &guid_a, &iface, drv1, child,
				  EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
		EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, NULL), 4);

	/* OpenProtocolInformation lists the records in order. */
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n;

	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n),
			 EFI_SUCCESS);
	assert_int_equal(n, 4);
	assert_ptr_equal(e[0].AgentHandle, drv1);
	assert_null(e[0].ControllerHandle);
	assert_int_equal(e[0].Attributes, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	assert_int_equal(e[0].OpenCount, 2);
	assert_ptr_equal(e[1].ControllerHandle, h);
	assert_int_equal(e[1].Attributes, EFI_OPEN_PROTOCOL_BY_DRIVER);
	assert_int_equal(e[1].OpenCount, 1);
	assert_ptr_equal(e[3].ControllerHandle, child);
	assert_int_equal(e[3].Attributes,
			 EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER);
	efi_free_pool(e);

	/* After the driver lets go, EXCLUSIVE is possible, once. */
	assert_int_equal(efi_close_protocol(h, &guid_a, drv1, h), EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, NULL,
					   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, NULL,
					   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ACCESS_DENIED);
	assert_int_equal(efi_close_protocol(h, &guid_a, drv2, NULL),
			 EFI_SUCCESS);
	/* BY_DRIVER|EXCLUSIVE by drv1, then plain BY_DRIVER by drv1. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER |
						   EFI_OPEN_PROTOCOL_EXCLUSIVE),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv1, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ALREADY_STARTED);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, drv2, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_ACCESS_DENIED);
}

static void test_close_protocol(void **state)
{
	EFI_HANDLE agent = new_handle(&guid_c, &iface_c);
	EFI_HANDLE ctrl = new_handle(&guid_c, &iface_d);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	int not_a_handle;
	VOID *iface;

	(void)state;
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, agent, ctrl,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_close_protocol(NULL, &guid_a, agent, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, NULL, agent, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_a, NULL, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_a, &not_a_handle, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, &not_a_handle),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_close_protocol(h, &guid_b, agent, NULL),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_close_protocol(h, &guid_a, ctrl, NULL),
			 EFI_NOT_FOUND);
	/* Agent and controller must both match. */
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, NULL),
			 EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, NULL), 1);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, NULL),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_close_protocol(h, &guid_a, agent, ctrl),
			 EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, NULL), 0);
}

static void test_open_protocol_information(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	int not_a_handle;
	UINTN n;

	(void)state;
	/* No opens: a buffer to free all the same, and a zero count. */
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n),
			 EFI_SUCCESS);
	assert_int_equal(n, 0);
	assert_non_null(e);
	efi_free_pool(e);
	assert_int_equal(efi_open_protocol_information(h, &guid_b, &e, &n),
			 EFI_NOT_FOUND);
	assert_int_equal(
		efi_open_protocol_information(&not_a_handle, &guid_a, &e, &n),
		EFI_NOT_FOUND);
	assert_int_equal(efi_open_protocol_information(h, NULL, &e, &n),
			 EFI_NOT_FOUND);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, NULL, &n),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, NULL),
			 EFI_INVALID_PARAMETER);
	pool_fail = true;
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n),
			 EFI_OUT_OF_RESOURCES);
}

/* HandleProtocol opens BY_HANDLE_PROTOCOL on the firmware's behalf. */
static void test_handle_protocol_records_firmware(void **state)
{
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	VOID *iface;
	UINTN n;

	(void)state;
	fw_handle = new_handle(&guid_c, &iface_c);
	for (int i = 0; i < 3; i++)
		assert_int_equal(efi_handle_protocol(h, &guid_a, &iface),
				 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol_information(h, &guid_a, &e, &n),
			 EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(e[0].AgentHandle, fw_handle);
	assert_null(e[0].ControllerHandle);
	assert_int_equal(e[0].Attributes, EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL);
	assert_int_equal(e[0].OpenCount, 3);
	efi_free_pool(e);
	assert_int_equal(efi_close_protocol(h, &guid_a, fw_handle, NULL),
			 EFI_SUCCESS);
	assert_int_equal(open_count(h, &guid_a, NULL), 0);
}

/* ---- multiple interfaces ------------------------------------------------ */

/* VenMedia(guid)/End in a buffer of its own. */
struct vendor_path {
	uint8_t bytes[DEVPATH_VENDOR_MEDIA_SIZE];
};

static void make_vendor_path(struct vendor_path *p, const EFI_GUID *guid)
{
	assert_int_equal(devpath_vendor_media(p->bytes, sizeof(p->bytes),
					      (const uint8_t *)guid),
			 DEVPATH_VENDOR_MEDIA_SIZE);
}

static void test_install_multiple(void **state)
{
	EFI_HANDLE h = NULL, h2 = NULL, keep;
	struct vendor_path dp1, dp1_copy, dp2;
	VOID *reg, *iface;
	int not_a_handle;

	(void)state;
	make_vendor_path(&dp1, &guid_a);
	make_vendor_path(&dp1_copy, &guid_a);
	make_vendor_path(&dp2, &guid_b);
	assert_int_equal(efi_register_protocol_notify(&guid_a, &event1, &reg),
			 EFI_SUCCESS);

	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 NULL, &guid_a, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	h2 = &not_a_handle;
	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &h2, &guid_a, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	h2 = NULL;

	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &h, &dp_guid, &dp1, &guid_a, &iface_a, &guid_b,
				 &iface_b, NULL),
			 EFI_SUCCESS);
	assert_true(efi_handle_is_valid(h));
	assert_int_equal(efi_handle_protocol(h, &guid_b, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_b);
	assert_int_equal(nsignals, 1);

	/* Same device path (equal bytes elsewhere): ALREADY_STARTED. */
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&h2, &guid_c, &iface_c, &dp_guid, &dp1_copy, NULL),
		EFI_ALREADY_STARTED);
	assert_null(h2);
	/* A GUID twice: rolled back, the new handle is gone again. */
	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &h2, &guid_a, &iface_c, &guid_c, &iface_c,
				 &guid_a, &iface_c, NULL),
			 EFI_INVALID_PARAMETER);
	assert_null(h2);
	assert_int_equal(count_handles(AllHandles, NULL), 1);
	assert_int_equal(count_handles(ByProtocol, &guid_c), 0);
	/* Out of memory half way. */
	zalloc_fail_in = 3;
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&h2, &guid_a, &iface_c, &guid_c, &iface_c, NULL),
		EFI_OUT_OF_RESOURCES);
	assert_null(h2);
	assert_int_equal(nsignals, 1); /* failures notified nobody */

	/* On an existing handle a failure keeps what was there. */
	keep = h;
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&h, &guid_c, &iface_c, &guid_b, &iface_a, NULL),
		EFI_INVALID_PARAMETER);
	assert_ptr_equal(h, keep);
	assert_int_equal(count_handles(ByProtocol, &guid_c), 0);
	assert_int_equal(efi_handle_protocol(h, &guid_b, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &iface_b);

	/* A different device path is fine; an empty list does nothing. */
	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &h2, &dp_guid, &dp2, &guid_a, &iface_c, NULL),
			 EFI_SUCCESS);
	assert_int_equal(nsignals, 2);
	EFI_HANDLE h3 = NULL;

	assert_int_equal(efi_install_multiple_protocol_interfaces(&h3, NULL),
			 EFI_SUCCESS);
	assert_null(h3);
	assert_int_equal(efi_install_multiple_protocol_interfaces(&h2, NULL),
			 EFI_SUCCESS);
	assert_int_equal(count_handles(AllHandles, NULL), 2);
}

static void test_uninstall_multiple(void **state)
{
	EFI_HANDLE agent = new_handle(&guid_c, &iface_c), h = NULL;
	VOID *iface;
	int not_a_handle;

	(void)state;
	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &h, &guid_a, &iface_a, &guid_b, &iface_b,
				 &guid_c, &iface_c, NULL),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 NULL, &guid_a, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 &not_a_handle, &guid_a, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	/* Any bad pair and nothing is removed. */
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 h, &guid_a, &iface_a, &guid_b, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 h, &guid_a, &iface_a, &guid_a, &iface_a, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_open_protocol(h, &guid_c, &iface, agent, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 h, &guid_a, &iface_a, &guid_b, &iface_b,
				 &guid_c, &iface_c, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(count_handles(ByProtocol, &guid_a), 1);
	assert_int_equal(count_handles(ByProtocol, &guid_b), 1);
	/* Every protocol but the held one, then that one too. */
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 h, &guid_b, &iface_b, &guid_a, &iface_a, NULL),
			 EFI_SUCCESS);
	assert_true(efi_handle_is_valid(h));
	assert_int_equal(count_handles(ByProtocol, &guid_a), 0);
	assert_int_equal(efi_close_protocol(h, &guid_c, agent, h), EFI_SUCCESS);
	assert_int_equal(efi_uninstall_multiple_protocol_interfaces(
				 h, &guid_c, &iface_c, NULL),
			 EFI_SUCCESS);
	assert_false(efi_handle_is_valid(h));
}

/* ---- handle deletion ---------------------------------------------------- */

static void test_handle_delete(void **state)
{
	EFI_HANDLE image = new_handle(&guid_c, &iface_c);
	EFI_HANDLE h = new_handle(&guid_a, &iface_a);
	int not_a_handle;
	VOID *iface;

	(void)state;
	/* The image opens things as agent, and is opened itself. */
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, image, NULL,
					   EFI_OPEN_PROTOCOL_GET_PROTOCOL),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(h, &guid_a, &iface, image, h,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	assert_int_equal(efi_open_protocol(image, &guid_c, &iface, h, image,
					   EFI_OPEN_PROTOCOL_BY_DRIVER),
			 EFI_SUCCESS);
	efi_handle_delete(&not_a_handle); /* ignored */
	efi_handle_delete(NULL);
	/* Deleted whatever is open on it, and its opens elsewhere go. */
	efi_handle_delete(image);
	assert_false(efi_handle_is_valid(image));
	assert_int_equal(open_count(h, &guid_a, NULL), 0);
	assert_int_equal(efi_uninstall_protocol_interface(h, &guid_a, &iface_a),
			 EFI_SUCCESS);
	assert_int_equal(count_handles(AllHandles, NULL), 0);
}

/* ---- LocateDevicePath --------------------------------------------------- */

static EFI_STATUS EFIAPI fake_load_file(EFI_LOAD_FILE_PROTOCOL *this,
					EFI_DEVICE_PATH_PROTOCOL *path,
					BOOLEAN boot_policy, UINTN *size,
					VOID *buffer)
{
	(void)this;
	(void)buffer;
	assert_true(efi_dp_is_end(path));
	assert_false(boot_policy);
	*size = 1234;
	return EFI_BUFFER_TOO_SMALL;
}

/* What Linux's EFI stub does to find its initrd (efi_load_initrd_dev_path). */
static void test_locate_device_path_initrd(void **state)
{
	static const EFI_GUID initrd_guid = LINUX_EFI_INITRD_MEDIA_GUID;
	static const uint8_t expected[] = {
		0x04, 0x03, 0x14, 0x00, 0x27, 0xe4, 0x68, 0x55,
		0xfc, 0x68, 0x3d, 0x4f, 0xac, 0x74, 0xca, 0x55,
		0x52, 0x31, 0xcc, 0x68, 0x7f, 0xff, 0x04, 0x00,
	};
	EFI_LOAD_FILE2_PROTOCOL lf2 = {fake_load_file}, *found_lf2;
	struct vendor_path installed, query;
	EFI_DEVICE_PATH_PROTOCOL *dp;
	EFI_HANDLE h = NULL, handle;
	UINTN size = 0;

	(void)state;
	make_vendor_path(&installed, &initrd_guid);
	assert_memory_equal(installed.bytes, expected, sizeof(expected));
	/* Some other handle with LoadFile2 and another path, as a decoy. */
	struct vendor_path other;
	EFI_HANDLE decoy = NULL;

	make_vendor_path(&other, &guid_a);
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&decoy, &dp_guid, &other, &lf2_guid, &lf2, NULL),
		EFI_SUCCESS);
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&h, &dp_guid, &installed, &lf2_guid, &lf2, NULL),
		EFI_SUCCESS);

	/* The stub's own copy of the path, not the installed one. */
	make_vendor_path(&query, &initrd_guid);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)query.bytes;
	assert_int_equal(efi_locate_device_path(&lf2_guid, &dp, &handle),
			 EFI_SUCCESS);
	assert_ptr_equal(handle, h);
	assert_ptr_equal(dp, query.bytes + DEVPATH_HDR_SIZE + 16);
	assert_true(efi_dp_is_end(dp));
	assert_int_equal(
		efi_handle_protocol(handle, &lf2_guid, (VOID **)&found_lf2),
		EFI_SUCCESS);
	assert_ptr_equal(found_lf2, &lf2);
	assert_int_equal(found_lf2->LoadFile(found_lf2, dp, FALSE, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 1234);

	/* Without an initrd handle: NOT_FOUND, and the path is untouched. */
	assert_int_equal(
		efi_uninstall_multiple_protocol_interfaces(
			h, &dp_guid, &installed, &lf2_guid, &lf2, NULL),
		EFI_SUCCESS);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)query.bytes;
	assert_int_equal(efi_locate_device_path(&lf2_guid, &dp, &handle),
			 EFI_NOT_FOUND);
	assert_ptr_equal(dp, query.bytes);
}

/* Append a node of @len bytes (header included) to @p at *@off. */
static void put_node(uint8_t *p, size_t *off, uint8_t type, uint8_t subtype,
		     uint16_t len, uint8_t fill)
{
	p[*off] = type;
	p[*off + 1] = subtype;
	p[*off + 2] = (uint8_t)len;
	p[*off + 3] = (uint8_t)(len >> 8);
	memset(p + *off + 4, fill, len - 4u);
	*off += len;
}

static void test_locate_device_path_longest_prefix(void **state)
{
	/* PathA = Hw(1)/End, PathAB = Hw(1)/Hw(2)/End, query Hw1/Hw2/Hw3. */
	uint8_t a[16], ab[32], abc[48], bad[8];
	size_t la = 0, lab = 0, labc = 0;
	EFI_HANDLE ha = NULL, hab = NULL, hab_no_proto = NULL, found;
	EFI_DEVICE_PATH_PROTOCOL *dp;
	uint8_t end_only[4];

	(void)state;
	put_node(a, &la, 1, 1, 6, 0x11);
	put_node(a, &la, 0x7f, 0xff, 4, 0);
	put_node(ab, &lab, 1, 1, 6, 0x11);
	put_node(ab, &lab, 1, 1, 6, 0x22);
	put_node(ab, &lab, 0x7f, 0xff, 4, 0);
	put_node(abc, &labc, 1, 1, 6, 0x11);
	put_node(abc, &labc, 1, 1, 6, 0x22);
	put_node(abc, &labc, 1, 1, 6, 0x33);
	put_node(abc, &labc, 0x7f, 0xff, 4, 0);

	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &ha, &dp_guid, a, &guid_a, &iface_a, NULL),
			 EFI_SUCCESS);
	/* Longer match, but without the protocol asked for. */
	assert_int_equal(
		efi_install_multiple_protocol_interfaces(
			&hab_no_proto, &dp_guid, ab, &guid_b, &iface_b, NULL),
		EFI_SUCCESS);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_SUCCESS);
	assert_ptr_equal(found, ha);
	assert_ptr_equal(dp, abc + 6);

	/* Now a handle with both: it wins, being the longer prefix. */
	assert_int_equal(
		efi_uninstall_protocol_interface(hab_no_proto, &dp_guid, ab),
		EFI_SUCCESS);
	assert_int_equal(efi_install_multiple_protocol_interfaces(
				 &hab, &dp_guid, ab, &guid_a, &iface_b, NULL),
			 EFI_SUCCESS);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_SUCCESS);
	assert_ptr_equal(found, hab);
	assert_ptr_equal(dp, abc + 12);
	/* Exact match: the rest is the End node. */
	dp = (EFI_DEVICE_PATH_PROTOCOL *)ab;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_SUCCESS);
	assert_ptr_equal(found, hab);
	assert_true(efi_dp_is_end(dp));
	/* Shorter than every installed path: no match. */
	devpath_end(end_only, sizeof(end_only));
	dp = (EFI_DEVICE_PATH_PROTOCOL *)end_only;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_NOT_FOUND);
	/* A node differing in its data bytes does not match either. */
	abc[4] = 0x99;
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_NOT_FOUND);
	abc[4] = 0x11;

	/* Parameter errors. */
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(efi_locate_device_path(NULL, &dp, &found),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_locate_device_path(&guid_a, NULL, &found),
			 EFI_INVALID_PARAMETER);
	dp = NULL;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_INVALID_PARAMETER);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(
		efi_locate_device_path(&guid_a, &dp, NULL),
		EFI_INVALID_PARAMETER); /* a match, nowhere to put it */
	assert_ptr_equal(dp, abc);
	assert_int_equal(efi_locate_device_path(&guid_c, &dp, NULL),
			 EFI_NOT_FOUND);
	/* A node shorter than its header: malformed. */
	size_t lbad = 0;

	put_node(bad, &lbad, 1, 1, 4, 0);
	bad[2] = 2;
	put_node(bad, &lbad, 0x7f, 0xff, 4, 0);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)bad;
	assert_int_equal(efi_locate_device_path(&guid_a, &dp, &found),
			 EFI_INVALID_PARAMETER);

	/*
	 * Equal matches (only InstallProtocolInterface allows equal paths):
	 * the oldest handle wins.
	 */
	uint8_t a2[sizeof(a)];
	EFI_HANDLE hx = new_handle(&guid_c, &iface_c);
	EFI_HANDLE hy = new_handle(&guid_c, &iface_d);

	memcpy(a2, a, sizeof(a));
	assert_int_equal(efi_install_protocol_interface(
				 &hx, &dp_guid, EFI_NATIVE_INTERFACE, a),
			 EFI_SUCCESS);
	assert_int_equal(efi_install_protocol_interface(
				 &hy, &dp_guid, EFI_NATIVE_INTERFACE, a2),
			 EFI_SUCCESS);
	dp = (EFI_DEVICE_PATH_PROTOCOL *)abc;
	assert_int_equal(efi_locate_device_path(&guid_c, &dp, &found),
			 EFI_SUCCESS);
	assert_ptr_equal(found, hx);
	assert_ptr_equal(dp, abc + 6);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_install_and_handle_protocol),
		T(test_install_errors),
		T(test_install_out_of_memory),
		T(test_uninstall),
		T(test_uninstall_open_protocol),
		T(test_reinstall),
		T(test_register_protocol_notify),
		T(test_notify_uninstalled_and_unregistered),
		T(test_locate_handle),
		T(test_locate_handle_buffer),
		T(test_locate_protocol),
		T(test_protocols_per_handle),
		T(test_open_protocol_parameters),
		T(test_open_protocol_modes),
		T(test_close_protocol),
		T(test_open_protocol_information),
		T(test_handle_protocol_records_firmware),
		T(test_install_multiple),
		T(test_uninstall_multiple),
		T(test_handle_delete),
		T(test_locate_device_path_initrd),
		T(test_locate_device_path_longest_prefix),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
