// SPDX-License-Identifier: MIT
/*
 * The handle database and the protocol handler services (UEFI 2.10, section
 * 7.3).
 *
 * A handle is a pointer to a struct handle that this file allocated. Handles
 * from callers are checked against the list before use, never dereferenced
 * blindly. Each handle carries a list of protocol instances (at most one per
 * GUID, section 7.3.2) and each instance a list of OpenProtocol() records.
 * A handle exists only while it has a protocol: removing the last one frees
 * it (section 7.3.3).
 *
 * Simplified driver model: mmuon has no ConnectController/
 * DisconnectController, so where the spec would disconnect the drivers that
 * hold an interface BY_DRIVER or EXCLUSIVE (uninstall, reinstall, an
 * EXCLUSIVE open), that disconnect is taken to fail and the answer is
 * EFI_ACCESS_DENIED.
 *
 * Protocol notifications: every installed (or reinstalled) instance gets a
 * sequence number from a global counter, and a registration remembers the
 * newest number it has handed out. "The next new handle" for
 * LocateHandle(ByRegisterNotify) and LocateProtocol(Registration) is the
 * matching instance with the smallest number above that, so nothing needs
 * queueing and uninstalled instances simply drop out.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <efi/efi.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>

struct open_info {
	struct open_info *next;
	EFI_HANDLE agent;
	EFI_HANDLE controller;
	UINT32 attributes;
	UINT32 count;
};

struct prot {
	struct prot *next;
	EFI_GUID guid; /* a copy: the caller's GUID may live on its stack */
	VOID *interface;
	UINT64 seq;
	/*
	 * Part of an unfinished (Un)InstallMultipleProtocolInterfaces():
	 * newly added and not yet committed, or marked for removal.
	 */
	bool pending;
	struct open_info *opens;
};

struct handle {
	struct handle *next;
	struct prot *prots;
};

struct notify_reg {
	struct notify_reg *next;
	EFI_GUID guid;
	EFI_EVENT event;
	UINT64 seen; /* seq of the last instance returned to the client */
};

/* Opens that only a driver model could end: they block removal. */
#define OPEN_HELD                                                              \
	(EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE |           \
	 EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER)

static struct handle *handles; /* in creation order */
static struct notify_reg *notify_regs;
static UINT64 install_seq;

static const EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;

/* ---- lookups ------------------------------------------------------------ */

static struct handle *handle_lookup(EFI_HANDLE handle)
{
	for (struct handle *h = handles; h; h = h->next)
		if (h == handle)
			return h;
	return NULL;
}

bool efi_handle_is_valid(EFI_HANDLE handle)
{
	return handle && handle_lookup(handle);
}

static struct prot *prot_find(const struct handle *h, const EFI_GUID *guid)
{
	for (struct prot *p = h->prots; p; p = p->next)
		if (efi_guid_equal(&p->guid, guid))
			return p;
	return NULL;
}

static struct notify_reg *reg_lookup(const VOID *registration)
{
	for (struct notify_reg *r = notify_regs; r; r = r->next)
		if (r == registration)
			return r;
	return NULL;
}

/* The oldest instance of @r's protocol installed after what @r has seen. */
static struct prot *reg_next(const struct notify_reg *r, struct handle **owner)
{
	struct prot *best = NULL, *p;

	for (struct handle *h = handles; h; h = h->next) {
		p = prot_find(h, &r->guid);
		if (p && p->seq > r->seen && (!best || p->seq < best->seq)) {
			best = p;
			*owner = h;
		}
	}
	return best;
}

/* ---- lifetime of handles, instances and open records -------------------- */

static void open_unlink_free(struct open_info **link)
{
	struct open_info *o = *link;

	*link = o->next;
	efi_free(o);
}

static void prot_close_all(struct prot *p)
{
	while (p->opens)
		open_unlink_free(&p->opens);
}

/* Whether an agent still holds @p in a way only DisconnectController ends. */
static bool prot_held(const struct prot *p)
{
	for (const struct open_info *o = p->opens; o; o = o->next)
		if (o->attributes & OPEN_HELD)
			return true;
	return false;
}

static struct handle *handle_new(void)
{
	struct handle *h = efi_zalloc(sizeof(*h)), **link;

	if (!h)
		return NULL;
	for (link = &handles; *link; link = &(*link)->next)
		;
	*link = h;
	return h;
}

/*
 * Open records naming a dead handle as agent or controller would match a
 * later handle that reuses its address, so they go with it (as UnloadImage
 * closes what the image opened).
 */
static void opens_forget_handle(EFI_HANDLE gone)
{
	struct open_info **link;

	for (struct handle *h = handles; h; h = h->next) {
		for (struct prot *p = h->prots; p; p = p->next) {
			for (link = &p->opens; *link;) {
				if ((*link)->agent == gone ||
				    (*link)->controller == gone)
					open_unlink_free(link);
				else
					link = &(*link)->next;
			}
		}
	}
}

static void handle_free(struct handle *h)
{
	struct handle **link;
	struct prot *p;

	for (link = &handles; *link != h; link = &(*link)->next)
		;
	*link = h->next;
	while ((p = h->prots)) {
		h->prots = p->next;
		prot_close_all(p);
		efi_free(p);
	}
	opens_forget_handle(h);
	efi_free(h);
}

void efi_handle_delete(EFI_HANDLE handle)
{
	struct handle *h = handle_lookup(handle);

	if (h)
		handle_free(h);
}

/*
 * Free the pending instances of @h (rolled-back installs or committed
 * removals), closing their remaining GET/BY_HANDLE opens as section 7.3.3
 * says, and the handle too once it has nothing left.
 */
static void handle_drop_pending(struct handle *h)
{
	struct prot **link = &h->prots, *p;

	while ((p = *link)) {
		if (!p->pending) {
			link = &p->next;
			continue;
		}
		*link = p->next;
		prot_close_all(p);
		efi_free(p);
	}
	if (!h->prots)
		handle_free(h);
}

static void handle_clear_pending(struct handle *h)
{
	for (struct prot *p = h->prots; p; p = p->next)
		p->pending = false;
}

/* ---- install and uninstall ---------------------------------------------- */

/* *@handle NULL makes a new handle, otherwise it must be one of ours. */
static EFI_STATUS install_target(EFI_HANDLE *handle, struct handle **h)
{
	if (!handle)
		return EFI_INVALID_PARAMETER;
	if (*handle) {
		*h = handle_lookup(*handle);
		return *h ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
	}
	*h = handle_new();
	return *h ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

/* Adds a pending instance; one per GUID per handle (section 7.3.2). */
static EFI_STATUS prot_add(struct handle *h, const EFI_GUID *guid,
			   VOID *interface)
{
	struct prot *p, **link;

	if (!guid || prot_find(h, guid))
		return EFI_INVALID_PARAMETER;
	p = efi_zalloc(sizeof(*p));
	if (!p)
		return EFI_OUT_OF_RESOURCES;
	p->guid = *guid;
	p->interface = interface;
	p->seq = ++install_seq;
	p->pending = true;
	for (link = &h->prots; *link; link = &(*link)->next)
		;
	*link = p;
	return EFI_SUCCESS;
}

/*
 * Signal the events registered for @guid. TPL_NOTIFY keeps their
 * notification functions from running, and perhaps closing events or
 * changing the database, until the walk is done (section 7.1).
 */
static void notify_installed(const EFI_GUID *guid)
{
	EFI_TPL old = efi_raise_tpl(TPL_NOTIFY);

	for (struct notify_reg *r = notify_regs; r; r = r->next)
		if (efi_guid_equal(&r->guid, guid))
			efi_signal_event(r->event);
	efi_restore_tpl(old);
}

/*
 * Commit (or on error roll back) the pending instances of an install into
 * @h. All or nothing: a rolled-back new handle disappears again and
 * *@handle keeps its old value.
 */
static EFI_STATUS install_finish(EFI_HANDLE *handle, struct handle *h,
				 EFI_STATUS status)
{
	EFI_TPL old;

	if (EFI_ERROR(status) || !h->prots) {
		handle_drop_pending(h);
		return status;
	}
	*handle = h;
	old = efi_raise_tpl(TPL_NOTIFY);
	for (struct prot *p = h->prots; p; p = p->next) {
		if (p->pending) {
			p->pending = false;
			notify_installed(&p->guid);
		}
	}
	efi_restore_tpl(old);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_install_protocol_interface(
	EFI_HANDLE *handle, EFI_GUID *protocol,
	EFI_INTERFACE_TYPE interface_type, VOID *interface)
{
	struct handle *h;
	EFI_STATUS status;

	if (!protocol || interface_type != EFI_NATIVE_INTERFACE)
		return EFI_INVALID_PARAMETER;
	status = install_target(handle, &h);
	if (EFI_ERROR(status))
		return status;
	return install_finish(handle, h, prot_add(h, protocol, interface));
}

/* Whether device path @dp is already on some handle (section 7.3.16). */
static bool device_path_installed(const VOID *dp)
{
	struct prot *p;

	for (struct handle *h = handles; h; h = h->next) {
		p = prot_find(h, &device_path_guid);
		if (p && p->interface &&
		    devpath_equal(p->interface, dp, DEVPATH_MAX_SIZE))
			return true;
	}
	return false;
}

EFI_STATUS EFIAPI efi_install_multiple_protocol_interfaces(EFI_HANDLE *handle,
							   ...)
{
	struct handle *h;
	EFI_STATUS status;
	EFI_GUID *guid;
	VOID *interface;
	va_list args;

	status = install_target(handle, &h);
	if (EFI_ERROR(status))
		return status;
	va_start(args, handle);
	while ((guid = va_arg(args, EFI_GUID *))) {
		interface = va_arg(args, VOID *);
		if (efi_guid_equal(guid, &device_path_guid) && interface &&
		    device_path_installed(interface)) {
			status = EFI_ALREADY_STARTED;
			break;
		}
		status = prot_add(h, guid, interface);
		if (EFI_ERROR(status))
			break;
	}
	va_end(args);
	return install_finish(handle, h, status);
}

/* Mark one instance for removal; nothing changes until it is committed. */
static EFI_STATUS prot_mark_removal(struct handle *h, const EFI_GUID *guid,
				    VOID *interface)
{
	struct prot *p;

	if (!guid)
		return EFI_INVALID_PARAMETER;
	p = prot_find(h, guid);
	if (!p || p->interface != interface || p->pending)
		return EFI_NOT_FOUND;
	if (prot_held(p))
		return EFI_ACCESS_DENIED;
	p->pending = true;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_uninstall_protocol_interface(EFI_HANDLE handle,
						   EFI_GUID *protocol,
						   VOID *interface)
{
	struct handle *h = handle_lookup(handle);
	EFI_STATUS status;

	if (!h || !protocol)
		return EFI_INVALID_PARAMETER;
	status = prot_mark_removal(h, protocol, interface);
	if (EFI_ERROR(status))
		return status;
	handle_drop_pending(h);
	return EFI_SUCCESS;
}

/*
 * All or nothing (section 7.3.17): every pair is checked and marked before
 * any is removed, so a failure leaves the handle as it was. The spec knows
 * only EFI_INVALID_PARAMETER as the failure.
 */
EFI_STATUS EFIAPI efi_uninstall_multiple_protocol_interfaces(EFI_HANDLE handle,
							     ...)
{
	struct handle *h = handle_lookup(handle);
	EFI_STATUS status = EFI_SUCCESS;
	EFI_GUID *guid;
	va_list args;

	if (!h)
		return EFI_INVALID_PARAMETER;
	va_start(args, handle);
	while ((guid = va_arg(args, EFI_GUID *))) {
		status = prot_mark_removal(h, guid, va_arg(args, VOID *));
		if (EFI_ERROR(status))
			break;
	}
	va_end(args);
	if (EFI_ERROR(status)) {
		handle_clear_pending(h);
		return EFI_INVALID_PARAMETER;
	}
	handle_drop_pending(h);
	return EFI_SUCCESS;
}

/*
 * Section 7.3.4: like an uninstall followed by an install of the new
 * interface, which counts as new for protocol notifications.
 */
EFI_STATUS EFIAPI efi_reinstall_protocol_interface(EFI_HANDLE handle,
						   EFI_GUID *protocol,
						   VOID *old_interface,
						   VOID *new_interface)
{
	struct handle *h = handle_lookup(handle);
	struct prot *p;

	if (!h || !protocol)
		return EFI_INVALID_PARAMETER;
	p = prot_find(h, protocol);
	if (!p || p->interface != old_interface)
		return EFI_NOT_FOUND;
	if (prot_held(p))
		return EFI_ACCESS_DENIED;
	prot_close_all(p);
	p->interface = new_interface;
	p->seq = ++install_seq;
	notify_installed(&p->guid);
	return EFI_SUCCESS;
}

/* ---- notifications ------------------------------------------------------ */

EFI_STATUS EFIAPI efi_register_protocol_notify(EFI_GUID *protocol,
					       EFI_EVENT event,
					       VOID **registration)
{
	struct notify_reg *r;

	if (!protocol || !event || !registration)
		return EFI_INVALID_PARAMETER;
	r = efi_zalloc(sizeof(*r));
	if (!r)
		return EFI_OUT_OF_RESOURCES;
	r->guid = *protocol;
	r->event = event;
	r->seen = install_seq; /* only what is installed from now on */
	r->next = notify_regs;
	notify_regs = r;
	*registration = r;
	return EFI_SUCCESS;
}

void efi_protocol_notify_unregister(EFI_EVENT event)
{
	struct notify_reg **link = &notify_regs, *r;

	while ((r = *link)) {
		if (r->event == event) {
			*link = r->next;
			efi_free(r);
		} else {
			link = &r->next;
		}
	}
}

/* ---- searches ----------------------------------------------------------- */

/* Count the handles of an AllHandles/ByProtocol search, storing them too. */
static UINTN collect_handles(const EFI_GUID *protocol, EFI_HANDLE *out)
{
	UINTN n = 0;

	for (struct handle *h = handles; h; h = h->next) {
		if (protocol && !prot_find(h, protocol))
			continue;
		if (out)
			out[n] = h;
		n++;
	}
	return n;
}

EFI_STATUS EFIAPI efi_locate_handle(EFI_LOCATE_SEARCH_TYPE search_type,
				    EFI_GUID *protocol, VOID *search_key,
				    UINTN *buffer_size, EFI_HANDLE *buffer)
{
	struct notify_reg *reg = NULL;
	struct handle *owner = NULL;
	struct prot *next = NULL;
	UINTN count, need;

	if (!buffer_size)
		return EFI_INVALID_PARAMETER;
	switch (search_type) {
	case AllHandles:
		count = collect_handles(NULL, NULL);
		break;
	case ByProtocol:
		if (!protocol)
			return EFI_INVALID_PARAMETER;
		count = collect_handles(protocol, NULL);
		break;
	case ByRegisterNotify:
		/* One new handle per call; the caller loops (7.3.9). */
		reg = reg_lookup(search_key);
		if (!reg)
			return EFI_INVALID_PARAMETER;
		next = reg_next(reg, &owner);
		count = next ? 1 : 0;
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (!count)
		return EFI_NOT_FOUND;
	need = count * sizeof(EFI_HANDLE);
	if (*buffer_size < need) {
		*buffer_size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buffer)
		return EFI_INVALID_PARAMETER;
	*buffer_size = need;
	if (next) {
		buffer[0] = owner;
		reg->seen = next->seq;
	} else {
		collect_handles(search_type == ByProtocol ? protocol : NULL,
				buffer);
	}
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_locate_handle_buffer(EFI_LOCATE_SEARCH_TYPE search_type,
					   EFI_GUID *protocol, VOID *search_key,
					   UINTN *no_handles,
					   EFI_HANDLE **buffer)
{
	UINTN size = 0;
	EFI_STATUS status;
	VOID *pool;

	if (!no_handles || !buffer)
		return EFI_INVALID_PARAMETER;
	*no_handles = 0;
	*buffer = NULL;
	/* Every success has at least one handle, so a 0 size is too small. */
	status = efi_locate_handle(search_type, protocol, search_key, &size,
				   NULL);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status;
	if (EFI_ERROR(efi_allocate_pool(EfiBootServicesData, size, &pool)))
		return EFI_OUT_OF_RESOURCES;
	status = efi_locate_handle(search_type, protocol, search_key, &size,
				   pool);
	if (EFI_ERROR(status)) {
		efi_free_pool(pool);
		return status;
	}
	*buffer = pool;
	*no_handles = size / sizeof(EFI_HANDLE);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_locate_protocol(EFI_GUID *protocol, VOID *registration,
				      VOID **interface)
{
	struct handle *owner;
	struct notify_reg *reg;
	struct prot *p = NULL;

	if (!interface)
		return EFI_INVALID_PARAMETER;
	*interface = NULL;
	if (!protocol)
		return EFI_INVALID_PARAMETER;
	if (registration) {
		reg = reg_lookup(registration);
		if (!reg || !efi_guid_equal(&reg->guid, protocol))
			return EFI_NOT_FOUND;
		p = reg_next(reg, &owner);
		if (!p)
			return EFI_NOT_FOUND;
		reg->seen = p->seq;
	} else {
		for (struct handle *h = handles; h && !p; h = h->next)
			p = prot_find(h, protocol);
		if (!p)
			return EFI_NOT_FOUND;
	}
	*interface = p->interface;
	return EFI_SUCCESS;
}

/*
 * Section 7.3.10: the handle supporting @protocol whose device path is the
 * longest node-wise prefix of *@device_path; *@device_path moves past it.
 */
EFI_STATUS EFIAPI efi_locate_device_path(EFI_GUID *protocol,
					 EFI_DEVICE_PATH_PROTOCOL **device_path,
					 EFI_HANDLE *device)
{
	struct handle *best = NULL;
	size_t best_len = 0, len;
	struct prot *dp;
	UINT8 *path;

	if (!protocol || !device_path || !*device_path)
		return EFI_INVALID_PARAMETER;
	path = (UINT8 *)*device_path;
	if (!devpath_size(path, DEVPATH_MAX_SIZE))
		return EFI_INVALID_PARAMETER;
	for (struct handle *h = handles; h; h = h->next) {
		if (!prot_find(h, protocol))
			continue;
		dp = prot_find(h, &device_path_guid);
		if (!dp || !dp->interface ||
		    !devpath_is_prefix(dp->interface, path, DEVPATH_MAX_SIZE,
				       &len))
			continue;
		if (!best || len > best_len) {
			best = h;
			best_len = len;
		}
	}
	if (!best)
		return EFI_NOT_FOUND;
	if (!device)
		return EFI_INVALID_PARAMETER;
	*device = best;
	*device_path = (EFI_DEVICE_PATH_PROTOCOL *)(path + best_len);
	return EFI_SUCCESS;
}

/* ---- OpenProtocol and friends ------------------------------------------- */

/* Section 7.3.12: the legal attribute values and the handles each needs. */
static EFI_STATUS open_check_handles(EFI_HANDLE handle, EFI_HANDLE agent,
				     EFI_HANDLE controller, UINT32 attributes)
{
	switch (attributes) {
	case EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL:
	case EFI_OPEN_PROTOCOL_GET_PROTOCOL:
	case EFI_OPEN_PROTOCOL_TEST_PROTOCOL:
		return EFI_SUCCESS;
	case EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER:
		if (handle == controller)
			return EFI_INVALID_PARAMETER;
		/* fall through */
	case EFI_OPEN_PROTOCOL_BY_DRIVER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE:
		if (!efi_handle_is_valid(controller))
			return EFI_INVALID_PARAMETER;
		/* fall through */
	case EFI_OPEN_PROTOCOL_EXCLUSIVE:
		return efi_handle_is_valid(agent) ? EFI_SUCCESS
						  : EFI_INVALID_PARAMETER;
	default:
		return EFI_INVALID_PARAMETER;
	}
}

/*
 * BY_DRIVER and EXCLUSIVE opens exclude each other. Opening BY_DRIVER again
 * by the agent that holds it is EFI_ALREADY_STARTED; any other conflict
 * would need a DisconnectController that mmuon lacks: EFI_ACCESS_DENIED.
 * At most one such open exists at a time.
 */
static EFI_STATUS open_check_conflicts(const struct prot *p, EFI_HANDLE agent,
				       UINT32 attributes)
{
	const UINT32 excl =
		EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE;

	if (!(attributes & excl))
		return EFI_SUCCESS;
	for (const struct open_info *o = p->opens; o; o = o->next) {
		if (!(o->attributes & excl))
			continue;
		if ((attributes & o->attributes &
		     EFI_OPEN_PROTOCOL_BY_DRIVER) &&
		    o->agent == agent)
			return EFI_ALREADY_STARTED;
		return EFI_ACCESS_DENIED;
	}
	return EFI_SUCCESS;
}

/* Identical opens share a record and count up (OpenCount). */
static EFI_STATUS open_record(struct prot *p, EFI_HANDLE agent,
			      EFI_HANDLE controller, UINT32 attributes)
{
	struct open_info **link, *o;

	for (link = &p->opens; (o = *link); link = &o->next) {
		if (o->agent == agent && o->controller == controller &&
		    o->attributes == attributes) {
			if (o->count < UINT32_MAX)
				o->count++;
			return EFI_SUCCESS;
		}
	}
	o = efi_zalloc(sizeof(*o));
	if (!o)
		return EFI_OUT_OF_RESOURCES;
	o->agent = agent;
	o->controller = controller;
	o->attributes = attributes;
	o->count = 1;
	*link = o;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI efi_open_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				    VOID **interface, EFI_HANDLE agent_handle,
				    EFI_HANDLE controller_handle,
				    UINT32 attributes)
{
	bool test = attributes == EFI_OPEN_PROTOCOL_TEST_PROTOCOL;
	struct handle *h;
	EFI_STATUS status;
	struct prot *p;

	/* TEST_PROTOCOL ignores Interface: it is not even written. */
	if (!test) {
		if (!interface)
			return EFI_INVALID_PARAMETER;
		*interface = NULL;
	}
	h = handle_lookup(handle);
	if (!protocol || !h)
		return EFI_INVALID_PARAMETER;
	status = open_check_handles(handle, agent_handle, controller_handle,
				    attributes);
	if (EFI_ERROR(status))
		return status;
	p = prot_find(h, protocol);
	if (!p)
		return EFI_UNSUPPORTED;
	status = open_check_conflicts(p, agent_handle, attributes);
	if (status == EFI_ALREADY_STARTED)
		*interface = p->interface;
	if (EFI_ERROR(status) || test)
		return status;
	status = open_record(p, agent_handle, controller_handle, attributes);
	if (EFI_ERROR(status))
		return status;
	*interface = p->interface;
	return EFI_SUCCESS;
}

/* Section 7.3.7: OpenProtocol BY_HANDLE_PROTOCOL for the firmware. */
EFI_STATUS EFIAPI efi_handle_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				      VOID **interface)
{
	return efi_open_protocol(handle, protocol, interface,
				 efi_firmware_handle(), NULL,
				 EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL);
}

EFI_STATUS EFIAPI efi_close_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				     EFI_HANDLE agent_handle,
				     EFI_HANDLE controller_handle)
{
	struct handle *h = handle_lookup(handle);
	struct open_info **link;
	bool closed = false;
	struct prot *p;

	if (!h || !protocol || !efi_handle_is_valid(agent_handle) ||
	    (controller_handle && !handle_lookup(controller_handle)))
		return EFI_INVALID_PARAMETER;
	p = prot_find(h, protocol);
	if (!p)
		return EFI_NOT_FOUND;
	for (link = &p->opens; *link;) {
		if ((*link)->agent == agent_handle &&
		    (*link)->controller == controller_handle) {
			open_unlink_free(link);
			closed = true;
		} else {
			link = &(*link)->next;
		}
	}
	return closed ? EFI_SUCCESS : EFI_NOT_FOUND;
}

/*
 * Section 7.3.13. The spec knows no EFI_INVALID_PARAMETER here: a handle
 * that is not ours supports nothing, so it is EFI_NOT_FOUND.
 */
EFI_STATUS EFIAPI efi_open_protocol_information(
	EFI_HANDLE handle, EFI_GUID *protocol,
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **entry_buffer, UINTN *entry_count)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	struct handle *h = handle_lookup(handle);
	struct prot *p = h && protocol ? prot_find(h, protocol) : NULL;
	struct open_info *o;
	UINTN n = 0;
	VOID *pool;

	if (!entry_buffer || !entry_count)
		return EFI_INVALID_PARAMETER;
	if (!p)
		return EFI_NOT_FOUND;
	for (o = p->opens; o; o = o->next)
		n++;
	/* Never a 0-byte pool: the caller frees the buffer whatever n is. */
	if (EFI_ERROR(efi_allocate_pool(EfiBootServicesData,
					(n ? n : 1) * sizeof(*e), &pool)))
		return EFI_OUT_OF_RESOURCES;
	e = pool;
	n = 0;
	for (o = p->opens; o; o = o->next, n++) {
		e[n].AgentHandle = o->agent;
		e[n].ControllerHandle = o->controller;
		e[n].Attributes = o->attributes;
		e[n].OpenCount = o->count;
	}
	*entry_buffer = e;
	*entry_count = n;
	return EFI_SUCCESS;
}

/* Section 7.3.14: the GUIDs returned point into the database. */
EFI_STATUS EFIAPI efi_protocols_per_handle(EFI_HANDLE handle,
					   EFI_GUID ***protocol_buffer,
					   UINTN *protocol_buffer_count)
{
	struct handle *h = handle_lookup(handle);
	EFI_GUID **guids;
	struct prot *p;
	UINTN n = 0;
	VOID *pool;

	if (!h || !protocol_buffer || !protocol_buffer_count)
		return EFI_INVALID_PARAMETER;
	for (p = h->prots; p; p = p->next)
		n++;
	if (EFI_ERROR(efi_allocate_pool(EfiBootServicesData, n * sizeof(*guids),
					&pool)))
		return EFI_OUT_OF_RESOURCES;
	guids = pool;
	n = 0;
	for (p = h->prots; p; p = p->next)
		guids[n++] = &p->guid;
	*protocol_buffer = guids;
	*protocol_buffer_count = n;
	return EFI_SUCCESS;
}
